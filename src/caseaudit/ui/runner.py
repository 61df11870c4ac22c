"""The one background runner: every database operation of the GUI goes through it.

Operations run, one at a time and in order, on a single worker thread (Anki's ``taskman`` uses a
single-thread executor), so the database is used by one thread and the window never freezes.
Results come back on the GUI thread by a queued signal (Picard's ``run_task``): ``on_done`` gets
the result, ``on_error`` the exception (by default the error dialog). If work is still running
after a short delay, ``busy_changed`` tells the status bar to show a progress indicator. After
an operation that changed data, one ``data_changed(changes)`` signal lets every view decide for
itself whether to reload; no widget calls another's ``refresh()``. ``changes`` is a frozenset of
entity names ("case_file", "template", ...) or ``EVERYTHING``. With ``synchronous=True`` (tests,
like Picard's ``FakeThreadPool``) operations run at once on the calling thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

log = logging.getLogger(__name__)

EVERYTHING = "*"
Changes = frozenset[str]
ProgressFn = Callable[[float, str], None]
ErrorHandler = Callable[[BaseException, str], None]


def as_changes(value: object) -> Changes:
    """Normalise what an operation says it changed into a frozenset of entity names.

    Accepts ``None`` (nothing), a string, an iterable of strings, or an object with an
    ``entities`` attribute (a service's "what changed" value).
    """
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    entities = getattr(value, "entities", None)
    if entities is not None:
        return as_changes(entities)
    if isinstance(value, Iterable):
        return frozenset(str(item) for item in value)
    return frozenset({EVERYTHING})


def touches(changes: Changes, *entities: str) -> bool:
    """Whether ``changes`` affects any of ``entities``."""
    return EVERYTHING in changes or any(entity in changes for entity in entities)


@dataclass
class TaskHandle:
    """A submitted operation: its label, and the event that asks it to stop."""

    number: int
    label: str
    cancel_event: threading.Event = field(default_factory=threading.Event)
    finished: bool = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


@dataclass
class _Pending:
    handle: TaskHandle
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: ProgressFn | None
    changes: object
    owner: QObject | None = None

    @property
    def orphaned(self) -> bool:
        """Whether the widget waiting for this result has been destroyed meanwhile."""
        return self.owner is not None and not shiboken6.isValid(self.owner)


class Runner(QObject):
    """Runs operations off the GUI thread, one at a time, and reports back on the GUI thread."""

    data_changed = Signal(object)
    busy_changed = Signal(bool, str)
    _finished = Signal(int, bool, object)
    _progressed = Signal(int, float, str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        busy_delay_ms: int = 150,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._executor: ThreadPoolExecutor | None = (
            None
            if synchronous
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="caseaudit-db")
        )
        self._numbers = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._busy_shown = False
        self._closed = False
        self.error_handler: ErrorHandler | None = None
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(busy_delay_ms)
        self._busy_timer.timeout.connect(self._show_busy)
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

    # -- submitting -----------------------------------------------------------------------
    def run(
        self,
        op: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str = "Working",
        changes: object = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Run ``op()`` in the background; ``changes`` (or ``changes(result)``) is announced.

        If ``owner`` is given and has been destroyed by the time the result arrives, the
        callbacks are skipped (the widget that asked is gone).
        """
        pending = _Pending(TaskHandle(0, label), on_done, on_error, None, changes, owner)
        return self._submit(lambda _p, _c: op(), pending)

    def run_long(
        self,
        op: Callable[[ProgressFn, threading.Event], Any],
        on_progress: ProgressFn | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str = "Working",
        changes: object = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Run ``op(progress, cancel)``; progress reaches ``on_progress`` on the GUI thread."""
        pending = _Pending(TaskHandle(0, label), on_done, on_error, on_progress, changes, owner)
        return self._submit(op, pending)

    def announce(self, changes: object) -> None:
        """Tell every view that ``changes`` happened (e.g. after a refresh request)."""
        normalised = as_changes(changes)
        if normalised:
            self.data_changed.emit(normalised)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self) -> None:
        """Finish every submitted operation (a queued save is never dropped), then stop.

        Their results are no longer delivered: the window that asked is closing.
        """
        self._closed = True
        self._busy_timer.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=False)
        self._pending.clear()

    # -- internals ------------------------------------------------------------------------
    def _submit(
        self, op: Callable[[ProgressFn, threading.Event], Any], pending: _Pending
    ) -> TaskHandle:
        handle = pending.handle
        handle.number = next(self._numbers)
        if self._closed:
            log.info("runner closed; %s not run", handle.label)
            handle.finished = True
            return handle
        if self.synchronous:
            self._run_now(pending, op)
            return handle
        self._pending[handle.number] = pending
        if not self._busy_timer.isActive() and not self._busy_shown:
            self._busy_timer.start()
        number = handle.number

        def progress(fraction: float, message: str = "") -> None:
            self._progressed.emit(number, float(fraction), message)

        def work() -> None:
            try:
                result = op(progress, handle.cancel_event)
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
                self._finished.emit(number, False, exc)
            else:
                self._finished.emit(number, True, result)

        assert self._executor is not None
        self._executor.submit(work)
        return handle

    def _run_now(self, pending: _Pending, op: Callable[[ProgressFn, threading.Event], Any]) -> None:
        def progress(fraction: float, message: str = "") -> None:
            if pending.on_progress is not None:
                pending.on_progress(float(fraction), message)

        try:
            result = op(progress, pending.handle.cancel_event)
        except Exception as exc:  # noqa: BLE001 - reported like the threaded path
            self._complete(pending, False, exc)
        else:
            self._complete(pending, True, result)

    @Slot(int, float, str)
    def _deliver_progress(self, number: int, fraction: float, message: str) -> None:
        pending = self._pending.get(number)
        if pending is not None and pending.on_progress is not None and not pending.orphaned:
            pending.on_progress(fraction, message)

    @Slot(int, bool, object)
    def _deliver(self, number: int, ok: bool, payload: object) -> None:
        pending = self._pending.pop(number, None)
        if not self._pending:
            self._busy_timer.stop()
            if self._busy_shown:
                self._busy_shown = False
                self.busy_changed.emit(False, "")
        if pending is not None and not self._closed:
            self._complete(pending, ok, payload)

    def _complete(self, pending: _Pending, ok: bool, payload: object) -> None:
        pending.handle.finished = True
        if pending.orphaned:
            log.debug("%s finished after its window closed; result dropped", pending.handle.label)
            if ok:
                changes = pending.changes(payload) if callable(pending.changes) else pending.changes
                self.announce(changes)
            return
        try:
            if not ok:
                assert isinstance(payload, BaseException)
                self._fail(pending, payload)
                return
            if pending.on_done is not None:
                pending.on_done(payload)
            changes = pending.changes(payload) if callable(pending.changes) else pending.changes
            self.announce(changes)
        except Exception as exc:  # noqa: BLE001 - a bug in a callback must not kill the GUI
            log.exception("a callback after %s failed", pending.handle.label)
            self._report(exc, pending.handle.label)

    def _fail(self, pending: _Pending, exc: BaseException) -> None:
        if pending.on_error is not None:
            pending.on_error(exc)
        else:
            self._report(exc, pending.handle.label)

    def _report(self, exc: BaseException, label: str) -> None:
        if self.error_handler is not None:
            self.error_handler(exc, label)
        else:
            log.error("%s failed: %s", label, type(exc).__name__)

    @Slot()
    def _show_busy(self) -> None:
        if self._pending:
            self._busy_shown = True
            label = next(iter(self._pending.values())).handle.label
            self.busy_changed.emit(True, label)
