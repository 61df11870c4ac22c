"""One section of the audit form: its questions, its grade and commentary, built on first show.

``SectionPage`` lays out the section's questions in template order (numbered "3.1", "3.2", …;
all at once, or a few at a time while the program is idle, ``build_some``),
then the section grade (with the engine's suggestion and any cap on the section, in words) and
an optional commentary; a page built in idle time is also laid out and drawn once off screen
(``prepare``), so that moving to it only paints. Questions whose condition is not met are
hidden and skipped by Tab; they appear as soon as an answer makes them apply (``apply`` after
each save). Tab order is reading
order: the questions, then the grade, then the commentary. A signed audit's page shows the same
things in read-only fields that stay focusable. The page only reports changes; the form saves.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...services.audits import AuditForm
from ...templating import GradingResult, Section
from ..widgets import heading, paragraph
from .grades import GradeCombo, grade_text
from .question_widgets import QuestionWidget


class SectionPage(QScrollArea):
    """The questions of one section, with its grade and commentary."""

    question_changed = Signal(str, int)
    question_focused = Signal(str)
    left_field = Signal(str)
    grade_changed = Signal(str)
    commentary_changed = Signal(str)
    action_requested = Signal(str, str)

    def __init__(
        self,
        section: Section,
        number: int,
        form: AuditForm,
        parent: QWidget | None = None,
        *,
        build_now: bool = True,
    ) -> None:
        super().__init__(parent)
        self.section = section
        self.number = number
        self.read_only = form.read_only
        self.setObjectName(f"section-{section.id}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget(self)
        inner.setObjectName(f"sectionBody-{section.id}")
        self.setWidget(inner)
        scale = self.scale = form.definition.scale

        self._form = form
        self._inner = inner
        self._to_build = list(enumerate(section.questions, start=1))
        self.questions: dict[str, QuestionWidget] = {}
        self.separators: dict[str, QFrame] = {}

        self.grade: GradeCombo | None = None
        self.grade_view: QLineEdit | None = None
        self.suggestion = QLabel("", inner)
        self.suggestion.setObjectName(f"sectionSuggestion-{section.id}")
        self.suggestion.setWordWrap(True)
        self.caps = QLabel("", inner)
        self.caps.setObjectName(f"sectionCaps-{section.id}")
        self.caps.setWordWrap(True)
        self.caps.hide()
        name = f"Grade for section {number}, {section.title}"
        given = form.section_grades.get(section.id)
        if section.graded and form.read_only:
            self.grade_view = QLineEdit(grade_text(scale, given), inner)
            self.grade_view.setReadOnly(True)
            self.grade_view.setAccessibleName(name)
        elif section.graded:
            self.grade = GradeCombo(scale, name, inner)
            self.grade.setObjectName(f"sectionGrade-{section.id}")
            self.grade.set_grade(given)
            self.grade.currentIndexChanged.connect(lambda _i: self.grade_changed.emit(section.id))
        self.commentary = QPlainTextEdit(form.section_commentary.get(section.id, ""), inner)
        self.commentary.setObjectName(f"sectionCommentary-{section.id}")
        self.commentary.setAccessibleName(f"Commentary on section {number}, {section.title}")
        self.commentary.setPlaceholderText("Commentary on this section (optional)")
        self.commentary.setTabChangesFocus(True)
        self.commentary.setFixedHeight(self.commentary.fontMetrics().lineSpacing() * 3 + 14)
        self.commentary.setReadOnly(form.read_only)
        if not form.read_only:
            self.commentary.textChanged.connect(lambda: self.commentary_changed.emit(section.id))

        title = heading(f"{number}. {section.title}", inner, scale=1.2)
        title.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(title, 1)
        grade_widget = self.grade or self.grade_view
        if grade_widget is not None:
            grade_label = QLabel("Section &grade:", inner)
            grade_label.setBuddy(grade_widget)
            title_row.addWidget(grade_label)
            title_row.addWidget(grade_widget)
        layout = QVBoxLayout(inner)
        layout.addLayout(title_row)
        if section.graded:
            layout.addWidget(self.suggestion)
            layout.addWidget(self.caps)
        if section.guidance:
            guidance = paragraph(section.guidance, inner)
            guidance.setObjectName(f"sectionGuidance-{section.id}")
            layout.addWidget(guidance)
        self._layout = layout
        self._commentary_label = QLabel("Section commentary:", inner)
        layout.addWidget(self._commentary_label)
        layout.addWidget(self.commentary)
        layout.addStretch(1)
        self._grading = form.grading
        #: Whether the page has been laid out and drawn once off screen (``prepare``).
        self.prepared = False
        self._laid_out = False
        if build_now:
            self.build_all()

    # -- building the questions (all at once, or a few at a time while the program is idle) --
    @property
    def complete(self) -> bool:
        return not self._to_build

    def build_all(self) -> None:
        self.build_some(len(self._to_build))

    def build_some(self, count: int) -> bool:
        """Add the next ``count`` questions; True when every question is there."""
        form, inner = self._form, self._inner
        added = []
        for position, question in self._to_build[:count]:
            widget = QuestionWidget(
                question,
                f"{self.number}.{position}",
                self.scale,
                form.answers.get(question.id),
                read_only=form.read_only,
                parent=inner,
            )
            widget.changed.connect(self.question_changed.emit)
            widget.focused.connect(self.question_focused.emit)
            widget.left_field.connect(lambda qid: self.left_field.emit(f"answer:{qid}"))
            widget.action_requested.connect(lambda qid: self.action_requested.emit("", qid))
            line = QFrame(inner)
            line.setFrameShape(QFrame.Shape.HLine)
            line.setFrameShadow(QFrame.Shadow.Sunken)
            at = self._layout.indexOf(self._commentary_label)
            self._layout.insertWidget(at, line)
            self._layout.insertWidget(at + 1, widget)
            self.questions[question.id] = widget
            self.separators[question.id] = line
            added.append(question.id)
        del self._to_build[:count]
        if added:
            self.apply(self._grading)
        return self.complete

    def prepare(self, geometry: QRect) -> bool:
        """One step of readying the hidden page at ``geometry`` off screen; True when ready.

        Showing a page the first time lays out and draws every field of it. Done here instead,
        in two short steps while the program is idle (lay it out, then draw it once), moving
        to the section later only paints.
        """
        if self.isVisible() or not geometry.isValid():
            self.prepared = True
        elif not self._laid_out:
            self.setGeometry(geometry)
            self.grab(QRect(0, 0, 1, 1))  # drawing a hidden widget lays it out first
            self._laid_out = True
        else:
            self.grab()  # text layouts and the style's caches are ready for the first paint
            self.prepared = True
        return self.prepared

    def apply(self, grading: GradingResult) -> None:
        """Show what the latest grading says: which questions apply, timescales, suggestion."""
        self._grading = grading
        visible = set(grading.visible_questions)
        for qid, widget in self.questions.items():
            shown = qid in visible
            if widget.isHidden() == shown:  # only what changes: each call costs on a big page
                widget.setVisible(shown)
                self.separators[qid].setVisible(shown)
            result = grading.timescales.get(qid)
            if result is not None:
                widget.set_timescale(result.sentence, result.within)
            else:
                widget.set_timescale(grading.unchecked_timescales.get(qid), None)
        outcome = grading.sections.get(self.section.id)
        if outcome is None or not self.section.graded:
            return
        suggestion = f"Suggested from the answers: {self._scale_text(outcome.suggested)}"
        if suggestion != self.suggestion.text():  # unchanged text: no relayout
            self.suggestion.setText(suggestion)
            self.suggestion.setAccessibleName(suggestion)
        sentences = [cap.sentence for cap in outcome.caps]
        caps = "\n".join(f"Capped: {s}" for s in sentences)
        if caps != self.caps.text():
            self.caps.setText(caps)
            self.caps.setAccessibleName(" ".join(sentences))
            self.caps.setVisible(bool(sentences))

    def _scale_text(self, grade: int | None) -> str:
        if grade is None:
            return "none yet (answer the graded questions)"
        return grade_text(self.scale, grade)

    def focus_chain(self) -> list[QWidget]:
        """The page's fields in reading order, for the form's Tab order."""
        chain: list[QWidget] = []
        for widget in self.questions.values():
            chain.extend(widget.focus_widgets(all_fields=True))
        grade_widget = self.grade or self.grade_view
        if grade_widget is not None:
            chain.append(grade_widget)
        chain.append(self.commentary)
        return chain

    def first_field(self) -> QWidget:
        for widget in self.questions.values():
            if not widget.isHidden():
                return widget.first_focus()
        return self.grade or self.grade_view or self.commentary

    def section_grade(self) -> int | None:
        return self.grade.grade() if self.grade is not None else None
