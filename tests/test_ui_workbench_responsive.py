"""The audit form stays responsive: pages readied while idle, focus followed without filters.

Real widgets offscreen on a copy of the small demo. The other sections' pages are built and
drawn once off screen while the program is idle, so moving to a section only paints; the
keyboard focus is followed through the application's ``focusChanged`` signal (the guidance
panel follows it, leaving a field sends what was typed), and only the focused field carries
the question's key filter. Speed itself is measured in ``bench/bench_workbench.py``.
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from caseaudit.ui.audit_form.question_widgets import QuestionWidget
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import audit_with_status, open_form, saved_answers

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


@pytest.fixture
def form(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.NOT_STARTED)
    return open_form(qtbot, window, audit_id)


def test_other_sections_are_built_and_laid_out_while_idle(form, qtbot):
    sections = form.section_model.section_ids
    assert len(sections) > 2
    qtbot.waitUntil(lambda: form.warmer.done, timeout=20_000)
    current = form.stack.currentWidget()
    pages = {section_id: form.pages[section_id] for section_id in sections}
    for section_id, page in pages.items():
        assert page.complete, section_id
        if page is not current:
            assert page.prepared, section_id
            assert not page.isVisible()
            assert page.geometry() == current.geometry(), section_id  # laid out for the stack
            assert page.widget().width() > 0
    moved_to = form.show_section(sections[-1], focus=False)
    assert moved_to is pages[sections[-1]]  # the page readied, not a new one
    assert moved_to.isVisible()


def test_showing_a_section_without_focus_leaves_the_focus_alone(form, qtbot):
    form.section_list.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: form.section_list.hasFocus(), timeout=5000)
    form.show_section(form.section_model.section_ids[1], focus=False)
    assert form.section_list.hasFocus()
    assert form.current_section() == form.section_model.section_ids[1]
    assert form.section_list.current_section() == form.section_model.section_ids[1]


def _questions_with_evidence(form, count: int) -> list[QuestionWidget]:
    found = []
    for section_id in form.section_model.section_ids:
        for widget in form.page(section_id).questions.values():
            if widget.evidence_edit is not None and not widget.isHidden():
                found.append(widget)
                if len(found) == count:
                    return found
    raise AssertionError("not enough questions with an evidence note")


def test_the_guidance_follows_focus_and_leaving_a_field_saves(form, workbench_db, qtbot):
    first, second = _questions_with_evidence(form, 2)
    form.show_section(first.question.section_id)
    first.evidence_edit.setFocus()
    qtbot.waitUntil(lambda: form.focus_question == first.question.id, timeout=5000)
    qtbot.keyClicks(first.evidence_edit, "Seen at home")
    assert form.autosave.waiting
    form.show_section(second.question.section_id, focus=False)
    second.evidence_edit.setFocus()
    qtbot.waitUntil(lambda: form.focus_question == second.question.id, timeout=5000)
    assert not form.autosave.waiting  # leaving the first field sent it at once
    qtbot.waitUntil(
        lambda: (
            saved_answers(workbench_db.path, form.audit_id).get(first.question.id, (None, ""))[1]
            == "Seen at home"
        ),
        timeout=5000,
    )
    assert form.guidance.isVisible()


def test_alt_keys_reach_the_question_whose_field_has_focus(form, qtbot):
    first, second = [
        w
        for section_id in form.section_model.section_ids
        for w in form.page(section_id).questions.values()
        if w.question.type == "yes_no" and not w.isHidden()
    ][:2]
    form.show_section(second.question.section_id)
    second.evidence_edit.setFocus()
    qtbot.waitUntil(lambda: form.focus_question == second.question.id, timeout=5000)
    qtbot.keyClick(second.evidence_edit, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert second.answer() == (None, "yes")
    assert second.evidence() == ""  # the key chose the answer and typed nothing
    assert first.answer()[1] in (None, "")


def test_a_closed_form_does_not_follow_focus_any_more(form, qtbot):
    focus = form.field_focus
    view = form.parentWidget()
    while view is not None and not hasattr(view, "close_audit"):
        view = view.parentWidget()
    assert view is not None
    view.close_audit()
    qtbot.waitUntil(lambda: not shiboken6.isValid(focus), timeout=5000)
    view.table.setFocus()
    QApplication.processEvents()  # a focus change after the form is gone raises nothing
    assert view.table.hasFocus()
