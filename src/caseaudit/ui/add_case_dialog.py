"""The "Add a file…" dialog: put a case file into a round's sample by hand, with a reason.

The QA lead searches the case list (case key, external ID, team or worker — never a child's
name, which this program does not show) in a search box; the matching case files are listed
(``cases.list_cases``, read through the runner), each saying whether it is already in the
sample. They choose one, say why, and ``rounds.add_case`` adds it: flagged as added by hand,
with the reason kept in the round's method, and given to the least-loaded auditor without a
conflict of interest. A file removed earlier is put back the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ..errors import ValidationError
from ..services import rounds
from ..services.cases import CaseQuery, CaseRow, list_cases
from ..services.users import UserInfo
from .context import ShellContext
from .rounds_model import FrameCasesTableModel
from .sample_edit import SampleChangeDialog
from .widgets import ReadOnlyTable

SEARCH_LIMIT = 200
SEARCH_DELAY_MS = 250


class AddCaseDialog(SampleChangeDialog):
    """Search the case files, choose one and give a reason to add it to the sample."""

    title = "Add a file to the sample"
    ok_text = "&Add to sample"
    doing = "Adding the file to the sample"

    def __init__(
        self,
        context: ShellContext,
        round_summary: rounds.RoundSummary,
        in_sample: Iterable[str] = (),
        parent: QWidget | None = None,
        *,
        actor: UserInfo | None = None,
    ) -> None:
        super().__init__(context, round_summary, None, parent, actor=actor)
        self.cases_model.in_sample = frozenset(in_sample)
        self.search_now()
        unit = self.fontMetrics().averageCharWidth()
        self.resize(110 * unit, 34 * self.fontMetrics().height())

    def build(self) -> None:
        self.intro.setText(
            f"Add a case file to the sample of “{self.round.name}” by hand. The round's method "
            "and its reports will show it as added by hand, with your reason; it goes to the "
            "auditor with the fewest files who has no conflict of interest."
        )
        self.search_box = QLineEdit(self)
        self.search_box.setAccessibleName("Search case files")
        self.search_box.setPlaceholderText("Case key, external ID, team or worker")
        self.search_box.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.cases_model = FrameCasesTableModel(self)
        self.cases = ReadOnlyTable(
            "Case files found", "The case files that match the search; choose one to add", self
        )
        self.cases.setModel(self.cases_model)
        self.cases.size_columns([10, 18, 12, 22, 22, 18])
        self.cases.doubleClicked.connect(lambda _index: self.reason.setFocus())
        self.found_note = QLabel(self)
        self.found_note.setAccessibleName("How many case files were found")
        label = QLabel("&Search:", self)
        label.setBuddy(self.search_box)
        self.form.addRow(label, self.search_box)
        self.form.addRow(self.cases)
        self.form.addRow(self.found_note)

    # -- searching ----------------------------------------------------------------------------
    def search(self, text: str) -> None:
        """Search for ``text`` at once (the box waits for typing to pause)."""
        self.search_box.setText(text)
        self.search_now()

    def search_now(self) -> None:
        self._timer.stop()
        db, query = self.context.db, CaseQuery(text=self.search_box.text().strip())
        self.context.runner.run(
            lambda: list_cases(db, query, 0, SEARCH_LIMIT),
            self._found,
            label="Searching the case files",
            owner=self,
        )

    def _found(self, rows: list[CaseRow]) -> None:
        self.cases_model.set_rows(rows)
        if rows:
            self.cases.resizeColumnsToContents()
            self.cases.selectRow(0)
        more = " (the first 200: narrow the search)" if len(rows) >= SEARCH_LIMIT else ""
        self.found_note.setText(f"{len(rows)} case files found{more}." if rows else "None found.")

    def chosen(self) -> CaseRow | None:
        return self.cases_model.row_data(self.cases.selected_row())

    def choose(self, case_key: str) -> bool:
        """Select the found case file ``case_key``; False if it is not in the list."""
        for row, case in enumerate(self.cases_model.rows):
            if case.case_key == case_key:
                self.cases.selectRow(row)
                return True
        return False

    # -- the change ---------------------------------------------------------------------------
    def operation(self) -> Callable[[], Any]:
        case = self.chosen()
        if case is None:
            raise ValidationError(
                "Choose the case file to add: search by case key, team or worker, then pick it "
                "from the list."
            )
        db, actor, round_id = self.context.db, self.actor, self.round.id
        ref, reason = f"#{case.case_file_id}", self.reason_text()
        return lambda: rounds.add_case(db, actor, round_id, ref, reason)
