"""Reload a view when it can be seen: at once if it is on screen, else when it is next shown.

Views reload when the runner's ``data_changed`` says something they show has changed. A view
that is not on screen (another area of the window is open) need not read the database on every
autosave; ``DeferredReload`` lets it say "reload" (``request``) and does it at once when the view
is visible, or remembers it and does it once, when the view is next shown. It watches the view's
events only while a reload is waiting, so an up-to-date view costs nothing. Usage::

    self.deferred = DeferredReload(self, self.reload)
    ...
    def _on_data_changed(self, changes: Changes) -> None:
        if touches(changes, "audit", "round"):
            self.deferred.request()
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class DeferredReload(QObject):
    """Calls ``reload`` now if ``view`` is visible, otherwise when ``view`` is next shown."""

    def __init__(self, view: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(view)
        self._view = view
        self._reload = reload
        self._pending = False

    @property
    def pending(self) -> bool:
        """Whether a reload is waiting for the view to be shown."""
        return self._pending

    def request(self) -> None:
        """Reload now if the view can be seen; otherwise once, when it is next shown."""
        if self._view.isVisible():
            self._settle()
            self._reload()
        elif not self._pending:
            self._pending = True
            self._view.installEventFilter(self)

    def cancel(self) -> None:
        """Forget a waiting reload (the view reloaded by other means)."""
        self._settle()

    def _settle(self) -> None:
        if self._pending:
            self._pending = False
            self._view.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._view and event.type() == QEvent.Type.Show and self._pending:
            self._settle()
            self._reload()
        return False
