"""The Cases query service: counting, paging, searching, filtering, sorting, events, facets.

Run on a real SQLite file with 300 synthetic case files (the demo's own generator), plus one
test on every backend (SQLite, SQLCipher, PostgreSQL) with the small local generator.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from caseaudit.errors import NotFound
from caseaudit.models import CaseFile, Child, PathwayEvent, Team, Worker
from caseaudit.services.cases import (
    CaseQuery,
    CaseRow,
    CaseSort,
    case_events,
    count_cases,
    database_overview,
    facets,
    list_cases,
)
from caseaudit.vocabulary import CaseStatus

pytest_plugins = ("tests.shell_fixtures",)


def all_rows(db, query: CaseQuery, page: int = 70) -> list[CaseRow]:
    rows: list[CaseRow] = []
    while True:
        chunk = list_cases(db, query, len(rows), page)
        rows.extend(chunk)
        if len(chunk) < page:
            return rows


def test_count_and_pages_cover_every_case_file_once(cases_db):
    with cases_db.session() as s:
        ids = set(s.scalars(select(CaseFile.id)))
    assert count_cases(cases_db, CaseQuery()) == len(ids) == 300
    rows = all_rows(cases_db, CaseQuery())
    assert [r.case_file_id for r in rows if r.case_file_id in ids] == [r.case_file_id for r in rows]
    assert {r.case_file_id for r in rows} == ids
    assert len(rows) == len(ids)
    keys = [r.case_key for r in rows]
    assert keys == sorted(keys)


def test_rows_carry_no_identifying_fields(cases_db, case_helpers):
    fields = {f.name for f in dataclasses.fields(CaseRow)}
    for forbidden in ("name", "given_name", "family_name", "date_of_birth", "address", "postcode"):
        assert not any(forbidden in field for field in fields)
    identities = case_helpers.identity_texts(cases_db)
    full_names = case_helpers.child_full_names(cases_db)
    assert len(identities) == 300 and full_names
    for row in all_rows(cases_db, CaseQuery()):
        text = " ".join(str(value) for value in dataclasses.astuple(row))
        assert not any(secret in text for secret in identities[row.case_file_id])
        assert not any(name in text for name in full_names)


def test_search_matches_key_external_id_team_and_worker(cases_db):
    with cases_db.session() as s:
        child = s.scalars(select(Child).order_by(Child.id).offset(5)).first()
        team = s.scalars(select(Team).order_by(Team.name)).first()
        worker = s.scalars(select(Worker).join(CaseFile, CaseFile.worker_id == Worker.id)).first()
        key, external, team_name, worker_name = (
            child.case_key,
            child.external_id,
            team.name,
            worker.name,
        )
    assert [r.case_key for r in list_cases(cases_db, CaseQuery(text=key))] == [key]
    assert [r.case_key for r in list_cases(cases_db, CaseQuery(text=external.lower()))] == [key]
    by_team = all_rows(cases_db, CaseQuery(text=team_name.upper()))
    assert by_team
    assert all(team_name.lower() in f"{r.team} {r.worker}".lower() for r in by_team)
    by_worker = all_rows(cases_db, CaseQuery(text=worker_name))
    assert by_worker and all(worker_name in r.worker for r in by_worker)
    # Every word must match somewhere: key + team narrows to that one case or none.
    both = list_cases(cases_db, CaseQuery(text=f"{key} zzz-no-such-team"))
    assert both == []


def test_search_never_looks_at_child_names(cases_db, case_helpers):
    with cases_db.session() as s:
        workers = " ".join(s.scalars(select(Worker.name))).lower()
        teams = " ".join(s.scalars(select(Team.name))).lower()
    names = sorted(
        n
        for n in case_helpers.child_full_names(cases_db)
        if n.lower() not in workers and n.lower() not in teams
    )
    assert names
    for name in names[:20]:
        assert count_cases(cases_db, CaseQuery(text=name)) == 0, name


def test_like_wildcards_are_literal(cases_db):
    assert count_cases(cases_db, CaseQuery(text="%")) == 0
    assert count_cases(cases_db, CaseQuery(text="_")) == 0


def test_filters_narrow_and_combine(cases_db):
    options = facets(cases_db)
    assert options.teams and options.stages
    stage = options.stages[0]
    team = options.teams[0]
    with cases_db.session() as s:
        stage_total = len(
            list(s.scalars(select(CaseFile.id).where(CaseFile.current_stage == stage)))
        )
        team_total = len(
            list(s.scalars(select(CaseFile.id).where(CaseFile.team_id == team.team_id)))
        )
        closed_total = len(
            list(s.scalars(select(CaseFile.id).where(CaseFile.status == CaseStatus.CLOSED)))
        )
    assert count_cases(cases_db, CaseQuery(stage=stage)) == stage_total < 300
    assert all(r.stage == stage for r in all_rows(cases_db, CaseQuery(stage=stage)))
    assert count_cases(cases_db, CaseQuery(team_id=team.team_id)) == team_total < 300
    assert all(r.team == team.name for r in all_rows(cases_db, CaseQuery(team_id=team.team_id)))
    closed = all_rows(cases_db, CaseQuery(status=CaseStatus.CLOSED))
    assert len(closed) == closed_total and all(r.closed_on is not None for r in closed)
    both = CaseQuery(stage=stage, team_id=team.team_id)
    assert count_cases(cases_db, both) <= min(stage_total, team_total)
    assert all(r.stage == stage and r.team == team.name for r in all_rows(cases_db, both))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    ("sort", "key"),
    [
        (CaseSort.CASE_KEY, lambda r: r.case_key),
        (CaseSort.OPENED, lambda r: r.opened_on),
        (CaseSort.EVENTS, lambda r: r.event_count),
        (CaseSort.LAST_EVENT, lambda r: r.last_event_on),
        (CaseSort.TEAM, lambda r: r.team),
    ],
)
def test_sorting_is_done_by_the_database(cases_db, sort, key, descending):
    rows = all_rows(cases_db, CaseQuery(sort=sort, descending=descending))
    values = [key(r) for r in rows if key(r) not in (None, "")]
    assert values == sorted(values, reverse=descending)
    assert len(values) > 100


def test_closed_sort_puts_open_cases_last_both_ways(cases_db):
    for descending in (False, True):
        rows = all_rows(cases_db, CaseQuery(sort=CaseSort.CLOSED, descending=descending))
        seen_open = False
        for row in rows:
            if row.closed_on is None:
                seen_open = True
            else:
                assert not seen_open, "a closed case came after an open one"


def test_stage_sort_follows_the_pathway_order(cases_db):
    from caseaudit.vocabulary import PathwayStage

    order = list(PathwayStage)
    rows = all_rows(cases_db, CaseQuery(sort=CaseSort.STAGE))
    positions = [order.index(r.stage) for r in rows]
    assert positions == sorted(positions)


def test_case_events_in_order_and_counts_agree(cases_db):
    row = max(all_rows(cases_db, CaseQuery()), key=lambda r: r.event_count)
    events = case_events(cases_db, row.case_file_id)
    assert len(events) == row.event_count > 1
    starts = [e.started_on for e in events]
    assert starts == sorted(starts)
    assert events[-1].started_on == row.last_event_on
    with cases_db.session() as s:
        stored = s.scalars(
            select(PathwayEvent.id).where(PathwayEvent.case_file_id == row.case_file_id)
        ).all()
    assert {e.event_id for e in events} == set(stored)
    for event in events:
        if event.completed_on is not None:
            assert event.days == (event.completed_on - event.started_on).days


def test_case_events_of_a_missing_case_file_is_not_found(cases_db):
    with pytest.raises(NotFound, match="no longer in the database"):
        case_events(cases_db, 999_999)


def test_facets_and_overview(cases_db):
    options = facets(cases_db)
    names = [t.name for t in options.teams]
    assert names == sorted(names)
    used = {r.stage for r in all_rows(cases_db, CaseQuery())}
    assert set(options.stages) == used
    overview = database_overview(cases_db)
    assert overview.is_demo is True
    assert overview.case_file_count == 300
    assert overview.organisation_name


def test_empty_database(sqlite_database):
    assert count_cases(sqlite_database, CaseQuery()) == 0
    assert list_cases(sqlite_database, CaseQuery()) == []
    assert facets(sqlite_database).teams == []
    overview = database_overview(sqlite_database)
    assert (overview.organisation_name, overview.is_demo, overview.case_file_count) == (
        "",
        False,
        0,
    )


def test_queries_work_on_every_backend(database, case_helpers):
    case_helpers.generate(database, 40, is_demo=False, seed=3)
    assert count_cases(database, CaseQuery()) == 40
    rows = all_rows(database, CaseQuery(sort=CaseSort.EVENTS, descending=True), page=15)
    assert len(rows) == 40
    assert [r.event_count for r in rows] == sorted((r.event_count for r in rows), reverse=True)
    assert count_cases(database, CaseQuery(text="c-000")) == 9
    assert count_cases(database, CaseQuery(text="LCS100001")) == 1
    team = facets(database).teams[0]
    assert 0 < count_cases(database, CaseQuery(team_id=team.team_id)) < 40
    assert case_events(database, rows[0].case_file_id)
    assert database_overview(database).is_demo is False
