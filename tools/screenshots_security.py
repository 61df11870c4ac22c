"""Take the security screenshots for ``docs/screenshots``: a new encrypted database, retention.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_security.py``. It writes
``new-database.png`` (File → New database…, a passphrase typed, the rule it meets) and
``retention.png`` (File → Retention of identifiable data, a preview of what a purge would do) from
a small demo built in a temporary folder. Widgets are rendered with ``QWidget.grab()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from caseaudit.app import keep_singletons_alive  # noqa: E402
from caseaudit.db import open_database  # noqa: E402
from caseaudit.models import CaseFile, ChildIdentity  # noqa: E402
from caseaudit.services.cases import database_overview  # noqa: E402
from caseaudit.services.demo import build_demo  # noqa: E402
from caseaudit.services.users import authenticate  # noqa: E402
from caseaudit.ui.context import ShellContext  # noqa: E402
from caseaudit.ui.new_database_dialog import NewDatabaseDialog  # noqa: E402
from caseaudit.ui.retention_dialog import RetentionDialog  # noqa: E402
from caseaudit.ui.runner import Runner  # noqa: E402
from caseaudit.vocabulary import CaseStatus  # noqa: E402


def settle(app: QApplication, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    keep_singletons_alive()
    scratch = Path(tempfile.mkdtemp(prefix="caseaudit-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    app = QApplication(sys.argv[:1])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runner = Runner(app, synchronous=True)

    new = NewDatabaseDialog(runner, Path.home() / "caseaudit" / "north-borough.sqlite")
    new.passphrase.setText("heron lantern quarry 42")
    new.repeat.setText("heron lantern quarry 42")
    new.show()
    settle(app)
    new.adjustSize()
    settle(app)
    new.grab().save(str(out / "new-database.png"))
    new.close()

    db = open_database(scratch / "demo.sqlite")
    build_demo(db, scale=120)
    with db.session() as s:  # some children whose cases all closed long ago
        ids = list(s.scalars(select(ChildIdentity.child_id).limit(12)))
        s.execute(
            update(CaseFile)
            .where(CaseFile.child_id.in_(ids))
            .values(status=CaseStatus.CLOSED, closed_on=date(2012, 3, 31))
        )
    admin = authenticate(db, "admin", "demo-admin")
    context = ShellContext(db, runner, database_overview(db), scratch, user=admin)
    dialog = RetentionDialog(context)
    dialog.years.setValue(7)
    dialog.show()
    dialog.run_preview()
    settle(app)
    dialog.grab().save(str(out / "retention.png"))
    dialog.close()
    runner.shutdown()
    db.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
