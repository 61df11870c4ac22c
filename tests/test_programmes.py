"""Recurring programmes: monthly IRO minute audits spread across IROs, quarters, the calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from caseaudit.cli import main
from caseaudit.errors import PermissionDenied, ValidationError
from caseaudit.models import Audit, AuditRound, CaseFile, Child, Programme, SampleItem
from caseaudit.models.programme import ProgrammeKind
from caseaudit.services import programmes
from caseaudit.services.importer import import_file
from caseaudit.services.programmes import PeriodStatus
from caseaudit.vocabulary import AuditStatus, RoundStatus, UserRole

from .test_sampling_helpers import (
    CP_HEADERS,
    IROS,
    LAC_HEADERS,
    add_template,
    cin_cp_rows,
    lac_rows,
    people,
    write_csv,
)


@pytest.fixture
def lac_loaded(database, tmp_path):
    who = people(database)
    add_template(database, "lac-review-minutes")
    add_template(database, "supervision")
    add_template(database, "front-door")
    import_file(database, who.qa, write_csv(tmp_path / "lac.csv", LAC_HEADERS, lac_rows(60)), "lac")
    import_file(
        database, who.qa, write_csv(tmp_path / "cp.csv", CP_HEADERS, cin_cp_rows(40)), "cin-cp"
    )
    iro_manager = who.add(database, "imran", "Imran IRO Manager", UserRole.IRO_MANAGER)
    return database, who, iro_manager


def children_of(db, round_id: int) -> list[int]:
    with db.session() as s:
        return list(
            s.scalars(
                select(CaseFile.child_id)
                .join(SampleItem, SampleItem.case_file_id == CaseFile.id)
                .where(SampleItem.round_id == round_id)
            )
        )


def iros_of(db, round_id: int) -> Counter:
    with db.session() as s:
        return Counter(
            s.scalars(
                select(CaseFile.iro_worker_id)
                .join(SampleItem, SampleItem.case_file_id == CaseFile.id)
                .where(SampleItem.round_id == round_id)
            )
        )


def test_iro_managers_monthly_minutes_audit(lac_loaded):
    db, who, manager = lac_loaded
    info = programmes.create_programme(
        db,
        manager,
        "IRO minutes",
        ProgrammeKind.IRO_MONTHLY,
        starts_on=date(2025, 1, 14),
        auditors=["imran"],
    )
    assert (info.template_key, info.files_per_period, info.exclusion_months) == (
        "lac-review-minutes",
        4,
        12,
    )
    assert info.starts_on == date(2025, 1, 1)
    seen_children: list[int] = []
    total = Counter()
    for month, as_of in enumerate(
        (date(2025, 1, 20), date(2025, 2, 20), date(2025, 3, 20)), start=1
    ):
        proposal = programmes.propose_round(
            db, manager, "IRO minutes", as_of=as_of, commit=True, seed=month
        )
        assert proposal.created and proposal.committed
        assert proposal.period.label == f"2025-{month:02d}"
        assert proposal.round.item_count == 4 and proposal.round.status is RoundStatus.SAMPLED
        per_iro = iros_of(db, proposal.round.id)
        assert len(per_iro) == 3 and max(per_iro.values()) == 2  # spread: 2/1/1 with three IROs
        total.update(per_iro)
        seen_children.extend(children_of(db, proposal.round.id))
        assert all(i.stage.value in ("lac_episode", "care_leaver") for i in proposal.preview.items)
    assert len(seen_children) == len(set(seen_children)) == 12  # never the same child twice
    assert sorted(total.values()) == [4, 4, 4]  # over the quarter every IRO is audited equally
    again = programmes.propose_round(db, manager, "IRO minutes", period="2025-02")
    assert not again.created and again.round.name == "IRO minutes 2025-02"


def test_calendar_shows_due_in_progress_completed_and_overdue(lac_loaded):
    db, who, manager = lac_loaded
    programmes.create_programme(
        db,
        manager,
        "IRO minutes",
        "iro_monthly",
        starts_on=date(2025, 1, 1),
        auditors=["imran"],
        due_days=10,
    )
    programmes.propose_round(db, manager, "IRO minutes", "2025-01", commit=True, seed=1)
    programmes.propose_round(db, manager, "IRO minutes", "2025-03", commit=True, seed=1)
    statuses = {
        c.period.label: c.status for c in programmes.calendar(db, "IRO minutes", date(2025, 3, 5))
    }
    assert statuses == {
        "2025-01": PeriodStatus.OVERDUE,
        "2025-02": PeriodStatus.DUE,
        "2025-03": PeriodStatus.IN_PROGRESS,
    }
    with db.session() as s:
        rnd = s.scalars(select(AuditRound).where(AuditRound.period_label == "2025-01")).one()
        for item in s.scalars(select(SampleItem).where(SampleItem.round_id == rnd.id)):
            s.add(
                Audit(
                    case_file_id=item.case_file_id,
                    template_version_id=rnd.template_version_id,
                    sample_item_id=item.id,
                    auditor_user_id=manager.id,
                    status=AuditStatus.SIGNED,
                )
            )
    calendar = programmes.calendar(db, "IRO minutes", date(2025, 3, 12))
    assert [(c.period.label, c.status, c.signed, c.files) for c in calendar] == [
        ("2025-01", PeriodStatus.COMPLETED, 4, 4),
        ("2025-02", PeriodStatus.OVERDUE, 0, 0),
        ("2025-03", PeriodStatus.IN_PROGRESS, 0, 4),
    ]
    assert calendar[1].period.due_on == date(2025, 3, 10)


def test_next_proposal_is_the_earliest_period_without_a_round(lac_loaded):
    db, who, manager = lac_loaded
    programmes.create_programme(
        db, manager, "IRO minutes", "iro_monthly", starts_on=date(2025, 1, 1)
    )
    first = programmes.propose_round(db, manager, "IRO minutes", as_of=date(2025, 2, 10))
    second = programmes.propose_round(db, manager, "IRO minutes", as_of=date(2025, 2, 10))
    third = programmes.propose_round(db, manager, "IRO minutes", as_of=date(2025, 2, 10))
    assert [p.period.label for p in (first, second, third)] == ["2025-01", "2025-02", "2025-03"]
    assert not first.committed and first.round.status is RoundStatus.DRAFT


def test_quarters_follow_the_financial_year(lac_loaded):
    db, who, manager = lac_loaded
    programmes.create_programme(
        db,
        who.qa,
        "Neglect",
        "quarterly_themed",
        template_key="front-door",
        starts_on=date(2025, 5, 10),
        theme="Neglect",
    )
    with db.session() as s:
        programme = s.scalars(select(Programme)).one()
        assert programme.starts_on == date(2025, 4, 1)
        labels = [
            (p.label, p.start, p.end) for p in programmes.periods_until(programme, date(2026, 1, 2))
        ]
    assert labels == [
        ("2025-26 Q1", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025-26 Q2", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025-26 Q3", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-26 Q4", date(2026, 1, 1), date(2026, 3, 31)),
    ]
    proposal = programmes.propose_round(db, who.qa, "Neglect", "2025-26 Q3", seed=5)
    assert proposal.round.theme == "Neglect" and len(proposal.preview.items) == 8


def test_supervision_audits_spread_across_teams_one_per_worker(lac_loaded):
    db, who, manager = lac_loaded
    programmes.create_programme(
        db,
        who.qa,
        "Supervision",
        "supervision_monthly",
        starts_on=date(2025, 1, 1),
        files_per_period=4,
        auditors=["amy", "bob"],
    )
    proposal = programmes.propose_round(db, who.qa, "Supervision", "2025-01", seed=3)
    items = proposal.preview.items
    assert len(items) == 4 and len({i.team for i in items}) == 4
    assert len({i.worker for i in items}) == 4
    assert Counter(i.auditor_username for i in items) == Counter({"amy": 2, "bob": 2})


def test_programme_definitions_are_checked(lac_loaded):
    db, who, manager = lac_loaded
    with pytest.raises(PermissionDenied):
        programmes.create_programme(
            db, who.auditor_a, "x", "iro_monthly", starts_on=date(2025, 1, 1)
        )
    with pytest.raises(ValidationError) as caught:
        programmes.create_programme(
            db, who.qa, "", "quarterly_themed", starts_on=date(2025, 1, 1), files_per_period=0
        )
    assert caught.value.problems == [
        "Give the programme a name.",
        "Say which audit template the programme uses (--template KEY).",
        "A programme audits at least one file each period.",
    ]
    programmes.create_programme(
        db, who.qa, "IRO minutes", "iro_monthly", starts_on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match="already a programme"):
        programmes.create_programme(
            db, who.qa, "iro minutes", "iro_monthly", starts_on=date(2025, 1, 1)
        )


def test_programme_commands(sqlite_database, tmp_path, monkeypatch, capsys):
    db = sqlite_database
    who = people(db)
    add_template(db, "lac-review-minutes")
    rows = lac_rows(30)
    import_file(db, who.qa, write_csv(tmp_path / "lac.csv", LAC_HEADERS, rows), "lac")
    monkeypatch.setenv("CASEAUDIT_USER", "qa")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "password123")
    base = ["--db", str(db.path)]
    assert (
        main(
            [
                *base,
                "programme",
                "create",
                "IRO minutes",
                "--kind",
                "iro_monthly",
                "--auditor",
                "amy",
                "--starts",
                "2025-01-01",
                "--files",
                "3",
            ]
        )
        == 0
    )
    assert main([*base, "programme", "list"]) == 0
    assert "IRO minutes" in capsys.readouterr().out
    assert (
        main(
            [
                *base,
                "programme",
                "propose",
                "IRO minutes",
                "--as-of",
                "2025-01-15",
                "--seed",
                "9",
                "--commit",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Created round 1 'IRO minutes 2025-01'" in out and "Saved: sample of 3 files" in out
    assert all(name in out for name in IROS)
    assert not any(r[1] in out for r in rows)
    assert main([*base, "programme", "calendar", "IRO minutes", "--as-of", "2025-02-03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0].startswith("2025-01")
        and "overdue" in lines[0]
        and "round 1 (0/3 signed)" in lines[0]
    )
    assert lines[1].startswith("2025-02") and "due" in lines[1] and "no round yet" in lines[1]
    with db.session() as s:
        assert s.scalar(select(Child.id).limit(1)) is not None
