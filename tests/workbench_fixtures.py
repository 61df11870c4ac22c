"""Shared fixtures for the auditor's workbench GUI tests: a small demo, windows, helpers.

The demo builder makes a real SQLite file once per session (``DEMO_SCALE`` children, the demo
rounds and audits in every state, the six published demo accounts); each test works on its own
copy. ``started`` runs the program's own start-up on a database file (the window asks who is
signing in first); ``workbench`` builds a main window signed in as a demo user, on a synchronous runner (or
the real threaded one) whose errors are collected, not shown. The plain helpers are in
``workbench_helpers``.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from caseaudit.app import keep_singletons_alive
from caseaudit.db import Database, open_database
from caseaudit.services.demo import build_demo
from caseaudit.ui.runner import Runner
from caseaudit.ui.startup import Startup

from .workbench_helpers import DEMO_SCALE, sign_in_as

keep_singletons_alive()  # as the program does: PySide6 6.12 on Python 3.11 (see caseaudit.app)


@pytest.fixture(scope="session")
def _workbench_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("workbench") / "workbench.sqlite"
    db = open_database(path)
    try:
        build_demo(db, scale=DEMO_SCALE)
    finally:
        db.close()
    return path


@pytest.fixture
def workbench_db(tmp_path, _workbench_file) -> Iterator[Database]:
    """A copy of the small demo (with its rounds and audits) for one test."""
    target = tmp_path / "workbench.sqlite"
    shutil.copyfile(_workbench_file, target)
    db = open_database(target)
    yield db
    db.close()


def _make_context(db: Database, username: str | None, errors: list, *, synchronous: bool):
    from caseaudit.services.cases import database_overview
    from caseaudit.ui.context import ShellContext
    from caseaudit.ui.runner import Runner

    runner = Runner(synchronous=synchronous)
    runner.error_handler = lambda exc, label: errors.append((exc, label))
    user = sign_in_as(db, username) if username else None
    return ShellContext(db, runner, database_overview(db), None, user=user)


@pytest.fixture
def workbench(qtbot, isolated_settings, runner_errors):
    """``workbench(db, "auditor")``: a main window on My audits, signed in as that demo user."""
    from caseaudit.ui.mainwindow import MainWindow
    from caseaudit.ui.navigation import Area

    made = []

    def build(db: Database, username: str = "auditor", *, synchronous: bool = True):
        context = _make_context(db, username, runner_errors, synchronous=synchronous)
        window = MainWindow(context, initial_area=Area.MY_AUDITS)
        qtbot.addWidget(window)
        window.resize(1280, 860)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        made.append(window)
        return window

    yield build
    for window in made:
        window.context.runner.shutdown()


@pytest.fixture
def started(qtbot, tmp_path, isolated_settings):
    """Run the program's start-up on a database file; returns the window shown."""
    made: list[Startup] = []
    errors: list = []

    def start(path):
        args = argparse.Namespace(
            data_dir=str(tmp_path / "data"), db=str(path), passphrase_file=None, verbose=False
        )
        runner = Runner(synchronous=True)
        runner.error_handler = lambda exc, label: errors.append((exc, label))
        starter = Startup(
            args, runner, ask=lambda *a: None, report=lambda _p, e, d: errors.append((e, d))
        )
        made.append(starter)
        starter.start()
        window = starter.window
        assert window is not None and window.isVisible()
        qtbot.addWidget(window)  # closed and deleted after the test, not at interpreter exit
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        return window

    start.errors = errors
    yield start
    for starter in made:
        if starter.window is not None:
            starter.window.close()
        starter.runner.shutdown()
