"""Synthetic answers, evidence notes and judgements for the demo's audits.

``answer_questions`` fills in a template for one case file the way an auditor of a given
practice quality would: yes/no answers leaning to "yes" on good files, grades near the file's
quality, dates taken from the file's pathway events and placed within (mostly) or beyond the
template's timescale, choices and numbers within the question's options and bounds. Evidence is
invented and generic; it never names the child. The texts for section commentary, rationales,
findings and actions are here too. Nothing here touches the database.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ..templating import (
    AnswerValue,
    CaseContext,
    Question,
    TemplateDefinition,
    add_months,
    add_working_days,
)
from ..vocabulary import TimescaleBand

QUALITY_WEIGHTS = {1: 10, 2: 45, 3: 33, 4: 12}
YES_SHARE = {1: 0.95, 2: 0.82, 3: 0.58, 4: 0.32}
LATE_SHARE = {1: 0.02, 2: 0.08, 3: 0.2, 4: 0.4}

EVIDENCE = {
    "yes": (
        "Evidenced in the case notes of {d}: recorded clearly and in good time.",
        "Seen in the plan and the latest visit record; the child's own words are quoted.",
        "Confirmed by the team manager's recorded decision of {d}.",
        "The chronology and case summary show this, up to date as at {d}.",
        "Recorded in the supervision note of {d}, with reasons for the decision.",
    ),
    "partly": (
        "Partly evidenced: recorded in the visit note of {d} but not carried into the plan.",
        "Some evidence in the assessment; the reasons are not fully recorded.",
        "Recorded, but late: the note of {d} was written up three weeks after the event.",
    ),
    "no": (
        "Not evidenced on the file; nothing recorded since {d}.",
        "No record found in case notes, supervision or the plan; raised with the team manager.",
        "The file does not show this; the worker said it happened but it was not recorded.",
    ),
}
NA_REASONS = (
    "Not applicable at this stage of the child's plan.",
    "Not applicable: the child is under school age.",
    "Not applicable: no meeting of this kind was due in the audit period.",
)
GRADE_NOTES = {
    1: "Exceptional, sustained practice: the record tells the child's story and shows impact.",
    2: "Good practice: timely, child-focused work with clear management oversight.",
    3: "Requires improvement: some drift between visits, and actions not followed up.",
    4: "Inadequate: risks not recognised or acted on; raised with the team manager the same day.",
}
TEXT_ANSWERS = (
    "School attendance has improved and the child says home feels calmer since the plan began.",
    "Incidents at home have reduced; the family engage with the parenting programme.",
    "Little has changed for the child yet: the plan's actions have drifted since the last review.",
    "The child now has a stable placement and says they feel listened to.",
)
DATE_NOTES = (
    "Date taken from the case record.",
    "Date taken from the meeting record on file.",
    "Date checked against the chronology.",
)
OTHER_NOTES = (
    "Taken from the case summary and the chronology.",
    "Confirmed with the allocated worker and the case record.",
)

#: Words in a date question's id and the pathway stage whose date it most likely asks for.
DATE_STAGES = (
    ("icpc", "icpc"),
    ("looked_after", "lac_episode"),
    ("review", "lac_review"),
    ("strategy", "strategy_discussion"),
    ("contact", "contact"),
    ("concern", "contact"),
    ("referral", "referral"),
    ("assessment", "assessment"),
    ("plan_review", "care_leaver"),
)


def pick_quality(rng: random.Random) -> int:
    return rng.choices(list(QUALITY_WEIGHTS), weights=list(QUALITY_WEIGHTS.values()))[0]


def _event_date(question: Question, context: CaseContext, as_of: date, rng: random.Random) -> date:
    for word, stage in DATE_STAGES:
        if word in question.id:
            dates = sorted(context.events.get(stage, []))
            if dates:
                index = -2 if "previous" in question.id and len(dates) > 1 else -1
                return dates[index]
    back = rng.randint(60, 150) if "previous" in question.id else rng.randint(5, 60)
    return as_of - timedelta(days=back)


def _timed(question: Question, anchor: date, late: bool, rng: random.Random) -> date:
    ts = question.timescale
    assert ts is not None
    amount = (
        ts.amount + rng.randint(1, max(2, ts.amount // 3))
        if late
        else rng.randint(max(0, ts.amount // 3), ts.amount)
    )
    if ts.unit == "working_days":
        return add_working_days(anchor, amount)
    if ts.unit == "months":
        return add_months(anchor, amount) - timedelta(days=0 if late else rng.randint(0, 10))
    return anchor + timedelta(days=amount)


def answer_questions(
    rng: random.Random,
    definition: TemplateDefinition,
    context: CaseContext,
    *,
    quality: int,
    as_of: date,
) -> dict[str, AnswerValue]:
    """An answer for every question (visibility is settled afterwards by the grading engine)."""
    answers: dict[str, AnswerValue] = {}
    dates: dict[str, date] = {}
    for question in definition.questions:
        value, evidence, na_reason = _value(
            rng, definition, question, context, quality, as_of, dates
        )
        if isinstance(value, date):
            dates[question.id] = value
            value = value.isoformat()
        answers[question.id] = AnswerValue(value, evidence, na_reason)
    return answers


def _value(
    rng: random.Random,
    definition: TemplateDefinition,
    question: Question,
    context: CaseContext,
    quality: int,
    as_of: date,
    dates: dict[str, date],
) -> tuple[object, str, str]:
    kind = question.type
    seen = (as_of - timedelta(days=rng.randint(7, 90))).strftime("%d/%m/%Y")
    if kind == "yes_no":
        if question.allow_na and rng.random() < 0.03:
            return "na", "", rng.choice(NA_REASONS)
        roll = rng.random()
        if roll < YES_SHARE[quality]:
            word = "yes"
        elif question.allow_partly and roll < (1 + YES_SHARE[quality]) / 2:
            word = "partly"
        else:
            word = "no"
        return word, rng.choice(EVIDENCE[word]).format(d=seen), ""
    if kind == "grade":
        grade = min(4, max(1, quality + rng.choice((-1, 0, 0, 0, 1))))
        return grade, GRADE_NOTES[grade], ""
    if kind == "date":
        ts = question.timescale
        anchor = None
        if ts is not None and ts.anchor_question:
            anchor = dates.get(ts.anchor_question)
        elif ts is not None and ts.anchor_event:
            found = sorted(context.events.get(ts.anchor_event, []))
            anchor = found[0] if found and ts.which == "first" else (found[-1] if found else None)
        if ts is not None and anchor is not None:
            day = _timed(question, anchor, rng.random() < LATE_SHARE[quality], rng)
        else:
            day = _event_date(question, context, as_of, rng)
        return min(day, as_of), rng.choice(DATE_NOTES), ""
    if kind == "number":
        low = int(question.minimum) if question.minimum is not None else 0
        high = int(question.maximum) if question.maximum is not None else 12
        return rng.randint(low, min(high, low + 12)), rng.choice(OTHER_NOTES), ""
    if kind == "choice":
        if question.multiple:
            count = min(len(question.options), rng.choice((1, 1, 2)))
            return sorted(rng.sample(list(question.options), count)), rng.choice(OTHER_NOTES), ""
        return rng.choice(question.options), rng.choice(OTHER_NOTES), ""
    return rng.choice(TEXT_ANSWERS), "", ""


def section_grade_from_answers(answers: list[AnswerValue], quality: int) -> int:
    """A section grade for a section without grade questions, from its yes/no answers."""
    words = [a.value for a in answers if a.value in ("yes", "partly", "no")]
    if not words:
        return quality
    share = sum({"yes": 1.0, "partly": 0.5, "no": 0.0}[w] for w in words) / len(words)
    return 1 if share >= 0.95 else 2 if share >= 0.75 else 3 if share >= 0.5 else 4


def commentary(grade: int) -> str:
    return GRADE_NOTES[grade]


def rationale(label: str, best: str, worst: str, differs: bool) -> str:
    text = (
        f"{label}. The judgement rests on the last six months of practice. The strongest "
        f"work is in '{best}'; the weakest is in '{worst}'."
    )
    if differs:
        text += (
            " The auditor judged the difference made for the child to be less than the "
            "section grades suggest: the improvements seen are recent and not yet sustained."
        )
    return text


def strength_text(title: str) -> str:
    return f"Strength in '{title}': consistent, child-focused practice that is well recorded."


def improvement_text(title: str) -> str:
    return (
        f"Area for improvement in '{title}': the record does not show the work was timely "
        "or that the child's views shaped the plan."
    )


def action_text(title: str) -> str:
    return (
        f"Review '{title}' with the allocated worker in supervision and update the plan "
        "with SMART actions, recording the child's views."
    )


def band_for(grade: int) -> TimescaleBand:
    if grade >= 4:
        return TimescaleBand.IMMEDIATELY
    return TimescaleBand.THREE_MONTHS if grade == 3 else TimescaleBand.SIX_MONTHS


def due_for(band: TimescaleBand, raised: date) -> date:
    if band is TimescaleBand.IMMEDIATELY:
        return add_working_days(raised, 5)
    return add_months(raised, 3 if band is TimescaleBand.THREE_MONTHS else 6)
