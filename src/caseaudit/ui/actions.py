"""Every menu command, declared once (Picard's ``ui/mainwindow/actions.py``).

``ActionId`` lists the commands. Each has one small factory that makes its ``QAction`` (text,
shortcut, tip, handler) for a window; ``MENUS`` says where each goes; ``build_actions`` makes
them all and ``build_menus`` fills the menu bar. Whether a command is available is decided in
one place, ``update_actions(actions, state)``, from an ``ActionState`` describing the window.
Commands that later versions will bring are shown disabled, with a tip saying so.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenuBar

from .navigation import Area

if TYPE_CHECKING:
    from .mainwindow import MainWindow

LATER = "arrives in a later version of caseaudit"


class ActionId(enum.Enum):
    OPEN_DATABASE = "open_database"
    OPEN_DEMO = "open_demo"
    IMPORT_CASES = "import_cases"
    QUIT = "quit"
    FIND = "find"
    START_AUDIT = "start_audit"
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
            ActionId.OPEN_DATABASE,
            ActionId.OPEN_DEMO,
            None,
            ActionId.IMPORT_CASES,
            None,
            ActionId.QUIT,
        ],
    ),
    ("&Edit", [ActionId.FIND]),
    ("&Audit", [ActionId.START_AUDIT]),
    ("&Round", [ActionId.NEW_ROUND]),
    ("&View", [*AREA_ACTIONS.values(), None, ActionId.REFRESH]),
    ("&Help", [ActionId.ABOUT, ActionId.OPEN_LOG_FOLDER]),
]


@dataclass(frozen=True)
class ActionState:
    """What the window is doing, as far as command availability is concerned."""

    area: Area | None = None
    has_database: bool = True
    is_demo: bool = False
    can_find: bool = False


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
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.setToolTip(tip)
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
    return _make(window, "&Import a case list…", f"Importing case lists {LATER}.", "Ctrl+I")


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


@_factory(ActionId.START_AUDIT)
def _start_audit(window: MainWindow) -> QAction:
    return _make(window, "&Open audit", f"Auditing case files {LATER}; they will be in My audits.")


@_factory(ActionId.NEW_ROUND)
def _new_round(window: MainWindow) -> QAction:
    return _make(window, "&New audit round…", f"Audit rounds and sampling {LATER}.")


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
    ActionId.IMPORT_CASES: lambda _state: False,
    ActionId.START_AUDIT: lambda _state: False,
    ActionId.NEW_ROUND: lambda _state: False,
    ActionId.FIND: lambda state: state.can_find,
    ActionId.REFRESH: lambda state: state.has_database,
    ActionId.OPEN_DEMO: lambda state: not state.is_demo,
}


def update_actions(actions: dict[ActionId, QAction], state: ActionState) -> None:
    """Enable, disable and check every action from ``state``, in this one place."""
    for action_id, action in actions.items():
        rule = _ENABLED_WHEN.get(action_id)
        action.setEnabled(True if rule is None else rule(state))
    for area, action_id in AREA_ACTIONS.items():
        actions[action_id].setChecked(area is state.area)
