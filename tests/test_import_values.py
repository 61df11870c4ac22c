"""Cell parsing, header synonyms, column mappings and row-level validation reasons."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caseaudit.errors import ValidationError
from caseaudit.services.importer import (
    ListKind,
    detect_mapping,
    guess_list_kind,
    parse_map_option,
    read_table,
    resolve_field,
    validate,
)
from caseaudit.services.importer_values import (
    parse_date,
    parse_flag,
    parse_outcome,
    parse_stage,
    parse_status,
    split_full_name,
)
from caseaudit.vocabulary import CaseStatus, Outcome, PathwayStage

from .test_sampling_helpers import write_csv


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("03/04/2024", date(2024, 4, 3)),  # always the British way round
        ("3/4/2024", date(2024, 4, 3)),
        ("03-04-2024", date(2024, 4, 3)),
        ("03.04.2024", date(2024, 4, 3)),
        ("2024-04-03", date(2024, 4, 3)),
        ("2024-04-03 00:00:00", date(2024, 4, 3)),
        ("2024-04-03T09:30:00Z", date(2024, 4, 3)),
        ("03/04/2024 14:05", date(2024, 4, 3)),
        ("3 Apr 2024", date(2024, 4, 3)),
        ("3 April 2024", date(2024, 4, 3)),
        ("3rd April 2024", date(2024, 4, 3)),
        ("03-Apr-2024", date(2024, 4, 3)),
        ("3 Sept 2024", date(2024, 9, 3)),
        ("45385", date(2024, 4, 3)),  # an Excel serial written out as text
        (45385, date(2024, 4, 3)),
        (45385.5, date(2024, 4, 3)),
        (datetime(2024, 4, 3, 10, 0), date(2024, 4, 3)),
        (date(2024, 4, 3), date(2024, 4, 3)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_dates_as_councils_write_them(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    "cell", ["31/02/2024", "2024-13-01", "next Tuesday", "3 Foo 2024", "1850-01-01", "12345678"]
)
def test_not_dates(cell):
    with pytest.raises(ValueError):
        parse_date(cell)


def test_stage_outcome_status_and_flags():
    assert parse_stage("CP") is PathwayStage.CP_PLAN
    assert parse_stage("Child in Need") is PathwayStage.CIN_PLAN
    assert parse_stage("S47") is PathwayStage.SECTION_47
    assert parse_stage("Section 47 enquiry") is PathwayStage.SECTION_47
    assert parse_stage("CLA") is PathwayStage.LAC_EPISODE
    assert parse_stage("Re-referral") is PathwayStage.RE_REFERRAL
    assert parse_stage("Single Assessment") is PathwayStage.ASSESSMENT
    assert parse_stage("icpc") is PathwayStage.ICPC
    assert parse_stage("") is None
    with pytest.raises(ValueError, match="'Xyz' is not a pathway stage"):
        parse_stage("Xyz")
    assert parse_outcome("Proceeded to referral") is Outcome.PROCEEDED
    assert parse_outcome("NFA") is Outcome.DID_NOT_PROCEED
    assert parse_outcome("Did not proceed") is Outcome.DID_NOT_PROCEED
    assert parse_outcome("No") is Outcome.DID_NOT_PROCEED
    assert parse_outcome("ongoing") is Outcome.ONGOING
    with pytest.raises(ValueError):
        parse_outcome("perhaps")
    assert parse_status("Closed") is CaseStatus.CLOSED and parse_status("open") is CaseStatus.OPEN
    assert parse_flag("Y") is True and parse_flag("no") is False and parse_flag("") is None
    assert split_full_name("Smith, Jo Anne") == ("Jo Anne", "Smith")
    assert split_full_name("Jo Anne Smith") == ("Jo Anne", "Smith")


def test_header_synonyms_of_different_systems(tmp_path):
    path = write_csv(
        tmp_path / "x.csv",
        [
            "ID",
            "Child's Name",
            "D.O.B.",
            "Team Name",
            "Allocated Worker",
            "Plan Type",
            "Plan Start Date",
            "Notes",
        ],
        [["1", "A B", "01/01/2015", "T", "W", "CP", "01/01/2024", "n"]],
    )
    mapping = detect_mapping(read_table(path), "cin-cp")
    assert mapping.to_dict() == {
        "ID": "external_id",
        "Child's Name": "full_name",
        "D.O.B.": "date_of_birth",
        "Team Name": "team",
        "Allocated Worker": "worker",
        "Plan Type": "stage",
        "Plan Start Date": "opened_on",
    }
    assert mapping.unmapped_headers() == ["Notes"]
    assert mapping.missing_required() == []
    edited = mapping.with_column("Notes", "Legal status").with_column("Team Name", "ignore")
    assert edited.field_of("Notes") == "legal_status" and edited.field_of("Team Name") == ""
    moved = mapping.with_column("Notes", "external_id")  # a field moves, never maps twice
    assert moved.field_of("Notes") == "external_id" and moved.field_of("ID") == ""


def test_mapping_mistakes_are_explained(tmp_path):
    raw = read_table(write_csv(tmp_path / "x.csv", ["Ref", "Kind"], [["1", "CP"]]))
    mapping = detect_mapping(raw, "cin-cp")
    with pytest.raises(ValidationError, match="has no column for: Child ID, Stage, Start date"):
        validate(raw, mapping, "cin-cp")
    with pytest.raises(ValidationError, match="no column called 'Nope'"):
        mapping.with_column("Nope", "external_id")
    with pytest.raises(ValidationError, match="'shoe size' is not a field of the cin-cp list"):
        resolve_field("shoe size", ListKind.CIN_CP)
    assert resolve_field("dob", ListKind.CIN_CP) == "date_of_birth"
    assert parse_map_option("Person Ref = external_id") == ("Person Ref", "external_id")
    with pytest.raises(ValidationError, match="Source header=field"):
        parse_map_option("just text")


def test_row_problems_name_row_field_and_reason_but_never_a_name(tmp_path):
    headers = [
        "Person ID",
        "Forename",
        "Surname",
        "DOB",
        "Plan Type",
        "Plan Start Date",
        "Plan End Date",
    ]
    rows = [
        ["P1", "Ann", "Lee", "01/02/2015", "CP", "03/04/2024", ""],
        ["", "Bea", "Moss", "01/02/2015", "CP", "03/04/2024", ""],  # no ID
        ["P3", "Cal", "Ng", "31/02/2015", "CP", "03/04/2024", ""],  # impossible DOB
        ["P4", "Dot", "Oak", "01/02/2015", "CLA", "03/04/2024", ""],  # not CIN/CP
        ["P5", "Eve", "Pym", "01/02/2015", "CP", "", ""],  # no start
        ["P1", "Ann", "Lee", "01/02/2015", "CP", "03/04/2024", ""],  # duplicate of row 2
        ["P7", "Fay", "Quin", "01/02/2099", "CIN", "03/04/2024", "01/01/2024"],  # two problems
    ]
    raw = read_table(write_csv(tmp_path / "bad.csv", headers, rows))
    report = validate(raw, detect_mapping(raw, "cin-cp"), "cin-cp")
    assert [str(p) for p in report.problems] == [
        "row 3, Child ID: is missing (this list needs it on every row)",
        "row 4, Date of birth: is not a date caseaudit can read",
        "row 5, Stage: Looked-after episode is not a CIN or CP plan",
        "row 6, Start date: is missing (this list needs it on every row)",
        "row 7, Child ID: duplicate: the same Child ID is already on row 2; only the first was kept",
        "row 8, Date of birth: is in the future",
        "row 8, End date: 01/01/2024 is before the start date 03/04/2024",
    ]
    assert report.rejected_rows == [3, 4, 5, 6, 7, 8] and report.rejected == 6
    assert [r.external_id for r in report.valid_rows] == ["P1"]
    text = " ".join(str(p) for p in report.problems)
    for name in ("Bea", "Moss", "Cal", "Ng", "Fay", "Quin", "31/02/2015"):
        assert name not in text
    out = report.write_rejected_csv(tmp_path / "rejected.csv")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,field,reason" and len(lines) == 8


def test_events_list_rules(tmp_path):
    headers = ["Event ID", "Child ID", "Event Type", "Event Date", "Completed", "Outcome"]
    rows = [
        ["E1", "C1", "Contact", "01/10/2024", "02/10/2024", "Proceeded"],
        ["E2", "C1", "Referral", "03/10/2024", "", ""],
        ["E1", "C1", "Contact", "01/10/2024", "02/10/2024", "Proceeded"],
        ["E4", "C2", "Assessment", "05/10/2024", "01/10/2024", "NFA"],
        ["E5", "C3", "Teleport", "05/10/2024", "", "maybe"],
    ]
    raw = read_table(write_csv(tmp_path / "events.csv", headers, rows))
    assert guess_list_kind(raw) is ListKind.EVENTS
    report = validate(raw, detect_mapping(raw, "events"), "events")
    assert [str(p) for p in report.problems] == [
        "row 4, Event ID: duplicate: the same Event is already on row 2; only the first was kept",
        "row 5, Completed on: 01/10/2024 is before the event date 05/10/2024",
        "row 6, Stage: 'Teleport' is not a pathway stage caseaudit knows",
        "row 6, Outcome: 'maybe' is not an outcome (use proceeded, did not proceed or ongoing)",
    ]
    assert [r.outcome for r in report.valid_rows] == [Outcome.PROCEEDED, Outcome.ONGOING]


def test_guessing_the_list_kind(tmp_path):
    lac = read_table(
        write_csv(
            tmp_path / "x.csv",
            ["Child ID", "Legal Status", "IRO", "Date became LAC"],
            [["1", "C2", "I", "01/01/2024"]],
        )
    )
    assert guess_list_kind(lac) is ListKind.LAC
    unalloc = read_table(
        write_csv(
            tmp_path / "unallocated_cases.csv", ["ID", "Date Referred"], [["1", "01/01/2024"]]
        )
    )
    assert guess_list_kind(unalloc) is ListKind.UNALLOCATED
    plain = read_table(
        write_csv(tmp_path / "list.csv", ["ID", "Start date"], [["1", "01/01/2024"]])
    )
    assert guess_list_kind(plain) is None
