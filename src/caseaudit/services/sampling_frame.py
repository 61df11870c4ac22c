"""What the draw needs from the database: the frame, recent audits and the round's auditors.

``load_frame`` selects the case files a round may sample (active in its period, or closed in
the last N months if the specification says so, narrowed by stage, status, team and list) as
``FrameCase`` values carrying no identifying data; the outcome of each file is that of its most
recent pathway event, ordered by dates and event IDs, never by database ids. ``recently_audited``
lists the children sampled into another round, or audited, inside the exclusion window.
``round_auditors`` says which teams each auditor manages (through their worker record, when it
is a team manager's), which is what conflict-of-interest avoidance needs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, String, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from ..models import (
    Audit,
    AuditRound,
    CaseFile,
    Child,
    PathwayEvent,
    RoundAuditor,
    SampleItem,
    Team,
    User,
    Worker,
)
from ..vocabulary import CaseStatus, Outcome, WorkerRole
from .importer_read import paused_gc
from .sampling_draw import NO_IRO, NO_TEAM, NO_WORKER, AuditorInfo, FrameCase
from .sampling_spec import SampleSpec, parse_criterion


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _frame_select() -> Select:
    """Case files with their child's keys; team and worker names are looked up separately
    (small tables), which keeps the query to one join."""
    return select(
        CaseFile.id,
        CaseFile.child_id,
        Child.case_key,
        Child.external_id,
        type_coerce(CaseFile.opened_on, String),  # "2024-04-03" (a date on PostgreSQL)
        CaseFile.source_list,
        type_coerce(CaseFile.current_stage, String),  # plain strings: no enum conversion
        type_coerce(CaseFile.status, String),
        CaseFile.team_id,
        CaseFile.worker_id,
        CaseFile.iro_worker_id,
    ).join(Child, Child.id == CaseFile.child_id)


def needs_outcome(spec: SampleSpec) -> bool:
    return "outcome" in spec.strata or any(
        parse_criterion(key).dimension == "outcome" for key, _ in spec.minimums
    )


def load_frame(
    session: Session, spec: SampleSpec, period_start: date, period_end: date
) -> list[FrameCase]:
    """The case files a round with this specification and period may sample."""
    cutoff = period_start
    if spec.closed_within_months is not None:
        cutoff = min(period_start, add_months(period_end, -spec.closed_within_months))
    stmt = _frame_select().where(
        CaseFile.opened_on <= period_end,
        or_(CaseFile.closed_on.is_(None), CaseFile.closed_on >= cutoff),
    )
    stages = spec.frame_stages()
    if stages:
        stmt = stmt.where(CaseFile.current_stage.in_(sorted(stages)))
    if spec.statuses:
        stmt = stmt.where(CaseFile.status.in_(sorted({CaseStatus.parse(s) for s in spec.statuses})))
    if spec.lists:
        stmt = stmt.where(CaseFile.source_list.in_(list(spec.lists)))
    if spec.teams:
        wanted = {t.casefold() for t in spec.teams}
        ids = [
            i
            for i, name in session.execute(select(Team.id, Team.name))
            if name.casefold() in wanted
        ]
        stmt = stmt.where(CaseFile.team_id.in_(ids))
    if spec.require_iro:
        stmt = stmt.where(CaseFile.iro_worker_id.is_not(None))
    with paused_gc():  # 100,000 rows and tuples: no collector passes over them meanwhile
        rows = session.connection().execute(stmt).all()  # one fetchall, not a fetch per row
        return _frame_cases(session, rows, needs_outcome(spec))


def frame_cases_for(
    session: Session, case_file_ids: Sequence[int], with_outcome: bool = True
) -> list[FrameCase]:
    """``FrameCase`` values for given case files (manual additions, earlier samples)."""
    result: list[FrameCase] = []
    for start in range(0, len(case_file_ids), 1000):
        chunk = list(case_file_ids[start : start + 1000])
        stmt = _frame_select().where(CaseFile.id.in_(chunk))
        rows = session.connection().execute(stmt).all()
        result.extend(_frame_cases(session, rows, with_outcome, chunk))
    return result


def _frame_cases(
    session: Session, rows: Iterable, with_outcome: bool, only: Sequence[int] | None = None
) -> list[FrameCase]:
    rows = list(rows)
    outcomes = latest_outcomes(session, only) if with_outcome else {}
    none = Outcome.NOT_APPLICABLE.value
    teams = dict(session.execute(select(Team.id, Team.name)).all())
    workers = dict(session.execute(select(Worker.id, Worker.name)).all())
    team, worker, iro = teams.get, workers.get, workers.get
    new = tuple.__new__  # FrameCase is a NamedTuple; this skips its Python-level __new__
    return [
        new(
            FrameCase,
            (
                r[0],
                r[1],
                r[2],
                f"{r[3]}\x1f{r[4]}\x1f{r[5]}\x1f{r[6]}\x1f{r[2]}",
                r[6],
                outcomes.get(r[0], none) if outcomes else none,
                r[7],
                r[8],
                team(r[8]) or NO_TEAM,
                r[9],
                worker(r[9]) or NO_WORKER,
                r[10],
                iro(r[10]) or NO_IRO,
                r[5],
            ),
        )
        for r in rows
    ]


def latest_outcomes(session: Session, only: Sequence[int] | None = None) -> dict[int, str]:
    """Each case file's most recent event's outcome (by date, then event ID)."""
    stmt = select(
        PathwayEvent.case_file_id,
        PathwayEvent.started_on,
        PathwayEvent.completed_on,
        PathwayEvent.external_id,
        PathwayEvent.outcome,
    )
    if only is not None:
        stmt = stmt.where(PathwayEvent.case_file_id.in_(list(only)))
    best: dict[int, tuple] = {}
    for cf_id, started, completed, ext, outcome in session.execute(stmt):
        rank = (started, completed or date.min, ext or "")
        current = best.get(cf_id)
        if current is None or rank > current[0]:
            best[cf_id] = (rank, outcome.value)
    return {cf_id: value for cf_id, (_, value) in best.items()}


def recently_audited(
    session: Session, round_id: int | None, period_start: date, period_end: date, months: int
) -> dict[int, str]:
    """Children sampled into another round, or audited, within ``months`` before the period."""
    if months <= 0:
        return {}
    since = add_months(period_start, -months)
    reason = f"audited in the {months} months before the period"
    sampled = (
        select(CaseFile.child_id)
        .join(SampleItem, SampleItem.case_file_id == CaseFile.id)
        .join(AuditRound, AuditRound.id == SampleItem.round_id)
        .where(
            SampleItem.removed.is_(False),
            AuditRound.period_end >= since,
            AuditRound.period_start <= period_end,
        )
    )
    if round_id is not None:
        sampled = sampled.where(AuditRound.id != round_id)
    since_at = datetime.combine(since, time.min, tzinfo=UTC)
    audited = (
        select(CaseFile.child_id)
        .join(Audit, Audit.case_file_id == CaseFile.id)
        .where(
            Audit.sample_item_id.is_(None),
            func.coalesce(Audit.started_at, Audit.updated_at) >= since_at,
        )
    )
    children = {c for (c,) in session.execute(sampled)} | {c for (c,) in session.execute(audited)}
    return dict.fromkeys(children, reason)


def auditor_infos(session: Session, user_ids: Iterable[int]) -> list[AuditorInfo]:
    ids = list(user_ids)
    if not ids:
        return []
    stmt = (
        select(
            User.id, User.username, User.display_name, User.worker_id, Worker.role, Worker.team_id
        )
        .outerjoin(Worker, Worker.id == User.worker_id)
        .where(User.id.in_(ids))
        .order_by(User.username)
    )
    return [
        AuditorInfo(
            uid,
            username,
            name,
            worker_id,
            frozenset({team}) if role == WorkerRole.TEAM_MANAGER and team else frozenset(),
        )
        for uid, username, name, worker_id, role, team in session.execute(stmt)
    ]


def round_auditors(session: Session, round_id: int) -> list[AuditorInfo]:
    ids = session.scalars(select(RoundAuditor.user_id).where(RoundAuditor.round_id == round_id))
    return auditor_infos(session, ids)
