"""Two imports at the same moment: they take turns, keys stay unique, a clash is reported cleanly.

Import A writes its first chunk (so it holds its transaction open), then starts import B on
another thread and waits until B has sent its first locking or writing statement; only then does
A go on and commit. On PostgreSQL A also waits until the server shows B waiting for a lock, so
the two really overlap. Without the import lock B would read the case keys before A commits and
collide with A's keys, teams and workers.
"""

from __future__ import annotations

import threading

from sqlalchemy import event, func, select, text

from caseaudit.db import Database
from caseaudit.models import CaseFile, Child, ChildIdentity, ImportRun, Team
from caseaudit.services import importer_apply
from caseaudit.services.importer import ImportConflict, ImportSummary, import_file

from .test_sampling_helpers import CP_HEADERS, cin_cp_rows, people, write_csv

WAIT = 60  # seconds; a safety net for a stuck thread, never a measure of speed
LOCKING = ("INSERT", "UPDATE", "DELETE", "SELECT PG_ADVISORY")


def _count(db: Database, model) -> int:  # noqa: ANN001
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _wait_for_lock_wait(db: Database) -> None:
    """On PostgreSQL, wait until some backend is waiting for a lock (B queued behind A)."""
    if db.kind != "postgresql":
        return
    stop = threading.Event()
    with db.engine.connect() as conn:
        for _ in range(WAIT * 20):
            if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                return
            conn.rollback()
            stop.wait(0.05)


def _overlapping_imports(db: Database, tmp_path, monkeypatch) -> dict[str, object]:  # noqa: ANN001
    """Run import A and, while A's transaction is open, import B; return each one's outcome."""
    who = people(db)
    monkeypatch.setattr("caseaudit.services.importer_write.CHUNK", 10)
    first = write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(40, seed=1, start=1))
    second = write_csv(tmp_path / "b.csv", CP_HEADERS, cin_cp_rows(30, seed=2, start=500))
    results: dict[str, object] = {}
    b_thread: list[threading.Thread] = []
    b_locking = threading.Event()

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if threading.current_thread().name == "import-b" and statement.lstrip().upper().startswith(
            LOCKING
        ):
            b_locking.set()

    def run(name: str, path) -> None:  # noqa: ANN001
        try:
            results[name] = import_file(db, who.qa, path, "cin-cp", progress=progress)[1]
        except Exception as exc:  # noqa: BLE001 - the test inspects what each import ended with
            results[name] = exc

    def progress(fraction: float, message: str) -> None:
        if threading.current_thread().name == "import-a" and not b_thread:
            thread = threading.Thread(target=run, args=("b", second), name="import-b")
            b_thread.append(thread)
            thread.start()
            b_locking.wait(WAIT)
            _wait_for_lock_wait(db)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        a_thread = threading.Thread(target=run, args=("a", first), name="import-a")
        a_thread.start()
        a_thread.join(WAIT * 3)
        b_thread[0].join(WAIT * 3)
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert b_locking.is_set()
    return results


def test_two_imports_at_once_take_turns_with_unique_case_keys(database, tmp_path, monkeypatch):
    results = _overlapping_imports(database, tmp_path, monkeypatch)
    a, b = results["a"], results["b"]
    assert isinstance(a, ImportSummary) and isinstance(b, ImportSummary), results
    assert (a.added, b.added, a.teams_created + b.teams_created) == (40, 30, 3)
    with database.session() as s:
        keys = s.scalars(select(Child.case_key)).all()
        teams = s.scalars(select(Team.name)).all()
    assert len(keys) == len(set(keys)) == 70
    assert sorted(keys) == [f"C-{n:04d}" for n in range(1, 71)]
    assert len(teams) == len(set(teams)) == 3
    assert _count(database, CaseFile) == _count(database, ChildIdentity) == 70
    assert _count(database, ImportRun) == 2


def test_a_clash_without_the_lock_is_reported_and_leaves_nothing_behind(
    database, tmp_path, monkeypatch
):
    """Should two imports still collide (say, an older caseaudit without the import lock), the
    loser is rolled back whole and says so plainly, and the winner's import stands."""
    monkeypatch.setattr(importer_apply, "take_import_lock", lambda conn: None)
    results = _overlapping_imports(database, tmp_path, monkeypatch)
    a, b = results["a"], results["b"]
    assert isinstance(a, ImportSummary) and a.added == 40, results
    assert isinstance(b, ImportConflict), results
    assert "Nothing was imported from b.csv" in str(b)
    assert "another import was running at the same time" in str(b)
    assert "run the import again" in str(b)
    with database.session() as s:
        keys = s.scalars(select(Child.case_key)).all()
    assert len(keys) == len(set(keys)) == 40
    assert _count(database, CaseFile) == _count(database, ChildIdentity) == 40
    assert _count(database, ImportRun) == 1
