"""Autosave survives a killed process: nothing acknowledged as saved is ever lost.

A writer subprocess signs in and calls ``audits.save_answer`` in a loop on a real SQLite file,
printing ``ack <question> <seq>`` only after each call has returned (the answer's evidence holds
the sequence number). The test kills it with SIGKILL at random moments, ten times, then checks
that SQLite's ``integrity_check`` is ok, that every acknowledged answer is there (its stored
sequence number is at least the last acknowledged one: a save may also have committed just
before the kill, after its last acknowledgement), and that the trail is whole.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from caseaudit.db import open_database
from caseaudit.services import audits, trail

from .test_audits_service import PASSWORDS, build_world

RUNS = 10
SEQ_PER_RUN = 1_000_000
#: Questions the writer cycles through, with values it alternates between.
VALUES = {
    "seen_alone": ["yes", "no", "partly", "na"],
    "risk_updated": ["yes", "no"],
    "voice_quality": [1, 2, 3, 4],
    "safety_quality": [4, 3, 2],
    "visits": [0, 3, 12],
    "strategy_date": ["2025-03-03", "2025-03-04"],
}

WRITER = """
import sys
from caseaudit.db import open_database
from caseaudit.services import audits
from caseaudit.services.users import authenticate

path, audit_id, first_seq, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
values = {values!r}
questions = sorted(values)
db = open_database(path)
me = authenticate(db, "auditor", password)
print("ready", flush=True)
seq = first_seq
while True:
    question = questions[seq % len(questions)]
    choices = values[question]
    audits.save_answer(
        db, me, audit_id, question, choices[seq % len(choices)], evidence=f"seq {{seq}}",
        na_reason="Not applicable here" if seq % 2 else None,
    )
    print(f"ack {{question}} {{seq}}", flush=True)
    seq += 1
"""


def _run_once(path: str, audit_id: int, first_seq: int, rng: random.Random) -> dict[str, int]:
    """Start a writer, kill it at a random moment, return the last acknowledged seq per question."""
    code = WRITER.format(values=VALUES)
    process = subprocess.Popen(
        [sys.executable, "-c", code, path, str(audit_id), str(first_seq), PASSWORDS["auditor"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: dict[str, int] = {}
    first_ack = threading.Event()
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            parts = line.split()
            if parts == ["ready"]:
                ready.set()
            elif len(parts) == 3 and parts[0] == "ack":
                acked[parts[1]] = int(parts[2])
                first_ack.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "the writer did not start"
        assert first_ack.wait(60), "the writer acknowledged nothing"
        time.sleep(rng.uniform(0.0, 0.4))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        reader.join(30)
        if process.stderr is not None:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return dict(acked)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_killed_autosave_loses_no_acknowledged_answer(sqlite_database, tmp_path):
    world = build_world(sqlite_database)
    path = str(sqlite_database.path)
    sqlite_database.close()
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    last_acked: dict[str, int] = {}
    for run in range(RUNS):
        acked = _run_once(path, world.audit_id, (run + 1) * SEQ_PER_RUN, rng)
        assert acked, f"run {run} (seed {seed}) acknowledged nothing"
        last_acked.update(acked)
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            connection.close()
        db = open_database(path)
        try:
            form = audits.open_audit(db, world.users["auditor"], world.audit_id)
        finally:
            db.close()
        for question, seq in last_acked.items():
            answer = form.answers.get(question)
            assert answer is not None, f"run {run} (seed {seed}): {question} was lost"
            stored = int(answer.evidence.split()[1])
            assert stored >= seq, (
                f"run {run} (seed {seed}): {question} acknowledged at seq {seq} but the "
                f"database holds seq {stored}"
            )
            choices = VALUES[question]
            assert answer.value == choices[stored % len(choices)]
    db = open_database(path)
    try:
        report = trail.verify(db)
    finally:
        db.close()
    assert report.ok, report.reason
