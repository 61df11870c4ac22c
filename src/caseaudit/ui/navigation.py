"""The navigation rail on the left of the window: one entry per area, with counts.

``Area`` names the six areas in rail order (Ctrl+1 … Ctrl+6 follow it). ``NavigationRail`` is a
plain list whose delegate draws each area's count at the right edge in the palette's muted text
colour; a count that needs attention is followed by "!" so it never relies on colour. Screen
readers hear the label and the count ("Cases, 300").
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from .formatting import format_count

COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
AREA_ROLE = Qt.ItemDataRole.UserRole + 2


class Area(enum.Enum):
    """The areas of the window, in rail order."""

    MY_AUDITS = ("my_audits", "My audits", "Case files you have been asked to audit")
    ROUNDS = ("rounds", "Rounds", "Audit rounds: theme, template, sample and progress")
    CASES = ("cases", "Cases", "Every case file in the database, by pseudonymous case key")
    ACTIONS = ("actions", "Actions", "Actions raised by audits, with owners and due dates")
    REPORTS = ("reports", "Reports", "Signed, pseudonymised summaries for QA groups")
    TEMPLATES = ("templates", "Templates", "The library of themed audit templates")

    def __init__(self, key: str, label: str, description: str) -> None:
        self.key = key
        self.label = label
        self.description = description

    @property
    def number(self) -> int:
        """1-based position in the rail (the digit of its Ctrl shortcut)."""
        return list(Area).index(self) + 1

    @classmethod
    def from_key(cls, key: str, default: Area) -> Area:
        return next((area for area in cls if area.key == key), default)


class _CountDelegate(QStyledItemDelegate):
    """Draws the item as usual, then its count right-aligned in muted text."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if not count:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(option.palette.color(role))
        margin = option.fontMetrics.horizontalAdvance("M") // 2
        rect = option.rect.adjusted(0, 0, -margin, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        line = option.fontMetrics.height()
        return QSize(size.width(), max(size.height(), int(line * 1.9)))


class NavigationRail(QListWidget):
    """The left-hand list of areas; emits ``area_chosen`` when the current entry changes."""

    area_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigationRail")
        self.setAccessibleName("Areas")
        self.setAccessibleDescription("Choose an area of caseaudit. Ctrl+1 to Ctrl+6 jump here.")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_CountDelegate(self))
        self.setUniformItemSizes(True)
        self._items: dict[Area, QListWidgetItem] = {}
        for area in Area:
            item = QListWidgetItem(area.label)
            item.setData(AREA_ROLE, area.key)
            item.setToolTip(f"{area.description} (Ctrl+{area.number})")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, area.label)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, area.description)
            self.addItem(item)
            self._items[area] = item
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(area.label) for area in Area)
        self.setFixedWidth(
            widest + metrics.horizontalAdvance("100,000 !") + 6 * metrics.height() // 2
        )
        self.currentRowChanged.connect(self._row_changed)

    def current_area(self) -> Area | None:
        row = self.currentRow()
        return list(Area)[row] if 0 <= row < len(Area) else None

    def set_current(self, area: Area) -> None:
        """Select ``area`` without emitting ``area_chosen`` if it is already current."""
        if self.current_area() is not area:
            self.setCurrentItem(self._items[area])

    def set_count(self, area: Area, count: int | None, *, attention: bool = False) -> None:
        """Show ``count`` beside ``area`` (None hides it); ``attention`` adds a "!"."""
        item = self._items[area]
        text = "" if count is None else format_count(count) + (" !" if attention else "")
        item.setData(COUNT_ROLE, text)
        spoken = area.label if count is None else f"{area.label}, {text}"
        if attention:
            spoken += " (needs attention)"
        item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)

    def count_text(self, area: Area) -> str:
        return str(self._items[area].data(COUNT_ROLE) or "")

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(Area):
            self.area_chosen.emit(list(Area)[row])
