"""Autosave on SQLite's own connection (``audit_sqlite``): same rows, and a memo that never lies.

On SQLite and SQLCipher ``save_answer``, ``set_section_grade`` and ``set_overall`` run plain SQL
on the driver's connection and remember each audit's answers and surroundings per connection
between saves. These tests prove that the rows stored are those the Core path (SQLAlchemy's own
type conversions) stores, byte for byte apart from the moment of the change; that a change made
by anyone else (another connection, another window's session on the very same connection) is
seen by the next save; that a failed save forgets what it read; and that the rare change that
needs the ORM (a refusal to explain, a template not yet parsed) still works.
"""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import sessionmaker

from caseaudit.db import Database, create_db_engine, open_database
from caseaudit.models import Answer
from caseaudit.services import audit_records, audit_sqlite, audits, trail
from caseaudit.services.audit_records import definition_for

from .test_audits_autosave import _full_regrade, _random_value
from .test_audits_service import World, build_world

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")
ISO_MOMENT = re.compile(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"')  # in the trail's JSON
TABLES = {
    "answer": ("updated_at",),
    "section_judgement": (),
    "audit": ("updated_at", "started_at"),
    "change_log": ("at", "prev_hash", "entry_hash"),  # the seals cover the moment
}


@pytest.fixture
def world(local_database) -> World:
    """PostgreSQL autosave runs on Core statements (tests/test_audits_autosave.py)."""
    return build_world(local_database)


def _random_changes(world: World, seed: int, steps: int = 40) -> None:
    rng = random.Random(seed)
    me = world.users["auditor"]
    with world.db.session() as s:
        definition = definition_for(s, world.template_version_id)
    graded = [section.id for section in definition.sections if section.graded]
    for _step in range(steps):
        roll = rng.random()
        if roll < 0.75:
            question = rng.choice(definition.questions)
            value, reason = _random_value(rng, question)
            evidence = rng.choice([None, "", "Seen on file", "Ça va — vu à l'école"])
            audits.save_answer(
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
            section = rng.choice(graded)
            grade = rng.choice([None, 1, 2, 3, 4])
            audits.set_section_grade(
                world.db, me, world.audit_id, section, grade, commentary=commentary
            )
        else:
            given = rng.choice([None, 1, 2, 3, 4])
            audits.set_overall(world.db, me, world.audit_id, given, rng.choice([None, "R"]))


def _stored(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row autosave writes, with each value's SQLite storage class; moments checked for
    SQLAlchemy's storage format and then masked (they differ from run to run)."""
    found: dict[str, list[tuple[object, ...]]] = {}
    with db.engine.connect() as conn:
        for table, masked in TABLES.items():
            names = [row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))]
            typed = ", ".join(f"{n}, typeof({n})" for n in names)
            rows = []
            for row in conn.execute(text(f"SELECT {typed} FROM {table} ORDER BY id")):
                values = list(row)
                for i, name in enumerate(names):
                    if name in masked and values[2 * i] is not None:
                        if name in ("at", "updated_at", "started_at"):
                            assert MOMENT.match(values[2 * i]), (table, name, values[2 * i])
                        values[2 * i] = "masked"
                    elif name in ("before", "after") and values[2 * i] is not None:
                        values[2 * i] = ISO_MOMENT.sub('"moment"', values[2 * i])
                rows.append(tuple(values))
            found[table] = rows
    return found


def _through_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every autosave take the Core path (as on PostgreSQL)."""

    def needs_session(_self, _audit_id):  # noqa: ANN001, ANN202
        raise audit_sqlite.NeedsSession

    monkeypatch.setattr(audit_sqlite.SqliteStore, "load", needs_session)


def test_rows_stored_are_those_the_core_path_stores(sqlite_database, tmp_path, monkeypatch):
    """One plain SQLite comparison is enough: SQLCipher stores the same values."""
    fast = build_world(sqlite_database)
    _random_changes(fast, seed=7)
    core_db = open_database(tmp_path / "core.sqlite")
    try:
        core = build_world(core_db)
        with monkeypatch.context() as patched:
            _through_core(patched)
            _random_changes(core, seed=7)
        assert _stored(core_db) == _stored(sqlite_database)
    finally:
        core_db.close()
    assert trail.verify(sqlite_database).ok


def _second_window(db: Database) -> Database:
    """The same database opened again (its own engine and connections), as another process or
    another copy of the program would."""
    engine = create_db_engine(db.engine.url, db.kind)
    return Database(engine, sessionmaker(engine, expire_on_commit=False), db.kind, db.path)


def _check_against_full_regrade(world: World, saved: audits.SaveResult) -> None:
    result, row, _answered = _full_regrade(world)
    assert saved.grading == result
    assert saved.status == row[2]
    report = trail.verify(world.db)
    assert report.ok, report.reason


def test_a_save_from_another_connection_is_seen_by_the_next_save(world):
    me = world.users["auditor"]
    other = _second_window(world.db)
    try:
        audits.save_answer(world.db, me, world.audit_id, "seen_alone", "yes", evidence="Here")
        audits.save_answer(other, me, world.audit_id, "seen_alone", "no", evidence="There")
        audits.set_section_grade(other, me, world.audit_id, "voice", 4)
        saved = audits.save_answer(world.db, me, world.audit_id, "risk_updated", "yes")
        _check_against_full_regrade(world, saved)
        # The first window's next change to the answer starts from the other window's.
        audits.save_answer(world.db, me, world.audit_id, "seen_alone", "partly")
    finally:
        other.close()
    with world.db.session() as s:
        answer = s.query(Answer).filter_by(audit_id=world.audit_id, question_id="seen_alone").one()
        assert (answer.value, answer.evidence) == ("partly", "There")
    report = trail.verify(world.db)
    assert report.ok, report.reason


def test_a_change_made_on_the_same_connection_is_seen_by_the_next_save(world):
    me = world.users["auditor"]
    audits.save_answer(world.db, me, world.audit_id, "seen_alone", "yes", evidence="Here")
    # Another service using a session, on the same pooled connection, changes the answer.
    with world.db.session() as s:
        s.execute(
            update(Answer)
            .where(Answer.audit_id == world.audit_id, Answer.question_id == "seen_alone")
            .values(value="no")
        )
    saved = audits.save_answer(world.db, me, world.audit_id, "risk_updated", "yes")
    result, _row, _answered = _full_regrade(world)
    assert saved.grading == result  # graded with "no", not the remembered "yes"


def test_a_failed_save_forgets_what_it_read(world, monkeypatch):
    me = world.users["auditor"]
    audits.save_answer(world.db, me, world.audit_id, "seen_alone", "yes")

    def broken(_self, _entries):  # noqa: ANN001, ANN202
        raise RuntimeError("disk trouble")

    with monkeypatch.context() as patched:
        patched.setattr(audit_sqlite.SqliteStore, "write_entries", broken)
        with pytest.raises(RuntimeError):
            audits.save_answer(world.db, me, world.audit_id, "seen_alone", "no")
    saved = audits.save_answer(world.db, me, world.audit_id, "risk_updated", "no")
    _check_against_full_regrade(world, saved)
    with world.db.session() as s:
        answer = s.query(Answer).filter_by(audit_id=world.audit_id, question_id="seen_alone").one()
        assert answer.value == "yes"  # the failed save left nothing behind


def test_refusals_and_unparsed_templates_go_through_a_session(world):
    with pytest.raises(audits.AuditLocked):
        audits.save_answer(
            world.db, world.users["auditor"], world.closed_audit_id, "seen_alone", "yes"
        )
    with audit_records._cache_lock:
        audit_records._cache.clear()
    saved = audits.save_answer(world.db, world.users["auditor"], world.audit_id, "seen_alone", "no")
    _check_against_full_regrade(world, saved)


def test_random_changes_from_two_windows_match_a_full_regrade(world):
    """Two windows on the same audit, saving in turn at random: every save is graded on what is
    stored at that moment, and the trail (before → after of every change) verifies."""
    rng = random.Random(3)
    windows = [world.db, _second_window(world.db)]
    me = world.users["auditor"]
    try:
        with world.db.session() as s:
            definition = definition_for(s, world.template_version_id)
        for _step in range(40):
            db = rng.choice(windows)
            question = rng.choice(definition.questions)
            value, reason = _random_value(rng, question)
            saved = audits.save_answer(
                db, me, world.audit_id, question.id, value, evidence="Seen", na_reason=reason
            )
            result, _row, _answered = _full_regrade(world)
            assert saved.grading == result
    finally:
        windows[1].close()
    report = trail.verify(world.db)
    assert report.ok, report.reason
