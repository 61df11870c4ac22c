"""Round summary packs: real PDFs read back for headings, numbers with n, and no names."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from caseaudit.errors import PermissionDenied
from caseaudit.models import Answer, Audit, SampleItem
from caseaudit.reports import ReportCancelled
from caseaudit.reports.figures import FEWER, WITHHELD, suppress
from caseaudit.reports.gather import gather_round
from caseaudit.reports.round_pack import render_round_pack
from caseaudit.reports.sample_round import PASSWORD, build_sample_round
from caseaudit.services.reporting import build_round_pack
from caseaudit.services.users import authenticate
from caseaudit.vocabulary import AuditStatus, UserRole
from tests.factories import make_user
from tests.reports_fixtures import (
    blank_free_text,
    dob_forms,
    find_leaks,
    identifying_details,
    pdf_text,
)

HEADINGS = [
    "OFFICIAL-SENSITIVE",
    "Audit round summary",
    "How the files were chosen",
    "Sampling frame by stratum",
    "Exclusions",
    "Changes made by hand",
    "Headline findings",
    "Grade distribution",
    "By section",
    "Compliance with standards",
    "Themes",
    "Strengths",
    "Areas for improvement",
    "Safeguarding concerns",
    "Actions",
    "Compared with earlier rounds",
]


@pytest.fixture
def sample(database):
    found = build_sample_round(database, audits=12, previous=(8, 3))
    return database, found


def _render(data, named: bool = False) -> bytes:
    import io

    buffer = io.BytesIO()
    render_round_pack(
        data,
        buffer,
        author="Quinn Assurance (QA lead)",
        generated=datetime(2026, 4, 2, 10, 0),
        today=date(2026, 4, 2),
    )
    return buffer.getvalue()


def test_the_pack_has_every_section_and_numbers_with_their_n(sample, tmp_path: Path) -> None:
    db, found = sample
    actor = authenticate(db, found.qa_username, PASSWORD)
    out = tmp_path / "pack.pdf"
    result = build_round_pack(db, actor, found.round_id, out)
    assert result.path == out and not result.signed and not result.named
    text = pdf_text(out.read_bytes())
    flat = " ".join(text.split())
    for heading in HEADINGS:
        assert heading in text, heading
    with db.session() as s:
        grades = s.scalars(
            select(Audit.overall_grade)
            .join(SampleItem, Audit.sample_item_id == SampleItem.id)
            .where(SampleItem.round_id == found.round_id, Audit.status == AuditStatus.SIGNED)
        ).all()
    n = len(grades)
    assert n == 10
    assert f"{n} of the 12 case files in the sample were audited and signed off" in flat
    assert f"n = {n}" in flat
    counts = Counter(grades)
    shares = suppress({g: counts.get(g, 0) for g in (1, 2, 3, 4)})
    labels = {
        1: "Outstanding (O)",
        2: "Good (G)",
        3: "Requires improvement (RI)",
        4: "Inadequate (I)",
    }
    for grade, share in shares.items():
        expected = share.text(n)
        assert f"{labels[grade]} {expected}" in flat, (grade, expected)
    # compliance for one standard, counted independently from the answers
    with db.session() as s:
        values = s.scalars(
            select(Answer.value)
            .join(Audit, Answer.audit_id == Audit.id)
            .join(SampleItem, Audit.sample_item_id == SampleItem.id)
            .where(
                SampleItem.round_id == found.round_id,
                Audit.status == AuditStatus.SIGNED,
                Answer.question_id == "plan_smart",
            )
        ).all()
    tally = Counter(values)
    applicable = tally["yes"] + tally["partly"] + tally["no"]
    met = f"{100 * (tally['yes'] + tally['partly'] / 2) / applicable:.0f}%"
    row = f"{met} {applicable} {tally['yes']} {tally['partly']} {tally['no']} {tally['na']}"
    assert row in flat, row
    # method, from the round's record
    assert "Random seed 1002" in flat
    assert "Sampling frame 108 case files" in flat
    assert "audited in the last 12 months 4" in flat
    assert "SYN-0000" in flat
    # comparison: n beside every percentage, and too few audits said in words
    assert "too few audits to compare" in flat
    assert "(n=6)" in flat and f"(n={n})" in flat
    assert "Page 1" in text and "Pseudonymised: children appear only by case key" in text


def test_no_name_date_of_birth_or_address_anywhere_in_the_pack(sample) -> None:
    db, found = sample
    with db.session() as s:
        data = gather_round(s, found.round_id)
    real, control = pdf_text(_render(data)), pdf_text(_render(blank_free_text(data)))
    details = identifying_details(db)
    assert len(details.name_tokens) > 30 and details.dates_of_birth
    report = find_leaks(real, control, details)
    assert report.leaks == []
    assert report.skipped <= {"Page"}, report.skipped  # all but boilerplate words were checked
    assert "[name]" in real  # the quotes were redacted, not dropped


def test_the_leak_scan_would_see_a_leak(sample) -> None:
    """The scan is not vacuous: with redaction switched off the names are found."""
    db, found = sample
    with db.session() as s:
        data = gather_round(s, found.round_id)
    data.redactor.enabled = False
    report = find_leaks(
        pdf_text(_render(data)), pdf_text(_render(blank_free_text(data))), identifying_details(db)
    )
    assert any(leak.startswith("name") for leak in report.leaks)


def test_the_named_version_needs_permission_and_is_watermarked(sample, tmp_path) -> None:
    db, found = sample
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    make_user(db, "mod", "Morgan Moderator", UserRole.MODERATOR, PASSWORD)
    moderator = authenticate(db, "mod", PASSWORD)
    with pytest.raises(PermissionDenied):
        build_round_pack(db, moderator, found.round_id, tmp_path / "named.pdf", named=True)
    auditor = authenticate(db, found.auditor_username, PASSWORD)
    with pytest.raises(PermissionDenied):
        build_round_pack(db, auditor, found.round_id, tmp_path / "pack.pdf")
    assert not list(tmp_path.iterdir())
    qa = authenticate(db, found.qa_username, PASSWORD)
    out = tmp_path / "named.pdf"
    build_round_pack(db, qa, found.round_id, out, named=True)
    reader = PdfReader(out)
    for page in reader.pages:
        page_text = page.extract_text()
        assert "OFFICIAL-SENSITIVE" in page_text
        assert "NAMED - INTERNAL USE ONLY" in page_text
    text = " ".join(pdf_text(out.read_bytes()).split())
    given, family = found.child_names[-1]
    assert f"{given} {family}" in text
    assert any(form in text for form in dob_forms(found.dates_of_birth[-1]))
    assert "NAMED INTERNAL VERSION" in text


def test_small_numbers_are_hidden_and_cannot_be_worked_out() -> None:
    shares = suppress({1: 2, 2: 5, 3: 4, 4: 0})
    assert shares[1].note == FEWER and shares[3].note == WITHHELD
    assert shares[2].shown and shares[4].shown and shares[2].text(11) == "5 (45%)"
    two_small = suppress({1: 1, 2: 9, 3: 2, 4: 7})
    assert [g for g, s in two_small.items() if not s.shown] == [1, 3]
    assert all(s.shown for s in suppress({1: 0, 2: 3, 3: 4, 4: 5}).values())


def test_progress_is_reported_and_cancel_leaves_no_file(sample, tmp_path) -> None:
    db, found = sample
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    actor = authenticate(db, found.qa_username, PASSWORD)
    seen: list[float] = []
    build_round_pack(
        db, actor, found.round_id, tmp_path / "a.pdf", progress=lambda f, _m: seen.append(f)
    )
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 3
    cancel = threading.Event()

    def cancel_soon(fraction: float, _message: str) -> None:
        if fraction > 0.1:
            cancel.set()

    with pytest.raises(ReportCancelled):
        build_round_pack(
            db, actor, found.round_id, tmp_path / "b.pdf", progress=cancel_soon, cancel=cancel
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


def test_an_iro_programme_shows_each_iro_month_by_month(sqlite_database) -> None:
    found = build_sample_round(
        sqlite_database, audits=8, previous=(8,), template_key="lac-review-minutes"
    )
    with sqlite_database.session() as s:
        data = gather_round(s, found.round_id)
    assert data.iro_results
    text = " ".join(pdf_text(_render(data)).split())
    assert "Each IRO's results, month by month" in text
    iro_names = found.worker_names[4:]
    assert any(name in text for name in iro_names)
    months = sorted({r.month for r in data.iro_results})
    assert len(months) >= 2
    for month in months:
        assert month.strftime("%b %Y") in text
    assert "audited:" in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from caseaudit.db import open_database
    from caseaudit.services.demo import build_demo

    db = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    build_demo(db, seed=11, scale=300, with_audits=True, as_of=date(2026, 3, 20))
    yield db
    db.close()


def test_demo_rounds_and_exports_carry_no_names(demo, tmp_path) -> None:
    from caseaudit.models import AuditRound
    from caseaudit.reports.exports import write_csv

    details = identifying_details(demo)
    with demo.session() as s:
        round_ids = s.scalars(select(AuditRound.id)).all()
    assert len(round_ids) >= 3
    redacted = 0
    for round_id in round_ids:
        with demo.session() as s:
            data = gather_round(s, round_id, all_answers=True)
        report = find_leaks(
            pdf_text(_render(data)), pdf_text(_render(blank_free_text(data))), details
        )
        assert report.leaks == [], (round_id, report.leaks)
        assert len(report.skipped) < len(details.name_tokens) / 10, report.skipped
        real = write_csv(data, tmp_path / f"real{round_id}", "r")
        control = write_csv(blank_free_text(data), tmp_path / f"control{round_id}", "r")
        csv_text = "\n".join(p.read_text(encoding="utf-8-sig") for p in real)
        redacted += csv_text.count("[name]")
        csv_report = find_leaks(
            csv_text,
            "\n".join(p.read_text(encoding="utf-8-sig") for p in control),
            details,
        )
        assert csv_report.leaks == [], (round_id, csv_report.leaks)
    assert redacted > 0, "the demo's notes name relatives; they must have been redacted"


def test_earlier_rounds_come_from_the_same_programme_when_there_is_one(sqlite_database) -> None:
    from caseaudit.models import AuditRound
    from caseaudit.models.programme import Programme, ProgrammeKind

    found = build_sample_round(sqlite_database, audits=6, previous=(7, 5))
    with sqlite_database.session() as s:
        programme = Programme(
            name="Monthly visits audit",
            kind=ProgrammeKind.CUSTOM,
            template_key="cp-cin-plan-visits",
            starts_on=date(2025, 1, 1),
        )
        s.add(programme)
        s.flush()
        for round_id in (found.round_id, found.previous_round_ids[1]):
            s.get(AuditRound, round_id).programme_id = programme.id
    with sqlite_database.session() as s:
        data = gather_round(s, found.round_id)
    assert [p.round_id for p in data.previous] == [found.previous_round_ids[1]]


@pytest.mark.parametrize("audits", [0, 1, 2])
def test_empty_and_tiny_rounds_still_make_a_pack(sqlite_database, audits: int) -> None:
    found = build_sample_round(sqlite_database, audits=audits, previous=())
    with sqlite_database.session() as s:
        data = gather_round(s, found.round_id)
    text = " ".join(pdf_text(_render(data)).split())
    assert "Headline findings" in text and "Grade distribution" in text
    assert f"{audits} of the {audits} case files" in text
    if audits:
        assert "fewer than 3" in text
        assert str(data.signed_audits[0].overall_grade) not in {"", None}


def test_a_reason_given_by_hand_is_printed_without_the_names_in_it(sample, tmp_path) -> None:
    """A manual change's reason is kept verbatim in the method; the pack prints it redacted."""
    from faker import Faker

    from caseaudit.models import AuditRound, CaseFile, Child, RelatedPerson
    from caseaudit.reports.redaction import COMMON_WORDS
    from caseaudit.services import rounds

    db, found = sample
    qa = authenticate(db, found.qa_username, PASSWORD)
    control = " ".join(pdf_text(_pdf(db, qa, found.round_id, tmp_path / "before.pdf")).split())
    seen = {word.lower() for word in control.replace("'", " ").split()}
    fake = Faker("en_GB")
    fake.seed_instance(2024)

    def fresh(make) -> str:  # a name the pack does not already contain for another reason
        while True:
            word = make()
            if len(word) >= 4 and word.isalpha() and word.lower() not in seen | COMMON_WORDS:
                return word

    given, family = fresh(fake.first_name), fresh(fake.last_name)
    with db.session() as s:
        rnd = s.get(AuditRound, found.round_id)
        rnd.sample_spec = {"strata": ["team"], "allocation": "proportional", "total": 12}
        elsewhere = s.scalars(
            select(SampleItem).where(SampleItem.round_id == found.previous_round_ids[0])
        ).first()
        child = s.get(Child, s.get(CaseFile, elsewhere.case_file_id).child_id)
        s.add(
            RelatedPerson(
                child_id=child.id, name=f"{given} {family}", relationship_to_child="sibling"
            )
        )
        case_key = child.case_key
    reason = f"Added because {given}'s brother was on the CP plan ({given} {family})"
    rounds.add_case(db, qa, found.round_id, case_key, reason)
    with db.session() as s:
        kept = s.get(AuditRound, found.round_id).method["manual_changes"][-1]
    assert kept["reason"] == reason  # stored word for word

    text = " ".join(pdf_text(_pdf(db, qa, found.round_id, tmp_path / "pack.pdf")).split())
    assert "Changes made by hand" in text and case_key in text
    assert "brother was on the CP plan" in text and "[name]" in text
    for name in (given, family, f"{given}'s"):
        assert name not in text, name
    named = " ".join(
        pdf_text(_pdf(db, qa, found.round_id, tmp_path / "named.pdf", named=True)).split()
    )
    assert f"{given} {family}" in named  # the check above would have seen it


def _pdf(db, actor, round_id: int, out: Path, *, named: bool = False) -> bytes:
    build_round_pack(db, actor, round_id, out, named=named)
    return out.read_bytes()
