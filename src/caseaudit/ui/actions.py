"""Every menu command, declared once (Picard's ``ui/mainwindow/actions.py``).

``ActionId`` lists the commands. Each has one small factory that makes its ``QAction`` (text,
shortcut, tip, handler) for a window; ``MENUS`` says where each goes; ``build_actions`` makes
them all and ``build_menus`` fills the menu bar. Whether a command is available is decided in
one place, ``update_actions(actions, state)``, from an ``ActionState`` describing the window.
Commands that later versions will bring are shown disabled, with a tip saying so. Area commands
(``VIEW_COMMANDS``: open an audit, raise an action, sign off, ...) are passed by the window to
the view on show, and are enabled when that view says it can do them (``ActionState.commands``);
until someone signs in, only the commands that show no data are available.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenuBar

from .. import paths
from .navigation import Area

if TYPE_CHECKING:
    from .mainwindow import MainWindow

LATER = "arrives in a later version of caseaudit"


class ActionId(enum.Enum):
    NEW_DATABASE = "new_database"
    OPEN_DATABASE = "open_database"
    OPEN_DEMO = "open_demo"
    IMPORT_CASES = "import_cases"
    QUIT = "quit"
    FIND = "find"
    OPEN_AUDIT = "open_audit"
    CLOSE_AUDIT = "close_audit"
    NEXT_SECTION = "next_section"
    PREVIOUS_SECTION = "previous_section"
    RAISE_ACTION = "raise_action"
    CHILD_AT_RISK = "child_at_risk"
    ACKNOWLEDGE_CONCERN = "acknowledge_concern"
    SIGN_OFF = "sign_off"
    REOPEN_AUDIT = "reopen_audit"
    SIGN_OUT = "sign_out"
    NEW_ROUND = "new_round"
    SHOW_MY_AUDITS = Area.MY_AUDITS.key
    SHOW_ROUNDS = Area.ROUNDS.key
    SHOW_CASES = Area.CASES.key
    SHOW_ACTIONS = Area.ACTIONS.key
    SHOW_REPORTS = Area.REPORTS.key
    SHOW_TEMPLATES = Area.TEMPLATES.key
    REFRESH = "refresh"
    ABOUT = "about"
    OPEN_LOG_FOLDER = "open_log_folder"
    SHOW_AUDIT_TRAIL = "show_audit_trail"
    VERIFY_TRAIL = "verify_trail"
    RETENTION = "retention"


AREA_ACTIONS = {
    Area.MY_AUDITS: ActionId.SHOW_MY_AUDITS,
    Area.ROUNDS: ActionId.SHOW_ROUNDS,
    Area.CASES: ActionId.SHOW_CASES,
    Area.ACTIONS: ActionId.SHOW_ACTIONS,
    Area.REPORTS: ActionId.SHOW_REPORTS,
    Area.TEMPLATES: ActionId.SHOW_TEMPLATES,
}

#: The menu bar: each menu's title and its actions in order (None = separator).
MENUS: list[tuple[str, list[ActionId | None]]] = [
    (
        "&File",
        [
            ActionId.NEW_DATABASE,
            ActionId.OPEN_DATABASE,
            ActionId.OPEN_DEMO,
            None,
            ActionId.IMPORT_CASES,
            ActionId.RETENTION,
            None,
            ActionId.SIGN_OUT,
            ActionId.QUIT,
        ],
    ),
    ("&Edit", [ActionId.FIND]),
    (
        "&Audit",
        [
            ActionId.OPEN_AUDIT,
            ActionId.CLOSE_AUDIT,
            None,
            ActionId.NEXT_SECTION,
            ActionId.PREVIOUS_SECTION,
            None,
            ActionId.RAISE_ACTION,
            ActionId.CHILD_AT_RISK,
            ActionId.ACKNOWLEDGE_CONCERN,
            None,
            ActionId.SIGN_OFF,
            ActionId.REOPEN_AUDIT,
            None,
            ActionId.SHOW_AUDIT_TRAIL,
        ],
    ),
    ("&Round", [ActionId.NEW_ROUND]),
    ("&View", [*AREA_ACTIONS.values(), None, ActionId.REFRESH]),
    ("&Help", [ActionId.ABOUT, ActionId.OPEN_LOG_FOLDER, None, ActionId.VERIFY_TRAIL]),
]


@dataclass(frozen=True)
class ActionState:
    """What the window is doing, as far as command availability is concerned."""

    area: Area | None = None
    has_database: bool = True
    is_demo: bool = False
    can_find: bool = False
    #: False while the window waits for someone to sign in: only the commands that show no
    #: data (open a database, quit, about) are available.
    signed_in: bool = True
    can_sign_out: bool = False
    #: Whether the signed-in user may import case lists, and create rounds.
    can_import: bool = False
    can_manage_rounds: bool = False
    #: Whether the signed-in user administers the database (retention, ...).
    can_administer: bool = False
    #: The area commands (``ActionId`` values) the current view can do now.
    commands: frozenset[str] = frozenset()


Factory = Callable[["MainWindow"], QAction]
_FACTORIES: dict[ActionId, Factory] = {}


def _factory(action_id: ActionId) -> Callable[[Factory], Factory]:
    def register(function: Factory) -> Factory:
        _FACTORIES[action_id] = function
        return function

    return register


def _make(
    window: MainWindow, text: str, tip: str, shortcut: str | QKeySequence.StandardKey | None = None
) -> QAction:
    action = QAction(text, window)
    if shortcut == "Return":
        # Shown in the menu, but the view's list handles Enter itself: a window-wide Enter
        # shortcut would take the key from every text field and dialog button.
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    elif shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.setToolTip(tip)
    return action


@_factory(ActionId.NEW_DATABASE)
def _new_database(window: MainWindow) -> QAction:
    action = _make(
        window, "&New database…", "Create a new caseaudit database file (encrypted)", "Ctrl+N"
    )

    def show() -> None:
        from .new_database_dialog import NewDatabaseDialog

        folder = window.context.data_dir or paths.data_dir()
        dialog = NewDatabaseDialog(window.context.runner, folder / "caseaudit.sqlite", window)
        dialog.created.connect(window.open_database_requested.emit)  # opens through Startup
        dialog.open()

    action.triggered.connect(show)
    return action


@_factory(ActionId.OPEN_DATABASE)
def _open_database(window: MainWindow) -> QAction:
    action = _make(window, "&Open database…", "Open another caseaudit database file", "Ctrl+O")
    action.triggered.connect(window.choose_database)
    return action


@_factory(ActionId.OPEN_DEMO)
def _open_demo(window: MainWindow) -> QAction:
    action = _make(window, "Open the &demo", "Open the demo database of fictional case files")
    action.triggered.connect(window.open_demo_requested.emit)
    return action


@_factory(ActionId.IMPORT_CASES)
def _import_cases(window: MainWindow) -> QAction:
    action = _make(
        window,
        "&Import a case list…",
        "Import a CSV or Excel case list from the case-management system",
        "Ctrl+I",
    )
    action.triggered.connect(window.import_case_list)
    return action


@_factory(ActionId.QUIT)
def _quit(window: MainWindow) -> QAction:
    action = _make(window, "&Quit", "Close caseaudit", "Ctrl+Q")
    action.setMenuRole(QAction.MenuRole.QuitRole)
    action.triggered.connect(window.close)
    return action


@_factory(ActionId.FIND)
def _find(window: MainWindow) -> QAction:
    action = _make(window, "&Find…", "Search this area", QKeySequence.StandardKey.Find)
    action.triggered.connect(window.find)
    return action


@_factory(ActionId.SIGN_OUT)
def _sign_out(window: MainWindow) -> QAction:
    action = _make(window, "Sign &out", "Sign out; the next person must sign in", "Ctrl+Shift+L")
    action.triggered.connect(window.sign_out)
    return action


def _command_factory(
    action_id: ActionId, text: str, tip: str, shortcut: str | QKeySequence.StandardKey | None
) -> Factory:
    """An area command: the window passes it to the current view (``run_view_command``)."""

    def create(window: MainWindow) -> QAction:
        action = _make(window, text, tip, shortcut)
        action.triggered.connect(lambda _checked=False: window.run_view_command(action_id.value))
        return action

    return create


#: Area commands: (text, tip, shortcut). Each is enabled when the current view offers it.
VIEW_COMMANDS: dict[ActionId, tuple[str, str, str | None]] = {
    ActionId.OPEN_AUDIT: ("&Open audit", "Open the audit chosen in My audits", "Return"),
    ActionId.CLOSE_AUDIT: ("&Back to My audits", "Close this audit (it is saved)", "Ctrl+W"),
    ActionId.NEXT_SECTION: ("&Next section", "Go to the next section", "Ctrl+PgDown"),
    ActionId.PREVIOUS_SECTION: ("&Previous section", "Go to the previous section", "Ctrl+PgUp"),
    ActionId.RAISE_ACTION: (
        "Raise an &action…",
        "Raise an action from this question or section: what, who and by when",
        "Ctrl+Shift+A",
    ),
    ActionId.CHILD_AT_RISK: (
        "Child may be at &risk now…",
        "Record a safeguarding concern now, with an immediate action for a named manager",
        "Ctrl+Shift+R",
    ),
    ActionId.ACKNOWLEDGE_CONCERN: (
        "Record the &manager's acknowledgement…",
        "Record that the named manager has received the safeguarding concern",
        None,
    ),
    ActionId.SIGN_OFF: (
        "&Sign off…",
        "Check the audit is complete and sign it off with your password",
        "Ctrl+Shift+S",
    ),
    ActionId.REOPEN_AUDIT: (
        "Re&open signed audit…",
        "Reopen a signed audit for amendment, giving a reason; the signed version is kept",
        None,
    ),
}

for _id, (_text, _tip, _shortcut) in VIEW_COMMANDS.items():
    _FACTORIES[_id] = _command_factory(_id, _text, _tip, _shortcut)


@_factory(ActionId.NEW_ROUND)
def _new_round(window: MainWindow) -> QAction:
    action = _make(window, "&New audit round…", "Create an audit round, then draw its sample")
    action.triggered.connect(window.new_round)
    return action


def _area_factory(area: Area) -> Factory:
    def create(window: MainWindow) -> QAction:
        action = _make(window, area.label, area.description, f"Ctrl+{area.number}")
        action.setCheckable(True)
        action.triggered.connect(lambda _checked=False: window.show_area(area))
        return action

    return create


for _area, _id in AREA_ACTIONS.items():
    _FACTORIES[_id] = _area_factory(_area)


@_factory(ActionId.REFRESH)
def _refresh(window: MainWindow) -> QAction:
    action = _make(window, "&Refresh", "Read everything again from the database", "F5")
    action.triggered.connect(window.refresh)
    return action


@_factory(ActionId.ABOUT)
def _about(window: MainWindow) -> QAction:
    action = _make(window, "&About caseaudit", "Version and database")
    action.setMenuRole(QAction.MenuRole.AboutRole)
    action.triggered.connect(window.show_about)
    return action


@_factory(ActionId.OPEN_LOG_FOLDER)
def _open_log_folder(window: MainWindow) -> QAction:
    action = _make(window, "Open the &log folder", "Show the folder holding caseaudit's log file")
    action.triggered.connect(window.open_log_folder)
    return action


@_factory(ActionId.SHOW_AUDIT_TRAIL)
def _show_audit_trail(window: MainWindow) -> QAction:
    action = _make(window, "Show audit &trail", "Every change to this audit: who, when, what")

    def show() -> None:
        from .trail_view import show_audit_trail

        if not window.locked:
            show_audit_trail(window)

    action.triggered.connect(show)
    return action


@_factory(ActionId.VERIFY_TRAIL)
def _verify_trail(window: MainWindow) -> QAction:
    action = _make(window, "&Verify the audit trail…", "Check that no recorded change was altered")

    def verify() -> None:
        from .trail_view import verify_trail

        if not window.locked:
            verify_trail(window, window.context)

    action.triggered.connect(verify)
    return action


@_factory(ActionId.RETENTION)
def _retention(window: MainWindow) -> QAction:
    action = _make(
        window,
        "&Retention of identifiable data…",
        "Preview and purge the identifying details of long-closed cases (administrators)",
    )

    def show() -> None:
        from .retention_dialog import show_retention

        if not window.locked:
            window.retention_dialog = show_retention(window, window.context)

    action.triggered.connect(show)
    return action


def build_actions(window: MainWindow) -> dict[ActionId, QAction]:
    """Make every action for ``window``; the area actions are mutually exclusive."""
    actions = {action_id: _FACTORIES[action_id](window) for action_id in ActionId}
    group = QActionGroup(window)
    group.setExclusive(True)
    for action_id in AREA_ACTIONS.values():
        group.addAction(actions[action_id])
    for action in actions.values():
        window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return actions


def build_menus(menu_bar: QMenuBar, actions: dict[ActionId, QAction]) -> None:
    for title, items in MENUS:
        menu = menu_bar.addMenu(title)
        for item in items:
            if item is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[item])


#: When each action is available; actions not listed are always available.
_ENABLED_WHEN: dict[ActionId, Callable[[ActionState], bool]] = {
    ActionId.IMPORT_CASES: lambda state: state.can_import,
    ActionId.SIGN_OUT: lambda state: state.signed_in and state.can_sign_out,
    **{
        action_id: (lambda state, name=action_id.value: name in state.commands)
        for action_id in VIEW_COMMANDS
    },
    ActionId.NEW_ROUND: lambda state: state.can_manage_rounds,
    ActionId.RETENTION: lambda state: state.can_administer,
    ActionId.FIND: lambda state: state.can_find,
    ActionId.REFRESH: lambda state: state.has_database,
    ActionId.OPEN_DEMO: lambda state: not state.is_demo,
}


#: What may be done before anyone has signed in: nothing that shows the database's contents.
WITHOUT_SIGN_IN = frozenset(
    {
        ActionId.NEW_DATABASE,
        ActionId.OPEN_DATABASE,
        ActionId.OPEN_DEMO,
        ActionId.QUIT,
        ActionId.ABOUT,
        ActionId.OPEN_LOG_FOLDER,
    }
)


def update_actions(actions: dict[ActionId, QAction], state: ActionState) -> None:
    """Enable, disable and check every action from ``state``, in this one place."""
    for action_id, action in actions.items():
        rule = _ENABLED_WHEN.get(action_id)
        enabled = True if rule is None else rule(state)
        if not state.signed_in and action_id not in WITHOUT_SIGN_IN:
            enabled = False
        action.setEnabled(enabled)
    for area, action_id in AREA_ACTIONS.items():
        actions[action_id].setChecked(area is state.area)
