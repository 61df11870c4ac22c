"""The import wizard, driven like a user would on a real SQLite file: file, columns, check, import.

A CSV written by the test (invented people) with one bad row is imported into a copy of the
small demo; the bad row is listed with its row number, field and reason, and the summary gives
the counts. A 0-byte file and a file that is not a spreadsheet are explained on the first page
and nothing is imported. The File menu's command opens the wizard for a QA lead only.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWizard
from sqlalchemy import func, select

from caseaudit.models import CaseFile, ImportRun
from caseaudit.services import importer
from caseaudit.ui.actions import ActionId
from caseaudit.ui.import_wizard import IGNORED, ImportWizard
from caseaudit.ui.navigation import Area
from caseaudit.ui.rounds_model import RejectedRowsTableModel
from tests.test_sampling_helpers import CP_HEADERS, cin_cp_rows, write_csv
from tests.workbench_helpers import sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


def _counts(db) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(CaseFile)),
            s.scalar(select(func.count()).select_from(ImportRun)),
        )


@pytest.fixture
def wizard(qtbot, make_context, workbench_db, isolated_settings):
    context = make_context(workbench_db)
    context.user = sign_in_as(workbench_db, "qa.lead")
    made = ImportWizard(context)
    qtbot.addWidget(made)
    made.show()
    return made


def _next(qtbot, wizard: ImportWizard, expected_id: int) -> None:
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == expected_id, timeout=5000)


def test_a_csv_with_a_bad_row_is_imported_and_the_row_reported(qtbot, wizard, tmp_path):
    db = wizard.context.db
    before = _counts(db)
    rows = cin_cp_rows(12)
    rows[3][5] = "not a date"  # row 5 of the spreadsheet: the plan start date
    path = write_csv(tmp_path / "cp-list.csv", CP_HEADERS, rows)
    wizard.file_page.path_edit.setText(str(path))
    _next(qtbot, wizard, 1)

    page = wizard.mapping_page
    assert page.kind_combo.currentData() == "cin-cp"  # worked out from the headers
    assert page.combos["Person ID"].currentData() == "external_id"
    assert page.combos["Plan Start Date"].currentData() == "opened_on"
    assert page.isComplete()
    # Editing a column: ignoring a required one makes the page incomplete and says why.
    page.combos["Plan Start Date"].setCurrentIndex(page.combos["Plan Start Date"].findText(IGNORED))
    assert not page.isComplete()
    assert "Still needed" in page.missing.text()
    page.combos["Plan Start Date"].setCurrentIndex(
        page.combos["Plan Start Date"].findData("opened_on")
    )
    assert page.isComplete()
    # Identifying columns show no example values.
    row = list(wizard.raw.headers).index("Forename")
    assert page.table.item(row, 2).text() == "not shown: identifies a child"
    page.profile_name.setText("Test CP list")
    page.save_profile.click()
    assert [p.name for p in importer.list_mapping_profiles(db)] == ["Test CP list"]

    _next(qtbot, wizard, 2)
    check = wizard.check_page
    assert "12 rows read" in check.counts.text() and "11 can be imported" in check.counts.text()
    assert check.model.rowCount() == 1
    assert check.model.index(0, 0).data() == "5"  # row 5 as the spreadsheet shows it
    assert check.model.index(0, 1).data() == importer.FIELDS["opened_on"].label
    assert "not a date" in check.model.index(0, 2).data()
    assert _counts(db) == before  # nothing written before the import step

    _next(qtbot, wizard, 3)
    imported = wizard.import_page
    qtbot.waitUntil(lambda: imported.done, timeout=10000)
    summary = wizard.summary
    assert summary is not None and summary.committed
    assert (summary.added, summary.updated, summary.unchanged, summary.rejected) == (11, 0, 0, 1)
    assert "11 added, 0 updated, 0 unchanged, 1 rejected" in imported.summary_label.text()
    assert imported.progress.value() == 1000
    assert _counts(db) == (before[0] + 11, before[1] + 1)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "nothing to import"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "spreadsheet")],
    ids=["zero-bytes", "not-a-spreadsheet"],
)
def test_a_file_that_cannot_be_read_is_explained_and_nothing_imported(
    qtbot, wizard, tmp_path, content, words
):
    db = wizard.context.db
    before = _counts(db)
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    problem = wizard.file_page.problem
    qtbot.waitUntil(problem.isVisible, timeout=5000)
    assert wizard.currentId() == 0
    assert words in problem.text().lower()
    assert "cases.csv" in problem.text()
    assert "Traceback" not in problem.text()
    assert _counts(db) == before


def test_the_rejected_rows_model_passes_the_model_tester(qtmodeltester, tmp_path):
    rows = cin_cp_rows(6)
    rows[1][0] = rows[0][0]  # a duplicate ID
    rows[2][4] = "Banana"  # not a plan type
    raw = importer.read_table(write_csv(tmp_path / "cp.csv", CP_HEADERS, rows))
    report = importer.validate(raw, importer.detect_mapping(raw, "cin-cp"), "cin-cp")
    model = RejectedRowsTableModel()
    model.set_rows(report.problems)
    assert model.rowCount() == len(report.problems) >= 2
    qtmodeltester.check(model)


def test_every_interactive_widget_has_an_accessible_name(qtbot, wizard, tmp_path):
    path = write_csv(tmp_path / "cp.csv", CP_HEADERS, cin_cp_rows(3))
    wizard.file_page.path_edit.setText(str(path))
    _next(qtbot, wizard, 1)
    for kind in (QLineEdit, QComboBox, QAbstractButton):
        for widget in wizard.findChildren(kind):
            if widget.isVisible():
                assert widget.accessibleName(), type(widget).__name__


def test_the_file_menu_opens_the_wizard_for_those_allowed_to_import(workbench, workbench_db):
    window = workbench(workbench_db, "qa.lead")
    action = window.actions[ActionId.IMPORT_CASES]
    assert action.isEnabled()
    assert "later version" not in action.toolTip()
    action.trigger()
    assert isinstance(window.import_wizard, ImportWizard) and window.import_wizard.isVisible()
    window.import_wizard.reject()
    window.show_area(Area.CASES).import_requested.emit()  # the empty state's button asks the same
    assert window.import_wizard.isVisible()
    window.import_wizard.reject()
    window.set_user(sign_in_as(workbench_db, "auditor"))
    assert not action.isEnabled()


def test_the_wizard_works_on_the_threaded_runner(qtbot, make_context, workbench_db, tmp_path):
    context = make_context(workbench_db, synchronous=False)
    context.user = sign_in_as(workbench_db, "qa.lead")
    wizard = ImportWizard(context, path=write_csv(tmp_path / "cp.csv", CP_HEADERS, cin_cp_rows(5)))
    qtbot.addWidget(wizard)
    wizard.show()
    for page_id in (1, 2, 3):
        qtbot.waitUntil(lambda: wizard.currentPage().isComplete(), timeout=10000)
        _next(qtbot, wizard, page_id)
    qtbot.waitUntil(lambda: wizard.import_page.done, timeout=10000)
    assert wizard.summary is not None and wizard.summary.added == 5
