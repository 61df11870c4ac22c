"""Recurring audit programmes: each period's round proposed automatically, and a calendar.

Three kinds come ready-made. The IRO manager's monthly audit of LAC review minutes draws four
looked-after children's files a month (by default) with an IRO, spread across the IROs so that
those audited least so far come first, and never the same child twice within the exclusion
window. Monthly supervision audits spread files across teams, one per worker. Quarterly themed
audits share their files across pathway stages; their quarters follow the financial year
(April to March) unless the programme says otherwise. ``propose_round`` creates the round for a
period (the earliest one still without a round, by default) and previews its sample; the
calendar shows each period as due, in progress, completed or overdue.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Audit, AuditRound, Programme, SampleItem
from ..models.programme import Cadence, ProgrammeKind
from ..vocabulary import AuditStatus, RoundStatus
from . import trail
from .permissions import Permission, require
from .programmes_periods import Period, parse_period, period_containing, periods_until
from .rounds import (
    RoundSummary,
    create_round,
    find_round,
    resolve_template_version,
    summarise,
    users_named,
)
from .sampling import SamplePreview, commit_sample, preview_sample
from .sampling_spec import SampleSpec
from .snapshots import fingerprint
from .users import UserInfo

KIND_DEFAULTS: dict[ProgrammeKind, dict[str, Any]] = {
    ProgrammeKind.IRO_MONTHLY: {
        "template_key": "lac-review-minutes",
        "cadence": Cadence.MONTHLY,
        "files": 4,
        "exclusion_months": 12,
        "theme": "LAC review minutes",
        "spec": {"strata": ["iro"], "allocation": "spread", "stages": ["lac"], "require_iro": True},
    },
    ProgrammeKind.SUPERVISION_MONTHLY: {
        "template_key": "supervision",
        "cadence": Cadence.MONTHLY,
        "files": 4,
        "exclusion_months": 6,
        "theme": "Supervision",
        "spec": {"strata": ["team"], "allocation": "spread", "max_per_worker": 1},
    },
    ProgrammeKind.QUARTERLY_THEMED: {
        "template_key": "",
        "cadence": Cadence.QUARTERLY,
        "files": 8,
        "exclusion_months": 12,
        "theme": "",
        "spec": {"strata": ["stage"], "allocation": "proportional"},
    },
    ProgrammeKind.CUSTOM: {
        "template_key": "",
        "cadence": Cadence.MONTHLY,
        "files": 4,
        "exclusion_months": 12,
        "theme": "",
        "spec": {"strata": ["stage"], "allocation": "proportional"},
    },
}


class PeriodStatus(enum.StrEnum):
    DUE = "due"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ProgrammeInfo:
    id: int
    name: str
    kind: ProgrammeKind
    template_key: str
    template_version: str
    cadence: Cadence
    files_per_period: int
    exclusion_months: int
    starts_on: date
    theme: str
    auditors: tuple[str, ...]
    spec: dict[str, Any]
    active: bool


@dataclass(frozen=True)
class CalendarPeriod:
    period: Period
    status: PeriodStatus
    round_id: int | None
    round_name: str
    files: int
    signed: int


@dataclass(frozen=True)
class Proposal:
    programme: ProgrammeInfo
    period: Period
    round: RoundSummary
    preview: SamplePreview
    created: bool
    committed: bool


def _info(p: Programme) -> ProgrammeInfo:
    settings = dict(p.settings or {})
    return ProgrammeInfo(
        p.id,
        p.name,
        p.kind,
        p.template_key,
        p.template_version,
        p.cadence,
        p.files_per_period,
        p.exclusion_months,
        p.starts_on,
        settings.get("theme", ""),
        tuple(settings.get("auditors", [])),
        dict(settings.get("spec", {})),
        p.active,
    )


def _programme_spec(files: int, exclusion: int, base: Mapping[str, Any]) -> SampleSpec:
    data = dict(base)
    data["exclude_months"] = exclusion
    if data.get("allocation", "proportional") == "per_stratum":
        data.setdefault("per_stratum", files)
    else:
        data["total"] = files
    return SampleSpec.from_dict(data)


def create_programme(
    db: Database,
    actor: UserInfo | None,
    name: str,
    kind: ProgrammeKind | str,
    *,
    starts_on: date,
    template_key: str | None = None,
    template_version: str = "",
    cadence: Cadence | str | None = None,
    files_per_period: int | None = None,
    exclusion_months: int | None = None,
    auditors: Sequence[str] = (),
    theme: str | None = None,
    spec: Mapping[str, Any] | None = None,
    due_days: int = 0,
    quarter_start_month: int = 4,
) -> ProgrammeInfo:
    """Set up a recurring programme; each period's round is proposed by ``propose_round``."""
    require(actor, Permission.MANAGE_PROGRAMMES)
    kind = ProgrammeKind(kind)
    defaults = KIND_DEFAULTS[kind]
    name = " ".join(name.split())
    key = template_key or defaults["template_key"]
    problems = []
    if not name:
        problems.append("Give the programme a name.")
    if not key:
        problems.append("Say which audit template the programme uses (--template KEY).")
    files = files_per_period if files_per_period is not None else defaults["files"]
    exclusion = exclusion_months if exclusion_months is not None else defaults["exclusion_months"]
    if files < 1:
        problems.append("A programme audits at least one file each period.")
    if exclusion < 0:
        problems.append("The exclusion window cannot be negative.")
    if due_days < 0:
        problems.append("The days allowed after the period cannot be negative.")
    if not 1 <= quarter_start_month <= 12:
        problems.append("The quarters' first month must be 1 to 12.")
    if problems:
        raise ValidationError("The programme was not created.", problems)
    base_spec = dict(defaults["spec"]) | dict(spec or {})
    _programme_spec(files, exclusion, base_spec)  # refuse a spec that cannot be drawn
    with db.session() as session:
        if session.scalar(select(Programme.id).where(func.lower(Programme.name) == name.lower())):
            raise ValidationError(f"There is already a programme called {name!r}.")
        resolve_template_version(session, key, template_version or None)
        users = users_named(session, auditors)
        programme = Programme(
            name=name,
            kind=kind,
            template_key=key,
            template_version=template_version,
            cadence=Cadence(cadence or defaults["cadence"]),
            files_per_period=files,
            exclusion_months=exclusion,
            starts_on=starts_on,
            active=True,
            owner_user_id=actor.id if actor else None,
            settings={
                "theme": theme if theme is not None else defaults["theme"],
                "auditors": [u.username for u in users],
                "spec": base_spec,
                "due_days": due_days,
                "quarter_start_month": quarter_start_month,
            },
        )
        programme.starts_on = period_containing(programme, starts_on).start
        session.add(programme)
        session.flush()
        info = _info(programme)
        trail.append(
            session,
            actor.id if actor else None,
            "programme",
            programme.id,
            "create",
            None,
            {
                "name": fingerprint(info.name),
                "kind": info.kind.value,
                "template": info.template_key,
                "files": info.files_per_period,
                "exclusion_months": info.exclusion_months,
                "auditors": list(info.auditors),
            },
        )
        return info


def find_programme(session: Session, ref: str | int) -> Programme:
    text = str(ref).strip()
    if text.isdigit() and (found := session.get(Programme, int(text))) is not None:
        return found
    found = session.scalars(
        select(Programme).where(func.lower(Programme.name) == text.lower())
    ).first()
    if found is None:
        raise NotFound(
            f"There is no programme called {text!r}. 'caseaudit programme list' shows them."
        )
    return found


def list_programmes(db: Database, actor: UserInfo | None) -> list[ProgrammeInfo]:
    require(actor, Permission.VIEW_CASES)
    with db.session() as session:
        return [_info(p) for p in session.scalars(select(Programme).order_by(Programme.name))]


def _round_for(session: Session, programme: Programme, period: Period) -> AuditRound | None:
    return session.scalars(
        select(AuditRound).where(
            AuditRound.programme_id == programme.id, AuditRound.period_start == period.start
        )
    ).first()


# -- proposing and the calendar -----------------------------------------------------------------
def propose_round(
    db: Database,
    actor: UserInfo | None,
    programme_ref: str | int,
    period: str | date | None = None,
    *,
    seed: int | None = None,
    commit: bool = False,
    as_of: date | None = None,
) -> Proposal:
    """Create (or find) the period's round and preview its sample; commit it if asked."""
    require(actor, Permission.MANAGE_PROGRAMMES)
    as_of = as_of or date.today()
    with db.session() as session:
        programme = find_programme(session, programme_ref)
        if period is None:
            chosen = next(
                (
                    p
                    for p in periods_until(programme, as_of)
                    if _round_for(session, programme, p) is None
                ),
                None,
            )
            if chosen is None:
                current = period_containing(programme, as_of)
                chosen = period_containing(programme, current.end + timedelta(days=1))
        elif isinstance(period, date):
            chosen = period_containing(programme, period)
        else:
            chosen = parse_period(programme, period)
        existing = _round_for(session, programme, chosen)
        info = _info(programme)
        existing_id = existing.id if existing is not None else None
    created = existing_id is None
    if created:
        spec = _programme_spec(info.files_per_period, info.exclusion_months, info.spec)
        summary = create_round(
            db,
            actor,
            f"{info.name} {chosen.label}",
            template_key=info.template_key,
            template_version=info.template_version or None,
            theme=info.theme,
            period_start=chosen.start,
            period_end=chosen.end,
            auditors=info.auditors,
            spec=spec,
            due_on=chosen.due_on,
            programme_id=info.id,
            period_label=chosen.label,
        )
        existing_id = summary.id
    preview = preview_sample(db, actor, existing_id, seed)
    committed = False
    if commit:
        with db.session() as session:
            status = session.get(AuditRound, existing_id).status  # type: ignore[union-attr]
        if status == RoundStatus.DRAFT:
            preview = commit_sample(db, actor, existing_id, expected=preview)
            committed = True
    with db.session() as session:
        summary = summarise(session, find_round(session, existing_id))
    return Proposal(info, chosen, summary, preview, created, committed)


def calendar(db: Database, programme_id: int | str, as_of: date) -> list[CalendarPeriod]:
    """Each period from the programme's start to ``as_of``: due, in progress, completed, overdue."""
    with db.session() as session:
        programme = find_programme(session, programme_id)
        result = []
        periods = periods_until(programme, as_of)
        after = period_containing(
            programme, (periods[-1].end if periods else as_of) + timedelta(days=1)
        )
        if _round_for(session, programme, after) is not None:
            periods.append(after)
        for period in periods:
            rnd = _round_for(session, programme, period)
            files = signed = 0
            if rnd is not None:
                files = (
                    session.scalar(
                        select(func.count(SampleItem.id)).where(
                            SampleItem.round_id == rnd.id, SampleItem.removed.is_(False)
                        )
                    )
                    or 0
                )
                signed = (
                    session.scalar(
                        select(func.count(func.distinct(SampleItem.id)))
                        .join(Audit, Audit.sample_item_id == SampleItem.id)
                        .where(
                            SampleItem.round_id == rnd.id,
                            SampleItem.removed.is_(False),
                            Audit.status == AuditStatus.SIGNED,
                        )
                    )
                    or 0
                )
            done = rnd is not None and (
                rnd.status == RoundStatus.COMPLETED or (files and signed >= files)
            )
            if done:
                status = PeriodStatus.COMPLETED
            elif as_of > period.due_on:
                status = PeriodStatus.OVERDUE
            elif rnd is not None and rnd.status != RoundStatus.DRAFT:
                status = PeriodStatus.IN_PROGRESS
            else:
                status = PeriodStatus.DUE
            result.append(
                CalendarPeriod(
                    period, status, rnd.id if rnd else None, rnd.name if rnd else "", files, signed
                )
            )
        return result
