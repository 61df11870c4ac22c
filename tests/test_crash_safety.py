"""Crash safety: an autosaving writer killed with SIGKILL never loses an acknowledged answer.

CI runs a short loop (10 kills on plain SQLite, 5 on SQLCipher); ``bench/bench_crash.py`` runs
200. The negative check proves the harness would notice a lost answer.
"""

from __future__ import annotations

import sys

import pytest

from caseaudit.db import open_database
from caseaudit.services import encryption, trail
from caseaudit.services.crashsafety import check_answers, kill_loop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@pytest.mark.parametrize("kind, kills", [("sqlite", 10), ("sqlcipher", 5)])
def test_sigkill_loses_no_acknowledged_answer(tmp_path, kind, kills):
    path = tmp_path / "crash.sqlite"
    key = None
    if kind == "sqlcipher":
        salt = b"0123456789abcdef"
        key = encryption.raw_key(encryption.derive_key("amber kettle harbour", salt), salt)
    result = kill_loop(path, kills, key=key, seed=7, verify_every=5)
    assert result.kill_runs == kills
    assert result.answers_acknowledged >= kills  # the writer really was writing when killed
    assert result.answers_lost == 0, result.lost
    assert result.integrity_failures == 0
    assert result.trail_breaks == 0
    if key is not None:
        assert not path.read_bytes().startswith(b"SQLite format 3")
    db = open_database(path, passphrase=key)
    report = trail.verify(db)
    db.close()
    assert report.ok and report.entries >= result.answers_acknowledged


def test_the_checker_notices_a_lost_or_torn_answer(tmp_path):
    path = tmp_path / "crash.sqlite"
    kill_loop(path, 1, seed=3)
    ok, lost = check_answers(path, None, 1, {"q00": 10**12, "never-saved": 1})
    assert ok and lost == ["never-saved", "q00"]
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE answer SET evidence = 'torn' WHERE id = 1")
        question = conn.exec_driver_sql("SELECT question_id, value FROM answer WHERE id = 1").one()
    db.close()
    ok, lost = check_answers(path, None, 1, {question[0]: question[1]})
    assert lost == [question[0]]
