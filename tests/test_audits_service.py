"""The audit services: the queue, opening an audit, and saving every kind of answer and grade.

``build_world`` (also used by the actions, escalation, sign-off and durability tests) writes a
small real organisation into a migrated database: teams, workers, program users of each role
(each on the trail, as the program creates them), the example template of docs/templates.md
(every answer type, conditions, a timescale and one rule of each kind), a child protection case
file with its pathway events, and audits assigned to the auditor in an open and a completed
round. Nothing here is mocked.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from caseaudit.db import Database
from caseaudit.errors import NotFound, PermissionDenied, ValidationError
from caseaudit.models import (
    Answer,
    Audit,
    AuditRound,
    AuditTemplate,
    CaseFile,
    ChangeLogEntry,
    Child,
    ChildIdentity,
    Organisation,
    PathwayEvent,
    SampleItem,
    Team,
    TemplateVersion,
    User,
    Worker,
)
from caseaudit.services import audits, trail
from caseaudit.services.users import UserInfo, hash_password
from caseaudit.templating import AnswerValue, load_template_text
from caseaudit.vocabulary import (
    AuditStatus,
    PathwayStage,
    RoundStatus,
    UserRole,
    WorkerRole,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "templates.md"
PASSWORDS = {
    "auditor": "auditor-password",
    "other": "other-auditor-password",
    "qa": "qa-lead-password",
    "admin": "admin-password",
    "reviewer": "reviewer-password",
    "moderator": "moderator-password",
}
ROLES = {
    "auditor": UserRole.AUDITOR,
    "other": UserRole.AUDITOR,
    "qa": UserRole.QA_LEAD,
    "admin": UserRole.ADMINISTRATOR,
    "reviewer": UserRole.READ_ONLY,
    "moderator": UserRole.MODERATOR,
}
CHILD_NAME = ("Kayden", "Testchild")


def example_template_text() -> str:
    """The complete small example of docs/templates.md (every answer type and rule kind)."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("```yaml") + len("```yaml\n")
    return text[start : text.index("```", start)]


@functools.cache
def _hash(password: str) -> str:
    return hash_password(password)


@dataclass
class World:
    db: Database
    users: dict[str, UserInfo]
    audit_id: int  # open round, assigned to "auditor", not started
    second_audit_id: int  # open round, assigned to "other"
    closed_audit_id: int  # completed round, signed, assigned to "auditor"
    template_version_id: int
    team_manager_id: int
    service_manager_id: int
    social_worker_id: int
    case_key: str
    extra: dict[str, int] = field(default_factory=dict)


def build_world(db: Database, *, template_text: str | None = None) -> World:
    """Write the small organisation described in the module docstring; return its ids."""
    source = template_text or example_template_text()
    definition = load_template_text(source, "example.yaml")
    today = date.today()
    with trail.writing(db) as s:
        org = Organisation(name="Test Borough Council", is_demo=True, settings={})
        team = Team(organisation=org, name="Safeguarding North", service="Safeguarding")
        other_team = Team(organisation=org, name="Children in need", service="Safeguarding")
        manager = Worker(name="Tara Manager", role=WorkerRole.TEAM_MANAGER, team=team)
        service = Worker(name="Sam Service", role=WorkerRole.SERVICE_MANAGER, team=other_team)
        worker = Worker(name="Wendy Worker", role=WorkerRole.SOCIAL_WORKER, team=team)
        s.add_all([org, team, other_team, manager, service, worker])
        s.flush()
        users: dict[str, UserInfo] = {}
        for key, password in PASSWORDS.items():
            user = User(
                username=key,
                display_name=f"Test {key}",
                role=ROLES[key],
                password_hash=_hash(password),
            )
            s.add(user)
            s.flush()
            trail.record(s, None, user, "create")
            users[key] = UserInfo(user.id, user.username, user.display_name, user.role, None)
        template = AuditTemplate(key=definition.id, title=definition.title, theme=definition.theme)
        s.add(template)
        s.flush()
        version = TemplateVersion(
            template_id=template.id,
            version=definition.version,
            scale=definition.scale.key,
            source_name="example.yaml",
            source_text=source,
            sha256=hashlib.sha256(source.encode()).hexdigest(),
            definition=definition.to_json(),
            question_count=len(definition.questions),
        )
        s.add(version)
        s.flush()
        open_round = AuditRound(
            name="Open round",
            template_version_id=version.id,
            period_start=today - timedelta(days=90),
            period_end=today - timedelta(days=1),
            status=RoundStatus.IN_PROGRESS,
        )
        closed_round = AuditRound(
            name="Completed round",
            template_version_id=version.id,
            period_start=today - timedelta(days=400),
            period_end=today - timedelta(days=300),
            status=RoundStatus.COMPLETED,
        )
        s.add_all([open_round, closed_round])
        s.flush()
        ids = []
        for number, (rnd, auditor, status, due) in enumerate(
            [
                (open_round, "auditor", AuditStatus.NOT_STARTED, today + timedelta(days=14)),
                (open_round, "other", AuditStatus.NOT_STARTED, today - timedelta(days=3)),
                (closed_round, "auditor", AuditStatus.SIGNED, today - timedelta(days=280)),
            ],
            start=1,
        ):
            child = Child(external_id=f"EXT-{number}", case_key=f"C-T{number:03d}")
            if number == 1:
                child.identity = ChildIdentity(
                    given_name=CHILD_NAME[0],
                    family_name=CHILD_NAME[1],
                    date_of_birth=date(2015, 4, 1),
                )
            case = CaseFile(
                child=child,
                team_id=team.id,
                worker_id=worker.id,
                current_stage=PathwayStage.CP_PLAN,
                opened_on=date(2025, 1, 6),
            )
            case.events = [
                PathwayEvent(stage=PathwayStage.STRATEGY_DISCUSSION, started_on=date(2025, 3, 3)),
                PathwayEvent(stage=PathwayStage.ICPC, started_on=date(2025, 3, 20)),
                PathwayEvent(stage=PathwayStage.CP_PLAN, started_on=date(2025, 3, 20)),
            ]
            item = SampleItem(round_id=rnd.id, case_file=case, auditor_user_id=users[auditor].id)
            s.add_all([child, case, item])
            s.flush()
            audit = Audit(
                case_file_id=case.id,
                template_version_id=version.id,
                sample_item_id=item.id,
                auditor_user_id=users[auditor].id,
                status=status,
                due_on=due,
            )
            s.add(audit)
            s.flush()
            trail.record(s, None, audit, "create")
            ids.append(audit.id)
        world = World(
            db=db,
            users=users,
            audit_id=ids[0],
            second_audit_id=ids[1],
            closed_audit_id=ids[2],
            template_version_id=version.id,
            team_manager_id=manager.id,
            service_manager_id=service.id,
            social_worker_id=worker.id,
            case_key="C-T001",
        )
    return world


#: Answers completing the example audit (the case file is on a CP plan, not a care leaver).
COMPLETE_ANSWERS: dict[str, object] = {
    "strategy_date": date(2025, 3, 3),
    "icpc_date": date(2025, 3, 20),
    "core_group_date": date(2025, 3, 27),
    "visits": 6,
    "seen_alone": "partly",
    "not_seen_reason": "Refused",
    "voice_quality": 2,
    "voice_evidence": "Recorded on the visit notes of 12 May.",
    "risk_updated": "yes",
    "safety_quality": 2,
}


def complete_audit(world: World, audit_id: int | None = None, who: str = "auditor") -> None:
    """Answer, grade and give the overall grade so that nothing is missing before sign-off."""
    audit_id = audit_id or world.audit_id
    actor = world.users[who]
    for qid, value in COMPLETE_ANSWERS.items():
        audits.save_answer(world.db, actor, audit_id, qid, value, evidence=f"Evidence for {qid}")
    for sid in ("voice", "safety"):
        audits.set_section_grade(world.db, actor, audit_id, sid, 2, commentary="Good work.")
    result = audits.set_overall(world.db, actor, audit_id, 2)
    assert result.grading.missing == [], result.grading.missing


@pytest.fixture
def world(database) -> World:
    return build_world(database)


# -- the queue ----------------------------------------------------------------------------------
def test_queue_lists_my_audits_in_open_rounds_with_overdue(world):
    me = world.users["auditor"]
    mine = audits.my_queue(world.db, me)
    assert [r.audit_id for r in mine] == [world.audit_id]
    row = mine[0]
    assert row.case_key == world.case_key
    assert row.pathway_label == "Child protection plan"
    assert (row.team, row.worker, row.round_name) == (
        "Safeguarding North",
        "Wendy Worker",
        "Open round",
    )
    assert row.template_title.startswith("Child protection visits")
    assert row.status == AuditStatus.NOT_STARTED and not row.overdue and row.grade_label == ""
    assert row.updated_at.tzinfo is not None
    everyone = {r.audit_id: r for r in audits.my_queue(world.db, me, everyone=True)}
    assert set(everyone) == {world.audit_id, world.second_audit_id}
    assert everyone[world.second_audit_id].overdue
    with_closed = audits.my_queue(world.db, me, include_closed_rounds=True)
    assert {r.audit_id for r in with_closed} == {world.audit_id, world.closed_audit_id}
    assert not next(r for r in with_closed if r.audit_id == world.closed_audit_id).overdue


def test_queue_shows_suggested_then_given_grade(world):
    me = world.users["auditor"]
    audits.save_answer(world.db, me, world.audit_id, "voice_quality", 3)
    assert audits.my_queue(world.db, me)[0].grade_label == "Requires improvement (suggested)"
    audits.set_overall(world.db, me, world.audit_id, 2, "Better than the answers suggest.")
    assert audits.my_queue(world.db, me)[0].grade_label == "Good"


def test_queue_is_one_query_however_many_audits(world):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        audits.my_queue(world.db, world.users["qa"], everyone=True)
        few = len(statements)
        with world.db.session() as s:
            template = s.get(Audit, world.audit_id)
            for number in range(40):
                child = Child(external_id=f"EXT-X{number}", case_key=f"C-X{number:03d}")
                case = CaseFile(
                    child=child, current_stage=PathwayStage.CIN_PLAN, opened_on=date(2025, 1, 1)
                )
                s.add(
                    Audit(
                        case_file=case,
                        template_version_id=template.template_version_id,
                        auditor_user_id=world.users["auditor"].id,
                    )
                )
        statements.clear()
        rows = audits.my_queue(world.db, world.users["qa"], everyone=True)
        assert len(rows) == 42
        assert len(statements) == few == 1
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)


def test_reviewer_sees_queue_but_anonymous_cannot(world):
    assert audits.my_queue(world.db, world.users["reviewer"], everyone=True)
    with pytest.raises(PermissionDenied):
        audits.my_queue(world.db, None)


# -- opening ------------------------------------------------------------------------------------
def test_open_audit_gives_form_without_child_identity(world):
    form = audits.open_audit(world.db, world.users["auditor"], world.audit_id)
    assert form.audit_id == world.audit_id and not form.read_only
    assert form.status == AuditStatus.NOT_STARTED
    assert form.definition.id == "cp-visits" and len(form.definition.questions) == 11
    header = form.header
    assert header.case_key == world.case_key and header.status_label == "Open"
    assert ("Case opened", date(2025, 1, 6)) in header.key_dates
    assert ("Initial child protection conference", date(2025, 3, 20)) in header.key_dates
    shown = repr(header)
    assert CHILD_NAME[0] not in shown and CHILD_NAME[1] not in shown and "2015" not in shown
    assert "cp_plan" in form.context.pathway_stages
    assert form.context.events["icpc"] == [date(2025, 3, 20)]
    # the care leavers section is not shown for a CP file; nothing answered yet
    assert "leaving_care" not in form.grading.visible_sections
    assert form.answers == {} and form.actions == [] and form.concerns == [] and not form.history
    assert any(m.question_id == "seen_alone" for m in form.grading.missing)


def test_open_audit_read_only_for_others_and_reviewers(world):
    assert audits.open_audit(world.db, world.users["other"], world.audit_id).read_only
    assert audits.open_audit(world.db, world.users["reviewer"], world.audit_id).read_only
    assert not audits.open_audit(world.db, world.users["qa"], world.audit_id).read_only
    with pytest.raises(NotFound):
        audits.open_audit(world.db, world.users["auditor"], 9999)


# -- saving -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "value", "stored"),
    [
        ("seen_alone", "yes", "yes"),
        ("seen_alone", "N/A", "na"),
        ("voice_quality", 3, 3),
        ("strategy_date", date(2025, 3, 3), "2025-03-03"),
        ("strategy_date", "2025-03-04", "2025-03-04"),
        ("visits", 7, 7),
        ("visits", 2.5, 2.5),
        ("not_seen_reason", "Too young", "Too young"),
        ("voice_evidence", "Seen alone at school; recorded 3 June.", None),
    ],
)
def test_save_and_reload_every_answer_type(world, question, value, stored):
    me = world.users["auditor"]
    if question == "not_seen_reason":  # shown only once seen_alone is no or partly
        audits.save_answer(world.db, me, world.audit_id, "seen_alone", "no")
    result = audits.save_answer(
        world.db, me, world.audit_id, question, value, evidence="Page 14 of the file"
    )
    assert result.audit_id == world.audit_id and result.saved_at.tzinfo is not None
    form = audits.open_audit(world.db, me, world.audit_id)
    expected = value if stored is None else stored
    assert form.answers[question] == AnswerValue(expected, "Page 14 of the file", "")
    with world.db.session() as s:
        row = s.scalars(
            select(Answer).where(Answer.audit_id == world.audit_id, Answer.question_id == question)
        ).one()
        assert row.value == expected


def test_na_needs_a_reason_and_keeps_it(world):
    me = world.users["auditor"]
    result = audits.save_answer(world.db, me, world.audit_id, "risk_updated", "yes")
    assert not any(m.kind == "na_reason" for m in result.grading.missing)
    result = audits.save_answer(world.db, me, world.audit_id, "seen_alone", "na")
    assert any(
        m.kind == "na_reason" and m.question_id == "seen_alone" for m in result.grading.missing
    )
    result = audits.save_answer(
        world.db, me, world.audit_id, "seen_alone", "na", na_reason="Baby of six weeks"
    )
    assert not any(m.kind == "na_reason" for m in result.grading.missing)
    # None leaves the evidence and reason as they are
    audits.save_answer(world.db, me, world.audit_id, "seen_alone", "na", evidence="Visit notes")
    answer = audits.open_audit(world.db, me, world.audit_id).answers["seen_alone"]
    assert answer == AnswerValue("na", "Visit notes", "Baby of six weeks")


@pytest.mark.parametrize(
    ("question", "value", "words"),
    [
        ("seen_alone", "maybe", "Was the child seen alone"),
        ("risk_updated", "partly", "risk assessment updated"),  # allow_partly: false
        ("voice_quality", 5, "grade from 1 to 4"),
        ("voice_quality", True, "grade from 1 to 4"),
        ("strategy_date", "last Tuesday", "must be a date"),
        ("visits", -1, "at least 0"),
        ("visits", float("nan"), "must be a number"),
        ("not_seen_reason", "Asleep", "not one of the options"),
        ("voice_evidence", 12, "must be text"),
    ],
)
def test_invalid_answer_refused_naming_the_question(world, question, value, words):
    me = world.users["auditor"]
    with pytest.raises(ValidationError) as caught:
        audits.save_answer(world.db, me, world.audit_id, question, value)
    assert words in str(caught.value)
    assert "Nothing was saved" in str(caught.value)
    with world.db.session() as s:
        assert s.scalar(select(Answer.id).where(Answer.audit_id == world.audit_id)) is None
        assert s.get(Audit, world.audit_id).status == AuditStatus.NOT_STARTED


def test_unknown_question_or_section_refused(world):
    me = world.users["auditor"]
    with pytest.raises(ValidationError, match="no question 'nonsense'"):
        audits.save_answer(world.db, me, world.audit_id, "nonsense", "yes")
    with pytest.raises(ValidationError, match="no section 'nonsense'"):
        audits.set_section_grade(world.db, me, world.audit_id, "nonsense", 2)
    with pytest.raises(ValidationError, match="not graded"):
        audits.set_section_grade(world.db, me, world.audit_id, "timeliness", 2)
    with pytest.raises(ValidationError, match="grade from 1 to 4"):
        audits.set_overall(world.db, me, world.audit_id, 0)


def test_status_moves_through_the_audit(world):
    me = world.users["auditor"]
    db = world.db
    first = audits.save_answer(db, me, world.audit_id, "seen_alone", "yes")
    assert first.status == AuditStatus.IN_PROGRESS
    with db.session() as s:
        assert s.get(Audit, world.audit_id).started_at is not None
    complete_audit(world)
    assert audits.open_audit(db, me, world.audit_id).status == AuditStatus.AWAITING_SIGN_OFF
    # clearing a required answer puts it back in progress
    back = audits.save_answer(db, me, world.audit_id, "risk_updated", None)
    assert back.status == AuditStatus.IN_PROGRESS
    again = audits.save_answer(db, me, world.audit_id, "risk_updated", "no")
    assert again.status == AuditStatus.AWAITING_SIGN_OFF


def test_suggested_grade_and_compliance_kept_on_the_row(world):
    me = world.users["auditor"]
    db = world.db
    audits.save_answer(db, me, world.audit_id, "voice_quality", 2)
    audits.save_answer(db, me, world.audit_id, "safety_quality", 4)
    audits.save_answer(db, me, world.audit_id, "seen_alone", "partly")
    result = audits.save_answer(db, me, world.audit_id, "risk_updated", "no")
    with db.session() as s:
        row = s.get(Audit, world.audit_id)
        assert row.suggested_grade == result.grading.suggested_overall == 4  # capped by safety
        assert row.compliance_percent == pytest.approx(25.0)  # partly ½ + no 0 over 2
    assert [c.rule_id for c in result.grading.overall_caps] == ["safety_cap"]
    assert "Safety and risk" in result.grading.overall_caps[0].sentence
    result = audits.save_answer(db, me, world.audit_id, "risk_updated", "yes")
    with db.session() as s:
        assert s.get(Audit, world.audit_id).compliance_percent == pytest.approx(75.0)


def test_timescale_result_comes_back_with_the_save(world):
    me = world.users["auditor"]
    audits.save_answer(world.db, me, world.audit_id, "strategy_date", date(2025, 3, 3))
    result = audits.save_answer(world.db, me, world.audit_id, "icpc_date", date(2025, 3, 26))
    check = result.grading.timescales["icpc_date"]
    assert not check.within and "17 working days" in check.sentence


def test_section_grade_commentary_and_overall_round_trip(world):
    me = world.users["auditor"]
    db = world.db
    audits.set_section_grade(db, me, world.audit_id, "voice", 3, commentary="Child's words absent.")
    audits.set_section_grade(db, me, world.audit_id, "safety", 2)
    audits.set_overall(db, me, world.audit_id, 2, "Safety outweighs voice here.")
    form = audits.open_audit(db, me, world.audit_id)
    assert form.section_grades == {"voice": 3, "safety": 2}
    assert form.section_commentary == {"voice": "Child's words absent."}
    assert (form.overall_grade, form.overall_rationale) == (2, "Safety outweighs voice here.")
    # None commentary leaves it; None grade clears the grade
    audits.set_section_grade(db, me, world.audit_id, "voice", None)
    form = audits.open_audit(db, me, world.audit_id)
    assert form.section_grades["voice"] is None
    assert form.section_commentary["voice"] == "Child's words absent."
    # a rationale is required when departing from the suggestion
    result = audits.set_overall(db, me, world.audit_id, 1, "")
    assert any(m.kind == "rationale" for m in result.grading.missing)


def test_only_the_assigned_auditor_or_overseers_edit(world):
    db = world.db
    with pytest.raises(PermissionDenied, match="assigned to Test auditor"):
        audits.save_answer(db, world.users["other"], world.audit_id, "seen_alone", "yes")
    with pytest.raises(PermissionDenied, match="Read-only reviewer"):
        audits.save_answer(db, world.users["reviewer"], world.audit_id, "seen_alone", "yes")
    with pytest.raises(PermissionDenied):
        audits.set_overall(db, world.users["moderator"], world.audit_id, 2)
    audits.save_answer(db, world.users["qa"], world.audit_id, "seen_alone", "yes")
    audits.save_answer(db, world.users["admin"], world.audit_id, "risk_updated", "yes")
    answers = audits.open_audit(db, world.users["auditor"], world.audit_id).answers
    assert set(answers) == {"seen_alone", "risk_updated"}


def test_every_save_is_on_the_trail_and_it_verifies(world):
    me = world.users["auditor"]
    db = world.db
    with db.session() as s:
        first = s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
    audits.save_answer(db, me, world.audit_id, "seen_alone", "yes", evidence="Visit 1")
    audits.save_answer(db, me, world.audit_id, "seen_alone", "no")
    audits.save_answer(db, me, world.audit_id, "seen_alone", "no")  # unchanged: no entry
    audits.set_section_grade(db, me, world.audit_id, "voice", 2, commentary="Good")
    audits.set_overall(db, me, world.audit_id, 3, "Reason")
    with db.session() as s:
        entries = list(
            s.scalars(
                select(ChangeLogEntry).where(ChangeLogEntry.id > first).order_by(ChangeLogEntry.id)
            )
        )
    kinds = [(e.entity, e.operation) for e in entries]
    assert kinds.count(("answer", "create")) == 1 and kinds.count(("answer", "update")) == 1
    assert ("section_judgement", "create") in kinds and ("audit", "update") in kinds
    assert all(e.user_id == me.id for e in entries)
    answer_update = next(e for e in entries if e.entity == "answer" and e.operation == "update")
    assert (answer_update.before["value"], answer_update.after["value"]) == ("yes", "no")
    assert "Visit 1" not in repr([e.after for e in entries])  # free text only as fingerprints
    report = trail.verify(db)
    assert report.ok, report.reason


def test_saved_at_is_now(world):
    before = datetime.now(UTC)
    result = audits.save_answer(world.db, world.users["auditor"], world.audit_id, "visits", 1)
    assert before <= result.saved_at <= datetime.now(UTC)


def test_clearing_what_was_never_given_changes_nothing(world):
    me = world.users["auditor"]
    db = world.db
    with db.session() as s:
        entries = s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
    result = audits.save_answer(db, me, world.audit_id, "seen_alone", None)
    assert result.status == AuditStatus.NOT_STARTED
    result = audits.set_section_grade(db, me, world.audit_id, "voice", None)
    assert result.status == AuditStatus.NOT_STARTED
    with db.session() as s:
        assert (
            s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
            == entries
        )
        assert s.get(Audit, world.audit_id).started_at is None
