"""Safeguarding escalation: "Child may be at risk now".

When an auditor reads something on a file that means a child may be at risk now, the audit
stops being the point. ``raise_concern`` records a time-stamped safeguarding concern (a
``Finding`` of kind safeguarding concern) and, in the same transaction, an immediate action owned
by the named manager (a team or service manager), due the same day and linked to the concern.
It is allowed at any point: on an audit not yet started, on an otherwise complete audit, and
even on a signed one (a child's safety is never blocked by the sign-off lock). Until the
manager's acknowledgement is recorded, the audit cannot be signed off.
``acknowledge_concern`` records it: who recorded it (the signed-in user, on the trail), when,
and how it was received ("Phoned TM 14:20, visit arranged today"); the note is kept as the
completion evidence of the concern's action, which it completes. Every change is on the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Action, Audit, ChangeLogEntry, Finding, User, Worker
from ..models.base import utcnow
from ..vocabulary import ActionStatus, FindingKind, TimescaleBand, WorkerRole
from . import trail
from .audit_records import Regrader, as_utc, load_audit, record_finding, snapshot_finding
from .permissions import Permission, require
from .users import UserInfo

__all__ = ["ConcernRow", "acknowledge_concern", "concern_rows", "raise_concern"]

MANAGER_ROLES = frozenset({WorkerRole.TEAM_MANAGER, WorkerRole.SERVICE_MANAGER})


@dataclass(frozen=True)
class ConcernRow:
    finding_id: int
    audit_id: int
    text: str
    raised_at: datetime
    raised_by: str
    manager_worker_id: int | None
    manager_name: str
    action_id: int | None
    acknowledged_at: datetime | None
    acknowledged_note: str
    acknowledged_recorded_by: str = ""  # the user who recorded the acknowledgement


def _trail_users(session: Session, entity: str, ids: list[int], operation: str) -> dict[int, str]:
    """Who (display name) made the first ``operation`` entry of each record, from the trail."""
    if not ids:
        return {}
    rows = session.execute(
        select(ChangeLogEntry.entity_id, User.display_name)
        .join(User, User.id == ChangeLogEntry.user_id)
        .where(
            ChangeLogEntry.entity == entity,
            ChangeLogEntry.entity_id.in_([str(i) for i in ids]),
            ChangeLogEntry.operation == operation,
        )
        .order_by(ChangeLogEntry.id)
    )
    found: dict[int, str] = {}
    for entity_id, name in rows:
        found.setdefault(int(entity_id), name)
    return found


def _note(action: Action | None) -> str:
    return (action.completion_evidence or "") if action is not None else ""


def concern_rows(session: Session, audit_id: int | None = None) -> list[ConcernRow]:
    """Safeguarding concerns (of one audit, or all), oldest first, with their acknowledgement."""
    query = (
        select(Finding, Action, Worker.name, Audit.auditor_user_id)
        .join(Audit, Audit.id == Finding.audit_id)
        .outerjoin(Action, Action.finding_id == Finding.id)
        .outerjoin(Worker, Worker.id == Action.owner_worker_id)
        .where(Finding.kind == FindingKind.SAFEGUARDING_CONCERN)
        .order_by(Finding.raised_at, Finding.id)
    )
    if audit_id is not None:
        query = query.where(Finding.audit_id == audit_id)
    rows = session.execute(query).all()
    action_ids = [a.id for _f, a, _n, _u in rows if a is not None]
    raised_by = _trail_users(session, "action", action_ids, "create")
    recorded_by = _trail_users(session, "action", action_ids, "acknowledge")
    auditors = dict(session.execute(select(User.id, User.display_name)).all())
    result = []
    seen: set[int] = set()
    for finding, action, manager, auditor_id in rows:
        if finding.id in seen:  # one immediate action per concern; keep the first
            continue
        seen.add(finding.id)
        acknowledged = finding.acknowledged_at is not None
        result.append(
            ConcernRow(
                finding_id=finding.id,
                audit_id=finding.audit_id,
                text=finding.text,
                raised_at=as_utc(finding.raised_at),  # type: ignore[arg-type]
                raised_by=(raised_by.get(action.id) if action else None)
                or auditors.get(auditor_id, ""),
                manager_worker_id=action.owner_worker_id if action else None,
                manager_name=manager or "",
                action_id=action.id if action else None,
                acknowledged_at=as_utc(finding.acknowledged_at),
                acknowledged_note=_note(action) if acknowledged else "",
                acknowledged_recorded_by=recorded_by.get(action.id, "") if action else "",
            )
        )
    return result


def _one(session: Session, finding_id: int) -> ConcernRow:
    for row in concern_rows(
        session, session.scalar(select(Finding.audit_id).where(Finding.id == finding_id))
    ):
        if row.finding_id == finding_id:
            return row
    raise NotFound(f"There is no safeguarding concern number {finding_id}.")


def raise_concern(
    db: Database, actor: UserInfo | None, audit_id: int, text: str, manager_worker_id: int
) -> ConcernRow:
    """Record "Child may be at risk now" with an immediate action for the named manager."""
    require(actor, Permission.AUDIT)
    assert actor is not None
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            "Say what the concern is: what you read on the file that means the child may be at "
            "risk now. Nothing was recorded yet."
        )
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        manager = s.get(Worker, manager_worker_id) if manager_worker_id is not None else None
        if manager is None or not manager.active or manager.role not in MANAGER_ROLES:
            raise ValidationError(
                "Name the manager who must act on the concern now: an active team manager or "
                "service manager. Nothing was recorded yet.",
                ["The person chosen is not an active team or service manager."],
            )
        now = utcnow()
        finding = Finding(
            audit_id=audit.id,
            kind=FindingKind.SAFEGUARDING_CONCERN,
            text=text,
            raised_at=now,
        )
        s.add(finding)
        s.flush()
        record_finding(s, actor.id, finding, "create")
        today = date.today()
        action = Action(
            audit_id=audit.id,
            finding_id=finding.id,
            description=(
                f"Safeguarding concern raised by {actor.display_name}: {manager.name} to make "
                "sure the child is safe now, and to confirm what is being done today."
            ),
            owner_worker_id=manager.id,
            timescale_band=TimescaleBand.IMMEDIATELY,
            due_on=today,
            review_on=today,
            status=ActionStatus.OPEN,
        )
        s.add(action)
        s.flush()
        trail.record(s, actor.id, action, "create")
        Regrader(s, audit).finish(actor.id)
        return _one(s, finding.id)


def acknowledge_concern(
    db: Database, actor: UserInfo | None, finding_id: int, note: str
) -> ConcernRow:
    """Record that the named manager has received the concern, how and what they are doing."""
    require(actor, Permission.MANAGE_ACTIONS)
    assert actor is not None
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            "Say how the manager received the concern and what they are doing, for example "
            "'Phoned TM 14:20, visit arranged today'. Nothing was recorded yet."
        )
    with trail.writing(db) as s:
        finding = s.get(Finding, finding_id)
        if finding is None or finding.kind != FindingKind.SAFEGUARDING_CONCERN:
            raise NotFound(f"There is no safeguarding concern number {finding_id}.")
        if finding.acknowledged_at is not None:
            raise ValidationError(
                f"The manager's acknowledgement of concern {finding_id} was already recorded on "
                f"{as_utc(finding.acknowledged_at):%d %B %Y at %H:%M} UTC, and stays as recorded."
            )
        action = s.scalars(
            select(Action).where(Action.finding_id == finding.id).order_by(Action.id).limit(1)
        ).first()
        audit = load_audit(s, finding.audit_id)
        regrader = Regrader(s, audit)
        now = utcnow()
        before = snapshot_finding(finding)
        finding.acknowledged_at = now
        finding.acknowledged_by_worker_id = action.owner_worker_id if action else None
        record_finding(s, actor.id, finding, "acknowledge", before)
        if action is not None:
            before_action = trail.snapshot(action)
            action.completion_evidence = note
            action.status = ActionStatus.COMPLETED
            action.completed_on = date.today()
            s.flush()
            trail.record(s, actor.id, action, "acknowledge", before_action)
        regrader.finish(actor.id, started=False)
        return _one(s, finding.id)
