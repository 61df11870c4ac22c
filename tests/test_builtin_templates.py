"""Every built-in template in resources/templates is valid, complete and gradable."""

from __future__ import annotations

from datetime import date

import pytest

from caseaudit.paths import builtin_templates_dir
from caseaudit.templating import (
    AnswerValue,
    CaseContext,
    Question,
    TemplateDefinition,
    grade,
    load_template_file,
)

MIN_TEMPLATES = 10
FILES = sorted(builtin_templates_dir().glob("*.yaml"))
GOOD = 2
ANSWER_DATE = date(2026, 3, 2)


def good_answer(question: Question) -> AnswerValue:
    """A plausible "good practice" answer of the right type."""
    if question.type == "yes_no":
        return AnswerValue("yes")
    if question.type == "grade":
        return AnswerValue(GOOD)
    if question.type == "date":
        return AnswerValue(ANSWER_DATE)
    if question.type == "number":
        low = question.minimum if question.minimum is not None else 0
        high = question.maximum if question.maximum is not None else low + 1
        return AnswerValue(max(low, min(high, 1)))
    if question.type == "choice":
        first = question.options[0]
        return AnswerValue([first] if question.multiple else first)
    return AnswerValue("Evidence recorded on the file.")


def test_there_are_enough_builtin_templates():
    assert len(FILES) >= MIN_TEMPLATES, (
        f"resources/templates holds {len(FILES)} templates; the product ships at least "
        f"{MIN_TEMPLATES}"
    )


@pytest.fixture(params=FILES, ids=[p.name for p in FILES])
def definition(request) -> TemplateDefinition:
    return load_template_file(request.param)


def test_template_is_complete(definition):
    assert len(definition.questions) >= 8
    unguided = [q.id for q in definition.questions if not q.guidance.strip()]
    assert unguided == [], f"questions without guidance: {unguided}"
    assert definition.rules, "every built-in template declares at least one limiting rule"
    assert TemplateDefinition.from_json(definition.to_json()) == definition


def test_ids_are_unique_across_files():
    keys = [(load_template_file(p).id, p.name) for p in FILES]
    ids = [k for k, _ in keys]
    assert len(ids) == len(set(ids)), keys


def test_all_good_answers_grade_without_a_crash(definition):
    answers = {q.id: good_answer(q) for q in definition.questions}
    stages = frozenset(definition.pathways)
    context = CaseContext(stages, {stage: [date(2026, 2, 2)] for stage in stages})
    sections = {s.id: GOOD for s in definition.sections if s.graded}
    result = grade(definition, answers, sections, GOOD, context)
    assert result.visible_questions
    assert not [m for m in result.missing if m.kind == "invalid"], result.missing
    assert result.suggested_overall == GOOD or result.overall_caps, (
        "all-good answers gave a different overall grade without a cap to explain it"
    )
    for cap in [*result.overall_caps, *(c for s in result.sections.values() for c in s.caps)]:
        assert cap.sentence
