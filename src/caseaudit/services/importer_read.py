"""Reading a council's case-list export into a ``RawTable``: CSV or XLSX, whatever its encoding.

The file's content, not its name, decides how it is read: an XLSX workbook is read with openpyxl
in read-only mode (first worksheet, cell values as typed, dates as ``datetime``); anything else
must be delimited text, decoded as UTF-8 (with or without a byte-order mark), UTF-16 with a BOM,
or else Windows-1252, the encoding Excel uses when it saves "CSV" on an English Windows PC. The
delimiter (comma, semicolon, tab or bar) is sniffed. The first non-blank row is the header row;
wholly blank rows are skipped but keep their place in the row numbering, so "row 12" is the row
a manager sees as 12 in Excel. An empty file, a file that is not a spreadsheet at all (a PDF or
picture renamed ``.csv``, an old ``.xls``) or one with headings but no rows is refused with a
message that names the file.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress
from pathlib import Path
from typing import NamedTuple

from ..errors import CaseAuditError

Cell = str | int | float | date | datetime | None

#: Leading bytes of files people mistake for spreadsheets, and what to call them.
_NOT_SPREADSHEETS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF8", "a GIF picture"),
    (b"BM", "a bitmap picture"),
    (b"{\\rtf", "a Rich Text document"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(CaseAuditError):
    """The file could not be read as a case list at all."""


class RawRow(NamedTuple):
    """One non-blank data row: its row number as a spreadsheet shows it, and its cells."""

    number: int
    cells: Sequence[Cell]


def _row(number: int, cells: Sequence[Cell]) -> RawRow:
    return tuple.__new__(RawRow, (number, cells))  # a NamedTuple without the Python-level __new__


@dataclass
class RawTable:
    """What was read from a file, before any column is given a meaning.

    The non-blank data rows are kept as two parallel lists, ``numbers`` (each row's number as a
    spreadsheet shows it) and ``cells``; ``rows`` pairs them up as ``RawRow``s when asked.
    """

    path: Path
    file_format: str  # "csv" | "xlsx"
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1252" or "" for XLSX
    headers: list[str]
    numbers: list[int]
    cells: list[Sequence[Cell]]
    sha256: str
    sheet_name: str = ""
    delimiter: str = ","
    blank_rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    _rows: list[RawRow] | None = field(default=None, repr=False, compare=False)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def row_count(self) -> int:
        return len(self.numbers)

    @property
    def rows(self) -> list[RawRow]:
        """Each data row with its number (built on first use)."""
        if self._rows is None:
            self._rows = list(map(_row, self.numbers, self.cells))
        return self._rows


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during bulk work (100,000 rows make millions of
    small objects, and repeated full collections would cost a third of an import's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_table(path: str | Path) -> RawTable:
    """Read ``path`` (CSV or XLSX, judged by content) into a ``RawTable``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(
            f"There is no file called {path}. Check the name and folder."
        ) from None
    except OSError as exc:
        raise ImportFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    if not data:
        raise ImportFileError(
            f"{path.name} is empty (0 bytes): there is nothing to import. Export the list again "
            "from the case-management system and check the file was saved."
        )
    digest = hashlib.sha256(data).hexdigest()
    with paused_gc():
        if data.startswith(b"PK\x03\x04"):
            table = _read_xlsx(path, data, digest)
        else:
            _refuse_binary(path, data)
            table = _read_delimited(path, data, digest)
    if not table.headers:
        raise ImportFileError(f"{path.name} has no rows at all: there is nothing to import.")
    if not table.numbers:
        raise ImportFileError(
            f"{path.name} has column headings but no rows of data: there is nothing to import."
        )
    return table


def _refuse_binary(path: Path, data: bytes) -> None:
    for magic, what in _NOT_SPREADSHEETS:
        if data.startswith(magic):
            raise ImportFileError(
                f"{path.name} is {what}, not a spreadsheet. Export the case list as CSV or "
                "Excel (.xlsx) and import that file."
            )
    if data.startswith(_OLE2):
        raise ImportFileError(
            f"{path.name} is an old-style Excel (.xls) workbook, which caseaudit cannot read. "
            "Open it in Excel and save it as .xlsx or CSV, then import that."
        )
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            f"{path.name} is not a spreadsheet (it holds binary data, not text). Export the "
            "case list as CSV or Excel (.xlsx) and import that file."
        )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{path.name} says it is UTF-16 text but is damaged. Export it again."
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        # Five byte values are undefined in Windows-1252; Latin-1 maps them without loss.
        return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:20000].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_delimited(path: Path, data: bytes, digest: str) -> RawTable:
    text, encoding = _decode(path, data)
    if "\x00" in text:
        raise ImportFileError(f"{path.name} is not a spreadsheet: it holds binary data.")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(
            f"{path.name} could not be read as CSV near row {reader.line_num}: {exc}. "
            "Open it in Excel, save it as CSV again and retry."
        ) from None
    # A row is blank when all its cells are: one C-speed pass over the records, no Python loop.
    filled = list(map(bool, map(str.strip, map("".join, records))))
    first = filled.index(True) if True in filled else len(records)
    headers = _clean_headers(records[first]) if first < len(records) else []
    keep = filled[first + 1 :]
    numbers = list(compress(range(first + 2, len(records) + 1), keep))
    rows = list(compress(records[first + 1 :], keep))
    blank = len(records) - first - 1 - len(rows)
    if not _looks_textual(text):
        raise ImportFileError(
            f"{path.name} is not a spreadsheet (it is not readable text). Export the case list "
            "as CSV or Excel (.xlsx) and import that file."
        )
    return RawTable(path, "csv", encoding, headers, numbers, rows, digest, "", delimiter, blank)


def _looks_textual(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return True
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
    return printable >= 0.95 * len(sample)


def _read_xlsx(path: Path, data: bytes, digest: str) -> RawTable:
    import openpyxl  # imported late: most imports are CSV

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError(
            f"{path.name} looks like an Excel workbook but is damaged. Save it again from Excel."
        ) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            f"{path.name} is a zip archive (perhaps a Word document), not an Excel workbook. "
            "Export the case list as CSV or Excel (.xlsx) and import that file."
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(
            f"{path.name} could not be opened as an Excel workbook ({type(exc).__name__}). "
            "Open it in Excel, save it as .xlsx again and retry."
        ) from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), None)
        if sheet is None:
            raise ImportFileError(f"{path.name} has no visible worksheet to import.")
        headers: list[str] = []
        numbers: list[int] = []
        rows: list[Sequence[Cell]] = []
        blank = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = tuple(_xlsx_cell(v) for v in values)
            if not any(c not in (None, "") for c in cells):
                if headers:
                    blank += 1
                continue
            if not headers:
                headers = _clean_headers(["" if c is None else str(c) for c in cells])
                continue
            numbers.append(number)
            rows.append(cells)
        notes = []
        if len(book.worksheets) > 1:
            notes.append(f"Read the first worksheet, {sheet.title!r}; the others were ignored.")
        return RawTable(
            path, "xlsx", "", headers, numbers, rows, digest, sheet.title, "", blank, notes
        )
    finally:
        book.close()


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or isinstance(value, int | float | date):
        return value  # type: ignore[return-value]
    return str(value)


def _clean_headers(record: list[str]) -> list[str]:
    """Strip heading text, drop trailing empty headings, name gaps, make duplicates distinct."""
    names = [str(h).strip().lstrip("\ufeff").strip() for h in record]
    while names and not names[-1]:
        names.pop()
    seen: dict[str, int] = {}
    result = []
    for position, name in enumerate(names, start=1):
        name = name or f"Column {position}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        result.append(name)
    return result
