"""SQLCipher keys: argon2id key derivation with the salt kept in the encrypted file itself.

The 256-bit key is derived from the passphrase with argon2id (RFC 9106's low-memory profile)
and a per-database random 16-byte salt, and handed to SQLCipher as a raw key
(``PRAGMA key = "x'…'"``), so SQLCipher's own, weaker PBKDF2 step is not used. The salt is
the one SQLCipher keeps in clear in the first 16 bytes of every encrypted file: chosen when the
file is created, read back on opening. Used by ``db.open_database`` for every encrypted open
and by ``services.encryption`` for creating and re-keying databases.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from argon2.profiles import RFC_9106_LOW_MEMORY

SQLITE_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
KEY_BYTES = 32
_RAW_KEY = re.compile(r"^x'([0-9A-Fa-f]{64}|[0-9A-Fa-f]{96})'$")


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """argon2id(passphrase, salt) → 32 bytes."""
    profile = RFC_9106_LOW_MEMORY
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=profile.time_cost,
        memory_cost=profile.memory_cost,
        parallelism=profile.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def raw_key(key: bytes, salt: bytes | None = None) -> str:
    """SQLCipher's raw-key text: ``x'<key hex>'``, or with the salt the file must carry."""
    return f"x'{key.hex()}{salt.hex() if salt else ''}'"


def is_raw_key(secret: str) -> bool:
    return bool(_RAW_KEY.match(secret))


def header_salt(path: str | Path) -> bytes | None:
    """The salt in an encrypted file's first 16 bytes (None for a plain or empty file)."""
    path = Path(path)
    if not path.exists() or path.stat().st_size < SALT_BYTES:
        return None
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_HEADER))
    return None if head == SQLITE_HEADER else head[:SALT_BYTES]


def is_plain_sqlite(path: str | Path) -> bool:
    path = Path(path)
    if not path.exists():
        return False
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def can_open(path: str | Path, secret: str) -> bool:
    """Whether SQLCipher can read ``path`` with ``secret`` (raw key or passphrase)."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_quote(secret)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def _quote(secret: str) -> str:
    return '"' + secret.replace('"', '""') + '"'


def sqlcipher_key(path: str | Path, passphrase: str) -> str:
    """What to hand SQLCipher for ``path``: the argon2id raw key (with a fresh salt for a new
    file), or, for a file keyed the older way, the passphrase itself.

    A wrong passphrase gives the argon2id key, which then fails to open with the usual clear
    message. A secret that already is a raw key is returned as it is.
    """
    if is_raw_key(passphrase):
        return passphrase
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        salt = os.urandom(SALT_BYTES)
        return raw_key(derive_key(passphrase, salt), salt)
    salt = header_salt(path)
    if salt is None:
        return passphrase  # a plain file: open_database refuses it with its own message
    key = raw_key(derive_key(passphrase, salt))
    if can_open(path, key):
        return key
    if can_open(path, passphrase):
        return passphrase
    return key
