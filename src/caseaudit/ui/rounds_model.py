"""Qt item models for case-list imports, audit rounds, samples and programme calendars.

Each is a read-only ``*TableModel`` over plain service dataclasses, built on one small base,
``RowsTableModel``: a list of (header, cell text) columns and ``set_rows``. ``RoundsTableModel``
lists the rounds; ``SampleTableModel`` the files of a sample or of a preview, with their stratum
and auditor and any change made by hand flagged; ``FrameCasesTableModel`` the case files a search
finds, to add one by hand; ``StrataTableModel`` the frame, eligible, target and drawn counts per stratum;
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
    """The files of a sample (``SampleItemInfo``) or of a preview (``PreviewItem``).

    Changes made by hand are flagged in words with a mark: "✎ Added by hand: <reason>",
    "✕ Removed by hand: <reason>", and an auditor given by hand is followed by "(assigned by
    hand)" (``reassigned`` holds those case keys, from the round's method).
    """

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
    AUDITOR_COLUMN = 6
    CHOSEN_COLUMN = 7

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reassigned: frozenset[str] = frozenset()

    def set_rows(self, rows: Sequence[Any], reassigned: Sequence[str] = ()) -> None:
        self.reassigned = frozenset(reassigned)
        super().set_rows(rows)

    def text(self, row: Any, column: int) -> str:
        found = super().text(row, column)
        if column == self.AUDITOR_COLUMN and row.case_key in self.reassigned:
            return f"{found} (assigned by hand)"
        return found

    def row_of_case(self, case_key: str) -> int:
        return next((n for n, i in enumerate(self.rows) if i.case_key == case_key), -1)


def _chosen(item: Any) -> str:
    if getattr(item, "removed", False):
        return f"✕ Removed by hand: {getattr(item, 'removed_reason', '') or 'no reason given'}"
    text = _label(item.reason)
    note = getattr(item, "reason_note", "") or getattr(item, "note", "")
    if str(getattr(item.reason, "value", item.reason)) == "manual":
        text = f"✎ {text}"
    return f"{text}: {note}" if note else text


class FrameCasesTableModel(RowsTableModel):
    """Case files found by a search (``CaseRow``), to add one to a sample by hand."""

    columns = (
        ("Case", lambda c: c.case_key),
        ("Stage", lambda c: _label(c.stage)),
        ("Open or closed", lambda c: _label(c.status)),
        ("Team", lambda c: c.team),
        ("Worker", lambda c: c.worker),
        ("In the sample", lambda c: c.case_key),
    )
    IN_SAMPLE_COLUMN = 5

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: Case keys already in the sample (not removed): shown as such, so none is added twice.
        self.in_sample: frozenset[str] = frozenset()

    def text(self, row: Any, column: int) -> str:
        if column == self.IN_SAMPLE_COLUMN:
            return "Already in the sample" if row.case_key in self.in_sample else "No"
        return super().text(row, column)


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
