"""The validated, immutable form of an audit template, and its JSON round trip.

A ``TemplateDefinition`` is what the loader builds from a YAML file once every check has
passed, what ``TemplateVersion.definition`` stores (``to_json`` / ``from_json``), and what the
grading engine reads. Grades inside it are integers 1 (best) to 4 (worst); pathway stages are
``PathwayStage`` values; answer values in conditions are normalised strings (``"yes"``,
``"na"``, a choice option, or a grade number as text). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .scales import GradeScale, scale_for

__all__ = [
    "ANSWER_TYPES",
    "JSON_FORMAT",
    "RULE_TYPES",
    "Condition",
    "Question",
    "Rule",
    "Section",
    "TemplateDefinition",
    "Timescale",
    "YES_NO_VALUES",
    "normalise_yes_no",
]

ANSWER_TYPES = ("grade", "yes_no", "date", "number", "choice", "text")
RULE_TYPES = ("cap_by_section", "requires_at_least", "answer_caps", "grade_caps")
TIMESCALE_UNITS = ("working_days", "days", "months")
OVERALL = "overall"
JSON_FORMAT = 1
YES_NO_VALUES = ("yes", "no", "partly", "na")
_YES_NO_SPELLINGS = {"n/a": "na", "n_a": "na", "not applicable": "na", "not_applicable": "na"}


def normalise_yes_no(value: object) -> str | None:
    """``"yes"``/``"no"``/``"partly"``/``"na"`` from what was written (``"N/A"`` too), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    text = _YES_NO_SPELLINGS.get(text, text)
    return text if text in YES_NO_VALUES else None


@dataclass(frozen=True)
class Condition:
    """Shown only for some pathways (``pathways``) or after some answer (``question``/``values``)."""

    pathways: tuple[str, ...] = ()
    question: str | None = None
    values: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        if self.question is None:
            return {"pathway": list(self.pathways)}
        return {"question": self.question, "in": list(self.values)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Condition | None:
        if not data:
            return None
        if "pathway" in data:
            return cls(pathways=tuple(data["pathway"]))
        return cls(question=data["question"], values=tuple(data["in"]))


@dataclass(frozen=True)
class Timescale:
    """A date question's limit: ``amount`` ``unit`` after an anchor question or pathway event."""

    amount: int
    unit: str  # working_days | days | months
    anchor_question: str | None = None
    anchor_event: str | None = None
    which: str = "last"  # first | last (for event anchors)
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        anchor: dict[str, Any] = (
            {"question": self.anchor_question}
            if self.anchor_question
            else {"event": self.anchor_event, "which": self.which}
        )
        return {"anchor": anchor, "within": {self.unit: self.amount}, "label": self.label}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Timescale | None:
        if not data:
            return None
        ((unit, amount),) = data["within"].items()
        anchor = data["anchor"]
        return cls(
            amount=int(amount),
            unit=unit,
            anchor_question=anchor.get("question"),
            anchor_event=anchor.get("event"),
            which=anchor.get("which", "last"),
            label=data.get("label", ""),
        )


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str
    section_id: str
    guidance: str = ""
    required: bool = True
    weight: float = 1
    condition: Condition | None = None
    allow_partly: bool = True
    allow_na: bool = True
    timescale: Timescale | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    options: tuple[str, ...] = ()
    multiple: bool = False

    @property
    def counts_toward_compliance(self) -> bool:
        return self.type == "yes_no" or (self.type == "date" and self.timescale is not None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "type": self.type,
            "guidance": self.guidance,
            "required": self.required,
            "weight": self.weight,
            "condition": self.condition.to_json() if self.condition else None,
        }
        if self.type == "yes_no":
            data.update(allow_partly=self.allow_partly, allow_na=self.allow_na)
        elif self.type == "date":
            data["timescale"] = self.timescale.to_json() if self.timescale else None
        elif self.type == "number":
            data.update(min=self.minimum, max=self.maximum, unit=self.unit)
        elif self.type == "choice":
            data.update(options=list(self.options), multiple=self.multiple)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], section_id: str) -> Question:
        return cls(
            id=data["id"],
            text=data["text"],
            type=data["type"],
            section_id=section_id,
            guidance=data.get("guidance", ""),
            required=data.get("required", True),
            weight=data.get("weight", 1),
            condition=Condition.from_json(data.get("condition")),
            allow_partly=data.get("allow_partly", True),
            allow_na=data.get("allow_na", True),
            timescale=Timescale.from_json(data.get("timescale")),
            minimum=data.get("min"),
            maximum=data.get("max"),
            unit=data.get("unit", ""),
            options=tuple(data.get("options", ())),
            multiple=data.get("multiple", False),
        )


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    guidance: str = ""
    graded: bool = True
    weight: float = 1
    condition: Condition | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "guidance": self.guidance,
            "graded": self.graded,
            "weight": self.weight,
            "condition": self.condition.to_json() if self.condition else None,
            "questions": [q.to_json() for q in self.questions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(
            id=data["id"],
            title=data["title"],
            questions=tuple(Question.from_json(q, data["id"]) for q in data["questions"]),
            guidance=data.get("guidance", ""),
            graded=data.get("graded", True),
            weight=data.get("weight", 1),
            condition=Condition.from_json(data.get("condition")),
        )


@dataclass(frozen=True)
class Rule:
    """A limiting judgement. Which fields matter depends on ``type`` (see docs/templates.md)."""

    id: str
    type: str
    target: str = OVERALL
    explain: str = ""
    section: str | None = None  # cap_by_section: the limiting section
    sections: tuple[str, ...] = ()  # requires_at_least
    minimum: int | None = None  # requires_at_least
    otherwise: int | None = None  # requires_at_least
    when_question: str | None = None  # answer_caps
    when_values: tuple[str, ...] = ()  # answer_caps
    when_section: str | None = None  # grade_caps
    at_or_worse: int | None = None  # grade_caps
    at_most: int | None = None  # answer_caps, grade_caps

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "target": self.target,
            "explain": self.explain,
        }
        if self.type == "cap_by_section":
            data["section"] = self.section
        elif self.type == "requires_at_least":
            data.update(
                sections=list(self.sections), minimum=self.minimum, otherwise=self.otherwise
            )
        elif self.type == "answer_caps":
            data.update(
                when={"question": self.when_question, "in": list(self.when_values)},
                at_most=self.at_most,
            )
        elif self.type == "grade_caps":
            data.update(
                when={"section": self.when_section, "at_or_worse": self.at_or_worse},
                at_most=self.at_most,
            )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        when = data.get("when") or {}
        return cls(
            id=data["id"],
            type=data["type"],
            target=data.get("target", OVERALL),
            explain=data.get("explain", ""),
            section=data.get("section"),
            sections=tuple(data.get("sections", ())),
            minimum=data.get("minimum"),
            otherwise=data.get("otherwise"),
            when_question=when.get("question"),
            when_values=tuple(when.get("in", ())),
            when_section=when.get("section"),
            at_or_worse=when.get("at_or_worse"),
            at_most=data.get("at_most"),
        )


@dataclass(frozen=True)
class TemplateDefinition:
    id: str
    version: str
    title: str
    theme: str
    scale: GradeScale
    pathways: tuple[str, ...]
    sections: tuple[Section, ...]
    description: str = ""
    sources: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    _index: dict[str, Question] = field(default_factory=dict, init=False, repr=False, compare=False)
    _ordered: list[Question] = field(default_factory=list, init=False, repr=False, compare=False)
    _sections: dict[str, Section] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: The grading engine's memo of answer checks (see ``grading._checks_of``).
    _answer_checks: dict[tuple[object, ...], object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._ordered.extend(q for s in self.sections for q in s.questions)
        self._index.update({q.id: q for q in self._ordered})
        for section in self.sections:
            self._sections.setdefault(section.id, section)

    @property
    def questions(self) -> list[Question]:
        """Every question, in the order the template lists them."""
        return list(self._ordered)

    def ordered_questions(self) -> Sequence[Question]:
        """Every question in template order, without copying (the engine's hot path)."""
        return self._ordered

    def question(self, qid: str) -> Question:
        """The question called ``qid``; ``KeyError`` if there is none."""
        return self._index[qid]

    def section(self, sid: str) -> Section:
        """The section called ``sid``; ``KeyError`` if there is none."""
        return self._sections[sid]

    def section_title(self, sid: str) -> str:
        return self.section(sid).title

    def to_json(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "theme": self.theme,
            "scale": self.scale.key,
            "pathways": list(self.pathways),
            "description": self.description,
            "sources": list(self.sources),
            "sections": [s.to_json() for s in self.sections],
            "rules": [r.to_json() for r in self.rules],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TemplateDefinition:
        return cls(
            id=data["id"],
            version=data["version"],
            title=data["title"],
            theme=data.get("theme", ""),
            scale=scale_for(data["scale"]),
            pathways=tuple(data.get("pathways", ())),
            sections=tuple(Section.from_json(s) for s in data["sections"]),
            description=data.get("description", ""),
            sources=tuple(data.get("sources", ())),
            rules=tuple(Rule.from_json(r) for r in data.get("rules", ())),
        )
