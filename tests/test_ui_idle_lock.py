"""The idle lock: after the idle time the window's content is hidden until the password is typed.

A real main window offscreen on a copy of the small demo, signed in as the demo QA lead. The
test sets a tiny idle time on the lock directly (the organisation's setting is in minutes), waits
for it to engage, and types wrong and right passwords into the lock screen.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit

from caseaudit.services import accounts
from caseaudit.ui.actions import ActionId
from caseaudit.ui.idle_lock import IdleLock
from tests.workbench_helpers import PASSWORDS, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui

FOREVER = 10**8


def _locked_window(qtbot, workbench, db):
    window = workbench(db, "qa.lead")
    lock: IdleLock = window.idle_lock
    lock.set_timeout_ms(30)
    qtbot.waitUntil(lambda: lock.is_locked, timeout=10_000)
    lock.set_timeout_ms(FOREVER)  # does not re-lock straight after the test unlocks
    return window, lock


def test_the_organisation_setting_is_used(qtbot, workbench, workbench_db):
    admin = sign_in_as(workbench_db, "admin")
    accounts.update_security_settings(workbench_db, admin, idle_lock_minutes=3)
    window = workbench(workbench_db, "qa.lead")
    assert window.idle_lock.timeout_ms == 3 * 60_000


def test_locks_after_idle_time_and_hides_the_content(qtbot, workbench, workbench_db):
    window, lock = _locked_window(qtbot, workbench, workbench_db)
    assert not window.centralWidget().isVisible()
    assert lock.screen.isVisible()
    assert lock.screen.geometry() == window.rect()
    assert window.locked
    assert not window.actions[ActionId.SHOW_MY_AUDITS].isEnabled()
    assert "Demo QA Lead" in lock.screen.text.text()
    widgets = [*lock.screen.findChildren(QAbstractButton), *lock.screen.findChildren(QLineEdit)]
    assert widgets
    for widget in widgets:
        assert widget.accessibleName()


def test_wrong_password_refused_right_one_resumes(qtbot, workbench, workbench_db):
    window, lock = _locked_window(qtbot, workbench, workbench_db)
    qtbot.keyClicks(lock.screen.password, "not-my-password")
    qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)
    assert lock.is_locked
    assert lock.screen.problem.isVisible()
    assert "not right" in lock.screen.problem.text()
    assert not window.centralWidget().isVisible()

    qtbot.keyClicks(lock.screen.password, PASSWORDS["qa.lead"])
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        qtbot.mouseClick(lock.screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not lock.is_locked
    assert window.centralWidget().isVisible()
    assert not lock.screen.isVisible()
    assert window.actions[ActionId.SHOW_MY_AUDITS].isEnabled()


def test_lockout_applies_on_the_lock_screen(qtbot, workbench, workbench_db):
    _window, lock = _locked_window(qtbot, workbench, workbench_db)
    attempts = accounts.security_settings(workbench_db).lockout_attempts
    for _ in range(attempts + 1):
        lock.try_unlock("wrong password")
    assert "locked" in lock.screen.problem.text()
    lock.try_unlock(PASSWORDS["qa.lead"])  # even the right password waits for the lockout
    assert lock.is_locked


def test_does_not_lock_when_nobody_is_signed_in(qtbot, make_window, cases_db):
    window = make_window(cases_db)
    window.idle_lock.lock()
    assert not window.idle_lock.is_locked
    assert window.centralWidget().isVisible()


def test_steady_input_keeps_it_unlocked_and_the_filter_steps_aside(qtbot, workbench, workbench_db):
    """Input keeps the window open well past the idle time; between bursts the application-wide
    filter is away (so ordinary events skip Python), and the lock still comes once input stops."""
    window = workbench(workbench_db, "qa.lead")
    lock: IdleLock = window.idle_lock
    lock.set_timeout_ms(400)
    target = window.centralWidget()
    for _ in range(12):  # 1.2 s of typing: three times the idle time
        qtbot.keyClick(target, Qt.Key.Key_Shift)
        assert not lock._watching  # it saw the key, and stepped aside
        qtbot.wait(100)
        assert not lock.is_locked
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5_000)
