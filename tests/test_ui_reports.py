"""The Reports area: exporting a round pack through the view, reading it back, verifying it.

Real widgets offscreen on a copy of the small demo (real SQLite file); the save dialog and the
password prompt are replaced by plain functions, everything else is the real view, services and
runner. The exported PDF is read back with pypdf: it carries the round's name and no child's name.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

from caseaudit.services import reporting
from caseaudit.services.cases import database_overview
from caseaudit.ui.context import ShellContext
from caseaudit.ui.reports_view import SENSITIVE_WARNING, ReportsView
from caseaudit.ui.runner import Runner
from caseaudit.ui.verify_dialog import verification_words, verify_pdf_file
from tests.shell_fixtures import child_full_names
from tests.workbench_helpers import PASSWORDS, sign_in_as

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")
pytestmark = pytest.mark.gui


def _view(qtbot, db, username: str, data_dir: Path, errors: list, *, synchronous: bool = True):
    runner = Runner(synchronous=synchronous)
    runner.error_handler = lambda exc, label: errors.append((exc, label))
    user = sign_in_as(db, username)
    context = ShellContext(db, runner, database_overview(db), data_dir, user=user)
    view = ReportsView(context)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.show()
    return view


def _round_with_signed_audits(view: ReportsView) -> int:
    names = {row.round_name for row in view.signed_audits}
    for index, summary in enumerate(view.rounds):
        if summary.name in names:
            view.round_box.setCurrentIndex(index)
            return index
    raise AssertionError("the demo has no round with signed audits")


def test_every_interactive_widget_has_an_accessible_name(qtbot, workbench_db, tmp_path):
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, [])
    kinds = (QAbstractButton, QComboBox, QLineEdit)
    widgets = [w for kind in kinds for w in view.findChildren(kind)]
    assert len(widgets) > 8
    for widget in widgets:
        assert widget.accessibleName(), widget.objectName()


def test_named_version_only_for_roles_that_see_names(qtbot, workbench_db, tmp_path):
    lead = _view(qtbot, workbench_db, "qa.lead", tmp_path, [])
    assert lead.named.isVisibleTo(lead)
    assert lead.pseudonymised.isChecked()
    assert not lead.warning.isVisibleTo(lead)
    lead.named.setChecked(True)
    assert lead.warning.isVisibleTo(lead)
    assert "OFFICIAL-SENSITIVE" in lead.warning.text() == SENSITIVE_WARNING

    moderator = _view(qtbot, workbench_db, "moderator", tmp_path, [])
    assert not moderator.named.isVisibleTo(moderator)
    assert moderator.export_pdf.isEnabled()

    auditor = _view(qtbot, workbench_db, "auditor", tmp_path, [])
    assert not auditor.export_pdf.isEnabled()
    assert "may not produce reports" in auditor.status.text()


def test_export_a_signed_round_pack_and_read_it_back(qtbot, workbench_db, tmp_path):
    errors: list = []
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, errors)
    _round_with_signed_audits(view)
    summary = view.current_round()
    target = tmp_path / "pack.pdf"
    asked: list[str] = []
    view.ask_target = lambda kind: asked.append(kind) or str(target)
    view.ask_password = lambda: PASSWORDS["qa.lead"]
    with qtbot.waitSignal(view.finished, timeout=120_000):
        view.export("pdf")
    assert errors == []
    assert asked == ["pdf"]
    assert target.exists()
    assert "Saved pack.pdf" in view.status.text() and "signed by" in view.status.text()
    assert view.open_button.isEnabled()

    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert summary.name in text
    leaks = [name for name in child_full_names(workbench_db) if name in text]
    assert leaks == []

    result = reporting.verify_pdf(target)
    assert result.intact and result.signer
    verify_pdf_file(view, view.context, target)
    words = dict(view.verify_dialog.words)
    assert words["Intact"].startswith("Yes")
    assert words["Signed by"] == result.signer
    assert words["Trusted"].startswith("Not checked")


def test_a_changed_pdf_is_reported_in_words(tmp_path, qtbot, workbench_db):
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, [])
    _round_with_signed_audits(view)
    target = tmp_path / "pack.pdf"
    view.ask_target = lambda kind: str(target)
    view.ask_password = lambda: PASSWORDS["qa.lead"]
    with qtbot.waitSignal(view.finished, timeout=120_000):
        view.export("pdf")
    data = bytearray(target.read_bytes())
    data[len(data) // 3] ^= 0x01
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(data))
    words = dict(verification_words(reporting.verify_pdf(damaged)))
    assert not words["Intact"].startswith("Yes")


def test_export_csv_and_xlsx(qtbot, workbench_db, tmp_path):
    errors: list = []
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, errors)
    _round_with_signed_audits(view)
    folder = tmp_path / "csv"
    folder.mkdir()
    view.ask_target = lambda kind: str(folder if kind == "csv" else tmp_path / "round.xlsx")
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.export("csv")
    assert list(folder.glob("*.csv"))
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.export("xlsx")
    assert (tmp_path / "round.xlsx").exists()
    assert errors == []


def test_one_audit_report_without_signature(qtbot, workbench_db, tmp_path):
    errors: list = []
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, errors)
    _round_with_signed_audits(view)
    view.audit_choice.setChecked(True)
    assert view.audit_box.count() > 0
    assert not view.export_csv.isEnabled()
    view.sign.setChecked(False)
    target = tmp_path / "audit.pdf"
    view.ask_target = lambda kind: str(target)
    view.ask_password = lambda: pytest.fail("no password is needed without signing")
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.export("pdf")
    assert errors == []
    assert "not signed" in view.status.text()
    assert not reporting.verify_pdf(target).signed


def test_cancel_leaves_no_file(qtbot, workbench_db, tmp_path):
    errors: list = []
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, errors, synchronous=False)
    qtbot.waitUntil(lambda: view.round_box.count() > 0, timeout=30_000)
    _round_with_signed_audits(view)
    target = tmp_path / "cancelled.pdf"
    view.ask_target = lambda kind: str(target)
    view.ask_password = lambda: PASSWORDS["qa.lead"]
    view.export("pdf")
    assert view.cancel_button.isVisible()
    view.cancel()
    qtbot.waitUntil(lambda: view.task is None, timeout=120_000)
    view.context.runner.shutdown()
    assert errors == []
    assert "cancelled" in view.status.text()
    assert not target.exists()
    assert not list(tmp_path.glob(".cancelled.pdf.*"))


def test_a_hidden_view_reloads_once_when_shown_not_on_every_save(qtbot, workbench_db, tmp_path):
    view = _view(qtbot, workbench_db, "qa.lead", tmp_path, [])
    runner = view.context.runner
    reads: list[str] = []
    real_run = runner.run

    def counted_run(op, *args, **kwargs):
        reads.append(kwargs.get("label", ""))
        return real_run(op, *args, **kwargs)

    runner.run = counted_run
    runner.announce({"audit"})  # visible: read at once
    assert reads == ["Reading rounds"]
    view.hide()
    for _ in range(5):  # five autosaves while another area is open
        runner.announce({"audit", "answer"})
    assert reads == ["Reading rounds"]
    assert view.deferred.pending
    view.show()
    assert reads == ["Reading rounds", "Reading rounds"]
    assert not view.deferred.pending
    assert view.round_box.count() > 0
