"""Starting a round puts its sampled files into the auditors' queues, once, on the trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from caseaudit.errors import PermissionDenied, ValidationError
from caseaudit.models import Audit, AuditRound
from caseaudit.services import trail
from caseaudit.services.audits import my_queue
from caseaudit.services.round_start import start_round
from caseaudit.services.sampling import commit_sample
from caseaudit.vocabulary import AuditStatus, RoundStatus

from .test_rounds import loaded, new_round  # noqa: F401  (the fixture and the round builder)


def test_start_creates_one_audit_per_assigned_file_in_the_queue(loaded):  # noqa: F811
    db, who = loaded
    rnd = new_round(db, who)
    with pytest.raises(ValidationError, match="no sample yet"):
        start_round(db, who.qa, rnd.id)
    preview = commit_sample(db, who.qa, rnd.id, seed=5)
    with pytest.raises(PermissionDenied):
        start_round(db, who.auditor_a, rnd.id)
    started = start_round(db, who.qa, rnd.name)
    assigned = [item for item in preview.items if item.auditor_username]
    assert started.audits_created == len(assigned) > 0
    assert started.unassigned_case_keys == sorted(
        item.case_key for item in preview.items if not item.auditor_username
    )
    queues = {
        "amy": {row.case_key for row in my_queue(db, who.auditor_a)},
        "bob": {row.case_key for row in my_queue(db, who.auditor_b)},
    }
    by_auditor: dict[str, set[str]] = {"amy": set(), "bob": set()}
    for item in assigned:
        by_auditor[item.auditor_username].add(item.case_key)
    assert queues == by_auditor
    with db.session() as s:
        statuses = set(s.scalars(select(Audit.status)))
        assert statuses == {AuditStatus.NOT_STARTED}
    again = start_round(db, who.qa, rnd.id)
    assert again.audits_created == 0 and again.already_started == len(assigned)
    with db.session() as s:
        assert s.scalar(select(func.count(Audit.id))) == len(assigned)
    with pytest.raises(ValidationError, match="can no longer be"):
        commit_sample(db, who.qa, rnd.id, seed=6, redraw=True)
    report = trail.verify(db)
    assert report.ok, report.reason


def test_round_status_moves_to_in_progress(loaded):  # noqa: F811
    db, who = loaded
    rnd = new_round(db, who, name="February audit")
    commit_sample(db, who.qa, rnd.id, seed=9)
    start_round(db, who.qa, rnd.id)
    with db.session() as s:
        assert s.get(AuditRound, rnd.id).status == RoundStatus.IN_PROGRESS
