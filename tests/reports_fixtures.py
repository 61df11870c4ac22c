"""Helpers for the report tests: reading PDFs back, and scanning for identifying details.

``pdf_text`` extracts all text twice (pdfplumber and pypdf) plus the document information.
``identifying_details`` reads every given name, family name, related person's name, date of
birth, street and postcode the database holds. ``blank_free_text`` makes a control copy of a
report's data with every free-text field emptied: a word that appears in the real report but
not in the control can only have come from free text, so ``find_leaks`` reports a name or date of
birth found in the real text unless the control (headings, professionals' names, dates of
meetings) holds it too.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pdfplumber
from pypdf import PdfReader
from sqlalchemy import select

from caseaudit.db import Database
from caseaudit.models import ChildIdentity, RelatedPerson
from caseaudit.reports.data import AuditData, RoundData
from caseaudit.reports.redaction import COMMON_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATES = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH},? \d{{4}}\b|\b{_MONTH} \d{{1,2}}"
    rf"(?:st|nd|rd|th)?,? \d{{4}}\b|\b{_MONTH} \d{{4}}\b"
)


def pdf_text(data: bytes) -> str:
    """Every piece of text in the PDF as two independent libraries read it."""
    parts: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        parts += [page.extract_text() or "" for page in pdf.pages]
    reader = PdfReader(io.BytesIO(data))
    parts += [page.extract_text() or "" for page in reader.pages]
    parts += [str(v) for v in (reader.metadata or {}).values()]
    return "\n".join(parts)


def dob_forms(day: date) -> set[str]:
    return {
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.isoformat(),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d-%m-%Y"),
        f"{day.day} {day:%B %Y}",
        day.strftime("%d %B %Y"),
        f"{day.day} {day:%b %Y}",
        f"{day:%B} {day.day}, {day.year}",
    }


@dataclass
class Identifying:
    name_tokens: set[str]
    dates_of_birth: set[date]
    streets: set[str]
    postcodes: set[str]


def identifying_details(db: Database) -> Identifying:
    tokens: set[str] = set()
    births: set[date] = set()
    streets: set[str] = set()
    postcodes: set[str] = set()
    with db.session() as s:
        for given, family, born, address, postcode in s.execute(
            select(
                ChildIdentity.given_name,
                ChildIdentity.family_name,
                ChildIdentity.date_of_birth,
                ChildIdentity.address,
                ChildIdentity.postcode,
            )
        ):
            tokens |= {w for w in _WORD.findall(f"{given} {family}") if len(w) >= 3}
            if born:
                births.add(born)
            first_line = address.split(",")[0] if address else ""
            if re.match(r"^\d+\s+\S", first_line):
                streets.add(first_line)
            if postcode:
                postcodes.add(postcode)
        for (name,) in s.execute(select(RelatedPerson.name)):
            tokens |= {w for w in _WORD.findall(name) if len(w) >= 3}
    return Identifying(tokens, births, streets, postcodes)


def _blank(obj: object, fields: Iterable[str]) -> object:
    return dataclasses.replace(obj, **{f: "" for f in fields})  # type: ignore[type-var]


def blank_free_text(data: RoundData | AuditData) -> RoundData | AuditData:
    """A copy of the report data with every free-text field emptied (the control)."""
    if isinstance(data, RoundData):
        return dataclasses.replace(
            data,
            audits=[_blank(a, ["rationale"]) for a in data.audits],
            answers=[_blank(a, ["evidence", "na_reason"]) for a in data.answers],
            findings=[_blank(f, ["text"]) for f in data.findings],
            actions=[_blank(a, ["description"]) for a in data.actions],
            method={
                **data.method,
                "manual_changes": [
                    {**c, "reason": ""} for c in data.method.get("manual_changes", [])
                ],
            },
        )
    return dataclasses.replace(
        data,
        audit=_blank(data.audit, ["rationale"]),
        answers={k: _blank(a, ["evidence", "na_reason"]) for k, a in data.answers.items()},
        section_commentary={k: "" for k in data.section_commentary},
        findings=[_blank(f, ["text"]) for f in data.findings],
        actions=[_blank(a, ["description"]) for a in data.actions],
        sign_offs=[_blank(s, ["reason"]) for s in data.sign_offs],
    )


@dataclass
class LeakReport:
    leaks: list[str]
    checked: int
    skipped: set[str]


def find_leaks(text: str, control: str, details: Identifying) -> LeakReport:
    """Identifying details found in ``text`` that the control text does not explain."""
    control_words = {w.lower() for w in _WORD.findall(control)}
    flat, flat_control = " ".join(text.split()), " ".join(control.split())
    undated = _DATES.sub(" ", flat)  # "7 June 2024" names a month, not a child called June
    leaks: list[str] = []
    skipped: set[str] = set()
    checked = 0
    for token in sorted(details.name_tokens):
        if token.lower() in control_words:
            skipped.add(token)
            continue
        checked += 1
        if token.lower() in COMMON_WORDS:
            capital = re.escape(token[0].upper() + token[1:].lower())
            possessive = re.escape(token.lower())
            pattern = re.compile(rf"\b{capital}\b|\b{possessive}['’]s\b")
        else:
            pattern = re.compile(rf"\b{re.escape(token)}\b", re.IGNORECASE)
        if pattern.search(undated):
            leaks.append(f"name {token!r}")
    for born in details.dates_of_birth:
        for form in dob_forms(born):
            if form in flat and form not in flat_control:
                leaks.append(f"date of birth {form!r}")
    for street in details.streets:
        if street.lower() in flat.lower():
            leaks.append(f"address {street!r}")
    for postcode in details.postcodes:
        if postcode.lower() in flat.lower():
            leaks.append(f"postcode {postcode!r}")
    return LeakReport(leaks, checked, skipped)
