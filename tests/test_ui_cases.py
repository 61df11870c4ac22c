"""The Cases area with real widgets (offscreen) on a real SQLite file of 300 case files.

The model must agree with the service, narrow with search and filters, sort in the database,
page in with ``fetchMore``, show a case's events when selected, pass ``qtmodeltester``, and
never show a child's name. Most tests use the synchronous runner; one drives the real
background thread.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from caseaudit.services.cases import CaseQuery, CaseSort, case_events, count_cases, list_cases
from caseaudit.ui.cases_model import CASE_COLUMNS, PAGE_SIZE, CasesTableModel, EventsTableModel
from caseaudit.ui.cases_view import CasesView
from caseaudit.ui.navigation import Area

pytest_plugins = ("tests.shell_fixtures",)
pytestmark = pytest.mark.gui

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
)


def load_all(model: CasesTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def column_values(model: CasesTableModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


@pytest.fixture
def cases_view(qtbot, cases_db, make_context, isolated_settings, runner_errors):
    view = CasesView(make_context(cases_db))
    assert view.count_label.text() == "300 case files"  # loaded once built (synchronous runner)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    yield view
    assert runner_errors == []


def test_model_rows_match_the_service(cases_view, cases_db):
    model = cases_view.model
    assert model.total == count_cases(cases_db, CaseQuery()) == 300
    load_all(model)
    assert model.rowCount() == 300
    expected = [r.case_key for r in list_cases(cases_db, CaseQuery(), 0, 1000)]
    assert column_values(model, 0) == expected
    assert cases_view.count_label.text() == "300 case files"


def test_rows_arrive_in_pages(tmp_path, qtbot, make_context, isolated_settings, case_helpers):
    from caseaudit.db import open_database

    db = open_database(tmp_path / "many.sqlite")
    case_helpers.generate(db, PAGE_SIZE + 40, is_demo=False, seed=5)
    view = CasesView(make_context(db))
    qtbot.addWidget(view)
    model = view.model
    assert (model.rowCount(), model.total) == (PAGE_SIZE, PAGE_SIZE + 40)
    assert (
        view.count_label.text()
        == f"{PAGE_SIZE + 40} case files (first {PAGE_SIZE} loaded; scroll for more)"
    )
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == PAGE_SIZE + 40
    assert not model.canFetchMore(QModelIndex())
    assert view.count_label.text() == f"{PAGE_SIZE + 40} case files"
    # Scrolling to the end is what asks for more in the window.
    model.set_query(CaseQuery(text="C-0"))
    assert model.rowCount() == PAGE_SIZE
    view.table.scrollToBottom()
    QApplication.processEvents()
    assert model.rowCount() == model.total
    db.close()


def test_no_child_identity_anywhere_in_the_model(cases_view, cases_db, case_helpers):
    identities = case_helpers.identity_texts(cases_db)
    full_names = case_helpers.child_full_names(cases_db)
    model = cases_view.model
    load_all(model)
    id_role = Qt.ItemDataRole.UserRole + 1
    for row in range(model.rowCount()):
        case_file_id = model.index(row, 0).data(id_role)
        secrets = identities[case_file_id] | full_names
        for column in range(model.columnCount()):
            for role in ROLES:
                value = str(model.index(row, column).data(role) or "")
                assert not any(secret in value for secret in secrets), (row, column, role)


def test_search_narrows_and_clears(cases_view, cases_db, qtbot):
    row = list_cases(cases_db, CaseQuery(), 10, 1)[0]
    qtbot.keyClicks(cases_view.search, row.case_key)
    qtbot.keyClick(cases_view.search, Qt.Key.Key_Return)
    assert cases_view.model.total == 1
    assert column_values(cases_view.model, 0) == [row.case_key]
    cases_view.search.clear()
    cases_view.apply_filters()
    assert cases_view.model.total == 300


def test_search_waits_for_typing_to_pause(cases_view, cases_db, qtbot):
    worker = list_cases(cases_db, CaseQuery(sort=CaseSort.WORKER), 0, 1)[0].worker
    cases_view.search.setText(worker)
    assert cases_view.model.total == 300  # not yet: the search is debounced
    qtbot.waitUntil(lambda: cases_view.model.total < 300)
    assert cases_view.model.total == count_cases(cases_db, CaseQuery(text=worker))


def test_filters_narrow(cases_view, cases_db):
    stage_combo, team_combo, status_combo = (
        cases_view.stage_filter,
        cases_view.team_filter,
        cases_view.status_filter,
    )
    assert stage_combo.count() > 2 and team_combo.count() > 2 and status_combo.count() == 3
    stage_combo.setCurrentIndex(1)
    stage_label = stage_combo.currentText()
    narrowed = cases_view.model.total
    assert 0 < narrowed < 300
    load_all(cases_view.model)
    assert set(column_values(cases_view.model, 1)) == {stage_label}
    team_combo.setCurrentIndex(2)
    assert cases_view.model.total <= narrowed
    query = cases_view.model.query
    assert cases_view.model.total == count_cases(cases_db, query)
    status_combo.setCurrentIndex(2)  # closed only
    load_all(cases_view.model)
    assert set(column_values(cases_view.model, 2)) <= {"Closed"}
    cases_view.clear_filters()
    assert cases_view.model.total == 300


def test_no_match_state_and_clear_button(cases_view, qtbot):
    cases_view.search.setText("no-such-case-anywhere")
    cases_view.apply_filters()
    assert cases_view.list_stack.currentWidget() is cases_view.no_match
    assert cases_view.count_label.text() == "0 case files"
    qtbot.mouseClick(cases_view.clear_button, Qt.MouseButton.LeftButton)
    assert cases_view.list_stack.currentWidget() is cases_view.table
    assert cases_view.search.text() == ""


def test_sorting_by_header(cases_view, cases_db):
    events_column = next(i for i, c in enumerate(CASE_COLUMNS) if c[1] is CaseSort.EVENTS)
    cases_view.table.sortByColumn(events_column, Qt.SortOrder.DescendingOrder)
    assert cases_view.model.query.sort is CaseSort.EVENTS
    assert cases_view.model.query.descending
    expected = list_cases(cases_db, CaseQuery(sort=CaseSort.EVENTS, descending=True), 0, 5)
    assert column_values(cases_view.model, 0)[:5] == [r.case_key for r in expected]
    cases_view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert column_values(cases_view.model, 0)[0] == "C-0300"


def test_selecting_a_case_shows_its_events(cases_view, cases_db, qtbot):
    assert cases_view.detail.stack.currentIndex() == 0
    cases_view.select_row(4)
    row = cases_view.model.row_at(4)
    assert cases_view.detail.case_file_id == row.case_file_id
    assert cases_view.detail.title.text() == row.case_key
    assert cases_view.detail.fields["Pathway stage"].text() == row.stage.label
    events = case_events(cases_db, row.case_file_id)
    model = cases_view.detail.events_model
    assert model.rowCount() == len(events) > 0
    assert [model.index(i, 0).data() for i in range(model.rowCount())] == [
        e.stage.label for e in events
    ]
    # Keyboard: Down moves the selection and the detail follows.
    cases_view.table.setFocus()
    qtbot.keyClick(cases_view.table, Qt.Key.Key_Down)
    assert cases_view.detail.case_file_id == cases_view.model.row_at(5).case_file_id


def test_models_pass_the_model_tester(cases_view, qtmodeltester):
    qtmodeltester.check(cases_view.model)
    cases_view.select_row(2)
    qtmodeltester.check(cases_view.detail.events_model)
    qtmodeltester.check(EventsTableModel())


def test_empty_database_offers_the_demo(
    qtbot, sqlite_database, make_context, isolated_settings, runner_errors
):
    view = CasesView(make_context(sqlite_database))
    qtbot.addWidget(view)
    view.show()
    assert view.list_stack.currentWidget() is view.empty_database
    assert view.detail.isHidden()  # nothing to select
    assert view.import_button.isEnabled()
    assert "case list" in view.import_button.toolTip()
    with qtbot.waitSignal(view.open_demo_requested, timeout=1000):
        qtbot.mouseClick(view.demo_button, Qt.MouseButton.LeftButton)
    assert runner_errors == []


def test_model_loads_through_the_background_thread(
    qtbot, cases_db, make_context, isolated_settings, runner_errors
):
    context = make_context(cases_db, synchronous=False)
    view = CasesView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.has_loaded and not view.model.loading, timeout=10_000)
    assert view.model.total == 300
    assert view.model.rowCount() == 300
    view.search.setText("C-01")
    view.apply_filters()
    qtbot.waitUntil(lambda: not view.model.loading and view.model.total < 300, timeout=10_000)
    assert view.model.total == count_cases(cases_db, CaseQuery(text="C-01"))
    view.select_row(0)
    qtbot.waitUntil(lambda: view.detail.events_model.rowCount() > 0, timeout=10_000)
    assert runner_errors == []


def test_refresh_reloads_after_a_change(cases_view, cases_db):
    from sqlalchemy import delete

    from caseaudit.models import CaseFile, PathwayEvent, SampleItem

    victim = cases_view.model.row_at(0).case_file_id
    with cases_db.session() as s:
        s.execute(delete(SampleItem).where(SampleItem.case_file_id == victim))
        s.execute(delete(PathwayEvent).where(PathwayEvent.case_file_id == victim))
        s.execute(delete(CaseFile).where(CaseFile.id == victim))
    assert cases_view.model.total == 300
    cases_view._context.runner.announce({"case_file"})
    assert cases_view.model.total == 299


def test_area_is_created_lazily_in_the_window(make_window, cases_db):
    window = make_window(cases_db, initial_area=Area.MY_AUDITS)
    assert window.view(Area.CASES) is None
    view = window.show_area(Area.CASES)
    assert isinstance(view, CasesView)
    assert window.view(Area.CASES) is view
