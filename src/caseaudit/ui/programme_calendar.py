"""A recurring programme's calendar: each period due, in progress, completed or overdue.

``ProgrammeCalendar`` lists the programmes (``programmes.list_programmes``) in a combo box and
shows the chosen one's periods (``programmes.calendar`` as of today) in a
``CalendarTableModel``: the period, its dates, when its round is due, its status — in words with
a mark (○ due, ◐ in progress, ✓ completed, ⚠ overdue) as well as a colour — its round and how
many of its files are signed off. It reloads when rounds, samples or audits change.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from ..services import programmes
from ..services.users import UserInfo
from .context import ShellContext
from .rounds_model import CalendarTableModel
from .runner import Changes, touches
from .widgets import EmptyState, ReadOnlyTable

NO_PROGRAMMES = (
    "A programme proposes each period's round automatically: the IRO manager's monthly audit "
    "of LAC review minutes, monthly supervision audits, quarterly themed audits. Create one "
    "with “caseaudit programme create”; its calendar then shows here."
)
WATCHED = ("programme", "audit_round", "sample_item", "audit")


class ProgrammeCalendar(QWidget):
    """The calendar of one programme at a time, chosen from a combo box."""

    def __init__(
        self,
        context: ShellContext,
        parent: QWidget | None = None,
        *,
        actor: UserInfo | None = None,
        as_of: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("programmeCalendar")
        self.context = context
        self._actor = actor
        self.as_of = as_of
        self.programme = QComboBox(self)
        self.programme.setAccessibleName("Programme")
        self.programme.view().setAccessibleName("Programmes to choose from")
        self.programme.currentIndexChanged.connect(self.load_calendar)
        self.model = CalendarTableModel(self)
        self.table = ReadOnlyTable(
            "Programme calendar",
            "Each period of the programme with its status: due, in progress, completed, overdue",
            self,
        )
        self.table.setModel(self.model)
        self.table.size_columns([12, 26, 12, 16, 40, 10])
        self.empty = EmptyState("No audit programmes yet", NO_PROGRAMMES, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        row = QHBoxLayout()
        label = QLabel("&Programme:", self)
        label.setBuddy(self.programme)
        row.addWidget(label)
        row.addWidget(self.programme, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        context.runner.data_changed.connect(self._on_data_changed)
        self.load()

    @property
    def actor(self) -> UserInfo | None:
        return self._actor if self._actor is not None else self.context.user

    def load(self) -> None:
        db, actor = self.context.db, self.actor
        if actor is None:
            return
        self.context.runner.run(
            lambda: programmes.list_programmes(db, actor),
            self._programmes_loaded,
            label="Reading programmes",
            owner=self,
        )

    def _programmes_loaded(self, found: list[programmes.ProgrammeInfo]) -> None:
        current = self.programme.currentData()
        self.programme.blockSignals(True)
        self.programme.clear()
        for info in found:
            self.programme.addItem(f"{info.name} ({info.cadence})", info.id)
        index = self.programme.findData(current)
        self.programme.setCurrentIndex(index if index >= 0 else 0 if found else -1)
        self.programme.blockSignals(False)
        self.programme.setEnabled(bool(found))
        self.stack.setCurrentWidget(self.table if found else self.empty)
        self.load_calendar()

    def load_calendar(self) -> None:
        programme_id = self.programme.currentData()
        if programme_id is None:
            self.model.set_rows([])
            return
        db, as_of = self.context.db, self.as_of or date.today()
        self.context.runner.run(
            lambda: programmes.calendar(db, programme_id, as_of),
            self.model.set_rows,
            label="Reading the programme's calendar",
            owner=self,
        )

    def _on_data_changed(self, changes: Changes) -> None:
        if touches(changes, *WATCHED, "session"):
            self.load()
