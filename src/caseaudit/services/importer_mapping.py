"""How a file's columns map onto the fields of a list: recognised by synonym, then editable.

``detect_mapping`` recognises each header by the names different case-management systems use
for a field ("Person ID", "Child ID", "ID" ...), a saved profile and explicit overrides winning;
the result, a ``ColumnMapping`` (header → field), is what the import wizard shows and lets the
user change, and what can be saved as a named profile for next month's file. ``guess_list_kind``
says which list a file most probably is, from its headers and name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ValidationError
from .importer_fields import FIELDS, KIND_FIELDS, REQUIRED, ListKind
from .importer_read import RawTable

IGNORE = ""


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.casefold().replace("&", "and"))


def _synonym_index(kind: ListKind) -> dict[str, str]:
    index: dict[str, str] = {}
    for name in KIND_FIELDS[kind]:
        spec = FIELDS[name]
        for word in spec.kind_synonyms.get(kind.value, ()):  # kind-specific words win
            index.setdefault(normalise_header(word), name)
    for name in KIND_FIELDS[kind]:
        for word in FIELDS[name].synonyms:
            index.setdefault(normalise_header(word), name)
    return index


@dataclass
class ColumnMapping:
    """Which field each column of a file holds (``""`` = ignored); editable before validating."""

    list_kind: ListKind
    headers: list[str]
    columns: dict[str, str]

    def field_of(self, header: str) -> str:
        return self.columns.get(header, IGNORE)

    def header_for(self, field_name: str) -> str | None:
        return next((h for h in self.headers if self.columns.get(h) == field_name), None)

    def field_indexes(self) -> dict[str, int]:
        """Field name → column position, for the mapped columns."""
        self.check()
        return {
            f: self.headers.index(h) for h, f in self.columns.items() if f and h in self.headers
        }

    def with_column(self, header: str, field_name: str) -> ColumnMapping:
        """A copy with ``header`` mapped to ``field_name`` (a name, a label, or "" to ignore)."""
        if header not in self.headers:
            raise ValidationError(
                f"The file has no column called {header!r}. Its columns are: "
                + ", ".join(self.headers)
            )
        name = resolve_field(field_name, self.list_kind)
        columns = dict(self.columns)
        if name:
            for other, mapped in list(columns.items()):
                if mapped == name and other != header:
                    columns[other] = IGNORE
        columns[header] = name
        return ColumnMapping(self.list_kind, list(self.headers), columns)

    def missing_required(self) -> list[str]:
        mapped = set(self.columns.values())
        return [f for f in REQUIRED[self.list_kind] if f not in mapped]

    def unmapped_headers(self) -> list[str]:
        return [h for h in self.headers if not self.columns.get(h)]

    def check(self) -> None:
        seen: dict[str, str] = {}
        for header in self.headers:
            name = self.columns.get(header, IGNORE)
            if not name:
                continue
            if name in seen:
                raise ValidationError(
                    f"Two columns, {seen[name]!r} and {header!r}, are both mapped to "
                    f"{FIELDS[name].label}. Map one of them to something else or ignore it."
                )
            seen[name] = header

    def to_dict(self) -> dict[str, str]:
        return {h: f for h, f in self.columns.items() if f}


def resolve_field(text: str, kind: ListKind) -> str:
    """A field from its name, label or a synonym ("dob"); "" or "ignore" means ignored."""
    key = normalise_header(text)
    if key in ("", "ignore", "none", "skip"):
        return IGNORE
    for name in KIND_FIELDS[kind]:
        if key in (normalise_header(name), normalise_header(FIELDS[name].label)):
            return name
    if key in _synonym_index(kind):
        return _synonym_index(kind)[key]
    choices = ", ".join(f"{n} ({FIELDS[n].label})" for n in KIND_FIELDS[kind])
    raise ValidationError(
        f"{text!r} is not a field of the {kind.value} list. Use one of: {choices}, or 'ignore'."
    )


def detect_mapping(
    raw: RawTable,
    list_kind: ListKind | str,
    *,
    profile: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> ColumnMapping:
    """Recognise each header by its synonyms; a saved ``profile`` and ``overrides`` win."""
    kind = ListKind(list_kind)
    index = _synonym_index(kind)
    columns: dict[str, str] = {}
    taken: set[str] = set()
    chosen = {h: resolve_field(f, kind) for h, f in (profile or {}).items() if h in raw.headers}
    taken.update(f for f in chosen.values() if f)
    for header in raw.headers:
        if header in chosen:
            columns[header] = chosen[header]
            continue
        key = normalise_header(header)
        name = index.get(key) or index.get(normalise_header(re.sub(r"\(.*?\)", "", header)))
        if name and name not in taken:
            columns[header] = name
            taken.add(name)
        else:
            columns[header] = IGNORE
    mapping = ColumnMapping(kind, list(raw.headers), columns)
    for header, field_name in (overrides or {}).items():
        mapping = mapping.with_column(header, field_name)
    return mapping


def parse_map_option(text: str) -> tuple[str, str]:
    """``"Source header=field"`` as (header, field)."""
    header, sep, field_name = text.rpartition("=")
    if not sep or not header.strip():
        raise ValidationError(
            f'--map {text!r} is not in the form "Source header=field" '
            '(for example --map "Person Ref=external_id").'
        )
    return header.strip(), field_name.strip()


_KIND_HINTS: dict[ListKind, tuple[str, ...]] = {
    ListKind.EVENTS: ("event type", "activity", "outcome", "event date", "event id", "proceeded"),
    ListKind.LAC: (
        "legal status",
        "placement type",
        "iro",
        "care leaver",
        "date became lac",
        "period of care start",
        "placement",
        "date became looked after",
    ),
    ListKind.CIN_CP: ("plan type", "plan start date", "cin/cp", "plan category"),
    ListKind.UNALLOCATED: ("date referred", "date unallocated", "unallocated"),
}


def guess_list_kind(raw: RawTable) -> ListKind | None:
    """The list a file most probably is, from its headers and name; ``None`` if unclear."""
    headers = {normalise_header(h) for h in raw.headers}
    scores = {
        kind: sum(normalise_header(w) in headers for w in words)
        for kind, words in _KIND_HINTS.items()
    }
    name = raw.file_name.casefold()
    for kind, words in (
        (ListKind.UNALLOCATED, ("unalloc",)),
        (ListKind.LAC, ("lac", "cla", "looked", "care leaver")),
        (ListKind.CIN_CP, ("cin", "cp")),
        (ListKind.EVENTS, ("event", "contact", "referral")),
    ):
        if any(w in name for w in words):
            scores[kind] += 2
    best = max(scores.values())
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None
