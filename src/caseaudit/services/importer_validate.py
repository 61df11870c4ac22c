"""Checking every row of a mapped case list before anything is written.

``validate`` turns each raw row into a typed row (``ValidRows``, one list per ``ParsedRow``
field; see ``importer_rows``) or into one ``RowProblem`` per bad field: its row number as the
spreadsheet shows it, the field's label and the reason. It works a column at a time, each
distinct cell of a date or stage column parsed once. A row with any problem is rejected as a
whole, never half-taken. Duplicate IDs within the file are reported against the later row,
naming the row that came first. Reasons repeat a cell's content only for fields that do not
identify a child (a stage, an outcome, a plan date), never a name, date of birth or address.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import ValidationError
from .importer_fields import FIELDS, ListKind
from .importer_mapping import ColumnMapping
from .importer_read import RawTable, paused_gc
from .importer_rows import (
    TEXT_LIMITS,
    ParsedRow,
    RowProblem,
    ValidRows,
    converter,
    fast_text,
    problem,
)
from .importer_rules import apply_rules

__all__ = ["ParsedRow", "RowProblem", "ValidationReport", "validate"]


@dataclass
class ValidationReport:
    """What validating a file found: the rows that can go in and every problem, row by row."""

    table: RawTable
    list_kind: ListKind
    mapping: ColumnMapping
    valid: ValidRows
    problems: list[RowProblem]
    notes: list[str] = field(default_factory=list)
    _rows: list[ParsedRow] | None = field(default=None, repr=False)

    @property
    def valid_rows(self) -> list[ParsedRow]:
        """The rows that can go in, one ``ParsedRow`` each (built on first use)."""
        if self._rows is None:
            self._rows = self.valid.rows()
        return self._rows

    @property
    def file_name(self) -> str:
        return self.table.file_name

    @property
    def rows_read(self) -> int:
        return self.table.row_count

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
    """The file's cells column by column (short rows padded), so each field converts in one pass.

    A CSV file's cells are all strings, and its short rows are padded with "" so they stay so.
    """
    cells = raw.cells
    width = max(index for _, index, _, _ in plan) + 1
    if min(map(len, cells)) < width:
        pad = ("" if raw.file_format == "csv" else None,) * width
        cells = [c if len(c) >= width else (*c, *pad[len(c) :]) for c in cells]
    return list(zip(*cells, strict=False))  # longer rows: extra cells are ignored


def _texts(cells: tuple, plain: bool) -> list[str]:
    """A text column trimmed, in C-speed passes when it is all plain strings (a CSV file)."""
    if plain or set(map(type, cells)) == {str}:
        column = list(map(str.strip, cells))
        joined = "\x00".join(column)
        if not ("  " in joined or "\t" in joined or "\n" in joined or "\r" in joined):
            return column
    return list(map(fast_text, cells))


def _check_rows(raw: RawTable, kind: ListKind, plan: list) -> tuple[ValidRows, list[RowProblem]]:
    if not raw.numbers:
        return ValidRows.of({}, 0), []
    numbers = raw.numbers
    columns = _columns(raw, plan)
    plain = raw.file_format == "csv"  # every cell a str
    bad: dict[int, list[RowProblem]] = {}
    values: dict[str, list] = {}
    for name, index, convert, limit in plan:
        if convert is fast_text:
            column = _texts(columns[index], plain)
            if limit and max(map(len, column)) > limit:
                for i in [i for i, v in enumerate(column) if len(v) > limit]:
                    reason = f"is longer than {limit} characters"
                    bad.setdefault(i, []).append(problem(numbers[i], name, reason))
        else:  # each distinct cell parsed once: a list repeats a few hundred dates and stages
            cells = columns[index]
            memo = dict(zip(*_parse_set(convert, cells), strict=True))
            column = list(map(memo.__getitem__, cells))
            if any(type(v) is _Bad for v in memo.values()):
                for i in [i for i, v in enumerate(column) if type(v) is _Bad]:
                    bad.setdefault(i, []).append(problem(numbers[i], name, column[i].reason))
                    column[i] = None
        values[name] = column
    apply_rules(kind, values, numbers, bad, date.today())
    values["row"] = numbers
    valid = ValidRows.of(values, len(numbers))
    if bad:
        mask = [True] * len(numbers)
        for i in bad:
            mask[i] = False
        valid = valid.keep(mask)
    problems = [p for i in sorted(bad) for p in bad[i]]
    mask, duplicates = _duplicates(kind, valid)
    if duplicates:
        valid = valid.keep(mask)
        problems = sorted(problems + duplicates, key=lambda p: p.row)  # stable: keeps row order
    return valid, problems


def _duplicates(kind: ListKind, valid: ValidRows) -> tuple[list[bool], list[RowProblem]]:
    """Which rows to keep (the first of each ID) and a problem for each later duplicate."""
    events = kind is ListKind.EVENTS
    if events:
        keys: list = [
            ("event", event_id) if event_id else (child_id, stage, on)
            for event_id, child_id, stage, on in zip(
                valid["event_id"],
                valid["external_id"],
                valid["stage"],
                valid["event_date"],
                strict=True,
            )
        ]
    else:
        keys = valid["external_id"]
    if len(set(keys)) == len(keys):
        return [], []
    first_seen: dict[object, int] = {}
    mask: list[bool] = []
    duplicates: list[RowProblem] = []
    id_label = FIELDS["external_id"].label
    for key, number, event_id in zip(keys, valid["row"], valid["event_id"], strict=True):
        first = first_seen.setdefault(key, number)
        mask.append(first == number)
        if first == number:
            continue
        if events:
            label = FIELDS["event_id"].label if event_id else id_label
            what = "Event"
        else:
            label, what = id_label, "Child ID"
        reason = f"duplicate: the same {what} is already on row {first}; only the first was kept"
        duplicates.append(RowProblem(number, label, reason))
    return mask, duplicates
