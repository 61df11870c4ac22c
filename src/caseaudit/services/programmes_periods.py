"""The periods of a recurring programme: months, or quarters of the financial year.

A monthly programme's periods are calendar months labelled ``2025-03``; a quarterly one's are
quarters starting in the programme's first quarter month (April by default, the financial year)
labelled ``2025-26 Q1`` (or ``2025 Q1`` for calendar quarters). Each period is due a set number
of days after it ends. ``parse_period`` accepts a label or any date in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ValidationError
from ..models import Programme
from ..models.programme import Cadence
from .sampling_frame import add_months


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    due_on: date


def period_containing(programme: Programme, day: date) -> Period:
    settings = programme.settings or {}
    due_days = int(settings.get("due_days", 0))
    if programme.cadence == Cadence.MONTHLY:
        start = day.replace(day=1)
        end = add_months(start, 1) - timedelta(days=1)
        label = f"{start:%Y-%m}"
    else:
        first = int(settings.get("quarter_start_month", 4))
        offset = (day.month - first) % 3
        start = add_months(day.replace(day=1), -offset)
        end = add_months(start, 3) - timedelta(days=1)
        year_start = start.year if start.month >= first else start.year - 1
        quarter = ((start.month - first) % 12) // 3 + 1
        label = (
            f"{year_start} Q{quarter}"
            if first == 1
            else f"{year_start}-{(year_start + 1) % 100:02d} Q{quarter}"
        )
    return Period(label, start, end, end + timedelta(days=due_days))


def periods_until(programme: Programme, last: date) -> list[Period]:
    periods, day = [], programme.starts_on
    while day <= last:
        period = period_containing(programme, day)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods


def parse_period(programme: Programme, text: str) -> Period:
    """A period from its label ("2025-03", "2025-26 Q1") or any date in it."""
    text = text.strip()
    try:
        return period_containing(programme, date.fromisoformat(text))
    except ValueError:
        pass
    try:
        return period_containing(programme, date.fromisoformat(text + "-01"))
    except ValueError:
        pass
    for period in periods_until(programme, add_months(date.today(), 24)):
        if period.label.lower() == text.lower():
            return period
    raise ValidationError(f"{text!r} is not a period of {programme.name!r} (use e.g. 2025-03).")
