"""Canonical snapshots of the records the trail vouches for, and the JSON spelling it hashes.

``snapshot(row)`` gives the state of an audit, answer, section judgement, action, sign-off or
program user as a small JSON-ready dict. Writer services record it after each change and the
trail's verification compares it with the record as it is now, so both must agree exactly:
sorted keys, UTC ISO timestamps, enum values. A snapshot never holds a password hash or
anything from the identity tables, and free text appears only as a SHA-256 fingerprint, because
the trail can never be edited and free text may name a child.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from ..models import Action, Answer, Audit, SectionJudgement, SignOff, User

_TOKEN = re.compile(r"^(?:[a-z0-9_]{1,32}|\d{4}-\d{2}-\d{2})$")


def canonical_json(value: Any) -> str:
    """The one JSON spelling hashed and compared: sorted keys, no spaces, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def fingerprint(text_value: str | None) -> str:
    """A free-text field as the trail records it: empty stays empty, else ``sha256:<hex>``."""
    if not text_value:
        return ""
    return "sha256:" + hashlib.sha256(text_value.encode("utf-8")).hexdigest()


def _loggable(value: Any) -> Any:
    """An answer value with every free-text string replaced by its fingerprint.

    Numbers, booleans, dates and short lower-case choice keys (``yes``, ``not_applicable``) are
    kept as they are, so the trail shows a grade going from 2 to 3; anything else that is text
    might be a name, so only its fingerprint is kept.
    """
    if isinstance(value, str):
        return value if _TOKEN.match(value) else fingerprint(value)
    if isinstance(value, list | tuple):
        return [_loggable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _loggable(item) for key, item in value.items()}
    return value


def iso(moment: datetime | date | None) -> str | None:
    """A date, or a moment as UTC ISO 8601 with microseconds (naive values are UTC)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        return moment.isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _value(member: Any) -> Any:
    return getattr(member, "value", member)


def _snap_audit(a: Audit) -> dict[str, Any]:
    return {
        "id": a.id,
        "case_file_id": a.case_file_id,
        "template_version_id": a.template_version_id,
        "sample_item_id": a.sample_item_id,
        "auditor_user_id": a.auditor_user_id,
        "status": _value(a.status),
        "due_on": iso(a.due_on),
        "suggested_grade": a.suggested_grade,
        "overall_grade": a.overall_grade,
        "overall_rationale": fingerprint(a.overall_rationale),
        "compliance_percent": a.compliance_percent,
        "started_at": iso(a.started_at),
    }


def _snap_answer(a: Answer) -> dict[str, Any]:
    return {
        "id": a.id,
        "audit_id": a.audit_id,
        "question_id": a.question_id,
        "value": _loggable(a.value),
        "evidence": fingerprint(a.evidence),
        "na_reason": fingerprint(a.na_reason),
    }


def _snap_judgement(j: SectionJudgement) -> dict[str, Any]:
    return {
        "id": j.id,
        "audit_id": j.audit_id,
        "section_id": j.section_id,
        "grade": j.grade,
        "commentary": fingerprint(j.commentary),
    }


def _snap_action(a: Action) -> dict[str, Any]:
    return {
        "id": a.id,
        "audit_id": a.audit_id,
        "finding_id": a.finding_id,
        "section_id": a.section_id,
        "question_id": a.question_id,
        "description": fingerprint(a.description),
        "owner_worker_id": a.owner_worker_id,
        "timescale_band": _value(a.timescale_band),
        "due_on": iso(a.due_on),
        "review_on": iso(a.review_on),
        "status": _value(a.status),
        "completed_on": iso(a.completed_on),
        "completion_evidence": fingerprint(a.completion_evidence),
    }


def _snap_sign_off(o: SignOff) -> dict[str, Any]:
    return {
        "id": o.id,
        "audit_id": o.audit_id,
        "user_id": o.user_id,
        "kind": o.kind,
        "at": iso(o.at),
        "content_hash": o.content_hash,
        "content": fingerprint(canonical_json(o.content or {})),
        "reason": fingerprint(o.reason),
    }


def _snap_user(u: User) -> dict[str, Any]:
    # Never the password hash; failed_logins changes on every mistyped password and is not
    # a change to the account.
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": _value(u.role),
        "worker_id": u.worker_id,
        "active": bool(u.active),
        "locked_until": iso(u.locked_until),
    }


#: The records whose current state the trail vouches for: model, entity name, snapshot.
LOGGED_ENTITIES: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    Audit: ("audit", _snap_audit),
    Answer: ("answer", _snap_answer),
    SectionJudgement: ("section_judgement", _snap_judgement),
    Action: ("action", _snap_action),
    SignOff: ("sign_off", _snap_sign_off),
    User: ("user", _snap_user),
}
AUDIT_PARTS = frozenset({"answer", "section_judgement", "action", "sign_off"})


def entity_name(row: Any) -> str:
    """The trail's name for a logged record's kind (``audit``, ``answer``, ``user``, ...)."""
    try:
        return LOGGED_ENTITIES[type(row)][0]
    except KeyError:
        raise TypeError(f"{type(row).__name__} is not a logged record") from None


def snapshot(row: Any) -> dict[str, Any]:
    """The canonical state of a logged record, as writers record it and ``verify`` checks it.

    It never holds a password hash or anything from the identity tables; free text appears
    only as a fingerprint. Call it after ``session.flush()`` so the id is known.
    """
    try:
        snap = LOGGED_ENTITIES[type(row)][1]
    except KeyError:
        raise TypeError(f"{type(row).__name__} is not a logged record") from None
    return json.loads(canonical_json(snap(row)))
