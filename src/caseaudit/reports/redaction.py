"""Pseudonymisation of free text: known names, dates of birth, addresses and postcodes.

A ``Redactor`` is built from what the database knows about children and their families (given
and family names, related people's names, dates of birth, addresses) and replaces each of them
in free text (evidence, rationales, findings, action descriptions) before it is rendered. Names
are matched as whole words, case-insensitively, with possessives ("Kayden's") and hyphenated
parts; a name that is also an everyday English word ("Will", "Rose", "Hall") is replaced only
where it is written with a capital letter, so "the plan will be reviewed" survives. Dates are
replaced when they are a known date of birth in any common format; UK postcodes always are.
Adjacent replacements collapse ("[name] [name]" becomes "[name]").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

__all__ = ["COMMON_WORDS", "NAME", "Redactor", "name_tokens"]

NAME = "[name]"
DATE_OF_BIRTH = "[date of birth]"
ADDRESS = "[address]"
POSTCODE = "[postcode]"

#: Names that are also words common in case notes ("best interests", "young person", "RAG rated
#: amber"): replaced only when capitalised or possessive ("will" stays, "Will" and "will's" go).
_COMMON_WORDS_TEXT = """
    amber art bell best bill black brown care case child close cook cross day east fair faith
    field frank good grace gray green grey guy hall head hill hope house joy law little long love
    major mark may miles new north page park pat price ray rich rob rose sharp short small south
    star strong sue swift wall ward west white will wise wood young
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master"})

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"\b(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})\b")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?,?\s+(\d{{2}}|\d{{4}})\b",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{2}}|\d{{4}})\b", re.IGNORECASE
)
_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?$", re.IGNORECASE)
_YEAR_AFTER = re.compile(r"\.?,?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4}\b")
_COLLAPSE = re.compile(r"\[(name|address)\](?:(?:\s+|\s*-\s*|,\s*)\[\1\])+")
_HOUSE_NUMBER = re.compile(r"(?:\bflat\s+\d+[a-z]?,?\s+)?\b\d+[a-z]?,?\s+$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower case without accents, so "Zoë" and "Zoe" are the same name."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def name_tokens(name: str) -> list[str]:
    """The words of a name worth redacting (two letters or more, no honorifics), folded."""
    text = name if name.isascii() else _fold(name)
    tokens = []
    for word in _WORD.findall(text.lower()):
        if len(word) >= 2 and word not in HONORIFICS:
            tokens.append(word)
    return tokens


def _in_a_date(text: str, start: int, end: int) -> bool:
    """Whether the month name at ``text[start:end]`` is part of a written date."""
    return bool(_DAY_BEFORE.search(text, 0, start) or _YEAR_AFTER.match(text, end))


def _pairs(items: list[re.Match[str]]) -> list[tuple[re.Match[str], re.Match[str]]]:
    return list(zip(items, items[1:], strict=False))


def _year_candidates(text: str) -> list[int]:
    value = int(text)
    if len(text) == 4:
        return [value]
    if len(text) == 2:
        return [1900 + value, 2000 + value]
    return []


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class Redactor:
    """Replaces the known identifying details of children and families in free text."""

    names: set[str] = field(default_factory=set)
    capitalised_names: set[str] = field(default_factory=set)
    dates_of_birth: set[date] = field(default_factory=set)
    streets: set[str] = field(default_factory=set)
    enabled: bool = True
    _street_ends: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def build(
        cls,
        names: Iterable[str],
        dates_of_birth: Iterable[date | None] = (),
        addresses: Iterable[str] = (),
    ) -> Redactor:
        redactor = cls()
        for name in names:
            redactor.add_name(name)
        redactor.dates_of_birth = {d for d in dates_of_birth if d is not None}
        for address in addresses:
            redactor.add_address(address)
        return redactor

    @classmethod
    def disabled(cls) -> Redactor:
        """A redactor that changes nothing (the named internal version)."""
        return cls(enabled=False)

    def add_name(self, name: str) -> None:
        for token in name_tokens(name or ""):
            common = token in COMMON_WORDS or len(token) < 3
            (self.capitalised_names if common else self.names).add(token)

    def add_address(self, address: str) -> None:
        """Remember the street of each address line that starts with a house number."""
        for part in re.split(r"[,\n]", address or ""):
            street = re.sub(r"^\s*\d+[a-z]?\s+", "", part.strip(), flags=re.IGNORECASE)
            if street != part.strip() and len(street.split()) >= 2:
                folded = " ".join(_fold(street).split())
                self.streets.add(folded)
                self._street_ends.add(folded.rsplit(" ", 1)[-1])

    # -- redaction --------------------------------------------------------------------------
    def __call__(self, text: str | None) -> str:
        return self.redact(text)

    def redact(self, text: str | None) -> str:
        if not text:
            return ""
        if not self.enabled:
            return text
        text = _POSTCODE.sub(POSTCODE, text)
        if self.dates_of_birth:
            text = self._redact_dates(text)
        if self.streets:
            text = self._redact_streets(text)
        text = self._redact_names(text)
        return _COLLAPSE.sub(lambda m: f"[{m.group(1)}]", text)

    def _is_name(self, word: str) -> bool:
        folded = _fold(word)
        if folded in self.names:
            return True
        if folded.endswith("'s"):
            base = folded[:-2]
            return base in self.names or base in self.capitalised_names
        return folded in self.capitalised_names and word[:1].isupper()

    def _redact_names(self, text: str) -> str:
        pieces: list[str] = []
        last = 0
        for match in _WORD.finditer(text):
            word = match.group()
            if not self._is_name(word):
                continue
            if word.lower() in _MONTHS and _in_a_date(text, match.start(), match.end()):
                continue  # "7 June 2024" is a date even when a child is called June
            pieces.append(text[last : match.start()])
            pieces.append(NAME)
            last = match.end()
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def _redact_streets(self, text: str) -> str:
        words = list(_WORD.finditer(text))
        folded = [_fold(w.group()) for w in words]
        spans: list[tuple[int, int]] = []
        end_of_last = -1
        for j, last_word in enumerate(folded):
            if last_word not in self._street_ends or j <= end_of_last:
                continue
            for n in (4, 3, 2):
                i = j - n + 1
                if i < 0 or i <= end_of_last:
                    continue
                chunk = words[i : j + 1]
                if any(not text[a.end() : b.start()].isspace() for a, b in _pairs(chunk)):
                    continue
                if " ".join(folded[i : j + 1]) in self.streets:
                    start = words[i].start()
                    number = _HOUSE_NUMBER.search(text, 0, start)
                    if number and number.end() == start:
                        start = number.start()
                    spans.append((start, words[j].end()))
                    end_of_last = j
                    break
        for start, end in reversed(spans):
            text = text[:start] + ADDRESS + text[end:]
        return text

    def _redact_dates(self, text: str) -> str:
        births = self.dates_of_birth

        def numeric(m: re.Match[str]) -> str:
            a, _sep, b, c = m.groups()
            candidates: list[date | None] = []
            if len(a) == 4:  # 2015-03-12
                candidates.append(_safe_date(int(a), int(b), int(c)))
            else:  # 12/03/2015, 12/3/15 (and 03/12/2015 written the American way)
                for year in _year_candidates(c):
                    candidates.append(_safe_date(year, int(b), int(a)))
                    candidates.append(_safe_date(year, int(a), int(b)))
            return DATE_OF_BIRTH if any(d in births for d in candidates if d) else m.group()

        def day_month(m: re.Match[str]) -> str:
            day, month, year = m.groups()
            month_no = _MONTHS[month.lower()]
            hits = (_safe_date(y, month_no, int(day)) for y in _year_candidates(year))
            return DATE_OF_BIRTH if any(d in births for d in hits if d) else m.group()

        def month_day(m: re.Match[str]) -> str:
            month, day, year = m.groups()
            month_no = _MONTHS[month.lower()]
            hits = (_safe_date(y, month_no, int(day)) for y in _year_candidates(year))
            return DATE_OF_BIRTH if any(d in births for d in hits if d) else m.group()

        text = _NUMERIC_DATE.sub(numeric, text)
        text = _DAY_MONTH_YEAR.sub(day_month, text)
        return _MONTH_DAY_YEAR.sub(month_day, text)
