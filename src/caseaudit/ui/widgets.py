"""Small widgets the areas share: headings, empty states and a plain read-only table.

Headings scale the system font rather than setting a size, so they follow the user's font
settings and scaling. ``EmptyState`` is what an area shows when it has nothing yet: a heading,
a paragraph that teaches how things get there, and optional buttons (a disabled button keeps
its tooltip, which says why). ``ReadOnlyTable`` is a ``QTableView`` set up the same way in every
area: whole-row selection, no grid clutter, keyboard-first, header sort indicators. The form
helpers (``named_line``, ``named_spin``, ``problem_label``, ``ok_cancel``) build the fields, the
problem banner and the OK/Cancel row every dialog needs, each with its accessible name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def heading(text: str, parent: QWidget | None = None, *, scale: float = 1.35) -> QLabel:
    """A bold label ``scale`` times the system font size."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    else:
        font.setPixelSize(round(font.pixelSize() * scale))
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def paragraph(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def named_line(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    """A line edit with an accessible name and an example as its placeholder."""
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def named_spin(
    parent: QWidget, name: str, low: int, high: int, value: int, suffix: str = ""
) -> QSpinBox:
    """A whole-number field from ``low`` to ``high`` with an accessible name."""
    spin = QSpinBox(parent)
    spin.setAccessibleName(name)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


def add_layout_row(form: QFormLayout, text: str, row: QLayout, buddy: QWidget) -> None:
    """Add ``row`` (several widgets) to ``form`` under a label whose mnemonic moves to
    ``buddy``. Given a plain string, Qt gives a row holding a layout no buddy, so "&File:"
    would show its ampersand and Alt+F would do nothing."""
    label = QLabel(text, form.parentWidget())
    label.setBuddy(buddy)
    form.addRow(label, row)


def problem_label(parent: QWidget) -> QLabel:
    """A hidden label for a problem, shown in words with a mark on a red ground."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: white; background-color: #b00020; padding: 6px;")
    label.setAccessibleName("Problem")
    label.hide()
    return label


def ok_cancel(
    parent: QWidget, ok_text: str, *, cancel_name: str = "Cancel"
) -> tuple[QDialogButtonBox, QPushButton]:
    """The OK/Cancel row with OK renamed to ``ok_text`` (a mnemonic allowed); the box and OK."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_text.replace("&", ""))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(cancel_name)
    return buttons, ok


class EmptyState(QWidget):
    """A centred message for an area with nothing to show yet, with optional buttons."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        self.title = heading(title, self, scale=1.2)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text = paragraph(text, self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setMaximumWidth(self.fontMetrics().averageCharWidth() * 70)
        # Centre the paragraph with stretches, not an alignment flag: a word-wrapped label
        # placed with an alignment flag loses its height-for-width and is cut off.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.text, 4)
        centred.addStretch(1)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addLayout(centred)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addLayout(self._buttons)
        layout.addStretch(2)

    def set_text(self, text: str) -> None:
        self.text.setText(text)

    def add_button(self, text: str, tip: str = "", *, enabled: bool = True) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", ""))
        if tip:
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)
        button.setEnabled(enabled)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button


class ReadOnlyTable(QTableView):
    """A read-only, row-selecting table with the house settings."""

    def __init__(self, name: str, description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        if description:
            self.setAccessibleDescription(description)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        self.setCornerButtonEnabled(False)
        self.verticalHeader().hide()
        self.verticalHeader().setAccessibleName(f"{name}: rows")
        self.horizontalHeader().setAccessibleName(f"{name}: columns")
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def size_columns(self, widths_in_chars: list[int]) -> None:
        """Set column widths in average characters of the current font."""
        unit = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate(widths_in_chars):
            self.setColumnWidth(column, chars * unit + 16)

    def selected_row(self) -> int:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return rows[0].row() if rows else -1
