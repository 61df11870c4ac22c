"""Autosave: every change to an audit is saved as it is made, through the one runner.

A change is a key (``"answer:seen_alone"``, ``"section:visits"``, ``"overall"``) and a *builder*
that, when called on the GUI thread, reads the widgets as they are now and returns the operation
to run in the background (so the database thread never touches a widget, STYLE.md habit 2).
Discrete choices (a radio button, a date picked, a grade) are saved at once; typing (evidence,
N/A reasons, numbers, rationale) is saved after a short pause and when the field loses focus,
so a burst of keys becomes one save. A later change of the same key replaces a waiting one: the
builder reads every field of the question, so nothing typed is lost. Saves run in the order
they were made, one at a time, on the runner's single database thread.

``saved(key, result)`` is emitted only after the service call has returned, that is after the
transaction committed, so the "Saved hh:mm:ss" the window shows is never ahead of the database;
``flush()`` sends whatever is waiting (on focus-out, closing the audit, signing out, quitting).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..runner import Runner

log = logging.getLogger(__name__)

#: How long typing must pause before it is saved.
PAUSE_MS = 600
#: What an autosave tells the other views it changed.
AUDIT_CHANGES = frozenset({"audit", "answer"})

Operation = Callable[[], Any]
Builder = Callable[[], Operation | None]


class Autosaver(QObject):
    """Debounces and orders an audit form's saves; reports each one once it is committed."""

    saved = Signal(str, object)
    failed = Signal(str, object)
    state_changed = Signal()

    def __init__(self, runner: Runner, parent: QObject | None = None, *, pause_ms: int = PAUSE_MS):
        super().__init__(parent)
        self._runner = runner
        self._waiting: dict[str, Builder] = {}
        self._in_flight = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(pause_ms)
        self._timer.timeout.connect(self.flush)
        self.last_error: BaseException | None = None

    # -- what the form calls --------------------------------------------------------------
    def change(self, key: str, build: Builder, *, at_once: bool) -> None:
        """Save ``key`` now (``at_once``) or after the typing pause; replaces a waiting save."""
        self._waiting.pop(key, None)
        if at_once:
            self._submit(key, build)
        else:
            self._waiting[key] = build
            self._timer.start()
        self.state_changed.emit()

    def flush(self) -> None:
        """Send every waiting change to the runner now."""
        self._timer.stop()
        waiting, self._waiting = self._waiting, {}
        for key, build in waiting.items():
            self._submit(key, build)
        if waiting:
            self.state_changed.emit()

    def discard(self) -> None:
        """Forget waiting changes (the audit became read-only: they could not be saved)."""
        self._timer.stop()
        self._waiting.clear()
        self.state_changed.emit()

    @property
    def waiting(self) -> bool:
        """Whether a change is waiting for the typing pause."""
        return bool(self._waiting)

    @property
    def busy(self) -> bool:
        """Whether anything is waiting or still being saved."""
        return bool(self._waiting) or self._in_flight > 0

    def is_waiting(self, key: str) -> bool:
        return key in self._waiting

    @property
    def in_flight(self) -> int:
        """How many saves have been sent to the runner and not yet returned."""
        return self._in_flight

    # -- internals ------------------------------------------------------------------------
    def _submit(self, key: str, build: Builder) -> None:
        operation = build()
        if operation is None:
            return
        self._in_flight += 1
        self._runner.run(
            operation,
            lambda result, key=key: self._done(key, result),
            lambda exc, key=key: self._failed(key, exc),
            label="Saving",
            changes=AUDIT_CHANGES,
            owner=self,
        )

    def _done(self, key: str, result: Any) -> None:
        self._in_flight -= 1
        self.last_error = None
        self.saved.emit(key, result)
        self.state_changed.emit()

    def _failed(self, key: str, exc: BaseException) -> None:
        self._in_flight -= 1
        self.last_error = exc
        log.info("autosave of %s failed: %s", key.split(":", 1)[0], type(exc).__name__)
        self.failed.emit(key, exc)
        self.state_changed.emit()
