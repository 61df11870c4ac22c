"""Working days and calendar months, as statutory timescales count them.

A working day is Monday to Friday and not a bank holiday in England and Wales (the ``holidays``
package's ``UK(subdiv="ENG")`` calendar, which includes substitute days such as Monday 28 December
2026 for Boxing Day falling on a Saturday). "Within N working days of X" means on or before the
N-th working day after X, so ``working_days_between(x, add_working_days(x, n)) == n`` for any day
``x``. Months are calendar months with the day clamped to the end of a shorter month (31 January
plus one month is 28 or 29 February). Everything here is pure and cheap.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_months",
    "add_working_days",
    "bank_holiday_name",
    "is_working_day",
    "months_and_days_between",
    "working_days_between",
]


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def bank_holiday_name(day: date) -> str | None:
    """The name of the England & Wales bank holiday on ``day``, or None."""
    if day not in _bank_holidays(day.year):
        return None
    return holidays.UK(subdiv="ENG", years=day.year).get(day)


def is_working_day(day: date) -> bool:
    """True on Monday to Friday when it is not an England & Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (before it when ``count`` is negative).

    ``start`` itself is never counted, and it need not be a working day: one working day after
    a Saturday is the following Monday (or Tuesday after a bank holiday Monday).
    """
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``.

    When ``end`` is earlier the count is negative: minus the working days from ``end`` up to
    (not including) ``start``, so that it still inverts ``add_working_days``.
    """
    if end == start:
        return 0
    if end > start:
        first, last, sign = start + timedelta(days=1), end, 1
    else:
        first, last, sign = end, start - timedelta(days=1), -1
    count = 0
    day = first
    one = timedelta(days=1)
    while day <= last:
        if is_working_day(day):
            count += 1
        day += one
    return sign * count


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole calendar months, clamping the day to the end of the month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def months_and_days_between(start: date, end: date) -> tuple[int, int]:
    """Whole calendar months from ``start`` to ``end``, then the days left over.

    For ``end`` before ``start`` both numbers are negative (the same split, backwards).
    """
    if end < start:
        months, days = months_and_days_between(end, start)
        return -months, -days
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days
