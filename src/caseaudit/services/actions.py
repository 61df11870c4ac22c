"""Actions raised from audit findings: what must happen, who owns it, by when, and its progress.

An action is raised from an audit (optionally from one of its sections or questions) with an
owner (a worker or team manager) and a timescale band, which sets its dates (``due_and_review``):

* **Immediately**: due 1 working day after it is raised, reviewed 5 working days after.
* **Within 3 months**: due 3 calendar months after (``add_months``), reviewed after 6 weeks.
* **Within 6 months**: due 6 calendar months after, reviewed after 3 months.

Working days skip weekends and England & Wales bank holidays. A due date is the deadline as
counted; a review date that falls on a weekend or bank holiday moves to the next working day,
because a review is a meeting. Actions are raised on an audit that is not signed off (a signed
audit is locked), and tracked to completion afterwards: completing one needs its evidence. The
immediate action of a safeguarding concern is completed by recording the manager's
acknowledgement (``escalation``), never edited here. Every change is on the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Action, Finding, Team, Worker
from ..templating import add_months, add_working_days, is_working_day
from ..vocabulary import ActionStatus, FindingKind, TimescaleBand
from . import trail
from .audit_records import Regrader, check_can_edit, load_audit
from .permissions import Permission, require
from .users import UserInfo

__all__ = [
    "ActionRow",
    "action_rows",
    "due_and_review",
    "list_actions",
    "owners",
    "raise_action",
    "update_action",
]

OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ActionRow:
    id: int
    audit_id: int | None
    description: str
    owner_worker_id: int | None
    owner_name: str
    timescale_band: TimescaleBand
    due_on: date
    review_on: date | None
    status: ActionStatus
    section_id: str
    question_id: str
    overdue: bool
    completed_on: date | None = None
    completion_evidence: str = ""
    finding_id: int | None = None


def _next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_and_review(band: TimescaleBand, raised_on: date) -> tuple[date, date]:
    """The due and review dates of an action raised on ``raised_on`` (see the module docstring)."""
    band = TimescaleBand(band)
    if band == TimescaleBand.IMMEDIATELY:
        return add_working_days(raised_on, 1), add_working_days(raised_on, 5)
    if band == TimescaleBand.THREE_MONTHS:
        return add_months(raised_on, 3), _next_working_day(raised_on + timedelta(weeks=6))
    return add_months(raised_on, 6), _next_working_day(add_months(raised_on, 3))


def is_overdue(status: ActionStatus, due_on: date, today: date | None = None) -> bool:
    return status in OPEN_STATUSES and due_on < (today or date.today())


def _query() -> Select:
    return (
        select(Action, Worker.name)
        .outerjoin(Worker, Worker.id == Action.owner_worker_id)
        .order_by(Action.due_on, Action.id)
    )


def _row(action: Action, owner_name: str | None, today: date) -> ActionRow:
    status = ActionStatus(action.status)
    return ActionRow(
        id=action.id,
        audit_id=action.audit_id,
        description=action.description,
        owner_worker_id=action.owner_worker_id,
        owner_name=owner_name or "",
        timescale_band=TimescaleBand(action.timescale_band),
        due_on=action.due_on,
        review_on=action.review_on,
        status=status,
        section_id=action.section_id or "",
        question_id=action.question_id or "",
        overdue=is_overdue(status, action.due_on, today),
        completed_on=action.completed_on,
        completion_evidence=action.completion_evidence or "",
        finding_id=action.finding_id,
    )


def action_rows(session: Session, audit_id: int) -> list[ActionRow]:
    """The actions of one audit, soonest due first (for the audit form)."""
    today = date.today()
    rows = session.execute(_query().where(Action.audit_id == audit_id))
    return [_row(action, name, today) for action, name in rows]


def _owner(session: Session, worker_id: int | None) -> Worker:
    worker = session.get(Worker, worker_id) if worker_id is not None else None
    if worker is None:
        raise ValidationError(
            "Choose who owns the action: a worker or team manager from the list.",
            ["The owner was not found among the workers."],
        )
    if not worker.active:
        raise ValidationError(
            f"{worker.name} is no longer an active worker, so cannot own a new action. "
            "Choose someone else."
        )
    return worker


def raise_action(
    db: Database,
    actor: UserInfo | None,
    audit_id: int,
    description: str,
    owner_worker_id: int,
    band: TimescaleBand,
    *,
    section_id: str = "",
    question_id: str = "",
    raised_on: date | None = None,
) -> ActionRow:
    """Raise an action on an audit that is not signed off; see the module docstring for dates."""
    description = (description or "").strip()
    try:
        band = TimescaleBand(band)
    except ValueError:
        raise ValidationError(
            f"{band!r} is not a timescale: choose immediately, within 3 months or within 6 months."
        ) from None
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
        assert actor is not None
        regrader = Regrader(s, audit)
        problems = []
        if not description:
            problems.append("Say what must be done.")
        if section_id:
            try:
                regrader.definition.section(section_id)
            except KeyError:
                problems.append(f"This audit's template has no section '{section_id}'.")
        if question_id:
            try:
                question = regrader.definition.question(question_id)
                section_id = section_id or question.section_id
            except KeyError:
                problems.append(f"This audit's template has no question '{question_id}'.")
        if problems:
            raise ValidationError("The action was not raised.", problems)
        owner = _owner(s, owner_worker_id)
        due, review = due_and_review(band, raised_on or date.today())
        action = Action(
            audit_id=audit.id,
            section_id=section_id,
            question_id=question_id,
            description=description,
            owner_worker_id=owner.id,
            timescale_band=band,
            due_on=due,
            review_on=review,
            status=ActionStatus.OPEN,
        )
        s.add(action)
        s.flush()
        trail.record(s, actor.id, action, "create")
        regrader.finish(actor.id)
        return _row(action, owner.name, date.today())


def list_actions(
    db: Database,
    actor: UserInfo | None,
    *,
    audit_id: int | None = None,
    owner_worker_id: int | None = None,
    status: ActionStatus | None = None,
    overdue_only: bool = False,
) -> list[ActionRow]:
    """Actions, soonest due first, filtered as asked (overdue: still open and past due)."""
    require(actor, Permission.VIEW_CASES)
    today = date.today()
    query = _query()
    if audit_id is not None:
        query = query.where(Action.audit_id == audit_id)
    if owner_worker_id is not None:
        query = query.where(Action.owner_worker_id == owner_worker_id)
    if status is not None:
        query = query.where(Action.status == ActionStatus(status))
    if overdue_only:
        query = query.where(Action.status.in_(OPEN_STATUSES), Action.due_on < today)
    with db.session() as s:
        return [_row(action, name, today) for action, name in s.execute(query)]


def update_action(
    db: Database,
    actor: UserInfo | None,
    action_id: int,
    *,
    status: ActionStatus | None = None,
    completion_evidence: str | None = None,
) -> ActionRow:
    """Move an action on (open, in progress, completed, cancelled) or record its evidence.

    ``None`` leaves a field as it is. Completing needs evidence of completion; the completion
    date is set when it is completed and cleared if it is opened again."""
    require(actor, Permission.MANAGE_ACTIONS)
    assert actor is not None
    with trail.writing(db) as s:
        action = s.get(Action, action_id)
        if action is None:
            raise NotFound(f"There is no action number {action_id}.")
        if action.finding_id is not None:
            kind = s.scalar(select(Finding.kind).where(Finding.id == action.finding_id))
            if kind == FindingKind.SAFEGUARDING_CONCERN:
                raise ValidationError(
                    f"Action {action_id} is the immediate action of a safeguarding concern. It is "
                    "completed by recording the manager's acknowledgement of the concern, and "
                    "then stays as recorded. Raise a new action for any further work."
                )
        before = trail.snapshot(action)
        if completion_evidence is not None:
            action.completion_evidence = completion_evidence.strip()
        if status is not None:
            try:
                new_status = ActionStatus(status)
            except ValueError:
                raise ValidationError(
                    f"{status!r} is not an action status: choose open, in progress, completed "
                    "or cancelled."
                ) from None
            if new_status == ActionStatus.COMPLETED and action.status != ActionStatus.COMPLETED:
                action.completed_on = date.today()
            elif new_status != ActionStatus.COMPLETED:
                action.completed_on = None
            action.status = new_status
        if action.status == ActionStatus.COMPLETED and not (action.completion_evidence or ""):
            raise ValidationError(
                f"Action {action_id} cannot be completed without evidence: say what was done "
                "and where it is recorded. Nothing was changed."
            )
        s.flush()
        if trail.snapshot(action) != before:
            trail.record(s, actor.id, action, "update", before)
        owner = s.get(Worker, action.owner_worker_id) if action.owner_worker_id else None
        return _row(action, owner.name if owner else "", date.today())


def owners(db: Database) -> list[tuple[int, str, str]]:
    """(worker id, name, role label) of every active worker, for the action owner picker.

    Managers come first (team and service managers), then everyone else, each by name; the
    role label names the team where there is one ("Team manager, Duty and Assessment")."""
    with db.session() as s:
        rows = s.execute(
            select(Worker.id, Worker.name, Worker.role, Team.name)
            .outerjoin(Team, Team.id == Worker.team_id)
            .where(Worker.active.is_(True))
        ).all()
    managers = {"team_manager", "service_manager"}
    result = []
    for worker_id, name, role, team in rows:
        label = getattr(role, "label", str(role))
        result.append((worker_id, name, f"{label}, {team}" if team else label))
    rows_by_role = {r[0]: getattr(r[2], "value", r[2]) for r in rows}
    result.sort(key=lambda r: (rows_by_role[r[0]] not in managers, r[1].casefold(), r[0]))
    return result
