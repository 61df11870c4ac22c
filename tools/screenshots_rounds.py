"""Take the import wizard's, the sample preview's and the sample editing screenshots.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_rounds.py``. The demo is built
in a temporary folder; a small CIN/CP list of invented children (Faker, seeded) with one bad row
is written there and taken through the wizard as far as its columns and its rejected rows; a
round is created and its sample previewed; then the sample is committed and changed by hand
(a file added with a reason, one removed; the "Add a file…" dialog is shown mid-way), and the
"New programme" dialog is filled in. Widgets are rendered with ``QWidget.grab()``, so no display
is needed. The files go to ``docs/screenshots`` (``--out`` for elsewhere).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from faker import Faker  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from caseaudit.db import open_database  # noqa: E402
from caseaudit.models.programme import ProgrammeKind  # noqa: E402
from caseaudit.services import rounds  # noqa: E402
from caseaudit.services.accounts import sign_in  # noqa: E402
from caseaudit.services.cases import database_overview  # noqa: E402
from caseaudit.services.demo import build_demo  # noqa: E402
from caseaudit.ui.context import ShellContext  # noqa: E402
from caseaudit.ui.import_wizard import ImportWizard  # noqa: E402
from caseaudit.ui.rounds_view import RoundsView  # noqa: E402
from caseaudit.ui.runner import Runner  # noqa: E402

HEADERS = ["Person ID", "Forename", "Surname", "DOB", "Plan Type", "Plan Start Date"]
HEADERS += ["Team Name", "Allocated Worker", "Key Agency"]


def write_case_list(path: Path, count: int = 24) -> Path:
    fake = Faker("en_GB")
    fake.seed_instance(3)
    rng = random.Random(3)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for number in range(1, count + 1):
            opened = date(2026, 1, 5) + timedelta(days=rng.randrange(250))
            writer.writerow(
                [
                    f"P{900000 + number}",
                    fake.first_name(),
                    fake.last_name(),
                    (date(2010, 1, 1) + timedelta(days=rng.randrange(4000))).strftime("%d/%m/%Y"),
                    "Banana" if number == 7 else rng.choice(["CP", "CIN"]),
                    "31/02/2026" if number == 12 else opened.strftime("%d/%m/%Y"),
                    rng.choice(["Safeguarding North", "Safeguarding South"]),
                    fake.name(),
                    rng.choice(["School", "Health visitor", "Police"]),
                ]
            )
    return path


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"wrote {path}")


def sample_editing(app: QApplication, view: RoundsView, out: Path) -> None:
    """Commit the previewed sample, change it by hand, and fill in a new programme."""
    assert view.preview_dialog is not None
    view.preview_dialog.commit()
    settle(app)
    items = view.detail.items if view.detail else ()
    view.sample.selectRow(view.sample_model.row_of_case(items[3].case_key))
    view.remove_file()
    remove = view.change_dialog
    remove.reason.setPlainText("Case closed in error and reopened under another case key")
    remove.ok_button.click()
    settle(app)
    view.add_file()
    dialog = view.change_dialog
    dialog.resize(960, 560)
    dialog.search("Safeguarding")
    dialog.cases.selectRow(2)
    dialog.reason.setPlainText(
        "Requested by the head of service after a complaint about drift in the plan"
    )
    save(app, dialog, out / "sample-add-file.png")
    dialog.ok_button.click()
    settle(app)
    save(app, view, out / "sample-edited.png")
    calendar = view.calendar
    view.tabs.setCurrentWidget(calendar)
    calendar.new_programme()
    programme = calendar.programme_dialog
    assert programme is not None
    programme.kind.setCurrentIndex(programme.kind.findData(ProgrammeKind.IRO_MONTHLY.value))
    programme.name.setText("IRO manager's monthly LAC review minutes audit")
    programme.set_auditors({"iro.manager"})
    programme.resize(680, programme.sizeHint().height())
    save(app, programme, out / "programme-dialog.png")
    programme.reject()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="caseaudit-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    app = QApplication(sys.argv[:1])
    db = open_database(scratch / "demo.sqlite")
    build_demo(db, scale=300)
    qa = sign_in(db, "qa.lead", "demo-qa-lead")
    context = ShellContext(db, Runner(app, synchronous=True), database_overview(db), scratch, qa)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    wizard = ImportWizard(context, path=write_case_list(scratch / "cp-list-november.csv"))
    wizard.resize(1000, 640)
    wizard.show()
    wizard.next()
    settle(app)
    wizard.mapping_page.profile_name.setText("Mosaic CP list")
    save(app, wizard, out / "import-wizard.png")
    wizard.next()
    settle(app)
    save(app, wizard, out / "import-wizard-rejected.png")
    wizard.reject()

    created = rounds.create_round(
        db,
        qa,
        "Q4 2026 themed audit: management oversight",
        template_key="cp-cin-plan-visits",
        theme="Management oversight",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        auditors=["auditor", "moderator", "iro.manager"],
        spec={
            "strata": ["stage", "status"],
            "allocation": "proportional",
            "total": 16,
            "minimums": {"safeguarding": 4, "lac": 4},
            "exclude_months": 6,
            "max_per_worker": 2,
        },
    )
    view = RoundsView(context)
    view.resize(1280, 800)
    view.show()
    view.select_round(created.id)
    view.draw_sample(seed=20261122)
    dialog = view.preview_dialog
    assert dialog is not None
    dialog.resize(1200, 760)
    save(app, dialog, out / "sample-preview.png")
    save(app, view, out / "rounds.png")
    sample_editing(app, view, out)
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
