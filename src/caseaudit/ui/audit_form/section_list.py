"""The audit form's list of sections, each with its progress ("2/5") and a mark.

``SectionListModel`` is a plain list model of the sections that apply to this case file (the
grading engine decides; a section shown only for care leavers is left out for a child in need):
each row reads "● 3 Child seen and heard 2/5", where the mark is ✓ when nothing is missing in
the section (answers, N/A reasons and its grade), ● when it has been started and ○ when not,
and the count is the required questions answered out of those that apply. Screen readers hear
it in words ("Section 3, Child seen and heard: 2 of 5 answered, in progress").
``SectionList`` is the keyboard-friendly view of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from ...templating import GradingResult, TemplateDefinition

SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COMPLETE, STARTED, NOT_STARTED = "✓", "●", "○"
STATE_WORDS = {COMPLETE: "complete", STARTED: "in progress", NOT_STARTED: "not started"}
ANSWER_GAPS = frozenset({"answer", "invalid", "na_reason"})

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    number: int
    title: str
    done: int
    total: int
    mark: str

    @property
    def text(self) -> str:
        return f"{self.mark} {self.number} {self.title}  {self.done}/{self.total}"

    @property
    def spoken(self) -> str:
        return (
            f"Section {self.number}, {self.title}: {self.done} of {self.total} answered, "
            f"{STATE_WORDS[self.mark]}"
        )


def section_progress(
    definition: TemplateDefinition, grading: GradingResult, answered: set[str]
) -> list[SectionProgress]:
    """Progress of each section that applies, in template order (numbered as in the template)."""
    visible_questions = set(grading.visible_questions)
    shown = set(grading.visible_sections)
    gaps_by_section: dict[str, set[str]] = {}
    incomplete: set[str] = set()
    for item in grading.missing:
        if item.section_id:
            incomplete.add(item.section_id)
        if item.kind in ANSWER_GAPS and item.question_id:
            gaps_by_section.setdefault(item.section_id or "", set()).add(item.question_id)
    rows = []
    for number, section in enumerate(definition.sections, start=1):
        if section.id not in shown:
            continue
        applying = [q for q in section.questions if q.id in visible_questions and q.required]
        gaps = gaps_by_section.get(section.id, set())
        done = sum(1 for q in applying if q.id not in gaps)
        started = any(q.id in answered for q in section.questions)
        if section.id not in incomplete:
            mark = COMPLETE
        elif started:
            mark = STARTED
        else:
            mark = NOT_STARTED
        rows.append(SectionProgress(section.id, number, section.title, done, len(applying), mark))
    return rows


class SectionListModel(QAbstractListModel):
    """The sections that apply, with progress; rows are ``SectionProgress``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SectionProgress] = []

    def set_progress(self, rows: list[SectionProgress]) -> None:
        """Show ``rows``: only changed rows are announced when the sections stay the same."""
        if [r.section_id for r in rows] != [r.section_id for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        old, self._rows = self._rows, list(rows)
        for number, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before != after:
                index = self.index(number, 0)
                self.dataChanged.emit(index, index)

    def row_of(self, section_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.section_id == section_id), -1)

    def progress(self, row: int) -> SectionProgress | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def section_ids(self) -> list[str]:
        return [r.section_id for r in self._rows]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.progress(index.row()) if index.isValid() and index.column() == 0 else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return row.spoken
        if role == SECTION_ID_ROLE:
            return row.section_id
        return None


class SectionList(QListView):
    """The section list: arrows move, Enter or a click goes to the section."""

    def __init__(self, model: SectionListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sectionList")
        self.setAccessibleName("Sections")
        self.setAccessibleDescription(
            "The sections of the audit with their progress. Ctrl+Page Down and Ctrl+Page Up "
            "move between sections from anywhere in the form."
        )
        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)

    def current_section(self) -> str | None:
        index = self.currentIndex()
        return index.data(SECTION_ID_ROLE) if index.isValid() else None

    def select_section(self, section_id: str) -> None:
        model = self.model()
        assert isinstance(model, SectionListModel)
        row = model.row_of(section_id)
        if row >= 0 and self.currentIndex().row() != row:
            self.setCurrentIndex(model.index(row, 0))
