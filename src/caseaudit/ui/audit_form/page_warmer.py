"""Readying the audit form's other section pages while the program is idle, a small step at a time.

The form shows the current section at once and leaves the others for later. ``PageWarmer``
then, every ``NEXT_MS`` while the form is on screen, does one short step on the next section
that is not ready: builds a few more of its questions (``SectionPage.build_some``), or, once
they are all there, lays the hidden page out and draws it once off screen
(``SectionPage.prepare``). Each step stays short so the window answers between them (the
heartbeat in ``bench/bench_workbench.py`` checks it), and moving to a section later only paints.
A hidden form pauses and carries on when it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget

from .section_page import SectionPage

#: The first step waits for the form's first paint; then one step every NEXT_MS.
FIRST_MS = 150
NEXT_MS = 30
QUESTIONS_PER_STEP = 3


class PageWarmer(QObject):
    """Builds and draws the form's other pages in idle time (see the module docstring)."""

    def __init__(
        self,
        form: QWidget,
        stack: Callable[[], QStackedWidget | None],
        page: Callable[[str], SectionPage],
        pages: dict[str, SectionPage],
    ) -> None:
        super().__init__(form)
        self._form = form
        self._stack = stack
        self._page = page
        self._pages = pages
        self.waiting: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.step)

    @property
    def done(self) -> bool:
        """Whether every page has been built and readied."""
        self._drop_ready()
        return not self.waiting

    def start(self, section_ids: list[str]) -> None:
        """Ready ``section_ids`` (in this order), starting after the form's first paint."""
        self.waiting = list(section_ids)
        self._timer.start(FIRST_MS)

    def resume(self) -> None:
        """The form is shown again: carry on if anything is left."""
        if self.waiting and not self._timer.isActive():
            self._timer.start(FIRST_MS)

    def stop(self) -> None:
        self._timer.stop()

    def step(self) -> None:
        """One short step: a few questions of the next page, or laying out a built one."""
        self._drop_ready()
        stack = self._stack()
        if stack is None or not self.waiting or not self._form.isVisible():
            return  # a hidden form carries on when it is shown again (resume)
        page = self._page(self.waiting[0])
        if not page.complete:
            page.build_some(QUESTIONS_PER_STEP)
        else:
            current = stack.currentWidget()
            if page.prepare(current.geometry() if current is not None else stack.rect()):
                self.waiting.pop(0)
        if self.waiting:
            self._timer.start(NEXT_MS)

    def _drop_ready(self) -> None:
        while self.waiting and self.waiting[0] in self._pages:
            page = self._pages[self.waiting[0]]
            if not (page.complete and (page.prepared or page.isVisible())):
                break
            self.waiting.pop(0)
