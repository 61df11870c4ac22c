"""Writing a validated case list to the database: all valid rows in one transaction, or nothing.

``apply_import`` matches each row to what is stored by external ID (children), by child, list
and start date (case files) and by event ID (pathway events), and adds, updates or leaves each
one alone, so importing the same or a newer list never duplicates anything. Identifying fields
go only to ``ChildIdentity``; a new child gets the next pseudonymous case key (``C-0413``),
never anything derived from its name or ID. Teams and workers the list names are found or
created. The work runs in chunks on one connection and one transaction: progress is reported
after each chunk, a cancel request or any failure rolls everything back, and a dry run rolls
back on purpose after counting. Imports take turns: each first takes the import lock (a
transaction-scoped advisory lock on PostgreSQL, SQLite's write lock), so two imports at once
cannot hand out the same case key or create the same team twice; should the database still
refuse a write as a clash, the whole import is rolled back and ``ImportConflict`` says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import Cancelled, DatabaseError, ValidationError
from ..models import Child, ImportRun
from ..models.base import utcnow
from ..vocabulary import WorkerRole
from . import importer_write, trail
from .importer_bulk import BulkWriter, PeopleIndex, resolve_people
from .importer_events import EventWriter
from .importer_fields import ListKind
from .importer_read import paused_gc
from .importer_rows import RowProblem, ValidRows
from .importer_validate import ValidationReport
from .importer_write import CaseFileWriter, ChildWriter
from .permissions import Permission, require
from .users import UserInfo

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


class ImportCancelled(Cancelled):
    """The user cancelled an import; the database is exactly as it was."""


class StrictImportRefused(ValidationError):
    """Strict mode and at least one bad row: nothing was imported."""


class ImportConflict(DatabaseError):
    """Another import (or user) changed the same records at the same moment; nothing was saved."""


#: Key of the PostgreSQL transaction advisory lock that makes imports take turns.
IMPORT_LOCK_KEY = 0x0CA5E1A407


def take_import_lock(conn: Connection) -> None:
    """Wait for any other import to finish, then hold the lock until this transaction ends.

    Taken before anything is read, so the case keys, children, teams and workers this import
    sees include everything the previous import committed. On SQLite a write statement that
    touches no row takes the database's single write lock (waiting up to the busy timeout).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    else:
        conn.exec_driver_sql("DELETE FROM import_run WHERE 0")


def _conflict(file_name: str, exc: Exception) -> ImportConflict | None:
    """The clear error for a write the database refused because of a simultaneous change."""
    if isinstance(exc, IntegrityError):
        why = "a record it was adding had just been added by someone else"
    elif isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        why = "the database stayed busy with another change for too long"
    else:
        return None
    return ImportConflict(
        f"Nothing was imported from {file_name}: {why} (most likely another import was running "
        "at the same time). The database is as it was before; run the import again.",
        detail=type(exc.orig).__name__,  # never the statement's values: they may name a child
    )


@dataclass(frozen=True)
class ImportSummary:
    file_name: str
    list_kind: ListKind
    rows_read: int
    added: int
    updated: int
    unchanged: int
    rejected: int
    teams_created: int
    workers_created: int
    committed: bool
    import_run_id: int | None
    problems: tuple[RowProblem, ...]

    def lines(self) -> list[str]:
        head = "Checked (dry run, nothing saved)" if not self.committed else "Imported"
        return [
            f"{head}: {self.file_name} as {self.list_kind.label.lower()}",
            f"  rows read {self.rows_read}: added {self.added}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}",
            f"  teams created {self.teams_created}, workers created {self.workers_created}",
        ]


def apply_import(
    db: Database,
    actor: UserInfo | None,
    report: ValidationReport,
    *,
    strict: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportSummary:
    """Write ``report``'s valid rows in one transaction; see the module docstring."""
    require(actor, Permission.IMPORT_CASE_LISTS)
    if strict and report.problems:
        raise StrictImportRefused(
            f"Nothing was imported from {report.file_name}: {report.rejected} of "
            f"{report.rows_read} rows have problems and strict mode is on. Correct the rows "
            "listed and import the file again.",
            [str(p) for p in report.problems],
        )
    started = utcnow()
    with paused_gc(), db.engine.connect() as conn:
        tx = conn.begin()
        try:
            take_import_lock(conn)
            job = _ImportJob(conn, report, progress, cancel)
            job.run()
            run_id = None
            if not dry_run:
                run_id = _record_run(conn, report, job, actor, strict, started)
                _seal(conn, actor, run_id, report, job)
            if dry_run:
                tx.rollback()
            else:
                tx.commit()
        except BaseException as exc:
            if tx.is_active:
                tx.rollback()
            clash = _conflict(report.file_name, exc) if isinstance(exc, Exception) else None
            if clash is not None:
                log.warning("Import refused by the database as a clash (%s)", clash.detail)
                raise clash from None
            raise
    log.info(
        "Import of a %s list: %d added, %d updated, %d unchanged, %d rejected%s",
        report.list_kind.value,
        job.added,
        job.updated,
        job.unchanged,
        report.rejected,
        " (dry run)" if dry_run else "",
    )
    return ImportSummary(
        report.file_name,
        report.list_kind,
        report.rows_read,
        job.added,
        job.updated,
        job.unchanged,
        report.rejected,
        job.people.teams_created,
        job.people.workers_created,
        not dry_run,
        run_id,
        tuple(report.problems),
    )


def _record_run(
    conn: Connection,
    report: ValidationReport,
    job: _ImportJob,
    actor: UserInfo | None,
    strict: bool,
    started,
) -> int:  # noqa: ANN001
    problems = [{"row": p.row, "field": p.field, "reason": p.reason} for p in report.problems]
    return conn.execute(
        insert(ImportRun).values(
            file_name=report.file_name[:255],
            sha256=report.table.sha256,
            list_kind=report.list_kind.value,
            file_format=report.table.file_format,
            encoding=report.table.encoding,
            strict=strict,
            rows_read=report.rows_read,
            added=job.added,
            updated=job.updated,
            unchanged=job.unchanged,
            rejected=report.rejected,
            teams_created=job.people.teams_created,
            workers_created=job.people.workers_created,
            mapping=report.mapping.to_dict(),
            problems=problems[:1000],
            user_id=actor.id if actor else None,
            started_at=started,
            finished_at=utcnow(),
        )
    ).inserted_primary_key[0]


def _seal(
    conn: Connection, actor: UserInfo | None, run_id: int, report: ValidationReport, job: _ImportJob
) -> None:
    """Seal the import into the trail, in the import's own transaction (counts, no names)."""
    with Session(bind=conn) as session:
        trail.append(
            session,
            actor.id if actor else None,
            "import_run",
            run_id,
            "import",
            None,
            {
                "sha256": report.table.sha256,
                "list": report.list_kind.value,
                "rows": report.rows_read,
                "added": job.added,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "rejected": report.rejected,
            },
        )


def next_case_number(conn: Connection) -> int:
    """One more than the largest number in the stored ``C-nnnn`` case keys (call it holding
    the import lock, so no other import can be handing out the same numbers)."""
    keys = conn.execute(select(Child.case_key).where(Child.case_key.like("C-%"))).scalars()
    digits = [key[2:] for key in keys]
    numbers = [int(d) for d in digits if d.isascii() and d.isdecimal()]
    return max(numbers, default=0) + 1


class _ImportJob:
    def __init__(
        self,
        conn: Connection,
        report: ValidationReport,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.conn, self.report, self.kind = conn, report, report.list_kind
        self.progress, self.cancel = progress, cancel
        self.added = self.updated = self.unchanged = 0
        self.people = PeopleIndex({}, {})

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled(
                f"The import of {self.report.file_name} was cancelled; nothing was changed."
            )

    def run(self) -> None:
        rows = self.report.valid
        self._check_cancel()
        conn, now = self.conn, utcnow()
        bulk = BulkWriter(conn)
        empty = conn.execute(select(Child.id).limit(1)).first() is None
        self.people = resolve_people(conn, *_people_named(rows))
        children = ChildWriter(conn, bulk, now, next_case_number(conn), empty)
        if self.kind is ListKind.EVENTS:
            files: CaseFileWriter | EventWriter = EventWriter(conn, bulk, now, self.people)
        else:
            files = CaseFileWriter(conn, bulk, now, self.people, self.kind.value, empty)
        total, size = len(rows), importer_write.CHUNK
        for done, chunk in enumerate(rows.chunks(size), start=1):
            self._check_cancel()
            added: set[int] = set()
            changed: set[int] = set()
            children.write(chunk, added, changed)
            files.write(chunk, children.ids, added, changed)
            new, upd = len(added), len(changed - added)
            self.added, self.updated = self.added + new, self.updated + upd
            self.unchanged += len(chunk) - new - upd
            if self.progress is not None:
                count = min(done * size, total)
                self.progress(count / max(total, 1), f"Imported {count} of {total} rows")
        if isinstance(files, EventWriter):
            files.finish()
        self._check_cancel()


def _people_named(rows: ValidRows) -> tuple[dict[str, str], list]:
    teams: dict[str, str] = {}
    workers: dict[tuple[str, str], tuple[str, str, WorkerRole, str]] = {}
    named = zip(
        rows["team"],
        rows["worker"],
        rows["worker_id"],
        rows["team_manager"],
        rows["iro"],
        strict=True,
    )
    for team, worker, worker_id, manager, iro in sorted(set(named)):
        if team:
            teams.setdefault(team.casefold(), team)
        if worker:
            key = ("id", worker_id) if worker_id else ("staff", worker.casefold())
            workers.setdefault(key, (worker, worker_id, WorkerRole.SOCIAL_WORKER, team))
        if manager:
            workers.setdefault(
                ("tm", manager.casefold()), (manager, "", WorkerRole.TEAM_MANAGER, team)
            )
        if iro:
            workers.setdefault(("iro", iro.casefold()), (iro, "", WorkerRole.IRO, ""))
    return teams, list(workers.values())
