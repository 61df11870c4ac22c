"""The CLI front door: entry points, data folder choice, database choice, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from caseaudit import __version__
from caseaudit.cli import main
from caseaudit.db import open_database
from caseaudit.services.accounts import create_first_administrator
from caseaudit.vocabulary import UserRole

from .conftest import TEST_PASSPHRASE
from .factories import make_user


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "caseaudit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_python_m_and_console_script_agree():
    result = run_module("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"caseaudit {__version__}"
    script = os.path.join(os.path.dirname(sys.executable), "caseaudit")
    assert (
        subprocess.run([script, "--version"], capture_output=True, text=True).stdout
        == result.stdout
    )


def test_data_dir_option_and_environment(tmp_path, capsys):
    open_database(tmp_path / "opt" / "demo.sqlite").close()  # an existing (plain) demo file
    assert main(["--data-dir", str(tmp_path / "opt"), "db", "info"]) == 0
    assert "Schema:" in capsys.readouterr().out
    result = run_module("db", "info", env={"CASEAUDIT_DATA_DIR": str(tmp_path / "env")})
    assert result.returncode == 1  # no demo built there yet: refused, nothing created
    assert f"no demo database in {tmp_path / 'env'}" in result.stderr
    assert "caseaudit demo" in result.stderr
    assert not (tmp_path / "env" / "demo.sqlite").exists()


def test_db_option_with_encrypted_file(tmp_path, capsys):
    path = tmp_path / "enc.sqlite"
    open_database(path, passphrase=TEST_PASSPHRASE).close()
    secret = tmp_path / "passphrase.txt"
    secret.write_text(TEST_PASSPHRASE + "\n")
    assert (
        main(["--db", f"sqlcipher:///{path}", "--passphrase-file", str(secret), "db", "info"]) == 0
    )
    assert "encrypted SQLite" in capsys.readouterr().out


def test_errors_are_one_clear_sentence_without_traceback(tmp_path):
    path = tmp_path / "enc.sqlite"
    open_database(path, passphrase=TEST_PASSPHRASE).close()
    result = run_module("--db", str(path), "db", "info")
    assert result.returncode == 1
    assert result.stderr.startswith("caseaudit: ") and "is encrypted" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_module("--db", str(path), "db", "info", env={"CASEAUDIT_PASSPHRASE": "wrong"})
    assert (
        result.returncode == 1
        and "passphrase" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_users_add_needs_an_administrator(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "u.sqlite")
    database = open_database(db)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a good password")
    assert main(["--db", db, "users", "add", "k.byrne", "--role", "qa_lead"]) == 3
    assert "needs a user" in capsys.readouterr().err
    create_first_administrator(database, "admin", "Admin", "admin password")
    make_user(database, "auditor", "A. Auditor", UserRole.AUDITOR, "auditor password")
    database.close()
    add = ["--db", db, "--user", "auditor", "users", "add", "k.byrne", "--name", "K. Byrne"]
    add += ["--role", "qa_lead"]
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "auditor password")
    assert main(add) == 3
    assert "may not manage users" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "admin password")
    add[3] = "admin"
    assert main(add) == 0
    assert main(["--db", db, "--user", "admin", "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "k.byrne" in out and "QA lead" in out
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    assert main(["--db", db, "--user", "admin", "users", "add", "x", "--role", "auditor"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err


def test_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2


# -- encryption at rest by default (issue 6) -------------------------------------------------
SECRET = "amber kettle harbour lantern"


def _on_disk(path) -> bytes:
    return b"".join(
        part.read_bytes()
        for part in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-journal"),
        )
        if part.exists()
    )


def _child_names(path, passphrase: str | None) -> list[str]:
    from sqlalchemy import select

    from caseaudit.models import ChildIdentity

    db = open_database(path, passphrase=passphrase)
    try:
        with db.session() as s:
            return [n for n in s.scalars(select(ChildIdentity.family_name)) if n and len(n) > 5]
    finally:
        db.close()


def test_a_new_database_without_a_passphrase_is_refused_and_no_file_is_made(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("CASEAUDIT_PASSPHRASE", raising=False)
    for name, target in (
        ("new.sqlite", str(tmp_path / "new.sqlite")),
        ("url.sqlite", f"sqlite:///{tmp_path / 'url.sqlite'}"),
    ):
        assert main(["--db", target, "db", "info"]) == 1
        err = capsys.readouterr().err
        assert f"no database at {tmp_path / name}" in err and "db create" in err
        assert "No file was created" in err
    assert list(tmp_path.iterdir()) == []


def test_a_passphrase_makes_an_encrypted_file_that_hides_childrens_names(
    tmp_path, monkeypatch, capsys
):
    encrypted, plain = tmp_path / "enc.sqlite", tmp_path / "plain.sqlite"
    monkeypatch.setenv("CASEAUDIT_PASSPHRASE", SECRET)
    assert main(["--db", str(encrypted), "demo", "--scale", "40", "--no-audits"]) == 0
    monkeypatch.delenv("CASEAUDIT_PASSPHRASE")
    assert main(["--db", str(plain), "--unencrypted", "testing", "demo", "--scale", "40"]) == 0
    capsys.readouterr()
    assert encrypted.read_bytes()[:16] != b"SQLite format 3\x00"
    names = _child_names(encrypted, SECRET)
    assert len(names) > 10
    blob = _on_disk(encrypted)
    assert not [name for name in names if name.encode() in blob]
    # The same scan finds the names in a plain file, so the check above can fail.
    plain_names = _child_names(plain, None)
    assert [name for name in plain_names if name.encode() in _on_disk(plain)]


def test_unencrypted_needs_the_explicit_option_and_is_logged(tmp_path, caplog, capsys):
    import logging

    path = tmp_path / "test.sqlite"
    with caplog.at_level(logging.WARNING):
        assert main(["--db", str(path), "--unencrypted", "testing", "db", "info"]) == 0
    assert "Not encrypted" in capsys.readouterr().out
    assert "UNENCRYPTED" in caplog.text and "testing" in caplog.text
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert main(["--db", str(path), "db", "info"]) == 0  # an existing plain file still opens


def test_db_create_asks_for_the_passphrase_twice(tmp_path, monkeypatch, capsys):
    path = tmp_path / "council.sqlite"
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([SECRET, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["--db", str(path), "db", "create"]) == 1
    assert "not the same" in capsys.readouterr().err and not path.exists()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": SECRET)
    assert main(["--db", str(path), "db", "create"]) == 0
    assert "Created an encrypted database" in capsys.readouterr().out
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert main(["--db", str(path), "db", "create"]) == 1
    assert "already a database" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(tmp_path / "other.sqlite"), "db", "create"]) == 1
    assert "needs a passphrase" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "t.sqlite"), "db", "create", "--unencrypted", "x"]) == 0
    assert "UNENCRYPTED" in capsys.readouterr().out


def test_the_published_demo_passphrase_is_refused_for_a_real_database(tmp_path, capsys):
    from caseaudit.services.demo_accounts import DEMO_PASSPHRASE

    secret = tmp_path / "p.txt"
    secret.write_text(DEMO_PASSPHRASE)
    path = tmp_path / "real.sqlite"
    assert main(["--db", str(path), "--passphrase-file", str(secret), "db", "create"]) == 1
    assert "published demo passphrase" in capsys.readouterr().err and not path.exists()
