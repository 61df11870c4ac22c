"""Reading case lists as councils really have them: encodings, formats, and files that are not lists."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest

from caseaudit.services.importer import (
    ImportFileError,
    ListKind,
    detect_mapping,
    read_table,
    validate,
)

from .test_sampling_helpers import CP_HEADERS, cin_cp_rows, write_csv, write_xlsx


def test_utf8_csv_with_trailing_spaces_and_blank_rows(tmp_path):
    path = tmp_path / "cp.csv"
    path.write_text(
        "Person ID , Forename,Surname,DOB,Plan Type,Plan Start Date\n"
        "P1 ,Amelia ,Khan,01/02/2015, CP ,03/04/2024\n"
        ",,,,,\n"
        "\n"
        "P2,Ben,Ali,2016-05-06,CIN,4 Mar 2024\n",
        encoding="utf-8",
    )
    raw = read_table(path)
    assert (raw.file_format, raw.encoding, raw.delimiter) == ("csv", "utf-8", ",")
    assert raw.headers[0] == "Person ID"  # trailing space dropped
    assert [r.number for r in raw.rows] == [2, 5]  # blank rows skipped but keep their numbers
    assert raw.blank_rows_skipped == 2
    report = validate(raw, detect_mapping(raw, "cin-cp"), "cin-cp")
    assert not report.problems
    first, second = report.valid_rows
    assert (first.external_id, first.given_name, first.opened_on) == (
        "P1",
        "Amelia",
        date(2024, 4, 3),
    )
    assert (second.date_of_birth, second.opened_on) == (date(2016, 5, 6), date(2024, 3, 4))


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path):
    path = write_csv(tmp_path / "bom.csv", CP_HEADERS, cin_cp_rows(3), encoding="utf-8-sig")
    raw = read_table(path)
    assert raw.encoding == "utf-8-sig"
    assert raw.headers[0] == "Person ID"
    assert detect_mapping(raw, "cin-cp").field_of("Person ID") == "external_id"


def test_windows_1252_file_is_detected_and_decoded(tmp_path):
    rows = [["P1", "Zoë", "O’Brien", "01/02/2015", "CP", "03/04/2024"]]
    path = write_csv(tmp_path / "w.csv", CP_HEADERS[:6], rows, encoding="cp1252")
    raw = read_table(path)
    assert raw.encoding == "windows-1252"
    assert tuple(raw.rows[0].cells[1:3]) == ("Zoë", "O’Brien")


def test_semicolon_and_tab_delimited_exports(tmp_path):
    semi = write_csv(tmp_path / "s.csv", CP_HEADERS, cin_cp_rows(4), delimiter=";")
    tab = write_csv(tmp_path / "t.txt", CP_HEADERS, cin_cp_rows(4), delimiter="\t")
    assert read_table(semi).delimiter == ";"
    assert read_table(tab).delimiter == "\t"
    assert len(read_table(tab).headers) == len(CP_HEADERS)


def test_utf16_unicode_text_from_excel(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_text("Child ID\tStart date\nX1\t01/01/2024\n", encoding="utf-16")
    raw = read_table(path)
    assert raw.encoding == "utf-16" and raw.headers == ["Child ID", "Start date"]


def test_xlsx_with_date_cells_excel_serials_and_blank_rows(tmp_path):
    rows = [
        ["P1", "Ann", "Lee", datetime(2015, 2, 1), "CP", datetime(2024, 4, 3, 0, 0)],
        [None, None, None, None, None, None],
        ["P2", "Bo", "Ray", 42370, "CIN", 45385],  # Excel serials: 2016-01-01, 2024-04-03
        ["P3", "Cy", "Dee", "45386", "CP", "4 April 2024"],
    ]
    path = write_xlsx(tmp_path / "list.xlsx", CP_HEADERS[:6], rows)
    raw = read_table(path)
    assert (raw.file_format, raw.sheet_name) == ("xlsx", "Case list")
    assert [r.number for r in raw.rows] == [2, 4, 5]
    report = validate(raw, detect_mapping(raw, ListKind.CIN_CP), ListKind.CIN_CP)
    assert not report.problems
    dobs = [r.date_of_birth for r in report.valid_rows]
    assert dobs == [date(2015, 2, 1), date(2016, 1, 1), date(2024, 4, 4)]
    assert {r.opened_on for r in report.valid_rows} == {date(2024, 4, 3), date(2024, 4, 4)}


def test_xlsx_renamed_csv_is_read_by_content(tmp_path):
    path = write_xlsx(tmp_path / "really.xlsx", CP_HEADERS, cin_cp_rows(2))
    renamed = path.rename(tmp_path / "list.csv")
    assert read_table(renamed).file_format == "xlsx"


def test_empty_file_is_refused_by_name(tmp_path):
    path = tmp_path / "march.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"march\.csv is empty \(0 bytes\)"):
        read_table(path)


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("cases.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "a PNG picture"),
        ("cases.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        ("cases.csv", b"\xff\xd8\xff\xe0" + bytes(100), "a JPEG picture"),
        ("cases.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old-style Excel"),
        ("cases.csv", bytes(range(256)) * 4, "not a spreadsheet"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_by_name(tmp_path, name, content, what):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        read_table(path)
    assert caught.value.message.startswith(name)
    assert what in caught.value.message


def test_zip_that_is_not_a_workbook_and_damaged_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="notes.xlsx is a zip archive"):
        read_table(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(
        ImportFileError, match="broken.xlsx looks like an Excel workbook but is damaged"
    ):
        read_table(broken)


def test_header_only_and_missing_files(tmp_path):
    path = write_csv(tmp_path / "headers.csv", CP_HEADERS, [])
    with pytest.raises(ImportFileError, match="headers.csv has column headings but no rows"):
        read_table(path)
    xlsx = write_xlsx(tmp_path / "headers.xlsx", CP_HEADERS, [])
    with pytest.raises(ImportFileError, match="headers.xlsx has column headings but no rows"):
        read_table(xlsx)
    with pytest.raises(ImportFileError, match="There is no file called"):
        read_table(tmp_path / "nowhere.csv")


def test_duplicate_and_blank_headers_are_made_distinct(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("ID,Name,Name,,Start date\nX,a,b,c,01/01/2024\n", encoding="utf-8")
    assert read_table(path).headers == ["ID", "Name", "Name (2)", "Column 4", "Start date"]


def test_sha256_identifies_the_file(tmp_path):
    one = write_csv(tmp_path / "a.csv", CP_HEADERS, cin_cp_rows(2))
    two = write_csv(tmp_path / "b.csv", CP_HEADERS, cin_cp_rows(2))
    three = write_csv(tmp_path / "c.csv", CP_HEADERS, cin_cp_rows(3))
    assert read_table(one).sha256 == read_table(two).sha256 != read_table(three).sha256
