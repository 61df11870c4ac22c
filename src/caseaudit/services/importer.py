"""Importing case lists: the four steps the import wizard and ``caseaudit import`` both take.

1. ``read_table(path)`` reads a CSV or XLSX file (encoding and format detected) into a
   ``RawTable``;
2. ``detect_mapping(raw, list_kind)`` recognises its columns by synonym, giving an editable
   ``ColumnMapping`` (a saved profile, by name, can fill it in);
3. ``validate(raw, mapping, list_kind)`` checks every row, giving a ``ValidationReport`` with
   each bad row's number, field and reason, and the rows that can go in;
4. ``apply_import(db, actor, report, ...)`` writes the valid rows in one transaction (or, in
   strict mode, nothing if any row is bad) and returns an ``ImportSummary``.

``import_file`` runs all four for the command line. Mapping profiles are saved and loaded here.
The submodules ``importer_read``, ``importer_values``, ``importer_fields``, ``importer_validate``,
``importer_bulk`` and ``importer_apply`` hold the parts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import ImportMappingProfile, ImportRun
from .importer_apply import (
    ImportCancelled,
    ImportConflict,
    ImportSummary,
    Progress,
    StrictImportRefused,
    apply_import,
)
from .importer_fields import FIELDS, KIND_FIELDS, REQUIRED, ListKind
from .importer_mapping import (
    ColumnMapping,
    detect_mapping,
    guess_list_kind,
    parse_map_option,
    resolve_field,
)
from .importer_read import ImportFileError, RawRow, RawTable, paused_gc, read_table
from .importer_validate import ParsedRow, RowProblem, ValidationReport, validate
from .permissions import Permission, require
from .users import UserInfo

__all__ = [
    "FIELDS",
    "KIND_FIELDS",
    "REQUIRED",
    "ColumnMapping",
    "ImportCancelled",
    "ImportConflict",
    "ImportFileError",
    "ImportRunInfo",
    "ImportSummary",
    "ListKind",
    "MappingProfile",
    "ParsedRow",
    "RawRow",
    "RawTable",
    "RowProblem",
    "StrictImportRefused",
    "ValidationReport",
    "apply_import",
    "delete_mapping_profile",
    "detect_mapping",
    "guess_list_kind",
    "import_file",
    "list_import_runs",
    "list_mapping_profiles",
    "load_mapping_profile",
    "parse_map_option",
    "read_table",
    "resolve_field",
    "save_mapping_profile",
    "validate",
]


@dataclass(frozen=True)
class MappingProfile:
    name: str
    list_kind: ListKind
    columns: dict[str, str]


@dataclass(frozen=True)
class ImportRunInfo:
    id: int
    file_name: str
    sha256: str
    list_kind: str
    added: int
    updated: int
    unchanged: int
    rejected: int
    user_id: int | None
    finished_at: object


def save_mapping_profile(
    db: Database, actor: UserInfo | None, name: str, mapping: ColumnMapping
) -> MappingProfile:
    """Save (or replace) the named profile with ``mapping``'s header → field choices."""
    require(actor, Permission.IMPORT_CASE_LISTS)
    name = name.strip()
    if not name:
        raise ValidationError("Give the mapping profile a name.")
    mapping.check()
    columns = mapping.to_dict()
    with db.session() as s:
        profile = s.scalars(
            select(ImportMappingProfile).where(ImportMappingProfile.name == name)
        ).first()
        if profile is None:
            profile = ImportMappingProfile(
                name=name, created_by_user_id=actor.id if actor else None
            )
            s.add(profile)
        profile.list_kind = mapping.list_kind.value
        profile.mapping = columns
    return MappingProfile(name, mapping.list_kind, columns)


def load_mapping_profile(db: Database, name: str) -> MappingProfile:
    with db.session() as s:
        profile = s.scalars(
            select(ImportMappingProfile).where(ImportMappingProfile.name == name.strip())
        ).first()
        if profile is None:
            known = list_mapping_profiles(db)
            hint = ", ".join(p.name for p in known) or "none saved yet"
            raise NotFound(f"There is no mapping profile called {name!r} (profiles: {hint}).")
        return MappingProfile(profile.name, ListKind(profile.list_kind), dict(profile.mapping))


def list_mapping_profiles(db: Database) -> list[MappingProfile]:
    with db.session() as s:
        return [
            MappingProfile(p.name, ListKind(p.list_kind), dict(p.mapping))
            for p in s.scalars(select(ImportMappingProfile).order_by(ImportMappingProfile.name))
        ]


def delete_mapping_profile(db: Database, actor: UserInfo | None, name: str) -> None:
    require(actor, Permission.IMPORT_CASE_LISTS)
    with db.session() as s:
        profile = s.scalars(
            select(ImportMappingProfile).where(ImportMappingProfile.name == name.strip())
        ).first()
        if profile is None:
            raise NotFound(f"There is no mapping profile called {name!r}.")
        s.delete(profile)


def list_import_runs(db: Database, actor: UserInfo | None, limit: int = 50) -> list[ImportRunInfo]:
    require(actor, Permission.VIEW_CASES)
    with db.session() as s:
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))
        return [
            ImportRunInfo(
                r.id,
                r.file_name,
                r.sha256,
                r.list_kind,
                r.added,
                r.updated,
                r.unchanged,
                r.rejected,
                r.user_id,
                r.finished_at,
            )
            for r in runs
        ]


def import_file(
    db: Database,
    actor: UserInfo | None,
    path: str | Path,
    list_kind: ListKind | str | None = None,
    *,
    profile: str | None = None,
    overrides: dict[str, str] | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ValidationReport, ImportSummary]:
    """Read, map, validate and import ``path`` in one call (what ``caseaudit import`` does)."""
    require(actor, Permission.IMPORT_CASE_LISTS)
    with paused_gc():  # one pause for the whole import: the collector then runs once, not thrice
        return _import_file(
            db, actor, path, list_kind, profile, overrides, strict, dry_run, progress, cancel
        )


def _import_file(
    db: Database,
    actor: UserInfo | None,
    path: str | Path,
    list_kind: ListKind | str | None,
    profile: str | None,
    overrides: dict[str, str] | None,
    strict: bool,
    dry_run: bool,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> tuple[ValidationReport, ImportSummary]:
    raw = read_table(path)
    saved = load_mapping_profile(db, profile) if profile else None
    kind = (
        ListKind(list_kind) if list_kind else (saved.list_kind if saved else guess_list_kind(raw))
    )
    if kind is None:
        raise ValidationError(
            f"caseaudit cannot tell which list {raw.file_name} is. Say which with --list "
            f"({', '.join(k.value for k in ListKind)})."
        )
    mapping = detect_mapping(
        raw, kind, profile=saved.columns if saved else None, overrides=overrides
    )
    report = validate(raw, mapping, kind)
    summary = apply_import(
        db, actor, report, strict=strict, dry_run=dry_run, progress=progress, cancel=cancel
    )
    return report, summary
