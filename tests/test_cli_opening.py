"""The one way CLI commands open the database and sign in, and the one ``Cancelled`` error.

``cli.opened`` and ``cli.signed_in`` always close the database, even when signing in fails;
``direct_key`` keeps the security commands' way of opening an encrypted file (no daily backup).
Every cancellation error is a ``caseaudit.errors.Cancelled``.
"""

from __future__ import annotations

import threading

import pytest

from caseaudit import cli
from caseaudit.db import open_database
from caseaudit.errors import AuthenticationFailed, Cancelled
from caseaudit.reports import ReportCancelled
from caseaudit.services import backup, demo, retention, trail
from caseaudit.services.accounts import create_first_administrator
from caseaudit.services.importer_apply import ImportCancelled

from .conftest import TEST_PASSPHRASE


def _args(*argv: str):
    return cli.build_parser().parse_args([*argv, "db", "info"])


@pytest.fixture
def spied_opens(monkeypatch):
    """Each database ``open_from_args`` opens, with the pool it had when it was opened
    (``Database.close`` disposes of the engine, which puts a new pool in its place)."""
    seen = []
    real = cli.open_from_args

    def spy(args, **kwargs):
        db = real(args, **kwargs)
        seen.append((db, db.engine.pool, kwargs))
        return db

    monkeypatch.setattr(cli, "open_from_args", spy)
    return seen


@pytest.fixture
def admin_file(tmp_path, monkeypatch):
    path = tmp_path / "council.sqlite"
    db = open_database(path)
    create_first_administrator(db, "admin", "Admin", "admin password")
    db.close()
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "admin password")
    monkeypatch.delenv("CASEAUDIT_USER", raising=False)
    return path


def test_signed_in_gives_the_database_and_the_user_then_closes(admin_file, spied_opens):
    with cli.signed_in(_args("--db", str(admin_file), "--user", "admin")) as (db, actor):
        assert actor.username == "admin"
        assert db.path == admin_file.resolve()
        (_db, pool, _kwargs) = spied_opens[0]
        assert db.engine.pool is pool  # still open inside the block
    assert db.engine.pool is not pool  # closed when the block ended


def test_signed_in_closes_the_database_when_sign_in_fails(admin_file, spied_opens, monkeypatch):
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "not the password")
    args = _args("--db", str(admin_file), "--user", "admin")
    with pytest.raises(AuthenticationFailed), cli.signed_in(args):
        pytest.fail("the block must not run when sign-in fails")
    (db, pool, _kwargs) = spied_opens[0]
    assert db.engine.pool is not pool


def test_opened_closes_on_error_and_passes_its_options_on(admin_file, spied_opens):
    with pytest.raises(RuntimeError), cli.opened(_args("--db", str(admin_file)), demo=True) as db:
        raise RuntimeError("something went wrong in the command")
    (seen, pool, kwargs) = spied_opens[0]
    assert seen is db and db.engine.pool is not pool
    assert kwargs == {"demo": True}


def test_direct_key_opens_an_encrypted_file_without_a_daily_backup(tmp_path, monkeypatch):
    path = tmp_path / "enc.sqlite"
    open_database(path, passphrase=TEST_PASSPHRASE).close()
    monkeypatch.setenv("CASEAUDIT_PASSPHRASE", TEST_PASSPHRASE)
    folder = backup.backup_folder(path)
    with cli.opened(_args("--db", str(path)), direct_key=True) as db:
        assert db.kind == "sqlcipher"
    assert not folder.exists() or not list(folder.iterdir())
    with cli.opened(_args("--db", str(path))) as db:
        assert db.kind == "sqlcipher"
    assert len(list(folder.iterdir())) == 1  # the usual way makes today's backup


def test_every_cancellation_is_a_cancelled():
    for kind in (
        demo.Cancelled,
        ReportCancelled,
        retention.PurgeCancelled,
        trail.TrailCancelled,
        backup.BackupCancelled,
        ImportCancelled,
    ):
        assert issubclass(kind, Cancelled), kind
    assert demo.Cancelled is Cancelled
    assert issubclass(backup.BackupCancelled, backup.BackupFailed)  # still a failed backup
    assert ReportCancelled().exit_code == 130


def test_a_cancelled_backup_is_caught_as_cancelled(sqlite_database):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match="cancelled"):
        backup.backup_database(sqlite_database, cancel=cancel)
