"""Plain helpers for the auditor's workbench GUI tests (the fixtures are in workbench_fixtures).

``saved_answers`` reads answers through a separate plain ``sqlite3`` connection, so a test sees
what really reached the file. ``complete_with_services`` fills an audit through the services
(for tests about what happens after), answering every question that applies until nothing is
missing but the sign-off. ``open_form`` opens an audit from My audits and waits for the form.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from caseaudit.db import Database
from caseaudit.services import audits
from caseaudit.services.demo_accounts import DEMO_CREDENTIALS
from caseaudit.services.users import UserInfo, authenticate
from caseaudit.vocabulary import AuditStatus

DEMO_SCALE = 120
PASSWORDS = {username: password for username, password, _role, _name in DEMO_CREDENTIALS}


def sign_in_as(db: Database, username: str) -> UserInfo:
    return authenticate(db, username, PASSWORDS[username])


def audit_with_status(db: Database, user: UserInfo, *statuses: AuditStatus) -> int:
    """The first audit in ``user``'s queue with one of ``statuses``."""
    for row in audits.my_queue(db, user):
        if row.status in statuses:
            return row.audit_id
    raise AssertionError(f"no audit with status {statuses} for {user.username}")


def saved_answers(path: Path, audit_id: int) -> dict[str, tuple[object, str, str]]:
    """question id → (value, evidence, N/A reason), read through a separate connection."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT question_id, value, evidence, na_reason FROM answer WHERE audit_id = ?",
            (audit_id,),
        ).fetchall()
    # A JSON column has numeric affinity in SQLite: numbers come back as numbers, text as JSON.
    return {
        q: (json.loads(v) if isinstance(v, str) else v, e or "", n or "") for q, v, e, n in rows
    }


def value_for(question) -> object:
    """A valid answer for any question type (yes for yes/no, good for grades, …)."""
    if question.type == "yes_no":
        return "yes"
    if question.type == "grade":
        return 2
    if question.type == "date":
        return date.today() - timedelta(days=3)
    if question.type == "number":
        return max(1, int(question.minimum or 0))
    if question.type == "choice":
        return [question.options[0]] if question.multiple else question.options[0]
    return "Seen on the file."


def complete_with_services(db: Database, user: UserInfo, audit_id: int) -> None:
    """Answer every question that applies, grade every section and the overall grade."""
    for _round in range(10):
        form = audits.open_audit(db, user, audit_id)
        gaps = [m for m in form.grading.missing if m.kind in ("answer", "invalid", "na_reason")]
        if not gaps:
            break
        for item in gaps:
            question = form.definition.question(item.question_id)
            audits.save_answer(db, user, audit_id, question.id, value_for(question), na_reason="")
    form = audits.open_audit(db, user, audit_id)
    for section_id in form.grading.visible_sections:
        section = form.definition.section(section_id)
        if section.graded:
            suggested = form.grading.sections[section_id].effective or 2
            audits.set_section_grade(db, user, audit_id, section_id, suggested)
    form = audits.open_audit(db, user, audit_id)
    audits.set_overall(db, user, audit_id, form.grading.suggested_overall or 2)


def open_form(qtbot, window, audit_id: int):
    """Open ``audit_id`` from My audits and wait until the form is shown."""
    from caseaudit.ui.navigation import Area

    view = window.show_area(Area.MY_AUDITS)
    form = view.open_audit(audit_id)
    qtbot.waitUntil(lambda: form.form is not None and form.isVisible(), timeout=10_000)
    return form


def active_dialog(qtbot, form):
    """The dialog the form has open, once it is the active window (as after a real open)."""
    qtbot.waitUntil(lambda: form.commands.dialog is not None, timeout=5000)
    dialog = form.commands.dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog
