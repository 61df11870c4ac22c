"""Importing into real databases (SQLite, SQLCipher, PostgreSQL): counts, updates, all or nothing."""

from __future__ import annotations

import logging
import threading
from datetime import date

import pytest
from sqlalchemy import func, inspect, select, text

from caseaudit.errors import PermissionDenied
from caseaudit.models import CaseFile, Child, ChildIdentity, ImportRun, PathwayEvent, Team, Worker
from caseaudit.services.importer import (
    ImportCancelled,
    StrictImportRefused,
    apply_import,
    detect_mapping,
    import_file,
    list_import_runs,
    list_mapping_profiles,
    load_mapping_profile,
    read_table,
    save_mapping_profile,
    validate,
)
from caseaudit.vocabulary import CaseStatus, Outcome, PathwayStage, WorkerRole

from .test_sampling_helpers import (
    CP_HEADERS,
    EVENT_HEADERS,
    LAC_HEADERS,
    cin_cp_rows,
    event_rows,
    lac_rows,
    people,
    write_csv,
    write_xlsx,
)

IDENTITY_TABLES = {"child_identity", "related_person"}


def snapshot(db) -> dict[str, list]:
    """Every row of every table (except the alembic marker), for before/after comparisons."""
    with db.engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
            for t in tables
        }


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_then_reimport_updates_and_never_duplicates(database, tmp_path):
    who = people(database)
    rows = cin_cp_rows(40)
    rows[5][5] = "not a date"
    first = write_csv(tmp_path / "cp.csv", CP_HEADERS, rows)
    report, summary = import_file(database, who.qa, first, "cin-cp")
    assert (summary.added, summary.updated, summary.unchanged, summary.rejected) == (39, 0, 0, 1)
    assert [str(p) for p in summary.problems] == [
        "row 7, Start date: 'not a date' is not a date caseaudit can read (use dd/mm/yyyy, "
        "yyyy-mm-dd or 1 Mar 2024)"
    ]
    assert (summary.teams_created, summary.workers_created) == (3, 9)  # 6 workers, 3 managers
    assert (
        count(database, Child) == count(database, CaseFile) == count(database, ChildIdentity) == 39
    )

    _, again = import_file(database, who.qa, first, "cin-cp")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 39)
    assert (again.teams_created, again.workers_created) == (0, 0)

    newer = [list(r) for r in rows]
    newer[5][5] = "01/06/2024"  # corrected: now goes in
    newer[0][2] = "Renamed"  # surname changed
    newer[1][6], newer[1][7] = "Children in Care", "Rhys Morgan"  # moved team and worker
    newer.append(cin_cp_rows(1, seed=9, start=900)[0])
    _, third = import_file(
        database, who.qa, write_csv(tmp_path / "cp2.csv", CP_HEADERS, newer), "cin-cp"
    )
    assert (third.added, third.updated, third.unchanged, third.rejected) == (2, 2, 37, 0)
    assert count(database, Child) == count(database, CaseFile) == 41
    with database.session() as s:
        child = s.scalars(select(Child).where(Child.external_id == rows[0][0])).one()
        assert child.identity.family_name == "Renamed"
        moved = s.scalars(select(CaseFile).join(Child).where(Child.external_id == rows[1][0])).one()
        assert moved.team.name == "Children in Care" and moved.worker.name == "Rhys Morgan"
    runs = list_import_runs(database, who.qa)
    assert [(r.added, r.updated, r.unchanged, r.rejected) for r in runs] == [
        (2, 2, 37, 0),
        (0, 0, 39, 1),
        (39, 0, 0, 1),
    ]


def test_identifying_fields_live_only_in_the_identity_table(database, tmp_path):
    who = people(database)
    rows = cin_cp_rows(12, start=731)
    import_file(database, who.qa, write_csv(tmp_path / "cp.csv", CP_HEADERS, rows), "cin-cp")
    names = {r[1] for r in rows} | {r[2] for r in rows} | {r[3] for r in rows}
    dump = snapshot(database)
    for table, table_rows in dump.items():
        if table in IDENTITY_TABLES:
            continue
        flat = " ".join(repr(v) for row in table_rows for v in row)
        leaked = [n for n in names if n in flat]
        assert not leaked, f"{table} holds identifying data: {leaked}"
    with database.session() as s:
        keys = s.scalars(select(Child.case_key).order_by(Child.id)).all()
        assert keys == [f"C-{n:04d}" for n in range(1, 13)]
        external = {int(e[1:]) for e in s.scalars(select(Child.external_id))}
        assert {int(k[2:]) for k in keys}.isdisjoint(external)  # a sequence, not the system ID


def test_strict_mode_imports_nothing_if_any_row_is_bad(database, tmp_path):
    who = people(database)
    rows = cin_cp_rows(10)
    rows[9][4] = "Teleport"
    path = write_csv(tmp_path / "cp.csv", CP_HEADERS, rows)
    before = snapshot(database)
    with pytest.raises(StrictImportRefused) as caught:
        import_file(database, who.qa, path, "cin-cp", strict=True)
    assert "Nothing was imported from cp.csv: 1 of 10 rows" in caught.value.message
    assert caught.value.problems == [
        "row 11, Stage: 'Teleport' is not a pathway stage caseaudit knows"
    ]
    assert snapshot(database) == before


def test_cancel_midway_leaves_the_database_exactly_as_before(database, tmp_path, monkeypatch):
    who = people(database)
    import_file(
        database, who.qa, write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(30)), "cin-cp"
    )
    monkeypatch.setattr("caseaudit.services.importer_write.CHUNK", 10)
    raw = read_table(write_csv(tmp_path / "b.csv", CP_HEADERS, cin_cp_rows(60, seed=5, start=100)))
    report = validate(raw, detect_mapping(raw, "cin-cp"), "cin-cp")
    before = snapshot(database)
    cancel = threading.Event()
    seen = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if len(seen) == 3:  # three chunks are written inside the transaction, then cancel
            cancel.set()

    with pytest.raises(ImportCancelled, match="b.csv was cancelled; nothing was changed"):
        apply_import(database, who.qa, report, progress=progress, cancel=cancel)
    assert len(seen) == 3
    assert snapshot(database) == before


def test_failure_midway_rolls_everything_back(database, tmp_path, monkeypatch):
    who = people(database)
    monkeypatch.setattr("caseaudit.services.importer_write.CHUNK", 7)
    raw = read_table(write_csv(tmp_path / "b.csv", CP_HEADERS, cin_cp_rows(30)))
    report = validate(raw, detect_mapping(raw, "cin-cp"), "cin-cp")
    before = snapshot(database)

    def progress(fraction: float, message: str) -> None:
        if fraction > 0.5:
            raise OSError("disk unplugged")

    with pytest.raises(OSError):
        apply_import(database, who.qa, report, progress=progress)
    assert snapshot(database) == before


def test_dry_run_counts_but_saves_nothing(database, tmp_path):
    who = people(database)
    before = snapshot(database)
    _, summary = import_file(
        database,
        who.qa,
        write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(8)),
        "cin-cp",
        dry_run=True,
    )
    assert (summary.added, summary.committed, summary.import_run_id) == (8, False, None)
    assert snapshot(database) == before


def test_only_roles_that_may_import_can(database, tmp_path):
    who = people(database)
    path = write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(3))
    for user in (who.auditor_a, who.reader, None):
        with pytest.raises(PermissionDenied):
            import_file(database, user, path, "cin-cp")
    assert count(database, Child) == 0


def test_lac_list_with_external_placements_and_care_leavers_from_xlsx(database, tmp_path):
    who = people(database)
    rows = lac_rows(20)
    _, summary = import_file(database, who.qa, write_xlsx(tmp_path / "lac.xlsx", LAC_HEADERS, rows))
    assert summary.list_kind.value == "lac" and summary.added == 20 and summary.rejected == 0
    with database.session() as s:
        files = s.scalars(select(CaseFile).join(Child).order_by(Child.external_id)).all()
        for row, file in zip(rows, files, strict=True):
            leaver = row[10] == "Yes"
            assert file.current_stage is (
                PathwayStage.CARE_LEAVER if leaver else PathwayStage.LAC_EPISODE
            )
            assert file.placement_type.startswith("External") == (row[6] == "Y")
            assert file.iro.name == row[7] and file.iro.role is WorkerRole.IRO
            assert file.source_list == "lac" and file.legal_status == row[4]
        assert s.scalar(select(func.count(Worker.id)).where(Worker.role == WorkerRole.IRO)) == 3


def test_unallocated_cases(database, tmp_path):
    who = people(database)
    path = write_csv(
        tmp_path / "unallocated.csv",
        ["Child ID", "Surname", "Date Referred", "Team", "Case Type"],
        [
            ["U1", "Hart", "02/01/2025", "Duty and Assessment", "Assessment"],
            ["U2", "Iles", "03/01/2025", "Duty and Assessment", ""],
        ],
    )
    _, summary = import_file(database, who.qa, path)
    assert summary.list_kind.value == "unallocated" and summary.added == 2
    with database.session() as s:
        files = s.scalars(select(CaseFile).order_by(CaseFile.id)).all()
        assert [f.current_stage for f in files] == [PathwayStage.ASSESSMENT, PathwayStage.REFERRAL]
        assert all(f.worker_id is None and f.status is CaseStatus.OPEN for f in files)


def test_events_hang_on_one_front_door_file_per_child(database, tmp_path):
    who = people(database)
    rows = event_rows(60)
    path = write_csv(tmp_path / "events.csv", EVENT_HEADERS, rows)
    _, summary = import_file(database, who.qa, path, "events")
    assert summary.added == 60 and summary.rejected == 0
    children = {r[1] for r in rows}
    assert count(database, PathwayEvent) == 60
    assert count(database, CaseFile) == len(children) == count(database, Child)
    with database.session() as s:
        for file in s.scalars(select(CaseFile)):
            latest = max(
                file.events, key=lambda e: (e.started_on, e.completed_on or date.min, e.external_id)
            )
            assert file.current_stage is latest.stage
            assert file.opened_on == min(e.started_on for e in file.events)
            closed = latest.outcome is Outcome.DID_NOT_PROCEED
            assert file.status is (CaseStatus.CLOSED if closed else CaseStatus.OPEN)
    _, again = import_file(database, who.qa, path, "events")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 60)
    changed = [list(r) for r in rows]
    changed[0][7] = "Did not proceed" if rows[0][7] != "Did not proceed" else "Proceeded"
    changed[0][6] = "30/01/2025"
    _, third = import_file(
        database, who.qa, write_csv(tmp_path / "e2.csv", EVENT_HEADERS, changed), "events"
    )
    assert (third.added, third.updated, third.unchanged) == (0, 1, 59)
    assert count(database, PathwayEvent) == 60


def test_mapping_profiles_are_saved_by_name(database, tmp_path):
    who = people(database)
    path = write_csv(tmp_path / "odd.csv", ["Ref", "Kind", "Begun"], [["X1", "CP", "01/01/2024"]])
    raw = read_table(path)
    mapping = detect_mapping(
        raw, "cin-cp", overrides={"Ref": "Child ID", "Kind": "stage", "Begun": "opened_on"}
    )
    save_mapping_profile(database, who.qa, "Mosaic CP list", mapping)
    profile = load_mapping_profile(database, "Mosaic CP list")
    assert profile.columns == {"Ref": "external_id", "Kind": "stage", "Begun": "opened_on"}
    assert [p.name for p in list_mapping_profiles(database)] == ["Mosaic CP list"]
    _, summary = import_file(database, who.qa, path, profile="Mosaic CP list")
    assert summary.added == 1
    with pytest.raises(PermissionDenied):
        save_mapping_profile(database, who.auditor_a, "x", mapping)


def test_import_never_logs_names(database, tmp_path, caplog):
    who = people(database)
    rows = cin_cp_rows(10)
    rows[3][3] = "32/13/2015"
    with caplog.at_level(logging.DEBUG):
        import_file(database, who.qa, write_csv(tmp_path / "cp.csv", CP_HEADERS, rows), "cin-cp")
    logged = caplog.text
    assert "Import of a cin-cp list: 9 added" in logged
    for row in rows:
        assert row[1] not in logged and row[2] not in logged and row[3] not in logged
    with database.session() as s:
        stored = s.scalars(select(ImportRun)).one()
        assert row[2] not in repr(stored.problems)


def test_teams_and_workers_are_matched_not_duplicated(database, tmp_path):
    who = people(database)
    import_file(
        database, who.qa, write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(20)), "cin-cp"
    )
    shouting = [
        [c.upper() if i in (6, 7) else c for i, c in enumerate(r)]
        for r in cin_cp_rows(5, seed=4, start=500)
    ]
    _, summary = import_file(
        database, who.qa, write_csv(tmp_path / "b.csv", CP_HEADERS, shouting), "cin-cp"
    )
    assert (summary.teams_created, summary.workers_created) == (0, 0)
    with database.session() as s:
        managers = s.scalars(select(Worker).where(Worker.role == WorkerRole.TEAM_MANAGER)).all()
        teams = {t.id: t.name for t in s.scalars(select(Team))}
        assert {teams[m.team_id] for m in managers} == {
            "Duty and Assessment",
            "Safeguarding North",
            "Safeguarding South",
        }
