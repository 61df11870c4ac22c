"""Retention's second half: take purged children's names out of the audits' free text.

Blanking a child's identity record is not enough when an auditor wrote "Kayden's mother
said…" in an evidence note. Before the identity is blanked, ``redact_free_text`` builds a
``Redactor`` from that child's own names, related people, date of birth and address, and runs
it over every free-text field of the child's audits: the overall rationale, answers (evidence,
N/A reasons and text answers), section commentary, findings and concerns, action descriptions
and completion evidence, sign-off and reopening reasons, and the copy of the content kept with
each sign-off (whose hash is recomputed, because the program made the change). Every logged
record that changes gets its own trail entry (operation ``retention_redact``), which holds
fingerprints of the text, never the text, so the trail keeps verifying.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Action,
    Answer,
    Audit,
    CaseFile,
    ChildIdentity,
    Finding,
    RelatedPerson,
    SectionJudgement,
    SignOff,
)
from ..reports.redaction import Redactor
from . import trail
from .signoff import content_hash
from .snapshots import LOGGED_ENTITIES

OPERATION = "retention_redact"

#: The free-text columns of each kind of record an audit owns.
TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Audit: ("overall_rationale",),
    Answer: ("evidence", "na_reason"),
    SectionJudgement: ("commentary",),
    Finding: ("text",),
    Action: ("description", "completion_evidence"),
    SignOff: ("reason",),
}


def audits_of(session: Session, child_ids: Iterable[int]) -> int:
    """How many audits the children with ``child_ids`` have (for the purge preview)."""
    ids = list(child_ids)
    if not ids:
        return 0
    return session.scalar(
        select(func.count(Audit.id))
        .join(CaseFile, CaseFile.id == Audit.case_file_id)
        .where(CaseFile.child_id.in_(ids))
    )


def _redactors(session: Session, child_ids: list[int]) -> dict[int, Redactor]:
    people: dict[int, list[str]] = defaultdict(list)
    for child_id, name in session.execute(
        select(RelatedPerson.child_id, RelatedPerson.name).where(
            RelatedPerson.child_id.in_(child_ids)
        )
    ):
        people[child_id].append(name)
    redactors: dict[int, Redactor] = {}
    for identity in session.scalars(
        select(ChildIdentity).where(ChildIdentity.child_id.in_(child_ids))
    ):
        names = [identity.given_name, identity.family_name, *people[identity.child_id]]
        redactors[identity.child_id] = Redactor.build(
            names, [identity.date_of_birth], [identity.address or ""]
        )
    return redactors


def _redact_json(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, list):
        return [_redact_json(v, redactor) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, redactor) for k, v in value.items()}
    return value


def _redact_row(session: Session, actor_id: int | None, row: Any, redactor: Redactor) -> int:
    """Redact ``row``'s free text in place; the number of fields that changed."""
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS[type(row)]:
        old = getattr(row, name) or ""
        new = redactor(old)
        if new != old:
            changes[name] = new
    if isinstance(row, Answer) and isinstance(row.value, str):
        new_value = redactor(row.value)
        if new_value != row.value:
            changes["value"] = new_value
    if isinstance(row, SignOff) and row.content:
        new_content = _redact_json(row.content, redactor)
        if new_content != row.content:
            changes["content"] = new_content
            changes["content_hash"] = content_hash(new_content)
    if not changes:
        return 0
    logged = type(row) in LOGGED_ENTITIES
    before = trail.snapshot(row) if logged else None
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    if logged:
        trail.record(session, actor_id, row, OPERATION, before)
    return len(changes) - ("content_hash" in changes)


def redact_free_text(session: Session, actor_id: int | None, child_ids: list[int]) -> int:
    """Redact the named children's details from their audits' free text; fields changed.

    Call it in the purge's transaction, before the identities are blanked.
    """
    if not child_ids:
        return 0
    redactors = _redactors(session, child_ids)
    audits = session.execute(
        select(Audit, CaseFile.child_id)
        .join(CaseFile, CaseFile.id == Audit.case_file_id)
        .where(CaseFile.child_id.in_(child_ids))
        .order_by(Audit.id)
    ).all()
    changed = 0
    for audit, child_id in audits:
        redactor = redactors.get(child_id)
        if redactor is None:
            continue
        changed += _redact_row(session, actor_id, audit, redactor)
        for model in (Answer, SectionJudgement, Finding, Action, SignOff):
            for row in session.scalars(
                select(model).where(model.audit_id == audit.id).order_by(model.id)
            ):
                changed += _redact_row(session, actor_id, row, redactor)
    return changed
