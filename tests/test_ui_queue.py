"""My audits: the queue model and proxy, filters, search, overdue marks and the empty state.

The queue is read from a copy of the small demo (the demo auditor has a themed round of twenty
audits in every state); the item models pass ``qtmodeltester`` with real rows, and a synthetic
queue of 5,000 rows checks that sorting and filtering work on a large list.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from caseaudit.services import audits
from caseaudit.ui.actions import ActionId
from caseaudit.ui.audit_form.section_list import SectionListModel, section_progress
from caseaudit.ui.navigation import Area
from caseaudit.ui.queue_model import (
    DUE_COLUMN,
    OVERDUE_MARK,
    STATUS_COLUMN,
    TO_DO,
    AuditQueueFilterProxy,
    AuditQueueTableModel,
)
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import open_form, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


def _queue(window):
    return window.view(Area.MY_AUDITS)


def test_models_pass_the_model_tester(qtmodeltester, workbench_db):
    user = sign_in_as(workbench_db, "auditor")
    rows = audits.my_queue(workbench_db, user)
    model = AuditQueueTableModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    proxy = AuditQueueFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(DUE_COLUMN, Qt.SortOrder.DescendingOrder)
    proxy.set_filters(status=TO_DO, search="c-")
    qtmodeltester.check(proxy)
    form = audits.open_audit(workbench_db, user, rows[0].audit_id)
    sections = SectionListModel()
    sections.set_progress(section_progress(form.definition, form.grading, set(form.answers)))
    qtmodeltester.check(sections)
    assert sections.rowCount() == len(form.grading.visible_sections)


def test_the_queue_lists_my_audits_with_overdue_marked(workbench, workbench_db):
    window = workbench(workbench_db)
    view = _queue(window)
    user = window.context.user
    expected = audits.my_queue(workbench_db, user)
    assert view.model.rowCount() == len(expected) == 20
    assert window.status.signed_in.text() == "Signed in as Demo Auditor (team manager) (Auditor)"
    overdue = [r for r in expected if r.overdue]
    assert overdue, "the demo has overdue audits"
    row = view.model.row_of(overdue[0].audit_id)
    due = view.model.index(row, DUE_COLUMN)
    assert due.data().endswith(OVERDUE_MARK)  # a mark ...
    assert due.data(Qt.ItemDataRole.ForegroundRole) is not None  # ... and a colour
    assert "overdue" in due.data(Qt.ItemDataRole.AccessibleTextRole)  # ... and words
    status = view.model.index(row, STATUS_COLUMN).data()
    assert status.split(" ", 1)[0] in "○●◐✓↺" and status.split(" ", 1)[1] in {
        s.label for s in AuditStatus
    }
    to_do = [r for r in expected if r.status != AuditStatus.SIGNED]
    assert window.rail.count_text(Area.MY_AUDITS) == f"{len(to_do)} !"
    assert f"{len(overdue)} overdue" in view.count_label.text()


def test_filters_and_search(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    view = _queue(window)
    rows = view.model.rows
    view.set_status_filter(AuditStatus.SIGNED.value)
    signed = [r for r in rows if r.status == AuditStatus.SIGNED]
    assert view.proxy.rowCount() == len(signed) > 0
    view.set_status_filter(TO_DO)
    assert view.proxy.rowCount() == len(rows) - len(signed)
    view.set_status_filter(None)
    key = rows[3].case_key
    view.focus_search()
    qtbot.keyClicks(view.search, key.lower())
    view.apply_filters()
    assert view.proxy.rowCount() == 1 and view.proxy.audit_id_at(0) == rows[3].audit_id
    assert view.count_label.text().startswith("1 of 20 audits")
    view.search.setText("no such thing at all")
    view.apply_filters()
    assert view.list_stack.currentWidget() is view.no_match
    view.clear_button.click()
    assert view.proxy.rowCount() == 20 and view.list_stack.currentWidget() is view.table
    rounds = [view.round_filter.itemText(i) for i in range(1, view.round_filter.count())]
    assert rounds == sorted({r.round_name for r in rows})


def test_sorting_by_a_column(workbench, workbench_db):
    view = _queue(workbench(workbench_db))
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    keys = [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]
    assert keys == sorted(keys, reverse=True)
    view.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
    order = [
        list(AuditStatus).index(
            view.model.rows[view.model.row_of(view.proxy.audit_id_at(r))].status
        )
        for r in range(view.proxy.rowCount())
    ]
    assert order == sorted(order)


def test_an_empty_queue_teaches_how_audits_arrive(workbench, workbench_db):
    window = workbench(workbench_db, "moderator")
    view = _queue(window)
    assert view.model.rowCount() == 0
    assert view.list_stack.currentWidget() is view.empty
    assert "QA lead draws the sample" in view.empty.text.text()
    assert not view.everyone.isVisibleTo(view)
    assert not window.actions[ActionId.OPEN_AUDIT].isEnabled()


def test_everyone_s_audits_for_a_qa_lead(workbench, workbench_db):
    window = workbench(workbench_db, "qa.lead")
    view = _queue(window)
    assert view.everyone.isVisibleTo(view) and view.model.rowCount() == 0
    view.everyone.setChecked(True)
    assert (
        view.model.rowCount()
        == len(audits.my_queue(workbench_db, window.context.user, everyone=True))
        > 20
    )


def test_enter_opens_the_chosen_audit_and_ctrl_w_comes_back(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    view = _queue(window)
    view.focus_list()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    chosen = view.proxy.audit_id_at(view.table.currentIndex().row())
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.form is not None and view.form.audit_id == chosen
    qtbot.waitUntil(lambda: view.form.form is not None, timeout=5000)
    assert view.form.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert view.form is None
    assert view.proxy.audit_id_at(view.table.currentIndex().row()) == chosen


def test_an_answer_moves_the_audit_on_in_the_queue(workbench, workbench_db, qtbot):
    window = workbench(workbench_db)
    view = _queue(window)
    audit_id = next(r.audit_id for r in view.model.rows if r.status == AuditStatus.NOT_STARTED)
    form = open_form(qtbot, window, audit_id)
    page = form.show_section(form.section_model.section_ids[1])
    next(w for w in page.questions.values() if w.question.type == "yes_no").control.buttons[
        "no"
    ].click()
    form.close_requested.emit()
    row = view.model.rows[view.model.row_of(audit_id)]
    assert row.status == AuditStatus.IN_PROGRESS


def test_thousands_of_rows_sort_and_filter(qtmodeltester):
    base = audits.QueueRow(
        audit_id=0,
        case_key="C-00000",
        pathway_label="Child protection plan",
        team="Safeguarding North",
        worker="A Worker",
        round_name="Round A",
        template_title="CP plans",
        due_on=date(2026, 1, 1),
        status=AuditStatus.NOT_STARTED,
        overdue=False,
        grade_label="",
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    statuses = list(AuditStatus)
    rows = [
        dataclasses.replace(
            base,
            audit_id=n,
            case_key=f"C-{n:05d}",
            due_on=date(2026, 1, 1) + timedelta(days=n % 90),
            status=statuses[n % len(statuses)],
            round_name=f"Round {'AB'[n % 2]}",
            overdue=n % 7 == 0,
        )
        for n in range(1, 5001)
    ]
    model = AuditQueueTableModel()
    model.set_rows(rows)
    proxy = AuditQueueFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(DUE_COLUMN)
    dues = [proxy.index(r, DUE_COLUMN).data(Qt.ItemDataRole.UserRole + 2) for r in range(50)]
    assert dues == sorted(dues)
    proxy.set_filters(status=AuditStatus.SIGNED.value, round_name="Round B", search="c-0")
    expected = [r for r in rows if r.status == AuditStatus.SIGNED and r.round_name == "Round B"]
    assert proxy.rowCount() == len(expected) > 0
    qtmodeltester.check(proxy)
