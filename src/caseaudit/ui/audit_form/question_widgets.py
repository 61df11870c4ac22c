"""One question of the audit form: its text, answer control, N/A reason, evidence and checks.

``QuestionWidget`` puts together the question's number and text, the control for its answer type
(``answer_controls``), a reason field that appears when N/A is chosen (a reason is needed before
sign-off), the evidence note, the computed timescale sentence under a date ("ICPC held 17 working
days after the strategy discussion — outside 15", marked ✓ or ⚠ as well as coloured) and any
problem with what was typed. It handles the question's keys wherever focus is inside it: Alt+Y /
N / P / A (or Alt+1…4) picks an option, Delete clears a choice, Ctrl+Enter starts a new evidence
line (its key filter sits on the focused field only, put there by ``field_focus``, which also
emits ``focused`` and ``left_field``). It says ``changed(question_id, at_once)`` and leaves
saving to the form. Every field has an accessible name naming the question, and the guidance as
its description.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...templating import AnswerValue, GradeScale, Question
from ...templating.schema import normalise_yes_no
from .answer_controls import AnswerControl, make_control

WITHIN, OUTSIDE = "✓", "⚠"


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class QuestionWidget(QFrame):
    """A question and everything the auditor gives for it."""

    changed = Signal(str, int)  # question id, 1: save at once / 0: after the typing pause
    focused = Signal(str)
    left_field = Signal(str)
    action_requested = Signal(str)

    def __init__(
        self,
        question: Question,
        number: str,
        scale: GradeScale,
        answer: AnswerValue | None,
        *,
        read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.question = question
        self.number = number
        self.read_only = read_only
        self.setObjectName(f"question-{question.id}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        value = answer.value if answer is not None else None
        optional = "" if question.required else " (optional)"
        self.title = QLabel(f"<b>{number}</b>&nbsp; {_escape(question.text)}{optional}", self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setAccessibleName(f"Question {number}: {question.text}")
        self.action_button = QToolButton(self)
        self.action_button.setText("+ Action")
        self.action_button.setAccessibleName(f"Raise an action from question {number}")
        self.action_button.setToolTip("Raise an action from this question (Ctrl+Shift+A)")
        self.action_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+A from the keys
        self.action_button.setAutoRaise(True)
        if read_only:
            self.action_button.hide()
        self.action_button.clicked.connect(lambda: self.action_requested.emit(question.id))
        title_row = QHBoxLayout()
        title_row.setContentsMargins(0, 0, 0, 0)
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)

        self.control: AnswerControl = make_control(
            question, scale, self, read_only=read_only, value=value
        )
        self.control.setObjectName(f"answer-{question.id}")
        self.na_label = QLabel("Reason for N/A:", self)
        self.na_reason = QLineEdit(answer.na_reason if answer else "", self)
        self.na_reason.setObjectName(f"naReason-{question.id}")
        self.na_reason.setPlaceholderText("Why this does not apply to this case file (required)")
        self.na_reason.setAccessibleName(f"Reason for N/A, question {number}")
        self.na_reason.setReadOnly(read_only)
        self.na_label.setBuddy(self.na_reason)
        na_row = QHBoxLayout()
        na_row.setContentsMargins(0, 0, 0, 0)
        na_row.addWidget(self.na_label)
        na_row.addWidget(self.na_reason, 1)
        self.timescale = QLabel("", self)
        self.timescale.setObjectName(f"timescale-{question.id}")
        self.timescale.setWordWrap(True)
        self.timescale.setAccessibleName(f"Timescale check, question {number}")
        self.timescale.hide()
        self.problem = QLabel("", self)
        self.problem.setObjectName(f"problem-{question.id}")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(f"Problem with the answer to question {number}")
        self.problem.hide()
        self.evidence_edit: QPlainTextEdit | None = None
        if question.type != "text":
            evidence = QPlainTextEdit(answer.evidence if answer else "", self)
            evidence.setObjectName(f"evidence-{question.id}")
            evidence.setTabChangesFocus(True)
            evidence.setPlaceholderText("Evidence: where on the file, and what you found")
            evidence.setAccessibleName(f"Evidence for question {number}")
            evidence.setFixedHeight(evidence.fontMetrics().lineSpacing() * 2 + 14)
            if read_only:
                evidence.setReadOnly(True)
                evidence.setTextInteractionFlags(
                    Qt.TextInteractionFlag.TextSelectableByKeyboard
                    | Qt.TextInteractionFlag.TextSelectableByMouse
                )
            self.evidence_edit = evidence

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(3)
        layout.addLayout(title_row)
        layout.addWidget(self.control)
        layout.addLayout(na_row)
        layout.addWidget(self.timescale)
        layout.addWidget(self.problem)
        if self.evidence_edit is not None:
            layout.addWidget(self.evidence_edit)

        description = _short(question.guidance) if question.guidance else question.text
        for widget in self.focus_widgets(all_fields=True):
            widget.setAccessibleDescription(description)
        self.control.changed.connect(self._control_changed)
        self.na_reason.textEdited.connect(lambda _t: self.changed.emit(question.id, 0))
        if self.evidence_edit is not None and not read_only:
            self.evidence_edit.textChanged.connect(lambda: self.changed.emit(question.id, 0))
        self._show_na(normalise_yes_no(value) == "na" if question.type == "yes_no" else False)

    # -- what the form reads --------------------------------------------------------------
    def answer(self) -> tuple[str | None, Any]:
        return self.control.answer()

    def evidence(self) -> str:
        return self.evidence_edit.toPlainText() if self.evidence_edit is not None else ""

    def na_reason_text(self) -> str:
        return self.na_reason.text() if not self.na_reason.isHidden() else ""

    def focus_widgets(self, *, all_fields: bool = False) -> list[QWidget]:
        """The fields Tab visits, in reading order (``all_fields``: hidden ones too)."""
        widgets = list(self.control.focus_widgets())
        if all_fields or not self.na_reason.isHidden():
            widgets.append(self.na_reason)
        if self.evidence_edit is not None:
            widgets.append(self.evidence_edit)
        return widgets

    def owns_field(self, widget: QWidget) -> bool:
        """Whether ``widget`` is one of this question's fields."""
        return any(widget is field for field in self.focus_widgets(all_fields=True))

    def first_focus(self) -> QWidget:
        buttons = [w for w in self.control.focus_widgets() if isinstance(w, QAbstractButton)]
        checked = [b for b in buttons if b.isChecked()]
        return (checked or self.control.focus_widgets())[0]

    # -- what the form shows --------------------------------------------------------------
    def set_timescale(self, sentence: str | None, within: bool | None) -> None:
        """Show the computed timescale result (``within`` None: it could not be checked)."""
        if not sentence:
            if not self.timescale.isHidden():
                self.timescale.hide()
            return
        mark = "ℹ" if within is None else (WITHIN if within else OUTSIDE)
        self.timescale.setText(f"{mark} {sentence}")
        self.timescale.setAccessibleDescription(sentence)
        colour = "" if within is None else ("#1b5e20" if within else "#b00020")
        self.timescale.setStyleSheet(f"color: {colour};" if colour else "")
        self.timescale.show()

    def show_problem(self, text: str | None) -> None:
        self.problem.setText(f"⚠ {text}" if text else "")
        self.problem.setAccessibleDescription(text or "")
        self.problem.setVisible(bool(text))

    def focus_evidence(self, *, new_line: bool = False) -> None:
        edit = self.evidence_edit
        if edit is None:
            return
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.moveCursor(QTextCursor.MoveOperation.End)
        if new_line and edit.toPlainText() and not edit.isReadOnly():
            edit.insertPlainText("\n")

    # -- internals ------------------------------------------------------------------------
    def _control_changed(self, at_once: int) -> None:
        if self.question.type == "yes_no":
            _problem, value = self.control.answer()
            self._show_na(value == "na")
        self.changed.emit(self.question.id, at_once)

    def _show_na(self, shown: bool) -> None:
        if self.na_reason.isHidden() == shown:
            self.na_label.setVisible(shown)
            self.na_reason.setVisible(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()  # the focused field's events only (see ``field_focus``)
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            handled = self._key(event, press=kind == QEvent.Type.KeyPress, watched=watched)
            if handled:
                event.accept()
                return kind == QEvent.Type.KeyPress
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent, *, press: bool, watched: QObject) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if self.read_only:
            return False
        if modifiers == Qt.KeyboardModifier.AltModifier and key in self.control.keys:
            if press:
                self.control.keys[key]()
            return True
        ctrl = Qt.KeyboardModifier.ControlModifier
        if modifiers == ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if press:
                self.focus_evidence(new_line=True)
            return True
        if (
            press
            and modifiers == Qt.KeyboardModifier.NoModifier
            and key == Qt.Key.Key_Delete
            and isinstance(watched, QAbstractButton)
        ):
            self.control.clear()
            return True
        return False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
