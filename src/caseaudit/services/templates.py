"""The template library: loading built-in and imported templates into the database, listing them.

Each YAML file becomes a ``TemplateVersion`` of an ``AuditTemplate`` (found by the template's
``id``). Loading is idempotent: a version already stored with the same content is left alone;
the same id and version with different content is refused, telling the author to bump the
version, because audits keep the exact version they were scored against. The built-in
templates (``resources/templates/*.yaml``) are checked together and loaded in one transaction,
so a broken file changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import paths
from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Audit, AuditTemplate, TemplateVersion
from ..templating import (
    SCALES,
    TemplateDefinition,
    TemplateInvalid,
    TemplateProblem,
    load_template_file,
)

log = logging.getLogger(__name__)

__all__ = [
    "ImportResult",
    "SyncResult",
    "TemplateSummary",
    "get_definition",
    "import_template",
    "import_template_file",
    "list_templates",
    "sync_builtin_templates",
    "version_key",
]


@dataclass(frozen=True)
class TemplateSummary:
    template_version_id: int
    key: str
    version: str
    title: str
    theme: str
    scale_key: str
    scale_label: str
    pathways: list[str]
    section_count: int
    question_count: int
    rule_count: int
    builtin: bool
    audit_count: int
    is_latest: bool = True


@dataclass(frozen=True)
class SyncResult:
    added: list[str] = field(default_factory=list)  # "key version"
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    summary: TemplateSummary
    added: bool


@dataclass(frozen=True)
class _Loaded:
    definition: TemplateDefinition
    source_name: str
    source_text: str
    sha256: str


def version_key(version: str) -> tuple:
    """Sort key putting "1.10" after "1.9" and "2.0" after both."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-_]", version)
    )


def _load(path: Path, source_name: str) -> _Loaded:
    definition = load_template_file(path, source_name)
    text = path.read_bytes().decode("utf-8-sig")
    return _Loaded(definition, source_name, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _same_content(stored: TemplateVersion, loaded: _Loaded) -> bool:
    if stored.sha256 == loaded.sha256:
        return True
    try:
        normalised = TemplateDefinition.from_json(stored.definition).to_json()
    except (KeyError, TypeError, ValueError):
        return False
    return normalised == loaded.definition.to_json()


def _store(session: Session, loaded: _Loaded, builtin: bool) -> tuple[TemplateVersion, bool]:
    """Add ``loaded`` as a version (or find it unchanged); return it and whether it was added."""
    d = loaded.definition
    template = session.scalars(select(AuditTemplate).where(AuditTemplate.key == d.id)).first()
    if template is None:
        template = AuditTemplate(key=d.id, title=d.title, theme=d.theme, builtin=builtin)
        session.add(template)
        session.flush()
    existing = session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.version == d.version
        )
    ).first()
    if existing is not None:
        if _same_content(existing, loaded):
            return existing, False
        raise ValidationError(
            f"{loaded.source_name} is template '{d.id}' version {d.version}, but version "
            f"{d.version} of that template is already in the database with different content. "
            "Audits keep the exact version they were scored against, so a changed template needs "
            f"a new version number: change the file's 'version:' line (e.g. to "
            f'"{_next_version(d.version)}") and load it again. Nothing was changed.'
        )
    version = TemplateVersion(
        template_id=template.id,
        version=d.version,
        scale=d.scale.key,
        source_name=loaded.source_name[:255],
        source_text=loaded.source_text,
        sha256=loaded.sha256,
        definition=d.to_json(),
        question_count=len(d.questions),
    )
    session.add(version)
    session.flush()
    newest = max([v.version for v in template.versions] + [d.version], key=version_key)
    if version_key(d.version) >= version_key(newest):
        template.title, template.theme = d.title, d.theme
    return version, True


def _next_version(version: str) -> str:
    parts = version.split(".")
    if parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts)
    return version + ".1"


def sync_builtin_templates(db: Database, directory: Path | None = None) -> SyncResult:
    """Load every built-in template not yet in the database; all or nothing.

    Raises ``TemplateInvalid`` listing every problem in every file when any file is invalid,
    and ``ValidationError`` when a stored version differs from its file (bump the version).
    """
    folder = Path(directory) if directory is not None else paths.builtin_templates_dir()
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    with db.session() as session:
        stored = {
            sha: f"{key} {version}"
            for sha, key, version in session.execute(
                select(TemplateVersion.sha256, AuditTemplate.key, TemplateVersion.version).join(
                    AuditTemplate
                )
            )
        }
    loaded: list[_Loaded] = []
    problems: list[TemplateProblem] = []
    unchanged: list[str] = []
    for path in files:
        # A file whose exact text is already stored needs no parsing (start-up time).
        digest = hashlib.sha256(
            path.read_bytes().decode("utf-8-sig", "replace").encode()
        ).hexdigest()
        if digest in stored:
            unchanged.append(stored[digest])
            continue
        try:
            loaded.append(_load(path, f"{folder.name}/{path.name}"))
        except TemplateInvalid as exc:
            problems.extend(exc.problems)
    seen: dict[tuple[str, str], str] = {}
    for item in loaded:
        ident = (item.definition.id, item.definition.version)
        if ident in seen:
            problems.append(
                TemplateProblem(
                    item.source_name,
                    None,
                    "template",
                    f"{seen[ident]} already has id '{ident[0]}' and version {ident[1]}",
                    "Give each built-in template its own id",
                )
            )
        seen[ident] = item.source_name
    if problems:
        raise TemplateInvalid(problems)
    added: list[str] = []
    with db.session() as session:
        for item in loaded:
            _, was_added = _store(session, item, builtin=True)
            name = f"{item.definition.id} {item.definition.version}"
            (added if was_added else unchanged).append(name)
    if added:
        log.info("Loaded %d built-in template version(s): %s", len(added), ", ".join(added))
    return SyncResult(added=added, unchanged=unchanged)


def import_template(db: Database, path: str | Path) -> ImportResult:
    """Add the template at ``path`` to the library (unchanged if already there)."""
    path = Path(path)
    loaded = _load(path, path.name)
    with db.session() as session:
        template = session.scalars(
            select(AuditTemplate).where(AuditTemplate.key == loaded.definition.id)
        ).first()
        if template is not None and template.builtin:
            raise ValidationError(
                f"'{loaded.definition.id}' is the id of a built-in template, which only a new "
                "release of caseaudit may change. To use your own variant, give it its own id "
                f"(e.g. 'id: {loaded.definition.id}-local') and import it again. Nothing was changed."
            )
        version, added = _store(session, loaded, builtin=False)
        session.flush()
        summary = _summaries(session, [version.id])[0]
    return ImportResult(summary, added)


def import_template_file(db: Database, path: str | Path) -> TemplateSummary:
    """Add the template at ``path`` to the library and describe it."""
    return import_template(db, path).summary


def _summaries(session: Session, version_ids: list[int] | None = None) -> list[TemplateSummary]:
    counts = dict(
        session.execute(
            select(Audit.template_version_id, func.count(Audit.id)).group_by(
                Audit.template_version_id
            )
        ).all()
    )
    query = select(TemplateVersion, AuditTemplate).join(AuditTemplate)
    if version_ids is not None:
        query = query.where(TemplateVersion.id.in_(version_ids))
    rows = session.execute(query).all()
    latest: dict[int, str] = {}
    for template_id, number in session.execute(
        select(TemplateVersion.template_id, TemplateVersion.version)
    ).all():
        best = latest.get(template_id)
        if best is None or version_key(number) > version_key(best):
            latest[template_id] = number
    result = []
    for version, template in rows:
        definition = version.definition
        scale = SCALES.get(version.scale)
        result.append(
            TemplateSummary(
                template_version_id=version.id,
                key=template.key,
                version=version.version,
                title=definition.get("title", template.title),
                theme=definition.get("theme", template.theme),
                scale_key=version.scale,
                scale_label=scale.name if scale else version.scale,
                pathways=list(definition.get("pathways", [])),
                section_count=len(definition.get("sections", [])),
                question_count=version.question_count,
                rule_count=len(definition.get("rules", [])),
                builtin=template.builtin,
                audit_count=counts.get(version.id, 0),
                is_latest=latest.get(template.id) == version.version,
            )
        )
    return result


def list_templates(db: Database) -> list[TemplateSummary]:
    """Every stored version: templates by title, each template's latest version first."""
    with db.session() as session:
        summaries = _summaries(session)
    titles = {s.key: s.title for s in summaries if s.is_latest}
    newest_first = sorted(summaries, key=lambda s: version_key(s.version), reverse=True)
    return sorted(newest_first, key=lambda s: (titles.get(s.key, s.title).casefold(), s.key))


def get_definition(db: Database, template_version_id: int) -> TemplateDefinition:
    """The definition of one stored template version."""
    with db.session() as session:
        version = session.get(TemplateVersion, template_version_id)
        if version is None:
            raise NotFound(
                f"There is no template version number {template_version_id} in this database."
            )
        return TemplateDefinition.from_json(version.definition)
