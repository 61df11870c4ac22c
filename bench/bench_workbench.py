"""The auditor's workbench GUI: opening a 60-question audit form, and the GUI thread while saving.

Setting up (not timed): a temporary SQLite file with the demo authority (60 children, no demo
audits), a generated template of 6 sections × 10 questions (yes/no, grade, dated timescale
checks, numbers, choices and text, with guidance and one limiting rule), imported like any
template, and audits of it assigned to the demo auditor. Qt runs offscreen.

- ``form_open_ms``: from creating the audit form to its first paint, with the synchronous
  runner, so reading the audit (``open_audit``: the answers, the grading, the case header) is
  inside the time. Median of 15 opens of different audits, after one warm-up open (module
  imports and the template parse are paid once per program run). Goal ≤ 100 ms.
- ``form_all_sections_ms``: the same open followed by building every section's page (the form
  builds a section's page the first time it is shown); for information. Median of 15.
- ``gui_stall_max_ms``: the longest gap between ticks of a 5 ms ``QTimer`` heartbeat on the GUI
  thread while a stream of changes is made through the widgets, one every 40 ms (every question
  answered in turn, evidence typed and the field left, moving through all six sections) and
  saved through the real threaded runner, until the last save has returned. The
  median over 3 such streams (on 3 audits) of each stream's longest gap, so one scheduling
  hiccup of a busy machine does not decide the figure. Goal ≤ 50 ms.
- ``gui_stall_cpu_ms``: for information, how much of that longest gap the GUI thread spent
  computing (its own CPU time, ``time.thread_time``; median over the same streams). The rest of
  the gap it was waiting: for the interpreter lock the database thread held, or for a CPU on a
  busy machine. A large gap with a small figure here points at the machine, not at the form.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SECTIONS = 6
QUESTIONS_PER_SECTION = 10
OPENS = 15
STREAMS = 3
#: One change every 40 ms: 25 a second, far faster than anyone clicks or types (and typing
#: is saved after a pause), so saves queue up behind each other on the database thread.
CHANGE_EVERY_MS = 40
TYPES = [
    "yes_no",
    "yes_no",
    "grade",
    "date",
    "yes_no",
    "number",
    "choice",
    "yes_no",
    "date",
    "text",
]


def template_yaml() -> str:
    """A valid template of ``SECTIONS`` × ``QUESTIONS_PER_SECTION`` questions."""
    lines = [
        "id: bench-sixty",
        'version: "1.0"',
        "title: Benchmark template with sixty questions",
        "theme: Benchmark",
        "scale: ofsted-sif",
        "pathways: [cp_plan, cin_plan, lac_episode, care_leaver, assessment, referral]",
        "sections:",
    ]
    for s in range(1, SECTIONS + 1):
        lines += [
            f"  - id: s{s}",
            f"    title: Section {s} of the benchmark",
            "    guidance: What good practice looks like in this part of the file.",
            "    questions:",
        ]
        for q in range(1, QUESTIONS_PER_SECTION + 1):
            kind = TYPES[q - 1]
            lines += [
                f"      - id: s{s}q{q}",
                f"        text: Question {q} of section {s}, about the quality of the work?",
                f"        type: {kind}",
                "        guidance: Good means timely, specific and recorded; inadequate means not.",
            ]
            if kind == "date" and q == 9:
                lines += [
                    "        timescale:",
                    f"          anchor: {{question: s{s}q4}}",
                    "          within: {working_days: 10}",
                    "          label: Follow-up within 10 working days of the first date",
                ]
            elif kind == "number":
                lines += ["        min: 0", "        max: 100", "        unit: visits"]
            elif kind == "choice":
                lines += ["        options: [Too young, Refused, Not recorded]"]
            elif kind == "text":
                lines += ["        required: false"]
    lines += [
        "rules:",
        "  - id: s1_limits",
        "    type: cap_by_section",
        "    section: s1",
    ]
    return "\n".join(lines) + "\n"


def _setup(folder: Path):
    from sqlalchemy import select

    from caseaudit.db import open_database
    from caseaudit.models import Audit, CaseFile, TemplateVersion, User
    from caseaudit.services.demo import build_demo
    from caseaudit.services.templates import import_template_file
    from caseaudit.services.users import authenticate
    from caseaudit.vocabulary import AuditStatus

    db = open_database(folder / "bench.sqlite")
    build_demo(db, scale=60, with_audits=False)
    path = folder / "bench-sixty.yaml"
    path.write_text(template_yaml(), encoding="utf-8")
    import_template_file(db, path)
    user = authenticate(db, "auditor", "demo-auditor")
    with db.session() as s:
        version_id = s.scalar(select(TemplateVersion.id).order_by(TemplateVersion.id.desc()))
        auditor = s.scalar(select(User.id).where(User.username == "auditor"))
        wanted = OPENS + 1 + STREAMS
        cases = list(s.scalars(select(CaseFile.id).order_by(CaseFile.id).limit(wanted)))
        audits = [
            Audit(
                case_file_id=case_id,
                template_version_id=version_id,
                auditor_user_id=auditor,
                status=AuditStatus.NOT_STARTED,
            )
            for case_id in cases
        ]
        s.add_all(audits)
        s.flush()
        ids = [a.id for a in audits]
    return db, user, ids


class _Painted:
    """Records when a widget is first painted."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def __init__(self, outer: _Painted) -> None:
                super().__init__()
                self.outer = outer

            def eventFilter(self, _watched, event):  # noqa: N802
                if event.type() == QEvent.Type.Paint and self.outer.at is None:
                    self.outer.at = time.perf_counter()
                return False

        self.at: float | None = None
        self.filter = Filter(self)


def _open_once(app, context, audit_id: int, *, all_sections: bool) -> float:
    import shiboken6

    from caseaudit.ui.audit_form.form_view import AuditFormView

    painted = _Painted()
    started = time.perf_counter()
    form = AuditFormView(context, audit_id)
    form.installEventFilter(painted.filter)
    form.resize(1280, 800)
    form.show()
    while painted.at is None and time.perf_counter() - started < 10:
        app.processEvents()
    if all_sections:
        for section_id in form.section_model.section_ids:
            form.page(section_id)
        done = time.perf_counter()
    else:
        done = painted.at or time.perf_counter()
    form.release()
    form.close()
    shiboken6.delete(form)  # gone now, as when the form is closed in the window
    app.processEvents()
    return (done - started) * 1000


def _stall(app, context, audit_id: int) -> tuple[float, float]:
    from PySide6.QtCore import QTimer

    from caseaudit.ui.audit_form.form_view import AuditFormView

    form = AuditFormView(context, audit_id)
    form.resize(1280, 800)
    form.show()
    deadline = time.perf_counter() + 30
    while form.form is None and time.perf_counter() < deadline:
        app.processEvents()
    ticks: list[tuple[float, float]] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append((time.perf_counter(), time.thread_time())))
    steps = [q.id for q in form.form.definition.questions]
    words = ["yes", "no", "partly"]

    def step() -> None:
        if not steps:
            driver.stop()
            return
        qid = steps.pop(0)
        widget = form.question_widget(qid)
        form.show_section(widget.question.section_id, focus=False)
        kind = widget.question.type
        if kind == "yes_no":
            widget.control.buttons[words[len(steps) % 3]].click()
        elif kind == "grade":
            widget.control.buttons[1 + len(steps) % 4].click()
        elif kind == "choice":
            next(iter(widget.control.buttons.values())).click()
        elif kind in ("date", "number"):
            widget.control.edit.setText("03/11/2026" if kind == "date" else "7")
            widget.control.changed.emit(True)
        if widget.evidence_edit is not None:
            widget.evidence_edit.setPlainText(f"Evidence for {qid}: seen on the file")
            form.autosave.flush()

    driver = QTimer()
    driver.setInterval(CHANGE_EVERY_MS)
    driver.timeout.connect(step)
    heartbeat.start()
    driver.start()
    deadline = time.perf_counter() + 120
    while (steps or form.autosave.busy) and time.perf_counter() < deadline:
        app.processEvents()
    for _ in range(3):
        app.processEvents()
        time.sleep(0.005)
    heartbeat.stop()
    if steps or form.autosave.busy:
        raise RuntimeError("the stream of saves did not finish in time")
    gaps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(ticks, ticks[1:], strict=False)]
    form.release()  # as when the audit is closed in the window
    form.close()
    longest, computing = max(gaps)
    return longest * 1000, computing * 1000


def run() -> Iterator[tuple[str, float, str]]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from caseaudit.app import keep_singletons_alive

    keep_singletons_alive()  # as the program does (PySide6 6.12 on Python 3.11)

    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as scratch:
        folder = Path(scratch)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        app = QApplication.instance() or QApplication(sys.argv[:1])
        db, user, audit_ids = _setup(folder)
        from caseaudit.services.cases import database_overview
        from caseaudit.ui.context import ShellContext
        from caseaudit.ui.runner import Runner

        try:
            sync = ShellContext(db, Runner(synchronous=True), database_overview(db), user=user)
            _open_once(app, sync, audit_ids[0], all_sections=False)  # warm-up
            opens = [_open_once(app, sync, a, all_sections=False) for a in audit_ids[1 : OPENS + 1]]
            yield "form_open_ms", statistics.median(opens), "ms"
            full = [_open_once(app, sync, a, all_sections=True) for a in audit_ids[1 : OPENS + 1]]
            yield "form_all_sections_ms", statistics.median(full), "ms"
            runner = Runner()
            threaded = ShellContext(db, runner, database_overview(db), user=user)
            stalls = [_stall(app, threaded, a) for a in audit_ids[OPENS + 1 : OPENS + 1 + STREAMS]]
            yield "gui_stall_max_ms", statistics.median(gap for gap, _cpu in stalls), "ms"
            yield "gui_stall_cpu_ms", statistics.median(cpu for _gap, cpu in stalls), "ms"
            runner.shutdown()
        finally:
            db.close()


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value:.1f} {unit}")
