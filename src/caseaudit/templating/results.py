"""What the grading engine returns: section results, caps, compliance and what is missing.

Plain dataclasses, so the services can store them and the GUI and reports can show them. A
``CapApplied`` carries the one plain sentence that explains it; a ``MissingItem`` says in words
what the auditor still has to do before sign-off. ``CaseContext`` is what the engine is told
about the case file: its pathway stages and the dates of its pathway events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .timescales import TimescaleResult

__all__ = [
    "CapApplied",
    "CaseContext",
    "Compliance",
    "GradingResult",
    "MissingItem",
    "SectionResult",
]


@dataclass(frozen=True)
class CaseContext:
    """What the engine needs to know about the case file: its pathway stages and event dates."""

    pathway_stages: frozenset[str] = frozenset()
    events: Mapping[str, list[date]] = field(default_factory=dict)


@dataclass(frozen=True)
class CapApplied:
    rule_id: str
    target: str  # "overall" or a section id
    limit: int
    sentence: str


@dataclass
class SectionResult:
    suggested: int | None
    effective: int | None
    caps: list[CapApplied] = field(default_factory=list)
    given: int | None = None  # the auditor's own section grade
    visible: bool = True


@dataclass(frozen=True)
class Compliance:
    credit: float
    denominator: int
    percent: float | None


@dataclass(frozen=True)
class MissingItem:
    kind: str  # answer | invalid | na_reason | section_grade | overall_grade | rationale
    message: str
    question_id: str | None = None
    section_id: str | None = None


@dataclass
class GradingResult:
    visible_questions: list[str]
    visible_sections: list[str]
    sections: dict[str, SectionResult]
    suggested_overall: int | None
    overall_caps: list[CapApplied]
    compliance: Compliance
    timescales: dict[str, TimescaleResult]
    missing: list[MissingItem]
    rationale_required: bool
    overall_limit: int | None = None  # the worst grade any limiting rule allows overall
    unchecked_timescales: dict[str, str] = field(default_factory=dict)
