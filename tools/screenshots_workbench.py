"""Take the auditor's workbench screenshots for ``docs/screenshots`` from a demo database.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_workbench.py`` (``--db FILE``
uses a copy of an existing demo database instead of building one in a temporary folder). It
writes ``login.png`` (the sign-in page with the demo accounts), ``my-audits.png`` (the demo
auditor's queue), ``audit-form.png`` (an audit open on a section, with the overall panel
explaining a cap) and ``signoff-missing.png`` (sign-off refused, listing what is missing).
Widgets are rendered with ``QWidget.grab()``; settings go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from caseaudit.app import keep_singletons_alive  # noqa: E402
from caseaudit.db import open_database  # noqa: E402
from caseaudit.services import audits  # noqa: E402
from caseaudit.services.cases import database_overview  # noqa: E402
from caseaudit.services.demo import build_demo  # noqa: E402
from caseaudit.services.demo_accounts import DEMO_PASSPHRASE  # noqa: E402
from caseaudit.services.encryption import create_encrypted_database  # noqa: E402
from caseaudit.services.users import authenticate  # noqa: E402
from caseaudit.ui.context import ShellContext  # noqa: E402
from caseaudit.ui.mainwindow import MainWindow  # noqa: E402
from caseaudit.ui.navigation import Area  # noqa: E402
from caseaudit.ui.runner import Runner  # noqa: E402
from caseaudit.vocabulary import AuditStatus  # noqa: E402

SIZE = (1280, 800)


def settle(app: QApplication, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def _capped_audit(db, user) -> tuple[int, str]:
    """An in-progress audit whose overall grade is capped (made so if none is), and a section."""
    rows = [r for r in audits.my_queue(db, user) if r.status == AuditStatus.IN_PROGRESS]
    for row in rows:
        form = audits.open_audit(db, user, row.audit_id)
        if form.grading.overall_caps:
            return row.audit_id, form.grading.visible_sections[0]
    audit_id = rows[0].audit_id
    form = audits.open_audit(db, user, audit_id)
    graded = [s for s in form.grading.visible_sections if form.definition.section(s).graded]
    audits.set_section_grade(db, user, audit_id, graded[0], 1)
    audits.set_section_grade(db, user, audit_id, "safety_and_impact", 4)
    return audit_id, "visits" if "visits" in form.grading.visible_sections else graded[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a demo database to copy (default: build a small demo)")
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    keep_singletons_alive()
    scratch = Path(tempfile.mkdtemp(prefix="caseaudit-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    QApplication.setApplicationName("caseaudit")
    QApplication.setOrganizationName("caseaudit")
    app = QApplication(sys.argv[:1])
    target = scratch / "demo.sqlite"
    if args.db:
        shutil.copyfile(args.db, target)
        db = open_database(target)
    else:  # encrypted with the published demo passphrase, as `caseaudit demo` builds it
        db = create_encrypted_database(target, DEMO_PASSPHRASE)
        build_demo(db, scale=400)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runner = Runner(app, synchronous=True)

    # 1. The sign-in page, as the program shows it before anything else.
    locked = ShellContext(db, runner, database_overview(db), scratch, requires_sign_in=True)
    window = MainWindow(locked)
    window.resize(*SIZE)
    window.show()
    settle(app)
    window.grab().save(str(out / "login.png"))
    page = window.sign_in_gate.page  # type: ignore[union-attr]
    page.username.setText("auditor")
    page.password.setText("demo-auditor")
    page.submit()
    settle(app)

    # 2. My audits: the demo auditor's queue, due soonest first, overdue marked.
    view = window.view(Area.MY_AUDITS)
    view.table.selectRow(2)
    settle(app)
    window.grab().save(str(out / "my-audits.png"))

    # 3. An audit open on a section, the overall panel explaining a cap.
    user = authenticate(db, "auditor", "demo-auditor")
    audit_id, section_id = _capped_audit(db, user)
    form = view.open_audit(audit_id)
    settle(app)
    form.show_section(section_id)
    page_widget = form.pages[section_id]
    question = next(w for w in page_widget.questions.values() if not w.isHidden())
    question.first_focus().setFocus()
    settle(app)
    window.grab().save(str(out / "audit-form.png"))

    # 4. Sign-off refused: what is missing, each item a way to the question.
    window.run_view_command("sign_off")
    settle(app)
    dialog = form.commands.dialog
    assert dialog is not None
    dialog.resize(900, 520)
    settle(app)
    dialog.grab().save(str(out / "signoff-missing.png"))
    dialog.reject()
    window.close()
    runner.shutdown()
    db.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
