"""Cold start: how long until the main window is on screen, against a bare Qt window.

``cold_start_s`` is the wall time from launching a fresh ``python -m caseaudit --data-dir TMP``
process, on a demo database built beforehand, until it has painted its main window and says so
(``CASEAUDIT_EXIT_WHEN_SHOWN=1`` prints a marker after the first paint, then quits). ``bare_qt_start_s`` is the same for a fresh process that
shows an empty ``QMainWindow``, so ``cold_start_vs_bare_qt`` says what caseaudit itself adds
on this machine. Each figure is the median of ``RUNS`` launches after one warm-up launch (which
also lets the program add its built-in templates). Everything runs offscreen with settings,
logs and data in a temporary folder. ``run()`` yields ``(name, value, unit)``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

RUNS = 5
MARKER = "caseaudit: main window shown"
BARE_QT = f"""
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, quit_now)
        return False

def quit_now():
    print({MARKER!r}, flush=True)
    app.quit()

app = QApplication([])
window = QMainWindow()
window.resize(1200, 800)
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
app.exec()
"""


def _environment(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        CASEAUDIT_EXIT_WHEN_SHOWN="1",
        XDG_STATE_HOME=str(scratch / "state"),
        XDG_CONFIG_HOME=str(scratch / "config"),
        XDG_DATA_HOME=str(scratch / "share"),
    )
    env.pop("CASEAUDIT_DATA_DIR", None)
    return env


def _launch(command: list[str], env: dict[str, str]) -> float:
    """Seconds from launching ``command`` until it prints the marker (its window is painted)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    shown_after = None
    for line in process.stdout:
        if line.strip() == MARKER:
            shown_after = time.perf_counter() - started
    _out, errors = process.communicate(timeout=300)
    if process.returncode != 0 or shown_after is None:
        raise RuntimeError(
            f"{command[-1]!r} did not show its window (exit {process.returncode}): {errors[-800:]}"
        )
    return shown_after


def _median_launch(command: list[str], env: dict[str, str]) -> float:
    _launch(command, env)  # warm-up: file caches, and the program's one-off template sync
    return statistics.median(_launch(command, env) for _ in range(RUNS))


def run() -> Iterable[tuple[str, float, str]]:
    from caseaudit.services.demo import ensure_demo_database

    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as folder:
        scratch = Path(folder)
        data_dir = scratch / "data"
        ensure_demo_database(data_dir)
        env = _environment(scratch)
        program = [sys.executable, "-m", "caseaudit", "--data-dir", str(data_dir)]
        cold = _median_launch(program, env)
        bare = _median_launch([sys.executable, "-c", BARE_QT], env)
    yield ("cold_start_s", round(cold, 3), "s")
    yield ("bare_qt_start_s", round(bare, 3), "s")
    yield ("cold_start_vs_bare_qt", round(cold / bare, 2), "x")


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name:<24} {value:>8} {unit}")
