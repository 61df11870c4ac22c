"""Signing in: nothing from the database shows first; demo accounts; refusals; signing out.

The program's own start-up path (``Startup``) opens a copy of the small demo and shows the
window with the sign-in page in place of its content; signing in lands on My audits. A new
database with no users asks for its first administrator. Passwords are checked for real
(argon2id, with the lockout of ``services.accounts``).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from caseaudit.services.users import list_users
from caseaudit.ui.actions import ActionId
from caseaudit.ui.audit_form.form_view import AuditFormView
from caseaudit.ui.login_dialog import DEMO_NOTE, SignInPage
from caseaudit.ui.mainwindow import MainWindow
from caseaudit.ui.navigation import Area
from caseaudit.vocabulary import AuditStatus, UserRole
from tests.workbench_helpers import PASSWORDS, audit_with_status, saved_answers, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


def _page(window: MainWindow) -> SignInPage:
    assert window.sign_in_gate is not None
    return window.sign_in_gate.page


def _visible_texts(window: MainWindow) -> list[str]:
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    return texts + [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]


def _type_and_sign_in(qtbot, page: SignInPage, username: str, password: str) -> None:
    page.username.setFocus()
    qtbot.keyClicks(page.username, username)
    qtbot.keyClick(page.username, Qt.Key.Key_Tab)
    assert page.password.hasFocus()
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def test_nothing_from_the_database_shows_before_sign_in(started, workbench_db):
    window = started(workbench_db.path)
    page = _page(window)
    assert window.locked and page.isVisible() and page.username.hasFocus()
    assert window.view(Area.MY_AUDITS) is None and window.view(Area.CASES) is None
    assert not window.rail.isVisible()
    assert not [t for t in _visible_texts(window) if "C-0" in t]
    assert window.status.signed_in.text() == "Not signed in"
    for action_id in (
        ActionId.SHOW_CASES,
        ActionId.SHOW_MY_AUDITS,
        ActionId.FIND,
        ActionId.SIGN_OFF,
    ):
        assert not window.actions[action_id].isEnabled()
    assert window.actions[ActionId.QUIT].isEnabled()
    assert window.actions[ActionId.ABOUT].isEnabled()


def test_demo_accounts_are_shown_marked_as_fictional(started, workbench_db, qtbot):
    window = started(workbench_db.path)
    page = _page(window)
    assert page.demo_box.isVisible() and "fictional" in page.demo_box.title()
    assert any(DEMO_NOTE in t for t in _visible_texts(window))
    assert page.demo_accounts.count() == 6
    page.demo_accounts.setFocus()
    qtbot.keyClick(page.demo_accounts, Qt.Key.Key_Down)
    qtbot.keyClick(page.demo_accounts, Qt.Key.Key_Down)
    qtbot.keyClick(page.demo_accounts, Qt.Key.Key_Return)
    assert page.username.text() == "auditor"
    assert page.password.text() == PASSWORDS["auditor"]
    assert page.button.hasFocus()
    qtbot.keyClick(page.button, Qt.Key.Key_Space)
    assert not window.locked


def test_a_wrong_password_is_refused_in_words(started, workbench_db, qtbot):
    window = started(workbench_db.path)
    page = _page(window)
    _type_and_sign_in(qtbot, page, "auditor", "not the password")
    assert window.locked
    assert page.problem.isVisible() and "not right" in page.problem.text()
    assert page.password.text() == "" and page.password.hasFocus()
    assert started.errors == []


def test_signing_in_lands_on_my_audits(started, workbench_db, qtbot):
    window = started(workbench_db.path)
    _type_and_sign_in(qtbot, _page(window), "auditor", PASSWORDS["auditor"])
    assert not window.locked and window.current_area is Area.MY_AUDITS
    assert window.status.signed_in.text().startswith("Signed in as Demo Auditor")
    view = window.view(Area.MY_AUDITS)
    assert view.model.rowCount() == 20 and view.table.hasFocus()
    assert window.rail.isVisible() and window.actions[ActionId.SHOW_CASES].isEnabled()
    assert window.actions[ActionId.SIGN_OUT].isEnabled()


def test_signing_out_saves_what_is_waiting_and_hides_everything(started, workbench_db, qtbot):
    window = started(workbench_db.path)
    _type_and_sign_in(qtbot, _page(window), "auditor", PASSWORDS["auditor"])
    user = window.context.user
    audit_id = audit_with_status(workbench_db, user, AuditStatus.IN_PROGRESS)
    view = window.view(Area.MY_AUDITS)
    form = view.open_audit(audit_id)
    assert isinstance(form, AuditFormView)
    page = form.show_section(form.current_section())
    widget = next(w for w in page.questions.values() if w.evidence_edit and not w.isHidden())
    widget.evidence_edit.setFocus()
    qtbot.keyClick(widget.evidence_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget.evidence_edit, " Checked at sign-out")
    assert form.autosave.waiting
    qtbot.keyClick(
        widget.evidence_edit,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.locked and window.context.user is None and view.form is None
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id][1].endswith(
        "Checked at sign-out"
    )
    page = _page(window)
    assert page.isVisible() and page.username.text() == "" and page.password.text() == ""
    assert window.status.signed_in.text() == "Not signed in"
    qtbot.keyClick(page.username, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and page.isVisible()  # Ctrl+3 (Cases) does nothing until sign-in


def test_a_new_database_asks_for_its_first_administrator(started, sqlite_database, qtbot):
    window = started(sqlite_database.path)
    page = _page(window)
    assert page.first_admin and page.title.text() == "Create the first administrator"
    assert not page.demo_box.isVisible() and page.repeat.isVisible()
    page.username.setText("j.rahman")
    page.display_name.setText("J. Rahman")
    page.password.setText("long enough password")
    page.repeat.setText("another password")
    page.submit()
    assert window.locked and "not the same" in page.problem.text()
    page.password.setText("long enough password")
    page.repeat.setText("long enough password")
    page.submit()
    assert not window.locked
    assert window.status.signed_in.text() == "Signed in as J. Rahman (Administrator)"
    (user,) = list_users(sqlite_database)
    assert user.role == UserRole.ADMINISTRATOR


def test_repeated_failures_lock_the_account(started, workbench_db, qtbot):
    window = started(workbench_db.path)
    page = _page(window)
    for _ in range(6):
        _type_and_sign_in(qtbot, page, "auditor", "wrong password")
        page.username.clear()
    assert "locked" in page.problem.text()
    _type_and_sign_in(qtbot, page, "auditor", PASSWORDS["auditor"])
    assert window.locked and "locked" in page.problem.text()
    sign_in_as(workbench_db, "qa.lead")  # other accounts are unaffected
