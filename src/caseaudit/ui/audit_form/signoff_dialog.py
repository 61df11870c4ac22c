"""Signing an audit off: what is still missing, or the password again.

``SignOffDialog`` first asks the service what stops sign-off (required answers, N/A reasons,
section and overall grades, a rationale, an unacknowledged safeguarding concern). If anything
does, it lists each item in words; Enter or a double-click on one closes the dialog and takes
the form to that question (``jump_requested``), so a keyboard user goes straight to the gap.
If nothing is missing, it asks for the auditor's password again (a signature, not a formality)
and signs: the service records who, when and a hash of the content, and the audit is locked.
A wrong password, or something missing after all, is said in the dialog; nothing is signed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...errors import CaseAuditError, ValidationError
from ...services.signoff import SignOffRow, sign_off, sign_off_problems
from ...templating import MissingItem
from ..context import ShellContext
from ..formatting import plural

MISSING_ROLE = Qt.ItemDataRole.UserRole + 1
CHECKING = "Checking whether the audit is complete…"
READY = (
    "Everything is complete. Type your password again to sign the audit off. Once signed, the "
    "audit is locked: a QA lead or administrator can reopen it, and the signed version is kept."
)


class SignOffDialog(QDialog):
    """Lists what is missing (each item goes to its question) or asks for the password."""

    signed = Signal(object)
    jump_requested = Signal(object)

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signOffDialog")
        self.setWindowTitle("Sign off the audit")
        self.setAccessibleName("Sign off the audit")
        self._context = context
        self.audit_id = audit_id
        self._busy = False
        self.summary = QLabel(CHECKING, self)
        self.summary.setObjectName("signOffSummary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.missing = QListWidget(self)
        self.missing.setObjectName("missingItems")
        self.missing.setAccessibleName("What is still missing")
        self.missing.setAccessibleDescription("Press Enter on an item to go to it in the form.")
        self.missing.setWordWrap(True)
        self.missing.hide()
        self.password = QLineEdit(self)
        self.password.setObjectName("signOffPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password, to sign")
        self.password_label = QLabel("Your &password:", self)
        self.password_label.setBuddy(self.password)
        self.problem = QLabel("", self)
        self.problem.setObjectName("signOffProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_button = self.buttons.addButton(
            "&Sign off", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_button.setObjectName("signOffButton")
        self.sign_button.setAccessibleName("Sign the audit off")
        self.sign_button.setDefault(True)
        form = QFormLayout()
        form.addRow(self.password_label, self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.missing, 1)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 24)
        self._show_password(False)
        self.buttons.accepted.connect(self.sign)
        self.buttons.rejected.connect(self.reject)
        self.missing.itemActivated.connect(self._jump)  # Enter in the password: the default button

    # -- checking -------------------------------------------------------------------------
    def load(self) -> None:
        db, user, audit_id = self._context.db, self._context.user, self.audit_id
        self._context.runner.run(
            lambda: sign_off_problems(db, user, audit_id),
            self._checked,
            self._failed,
            label="Checking the audit",
            owner=self,
        )

    def _checked(self, items: list[MissingItem]) -> None:
        self.missing.clear()
        if not items:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel")
            self.summary.setText(READY)
            self.missing.hide()
            self._show_password(True)
            self.password.setFocus()
            return
        self.summary.setText(
            f"⚠ This audit cannot be signed off yet: {plural(len(items), 'thing')} still to "
            "do. Press Enter on one (or double-click it) to go straight to it."
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        for item in items:
            entry = QListWidgetItem(f"• {item.message}")
            entry.setData(MISSING_ROLE, item)
            entry.setData(Qt.ItemDataRole.AccessibleTextRole, item.message)
            self.missing.addItem(entry)
        self.missing.show()
        self._show_password(False)
        self.missing.setCurrentRow(0)
        self.missing.setFocus()

    def missing_items(self) -> list[MissingItem]:
        return [self.missing.item(i).data(MISSING_ROLE) for i in range(self.missing.count())]

    def _show_password(self, shown: bool) -> None:
        self.password.setVisible(shown)
        self.password_label.setVisible(shown)
        self.sign_button.setVisible(shown)
        self.sign_button.setEnabled(shown)

    def _jump(self, entry: QListWidgetItem) -> None:
        item = entry.data(MISSING_ROLE)
        self.reject()
        self.jump_requested.emit(item)

    # -- signing --------------------------------------------------------------------------
    def sign(self) -> None:
        if self._busy or self.password.isHidden():
            return
        password = self.password.text()
        if not password:
            self._show_problem("Type your password to sign.")
            return
        db, user, audit_id = self._context.db, self._context.user, self.audit_id
        self._busy = True
        self.sign_button.setEnabled(False)
        self._context.runner.run(
            lambda: sign_off(db, user, audit_id, password),
            self._signed,
            self._failed,
            label="Signing the audit off",
            changes={"audit", "sign_off"},
            owner=self,
        )

    def _signed(self, row: SignOffRow) -> None:
        self._busy = False
        self.password.clear()
        self.signed.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.sign_button.setEnabled(True)
        self.password.clear()
        if isinstance(exc, ValidationError):
            self._show_problem(exc.message)
            self.load()  # list what is missing now, each item linked to its question
            return
        if isinstance(exc, CaseAuditError):
            self._show_problem(exc.message)
            self.password.setFocus()
            return
        handler = self._context.runner.error_handler
        if handler is not None:
            handler(exc, "Signing the audit off")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}")
        self.problem.setAccessibleDescription(text)
        self.problem.show()
