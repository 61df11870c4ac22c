"""The crash-safety harness: an autosaving writer process killed with SIGKILL at random moments.

``kill_loop`` starts ``python -m caseaudit.services.crashsafety writer`` against a real SQLite
(or SQLCipher) file opened through ``open_database`` (WAL, ``synchronous=FULL``). The writer
autosaves answers to one audit continuously through the program's own ``audits.save_answer``
(the path the window uses: validation, regrading, the answer and audit rows and their trail
entries in one transaction) on a 40-question template, and prints
``ack <audit id> <question> <seq>`` only after the save returned. The
harness kills it at a random moment, then checks ``PRAGMA integrity_check`` and that every
acknowledged answer is still there with its value (or a later one: ``seq`` only grows), and
every few runs that the trail's chain is whole. Kills start once the writer has saved its
first answer, so every kill lands while it is saving. A SIGKILL leaves the operating system's
buffers intact, so this proves SQLite's atomic commit at process level; ``synchronous=FULL`` is
what carries a commit through a power cut, which no test can simulate.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..db import Database, open_database
from ..errors import CaseAuditError
from ..models import (
    Answer,
    Audit,
    AuditTemplate,
    CaseFile,
    Child,
    Organisation,
    TemplateVersion,
    User,
)
from ..templating import load_template_text
from ..vocabulary import AuditStatus, PathwayStage, UserRole
from . import trail
from .accounts import create_first_administrator

KEY_ENV = "CASEAUDIT_CRASH_KEY"
QUESTIONS = 40
SEQ_PER_RUN = 1_000_000
AUTOSAVE_TEMPLATE = "crash-autosave"


def autosave_template_text() -> str:
    """A valid template of ``QUESTIONS`` number questions ``q00``… for the kill loop's writer."""
    lines = [
        f"id: {AUTOSAVE_TEMPLATE}",
        'version: "1"',
        "title: Crash-test autosave template",
        "theme: Crash test",
        "scale: ofsted-sif",
        "pathways: [assessment]",
        "sections:",
        "  - id: answers",
        "    title: Answers",
        "    questions:",
    ]
    for n in range(QUESTIONS):
        lines += [
            f"      - id: q{n:02d}",
            f"        text: Crash-test question {n}",
            "        type: number",
            "        guidance: Any whole number.",
            "        min: 0",
        ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class AuditFixture:
    audit_id: int
    user_id: int


def seed_minimal_audit(
    db: Database, *, case_key: str = "C-CRASH-1", real_template: bool = False
) -> AuditFixture:
    """One organisation, child, case file, template version, administrator and audit.

    The template version row is written directly: with an empty definition (enough for answers
    written by ``save_answer`` to belong to a real audit), or with ``real_template`` the checked
    ``autosave_template_text`` that ``audits.save_answer`` needs.
    """
    with db.session() as s:
        admin = s.scalars(select(User).where(User.role == UserRole.ADMINISTRATOR)).first()
        admin_id = admin.id if admin else None
    if admin_id is None:
        admin_id = create_first_administrator(
            db, "crash.admin", "Crash-test administrator", "crash-test-password"
        ).id
    with db.session() as s:
        if s.scalars(select(Organisation)).first() is None:
            s.add(Organisation(name="Crash-test council", is_demo=True, settings={}))
        child = Child(external_id=f"EXT-{case_key}", case_key=case_key)
        case = CaseFile(child=child, current_stage=PathwayStage.ASSESSMENT, opened_on=date.today())
        key = AUTOSAVE_TEMPLATE if real_template else "crash-test"
        template = s.scalars(select(AuditTemplate).where(AuditTemplate.key == key)).first()
        if template is None:
            text = autosave_template_text() if real_template else ""
            definition = load_template_text(text, key) if real_template else None
            template = AuditTemplate(key=key, title="Crash test", theme="")
            s.add(template)
            s.add(
                TemplateVersion(
                    template=template,
                    version="1",
                    scale=definition.scale.key if definition else "ofsted_2009",
                    source_name=key,
                    source_text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    definition=definition.to_json() if definition else {},
                    question_count=len(definition.questions) if definition else 0,
                )
            )
            s.flush()
        audit = Audit(
            case_file=case,
            template_version_id=template.versions[-1].id,
            auditor_user_id=admin_id,
            status=AuditStatus.IN_PROGRESS,
        )
        s.add_all([child, case, audit])
        s.flush()
        trail.record(s, admin_id, audit, "create")
        return AuditFixture(audit.id, admin_id)


def save_answer(db: Database, fixture: AuditFixture, question_id: str, seq: int) -> int:
    """Autosave one answer in its own transaction, with its trail entry; return its id."""
    with trail.writing(db) as s:
        answer = s.scalars(
            select(Answer).where(
                Answer.audit_id == fixture.audit_id, Answer.question_id == question_id
            )
        ).first()
        before = trail.snapshot(answer) if answer is not None else None
        if answer is None:
            answer = Answer(audit_id=fixture.audit_id, question_id=question_id)
            s.add(answer)
        answer.value = seq
        answer.evidence = f"autosave {seq}"
        trail.record(s, fixture.user_id, answer, "update" if before else "create", before)
        return answer.id


def writer_main(path: str, audit_id: int, user_id: int, first_seq: int, seed: int) -> None:
    """The writer process: autosave forever through ``audits.save_answer``, acknowledging each
    answer after the save returned (as the window shows "Saved")."""
    from . import audits
    from .users import user_info

    db = open_database(path, passphrase=os.environ.get(KEY_ENV) or None)
    actor = user_info(db, user_id)
    rng = random.Random(seed)
    print("ready", flush=True)
    seq = first_seq
    while True:
        question = f"q{rng.randrange(QUESTIONS):02d}"
        audits.save_answer(db, actor, audit_id, question, seq, evidence=f"autosave {seq}")
        print(f"ack {audit_id} {question} {seq}", flush=True)
        seq += 1


@dataclass(frozen=True)
class KillLoopResult:
    kill_runs: int
    answers_acknowledged: int
    answers_lost: int
    integrity_failures: int
    trail_breaks: int
    lost: tuple[str, ...] = ()


def _connect(path: Path, key: str | None):  # noqa: ANN202 - a DB-API connection
    if key:
        import sqlcipher3

        conn = sqlcipher3.connect(str(path), isolation_level=None)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{key}"')
        return conn
    import sqlite3

    return sqlite3.connect(str(path), isolation_level=None)


def check_answers(
    path: Path, key: str | None, audit_id: int, acked: dict[str, int]
) -> tuple[bool, list[str]]:
    """(integrity ok, questions whose acknowledged value is gone) for the file as it is now."""
    conn = _connect(path, key)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT question_id, value, evidence FROM answer WHERE audit_id = ?", (audit_id,)
        ).fetchall()
    finally:
        conn.close()
    stored = {q: (json.loads(v) if isinstance(v, str) else v, e) for q, v, e in rows}
    lost = []
    for question, seq in sorted(acked.items()):
        value, evidence = stored.get(question, (None, ""))
        if not isinstance(value, int) or value < seq or evidence != f"autosave {value}":
            lost.append(question)
    return ok, lost


def _read_acks(stream, acked: dict[str, int], counter: list[int], ready: threading.Event) -> None:  # noqa: ANN001
    for line in stream:
        if not line.endswith("\n"):
            break  # a line cut short by the kill was never acknowledged
        parts = line.split()
        if len(parts) == 4 and parts[0] == "ack":
            acked[parts[2]] = max(acked.get(parts[2], 0), int(parts[3]))
            counter[0] += 1
            ready.set()  # killing starts once the writer is saving


def kill_loop(
    path: Path,
    runs: int,
    *,
    key: str | None = None,
    seed: int = 2011,
    max_delay: float = 0.25,
    verify_every: int = 25,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> KillLoopResult:
    """Run ``runs`` writer processes against ``path``, killing each with SIGKILL at random."""
    path = Path(path)
    rng = random.Random(seed)
    db = open_database(path, passphrase=key)
    try:
        fixture = seed_minimal_audit(db, real_template=True)
    finally:
        db.close()
    acked: dict[str, int] = {}
    counter = [0]
    integrity_failures = trail_breaks = 0
    lost: set[str] = set()
    env = {**os.environ, KEY_ENV: key or ""}
    done = 0
    for run in range(runs):
        if cancel is not None and cancel.is_set():
            break
        args = [sys.executable, "-m", "caseaudit.services.crashsafety", "writer", str(path)]
        args += [str(fixture.audit_id), str(fixture.user_id), str((run + 1) * SEQ_PER_RUN)]
        proc = subprocess.Popen(
            [*args, str(rng.randrange(1 << 30))], stdout=subprocess.PIPE, text=True, env=env
        )
        ready = threading.Event()
        reader = threading.Thread(
            target=_read_acks, args=(proc.stdout, acked, counter, ready), daemon=True
        )
        reader.start()
        if not ready.wait(60):
            proc.kill()
            raise CaseAuditError("The crash-test writer saved nothing within a minute.")
        time.sleep(rng.uniform(0, max_delay))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        proc.stdout.close()
        done += 1
        ok, missing = check_answers(path, key, fixture.audit_id, acked)
        integrity_failures += not ok
        lost.update(f"{question}@{acked[question]}" for question in missing)
        if (run + 1) % verify_every == 0 or run + 1 == runs:
            checked = open_database(path, passphrase=key)
            try:
                trail_breaks += not trail.verify(checked).ok
            finally:
                checked.close()
        if progress is not None:
            progress(done / runs, f"Killed the writer {done} times")
    return KillLoopResult(
        done, counter[0], len(lost), integrity_failures, trail_breaks, tuple(sorted(lost))
    )


def main(argv: list[str]) -> int:
    if len(argv) == 6 and argv[0] == "writer":
        writer_main(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))
        return 0
    print(
        "usage: python -m caseaudit.services.crashsafety writer DB AUDIT USER FIRST_SEQ SEED",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
