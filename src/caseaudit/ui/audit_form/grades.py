"""How the audit form shows grades: a word, a letter and a colour, never colour alone.

``grade_text`` writes a grade as its short form and label ("RI · Requires improvement" on the
Ofsted SIF scale, "3 · 3 Adequate" reads badly so the 2009 scale shows only its label);
``grade_icon`` is a small coloured disc carrying the same letter, so the colour is a help and
never the only sign (each is drawn once and reused); ``GradeCombo`` is the picker used for
section and overall grades, with "Not graded yet" first (its data is 0, never ``None``: see
``answer_controls``).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QWidget

from ...templating import GradeScale
from ...templating.scales import GRADES

#: Outstanding (green), good (blue), requires improvement (amber), inadequate (red).
GRADE_COLOURS = {
    1: QColor(27, 94, 32),
    2: QColor(21, 101, 192),
    3: QColor(196, 100, 0),
    4: QColor(183, 28, 28),
}
NOT_GRADED = "Not graded yet"


def grade_text(scale: GradeScale, grade: int | None) -> str:
    if grade is None:
        return NOT_GRADED
    short, label = scale.short(grade), scale.label(grade)
    return label if label.startswith(short) else f"{short} · {label}"


#: Icons already drawn, by (letter, grade, size): drawn once, not for every page and save.
_ICONS: dict[tuple[str, int, int], QIcon] = {}


def grade_icon(scale: GradeScale, grade: int, size: int = 16) -> QIcon:
    """A disc in the grade's colour with its letter in white (drawn once, then reused)."""
    key = (scale.short(grade), grade, size)
    icon = _ICONS.get(key)
    if icon is None:
        icon = _ICONS[key] = _draw_grade_icon(scale, grade, size)
    return icon


def _draw_grade_icon(scale: GradeScale, grade: int, size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(GRADE_COLOURS[grade])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setPixelSize(max(7, int(size * (0.5 if len(scale.short(grade)) > 1 else 0.62))))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, scale.short(grade))
    painter.end()
    return QIcon(pixmap)


class GradeCombo(QComboBox):
    """Pick a grade on ``scale`` (or none); ``grade()`` is the chosen one."""

    def __init__(self, scale: GradeScale, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self.setAccessibleName(name)
        self.view().setAccessibleName(f"{name}: choices")
        self.addItem(NOT_GRADED, 0)
        size = self.fontMetrics().height()
        for grade in GRADES:
            self.addItem(grade_icon(scale, grade, size), grade_text(scale, grade), grade)

    def grade(self) -> int | None:
        return int(self.currentData() or 0) or None

    def set_grade(self, grade: int | None) -> None:
        """Show ``grade`` without announcing a change."""
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(grade)) if grade else 0)
        self.blockSignals(False)
