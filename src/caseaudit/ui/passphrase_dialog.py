"""The dialog that asks for an encrypted database's passphrase.

Shown when the database the user chose is encrypted and no passphrase was given (or the one
given was wrong). The passphrase is typed into a password field, is never shown or logged, and
is kept only as long as it takes to open the database. "Remember on this computer" asks for the
derived key (never the passphrase) to be kept in the system's key store; the answer is a
``Passphrase``, a string that also carries that choice.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

TITLE = "Encrypted database"
ASK = (
    "{name} is encrypted (or is not a caseaudit database at all). "
    "If it is encrypted, enter its passphrase to open it."
)
RETRY = "That passphrase did not open {name}. Check it and try again; nothing was changed."
REMEMBER = "&Remember on this computer (keeps the key in the system's key store)"


class Passphrase(str):
    """The passphrase typed, and whether to remember the database's key on this computer."""

    remember: bool = False

    @classmethod
    def answer(cls, text: str, remember: bool) -> Passphrase:
        made = cls(text)
        made.remember = remember
        return made


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
        self.remember = QCheckBox(REMEMBER, self)
        self.remember.setAccessibleName("Remember on this computer")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.field)
        layout.addWidget(self.remember)
        layout.addWidget(buttons)
        self.field.setFocus()

    def passphrase(self) -> str:
        return self.field.text()


def ask_passphrase(name: str, retry: bool, parent: QWidget | None = None) -> Passphrase | None:
    """Ask for a passphrase; None if the user cancelled."""
    dialog = PassphraseDialog(name, retry=retry, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.passphrase():
        return None
    return Passphrase.answer(dialog.passphrase(), dialog.remember.isChecked())
