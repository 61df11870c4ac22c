"""Checking a date answer against its timescale, with one plain sentence saying how it went.

A timescale is anchored either to another date question of the audit or to a pathway event on
the case file (its first, or the last one on or before the answer's date, so an ICPC is timed
from the last strategy discussion held before it). Working days skip weekends and England &
Wales bank holidays; months are calendar months. The sentence reads like an auditor would write
it: "ICPC held 17 working days after the strategy discussion — outside 15".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..vocabulary import PathwayStage
from .schema import Question, TemplateDefinition, Timescale
from .workingdays import add_months, add_working_days, months_and_days_between, working_days_between

__all__ = ["TimescaleResult", "anchor_date_for", "check_timescale"]

_LABEL = re.compile(
    r"^(?P<subject>.+?)\s+within\s+.+?\s+(?:of|after|from)\s+(?P<anchor>.+?)[.\s]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class TimescaleResult:
    anchor_date: date
    answer_date: date
    elapsed: int  # in ``unit`` (whole months for "months")
    unit: str  # working_days | days | months
    limit: int
    within: bool
    sentence: str
    due_date: date | None = None  # the last day that is still within the timescale
    label: str = ""


def anchor_date_for(
    timescale: Timescale,
    answer_date: date,
    anchor_answer: date | None,
    events: Mapping[str, list[date]] | None,
) -> date | None:
    """The date a timescale counts from, or None if the file or the audit does not give it."""
    if timescale.anchor_question:
        return anchor_answer
    dates = sorted((events or {}).get(timescale.anchor_event or "", []))
    if not dates:
        return None
    if timescale.which == "first":
        return dates[0]
    earlier = [d for d in dates if d <= answer_date]
    return earlier[-1] if earlier else dates[0]


def check_timescale(
    definition: TemplateDefinition,
    question: Question,
    answer_date: date,
    anchor_date: date,
    event_count: int = 1,
) -> TimescaleResult:
    """How ``answer_date`` stands against ``question``'s timescale counted from ``anchor_date``."""
    ts = question.timescale
    assert ts is not None
    if ts.unit == "working_days":
        due = add_working_days(anchor_date, ts.amount)
        elapsed = working_days_between(anchor_date, answer_date)
        amount = _plural(abs(elapsed), "working day")
    elif ts.unit == "days":
        due = date.fromordinal(anchor_date.toordinal() + ts.amount)
        elapsed = (answer_date - anchor_date).days
        amount = _plural(abs(elapsed), "day")
    else:
        due = add_months(anchor_date, ts.amount)
        elapsed, days = months_and_days_between(anchor_date, answer_date)
        amount = _months_text(abs(elapsed), abs(days))
    within = answer_date <= due
    subject, anchor = _phrases(definition, question, ts, event_count)
    if answer_date == anchor_date:
        timing = f"on the same day as {anchor}"
    elif answer_date < anchor_date:
        timing = f"{amount} before {anchor}"
    else:
        timing = f"{amount} after {anchor}"
    limit = str(ts.amount) if ts.unit == "working_days" else _unit_text(ts.amount, ts.unit)
    verdict = "within" if within else "outside"
    sentence = f"{subject} {timing} — {verdict} {limit}"
    return TimescaleResult(
        anchor_date=anchor_date,
        answer_date=answer_date,
        elapsed=elapsed,
        unit=ts.unit,
        limit=ts.amount,
        within=within,
        sentence=sentence,
        due_date=due,
        label=ts.label,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _unit_text(amount: int, unit: str) -> str:
    return _plural(amount, {"days": "day", "months": "month"}.get(unit, "working day"))


def _months_text(months: int, days: int) -> str:
    if months and days:
        return f"{_plural(months, 'month')} and {_plural(days, 'day')}"
    if months:
        return _plural(months, "month")
    return _plural(days, "day")


def _trim(text: str) -> str:
    """``text`` without a trailing note: "(statutory — reg 33)", "— local", "; verify"."""
    return re.sub(r"\s*[(\[].*$|\s+[—–-]\s.*$|[;,].*$", "", text).strip()


def _phrases(
    definition: TemplateDefinition, question: Question, ts: Timescale, event_count: int
) -> tuple[str, str]:
    """The subject ("ICPC held") and the anchor ("the strategy discussion") of the sentence."""
    match = _LABEL.match(ts.label) if ts.label else None
    if match:
        return match["subject"], _trim(match["anchor"]) or match["anchor"]
    subject = (_trim(ts.label) or question.text.rstrip(" ?.")) + ":"
    if ts.anchor_question:
        try:
            anchor = f"'{definition.question(ts.anchor_question).text.rstrip(' ?.')}'"
        except KeyError:
            anchor = "the anchor date"
        return subject, anchor
    try:
        label = PathwayStage(ts.anchor_event).label
    except ValueError:
        label = str(ts.anchor_event).replace("_", " ")
    if len(label) > 1 and not label[1].isupper():
        label = label[0].lower() + label[1:]
    which = f"{ts.which} " if event_count > 1 else ""
    return subject, f"the {which}{label}"
