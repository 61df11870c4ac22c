"""Starting the GUI: ``run_gui(args)`` is what ``caseaudit`` with no sub-command runs.

It creates the ``QApplication`` (named "caseaudit" so settings and folders are per program),
sends the log to ``caseaudit.log`` in the platform's log folder, makes the one background
runner, and hands over to ``ui.startup.Startup``, which opens the database (building the demo
on first run) and shows the main window. Uncaught errors are logged safely and shown in the
error dialog. With ``CASEAUDIT_EXIT_WHEN_SHOWN=1`` the program prints a marker and quits right
after the main window's first paint (for the cold-start benchmark and smoke tests).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from . import __version__, paths
from .ui.errors import describe_for_log, show_error
from .ui.runner import Runner
from .ui.startup import Startup

log = logging.getLogger("caseaudit")

EXIT_WHEN_SHOWN = "CASEAUDIT_EXIT_WHEN_SHOWN"
SHOWN_MARKER = "caseaudit: main window shown"
PAINT_TIMEOUT_MS = 30_000
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"


def configure_log_file(verbose: bool = False) -> RotatingFileHandler | None:
    """Log INFO and above to ``caseaudit.log`` (rotated at 1 MB, three old files kept)."""
    try:
        handler = RotatingFileHandler(
            paths.log_dir() / "caseaudit.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        print(f"caseaudit: cannot write the log file ({exc}); continuing", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    if not verbose:  # the console stays quiet unless -v
        for console in logging.getLogger().handlers:
            console.setLevel(logging.WARNING)
    return handler


def _qt_message(mode: QtMsgType, _context: object, message: str) -> None:
    """Qt's own messages go to the log file (not the console); only critical ones as errors."""
    serious = mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
    logging.getLogger("caseaudit.qt").log(logging.ERROR if serious else logging.INFO, "%s", message)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    exc.__traceback__ = tb
    log.error("Uncaught error:\n%s", describe_for_log(exc))
    if QApplication.instance() is not None and not isinstance(exc, KeyboardInterrupt):
        show_error(QApplication.activeWindow(), exc)


class _FirstPaint(QObject):
    """Quits the program after the watched window's first paint, printing a marker."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._done = False

    def watch(self, window: QObject) -> None:
        window.installEventFilter(self)
        QTimer.singleShot(PAINT_TIMEOUT_MS, self._no_paint)

    def _no_paint(self) -> None:
        if not self._done:
            log.warning("no paint event within %s ms; quitting anyway", PAINT_TIMEOUT_MS)
            self._quit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and not self._done:
            QTimer.singleShot(0, self._quit)
        return False

    def _quit(self) -> None:
        if self._done:
            return
        self._done = True
        print(SHOWN_MARKER, flush=True)
        window = QApplication.activeWindow()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget.objectName() == "mainWindow":
                window = widget
        if window is not None:
            window.close()
        else:
            self._app.quit()


def keep_singletons_alive() -> None:
    """Work around PySide6 6.12 on Python 3.11 losing references to ``None``, ``True``, ``False``.

    There, every call of a Qt method that returns nothing gives back ``None`` without a new
    reference (and a bool emitted from Python loses one too), so after some thousands of calls
    Python aborts with "deallocating None" in the middle of someone's work. Python 3.12 made
    these singletons immortal; on older Pythons we give them the same effect by raising their
    reference counts out of reach (they are static objects and are never freed anyway).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt, the first field
        count.value = max(count.value, 1 << 40)


def run_gui(args: argparse.Namespace) -> int:
    """Open the window on the database ``args`` names; return the exit code."""
    keep_singletons_alive()
    QApplication.setApplicationName("caseaudit")
    QApplication.setOrganizationName("caseaudit")
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationDisplayName("caseaudit")
    app.setQuitOnLastWindowClosed(False)
    configure_log_file(bool(getattr(args, "verbose", False)))
    qInstallMessageHandler(_qt_message)
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook
    log.info("caseaudit %s starting", __version__)

    runner = Runner(app)
    startup = Startup(args, runner, parent=app)
    exit_code = [0]

    def finish(code: int) -> None:
        exit_code[0] = code
        app.quit()

    startup.finished.connect(finish)
    if os.environ.get(EXIT_WHEN_SHOWN):
        first_paint = _FirstPaint(app)
        startup.window_shown.connect(first_paint.watch)
    QTimer.singleShot(0, startup.start)
    try:
        app.exec()
    finally:
        sys.excepthook = previous_hook
        runner.shutdown()
    log.info("caseaudit finished (exit code %s)", exit_code[0])
    return exit_code[0]
