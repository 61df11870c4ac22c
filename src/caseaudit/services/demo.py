"""The synthetic demo local authority: build it into an empty database, or make the demo file.

``build_demo`` invents "Demo Borough Council (synthetic data)": a children's services
department's teams and workers, six program users with published demo passwords
(``DEMO_CREDENTIALS``), ``scale`` children each with a case file and a realistic pathway
journey, and, unless told otherwise, audit rounds with audits in every state. Everything comes
from ``seed`` and ``as_of`` (Faker en_GB and ``random.Random`` both seeded, every timestamp taken
from ``as_of``), so the same inputs always give the same rows. It is written with bulk inserts in
one transaction: a cancelled or failed build leaves the case tables empty. It refuses a database
that already holds data, so demo records are never mixed with real ones.
``ensure_demo_database`` makes the demo file the GUI opens on first run, encrypted with the
published ``DEMO_PASSPHRASE`` (a keyword builds a plain one for tests), building it under a
``.partial`` name and renaming it into place only when it is complete.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from faker import Faker
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from .. import paths
from ..cipher import is_plain_sqlite
from ..db import Database, open_database
from ..errors import Cancelled, ValidationError
from ..models import (
    Audit,
    AuditRound,
    CaseFile,
    Child,
    Organisation,
    Team,
    User,
    Worker,
)
from .demo_accounts import DEMO_CREDENTIALS, DEMO_PASSPHRASE
from .demo_cases import LINKED_MANAGERS, Staff, insert_cases, insert_staff
from .demo_journeys import CaseJourneys
from .demo_people import NamePools
from .demo_rounds import insert_audits
from .demo_trail import DemoTrail
from .templates import sync_builtin_templates
from .users import hash_password

__all__ = [
    "DEMO_CREDENTIALS",
    "DEMO_PASSPHRASE",
    "Cancelled",
    "DemoSummary",
    "build_demo",
    "check_empty",
    "ensure_demo_database",
    "name_pools",
    "remove_sqlite_file",
]

Progress = Callable[[float, str], None]
MAX_SCALE = 1_000_000

#: Tables whose primary keys the build assigns itself (PostgreSQL sequences are moved past them).
ASSIGNED_KEY_TABLES = (
    "organisation",
    "team",
    "worker",
    "app_user",
    "child",
    "related_person",
    "case_file",
    "pathway_event",
    "audit_round",
    "sample_item",
    "audit",
    "answer",
    "section_judgement",
    "finding",
    "action",
    "sign_off",
)


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    workers: int
    users: int
    children: int
    case_files: int
    events: int
    rounds: int
    audits: int
    seconds: float

    def describe(self) -> str:
        return (
            f"{self.teams} teams, {self.workers} workers, {self.users} users, "
            f"{self.children:,} children, {self.case_files:,} case files, "
            f"{self.events:,} pathway events, {self.rounds} audit rounds and "
            f"{self.audits} audits in {self.seconds:.1f} s"
        )


def demo_stamp(as_of: date) -> datetime:
    """The one timestamp every demo row carries (09:00 UTC on ``as_of``)."""
    return datetime.combine(as_of, clock(9, 0), tzinfo=UTC)


def check_empty(db: Database) -> None:
    """Refuse a database that already holds an organisation, people or case data."""
    held: list[str] = []
    with db.session() as s:
        for label, model in (
            ("organisation", Organisation),
            ("teams", Team),
            ("workers", Worker),
            ("users", User),
            ("children", Child),
            ("case files", CaseFile),
            ("audit rounds", AuditRound),
            ("audits", Audit),
        ):
            count = s.scalar(select(func.count()).select_from(model)) or 0
            if count:
                held.append(f"{count:,} {label}")
    if held:
        raise ValidationError(
            f"{db.description} already holds data, so no demo data was added. Demo data is only "
            "built into an empty database, so it can never be mixed with real case files. Use a "
            "new database (for example: caseaudit --db demo-new.sqlite demo), or rebuild a demo "
            "database from scratch with caseaudit demo --force.",
            [f"It holds {item}." for item in held],
        )


def build_demo(
    db: Database,
    *,
    seed: int = 2026,
    scale: int = 5000,
    as_of: date | None = None,
    with_audits: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DemoSummary:
    """Build the demo local authority into the empty database ``db``; see the module docstring."""
    started = time.perf_counter()
    if not 1 <= scale <= MAX_SCALE:
        raise ValidationError(
            f"The demo needs between 1 and {MAX_SCALE:,} children; {scale:,} was asked for."
        )
    as_of = as_of or date.today()
    report = progress or (lambda _fraction, _message: None)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Building the demo data was cancelled; nothing was saved.")

    check_empty(db)
    report(0.0, "Preparing the demo local authority")
    if with_audits:
        # Templates are not case data: loading the built-in library is its own (idempotent)
        # transaction, done first so the demo's audits can use it.
        sync_builtin_templates(db)
    check_cancel()
    rng = random.Random(seed)
    pools = name_pools(seed)
    stamp = demo_stamp(as_of)
    journeys = CaseJourneys(rng, as_of)
    share = 0.88 if with_audits else 0.93

    def tick(done: int) -> None:
        check_cancel()
        report(
            0.02 + share * done / scale, f"Writing children and case files: {done:,} of {scale:,}"
        )

    with db.session() as s:
        staff = insert_staff(s, rng, pools)
        users = insert_users(s, staff, stamp)
        check_cancel()
        frame, events = insert_cases(
            s, rng, pools, journeys, staff, scale=scale, stamp=stamp, tick=tick
        )
        rounds = audits = 0
        if with_audits:
            report(0.91, "Writing audit rounds and audits")
            rounds, audits = insert_audits(s, rng, frame, staff, users, as_of=as_of, stamp=stamp)
        check_cancel()
        report(0.98, "Saving")
        _advance_sequences(db, s)
    summary = DemoSummary(
        teams=len(staff.team_names),
        workers=len(staff.worker_names),
        users=len(users),
        children=scale,
        case_files=scale,
        events=events,
        rounds=rounds,
        audits=audits,
        seconds=time.perf_counter() - started,
    )
    report(1.0, "Demo data ready")
    return summary


@functools.lru_cache(maxsize=4)
def name_pools(seed: int) -> NamePools:
    """The pools of invented names for ``seed`` (Faker en_GB seeded; kept for the next build)."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    return NamePools.build(fake)


@functools.cache
def _password_hash(password: str) -> str:
    """Hashed once per run: argon2 is slow on purpose, and these passwords are published."""
    return hash_password(password)


def insert_users(session: Session, staff: Staff, stamp: datetime) -> dict[str, int]:
    """The demo users of ``DEMO_CREDENTIALS``; returns their ids by user name."""
    rows = []
    for number, (username, password, role, display) in enumerate(DEMO_CREDENTIALS, start=1):
        manager = LINKED_MANAGERS.get(username)
        rows.append(
            {
                "id": number,
                "username": username,
                "display_name": display,
                "role": role.value,
                "password_hash": _password_hash(password),
                "worker_id": staff.managers[manager] if manager else None,
                "active": True,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": stamp - timedelta(days=180),
            }
        )
    session.execute(insert(User.__table__), rows)
    trail = DemoTrail(session)
    for row in rows:
        trail.created(User, row, None, row["created_at"])
    trail.write()
    return {row["username"]: row["id"] for row in rows}


def _advance_sequences(db: Database, session: Session) -> None:
    """PostgreSQL only: move id sequences past the ids this build chose itself."""
    if db.kind != "postgresql":
        return
    for table in ASSIGNED_KEY_TABLES:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )


# -- the demo database file the GUI opens on first run ---------------------------------------
def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def remove_sqlite_file(path: Path) -> None:
    """Delete a SQLite file and its -wal, -shm and -journal companions."""
    for item in [path, *_sidecars(path)]:
        with contextlib.suppress(FileNotFoundError):
            item.unlink()


def _holds_organisation(path: Path, passphrase: str | None) -> bool:
    db = open_database(path, passphrase=None if is_plain_sqlite(path) else passphrase)
    try:
        with db.session() as s:
            if s.scalar(select(func.count()).select_from(Organisation)):
                return True
        check_empty(db)  # data without an organisation: not ours to replace
        return False
    finally:
        db.close()


def ensure_demo_database(
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    *,
    scale: int = 5000,
    passphrase: str | None = DEMO_PASSPHRASE,
) -> Path:
    """Create the demo database in the data folder unless it is already there; return its path.

    It is encrypted with ``passphrase`` (the published demo passphrase; None builds a plain
    file, for tests). It is built as ``demo.sqlite.partial`` and renamed into place only when
    complete, so an interrupted first run never leaves a half-built demo behind."""
    target = paths.demo_database_path(data_dir)
    if target.exists() and target.stat().st_size and _holds_organisation(target, passphrase):
        return target
    partial = target.with_name(target.name + ".partial")
    remove_sqlite_file(partial)
    try:
        db = open_database(partial, passphrase=passphrase)
        try:
            build_demo(db, scale=scale, progress=progress, cancel=cancel)
            secret = db.engine.url.password if db.kind == "sqlcipher" else None
        finally:
            db.close()
        _checkpoint(partial, secret)
        for stale in _sidecars(target):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        os.replace(partial, target)
    except BaseException:
        remove_sqlite_file(partial)
        raise
    return target


def _checkpoint(path: Path, secret: str | None = None) -> None:
    """Fold the write-ahead log into the file so it can be renamed on its own."""
    from .backup import connect

    connection = connect(path, secret) if secret else sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
