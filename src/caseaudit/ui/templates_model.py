"""Qt item model for the Templates area, and the text of the selected template.

``TemplatesTableModel`` lists the template versions in the database (one row per version, from
``services.templates.list_templates``). ``definition_html`` turns a ``TemplateDefinition`` into
the read-only description the detail pane shows: its sections, each question with its answer
type and guidance, and its limiting rules explained in words. The HTML sets no colours or font
sizes, so it follows the system palette and font.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ..vocabulary import PathwayStage
from .formatting import MISSING

if TYPE_CHECKING:
    from ..services.templates import TemplateSummary
    from ..templating import Question, TemplateDefinition

AnyIndex = QModelIndex | QPersistentModelIndex
TEMPLATE_VERSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

ANSWER_TYPES = {
    "grade": "Grade",
    "yes_no": "Yes / no",
    "date": "Date",
    "number": "Number",
    "choice": "Choice",
    "text": "Evidence (free text)",
}
RULE_TYPES = {
    "cap_by_section": "Capped by a section",
    "requires_at_least": "Needs a minimum grade",
    "answer_caps": "Capped by an answer",
    "grade_caps": "Capped by a grade",
}


def stage_label(value: object) -> str:
    """The label of a pathway stage value, or the value itself if it is not a known stage."""
    try:
        return PathwayStage(str(value)).label
    except ValueError:
        return str(value)


def pathways_text(pathways: Sequence[object]) -> str:
    return ", ".join(stage_label(p) for p in pathways) if pathways else "Any pathway"


#: (header, cell text, alignment) for each column.
TEMPLATE_COLUMNS: list[tuple[str, Callable[[Any], str], Qt.AlignmentFlag]] = [
    ("Title", lambda t: t.title, _LEFT),
    ("Theme", lambda t: t.theme or MISSING, _LEFT),
    ("Version", lambda t: str(t.version) + ("" if t.is_latest else " (older)"), _LEFT),
    ("Grading scale", lambda t: (t.scale_label or t.scale_key).split(":")[0], _LEFT),
    ("Pathways", lambda t: pathways_text(t.pathways), _LEFT),
    ("Sections", lambda t: str(t.section_count), _RIGHT),
    ("Questions", lambda t: str(t.question_count), _RIGHT),
    ("Rules", lambda t: str(t.rule_count), _RIGHT),
    ("Audits", lambda t: str(t.audit_count), _RIGHT),
    ("Source", lambda t: "Built-in" if t.builtin else "Added locally", _LEFT),
]
GUIDANCE = '<p style="margin-left: 20px">'
_NUMERIC = {"Sections", "Questions", "Rules", "Audits"}


class TemplatesTableModel(QAbstractTableModel):
    """The template versions in the database, one per row."""

    SORT_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._templates: list[TemplateSummary] = []

    def set_templates(self, templates: Sequence[TemplateSummary]) -> None:
        self.beginResetModel()
        self._templates = list(templates)
        self.endResetModel()

    def template_at(self, row: int) -> TemplateSummary | None:
        return self._templates[row] if 0 <= row < len(self._templates) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._templates)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TEMPLATE_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._templates):
            return None
        template = self._templates[index.row()]
        header, text, align = TEMPLATE_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(template)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            full = template.scale_label if header == "Grading scale" else text(template)
            return full if role == Qt.ItemDataRole.ToolTipRole else f"{header}: {full}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(align.value)
        if role == TEMPLATE_VERSION_ID_ROLE:
            return template.template_version_id
        if role == self.SORT_ROLE:
            value = text(template)
            return int(value) if header in _NUMERIC else value.lower()
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(TEMPLATE_COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return TEMPLATE_COLUMNS[section][0]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(TEMPLATE_COLUMNS[section][2].value)
        return None


def _question_kind(question: Question) -> str:
    kind = ANSWER_TYPES.get(question.type, question.type)
    timescale = getattr(question, "timescale", None)
    if timescale is not None:
        unit = str(timescale.unit).replace("_", " ")
        kind += f", within {timescale.amount} {unit}"
        if timescale.label:
            kind += f" ({timescale.label})"
    options = getattr(question, "options", ())
    if options:
        kind += ": " + ", ".join(str(option) for option in options)
    return kind + ("" if question.required else ", optional")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def definition_html(summary: TemplateSummary | None, definition: TemplateDefinition) -> str:
    """The read-only description of a template version for the detail pane."""
    parts = [f"<h2>{escape(definition.title)}</h2>"]
    facts = [f"Version {escape(str(definition.version))}"]
    if summary is not None:
        facts.append("built-in" if summary.builtin else "added locally")
    if definition.theme:
        facts.insert(0, f"Theme: {escape(definition.theme)}")
    sections = len(definition.sections)
    questions = sum(len(section.questions) for section in definition.sections)
    facts.append(f"{sections} sections, {questions} questions")
    parts.append(f"<p>{' · '.join(facts)}</p>")
    parts.append(f"<p><b>For:</b> {escape(pathways_text(definition.pathways))}<br>")
    scale = getattr(definition.scale, "name", str(definition.scale))
    parts.append(f"<b>Grading scale:</b> {escape(scale)}</p>")
    if summary is not None and summary.audit_count:
        parts.append(f"<p>Used by {summary.audit_count} audit(s); this version cannot change.</p>")
    if definition.description:
        parts.append(_paragraphs(definition.description))
    for number, section in enumerate(definition.sections, start=1):
        parts.append(f"<h3>{number}. {escape(section.title)}</h3>")
        if section.guidance:
            parts.append(f"{GUIDANCE}<i>Guidance:</i> {escape(section.guidance)}</p>")
        items = []
        for q_number, question in enumerate(section.questions, start=1):
            item = (
                f"<p><b>{number}.{q_number}</b> {escape(question.text)}<br>"
                f"<i>{escape(_question_kind(question))}</i></p>"
            )
            if question.guidance:
                item += f"{GUIDANCE}<i>Guidance:</i> {escape(question.guidance)}</p>"
            items.append(item)
        parts.append("".join(items) or "<p>No questions.</p>")
    if definition.rules:
        parts.append("<h3>Limiting rules</h3><ul>")
        for rule in definition.rules:
            kind = RULE_TYPES.get(rule.type, rule.type)
            explanation = getattr(rule, "explain", "") or kind
            parts.append(f"<li>{escape(explanation)} <i>({escape(kind)})</i></li>")
        parts.append("</ul>")
    return "".join(parts)
