"""The dialog that asks for an encrypted database's passphrase.

Shown when the database the user chose is encrypted and no passphrase was given (or the one
given was wrong). The passphrase is typed into a password field, is never shown or logged, and
is kept only as long as it takes to open the database.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

TITLE = "Encrypted database"
ASK = (
    "{name} is encrypted (or is not a caseaudit database at all). "
    "If it is encrypted, enter its passphrase to open it."
)
RETRY = "That passphrase did not open {name}. Check it and try again; nothing was changed."


class PassphraseDialog(QDialog):
    def __init__(self, name: str, *, retry: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.message = QLabel((RETRY if retry else ASK).format(name=name), self)
        self.message.setWordWrap(True)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName("Passphrase")
        self.field.setAccessibleDescription(self.message.text())
        self.message.setBuddy(self.field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        self.field.setFocus()

    def passphrase(self) -> str:
        return self.field.text()


def ask_passphrase(name: str, retry: bool, parent: QWidget | None = None) -> str | None:
    """Ask for a passphrase; None if the user cancelled."""
    dialog = PassphraseDialog(name, retry=retry, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.passphrase():
        return None
    return dialog.passphrase()
