"""Actions from audit findings: due and review dates per band, raising, listing and updating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseaudit.errors import NotFound, PermissionDenied, ValidationError
from caseaudit.models import ChangeLogEntry
from caseaudit.services import actions, audits, trail
from caseaudit.services.audit_records import AuditLocked
from caseaudit.vocabulary import ActionStatus, AuditStatus, TimescaleBand

from .test_audits_service import World, build_world, complete_audit


@pytest.fixture
def world(database) -> World:
    return build_world(database)


# -- dates (pure) -------------------------------------------------------------------------------
def test_immediately_is_one_working_day_then_five_for_review():
    # Thursday 3 April 2025
    assert actions.due_and_review(TimescaleBand.IMMEDIATELY, date(2025, 4, 3)) == (
        date(2025, 4, 4),
        date(2025, 4, 10),
    )
    # Friday: due the next Monday
    assert actions.due_and_review(TimescaleBand.IMMEDIATELY, date(2025, 4, 4))[0] == date(
        2025, 4, 7
    )


def test_immediately_across_bank_holidays():
    # Thursday 17 April 2025: Good Friday 18th and Easter Monday 21st are bank holidays
    due, review = actions.due_and_review(TimescaleBand.IMMEDIATELY, date(2025, 4, 17))
    assert due == date(2025, 4, 22)
    assert review == date(2025, 4, 28)  # 22, 23, 24, 25, 28
    # Christmas 2026: Boxing Day is a Saturday, so Monday 28 December is a substitute day
    due, _ = actions.due_and_review(TimescaleBand.IMMEDIATELY, date(2026, 12, 24))
    assert due == date(2026, 12, 29)


def test_three_and_six_months():
    assert actions.due_and_review(TimescaleBand.THREE_MONTHS, date(2025, 1, 15)) == (
        date(2025, 4, 15),
        date(2025, 2, 26),  # six weeks, a Wednesday
    )
    # 31 August plus three months clamps to 30 November; six weeks on is Sunday 12 October,
    # so the review moves to Monday 13 October
    assert actions.due_and_review(TimescaleBand.THREE_MONTHS, date(2025, 8, 31)) == (
        date(2025, 11, 30),
        date(2025, 10, 13),
    )
    assert actions.due_and_review(TimescaleBand.SIX_MONTHS, date(2025, 1, 15)) == (
        date(2025, 7, 15),
        date(2025, 4, 15),
    )
    # review at three months lands on Easter Monday 2025 (21 April): moved to the Tuesday
    assert actions.due_and_review(TimescaleBand.SIX_MONTHS, date(2025, 1, 21)) == (
        date(2025, 7, 21),
        date(2025, 4, 22),
    )


# -- raising ------------------------------------------------------------------------------------
def test_raise_action_linked_to_question_with_dates(world):
    me = world.users["auditor"]
    row = actions.raise_action(
        world.db,
        me,
        world.audit_id,
        "  Update the safety plan with the family  ",
        world.social_worker_id,
        TimescaleBand.THREE_MONTHS,
        question_id="risk_updated",
        raised_on=date(2025, 1, 15),
    )
    assert row.description == "Update the safety plan with the family"
    assert (row.owner_worker_id, row.owner_name) == (world.social_worker_id, "Wendy Worker")
    assert (row.due_on, row.review_on) == (date(2025, 4, 15), date(2025, 2, 26))
    assert (row.section_id, row.question_id) == ("safety", "risk_updated")
    assert row.status == ActionStatus.OPEN and row.overdue  # due in 2025, still open
    form = audits.open_audit(world.db, me, world.audit_id)
    assert [a.id for a in form.actions] == [row.id]
    assert form.status == AuditStatus.IN_PROGRESS


def test_raise_action_refusals(world):
    me = world.users["auditor"]
    db = world.db
    with pytest.raises(ValidationError) as caught:
        actions.raise_action(
            db, me, world.audit_id, " ", world.social_worker_id, "immediately", section_id="nope"
        )
    assert caught.value.problems == [
        "Say what must be done.",
        "This audit's template has no section 'nope'.",
    ]
    with pytest.raises(ValidationError, match="owns the action"):
        actions.raise_action(db, me, world.audit_id, "Do it", 9999, TimescaleBand.IMMEDIATELY)
    with pytest.raises(ValidationError, match="not a timescale"):
        actions.raise_action(db, me, world.audit_id, "Do it", world.social_worker_id, "soon")
    with pytest.raises(PermissionDenied):
        actions.raise_action(
            db, world.users["other"], world.audit_id, "Do it", world.social_worker_id, "immediately"
        )
    with pytest.raises(PermissionDenied):
        actions.raise_action(
            db, world.users["reviewer"], world.audit_id, "Do", world.social_worker_id, "immediately"
        )
    assert actions.list_actions(db, me) == []


def test_no_new_action_on_a_signed_audit(world):
    complete_audit(world)
    from caseaudit.services import signoff

    signoff.sign_off(world.db, world.users["auditor"], world.audit_id, "auditor-password")
    with pytest.raises(AuditLocked):
        actions.raise_action(
            world.db,
            world.users["auditor"],
            world.audit_id,
            "Late thought",
            world.social_worker_id,
            TimescaleBand.SIX_MONTHS,
        )


# -- listing and updating -----------------------------------------------------------------------
def test_list_filters_and_overdue(world):
    me = world.users["auditor"]
    db = world.db
    today = date.today()
    late = actions.raise_action(
        db,
        me,
        world.audit_id,
        "Late",
        world.social_worker_id,
        "immediately",
        raised_on=today - timedelta(days=30),
    )
    current = actions.raise_action(
        db, me, world.audit_id, "Current", world.team_manager_id, "six_months"
    )
    other = actions.raise_action(
        db,
        world.users["other"],
        world.second_audit_id,
        "Other",
        world.team_manager_id,
        "three_months",
    )
    assert [a.id for a in actions.list_actions(db, me)] == [late.id, other.id, current.id]
    assert [a.id for a in actions.list_actions(db, me, overdue_only=True)] == [late.id]
    assert {a.id for a in actions.list_actions(db, me, audit_id=world.audit_id)} == {
        late.id,
        current.id,
    }
    by_owner = actions.list_actions(db, me, owner_worker_id=world.team_manager_id)
    assert {a.id for a in by_owner} == {current.id, other.id}
    assert actions.list_actions(db, me, status=ActionStatus.COMPLETED) == []
    # completing an overdue action takes it off the overdue list
    actions.update_action(
        db, me, late.id, status=ActionStatus.COMPLETED, completion_evidence="Plan done 2 May"
    )
    assert actions.list_actions(db, me, overdue_only=True) == []
    with pytest.raises(PermissionDenied):
        actions.list_actions(db, None)


def test_update_action_needs_evidence_to_complete(world):
    me = world.users["auditor"]
    db = world.db
    row = actions.raise_action(db, me, world.audit_id, "Act", world.social_worker_id, "immediately")
    with pytest.raises(ValidationError, match="without evidence"):
        actions.update_action(db, me, row.id, status=ActionStatus.COMPLETED)
    assert actions.list_actions(db, me)[0].status == ActionStatus.OPEN
    moved = actions.update_action(db, me, row.id, status="in_progress")
    assert moved.status == ActionStatus.IN_PROGRESS and moved.completed_on is None
    done = actions.update_action(
        db, me, row.id, status=ActionStatus.COMPLETED, completion_evidence="Seen in supervision"
    )
    assert done.completed_on == date.today() and done.completion_evidence == "Seen in supervision"
    reopened = actions.update_action(db, me, row.id, status=ActionStatus.OPEN)
    assert reopened.completed_on is None
    with pytest.raises(NotFound):
        actions.update_action(db, me, 9999, status=ActionStatus.OPEN)
    with pytest.raises(PermissionDenied):
        actions.update_action(db, world.users["reviewer"], row.id, status=ActionStatus.OPEN)


def test_actions_are_tracked_after_sign_off(world):
    me = world.users["auditor"]
    db = world.db
    row = actions.raise_action(db, me, world.audit_id, "Act", world.team_manager_id, "three_months")
    complete_audit(world)
    from caseaudit.services import signoff

    signoff.sign_off(db, me, world.audit_id, "auditor-password")
    done = actions.update_action(
        db, me, row.id, status=ActionStatus.COMPLETED, completion_evidence="Done"
    )
    assert done.status == ActionStatus.COMPLETED


def test_action_changes_on_the_trail(world):
    me = world.users["auditor"]
    db = world.db
    row = actions.raise_action(db, me, world.audit_id, "Act", world.social_worker_id, "immediately")
    actions.update_action(db, me, row.id, status=ActionStatus.IN_PROGRESS)
    with db.session() as s:
        entries = s.execute(
            select(ChangeLogEntry.operation, ChangeLogEntry.user_id).where(
                ChangeLogEntry.entity == "action", ChangeLogEntry.entity_id == str(row.id)
            )
        ).all()
    assert entries == [("create", me.id), ("update", me.id)]
    report = trail.verify(db)
    assert report.ok, report.reason


def test_owners_lists_managers_first(world):
    found = actions.owners(world.db)
    assert [name for _id, name, _label in found] == ["Sam Service", "Tara Manager", "Wendy Worker"]
    assert found[1] == (world.team_manager_id, "Tara Manager", "Team manager, Safeguarding North")
