"""Turning the cells of a council's export into typed values: dates, stages, outcomes, flags.

Councils' systems write the same thing many ways. Dates come as ``dd/mm/yyyy`` (always read the
British way round), ``yyyy-mm-dd``, ``d Mon yyyy``, with or without a time, as Excel serial
numbers, or as real date cells from a workbook. Pathway stages come as "CP", "Child Protection
Plan", "S47", "CLA", "Single Assessment" ...; outcomes as "Proceeded", "NFA", "Yes", "No"; flags
as "Y", "Yes", "True", "1". Each parser returns the value or raises ``ValueError`` whose text is
the reason shown against the row (it repeats the cell only for non-identifying fields).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ..vocabulary import CaseStatus, Outcome, PathwayStage

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + r"$")
_YMD = re.compile(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})" + _TIME + r"$")
_D_MON_Y = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \-/]([A-Za-z]{3,9})\.?[ \-/,]+(\d{4}|\d{2})$")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?$")
_date_cache: dict[str, date] = {}


def parse_date(value: object) -> date | None:
    """A cell as a date, or ``None`` for a blank cell; ``ValueError`` if it is not a date."""
    if type(value) is str:
        cached = _date_cache.get(value)
        if cached is not None:
            return cached
        text = value.strip()
        if not text:
            return None
        parsed = _parse_date_text(text)
        if len(_date_cache) < 50_000:
            _date_cache[value] = parsed
        return parsed
    if value is None:
        return None
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    if isinstance(value, int | float):
        return _from_serial(float(value))
    return parse_date(str(value))


def _parse_date_text(text: str) -> date:
    match = _DMY.match(text)
    if match:
        day, month, year = int(match[1]), int(match[2]), _year(match[3])
        return _make(year, month, day, text)
    match = _YMD.match(text)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]), text)
    match = _D_MON_Y.match(text)
    if match:
        month = _MONTHS.get(match[2].lower())
        if month is None:
            raise ValueError(f"{text!r} is not a date (unknown month {match[2]!r})")
        return _make(_year(match[3]), month, int(match[1]), text)
    if _SERIAL.match(text):
        return _from_serial(float(text))
    raise ValueError(
        f"{text!r} is not a date caseaudit can read (use dd/mm/yyyy, yyyy-mm-dd or 1 Mar 2024)"
    )


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        pivot = date.today().year % 100
        year += 2000 if year <= pivot else 1900
    return year


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return _plausible(date(year, month, day))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def _from_serial(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueError(f"{serial:g} is not a date (nor an Excel date number)")
    day = int(serial)
    if day < 61:  # Excel counts a 29 February 1900 that never was
        day += 1
    return _plausible(_EXCEL_EPOCH + timedelta(days=day))


def _plausible(value: date) -> date:
    if not 1900 <= value.year <= 2100:
        raise ValueError(f"{value.isoformat()} is not a plausible date (year {value.year})")
    return value


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_STAGE_WORDS: dict[str, PathwayStage] = {
    _norm(word): stage
    for stage, words in {
        PathwayStage.EARLY_HELP: ("early help", "caf", "eh", "early help assessment", "tac"),
        PathwayStage.CONTACT: ("contact", "contacts", "mash contact", "enquiry"),
        PathwayStage.REFERRAL: ("referral", "referrals", "new referral"),
        PathwayStage.RE_REFERRAL: ("re-referral", "rereferral", "re referral", "re-referrals"),
        PathwayStage.ASSESSMENT: (
            "assessment",
            "single assessment",
            "initial assessment",
            "core assessment",
            "c&f assessment",
            "child and family assessment",
            "ia",
            "ca",
        ),
        PathwayStage.STRATEGY_DISCUSSION: ("strategy", "strategy discussion", "strategy meeting"),
        PathwayStage.SECTION_47: (
            "section 47",
            "s47",
            "s.47",
            "section 47 enquiry",
            "s47 enquiry",
            "child protection enquiry",
        ),
        PathwayStage.ICPC: ("icpc", "initial child protection conference", "initial cp conference"),
        PathwayStage.CIN_PLAN: ("cin", "child in need", "cin plan", "child in need plan"),
        PathwayStage.CP_PLAN: ("cp", "cpp", "child protection", "cp plan", "child protection plan"),
        PathwayStage.LAC_EPISODE: (
            "lac",
            "cla",
            "looked after",
            "looked after child",
            "child looked after",
            "children looked after",
            "in care",
            "cic",
            "child in care",
        ),
        PathwayStage.LAC_REVIEW: ("lac review", "cla review", "looked after review"),
        PathwayStage.CARE_LEAVER: ("care leaver", "leaving care", "pathway plan", "former lac"),
        PathwayStage.SUPERVISION: ("supervision", "supervision record"),
        PathwayStage.LADO: ("lado", "lado investigation", "allegation"),
    }.items()
    for word in (*words, stage.value, stage.label)
}


def parse_stage(value: object) -> PathwayStage | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    stage = _STAGE_WORDS.get(_norm(text))
    if stage is None:
        raise ValueError(f"{text!r} is not a pathway stage caseaudit knows")
    return stage


_OUTCOME_WORDS: dict[str, Outcome] = {
    _norm(word): outcome
    for outcome, words in {
        Outcome.PROCEEDED: ("proceeded", "proceed", "yes", "y", "progressed"),
        Outcome.DID_NOT_PROCEED: (
            "did not proceed",
            "not proceeded",
            "no",
            "n",
            "did not progress",
            "nfa",
            "no further action",
            "not progressed",
        ),
        Outcome.ONGOING: ("ongoing", "open", "in progress", "pending", "current"),
        Outcome.NOT_APPLICABLE: ("not applicable", "n/a", "na"),
    }.items()
    for word in words
}


def parse_outcome(value: object) -> Outcome | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    key = _norm(text)
    outcome = _OUTCOME_WORDS.get(key)
    if outcome is None:
        if key.startswith(("didnot", "notproceed", "nfa")):
            return Outcome.DID_NOT_PROCEED
        if key.startswith(("proceeded", "progressed")):
            return Outcome.PROCEEDED
        raise ValueError(f"{text!r} is not an outcome (use proceeded, did not proceed or ongoing)")
    return outcome


def parse_status(value: object) -> CaseStatus | None:
    text = "" if value is None else _norm(str(value))
    if not text:
        return None
    if text in ("open", "current", "active", "allocated", "unallocated", "o"):
        return CaseStatus.OPEN
    if text in ("closed", "ceased", "ended", "inactive", "c", "close"):
        return CaseStatus.CLOSED
    raise ValueError(f"{str(value).strip()!r} is not a case status (use Open or Closed)")


def parse_flag(value: object) -> bool | None:
    text = "" if value is None else _norm(str(value))
    if not text:
        return None
    if text in ("yes", "y", "true", "t", "1", "x", "external", "ext", "outofarea"):
        return True
    if text in ("no", "n", "false", "f", "0", "internal", "inhouse", "none"):
        return False
    raise ValueError(f"{str(value).strip()!r} is not yes or no")


def text_value(value: object) -> str:
    """A cell as trimmed text ("" for blank); whole numbers from Excel lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).split())


def split_full_name(text: str) -> tuple[str, str]:
    """ "Smith, Jo" or "Jo Smith" as (given, family)."""
    if "," in text:
        family, _, given = text.partition(",")
        return given.strip(), family.strip()
    parts = text.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]
