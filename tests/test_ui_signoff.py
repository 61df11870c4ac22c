"""Signing off from the form: refused with what is missing, the password, the lock, reopening.

Audits come from a copy of the small demo. ``complete_with_services`` fills an audit the way the
services would receive it from the form, so these tests are about what happens at sign-off and
after: the list of missing items (each taking the keyboard to its question), the password asked
again, a signed audit's read-only fields that still take the focus, and reopening with a reason.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

from caseaudit.services import audits
from caseaudit.ui.audit_form.reopen_dialog import ReopenDialog
from caseaudit.ui.audit_form.signoff_dialog import SignOffDialog
from caseaudit.ui.navigation import Area
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import (
    PASSWORDS,
    active_dialog,
    audit_with_status,
    complete_with_services,
    open_form,
    saved_answers,
)

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "something must have the keyboard focus"
    qtbot.keyClick(target, key, modifier)


def test_sign_off_is_refused_with_the_missing_items_listed(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.IN_PROGRESS)
    form = open_form(qtbot, window, audit_id)
    _press(qtbot, Qt.Key.Key_S, CTRL_SHIFT)
    dialog = active_dialog(qtbot, form)
    assert isinstance(dialog, SignOffDialog) and dialog.isVisible()
    items = dialog.missing_items()
    expected = audits.open_audit(workbench_db, window.context.user, audit_id).grading.missing
    assert [i.message for i in items] == [m.message for m in expected]
    assert dialog.password.isHidden() and not dialog.sign_button.isVisible()
    assert "cannot be signed off yet" in dialog.summary.text()
    first_question = next(i for i in items if i.question_id)
    row = items.index(first_question)
    assert dialog.missing.hasFocus()
    for _ in range(row):
        _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Return)  # goes to the question
    assert form.commands.dialog is None
    widget = form.question_widget(first_question.question_id)
    assert form.current_section() == widget.question.section_id
    qtbot.waitUntil(lambda: widget.isAncestorOf(QApplication.focusWidget()), timeout=5000)
    assert audits.open_audit(workbench_db, window.context.user, audit_id).status != (
        AuditStatus.SIGNED
    )


def test_signing_off_asks_for_the_password_and_locks_the_audit(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    user = window.context.user
    audit_id = audit_with_status(workbench_db, user, AuditStatus.NOT_STARTED)
    complete_with_services(workbench_db, user, audit_id)
    form = open_form(qtbot, window, audit_id)
    before = saved_answers(workbench_db.path, audit_id)
    window.run_view_command("sign_off")
    dialog = active_dialog(qtbot, form)
    assert dialog.missing.isHidden() and dialog.password.hasFocus()
    qtbot.keyClicks(dialog.password, "not my password")
    _press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and "password is not right" in dialog.problem.text()
    qtbot.keyClicks(dialog.password, PASSWORDS["auditor"])
    _press(qtbot, Qt.Key.Key_Return)
    assert form.commands.dialog is None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert audits.open_audit(workbench_db, user, audit_id).status == AuditStatus.SIGNED
    assert form.form.read_only and form.header.status.text() == "✓ Signed"
    assert form.history_panel.count == 1
    assert "sign_off" not in form.available_commands()
    assert "raise_action" not in form.available_commands()
    assert "child_at_risk" in form.available_commands()  # safety is never locked
    # every answer is shown read-only, still focusable and named for screen readers
    for section_id in form.section_model.section_ids:
        page = form.show_section(section_id)
        for widget in page.questions.values():
            for field in widget.focus_widgets():
                assert isinstance(field, QLineEdit | QPlainTextEdit)
                assert field.isReadOnly()
                assert field.focusPolicy() & Qt.FocusPolicy.TabFocus
                assert field.accessibleName()
    page = form.show_section(form.section_model.section_ids[1])
    field = next(w for w in page.questions.values() if not w.isHidden()).focus_widgets()[0]
    field.setFocus()
    assert field.hasFocus()
    qtbot.keyClicks(field, "changed")
    _press(qtbot, Qt.Key.Key_Tab)  # Tab still moves on
    assert not field.hasFocus()
    form.leave()
    assert saved_answers(workbench_db.path, audit_id) == before


def test_a_qa_lead_reopens_with_a_reason_and_the_history_keeps_both(workbench, workbench_db, qtbot):
    auditor_window = workbench(workbench_db)
    user = auditor_window.context.user
    audit_id = audit_with_status(workbench_db, user, AuditStatus.SIGNED)
    form = open_form(qtbot, auditor_window, audit_id)
    assert "reopen_audit" not in form.available_commands()  # an auditor may not reopen
    auditor_window.close()
    window = workbench(workbench_db, "qa.lead")
    view = window.view(Area.MY_AUDITS)
    view.everyone.setChecked(True)
    form = open_form(qtbot, window, audit_id)
    assert form.form.read_only and "reopen_audit" in form.available_commands()
    window.run_view_command("reopen_audit")
    dialog = active_dialog(qtbot, form)
    assert isinstance(dialog, ReopenDialog)
    dialog.save()
    assert dialog.isVisible() and "Say why" in dialog.problem.text()
    qtbot.keyClicks(dialog.reason, "The chronology was misread; visits section to correct")
    _press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.commands.dialog is None
    assert not form.form.read_only and form.form.status == AuditStatus.REOPENED
    assert form.history_panel.count == 2
    whats = [form.history_panel.tree.topLevelItem(i).text(1) for i in range(2)]
    assert whats == ["Signed off", "Reopened"]
    assert "sign_off" in form.available_commands()
