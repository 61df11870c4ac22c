"""The error dialog: what happened, what it means for the data, and what to do next.

Every failure the GUI shows goes through ``show_error``. A ``CaseAuditError`` already speaks to
the user, so its message is shown as it is, with any list of problems; anything else is an
unexpected fault, explained in plain words. The technical detail (exception types and the
traceback) goes to the log file, never into the dialog, and with SQL parameter values left out
so no child's name can reach the log.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from sqlalchemy.exc import StatementError

from .. import paths
from ..errors import CaseAuditError

log = logging.getLogger("caseaudit.ui")

UNEXPECTED = "Something went wrong that caseaudit did not expect{doing}."
UNEXPECTED_MEANING = (
    "Anything you saved before this is safe: each change is saved in one step, and a step "
    "that fails part-way is undone."
)
UNEXPECTED_TODO = (
    "Try again. If it happens again, send the log file (Help → Open the log folder) to "
    "whoever supports caseaudit in your organisation."
)


def _safe_message(exc: BaseException) -> str:
    """An exception's message without the SQL parameter values it may carry."""
    if isinstance(exc, StatementError):
        orig = exc.orig
        reason = f"{type(orig).__name__}: {orig}" if orig is not None else "statement failed"
        return f"{type(exc).__name__}: {reason} [SQL: {exc.statement}]"
    if isinstance(exc, CaseAuditError):
        detail = f" (detail: {exc.detail})" if exc.detail else ""
        return f"{type(exc).__name__}: {exc.message}{detail}"
    return f"{type(exc).__name__}: {exc}"


def describe_for_log(exc: BaseException) -> str:
    """The traceback of ``exc`` and its causes, with messages made safe for the log."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{_safe_message(current)}")
        current = current.__cause__ or current.__context__
    return "\n-- caused by --\n".join(parts)


def log_error(exc: BaseException, doing: str = "") -> None:
    log.error("%s failed:\n%s", doing or "An operation", describe_for_log(exc))


def _log_file_hint() -> str:
    try:
        return f"Technical details were written to the log file in {paths.log_dir()}."
    except OSError:
        return "Technical details could not be written to the log file."


def error_texts(exc: BaseException, doing: str = "") -> tuple[str, str]:
    """The dialog's main text and its explanation for ``exc``."""
    if isinstance(exc, CaseAuditError):
        problems = getattr(exc, "problems", None) or []
        lines = [f"• {problem}" for problem in problems]
        return exc.message, "\n".join([*lines, _log_file_hint()]).strip()
    doing_text = f" while {doing[0].lower()}{doing[1:]}" if doing else ""
    main = UNEXPECTED.format(doing=doing_text)
    return main, f"{UNEXPECTED_MEANING}\n\n{UNEXPECTED_TODO}\n\n{_log_file_hint()}"


def show_problem(
    label: QLabel, exc: BaseException, doing: str, *, closing: str = "", most: int | None = None
) -> None:
    """Log ``exc`` safely and show on ``label`` what it means: the main sentence, each listed
    problem (the first ``most``), and ``closing`` (e.g. "Nothing was changed.")."""
    log_error(exc, doing)
    main, _explanation = error_texts(exc, doing)
    problems = list(getattr(exc, "problems", None) or [])[:most]
    text = "\n".join([main, *[f"• {p}" for p in problems], *([closing] if closing else [])])
    label.setText(f"⚠ {text}")
    label.setAccessibleDescription(text)
    label.show()


def build_error_dialog(
    parent: QWidget | None, exc: BaseException, doing: str = "", title: str = ""
) -> QMessageBox:
    """A message box for ``exc`` (not yet shown), with no traceback in it."""
    main, explanation = error_texts(exc, doing)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or (f"caseaudit — {doing}" if doing else "caseaudit"))
    box.setText(main)
    box.setInformativeText(explanation)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAccessibleName("Error")
    box.setAccessibleDescription(f"{main} {explanation}")
    return box


def show_error(
    parent: QWidget | None, exc: BaseException, doing: str = "", title: str = ""
) -> None:
    """Log ``exc`` safely and show it in a modal dialog."""
    log_error(exc, doing)
    build_error_dialog(parent, exc, doing, title).exec()
