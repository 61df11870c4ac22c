"""The tamper-evident trail: sealed entries, a chain that never forks, tampering found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select, text

from caseaudit.cli import main
from caseaudit.errors import PermissionDenied
from caseaudit.models import Answer, Audit, ChangeLogEntry, User
from caseaudit.services import accounts, trail
from caseaudit.services.crashsafety import AuditFixture, save_answer, seed_minimal_audit
from caseaudit.services.snapshots import fingerprint, snapshot
from caseaudit.vocabulary import UserRole


def _drop_triggers(db) -> None:
    with db.engine.begin() as conn:
        if db.kind == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER change_log_append_only ON change_log")
        else:
            conn.exec_driver_sql("DROP TRIGGER change_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER change_log_no_delete")


def _raw(db, sql: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.fixture
def audited(database):
    fixture = seed_minimal_audit(database)
    for seq, question in enumerate(["q01", "q02", "q01", "q03", "q02"], start=1):
        save_answer(database, fixture, question, seq)
    return database, fixture


def test_entries_chain_and_verify(audited):
    db, _fixture = audited
    report = trail.verify(db)
    assert report.ok, report.reason
    # administrator, audit, three new answers, two updates
    assert report.entries == 7 and report.first_broken is None and not report.warnings
    with db.session() as s:
        entries = list(s.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id)))
    assert [e.id for e in entries] == list(range(1, 8))
    assert entries[0].prev_hash == ""
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert report.head_hash == entries[-1].entry_hash == trail.head(db).entry_hash
    update = entries[4]
    assert (update.entity, update.operation) == ("answer", "update")
    assert (update.before["value"], update.after["value"]) == (1, 3)


def test_snapshots_hold_no_password_and_no_free_text(sqlite_database):
    db = sqlite_database
    fixture = seed_minimal_audit(db)
    with db.session() as s:
        answer = Answer(
            audit_id=fixture.audit_id,
            question_id="q9",
            value={"note": "Jamie was seen alone", "choice": "yes", "when": "2011-03-04"},
            evidence="Jamie Smith told the worker",
        )
        s.add(answer)
        s.flush()
        snap = snapshot(answer)
        user = s.get(User, fixture.user_id)
        user_snap = snapshot(user)
        password_hash = user.password_hash
    assert snap["evidence"] == fingerprint("Jamie Smith told the worker")
    assert snap["value"] == {
        "note": fingerprint("Jamie was seen alone"),
        "choice": "yes",
        "when": "2011-03-04",
    }
    assert "Jamie" not in json.dumps(snap)
    assert "password_hash" not in user_snap and password_hash not in json.dumps(user_snap)


def test_the_log_refuses_update_and_delete(audited):
    db, _fixture = audited
    for sql in ("UPDATE change_log SET operation = 'x' WHERE id = 2", "DELETE FROM change_log"):
        with pytest.raises(Exception, match="append-only"):
            _raw(db, sql)
    assert trail.verify(db).ok


def test_an_edited_entry_is_the_first_broken_link(audited):
    db, _fixture = audited
    _drop_triggers(db)
    _raw(db, "UPDATE change_log SET after = :after WHERE id = 4", after='{"value": 2}')
    report = trail.verify(db)
    assert not report.ok and report.first_broken == 4
    assert "altered after it was written" in report.reason
    assert report.warnings and "safeguard" in report.warnings[0]


def test_a_deleted_entry_is_found(audited):
    db, _fixture = audited
    _drop_triggers(db)
    _raw(db, "DELETE FROM change_log WHERE id = 3")
    report = trail.verify(db)
    assert report.first_broken == 4 and "entry 3 is missing" in report.reason


def test_an_entry_inserted_in_the_middle_is_found_even_if_correctly_sealed(audited):
    db, _fixture = audited
    _drop_triggers(db)
    with db.session() as s:
        kept = list(s.scalars(select(ChangeLogEntry).where(ChangeLogEntry.id >= 3)))
        prev = s.get(ChangeLogEntry, 2).entry_hash
    _raw(db, "DELETE FROM change_log WHERE id >= 3")
    with db.session() as s:
        forged = ChangeLogEntry(
            id=3, at=kept[0].at, user_id=None, entity="user", entity_id="1", operation="x",
            before=None, after=None, prev_hash=prev,
        )  # fmt: skip
        forged.entry_hash = trail.seal(3, forged.at, None, "user", "1", "x", None, None, prev)
        s.add(forged)
        for old in kept:
            s.add(
                ChangeLogEntry(
                    id=old.id + 1, at=old.at, user_id=old.user_id, entity=old.entity,
                    entity_id=old.entity_id, operation=old.operation, before=old.before,
                    after=old.after, prev_hash=old.prev_hash, entry_hash=old.entry_hash,
                )
            )  # fmt: skip
    report = trail.verify(db)
    assert report.first_broken == 4 and "does not follow on" in report.reason


def test_a_record_changed_behind_the_programs_back_is_found(audited):
    db, fixture = audited
    with db.session() as s:
        q2 = s.scalars(select(Answer).where(Answer.question_id == "q02")).one().id
        q3 = s.scalars(select(Answer).where(Answer.question_id == "q03")).one().id
    _raw(db, "UPDATE answer SET value = :v WHERE id = :id", v="1", id=q2)
    _raw(db, "UPDATE audit SET overall_grade = 1 WHERE id = :id", id=fixture.audit_id)
    _raw(
        db,
        "INSERT INTO answer (audit_id, question_id, value, evidence, na_reason, updated_at) "
        "VALUES (:a, 'q99', '4', '', '', CURRENT_TIMESTAMP)",
        a=fixture.audit_id,
    )
    _raw(db, "DELETE FROM answer WHERE id = :id", id=q3)
    report = trail.verify(db)
    assert not report.ok and report.first_broken is None
    found = {(m.entity, m.problem): m for m in report.mismatches}
    assert found[("answer", "changed")].entity_id == str(q2)
    assert found[("answer", "changed")].fields == ("value",)
    assert found[("audit", "changed")].fields == ("overall_grade",)
    assert found[("answer", "missing")].entity_id == str(q3)
    assert ("answer", "unlogged") in found
    assert report.reason.startswith("audit ") or report.reason.startswith("answer ")


def _append_many(db, fixture: AuditFixture, prefix: str, count: int, errors: list) -> None:
    try:
        for n in range(count):
            save_answer(db, fixture, f"{prefix}{n % 7}", n + 1)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_two_threads_never_fork_the_chain(audited):
    db, fixture = audited
    errors: list = []
    workers = [
        threading.Thread(target=_append_many, args=(db, fixture, p, 25, errors)) for p in "ab"
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    report = trail.verify(db)
    assert report.ok, report.reason
    assert report.entries == 7 + 50


WRITER = """
import sys
from caseaudit.db import open_database
from caseaudit.services.crashsafety import AuditFixture, save_answer
db = open_database(sys.argv[1])
fixture = AuditFixture(int(sys.argv[2]), int(sys.argv[3]))
for n in range(40):
    save_answer(db, fixture, sys.argv[4] + str(n % 5), n + 1)
"""


def test_two_processes_never_fork_the_chain(sqlite_database):
    db = sqlite_database
    fixture = seed_minimal_audit(db)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(db.path),
                str(fixture.audit_id),
                str(fixture.user_id),
                prefix,
            ],
            env=os.environ.copy(),
        )  # fmt: skip
        for prefix in ("p", "r")
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    report = trail.verify(db)
    assert report.ok, report.reason
    assert report.entries == 2 + 80


def test_events_of_one_audit_and_who_may_see_them(audited):
    db, fixture = audited
    other = seed_minimal_audit(db, case_key="C-OTHER")
    save_answer(db, other, "q01", 99)
    reviewer = accounts.add_user(
        db, _admin(db), "reviewer", "A Reviewer", UserRole.READ_ONLY, "reviewer password"
    )
    found = trail.events(db, reviewer, audit_id=fixture.audit_id)
    assert [e.entity for e in found][-1] == "audit" and len(found) == 6
    assert {e.entity for e in found} == {"audit", "answer"}
    assert found[0].user_name == "crash.admin" and "value" in found[0].summary
    with pytest.raises(PermissionDenied):
        trail.events(db, None)
    assert len(trail.events(db, reviewer, limit=3)) == 3


def _admin(db):
    with db.session() as s:
        user = s.scalars(select(User).where(User.role == UserRole.ADMINISTRATOR)).first()
        return accounts.UserInfo(user.id, user.username, user.display_name, user.role, None)


def test_cli_trail_verify_reports_the_first_broken_link(sqlite_database, capsys, monkeypatch):
    db = sqlite_database
    fixture = seed_minimal_audit(db)
    save_answer(db, fixture, "q01", 1)
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "crash-test-password")
    args = ["--db", str(db.path), "--user", "crash.admin", "trail"]
    assert main([*args, "verify"]) == 0
    assert "The trail is intact: 3 entries" in capsys.readouterr().out
    assert main([*args, "show", "--audit", str(fixture.audit_id)]) == 0
    assert "create audit" in capsys.readouterr().out
    _drop_triggers(db)
    _raw(db, "UPDATE change_log SET operation = 'edited' WHERE id = 2")
    assert main([*args, "verify"]) == 4
    out = capsys.readouterr().out
    assert "broken at entry 2" in out and "Warning:" in out
    with db.session() as s:
        assert s.get(Audit, fixture.audit_id) is not None
