"""Importing a 100,000-row CIN/CP list, next to raw ``sqlite3.executemany`` of the same rows.

``import_100k_s`` is the wall time of ``import_file`` on a 100,000-row CSV (synthetic en_GB
people) into a fresh, migrated SQLite file: reading and decoding the file, recognising its
columns, validating every row, finding or creating teams and workers, giving each child a case
key and writing children, identities and case files in one transaction, and committing.
``import_executemany_100k_s`` is the time for a bare ``sqlite3`` connection (same pragmas: WAL,
``synchronous=FULL``, foreign keys on) to insert the same parsed rows, with ids worked out
beforehand, into the same tables of another fresh migrated file with ``executemany`` and commit;
parsing is not timed there. ``import_vs_executemany`` is the ratio of the wall times (goal: at most 2x) and
``import_vs_executemany_cpu`` the ratio of this process's CPU times, which other programs
running at the same time disturb less. Each is the best of two runs on fresh files; database
creation, migration and user creation are not timed. ``run()`` yields ``(name, value, unit)``.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROWS = 100_000
TEAMS = ("Duty and Assessment", "Safeguarding North", "Safeguarding South", "Children in Care")


def write_list(path: Path, rows: int = ROWS) -> Path:
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(2026)
    firsts = [fake.first_name() for _ in range(400)]
    lasts = [fake.last_name() for _ in range(400)]
    rng = random.Random(2026)
    workers = {t: [fake.name() for _ in range(12)] for t in TEAMS}
    managers = {t: fake.name() for t in TEAMS}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "Person ID",
                "Forename",
                "Surname",
                "DOB",
                "Gender",
                "Plan Type",
                "Plan Start Date",
                "Team Name",
                "Allocated Worker",
                "Team Manager",
            ]
        )
        for n in range(1, rows + 1):
            team = rng.choice(TEAMS)
            born = date(2007, 1, 1) + timedelta(days=rng.randrange(6500))
            opened = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
            out.writerow(
                [
                    f"P{n:07d}",
                    rng.choice(firsts),
                    rng.choice(lasts),
                    born.strftime("%d/%m/%Y"),
                    rng.choice(("Female", "Male")),
                    rng.choice(("CIN", "CP")),
                    opened.strftime("%d/%m/%Y"),
                    team,
                    rng.choice(workers[team]),
                    managers[team],
                ]
            )
    return path


def _fresh(path: Path):  # noqa: ANN202
    from caseaudit.db import open_database
    from caseaudit.services.accounts import add_user, create_first_administrator
    from caseaudit.vocabulary import UserRole

    db = open_database(path)
    admin = create_first_administrator(db, "admin", "Admin", "benchmark-password")
    actor = add_user(db, admin, "bench", "Bench", UserRole.QA_LEAD, "benchmark-password")
    return db, actor


def time_import(folder: Path, source: Path, run: int) -> tuple[float, float]:
    from caseaudit.services.importer import import_file

    db, actor = _fresh(folder / f"import-{run}.sqlite")
    try:
        started, cpu = time.perf_counter(), time.process_time()
        _, summary = import_file(db, actor, source, "cin-cp")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if summary.added != ROWS:
            raise RuntimeError(f"imported {summary.added} of {ROWS} rows")
    finally:
        db.close()
    return seconds, cpu


def time_executemany(folder: Path, source: Path, run: int) -> tuple[float, float]:
    from caseaudit.services.importer import detect_mapping, read_table, validate

    path = folder / f"raw-{run}.sqlite"
    _fresh(path)[0].close()
    raw = read_table(source)
    rows = validate(raw, detect_mapping(raw, "cin-cp"), "cin-cp").valid_rows
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    teams = {name: i for i, name in enumerate(sorted({r.team for r in rows}), start=1)}
    workers: dict[tuple[str, str], int] = {}
    for r in rows:
        workers.setdefault((r.worker, "social_worker"), len(workers) + 1)
        workers.setdefault((r.team_manager, "team_manager"), len(workers) + 1)
    team_of = {r.worker: teams[r.team] for r in rows} | {
        r.team_manager: teams[r.team] for r in rows
    }
    children = [
        (
            i,
            r.external_id,
            f"C-{i:04d}",
            r.gender,
            r.date_of_birth.year if r.date_of_birth else None,
            "",
            0,
            now,
            now,
        )
        for i, r in enumerate(rows, start=1)
    ]
    identities = [
        (
            i,
            r.given_name,
            r.family_name,
            r.date_of_birth.isoformat() if r.date_of_birth else None,
            "",
            "",
        )
        for i, r in enumerate(rows, start=1)
    ]
    files = [
        (
            i,
            i,
            teams[r.team],
            workers[(r.worker, "social_worker")],
            None,
            r.stage.value,
            r.status.value,
            "",
            "",
            r.opened_on.isoformat(),
            None,
            "cin-cp",
            now,
        )
        for i, r in enumerate(rows, start=1)
    ]
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        conn.execute(f"PRAGMA {pragma}")
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO organisation (id, name, is_demo, settings) VALUES (1, 'LA', 0, '{}')")
    conn.executemany(
        "INSERT INTO team (id, organisation_id, name, service) VALUES (?, 1, ?, '')",
        [(i, name) for name, i in teams.items()],
    )
    conn.executemany(
        "INSERT INTO worker (id, external_id, name, role, team_id, active) "
        "VALUES (?, NULL, ?, ?, ?, 1)",
        [(i, name, role, team_of[name]) for (name, role), i in workers.items()],
    )
    conn.executemany(
        "INSERT INTO child (id, external_id, case_key, gender, birth_year, ethnicity, "
        "disability, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        children,
    )
    conn.executemany(
        "INSERT INTO child_identity (child_id, given_name, family_name, date_of_birth, "
        "address, postcode) VALUES (?, ?, ?, ?, ?, ?)",
        identities,
    )
    conn.executemany(
        "INSERT INTO case_file (id, child_id, team_id, worker_id, iro_worker_id, "
        "current_stage, status, legal_status, placement_type, opened_on, closed_on, "
        "source_list, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        files,
    )
    conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return seconds, cpu


def run() -> Iterable[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as name:
        folder = Path(name)
        source = write_list(folder / "cin-cp-100k.csv")
        imported = [time_import(folder, source, run) for run in range(2)]
        yield ("import_100k_s", round(min(w for w, _ in imported), 2), "s")
        baseline = [time_executemany(folder, source, run) for run in range(2)]
        yield ("import_executemany_100k_s", round(min(w for w, _ in baseline), 2), "s")
        ratio = min(w for w, _ in imported) / min(w for w, _ in baseline)
        yield ("import_vs_executemany", round(ratio, 2), "x")
        cpu = min(c for _, c in imported) / min(c for _, c in baseline)
        yield ("import_vs_executemany_cpu", round(cpu, 2), "x")


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value} {unit}")
