"""The idle lock: after a set time with no keyboard or mouse input, the window hides itself.

``IdleLock`` attaches to a main window (a helper, like the sign-in gate). An application-wide
event filter restarts a timer on a key press, click, mouse move, wheel or touch. So that every
event of a busy window does not pass through Python, the filter removes itself once it has seen
input and comes back a quarter of the idle time later (at most ten seconds), restarting the
timer then: the window locks between the idle time and a quarter more after the last input,
never earlier. When the timer runs out while someone is signed in, it hides the window's
content (the central widget is hidden, not just disabled, and a ``LockScreen`` covers the whole
window, menu bar included) and asks for the signed-in user's password. The password is checked
in the background by ``accounts.resume``, which applies the same lockout as signing in; a wrong
password says so, and a locked account says until when. How long the window may stay idle is
the organisation's setting (``accounts.security_settings``, ``idle_lock_minutes``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..errors import CaseAuditError
from ..services import accounts
from .widgets import heading, paragraph

if TYPE_CHECKING:
    from .mainwindow import MainWindow

log = logging.getLogger(__name__)

#: Input that counts as someone being at the computer.
ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
LOCKED_TEXT = (
    "caseaudit locked itself because nobody used it for {minutes}. Nothing was lost: everything "
    "was saved. Type {name}'s password to carry on."
)


#: The longest the application-wide filter stays away after it has seen input.
MAX_REARM_MS = 10_000


def _minutes(ms: int) -> str:
    minutes = max(1, round(ms / 60000))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class LockScreen(QWidget):
    """What covers a locked window: who it belongs to, the password, and why it is refused."""

    unlock_requested = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleLockScreen")
        self.setAccessibleName("caseaudit is locked")
        self.setAutoFillBackground(True)
        self.title = heading("caseaudit is locked", self, scale=1.4)
        self.text = paragraph("", self)
        self.text.setObjectName("idleLockText")
        self.text.setAccessibleName("Why caseaudit is locked")
        self.password = QLineEdit(self)
        self.password.setObjectName("idleLockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        self.problem = QLabel("", self)
        self.problem.setObjectName("idleLockProblem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why unlocking did not work")
        self.problem.hide()
        self.unlock_button = QPushButton("&Unlock", self)
        self.unlock_button.setObjectName("idleLockUnlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("Sign &out instead", self)
        self.sign_out_button.setObjectName("idleLockSignOut")
        self.sign_out_button.setAccessibleName("Sign out instead")
        self.sign_out_button.setToolTip("Sign out so someone else can sign in")
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        column = QVBoxLayout()
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addWidget(self.password)
        column.addWidget(self.problem)
        column.addLayout(buttons)
        panel = QWidget(self)
        panel.setLayout(column)
        panel.setMaximumWidth(self.fontMetrics().averageCharWidth() * 70)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(panel, 4)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(centred)
        layout.addStretch(2)
        self.unlock_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.sign_out_button.clicked.connect(self.sign_out_requested.emit)

    def _submit(self) -> None:
        if not self.password.text():
            self.show_problem("Type your password.")
            return
        self.unlock_requested.emit(self.password.text())

    def prepare(self, name: str, idle_ms: int, *, can_sign_out: bool) -> None:
        self.text.setText(LOCKED_TEXT.format(minutes=_minutes(idle_ms), name=name))
        self.password.clear()
        self.problem.hide()
        self.set_busy(False)
        self.sign_out_button.setVisible(can_sign_out)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setAccessibleDescription(text)
        self.problem.show()
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.unlock_button.setText("Checking…" if busy else "&Unlock")


class IdleLock(QObject):
    """Locks ``window`` after ``timeout_ms`` without input while someone is signed in."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: MainWindow, *, timeout_ms: int | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._locked = False
        self._busy = False
        self._hidden_central: QWidget | None = None
        self.screen = LockScreen(window)
        self.screen.hide()
        self.screen.unlock_requested.connect(self.try_unlock)
        self.screen.sign_out_requested.connect(self._sign_out)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self._rearm = QTimer(self)
        self._rearm.setSingleShot(True)
        self._rearm.timeout.connect(self._watch_input)
        self._watching = False
        self.set_timeout_ms(timeout_ms or accounts.SecuritySettings().idle_lock_minutes * 60000)
        window.installEventFilter(self)
        self._watch_input()
        if timeout_ms is None:
            self.load_settings()

    # -- settings -------------------------------------------------------------------------
    def load_settings(self) -> None:
        """Read the organisation's idle time (in the runner) and use it."""
        db = self.window.context.db
        self.window.context.runner.run(
            lambda: accounts.security_settings(db).idle_lock_minutes,
            lambda minutes: self.set_timeout_ms(int(minutes) * 60000),
            lambda exc: log.warning("idle time not read: %s", type(exc).__name__),
            label="Reading the sign-in settings",
            owner=self.window,
        )

    @property
    def timeout_ms(self) -> int:
        return self.timer.interval()

    def set_timeout_ms(self, ms: int) -> None:
        self.timer.setInterval(max(1, int(ms)))
        self.restart()

    def restart(self) -> None:
        if not self._locked:
            self.timer.start()

    # -- noticing input -------------------------------------------------------------------
    def _watch_input(self) -> None:
        """Put the application-wide filter back (input may have come while it was away)."""
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True
        self.restart()

    def _seen_input(self) -> None:
        self.timer.start()
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False
            self._rearm.start(min(MAX_REARM_MS, max(1, self.timeout_ms // 4)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Resize and self._locked:
            self.screen.setGeometry(self.window.rect())
        elif event.type() in ACTIVITY and not self._locked:
            self._seen_input()
        return False

    @property
    def is_locked(self) -> bool:
        return self._locked

    def _should_lock(self) -> bool:
        return self.window.context.user is not None and not self.window.locked

    # -- locking and unlocking ------------------------------------------------------------
    def lock(self) -> None:
        """Hide the window's content behind the lock screen (if someone is signed in)."""
        if self._locked or not self._should_lock():
            self.restart()
            return
        self._locked = True
        user = self.window.context.user
        assert user is not None
        central = self.window.centralWidget()
        if central is not None:
            central.hide()
        self._hidden_central = central
        self.screen.prepare(
            user.display_name,
            self.timeout_ms,
            can_sign_out=getattr(self.window, "sign_in_gate", None) is not None,
        )
        self.screen.setGeometry(self.window.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.window._update_actions()
        log.info("window locked after %d ms idle", self.timeout_ms)
        self.locked.emit()

    def try_unlock(self, password: str) -> None:
        user = self.window.context.user
        if not self._locked or self._busy or user is None:
            return
        self._busy = True
        self.screen.set_busy(True)
        db = self.window.context.db
        self.window.context.runner.run(
            lambda: accounts.resume(db, user, password),
            self._resumed,
            self._refused,
            label="Checking the password",
            owner=self.screen,
        )

    def _resumed(self, _user: object) -> None:
        self._busy = False
        self._reveal()
        log.info("window unlocked")
        self.unlocked.emit()

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        self.screen.set_busy(False)
        if isinstance(exc, accounts.AccountLocked):
            self.screen.show_problem(exc.message)
        elif isinstance(exc, CaseAuditError):
            self.screen.show_problem("That password is not right. Type it again.")
        else:
            self.screen.show_problem("The password could not be checked. Try again.")
            handler = self.window.context.runner.error_handler
            if handler is not None:
                handler(exc, "Checking the password")

    def _reveal(self) -> None:
        self._locked = False
        self.screen.hide()
        self.screen.password.clear()
        if self._hidden_central is not None:
            self._hidden_central.show()
        self._hidden_central = None
        self.window._update_actions()
        self.restart()

    def _sign_out(self) -> None:
        self._reveal()
        sign_out = getattr(self.window, "sign_out", None)
        if sign_out is not None:
            sign_out()
