"""The GUI shell: main window, navigation, menus, status bar, runner, errors and start-up.

Real widgets offscreen on real SQLite files. The start-up tests drive ``Startup`` end to end:
first run (building the demo, and cancelling it), encrypted databases and passphrases, a
database from a newer program, and a file that is not a database. One test runs the real
program in a subprocess until its main window is shown.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from caseaudit import __version__, paths
from caseaudit.db import open_database
from caseaudit.errors import DatabaseTooNew, ValidationError
from caseaudit.services.demo_accounts import DEMO_PASSPHRASE
from caseaudit.ui.actions import MENUS, ActionId
from caseaudit.ui.errors import build_error_dialog, describe_for_log
from caseaudit.ui.first_run import CANCELLED_QUIT
from caseaudit.ui.mainwindow import MainWindow
from caseaudit.ui.navigation import Area
from caseaudit.ui.runner import EVERYTHING, Runner, as_changes
from caseaudit.ui.startup import Startup

pytest_plugins = ("tests.shell_fixtures",)
pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "amber kettle harbour lantern"


# -- the window ------------------------------------------------------------------------------
def test_window_opens_on_a_database(make_window, cases_db, runner_errors):
    window = make_window(cases_db)
    assert window.current_area is Area.CASES
    assert window.status.database.text() == f"SQLite {cases_db.path.name}"
    assert not window.status.not_encrypted.isHidden()  # a plain file says so
    assert str(cases_db.path) in window.status.database.toolTip()
    assert window.status.is_demo_shown
    assert window.status.demo_badge.text() == "DEMO DATA"
    assert window.status.signed_in.text() == "Not signed in"
    assert "DEMO DATA" in window.windowTitle()
    assert window.rail.count_text(Area.CASES) == "300"
    assert int(window.rail.count_text(Area.TEMPLATES)) >= 3
    assert runner_errors == []


def test_no_demo_badge_on_a_real_database(make_window, real_db):
    window = make_window(real_db)
    assert not window.status.is_demo_shown
    assert "DEMO" not in window.windowTitle()
    assert window.actions[ActionId.OPEN_DEMO].isEnabled()


@pytest.mark.parametrize("area", list(Area))
def test_ctrl_digit_shows_each_area(make_window, cases_db, qtbot, area):
    window = make_window(
        cases_db, initial_area=Area.TEMPLATES if area is Area.CASES else Area.CASES
    )
    qtbot.keyClick(
        window, Qt.Key(Qt.Key.Key_0.value + area.number), Qt.KeyboardModifier.ControlModifier
    )
    assert window.current_area is area
    assert window.rail.current_area() is area
    assert window.view(area) is not None
    assert window.actions[ActionId(area.key)].isChecked()


def test_rail_selection_switches_area(make_window, cases_db):
    window = make_window(cases_db)
    window.rail.setCurrentRow(Area.TEMPLATES.number - 1)
    assert window.current_area is Area.TEMPLATES
    assert window.stack.currentWidget() is window.pages[Area.TEMPLATES]


def test_areas_are_built_on_first_show(make_window, cases_db):
    window = make_window(cases_db, initial_area=Area.ROUNDS)
    assert [area for area in Area if window.view(area) is not None] == [Area.ROUNDS]
    window.show_area(Area.REPORTS)
    assert window.view(Area.REPORTS) is not None and window.view(Area.TEMPLATES) is None


def test_menus_come_from_the_action_registry(make_window, cases_db):
    window = make_window(cases_db)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Audit", "&Round", "&View", "&Help"]
    assert [title for title, _ in MENUS] == menus
    view_menu = window.menuBar().actions()[4].menu()
    shortcuts = [a.shortcut().toString() for a in view_menu.actions() if not a.isSeparator()]
    assert shortcuts[:6] == [f"Ctrl+{n}" for n in range(1, 7)]
    assert window.actions[ActionId.FIND].shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert not window.actions[ActionId.IMPORT_CASES].isEnabled()  # nobody signed in
    assert not window.actions[ActionId.OPEN_DEMO].isEnabled()  # already the demo


def test_find_is_enabled_only_where_there_is_a_search(make_window, cases_db, qtbot):
    window = make_window(cases_db)
    assert window.actions[ActionId.FIND].isEnabled()
    window.actions[ActionId.FIND].trigger()
    assert window.view(Area.CASES).search.hasFocus()
    window.show_area(Area.ACTIONS)
    assert not window.actions[ActionId.FIND].isEnabled()
    window.show_area(Area.TEMPLATES)
    window.actions[ActionId.FIND].trigger()
    assert window.view(Area.TEMPLATES).search.hasFocus()


def test_about_names_the_version_and_database(make_window, cases_db):
    window = make_window(cases_db)
    about = window.about_text()
    assert __version__ in about
    assert str(cases_db.path) in about
    assert "demo data" in about


def test_refresh_recounts(make_window, cases_db):
    window = make_window(cases_db)
    with cases_db.session() as s:
        s.execute(text("DELETE FROM pathway_event WHERE case_file_id = 1"))
        s.execute(text("DELETE FROM sample_item WHERE case_file_id = 1"))
        s.execute(text("DELETE FROM case_file WHERE id = 1"))
    assert window.rail.count_text(Area.CASES) == "300"
    window.actions[ActionId.REFRESH].trigger()
    assert window.rail.count_text(Area.CASES) == "299"
    assert window.view(Area.CASES).model.total == 299


def test_empty_real_database_offers_import_and_demo(make_window, sqlite_database, qtbot):
    window = make_window(sqlite_database, initial_area=Area.ACTIONS)
    placeholder = window.view(Area.ACTIONS)
    found = {b.text(): b for b in placeholder.findChildren(QPushButton)}
    assert set(found) == {"Import a case list…", "Open the demo"}
    assert found["Import a case list…"].isEnabled()
    with qtbot.waitSignal(window.open_demo_requested, timeout=1000):
        qtbot.mouseClick(found["Open the demo"], Qt.MouseButton.LeftButton)
    assert "later version" in placeholder.empty.text.text()


def test_geometry_is_remembered(make_window, cases_db, qtbot):
    window = make_window(cases_db)
    window.resize(700, 500)
    window.show_area(Area.TEMPLATES)
    window.close()
    again = make_window(cases_db, resize=False)
    assert (again.width(), again.height()) == (700, 500)
    assert again.current_area is Area.TEMPLATES


# -- the runner ------------------------------------------------------------------------------
def test_runner_delivers_results_on_the_gui_thread(qtbot):
    runner = Runner()
    seen = {}

    def op():
        seen["worker"] = QThread.currentThread() is QApplication.instance().thread()
        seen["thread"] = threading.current_thread().name
        return 42

    with qtbot.waitSignal(runner.data_changed, timeout=5000) as blocker:
        runner.run(op, lambda value: seen.update(value=value, gui=_on_gui_thread()), changes="x")
    assert seen == {"worker": False, "thread": seen["thread"], "value": 42, "gui": True}
    assert seen["thread"].startswith("caseaudit-db")
    assert blocker.args == [frozenset({"x"})]
    runner.shutdown()


def _on_gui_thread() -> bool:
    return QThread.currentThread() is QApplication.instance().thread()


def test_runner_runs_operations_in_order_and_reports_errors(qtbot):
    runner = Runner()
    order: list[str] = []
    failures: list[BaseException] = []
    for name in "abc":
        runner.run(partial(order.append, name))
    runner.run(lambda: 1 / 0, on_error=failures.append)
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=5000)
    assert order == ["a", "b", "c"]
    assert isinstance(failures[0], ZeroDivisionError)
    handled: list[tuple[BaseException, str]] = []
    runner.error_handler = lambda exc, label: handled.append((exc, label))
    runner.run(lambda: [][1], label="Reading something")
    qtbot.waitUntil(lambda: bool(handled), timeout=5000)
    assert isinstance(handled[0][0], IndexError) and handled[0][1] == "Reading something"
    runner.shutdown()


def test_runner_shutdown_finishes_queued_work(qtbot):
    runner = Runner()
    release = threading.Event()
    done: list[str] = []
    runner.run(lambda: (release.wait(5), done.append("slow")))
    runner.run(lambda: done.append("queued save"))
    release.set()
    runner.shutdown()
    assert done == ["slow", "queued save"]
    runner.run(lambda: done.append("too late"))
    assert done == ["slow", "queued save"]


def test_runner_shows_busy_for_slow_work(qtbot):
    runner = Runner(busy_delay_ms=10)
    release = threading.Event()
    states: list[tuple[bool, str]] = []
    runner.busy_changed.connect(lambda busy, label: states.append((busy, label)))
    with qtbot.waitSignal(runner.busy_changed, timeout=5000):
        runner.run(release.wait, label="Thinking")
    assert states == [(True, "Thinking")]
    release.set()
    qtbot.waitUntil(lambda: len(states) == 2, timeout=5000)
    assert states[-1] == (False, "")
    assert not runner.busy
    runner.shutdown()


def test_runner_progress_and_cancel(qtbot):
    runner = Runner()
    progress: list[tuple[float, str]] = []
    outcome: dict[str, object] = {}

    def long_op(report, cancel):
        report(0.5, "half way")
        cancel.wait(5)
        return cancel.is_set()

    handle = runner.run_long(
        long_op, lambda f, m: progress.append((f, m)), lambda v: outcome.update(v=v)
    )
    qtbot.waitUntil(lambda: bool(progress), timeout=5000)
    handle.cancel()
    qtbot.waitUntil(lambda: "v" in outcome, timeout=5000)
    assert progress == [(0.5, "half way")] and outcome["v"] is True and handle.finished
    runner.shutdown()


def test_synchronous_runner_and_destroyed_owners(qtbot):
    from PySide6.QtWidgets import QWidget

    runner = Runner(synchronous=True)
    got: list[int] = []
    runner.run(lambda: 5, got.append)
    assert got == [5]
    owner = QWidget()
    changes: list[frozenset[str]] = []
    runner.data_changed.connect(changes.append)
    import shiboken6

    shiboken6.delete(owner)
    runner.run(lambda: 6, got.append, owner=owner, changes={"case_file"})
    assert got == [5]  # the widget that asked is gone: no callback
    assert changes == [frozenset({"case_file"})]  # but the change is still announced
    assert as_changes(None) == frozenset() and EVERYTHING in as_changes(object())


# -- errors ----------------------------------------------------------------------------------
def test_error_dialog_for_a_domain_error(qapp):
    error = ValidationError("The list was not imported.", ["Row 4 has no case key."])
    box = build_error_dialog(None, error, "Importing")
    assert box.text() == "The list was not imported."
    assert "Row 4 has no case key." in box.informativeText()
    assert "log file" in box.informativeText()
    assert "Traceback" not in box.text() + box.informativeText() + box.detailedText()


def test_error_dialog_for_an_unexpected_error(qapp):
    try:
        raise KeyError("boom")
    except KeyError as exc:
        box = build_error_dialog(None, exc, "Loading case files")
    assert (
        box.text() == "Something went wrong that caseaudit did not expect while loading case files."
    )
    assert "saved before this is safe" in box.informativeText()
    assert "boom" not in box.text() + box.informativeText()
    assert box.detailedText() == ""


def test_log_text_leaves_out_sql_parameters():
    orig = Exception("UNIQUE constraint failed: child.case_key")
    error = IntegrityError("INSERT INTO x VALUES (?)", ("Jessica Example",), orig)
    logged = describe_for_log(error)
    assert "UNIQUE constraint failed" in logged and "INSERT INTO x" in logged
    assert "Jessica Example" not in logged


# -- start-up --------------------------------------------------------------------------------
class Reports:
    def __init__(self) -> None:
        self.errors: list[tuple[BaseException, str]] = []
        self.asked: list[tuple[str, bool]] = []
        self.answers: list[str | None] = []

    def report(self, _parent, exc, doing) -> None:
        self.errors.append((exc, doing))

    def ask(self, name, retry, _parent):
        self.asked.append((name, retry))
        return self.answers.pop(0) if self.answers else None


@pytest.fixture
def startup(qtbot, tmp_path, isolated_settings):
    made: list[Startup] = []
    reports = Reports()

    def build(
        db: str | None = None, *, synchronous: bool = True, passphrase_file=None, unencrypted=None
    ):
        args = argparse.Namespace(
            data_dir=str(tmp_path / "data"),
            db=db,
            passphrase_file=passphrase_file,
            unencrypted=unencrypted,
            verbose=False,
        )
        runner = Runner(synchronous=synchronous)
        starter = Startup(args, runner, ask=reports.ask, report=reports.report)
        made.append(starter)
        return starter

    build.reports = reports
    yield build
    for starter in made:
        if starter.window is not None:
            starter.window.close()
        starter.runner.shutdown()


def shown(starter: Startup) -> MainWindow:
    assert starter.window is not None and starter.window.isVisible()
    return starter.window


def test_startup_opens_the_named_database(startup, cases_db):
    starter = startup(str(cases_db.path))
    with_window = []
    starter.window_shown.connect(with_window.append)
    starter.start()
    window = shown(starter)
    assert with_window == [window]
    assert window.status.is_demo_shown
    finished = []
    starter.finished.connect(finished.append)
    window.close()
    assert finished == [0]


def test_a_new_database_gets_the_builtin_templates_after_the_window_shows(startup, tmp_path):
    path = tmp_path / "fresh.sqlite"
    starter = startup(str(path))
    starter.start()  # the file does not exist: new databases are encrypted, so we are asked
    dialog = starter.new_database_dialog
    assert dialog is not None and dialog.isVisible() and dialog.path.text() == str(path)
    assert starter.window is None and not path.exists()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE)
    dialog.create_button.click()
    window = shown(starter)
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert window.status.database.text() == "Encrypted SQLite fresh.sqlite"
    assert window.status.not_encrypted.isHidden()
    assert startup.reports.asked == []  # the new key was handed over, not asked for again
    assert window.sign_in_gate.page.first_admin  # no users yet: create the administrator
    assert not window.status.is_demo_shown
    assert int(window.rail.count_text(Area.TEMPLATES)) >= 3  # added, then announced
    templates = window.show_area(Area.TEMPLATES)
    assert templates.model.rowCount() == int(window.rail.count_text(Area.TEMPLATES))
    cases = window.show_area(Area.CASES)
    assert cases.list_stack.currentWidget() is cases.empty_database
    assert startup.reports.errors == []


def test_busy_work_shows_in_the_status_bar(make_window, cases_db):
    window = make_window(cases_db)
    assert window.status.busy_bar.isHidden()
    window.context.runner.busy_changed.emit(True, "Loading case files")
    assert window.status.busy_bar.isVisible()
    assert window.status.busy_label.text() == "Loading case files…"
    window.context.runner.busy_changed.emit(False, "")
    assert window.status.busy_bar.isHidden()


def test_first_run_builds_the_demo(startup, qtbot, monkeypatch):
    from caseaudit.services import demo

    small = partial(demo.ensure_demo_database, scale=60)  # the real build, only smaller
    monkeypatch.setattr(demo, "ensure_demo_database", small)
    starter = startup()
    starter.start()
    window = shown(starter)
    assert paths.demo_database_path(starter.data_dir).exists()
    assert window.context.overview.is_demo and window.context.overview.case_file_count == 60
    assert starter.first_run is not None and starter.first_run.bar.value() == 1000
    demo_file = paths.demo_database_path(starter.data_dir)
    assert demo_file.read_bytes()[:16] != b"SQLite format 3\x00"  # encrypted, opened unasked
    assert window.context.db.kind == "sqlcipher" and startup.reports.asked == []
    note = window.sign_in_gate.page.demo_file_note.text()
    assert DEMO_PASSPHRASE in note and "never hold real children's data" in note
    assert startup.reports.errors == []


def test_cancelling_the_first_run_leaves_nothing_behind(startup, qtbot):
    starter = startup(synchronous=False)
    finished: list[int] = []
    starter.finished.connect(finished.append)
    starter.start()
    dialog = starter.first_run
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)  # Cancel
    qtbot.waitUntil(lambda: dialog.button.text() == "Close", timeout=60_000)
    assert dialog.step.text() == CANCELLED_QUIT
    demo_file = paths.demo_database_path(starter.data_dir)
    assert not demo_file.exists()
    assert not list(demo_file.parent.glob("*.partial*"))
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)  # Close
    assert finished == [0]
    assert starter.window is None and startup.reports.errors == []


def test_encrypted_database_asks_for_its_passphrase(startup, tmp_path):
    target = tmp_path / "secret.sqlite"
    open_database(target, passphrase="right one").close()
    starter = startup(str(target))
    startup.reports.answers = ["wrong one", "right one"]
    starter.start()
    window = shown(starter)
    assert startup.reports.asked == [("secret.sqlite", False), ("secret.sqlite", True)]
    assert window.status.database.text() == "Encrypted SQLite secret.sqlite"
    assert window.status.not_encrypted.isHidden()
    assert startup.reports.errors == []


def test_declining_the_passphrase_quits(startup, tmp_path):
    target = tmp_path / "secret.sqlite"
    open_database(target, passphrase="right one").close()
    starter = startup(str(target))
    finished: list[int] = []
    starter.finished.connect(finished.append)
    starter.start()
    assert startup.reports.asked == [("secret.sqlite", False)]
    assert finished == [1] and starter.window is None


def test_a_newer_database_is_refused_clearly(startup, tmp_path):
    target = tmp_path / "newer.sqlite"
    db = open_database(target)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.close()
    starter = startup(str(target))
    finished: list[int] = []
    starter.finished.connect(finished.append)
    starter.start()
    assert finished == [1]
    ((error, doing),) = startup.reports.errors
    assert isinstance(error, DatabaseTooNew) and doing == "Opening the database"
    assert "newer version of caseaudit" in error.message


def test_a_file_that_is_not_a_database_is_refused(startup, tmp_path):
    target = tmp_path / "notes.sqlite"
    target.write_text("these are not the droids\n" * 50)
    starter = startup(str(target))
    starter.start()  # no passphrase given: it may be encrypted, so we are asked ...
    assert startup.reports.asked == [("notes.sqlite", False)]
    startup.reports.answers = ["guess"]
    starter = startup(str(target))
    starter.start()  # ... and a guess is refused without a traceback
    assert starter.window is None
    assert startup.reports.asked[-1] == ("notes.sqlite", True)


def test_someone_elses_sqlite_database_is_refused(startup, tmp_path):
    import sqlite3

    target = tmp_path / "other.sqlite"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    starter = startup(str(target))
    finished: list[int] = []
    starter.finished.connect(finished.append)
    starter.start()
    assert finished == [1] and startup.reports.asked == []
    ((error, _doing),) = startup.reports.errors
    assert "not a caseaudit database" in str(error) and "Nothing was changed" in str(error)


def test_switching_to_the_demo_replaces_the_window(startup, real_db, cases_db, qtbot):
    starter = startup(str(real_db.path))
    starter.start()
    first = shown(starter)
    demo_file = paths.demo_database_path(starter.data_dir)
    demo_file.write_bytes(cases_db.path.read_bytes())
    first.open_demo_requested.emit()
    second = shown(starter)
    assert second is not first and not first.isVisible()
    assert second.status.is_demo_shown


# -- the real program ------------------------------------------------------------------------
def test_program_starts_and_shows_its_window(tmp_path, cases_db):
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        CASEAUDIT_EXIT_WHEN_SHOWN="1",
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    db_path = str(cases_db.path)
    cases_db.close()
    done = subprocess.run(
        [sys.executable, "-m", "caseaudit", "--data-dir", str(tmp_path / "d"), "--db", db_path],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "caseaudit: main window shown" in done.stdout
    log_file = tmp_path / "state" / "caseaudit" / "log" / "caseaudit.log"
    assert "caseaudit 0.1.0 starting" in log_file.read_text()


# -- File → New database… -----------------------------------------------------------------------
def test_file_new_database_creates_an_encrypted_file_and_opens_it(startup, cases_db, qtbot):
    from caseaudit.ui.new_database_dialog import TEXT, NewDatabaseDialog

    starter = startup(str(cases_db.path))
    starter.start()
    first = shown(starter)
    action = first.actions[ActionId.NEW_DATABASE]
    assert action.isEnabled()  # before anyone signs in: it shows no data
    action.trigger()
    dialog = first.findChild(NewDatabaseDialog)
    assert dialog is not None and dialog.isVisible()
    target = cases_db.path.with_name("council.sqlite")
    dialog.path.setText(str(target))
    dialog.passphrase.setText("short")
    assert "at least 10 characters" in dialog.strength.text()  # the rule, shown as typed
    dialog.create_button.click()
    assert dialog.problem.isVisible() and not target.exists()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE + "x")
    assert dialog.strength.text() == TEXT["different"]
    dialog.repeat.setText(PASSPHRASE)
    assert dialog.strength.text() == TEXT["strong"]
    assert dialog.reason.isHidden()
    dialog.create_button.click()
    second = shown(starter)
    assert second is not first
    assert target.read_bytes()[:16] != b"SQLite format 3\x00"
    assert second.context.db.kind == "sqlcipher" and second.context.db.path == target.resolve()
    assert second.sign_in_gate.page.first_admin
    assert startup.reports.errors == [] and startup.reports.asked == []


def test_new_database_left_unencrypted_needs_a_reason(qtbot, tmp_path, caplog):
    import logging

    from caseaudit.ui.new_database_dialog import TEXT, NewDatabaseDialog

    target = tmp_path / "testing.sqlite"
    dialog = NewDatabaseDialog(Runner(synchronous=True), target)
    qtbot.addWidget(dialog)
    dialog.show()
    created: list[str] = []
    dialog.created.connect(created.append)
    assert dialog.reason.isHidden()
    dialog.unencrypted.setChecked(True)
    assert dialog.reason.isVisible() and not dialog.passphrase.isEnabled()
    dialog.create_button.click()
    assert dialog.problem.text() == TEXT["no_reason"] and not target.exists()
    dialog.reason.setText("trying the importer with invented data")
    with caplog.at_level(logging.WARNING):
        dialog.create_button.click()
    assert created == [str(target)]
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
    assert "UNENCRYPTED" in caplog.text and "invented data" in caplog.text


def test_remember_on_this_computer_keeps_the_key_in_the_os_store(startup, tmp_path, qtbot):
    import keyring

    from caseaudit.services.encryption import create_encrypted_database, database_id
    from caseaudit.ui.passphrase_dialog import Passphrase, PassphraseDialog

    from .test_encryption import DictKeyring

    dialog = PassphraseDialog("kept.sqlite")
    qtbot.addWidget(dialog)
    assert "Remember on this computer" in dialog.remember.text().replace("&", "")
    previous = keyring.get_keyring()
    backend = DictKeyring.make()
    keyring.set_keyring(backend)
    try:
        target = tmp_path / "kept.sqlite"
        create_encrypted_database(target, PASSPHRASE).close()
        starter = startup(str(target))
        startup.reports.answers = [Passphrase.answer(PASSPHRASE, True)]
        starter.start()
        shown(starter).close()
        kept = backend.kept[("caseaudit", database_id(target))]
        assert PASSPHRASE not in kept
        again = startup(str(target))
        again.start()
        assert shown(again).context.db.kind == "sqlcipher"
        assert startup.reports.asked == [("kept.sqlite", False)]  # asked the first time only
    finally:
        keyring.set_keyring(previous)
