"""Autosave's fast path: what it stores and returns equals a full regrade, on every backend.

``save_answer``, ``set_section_grade`` and ``set_overall`` run on plain Core statements with the
trail's write lock taken once per transaction and its head remembered within it. These tests
drive random sequences of changes through them and check after every change that the returned
grading, and the suggested grade, compliance and status stored on the audit row, equal what a
fresh full regrade of the stored answers gives; that the trail verifies (so every change got a
sealed entry and the records match their last recorded state); and that the lock and head
memos never let a rolled-back savepoint, a commit or a direct write fork the chain.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from caseaudit.db import Database
from caseaudit.models import Audit, ChangeLogEntry, User
from caseaudit.services import audits, trail
from caseaudit.services.audit_records import case_context, definition_for, judgements
from caseaudit.services.demo_trail import DemoTrail
from caseaudit.templating import AnswerValue, grade, is_answered
from caseaudit.vocabulary import AuditStatus

from .test_audits_service import World, build_world

STEPS = 30


@pytest.fixture
def world(database) -> World:
    return build_world(database)


def _random_value(rng: random.Random, question) -> tuple[object, str | None]:  # noqa: ANN001
    """A value for ``question`` (sometimes blank) and, for N/A, a reason (sometimes blank)."""
    if rng.random() < 0.15:
        return None, None
    if question.type == "yes_no":
        word = rng.choice(
            ["yes", "no"] + ["partly"] * question.allow_partly + ["na"] * question.allow_na
        )
        return word, (rng.choice(["", "Not relevant here"]) if word == "na" else None)
    if question.type == "grade":
        return rng.randint(1, 4), None
    if question.type == "date":
        return date(2025, 3, 1) + timedelta(days=rng.randint(0, 40)), None
    if question.type == "number":
        return rng.randint(0, 20), None
    if question.type == "choice":
        return rng.choice(question.options), None
    return rng.choice(["Seen at home", "Seen at school"]), None


def _full_regrade(world: World):  # noqa: ANN202
    """Grade the audit from scratch, from what is stored, as ``open_audit`` would."""
    with world.db.session() as s:
        audit = s.get(Audit, world.audit_id)
        definition = definition_for(s, audit.template_version_id)
        answers = {
            a.question_id: AnswerValue(a.value, a.evidence or "", a.na_reason or "")
            for a in audit.answers
        }
        grades = {sid: g for sid, (g, _c) in judgements(s, audit.id).items()}
        result = grade(
            definition,
            answers,
            grades,
            audit.overall_grade,
            case_context(s, audit.case_file_id),
            overall_rationale=audit.overall_rationale,
        )
        answered = any(is_answered(a.value) for a in answers.values())
        row = (audit.suggested_grade, audit.compliance_percent, AuditStatus(audit.status))
    return result, row, answered


@pytest.mark.parametrize("seed", [1, 2])
def test_random_changes_store_and_return_a_full_regrade(world, seed):
    rng = random.Random(seed)
    me = world.users["auditor"]
    with world.db.session() as s:
        definition = definition_for(s, world.template_version_id)
    questions = definition.questions
    graded = [section.id for section in definition.sections if section.graded]
    for _step in range(STEPS):
        roll = rng.random()
        if roll < 0.75:
            question = rng.choice(questions)
            value, reason = _random_value(rng, question)
            evidence = rng.choice([None, "", "Seen on file"])
            saved = audits.save_answer(
                world.db,
                me,
                world.audit_id,
                question.id,
                value,
                evidence=evidence,
                na_reason=reason,
            )
        elif roll < 0.9:
            commentary = rng.choice([None, "", "Good"])
            saved = audits.set_section_grade(
                world.db,
                me,
                world.audit_id,
                rng.choice(graded),
                rng.choice([None, 1, 2, 3, 4]),
                commentary=commentary,
            )
        else:
            given = rng.choice([None, 1, 2, 3, 4])
            saved = audits.set_overall(world.db, me, world.audit_id, given, rng.choice([None, "R"]))
        result, row, answered = _full_regrade(world)
        assert saved.grading == result
        assert row[0] == (result.suggested_overall if answered else None)
        assert row[1] == (result.compliance.percent if answered else None)
        assert saved.status == row[2]
        if row[2] != AuditStatus.NOT_STARTED:
            expect = AuditStatus.IN_PROGRESS if result.missing else AuditStatus.AWAITING_SIGN_OFF
            assert row[2] == expect
    report = trail.verify(world.db)
    assert report.ok, report.reason


@contextmanager
def _statements_run(db: Database) -> Iterator[list[str]]:
    """The SQL statements run while the block runs (on SQLite, as the driver runs them: autosave
    there bypasses SQLAlchemy's engine, so its events would not see them)."""
    statements: list[str] = []

    def seen(statement: str) -> None:
        statements.append(" ".join(statement.split()))

    def seen_by_engine(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        seen(statement)

    def on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.set_trace_callback(seen)

    if db.kind == "postgresql":
        event.listen(db.engine, "before_cursor_execute", seen_by_engine)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", seen_by_engine)
        return
    db.engine.dispose()  # new connections, each traced from the start
    event.listen(db.engine, "connect", on_connect)
    try:
        yield statements
    finally:
        event.remove(db.engine, "connect", on_connect)
        db.engine.dispose()


def test_a_save_takes_the_write_lock_once_and_never_reads_the_head_alone(world):
    me = world.users["auditor"]
    audits.save_answer(world.db, me, world.audit_id, "seen_alone", "yes")
    with _statements_run(world.db) as statements:
        audits.save_answer(world.db, me, world.audit_id, "seen_alone", "no", evidence="Seen")
    locks = [s for s in statements if any(w in s for w in ("advisory", "WHERE 0", "IMMEDIATE"))]
    assert len(locks) == 1, statements
    heads = ("SELECT change_log.id, change_log.entry_hash", "SELECT id, entry_hash FROM change_log")
    alone = [s for s in statements if s.startswith(heads)]
    assert alone == [], statements
    commits = [s for s in statements if s == "COMMIT"]
    assert len(commits) == (0 if world.db.kind == "postgresql" else 1), statements
    inserts = [s for s in statements if s.startswith("INSERT INTO change_log")]
    assert len(inserts) == 1  # both entries in one statement
    with world.db.session() as s:
        newest = s.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id.desc()).limit(2))
        assert [e.entity for e in newest] == ["audit", "answer"]  # its compliance fell
    assert trail.verify(world.db).ok


def _append(s, note: str) -> int:  # noqa: ANN001
    return trail.append(s, None, "settings", note, "update", None, {"note": note}).id


def test_the_head_is_read_again_after_a_rolled_back_savepoint(world):
    db = world.db
    with db.session() as s:
        first = _append(s, "one")
        savepoint = s.begin_nested()
        _append(s, "rolled back")
        savepoint.rollback()
        third = _append(s, "two")
        savepoint = s.begin_nested()
        fourth = _append(s, "kept")
        savepoint.commit()
        fifth = _append(s, "three")
    assert (third, fourth, fifth) == (first + 1, first + 2, first + 3)
    report = trail.verify(db)
    assert report.ok, report.reason


def test_the_lock_and_head_are_taken_again_after_a_commit(world):
    db = world.db
    with db.session() as s:
        first = _append(s, "before commit")
        s.commit()
        with db.session() as other:
            _append(other, "another writer")
        after = _append(s, "after commit")
    assert after == first + 2
    report = trail.verify(db)
    assert report.ok, report.reason


def test_append_after_entries_written_directly_follows_them(world):
    db = world.db
    with db.session() as s:
        _append(s, "first")
        direct = DemoTrail(s)
        user = s.scalars(select(User).order_by(User.id)).first()
        row = {c.key: getattr(user, c.key) for c in User.__table__.columns}
        direct.created(User, row, None, user.created_at)
        direct.write()
        last = _append(s, "after the direct write")
    with db.session() as s:
        newest = s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
    assert last == newest
    # The direct entry re-creates a user that already has one, which is fine for the chain.
    assert trail.verify(db, check_records=False).ok


def test_two_auditors_saving_at_once_never_fork_the_chain(world):
    """Each save waits for the write lock, so concurrent autosaves chain one after another."""
    errors: list[BaseException] = []

    def autosave(who: str, audit_id: int) -> None:
        try:
            for n in range(15):
                value = ("yes", "no", "partly")[n % 3]
                audits.save_answer(world.db, world.users[who], audit_id, "seen_alone", value)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    workers = [
        threading.Thread(target=autosave, args=("auditor", world.audit_id)),
        threading.Thread(target=autosave, args=("other", world.second_audit_id)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    report = trail.verify(world.db)
    assert report.ok, report.reason
    with world.db.session() as s:
        ids = list(s.scalars(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id)))
    assert ids == list(range(1, len(ids) + 1))
