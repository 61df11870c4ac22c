"""Checking a backup and restoring it over a database, losing nothing on the way.

``check_backup`` runs SQLite's ``PRAGMA integrity_check`` and verifies the backup's trail.
``restore`` copies the backup beside the target (online backup API, so an encrypted backup stays
encrypted), checks that copy, keeps the database being replaced aside as
``<name>-replaced-<date>-<time>.sqlite`` (its write-ahead log folded in first), and only then
puts the copy in place with one atomic rename. A backup that fails any check changes nothing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from ..db import alembic_config, head_revision, open_database
from ..errors import CaseAuditError, DatabaseError, ValidationError
from ..models.base import utcnow
from .backup import (
    BackupFailed,
    DiskFull,
    connect,
    copy_database,
    fsync_path,
    remove_files,
    require_file,
    secret_for,
)
from .encryption import is_plain_sqlite
from .permissions import Permission, require
from .trail import TrailReport, verify
from .users import UserInfo


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    ok: bool
    integrity: str
    revision: str | None
    trail: TrailReport | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    kept_aside: Path | None
    check: BackupCheck


def _known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _inspect(path: Path, secret: str | None) -> tuple[str, str | None]:
    conn = connect(path, secret)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        integrity = "; ".join(str(r[0]) for r in rows[:5])
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except Exception:  # noqa: BLE001 - any failure means "not a caseaudit database"
            row = None
        return integrity, row[0] if row else None
    except Exception as exc:  # noqa: BLE001 - the driver's errors vary; all mean "unreadable"
        return f"unreadable ({exc})", None
    finally:
        conn.close()


def _check(path: Path, secret: str | None, shown_as: Path) -> BackupCheck:
    integrity, revision = _inspect(path, secret)
    problems = []
    if integrity != "ok":
        problems.append(f"The file is damaged: SQLite's integrity check reports {integrity}.")
    elif revision is None:
        problems.append("The file is not a caseaudit database.")
    elif revision not in _known_revisions():
        problems.append(
            f"The backup was made by a newer version of caseaudit (schema {revision}); install "
            "that version to restore it."
        )
    report = None
    if not problems:
        db = open_database(path, passphrase=secret, create=False, run_migrations=False)
        try:
            report = verify(db, check_records=revision == head_revision())
        finally:
            db.close()
        if not report.ok:
            problems.append(f"The backup's trail does not check out. {report.reason}")
    return BackupCheck(shown_as, not problems, integrity, revision, report, tuple(problems))


def check_backup(path: Path, passphrase: str | None = None) -> BackupCheck:
    """Check a backup file where it is: integrity, schema, and its trail."""
    path = require_file(path)
    return _check(path, secret_for(path, passphrase), path)


def _settle(path: Path, secret: str | None) -> bool:
    """Fold the write-ahead log into the file and prove no one else has it open.

    Returns False when the file cannot be opened with ``secret`` (then its log is moved with
    it); raises when another program has it open.
    """
    try:
        conn = connect(path, secret)
        conn.execute("PRAGMA busy_timeout = 2000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except Exception:  # noqa: BLE001 - damaged, or keyed differently: cannot settle
        return False
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchall()
        return True
    except Exception as exc:  # noqa: BLE001
        raise DatabaseError(
            f"{path.name} is open in another caseaudit window or program. Close it and try "
            "again; nothing was changed.",
            detail=str(exc),
        ) from exc
    finally:
        conn.close()


def _set_aside(target: Path, secret: str | None, now: datetime) -> Path:
    settled = _settle(target, secret)
    aside = target.with_name(f"{target.stem}-replaced-{now:%Y%m%d-%H%M%S}{target.suffix}")
    counter = 1
    while aside.exists():
        aside = target.with_name(f"{target.stem}-replaced-{now:%Y%m%d-%H%M%S}.{counter}.sqlite")
        counter += 1
    try:
        os.link(target, aside)  # the old file stays at target until the atomic rename
    except OSError:
        shutil.copy2(target, aside)
        fsync_path(aside)
    wal = Path(f"{target}-wal")
    if not settled and wal.exists():
        os.replace(wal, Path(f"{aside}-wal"))
    Path(f"{target}-shm").unlink(missing_ok=True)
    return aside


def _stage(backup: Path, staging: Path, secret: str | None) -> None:
    try:
        copy_database(backup, staging, secret)
    except DiskFull as exc:
        raise DiskFull(
            f"The backup could not be restored because the disk holding {staging.parent} is "
            "full. The database is unchanged; free some space and try again.",
            detail=exc.detail,
        ) from exc
    except BackupFailed as exc:
        raise ValidationError(
            f"{backup.name} was not restored because it failed its checks. The database is "
            "unchanged.",
            [f"The file is damaged: it could not be read ({exc.detail or exc.message})."],
        ) from exc


def restore(
    backup: Path,
    target: Path,
    *,
    actor: UserInfo | None,
    passphrase: str | None = None,
) -> RestoreResult:
    """Replace the database ``target`` with the checked contents of ``backup``.

    The backup is opened with ``passphrase`` when encrypted (the restored file keeps the
    backup's passphrase). Nothing changes unless every check passes; the replaced database is
    kept beside the target and named in the result.
    """
    require(actor, Permission.ADMINISTER)
    backup = require_file(backup)
    target = Path(target).expanduser().resolve()
    if backup == target:
        raise ValidationError("Choose a backup file, not the database itself.")
    secret = secret_for(backup, passphrase)
    now = utcnow().astimezone()
    staging = target.with_name(f".{target.name}.restoring")
    try:
        _stage(backup, staging, secret)
        check = _check(staging, secret, backup)
        if not check.ok:
            raise ValidationError(
                f"{backup.name} was not restored because it failed its checks. The database is "
                "unchanged.",
                list(check.problems),
            )
        _settle(staging, secret)
        aside = None
        if target.exists():
            plain = is_plain_sqlite(target)
            target_secret = _try_secret(target, passphrase) if passphrase and not plain else None
            aside = _set_aside(target, target_secret, now)
        os.replace(staging, target)
        fsync_path(target.parent, directory=True)
    finally:
        remove_files(staging)
    return RestoreResult(target, aside, check)


def _try_secret(path: Path, passphrase: str) -> str | None:
    try:
        return secret_for(path, passphrase)
    except CaseAuditError:
        return None
