"""One answer control per answer type, each reading and showing an answer the same way.

Every control has ``answer() -> (problem, value)`` (``problem`` is a sentence when what is typed
is not yet an answer, such as half a date), ``set_value``, a ``changed(at_once)`` signal (a
choice is saved at once, typing after a pause), ``keys`` (the Alt+key shortcuts the question
offers: Alt+Y/N/P/A for yes / no / partly / N/A, Alt+1…4 for grades and options) and the
widgets Tab visits. (Signals carry 0/1, not Python bools, and no combo box holds ``None`` as
its data: PySide6 6.12 on Python 3.11 loses a reference to ``True``/``False`` on every bool
emitted from Python, and to ``None`` on every empty ``QVariant`` read back.) Options are radio
buttons in one group, so Tab enters at the chosen one and
the arrow keys move between them; Delete clears a choice. ``ReadOnlyControl`` shows a signed
audit's answer in a read-only field that keyboard and screen reader can still reach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from ...templating import GradeScale, Question, as_date
from ...templating.schema import normalise_yes_no
from .grades import grade_icon, grade_text

NOT_ANSWERED = "Not answered"
YES_NO_OPTIONS = [
    ("yes", "&Yes", Qt.Key.Key_Y),
    ("no", "&No", Qt.Key.Key_N),
    ("partly", "&Partly", Qt.Key.Key_P),
    ("na", "N/&A", Qt.Key.Key_A),
]
MAX_RADIO_OPTIONS = 6
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def _digit_key(number: int) -> Qt.Key:
    return Qt.Key(Qt.Key.Key_0.value + number)


def display_answer(question: Question, scale: GradeScale, value: Any) -> str:
    """An answer as words, for read-only fields and lists."""
    if value is None or value == "" or value == []:
        return NOT_ANSWERED
    if question.type == "yes_no":
        word = normalise_yes_no(value)
        return {"yes": "Yes", "no": "No", "partly": "Partly", "na": "N/A"}.get(word or "", "?")
    if question.type == "grade" and isinstance(value, int):
        return grade_text(scale, value)
    if question.type == "date":
        day = as_date(value)
        return day.strftime("%d/%m/%Y") if day else str(value)
    if question.type == "number":
        return (
            f"{value:g} {question.unit}".strip() if isinstance(value, int | float) else str(value)
        )
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


class AnswerControl(QWidget):
    """Base: the interface every answer control offers the question widget."""

    changed = Signal(int)  # 1: save at once (a choice), 0: after the typing pause

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.keys: dict[Qt.Key, Callable[[], None]] = {}

    def answer(self) -> tuple[str | None, Any]:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widgets(self) -> list[QWidget]:
        return [self]

    def clear(self) -> None:
        self.set_value(None)
        self.changed.emit(1)


class RadioControl(AnswerControl):
    """Options as radio buttons in one exclusive group (yes/no, grades, a few choices)."""

    def __init__(
        self,
        name: str,
        options: Sequence[tuple[Any, str, Qt.Key | None]],
        parent: QWidget | None = None,
        *,
        icons: dict[Any, Any] | None = None,
    ) -> None:
        super().__init__(name, parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[Any, QRadioButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for value, text, key in options:
            button = QRadioButton(text, self)
            button.setShortcut(QKeySequence())  # Alt+key is the question's, not the window's
            plain = text.replace("&", "")
            button.setAccessibleName(f"{plain} — {name}")
            if key is not None:
                button.setToolTip(f"Alt+{QKeySequence(key).toString()}")
                self.keys[key] = lambda button=button: self._choose(button)
            if icons and value in icons:
                button.setIcon(icons[value])
            self.group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._toggled)

    def _choose(self, button: QAbstractButton) -> None:
        button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not button.isChecked():
            button.setChecked(True)

    def _toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit(1)

    def answer(self) -> tuple[str | None, Any]:
        for value, button in self.buttons.items():
            if button.isChecked():
                return None, value
        return None, None

    def set_value(self, value: Any) -> None:
        self.group.blockSignals(True)
        self.group.setExclusive(False)
        for option, button in self.buttons.items():
            button.setChecked(option == value)
        self.group.setExclusive(True)
        self.group.blockSignals(False)

    def focus_widgets(self) -> list[QWidget]:
        return list(self.buttons.values())


def yes_no_control(question: Question, parent: QWidget) -> RadioControl:
    options = [
        option
        for option in YES_NO_OPTIONS
        if (option[0] != "partly" or question.allow_partly)
        and (option[0] != "na" or question.allow_na)
    ]
    return RadioControl(question.text, options, parent)


def grade_control(question: Question, scale: GradeScale, parent: QWidget) -> RadioControl:
    size = parent.fontMetrics().height()
    options = [(g, grade_text(scale, g), _digit_key(g)) for g in (1, 2, 3, 4)]
    icons = {g: grade_icon(scale, g, size) for g in (1, 2, 3, 4)}
    return RadioControl(question.text, options, parent, icons=icons)


class ComboControl(AnswerControl):
    """One of many options, from a drop-down list (type a letter to jump)."""

    def __init__(self, name: str, options: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(name)
        self.combo.view().setAccessibleName(f"{name}: choices")
        self.combo.addItem(NOT_ANSWERED, "")
        for option in options:
            self.combo.addItem(option, option)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit(1))

    def answer(self) -> tuple[str | None, Any]:
        return None, self.combo.currentData() or None

    def set_value(self, value: Any) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)) if value else 0)
        self.combo.blockSignals(False)

    def focus_widgets(self) -> list[QWidget]:
        return [self.combo]


class ChecksControl(AnswerControl):
    """Several options may be chosen: one check box each (Alt+1…9 toggles)."""

    def __init__(self, name: str, options: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.boxes: dict[str, QCheckBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for number, option in enumerate(options, start=1):
            box = QCheckBox(option, self)
            box.setAccessibleName(f"{option} — {name}")
            if number < 10:
                box.setToolTip(f"Alt+{number}")
                self.keys[_digit_key(number)] = box.toggle
            box.toggled.connect(lambda _checked: self.changed.emit(1))
            self.boxes[option] = box
            layout.addWidget(box)
        layout.addStretch(1)

    def answer(self) -> tuple[str | None, Any]:
        chosen = [option for option, box in self.boxes.items() if box.isChecked()]
        return None, chosen or None

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for option, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(option in chosen)
            box.blockSignals(False)

    def focus_widgets(self) -> list[QWidget]:
        return list(self.boxes.values())


def choice_control(question: Question, parent: QWidget) -> AnswerControl:
    if question.multiple:
        return ChecksControl(question.text, question.options, parent)
    if len(question.options) > MAX_RADIO_OPTIONS:
        return ComboControl(question.text, question.options, parent)
    options = [
        (option, option, _digit_key(n) if n < 10 else None)
        for n, option in enumerate(question.options, start=1)
    ]
    return RadioControl(question.text, options, parent)


class LineControl(AnswerControl):
    """A typed answer in one line: a date (dd/mm/yyyy) or a number; saved after a pause."""

    def __init__(self, name: str, kind: str, unit: str = "", parent: QWidget | None = None):
        super().__init__(name, parent)
        self.kind = kind
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        if kind == "date":
            self.edit.setPlaceholderText("dd/mm/yyyy")
            self.edit.setAccessibleDescription("A date, written as day/month/year")
            pattern = r"[0-9]{0,4}([/.-][0-9]{0,2}([/.-][0-9]{0,4})?)?"
        else:
            self.edit.setPlaceholderText("a number")
            self.edit.setAccessibleDescription(f"A number{f' of {unit}' if unit else ''}")
            pattern = r"-?[0-9]*([.][0-9]*)?"
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        chars = 14 if kind == "date" else 10
        self.edit.setMaximumWidth(self.fontMetrics().averageCharWidth() * chars + 16)
        if unit:
            layout.addWidget(QLabel(unit, self))
        layout.addStretch(1)
        self.edit.textEdited.connect(lambda _text: self.changed.emit(0))

    def answer(self) -> tuple[str | None, Any]:
        text = self.edit.text().strip()
        if not text:
            return None, None
        if self.kind == "date":
            return _parse_date(text)
        try:
            number = float(text)
        except ValueError:
            return "Write a number, such as 4 or 2.5.", None
        return None, int(number) if number.is_integer() and "." not in text else number

    def set_value(self, value: Any) -> None:
        if value is None:
            self.edit.setText("")
        elif self.kind == "date":
            day = as_date(value)
            self.edit.setText(day.strftime("%d/%m/%Y") if day else str(value))
        else:
            self.edit.setText(f"{value:g}" if isinstance(value, int | float) else str(value))

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


def _parse_date(text: str) -> tuple[str | None, date | None]:
    from datetime import datetime

    cleaned = re.sub(r"\s+", "", text)
    for pattern in DATE_FORMATS:
        try:
            return None, datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return "Write the date in full as day/month/year, for example 04/11/2026.", None


class TextControl(AnswerControl):
    """A written answer (several lines; Tab leaves the field); saved after a pause."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setAccessibleName(name)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(lambda: self.changed.emit(0))

    def answer(self) -> tuple[str | None, Any]:
        return None, self.edit.toPlainText() or None

    def set_value(self, value: Any) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(str(value or ""))
        self.edit.blockSignals(False)

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


class ReadOnlyControl(AnswerControl):
    """A signed audit's answer: read-only, but focusable and read out by screen readers."""

    def __init__(self, name: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.edit = QLineEdit(text, self)
        self.edit.setReadOnly(True)
        self.edit.setAccessibleName(name)
        self.edit.setAccessibleDescription("Answer; read-only because the audit is signed off")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self._value: Any = None

    def answer(self) -> tuple[str | None, Any]:
        return None, self._value

    def set_value(self, value: Any) -> None:
        self._value = value

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


def make_control(
    question: Question, scale: GradeScale, parent: QWidget, *, read_only: bool, value: Any
) -> AnswerControl:
    """The control for ``question``'s type, showing ``value``."""
    if read_only:
        control: AnswerControl = ReadOnlyControl(
            question.text, display_answer(question, scale, value), parent
        )
    elif question.type == "yes_no":
        control = yes_no_control(question, parent)
    elif question.type == "grade":
        control = grade_control(question, scale, parent)
    elif question.type == "choice":
        control = choice_control(question, parent)
    elif question.type in ("date", "number"):
        control = LineControl(question.text, question.type, question.unit, parent)
    else:
        control = TextControl(question.text, parent)
    control.set_value(value)
    return control
