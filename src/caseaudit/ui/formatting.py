"""How the GUI writes dates, counts and empty values, in one place.

Dates are written the British way with the month as a word ("03 May 2026"), which cannot be
misread whatever the system locale; counts get thousands separators; a missing value is an
en dash so an empty cell is never mistaken for a loading one.
"""

from __future__ import annotations

from datetime import date, datetime

MISSING = "–"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return MISSING
    return f"{value.day:02d} {value.strftime('%b %Y')}"


def format_time(value: datetime | None) -> str:
    if value is None:
        return MISSING
    return value.astimezone().strftime("%H:%M:%S") if value.tzinfo else value.strftime("%H:%M:%S")


def format_count(value: int) -> str:
    return f"{value:,}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 case file"`` / ``"1,234 case files"``."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{format_count(count)} {word}"
