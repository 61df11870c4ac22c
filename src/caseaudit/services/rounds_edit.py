"""Changing a round's sample by hand: adding or removing a file with a reason, reassigning it.

Each change is flagged on the item (``SampleReason.MANUAL`` with the reason, or ``removed`` with
the reason) and written into the round's method with who made it and when, so a report can say
what was chosen at random and what was not. A file is never assigned to an auditor with a
conflict of interest (they manage its team, or are its worker or IRO).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Audit, AuditRound, CaseFile, Child, RoundAuditor, SampleItem, User
from ..models.base import utcnow
from ..vocabulary import CaseStatus, PathwayStage, RoundStatus, SampleReason
from . import trail
from .permissions import Permission, require
from .rounds_core import RoundSummary, SampleItemInfo, find_round, summarise, users_named
from .sampling_frame import auditor_infos, frame_cases_for
from .sampling_spec import SampleSpec
from .sampling_types import stratum_key_function, stratum_label
from .snapshots import fingerprint
from .users import UserInfo


def _record(
    rnd: AuditRound, actor: UserInfo | None, action: str, case_key: str, reason: str
) -> None:
    """Write a change by hand into the round's method, and seal it into the trail (the reason
    only by fingerprint: it is free text and might name someone)."""
    session = object_session(rnd)
    if session is not None:
        session.flush()
        trail.append(
            session,
            actor.id if actor else None,
            "audit_round",
            rnd.id,
            "change sample",
            None,
            {"action": action, "case_key": case_key, "reason": fingerprint(reason)},
        )
    method = dict(rnd.method or {})
    changes = list(method.get("manual_changes", []))
    changes.append(
        {
            "action": action,
            "case_key": case_key,
            "reason": reason,
            "by": actor.username if actor else "",
            "at": utcnow().isoformat(timespec="seconds"),
        }
    )
    method["manual_changes"] = changes
    rnd.method = method


def _find_case_file(session: Session, ref: str) -> CaseFile:
    text = ref.strip()
    if text.startswith("#") and text[1:].isdigit():
        found = session.get(CaseFile, int(text[1:]))
    else:
        found = session.scalars(
            select(CaseFile)
            .join(Child, Child.id == CaseFile.child_id)
            .where(func.upper(Child.case_key) == text.upper())
            .order_by(CaseFile.opened_on.desc(), CaseFile.source_list, CaseFile.id.desc())
        ).first()
    if found is None:
        raise NotFound(f"There is no case file {text!r}. Give a case key such as C-0412.")
    return found


def _item(session: Session, rnd: AuditRound, ref: str | int) -> SampleItem:
    text = str(ref).strip()
    stmt = select(SampleItem).where(SampleItem.round_id == rnd.id)
    if text.isdigit():
        found = session.scalars(stmt.where(SampleItem.id == int(text))).first()
    else:
        case = _find_case_file(session, text)
        found = session.scalars(stmt.where(SampleItem.case_file_id == case.id)).first()
        if found is None:
            found = session.scalars(
                stmt.join(CaseFile, CaseFile.id == SampleItem.case_file_id).where(
                    CaseFile.child_id == case.child_id
                )
            ).first()
    if found is None:
        raise NotFound(f"{text!r} is not in the sample of the round {rnd.name!r}.")
    return found


def _need_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Say why, in a few words: a change made by hand needs a reason.")
    return reason


def _least_loaded(session: Session, rnd: AuditRound, case_file_id: int) -> int | None:
    case = frame_cases_for(session, [case_file_id], False)[0]
    ids = list(session.scalars(select(RoundAuditor.user_id).where(RoundAuditor.round_id == rnd.id)))
    load = dict(
        session.execute(
            select(SampleItem.auditor_user_id, func.count(SampleItem.id))
            .where(SampleItem.round_id == rnd.id, SampleItem.removed.is_(False))
            .group_by(SampleItem.auditor_user_id)
        ).all()
    )
    allowed = [a for a in auditor_infos(session, ids) if not a.conflict(case)]
    if not allowed:
        return None
    return min(allowed, key=lambda a: (load.get(a.user_id, 0), a.username)).user_id


def add_case(
    db: Database, actor: UserInfo | None, round_ref: str | int, case_ref: str, reason: str
) -> SampleItemInfo:
    """Add a file to the sample by hand (flagged as such, with the reason)."""
    require(actor, Permission.MANAGE_ROUNDS)
    reason = _need_reason(reason)
    with db.session() as session:
        rnd = find_round(session, round_ref)
        if rnd.status == RoundStatus.COMPLETED:
            raise ValidationError(f"The round {rnd.name!r} is completed; its sample cannot change.")
        case = _find_case_file(session, case_ref)
        key = session.scalar(select(Child.case_key).where(Child.id == case.child_id)) or ""
        existing = session.scalars(
            select(SampleItem)
            .join(CaseFile, CaseFile.id == SampleItem.case_file_id)
            .where(SampleItem.round_id == rnd.id, CaseFile.child_id == case.child_id)
        ).first()
        if existing is not None and not existing.removed:
            raise ValidationError(f"{key} is already in the sample of {rnd.name!r}.")
        spec = SampleSpec.from_dict(rnd.sample_spec or {})
        frame_case = frame_cases_for(session, [case.id], "outcome" in spec.strata)[0]
        stratum = stratum_label(spec.strata, stratum_key_function(spec.strata)(frame_case))
        if existing is not None:  # removed earlier: put it back
            existing.removed, existing.removed_reason = False, ""
            existing.reason, existing.reason_note = SampleReason.MANUAL, reason
            item, action = existing, "reinstated"
        else:
            item = SampleItem(
                round_id=rnd.id,
                case_file_id=case.id,
                stratum=stratum[:200],
                reason=SampleReason.MANUAL,
                reason_note=reason,
            )
            session.add(item)
            action = "added"
        item.auditor_user_id = _least_loaded(session, rnd, case.id)
        _record(rnd, actor, action, key, reason)
        session.flush()
        item_id = item.id
    return _item_info(db, round_ref, item_id)


def remove_case(
    db: Database, actor: UserInfo | None, round_ref: str | int, case_ref: str, reason: str
) -> SampleItemInfo:
    """Take a file out of the sample by hand; it stays listed as removed, with the reason."""
    require(actor, Permission.MANAGE_ROUNDS)
    reason = _need_reason(reason)
    with db.session() as session:
        rnd = find_round(session, round_ref)
        if rnd.status == RoundStatus.COMPLETED:
            raise ValidationError(f"The round {rnd.name!r} is completed; its sample cannot change.")
        item = _item(session, rnd, case_ref)
        if item.removed:
            raise ValidationError("That file has already been removed from the sample.")
        if session.scalar(select(Audit.id).where(Audit.sample_item_id == item.id)) is not None:
            raise ValidationError("An audit of that file has started, so it cannot be removed.")
        key = (
            session.scalar(
                select(Child.case_key)
                .join(CaseFile, CaseFile.child_id == Child.id)
                .where(CaseFile.id == item.case_file_id)
            )
            or ""
        )
        item.removed, item.removed_reason = True, reason
        _record(rnd, actor, "removed", key, reason)
        item_id = item.id
    return _item_info(db, round_ref, item_id)


def assign_item(
    db: Database, actor: UserInfo | None, round_ref: str | int, item_ref: str | int, username: str
) -> SampleItemInfo:
    """Give a sampled file to another auditor (never one with a conflict of interest)."""
    require(actor, Permission.MANAGE_ROUNDS)
    with db.session() as session:
        rnd = find_round(session, round_ref)
        item = _item(session, rnd, item_ref)
        user = users_named(session, [username])[0]
        case = frame_cases_for(session, [item.case_file_id], False)[0]
        auditor = auditor_infos(session, [user.id])[0]
        why = auditor.conflict(case)
        if why:
            raise ValidationError(
                f"{user.display_name} {why}, so may not audit {case.case_key}. Choose another auditor."
            )
        if session.get(RoundAuditor, (rnd.id, user.id)) is None:
            session.add(RoundAuditor(round_id=rnd.id, user_id=user.id))
        item.auditor_user_id = user.id
        _record(rnd, actor, f"assigned to {user.username}", case.case_key, "")
        item_id = item.id
    return _item_info(db, round_ref, item_id)


def set_auditors(
    db: Database, actor: UserInfo | None, round_ref: str | int, usernames: Sequence[str]
) -> RoundSummary:
    require(actor, Permission.MANAGE_ROUNDS)
    with db.session() as session:
        rnd = find_round(session, round_ref)
        wanted = {u.id for u in users_named(session, usernames)}
        for ra in list(rnd.auditors):
            if ra.user_id not in wanted:
                session.delete(ra)
        have = {ra.user_id for ra in rnd.auditors}
        for uid in sorted(wanted - have):
            session.add(RoundAuditor(round_id=rnd.id, user_id=uid))
        session.flush()
        session.expire(rnd)
        return summarise(session, rnd)


def _item_info(db: Database, round_ref: str | int, item_id: int) -> SampleItemInfo:
    with db.session() as session:
        rnd = find_round(session, round_ref)
        item = session.get(SampleItem, item_id)
        if item is None or item.round_id != rnd.id:
            raise NotFound("That sample item no longer exists.")
        c = frame_cases_for(session, [item.case_file_id], False)[0]
        user = session.get(User, item.auditor_user_id) if item.auditor_user_id else None
        return SampleItemInfo(
            item.id,
            item.case_file_id,
            c.case_key,
            item.stratum,
            item.reason,
            item.reason_note,
            user.username if user else None,
            user.display_name if user else "",
            item.removed,
            item.removed_reason,
            PathwayStage(c.stage),
            CaseStatus(c.status),
            c.team,
            c.worker,
        )
