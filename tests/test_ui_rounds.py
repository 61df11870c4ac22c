"""The Rounds area on a real SQLite copy of the small demo: create a round, preview, commit, reassign.

A round is made through the "New round" dialog as a QA lead would fill it in; "Draw sample"
shows a preview (frame sizes per stratum and the chosen files) that writes nothing; "Commit
sample" saves exactly the files shown. The item models pass ``qtmodeltester``; the programme
calendar gives each period's status in words and a mark as well as a colour; every interactive
widget has an accessible name.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget
from sqlalchemy import func, select

from caseaudit.models import Audit, AuditRound, CaseFile, Child, SampleItem, User, Worker
from caseaudit.services import programmes, rounds
from caseaudit.ui.actions import ActionId
from caseaudit.ui.add_case_dialog import AddCaseDialog
from caseaudit.ui.assign_dialog import AssignDialog
from caseaudit.ui.navigation import Area
from caseaudit.ui.programme_calendar import ProgrammeCalendar
from caseaudit.ui.rounds_model import (
    STATUS_COLUMN,
    CalendarTableModel,
    RoundsTableModel,
    SampleTableModel,
    StrataTableModel,
)
from caseaudit.ui.rounds_view import RoundsView
from caseaudit.ui.sample_edit import RemoveCaseDialog
from caseaudit.vocabulary import RoundStatus, SampleReason
from tests.test_ui_accessibility import unnamed as accessible_unnamed
from tests.workbench_helpers import sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot, make_context, workbench_db, isolated_settings):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "qa.lead")
    made = RoundsView(context)
    qtbot.addWidget(made)
    made.resize(1200, 800)
    made.show()
    return made


def _items_in(db, round_id: int) -> int:
    with db.session() as s:
        return s.scalar(
            select(func.count()).select_from(SampleItem).where(SampleItem.round_id == round_id)
        )


def _create_round(view: RoundsView, name: str = "Q1 themed audit") -> rounds.RoundSummary:
    view.new_round()
    dialog = view.round_dialog
    assert dialog is not None and dialog.template.count() > 0
    dialog.name.setText(name)
    dialog.theme.setText("Voice of the child")
    dialog.template.setCurrentIndex(dialog.template.findData("front-door"))
    dialog.set_auditors({"auditor", "moderator"})
    dialog.count.setValue(8)
    dialog.cap.setValue(2)
    dialog.exclude_months.setValue(0)
    dialog.save()
    assert not dialog.problem.isVisibleTo(dialog), dialog.problem.text()
    assert dialog.created is not None
    return dialog.created


def test_preview_then_commit_a_sample(view):
    db = view.context.db
    created = _create_round(view)
    assert view.current_round_id() == created.id
    assert view.detail.summary.status is RoundStatus.DRAFT
    assert view.draw_button.isEnabled()

    view.draw_sample(seed=42)
    preview = view.preview_dialog
    assert preview is not None
    shown = preview.preview
    assert len(shown.items) == preview.items_model.rowCount() == 8
    assert preview.strata_model.rowCount() == len(shown.strata) > 1
    frames = [preview.strata_model.index(r, 1).data() for r in range(len(shown.strata))]
    assert frames == [str(s.frame) for s in shown.strata]
    assert "nothing is saved until you commit" in preview.summary.text()
    assert _items_in(db, created.id) == 0  # a preview writes nothing

    preview.draw(7)  # another seed, then back to 42: the same files again
    preview.draw(42)
    assert preview.preview.fingerprint == shown.fingerprint

    preview.commit()
    assert preview.committed is not None
    assert _items_in(db, created.id) == 8
    assert view.detail.summary.status is RoundStatus.SAMPLED
    assert sorted(i.case_key for i in view.detail.items) == sorted(i.case_key for i in shown.items)
    assert view.sample_model.rowCount() == 8
    assert "seed 42" in view.method.text()


def test_starting_the_round_fills_the_auditors_queues(view):
    created = _create_round(view, "Start round")
    assert not view.start_button.isEnabled()  # nothing drawn yet
    view.draw_sample(seed=5)
    view.preview_dialog.commit()
    assert view.start_button.isEnabled()
    view.start_button.click()
    with view.context.db.session() as s:
        audits = s.scalar(
            select(func.count())
            .select_from(Audit)
            .join(SampleItem, SampleItem.id == Audit.sample_item_id)
            .where(SampleItem.round_id == created.id)
        )
    assert audits == 8
    assert "8 audit(s) are now in their auditors' queues" in view.start_note.text()


def _drawn_round(view: RoundsView, name: str, seed: int = 3) -> rounds.RoundSummary:
    created = _create_round(view, name)
    view.draw_sample(seed=seed)
    view.preview_dialog.commit()
    assert view.detail.summary.status is RoundStatus.SAMPLED
    return created


def _item_row(db, round_id: int, case_key: str) -> SampleItem:
    with db.session() as s:
        found = s.scalars(
            select(SampleItem)
            .join(CaseFile, CaseFile.id == SampleItem.case_file_id)
            .join(Child, Child.id == CaseFile.child_id)
            .where(SampleItem.round_id == round_id, Child.case_key == case_key)
        ).one()
        s.expunge(found)
        return found


def _case_outside_the_sample(view: RoundsView, team_id: int | None = None) -> str:
    in_sample = {i.case_key for i in view.detail.items}
    with view.context.db.session() as s:
        stmt = select(Child.case_key).join(CaseFile, CaseFile.child_id == Child.id)
        if team_id is not None:
            stmt = stmt.where(CaseFile.team_id == team_id)
        keys = s.scalars(stmt.order_by(Child.case_key)).all()
    return next(k for k in keys if k not in in_sample)


def _add_by_hand(view: RoundsView, case_key: str, reason: str) -> AddCaseDialog:
    assert view.add_button.isEnabled()
    view.add_button.click()
    dialog = view.change_dialog
    assert isinstance(dialog, AddCaseDialog) and dialog.isVisible()
    dialog.search(case_key)
    assert dialog.choose(case_key), dialog.found_note.text()
    dialog.reason.setPlainText(reason)
    dialog.ok_button.click()
    return dialog


def test_adding_a_file_by_hand_reaches_the_database_and_is_flagged(view):
    db = view.context.db
    created = _drawn_round(view, "Add by hand round")
    key = _case_outside_the_sample(view)
    reason = "Requested by the service manager after a complaint"

    dialog = _add_by_hand(view, key, "   ")  # a reason of spaces is no reason
    assert dialog.isVisible() and dialog.problem.isVisibleTo(dialog)
    assert "needs a reason" in dialog.problem.text()
    assert "Nothing was changed" in dialog.problem.text()
    assert _items_in(db, created.id) == 8

    dialog.reason.setPlainText(reason)
    dialog.ok_button.click()
    assert not dialog.isVisible()
    saved = _item_row(db, created.id, key)
    assert saved.reason is SampleReason.MANUAL and saved.reason_note == reason
    assert saved.auditor_user_id is not None
    with db.session() as s:
        changes = s.get(AuditRound, created.id).method["manual_changes"]
    assert changes[-1]["action"] == "added" and changes[-1]["reason"] == reason

    row = view.sample_model.row_of_case(key)
    assert row >= 0 and view.sample.selected_row() == row
    shown = view.sample_model.index(row, SampleTableModel.CHOSEN_COLUMN).data()
    assert shown == f"✎ Added by hand: {reason}"
    assert reason in view.sample_model.index(row, 7).data(Qt.ItemDataRole.ToolTipRole)
    assert f"By hand: added {key}" in view.method.text()


def test_the_search_marks_files_already_in_the_sample(view):
    _drawn_round(view, "Search round")
    view.add_button.click()
    dialog = view.change_dialog
    key = view.detail.items[0].case_key
    dialog.search(key)
    assert dialog.choose(key)
    row = dialog.cases.selected_row()
    column = dialog.cases_model.IN_SAMPLE_COLUMN
    assert dialog.cases_model.index(row, column).data() == "Already in the sample"
    dialog.reason.setPlainText("Again")
    dialog.ok_button.click()
    assert dialog.isVisible() and "already in the sample" in dialog.problem.text()
    dialog.search("no such case anywhere")
    assert dialog.cases_model.rowCount() == 0 and dialog.found_note.text() == "None found."
    dialog.ok_button.click()
    assert "Choose the case file to add" in dialog.problem.text()


def test_removing_a_file_needs_a_reason_and_stays_listed(view):
    db = view.context.db
    created = _drawn_round(view, "Remove round")
    item = view.detail.items[2]
    view.sample.selectRow(view.sample_model.row_of_case(item.case_key))
    assert view.remove_button.isEnabled()
    view.remove_button.click()
    dialog = view.change_dialog
    assert isinstance(dialog, RemoveCaseDialog) and item.case_key in dialog.intro.text()
    dialog.ok_button.click()  # no reason
    assert dialog.isVisible() and "needs a reason" in dialog.problem.text()
    assert not _item_row(db, created.id, item.case_key).removed

    dialog.reason.setPlainText("Closed in error; duplicate of another file")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    saved = _item_row(db, created.id, item.case_key)
    assert saved.removed and saved.removed_reason == "Closed in error; duplicate of another file"
    row = view.sample_model.row_of_case(item.case_key)
    assert view.sample_model.index(row, SampleTableModel.CHOSEN_COLUMN).data() == (
        "✕ Removed by hand: Closed in error; duplicate of another file"
    )
    view.sample.selectRow(row)
    assert not view.remove_button.isEnabled() and not view.assign_button.isEnabled()


def test_assigning_a_file_to_another_auditor(view):
    db = view.context.db
    created = _drawn_round(view, "Reassign round")
    item = view.detail.items[0]
    other = "moderator" if item.auditor_username == "auditor" else "auditor"
    view.sample.selectRow(view.sample_model.row_of_case(item.case_key))
    assert view.assign_button.isEnabled()
    view.assign_button.click()
    dialog = view.change_dialog
    assert isinstance(dialog, AssignDialog) and not dialog.reason.isVisibleTo(dialog)
    assert dialog.auditor.currentData() == item.auditor_username
    assert dialog.choose(other)
    dialog.ok_button.click()
    assert not dialog.isVisible()
    with db.session() as s:
        user = s.get(User, _item_row(db, created.id, item.case_key).auditor_user_id)
        assert user.username == other
    row = view.sample_model.row_of_case(item.case_key)
    assert view.sample_model.row_data(row).auditor_username == other
    auditor = view.sample_model.index(row, SampleTableModel.AUDITOR_COLUMN).data()
    assert auditor.endswith("(assigned by hand)")
    assert view.current_round_id() == created.id


def test_an_auditor_with_a_conflict_of_interest_is_refused(view):
    db = view.context.db
    created = _drawn_round(view, "Conflict round")
    with db.session() as s:
        manager = s.scalars(select(User).where(User.username == "auditor")).one()
        team_id = s.get(Worker, manager.worker_id).team_id
    key = _case_outside_the_sample(view, team_id)  # a file of the team "auditor" manages
    _add_by_hand(view, key, "Asked for by the head of service")
    before = _item_row(db, created.id, key).auditor_user_id
    assert before != manager.id  # given to someone without a conflict
    view.sample.selectRow(view.sample_model.row_of_case(key))
    view.assign_button.click()
    dialog = view.change_dialog
    assert dialog.choose("auditor")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "manages the team that holds the file" in dialog.problem.text()
    assert "Choose another auditor" in dialog.problem.text()
    assert _item_row(db, created.id, key).auditor_user_id == before


def test_a_hidden_rounds_view_reloads_only_when_shown(view):
    shown = view.model.rowCount()
    view.hide()
    rounds.create_round(
        view.context.db,
        view.context.user,
        "Made while hidden",
        template_key="front-door",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        auditors=["auditor"],
        spec={"strata": ["stage"], "allocation": "proportional", "total": 4},
    )
    view.context.runner.announce({"audit_round", "audit"})
    assert view.model.rowCount() == shown  # not read while hidden
    view.show()
    assert view.model.rowCount() == shown + 1


def test_a_round_that_is_not_valid_is_explained_in_the_dialog(view):
    view.new_round()
    dialog = view.round_dialog
    dialog.template.setCurrentIndex(0)
    dialog.name.setText("")
    dialog.save()
    assert dialog.created is None
    assert dialog.problem.isVisibleTo(dialog)
    assert "name" in dialog.problem.text()
    dialog.name.setText("Minimums round")
    dialog.minimums.setText("safeguarding four")
    dialog.save()
    assert dialog.created is None and "minimum" in dialog.problem.text()


def test_models_pass_the_model_tester(qtmodeltester, view, workbench_db):
    qa = view.context.user
    found = rounds.list_rounds(workbench_db, qa)
    model = RoundsTableModel()
    model.set_rows(found)
    qtmodeltester.check(model)
    sample = SampleTableModel()
    sample.set_rows(rounds.get_round(workbench_db, qa, found[0].id).items)
    assert sample.rowCount() > 0
    qtmodeltester.check(sample)
    created = _create_round(view, "Model round")
    view.draw_sample(seed=1)
    strata = StrataTableModel()
    strata.set_rows(view.preview_dialog.preview.strata)
    qtmodeltester.check(strata)
    preview_items = SampleTableModel()
    preview_items.set_rows(view.preview_dialog.preview.items)
    qtmodeltester.check(preview_items)
    assert created.id


def test_the_programme_calendar_says_each_status_in_words(
    qtbot, qtmodeltester, make_context, workbench_db, isolated_settings
):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "qa.lead")
    programmes.create_programme(
        workbench_db,
        context.user,
        "Supervision monthly",
        "supervision_monthly",
        starts_on=date(2026, 6, 1),
        template_key="supervision",
        auditors=["auditor"],
    )
    calendar = ProgrammeCalendar(context, as_of=date(2026, 9, 15))
    qtbot.addWidget(calendar)
    model = calendar.model
    assert calendar.programme.count() == 1 and model.rowCount() >= 3
    qtmodeltester.check(model)
    statuses = [model.index(r, STATUS_COLUMN).data() for r in range(model.rowCount())]
    assert statuses[0] == "⚠ Overdue"  # June's round was never made
    assert statuses[-1] == "○ Due"
    colour = model.index(0, STATUS_COLUMN).data(Qt.ItemDataRole.ForegroundRole)
    assert colour is not None and colour != model.index(model.rowCount() - 1, STATUS_COLUMN).data(
        Qt.ItemDataRole.ForegroundRole
    )
    assert isinstance(CalendarTableModel.columns, tuple)


def _unnamed(root: QWidget) -> list[str]:
    found = []
    for kind in (QLineEdit, QComboBox, QAbstractButton, QAbstractSpinBox):
        for widget in root.findChildren(kind):
            inner = isinstance(widget.parentWidget(), QAbstractSpinBox)  # a spin box's editor
            if widget.isVisibleTo(root) and not inner and not widget.accessibleName():
                found.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()}")
    return found


def test_every_interactive_widget_has_an_accessible_name(view):
    assert _unnamed(view) == [] and accessible_unnamed(view) == []
    view.new_round()
    assert _unnamed(view.round_dialog) == []
    _create_round(view, "Named round")
    view.draw_sample(seed=5)
    assert _unnamed(view.preview_dialog) == []
    assert accessible_unnamed(view.preview_dialog) == []
    view.preview_dialog.commit()
    view.sample.selectRow(0)
    for button in (view.add_button, view.remove_button, view.assign_button):
        button.click()
        assert accessible_unnamed(view.change_dialog) == [], button.text()
        view.change_dialog.reject()


def test_the_window_shows_rounds_and_offers_a_new_round(workbench, workbench_db):
    window = workbench(workbench_db, "qa.lead")
    assert isinstance(window.show_area(Area.ROUNDS), RoundsView)
    assert window.actions[ActionId.NEW_ROUND].isEnabled()
    window.actions[ActionId.NEW_ROUND].trigger()
    assert window.view(Area.ROUNDS).round_dialog is not None
    window.view(Area.ROUNDS).round_dialog.reject()
    window.set_user(sign_in_as(workbench_db, "auditor"))
    assert not window.actions[ActionId.NEW_ROUND].isEnabled()
