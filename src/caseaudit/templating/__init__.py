"""Audit templates: the YAML format, its loader and checks, and the grading engine.

A template is written in YAML (see ``docs/templates.md``), loaded and checked by
``load_template_file`` / ``load_template_text`` into an immutable ``TemplateDefinition`` (every
mistake reported together, with its line, as a ``TemplateInvalid``), stored as JSON in a
``TemplateVersion``, and used by ``grade`` to turn an audit's answers into suggested grades,
limiting-rule caps, compliance, timescale checks and a list of what is missing. Nothing in this
package touches the database or Qt.
"""

from __future__ import annotations

from .answers import AnswerValue, answer_problem, as_date, is_answered
from .grading import grade, round_grade
from .loader import load_template_file, load_template_text
from .problems import TemplateInvalid, TemplateProblem
from .results import (
    CapApplied,
    CaseContext,
    Compliance,
    GradingResult,
    MissingItem,
    SectionResult,
)
from .scales import OFSTED_2009, OFSTED_SIF, SCALES, GradeScale, scale_for
from .schema import (
    ANSWER_TYPES,
    OVERALL,
    RULE_TYPES,
    Condition,
    Question,
    Rule,
    Section,
    TemplateDefinition,
    Timescale,
)
from .timescales import TimescaleResult
from .workingdays import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)

__all__ = [
    "ANSWER_TYPES",
    "OFSTED_2009",
    "OFSTED_SIF",
    "OVERALL",
    "RULE_TYPES",
    "SCALES",
    "AnswerValue",
    "CapApplied",
    "CaseContext",
    "Compliance",
    "Condition",
    "GradeScale",
    "GradingResult",
    "MissingItem",
    "Question",
    "Rule",
    "Section",
    "SectionResult",
    "TemplateDefinition",
    "TemplateInvalid",
    "TemplateProblem",
    "Timescale",
    "TimescaleResult",
    "add_months",
    "add_working_days",
    "answer_problem",
    "as_date",
    "grade",
    "is_answered",
    "is_working_day",
    "load_template_file",
    "load_template_text",
    "round_grade",
    "scale_for",
    "working_days_between",
]
