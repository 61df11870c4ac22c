"""Sign-off: completeness, the password again, the content hash, the lock, reopening, history."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from caseaudit.errors import AuthenticationFailed, CaseAuditError, PermissionDenied, ValidationError
from caseaudit.models import Audit, ChangeLogEntry, SignOff
from caseaudit.services import actions, audits, escalation, signoff, trail
from caseaudit.services.audit_records import AuditLocked
from caseaudit.services.snapshots import canonical_json
from caseaudit.vocabulary import AuditStatus, TimescaleBand

from .test_audits_service import COMPLETE_ANSWERS, World, build_world, complete_audit

PASSWORD = "auditor-password"


@pytest.fixture
def world(database) -> World:
    return build_world(database)


def test_sign_off_refused_listing_every_missing_item(world):
    me = world.users["auditor"]
    db = world.db
    audits.save_answer(db, me, world.audit_id, "seen_alone", "na")
    audits.save_answer(db, me, world.audit_id, "voice_quality", 2)
    audits.set_overall(db, me, world.audit_id, 4)
    problems = signoff.sign_off_problems(db, me, world.audit_id)
    kinds = [p.kind for p in problems]
    assert kinds.count("answer") == 6  # 3 dates, visits, risk_updated, safety_quality
    assert {"na_reason", "section_grade", "rationale"} <= set(kinds)
    assert kinds.count("section_grade") == 2
    with pytest.raises(ValidationError) as caught:
        signoff.sign_off(db, me, world.audit_id, PASSWORD)
    assert caught.value.problems == [p.message for p in problems]
    assert f"{len(problems)} things still to do" in str(caught.value)
    assert any("reason for answering N/A" in p for p in caught.value.problems)
    assert any("Explain why the overall grade" in p for p in caught.value.problems)
    with db.session() as s:
        assert s.scalar(select(SignOff.id).where(SignOff.audit_id == world.audit_id)) is None
        assert s.get(Audit, world.audit_id).status == AuditStatus.IN_PROGRESS


def test_wrong_password_refused(world):
    complete_audit(world)
    with pytest.raises(AuthenticationFailed, match="not right"):
        signoff.sign_off(world.db, world.users["auditor"], world.audit_id, "not my password")
    form = audits.open_audit(world.db, world.users["auditor"], world.audit_id)
    assert form.status == AuditStatus.AWAITING_SIGN_OFF and not form.history


def test_sign_off_records_content_and_hash_and_locks(world):
    me = world.users["auditor"]
    db = world.db
    action = actions.raise_action(
        db, me, world.audit_id, "Share the plan", world.team_manager_id, TimescaleBand.THREE_MONTHS
    )
    complete_audit(world)
    row = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    assert (row.kind, row.user_name, row.reason, row.amends) == (
        "sign_off",
        "Test auditor",
        "",
        None,
    )
    content = signoff.signed_content(db, world.audit_id, row.id)
    assert row.content_hash == hashlib.sha256(canonical_json(content).encode()).hexdigest()
    assert content["answers"]["strategy_date"]["value"] == "2025-03-03"
    assert content["answers"]["seen_alone"]["evidence"] == "Evidence for seen_alone"
    assert set(content["answers"]) == set(COMPLETE_ANSWERS)
    assert content["section_grades"] == {"voice": 2, "safety": 2}
    assert content["overall_grade"] == 2 and content["suggested_grade"] == 2
    assert [a["id"] for a in content["actions"]] == [action.id]
    assert content["signed_by_user_id"] == me.id
    form = audits.open_audit(db, me, world.audit_id)
    assert form.status == AuditStatus.SIGNED and form.read_only
    assert [h.id for h in form.history] == [row.id]


def test_signed_audit_refuses_every_edit(world):
    me = world.users["auditor"]
    db = world.db
    complete_audit(world)
    signoff.sign_off(db, me, world.audit_id, PASSWORD)
    for actor in (me, world.users["qa"], world.users["admin"]):
        with pytest.raises(AuditLocked, match="signed off on .* by Test auditor"):
            audits.save_answer(db, actor, world.audit_id, "seen_alone", "no")
        with pytest.raises(AuditLocked):
            audits.set_section_grade(db, actor, world.audit_id, "voice", 4)
        with pytest.raises(AuditLocked):
            audits.set_overall(db, actor, world.audit_id, 4, "Changed my mind")
        with pytest.raises(AuditLocked):
            actions.raise_action(
                db, actor, world.audit_id, "More", world.team_manager_id, "immediately"
            )
        with pytest.raises(AuditLocked):
            signoff.sign_off(db, actor, world.audit_id, PASSWORD)
    assert issubclass(AuditLocked, CaseAuditError) and audits.AuditLocked is AuditLocked
    form = audits.open_audit(db, me, world.audit_id)
    assert form.answers["seen_alone"].value == "partly" and form.overall_grade == 2


def test_reopen_needs_reason_and_role_and_keeps_signed_version(world):
    me = world.users["auditor"]
    db = world.db
    complete_audit(world)
    first = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    signed_before = signoff.signed_content(db, world.audit_id, first.id)
    with pytest.raises(PermissionDenied):
        signoff.reopen(db, me, world.audit_id, "I want to change it")
    with pytest.raises(ValidationError, match="reason"):
        signoff.reopen(db, world.users["qa"], world.audit_id, "   ")
    reopened = signoff.reopen(db, world.users["qa"], world.audit_id, "Moderation found an error")
    assert (reopened.kind, reopened.reason, reopened.user_name) == (
        "reopen",
        "Moderation found an error",
        "Test qa",
    )
    assert reopened.content_hash == first.content_hash
    form = audits.open_audit(db, me, world.audit_id)
    assert form.status == AuditStatus.REOPENED and not form.read_only
    with pytest.raises(ValidationError, match="nothing to reopen"):
        signoff.reopen(db, world.users["qa"], world.audit_id, "Again")
    # amend: edits keep the status "reopened" until signed again
    saved = audits.save_answer(db, me, world.audit_id, "safety_quality", 3)
    assert saved.status == AuditStatus.REOPENED
    audits.set_section_grade(db, me, world.audit_id, "safety", 3)
    audits.set_overall(db, me, world.audit_id, 3, "Safety planning weaker than first judged.")
    problems = signoff.sign_off_problems(db, me, world.audit_id)
    assert problems == [], problems
    second = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    assert second.amends == first.id and second.content_hash != first.content_hash
    history = audits.open_audit(db, me, world.audit_id).history
    assert [(h.kind, h.id) for h in history] == [
        ("sign_off", first.id),
        ("reopen", reopened.id),
        ("sign_off", second.id),
    ]
    # the first signed version is kept exactly
    assert signoff.signed_content(db, world.audit_id, first.id) == signed_before
    assert signed_before["answers"]["safety_quality"]["value"] == 2
    amended = signoff.signed_content(db, world.audit_id, second.id)
    assert amended["answers"]["safety_quality"]["value"] == 3
    assert amended["amends_sign_off_id"] == first.id


def test_tampered_signed_content_is_detected(world):
    me = world.users["auditor"]
    db = world.db
    complete_audit(world)
    row = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    with db.session() as s:
        record = s.get(SignOff, row.id)
        changed = dict(record.content)
        changed["overall_grade"] = 1
        s.execute(SignOff.__table__.update().where(SignOff.id == row.id).values(content=changed))
    with pytest.raises(CaseAuditError, match="no longer matches the hash"):
        signoff.signed_content(db, world.audit_id, row.id)


def test_full_flow_leaves_a_whole_trail_with_every_change(world):
    me = world.users["auditor"]
    db = world.db
    with db.session() as s:
        start = s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
    action = actions.raise_action(
        db, me, world.audit_id, "Act", world.social_worker_id, TimescaleBand.IMMEDIATELY
    )
    concern = escalation.raise_concern(
        db, me, world.audit_id, "Child may be at risk", world.team_manager_id
    )
    escalation.acknowledge_concern(db, me, concern.finding_id, "Phoned the manager")
    complete_audit(world)
    first = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    signoff.reopen(db, world.users["admin"], world.audit_id, "Typo in evidence")
    audits.save_answer(db, me, world.audit_id, "visits", 7, evidence="Corrected")
    second = signoff.sign_off(db, me, world.audit_id, PASSWORD)
    actions.update_action(db, me, action.id, status="completed", completion_evidence="Done")
    with db.session() as s:
        entries = s.execute(
            select(ChangeLogEntry.entity, ChangeLogEntry.entity_id, ChangeLogEntry.operation)
            .where(ChangeLogEntry.id > start)
            .order_by(ChangeLogEntry.id)
        ).all()
        answers = s.execute(
            text("SELECT count(*) FROM answer WHERE audit_id = :a"), {"a": world.audit_id}
        ).scalar()
    seen = {(e, i) for e, i, _o in entries}
    assert ("sign_off", str(first.id)) in seen and ("sign_off", str(second.id)) in seen
    assert ("action", str(action.id)) in seen and ("finding", str(concern.finding_id)) in seen
    assert ("audit", str(world.audit_id)) in seen
    assert sum(1 for e, _i, o in entries if e == "answer" and o == "create") == answers
    operations = [o for e, i, o in entries if e == "audit"]
    assert operations.count("sign_off") == 2 and operations.count("reopen") == 1
    report = trail.verify(db)
    assert report.ok, report.reason
    assert not report.mismatches
    assert first.at.tzinfo is not None and second.at > first.at


def test_command_line_flow(sqlite_database, monkeypatch, capsys):
    from caseaudit.cli import main

    world = build_world(sqlite_database)
    db = ["--db", str(sqlite_database.path)]
    audit = str(world.audit_id)
    monkeypatch.setenv("CASEAUDIT_USER", "auditor")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", PASSWORD)
    assert main([*db, "audits", "list", "--mine"]) == 0
    out = capsys.readouterr().out
    assert world.case_key in out and "1 audit." in out
    values = {
        "strategy_date": "03/03/2025",
        "icpc_date": "2025-03-20",
        "core_group_date": "27/03/2025",
        "visits": "6",
        "seen_alone": "Partly",
        "not_seen_reason": "Refused",
        "voice_quality": "good",
        "risk_updated": "yes",
        "safety_quality": "2",
    }
    for question, value in values.items():
        assert main([*db, "audit", "answer", audit, question, value, "--evidence", "p. 4"]) == 0
    assert "Saved" in capsys.readouterr().out
    assert main([*db, "audit", "answer", audit, "visits", "lots"]) == 1
    assert "is not an answer" in capsys.readouterr().err
    assert main([*db, "audit", "sign", audit]) == 1
    err = capsys.readouterr().err
    assert "cannot be signed off yet" in err and "Give section 'Safety and risk' a grade" in err
    for section in ("voice", "safety"):
        assert main([*db, "audit", "grade", audit, section, "Good"]) == 0
    assert main([*db, "audit", "overall", audit, "2"]) == 0
    assert (
        main(
            [
                *db,
                "actions",
                "raise",
                audit,
                "Share the plan",
                "--owner",
                str(world.team_manager_id),
                "--band",
                "three_months",
            ]
        )
        == 0
    )
    assert main([*db, "audit", "show", audit]) == 0
    out = capsys.readouterr().out
    assert "Awaiting sign-off" in out and "ICPC held" in out and "To do" not in out
    assert main([*db, "audit", "sign", audit]) == 0
    assert "read-only" in capsys.readouterr().out
    assert main([*db, "audit", "answer", audit, "visits", "7"]) == 1
    assert "locked" in capsys.readouterr().err
    assert main([*db, "audit", "reopen", audit, "--reason", "x"]) == 3  # auditors may not
    monkeypatch.setenv("CASEAUDIT_USER", "qa")
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "qa-lead-password")
    assert main([*db, "audit", "reopen", audit, "--reason", "Moderation"]) == 0
    assert main([*db, "actions", "list"]) == 0
    assert "Share the plan" in capsys.readouterr().out
    report = trail.verify(sqlite_database)
    assert report.ok, report.reason
