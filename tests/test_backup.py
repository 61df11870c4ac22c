"""Backups and restore: online copies that stay encrypted, rotation, full disks, verified restore."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseaudit.cli import main
from caseaudit.db import open_database
from caseaudit.errors import DatabaseError, PermissionDenied, ValidationError, WrongPassphrase
from caseaudit.models import Answer
from caseaudit.models.base import utcnow
from caseaudit.services import accounts, backup, encryption, restore, trail
from caseaudit.services.crashsafety import save_answer, seed_minimal_audit
from caseaudit.vocabulary import UserRole

from .conftest import TEST_PASSPHRASE

ADMIN_PW = "crash-test-password"


def _answers(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Answer.id)))


def _open_copy(path: Path, passphrase: str | None):
    if passphrase is None:
        return open_database(path, create=False)
    return encryption.open_encrypted_database(path, passphrase, create=False)


def _passphrase(db) -> str | None:
    return TEST_PASSPHRASE if db.kind == "sqlcipher" else None


def _admin(db):
    return accounts.sign_in(db, "crash.admin", ADMIN_PW)


def test_backup_is_a_whole_copy_that_stays_encrypted(database):
    fixture = seed_minimal_audit(database)
    for n in range(5):
        save_answer(database, fixture, f"q{n}", n)
    if database.kind == "postgresql":
        with pytest.raises(backup.BackupFailed, match="pg_dump"):
            backup.backup_database(database)
        assert backup.daily_backup(database) is None
        return
    made = backup.backup_database(database, label="manual")
    assert made.path.parent == database.path.parent / "backups"
    assert made.path.name.startswith(database.path.stem) and made.path.name.endswith(
        "manual.sqlite"
    )
    assert [p.name for p in made.path.parent.iterdir()] == [made.path.name]
    assert made.path.read_bytes().startswith(b"SQLite format 3") == (database.kind == "sqlite")
    copy = _open_copy(made.path, _passphrase(database))
    assert _answers(copy) == 5 and trail.verify(copy).ok
    copy.close()


def test_backup_of_an_argon2id_database_opens_with_the_same_passphrase(tmp_path):
    db = encryption.create_encrypted_database(tmp_path / "council.sqlite", "amber kettle harbour")
    fixture = seed_minimal_audit(db)
    save_answer(db, fixture, "q1", 1)
    made = backup.backup_database(db)
    db.close()
    assert encryption.header_salt(made.path) == encryption.header_salt(tmp_path / "council.sqlite")
    copy = encryption.open_encrypted_database(made.path, "amber kettle harbour", create=False)
    assert _answers(copy) == 1
    copy.close()


def test_daily_backups_rotate(sqlite_database):
    db = sqlite_database
    seed_minimal_audit(db)
    folder = db.path.parent / "backups"
    for days in range(10, 0, -1):
        backup.backup_file(
            db.path, folder, secret=None, label="daily", now=utcnow() - timedelta(days=days)
        )
    backup.backup_file(db.path, folder, secret=None, label="manual")
    made = backup.daily_backup(db, keep=3)
    assert made is not None and backup.daily_backup(db, keep=3) is None
    kept = backup.list_backups(folder, db.path.stem)
    assert [b.label for b in kept].count("daily") == 3 and made.path in [b.path for b in kept]
    assert [b.label for b in kept].count("manual") == 1


def test_backup_before_migration(sqlite_database, tmp_path):
    db = sqlite_database
    seed_minimal_audit(db)
    assert backup.backup_before_migration(tmp_path / "missing.sqlite") is None
    for n in range(7):
        made = backup.backup_before_migration(db.engine, from_revision="0001", to_revision=f"X{n}")
    assert made is not None and made.label == "before-x6"
    kept = backup.list_backups(db.path.parent / "backups")
    assert len(kept) == backup.PRE_MIGRATION_KEEP and kept[0].path == made.path


def test_a_cancelled_backup_leaves_nothing(sqlite_database):
    import threading

    db = sqlite_database
    seed_minimal_audit(db)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(backup.BackupCancelled):
        backup.backup_database(db, cancel=cancel)
    assert list((db.path.parent / "backups").iterdir()) == []


FULL_DISK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from caseaudit.db import open_database
    from caseaudit.services import backup
    from caseaudit.services.crashsafety import save_answer, seed_minimal_audit
    small, medium = Path(sys.argv[1]), Path(sys.argv[2])
    db = open_database(sys.argv[3])
    try:
        backup.backup_database(db, small)
    except backup.DiskFull as exc:
        print("BACKUP:", exc.message)
    print("LEFT:", sorted(p.name for p in small.iterdir()))
    db.close()
    # now a save on a full disk
    db = open_database(medium / "on-small-disk.sqlite")
    fixture = seed_minimal_audit(db)
    saved = 0
    try:
        for n in range(100000):
            save_answer(db, fixture, f"q{n}", n)
            saved = n + 1
    except Exception as exc:
        print("SAVE:", type(exc).__name__, str(exc).splitlines()[0])
    db.close()
    print("SAVED:", saved)
    import sqlite3
    conn = sqlite3.connect(medium / "on-small-disk.sqlite")
    print("INTEGRITY:", conn.execute("PRAGMA integrity_check").fetchone()[0])
    print("ROWS:", conn.execute("SELECT count(*) FROM answer").fetchone()[0])
    """
)


def _unshare_works() -> bool:
    if shutil.which("unshare") is None or sys.platform != "linux":
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )  # fmt: skip
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare to mount a small tmpfs")
def test_a_full_disk_is_reported_clearly_and_loses_nothing(sqlite_database, tmp_path):
    db = sqlite_database
    fixture = seed_minimal_audit(db)
    for n in range(300):
        save_answer(db, fixture, f"q{n}", n)
    db.close()
    small, medium = tmp_path / "small", tmp_path / "medium"
    small.mkdir()
    medium.mkdir()
    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK)
    result = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         f'mount -t tmpfs -o size=128k tmpfs "{small}" && '
         f'mount -t tmpfs -o size=2m tmpfs "{medium}" && '
         f'exec "{sys.executable}" "{script}" "{small}" "{medium}" "{db.path}"'],
        capture_output=True, text=True, timeout=300, env=os.environ.copy(),
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "BACKUP: The backup could not be written because the disk" in out
    assert "Your database is unchanged and nothing was lost" in out
    assert "LEFT: []" in out
    assert "SAVE: DiskFull The disk is full, so your last change was not saved" in out
    saved = int(out.split("SAVED: ")[1].split()[0])
    assert saved > 0 and "INTEGRITY: ok" in out and f"ROWS: {saved}" in out
    again = open_database(db.path)
    assert _answers(again) == 300 and trail.verify(again).ok
    again.close()


@pytest.fixture
def backed_up(tmp_path, request):
    """A database with 3 answers, its backup, then 2 more answers saved after the backup."""
    kind = getattr(request, "param", "sqlite")
    path = tmp_path / "council.sqlite"
    passphrase = "amber kettle harbour" if kind == "sqlcipher" else None
    db = encryption.open_encrypted_database(path, passphrase) if passphrase else open_database(path)
    fixture = seed_minimal_audit(db)
    for n in range(3):
        save_answer(db, fixture, f"q{n}", n)
    made = backup.backup_database(db)
    for n in range(3, 5):
        save_answer(db, fixture, f"q{n}", n)
    admin = _admin(db)
    yield db, made.path, admin, passphrase
    db.close()


@pytest.mark.parametrize("backed_up", ["sqlite", "sqlcipher"], indirect=True)
def test_restore_replaces_atomically_and_keeps_the_old_file(backed_up):
    db, file, admin, passphrase = backed_up
    target = db.path
    db.close()  # the window closes the database before restoring
    result = restore.restore(file, target, actor=admin, passphrase=passphrase)
    assert result.check.ok and result.check.integrity == "ok" and result.check.trail.ok
    restored = _open_copy(target, passphrase)
    assert _answers(restored) == 3 and trail.verify(restored).ok
    restored.close()
    old = _open_copy(result.kept_aside, passphrase)
    assert _answers(old) == 5
    old.close()
    assert not list(target.parent.glob(".*restoring*"))


def test_restore_refuses_bad_backups_and_changes_nothing(backed_up, tmp_path):
    db, file, admin, _ = backed_up
    target = db.path
    db.close()
    before = target.read_bytes()
    auditor = accounts.UserInfo(99, "aud", "An Auditor", UserRole.AUDITOR, None)
    with pytest.raises(PermissionDenied):
        restore.restore(file, target, actor=auditor)
    tampered = tmp_path / "tampered.sqlite"
    shutil.copyfile(file, tampered)
    bad = open_database(tampered, create=False)
    with bad.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER change_log_no_update")
        conn.exec_driver_sql("UPDATE change_log SET operation = 'x' WHERE id = 3")
    bad.close()
    with pytest.raises(ValidationError, match="failed its checks") as refused:
        restore.restore(tampered, target, actor=admin)
    assert "broken at entry 3" in refused.value.problems[0]
    assert not restore.check_backup(tampered).ok
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(file.read_bytes()[: len(file.read_bytes()) // 2])
    with pytest.raises(ValidationError, match="failed its checks") as refused:
        restore.restore(damaged, target, actor=admin)
    assert "damaged" in refused.value.problems[0]
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if "restoring" in p.name or "replaced" in p.name]


def test_restore_refuses_while_the_database_is_open_elsewhere(backed_up):
    db, file, admin, _ = backed_up
    with db.engine.connect() as held:
        held.exec_driver_sql("SELECT count(*) FROM answer").all()
        with pytest.raises(DatabaseError, match="open in another"):
            restore.restore(file, db.path, actor=admin)
    assert _answers(db) == 5


@pytest.mark.parametrize("backed_up", ["sqlcipher"], indirect=True)
def test_restore_of_an_encrypted_backup_needs_its_passphrase(backed_up):
    db, file, admin, _ = backed_up
    with pytest.raises(WrongPassphrase, match="is encrypted"):
        restore.restore(file, db.path, actor=admin)
    with pytest.raises(WrongPassphrase, match="does not open"):
        restore.restore(file, db.path, actor=admin, passphrase="not the passphrase")
    assert _answers(db) == 5


def test_cli_backup_and_restore_with_role_refusal(backed_up, capsys, monkeypatch):
    db, file, admin, _ = backed_up
    accounts.add_user(db, admin, "aud", "", UserRole.AUDITOR, "auditor password")
    target = db.path
    db.close()
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "auditor password")
    assert main(["--db", str(target), "--user", "aud", "backup"]) == 3
    assert "may not administer the database" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", ADMIN_PW)
    base = ["--db", str(target), "--user", "crash.admin"]
    assert main([*base, "backup", "--to", str(target.parent / "elsewhere")]) == 0
    assert "Backed up to" in capsys.readouterr().out
    assert main([*base, "restore", str(file), "--check"]) == 0
    assert "OK" in capsys.readouterr().out
    assert main([*base, "restore", str(file), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "kept as" in out
    restored = open_database(target, create=False)
    assert _answers(restored) == 3
    restored.close()


@pytest.mark.parametrize("backed_up", ["sqlite", "sqlcipher"], indirect=True)
def test_cli_restores_a_lost_database_from_its_backup(backed_up, capsys, monkeypatch):
    """The laptop's database file is gone: restoring signs in against the backup and puts the
    file back; it does not make an empty database at the old path first."""
    db, file, _admin, passphrase = backed_up
    target = db.path
    db.close()
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()  # the file and its WAL are lost
    if passphrase:
        monkeypatch.setenv("CASEAUDIT_PASSPHRASE", passphrase)
    monkeypatch.setenv("CASEAUDIT_PASSWORD", ADMIN_PW)
    base = ["--db", str(target), "--user", "crash.admin"]
    assert main([*base, "restore", str(file), "--yes"]) == 0, capsys.readouterr().err
    assert "Restored" in capsys.readouterr().out
    restored = open_database(target, passphrase=backup.secret_for(file, passphrase), create=False)
    assert _answers(restored) == 3
    restored.close()


def test_a_mistyped_path_is_refused_and_leaves_no_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "councl.sqlite"
    monkeypatch.setenv("CASEAUDIT_PASSPHRASE", "amber kettle harbour")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", ADMIN_PW)
    for command in (["trail", "verify"], ["audits", "list"], ["backup"]):
        assert main(["--db", str(target), "--user", "crash.admin", *command]) != 0
        err = capsys.readouterr().err
        assert f"There is no database at {target}" in err and "No file was created" in err
    assert list(tmp_path.iterdir()) == []
