"""Accounts: first administrator, lockout after repeated failures, passwords, all on the trail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseaudit.cli import main
from caseaudit.errors import AuthenticationFailed, PermissionDenied, ValidationError
from caseaudit.models import ChangeLogEntry, Organisation, User
from caseaudit.models.base import utcnow
from caseaudit.services import accounts, trail
from caseaudit.vocabulary import UserRole

from .factories import make_user

ADMIN_PW = "first admin password"
AUDITOR_PW = "auditor password"


@pytest.fixture
def people(database):
    admin = accounts.create_first_administrator(database, "Admin", "The Administrator", ADMIN_PW)
    auditor = accounts.add_user(
        database, admin, "j.rahman", "J Rahman", UserRole.AUDITOR, AUDITOR_PW
    )
    return database, admin, auditor


def _entries(db) -> list[ChangeLogEntry]:
    with db.session() as s:
        return list(s.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id)))


def test_first_administrator_only_once(people):
    db, admin, _auditor = people
    assert admin.username == "admin" and admin.role is UserRole.ADMINISTRATOR
    with pytest.raises(ValidationError, match="already has users"):
        accounts.create_first_administrator(db, "second", "", "another password")
    first, second = _entries(db)
    assert (first.entity, first.operation, first.user_id) == ("user", "create", None)
    assert (second.after["username"], second.user_id) == ("j.rahman", admin.id)
    assert trail.verify(db).ok


def test_first_administrator_password_rules(database):
    with pytest.raises(ValidationError) as refused:
        accounts.create_first_administrator(database, "bad name!", "", "short")
    assert len(refused.value.problems) == 2
    with database.session() as s:
        assert s.scalar(select(User.id)) is None


def test_lockout_after_five_failures_for_fifteen_minutes(people):
    db, _admin, auditor = people
    for _ in range(4):
        with pytest.raises(AuthenticationFailed) as failed:
            accounts.sign_in(db, "j.rahman", "wrong password")
        assert not isinstance(failed.value, accounts.AccountLocked)
    with pytest.raises(accounts.AccountLocked, match="locked after too many wrong passwords"):
        accounts.sign_in(db, "j.rahman", "wrong password")
    with pytest.raises(accounts.AccountLocked) as locked:
        accounts.sign_in(db, "j.rahman", AUDITOR_PW)
    assert timedelta(minutes=14) < locked.value.until - utcnow() <= timedelta(minutes=15)
    later = utcnow() + timedelta(minutes=16)
    assert accounts.sign_in(db, "j.rahman", AUDITOR_PW, now=later).id == auditor.id
    lock = _entries(db)[-1]
    assert (lock.operation, lock.after["username"]) == ("lock", "j.rahman")
    assert lock.before["locked_until"] is None and lock.after["locked_until"]
    assert trail.verify(db).ok


def test_lockout_policy_comes_from_the_organisation(people):
    db, admin, auditor = people
    with db.session() as s:
        s.add(Organisation(name="Test council", settings={"other": 1}))
    with pytest.raises(PermissionDenied):
        accounts.update_security_settings(db, auditor, lockout_attempts=2)
    with pytest.raises(ValidationError):
        accounts.update_security_settings(db, admin, lockout_attempts=0)
    settings = accounts.update_security_settings(
        db, admin, lockout_attempts=2, lockout_minutes=1, idle_lock_minutes=5
    )
    assert accounts.security_settings(db) == settings
    with db.session() as s:
        assert s.scalars(select(Organisation)).one().settings["other"] == 1
    assert accounts.resume(db, auditor, AUDITOR_PW).id == auditor.id
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(db, "j.rahman", "nope nope")
    with pytest.raises(accounts.AccountLocked):
        accounts.sign_in(db, "j.rahman", "nope nope")
    assert accounts.sign_in(db, "j.rahman", AUDITOR_PW, now=utcnow() + timedelta(minutes=2))
    assert trail.verify(db).ok


def test_unlock_by_a_user_manager_only(people):
    db, admin, auditor = people
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.sign_in(db, "j.rahman", "wrong password")
    with pytest.raises(PermissionDenied, match="may not manage users"):
        accounts.unlock(db, auditor, "j.rahman")
    accounts.unlock(db, admin, "J.Rahman")
    assert accounts.sign_in(db, "j.rahman", AUDITOR_PW).id == auditor.id
    assert [e.operation for e in _entries(db)][-2:] == ["lock", "unlock"]
    assert trail.verify(db).ok


def test_password_changes(people):
    db, admin, auditor = people
    with pytest.raises(AuthenticationFailed, match="current password is not right"):
        accounts.change_password(db, auditor, "j.rahman", "new auditor pw", current_password="x")
    with pytest.raises(ValidationError):
        accounts.change_password(db, auditor, "j.rahman", "short", current_password=AUDITOR_PW)
    accounts.change_password(db, auditor, "j.rahman", "new auditor pw", current_password=AUDITOR_PW)
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(db, "j.rahman", AUDITOR_PW)
    assert accounts.sign_in(db, "j.rahman", "new auditor pw").id == auditor.id
    with pytest.raises(PermissionDenied):
        accounts.change_password(db, auditor, "admin", "taken over!!")
    accounts.change_password(db, admin, "j.rahman", "reset by admin")
    assert accounts.sign_in(db, "j.rahman", "reset by admin").id == auditor.id
    changes = [e for e in _entries(db) if e.operation == "password_change"]
    assert [e.user_id for e in changes] == [auditor.id, admin.id]
    with db.session() as s:
        hashes = list(s.scalars(select(User.password_hash)))
    logged = json.dumps([[e.before, e.after] for e in _entries(db)])
    assert all(h not in logged for h in hashes) and "argon2" not in logged
    assert trail.verify(db).ok


def test_cli_first_administrator_and_unlock(sqlite_database, capsys, monkeypatch):
    db = sqlite_database
    monkeypatch.setenv("CASEAUDIT_PASSWORD", ADMIN_PW)
    base = ["--db", str(db.path)]
    assert main([*base, "admin", "create", "boss", "--name", "The Boss"]) == 0
    assert "Created the administrator boss" in capsys.readouterr().out
    assert main([*base, "admin", "create", "again"]) == 1
    assert "already has users" in capsys.readouterr().err
    admin = accounts.sign_in(db, "boss", ADMIN_PW)
    accounts.add_user(db, admin, "aud", "", UserRole.AUDITOR, AUDITOR_PW)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.sign_in(db, "aud", "wrong password")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", AUDITOR_PW)
    assert main([*base, "--user", "aud", "admin", "unlock", "aud"]) == 3
    assert "locked" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", ADMIN_PW)
    assert main([*base, "--user", "boss", "admin", "unlock", "aud"]) == 0
    assert accounts.sign_in(db, "aud", AUDITOR_PW).username == "aud"


def test_changing_your_password_re_encrypts_your_signing_identity(
    sqlite_database, tmp_path, monkeypatch
):
    from caseaudit.reports.identity import create_identity, load_identity

    monkeypatch.setenv("CASEAUDIT_DATA_DIR", str(tmp_path / "data"))
    user = make_user(sqlite_database, "sam", "Sam Signer", UserRole.QA_LEAD, "first password")
    create_identity("sam", "Sam Signer", "QA lead", "first password")
    accounts.change_password(
        sqlite_database, user, "sam", "second password", current_password="first password"
    )
    assert load_identity("sam", "second password") is not None
