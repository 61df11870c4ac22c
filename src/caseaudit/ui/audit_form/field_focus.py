"""Which question the keyboard is in: focus and keys for the form's fields, one field at a time.

Each question needs to know when one of its fields gains focus (the guidance panel follows it),
when one loses it (what was typed is saved at once) and which keys are pressed there (Alt+Y /
N / P / A, Alt+1…4, Delete, Ctrl+Enter). An event filter on every field would send every event
of every field (each paint, show and hide: hundreds when a section is shown) through Python,
and while a save holds the interpreter on the database thread each of them waits for it: the
window stalls. ``FieldFocus`` instead listens to the application's one ``focusChanged`` signal,
tells the question whose field was left (``left_field``) and the question whose field now has
focus (``focused``), and puts the question's key filter on the focused field only.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from .question_widgets import QuestionWidget


class FieldFocus(QObject):
    """Follows the keyboard focus among the question fields under ``root``."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._root = root
        self._filtered: tuple[QWidget, QuestionWidget] | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def question_of(self, widget: QWidget | None) -> QuestionWidget | None:
        """The question whose field ``widget`` is (None for anything else)."""
        if widget is None or not shiboken6.isValid(self._root):
            return None
        if not self._root.isAncestorOf(widget):
            return None
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QuestionWidget):
            parent = parent.parentWidget()
        if parent is None or not parent.owns_field(widget):
            return None
        return parent

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        before, after = self.question_of(old), self.question_of(new)
        self._unfilter()
        if before is not None:
            before.left_field.emit(before.question.id)
        if after is not None and new is not None:
            new.installEventFilter(after)
            self._filtered = (new, after)
            after.focused.emit(after.question.id)

    def _unfilter(self) -> None:
        if self._filtered is None:
            return
        field, question = self._filtered
        self._filtered = None
        if shiboken6.isValid(field) and shiboken6.isValid(question):
            field.removeEventFilter(question)
