"""The guidance beside the audit form: the rubric for whichever question has the focus.

``GuidancePanel`` follows the focus: when a question's field gets it, the panel shows the
question's number and text, its guidance (what good and inadequate look like), and the guidance
of its section. It can be collapsed to give the questions more room (its button, or F6), and
remembers that choice. The text is plain and selectable, and a screen reader can read it from
the panel's text field.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from ...templating import Question, Section
from ..geometry import load_value, save_value
from ..widgets import heading

EMPTY = "Move to a question to see its guidance here."


class GuidancePanel(QWidget):
    """Collapsible guidance for the focused question."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidancePanel")
        self.title = heading("Guidance", self, scale=1.1)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("guidanceToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("Show guidance")
        self.toggle.setToolTip("Show or hide the guidance (F6)")
        self.toggle.setShortcut("F6")
        self.toggle.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.text = QTextBrowser(self)
        self.text.setObjectName("guidanceText")
        self.text.setAccessibleName("Guidance for the current question")
        self.text.setOpenLinks(False)
        self.text.setPlainText(EMPTY)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self.question_id: str | None = None
        self.toggle.toggled.connect(self._set_shown)
        shown = load_value(GuidancePanel, "shown", "true") != "false"
        self.toggle.setChecked(shown)
        self._set_shown(shown)

    @property
    def collapsed(self) -> bool:
        return not self.toggle.isChecked()

    def _set_shown(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.title.setVisible(shown)
        self.toggle.setText("Hide guidance ▸" if shown else "◂ Guidance")
        self.toggle.setAccessibleName("Hide guidance" if shown else "Show guidance")
        self.setMaximumWidth(16_777_215 if shown else self.toggle.sizeHint().width() + 8)
        save_value(GuidancePanel, "shown", "true" if shown else "false")

    def show_question(self, question: Question, number: str, section: Section) -> None:
        """Show ``question``'s guidance (and its section's)."""
        if question.id == self.question_id:
            return
        self.question_id = question.id
        parts = [f"<p><b>{escape(number)} {escape(question.text)}</b></p>"]
        if question.guidance:
            parts.append(_paragraphs(question.guidance))
        else:
            parts.append("<p><i>This question has no guidance of its own.</i></p>")
        if question.timescale is not None and question.timescale.label:
            parts.append(f"<p><b>Timescale:</b> {escape(question.timescale.label)}</p>")
        if section.guidance:
            parts.append(f"<p><b>About section '{escape(section.title)}'</b></p>")
            parts.append(_paragraphs(section.guidance))
        self.text.setHtml("".join(parts))
        self.text.setAccessibleDescription(f"Guidance for question {number}")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
