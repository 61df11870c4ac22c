"""Audit rounds on real databases: preview then commit, reproducibility, conflicts, manual changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseaudit.cli import main
from caseaudit.errors import NotFound, PermissionDenied, ValidationError
from caseaudit.models import ChangeLogEntry, SampleItem, Worker
from caseaudit.services import rounds, trail
from caseaudit.services.importer import import_file
from caseaudit.services.sampling import commit_sample, method_lines, preview_sample
from caseaudit.vocabulary import RoundStatus, SampleReason, UserRole

from .factories import make_user
from .test_import_database import snapshot
from .test_sampling_helpers import (
    CP_HEADERS,
    LAC_HEADERS,
    add_template,
    cin_cp_rows,
    lac_rows,
    people,
    write_csv,
)

JAN = (date(2025, 1, 1), date(2025, 1, 31))
SPEC = {
    "strata": ["stage", "team"],
    "allocation": "proportional",
    "total": 12,
    "minimums": {"lac": 3, "safeguarding": 3},
    "max_per_worker": 3,
}


@pytest.fixture
def loaded(database, tmp_path):
    who = people(database)
    add_template(database)
    import_file(
        database, who.qa, write_csv(tmp_path / "cp.csv", CP_HEADERS, cin_cp_rows(60)), "cin-cp"
    )
    import_file(database, who.qa, write_csv(tmp_path / "lac.csv", LAC_HEADERS, lac_rows(30)), "lac")
    return database, who


def new_round(db, who, name="January audit", spec=SPEC, auditors=("amy", "bob"), period=JAN):
    return rounds.create_round(
        db,
        who.qa,
        name,
        template_key="front-door",
        theme="Front door",
        period_start=period[0],
        period_end=period[1],
        auditors=auditors,
        spec=spec,
    )


def test_preview_writes_nothing_and_commit_saves_exactly_what_was_shown(loaded):
    db, who = loaded
    rnd = new_round(db, who)
    before = snapshot(db)
    preview = preview_sample(db, who.qa, rnd.id, seed=4242)
    assert snapshot(db) == before
    assert len(preview.items) == 12 and preview.frame_size == 90
    assert sum(1 for i in preview.items if i.stage.value in ("lac_episode", "care_leaver")) >= 3
    committed = commit_sample(db, who.qa, rnd.id, expected=preview)
    assert committed.fingerprint == preview.fingerprint
    detail = rounds.get_round(db, who.qa, rnd.id)
    assert detail.summary.status is RoundStatus.SAMPLED and detail.summary.seed == 4242
    assert sorted(i.case_key for i in detail.items) == sorted(i.case_key for i in preview.items)
    assert {i.auditor_username for i in detail.items} == {"amy", "bob"}
    method = detail.method
    assert method["seed"] == 4242 and method["frame_size"] == 90 and method["spec"]["total"] == 12
    assert sum(s["frame"] for s in method["strata"].values()) == 90
    assert method["drawn_by"] == "qa" and "drawn_at" in method
    text = "\n".join(method_lines(method))
    assert "Drawn with seed 4242" in text and "Frame: 90 case files." in text


KNOWN_SAMPLE = [
    "C-0017",
    "C-0020",
    "C-0027",
    "C-0029",
    "C-0031",
    "C-0040",
    "C-0048",
    "C-0050",
    "C-0062",
    "C-0065",
    "C-0068",
    "C-0076",
]


def test_the_same_sample_on_every_backend(loaded):
    db, who = loaded
    rnd = new_round(db, who)
    preview = preview_sample(db, who.qa, rnd.id, seed=20250101)
    assert sorted(i.case_key for i in preview.items) == KNOWN_SAMPLE
    assert preview_sample(db, who.qa, rnd.id, seed=20250101).fingerprint == preview.fingerprint
    assert preview_sample(db, who.qa, rnd.id, seed=20250102).fingerprint != preview.fingerprint


def test_an_auditor_never_gets_a_file_from_a_team_they_manage(loaded):
    db, who = loaded
    with db.session() as s:
        manager = s.scalars(select(Worker).where(Worker.name == "Neil Barton")).one()
        north = manager.team_id
    make_user(db, "neil", "Neil Barton", UserRole.AUDITOR, "password123", worker_id=manager.id)
    spec = {"strata": ["team"], "allocation": "equal", "total": 16}
    rnd = new_round(db, who, auditors=("neil", "amy"), spec=spec)
    preview = commit_sample(db, who.qa, rnd.id, seed=7)
    north_items = [i for i in preview.items if i.team == "Safeguarding North"]
    assert north_items and all(i.auditor_username == "amy" for i in north_items)
    with pytest.raises(ValidationError, match="Neil Barton manages the team that holds the file"):
        rounds.assign_item(db, who.qa, rnd.id, north_items[0].case_key, "neil")
    other = next(i for i in preview.items if i.team != "Safeguarding North")
    assert rounds.assign_item(db, who.qa, rnd.id, other.case_key, "neil").auditor_username == "neil"
    alone = new_round(db, who, name="Neil alone", auditors=("neil",), spec=spec)
    only = preview_sample(db, who.qa, alone.id, seed=7)
    assert not any(i.team == "Safeguarding North" for i in only.items)
    with db.session() as s:
        north_files = s.scalar(select(Worker.team_id).where(Worker.id == manager.id))
    assert north_files == north
    assert only.exclusions["every auditor has a conflict of interest"] > 0


def test_children_audited_within_the_window_are_left_out(loaded):
    db, who = loaded
    spec = dict(SPEC, total=30, exclude_months=6)
    first = new_round(db, who, name="January", spec=spec)
    drawn = {i.case_key for i in commit_sample(db, who.qa, first.id, seed=1).items}
    second = new_round(
        db, who, name="February", spec=spec, period=(date(2025, 2, 1), date(2025, 2, 28))
    )
    later = commit_sample(db, who.qa, second.id, seed=1)
    assert not drawn & {i.case_key for i in later.items}
    assert later.exclusions["audited in the 6 months before the period"] == len(drawn) == 24
    far = new_round(
        db, who, name="October", spec=spec, period=(date(2025, 10, 1), date(2025, 10, 31))
    )
    assert (
        "audited in the 6 months before the period"
        not in preview_sample(db, who.qa, far.id, seed=1).exclusions
    )


def test_redraws_are_deliberate_and_keep_manual_additions(loaded, tmp_path):
    db, who = loaded
    rnd = new_round(db, who)
    stale = preview_sample(db, who.qa, rnd.id, seed=99)
    import_file(
        db,
        who.qa,
        write_csv(tmp_path / "more.csv", CP_HEADERS, cin_cp_rows(30, seed=8, start=500)),
        "cin-cp",
    )
    with pytest.raises(ValidationError, match="changed since the preview"):
        commit_sample(db, who.qa, rnd.id, expected=stale)
    first = commit_sample(db, who.qa, rnd.id, seed=99)
    with pytest.raises(ValidationError, match="already has a sample"):
        commit_sample(db, who.qa, rnd.id, seed=5)
    outside = next(
        k
        for k in ("C-0001", "C-0002", "C-0003", "C-0004")
        if k not in {i.case_key for i in first.items}
    )
    rounds.add_case(db, who.qa, rnd.id, outside, "Raised at the safeguarding panel")
    again = commit_sample(db, who.qa, rnd.id, seed=5, redraw=True)
    manual = [i for i in again.items if i.reason is SampleReason.MANUAL]
    assert [i.case_key for i in manual] == [outside]
    assert len(again.items) == 12
    with db.session() as s:
        assert (
            s.scalar(
                select(SampleItem.reason)
                .join(SampleItem.case_file)
                .where(SampleItem.round_id == rnd.id, SampleItem.reason == SampleReason.MANUAL)
            )
            is SampleReason.MANUAL
        )


def test_manual_changes_are_flagged_with_reasons(loaded):
    db, who = loaded
    rnd = new_round(db, who)
    preview = commit_sample(db, who.qa, rnd.id, seed=3)
    taken = preview.items[0].case_key
    outside = next(
        k
        for k in ("C-0010", "C-0011", "C-0012", "C-0013")
        if k not in {i.case_key for i in preview.items}
    )
    with pytest.raises(ValidationError, match="needs a reason"):
        rounds.add_case(db, who.qa, rnd.id, outside, "   ")
    added = rounds.add_case(db, who.qa, rnd.id, outside, "Complaint from family")
    assert added.reason is SampleReason.MANUAL and added.reason_note == "Complaint from family"
    assert added.auditor_username in ("amy", "bob")
    with pytest.raises(ValidationError, match="already in the sample"):
        rounds.add_case(db, who.qa, rnd.id, outside, "again")
    removed = rounds.remove_case(db, who.qa, rnd.id, taken, "Case transferred to another authority")
    assert removed.removed and removed.removed_reason == "Case transferred to another authority"
    detail = rounds.get_round(db, who.qa, rnd.name)
    assert detail.summary.item_count == 12
    assert [(c["action"], c["case_key"]) for c in detail.method["manual_changes"]] == [
        ("added", outside),
        ("removed", taken),
    ]
    with pytest.raises(PermissionDenied):
        rounds.remove_case(db, who.auditor_a, rnd.id, outside, "no")
    with pytest.raises(NotFound):
        rounds.add_case(db, who.qa, rnd.id, "C-9999", "no such file")


def test_round_definitions_are_checked(loaded):
    db, who = loaded
    with pytest.raises(ValidationError) as caught:
        new_round(db, who, spec={"strata": ["shoe size"], "allocation": "proportional"})
    assert any("'shoe size' is not a stratum" in p for p in caught.value.problems)
    assert any("total" in p for p in caught.value.problems)
    with pytest.raises(ValidationError, match="minimums add up to 9, more than the 8"):
        new_round(
            db,
            who,
            spec={"allocation": "proportional", "total": 8, "minimums": {"lac": 5, "cp_plan": 4}},
        )
    with pytest.raises(NotFound, match="no audit template 'nope'"):
        rounds.create_round(
            db, who.qa, "x", template_key="nope", period_start=JAN[0], period_end=JAN[1]
        )
    with pytest.raises(ValidationError, match="ends before it starts"):
        new_round(db, who, period=(JAN[1], JAN[0]))
    with pytest.raises(ValidationError, match="may not complete audits"):
        new_round(db, who, auditors=("rory",))
    new_round(db, who)
    with pytest.raises(ValidationError, match="already a round called"):
        new_round(db, who, name="JANUARY AUDIT")
    with pytest.raises(PermissionDenied):
        rounds.create_round(
            db,
            who.auditor_a,
            "y",
            template_key="front-door",
            period_start=JAN[0],
            period_end=JAN[1],
        )


def test_round_commands(sqlite_database, tmp_path, monkeypatch, capsys):
    db = sqlite_database
    who = people(db)
    add_template(db)
    rows = cin_cp_rows(40)
    import_file(db, who.qa, write_csv(tmp_path / "cp.csv", CP_HEADERS, rows), "cin-cp")
    monkeypatch.setenv("CASEAUDIT_USER", "qa")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "password123")
    base = ["--db", str(db.path)]
    spec = tmp_path / "spec.yaml"
    spec.write_text("strata: [stage]\nallocation: per_stratum\nper_stratum: 2\nmax_per_worker: 2\n")
    assert (
        main(
            [
                *base,
                "round",
                "create",
                "Spring",
                "--template",
                "front-door",
                "--from",
                "01/01/2025",
                "--to",
                "2025-03-31",
                "--auditor",
                "amy",
                "--auditor",
                "bob",
                "--spec",
                str(spec),
                "--exclude-months",
                "6",
            ]
        )
        == 0
    )
    assert main([*base, "sample", "Spring", "--preview", "--seed", "12"]) == 0
    preview_out = capsys.readouterr().out
    assert "Preview (nothing saved): sample of 4 files" in preview_out
    assert main([*base, "sample", "Spring", "--seed", "12"]) == 0
    assert "Saved: sample of 4 files for 'Spring', seed 12" in capsys.readouterr().out
    assert main([*base, "round", "show", "Spring"]) == 0
    shown = capsys.readouterr().out
    assert "Round 1: Spring (Sampled)" in shown and "Drawn with seed 12" in shown
    assert shown.count("-> amy") == 2 and shown.count("-> bob") == 2
    for row in rows:
        assert row[1] not in shown and row[2] not in shown
    assert main([*base, "round", "add", "Spring", "--case", "C-0040", "--reason", "Complaint"]) == 0
    assert main([*base, "round", "remove", "Spring", "--case", "C-0040", "--reason", "Error"]) == 0
    assert main([*base, "round", "list"]) == 0
    assert "Spring" in capsys.readouterr().out
    assert main([*base, "sample", "Spring"]) == 1
    assert "already has a sample" in capsys.readouterr().err


def test_imports_rounds_and_changes_are_sealed_into_the_trail(loaded):
    db, who = loaded
    rnd = new_round(db, who)
    preview = commit_sample(db, who.qa, rnd.id, seed=11)
    rounds.remove_case(db, who.qa, rnd.id, preview.items[0].case_key, "Moved out of the area")
    report = trail.verify(db, check_records=False)
    assert report.ok, report.reason
    with db.session() as s:
        entries = s.execute(
            select(ChangeLogEntry.entity, ChangeLogEntry.operation, ChangeLogEntry.after)
            .where(ChangeLogEntry.entity != "user")
            .order_by(ChangeLogEntry.id)
        ).all()
    assert [(e, o) for e, o, _ in entries] == [
        ("import_run", "import"),
        ("import_run", "import"),
        ("audit_round", "create"),
        ("audit_round", "draw sample"),
        ("audit_round", "change sample"),
    ]
    assert entries[0][2]["added"] == 60 and entries[1][2]["added"] == 30
    assert entries[3][2]["seed"] == 11 and len(entries[3][2]["case_files"]) == 12
    assert "Moved out" not in repr(entries[4][2])  # free text only by fingerprint
