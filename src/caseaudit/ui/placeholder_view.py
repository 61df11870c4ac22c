"""Areas that later versions fill: My audits, Rounds, Actions and Reports.

Each shows an empty state that teaches what will be there and how it gets there, so a new user
learns the shape of the work (round → sample → audits → actions → reports) from the window
itself. On an empty database they also offer the two ways to start: importing a case list
and opening the demo.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .context import ShellContext
from .navigation import Area
from .widgets import EmptyState, heading

LATER = "This area arrives in a later version of caseaudit."

TEXTS: dict[Area, tuple[str, str]] = {
    Area.MY_AUDITS: (
        "Your audits will be listed here",
        "When the QA lead draws the sample for an audit round and assigns case files to you, "
        "they appear here with their due dates. Opening one lets you work through the "
        "template's sections with guidance beside each question, grade each section, raise "
        "actions and sign the audit off.",
    ),
    Area.ROUNDS: (
        "Audit rounds will be listed here",
        "An audit round names a theme, the template to score against, a period and the "
        "auditors, then draws a reproducible stratified sample of case files, balanced across "
        "pathway stages, teams, and open and recently closed cases. Each round appears here "
        "with its progress.",
    ),
    Area.ACTIONS: (
        "Actions will be tracked here",
        "Actions are raised while auditing: what must happen, who owns it, and by when "
        "(immediately, within 3 months or within 6 months). They are tracked here to "
        "completion, with overdue actions marked.",
    ),
    Area.REPORTS: (
        "Reports will be made here",
        "When audits are signed off, a round's results can be summarised for the QA group, "
        "the safeguarding partnership or the improvement board: grades, strengths, areas for "
        "improvement, actions and the trend against earlier rounds, as a digitally signed PDF "
        "that carries no child's name.",
    ),
}


class PlaceholderView(QWidget):
    """An area that is not built yet: its heading and a teaching empty state."""

    open_demo_requested = Signal()
    import_requested = Signal()

    def __init__(self, area: Area, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{area.key}View")
        self.title = area.label
        self.area = area
        title, text = TEXTS[area]
        self.heading = heading(area.label, self)
        self.empty = EmptyState(title, f"{text}\n\n{LATER}", self)
        self.empty.setObjectName(f"{area.key}Empty")
        if context.is_empty:
            imports = self.empty.add_button(
                "Import a case list…",
                "Import a CSV or Excel case list from the case-management system",
            )
            imports.clicked.connect(self.import_requested.emit)
            demo = self.empty.add_button("Open the demo", "Explore with fictional case files")
            demo.clicked.connect(self.open_demo_requested.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.empty, 1)

    def focus_search(self) -> bool:
        return False
