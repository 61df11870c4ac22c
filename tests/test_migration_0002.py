"""Migration 0002 (imports, programmes, round auditors) upgrades a 0001 database keeping every row.

``tests/data/schema_0001.sqlite`` is a small database written by caseaudit at schema 0001 with a
round, its sample items and an audit. Regenerate it (only if 0001 itself changes, which it must
not) with ``python -m tests.test_migration_0002``. The same rows are written to PostgreSQL at
0001 and upgraded there too. On SQLite the upgrade must not rebuild ``audit_round``: with foreign
keys on, dropping the old table would cascade-delete the sample items, which this test catches.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from caseaudit.db import alembic_config, create_db_engine, open_database, resolve_url
from caseaudit.models import Base

from .conftest import postgres_url

FIXTURE = Path(__file__).with_name("data") / "schema_0001.sqlite"
COUNTED = (
    "organisation",
    "team",
    "worker",
    "app_user",
    "child",
    "child_identity",
    "case_file",
    "pathway_event",
    "audit_template",
    "template_version",
    "audit_round",
    "sample_item",
    "audit",
)
ROWS = [
    "INSERT INTO organisation (id, name, is_demo, settings) VALUES (1, 'Testshire', false, '{}')",
    "INSERT INTO team (id, organisation_id, name, service) VALUES (1, 1, 'Safeguarding North', '')",
    "INSERT INTO worker (id, external_id, name, role, team_id, active) VALUES "
    "(1, 'W1', 'Neil Barton', 'team_manager', 1, true)",
    "INSERT INTO app_user (id, username, display_name, role, password_hash, worker_id, active, "
    "failed_logins, created_at) VALUES (1, 'qa', 'Quinn', 'qa_lead', 'x', NULL, true, 0, "
    "'2025-01-01 09:00:00')",
    "INSERT INTO child (id, external_id, case_key, gender, birth_year, ethnicity, disability, "
    "created_at, updated_at) VALUES (1, 'P1', 'C-0001', '', 2015, '', false, '2025-01-01 09:00:00', "
    "'2025-01-01 09:00:00'), (2, 'P2', 'C-0002', '', 2016, '', false, '2025-01-01 09:00:00', "
    "'2025-01-01 09:00:00')",
    "INSERT INTO child_identity (child_id, given_name, family_name, address, postcode) VALUES "
    "(1, 'Ann', 'Lee', '', ''), (2, 'Bo', 'Ray', '', '')",
    "INSERT INTO case_file (id, child_id, team_id, worker_id, current_stage, status, "
    "legal_status, placement_type, opened_on, source_list, updated_at) VALUES "
    "(1, 1, 1, 1, 'cp_plan', 'open', '', '', '2024-04-03', 'cin-cp', '2025-01-01 09:00:00'), "
    "(2, 2, 1, 1, 'cin_plan', 'open', '', '', '2024-05-03', 'cin-cp', '2025-01-01 09:00:00')",
    "INSERT INTO pathway_event (id, case_file_id, external_id, stage, started_on, outcome, detail) "
    "VALUES (1, 1, 'E1', 'icpc', '2024-04-01', 'proceeded', '')",
    "INSERT INTO audit_template (id, key, title, theme, builtin) VALUES "
    "(1, 'front-door', 'Front door', '', true)",
    "INSERT INTO template_version (id, template_id, version, scale, source_name, source_text, "
    "sha256, definition, question_count, loaded_at) VALUES (1, 1, '1.0', 'ofsted-2009', '', "
    "'id: front-door', 'x', '{}', 0, '2025-01-01 09:00:00')",
    "INSERT INTO audit_round (id, name, theme, template_version_id, period_start, period_end, "
    "status, sample_spec, seed, method, created_by_user_id, created_at) VALUES (1, 'January', '', "
    "1, '2025-01-01', '2025-01-31', 'sampled', '{}', 7, '{\"seed\": 7}', 1, '2025-01-01 09:00:00')",
    "INSERT INTO sample_item (id, round_id, case_file_id, stratum, reason, reason_note, "
    "auditor_user_id, removed, removed_reason) VALUES (1, 1, 1, 'CP', 'random', '', 1, false, ''), "
    "(2, 1, 2, 'CIN', 'manual', 'Panel', 1, false, '')",
    "INSERT INTO audit (id, case_file_id, template_version_id, sample_item_id, auditor_user_id, "
    "status, overall_rationale, updated_at) VALUES (1, 1, 1, 1, 1, 'in_progress', '', "
    "'2025-01-02 09:00:00')",
]


def write_rows(conn: Connection) -> None:
    for statement in ROWS:
        conn.execute(text(statement))


def build_fixture(path: Path = FIXTURE) -> Path:
    """Write the 0001 fixture file (small: 1 KiB pages, rollback journal, vacuumed)."""
    path.unlink(missing_ok=True)
    url, kind, _ = resolve_url(path)
    engine = create_db_engine(url, kind)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("BEGIN")
    for statement in ROWS:
        raw.execute(statement)
    raw.execute("COMMIT")
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.execute("PRAGMA page_size = 1024")
    raw.execute("VACUUM")
    raw.close()
    return path


def counts(conn: Connection) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}


def check_upgraded(conn: Connection) -> None:
    assert counts(conn) == {
        t: (2 if t in ("child", "child_identity", "case_file", "sample_item") else 1)
        for t in COUNTED
    }
    tables = set(inspect(conn).get_table_names())
    assert {"import_mapping_profile", "import_run", "programme", "round_auditor"} <= tables
    row = conn.execute(
        text("SELECT programme_id, period_label, sampled_at, method FROM audit_round")
    ).one()
    assert row[0] is None and row[1] == "" and row[2] is None
    assert (
        conn.execute(text("SELECT reason_note FROM sample_item WHERE id = 2")).scalar_one()
        == "Panel"
    )
    diff = compare_metadata(
        MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
    )
    assert diff == []


def test_fixture_is_small_and_at_0001():
    assert FIXTURE.stat().st_size < 200_000
    with sqlite3.connect(FIXTURE) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert raw.execute("SELECT count(*) FROM sample_item").fetchone() == (2,)


def test_sqlite_0001_database_upgrades_keeping_its_rows(tmp_path):
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, copy)
    db = open_database(copy)
    try:
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
            )
            check_upgraded(conn)
            # the upgraded foreign key works: a round can point at a programme, and only a real one
            conn.execute(text("PRAGMA foreign_key_check"))
            assert (
                inspect(conn).get_foreign_keys("audit_round")[-1]["referred_table"] == "programme"
            )
    finally:
        db.close()


def test_downgrade_and_upgrade_again_keep_the_rows(tmp_path):
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, copy)
    open_database(copy).close()
    url, kind, _ = resolve_url(copy)
    engine = create_db_engine(url, kind)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert "programme" not in inspect(conn).get_table_names()
        assert counts(conn)["sample_item"] == 2
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.connect() as conn:
        check_upgraded(conn)
    engine.dispose()


def test_postgresql_0001_database_upgrades_keeping_its_rows():
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server (start one with .ci/postgres.sh start)")
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = "caseaudit_migration_0002"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        url_, kind, _ = resolve_url(target)
        engine = create_db_engine(url_, kind)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
            write_rows(conn)
            for table in (
                "organisation",
                "team",
                "worker",
                "app_user",
                "child",
                "case_file",
                "pathway_event",
                "audit_template",
                "template_version",
                "audit_round",
                "sample_item",
                "audit",
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        engine.dispose()
        db = open_database(target)
        with db.engine.connect() as conn:
            check_upgraded(conn)
        db.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    print(f"Wrote {build_fixture()} ({FIXTURE.stat().st_size} bytes)")
