"""The layering holds, and the window is usable without sight or a mouse.

Qt lives only in ``caseaudit.ui`` and ``caseaudit.app``: importing every other module of the
package, in a fresh interpreter, must not load PySide6 (Anki gets this for free from its separate
``pylib``). And every widget of the main window that can take keyboard focus must have a name a
screen reader can say.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QScrollBar, QWidget

import caseaudit
from caseaudit.ui.navigation import Area

pytest_plugins = ("tests.shell_fixtures",)

QT_ONLY = ("caseaudit.ui", "caseaudit.app")
#: Alembic's environment script runs only inside an Alembic command, not on a plain import.
NOT_IMPORTABLE = ("caseaudit.migrations.env",)


def non_ui_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(caseaudit.__path__, prefix="caseaudit.")
        if not any(info.name == q or info.name.startswith(f"{q}.") for q in QT_ONLY)
        and info.name not in NOT_IMPORTABLE
    ]
    return sorted(names)


def test_the_walk_finds_the_layers():
    modules = non_ui_modules()
    for expected in ("caseaudit.db", "caseaudit.services.cases", "caseaudit.models.case"):
        assert expected in modules
    assert not [m for m in modules if m.startswith("caseaudit.ui")]


def test_nothing_below_ui_imports_qt():
    modules = non_ui_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('QT:' + ','.join(qt))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "QT:\n" in done.stdout, done.stdout


def test_the_check_would_catch_a_qt_import():
    done = subprocess.run(
        [sys.executable, "-c", "import caseaudit.ui.runner, sys; print('PySide6' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "True"


def _focusable(widget: QWidget) -> bool:
    if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or isinstance(widget, QScrollBar):
        return False
    if widget.objectName().startswith("qt_"):  # Qt's own internal parts (viewports, spin arrows)
        return False
    parent = widget.parentWidget()
    return not (
        isinstance(widget, QLineEdit) and parent is not None and parent.inherits("QComboBox")
    )


def _unnamed_focusable(root: QWidget) -> list[str]:
    problems = []
    for widget in root.findChildren(QWidget):
        if not _focusable(widget):
            continue
        name = widget.accessibleName().strip()
        if not name and isinstance(widget, QAbstractButton | QLabel):
            # Qt's accessibility layer reads a button's or label's own text as its name.
            name = widget.text().replace("&", "").strip()
        if not name:
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} in {_path(widget)}")
    return problems


def _path(widget: QWidget) -> str:
    parts = []
    current: QWidget | None = widget.parentWidget()
    while current is not None:
        parts.append(current.objectName() or type(current).__name__)
        current = current.parentWidget()
    return "/".join(reversed(parts))


@pytest.mark.gui
def test_every_focusable_widget_has_an_accessible_name(make_window, cases_db):
    window = make_window(cases_db)
    for area in Area:
        window.show_area(area)
    window.view(Area.CASES).select_row(0)
    focusable = [w for w in window.findChildren(QWidget) if _focusable(w)]
    assert len(focusable) > 10
    assert _unnamed_focusable(window) == []


@pytest.mark.gui
def test_an_empty_database_window_is_named_too(make_window, sqlite_database):
    window = make_window(sqlite_database)
    for area in Area:
        window.show_area(area)
    assert _unnamed_focusable(window) == []


@pytest.mark.gui
def test_the_accessibility_check_can_fail(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    QLineEdit(root)
    assert len(_unnamed_focusable(root)) == 1
