"""The Cases area: every case file, searchable and filterable, with a detail pane.

The search box looks at case keys, system IDs, teams and workers (never names); the filters
narrow by pathway stage, team and open or closed. Each change becomes a new ``CaseQuery`` for
``CasesTableModel``, which asks the database in the background, so the list stays quick with
100,000 case files. Selecting a row shows the case file and its pathway events beside it. An
empty database shows how case files get there, and offers the demo.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.cases import CaseFacets, CaseQuery, facets
from ..vocabulary import CaseStatus, PathwayStage
from .case_detail import CaseDetailPane
from .cases_model import CASE_ENTITIES, CasesTableModel
from .context import ShellContext
from .formatting import plural
from .geometry import remember_splitter
from .runner import touches
from .widgets import EmptyState, ReadOnlyTable, heading

SEARCH_DELAY_MS = 300
EMPTY_DATABASE = (
    "Case files arrive when the QA lead imports the case lists exported from the "
    "case-management system (children in need, child protection, looked-after children, care "
    "leavers, contacts and referrals). Until then you can explore the demo, which holds "
    "fictional case files only."
)
NO_MATCH = "No case file matches the search and filters. Try fewer words or clear the filters."


class CasesView(QWidget):
    """The Cases area of the main window."""

    title = "Cases"
    open_demo_requested = Signal()
    import_requested = Signal()

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("casesView")
        self._context = context
        self._facets = CaseFacets(teams=[], stages=[])
        self.model = CasesTableModel(context, self)

        self.heading = heading(self.title, self)
        self.count_label = QLabel("Loading case files…", self)
        self.count_label.setObjectName("casesCount")
        self.count_label.setAccessibleName("Number of case files shown")
        self.search = QLineEdit(self)
        self.search.setObjectName("casesSearch")
        self.search.setPlaceholderText("Search case key, system ID, team or worker (Ctrl+F)")
        self.search.setAccessibleName("Search case files")
        self.search.setAccessibleDescription(
            "Matches case keys, system IDs, team and worker names; never children's names."
        )
        self.search.setClearButtonEnabled(True)
        self.stage_filter = self._combo("stageFilter", "Filter by pathway stage")
        self.team_filter = self._combo("teamFilter", "Filter by team")
        self.status_filter = self._combo("statusFilter", "Filter by open or closed")
        self.status_filter.addItem("Open and closed", None)
        for status in CaseStatus:
            self.status_filter.addItem(f"{status.label} only", status.value)

        self.table = ReadOnlyTable(
            "Case files",
            "Case files by pseudonymous case key. Select one to see its pathway events.",
            self,
        )
        self.table.setObjectName("casesTable")
        self.table.setModel(self.model)
        self.table.size_columns([10, 23, 7, 24, 17, 12, 12, 6, 26])
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.no_match = EmptyState("No matching case files", NO_MATCH, self)
        self.clear_button = self.no_match.add_button("Clear search and filters")
        self.empty_database = EmptyState("No case files yet", EMPTY_DATABASE, self)
        self.import_button = self.empty_database.add_button(
            "Import a case list…",
            "Import a CSV or Excel case list from the case-management system",
        )
        self.demo_button = self.empty_database.add_button("Open the demo")
        self.list_stack = QStackedWidget(self)
        for widget in (self.table, self.no_match, self.empty_database):
            self.list_stack.addWidget(widget)
        self.detail = CaseDetailPane(context, self)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("casesSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        line = self.fontMetrics().height()
        self.splitter.setSizes([24 * line, 14 * line])
        remember_splitter(self, self.splitter)

        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.search, 3)
        for combo in (self.stage_filter, self.team_filter, self.status_filter):
            filter_row.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.search, self.stage_filter)
        self.setTabOrder(self.stage_filter, self.team_filter)
        self.setTabOrder(self.team_filter, self.status_filter)
        self.setTabOrder(self.status_filter, self.table)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        for combo in (self.stage_filter, self.team_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _index: self.apply_filters())
        self.clear_button.clicked.connect(self.clear_filters)
        self.demo_button.clicked.connect(self.open_demo_requested.emit)
        self.import_button.clicked.connect(self.import_requested.emit)
        self.model.loading_changed.connect(self._loading_changed)
        self.model.loaded.connect(self._loaded)
        self.model.modelReset.connect(self._model_reset)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        context.runner.data_changed.connect(self._on_data_changed)

        self._load_facets()
        self.table.setSortingEnabled(True)  # sorts by the indicator: the first load

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.view().setAccessibleName(f"{accessible}: choices")
        combo.setToolTip(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        return combo

    # -- page interface -------------------------------------------------------------------
    def focus_search(self) -> bool:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    # -- filters --------------------------------------------------------------------------
    def current_query(self) -> CaseQuery:
        stage = self.stage_filter.currentData()
        team = self.team_filter.currentData()
        status = self.status_filter.currentData()
        return replace(
            self.model.query,
            text=self.search.text().strip(),
            stage=PathwayStage(stage) if stage else None,
            team_id=int(team) if team is not None else None,
            status=CaseStatus(status) if status else None,
        )

    def apply_filters(self) -> None:
        """Show the case files matching the search box and filters now."""
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def clear_filters(self) -> None:
        for combo in (self.stage_filter, self.team_filter, self.status_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()
        self.search.setFocus()

    def _load_facets(self) -> None:
        db = self._context.db
        self._context.runner.run(
            lambda: facets(db), self._facets_loaded, label="Loading filters", owner=self
        )

    def _facets_loaded(self, loaded: CaseFacets) -> None:
        self._facets = loaded
        self._refill(
            self.stage_filter, "All pathway stages", [(s.label, s.value) for s in loaded.stages]
        )
        self._refill(self.team_filter, "All teams", [(t.name, t.team_id) for t in loaded.teams])

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, object]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if touches(changes, *CASE_ENTITIES):
            self._load_facets()

    # -- list state -----------------------------------------------------------------------
    def _loading_changed(self, loading: bool) -> None:
        if loading and not self.model.has_loaded:
            self.count_label.setText("Loading case files…")

    def _loaded(self, total: int) -> None:
        query = self.model.query
        filtered = bool(query.text or query.stage or query.team_id or query.status)
        self.detail.setVisible(total > 0)  # nothing to select, nothing to detail
        if total:
            self.list_stack.setCurrentWidget(self.table)
        elif filtered:
            self.list_stack.setCurrentWidget(self.no_match)
        else:
            self.list_stack.setCurrentWidget(self.empty_database)
        self._update_count()

    def _update_count(self) -> None:
        total, loaded = self.model.total, self.model.rowCount()
        text = plural(total, "case file")
        if loaded < total:
            text += f" (first {loaded:,} loaded; scroll for more)"
        self.count_label.setText(text)

    def _model_reset(self) -> None:
        previous = self.detail.case_file_id
        row = self.model.row_of(previous) if previous is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.detail.clear()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.table.selected_row()
        case_row = self.model.row_at(row)
        if case_row is None:
            self.detail.clear()
        elif case_row.case_file_id != self.detail.case_file_id:
            self.detail.show_case(case_row)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
