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
    assert main(["--data-dir", str(tmp_path / "opt"), "db", "info"]) == 0
    assert (tmp_path / "opt" / "demo.sqlite").exists()
    assert "Schema:" in capsys.readouterr().out
    result = run_module("db", "info", env={"CASEAUDIT_DATA_DIR": str(tmp_path / "env")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env" / "demo.sqlite").exists()


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
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a good password")
    assert main(["--db", db, "users", "add", "k.byrne", "--role", "qa_lead"]) == 3
    assert "needs a user" in capsys.readouterr().err
    database = open_database(db)
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
    assert main(["--db", db, "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "k.byrne" in out and "QA lead" in out
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    assert main(["--db", db, "--user", "admin", "users", "add", "x", "--role", "auditor"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err


def test_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2
