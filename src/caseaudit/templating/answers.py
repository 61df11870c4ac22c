"""Answers to template questions: their shape per answer type, and checking one.

An ``AnswerValue`` holds what the auditor gave for one question: the value (by type: yes_no
``"yes" | "no" | "partly" | "na"``; grade an int 1-4; date a ``datetime.date``; number an int or
float; choice a str, or a list of str when the question allows several; text a str), the
evidence written beside it and, for N/A, the reason. ``answer_problem`` says in one sentence
why a value does not fit its question; the services use it before saving, the engine to ignore
values it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .schema import Question, normalise_yes_no

__all__ = [
    "AnswerValue",
    "answer_problem",
    "as_date",
    "is_answered",
    "normalised",
    "normalised_valid",
    "problem_of_answered",
]


@dataclass(frozen=True)
class AnswerValue:
    value: Any
    evidence: str = ""
    na_reason: str = ""


def is_answered(value: Any) -> bool:
    """False for no value, blank text and an empty list of choices."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return bool(value)
    return True


def as_date(value: Any) -> date | None:
    """A date from a ``date``/``datetime`` or an ISO text ("2026-03-31"); None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def answer_problem(question: Question, value: Any) -> str | None:
    """Why ``value`` is not a usable answer to ``question`` (None when it is, or is blank)."""
    if not is_answered(value):
        return None
    return problem_of_answered(question, value)


def problem_of_answered(question: Question, value: Any) -> str | None:
    """``answer_problem`` for a value already known to be answered (the engine's hot path)."""
    kind = question.type
    if kind == "yes_no":
        word = normalise_yes_no(value)
        if (
            word is None
            or (word == "partly" and not question.allow_partly)
            or (word == "na" and not question.allow_na)
        ):
            allowed = (
                ["yes", "no"] + ["partly"] * question.allow_partly + ["na"] * question.allow_na
            )
            words = ", ".join("N/A" if a == "na" else a for a in allowed)
            return f"The answer to '{question.text}' must be one of {words}"
    elif kind == "grade":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            return f"The answer to '{question.text}' must be a grade from 1 to 4"
    elif kind == "date":
        if as_date(value) is None:
            return f"The answer to '{question.text}' must be a date"
    elif kind == "number":
        return _number_problem(question, value)
    elif kind == "choice":
        chosen = list(value) if isinstance(value, (list, tuple)) else [value]
        if len(chosen) > 1 and not question.multiple:
            return f"Choose only one answer to '{question.text}'"
        unknown = [c for c in chosen if c not in question.options]
        if unknown:
            return f"{unknown[0]!r} is not one of the options of '{question.text}'"
    elif kind == "text" and not isinstance(value, str):
        return f"The answer to '{question.text}' must be text"
    return None


def _number_problem(question: Question, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"The answer to '{question.text}' must be a number"
    if question.minimum is not None and value < question.minimum:
        return f"The answer to '{question.text}' must be at least {question.minimum:g}"
    if question.maximum is not None and value > question.maximum:
        return f"The answer to '{question.text}' must be at most {question.maximum:g}"
    return None


def normalised(question: Question, value: Any) -> tuple[str, ...]:
    """The answer as the strings conditions and rules compare with (empty if unanswered)."""
    if not is_answered(value) or problem_of_answered(question, value) is not None:
        return ()
    return normalised_valid(question, value)


def normalised_valid(question: Question, value: Any) -> tuple[str, ...]:
    """``normalised`` for a value already known to be answered and valid."""
    if question.type == "yes_no":
        return (normalise_yes_no(value) or "",)
    if question.type == "grade":
        return (str(value),)
    if question.type == "choice":
        return tuple(value) if isinstance(value, (list, tuple)) else (value,)
    return (str(value),)
