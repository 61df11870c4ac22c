"""Opening a caseaudit database: engines, pragmas, sessions and migrate-on-open.

``open_database`` accepts a plain SQLite path, a ``sqlite:///`` URL, a ``sqlcipher:///`` URL
(or any path with a passphrase) for an encrypted file, or a ``postgresql://`` URL for team mode.
SQLite connections run in WAL mode with foreign keys on and ``synchronous=FULL`` so a commit
survives a power cut; transactions are begun explicitly so that DDL is transactional too (and
with the write lock, BEGIN IMMEDIATE, when asked to by the ``BEGIN_IMMEDIATE`` option).
Opening migrates the schema to the program's head in one transaction; a database written by a
newer program is refused with a clear message and left untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .cipher import SQLITE_HEADER, sqlcipher_key
from .errors import DatabaseError, DatabaseTooNew, DiskFull, WrongPassphrase

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = _SHIPPED_MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration's revision; a test keeps it equal to Alembic's head. Opening a
#: database already at this revision skips importing Alembic at all (start-up time).
SCHEMA_HEAD = "0002"
#: Execution option: begin this SQLite transaction holding the write lock (BEGIN IMMEDIATE).
BEGIN_IMMEDIATE = "caseaudit_begin_immediate"


@dataclass
class Database:
    """An open database: its engine, a session factory and what kind of store it is."""

    engine: Engine
    session_factory: sessionmaker[Session]
    kind: str  # "sqlite" | "sqlcipher" | "postgresql"
    path: Path | None

    @property
    def description(self) -> str:
        if self.kind == "postgresql":
            url = self.engine.url
            return f"PostgreSQL {url.host or 'localhost'}/{url.database}"
        label = "encrypted " if self.kind == "sqlcipher" else ""
        return f"{label}SQLite {self.path}"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if "full" in str(exc.orig).lower():  # SQLITE_FULL / PostgreSQL "No space left"
                raise DiskFull(
                    "The disk is full, so your last change was not saved. Everything saved "
                    "before it is safe. Free some disk space, then make the change again."
                ) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def resolve_url(target: str | Path, passphrase: str | None = None) -> tuple[URL, str, Path | None]:
    """Turn what the user typed into a SQLAlchemy URL, a backend kind and a file path."""
    text_target = str(target)
    if "://" not in text_target:
        path = Path(text_target).expanduser().resolve()
        if passphrase:
            return _sqlcipher_url(path, passphrase), "sqlcipher", path
        return URL.create("sqlite+pysqlite", database=str(path)), "sqlite", path
    url = make_url(text_target)
    backend = url.get_backend_name()
    if backend in ("sqlcipher",) or url.drivername == "sqlite+pysqlcipher":
        path = Path(url.database or "").expanduser().resolve()
        secret = passphrase or url.password
        if not secret:
            raise WrongPassphrase(
                f"The encrypted database {path} needs a passphrase. "
                "Give it with --passphrase-file or the CASEAUDIT_PASSPHRASE environment variable."
            )
        return _sqlcipher_url(path, secret), "sqlcipher", path
    if backend == "sqlite":
        path = Path(url.database or "").expanduser().resolve()
        if passphrase:
            return _sqlcipher_url(path, passphrase), "sqlcipher", path
        return URL.create("sqlite+pysqlite", database=str(path)), "sqlite", path
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg"), "postgresql", None
    raise DatabaseError(
        f"caseaudit cannot use a {backend!r} database. Use a SQLite file, an encrypted "
        "sqlcipher:/// file or a postgresql:// server."
    )


def _sqlcipher_url(path: Path, passphrase: str) -> URL:
    """The URL with the argon2id-derived raw key (see ``cipher``), never the passphrase."""
    return URL.create(
        "sqlite+pysqlcipher", password=sqlcipher_key(path, passphrase), database=str(path)
    )


def _install_sqlite_hooks(engine: Engine, kind: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (transactional DDL)
        cursor = dbapi_connection.cursor()
        if kind == "sqlcipher":
            # A wrong passphrase is reported to the user by open_database(); keep SQLCipher's
            # own decryption warnings off stderr.
            cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: URL, kind: str) -> Engine:
    # hide_parameters: SQL parameter values (which may be a child's name) never appear in
    # exception messages, and so never reach a dialog or the log.
    if kind == "postgresql":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
    _install_sqlite_hooks(engine, kind)
    return engine


def _check_file(path: Path, kind: str) -> None:
    """Give a precise message when a file is of the wrong kind, before SQLite says less."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(16)
    if kind == "sqlcipher" and header == SQLITE_HEADER:
        raise WrongPassphrase(
            f"{path} is a plain (unencrypted) SQLite database, but a passphrase was given. "
            "Open it without a passphrase. Nothing was changed."
        )
    if kind == "sqlite" and header != SQLITE_HEADER:
        raise WrongPassphrase(
            f"{path} is encrypted, or is not a database at all. If it is an encrypted caseaudit "
            "database, open it with its passphrase. Nothing was changed."
        )


def alembic_config(connection=None) -> Config:  # noqa: ANN001
    from alembic.config import Config  # alembic is imported only when migrating (start-up time)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def _current_revision(engine: Engine) -> str | None:
    """The database's schema revision, read without Alembic (None if it has none)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


BeforeMigration = Callable[[Engine, str, str], object]


def migrate(
    engine: Engine, before_migration: BeforeMigration | None = None
) -> tuple[str | None, str]:
    """Upgrade the schema to the program's head in one transaction; return (before, after).

    ``before_migration(engine, from_revision, to_revision)`` runs first when an existing
    database is about to be upgraded (the application passes the pre-migration backup); if it
    raises, nothing is migrated.
    """
    if MIGRATIONS_DIR == _SHIPPED_MIGRATIONS and _current_revision(engine) == SCHEMA_HEAD:
        return SCHEMA_HEAD, SCHEMA_HEAD
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    head = script.get_heads()[0]
    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
        unknown = [rev for rev in current if rev not in known]
        if unknown:
            raise DatabaseTooNew(
                "This database was written by a newer version of caseaudit (schema "
                f"{', '.join(unknown)}) than this one (schema {head}). Install the newer version "
                "to open it. Nothing was changed."
            )
        before = current[0] if current else None
        if before is None:
            existing = set(inspect(conn).get_table_names()) - {"alembic_version"}
            if existing:
                raise DatabaseError(
                    "This database has tables but is not a caseaudit database "
                    f"(found {', '.join(sorted(existing)[:5])}). Nothing was changed."
                )
        if before != head:
            if before is not None and before_migration is not None:
                before_migration(engine, before, head)
            log.info("Migrating database schema from %s to %s", before, head)
            command.upgrade(alembic_config(conn), "head")
    return before, head


def open_database(
    target: str | Path,
    *,
    passphrase: str | None = None,
    create: bool = True,
    run_migrations: bool = True,
    before_migration: BeforeMigration | None = None,
) -> Database:
    """Open (and, if allowed, create and migrate) the database at ``target``."""
    url, kind, path = resolve_url(target, passphrase)
    if path is not None:
        if not create and not path.exists():
            raise DatabaseError(f"There is no database at {path}. Check the path and try again.")
        _check_file(path, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url, kind)
    try:
        with engine.connect() as conn:
            conn.execute(
                text("SELECT count(*) FROM sqlite_master" if kind != "postgresql" else "SELECT 1")
            )
        if run_migrations:
            migrate(engine, before_migration)
    except (SADatabaseError, OperationalError) as exc:
        engine.dispose()
        message = str(getattr(exc, "orig", exc))
        if kind == "sqlcipher" and "not a database" in message:
            raise WrongPassphrase(
                f"The passphrase for {path} is wrong (or the file is not an encrypted caseaudit "
                "database). Nothing was changed; try again with the right passphrase."
            ) from exc
        raise DatabaseError(
            f"Could not open the database {url.render_as_string()}: {message}"
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, session_factory=factory, kind=kind, path=path)
