"""Signing an audit off, reopening it, and the signed versions it keeps.

``sign_off_problems`` lists everything that stops sign-off: the grading engine's missing items
(required answers, N/A reasons, section grades, the overall grade, a rationale for departing
from the suggestion) and any safeguarding concern whose manager's acknowledgement is not yet
recorded (kind ``concern``). ``sign_off`` checks the auditor's password again, refuses with the
whole list if anything is missing, and otherwise records a ``SignOff`` holding the canonical
content signed (answers, evidence, grades, rationale, actions, concerns) and its SHA-256; the
audit becomes signed and read-only. ``reopen`` needs a permitted role and a reason; it keeps
every signed version (a ``SignOff`` row is never changed), so a later sign-off is an amendment
and the history shows both. ``signed_content`` gives a signed version back, checking its hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import AuthenticationFailed, CaseAuditError, NotFound, ValidationError
from ..models import (
    Action,
    Answer,
    Audit,
    Finding,
    SectionJudgement,
    SignOff,
    TemplateVersion,
    User,
)
from ..models.base import utcnow
from ..templating import MissingItem
from ..vocabulary import AuditStatus, FindingKind
from . import trail
from .accounts import AccountLocked, sign_in
from .audit_records import Regrader, as_utc, check_can_edit, load_audit, unacknowledged_concerns
from .permissions import Permission, require
from .snapshots import canonical_json, iso
from .users import UserInfo

__all__ = [
    "SignOffRow",
    "content_hash",
    "history_rows",
    "reopen",
    "sign_off",
    "sign_off_problems",
    "signed_content",
]


@dataclass(frozen=True)
class SignOffRow:
    id: int
    kind: str  # "sign_off" | "reopen"
    at: datetime
    user_name: str
    content_hash: str
    reason: str
    amends: int | None = None  # for a sign-off after a reopening: the sign-off it replaces


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a signed content."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def history_rows(session: Session, audit_id: int) -> list[SignOffRow]:
    """Every sign-off and reopening of an audit, oldest first."""
    rows = session.execute(
        select(SignOff, User.display_name)
        .join(User, User.id == SignOff.user_id)
        .where(SignOff.audit_id == audit_id)
        .order_by(SignOff.id)
    )
    result = []
    for sign, name in rows:
        content = sign.content or {}
        amends = content.get("amends_sign_off_id") if sign.kind == "sign_off" else None
        result.append(
            SignOffRow(
                sign.id, sign.kind, as_utc(sign.at), name, sign.content_hash, sign.reason, amends
            )  # type: ignore[arg-type]
        )
    return result


def _concern_items(session: Session, audit_id: int) -> list[MissingItem]:
    items = []
    for finding in unacknowledged_concerns(session, audit_id):
        at = as_utc(finding.raised_at)
        items.append(
            MissingItem(
                "concern",
                f"Record the manager's acknowledgement of the safeguarding concern raised on "
                f"{at:%d %B %Y at %H:%M} UTC (concern {finding.id})",
            )
        )
    return items


def _problems(session: Session, audit: Audit) -> list[MissingItem]:
    result = Regrader(session, audit).grading()
    return list(result.missing) + _concern_items(session, audit.id)


def sign_off_problems(db: Database, actor: UserInfo | None, audit_id: int) -> list[MissingItem]:
    """What still stops the audit being signed off (empty when it can be)."""
    require(actor, Permission.VIEW_CASES)
    with db.session() as s:
        return _problems(s, load_audit(s, audit_id))


def _content(session: Session, audit: Audit, signer: UserInfo, at: datetime) -> dict[str, Any]:
    """The canonical content of an audit as signed: what the hash vouches for."""
    version = session.get(TemplateVersion, audit.template_version_id)
    definition = Regrader(session, audit).definition
    answers = session.scalars(
        select(Answer).where(Answer.audit_id == audit.id).order_by(Answer.question_id)
    )
    judgements = list(
        session.scalars(select(SectionJudgement).where(SectionJudgement.audit_id == audit.id))
    )
    actions = session.scalars(select(Action).where(Action.audit_id == audit.id).order_by(Action.id))
    concerns = session.scalars(
        select(Finding)
        .where(Finding.audit_id == audit.id, Finding.kind == FindingKind.SAFEGUARDING_CONCERN)
        .order_by(Finding.id)
    )
    previous = session.scalar(
        select(SignOff.id)
        .where(SignOff.audit_id == audit.id, SignOff.kind == "sign_off")
        .order_by(SignOff.id.desc())
        .limit(1)
    )
    content: dict[str, Any] = {
        "audit_id": audit.id,
        "case_file_id": audit.case_file_id,
        "template": definition.id,
        "template_version": definition.version,
        "template_sha256": version.sha256 if version else "",
        "answers": {
            a.question_id: {"value": a.value, "evidence": a.evidence, "na_reason": a.na_reason}
            for a in answers
        },
        "section_grades": {j.section_id: j.grade for j in judgements if j.grade is not None},
        "section_commentary": {j.section_id: j.commentary for j in judgements if j.commentary},
        "suggested_grade": audit.suggested_grade,
        "overall_grade": audit.overall_grade,
        "overall_rationale": audit.overall_rationale,
        "compliance_percent": audit.compliance_percent,
        "actions": [
            {
                "id": a.id,
                "description": a.description,
                "owner_worker_id": a.owner_worker_id,
                "timescale_band": getattr(a.timescale_band, "value", a.timescale_band),
                "due_on": iso(a.due_on),
                "review_on": iso(a.review_on),
                "section_id": a.section_id,
                "question_id": a.question_id,
            }
            for a in actions
        ],
        "concerns": [
            {
                "id": f.id,
                "text": f.text,
                "raised_at": iso(f.raised_at),
                "acknowledged_at": iso(f.acknowledged_at),
            }
            for f in concerns
        ],
        "signed_by_user_id": signer.id,
        "signed_at": iso(at),
    }
    if previous is not None:
        content["amends_sign_off_id"] = previous
    return content


def sign_off(db: Database, actor: UserInfo | None, audit_id: int, password: str) -> SignOffRow:
    """Sign the audit off: password again, nothing missing, content hashed; then it is locked."""
    require(actor, Permission.AUDIT)
    assert actor is not None
    with db.session() as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
    try:  # the sign-in lockout applies to this password too
        sign_in(db, actor.username, password or "")
    except AccountLocked:
        raise
    except AuthenticationFailed:
        raise AuthenticationFailed(
            "That password is not right, so the audit was not signed off. Type your own "
            "password again to sign."
        ) from None
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
        problems = _problems(s, audit)
        if problems:
            raise ValidationError(
                f"Audit {audit_id} cannot be signed off yet: {len(problems)} thing"
                f"{'s' if len(problems) != 1 else ''} still to do. Nothing was signed.",
                [p.message for p in problems],
            )
        regrader = Regrader(s, audit)
        regrader.finish(actor.id, started=False)  # suggested grade and compliance up to date
        at = utcnow()
        content = _content(s, audit, actor, at)
        record = SignOff(
            audit_id=audit.id,
            user_id=actor.id,
            kind="sign_off",
            at=at,
            content=content,
            content_hash=content_hash(content),
            reason="",
        )
        s.add(record)
        s.flush()
        trail.record(s, actor.id, record, "create")
        before = trail.snapshot(audit)
        audit.status = AuditStatus.SIGNED
        audit.updated_at = at
        s.flush()
        trail.record(s, actor.id, audit, "sign_off", before)
        return history_rows(s, audit.id)[-1]


def reopen(db: Database, actor: UserInfo | None, audit_id: int, reason: str) -> SignOffRow:
    """Reopen a signed audit for amendment, keeping the signed version; needs a reason."""
    require(actor, Permission.REOPEN_SIGNED)
    assert actor is not None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Give the reason for reopening the signed audit; it is kept in the audit's history. "
            "Nothing was changed."
        )
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        if audit.status != AuditStatus.SIGNED:
            raise ValidationError(
                f"Audit {audit_id} is {AuditStatus(audit.status).label.lower()}, not signed off, "
                "so there is nothing to reopen."
            )
        signed = s.scalars(
            select(SignOff)
            .where(SignOff.audit_id == audit.id, SignOff.kind == "sign_off")
            .order_by(SignOff.id.desc())
            .limit(1)
        ).first()
        at = utcnow()
        record = SignOff(
            audit_id=audit.id,
            user_id=actor.id,
            kind="reopen",
            at=at,
            content={"reopens_sign_off_id": signed.id} if signed else {},
            content_hash=signed.content_hash if signed else "",
            reason=reason,
        )
        s.add(record)
        s.flush()
        trail.record(s, actor.id, record, "create")
        before = trail.snapshot(audit)
        audit.status = AuditStatus.REOPENED
        audit.updated_at = at
        s.flush()
        trail.record(s, actor.id, audit, "reopen", before)
        return history_rows(s, audit.id)[-1]


def signed_content(db: Database, audit_id: int, sign_off_id: int) -> dict[str, Any]:
    """The audit's content exactly as signed in sign-off ``sign_off_id``, its hash checked."""
    with db.session() as s:
        record = s.get(SignOff, sign_off_id)
        if record is None or record.audit_id != audit_id or record.kind != "sign_off":
            raise NotFound(f"Audit {audit_id} has no sign-off number {sign_off_id}.")
        content = dict(record.content or {})
        stored_hash = record.content_hash
    if content_hash(content) != stored_hash:
        raise CaseAuditError(
            f"The signed version {sign_off_id} of audit {audit_id} no longer matches the hash "
            "recorded when it was signed: it was changed outside caseaudit. Restore the database "
            "from a backup or ask your administrator to investigate."
        )
    return content
