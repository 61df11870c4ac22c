"""The per-audit PDF: case header without a name, sections, caps explained, sign-off block."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from caseaudit.errors import NotFound, PermissionDenied
from caseaudit.models import Answer, Audit, SectionJudgement, SignOff
from caseaudit.reports.audit_pdf import grading_for, render_audit_pdf
from caseaudit.reports.gather import gather_audit
from caseaudit.reports.sample_round import PASSWORD, build_sample_round
from caseaudit.services.reporting import build_audit_report
from caseaudit.services.users import authenticate
from tests.reports_fixtures import blank_free_text, find_leaks, identifying_details, pdf_text


@pytest.fixture
def sample(database):
    return database, build_sample_round(database, audits=3, previous=())


def _render(data) -> bytes:
    buffer = io.BytesIO()
    render_audit_pdf(data, buffer, author="Quinn Assurance", generated=datetime(2026, 4, 2, 9))
    return buffer.getvalue()


def _cap_everything(db, audit_id: int) -> None:
    """Grade every section Outstanding but safety Inadequate, and say the child was not seen."""
    with db.session() as s:
        for judgement in s.scalars(
            select(SectionJudgement).where(SectionJudgement.audit_id == audit_id)
        ):
            judgement.grade = 4 if judgement.section_id == "safety_and_impact" else 1
        answer = s.scalars(
            select(Answer).where(
                Answer.audit_id == audit_id, Answer.question_id == "child_seen_each_visit"
            )
        ).one()
        answer.value = "no"
        s.get(Audit, audit_id).overall_grade = 4


def test_the_audit_pdf_shows_sections_grades_caps_and_sign_off(sample, tmp_path: Path) -> None:
    db, found = sample
    audit_id = found.audit_ids[0]
    _cap_everything(db, audit_id)
    actor = authenticate(db, found.qa_username, PASSWORD)
    out = tmp_path / "audit.pdf"
    build_audit_report(db, actor, audit_id, out)
    text = " ".join(pdf_text(out.read_bytes()).split())
    with db.session() as s:
        data = gather_audit(s, audit_id)
        content_hash = s.scalar(select(SignOff.content_hash).where(SignOff.audit_id == audit_id))
    assert f"Case {data.audit.case_key}" in text
    assert "Pathway stage Child protection plan" in text
    assert f"Team {data.audit.team}" in text
    assert "Overall grade Inadequate (I)" in text
    assert "Section grade: Outstanding (O)" in text
    for section_id in grading_for(data).visible_sections:
        assert data.definition.section_title(section_id) in text
    assert "Limiting rule:" in text
    assert "cannot be better than" in text
    assert "Sign-off" in text and "Signed off" in text and "Audrey Auditor" in text
    assert content_hash and content_hash[:20] in text.replace(" ", "")
    assert "Visit [name] and see [name] alone." in text  # the action, redacted
    assert "OFFICIAL-SENSITIVE" in text


def test_no_name_date_of_birth_or_address_in_the_audit_pdf(sample) -> None:
    db, found = sample
    details = identifying_details(db)
    for audit_id in found.audit_ids:
        with db.session() as s:
            data = gather_audit(s, audit_id)
        report = find_leaks(
            pdf_text(_render(data)), pdf_text(_render(blank_free_text(data))), details
        )
        assert report.leaks == [], audit_id
        assert report.checked > 10


def test_the_scan_finds_names_and_dates_when_redaction_is_off(sample) -> None:
    db, found = sample
    with db.session() as s:
        data = gather_audit(s, found.audit_ids[0])
    data.redactor.enabled = False
    report = find_leaks(
        pdf_text(_render(data)), pdf_text(_render(blank_free_text(data))), identifying_details(db)
    )
    kinds = {leak.split()[0] for leak in report.leaks}
    assert {"name", "date"} <= kinds


def test_the_named_version_shows_the_child(sample, tmp_path: Path) -> None:
    db, found = sample
    actor = authenticate(db, found.qa_username, PASSWORD)
    out = tmp_path / "named.pdf"
    build_audit_report(db, actor, found.audit_ids[0], out, named=True)
    text = " ".join(pdf_text(out.read_bytes()).split())
    given, family = found.child_names[-3]
    assert f"Child's name {given} {family}" in text
    assert "NAMED - INTERNAL USE ONLY" in text
    auditor = authenticate(db, found.auditor_username, PASSWORD)
    with pytest.raises(PermissionDenied):
        build_audit_report(db, auditor, found.audit_ids[0], tmp_path / "x.pdf")


def test_an_unknown_audit_is_a_plain_error(sample, tmp_path: Path) -> None:
    db, found = sample
    actor = authenticate(db, found.qa_username, PASSWORD)
    with pytest.raises(NotFound):
        build_audit_report(db, actor, 999_999, tmp_path / "x.pdf")


def test_an_audit_not_yet_started_still_prints(sample, tmp_path: Path) -> None:
    db, found = sample
    with db.session() as s:
        audit = s.get(Audit, found.audit_ids[-1])
        for child in (*audit.answers, *audit.section_judgements, *audit.findings, *audit.sign_offs):
            s.delete(child)
        audit.overall_grade = None
        audit.overall_rationale = ""
    with db.session() as s:
        data = gather_audit(s, found.audit_ids[-1])
    text = " ".join(pdf_text(_render(data)).split())
    assert "Overall grade Not graded" in text and "Not answered" in text
    assert "This audit has not been signed off." in text
