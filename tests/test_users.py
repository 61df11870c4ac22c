"""Program users: argon2id hashes, authentication, refusals with clear words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseaudit.errors import AuthenticationFailed, ValidationError
from caseaudit.models import User
from caseaudit.services.users import authenticate, list_users
from caseaudit.vocabulary import UserRole

from .factories import make_user


def test_create_and_authenticate(database):
    created = make_user(database, "J.Rahman", "J. Rahman", UserRole.AUDITOR, "long enough pw")
    assert created.username == "j.rahman"
    with database.session() as s:
        stored = s.scalars(select(User)).one().password_hash
    assert stored.startswith("$argon2id$") and "long enough pw" not in stored
    who = authenticate(database, "J.RAHMAN ", "long enough pw")
    assert who.id == created.id and who.role is UserRole.AUDITOR
    assert [u.username for u in list_users(database)] == ["j.rahman"]


def test_wrong_password_does_not_say_which_part_was_wrong(database):
    make_user(database, "qa", "QA Lead", UserRole.QA_LEAD, "another password")
    for name, password in (("qa", "wrong password"), ("nobody", "another password")):
        with pytest.raises(AuthenticationFailed, match="user name or password is not right"):
            authenticate(database, name, password)
    with database.session() as s:
        assert s.scalars(select(User.failed_logins)).one() == 1


def test_refusals_list_every_problem(database):
    with pytest.raises(ValidationError) as caught:
        make_user(database, "bad name!", "", UserRole.AUDITOR, "short")
    assert len(caught.value.problems) == 2
    make_user(database, "dup", "", UserRole.AUDITOR, "password one")
    with pytest.raises(ValidationError) as duplicate:
        make_user(database, "DUP", "", UserRole.AUDITOR, "password two")
    assert any("'dup'" in problem for problem in duplicate.value.problems)


def test_the_user_list_is_for_administrators_only(sqlite_database):
    from caseaudit.errors import PermissionDenied
    from caseaudit.services.accounts import users_for

    admin = make_user(sqlite_database, "admin", "Admin", UserRole.ADMINISTRATOR, "admin password")
    auditor = make_user(sqlite_database, "aud", "Aud", UserRole.AUDITOR, "auditor password")
    assert [u.username for u in users_for(sqlite_database, admin)] == ["admin", "aud"]
    for who in (auditor, None):
        with pytest.raises(PermissionDenied, match="manage users"):
            users_for(sqlite_database, who)


def test_the_cli_user_list_needs_a_signed_in_administrator(sqlite_database, monkeypatch, capsys):
    from caseaudit.cli import main

    make_user(sqlite_database, "admin", "Admin", UserRole.ADMINISTRATOR, "admin password")
    make_user(sqlite_database, "aud", "Aud", UserRole.AUDITOR, "auditor password")
    db = str(sqlite_database.path)
    sqlite_database.close()
    monkeypatch.delenv("CASEAUDIT_USER", raising=False)
    assert main(["--db", db, "users", "list"]) != 0
    assert "needs a user" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "auditor password")
    assert main(["--db", db, "--user", "aud", "users", "list"]) == 3
    assert "may not manage users" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "admin password")
    assert main(["--db", db, "--user", "admin", "users", "list"]) == 0
    assert "aud" in capsys.readouterr().out
