"""``caseaudit import``: summary and rejected rows printed (never names), report file, strict, profiles."""

from __future__ import annotations

import csv

import pytest

from caseaudit.cli import main

from .test_sampling_helpers import CP_HEADERS, cin_cp_rows, people, write_csv


@pytest.fixture
def cli(sqlite_database, monkeypatch):
    people(sqlite_database)
    monkeypatch.setenv("CASEAUDIT_USER", "qa")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "password123")
    return ["--db", str(sqlite_database.path)]


def test_import_prints_summary_and_each_rejected_row_without_names(cli, tmp_path, capsys):
    rows = cin_cp_rows(25)
    rows[3][4] = "Teleport"
    rows[7][3] = "31/02/2016"
    rows[9][0] = rows[8][0]
    path = write_csv(tmp_path / "cp.csv", CP_HEADERS, rows)
    report = tmp_path / "rejected.csv"
    assert main([*cli, "import", str(path), "--list", "cin-cp", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "rows read 25: added 22, updated 0, unchanged 0, rejected 3" in out
    assert "teams created 3" in out
    assert "row 5, Stage: 'Teleport' is not a pathway stage caseaudit knows" in out
    assert "row 9, Date of birth: is not a date caseaudit can read" in out
    assert "row 11, Child ID: duplicate: the same Child ID is already on row 10" in out
    for row in rows:
        assert row[1] not in out and row[2] not in out
    with report.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines == [
        ["row", "field", "reason"],
        ["5", "Stage", "'Teleport' is not a pathway stage caseaudit knows"],
        ["9", "Date of birth", "is not a date caseaudit can read"],
        [
            "11",
            "Child ID",
            "duplicate: the same Child ID is already on row 10; only the first was kept",
        ],
    ]
    assert main([*cli, "import", str(path)]) == 0  # the list is recognised from its columns
    assert "added 0, updated 0, unchanged 22, rejected 3" in capsys.readouterr().out


def test_strict_and_dry_run(cli, tmp_path, capsys):
    rows = cin_cp_rows(6)
    rows[2][5] = "yesterday"
    path = write_csv(tmp_path / "cp.csv", CP_HEADERS, rows)
    assert main([*cli, "import", str(path), "--list", "cin-cp", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported from cp.csv: 1 of 6 rows have problems" in err
    assert "row 4, Start date: 'yesterday' is not a date" in err
    assert main([*cli, "import", str(path), "--list", "cin-cp", "--dry-run"]) == 0
    assert "Checked (dry run, nothing saved)" in capsys.readouterr().out
    assert main([*cli, "import", str(path), "--list", "cin-cp"]) == 0
    assert "added 5," in capsys.readouterr().out


def test_mapping_options_and_profiles(cli, tmp_path, capsys):
    path = write_csv(
        tmp_path / "odd.csv",
        ["Ref", "Kind", "Begun", "Notes"],
        [["X1", "CP", "01/01/2024", "n"], ["X2", "CIN", "02/01/2024", "n"]],
    )
    assert main([*cli, "import", str(path), "--list", "cin-cp"]) == 1
    assert "has no column for: Child ID, Stage, Start date" in capsys.readouterr().err
    assert (
        main(
            [
                *cli,
                "import",
                str(path),
                "--list",
                "cin-cp",
                "--map",
                "Ref=external_id",
                "--map",
                "Kind=Stage",
                "--map",
                "Begun=start date",
                "--save-profile",
                "Odd",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "'Ref'" in out and "-> Child ID" in out and "added 2" in out
    assert main([*cli, "import", str(path), "--profile", "Odd"]) == 0
    assert "unchanged 2" in capsys.readouterr().out
    assert main([*cli, "import", str(path), "--map", "no equals sign", "--list", "cin-cp"]) == 1
    assert 'not in the form "Source header=field"' in capsys.readouterr().err


def test_files_that_cannot_be_imported_are_named(cli, tmp_path, capsys):
    picture = tmp_path / "children.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert main([*cli, "import", str(picture), "--list", "lac"]) == 1
    assert "children.csv is a PNG picture, not a spreadsheet" in capsys.readouterr().err
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert main([*cli, "import", str(empty)]) == 1
    assert "empty.xlsx is empty (0 bytes)" in capsys.readouterr().err


def test_import_needs_a_user_who_may_import(sqlite_database, tmp_path, monkeypatch, capsys):
    people(sqlite_database)
    path = write_csv(tmp_path / "cp.csv", CP_HEADERS, cin_cp_rows(2))
    base = ["--db", str(sqlite_database.path), "import", str(path), "--list", "cin-cp"]
    monkeypatch.delenv("CASEAUDIT_USER", raising=False)
    assert main(base) == 3
    assert "needs a user" in capsys.readouterr().err
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "password123")
    assert main(["--user", "amy", *base]) == 3
    assert "may not import case lists" in capsys.readouterr().err
