"""What the audit services share: loading an audit, who may change it, grading it, the trail.

``load_audit`` finds an audit or says there is none; ``check_can_edit`` applies the editing
rule (the assigned auditor, or a QA lead or administrator; never a signed audit, which raises
``AuditLocked``). ``definition_for`` caches each template version's parsed definition (versions
never change, so autosave does not re-read their JSON), keyed by id and content hash so two
databases never mix. ``case_context`` tells the grading engine the file's pathway stages and
event dates; ``Regrader`` recomputes the suggested grade, compliance and status on the audit
row after a change and records the row on the trail. ``record_finding`` puts findings on the
trail even while the trail's snapshots do not cover them. Nothing here touches Qt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CaseAuditError, NotFound, PermissionDenied
from ..models import (
    Answer,
    Audit,
    CaseFile,
    Finding,
    PathwayEvent,
    SectionJudgement,
    SignOff,
    TemplateVersion,
    User,
)
from ..models.base import utcnow
from ..templating import (
    AnswerValue,
    CaseContext,
    GradingResult,
    TemplateDefinition,
    grade,
    is_answered,
)
from ..vocabulary import AuditStatus, FindingKind, UserRole
from . import trail
from .permissions import Permission, allowed, require
from .snapshots import entity_name, fingerprint, iso
from .users import UserInfo

__all__ = [
    "AuditLocked",
    "Regrader",
    "answer_values",
    "as_utc",
    "can_edit",
    "case_context",
    "check_can_edit",
    "definition_for",
    "known_definition",
    "load_audit",
    "progress",
    "record_finding",
    "snapshot_finding",
    "unacknowledged_concerns",
]

#: Roles that may change any audit, not only those assigned to them.
OVERSEERS = frozenset({UserRole.QA_LEAD, UserRole.ADMINISTRATOR})


class AuditLocked(CaseAuditError):
    """The audit is signed off, so it is read-only until someone permitted reopens it."""


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored moment as timezone-aware UTC (SQLite hands back naive UTC values)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- template definitions -----------------------------------------------------------------------
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[int, str], TemplateDefinition] = OrderedDict()
_cache_lock = threading.Lock()


def definition_for(
    session: Session, template_version_id: int, sha256: str | None = None
) -> TemplateDefinition:
    """The parsed definition of a template version, parsed once per process and version.

    ``sha256`` (the version's content hash), when the caller already has it, saves a query."""
    sha = sha256
    if sha is None:
        sha = session.scalar(
            select(TemplateVersion.sha256).where(TemplateVersion.id == template_version_id)
        )
    if sha is None:
        raise NotFound(f"There is no template version number {template_version_id}.")
    key = (template_version_id, sha)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    data = session.scalar(
        select(TemplateVersion.definition).where(TemplateVersion.id == template_version_id)
    )
    try:
        definition = TemplateDefinition.from_json(data or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise CaseAuditError(
            f"Template version {template_version_id} is stored in a form this caseaudit cannot "
            "read, so its audits cannot be opened. Ask your QA lead to re-import the template.",
            detail=repr(exc),
        ) from exc
    with _cache_lock:
        _cache[key] = definition
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return definition


def known_definition(template_version_id: int, sha256: str) -> TemplateDefinition | None:
    """The definition ``definition_for`` already parsed for this version and hash, if any."""
    key = (template_version_id, sha256)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


# -- loading and the editing rule ---------------------------------------------------------------
def load_audit(session: Session, audit_id: int) -> Audit:
    """The audit called ``audit_id`` (its template version's hash read in the same query)."""
    row = session.execute(
        select(Audit, TemplateVersion.sha256)
        .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
        .where(Audit.id == audit_id)
    ).first()
    if row is None:
        raise NotFound(f"There is no audit number {audit_id}. Check the number in 'My audits'.")
    audit, sha = row
    session.info.setdefault("template_sha256", {})[audit.template_version_id] = sha
    return audit


class EditableAudit(Protocol):
    """What the editing rule reads of an audit (an ORM ``Audit`` or a row from a Core query)."""

    @property
    def id(self) -> int: ...
    @property
    def auditor_user_id(self) -> int: ...
    @property
    def status(self) -> AuditStatus: ...


def can_edit(actor: UserInfo | None, audit: EditableAudit) -> bool:
    """Whether ``actor`` may change ``audit`` now (ignoring the sign-off lock)."""
    if not allowed(actor, Permission.AUDIT) or actor is None:
        return False
    return audit.auditor_user_id == actor.id or actor.role in OVERSEERS


def check_can_edit(session: Session, actor: UserInfo | None, audit: EditableAudit) -> None:
    """Raise ``PermissionDenied`` or ``AuditLocked`` unless ``actor`` may change ``audit``."""
    require(actor, Permission.AUDIT)
    assert actor is not None
    if audit.auditor_user_id != actor.id and actor.role not in OVERSEERS:
        owner = session.scalar(select(User.display_name).where(User.id == audit.auditor_user_id))
        raise PermissionDenied(
            f"Audit {audit.id} is assigned to {owner or 'another auditor'}, so only they, a QA "
            "lead or an administrator can change it. Nothing was changed."
        )
    if audit.status == AuditStatus.SIGNED:
        last = session.execute(
            select(SignOff.at, User.display_name)
            .join(User, User.id == SignOff.user_id)
            .where(SignOff.audit_id == audit.id, SignOff.kind == "sign_off")
            .order_by(SignOff.id.desc())
            .limit(1)
        ).first()
        when = f" on {as_utc(last[0]):%d %B %Y} by {last[1]}" if last else ""
        raise AuditLocked(
            f"Audit {audit.id} was signed off{when} and is locked, so it cannot be changed. "
            "If it must change, a QA lead or administrator can reopen it, giving a reason; "
            "the signed version is kept."
        )


# -- what the grading engine needs --------------------------------------------------------------
def case_context(session: Session, case_file_id: int) -> CaseContext:
    """The file's pathway stages (its events' and its current stage) and its event dates."""
    events: dict[str, list[date]] = defaultdict(list)
    stages: set[str] = set()
    rows = session.execute(
        select(CaseFile.current_stage, PathwayEvent.stage, PathwayEvent.started_on)
        .outerjoin(PathwayEvent, PathwayEvent.case_file_id == CaseFile.id)
        .where(CaseFile.id == case_file_id)
    )
    for current, stage, started in rows:
        stages.add(getattr(current, "value", current))
        if stage is not None:
            events[getattr(stage, "value", stage)].append(started)
    stages |= set(events)
    return CaseContext(frozenset(stages), {k: sorted(v) for k, v in events.items()})


def answer_values(session: Session, audit_id: int) -> dict[str, AnswerValue]:
    rows = session.execute(
        select(Answer.question_id, Answer.value, Answer.evidence, Answer.na_reason).where(
            Answer.audit_id == audit_id
        )
    )
    return {q: AnswerValue(v, e or "", n or "") for q, v, e, n in rows}


def judgements(session: Session, audit_id: int) -> dict[str, tuple[int | None, str]]:
    """Section id → (grade, commentary)."""
    rows = session.execute(
        select(
            SectionJudgement.section_id, SectionJudgement.grade, SectionJudgement.commentary
        ).where(SectionJudgement.audit_id == audit_id)
    )
    return {sid: (g, c or "") for sid, g, c in rows}


def unacknowledged_concerns(session: Session, audit_id: int) -> list[Finding]:
    return list(
        session.scalars(
            select(Finding)
            .where(
                Finding.audit_id == audit_id,
                Finding.kind == FindingKind.SAFEGUARDING_CONCERN,
                Finding.acknowledged_at.is_(None),
            )
            .order_by(Finding.id)
        )
    )


class Regrader:
    """Keeps an audit row's suggested grade, compliance and status in step with its content.

    Made when a change starts (it snapshots the row); ``finish`` regrades the audit as it now
    stands, moves its status on and records the row on the trail if anything on it changed.
    """

    def __init__(self, session: Session, audit: Audit) -> None:
        self.session = session
        self.audit = audit
        self.before = trail.snapshot(audit)
        known = session.info.get("template_sha256", {}).get(audit.template_version_id)
        self.definition = definition_for(session, audit.template_version_id, known)
        self._context: CaseContext | None = None

    @property
    def context(self) -> CaseContext:
        if self._context is None:
            self._context = case_context(self.session, self.audit.case_file_id)
        return self._context

    def grading(self, answers: dict[str, AnswerValue] | None = None) -> GradingResult:
        audit = self.audit
        if answers is None:
            answers = answer_values(self.session, audit.id)
        grades = {sid: g for sid, (g, _c) in judgements(self.session, audit.id).items()}
        return grade(
            self.definition,
            answers,
            grades,
            audit.overall_grade,
            self.context,
            overall_rationale=audit.overall_rationale,
        )

    def finish(
        self, actor_id: int, *, started: bool = True, answers: dict[str, AnswerValue] | None = None
    ) -> GradingResult:
        """Regrade, move the status on, record the audit row if it changed; return the grading."""
        self.session.flush()
        audit = self.audit
        if answers is None:
            answers = answer_values(self.session, audit.id)
        result = self.grading(answers)
        moved = progress(
            audit,
            result,
            answers,
            started=started,
            concerns_open=lambda: bool(unacknowledged_concerns(self.session, audit.id)),
        )
        for name, value in moved.items():
            setattr(audit, name, value)
        audit.updated_at = utcnow()
        self.session.flush()
        if trail.snapshot(audit) != self.before:
            trail.record(self.session, actor_id, audit, "update", self.before)
            self.before = trail.snapshot(audit)
        return result


class AuditProgress(Protocol):
    """What ``progress`` reads of an audit (an ORM ``Audit`` or a row from a Core query)."""

    @property
    def status(self) -> AuditStatus: ...
    @property
    def started_at(self) -> datetime | None: ...


def progress(
    audit: AuditProgress,
    result: GradingResult,
    answers: Mapping[str, AnswerValue],
    *,
    started: bool,
    concerns_open: Callable[[], bool],
) -> dict[str, Any]:
    """The audit row's new suggested grade, compliance, status and start time after a change.

    A signed audit keeps everything. Otherwise the status moves from not started to in
    progress, and between in progress and awaiting sign-off as the audit becomes complete
    (nothing missing and no unacknowledged safeguarding concern: ``concerns_open`` is asked
    only when nothing else is missing)."""
    if audit.status == AuditStatus.SIGNED:
        return {}
    answered = any(is_answered(a.value) for a in answers.values())
    status = audit.status
    moved: dict[str, Any] = {
        "suggested_grade": result.suggested_overall if answered else None,
        "compliance_percent": result.compliance.percent if answered else None,
    }
    if started and status == AuditStatus.NOT_STARTED:
        status = AuditStatus.IN_PROGRESS
    if started and audit.started_at is None:
        moved["started_at"] = utcnow()
    if status in (AuditStatus.IN_PROGRESS, AuditStatus.AWAITING_SIGN_OFF):
        complete = not result.missing and not concerns_open()
        status = AuditStatus.AWAITING_SIGN_OFF if complete else AuditStatus.IN_PROGRESS
    moved["status"] = status
    return moved


# -- findings on the trail ----------------------------------------------------------------------
def snapshot_finding(finding: Finding) -> dict[str, Any]:
    """A finding as the trail records it (its text only as a fingerprint)."""
    try:
        entity_name(finding)
    except TypeError:
        return {
            "id": finding.id,
            "audit_id": finding.audit_id,
            "kind": getattr(finding.kind, "value", finding.kind),
            "section_id": finding.section_id or "",
            "question_id": finding.question_id or "",
            "text": fingerprint(finding.text),
            "raised_at": iso(finding.raised_at),
            "acknowledged_by_worker_id": finding.acknowledged_by_worker_id,
            "acknowledged_at": iso(finding.acknowledged_at),
        }
    return trail.snapshot(finding)


def record_finding(
    session: Session,
    actor_id: int,
    finding: Finding,
    operation: str,
    before: dict[str, Any] | None = None,
) -> None:
    """Append a finding's change to the trail, in the caller's transaction."""
    session.flush()
    try:
        entity_name(finding)
    except TypeError:
        trail.append(
            session, actor_id, "finding", finding.id, operation, before, snapshot_finding(finding)
        )
    else:
        trail.record(session, actor_id, finding, operation, before)
