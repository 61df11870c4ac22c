"""CSV and XLSX exports: the right rows, no names, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from caseaudit.errors import PermissionDenied, ValidationError
from caseaudit.models import Action, Answer, Finding
from caseaudit.reports.exports import TABLES, neutralise, write_csv
from caseaudit.reports.gather import gather_round
from caseaudit.reports.sample_round import PASSWORD, build_sample_round
from caseaudit.services.reporting import export_round
from caseaudit.services.users import authenticate
from tests.reports_fixtures import blank_free_text, find_leaks, identifying_details

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\tX", "\rY"]


@pytest.fixture
def sample(database):
    return database, build_sample_round(database, audits=5, previous=())


def _plant_formulas(db, audit_id: int) -> None:
    with db.session() as s:
        answers = s.scalars(select(Answer).where(Answer.audit_id == audit_id)).all()
        for answer, text in zip(answers, DANGEROUS, strict=False):
            answer.evidence = text
        finding = s.scalars(select(Finding).where(Finding.audit_id == audit_id)).first()
        finding.text = "=1+1"
        action = s.scalars(select(Action).where(Action.audit_id == audit_id)).first()
        action.description = "@cmd"


def _csv_cells(paths: list[Path]) -> dict[str, list[list[str]]]:
    tables = {}
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            tables[path.stem.split("-", 2)[-1]] = list(csv.reader(fh))
    return tables


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=A1", "'=A1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-1, -1),
        (2.5, 2.5),
        (None, ""),
    ],
)
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_csv_export_has_every_table_and_no_formulas(sample, tmp_path: Path) -> None:
    db, found = sample
    _plant_formulas(db, found.audit_ids[0])
    actor = authenticate(db, found.qa_username, PASSWORD)
    result = export_round(db, actor, found.round_id, "csv", tmp_path / "out")
    assert [p.name for p in result.paths] == [
        f"round-{found.round_id}-{t.replace('_', '-')}.csv" for t in TABLES
    ]
    tables = _csv_cells(list(result.paths))
    with db.session() as s:
        answers = s.scalar(
            select(func.count()).select_from(Answer).where(Answer.audit_id.in_(found.audit_ids))
        )
    assert len(tables["audits"]) == 1 + 5
    assert len(tables["answers"]) == 1 + answers
    assert len(tables["actions"]) == 1 + 5
    assert tables["audits"][0][:3] == ["audit", "case key", "pathway stage"]
    for rows in tables.values():
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    evidence = {row[6] for row in tables["answers"][1:]}
    assert {"'" + text for text in DANGEROUS} <= evidence
    assert "'=1+1" in {row[4] for row in tables["findings"][1:]}


def test_xlsx_export_stores_text_as_text(sample, tmp_path: Path) -> None:
    db, found = sample
    _plant_formulas(db, found.audit_ids[0])
    actor = authenticate(db, found.qa_username, PASSWORD)
    target = tmp_path / "round.xlsx"
    export_round(db, actor, found.round_id, "xlsx", target)
    book = load_workbook(target)
    assert book.sheetnames == ["Audits", "Answers", "Section grades", "Findings", "Actions"]
    formulas = [
        c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    audits = list(book["Audits"].iter_rows(values_only=True))
    header = audits[0]
    compliance = header.index("compliance %")
    assert all(isinstance(r[compliance], float) for r in audits[1:])
    evidence = {r[6] for r in book["Answers"].iter_rows(min_row=2, values_only=True)}
    assert '\'=HYPERLINK("http://x","y")' in evidence


def test_exports_carry_no_names_unless_named_is_asked_for(sample, tmp_path: Path) -> None:
    db, found = sample
    actor = authenticate(db, found.qa_username, PASSWORD)
    with db.session() as s:
        data = gather_round(s, found.round_id, all_answers=True)
    real = write_csv(data, tmp_path / "real", "r")
    control = write_csv(blank_free_text(data), tmp_path / "control", "r")
    text = "\n".join(p.read_text(encoding="utf-8-sig") for p in real)
    control_text = "\n".join(p.read_text(encoding="utf-8-sig") for p in control)
    report = find_leaks(text, control_text, identifying_details(db))
    assert report.leaks == [] and report.checked > 10
    assert "[name]" in text and "[date of birth]" in text and "[address]" in text
    named = export_round(db, actor, found.round_id, "xlsx", tmp_path / "named.xlsx", named=True)
    book = load_workbook(named.paths[0])
    header = next(book["Audits"].iter_rows(values_only=True))
    assert "child's name" in header
    names = {
        r[header.index("child's name")]
        for r in book["Audits"].iter_rows(min_row=2, values_only=True)
    }
    assert {f"{g} {f}" for g, f in found.child_names} == names


def test_export_permissions_and_format(sample, tmp_path: Path) -> None:
    db, found = sample
    auditor = authenticate(db, found.auditor_username, PASSWORD)
    with pytest.raises(PermissionDenied):
        export_round(db, auditor, found.round_id, "csv", tmp_path / "x")
    qa = authenticate(db, found.qa_username, PASSWORD)
    with pytest.raises(ValidationError):
        export_round(db, qa, found.round_id, "ods", tmp_path / "x")
