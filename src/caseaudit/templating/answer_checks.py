"""Checking one answer for the grading engine, remembered per template.

``checked`` says what is missing about one visible question's answer (nothing, an answer, a
valid answer, or the reason for N/A) and gives the answer as the strings conditions and rules
compare with. A template definition never changes and the outcome depends on nothing else, so
the outcome is remembered in the definition's memo (``checks_of``) for short scalar answers:
an audit's answers are not re-validated on every autosave. Longer text, which may be free text
about a child, is checked afresh and never kept.
"""

from __future__ import annotations

from .answers import is_answered, normalised_valid, problem_of_answered
from .results import MissingItem
from .schema import Question, TemplateDefinition

CHECKS_KEPT = 20_000
SHORT = 80
_SCALARS = frozenset({str, int, float, bool, type(None)})

Checked = tuple[MissingItem | None, tuple[str, ...] | None]


def checks_of(definition: TemplateDefinition) -> dict[tuple[object, ...], Checked]:
    """The definition's memo: (question, value type, value, has an N/A reason) → outcome."""
    return definition._answer_checks  # type: ignore[return-value]


def checked(
    memo: dict[tuple[object, ...], Checked],
    question: Question,
    section_title: str,
    value: object,
    reason: bool,
) -> Checked:
    """``check``'s outcome, from ``memo`` when this answer was checked before."""
    kind = type(value)
    if kind not in _SCALARS or (kind is str and len(value) > SHORT):  # type: ignore[arg-type]
        return check(question, section_title, value, reason)
    key = (question.id, kind, value, reason)
    found = memo.get(key)
    if found is None:
        found = check(question, section_title, value, reason)
        if len(memo) >= CHECKS_KEPT:
            memo.clear()
        memo[key] = found
    return found


def check(question: Question, section_title: str, value: object, reason: bool) -> Checked:
    """What is missing about one visible question's answer (if anything), and the answer as
    the strings conditions and rules compare with (None when it is unanswered or invalid)."""
    if not is_answered(value):
        if not question.required:
            return None, None
        text = f"Answer '{question.text}' (section '{section_title}')"
        return MissingItem("answer", text, question.id, question.section_id), None
    problem = problem_of_answered(question, value)
    if problem:
        return MissingItem("invalid", problem, question.id, question.section_id), None
    words = normalised_valid(question, value)
    if words == ("na",) and not reason:
        text = f"Give the reason for answering N/A to '{question.text}'"
        return MissingItem("na_reason", text, question.id, question.section_id), words
    return None, words
