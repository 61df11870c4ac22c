"""Checking every row of a mapped case list before anything is written.

``validate`` turns each raw row into a ``ParsedRow`` (see ``importer_rows``) or into one
``RowProblem`` per bad field: its row number as the spreadsheet shows it, the field's label and
the reason. A row with any problem is rejected as a whole, never half-taken. Duplicate IDs within
the file are reported against the later row, naming the row that came first. Reasons repeat a
cell's content only for fields that do not identify a child (a stage, an outcome, a plan date),
never a name, date of birth or address.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from pathlib import Path

from ..errors import ValidationError
from .importer_fields import FIELDS, ListKind
from .importer_mapping import ColumnMapping
from .importer_read import RawTable, paused_gc
from .importer_rows import (
    TEXT_LIMITS,
    ParsedRow,
    RowProblem,
    converter,
    duplicate_key,
    fast_text,
    problem,
)
from .importer_rules import apply_rules

PARSED_FIELDS = ParsedRow._fields[1:]  # after ``row``

__all__ = ["ParsedRow", "RowProblem", "ValidationReport", "validate"]


@dataclass
class ValidationReport:
    """What validating a file found: the rows that can go in and every problem, row by row."""

    table: RawTable
    list_kind: ListKind
    mapping: ColumnMapping
    valid_rows: list[ParsedRow]
    problems: list[RowProblem]
    notes: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.table.file_name

    @property
    def rows_read(self) -> int:
        return len(self.table.rows)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def write_rejected_csv(self, path: str | Path) -> Path:
        """Write one line per problem (row, field, reason) to ``path`` as UTF-8 CSV with BOM."""
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "field", "reason"])
            for problem in self.problems:
                writer.writerow([problem.row, problem.field, problem.reason])
        return path


def validate(raw: RawTable, mapping: ColumnMapping, list_kind: ListKind | str) -> ValidationReport:
    """Check every row of ``raw`` against ``mapping``; refuse only if required columns are absent."""
    kind = ListKind(list_kind)
    if mapping.list_kind != kind:
        raise ValidationError(
            f"The column mapping is for the {mapping.list_kind.value} list, not {kind.value}."
        )
    missing = mapping.missing_required()
    if missing:
        labels = ", ".join(FIELDS[m].label for m in missing)
        raise ValidationError(
            f"{raw.file_name} has no column for: {labels}. Map a column to each with "
            '--map "Header=field" (or in the import wizard), then try again.',
            [f"{FIELDS[m].label} ({m}) is needed for the {kind.value} list" for m in missing],
        )
    plan = [
        (name, index, converter(name), TEXT_LIMITS.get(name, 0))
        for name, index in mapping.field_indexes().items()
    ]
    with paused_gc():
        valid, problems = _check_rows(raw, kind, plan)
    notes = list(raw.notes)
    if raw.blank_rows_skipped:
        notes.append(f"{raw.blank_rows_skipped} blank rows were skipped.")
    return ValidationReport(raw, kind, mapping, valid, problems, notes)


class _Bad:
    """A cell that could not be read, standing in for its value while a column is converted."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _safe(convert: Callable[[object], object]) -> Callable[[object], object]:
    def run(cell: object) -> object:
        try:
            return convert(cell)
        except ValueError as exc:
            return _Bad(str(exc))

    return run


def _parse_set(convert: Callable[[object], object], cells: tuple) -> tuple[list, list]:
    distinct = list(set(cells))
    return distinct, list(map(_safe(convert), distinct))


def _columns(raw: RawTable, plan: list) -> list[tuple]:
    """The file's cells column by column (short rows padded), so each field converts in one pass."""
    cells = [r.cells for r in raw.rows]
    width = max(index for _, index, _, _ in plan) + 1
    if min(map(len, cells)) < width:
        pad = (None,) * width
        cells = [c if len(c) >= width else (*c, *pad[len(c) :]) for c in cells]
    return list(zip(*cells, strict=False))  # longer rows: extra cells are ignored


def _texts(cells: tuple) -> list[str]:
    """A text column trimmed, in C-speed passes when it is all plain strings (a CSV file)."""
    if set(map(type, cells)) == {str}:
        column = list(map(str.strip, cells))
        joined = "\x00".join(column)
        if not ("  " in joined or "\t" in joined or "\n" in joined or "\r" in joined):
            return column
    return list(map(fast_text, cells))


def _check_rows(
    raw: RawTable, kind: ListKind, plan: list
) -> tuple[list[ParsedRow], list[RowProblem]]:
    if not raw.rows:
        return [], []
    numbers = [r.number for r in raw.rows]
    columns = _columns(raw, plan)
    bad: dict[int, list[RowProblem]] = {}
    values: dict[str, list] = {}
    for name, index, convert, limit in plan:
        if convert is fast_text:
            column = _texts(columns[index])
            if limit and max(map(len, column)) > limit:
                for i in [i for i, v in enumerate(column) if len(v) > limit]:
                    reason = f"is longer than {limit} characters"
                    bad.setdefault(i, []).append(problem(numbers[i], name, reason))
        else:  # each distinct cell parsed once: a list repeats a few hundred dates and stages
            cells = columns[index]
            memo = {cell: value for cell, value in zip(*_parse_set(convert, cells), strict=True)}
            column = list(map(memo.__getitem__, cells))
            for i in [i for i, v in enumerate(column) if type(v) is _Bad]:
                bad.setdefault(i, []).append(problem(numbers[i], name, column[i].reason))
                column[i] = None
        values[name] = column
    apply_rules(kind, values, numbers, bad, date.today())
    keep = [i for i in range(len(numbers)) if i not in bad]
    defaults = ParsedRow._field_defaults
    args = [
        [column[i] for i in keep]
        if (column := values.get(name)) is not None
        else repeat(defaults[name])
        for name in PARSED_FIELDS
    ]
    new = tuple.__new__  # ParsedRow is a NamedTuple; this skips its Python-level __new__
    columns_kept = zip([numbers[i] for i in keep], *args, strict=False)  # repeat() is endless
    parsed_rows = [new(ParsedRow, row) for row in columns_kept]
    problems = [p for i in sorted(bad) for p in bad[i]]
    valid: list[ParsedRow] = []
    duplicates: list[RowProblem] = []
    first_seen: dict[object, int] = {}
    id_label = FIELDS["external_id"].label
    events = kind is ListKind.EVENTS
    for parsed in parsed_rows:
        key = duplicate_key(kind, parsed) if events else parsed.external_id
        first = first_seen.get(key)
        if first is None:
            first_seen[key] = parsed.row
            valid.append(parsed)
            continue
        if events:
            label = FIELDS["event_id"].label if parsed.event_id else id_label
            what = "Event"
        else:
            label, what = id_label, "Child ID"
        reason = f"duplicate: the same {what} is already on row {first}; only the first was kept"
        duplicates.append(RowProblem(parsed.row, label, reason))
    if duplicates:
        problems = sorted(
            problems + duplicates, key=lambda p: p.row
        )  # stable: keeps each row's order
    return valid, problems
