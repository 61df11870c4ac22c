"""File → Retention of identifiable data: administrators preview, confirm and purge; others
cannot; a purge blanks identities and is recorded on the trail."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select, update

from caseaudit.models import CaseFile, ChildIdentity
from caseaudit.services import trail
from caseaudit.ui.actions import ActionId
from caseaudit.vocabulary import CaseStatus

pytest_plugins = ("tests.shell_fixtures", "tests.workbench_fixtures")


def _close_some_cases_long_ago(db, count: int = 3) -> list[int]:
    with db.session() as s:
        child_ids = list(
            s.scalars(select(ChildIdentity.child_id).order_by(ChildIdentity.child_id).limit(count))
        )
        s.execute(
            update(CaseFile)
            .where(CaseFile.child_id.in_(child_ids))
            .values(status=CaseStatus.CLOSED, closed_on=date(2009, 4, 1))
        )
    return child_ids


def test_an_administrator_previews_then_purges(qtbot, workbench, workbench_db, monkeypatch):
    child_ids = _close_some_cases_long_ago(workbench_db)
    window = workbench(workbench_db, "admin")
    action = window.actions[ActionId.RETENTION]
    assert action.isEnabled()
    action.trigger()
    dialog = window.retention_dialog
    assert not dialog.purge_button.isEnabled()  # nothing is purged before a preview
    dialog.years.setValue(10)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    assert dialog.preview.children >= len(child_ids)
    assert f"{dialog.preview.children:,} children" in dialog.summary.text()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert "Purged the identifying details" in dialog.summary.text()
    with workbench_db.session() as s:
        names = set(
            s.scalars(
                select(ChildIdentity.family_name).where(ChildIdentity.child_id.in_(child_ids))
            )
        )
    assert names == {""}
    assert trail.verify(workbench_db).ok


def test_a_cancelled_confirmation_purges_nothing(qtbot, workbench, workbench_db, monkeypatch):
    child_ids = _close_some_cases_long_ago(workbench_db, 1)
    window = workbench(workbench_db, "admin")
    window.actions[ActionId.RETENTION].trigger()
    dialog = window.retention_dialog
    dialog.years.setValue(10)
    dialog.run_preview()
    qtbot.waitUntil(lambda: dialog.purge_button.isEnabled(), timeout=10_000)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    dialog.confirm_purge()
    with workbench_db.session() as s:
        assert s.get(ChildIdentity, child_ids[0]).family_name != ""


def test_retention_is_for_administrators_only(workbench, workbench_db):
    window = workbench(workbench_db, "auditor")
    assert not window.actions[ActionId.RETENTION].isEnabled()
