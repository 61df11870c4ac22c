"""Spreadsheet exports of a round for performance teams: CSV files or one XLSX workbook.

Five tables (audits, answers, section grades, findings, actions) with the child shown only by
case key and every free-text cell passed through the round's ``Redactor``; the named internal
export adds the child's name. Every text cell that a spreadsheet could read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``,
as the OWASP guidance on CSV injection advises; numbers stay numbers. CSV files are UTF-8 with
a byte-order mark so Excel opens them with the right characters.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .data import RoundData
from .styles import answer_text, grade_text

__all__ = ["FORMULA_PREFIXES", "TABLES", "neutralise", "table_rows", "write_csv", "write_xlsx"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("audits", "answers", "section_grades", "findings", "actions")

Cell = str | int | float | None


def neutralise(value: Any) -> Cell:
    """A cell value that no spreadsheet will run as a formula."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _audits(data: RoundData) -> Iterator[list[Any]]:
    scale = data.definition.scale
    header = ["audit", "case key", "pathway stage", "team", "stratum", "auditor", "status"]
    header += ["overall grade", "overall grade (words)", "suggested grade", "compliance %"]
    header += ["signed at", "signed by", "content hash", "overall rationale"]
    if data.named:
        header[2:2] = ["child's name", "date of birth"]
    yield header
    for a in data.audits:
        row = [a.audit_id, a.case_key, a.pathway.label, a.team, a.stratum, a.auditor]
        row += [a.status.label, a.overall_grade, grade_text(scale, a.overall_grade)]
        row += [a.suggested_grade, a.compliance_percent, a.signed_at, a.signed_by]
        row += [a.content_hash, data.redactor(a.rationale)]
        if data.named:
            named = a.named
            row[2:2] = [named.full_name if named else "", named.date_of_birth if named else None]
        yield row


def _answers(data: RoundData) -> Iterator[list[Any]]:
    definition = data.definition
    keys = {a.audit_id: a.case_key for a in data.audits}
    yield ["audit", "case key", "section", "question", "question text", "answer", "evidence"] + [
        "not applicable because"
    ]
    order = {q.id: i for i, q in enumerate(definition.questions)}
    rows = sorted(data.answers, key=lambda r: (r.audit_id, order.get(r.question_id, 10**6)))
    for r in rows:
        try:
            question = definition.question(r.question_id)
            section, text = definition.section_title(question.section_id), question.text
        except KeyError:
            question, section, text = None, "", ""
        value = answer_text(question, r.value, definition.scale)
        yield [r.audit_id, keys.get(r.audit_id, ""), section, r.question_id, text, value] + [
            data.redactor(r.evidence),
            data.redactor(r.na_reason),
        ]


def _section_grades(data: RoundData) -> Iterator[list[Any]]:
    definition = data.definition
    yield ["audit", "case key", "section", "section title", "grade", "grade (words)"]
    for a in data.audits:
        grades = data.section_grades.get(a.audit_id, {})
        for section in definition.sections:
            if section.graded and section.id in grades:
                grade = grades[section.id]
                yield [a.audit_id, a.case_key, section.id, section.title, grade] + [
                    grade_text(definition.scale, grade)
                ]


def _findings(data: RoundData) -> Iterator[list[Any]]:
    keys = {a.audit_id: a.case_key for a in data.audits}
    titles = {s.id: s.title for s in data.definition.sections}
    yield ["audit", "case key", "kind", "section", "finding"]
    for f in data.findings:
        kind = f.kind.replace("_", " ").capitalize()
        section = titles.get(f.section_id, f.section_id)
        yield [f.audit_id, keys.get(f.audit_id, ""), kind, section, data.redactor(f.text)]


def _actions(data: RoundData) -> Iterator[list[Any]]:
    from ..vocabulary import ActionStatus, TimescaleBand

    titles = {s.id: s.title for s in data.definition.sections}
    yield ["action", "audit", "case key", "section", "action description", "owner"] + [
        "timescale",
        "due",
        "review",
        "status",
        "completed",
    ]
    for x in data.actions:
        band = TimescaleBand(x.timescale_band).label if x.timescale_band else ""
        status = ActionStatus(x.status).label if x.status else ""
        yield [x.action_id, x.audit_id, x.case_key, titles.get(x.section_id, x.section_id)] + [
            data.redactor(x.description),
            x.owner,
            band,
            x.due_on,
            x.review_on,
            status,
            x.completed_on,
        ]


_BUILDERS: dict[str, Callable[[RoundData], Iterator[list[Any]]]] = {
    "audits": _audits,
    "answers": _answers,
    "section_grades": _section_grades,
    "findings": _findings,
    "actions": _actions,
}


def table_rows(data: RoundData, table: str) -> Iterator[list[Cell]]:
    """The rows of one table (header first), every cell neutralised."""
    for row in _BUILDERS[table](data):
        yield [neutralise(v) for v in row]


def _atomic_target(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")


def write_csv(data: RoundData, folder: Path, stem: str) -> list[Path]:
    """One ``<stem>-<table>.csv`` per table in ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        target = folder / f"{stem}-{table.replace('_', '-')}.csv"
        fd, tmp = _atomic_target(target)
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
                writer.writerows(table_rows(data, table))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def write_xlsx(data: RoundData, target: Path) -> Path:
    """One workbook with a sheet per table (header row bold and frozen)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in TABLES:
        sheet = book.create_sheet(table.replace("_", " ").capitalize())
        sheet.freeze_panes = "A2"
        rows = table_rows(data, table)
        header = next(rows)
        cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            out = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                out.append(cell)
            sheet.append(out)
    fd, tmp = _atomic_target(target)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
