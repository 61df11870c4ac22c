"""Qt item models for the Cases area: the case list and one case's pathway events.

``CasesTableModel`` shows the case files matching a ``CaseQuery`` without ever holding them all:
the database counts, searches and sorts (``services.cases``), and the model loads pages of
``PAGE_SIZE`` rows through the runner as the view scrolls (``canFetchMore``/``fetchMore``), so
100,000 case files cost no more than a few hundred rows of memory and never block the GUI
thread. A newer query makes older answers stale; they are dropped. Rows carry the pseudonymous
case key, never a child's name. ``EventsTableModel`` lists a case file's pathway events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ..services.cases import CaseQuery, CaseRow, CaseSort, EventRow, count_cases, list_cases
from .context import ShellContext
from .formatting import MISSING, format_date
from .runner import touches

PAGE_SIZE = 500
CASE_FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ENTITIES = ("case_file", "child", "pathway_event", "team", "worker")

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _last_event(row: CaseRow) -> str:
    if row.last_event_stage is None:
        return MISSING
    return f"{row.last_event_stage.label}, {format_date(row.last_event_on)}"


#: (header, sort key, cell text, alignment) for each column, in order.
CASE_COLUMNS: list[tuple[str, CaseSort, Callable[[CaseRow], str], Qt.AlignmentFlag]] = [
    ("Case key", CaseSort.CASE_KEY, lambda r: r.case_key, _LEFT),
    ("Pathway stage", CaseSort.STAGE, lambda r: r.stage.label, _LEFT),
    ("Status", CaseSort.STATUS, lambda r: r.status.label, _LEFT),
    ("Team", CaseSort.TEAM, lambda r: r.team or MISSING, _LEFT),
    ("Worker", CaseSort.WORKER, lambda r: r.worker or "Unallocated", _LEFT),
    ("Opened", CaseSort.OPENED, lambda r: format_date(r.opened_on), _LEFT),
    ("Closed", CaseSort.CLOSED, lambda r: format_date(r.closed_on), _LEFT),
    ("Events", CaseSort.EVENTS, lambda r: str(r.event_count), _RIGHT),
    ("Last event", CaseSort.LAST_EVENT, _last_event, _LEFT),
]


class CasesTableModel(QAbstractTableModel):
    """The case files matching the current query, loaded page by page in the background."""

    loading_changed = Signal(bool)
    loaded = Signal(int)

    def __init__(self, context: ShellContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._query = CaseQuery()
        self._rows: list[CaseRow] = []
        self._total = 0
        self._generation = 0
        self._loading = False
        self._fetching = False
        self._has_loaded = False
        context.runner.data_changed.connect(self._on_data_changed)

    # -- queries --------------------------------------------------------------------------
    @property
    def query(self) -> CaseQuery:
        return self._query

    @property
    def total(self) -> int:
        """How many case files match the query (all of them, not only those loaded)."""
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_loaded(self) -> bool:
        return self._has_loaded

    def set_query(self, query: CaseQuery) -> None:
        """Show the case files matching ``query`` (reloads unless it is already shown)."""
        if query == self._query and (self._has_loaded or self._loading):
            return
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        query = self._query
        db = self._context.db
        self._set_loading(True)
        self._context.runner.run(
            lambda: (count_cases(db, query), list_cases(db, query, 0, PAGE_SIZE)),
            lambda result: self._first_page(generation, result),
            lambda exc: self._failed(generation, exc),
            label="Loading case files",
            owner=self,
        )

    def row_at(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_file_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.case_file_id == case_file_id), -1)

    # -- loading --------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _first_page(self, generation: int, result: tuple[int, list[CaseRow]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        self.beginResetModel()
        self._rows = list(rows)
        self._total = total
        self._fetching = False
        self._has_loaded = True
        self.endResetModel()
        self._set_loading(False)
        self.loaded.emit(total)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._fetching = False
            self._set_loading(False)
        handler = self._context.runner.error_handler
        if handler is not None:
            handler(exc, "Loading case files")

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid():
            return False
        return not self._fetching and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        query = self._query
        offset = len(self._rows)
        db = self._context.db
        self._context.runner.run(
            lambda: list_cases(db, query, offset, PAGE_SIZE),
            lambda rows: self._more(generation, offset, rows),
            lambda exc: self._failed(generation, exc),
            label="Loading more case files",
            owner=self,
        )

    def _more(self, generation: int, offset: int, rows: list[CaseRow]) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._fetching = False
        if not rows:
            self._total = len(self._rows)  # the list shrank meanwhile
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if touches(changes, *CASE_ENTITIES) and (self._has_loaded or self._loading):
            self.reload()

    # -- the model interface --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CASE_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        header, _sort, text, align = CASE_COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{header}: {text(row)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(align.value)
        if role == CASE_FILE_ID_ROLE:
            return row.case_file_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(CASE_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return CASE_COLUMNS[section][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(CASE_COLUMNS[section][3].value)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(CASE_COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self._query, sort=CASE_COLUMNS[column][1], descending=descending))

    def sort_column(self) -> int:
        return next(i for i, c in enumerate(CASE_COLUMNS) if c[1] == self._query.sort)


#: (header, cell text, alignment) for each column of the events list.
EVENT_COLUMNS: list[tuple[str, Callable[[EventRow], str], Qt.AlignmentFlag]] = [
    ("Stage", lambda e: e.stage.label, _LEFT),
    ("Started", lambda e: format_date(e.started_on), _LEFT),
    ("Completed", lambda e: format_date(e.completed_on), _LEFT),
    ("Days", lambda e: MISSING if e.days is None else str(e.days), _RIGHT),
    ("Outcome", lambda e: e.outcome.label, _LEFT),
]


class EventsTableModel(QAbstractTableModel):
    """One case file's pathway events, oldest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[EventRow] = []

    def set_events(self, events: list[EventRow]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def event_at(self, row: int) -> EventRow | None:
        return self._events[row] if 0 <= row < len(self._events) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EVENT_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        header, text, align = EVENT_COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text(event)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{header}: {text(event)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(align.value)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(EVENT_COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return EVENT_COLUMNS[section][0]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(EVENT_COLUMNS[section][2].value)
        return None
