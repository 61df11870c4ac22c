"""Signing in: the page the window shows before anything from the database, and the gate.

``SignInGate`` attaches to a main window (STYLE.md habit 9: a helper, not more window code): it
puts ``SignInPage`` in place of the window's content until someone signs in, and back when they
sign out, so no case key or team is ever on screen for someone who has not signed in. The page
checks the password in the background (argon2id is slow on purpose; ``accounts.sign_in`` adds
the lockout after repeated failures), says plainly why a sign-in was refused, and on the demo
database lists the published demo accounts, clearly marked as fictional data, and says that the
demo file is encrypted with the published demo passphrase. A database with no users yet (a new
one from File → New database) asks for its first administrator instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..errors import CaseAuditError
from ..services.demo_accounts import DEMO_CREDENTIALS, DEMO_PASSPHRASE
from ..services.users import UserInfo, list_users
from .context import ShellContext
from .navigation import Area
from .statusbar import database_label
from .widgets import heading, paragraph

if TYPE_CHECKING:
    from .mainwindow import MainWindow

log = logging.getLogger(__name__)

DEMO_NOTE = (
    "This is the demo database: every child, case file and worker in it is invented. Its "
    "accounts and passwords are published so anyone can try caseaudit. Never put real case "
    "files in the demo."
)
DEMO_ENCRYPTED = (
    "The demo file is encrypted with the published demo passphrase \u201c{passphrase}\u201d, so "
    "anyone can open it: it must never hold real children's data."
)
DEMO_PLAIN = "This demo file is not encrypted: it must never hold real children's data."
USE_DEMO = "Double-click an account, or press Enter on it, to fill in its user name and password."
FIRST_ADMIN_NOTE = (
    "This database has no users yet. Create the first administrator: the person who will add "
    "everyone else's accounts. Choose a password of at least 8 characters."
)


def _sign_in(db: object, username: str, password: str) -> UserInfo:
    """``accounts.sign_in`` (with the lockout) where it exists, else ``users.authenticate``."""
    try:
        from ..services.accounts import sign_in
    except ImportError:  # pragma: no cover - the accounts service is optional
        from ..services.users import authenticate as sign_in
    return sign_in(db, username, password)  # type: ignore[arg-type]


def _create_first_administrator(
    db: object, username: str, display_name: str, password: str
) -> UserInfo:
    from ..services.accounts import create_first_administrator

    create_first_administrator(db, username, display_name, password)  # type: ignore[arg-type]
    return _sign_in(db, username, password)


def _line(name: str, parent: QWidget, *, secret: bool = False) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SignInPage(QWidget):
    """User name and password (or the first administrator's details), checked in the background."""

    signed_in = Signal(object)

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPage")
        self.setAccessibleName("Sign in to caseaudit")
        self._context = context
        self._busy = False
        self._first_admin = False
        organisation = context.overview.organisation_name or "A new caseaudit database"
        self.title = heading("Sign in to caseaudit", self, scale=1.4)
        self.where = paragraph(f"{organisation} · {database_label(context.db)}", self)
        self.where.setObjectName("signInDatabase")
        self.note = paragraph("", self)
        self.note.setObjectName("signInNote")
        self.note.hide()

        self.username = _line("signInUser", self)
        self.username.setAccessibleName("User name")
        self.display_name = _line("signInDisplayName", self)
        self.display_name.setAccessibleName("Your name, as others will see it")
        self.password = _line("signInPassword", self, secret=True)
        self.password.setAccessibleName("Password")
        self.repeat = _line("signInRepeat", self, secret=True)
        self.repeat.setAccessibleName("Password again")
        self.form = QFormLayout()
        self.form.addRow("&User name:", self.username)
        self.form.addRow("Your &name:", self.display_name)
        self.form.addRow("&Password:", self.password)
        self.form.addRow("Password &again:", self.repeat)
        self.problem = QLabel("", self)
        self.problem.setObjectName("signInProblem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why signing in did not work")
        self.problem.setStyleSheet("QLabel#signInProblem { color: palette(bright-text); }")
        self.problem.hide()
        self.button = QPushButton("&Sign in", self)
        self.button.setObjectName("signInButton")
        self.button.setAccessibleName("Sign in")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)

        self.demo_box = QGroupBox("Demo accounts — fictional data only", self)
        self.demo_box.setObjectName("demoAccounts")
        self.demo_box.setAccessibleName("Demo accounts")
        self.demo_accounts = QListWidget(self.demo_box)
        self.demo_accounts.setObjectName("demoAccountList")
        self.demo_accounts.setAccessibleName("Demo accounts")
        self.demo_accounts.setAccessibleDescription(
            "Press Enter on an account to fill in its user name and password."
        )
        for username, password, role, _display in DEMO_CREDENTIALS:
            item = QListWidgetItem(f"{role.label}:  {username}  /  {password}")
            item.setData(Qt.ItemDataRole.UserRole, (username, password))
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{role.label}: user name {username}, password {password}",
            )
            self.demo_accounts.addItem(item)
        self.demo_accounts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.demo_accounts.setFixedHeight(
            self.demo_accounts.sizeHintForRow(0) * len(DEMO_CREDENTIALS)
            + 2 * self.demo_accounts.frameWidth()
            + 4
        )
        demo_layout = QVBoxLayout(self.demo_box)
        demo_layout.addWidget(paragraph(DEMO_NOTE, self.demo_box))
        encrypted = getattr(context.db, "kind", None) == "sqlcipher"
        self.demo_file_note = paragraph(
            DEMO_ENCRYPTED.format(passphrase=DEMO_PASSPHRASE) if encrypted else DEMO_PLAIN,
            self.demo_box,
        )
        self.demo_file_note.setObjectName("demoFileNote")
        demo_layout.addWidget(self.demo_file_note)
        demo_layout.addWidget(paragraph(USE_DEMO, self.demo_box))
        demo_layout.addWidget(self.demo_accounts)
        self.demo_box.setVisible(context.overview.is_demo)

        column = QVBoxLayout()
        column.addWidget(self.title)
        column.addWidget(self.where)
        column.addWidget(self.note)
        column.addLayout(self.form)
        column.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        column.addLayout(buttons)
        column.addSpacing(self.fontMetrics().height())
        column.addWidget(self.demo_box)
        panel = QWidget(self)
        panel.setLayout(column)
        panel.setMaximumWidth(self.fontMetrics().averageCharWidth() * 80)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(panel, 4)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(centred)
        layout.addStretch(2)

        self.button.clicked.connect(self.submit)
        for edit in (self.username, self.display_name, self.password, self.repeat):
            edit.returnPressed.connect(self.submit)
        self.demo_accounts.itemActivated.connect(self.use_demo_account)
        self._set_mode(first_admin=False)

    # -- modes ----------------------------------------------------------------------------
    def check_for_users(self) -> None:
        """Ask the database whether anyone can sign in yet (if not: the first administrator)."""
        db = self._context.db
        self._context.runner.run(
            lambda: len(list_users(db)),  # a count: a bool would cross a signal (see runner)
            lambda users: self._set_mode(first_admin=users == 0),
            self._failed,
            label="Reading the users",
            owner=self,
        )

    def _set_mode(self, *, first_admin: bool) -> None:
        self._first_admin = first_admin
        for field in (self.display_name, self.repeat):
            field.setVisible(first_admin)
            label = self.form.labelForField(field)
            if label is not None:
                label.setVisible(first_admin)
        self.title.setText(
            "Create the first administrator" if first_admin else "Sign in to caseaudit"
        )
        self.title.setAccessibleName(self.title.text())
        self.note.setText(FIRST_ADMIN_NOTE if first_admin else "")
        self.note.setVisible(first_admin)
        self.button.setText("&Create and sign in" if first_admin else "&Sign in")
        self.button.setAccessibleName(self.button.text().replace("&", ""))
        self.demo_box.setVisible(self._context.overview.is_demo and not first_admin)

    @property
    def first_admin(self) -> bool:
        return self._first_admin

    def reset(self) -> None:
        """Empty the fields (after signing out) and put the cursor in the user name."""
        for edit in (self.username, self.display_name, self.password, self.repeat):
            edit.clear()
        self.problem.hide()
        self._set_busy(False)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def use_demo_account(self, item: QListWidgetItem) -> None:
        username, password = item.data(Qt.ItemDataRole.UserRole)
        self.username.setText(username)
        self.password.setText(password)
        self.button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- signing in -----------------------------------------------------------------------
    def submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self._show_problem("Type your user name and password.")
            (self.password if username else self.username).setFocus()
            return
        db = self._context.db
        if self._first_admin:
            if password != self.repeat.text():
                self._show_problem("The two passwords are not the same. Type them again.")
                self.password.clear()
                self.repeat.clear()
                self.password.setFocus()
                return
            display = self.display_name.text().strip()
            op = lambda: _create_first_administrator(db, username, display, password)  # noqa: E731
            label = "Creating the first administrator"
        else:
            op = lambda: _sign_in(db, username, password)  # noqa: E731
            label = "Signing in"
        self._set_busy(True)
        self._context.runner.run(op, self._done, self._failed, label=label, owner=self)

    def _done(self, user: UserInfo) -> None:
        self._set_busy(False)
        self.password.clear()
        self.repeat.clear()
        self.problem.hide()
        log.info("signed in: user %s", user.id)
        self.signed_in.emit(user)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, CaseAuditError):
            problems = getattr(exc, "problems", None) or []
            self._show_problem(" ".join([exc.message, *problems]))
            self.password.clear()
            self.repeat.clear()
            self.password.setFocus()
            return
        handler = self._context.runner.error_handler
        if handler is not None:
            handler(exc, "Signing in")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setAccessibleDescription(text)
        self.problem.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setEnabled(not busy)
        if busy:
            self.button.setText("Checking…")
        else:
            self.button.setText("&Create and sign in" if self._first_admin else "&Sign in")


class SignInGate(QObject):
    """Keeps a main window's content behind the sign-in page until someone signs in."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.content = window.takeCentralWidget()
        self.page = SignInPage(window.context)
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("signInStack")
        self.stack.addWidget(self.page)
        self.stack.addWidget(self.content)
        window.setCentralWidget(self.stack)
        self.page.signed_in.connect(self._unlock)
        self._locked = True
        self.stack.setCurrentWidget(self.page)
        self.page.check_for_users()
        self.page.reset()

    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self) -> None:
        """Hide everything behind the sign-in page (the window has already signed out)."""
        self._locked = True
        self.stack.setCurrentWidget(self.page)
        self.page.check_for_users()
        self.page.reset()
        self.window._update_actions()

    def _unlock(self, user: UserInfo) -> None:
        self._locked = False
        self.stack.setCurrentWidget(self.content)
        self.window.set_user(user)
        self.window.show_area(Area.MY_AUDITS)
        view = self.window.view(Area.MY_AUDITS)
        focus = getattr(view, "focus_list", None)
        if focus is not None:
            focus()
