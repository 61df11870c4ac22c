"""Shared fixtures: real databases on every backend, copied from a migrated template per test.

``database`` is parametrised over plain SQLite, SQLCipher-encrypted SQLite and PostgreSQL.
SQLite tests copy a freshly migrated file (like Anki's ``getEmptyCol``); PostgreSQL tests get a
new database cloned from a migrated template database on the server that ``.ci/run`` starts
(its URL in ``CASEAUDIT_TEST_PG_URL`` or ``/tmp/caseaudit-pg/url``). Outside CI a missing server
skips only the PostgreSQL variants; in CI it is an error.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from caseaudit.db import Database, open_database  # noqa: E402

if sys.version_info < (3, 12):
    # PySide6 6.12 on Python 3.11 drops references to None/True/False (see
    # caseaudit.app.keep_singletons_alive); the whole suite runs with the same guard as the app.
    from caseaudit.app import keep_singletons_alive

    keep_singletons_alive()

TEST_PASSPHRASE = "correct horse battery staple"
BACKENDS = ["sqlite", "sqlcipher", "postgresql"]
_counter = itertools.count()


def postgres_url() -> str | None:
    url = os.environ.get("CASEAUDIT_TEST_PG_URL")
    if not url and Path("/tmp/caseaudit-pg/url").exists():
        url = Path("/tmp/caseaudit-pg/url").read_text().strip()
    return url or None


def _admin_engine(url: str):
    return create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    plain = folder / "plain.sqlite"
    open_database(plain).close()
    encrypted = folder / "encrypted.sqlite"
    open_database(encrypted, passphrase=TEST_PASSPHRASE).close()
    return {"sqlite": plain, "sqlcipher": encrypted}


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str | None]:
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: start the server with .ci/postgres.sh")
        yield None
        return
    admin = _admin_engine(url)
    name = f"caseaudit_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    tpl_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    open_database(tpl_url).close()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_database(
    backend: str, tmp_path: Path, sqlite_templates, pg_template
) -> Iterator[Database]:
    if backend == "postgresql":
        url = postgres_url()
        if pg_template is None or url is None:
            pytest.skip("no PostgreSQL server (start one with .ci/postgres.sh start)")
        admin = _admin_engine(url)
        name = f"caseaudit_t{os.getpid()}_{next(_counter)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
        db = open_database(make_url(url).set(database=name).render_as_string(hide_password=False))
        try:
            yield db
        finally:
            db.close()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    target = tmp_path / f"{backend}.sqlite"
    shutil.copyfile(sqlite_templates[backend], target)
    passphrase = TEST_PASSPHRASE if backend == "sqlcipher" else None
    db = open_database(target, passphrase=passphrase)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path, _sqlite_templates, _pg_template) -> Iterator[Database]:
    """A migrated, empty database on each backend in turn."""
    yield from make_database(request.param, tmp_path, _sqlite_templates, _pg_template)


@pytest.fixture(params=["sqlite", "sqlcipher"])
def local_database(request, tmp_path, _sqlite_templates) -> Iterator[Database]:
    """A migrated, empty local file, plain and encrypted in turn (SQLite-only code paths)."""
    yield from make_database(request.param, tmp_path, _sqlite_templates, None)


@pytest.fixture
def sqlite_database(tmp_path, _sqlite_templates) -> Iterator[Database]:
    """A migrated, empty plain SQLite database (for tests that need only one backend)."""
    yield from make_database("sqlite", tmp_path, _sqlite_templates, None)
