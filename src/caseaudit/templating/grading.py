"""The grading engine: from an audit's answers to suggested grades, caps, compliance and gaps.

``grade`` is pure (no database, no I/O) and explains itself. It decides which sections and
questions the case file shows (pathway and answer conditions), suggests each section's grade as
the weighted mean of its grade questions (a .5 rounds toward the worse grade), takes the
auditor's section grade where given, applies the template's limiting rules (a cap only ever
makes a grade worse, and each cap comes with one plain sentence), suggests the overall grade the
same way, measures compliance (yes = 1, partly = ½, no = 0, N/A left out; timed dates within = 1)
and lists what is still missing before the audit can be signed off.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import floor

from .answer_checks import checked, checks_of
from .answers import AnswerValue, as_date
from .results import (
    CapApplied,
    CaseContext,
    Compliance,
    GradingResult,
    MissingItem,
    SectionResult,
)
from .schema import OVERALL, Condition, Question, Rule, TemplateDefinition
from .timescales import TimescaleResult, anchor_date_for, check_timescale

__all__ = [
    "CapApplied",
    "CaseContext",
    "Compliance",
    "GradingResult",
    "MissingItem",
    "SectionResult",
    "grade",
    "round_grade",
]

YES_NO_CREDIT = {"yes": 1.0, "partly": 0.5, "no": 0.0}


def round_grade(mean: Fraction) -> int:
    """The nearest grade to ``mean``; exactly half-way rounds toward the worse (higher) grade."""
    return floor(mean + Fraction(1, 2))


_WEIGHTS: dict[float, Fraction] = {}


def _exact(weight: float) -> Fraction:
    """A weight as the exact decimal it was written as (0.1 is one tenth), remembered."""
    found = _WEIGHTS.get(weight)
    if found is None:
        found = Fraction(str(weight))
        if len(_WEIGHTS) < 1024:
            _WEIGHTS[weight] = found
    return found


def _weighted(pairs: list[tuple[int, float]]) -> int | None:
    """The weighted mean grade, rounded by ``round_grade`` (exact arithmetic throughout)."""
    if not pairs:
        return None
    if all(type(w) is int for _, w in pairs):  # whole-number weights as written: no Fractions
        total = sum(g * w for g, w in pairs)
        weight = sum(w for _, w in pairs)
        return (2 * total + weight) // (2 * weight)  # type: ignore[operator]
    weights = [_exact(w) for _, w in pairs]
    if all(w.denominator == 1 for w in weights):
        # Whole-number weights (the usual case): floor(total / sum + 1/2) in integers.
        total = sum(g * w.numerator for (g, _), w in zip(pairs, weights, strict=True))
        weight = sum(w.numerator for w in weights)
        return (2 * total + weight) // (2 * weight)
    total = sum((g * w for (g, _), w in zip(pairs, weights, strict=True)), Fraction(0))
    return round_grade(total / sum(weights))


class _Grader:
    def __init__(
        self,
        definition: TemplateDefinition,
        answers: Mapping[str, AnswerValue],
        context: CaseContext | None,
    ) -> None:
        self.d = definition
        self.answers = answers
        self.context = context
        self.visible: set[str] = set()
        self.values: dict[str, tuple[str, ...]] = {}
        self.missing: list[MissingItem] = []

    def label(self, grade: int) -> str:
        return self.d.scale.label(grade)

    def shows(self, condition: Condition | None) -> bool:
        if condition is None:
            return True
        if condition.question is None:
            if self.context is None:
                return True
            return bool(self.context.pathway_stages & set(condition.pathways))
        if condition.question not in self.visible:
            return False
        return any(v in condition.values for v in self.values.get(condition.question, ()))

    def value(self, question: Question) -> object:
        answer = self.answers.get(question.id)
        return None if answer is None else answer.value

    def read_answers(self) -> list[str]:
        """Decide visibility in template order, checking each visible answer on the way."""
        sections: list[str] = []
        checks = checks_of(self.d)
        answers, values, missing = self.answers, self.values, self.missing
        for section in self.d.sections:
            if not self.shows(section.condition):
                continue
            sections.append(section.id)
            for question in section.questions:
                if not self.shows(question.condition):
                    continue
                qid = question.id
                self.visible.add(qid)
                answer = answers.get(qid)
                value = None if answer is None else answer.value
                reason = answer is not None and bool(answer.na_reason.strip())
                problem, words = checked(checks, question, section.title, value, reason)
                if problem is not None:
                    missing.append(problem)
                if words is not None:
                    values[qid] = words
        return sections

    # -- rules --------------------------------------------------------------------------------

    def fire(self, rule: Rule, grades: Mapping[str, int | None]) -> tuple[int, str] | None:
        """The limit a rule sets now, and why; None if it does not apply."""
        if rule.type == "cap_by_section":
            limit = grades.get(rule.section or "")
            if limit is None:
                return None
            return (
                limit,
                f"section '{self.d.section_title(rule.section or '')}' is {self.label(limit)}",
            )
        if rule.type == "requires_at_least":
            short = [
                (s, grades[s])
                for s in rule.sections
                if grades.get(s) is not None and grades[s] > (rule.minimum or 4)  # type: ignore[operator]
            ]
            if not short or rule.otherwise is None:
                return None
            named = " and ".join(f"'{self.d.section_title(s)}'" for s in rule.sections)
            what = "; ".join(
                f"section '{self.d.section_title(s)}' is {self.label(g)}" for s, g in short
            )
            need = self.label(rule.minimum or 1)
            return rule.otherwise, f"{what}, and {need} or better is needed in {named}"
        if rule.type == "answer_caps":
            qid = rule.when_question or ""
            chosen = [v for v in self.values.get(qid, ()) if v in rule.when_values]
            if qid not in self.visible or not chosen or rule.at_most is None:
                return None
            question = self.d.question(qid)
            answer = ", ".join(
                "N/A" if v == "na" else _answer_word(question, v, self) for v in chosen
            )
            return rule.at_most, f"the answer to '{question.text}' is {answer}"
        grade_now = grades.get(rule.when_section or "")
        if grade_now is None or rule.at_or_worse is None or rule.at_most is None:
            return None
        if grade_now < rule.at_or_worse:
            return None
        title = self.d.section_title(rule.when_section or "")
        return rule.at_most, f"section '{title}' is {self.label(grade_now)}"

    def sentence(self, rule: Rule, limit: int, reason: str) -> str:
        if rule.explain:
            return rule.explain
        target = (
            "Overall"
            if rule.target == OVERALL
            else f"Section '{self.d.section_title(rule.target)}'"
        )
        return f"{target} capped at {self.label(limit)} because {reason}"


def _answer_word(question: Question, value: str, grader: _Grader) -> str:
    if question.type == "grade":
        return grader.label(int(value))
    if question.type == "yes_no":
        return value.capitalize()
    return f"'{value}'"


def grade(
    definition: TemplateDefinition,
    answers: Mapping[str, AnswerValue],
    section_grades: Mapping[str, int | None] | None = None,
    overall_grade: int | None = None,
    context: CaseContext | None = None,
    *,
    overall_rationale: str | None = None,
) -> GradingResult:
    """Grade one audit. See the module docstring and docs/templates.md for the semantics."""
    section_grades = section_grades or {}
    g = _Grader(definition, answers, context)
    visible_sections = g.read_answers()
    shown = set(visible_sections)

    results: dict[str, SectionResult] = {}
    effective: dict[str, int | None] = {}
    for section in definition.sections:
        pairs = [
            (int(g.values[q.id][0]), q.weight)
            for q in section.questions
            if q.type == "grade" and q.id in g.values
        ]
        suggested = _weighted(pairs) if section.id in shown else None
        given = _valid_grade(section_grades.get(section.id))
        if section.id in shown and section.graded:
            eff = given if given is not None else suggested
        else:
            eff = None
        results[section.id] = SectionResult(
            suggested, eff, [], given if section.graded else None, section.id in shown
        )
        effective[section.id] = eff

    _apply_section_caps(g, definition, results, effective)

    graded_pairs = [
        (effective[s.id], s.weight)
        for s in definition.sections
        if s.id in shown and s.graded and effective[s.id] is not None
    ]
    overall = _weighted(graded_pairs)  # type: ignore[arg-type]
    overall_caps: list[CapApplied] = []
    overall_limit: int | None = None
    for rule in definition.rules:
        if rule.target != OVERALL:
            continue
        fired = g.fire(rule, effective)
        if fired is None:
            continue
        limit, reason = fired
        overall_limit = limit if overall_limit is None else max(overall_limit, limit)
        if overall is not None and limit > overall:
            overall = limit
            overall_caps.append(
                CapApplied(rule.id, OVERALL, limit, g.sentence(rule, limit, reason))
            )

    timescales, unchecked = _timescales(g, definition, context)
    compliance = _compliance(g, definition, timescales)

    for section in definition.sections:
        if section.id in shown and section.graded and results[section.id].given is None:
            hint = results[section.id].effective
            extra = f" (suggested: {g.label(hint)})" if hint is not None else ""
            g.missing.append(
                MissingItem(
                    "section_grade",
                    f"Give section '{section.title}' a grade{extra}",
                    section_id=section.id,
                )
            )
    given_overall = _valid_grade(overall_grade)
    if given_overall is None:
        extra = f" (suggested: {g.label(overall)})" if overall is not None else ""
        g.missing.append(MissingItem("overall_grade", f"Give the overall grade{extra}"))
    rationale_required = given_overall is not None and given_overall != overall
    if rationale_required and not (overall_rationale or "").strip():
        why = (
            f"differs from the suggested {g.label(overall)}"
            if overall is not None
            else "was given without a suggested grade"
        )
        g.missing.append(
            MissingItem(
                "rationale",
                f"Explain why the overall grade ({g.label(given_overall or 1)}) {why}",
            )
        )
    return GradingResult(
        visible_questions=[q.id for q in definition.ordered_questions() if q.id in g.visible],
        visible_sections=visible_sections,
        sections=results,
        suggested_overall=overall,
        overall_caps=overall_caps,
        compliance=compliance,
        timescales=timescales,
        missing=g.missing,
        rationale_required=rationale_required,
        overall_limit=overall_limit,
        unchecked_timescales=unchecked,
    )


def _valid_grade(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return value
    return None


def _apply_section_caps(
    g: _Grader,
    definition: TemplateDefinition,
    results: dict[str, SectionResult],
    effective: dict[str, int | None],
) -> None:
    """Apply rules targeting sections until nothing changes (caps only make grades worse)."""
    rules = [r for r in definition.rules if r.target != OVERALL]
    changed = True
    while changed:
        changed = False
        for rule in rules:
            current = effective.get(rule.target)
            fired = g.fire(rule, effective)
            if current is None or fired is None or fired[0] <= current:
                continue
            limit, reason = fired
            effective[rule.target] = limit
            results[rule.target].effective = limit
            results[rule.target].caps.append(
                CapApplied(rule.id, rule.target, limit, g.sentence(rule, limit, reason))
            )
            changed = True


def _timescales(
    g: _Grader, definition: TemplateDefinition, context: CaseContext | None
) -> tuple[dict[str, TimescaleResult], dict[str, str]]:
    results: dict[str, TimescaleResult] = {}
    unchecked: dict[str, str] = {}
    events = context.events if context else {}
    for question in definition.ordered_questions():
        ts = question.timescale
        if ts is None or question.id not in g.values:
            continue
        answer_date = as_date(g.value(question))
        if answer_date is None:
            continue
        anchor_answer = None
        if ts.anchor_question and ts.anchor_question in g.values:
            anchor_answer = as_date(g.value(definition.question(ts.anchor_question)))
        anchor = anchor_date_for(ts, answer_date, anchor_answer, events)
        if anchor is None:
            if ts.anchor_question:
                what = f"'{definition.question(ts.anchor_question).text}' is not answered"
            else:
                what = f"the case file records no {ts.anchor_event} event"
            unchecked[question.id] = f"The timescale of '{question.text}' was not checked: {what}"
            continue
        count = len(events.get(ts.anchor_event or "", [])) if ts.anchor_event else 1
        results[question.id] = check_timescale(definition, question, answer_date, anchor, count)
    return results, unchecked


def _compliance(
    g: _Grader, definition: TemplateDefinition, timescales: Mapping[str, TimescaleResult]
) -> Compliance:
    credit = 0.0
    denominator = 0
    for question in definition.ordered_questions():
        if question.id not in g.visible or question.id not in g.values:
            continue
        if question.type == "yes_no":
            word = g.values[question.id][0]
            if word in YES_NO_CREDIT:
                credit += YES_NO_CREDIT[word]
                denominator += 1
        elif question.type == "date" and question.id in timescales:
            credit += 1.0 if timescales[question.id].within else 0.0
            denominator += 1
    percent = 100.0 * credit / denominator if denominator else None
    return Compliance(credit, denominator, percent)
