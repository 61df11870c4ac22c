"""The programme calendar's commands on a real SQLite copy of the small demo.

"New programme…" creates a programme as a QA lead would fill the dialog in (the kind's defaults
fill the form; a missing name is explained and nothing is made); "Propose next round" makes the
earliest period's round and shows its sample in the sample preview, which writes the sample only
when committed. A hidden calendar is read again only when it is shown. Every new control has a
name a screen reader can say.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from caseaudit.models import AuditRound, Programme, SampleItem
from caseaudit.models.programme import Cadence, ProgrammeKind
from caseaudit.services import programmes
from caseaudit.ui.programme_calendar import ProgrammeCalendar
from caseaudit.ui.programme_dialog import ProgrammeDialog
from caseaudit.ui.rounds_model import STATUS_COLUMN
from caseaudit.ui.rounds_view import RoundsView
from caseaudit.vocabulary import RoundStatus
from tests.test_ui_accessibility import unnamed
from tests.workbench_helpers import sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui

AS_OF = date(2026, 9, 15)


@pytest.fixture
def calendar(qtbot, make_context, workbench_db, isolated_settings):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "qa.lead")
    made = ProgrammeCalendar(context, as_of=AS_OF)
    qtbot.addWidget(made)
    made.resize(1100, 600)
    made.show()
    return made


def _new_programme(calendar: ProgrammeCalendar) -> ProgrammeDialog:
    assert calendar.new_button.isEnabled()
    calendar.new_button.click()
    dialog = calendar.programme_dialog
    assert isinstance(dialog, ProgrammeDialog) and dialog.isVisible()
    assert dialog.template.count() > 0 and dialog.auditors.count() > 0
    return dialog


def _programmes(db) -> list[Programme]:
    with db.session() as s:
        found = list(s.scalars(select(Programme).order_by(Programme.id)))
        s.expunge_all()
        return found


def test_a_new_programme_is_created_from_the_dialog(calendar):
    db = calendar.context.db
    before = len(_programmes(db))
    dialog = _new_programme(calendar)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProgrammeKind.SUPERVISION_MONTHLY.value))
    assert dialog.template.currentData() == "supervision"  # the kind's defaults fill the form
    assert dialog.cadence.currentData() == Cadence.MONTHLY.value
    assert dialog.theme.text() == "Supervision"
    dialog.name.setText("Supervision audits, East")
    dialog.starts.setDate(date(2026, 6, 1))
    dialog.files.setValue(3)
    dialog.exclusion.setValue(9)
    dialog.due_days.setValue(10)
    dialog.set_auditors({"auditor", "moderator"})
    dialog.buttons.accepted.emit()
    assert dialog.created is not None, dialog.problem.text()
    assert not dialog.isVisible()

    saved = _programmes(db)
    assert len(saved) == before + 1
    made = saved[-1]
    assert (made.name, made.kind, made.template_key) == (
        "Supervision audits, East",
        ProgrammeKind.SUPERVISION_MONTHLY,
        "supervision",
    )
    assert (made.files_per_period, made.exclusion_months) == (3, 9)
    assert made.starts_on == date(2026, 6, 1)
    assert made.settings["auditors"] == ["auditor", "moderator"]
    assert made.settings["due_days"] == 10
    assert calendar.programme.currentData() == made.id  # the calendar shows the new one
    statuses = [calendar.model.index(r, STATUS_COLUMN).data() for r in range(4)]
    assert statuses[0] == "⚠ Overdue" and len(statuses) == 4


def test_choosing_a_kind_fills_in_its_defaults(calendar):
    dialog = _new_programme(calendar)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProgrammeKind.QUARTERLY_THEMED.value))
    assert dialog.cadence.currentData() == Cadence.QUARTERLY.value
    assert dialog.files.value() == 8 and dialog.exclusion.value() == 12
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProgrammeKind.IRO_MONTHLY.value))
    assert dialog.template.currentData() == "lac-review-minutes"
    assert dialog.files.value() == 4 and dialog.theme.text() == "LAC review minutes"
    dialog.theme.setText("Care plans and the child's voice")  # typed over: kept
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProgrammeKind.SUPERVISION_MONTHLY.value))
    assert dialog.theme.text() == "Care plans and the child's voice"


def test_a_programme_without_a_name_is_explained_and_not_made(calendar):
    db = calendar.context.db
    before = len(_programmes(db))
    dialog = _new_programme(calendar)
    dialog.name.setText("   ")
    dialog.buttons.accepted.emit()
    assert dialog.created is None and dialog.isVisible()
    assert dialog.problem.isVisibleTo(dialog)
    assert "Give the programme a name." in dialog.problem.text()
    assert "Nothing was created." in dialog.problem.text()
    assert len(_programmes(db)) == before


def test_proposing_the_next_round_previews_it_before_committing(calendar):
    db, qa = calendar.context.db, calendar.context.user
    info = programmes.create_programme(
        db,
        qa,
        "Supervision monthly",
        "supervision_monthly",
        starts_on=date(2026, 6, 1),
        auditors=["auditor", "moderator"],
    )
    calendar.context.runner.announce({"programme"})
    calendar.select_programme(info.id)
    assert calendar.propose_button.isEnabled()
    calendar.propose_button.click()
    preview = calendar.preview_dialog
    assert preview is not None and preview.isVisible()
    proposal = calendar.proposal
    assert proposal.created and proposal.period.start == date(2026, 6, 1)
    text = preview.summary.text()
    assert f"Proposed for {proposal.period.label} of “Supervision monthly”" in text
    assert "nothing is saved until you commit" in text
    assert preview.items_model.rowCount() == len(proposal.preview.items) == 4
    with db.session() as s:
        rnd = s.get(AuditRound, proposal.round.id)
        assert rnd.status is RoundStatus.DRAFT and rnd.programme_id == info.id
        assert not s.scalar(select(func.count(SampleItem.id)).where(SampleItem.round_id == rnd.id))
    june = calendar.model.row_data(0)
    assert june.round_id == proposal.round.id  # the calendar shows the proposed round

    preview.commit()
    assert preview.committed is not None
    with db.session() as s:
        assert s.get(AuditRound, proposal.round.id).status is RoundStatus.SAMPLED
        keys = s.scalar(
            select(func.count(SampleItem.id)).where(SampleItem.round_id == proposal.round.id)
        )
    assert keys == 4
    assert calendar.model.row_data(0).files == 4


def test_the_buttons_follow_permissions(qtbot, make_context, workbench_db, isolated_settings):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "auditor")
    made = ProgrammeCalendar(context, as_of=AS_OF)
    qtbot.addWidget(made)
    assert not made.new_button.isEnabled() and not made.propose_button.isEnabled()


def test_a_hidden_calendar_reads_again_only_when_shown(
    qtbot, make_context, workbench_db, isolated_settings
):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "qa.lead")
    view = RoundsView(context)  # the calendar is the second, hidden tab
    qtbot.addWidget(view)
    view.show()
    calendar = view.calendar
    assert not calendar.isVisible()
    before = calendar.programme.count()
    programmes.create_programme(
        workbench_db, context.user, "Made meanwhile", "supervision_monthly", starts_on=AS_OF
    )
    context.runner.announce({"programme", "audit"})
    assert calendar.programme.count() == before  # nothing read while hidden
    view.tabs.setCurrentWidget(calendar)
    assert calendar.isVisible()
    assert calendar.programme.count() == before + 1


def test_every_new_control_has_a_name(calendar):
    assert unnamed(calendar) == []
    dialog = _new_programme(calendar)
    assert unnamed(dialog) == []
    dialog.reject()
    info = programmes.create_programme(
        calendar.context.db,
        calendar.context.user,
        "Named",
        "supervision_monthly",
        starts_on=date(2026, 8, 1),
        auditors=["moderator"],
    )
    calendar.context.runner.announce({"programme"})
    calendar.select_programme(info.id)
    calendar.propose()
    assert unnamed(calendar.preview_dialog) == []
