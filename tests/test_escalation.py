"""Safeguarding escalation: "Child may be at risk now" blocks sign-off until acknowledged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from caseaudit.errors import NotFound, PermissionDenied, ValidationError
from caseaudit.models import Action, ChangeLogEntry, Finding
from caseaudit.services import actions, audits, escalation, signoff, trail
from caseaudit.vocabulary import ActionStatus, AuditStatus, FindingKind, TimescaleBand

from .test_audits_service import World, build_world, complete_audit

CONCERN = "Bruising noted on the last visit record with no strategy discussion held."
NOTE = "Phoned TM 14:20, visit arranged today"


@pytest.fixture
def world(database) -> World:
    return build_world(database)


def test_concern_records_finding_and_immediate_action_for_the_manager(world):
    me = world.users["auditor"]
    before = datetime.now(UTC)
    row = escalation.raise_concern(world.db, me, world.audit_id, CONCERN, world.team_manager_id)
    assert row.audit_id == world.audit_id and row.text == CONCERN
    assert before <= row.raised_at <= datetime.now(UTC)
    assert row.raised_by == "Test auditor"
    assert (row.manager_worker_id, row.manager_name) == (world.team_manager_id, "Tara Manager")
    assert row.acknowledged_at is None and row.acknowledged_note == ""
    with world.db.session() as s:
        finding = s.get(Finding, row.finding_id)
        assert finding.kind == FindingKind.SAFEGUARDING_CONCERN
        action = s.get(Action, row.action_id)
        assert action.finding_id == finding.id and action.owner_worker_id == world.team_manager_id
        assert action.timescale_band == TimescaleBand.IMMEDIATELY
        assert action.due_on == date.today() and action.status == ActionStatus.OPEN
    form = audits.open_audit(world.db, me, world.audit_id)
    assert [c.finding_id for c in form.concerns] == [row.finding_id]
    assert row.action_id in [a.id for a in form.actions]
    assert form.status == AuditStatus.IN_PROGRESS


def test_concern_blocks_sign_off_until_acknowledged(world):
    me = world.users["auditor"]
    db = world.db
    complete_audit(world)
    assert audits.open_audit(db, me, world.audit_id).status == AuditStatus.AWAITING_SIGN_OFF
    # allowed on an otherwise complete audit; it takes it out of "awaiting sign-off"
    row = escalation.raise_concern(db, me, world.audit_id, CONCERN, world.service_manager_id)
    assert audits.open_audit(db, me, world.audit_id).status == AuditStatus.IN_PROGRESS
    problems = signoff.sign_off_problems(db, me, world.audit_id)
    assert [p.kind for p in problems] == ["concern"]
    assert f"concern {row.finding_id}" in problems[0].message
    with pytest.raises(ValidationError) as caught:
        signoff.sign_off(db, me, world.audit_id, "auditor-password")
    assert caught.value.problems == [problems[0].message]
    acknowledged = escalation.acknowledge_concern(db, me, row.finding_id, NOTE)
    assert acknowledged.acknowledged_at is not None
    assert acknowledged.acknowledged_note == NOTE
    assert acknowledged.acknowledged_recorded_by == "Test auditor"
    assert audits.open_audit(db, me, world.audit_id).status == AuditStatus.AWAITING_SIGN_OFF
    assert signoff.sign_off_problems(db, me, world.audit_id) == []
    signed = signoff.sign_off(db, me, world.audit_id, "auditor-password")
    content = signoff.signed_content(db, world.audit_id, signed.id)
    assert content["concerns"][0]["text"] == CONCERN
    assert content["concerns"][0]["acknowledged_at"] is not None


def test_acknowledgement_completes_the_concern_action_and_stays(world):
    me = world.users["auditor"]
    db = world.db
    row = escalation.raise_concern(db, me, world.audit_id, CONCERN, world.team_manager_id)
    with pytest.raises(ValidationError, match="acknowledgement"):
        actions.update_action(
            db, me, row.action_id, status=ActionStatus.COMPLETED, completion_evidence="Done"
        )
    escalation.acknowledge_concern(db, world.users["qa"], row.finding_id, NOTE)
    action = next(a for a in actions.list_actions(db, me) if a.id == row.action_id)
    assert action.status == ActionStatus.COMPLETED and action.completion_evidence == NOTE
    with world.db.session() as s:
        assert s.get(Finding, row.finding_id).acknowledged_by_worker_id == world.team_manager_id
    with pytest.raises(ValidationError, match="already recorded"):
        escalation.acknowledge_concern(db, me, row.finding_id, "Again")
    with pytest.raises(ValidationError, match="acknowledgement"):
        actions.update_action(db, me, row.action_id, completion_evidence="Changed")
    again = audits.open_audit(db, me, world.audit_id).concerns[0]
    assert again.acknowledged_note == NOTE and again.acknowledged_recorded_by == "Test qa"


def test_concern_refusals(world):
    me = world.users["auditor"]
    db = world.db
    with pytest.raises(ValidationError, match="Say what the concern is"):
        escalation.raise_concern(db, me, world.audit_id, "  ", world.team_manager_id)
    with pytest.raises(ValidationError, match="team manager or service manager"):
        escalation.raise_concern(db, me, world.audit_id, CONCERN, world.social_worker_id)
    with pytest.raises(PermissionDenied):
        escalation.raise_concern(
            db, world.users["reviewer"], world.audit_id, CONCERN, world.team_manager_id
        )
    with pytest.raises(NotFound):
        escalation.raise_concern(db, me, 9999, CONCERN, world.team_manager_id)
    row = escalation.raise_concern(db, me, world.audit_id, CONCERN, world.team_manager_id)
    with pytest.raises(ValidationError, match="how the manager received"):
        escalation.acknowledge_concern(db, me, row.finding_id, "")
    with pytest.raises(PermissionDenied):
        escalation.acknowledge_concern(db, world.users["reviewer"], row.finding_id, NOTE)
    with pytest.raises(NotFound):
        escalation.acknowledge_concern(db, me, 9999, NOTE)


def test_concern_allowed_on_a_signed_audit(world):
    me = world.users["auditor"]
    db = world.db
    complete_audit(world)
    signoff.sign_off(db, me, world.audit_id, "auditor-password")
    row = escalation.raise_concern(db, me, world.audit_id, CONCERN, world.team_manager_id)
    assert audits.open_audit(db, me, world.audit_id).status == AuditStatus.SIGNED
    escalation.acknowledge_concern(db, me, row.finding_id, NOTE)
    report = trail.verify(db)
    assert report.ok, report.reason


def test_concern_and_acknowledgement_on_the_trail(world):
    me = world.users["auditor"]
    db = world.db
    row = escalation.raise_concern(db, me, world.audit_id, CONCERN, world.team_manager_id)
    escalation.acknowledge_concern(db, me, row.finding_id, NOTE)
    with db.session() as s:
        entries = s.execute(
            select(ChangeLogEntry.entity, ChangeLogEntry.operation, ChangeLogEntry.after)
            .where(ChangeLogEntry.entity.in_(["finding", "action"]))
            .order_by(ChangeLogEntry.id)
        ).all()
    assert [(e, o) for e, o, _a in entries] == [
        ("finding", "create"),
        ("action", "create"),
        ("finding", "acknowledge"),
        ("action", "acknowledge"),
    ]
    assert CONCERN not in repr(entries) and NOTE not in repr(entries)
    assert entries[2][2]["acknowledged_at"] is not None
    report = trail.verify(db)
    assert report.ok, report.reason
