"""One row of a case list, typed (``ParsedRow``), how its cells are read, and its problems.

``ValidRows`` holds the rows that passed, column by column (one list per ``ParsedRow`` field),
which is how the writers use them: a 100,000-row list then costs a few passes over columns
rather than 100,000 Python objects; ``ValidRows.rows()`` gives ``ParsedRow``s when wanted.

``converter`` gives, per field, the function that turns a cell into a value (text trimmed and
with runs of spaces collapsed; dates, stages, outcomes, statuses and flags parsed, with a small
memo because a list repeats the same few values thousands of times); ``importer_rules`` applies
each list's rules. A ``RowProblem`` names the row, the field and the reason; reasons never
repeat a name, date of birth or address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import compress
from typing import NamedTuple

from ..vocabulary import CaseStatus, Outcome, PathwayStage
from .importer_fields import FIELDS
from .importer_values import (
    parse_date,
    parse_flag,
    parse_outcome,
    parse_stage,
    parse_status,
    text_value,
)

LAC_STAGES = frozenset(
    {PathwayStage.LAC_EPISODE, PathwayStage.LAC_REVIEW, PathwayStage.CARE_LEAVER}
)
PLAN_STAGES = frozenset({PathwayStage.CIN_PLAN, PathwayStage.CP_PLAN})
TEXT_LIMITS = {
    "external_id": 64,
    "event_id": 64,
    "given_name": 100,
    "family_name": 100,
    "postcode": 16,
    "gender": 32,
    "ethnicity": 100,
    "team": 200,
    "worker": 200,
    "worker_id": 64,
    "team_manager": 200,
    "iro": 200,
    "legal_status": 64,
    "placement_type": 64,
}
DATE_FIELDS = frozenset({"date_of_birth", "opened_on", "closed_on", "event_date", "completed_on"})


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


class ParsedRow(NamedTuple):
    """One valid row, typed. ``None`` / "" means the file did not say (keep what is stored)."""

    row: int
    external_id: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    address: str = ""
    postcode: str = ""
    gender: str = ""
    ethnicity: str = ""
    disability: bool | None = None
    team: str = ""
    worker: str = ""
    worker_id: str = ""
    team_manager: str = ""
    iro: str = ""
    stage: PathwayStage | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    status: CaseStatus | None = None
    legal_status: str = ""
    placement_type: str = ""
    event_id: str = ""
    event_date: date | None = None
    completed_on: date | None = None
    outcome: Outcome | None = None


FIELD_NAMES = ParsedRow._fields


class ValidRows:
    """The valid rows of a list as columns: ``rows["external_id"]`` is every row's Child ID."""

    __slots__ = ("columns", "_count")

    def __init__(self, columns: dict[str, list], count: int) -> None:
        self.columns, self._count = columns, count

    @classmethod
    def of(cls, columns: dict[str, list], count: int) -> ValidRows:
        """Every ``ParsedRow`` field, with a column of its default for those not given."""
        defaults = ParsedRow._field_defaults
        full = {
            name: columns[name] if name in columns else [defaults[name]] * count
            for name in FIELD_NAMES
        }
        return cls(full, count)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def keep(self, mask: list[bool]) -> ValidRows:
        """Only the rows whose ``mask`` entry is true, in order."""
        columns = {name: list(compress(column, mask)) for name, column in self.columns.items()}
        return ValidRows(columns, sum(mask))

    def slice(self, start: int, stop: int) -> ValidRows:
        stop = min(stop, self._count)
        columns = {name: column[start:stop] for name, column in self.columns.items()}
        return ValidRows(columns, max(stop - start, 0))

    def chunks(self, size: int) -> Iterator[ValidRows]:
        for start in range(0, self._count, size):
            yield self.slice(start, start + size)

    def rows(self) -> list[ParsedRow]:
        new = tuple.__new__  # ParsedRow is a NamedTuple; this skips its Python-level __new__
        return [new(ParsedRow, row) for row in zip(*self.columns.values(), strict=True)]


def fast_text(cell: object) -> str:
    """``text_value`` with a fast path for the plain strings a CSV file gives."""
    if type(cell) is str:
        text = cell.strip()
        if "  " in text or "\t" in text or "\n" in text or "\r" in text:
            text = " ".join(text.split())
        return text
    return text_value(cell)


def _memo(parse: Callable[[object], object]) -> Callable[[object], object]:
    cache: dict[object, object] = {}

    def parse_cached(cell: object) -> object:
        try:
            return cache[cell]
        except KeyError:
            value = parse(cell)
            if len(cache) < 10_000:
                cache[cell] = value
            return value
        except TypeError:  # an unhashable cell
            return parse(cell)

    return parse_cached


def converter(name: str) -> Callable[[object], object]:
    """The function that turns a cell of field ``name`` into its value."""
    if name in DATE_FIELDS:
        return parse_date  # has its own cache
    parse = {
        "stage": parse_stage,
        "outcome": parse_outcome,
        "status": parse_status,
        "disability": parse_flag,
        "external_placement": parse_flag,
        "care_leaver": parse_flag,
    }.get(name)
    return _memo(parse) if parse is not None else fast_text


def problem(row: int, name: str, reason: str) -> RowProblem:
    spec = FIELDS[name]
    if spec.identifying:  # never repeat a name, date of birth or address in a reason
        reason = "is not a date caseaudit can read" if name in DATE_FIELDS else "is not valid"
    return RowProblem(row, spec.label, reason)
