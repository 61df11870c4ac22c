"""The first-run dialog: building the demo database, with progress and Cancel.

When the program starts with no database named and the demo does not exist yet, the demo is
built by ``services.demo.ensure_demo_database`` in the runner while this dialog shows its
progress; like every new database it is encrypted, with the published demo passphrase so that it
opens without one. Cancel asks the build to stop; the demo service leaves nothing half-built, and the
dialog says so before closing. ``built`` carries the new database's path; ``cancelled`` and
``failed`` let the caller decide what happens next.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .. import paths
from .runner import ProgressFn, Runner, TaskHandle

STEPS = 1000
INTRO = (
    "caseaudit is building a demo database of fictional children and case files, so you can "
    "try it without real records. This happens once. The demo file is encrypted with a "
    "published passphrase, so it must never hold real children's data."
)
CANCELLED = "The demo database was not built, and nothing was left half-built. "
CANCELLED_QUIT = CANCELLED + "caseaudit will close now; start it again whenever you want the demo."
CANCELLED_STAY = CANCELLED + "You can build it later with File → Open the demo."


def build_demo(data_dir: Path, progress: ProgressFn, cancel: threading.Event) -> Path:
    """Run the demo service (on the runner's thread) and return the demo database's path."""
    from ..services.demo import ensure_demo_database

    result = ensure_demo_database(data_dir, progress, cancel)
    return Path(result) if isinstance(result, str | Path) else paths.demo_database_path(data_dir)


class FirstRunDialog(QDialog):
    built = Signal(str)
    cancelled = Signal()
    failed = Signal(object)

    def __init__(self, runner: Runner, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preparing the demo")
        # With a window behind it, the window waits (its database work queues behind the build).
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self._runner = runner
        self._data_dir = data_dir
        self._handle: TaskHandle | None = None
        self._stopped = False
        self.intro = QLabel(INTRO, self)
        self.intro.setWordWrap(True)
        self.step = QLabel("Starting…", self)
        self.step.setAccessibleName("Current step")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, STEPS)
        self.bar.setAccessibleName("Demo database progress")
        self.button = QPushButton("Cancel", self)
        self.button.setAccessibleName("Cancel building the demo")
        self.button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.step)
        layout.addWidget(self.bar)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    @property
    def running(self) -> bool:
        return self._handle is not None and not self._handle.finished

    def start(self) -> None:
        data_dir = self._data_dir
        self._handle = self._runner.run_long(
            lambda progress, cancel: build_demo(data_dir, progress, cancel),
            self._progress,
            self._done,
            self._error,
            label="Building the demo database",
            changes=None,
        )

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * STEPS))
        if message:
            self.step.setText(message)

    def _done(self, path: Path) -> None:
        if self._handle is not None and self._handle.cancelled:
            self._show_cancelled()
            return
        self.bar.setValue(STEPS)
        self.accept()
        self.built.emit(str(path))

    def _error(self, exc: BaseException) -> None:
        if self._handle is not None and self._handle.cancelled:
            self._show_cancelled()
            return
        super().reject()
        self.failed.emit(exc)

    def _show_cancelled(self) -> None:
        self._stopped = True
        self.step.setText(CANCELLED_QUIT if self.parentWidget() is None else CANCELLED_STAY)
        self.step.setWordWrap(True)
        self.bar.hide()
        self.button.setText("Close")
        self.button.setAccessibleName("Close")
        self.button.setEnabled(True)
        self.button.setFocus()

    def reject(self) -> None:
        """Cancel (or Esc, or closing the dialog): stop the build, then say what it means."""
        if self.running and self._handle is not None:
            self._handle.cancel()
            self.step.setText("Stopping…")
            self.button.setEnabled(False)
            return
        if self._stopped:
            super().reject()
            self.cancelled.emit()
