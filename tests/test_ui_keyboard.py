"""The whole flow without a mouse: sign in, queue, open, answer, raise an action, sign off.

Every step is a key click sent to whichever widget has the keyboard focus, as a keyboard user
works. The test looks at the focused widget the way a person looks at the screen (what kind of
question is this?) to choose the keys, but never clicks, sets a value or calls a handler. It
also checks that the shortcuts are shown in the menus and that Alt+letter picks an answer
rather than opening a menu.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from caseaudit.services import audits
from caseaudit.ui.actions import MENUS, VIEW_COMMANDS, ActionId
from caseaudit.ui.audit_form.action_dialog import RaiseActionDialog
from caseaudit.ui.audit_form.question_widgets import QuestionWidget
from caseaudit.ui.audit_form.signoff_dialog import SignOffDialog
from caseaudit.ui.navigation import Area
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import PASSWORDS, active_dialog, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui

NONE = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


class Keyboard:
    """Sends keys to the focused widget, like a person at the keyboard."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot

    @property
    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, key: Qt.Key, modifier=NONE, times: int = 1) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self.focus, key, modifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus, text)


def _question_of(widget: QWidget) -> QuestionWidget | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QuestionWidget):
        parent = parent.parentWidget()
    return parent


def _answer_focused(keys: Keyboard, question: QuestionWidget) -> None:
    """Answer the focused field of ``question`` with keys only."""
    focus = keys.focus
    kind = question.question.type
    if isinstance(focus, QRadioButton) and not focus.isChecked():
        keys.press({"yes_no": Qt.Key.Key_Y, "grade": Qt.Key.Key_2}.get(kind, Qt.Key.Key_1), ALT)
    elif isinstance(focus, QCheckBox) and not any(
        b.isChecked() for b in question.control.focus_widgets() if isinstance(b, QAbstractButton)
    ):
        keys.press(Qt.Key.Key_Space)
    elif isinstance(focus, QComboBox) and focus.currentIndex() == 0:
        keys.press(Qt.Key.Key_Down)
    elif isinstance(focus, QLineEdit) and not focus.text() and kind == "date":
        keys.type("03/11/2026")
    elif isinstance(focus, QLineEdit) and not focus.text() and kind == "number":
        keys.type("6")
    elif isinstance(focus, QPlainTextEdit) and kind == "text" and question.question.required:
        keys.type("Seen on the file.")


def _complete_section(keys: Keyboard, form, overall: QWidget) -> None:
    """Tab through the section, answering each field, then grade it; stop at the overall grade."""
    page = form.pages[form.current_section()]
    for _step in range(400):
        focus = keys.focus
        if focus is overall:
            return
        if page.grade is not None and focus is page.grade and page.grade.currentIndex() == 0:
            keys.press(Qt.Key.Key_Down, times=2)  # good
        question = _question_of(focus)
        if question is not None:
            _answer_focused(keys, question)
        keys.press(Qt.Key.Key_Tab)
    raise AssertionError("Tab never reached the overall grade")


def test_an_audit_is_completed_with_the_keyboard_only(started, workbench_db, qtbot):
    keys = Keyboard(qtbot)
    auditor = sign_in_as(workbench_db, "auditor")
    target = next(
        r for r in audits.my_queue(workbench_db, auditor) if r.status == AuditStatus.NOT_STARTED
    )
    window = started(workbench_db.path)
    # sign in
    keys.type("auditor")
    keys.press(Qt.Key.Key_Tab)
    keys.type(PASSWORDS["auditor"])
    keys.press(Qt.Key.Key_Return)
    assert not window.locked and window.current_area is Area.MY_AUDITS
    view = window.view(Area.MY_AUDITS)
    # find the audit in the queue and open it
    keys.press(Qt.Key.Key_F, CTRL)
    assert view.search.hasFocus()
    keys.type(target.case_key)
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 1, timeout=5000)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    form = view.form
    assert form is not None and form.audit_id == target.audit_id
    qtbot.waitUntil(lambda: form.isAncestorOf(QApplication.focusWidget()), timeout=5000)
    # answer every section
    overall = form.overall.grade
    sections = form.section_model.section_ids
    for number, section_id in enumerate(sections):
        assert form.current_section() == section_id
        _complete_section(keys, form, overall)
        if number < len(sections) - 1:
            keys.press(Qt.Key.Key_PageDown, CTRL)
    # the overall grade: the suggestion, read from the panel as a person would
    suggested = form.grading.suggested_overall
    assert overall.hasFocus() and suggested is not None
    keys.press(Qt.Key.Key_Down, times=suggested)
    assert overall.currentData() == suggested
    # raise an action (Ctrl+Shift+A), entirely from the keyboard
    keys.press(Qt.Key.Key_A, CTRL_SHIFT)
    dialog = active_dialog(qtbot, form)
    assert isinstance(dialog, RaiseActionDialog) and dialog.description.hasFocus()
    keys.type("Team manager to review the visiting pattern with the worker")
    keys.press(Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.owner.count() > 1, timeout=5000)
    assert dialog.owner.hasFocus()
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: form.commands.dialog is None, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert form.actions_panel.count == 1
    # sign off (Ctrl+Shift+S) with the password again
    keys.press(Qt.Key.Key_S, CTRL_SHIFT)
    dialog = active_dialog(qtbot, form)
    assert isinstance(dialog, SignOffDialog)
    assert dialog.missing.isHidden(), [i.message for i in dialog.missing_items()]
    assert dialog.password.hasFocus()
    keys.type(PASSWORDS["auditor"])
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.commands.dialog is None, timeout=5000)
    signed = audits.open_audit(workbench_db, auditor, target.audit_id)
    assert signed.status == AuditStatus.SIGNED and len(signed.actions) == 1
    assert form.form.read_only


def test_menus_show_the_shortcuts(workbench, workbench_db):
    window = workbench(workbench_db)
    audit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Audit")
    shown = {a.text(): a.shortcut().toString() for a in audit_menu.actions() if a.text()}
    assert shown["Raise an &action…"] == "Ctrl+Shift+A"
    assert shown["&Sign off…"] == "Ctrl+Shift+S"
    assert shown["&Next section"] == "Ctrl+PgDown"
    assert shown["&Previous section"] == "Ctrl+PgUp"
    assert shown["&Open audit"] == "Return"
    assert shown["Child may be at &risk now…"] == "Ctrl+Shift+R"
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert "Ctrl+Shift+L" in [a.shortcut().toString() for a in file_menu.actions()]
    listed = {item for _title, items in MENUS for item in items if item is not None}
    assert set(VIEW_COMMANDS) | {ActionId.SIGN_OUT} <= listed


def test_alt_letters_pick_answers_not_menus(workbench, workbench_db, qtbot):
    keys = Keyboard(qtbot)
    window = workbench(workbench_db)
    user = window.context.user
    audit_id = next(
        r.audit_id
        for r in audits.my_queue(workbench_db, user)
        if r.status == AuditStatus.NOT_STARTED
    )
    view = window.view(Area.MY_AUDITS)
    form = view.open_audit(audit_id)
    page = form.show_section("visits")
    widget = page.questions["child_seen_alone"]
    widget.first_focus().setFocus()
    keys.press(Qt.Key.Key_A, ALT)  # N/A, not the Audit menu
    assert widget.control.buttons["na"].isChecked()
    assert widget.na_reason.isVisible()
    assert QApplication.activePopupWidget() is None
    keys.press(Qt.Key.Key_P, ALT)
    assert widget.control.buttons["partly"].isChecked()
    assert not page.questions["not_seen_alone_reason"].isHidden()
    keys.press(Qt.Key.Key_Delete)  # clears the choice
    assert not any(b.isChecked() for b in widget.control.buttons.values())
    grade = page.questions["visits_grade"]
    grade.first_focus().setFocus()
    keys.press(Qt.Key.Key_3, ALT)
    assert grade.control.buttons[3].isChecked()
    keys.press(Qt.Key.Key_Return, CTRL)  # Ctrl+Enter: to the evidence
    assert grade.evidence_edit.hasFocus()
