"""Starting a round: every assigned file in its sample becomes an audit in someone's queue.

Drawing a sample only chooses files; auditors see nothing until the QA lead starts the round.
Starting creates one not-started ``Audit`` per sampled file that has an auditor and no audit
yet (against the round's template version, due on the round's due date), records each on the
trail, and moves the round to "in progress", after which the sample can no longer be redrawn
(only changed by hand, with a reason). Starting again later picks up files added or assigned
since; files with no auditor are named so the QA lead can assign them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..db import Database
from ..errors import ValidationError
from ..models import Audit, SampleItem
from ..vocabulary import AuditStatus, RoundStatus
from . import trail
from .permissions import Permission, require
from .rounds_core import find_round
from .users import UserInfo


@dataclass(frozen=True)
class RoundStarted:
    round_id: int
    round_name: str
    audits_created: int
    already_started: int
    unassigned_case_keys: list[str]


def start_round(db: Database, actor: UserInfo | None, round_ref: str | int) -> RoundStarted:
    """Create the audits for a sampled round's assigned files (all in one transaction)."""
    require(actor, Permission.MANAGE_ROUNDS)
    with trail.writing(db) as session:
        rnd = find_round(session, round_ref)
        if rnd.status == RoundStatus.DRAFT:
            raise ValidationError(
                f"The round {rnd.name!r} has no sample yet. Draw it first ('caseaudit sample'), "
                "then start it."
            )
        items = session.scalars(
            select(SampleItem).where(SampleItem.round_id == rnd.id, SampleItem.removed.is_(False))
        ).all()
        audited = set(
            session.scalars(
                select(Audit.sample_item_id).where(
                    Audit.sample_item_id.in_([i.id for i in items] or [-1])
                )
            )
        )
        created = 0
        unassigned: list[str] = []
        for item in items:
            if item.id in audited:
                continue
            if item.auditor_user_id is None:
                unassigned.append(item.case_file.child.case_key)
                continue
            audit = Audit(
                case_file_id=item.case_file_id,
                template_version_id=rnd.template_version_id,
                sample_item_id=item.id,
                auditor_user_id=item.auditor_user_id,
                status=AuditStatus.NOT_STARTED,
                due_on=rnd.due_on,
            )
            session.add(audit)
            session.flush()
            trail.record(session, actor.id, audit, "create")
            created += 1
        if created == 0 and not audited:
            raise ValidationError(
                f"No file in the round {rnd.name!r} has an auditor yet, so no audit was created. "
                "Assign the files first ('caseaudit round assign')."
            )
        if rnd.status == RoundStatus.SAMPLED:
            rnd.status = RoundStatus.IN_PROGRESS
        return RoundStarted(rnd.id, rnd.name, created, len(audited), sorted(unassigned))
