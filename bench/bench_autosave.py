"""Autosave: how long one ``save_answer`` takes, next to a raw SQLite commit in the same run.

A fresh SQLite file (``open_database``: WAL, ``synchronous=FULL``) gets one organisation, one
auditor, one case file and a 60-question audit (ten sections of yes/no, grade, date, number,
choice and text questions). ``autosave_ms`` is the median wall time of ``audits.save_answer``
changing one answer and its evidence: permission check, validation, the answer, its sealed trail
entry, regrading the whole audit, the audit row and its trail entry, all in one committed
transaction; ``autosave_cpu_ms`` is the processor time of the same calls (the rest is waiting
for the disk). ``raw_commit_ms`` is the median of a bare ``sqlite3`` INSERT + COMMIT into another
file in the same folder with the same journal settings; the two are interleaved, one of each
per round, so disk noise falls on both alike. ``autosave_vs_raw_commit`` is their ratio
(goal: at most 3). ``run()`` yields ``(name, value, unit)``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

ROUNDS = 300
WARM_UP = 20
KINDS = ("yes_no", "yes_no", "grade", "date", "number", "choice")


def template_yaml(sections: int = 10, per_section: int = 6) -> str:
    """A valid 60-question template text (every answer type, one limiting rule)."""
    lines = [
        "id: bench-sixty",
        'version: "1.0"',
        "title: Benchmark template with sixty questions",
        "theme: Benchmark",
        "scale: ofsted-sif",
        "pathways: [cp_plan]",
        "sections:",
    ]
    for s in range(sections):
        lines += [f"  - id: s{s}", f"    title: Section {s}", "    questions:"]
        for q in range(per_section):
            kind = "text" if (s + q) % 11 == 10 else KINDS[q]
            lines += [
                f"      - id: s{s}q{q}",
                f"        text: Question {q} of section {s}",
                f"        type: {kind}",
                "        guidance: Look at the file.",
            ]
            if kind == "number":
                lines += ["        min: 0", "        max: 100"]
            if kind == "choice":
                lines += ["        options: [One, Two, Three]"]
    lines += [
        "rules:",
        "  - id: first_caps",
        "    type: cap_by_section",
        "    section: s0",
    ]
    return "\n".join(lines) + "\n"


def _value(kind: str, n: int) -> object:
    return {
        "yes_no": ("yes", "no", "partly")[n % 3],
        "grade": 1 + n % 4,
        "date": date(2025, 1, 1 + n % 28),
        "number": n % 50,
        "choice": ("One", "Two", "Three")[n % 3],
        "text": f"Note {n}",
    }[kind]


def _setup(path: Path):  # noqa: ANN202
    from caseaudit.db import open_database
    from caseaudit.models import (
        Audit,
        AuditTemplate,
        CaseFile,
        Child,
        Organisation,
        PathwayEvent,
        Team,
        TemplateVersion,
        Worker,
    )
    from caseaudit.services import trail
    from caseaudit.services.accounts import create_first_administrator
    from caseaudit.templating import load_template_text
    from caseaudit.vocabulary import PathwayStage, WorkerRole

    db = open_database(path)
    actor = create_first_administrator(db, "bench", "Bench Auditor", "bench-password")
    text = template_yaml()
    definition = load_template_text(text, "bench.yaml")
    with trail.writing(db) as s:
        org = Organisation(name="Bench Council", is_demo=True, settings={})
        team = Team(organisation=org, name="Bench team")
        worker = Worker(name="Bench Worker", role=WorkerRole.SOCIAL_WORKER, team=team)
        template = AuditTemplate(key=definition.id, title=definition.title, theme="Benchmark")
        s.add_all([org, team, worker, template])
        s.flush()
        version = TemplateVersion(
            template_id=template.id,
            version=definition.version,
            scale=definition.scale.key,
            source_text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            definition=definition.to_json(),
            question_count=len(definition.questions),
        )
        child = Child(external_id="BENCH-1", case_key="C-BENCH")
        case = CaseFile(
            child=child,
            team=team,
            worker=worker,
            current_stage=PathwayStage.CP_PLAN,
            opened_on=date(2025, 1, 1),
        )
        case.events = [PathwayEvent(stage=PathwayStage.ICPC, started_on=date(2025, 1, 10))]
        s.add_all([version, child, case])
        s.flush()
        audit = Audit(
            case_file_id=case.id, template_version_id=version.id, auditor_user_id=actor.id
        )
        s.add(audit)
        s.flush()
        trail.record(s, actor.id, audit, "create")
        audit_id = audit.id
    return db, actor, audit_id, definition


def run() -> Iterable[tuple[str, float, str]]:
    from caseaudit.services import audits

    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as folder:
        db, actor, audit_id, definition = _setup(Path(folder) / "autosave.sqlite")
        questions = definition.questions
        assert len(questions) == 60
        raw = sqlite3.connect(Path(folder) / "raw.sqlite", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, question TEXT, value TEXT)")
        saves: list[float] = []
        cpu: list[float] = []
        commits: list[float] = []
        try:
            for n in range(WARM_UP + ROUNDS):
                question = questions[n % len(questions)]
                value = _value(question.type, n)
                started, started_cpu = time.perf_counter(), time.process_time()
                audits.save_answer(
                    db, actor, audit_id, question.id, value, evidence=f"Seen on file, note {n}"
                )
                saved, saved_cpu = time.perf_counter(), time.process_time()
                raw.execute("BEGIN")
                raw.execute(
                    "INSERT INTO answer (question, value) VALUES (?, ?)", (question.id, str(value))
                )
                raw.execute("COMMIT")
                committed = time.perf_counter()
                if n >= WARM_UP:
                    saves.append(saved - started)
                    cpu.append(saved_cpu - started_cpu)
                    commits.append(committed - saved)
        finally:
            raw.close()
            db.close()
    autosave = statistics.median(saves) * 1000
    commit = statistics.median(commits) * 1000
    yield ("autosave_ms", round(autosave, 2), "ms")
    yield ("autosave_cpu_ms", round(statistics.median(cpu) * 1000, 2), "ms")
    yield ("raw_commit_ms", round(commit, 2), "ms")
    yield ("autosave_vs_raw_commit", round(autosave / commit, 2), "x")


if __name__ == "__main__":
    for name, figure, unit in run():
        print(f"{name:<24} {figure:>8} {unit}")
