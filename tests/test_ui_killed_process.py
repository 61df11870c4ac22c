"""A killed program loses no answer the window showed as saved.

A separate Python process runs the real main window and audit form offscreen, on the real
threaded runner, and answers question after question through the widgets (a choice clicked,
evidence typed, the field left) without waiting for the saves. Each time a save is reported to
the window (what puts "Saved hh:mm:ss" in the status bar) it prints ``SAVED <question>``. After
a dozen, while more saves are still queued, the test kills it with SIGKILL: no clean-up, no
flush, as with a flat battery. Then a fresh connection must find every answer it reported
saved, with its evidence, in a database that passes SQLite's integrity check.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from caseaudit.db import open_database
from caseaudit.services import audits
from caseaudit.vocabulary import AuditStatus
from tests.workbench_helpers import audit_with_status, saved_answers, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]

ROOT = Path(__file__).resolve().parents[1]
KILL_AFTER = 12

DRIVER = r"""
import json, sys
from caseaudit.app import keep_singletons_alive
keep_singletons_alive()
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[3])

from caseaudit.db import open_database
from caseaudit.services.cases import database_overview
from caseaudit.services.users import authenticate
from caseaudit.ui.context import ShellContext
from caseaudit.ui.mainwindow import MainWindow
from caseaudit.ui.navigation import Area
from caseaudit.ui.runner import Runner

plan = json.loads(open(sys.argv[2]).read())
db = open_database(sys.argv[1])
user = authenticate(db, "auditor", "demo-auditor")
runner = Runner(app)
context = ShellContext(db, runner, database_overview(db), None, user=user)
window = MainWindow(context, initial_area=Area.MY_AUDITS)
window.show()
form = window.view(Area.MY_AUDITS).open_audit(plan["audit_id"])
form.autosave.saved.connect(lambda key, _result: print("SAVED", key, flush=True))
steps = list(plan["answers"])

def step():
    if form.form is None:
        return
    if not steps:
        timer.stop()
        return
    qid, value, evidence = steps.pop(0)
    widget = form.question_widget(qid)
    form.show_section(widget.question.section_id, focus=False)
    widget.evidence_edit.setFocus()
    widget.evidence_edit.setPlainText(evidence)   # typed: waits for the pause ...
    widget.control.buttons[value].setFocus()       # ... leaving the field sends it
    widget.control.buttons[value].click()

timer = QTimer()
timer.timeout.connect(step)
timer.start(15)
print("READY", flush=True)
app.exec()
"""


def _plan(db, audit_id: int) -> list[tuple[str, str, str]]:
    user = sign_in_as(db, "auditor")
    form = audits.open_audit(db, user, audit_id)
    visible = set(form.grading.visible_questions)
    words = ["yes", "no", "partly"]
    plan = []
    for number, question in enumerate(form.definition.questions):
        if question.type == "yes_no" and question.id in visible and question.condition is None:
            plan.append(
                (question.id, words[number % 3], f"Evidence for {question.id}, seen 0{number}")
            )
    return plan


def test_a_killed_program_keeps_every_answer_shown_as_saved(workbench_db, tmp_path):
    user = sign_in_as(workbench_db, "auditor")
    audit_id = audit_with_status(workbench_db, user, AuditStatus.NOT_STARTED)
    plan = _plan(workbench_db, audit_id)
    assert len(plan) > KILL_AFTER + 5
    path = workbench_db.path
    workbench_db.close()
    (tmp_path / "plan.json").write_text(json.dumps({"audit_id": audit_id, "answers": plan}))
    (tmp_path / "driver.py").write_text(DRIVER)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            str(tmp_path / "driver.py"),
            str(path),
            str(tmp_path / "plan.json"),
            str(tmp_path / "qs"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    shown_saved: list[str] = []
    killed = threading.Event()
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("SAVED answer:"):
                shown_saved.append(line.split(":", 1)[1].strip())
                if len(shown_saved) == KILL_AFTER:
                    os.kill(process.pid, signal.SIGKILL)
                    killed.set()
                    break
    finally:
        watchdog.cancel()
        process.wait(timeout=60)
    stderr = process.stderr.read() if process.stderr else ""
    assert killed.is_set(), f"the driver stopped before {KILL_AFTER} saves: {stderr[-2000:]}"
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    answers = saved_answers(path, audit_id)
    assert len(answers) < len(plan), "killed part-way through, with work still to do"
    expected = {qid: (value, evidence) for qid, value, evidence in plan}
    for qid in shown_saved:
        assert qid in answers, f"{qid} was shown as saved but is not in the database"
        value, evidence, _na = answers[qid]
        assert (value, evidence) == expected[qid]
    reopened = open_database(path)  # the program opens it again normally
    try:
        form = audits.open_audit(reopened, sign_in_as(reopened, "auditor"), audit_id)
        assert set(shown_saved) <= set(form.answers)
    finally:
        reopened.close()
