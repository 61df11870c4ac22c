"""Opening a database for a person (CLI or window): encryption at rest is the default.

``open_for_use`` is the front door both faces use; ``db.open_database`` below it still creates
whatever it is asked to (tests and services rely on that). A local file that does not exist yet
is created encrypted (SQLCipher, argon2id key) when a passphrase is available, plain only with
an explicit reason (logged as a warning), and otherwise refused with a message naming the file
and saying how to create it; nothing is created then. An existing file opens as it is, plain or
encrypted. An encrypted file opened without a passphrase is tried with the key kept in a key
store (the OS keyring, if the user chose to remember it), then with the published demo
passphrase (so the demo opens by itself), then the caller may ask for the passphrase. With
``remember`` the derived key, never the passphrase, is put in the key store; a store that cannot
be used is reported through ``notice`` and never stops the database opening.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from ..cipher import can_open, derive_key, header_salt, is_plain_sqlite, is_raw_key, raw_key
from ..db import Database
from ..errors import CaseAuditError, DatabaseError, ValidationError, WrongPassphrase
from .backup import open_with_backups, try_daily_backup
from .demo_accounts import DEMO_PASSPHRASE
from .encryption import (
    NO_KEY_STORE,
    KeyStore,
    create_encrypted_database,
    create_unencrypted_database,
    database_id,
)

log = logging.getLogger(__name__)

Ask = Callable[[], str | None]
Notice = Callable[[str], None]


class NewDatabaseNeedsPassphrase(DatabaseError):
    """A new local database was asked for with neither a passphrase nor a reason to leave it
    unencrypted; no file was created."""


def needs_passphrase_message(path: Path) -> str:
    return (
        f"There is no database at {path} yet, and a new database is encrypted, so it needs a "
        f"passphrase. Create it with: caseaudit --db {path} db create (you will be asked for "
        "the passphrase twice), or give one with --passphrase-file or CASEAUDIT_PASSPHRASE. "
        "Only for a test database holding no real data, add --unencrypted REASON instead. "
        "No file was created."
    )


def local_file(target: str | Path) -> Path | None:
    """The file a database target names (None for a server)."""
    text = str(target)
    if "://" not in text:
        return Path(text).expanduser().resolve()
    url = make_url(text)
    if url.get_backend_name() in ("sqlite", "sqlcipher") and url.database:
        return Path(url.database).expanduser().resolve()
    return None


def is_new_file(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def demo_secret(path: Path) -> str | None:
    """The key for ``path`` if it is encrypted with the published demo passphrase."""
    salt = header_salt(path)
    if salt is None:
        return None
    key = raw_key(derive_key(DEMO_PASSPHRASE, salt))
    return key if can_open(path, key) else None


def stored_secret(path: Path, key_store: KeyStore, notice: Notice) -> str | None:
    """The key kept for ``path`` in ``key_store``, if there is one and it still opens it."""
    key = key_store.get(database_id(path))
    if key is None:
        return None
    if can_open(path, key):
        return key
    notice(
        f"The key kept on this computer for {path.name} no longer opens it (was its passphrase "
        "changed elsewhere?), so the passphrase is needed."
    )
    return None


def secret_without_passphrase(path: Path, key_store: KeyStore, notice: Notice) -> str | None:
    """For an existing encrypted file: a kept key, or the demo key; None if neither opens it."""
    return stored_secret(path, key_store, notice) or demo_secret(path)


def remember_key(db: Database, key_store: KeyStore, notice: Notice) -> bool:
    """Keep ``db``'s derived key in ``key_store``; say why not instead of failing."""
    if db.kind != "sqlcipher" or db.path is None:
        notice(f"{db.description} is not encrypted, so there is no key to remember.")
        return False
    secret = db.engine.url.password or ""
    if not is_raw_key(secret):
        notice(
            f"{db.path.name} is keyed the older way, so its key cannot be remembered yet. "
            "Change its passphrase once (caseaudit passphrase change), then remember it."
        )
        return False
    try:
        key_store.put(database_id(db.path), secret[:66] + "'")  # the key without the salt
    except CaseAuditError as exc:
        notice(exc.message)
        return False
    return True


def create_new_database(
    path: Path,
    passphrase: str | None,
    *,
    unencrypted_reason: str | None = None,
    key_store: KeyStore = NO_KEY_STORE,
    remember: bool = False,
    demo: bool = False,
    notice: Notice = log.warning,
) -> Database:
    """Create the new local database ``path``: encrypted, or plain with a logged reason."""
    if passphrase and unencrypted_reason:
        raise ValidationError(
            f"Both a passphrase and --unencrypted were given for the new database {path}. "
            "Give only one. No file was created."
        )
    if not passphrase and not unencrypted_reason and demo:
        passphrase = DEMO_PASSPHRASE
    if passphrase:
        if passphrase == DEMO_PASSPHRASE and not demo:
            raise ValidationError(
                "That passphrase is the published demo passphrase, so anyone could open the "
                "database. Choose another one. No file was created."
            )
        db = create_encrypted_database(path, passphrase)
        if remember:
            remember_key(db, key_store, notice)
    elif unencrypted_reason:
        db = create_unencrypted_database(path, unencrypted_reason)
    else:
        raise NewDatabaseNeedsPassphrase(needs_passphrase_message(path))
    try_daily_backup(db)
    return db


def open_for_use(
    target: str | Path,
    passphrase: str | None = None,
    *,
    unencrypted_reason: str | None = None,
    key_store: KeyStore = NO_KEY_STORE,
    remember: bool = False,
    demo: bool = False,
    ask_new: Ask | None = None,
    ask: Ask | None = None,
    notice: Notice = log.warning,
) -> Database:
    """Open ``target`` as a person does, applying the policy in the module docstring.

    ``demo``: a new file is the demo, encrypted with the published demo passphrase unless
    another is given. ``ask_new`` asks for a new database's passphrase (twice); ``ask`` for an
    existing encrypted file's. Both may be None (no one to ask: refuse instead).
    """
    path = local_file(target)
    if path is None:
        return open_with_backups(target, passphrase=passphrase)
    if is_new_file(path):
        if not passphrase and not unencrypted_reason and not demo and ask_new is not None:
            passphrase = ask_new()
        return create_new_database(
            path,
            passphrase,
            unencrypted_reason=unencrypted_reason,
            key_store=key_store,
            remember=remember,
            demo=demo,
            notice=notice,
        )
    if passphrase is None and not is_plain_sqlite(path):
        secret = secret_without_passphrase(path, key_store, notice)
        if secret is not None:
            return open_with_backups(path, passphrase=secret)
        passphrase = ask() if ask is not None else None
        if not passphrase:
            raise WrongPassphrase(
                f"{path} is encrypted; give its passphrase with --passphrase-file or "
                "CASEAUDIT_PASSPHRASE (add --remember-key to keep its key on this computer). "
                "Nothing was changed."
            )
        target = path
    db = open_with_backups(target, passphrase=passphrase)
    if remember:
        remember_key(db, key_store, notice)
    return db
