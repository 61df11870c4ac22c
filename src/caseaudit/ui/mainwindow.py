"""The main window: navigation rail, one area at a time, menus and the status bar.

The window stays small (STYLE.md habit 9): each area is a separate view created the first time
it is shown (Frescobaldi's ``panel.py``), the menus come from the action registry, and the
window itself only switches areas, keeps the rail's counts and the status bar current, and
forwards requests to open another database to whoever opened it (``open_demo_requested``,
``open_database_requested``). It learns about changes only from the runner's ``data_changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import __version__, paths
from ..db import Database
from ..services.cases import DatabaseOverview, database_overview
from .actions import ActionState, build_actions, build_menus, update_actions
from .context import ShellContext
from .errors import show_error
from .geometry import load_value, restore_geometry, save_geometry, save_value
from .navigation import Area, NavigationRail
from .placeholder_view import PlaceholderView
from .runner import EVERYTHING, touches
from .statusbar import ShellStatusBar, database_label

DEFAULT_AREA = Area.CASES
COUNTED = ("case_file", "template", "audit_template", "template_version")

PageFactory = Callable[[ShellContext], QWidget]


def _cases_view(context: ShellContext) -> QWidget:
    from .cases_view import CasesView  # imported on first show, like the view itself

    return CasesView(context)


def _templates_view(context: ShellContext) -> QWidget:
    from .templates_view import TemplatesView

    return TemplatesView(context)


PAGE_FACTORIES: dict[Area, PageFactory] = {
    Area.CASES: _cases_view,
    Area.TEMPLATES: _templates_view,
    **{
        area: (lambda context, area=area: PlaceholderView(area, context))
        for area in (Area.MY_AUDITS, Area.ROUNDS, Area.ACTIONS, Area.REPORTS)
    },
}


def _template_count(db: Database) -> int:
    from ..services.templates import list_templates  # runs on the runner's thread

    return len(list_templates(db))


class LazyPage(QWidget):
    """A place in the stack whose view is created the first time it is shown."""

    def __init__(self, area: Area, build: Callable[[], QWidget], parent: QWidget) -> None:
        super().__init__(parent)
        self.area = area
        self._build = build
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            self._layout.addWidget(self.content)
        return self.content


class MainWindow(QMainWindow):
    open_demo_requested = Signal()
    open_database_requested = Signal(str)
    closed = Signal()

    def __init__(self, context: ShellContext, *, initial_area: Area | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.context = context
        self.rail = NavigationRail(self)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("areaStack")
        self.pages: dict[Area, LazyPage] = {}
        for area in Area:
            page = LazyPage(area, lambda area=area: self._create_view(area), self.stack)
            self.pages[area] = page
            self.stack.addWidget(page)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.rail)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status = ShellStatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_database(context.db)
        self.actions = build_actions(self)
        build_menus(self.menuBar(), self.actions)

        context.runner.error_handler = self.show_error
        context.runner.busy_changed.connect(self.status.set_busy)
        context.runner.data_changed.connect(self._on_data_changed)
        self.rail.area_chosen.connect(self.show_area)
        self._apply_overview(context.overview)
        if not restore_geometry(self):
            unit = self.fontMetrics().averageCharWidth()
            self.resize(150 * unit, 50 * self.fontMetrics().height())
        saved = Area.from_key(load_value(MainWindow, "area"), DEFAULT_AREA)
        self.show_area(initial_area or saved)
        self._refresh_counts()

    # -- areas ----------------------------------------------------------------------------
    def _create_view(self, area: Area) -> QWidget:
        view = PAGE_FACTORIES[area](self.context)
        signal = getattr(view, "open_demo_requested", None)
        if signal is not None:
            signal.connect(self.open_demo_requested.emit)
        return view

    @property
    def current_area(self) -> Area:
        page = self.stack.currentWidget()
        return page.area if isinstance(page, LazyPage) else DEFAULT_AREA

    def view(self, area: Area) -> QWidget | None:
        """The view of ``area`` if it has been created."""
        return self.pages[area].content

    def show_area(self, area: Area) -> QWidget:
        """Make ``area`` the one shown, creating its view on first use."""
        page = self.pages[area]
        view = page.ensure_built()
        self.stack.setCurrentWidget(page)
        self.rail.set_current(area)
        save_value(MainWindow, "area", area.key)
        self._update_title()
        self._update_actions()
        focus = QApplication.focusWidget()
        if focus is None or not focus.isVisible():
            self.rail.setFocus()
        return view

    def find(self) -> None:
        view = self.pages[self.current_area].ensure_built()
        focus_search = getattr(view, "focus_search", None)
        if focus_search is not None:
            focus_search()

    def refresh(self) -> None:
        """Read everything again: every view hears it through ``data_changed``."""
        self.context.runner.announce(EVERYTHING)

    # -- what the window shows about the database ----------------------------------------
    def _apply_overview(self, overview: DatabaseOverview) -> None:
        self.context.overview = overview
        self.status.set_organisation(overview.organisation_name, overview.is_demo)
        self.rail.set_count(Area.CASES, overview.case_file_count)
        self._update_title()
        self._update_actions()

    def _refresh_counts(self) -> None:
        db = self.context.db
        self.context.runner.run(
            lambda: (database_overview(db), _template_count(db)),
            self._counts_loaded,
            label="Counting",
            owner=self,
        )

    def _counts_loaded(self, result: tuple[DatabaseOverview, int]) -> None:
        overview, templates = result
        self._apply_overview(overview)
        self.rail.set_count(Area.TEMPLATES, templates)

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if touches(changes, *COUNTED):
            self._refresh_counts()

    def _update_title(self) -> None:
        overview = self.context.overview
        where = overview.organisation_name or database_label(self.context.db)
        demo = " (DEMO DATA)" if overview.is_demo else ""
        self.setWindowTitle(f"{self.current_area.label} — {where}{demo} — caseaudit")

    def action_state(self) -> ActionState:
        return ActionState(
            area=self.current_area,
            has_database=True,
            is_demo=self.context.overview.is_demo,
            can_find=self.current_area in (Area.CASES, Area.TEMPLATES),
        )

    def _update_actions(self) -> None:
        if hasattr(self, "actions"):
            update_actions(self.actions, self.action_state())

    # -- commands -------------------------------------------------------------------------
    def show_error(self, exc: BaseException, doing: str = "") -> None:
        show_error(self, exc, doing)

    def about_text(self) -> str:
        overview = self.context.overview
        organisation = overview.organisation_name or "no organisation yet"
        demo = " — demo data (fictional)" if overview.is_demo else ""
        return (
            f"<h3>caseaudit {escape(__version__)}</h3>"
            "<p>Offline auditing of children's social care case files.</p>"
            f"<p><b>Database:</b> {escape(self.context.db.description)}<br>"
            f"<b>Organisation:</b> {escape(organisation)}{demo}<br>"
            f"<b>Log folder:</b> {escape(str(paths.log_dir()))}</p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About caseaudit", self.about_text())

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))

    def choose_database(self) -> None:
        start = str(self.context.data_dir or paths.data_dir())
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Open a caseaudit database",
            start,
            "caseaudit databases (*.sqlite *.db);;All files (*)",
        )
        if path:
            self.open_database_requested.emit(path)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        save_geometry(self)
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
