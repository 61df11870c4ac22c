"""Opening databases on every backend: migrate-on-open, pragmas, refusals, append-only log."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from caseaudit import db as dbmod
from caseaudit.db import head_revision, open_database
from caseaudit.errors import DatabaseError, DatabaseTooNew, WrongPassphrase
from caseaudit.models import CaseFile, ChangeLogEntry, Child, ChildIdentity, Organisation, Team
from caseaudit.vocabulary import PathwayStage

from .conftest import TEST_PASSPHRASE

EXPECTED_TABLES = {
    "organisation",
    "team",
    "worker",
    "app_user",
    "child",
    "child_identity",
    "related_person",
    "case_file",
    "pathway_event",
    "audit_template",
    "template_version",
    "audit_round",
    "sample_item",
    "audit",
    "answer",
    "section_judgement",
    "finding",
    "action",
    "sign_off",
    "change_log",
    "alembic_version",
}


def _add_child(db, name: str = "Zebedee Quartermaine") -> int:
    given, family = name.split()
    with db.session() as s:
        org = Organisation(name="Test Borough")
        team = Team(organisation=org, name="Safeguarding North")
        child = Child(
            external_id="PID1",
            case_key="C-0001",
            identity=ChildIdentity(
                given_name=given, family_name=family, date_of_birth=date(2015, 3, 2)
            ),
        )
        s.add_all([org, team, child])
        s.flush()
        s.add(
            CaseFile(
                child_id=child.id,
                team_id=team.id,
                current_stage=PathwayStage.CP_PLAN,
                opened_on=date(2026, 1, 5),
            )
        )
        return child.id


def test_open_creates_and_migrates_every_table(database):
    tables = set(inspect(database.engine).get_table_names())
    assert tables >= EXPECTED_TABLES
    with database.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == head_revision()
        )


def test_round_trip_and_foreign_keys(database):
    child_id = _add_child(database)
    with database.session() as s:
        case = s.scalars(select(CaseFile)).one()
        assert case.child.identity.full_name == "Zebedee Quartermaine"
        assert case.current_stage is PathwayStage.CP_PLAN
    with pytest.raises(DBAPIError), database.session() as s:
        s.add(
            CaseFile(
                child_id=child_id + 999,
                current_stage=PathwayStage.CONTACT,
                opened_on=date(2026, 1, 1),
            )
        )
        s.flush()


def test_change_log_is_append_only(database):
    with database.session() as s:
        s.add(ChangeLogEntry(entity="audit", entity_id="1", operation="create", after={"grade": 2}))
    for statement in ("UPDATE change_log SET entity = 'x'", "DELETE FROM change_log"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(statement))
    with database.session() as s:
        assert s.scalars(select(ChangeLogEntry.entity)).all() == ["audit"]


def test_sqlite_pragmas(sqlite_database):
    with sqlite_database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: durable commits


def test_reopen_is_idempotent(tmp_path):
    path = tmp_path / "a.sqlite"
    open_database(path).close()
    before = path.read_bytes()[:100]
    db = open_database(path)
    assert dbmod.migrate(db.engine) == (head_revision(), head_revision())
    db.close()
    assert path.read_bytes()[:100] == before


def test_database_from_newer_program_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite"
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseTooNew, match="newer version of caseaudit"):
        open_database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "9999_future",
        )


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a caseaudit database"):
        open_database(path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_missing_database_refused_when_create_is_false(tmp_path):
    with pytest.raises(DatabaseError, match="no database at"):
        open_database(tmp_path / "nope.sqlite", create=False)


FAILING_REVISION = '''"""A broken migration used by the tests."""
from alembic import op
import sqlalchemy as sa

revision = "0999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("child", sa.Column("nickname", sa.String(20)))
    op.execute("SELECT * FROM no_such_table")


def downgrade():
    pass
'''


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_failed_upgrade_rolls_back_everything(
    backend, tmp_path, monkeypatch, _sqlite_templates, _pg_template
):
    from .conftest import make_database

    gen = make_database(backend, tmp_path, _sqlite_templates, _pg_template)
    database = next(gen)
    try:
        migrations = tmp_path / "migrations"
        shutil.copytree(
            dbmod.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__")
        )
        (migrations / "versions" / "0999_broken.py").write_text(
            FAILING_REVISION.format(head=head_revision())
        )
        monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", migrations)
        with pytest.raises(DBAPIError):
            dbmod.migrate(database.engine)
        monkeypatch.undo()
        inspector = inspect(database.engine)
        assert "half_done" not in inspector.get_table_names()
        assert "nickname" not in {c["name"] for c in inspector.get_columns("child")}
        with database.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == head_revision()
            )
    finally:
        gen.close()


def test_encrypted_database_hides_personal_data(tmp_path):
    path = tmp_path / "enc.sqlite"
    db = open_database(path, passphrase=TEST_PASSPHRASE)
    _add_child(db, "Zebedee Quartermaine")
    db.close()
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("enc.sqlite-*"))
    assert b"Quartermaine" not in raw
    assert not raw.startswith(b"SQLite format 3")
    strings = subprocess.run(["strings", str(path)], capture_output=True, text=True).stdout
    assert "Quartermaine" not in strings
    db = open_database(path, passphrase=TEST_PASSPHRASE)
    with db.session() as s:
        assert s.scalars(select(ChildIdentity.family_name)).one() == "Quartermaine"
    db.close()


def test_plain_database_does_show_data_so_the_test_above_means_something(tmp_path):
    path = tmp_path / "plain.sqlite"
    db = open_database(path)
    _add_child(db)
    db.close()
    with sqlite3.connect(path) as conn:  # fold the WAL into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Quartermaine" in path.read_bytes()


def test_wrong_passphrase_and_mixups_are_clear(tmp_path):
    encrypted = tmp_path / "enc.sqlite"
    open_database(encrypted, passphrase=TEST_PASSPHRASE).close()
    plain = tmp_path / "plain.sqlite"
    open_database(plain).close()
    with pytest.raises(WrongPassphrase, match="passphrase .* is wrong"):
        open_database(encrypted, passphrase="not the passphrase")
    with pytest.raises(WrongPassphrase, match="is encrypted"):
        open_database(encrypted)
    with pytest.raises(WrongPassphrase, match="plain \\(unencrypted\\)"):
        open_database(plain, passphrase=TEST_PASSPHRASE)
    with pytest.raises(WrongPassphrase, match="needs a passphrase"):
        open_database(f"sqlcipher:///{encrypted}")
    db = open_database(f"sqlcipher:///{encrypted}", passphrase=TEST_PASSPHRASE)
    assert db.kind == "sqlcipher"
    db.close()


def test_unknown_backend_is_refused():
    with pytest.raises(DatabaseError, match="cannot use a 'mysql' database"):
        open_database("mysql://localhost/x")


def test_url_forms(tmp_path):
    for target in (tmp_path / "a.sqlite", f"sqlite:///{tmp_path / 'b.sqlite'}"):
        db = open_database(target)
        assert db.kind == "sqlite" and db.path is not None and db.path.exists()
        assert "SQLite" in db.description
        db.close()
    assert Path(tmp_path / "b.sqlite").exists()


def test_schema_head_constant_matches_the_migrations():
    from alembic.script import ScriptDirectory

    from caseaudit.db import SCHEMA_HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [SCHEMA_HEAD]
