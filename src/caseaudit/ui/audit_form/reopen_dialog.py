"""Reopening a signed audit: a reason is required, and the signed version is kept.

``ReopenDialog`` is offered only to roles that may reopen signed audits (QA lead,
administrator). It says what reopening means (the signed version and its hash stay in the
history; the next sign-off is an amendment), asks for the reason, and reopens through the
runner. A refusal is shown in the dialog with what to do.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...errors import CaseAuditError
from ...services.signoff import SignOffRow, reopen
from ..context import ShellContext

EXPLAIN = (
    "Reopening lets the audit be changed again. The signed version is kept, with its hash, in "
    "the audit's history, and signing it off again records an amendment. Say why it must be "
    "reopened: the reason is kept in the history."
)


class ReopenDialog(QDialog):
    """Ask for the reason, then reopen the signed audit."""

    reopened = Signal(object)

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reopenDialog")
        self.setWindowTitle("Reopen the signed audit")
        self.setAccessibleName("Reopen the signed audit")
        self._context = context
        self.audit_id = audit_id
        explain = QLabel(EXPLAIN, self)
        explain.setWordWrap(True)
        label = QLabel("&Reason for reopening:", self)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("reopenReason")
        self.reason.setAccessibleName("Reason for reopening")
        self.reason.setTabChangesFocus(True)
        label.setBuddy(self.reason)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.reopen_button = self.buttons.addButton(
            "Re&open", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 70, self.sizeHint().height())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.save)
        self.reason.setFocus()

    def save(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            self._show_problem("Say why the audit must be reopened.")
            return
        db, user, audit_id = self._context.db, self._context.user, self.audit_id
        self.reopen_button.setEnabled(False)
        self._context.runner.run(
            lambda: reopen(db, user, audit_id, reason),
            self._reopened,
            self._failed,
            label="Reopening the audit",
            changes={"audit", "sign_off"},
            owner=self,
        )

    def _reopened(self, row: SignOffRow) -> None:
        self.reopened.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.reopen_button.setEnabled(True)
        if isinstance(exc, CaseAuditError):
            self._show_problem(exc.message)
            return
        handler = self._context.runner.error_handler
        if handler is not None:
            handler(exc, "Reopening the audit")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}")
        self.problem.setAccessibleDescription(text)
        self.problem.show()
