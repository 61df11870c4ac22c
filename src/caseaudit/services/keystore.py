"""Key stores: where an encrypted database's derived key may be kept so no passphrase is typed.

``OsKeyStore`` keeps keys in the operating system's store (Windows Credential Locker, macOS
Keychain, the Secret Service on Linux) through the ``keyring`` package, under the service name
"caseaudit" and the database's resolved path. It stores the SQLCipher raw-key text derived with
argon2id, never the passphrase, and only when the user asks ("remember on this computer",
``--remember-key``). A computer without a usable store (``keyring``'s fail backend, as on a
headless Linux machine) never stops anyone working: reading finds nothing, so the passphrase is
asked for, and remembering or forgetting says plainly that there is no store. ``MemoryKeyStore``
holds keys in this process only (tests, and a database the window has just created).
"""

from __future__ import annotations

import logging

from ..errors import CaseAuditError

log = logging.getLogger(__name__)

SERVICE = "caseaudit"
NO_STORE = (
    "This computer has no usable key store (such as Windows Credential Locker, macOS Keychain "
    "or a Secret Service keyring), so caseaudit cannot remember the database key here."
)


class KeyStoreUnavailable(CaseAuditError):
    """The operating system's key store could not be used; nothing was kept or removed."""


class OsKeyStore:
    """The ``KeyStore`` over the ``keyring`` package; see the module docstring."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        #: Why the store could not be read the last time (None when it could).
        self.problem: str | None = None

    def get(self, database_id: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            key = keyring.get_password(self.service, database_id)
        except (KeyringError, RuntimeError, OSError) as exc:
            self.problem = NO_STORE
            log.info("OS key store not available: %s", type(exc).__name__)
            return None
        self.problem = None
        return key

    def put(self, database_id: str, key: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self.service, database_id, key)
            kept = keyring.get_password(self.service, database_id)
        except (KeyringError, RuntimeError, OSError) as exc:
            raise KeyStoreUnavailable(
                f"{NO_STORE} The passphrase will be asked for each time.", detail=str(exc)
            ) from exc
        if kept != key:  # e.g. keyring's "null" backend accepts and forgets
            raise KeyStoreUnavailable(f"{NO_STORE} The passphrase will be asked for each time.")
        log.info("Kept a database key in the OS key store")

    def forget(self, database_id: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self.service, database_id)
        except PasswordDeleteError:
            return  # nothing was kept for this database
        except (KeyringError, RuntimeError, OSError) as exc:
            raise KeyStoreUnavailable(f"{NO_STORE} Nothing was removed.", detail=str(exc)) from exc
        log.info("Removed a database key from the OS key store")


class MemoryKeyStore:
    """Keys held in this process only, gone when it ends."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def get(self, database_id: str) -> str | None:
        return self._keys.get(database_id)

    def put(self, database_id: str, key: str) -> None:
        self._keys[database_id] = key

    def forget(self, database_id: str) -> None:
        self._keys.pop(database_id, None)

    def take(self, database_id: str) -> str | None:
        """The key, removed from the store (a one-time hand-over)."""
        return self._keys.pop(database_id, None)
