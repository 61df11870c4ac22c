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

from caseaudit.models import Audit, SampleItem
from caseaudit.services import programmes, rounds
from caseaudit.ui.actions import ActionId
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
from caseaudit.vocabulary import RoundStatus
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


def test_reassigning_a_file(view):
    created = _create_round(view, "Reassign round")
    view.draw_sample(seed=3)
    view.preview_dialog.commit()
    item = view.detail.items[0]
    other = "moderator" if item.auditor_username == "auditor" else "auditor"
    view.sample.selectRow(0)
    assert view.reassign_button.isEnabled()
    view.assign_to(item.id, other)
    row = view.sample_model.row_of_case(item.case_key)
    assert view.sample_model.row_data(row).auditor_username == other
    assert view.current_round_id() == created.id


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
    assert _unnamed(view) == []
    view.new_round()
    assert _unnamed(view.round_dialog) == []
    _create_round(view, "Named round")
    view.draw_sample(seed=5)
    assert _unnamed(view.preview_dialog) == []


def test_the_window_shows_rounds_and_offers_a_new_round(workbench, workbench_db):
    window = workbench(workbench_db, "qa.lead")
    assert isinstance(window.show_area(Area.ROUNDS), RoundsView)
    assert window.actions[ActionId.NEW_ROUND].isEnabled()
    window.actions[ActionId.NEW_ROUND].trigger()
    assert window.view(Area.ROUNDS).round_dialog is not None
    window.view(Area.ROUNDS).round_dialog.reject()
    window.set_user(sign_in_as(workbench_db, "auditor"))
    assert not window.actions[ActionId.NEW_ROUND].isEnabled()
