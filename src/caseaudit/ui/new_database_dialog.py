"""File → New database…: a new local database file, encrypted unless the user says otherwise.

The dialog asks for the file (typed, or chosen with Browse), the passphrase twice (the strength
rule from ``encryption.check_passphrase`` is shown as it is typed) and whether to remember the
key on this computer; "Leave unencrypted (testing only)" instead reveals a required reason,
which is logged. Creating runs in the runner (argon2id takes a moment) through
``opening.create_new_database``; the new file is then closed and ``created(path)`` is emitted,
so it opens through the normal start-up path. The derived key is handed over in this process
only (``CREATED_KEYS``), so the passphrase is not asked for again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..errors import CaseAuditError, ValidationError
from ..services.encryption import check_passphrase, database_id
from ..services.keystore import MemoryKeyStore
from .runner import Runner
from .widgets import add_layout_row, paragraph

#: Keys of databases this window just created, taken once by ``Startup.open``.
CREATED_KEYS = MemoryKeyStore()

TEXT = {
    "title": "New database",
    "intro": "A new database is encrypted: without its passphrase the file cannot be read. "
    "Keep the passphrase safe: if it is lost, so is the data.",
    "strong": "The passphrase is long enough.",
    "different": "The two passphrases are not the same.",
    "unencrypted": "Leave unencrypted (testing only)",
    "warning": "An unencrypted file can be read by anyone who gets hold of it. Never put real "
    "children's data in it. The reason is written to the log.",
    "remember": "Remember on this computer",
    "remember_tip": "Keeps the database's key (never the passphrase) in the system's key store, "
    "so you are not asked for the passphrase on this computer.",
    "no_path": "Choose where to save the new database.",
    "no_reason": "Say why this database is left unencrypted.",
    "exists": "There is already a file there; choose another name.",
}


def create_database_file(
    path: Path, passphrase: str | None, reason: str | None, remember: bool
) -> tuple[str | None, list[str]]:
    """Create and close the database (on the runner's thread); its key and any notices."""
    from ..services.keystore import OsKeyStore
    from ..services.opening import create_new_database

    notices: list[str] = []
    db = create_new_database(
        path,
        passphrase,
        unencrypted_reason=reason,
        key_store=OsKeyStore(),
        remember=remember,
        notice=notices.append,
    )
    key = db.engine.url.password if db.kind == "sqlcipher" else None
    db.close()
    return key, notices


class NewDatabaseDialog(QDialog):
    created = Signal(str)

    def __init__(
        self, runner: Runner, start: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TEXT["title"])
        self.runner = runner
        self.notices: list[str] = []
        self.path = QLineEdit(str(start) if start else "", self)
        self.path.setAccessibleName("New database file")
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose where to save the new database")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.passphrase = self._secret("Passphrase")
        self.repeat = self._secret("Passphrase again")
        self.strength = QLabel("", self)
        self.strength.setObjectName("passphraseRule")
        self.strength.setWordWrap(True)
        self.remember = QCheckBox(TEXT["remember"], self)
        self.remember.setToolTip(TEXT["remember_tip"])
        self.unencrypted = QCheckBox(TEXT["unencrypted"], self)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Why it is left unencrypted")
        self.reason.setPlaceholderText("for example: testing the importer with invented data")
        self.warning = paragraph(TEXT["warning"], self)
        self.problem = QLabel("", self)
        self.problem.setObjectName("newDatabaseProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.form = QFormLayout()
        add_layout_row(self.form, "&File:", where, self.path)
        self.form.addRow("&Passphrase:", self.passphrase)
        self.form.addRow("Passphrase &again:", self.repeat)
        self.form.addRow("", self.strength)
        self.form.addRow("", self.remember)
        self.form.addRow("", self.unencrypted)
        self.form.addRow("&Reason:", self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("&Create")
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(TEXT["intro"], self))
        layout.addLayout(self.form)
        layout.addWidget(self.warning)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.passphrase, self.repeat):
            field.textChanged.connect(self._show_rule)
        self.unencrypted.toggled.connect(self._set_unencrypted)
        self._set_unencrypted(False)
        self._show_rule()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)

    def _secret(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    def browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, TEXT["title"], self.path.text(), "caseaudit databases (*.sqlite)"
        )
        if chosen:
            self.path.setText(chosen if chosen.endswith(".sqlite") else chosen + ".sqlite")

    def _set_unencrypted(self, plain: bool) -> None:
        for field in (self.passphrase, self.repeat, self.strength, self.remember):
            field.setEnabled(not plain)
        for widget in (self.reason, self.warning, self.form.labelForField(self.reason)):
            if widget is not None:
                widget.setVisible(plain)

    def rule_text(self) -> str:
        """What is wrong with the passphrase as typed, or that it is fine."""
        try:
            check_passphrase(self.passphrase.text())
        except ValidationError as exc:
            return exc.problems[0] if exc.problems else exc.message
        if self.repeat.text() and self.repeat.text() != self.passphrase.text():
            return TEXT["different"]
        return TEXT["strong"]

    def _show_rule(self) -> None:
        self.strength.setText(self.rule_text())
        self.strength.setAccessibleDescription(self.strength.text())

    def _check(self) -> tuple[Path, str | None, str | None]:
        text = self.path.text().strip()
        if not text:
            raise ValidationError(TEXT["no_path"])
        path = Path(text).expanduser()
        if path.exists() and path.stat().st_size:
            raise ValidationError(TEXT["exists"])
        if self.unencrypted.isChecked():
            reason = self.reason.text().strip()
            if not reason:
                raise ValidationError(TEXT["no_reason"])
            return path, None, reason
        check_passphrase(self.passphrase.text())
        if self.passphrase.text() != self.repeat.text():
            raise ValidationError(TEXT["different"])
        return path, self.passphrase.text(), None

    def create(self) -> None:
        try:
            path, passphrase, reason = self._check()
        except ValidationError as exc:
            self._show_problem(exc)
            return
        remember = self.remember.isChecked() and passphrase is not None
        self.create_button.setEnabled(False)
        self.problem.hide()
        self.runner.run(
            lambda: create_database_file(path, passphrase, reason, remember),
            lambda result: self._created(path, result),
            self._failed,
            label="Creating the database",
            owner=self,
        )

    def _created(self, path: Path, result: tuple[str | None, list[str]]) -> None:
        key, self.notices = result
        if key is not None:
            CREATED_KEYS.put(database_id(path), key)
        self.passphrase.clear()
        self.repeat.clear()
        self.accept()
        self.created.emit(str(path))

    def _failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        if isinstance(exc, CaseAuditError):
            self._show_problem(exc)
            return
        handler = self.runner.error_handler
        if handler is not None:
            handler(exc, "Creating the database")

    def _show_problem(self, exc: CaseAuditError) -> None:
        problems = getattr(exc, "problems", None) or []
        self.problem.setText(" ".join([exc.message, *problems]))
        self.problem.setAccessibleDescription(self.problem.text())
        self.problem.show()
