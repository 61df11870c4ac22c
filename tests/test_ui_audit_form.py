"""The audit form: autosave, answer types, conditions, timescales, grades, actions, concerns.

Real widgets offscreen on a copy of the small demo; every check of what was saved reads the
database file through a separate ``sqlite3`` connection, so "saved" means it reached the file.
Nothing is saved explicitly: there is no Save button to press.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPlainTextEdit

from caseaudit.services import audits
from caseaudit.services.signoff import sign_off_problems
from caseaudit.ui.audit_form.action_dialog import RaiseActionDialog
from caseaudit.ui.audit_form.answer_controls import RadioControl
from caseaudit.ui.audit_form.concern_dialog import AcknowledgeDialog, ConcernDialog
from caseaudit.ui.navigation import Area
from caseaudit.vocabulary import AuditStatus, TimescaleBand
from tests.workbench_helpers import audit_with_status, open_form, saved_answers

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


@pytest.fixture
def fresh(workbench, workbench_db, qtbot):
    """A window signed in as the demo auditor with a not-yet-started audit open."""
    window = workbench(workbench_db)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.NOT_STARTED)
    form = open_form(qtbot, window, audit_id)
    return window, form, audit_id


def _first_yes_no(form):
    for section_id in form.section_model.section_ids:
        for widget in form.page(section_id).questions.values():
            if widget.question.type == "yes_no" and not widget.isHidden():
                return widget
    raise AssertionError("no yes/no question")


def test_a_choice_reaches_the_database_without_any_save(fresh, workbench_db, runner_errors):
    window, form, audit_id = fresh
    assert window.status.saved.text() == "Not saved yet"
    widget = _first_yes_no(form)
    form.show_section(widget.question.section_id)
    assert isinstance(widget.control, RadioControl)
    widget.control.buttons["partly"].click()
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id][0] == "partly"
    assert window.status.saved.text().startswith("Saved ")
    assert form.header.save_state.text().startswith("All changes saved")
    assert runner_errors == []


def test_typed_evidence_saves_after_a_pause_and_on_focus_out(fresh, workbench_db, qtbot):
    _window, form, audit_id = fresh
    widget = _first_yes_no(form)
    form.show_section(widget.question.section_id)
    widget.evidence_edit.setFocus()
    qtbot.keyClicks(widget.evidence_edit, "Visits 12/09 and 26/09, seen alone")
    assert form.autosave.waiting  # typing waits for the pause ...
    qtbot.waitUntil(
        lambda: (
            saved_answers(workbench_db.path, audit_id).get(widget.question.id, (0, ""))[1]
            == "Visits 12/09 and 26/09, seen alone"
        ),
        timeout=5000,
    )  # ... then is saved with no Save button
    qtbot.keyClicks(widget.evidence_edit, "; bedroom seen")
    widget.control.focus_widgets()[0].setFocus()  # leaving the field saves at once
    assert not form.autosave.busy
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id][1].endswith(
        "bedroom seen"
    )


def test_na_needs_a_reason_shown_when_chosen(fresh, workbench_db, qtbot):
    window, form, audit_id = fresh
    widget = next(
        w
        for sid in form.section_model.section_ids
        for w in form.page(sid).questions.values()
        if w.question.type == "yes_no" and w.question.allow_na and not w.isHidden()
    )
    form.show_section(widget.question.section_id)
    assert widget.na_reason.isHidden()
    widget.control.buttons["na"].click()
    assert widget.na_reason.isVisible()
    user = window.context.user
    kinds = {(m.kind, m.question_id) for m in sign_off_problems(workbench_db, user, audit_id)}
    assert ("na_reason", widget.question.id) in kinds
    widget.na_reason.setFocus()
    qtbot.keyClicks(widget.na_reason, "Child is a baby")
    form.leave()
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id] == (
        "na",
        "",
        "Child is a baby",
    )
    kinds = {(m.kind, m.question_id) for m in sign_off_problems(workbench_db, user, audit_id)}
    assert ("na_reason", widget.question.id) not in kinds


def test_a_conditional_question_appears_when_its_condition_is_met(fresh):
    _window, form, _audit_id = fresh
    page = form.show_section("visits")
    reason = page.questions["not_seen_alone_reason"]
    assert reason.isHidden()
    page.questions["child_seen_alone"].control.buttons["no"].click()
    assert not reason.isHidden()
    page.questions["child_seen_alone"].control.buttons["yes"].click()
    assert reason.isHidden()


def test_a_date_shows_its_timescale_sentence(fresh, workbench_db, qtbot):
    _window, form, audit_id = fresh
    page = form.show_section("visits")
    shown = [
        q
        for q in ("cin_previous_visit_date", "cp_previous_visit_date")
        if not page.questions[q].isHidden()
    ]
    previous = page.questions[shown[0]]
    latest = page.questions[shown[0].replace("previous", "latest")]
    for widget, text in ((previous, "02/11/2026"), (latest, "30/11/2026")):
        edit = widget.control.focus_widgets()[0]
        edit.setFocus()
        qtbot.keyClicks(edit, text)
    previous.control.focus_widgets()[0].setFocus()  # leaving the date saves it
    qtbot.waitUntil(lambda: latest.timescale.isVisible(), timeout=5000)
    sentence = latest.timescale.text()
    assert "working days after" in sentence and "outside" in sentence
    assert sentence.startswith("⚠")  # a mark, not only a colour
    assert saved_answers(workbench_db.path, audit_id)[latest.question.id][0] == "2026-11-30"


def test_half_a_date_is_not_saved_and_says_why(fresh, workbench_db, qtbot):
    _window, form, audit_id = fresh
    page = form.show_section("visits")
    widget = next(
        w for w in page.questions.values() if w.question.type == "date" and not w.isHidden()
    )
    edit = widget.control.focus_widgets()[0]
    edit.setFocus()
    qtbot.keyClicks(edit, "04/11")
    form.leave()
    assert widget.question.id not in saved_answers(workbench_db.path, audit_id)
    assert "day/month/year" in widget.problem.text() and widget.problem.isVisible()


def test_the_overall_panel_explains_caps_and_asks_for_a_rationale(fresh, workbench_db):
    window, form, audit_id = fresh
    form.show_section("plan_quality").grade.setCurrentIndex(1)  # outstanding
    page = form.show_section("safety_and_impact")
    page.questions["impact_grade"].control.buttons[4].click()
    assert page.grade is not None
    page.grade.setCurrentIndex(page.grade.findData(4))  # inadequate: caps the overall grade
    caps = form.overall.caps.text()
    assert "cannot be better than the grade for the child's safety" in caps
    assert form.overall.caps.isVisible()
    suggested = form.grading.suggested_overall
    assert suggested == 4 and "Inadequate" in form.overall.suggested.text()
    assert not form.overall.rationale_required
    form.overall.grade.setCurrentIndex(form.overall.grade.findData(2))
    assert form.overall.rationale_required
    assert "required" in form.overall.rationale_label.text()
    assert "Required" in form.overall.rationale.accessibleDescription()
    user = window.context.user
    kinds = {m.kind for m in sign_off_problems(workbench_db, user, audit_id)}
    assert "rationale" in kinds
    form.overall.rationale.setPlainText("The plan has since been strengthened.")
    form.leave()
    kinds = {m.kind for m in sign_off_problems(workbench_db, user, audit_id)}
    assert "rationale" not in kinds


def test_sections_show_progress_and_ctrl_page_down_moves(fresh, qtbot):
    _window, form, _audit_id = fresh
    first = form.current_section()
    text = form.section_model.index(0, 0).data()
    assert text.startswith("○") and "0/" in text
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier
    )
    assert form.current_section() == form.section_model.section_ids[1]
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier
    )
    assert form.current_section() == first


def test_raise_an_action_from_a_question(fresh, workbench_db, qtbot):
    window, form, audit_id = fresh
    widget = _first_yes_no(form)
    form.show_section(widget.question.section_id)
    widget.first_focus().setFocus()
    qtbot.keyClick(
        QApplication.focusWidget(),
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = form.commands.dialog
    assert isinstance(dialog, RaiseActionDialog) and dialog.isVisible()
    assert dialog.question_id == widget.question.id
    assert widget.number in dialog.link.text()
    dialog.band_buttons[TimescaleBand.IMMEDIATELY].setChecked(True)
    assert dialog.dates.text().startswith("Due ")
    dialog.save()  # nothing typed: says what is missing and stays open
    assert dialog.problem.isVisible() and dialog.isVisible()
    dialog.description.setPlainText("Team manager to arrange a visit with the child alone")
    dialog.owner.setCurrentIndex(1)
    dialog.save()
    assert form.commands.dialog is None
    (row,) = audits.open_audit(workbench_db, window.context.user, audit_id).actions
    assert row.question_id == widget.question.id and row.timescale_band == TimescaleBand.IMMEDIATELY
    assert form.actions_panel.count == 1 and form.tabs.tabText(0) == "Actions (1)"


def test_child_may_be_at_risk_now_blocks_sign_off_until_acknowledged(fresh, workbench_db):
    window, form, audit_id = fresh
    assert form.buttons.risk.text().startswith("⚠") and "risk" in form.buttons.risk.text()
    window.run_view_command("child_at_risk")
    dialog = form.commands.dialog
    assert isinstance(dialog, ConcernDialog)
    assert any("Child may be at risk now" in label.text() for label in dialog.findChildren(QLabel))
    managers = [dialog.manager.itemText(i) for i in range(1, dialog.manager.count())]
    assert managers and all("manager" in text for text in managers)
    dialog.text.setPlainText("Bruising recorded at the last visit with no follow-up.")
    dialog.manager.setCurrentIndex(1)
    dialog.save()
    user = window.context.user
    assert "concern" in {m.kind for m in sign_off_problems(workbench_db, user, audit_id)}
    strips = [w for w in form.body.findChildren(QLabel) if "waiting for" in w.text()]
    assert strips, "the concern is shown on the form"
    assert "acknowledge_concern" in form.available_commands()
    window.run_view_command("acknowledge_concern")
    ack = form.commands.dialog
    assert isinstance(ack, AcknowledgeDialog)
    ack.note.setText("Phoned TM 14:20, visit arranged today")
    ack.save()
    assert "concern" not in {m.kind for m in sign_off_problems(workbench_db, user, audit_id)}
    assert not [w for w in form.body.findChildren(QLabel) if "waiting for" in w.text()]


def test_the_form_never_shows_a_childs_name(fresh, workbench_db, case_helpers):
    _window, form, audit_id = fresh
    with workbench_db.session() as s:
        from caseaudit.models import Audit

        case_file_id = s.get(Audit, audit_id).case_file_id
    forbidden = case_helpers.identity_texts(workbench_db)[case_file_id]
    for section_id in form.section_model.section_ids:
        form.page(section_id)
    texts = [w.text() for w in form.findChildren(QLabel)]
    texts += [w.text() for w in form.findChildren(QLineEdit)]
    texts += [w.toPlainText() for w in form.findChildren(QPlainTextEdit)]
    assert form.header.title.text().startswith(form.form.header.case_key)
    assert not [t for t in texts for name in forbidden if name in t]


def test_saving_through_the_real_threaded_runner(workbench, workbench_db, qtbot, runner_errors):
    window = workbench(workbench_db, synchronous=False)
    view = window.view(Area.MY_AUDITS)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.NOT_STARTED)
    form = open_form(qtbot, window, audit_id)
    widget = _first_yes_no(form)
    form.show_section(widget.question.section_id)
    widget.control.buttons["yes"].click()
    qtbot.waitUntil(lambda: window.status.saved.text().startswith("Saved"), timeout=10_000)
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id][0] == "yes"
    widget.evidence_edit.setFocus()
    qtbot.keyClicks(widget.evidence_edit, "Threaded")
    window.close()  # closing sends what is waiting; the runner finishes it
    window.context.runner.shutdown()
    assert saved_answers(workbench_db.path, audit_id)[widget.question.id][1] == "Threaded"
    assert runner_errors == []


def test_back_to_my_audits_keeps_the_queue_current(fresh, qtbot):
    window, form, audit_id = fresh
    view = window.view(Area.MY_AUDITS)
    widget = _first_yes_no(form)
    form.show_section(widget.question.section_id)
    widget.control.buttons["yes"].click()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert view.form is None and view.table.hasFocus()
    row = view.model.rows[view.model.row_of(audit_id)]
    assert row.status == AuditStatus.IN_PROGRESS
    assert view.proxy.audit_id_at(view.table.currentIndex().row()) == audit_id
    assert not [
        d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()
    ]
