"""Queries behind the Cases area: counting, paging, searching and describing case files.

The GUI never loads 100,000 case files at once: it asks ``count_cases`` how many match a
``CaseQuery`` and then pages through them with ``list_cases``, the database doing the search,
filtering and sorting. Results are plain dataclasses that carry the pseudonymous case key and
never a child's name, date of birth or address (those stay in ``ChildIdentity``). Search looks
at the case key, the case-management system's ID, the team and the worker, never at names.
``database_overview`` tells the window which organisation's data is open and whether it is the
demo.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..db import Database
from ..errors import NotFound
from ..models import CaseFile, Child, Organisation, PathwayEvent, Team, Worker
from ..vocabulary import CaseStatus, Outcome, PathwayStage


class CaseSort(enum.StrEnum):
    """The columns a case list can be sorted by."""

    CASE_KEY = "case_key"
    STAGE = "stage"
    STATUS = "status"
    TEAM = "team"
    WORKER = "worker"
    OPENED = "opened"
    CLOSED = "closed"
    EVENTS = "events"
    LAST_EVENT = "last_event"


@dataclass(frozen=True)
class CaseQuery:
    """Which case files to show, and in what order.

    ``text`` is split into words; every word must appear (ignoring case) in the case key, the
    external ID, the team's name or the worker's name.
    """

    text: str = ""
    stage: PathwayStage | None = None
    team_id: int | None = None
    status: CaseStatus | None = None
    sort: CaseSort = CaseSort.CASE_KEY
    descending: bool = False


@dataclass(frozen=True)
class CaseRow:
    """One case file as the Cases list shows it. Deliberately holds no identifying data."""

    case_file_id: int
    case_key: str
    external_id: str
    stage: PathwayStage
    status: CaseStatus
    team: str
    worker: str
    opened_on: date
    closed_on: date | None
    legal_status: str
    placement_type: str
    event_count: int
    last_event_stage: PathwayStage | None
    last_event_on: date | None


@dataclass(frozen=True)
class EventRow:
    """One step on a case file's pathway (a referral, an assessment, a plan, ...)."""

    event_id: int
    stage: PathwayStage
    started_on: date
    completed_on: date | None
    outcome: Outcome

    @property
    def days(self) -> int | None:
        """Calendar days from start to completion (None while ongoing)."""
        if self.completed_on is None:
            return None
        return (self.completed_on - self.started_on).days


@dataclass(frozen=True)
class TeamOption:
    team_id: int
    name: str


@dataclass(frozen=True)
class CaseFacets:
    """What the Cases filters can offer: the teams and the pathway stages in use."""

    teams: list[TeamOption]
    stages: list[PathwayStage]


@dataclass(frozen=True)
class DatabaseOverview:
    """What the window says about the open database."""

    organisation_name: str
    is_demo: bool
    case_file_count: int


_STAGE_ORDER = case(
    {stage.value: position for position, stage in enumerate(PathwayStage)},
    value=CaseFile.current_stage,
    else_=len(PathwayStage),
)


def _event_count() -> ColumnElement[int]:
    return (
        select(func.count(PathwayEvent.id))
        .where(PathwayEvent.case_file_id == CaseFile.id)
        .correlate(CaseFile)
        .scalar_subquery()
    )


def _last_event_on() -> ColumnElement[date]:
    return (
        select(func.max(PathwayEvent.started_on))
        .where(PathwayEvent.case_file_id == CaseFile.id)
        .correlate(CaseFile)
        .scalar_subquery()
    )


def _last_event_stage() -> ColumnElement[str]:
    return (
        select(PathwayEvent.stage)
        .where(PathwayEvent.case_file_id == CaseFile.id)
        .order_by(PathwayEvent.started_on.desc(), PathwayEvent.id.desc())
        .limit(1)
        .correlate(CaseFile)
        .scalar_subquery()
    )


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(statement: Select, query: CaseQuery) -> Select:
    """Join what the search needs and apply the query's filters to ``statement``."""
    statement = (
        statement.join(Child, Child.id == CaseFile.child_id)
        .outerjoin(Team, Team.id == CaseFile.team_id)
        .outerjoin(Worker, Worker.id == CaseFile.worker_id)
    )
    conditions: list[ColumnElement[bool]] = []
    for word in query.text.split():
        pattern = f"%{_escape_like(word.lower())}%"
        conditions.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Child.case_key, Child.external_id, Team.name, Worker.name)
                )
            )
        )
    if query.stage is not None:
        conditions.append(CaseFile.current_stage == query.stage)
    if query.team_id is not None:
        conditions.append(CaseFile.team_id == query.team_id)
    if query.status is not None:
        conditions.append(CaseFile.status == query.status)
    if conditions:
        statement = statement.where(and_(*conditions))
    return statement


def count_cases(db: Database, query: CaseQuery) -> int:
    """How many case files match ``query``."""
    statement = _filtered(select(func.count(CaseFile.id)).select_from(CaseFile), query)
    with db.session() as session:
        return int(session.scalar(statement) or 0)


def _sort_key(query: CaseQuery, events: ColumnElement, last_on: ColumnElement) -> list:
    column = {
        CaseSort.CASE_KEY: Child.case_key,
        CaseSort.STAGE: _STAGE_ORDER,
        CaseSort.STATUS: CaseFile.status,
        CaseSort.TEAM: Team.name,
        CaseSort.WORKER: Worker.name,
        CaseSort.OPENED: CaseFile.opened_on,
        CaseSort.CLOSED: CaseFile.closed_on,
        CaseSort.EVENTS: events,
        CaseSort.LAST_EVENT: last_on,
    }[query.sort]
    ordered = column.desc() if query.descending else column.asc()
    # Empty values last whichever way round, then a stable tie-break.
    tie = CaseFile.id.desc() if query.descending else CaseFile.id.asc()
    return [column.is_(None), ordered, tie]


def list_cases(db: Database, query: CaseQuery, offset: int = 0, limit: int = 500) -> list[CaseRow]:
    """One page of the case files matching ``query``, in its order.

    The page's ids are chosen first (so the database sorts only what the order needs), then
    the page's details are read for those ids alone.
    """
    page = _filtered(select(CaseFile.id).select_from(CaseFile), query)
    page = (
        page.order_by(*_sort_key(query, _event_count(), _last_event_on()))
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    with db.session() as session:
        ids = list(session.scalars(page))
        if not ids:
            return []
        details = (
            select(
                CaseFile.id,
                Child.case_key,
                Child.external_id,
                CaseFile.current_stage,
                CaseFile.status,
                Team.name,
                Worker.name,
                CaseFile.opened_on,
                CaseFile.closed_on,
                CaseFile.legal_status,
                CaseFile.placement_type,
                _event_count(),
                _last_event_stage(),
                _last_event_on(),
            )
            .select_from(CaseFile)
            .join(Child, Child.id == CaseFile.child_id)
            .outerjoin(Team, Team.id == CaseFile.team_id)
            .outerjoin(Worker, Worker.id == CaseFile.worker_id)
            .where(CaseFile.id.in_(ids))
        )
        by_id = {row[0]: row for row in session.execute(details)}
    return [_case_row(by_id[case_file_id]) for case_file_id in ids if case_file_id in by_id]


def _case_row(row: Sequence) -> CaseRow:
    return CaseRow(
        case_file_id=row[0],
        case_key=row[1],
        external_id=row[2] or "",
        stage=PathwayStage(row[3]),
        status=CaseStatus(row[4]),
        team=row[5] or "",
        worker=row[6] or "",
        opened_on=row[7],
        closed_on=row[8],
        legal_status=row[9] or "",
        placement_type=row[10] or "",
        event_count=int(row[11] or 0),
        last_event_stage=PathwayStage(row[12]) if row[12] else None,
        last_event_on=row[13],
    )


def case_events(db: Database, case_file_id: int) -> list[EventRow]:
    """A case file's pathway events, oldest first."""
    with db.session() as session:
        if session.get(CaseFile, case_file_id) is None:
            raise NotFound(
                "That case file is no longer in the database; it may have been removed by an "
                "import. Refresh the list (F5) and choose another."
            )
        rows = session.execute(
            select(
                PathwayEvent.id,
                PathwayEvent.stage,
                PathwayEvent.started_on,
                PathwayEvent.completed_on,
                PathwayEvent.outcome,
            )
            .where(PathwayEvent.case_file_id == case_file_id)
            .order_by(PathwayEvent.started_on, PathwayEvent.id)
        ).all()
    return [
        EventRow(
            event_id=row[0],
            stage=PathwayStage(row[1]),
            started_on=row[2],
            completed_on=row[3],
            outcome=Outcome(row[4]),
        )
        for row in rows
    ]


def facets(db: Database) -> CaseFacets:
    """The teams and pathway stages the Cases filters can offer, in a sensible order."""
    with db.session() as session:
        teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        used = set(session.scalars(select(CaseFile.current_stage).distinct()).all())
    return CaseFacets(
        teams=[TeamOption(team_id=row[0], name=row[1]) for row in teams],
        stages=[stage for stage in PathwayStage if stage in used],
    )


def database_overview(db: Database) -> DatabaseOverview:
    """The organisation whose data is open, whether it is the demo, and how many case files."""
    with db.session() as session:
        organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        count = session.scalar(select(func.count(CaseFile.id))) or 0
        return DatabaseOverview(
            organisation_name=organisation.name if organisation else "",
            is_demo=bool(organisation and organisation.is_demo),
            case_file_count=int(count),
        )
