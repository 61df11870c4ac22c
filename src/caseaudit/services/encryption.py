"""Encryption at rest: new local databases are SQLCipher files keyed from a passphrase.

The 256-bit key is derived from the passphrase with argon2id (RFC 9106's low-memory profile:
3 passes over 64 MiB, 4 lanes) and a per-database random 16-byte salt, and handed to SQLCipher
as a raw key (``PRAGMA key = "x'…'"``), so SQLCipher's own, weaker PBKDF2 step is not used.
The salt is the one SQLCipher already keeps in clear in the first 16 bytes of every encrypted
file: we choose it when the file is created (raw key plus salt) and read it back on opening,
so a database is one self-contained file: copying it to a backup or a USB stick can never part
it from its salt, as a sidecar file could. Files keyed the older way (SQLCipher deriving the
key from the passphrase itself) still open, and move to argon2id at the next passphrase change.
A key may be kept in an OS key store through the ``KeyStore`` interface (``keystore.OsKeyStore``
over the ``keyring`` package, opt-in); the default keeps none. Which of these a person gets when
opening or creating a database is decided by ``services.opening``.
An unencrypted database needs an explicit reason, which is logged as a warning.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol

from ..cipher import (  # noqa: F401  (re-exported: the key functions live beside db.py)
    KEY_BYTES,
    SALT_BYTES,
    SQLITE_HEADER,
    _quote,
    can_open,
    derive_key,
    header_salt,
    is_plain_sqlite,
    is_raw_key,
    raw_key,
    sqlcipher_key,
)
from ..db import Database, open_database
from ..errors import CaseAuditError, DatabaseError, ValidationError, WrongPassphrase
from . import trail
from .permissions import Permission, require
from .users import UserInfo

log = logging.getLogger(__name__)

MIN_PASSPHRASE_LENGTH = 10


class KeyStore(Protocol):
    """Somewhere to keep a database's derived key so the passphrase need not be typed.

    ``keystore.OsKeyStore`` (Windows Credential Locker, macOS Keychain, Secret Service) stores
    the raw-key text under ``database_id`` (the file's path), never the passphrase.
    """

    def get(self, database_id: str) -> str | None: ...

    def put(self, database_id: str, key: str) -> None: ...

    def forget(self, database_id: str) -> None: ...


class NoKeyStore:
    """The default: remember nothing, so the passphrase is asked for every time."""

    def get(self, database_id: str) -> str | None:
        return None

    def put(self, database_id: str, key: str) -> None:
        return None

    def forget(self, database_id: str) -> None:
        return None


NO_KEY_STORE = NoKeyStore()


def database_id(path: str | Path) -> str:
    return str(Path(path).expanduser().resolve())


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            "The passphrase was not accepted.",
            [
                f"A passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long; "
                "a few unrelated words are easy to remember and hard to guess."
            ],
        )


def create_encrypted_database(
    path: str | Path, passphrase: str, *, key_store: KeyStore = NO_KEY_STORE
) -> Database:
    """Create (and migrate) a new encrypted database keyed from ``passphrase``."""
    path = Path(path).expanduser().resolve()
    if path.exists() and path.stat().st_size > 0:
        raise ValidationError(
            f"There is already a database at {path}; choose another file name. Nothing was changed."
        )
    check_passphrase(passphrase)
    salt = os.urandom(SALT_BYTES)
    key = derive_key(passphrase, salt)
    db = open_database(path, passphrase=raw_key(key, salt))
    key_store.put(database_id(path), raw_key(key))
    log.info("Created an encrypted database (argon2id key, SQLCipher)")
    return db


def open_encrypted_database(
    path: str | Path,
    passphrase: str | None = None,
    *,
    create: bool = True,
    key_store: KeyStore = NO_KEY_STORE,
) -> Database:
    """Open an encrypted database with its passphrase, or with a key from ``key_store``."""
    path = Path(path).expanduser().resolve()
    if passphrase is None:
        stored = key_store.get(database_id(path))
        if stored is None:
            raise WrongPassphrase(f"The encrypted database {path} needs its passphrase.")
        return open_database(path, passphrase=stored, create=False)
    if not path.exists() and create:
        return create_encrypted_database(path, passphrase, key_store=key_store)
    return open_database(path, passphrase=sqlcipher_key(path, passphrase), create=create)


def create_unencrypted_database(path: str | Path, reason: str) -> Database:
    """Create a plain SQLite database, only with a stated reason, which is logged."""
    if not reason.strip():
        raise ValidationError(
            "An unencrypted database needs a reason (for example 'testing'). Children's data "
            "belongs in an encrypted database."
        )
    path = Path(path).expanduser().resolve()
    if path.exists() and path.stat().st_size > 0:
        raise ValidationError(f"There is already a database at {path}. Nothing was changed.")
    log.warning("Creating an UNENCRYPTED database at %s (reason given: %s)", path, reason.strip())
    return open_database(path)


def create_local_database(
    path: str | Path,
    passphrase: str | None,
    *,
    unencrypted_reason: str | None = None,
    key_store: KeyStore = NO_KEY_STORE,
) -> Database:
    """A new local database: encrypted unless a reason to leave it plain is given."""
    if passphrase:
        return create_encrypted_database(path, passphrase, key_store=key_store)
    if unencrypted_reason:
        return create_unencrypted_database(path, unencrypted_reason)
    raise ValidationError(
        "A new database is encrypted, so it needs a passphrase. To create an unencrypted one "
        "for testing, give a reason explicitly."
    )


def change_passphrase(
    db: Database,
    actor: UserInfo | None,
    current_passphrase: str,
    new_passphrase: str,
    *,
    key_store: KeyStore = NO_KEY_STORE,
) -> Database:
    """Re-encrypt ``db`` under a new passphrase (SQLCipher ``PRAGMA rekey``); return it reopened.

    ``db`` is closed first; the change needs the only connection to the file, so another
    caseaudit window with it open makes this fail, changing nothing. The rekey runs in one
    transaction with a rollback journal, so a crash leaves the old passphrase in force.
    """
    require(actor, Permission.ADMINISTER)
    if db.kind != "sqlcipher" or db.path is None:
        raise ValidationError("Only an encrypted local database has a passphrase to change.")
    check_passphrase(new_passphrase)
    path = db.path
    current = sqlcipher_key(path, current_passphrase)
    if not can_open(path, current):
        raise WrongPassphrase("The current passphrase is not right; nothing was changed.")
    salt = header_salt(path) or os.urandom(SALT_BYTES)
    new_key = raw_key(derive_key(new_passphrase, salt))
    db.close()
    _rekey(path, current, new_key)
    try:
        key_store.put(database_id(path), new_key)
    except CaseAuditError as exc:  # the change is made; only remembering it failed
        log.warning("The new key was not kept in the key store: %s", exc.message)
    log.info("Changed the passphrase of an encrypted database")
    reopened = open_database(path, passphrase=new_key, create=False)
    with trail.writing(reopened) as s:
        trail.append(s, actor.id, "database", "passphrase", "passphrase_change", None, None)
    return reopened


def _rekey(path: Path, current: str, new_key: str) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_quote(current)}")
        conn.execute("PRAGMA busy_timeout = 2000")
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchall()
        except sqlcipher3.OperationalError as exc:
            raise DatabaseError(
                "The passphrase was not changed because the database is open elsewhere (another "
                "caseaudit window or program). Close it and try again.",
                detail=str(exc),
            ) from exc
        conn.execute(f"PRAGMA rekey = {_quote(new_key)}").fetchall()
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    finally:
        conn.close()
    if not can_open(path, new_key):  # pragma: no cover - SQLCipher failed silently
        raise DatabaseError("The passphrase change could not be confirmed; keep the old one.")
