"""Take the GUI shell's screenshots for ``docs/screenshots`` from the demo database.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py`` (add ``--db FILE`` to use
an existing database instead of building the demo in a temporary folder). Widgets are rendered
with ``QWidget.grab()``, so no display is needed; settings go to a temporary folder so the
user's saved window layout does not change the pictures.
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

from caseaudit.services.demo import ensure_demo_database  # noqa: E402
from caseaudit.ui.context import ShellContext  # noqa: E402
from caseaudit.ui.mainwindow import MainWindow  # noqa: E402
from caseaudit.ui.navigation import Area  # noqa: E402
from caseaudit.ui.runner import Runner  # noqa: E402
from caseaudit.ui.startup import add_builtin_templates, prepare_database  # noqa: E402

SIZE = (1280, 800)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database to show (default: build the demo)")
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="caseaudit-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    QApplication.setApplicationName("caseaudit")
    QApplication.setOrganizationName("caseaudit")
    app = QApplication(sys.argv[:1])
    target = args.db or str(ensure_demo_database(scratch))
    opened = prepare_database(target, None)
    add_builtin_templates(opened.db)
    runner = Runner(app, synchronous=True)
    context = ShellContext(opened.db, runner, opened.overview, scratch)
    window = MainWindow(context, initial_area=Area.CASES)
    window.resize(*SIZE)
    window.show()
    settle(app)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    cases = window.show_area(Area.CASES)
    cases.select_row(2)
    settle(app)
    window.grab().save(str(out / "shell-cases.png"))

    templates = window.show_area(Area.TEMPLATES)
    templates.table.selectRow(0)
    settle(app)
    window.grab().save(str(out / "shell-templates.png"))

    window.close()
    runner.shutdown()
    opened.db.close()
    print(f"wrote {out / 'shell-cases.png'} and {out / 'shell-templates.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
