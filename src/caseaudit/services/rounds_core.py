"""Audit rounds: creating, finding, listing and showing them.

``create_round`` checks the name, period, template (its newest version unless one is named),
auditors (who must be allowed to audit) and sample specification, and saves a draft round.
``get_round`` shows it with its sample: each file by case key with its stratum, why it was
chosen, its auditor and whether it was removed, and the method recorded when it was drawn;
nothing in it identifies a child. Rounds are found by number or by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import (
    AuditRound,
    AuditTemplate,
    RoundAuditor,
    SampleItem,
    TemplateVersion,
    User,
)
from ..vocabulary import CaseStatus, PathwayStage, RoundStatus, SampleReason
from . import trail
from .permissions import ROLE_PERMISSIONS, Permission, require
from .sampling_frame import frame_cases_for
from .sampling_spec import SampleSpec
from .snapshots import fingerprint
from .templates import version_key
from .users import UserInfo


@dataclass(frozen=True)
class RoundSummary:
    id: int
    name: str
    theme: str
    template_key: str
    template_version: str
    period_start: date
    period_end: date
    due_on: date | None
    status: RoundStatus
    seed: int | None
    item_count: int
    auditors: tuple[str, ...]
    programme_id: int | None
    period_label: str


@dataclass(frozen=True)
class SampleItemInfo:
    id: int
    case_file_id: int
    case_key: str
    stratum: str
    reason: SampleReason
    reason_note: str
    auditor_username: str | None
    auditor_name: str
    removed: bool
    removed_reason: str
    stage: PathwayStage
    status: CaseStatus
    team: str
    worker: str


@dataclass(frozen=True)
class RoundDetail:
    summary: RoundSummary
    spec: dict[str, Any]
    method: dict[str, Any]
    items: tuple[SampleItemInfo, ...]


def resolve_template_version(
    session: Session, key: str, version: str | None = None
) -> TemplateVersion:
    """The named template's version (its newest if ``version`` is not given)."""
    template = session.scalars(select(AuditTemplate).where(AuditTemplate.key == key)).first()
    if template is None:
        known = ", ".join(session.scalars(select(AuditTemplate.key).order_by(AuditTemplate.key)))
        raise NotFound(f"There is no audit template {key!r}. Templates: {known or 'none loaded'}.")
    stmt = select(TemplateVersion).where(TemplateVersion.template_id == template.id)
    if version:
        found = session.scalars(stmt.where(TemplateVersion.version == version)).first()
        if found is None:
            raise NotFound(f"The template {key!r} has no version {version!r}.")
        return found
    versions = list(session.scalars(stmt))
    if not versions:
        raise NotFound(f"The template {key!r} has no versions loaded yet.")
    return max(versions, key=lambda v: (version_key(v.version), v.id))


def users_named(session: Session, usernames: Sequence[str]) -> list[User]:
    users = []
    for name in usernames:
        user = session.scalars(select(User).where(User.username == name.strip().lower())).first()
        if user is None or not user.active:
            raise NotFound(
                f"There is no active user called {name!r}. Add them with 'caseaudit users add'."
            )
        if Permission.AUDIT not in ROLE_PERMISSIONS.get(user.role, frozenset()):
            raise ValidationError(
                f"{user.display_name} is a {user.role.label}, who may not complete audits."
            )
        users.append(user)
    return users


def find_round(session: Session, ref: str | int) -> AuditRound:
    """A round by id or by name (case-insensitive)."""
    text = str(ref).strip()
    if text.isdigit():
        found = session.get(AuditRound, int(text))
        if found is not None:
            return found
    found = session.scalars(
        select(AuditRound).where(func.lower(AuditRound.name) == text.lower())
    ).first()
    if found is None:
        raise NotFound(
            f"There is no audit round called {text!r}. 'caseaudit round list' shows them."
        )
    return found


def create_round(
    db: Database,
    actor: UserInfo | None,
    name: str,
    *,
    template_key: str,
    period_start: date,
    period_end: date,
    template_version: str | None = None,
    theme: str = "",
    auditors: Sequence[str] = (),
    spec: SampleSpec | Mapping[str, Any] | None = None,
    due_on: date | None = None,
    programme_id: int | None = None,
    period_label: str = "",
) -> RoundSummary:
    """Create a draft round; draw its sample afterwards with ``sampling``."""
    require(actor, Permission.MANAGE_ROUNDS)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the round a name.")
    if period_end < period_start:
        raise ValidationError("The round's period ends before it starts; check the dates.")
    spec_data: dict[str, Any] = {}
    if spec is not None:  # a round may be created first and given its specification later
        checked = spec if isinstance(spec, SampleSpec) else SampleSpec.from_dict(spec)
        checked.check()
        spec_data = checked.to_dict()
    with db.session() as session:
        if session.scalar(select(AuditRound.id).where(func.lower(AuditRound.name) == name.lower())):
            raise ValidationError(f"There is already a round called {name!r}; choose another name.")
        version = resolve_template_version(session, template_key, template_version)
        rnd = AuditRound(
            name=name,
            theme=theme.strip(),
            template_version_id=version.id,
            period_start=period_start,
            period_end=period_end,
            due_on=due_on,
            status=RoundStatus.DRAFT,
            sample_spec=spec_data,
            method={},
            created_by_user_id=actor.id if actor else None,
            programme_id=programme_id,
            period_label=period_label,
        )
        session.add(rnd)
        session.flush()
        users = users_named(session, auditors)
        for user in users:
            session.add(RoundAuditor(round_id=rnd.id, user_id=user.id))
        session.flush()
        trail.append(
            session,
            actor.id if actor else None,
            "audit_round",
            rnd.id,
            "create",
            None,
            {
                "name": fingerprint(name),
                "template_version_id": version.id,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "auditors": sorted(u.username for u in users),
                "spec": spec_data,
                "programme_id": programme_id,
            },
        )
        return summarise(session, rnd)


def summarise(session: Session, rnd: AuditRound) -> RoundSummary:
    version = session.get(TemplateVersion, rnd.template_version_id)
    key = (
        session.scalar(select(AuditTemplate.key).where(AuditTemplate.id == version.template_id))
        if version
        else ""
    )
    count = (
        session.scalar(
            select(func.count(SampleItem.id)).where(
                SampleItem.round_id == rnd.id, SampleItem.removed.is_(False)
            )
        )
        or 0
    )
    auditors = tuple(
        session.scalars(
            select(User.username)
            .join(RoundAuditor, RoundAuditor.user_id == User.id)
            .where(RoundAuditor.round_id == rnd.id)
            .order_by(User.username)
        )
    )
    return RoundSummary(
        rnd.id,
        rnd.name,
        rnd.theme,
        key or "",
        version.version if version else "",
        rnd.period_start,
        rnd.period_end,
        rnd.due_on,
        rnd.status,
        rnd.seed,
        count,
        auditors,
        rnd.programme_id,
        rnd.period_label,
    )


def list_rounds(db: Database, actor: UserInfo | None) -> list[RoundSummary]:
    require(actor, Permission.VIEW_CASES)
    with db.session() as session:
        rounds = session.scalars(
            select(AuditRound).order_by(AuditRound.period_start, AuditRound.name)
        )
        return [summarise(session, r) for r in rounds]


def get_round(db: Database, actor: UserInfo | None, ref: str | int) -> RoundDetail:
    """The round with its sample: strata, reasons and assignment (no identifying data)."""
    require(actor, Permission.VIEW_CASES)
    with db.session() as session:
        rnd = find_round(session, ref)
        items = session.scalars(select(SampleItem).where(SampleItem.round_id == rnd.id)).all()
        cases = {
            c.case_file_id: c
            for c in frame_cases_for(session, [i.case_file_id for i in items], False)
        }
        users = {u.id: u for u in session.scalars(select(User))}
        infos = []
        for i in items:
            c = cases[i.case_file_id]
            user = users.get(i.auditor_user_id) if i.auditor_user_id else None
            infos.append(
                SampleItemInfo(
                    i.id,
                    i.case_file_id,
                    c.case_key,
                    i.stratum,
                    i.reason,
                    i.reason_note,
                    user.username if user else None,
                    user.display_name if user else "",
                    i.removed,
                    i.removed_reason,
                    PathwayStage(c.stage),
                    CaseStatus(c.status),
                    c.team,
                    c.worker,
                )
            )
        infos.sort(key=lambda x: (x.removed, x.stratum, x.case_key))
        return RoundDetail(
            summarise(session, rnd),
            dict(rnd.sample_spec or {}),
            dict(rnd.method or {}),
            tuple(infos),
        )
