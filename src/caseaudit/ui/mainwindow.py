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
from ..errors import PermissionDenied
from ..services.cases import DatabaseOverview, database_overview
from ..services.permissions import Permission, allowed, require
from ..services.users import UserInfo
from .actions import ActionState, build_actions, build_menus, update_actions
from .context import ShellContext
from .errors import show_error
from .geometry import load_value, restore_geometry, save_geometry, save_value
from .idle_lock import IdleLock
from .navigation import Area, NavigationRail
from .placeholder_view import PlaceholderView
from .runner import EVERYTHING, touches
from .statusbar import ShellStatusBar, database_label, signed_in_text

DEFAULT_AREA = Area.CASES
#: What ``data_changed`` says when someone signs in or out: views showing a user's data reload.
SESSION = "session"
COUNTED = ("case_file", "template", "audit_template", "template_version")

PageFactory = Callable[[ShellContext], QWidget]


def _cases_view(context: ShellContext) -> QWidget:
    from .cases_view import CasesView  # imported on first show, like the view itself

    return CasesView(context)


def _templates_view(context: ShellContext) -> QWidget:
    from .templates_view import TemplatesView

    return TemplatesView(context)


def _my_audits_view(context: ShellContext) -> QWidget:
    from .queue_view import MyAuditsView

    return MyAuditsView(context)


def _reports_view(context: ShellContext) -> QWidget:
    from .reports_view import ReportsView

    return ReportsView(context)


def _rounds_view(context: ShellContext) -> QWidget:
    from .rounds_view import RoundsView

    return RoundsView(context)


PAGE_FACTORIES: dict[Area, PageFactory] = {
    Area.REPORTS: _reports_view,
    Area.CASES: _cases_view,
    Area.TEMPLATES: _templates_view,
    Area.MY_AUDITS: _my_audits_view,
    Area.ROUNDS: _rounds_view,
    **{
        area: (lambda context, area=area: PlaceholderView(area, context))
        for area in (Area.ACTIONS,)
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
        self.sign_in_gate = None
        if context.requires_sign_in and context.user is None:
            from .login_dialog import SignInGate  # nothing of the database shows before sign-in

            self.sign_in_gate = SignInGate(self)
            self._update_actions()
        else:
            saved = Area.from_key(load_value(MainWindow, "area"), DEFAULT_AREA)
            self.show_area(initial_area or saved)
        self.status.set_signed_in(signed_in_text(context.user))
        self.idle_lock = IdleLock(self)  # hides the window after the organisation's idle time
        self._refresh_counts()

    # -- areas ----------------------------------------------------------------------------
    def _create_view(self, area: Area) -> QWidget:
        view = PAGE_FACTORIES[area](self.context)
        signal = getattr(view, "open_demo_requested", None)
        if signal is not None:
            signal.connect(self.open_demo_requested.emit)
        import_requested = getattr(view, "import_requested", None)
        if import_requested is not None:
            import_requested.connect(self.import_case_list)
        # Optional view signals: a save's time for the status bar, a change in the commands the
        # view can do now, and the count the rail shows beside the area.
        saved = getattr(view, "saved", None)
        if saved is not None:
            saved.connect(self.status.set_last_saved)
        commands_changed = getattr(view, "commands_changed", None)
        if commands_changed is not None:
            commands_changed.connect(self._update_actions)
        counted = getattr(view, "rail_count_changed", None)
        if counted is not None:
            counted.connect(
                lambda count, attention, area=area: self.rail.set_count(
                    area, count, attention=attention
                )
            )
            already = getattr(view, "rail_count", None)  # counted while it was being made
            if already is not None:
                self.rail.set_count(area, already[0], attention=already[1])
        return view

    def run_view_command(self, name: str) -> None:
        """Pass an area command (an ``ActionId`` value) to the current view."""
        if self.locked:
            return
        run = getattr(self.pages[self.current_area].content, "run_command", None)
        if run is not None:
            run(name)

    def _view_commands(self) -> frozenset[str]:
        view = self.pages[self.current_area].content
        available = getattr(view, "available_commands", None)
        return frozenset(available()) if available is not None else frozenset()

    # -- who is signed in -----------------------------------------------------------------
    def set_user(self, user: UserInfo | None) -> None:
        """Record who signed in (None: signed out) and tell every view through the runner."""
        self.context.user = user
        self.status.set_signed_in(signed_in_text(user))
        self._update_actions()
        self.context.runner.announce(SESSION)

    def sign_out(self) -> None:
        """Finish pending saves, forget the user and show the sign-in page again."""
        self._leave_views()
        self.set_user(None)
        if self.sign_in_gate is not None:
            self.sign_in_gate.lock()

    @property
    def locked(self) -> bool:
        gate = getattr(self, "sign_in_gate", None)
        idle = getattr(self, "idle_lock", None)  # the idle lock hides the content too
        return (gate is not None and gate.is_locked) or (idle is not None and idle.is_locked)

    def _leave_views(self) -> None:
        """Let each view finish what it must before the user or the window goes away."""
        for page in self.pages.values():
            leave = getattr(page.content, "leave", None)
            if leave is not None:
                leave()

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
            can_find=self.current_area in (Area.CASES, Area.TEMPLATES, Area.MY_AUDITS),
            signed_in=not self.locked,
            can_sign_out=getattr(self, "sign_in_gate", None) is not None,
            commands=self._view_commands() if not self.locked else frozenset(),
            can_import=allowed(self.context.user, Permission.IMPORT_CASE_LISTS),
            can_manage_rounds=allowed(self.context.user, Permission.MANAGE_ROUNDS),
            can_administer=allowed(self.context.user, Permission.ADMINISTER),
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

    def import_case_list(self) -> None:
        """Open the import wizard (``ui/import_wizard.py``); say why not if the user may not."""
        if self.locked:
            return
        if not allowed(self.context.user, Permission.IMPORT_CASE_LISTS):
            try:
                require(self.context.user, Permission.IMPORT_CASE_LISTS)
            except PermissionDenied as exc:
                self.show_error(exc, "Importing a case list")
            return
        from .import_wizard import ImportWizard

        self.import_wizard = ImportWizard(self.context, self)
        self.import_wizard.open()

    def new_round(self) -> None:
        """Show the Rounds area and its "New round…" dialog."""
        if self.locked:
            return
        new_round = getattr(self.show_area(Area.ROUNDS), "new_round", None)
        if new_round is not None:
            new_round()

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
        self._leave_views()  # pending autosaves are handed to the runner, which finishes them
        save_geometry(self)
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
