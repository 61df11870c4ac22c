"""Qt item models for My audits: the auditor's queue and its sort, filter and search proxy.

``AuditQueueTableModel`` holds the ``QueueRow``s that ``services.audits.my_queue`` returns (one
query, thousands of rows are cheap) and shows them as a table: case key, pathway, team, worker,
round, due date, status and grade. Nothing is a widget per row. Status is written in words with
a shape (○ not started, ● in progress, ◐ awaiting sign-off, ✓ signed, ↺ reopened); an overdue
audit's due date carries a "!" mark and the word "overdue" for screen readers as well as a
colour, so colour is never the only sign. ``AuditQueueFilterProxy`` sorts by a typed key per
column and filters by status, round and search words (case key, pathway, team, worker, round),
reading the source rows directly so filtering thousands of rows stays instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from ..services.audits import QueueRow
from ..vocabulary import AuditStatus
from .formatting import MISSING, format_date

AUDIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex

#: Every status has a shape as well as a word (never colour alone).
STATUS_MARKS: dict[AuditStatus, str] = {
    AuditStatus.NOT_STARTED: "○",
    AuditStatus.IN_PROGRESS: "●",
    AuditStatus.AWAITING_SIGN_OFF: "◐",
    AuditStatus.SIGNED: "✓",
    AuditStatus.REOPENED: "↺",
}
#: The status filter's choices: (label, key); key "" is everything, "to_do" is not signed.
TO_DO = "to_do"
STATUS_CHOICES: list[tuple[str, str]] = [
    ("All statuses", ""),
    ("Still to do (not signed)", TO_DO),
    *[(f"{STATUS_MARKS[s]} {s.label}", s.value) for s in AuditStatus],
]
OVERDUE_MARK = "!"


def status_text(status: AuditStatus) -> str:
    return f"{STATUS_MARKS[status]} {status.label}"


def due_text(row: QueueRow) -> str:
    text = format_date(row.due_on)
    return f"{text} {OVERDUE_MARK}" if row.overdue else text


def overdue_colour() -> QColor:
    """A red that reads on the current palette (lighter on a dark window)."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return QColor(255, 138, 128) if window.lightness() < 128 else QColor(176, 0, 32)


def _due_key(row: QueueRow) -> int:
    return row.due_on.toordinal() if row.due_on else date.max.toordinal()


#: (header, cell text, sort key) for each column, in order.
COLUMNS: list[tuple[str, Callable[[QueueRow], str], Callable[[QueueRow], Any]]] = [
    ("Case", lambda r: r.case_key, lambda r: r.case_key),
    ("Pathway", lambda r: r.pathway_label or MISSING, lambda r: r.pathway_label.casefold()),
    ("Team", lambda r: r.team or MISSING, lambda r: r.team.casefold()),
    ("Worker", lambda r: r.worker or "Unallocated", lambda r: r.worker.casefold()),
    ("Round", lambda r: r.round_name or MISSING, lambda r: r.round_name.casefold()),
    ("Due", due_text, _due_key),
    ("Status", lambda r: status_text(r.status), lambda r: list(AuditStatus).index(r.status)),
    ("Grade", lambda r: r.grade_label or MISSING, lambda r: r.grade_label.casefold()),
]
DUE_COLUMN = 5
STATUS_COLUMN = 6


class AuditQueueTableModel(QAbstractTableModel):
    """The audits of the queue, one row each (read-only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, audit_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.audit_id == audit_id), -1)

    @property
    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    # -- QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole and section == DUE_COLUMN:
            return f"Due date; {OVERDUE_MARK} marks an overdue audit"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(COLUMNS):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        _header, text, sort_key = COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(row)
        if role == SORT_ROLE:
            return sort_key(row)
        if role == AUDIT_ID_ROLE:
            return row.audit_id
        if role == OVERDUE_ROLE:
            return row.overdue
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == DUE_COLUMN:
                return f"due {format_date(row.due_on)}" + (", overdue" if row.overdue else "")
            if column == STATUS_COLUMN:
                return row.status.label
            return text(row)
        if row.overdue and column == DUE_COLUMN:
            if role == Qt.ItemDataRole.ForegroundRole:
                return overdue_colour()
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Overdue: this audit was due on {format_date(row.due_on)}"
        if role == Qt.ItemDataRole.ToolTipRole and column == 4 and row.template_title:
            return f"Template: {row.template_title}"
        return None


class AuditQueueFilterProxy(QSortFilterProxyModel):
    """Sorts the queue by typed keys and keeps the rows matching status, round and search."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._status: str | None = None
        self._round: str | None = None
        self._words: list[str] = []

    @property
    def is_filtered(self) -> bool:
        return bool(self._status or self._round or self._words)

    def set_filters(
        self, *, status: str | None = None, round_name: str | None = None, search: str = ""
    ) -> None:
        """Keep the rows with ``status`` (a value, ``TO_DO`` or None), ``round_name`` and words."""
        words = search.casefold().split()
        if (status, round_name, words) == (self._status, self._round, self._words):
            return
        self.beginFilterChange()
        self._status, self._round, self._words = status, round_name, words
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        row = model.row_at(source_row) if isinstance(model, AuditQueueTableModel) else None
        if row is None:
            return False
        if self._status == TO_DO and row.status == AuditStatus.SIGNED:
            return False
        if self._status not in (None, TO_DO) and row.status.value != self._status:
            return False
        if self._round is not None and row.round_name != self._round:
            return False
        if self._words:
            haystack = " ".join(
                (row.case_key, row.pathway_label, row.team, row.worker, row.round_name)
            ).casefold()
            return all(word in haystack for word in self._words)
        return True

    def audit_id_at(self, row: int) -> int | None:
        value = self.index(row, 0).data(AUDIT_ID_ROLE) if 0 <= row < self.rowCount() else None
        return int(value) if value is not None else None

    def row_of(self, audit_id: int) -> int:
        model = self.sourceModel()
        if not isinstance(model, AuditQueueTableModel):
            return -1
        source = model.row_of(audit_id)
        if source < 0:
            return -1
        return self.mapFromSource(model.index(source, 0)).row()
