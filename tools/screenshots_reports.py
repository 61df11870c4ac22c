"""Take the Reports, idle-lock and audit-trail screenshots for ``docs/screenshots``.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_reports.py``. It builds a small
demo (300 children) in a temporary folder, signs in the demo QA lead, exports a signed summary
pack of a round through the Reports area, locks the window, and opens the trail of an audit.
Widgets are rendered with ``QWidget.grab()``, so no display is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from caseaudit.db import open_database  # noqa: E402
from caseaudit.services import accounts  # noqa: E402
from caseaudit.services.audit_queue import my_queue  # noqa: E402
from caseaudit.services.cases import database_overview  # noqa: E402
from caseaudit.services.demo import build_demo  # noqa: E402
from caseaudit.ui.context import ShellContext  # noqa: E402
from caseaudit.ui.mainwindow import MainWindow  # noqa: E402
from caseaudit.ui.navigation import Area  # noqa: E402
from caseaudit.ui.runner import Runner  # noqa: E402
from caseaudit.ui.trail_view import TrailDialog  # noqa: E402

SIZE = (1280, 800)
PASSWORD = "demo-qa-lead"


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="caseaudit-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    QApplication.setApplicationName("caseaudit")
    QApplication.setOrganizationName("caseaudit")
    app = QApplication(sys.argv[:1])
    db = open_database(scratch / "demo.sqlite")
    build_demo(db, scale=300)
    user = accounts.sign_in(db, "qa.lead", PASSWORD)
    runner = Runner(app, synchronous=True)
    context = ShellContext(db, runner, database_overview(db), scratch, user=user)
    window = MainWindow(context, initial_area=Area.REPORTS)
    window.resize(*SIZE)
    window.show()
    settle(app)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    reports = window.show_area(Area.REPORTS)
    signed_rounds = {row.round_name for row in reports.signed_audits}
    for index, summary in enumerate(reports.rounds):
        if summary.name in signed_rounds:
            reports.round_box.setCurrentIndex(index)
            break
    reports.ask_target = lambda _kind: str(scratch / "round-pack.pdf")
    reports.ask_password = lambda: PASSWORD
    reports.export("pdf")
    settle(app)
    window.grab().save(str(out / "reports.png"))

    window.idle_lock.lock()
    window.idle_lock.try_unlock("not my password")
    settle(app)
    window.grab().save(str(out / "idle-lock.png"))
    window.idle_lock.try_unlock(PASSWORD)
    settle(app)

    audit_id = next(row.audit_id for row in my_queue(db, user, everyone=True) if row.grade_label)
    dialog = TrailDialog(context, audit_id, window)
    dialog.resize(1100, 560)
    dialog.show()
    settle(app)
    dialog.grab().save(str(out / "trail.png"))

    dialog.close()
    window.close()
    runner.shutdown()
    db.close()
    print(f"wrote reports.png, idle-lock.png and trail.png in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
