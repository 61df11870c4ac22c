"""Qt item models for case-list imports, audit rounds, samples and programme calendars.

Each is a read-only ``*TableModel`` over plain service dataclasses, built on one small base,
``RowsTableModel``: a list of (header, cell text) columns and ``set_rows``. ``RoundsTableModel``
lists the rounds; ``SampleTableModel`` the files of a sample or of a preview, with their stratum
and auditor; ``StrataTableModel`` the frame, eligible, target and drawn counts per stratum;
``RejectedRowsTableModel`` the rows an import rejects (row, field, reason); and
``CalendarTableModel`` a programme's periods, whose status is given in words and a mark as well
as a colour, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication

from .formatting import MISSING

AnyIndex = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
Column = tuple[str, Callable[[Any], object]]


def _date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else MISSING


def _label(value: object) -> str:
    return str(getattr(value, "label", value) or MISSING)


class RowsTableModel(QAbstractTableModel):
    """A read-only table of ``rows`` shown through ``columns`` (header, row → cell)."""

    columns: Sequence[Column] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_data(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

    def text(self, row: Any, column: int) -> str:
        value = self.columns[column][1](row)
        return MISSING if value is None or value == "" else str(value)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.columns[index.column()][0]}: {self.text(row, index.column())}"
        if role == ID_ROLE:
            return getattr(row, "id", None)
        return None


class RoundsTableModel(RowsTableModel):
    columns = (
        ("Round", lambda r: r.name),
        ("Theme", lambda r: r.theme),
        ("Template", lambda r: f"{r.template_key} {r.template_version}"),
        ("Period", lambda r: f"{_date(r.period_start)} – {_date(r.period_end)}"),
        ("Status", lambda r: _label(r.status)),
        ("Files", lambda r: r.item_count),
        ("Auditors", lambda r: ", ".join(r.auditors)),
    )


class SampleTableModel(RowsTableModel):
    """The files of a sample (``SampleItemInfo``) or of a preview (``PreviewItem``)."""

    columns = (
        ("Case", lambda i: i.case_key),
        ("Stratum", lambda i: i.stratum),
        ("Stage", lambda i: _label(i.stage)),
        ("Open or closed", lambda i: _label(i.status)),
        ("Team", lambda i: i.team),
        ("Worker", lambda i: i.worker),
        ("Auditor", lambda i: i.auditor_name or "Not assigned"),
        ("How chosen", lambda i: _chosen(i)),
    )

    def row_of_case(self, case_key: str) -> int:
        return next((n for n, i in enumerate(self.rows) if i.case_key == case_key), -1)


def _chosen(item: Any) -> str:
    text = _label(item.reason)
    note = getattr(item, "reason_note", "") or getattr(item, "note", "")
    if getattr(item, "removed", False):
        return f"Removed: {getattr(item, 'removed_reason', '') or 'no reason given'}"
    return f"{text}: {note}" if note else text


class StrataTableModel(RowsTableModel):
    columns = (
        ("Stratum", lambda s: s.label),
        ("Frame", lambda s: s.frame),
        ("Eligible", lambda s: s.eligible),
        ("Target", lambda s: s.target),
        ("Drawn", lambda s: s.drawn),
    )


class RejectedRowsTableModel(RowsTableModel):
    columns = (
        ("Row", lambda p: p.row),
        ("Field", lambda p: p.field),
        ("Reason", lambda p: p.reason),
    )


#: Each period status: a mark and a colour (light theme, dark theme), alongside the words.
STATUS_MARKS: dict[str, tuple[str, tuple[QColor, QColor]]] = {
    "due": ("○", (QColor(21, 101, 192), QColor(144, 202, 249))),
    "in progress": ("◐", (QColor(121, 85, 0), QColor(255, 213, 79))),
    "completed": ("✓", (QColor(27, 94, 32), QColor(165, 214, 167))),
    "overdue": ("⚠", (QColor(176, 0, 32), QColor(255, 138, 128))),
}


def status_text(status: object) -> str:
    word = str(status)
    mark = STATUS_MARKS.get(word, ("", ()))[0]
    return f"{mark} {word.capitalize()}".strip()


def status_colour(status: object) -> QColor | None:
    found = STATUS_MARKS.get(str(status))
    if found is None:
        return None
    light, dark = found[1]
    window = QGuiApplication.palette().window().color()
    return dark if window.lightness() < 128 else light


STATUS_COLUMN = 3


class CalendarTableModel(RowsTableModel):
    """A programme's periods (``CalendarPeriod``): words, a mark and a colour for the status."""

    columns = (
        ("Period", lambda c: c.period.label),
        ("Dates", lambda c: f"{_date(c.period.start)} – {_date(c.period.end)}"),
        ("Due", lambda c: _date(c.period.due_on)),
        ("Status", lambda c: status_text(c.status)),
        ("Round", lambda c: c.round_name or "No round yet"),
        ("Signed off", lambda c: f"{c.signed} of {c.files}" if c.round_id else MISSING),
    )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and index.column() == STATUS_COLUMN
            and index.row() < len(self.rows)
        ):
            return status_colour(self.rows[index.row()].status)
        if role == ID_ROLE and index.isValid() and index.row() < len(self.rows):
            return self.rows[index.row()].round_id
        return super().data(index, role)
