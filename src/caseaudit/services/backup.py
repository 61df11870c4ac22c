"""Backups of local databases: rotating daily copies, copies before migrations, and restore.

A backup is made with SQLite's online backup API (SQLCipher's for an encrypted file, keyed with
the same key and salt, so the copy stays encrypted and opens with the same passphrase) into a
temporary file that is flushed to disk and only then renamed into place: a backup either exists
whole or not at all, and a full disk is reported in plain words with nothing lost. Backups go
in a ``backups`` folder beside the database, named ``<name>-<date>-<time>-<label>.sqlite``;
daily ones keep the newest few (7 by default, ``organisation.settings["backup"]``), those made
before a migration the newest five. ``restore`` checks a backup (``PRAGMA integrity_check`` and
the trail) before it replaces anything, replaces the database atomically, and keeps the replaced
file aside.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ..db import Database
from ..errors import Cancelled, DatabaseError, NotFound, WrongPassphrase
from ..models import Organisation
from ..models.base import utcnow
from .encryption import header_salt, is_plain_sqlite, is_raw_key

log = logging.getLogger(__name__)

FOLDER_NAME = "backups"
DAILY_KEEP = 7
PRE_MIGRATION_KEEP = 5
STEP_PAGES = 1024
_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<day>\d{8})-(?P<time>\d{6})(?:\.\d+)?-(?P<label>[a-z0-9-]+)\.sqlite$"
)


class BackupFailed(DatabaseError):
    """A backup could not be made; the database itself is unchanged."""


class DiskFull(BackupFailed):
    """The disk filled up while writing a backup."""


class BackupCancelled(BackupFailed, Cancelled):
    """The backup was cancelled; no partial file was left."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    label: str
    created_at: datetime
    size: int


def backup_folder(database_path: Path) -> Path:
    return database_path.parent / FOLDER_NAME


def connect(path: Path, secret: str | None) -> Any:
    """A bare DB-API connection to a SQLite file, keyed with ``secret`` when encrypted."""
    if secret is None:
        return sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute('PRAGMA key = "' + secret.replace('"', '""') + '"')
    return conn


def copy_secret(source: Path, secret: str | None) -> str | None:
    """The key for a copy of ``source``: a raw key carries the source's salt, so the copy is
    keyed from the passphrase exactly as the original is."""
    if secret is None or not is_raw_key(secret) or len(secret) != 67:
        return secret
    salt = header_salt(source)
    return secret[:-1] + salt.hex() + "'" if salt else secret


def fsync_path(path: Path, directory: bool = False) -> None:
    if directory and os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return True
    return "full" in str(exc).lower()


def copy_database(
    source: Path,
    destination: Path,
    secret: str | None,
    *,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Copy ``source`` to ``destination`` whole or not at all (temp file, fsync, rename)."""
    partial = destination.with_name(f".{destination.name}.partial")
    remove_files(partial)

    def step(_status: int, remaining: int, total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise BackupCancelled("The backup was cancelled; no backup file was left behind.")
        if progress is not None and total:
            progress(1 - remaining / total, "Copying the database")

    src = connect(source, secret)
    try:
        dst = connect(partial, copy_secret(source, secret))
        try:
            src.backup(dst, pages=STEP_PAGES, progress=step)
        finally:
            dst.close()
        fsync_path(partial)
        os.replace(partial, destination)
        fsync_path(destination.parent, directory=True)
    except BackupFailed:
        remove_files(partial)
        raise
    except Exception as exc:
        remove_files(partial)
        if _is_full(exc):
            raise DiskFull(
                f"The backup could not be written because the disk holding {destination.parent} "
                "is full. Your database is unchanged and nothing was lost. Free some space (or "
                "choose another folder) and back up again.",
                detail=str(exc),
            ) from exc
        raise BackupFailed(
            f"The backup to {destination.parent} failed ({exc}). Your database is unchanged.",
            detail=str(exc),
        ) from exc
    finally:
        src.close()


def _backup_name(folder: Path, stem: str, label: str, now: datetime) -> Path:
    base = f"{stem}-{now:%Y%m%d}-{now:%H%M%S}"
    candidate = folder / f"{base}-{label}.sqlite"
    counter = 1
    while candidate.exists():
        candidate = folder / f"{base}.{counter}-{label}.sqlite"
        counter += 1
    return candidate


def backup_file(
    source: Path,
    folder: Path,
    *,
    secret: str | None,
    label: str = "manual",
    now: datetime | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> BackupInfo:
    """Back up the database file ``source`` into ``folder``."""
    now = now or utcnow()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed(f"The backup folder {folder} could not be created ({exc}).") from exc
    target = _backup_name(folder, source.stem, label, now.astimezone())
    copy_database(source, target, secret, progress=progress, cancel=cancel)
    return BackupInfo(target, label, now, target.stat().st_size)


def _secret_of(db: Database) -> str | None:
    return db.engine.url.password if db.kind == "sqlcipher" else None


def _local_path(db: Database) -> Path:
    if db.kind == "postgresql" or db.path is None:
        raise BackupFailed(
            "caseaudit backs up local database files only. Back up a PostgreSQL server with "
            "its own tools (pg_dump) or ask the server's administrator."
        )
    return db.path


def backup_database(
    db: Database,
    folder: Path | None = None,
    *,
    label: str = "manual",
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> BackupInfo:
    """Back up an open local database (to its ``backups`` folder unless told otherwise)."""
    path = _local_path(db)
    return backup_file(
        path,
        Path(folder) if folder else backup_folder(path),
        secret=_secret_of(db),
        label=label,
        progress=progress,
        cancel=cancel,
    )


def list_backups(folder: Path, stem: str | None = None) -> list[BackupInfo]:
    """Backups in ``folder`` (of the database called ``stem``), newest first."""
    found = []
    for path in folder.glob("*.sqlite") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match is None or (stem is not None and match["stem"] != stem):
            continue
        made = datetime.strptime(match["day"] + match["time"], "%Y%m%d%H%M%S").astimezone()
        found.append(BackupInfo(path, match["label"], made, path.stat().st_size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name), reverse=True)


def prune(folder: Path, stem: str, keep: int, label_prefix: str) -> list[Path]:
    """Delete all but the newest ``keep`` backups whose label starts with ``label_prefix``."""
    matching = [b for b in list_backups(folder, stem) if b.label.startswith(label_prefix)]
    removed = []
    for old in matching[max(keep, 1) :]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def daily_keep(db: Database) -> int:
    with db.session() as s:
        org = s.scalars(select(Organisation).order_by(Organisation.id).limit(1)).first()
        settings = (org.settings or {}).get("backup", {}) if org else {}
    return int(settings.get("keep_daily", DAILY_KEEP))


def daily_backup(
    db: Database, *, folder: Path | None = None, keep: int | None = None
) -> BackupInfo | None:
    """Make today's backup unless one exists, then keep only the newest ``keep`` daily ones.

    Returns None when there was nothing to do (already backed up today, or not a local file).
    """
    if db.kind == "postgresql" or db.path is None:
        return None
    folder = Path(folder) if folder else backup_folder(db.path)
    today = utcnow().astimezone().date()
    existing = [b for b in list_backups(folder, db.path.stem) if b.label == "daily"]
    if any(b.created_at.date() == today for b in existing):
        return None
    made = backup_database(db, folder, label="daily")
    prune(folder, db.path.stem, keep if keep is not None else daily_keep(db), "daily")
    return made


def backup_before_migration(
    target: Path | Engine,
    *,
    secret: str | None = None,
    from_revision: str | None = None,
    to_revision: str | None = None,
) -> BackupInfo | None:
    """Back up a local database about to be migrated; keep the newest five such backups.

    ``target`` is the file, or the engine ``db.migrate`` holds (its URL gives file and key).
    Does nothing for PostgreSQL or a new, empty file.
    """
    if isinstance(target, Engine):
        if target.dialect.name != "sqlite" or not target.url.database:
            return None
        secret = target.url.password if "pysqlcipher" in target.url.drivername else None
        target = Path(target.url.database)
    path = Path(target)
    if not path.exists() or path.stat().st_size == 0:
        return None
    label = f"before-{to_revision}" if to_revision else "before-upgrade"
    made = backup_file(path, backup_folder(path), secret=secret, label=label.lower())
    prune(backup_folder(path), path.stem, PRE_MIGRATION_KEEP, "before-")
    return made


def secret_for(path: Path, passphrase: str | None) -> str | None:
    """The key to open ``path`` with: None for a plain file, else from the passphrase."""
    if is_plain_sqlite(path):
        return None
    if not passphrase:
        raise WrongPassphrase(
            f"{path} is encrypted; give its passphrase (--passphrase-file or "
            "CASEAUDIT_PASSPHRASE). Nothing was changed."
        )
    from .encryption import can_open, sqlcipher_key

    secret = sqlcipher_key(path, passphrase)
    if not can_open(path, secret):
        raise WrongPassphrase(
            f"The passphrase does not open {path.name}. Nothing was changed; try again with "
            "the passphrase the database had when the backup was made."
        )
    return secret


def require_file(path: Path) -> Path:
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise NotFound(f"There is no file at {path}. Check the path and try again.")
    return path


def _backup_hook(engine: Engine, from_revision: str, to_revision: str) -> None:
    backup_before_migration(engine, from_revision=from_revision, to_revision=to_revision)


def open_with_backups(target: str | Path, passphrase: str | None = None) -> Database:
    """Open a database as the application does: a backup before any migration of an existing
    local file (refusing to migrate if it cannot be made), then today's rotating backup.

    A daily backup that fails (e.g. a full disk) is logged and does not stop the user working;
    a pre-migration backup that fails stops the migration, leaving the database as it was.
    """
    from ..db import open_database

    db = open_database(target, passphrase=passphrase, before_migration=_backup_hook)
    try_daily_backup(db)
    return db


def try_daily_backup(db: Database) -> None:
    """Today's rotating backup; a failure (e.g. a full disk) is logged, not raised."""
    try:
        daily_backup(db)
    except (BackupFailed, DatabaseError, OSError) as exc:
        log.warning("Daily backup not made: %s", exc)
