"""Working days with England & Wales bank holidays, and calendar months with end-of-month clamping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseaudit.templating.workingdays import (
    add_months,
    add_working_days,
    bank_holiday_name,
    is_working_day,
    months_and_days_between,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Christmas Day"),  # a Friday
        (date(2026, 12, 28), "Boxing Day (observed)"),  # Monday substitute for Saturday 26th
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 8, 31), "Late Summer Bank Holiday"),
    ],
)
def test_2026_bank_holidays_are_not_working_days(day, name):
    assert day.weekday() < 5
    assert not is_working_day(day)
    assert bank_holiday_name(day) == name


def test_ordinary_days_and_weekends():
    assert date(2026, 12, 25).weekday() == 4  # Friday, as the brief says
    assert date(2026, 12, 28).weekday() == 0  # Monday
    assert is_working_day(date(2026, 12, 24))
    assert is_working_day(date(2026, 12, 29))
    assert is_working_day(date(2026, 4, 2))
    assert is_working_day(date(2026, 4, 7))
    assert not is_working_day(date(2026, 12, 26))  # Saturday (Boxing Day itself)
    assert not is_working_day(date(2026, 12, 27))  # Sunday
    assert bank_holiday_name(date(2026, 12, 29)) is None


def test_christmas_2026_is_skipped():
    # Thursday 24 Dec -> next working day is Tuesday 29 Dec (25th Fri, 28th Mon substitute).
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 0
    # 29, 30, 31 Dec, then 1 Jan 2027 is New Year's Day (Friday), then Mon 4 Jan.
    assert add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)


def test_easter_2026_is_skipped():
    # Thursday 2 April -> Tuesday 7 April (Good Friday 3rd, Easter Monday 6th).
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 10)) == 4


def test_fifteen_working_days_over_christmas():
    # Strategy discussion Monday 14 Dec 2026: 15 working days later is Thursday 7 Jan 2027,
    # not Monday 4 Jan as counting weekends alone would give.
    assert add_working_days(date(2026, 12, 14), 15) == date(2027, 1, 7)
    assert working_days_between(date(2026, 12, 14), date(2027, 1, 8)) == 16


def test_starting_on_a_weekend_or_holiday_and_counting_backwards():
    assert add_working_days(date(2026, 12, 26), 1) == date(2026, 12, 29)  # Saturday start
    assert add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert working_days_between(date(2026, 12, 29), date(2026, 12, 24)) == -1
    assert add_working_days(date(2026, 5, 5), 0) == date(2026, 5, 5)
    assert working_days_between(date(2026, 5, 5), date(2026, 5, 5)) == 0


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_months_and_days_between():
    assert months_and_days_between(date(2026, 1, 31), date(2026, 2, 28)) == (1, 0)
    assert months_and_days_between(date(2026, 1, 31), date(2026, 5, 1)) == (3, 1)
    assert months_and_days_between(date(2026, 1, 10), date(2026, 1, 30)) == (0, 20)
    assert months_and_days_between(date(2026, 5, 1), date(2026, 1, 31)) == (-3, -1)


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@given(start=days, count=st.integers(min_value=-80, max_value=80))
def test_working_days_between_inverts_add_working_days(start, count):
    end = add_working_days(start, count)
    assert working_days_between(start, end) == count
    if count:
        assert is_working_day(end)
        # No working day is skipped: the day before the result (going forward) is not counted.
        step = timedelta(days=1 if count > 0 else -1)
        assert working_days_between(start, end - step) == count - (1 if count > 0 else -1)


@given(start=days, months=st.integers(min_value=-36, max_value=36))
def test_add_months_lands_in_the_right_month(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or result.day < start.day
