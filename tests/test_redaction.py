"""Redaction of names, dates of birth, addresses and postcodes from free text."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from caseaudit.reports.gather import gather_round
from caseaudit.reports.redaction import Redactor
from caseaudit.reports.sample_round import build_sample_round

DOB = date(2014, 3, 7)


@pytest.fixture
def redactor() -> Redactor:
    return Redactor.build(
        [
            "Kayden",
            "Smith-Jones",
            "Sharon Smith-Jones",
            "Zoë O'Brien",
            "Will",
            "Rose Hall",
            "Dawn",
            "June",
        ],
        [DOB],
        ["12 Acacia Avenue, Northtown", "Flat 3, 40 Mill Lane, Southtown"],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kayden was seen alone.", "[name] was seen alone."),
        ("KAYDEN's plan", "[name] plan"),
        ("kayden's views and Kayden’s wishes", "[name] views and [name] wishes"),
        ("Sharon Smith-Jones attended.", "[name] attended."),
        ("Mrs Smith-Jones attended", "Mrs [name] attended"),
        ("Zoe O'Brien and zoë o’brien", "[name] and [name]"),
        ("The plan will be reviewed by Will.", "The plan will be reviewed by [name]."),
        (
            "Rose Hall was there; the rose garden at the hall.",
            "[name] was there; the rose garden at the hall.",
        ),
        ("Kaydenson is a different word", "Kaydenson is a different word"),
        (
            "in dawn's own words; the plan will help will's sister",
            "in [name] own words; the plan will help [name] sister",
        ),
        (
            "June was seen on 7 June 2024, on June 12, 2024 and in June 2024; June's room.",
            "[name] was seen on 7 June 2024, on June 12, 2024 and in June 2024; [name] room.",
        ),
        ("the young person's best interests", "the young person's best interests"),
    ],
)
def test_names_are_replaced_as_whole_words(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.redact(text) == expected


@pytest.mark.parametrize(
    "written",
    [
        "07/03/2014",
        "7/3/2014",
        "07/03/14",
        "2014-03-07",
        "07.03.2014",
        "07-03-2014",
        "7 March 2014",
        "7th March 2014",
        "7 Mar 2014",
        "7 of March 2014",
        "March 7, 2014",
        "Mar 7th 2014",
    ],
)
def test_dates_of_birth_are_replaced_in_common_formats(redactor: Redactor, written: str) -> None:
    assert redactor.redact(f"Born {written}, seen today.") == "Born [date of birth], seen today."


def test_other_dates_stay(redactor: Redactor) -> None:
    text = "Visited 08/03/2014 and on 7 March 2015; review 2014-03-08."
    assert redactor.redact(text) == text


def test_addresses_and_postcodes(redactor: Redactor) -> None:
    text = "Lives at 12 Acacia Avenue (NT4 7XY); moved from Flat 3, 40 Mill Lane."
    assert redactor.redact(text) == "Lives at [address] ([postcode]); moved from [address]."
    assert redactor.redact("Acacia Avenue school") == "[address] school"


def test_disabled_changes_nothing() -> None:
    assert Redactor.disabled().redact("Kayden, 07/03/2014") == "Kayden, 07/03/2014"


def test_empty_text() -> None:
    assert Redactor.build(["Kayden"]).redact(None) == ""


@given(st.text(max_size=60), st.text(max_size=60))
def test_a_known_name_never_survives_whatever_surrounds_it(before: str, after: str) -> None:
    assume("tamsin" not in (before + after).lower() and "quarrell" not in (before + after).lower())
    redactor = Redactor.build(["Tamsin Quarrell"])
    out = redactor.redact(f"{before} Tamsin Quarrell's, TAMSIN and quarrell {after}").lower()
    assert "tamsin" not in out
    assert "quarrell" not in out


def test_the_round_redactor_knows_every_name_in_the_database(sqlite_database) -> None:
    sample = build_sample_round(sqlite_database, audits=4, previous=())
    with sqlite_database.session() as s:
        data = gather_round(s, sample.round_id)
    for given_name, family in sample.child_names:
        assert data.redactor.redact(f"{given_name} {family}") == "[name]"
    for name in sample.related_names:
        assert data.redactor.redact(f"with {name}'s help") == "with [name] help"
    for born in sample.dates_of_birth:
        assert data.redactor.redact(born.strftime("%d/%m/%Y")) == "[date of birth]"
