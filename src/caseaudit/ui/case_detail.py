"""The detail pane of the Cases area: one case file and its pathway events timeline.

``show_case(row)`` fills the summary from the list row at once and asks the runner for the case
file's pathway events (stage, start, completion, days taken, outcome); an answer for a case that
is no longer selected is dropped. Like the list, it shows the pseudonymous case key and never a
child's name.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.cases import CaseRow, EventRow, case_events
from .cases_model import EventsTableModel
from .context import ShellContext
from .formatting import MISSING, format_date, plural
from .widgets import ReadOnlyTable, heading, paragraph

NO_SELECTION = (
    "Select a case file to see its pathway: each step, when it started and ended, and how it ended."
)


class CaseDetailPane(QWidget):
    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseDetail")
        self._context = context
        self._case_file_id: int | None = None
        self._generation = 0
        self.stack = QStackedWidget(self)
        self.placeholder = paragraph(NO_SELECTION, self)
        self.placeholder.setAccessibleName("No case file selected")
        self.stack.addWidget(self.placeholder)

        page = QWidget(self)
        self.title = heading("", page, scale=1.2)
        self.title.setAccessibleName("Case key")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for name in (
            "Pathway stage",
            "Status",
            "Team",
            "Worker",
            "Opened",
            "Closed",
            "Legal status",
            "Placement",
            "System ID",
        ):
            value = QLabel(MISSING, page)
            value.setAccessibleName(name)
            value.setWordWrap(True)
            self.fields[name] = value
            form.addRow(f"{name}:", value)
        self.events_heading = heading("Pathway events", page, scale=1.0)
        self.events_model = EventsTableModel(self)
        self.events = ReadOnlyTable(
            "Pathway events", "Each step on this case file's pathway, oldest first", page
        )
        self.events.setObjectName("eventsTable")
        self.events.setModel(self.events_model)
        self.events.size_columns([30, 12, 12, 6, 16])
        self.events_status = QLabel("", page)
        self.events_status.setAccessibleName("Pathway events status")
        summary = QVBoxLayout()
        summary.addWidget(self.title)
        summary.addLayout(form)
        summary.addStretch(1)
        timeline = QVBoxLayout()
        timeline.addWidget(self.events_heading)
        timeline.addWidget(self.events, 1)
        timeline.addWidget(self.events_status)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(summary, 2)
        layout.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        layout.addLayout(timeline, 3)
        self.stack.addWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)
        outer.addWidget(self.stack)

    @property
    def case_file_id(self) -> int | None:
        return self._case_file_id

    def clear(self) -> None:
        self._generation += 1
        self._case_file_id = None
        self.events_model.set_events([])
        self.stack.setCurrentIndex(0)

    def show_case(self, row: CaseRow) -> None:
        self._generation += 1
        generation = self._generation
        self._case_file_id = row.case_file_id
        self.title.setText(row.case_key)
        values = {
            "Pathway stage": row.stage.label,
            "Status": row.status.label,
            "Team": row.team or MISSING,
            "Worker": row.worker or "Unallocated",
            "Opened": format_date(row.opened_on),
            "Closed": format_date(row.closed_on),
            "Legal status": row.legal_status or MISSING,
            "Placement": row.placement_type or MISSING,
            "System ID": row.external_id or MISSING,
        }
        for name, value in values.items():
            self.fields[name].setText(value)
        self.events_status.setText("Loading pathway events…")
        self.events_model.set_events([])
        self.stack.setCurrentIndex(1)
        db = self._context.db
        case_file_id = row.case_file_id
        self._context.runner.run(
            lambda: case_events(db, case_file_id),
            lambda events: self._events_loaded(generation, events),
            label="Loading pathway events",
            owner=self,
        )

    def _events_loaded(self, generation: int, events: list[EventRow]) -> None:
        if generation != self._generation:
            return
        self.events_model.set_events(events)
        self.events_status.setText(
            plural(len(events), "pathway event") if events else "No pathway events recorded."
        )
