"""Domain errors: what went wrong, in words a social care manager can act on.

Every error raised by a service is a ``CaseAuditError``. Its message is shown to the user as is
(dialog or CLI), so it must say what happened, what it means for their data and what to do next.
Technical detail for the log goes in ``detail``, never personal data.
"""

from __future__ import annotations


class CaseAuditError(Exception):
    """Base class of every error a user may see."""

    exit_code = 1

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class Cancelled(CaseAuditError):
    """The work was cancelled at the user's request; nothing was changed.

    Every cancellation (a demo build, an import, a report, a backup, a purge, a trail check) is
    one of these, so ``except Cancelled`` catches them all. The CLI exits with 130, as for Ctrl+C.
    """

    exit_code = 130


class DatabaseError(CaseAuditError):
    """The database could not be opened or used."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer caseaudit than this one."""


class WrongPassphrase(DatabaseError):
    """An encrypted database was opened with the wrong passphrase (or a plain file as encrypted)."""


class NotFound(CaseAuditError):
    """A named record does not exist."""


class ValidationError(CaseAuditError):
    """Input was refused; ``problems`` lists each reason."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class PermissionDenied(CaseAuditError):
    """The signed-in user's role does not allow this operation."""

    exit_code = 3


class AuthenticationFailed(CaseAuditError):
    """Wrong user name or password, or a locked account."""

    exit_code = 3


class DiskFull(DatabaseError):
    """The disk filled up during a save: the change was not made, earlier saves are safe."""
