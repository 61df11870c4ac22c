"""Accessibility: every interactive widget is named; signed audits stay readable; the system's
font size and palette are respected.

The walk goes through the main window signed in on My audits, an open audit form with every
section built, each of the form's dialogs, a signed (read-only) audit and the sign-in page, and
asks Qt's accessibility layer (what a screen reader hears) for each interactive widget's name.
Qt's own parts of compound widgets (the line edit inside a combo box, scroll bars, the viewport
of a list) are named by Qt from their owner and are left out.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from caseaudit.services.escalation import ConcernRow
from caseaudit.ui.audit_form.concern_dialog import AcknowledgeDialog
from caseaudit.ui.audit_form.question_widgets import QuestionWidget
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import audit_with_status, open_form

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui

INTERACTIVE = (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
    QTabBar,
)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt makes inside its own compound widgets, which Qt names from their owner."""
    if isinstance(widget, QScrollBar) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if (
            isinstance(parent, QComboBox | QAbstractSpinBox)
            or parent.objectName().startswith("qt_")
            and not isinstance(parent, QDialog)
        ):
            return True
        if isinstance(parent, QTabBar | QLineEdit):
            return True  # the tab bar's scroll buttons, a line edit's clear button
        parent = parent.parentWidget()
    return False


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed(root: QWidget) -> list[str]:
    """Interactive widgets under ``root`` that a screen reader would not name."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or _qt_internal(widget):
            continue
        if not accessible_name(widget):
            found.append(
                f"{type(widget).__name__} {widget.objectName()!r} in "
                f"{type(widget.parentWidget()).__name__}"
            )
    return found


def test_the_main_window_and_the_audit_form_name_every_control(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.IN_PROGRESS)
    form = open_form(qtbot, window, audit_id)
    for section_id in form.section_model.section_ids:
        form.show_section(section_id)
    assert unnamed(window) == [], unnamed(window)
    for command in ("raise_action", "child_at_risk", "sign_off"):
        window.run_view_command(command)
        dialog = form.commands.dialog
        assert isinstance(dialog, QDialog)
        assert unnamed(dialog) == [], command
        dialog.reject()
    concern = ConcernRow(1, audit_id, "text", form.form.updated_at, "A", 1, "M", None, None, "")
    dialog = AcknowledgeDialog(window.context, concern, window)
    assert unnamed(dialog) == []


def test_answer_fields_are_described_by_their_guidance(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.NOT_STARTED)
    form = open_form(qtbot, window, audit_id)
    page = form.show_section("visits")
    widget = page.questions["child_seen_alone"]
    for field in widget.focus_widgets():
        assert "Question" in accessible_name(widget.title)
        assert field.accessibleDescription().startswith(widget.question.guidance.split()[0])
    yes = widget.control.buttons["yes"]
    assert accessible_name(yes).startswith("Yes") and widget.question.text in accessible_name(yes)


def test_a_signed_audit_is_read_only_but_reachable_by_keyboard(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.SIGNED)
    form = open_form(qtbot, window, audit_id)
    assert form.form.read_only
    for section_id in form.section_model.section_ids:
        page = form.show_section(section_id)
        for widget in page.findChildren(QuestionWidget):
            for field in widget.focus_widgets():
                assert field.isReadOnly() and field.focusPolicy() & Qt.FocusPolicy.TabFocus
                assert accessible_name(field)
        assert page.grade is None and (page.grade_view is None or page.grade_view.isReadOnly())
    assert unnamed(window) == []
    first = form.pages[form.current_section()].first_field()
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not first and form.isAncestorOf(QApplication.focusWidget())


def test_the_sign_in_page_names_every_control(started, workbench_db):
    window = started(workbench_db.path)
    assert unnamed(window) == []


def test_the_system_font_size_is_respected(workbench, workbench_db, qtbot):
    app = QApplication.instance()
    original = app.font()
    big = QFont(original)
    big.setPointSizeF(max(original.pointSizeF(), 9) * 1.6)
    app.setFont(big)
    try:
        window = workbench(workbench_db)
        audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.IN_PROGRESS)
        form = open_form(qtbot, window, audit_id)
        page = form.pages[form.current_section()]
        question = next(iter(page.questions.values()))
        assert question.title.font().pointSizeF() >= big.pointSizeF() - 0.01
        assert form.header.title.font().pointSizeF() > big.pointSizeF()
        assert form.overall.suggested.font().pointSizeF() >= big.pointSizeF() - 0.01
    finally:
        app.setFont(original)


def test_a_dark_high_contrast_palette_keeps_overdue_readable(workbench, workbench_db):
    from caseaudit.ui.queue_model import DUE_COLUMN, overdue_colour

    app = QApplication.instance()
    original = app.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
    dark.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.black)
    dark.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.white)
    dark.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.white)
    app.setPalette(dark)
    try:
        assert overdue_colour().lightness() > 160  # light red on black
        window = workbench(workbench_db)
        view = window.view(window.current_area)
        overdue = next(r for r in view.model.rows if r.overdue)
        index = view.model.index(view.model.row_of(overdue.audit_id), DUE_COLUMN)
        assert index.data().endswith("!")  # never the colour alone
    finally:
        app.setPalette(original)
    assert overdue_colour().lightness() < 128


def test_every_mnemonic_label_in_the_form_dialogs_has_a_buddy(workbench, workbench_db, qtbot):
    """"&Period:" over a row of several widgets must move focus with Alt+P, not show an '&'."""
    from pathlib import Path

    from PySide6.QtWidgets import QLabel

    from caseaudit.ui.import_wizard import ImportWizard
    from caseaudit.ui.new_database_dialog import NewDatabaseDialog
    from caseaudit.ui.round_dialog import RoundDialog

    window = workbench(workbench_db, "qa.lead")
    dialogs = [
        RoundDialog(window.context, window),
        NewDatabaseDialog(window.context.runner, Path("/tmp/x.sqlite"), window),
        ImportWizard(window.context, window),
    ]
    checked = 0
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        for label in dialog.findChildren(QLabel):
            text = label.text().replace("&&", "")
            if "&" in text and label.textFormat() != Qt.TextFormat.RichText:
                assert label.buddy() is not None, f"{type(dialog).__name__}: {label.text()!r}"
                checked += 1
    assert checked >= 10
