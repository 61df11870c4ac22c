"""The trail viewer: an audit's changes in words, the menu action, and verifying the trail.

A copy of the small demo; an answer is saved through the service, then the panel, the model
(``qtmodeltester``) and the Audit → Show audit trail action are checked on real widgets.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton

from caseaudit.services import audits, trail
from caseaudit.ui.actions import MENUS, ActionId
from caseaudit.ui.navigation import Area
from caseaudit.ui.trail_view import (
    TrailPanel,
    TrailTableModel,
    change_words,
    report_words,
    verify_trail,
)
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import audit_with_status, value_for

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


def _answer_something(db, user, audit_id: int) -> str:
    form = audits.open_audit(db, user, audit_id)
    question = next(
        q for section in form.definition.sections for q in section.questions if q.type != "text"
    )
    audits.save_answer(
        db, user, audit_id, question.id, value_for(question), evidence="Seen by Jo Bloggs"
    )
    return question.id


def test_model_passes_the_model_tester(qtmodeltester, workbench, workbench_db):
    window = workbench(workbench_db, "auditor")
    user = window.context.user
    audit_id = audit_with_status(workbench_db, user, AuditStatus.IN_PROGRESS)
    _answer_something(workbench_db, user, audit_id)
    model = TrailTableModel()
    model.set_events(trail.events(workbench_db, user, audit_id=audit_id))
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    qtmodeltester.check(TrailTableModel())


def test_panel_lists_the_audit_events_after_an_answer(qtbot, workbench, workbench_db):
    window = workbench(workbench_db, "auditor")
    user = window.context.user
    audit_id = audit_with_status(workbench_db, user, AuditStatus.IN_PROGRESS)
    panel = TrailPanel(window.context, audit_id)
    qtbot.addWidget(panel)
    before = panel.model.rowCount()
    question_id = _answer_something(workbench_db, user, audit_id)
    window.context.runner.announce("answer")
    assert panel.model.rowCount() == before and panel.deferred.pending  # hidden: not yet
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() > before, timeout=5000)
    texts = [panel.model.cell_text(0, column) for column in range(4)]
    assert texts[1] == "auditor"
    assert texts[2].startswith("Answer ")
    assert "evidence: added" in texts[3] or "evidence: changed" in texts[3]
    assert "sha256" not in " ".join(
        panel.model.cell_text(r, 3) for r in range(panel.model.rowCount())
    )
    assert "Jo Bloggs" not in texts[3]
    assert f"question: {question_id.replace('_', ' ')}" in texts[3]
    assert panel.table.accessibleName()


def test_menu_action_shows_the_trail_of_the_chosen_audit(qtbot, workbench, workbench_db):
    window = workbench(workbench_db, "auditor")
    assert ActionId.SHOW_AUDIT_TRAIL in dict(MENUS)["&Audit"]
    assert ActionId.VERIFY_TRAIL in dict(MENUS)["&Help"]
    audit_id = audit_with_status(workbench_db, window.context.user, AuditStatus.IN_PROGRESS)
    window.show_area(Area.MY_AUDITS)
    window.view(Area.MY_AUDITS).select_audit(audit_id)
    window.actions[ActionId.SHOW_AUDIT_TRAIL].trigger()
    dialog = window.trail_dialog
    assert dialog.panel.audit_id == audit_id
    assert dialog.panel.model.rowCount() > 0
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisibleTo(dialog):  # the table's hidden corner button is not offered
            assert button.accessibleName()


def test_verify_the_trail_says_intact(qtbot, workbench, workbench_db):
    window = workbench(workbench_db, "qa.lead")
    verify_trail(window, window.context)
    assert window.trail_verdict.text() == "The audit trail is intact."


def test_a_broken_trail_is_described_in_words():
    report = trail.TrailReport(
        ok=False, entries=10, first_broken=4, reason="The trail is broken at entry 4: x."
    )
    main, detail = report_words(report)
    assert main == "The audit trail has been tampered with."
    assert "entry 4" in detail and "backup" in detail


def test_free_text_is_never_shown():
    assert change_words("evidence", "", "sha256:ab") == "evidence: added"
    assert change_words("evidence", "sha256:aa", "sha256:ab") == "evidence: changed"
    assert change_words("overall_grade", 2, 3) == "overall grade: 2 → 3"
    assert change_words("status", "in_progress", "signed") == "status: in progress → signed"
