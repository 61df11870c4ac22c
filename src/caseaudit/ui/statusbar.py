"""The status bar: who is signed in, which database is open, the last save, and busy work.

It always says which database is open, and says "DEMO DATA" loudly (in words, in the palette's
highlight colours, so it works in dark and high-contrast themes) when the organisation is the
demo, and "Not encrypted" beside a plain local file. The runner's ``busy_changed`` shows an
indeterminate progress bar with what is running. All parts are permanent widgets, so a passing message never hides the database.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget

from ..db import Database
from ..services.users import UserInfo
from .formatting import format_time

NOT_SIGNED_IN = "Not signed in"


def signed_in_text(user: UserInfo | None) -> str:
    """``"Signed in as Demo Auditor (Auditor)"``, or that nobody is."""
    if user is None:
        return NOT_SIGNED_IN
    return f"Signed in as {user.display_name} ({user.role.label})"


def database_label(db: Database) -> str:
    """A short name for the open database ("SQLite demo.sqlite")."""
    if db.path is None:
        return db.description
    kind = "Encrypted SQLite" if db.kind == "sqlcipher" else "SQLite"
    return f"{kind} {db.path.name}"


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class ShellStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shellStatusBar")
        self.setSizeGripEnabled(True)
        strip = QWidget(self)
        layout = QHBoxLayout(strip)
        layout.setContentsMargins(4, 0, 4, 0)
        self.signed_in = QLabel(NOT_SIGNED_IN, strip)
        self.signed_in.setObjectName("signedIn")
        self.signed_in.setAccessibleName("Signed in")
        self.database = QLabel("No database", strip)
        self.database.setObjectName("databaseLabel")
        self.database.setAccessibleName("Database")
        self.demo_badge = QLabel("DEMO DATA", strip)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAccessibleName("Demo data")
        self.demo_badge.setAccessibleDescription(
            "This is the demo database: fictional children and case files, not real records."
        )
        self.demo_badge.setToolTip(self.demo_badge.accessibleDescription())
        self.demo_badge.setStyleSheet(
            "QLabel#demoBadge { background: palette(highlight); color: palette(highlighted-text);"
            " font-weight: bold; padding: 0px 6px; border-radius: 3px; }"
        )
        self.demo_badge.hide()
        self.not_encrypted = QLabel("Not encrypted", strip)
        self.not_encrypted.setObjectName("notEncrypted")
        self.not_encrypted.setAccessibleName("Not encrypted")
        self.not_encrypted.setToolTip(
            "This database file is not encrypted: anyone who gets the file can read it."
        )
        self.not_encrypted.hide()
        self.busy_label = QLabel("", strip)
        self.busy_label.setObjectName("busyLabel")
        self.busy_bar = QProgressBar(strip)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.busy_bar.setMaximumHeight(self.fontMetrics().height())
        self.busy_bar.setTextVisible(False)
        self.busy_label.hide()
        self.busy_bar.hide()
        self.saved = QLabel("Not saved yet", strip)
        self.saved.setObjectName("savedLabel")
        self.saved.setAccessibleName("Last save")
        for widget in (
            self.signed_in,
            _separator(),
            self.database,
            self.not_encrypted,
            self.demo_badge,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        for widget in (self.busy_label, self.busy_bar, _separator(), self.saved):
            layout.addWidget(widget)
        self.addPermanentWidget(strip, 1)

    def set_database(self, db: Database) -> None:
        self.database.setText(database_label(db))
        self.database.setToolTip(db.description)
        self.database.setAccessibleDescription(db.description)
        self.not_encrypted.setVisible(db.kind == "sqlite" and db.path is not None)

    def set_organisation(self, name: str, is_demo: bool) -> None:
        self.demo_badge.setVisible(is_demo)
        if name:
            self.database.setToolTip(f"{name}\n{self.database.accessibleDescription()}")

    def set_signed_in(self, text: str | None) -> None:
        self.signed_in.setText(text or NOT_SIGNED_IN)

    def set_last_saved(self, when: datetime | None) -> None:
        """Show the time of the last save; call it only once the save has been committed."""
        self.saved.setText("Not saved yet" if when is None else f"Saved {format_time(when)}")
        self.saved.setAccessibleDescription(
            "Every change is saved as you make it; this is the time of the last one."
        )

    def set_busy(self, busy: bool, label: str = "") -> None:
        self.busy_label.setText(f"{label}…" if busy and label else "")
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)

    @property
    def is_demo_shown(self) -> bool:
        return not self.demo_badge.isHidden()
