"""The overall grade panel: the engine's suggestion, every cap in words, the grade and rationale.

``OverallPanel`` is always visible beside the sections. It shows the suggested overall grade
(word, letter and colour), one plain sentence for every limiting rule that capped it ("Overall
capped at Requires improvement because section 'Child seen and heard' is Requires improvement"),
the compliance figure, the auditor's own overall grade, and the rationale. The rationale becomes
required as soon as the chosen grade departs from the suggestion: its label says so in words
and its accessible description changes, not only its look. A signed audit shows read-only fields.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...templating import GradeScale, GradingResult
from .grades import GradeCombo, grade_icon, grade_text

OPTIONAL = "Rationale (optional):"
REQUIRED = "Rationale (required — your grade differs from the suggestion):"


class OverallPanel(QGroupBox):
    """Suggested grade and its caps; the auditor's overall grade and rationale."""

    grade_changed = Signal()
    rationale_changed = Signal()

    def __init__(
        self,
        scale: GradeScale,
        grade: int | None,
        rationale: str,
        *,
        read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Overall", parent)
        self.setObjectName("overallPanel")
        self.scale = scale
        self.read_only = read_only
        self.suggested_icon = QLabel(self)
        self.suggested = QLabel("", self)
        self.suggested.setObjectName("suggestedOverall")
        self.suggested.setWordWrap(True)
        self.caps = QLabel("", self)
        self.caps.setObjectName("overallCaps")
        self.caps.setWordWrap(True)
        self.caps.setTextFormat(Qt.TextFormat.PlainText)
        self.compliance = QLabel("", self)
        self.compliance.setObjectName("compliance")
        self.grade: GradeCombo | None = None
        self.grade_view: QLineEdit | None = None
        if read_only:
            self.grade_view = QLineEdit(grade_text(scale, grade), self)
            self.grade_view.setReadOnly(True)
            self.grade_view.setAccessibleName("Overall grade")
        else:
            self.grade = GradeCombo(scale, "Overall grade", self)
            self.grade.setObjectName("overallGrade")
            self.grade.set_grade(grade)
            self.grade.currentIndexChanged.connect(lambda _i: self.grade_changed.emit())
        self.rationale_label = QLabel(OPTIONAL, self)
        self.rationale_label.setWordWrap(True)
        self.rationale = QPlainTextEdit(rationale, self)
        self.rationale.setObjectName("overallRationale")
        self.rationale.setAccessibleName("Rationale for the overall grade")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setFixedHeight(self.rationale.fontMetrics().lineSpacing() * 4 + 14)
        self.rationale.setReadOnly(read_only)
        self.rationale_label.setBuddy(self.rationale)
        if not read_only:
            self.rationale.textChanged.connect(self.rationale_changed.emit)

        grade_label = QLabel("Overall &grade:", self)
        grade_label.setBuddy(self.grade or self.grade_view)
        suggested_row = QHBoxLayout()
        suggested_row.addWidget(self.suggested_icon)
        suggested_row.addWidget(self.suggested, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(suggested_row)
        layout.addWidget(self.caps)
        layout.addWidget(self.compliance)
        for widget in (grade_label, self.grade or self.grade_view, self.rationale_label):
            layout.addWidget(widget)
        layout.addWidget(self.rationale)
        self._suggested_grade: int | None = None
        self._required = False

    # -- what the form reads --------------------------------------------------------------
    def overall_grade(self) -> int | None:
        return self.grade.grade() if self.grade is not None else None

    def rationale_text(self) -> str:
        return self.rationale.toPlainText()

    @property
    def rationale_required(self) -> bool:
        return self._required

    def focus_chain(self) -> list[QWidget]:
        return [w for w in (self.grade or self.grade_view, self.rationale) if w is not None]

    # -- what the grading says ------------------------------------------------------------
    def apply(self, grading: GradingResult) -> None:
        suggested = grading.suggested_overall
        changed = suggested != self._suggested_grade or self.suggested_icon.pixmap().isNull()
        self._suggested_grade = suggested
        if suggested is None:
            text = "Suggested: none yet — answer the graded questions and grade the sections."
            if not self.suggested_icon.pixmap().isNull():
                self.suggested_icon.clear()
        else:
            text = f"Suggested: {grade_text(self.scale, suggested)}"
            if changed:  # a new picture re-lays out the panel: only when the grade changes
                size = self.fontMetrics().height()
                self.suggested_icon.setPixmap(grade_icon(self.scale, suggested, size).pixmap(size))
        _set(self.suggested, text, text)
        sentences = [cap.sentence for cap in grading.overall_caps]
        caps = "\n".join(f"Capped because: {s}" for s in sentences)
        _set(self.caps, caps, " ".join(sentences) or "No cap applied")
        if self.caps.isHidden() == bool(sentences):
            self.caps.setVisible(bool(sentences))
        percent = grading.compliance.percent
        checks = grading.compliance.denominator
        compliance = (
            f"Compliance: {percent:.0f}% of {checks} checks"
            if percent is not None
            else "Compliance: no yes/no or timescale checks answered yet"
        )
        _set(self.compliance, compliance, compliance)
        self.update_required(grading.rationale_required)

    def update_required(self, engine_says: bool = False) -> None:
        """Mark the rationale required when the chosen grade departs from the suggestion."""
        chosen = self.overall_grade()
        required = engine_says or (chosen is not None and chosen != self._suggested_grade)
        if self.read_only:
            required = engine_says
        self._required = required
        described = bool(self.rationale.accessibleDescription())
        if described and self.rationale_label.text() == (REQUIRED if required else OPTIONAL):
            return  # nothing changed: no relayout
        self.rationale_label.setText(REQUIRED if required else OPTIONAL)
        description = (
            "Required: explain why your overall grade differs from the suggested grade."
            if required
            else "Optional: anything that explains the overall grade."
        )
        self.rationale.setAccessibleDescription(description)
        self.rationale.setPlaceholderText(
            "Explain why the grade differs from the suggestion" if required else ""
        )
        font = self.rationale_label.font()
        font.setBold(required)
        self.rationale_label.setFont(font)


def _set(label: QLabel, text: str, spoken: str) -> None:
    """Change a label only when its text changes (each change re-lays out the panel)."""
    if label.text() != text:
        label.setText(text)
        label.setAccessibleName(spoken)
