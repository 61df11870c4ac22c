"""A recurring programme's calendar: each period due, in progress, completed or overdue.

``ProgrammeCalendar`` lists the programmes (``programmes.list_programmes``) in a combo box and
shows the chosen one's periods (``programmes.calendar`` as of today) in a
``CalendarTableModel``: the period, its dates, when its round is due, its status — in words with
a mark (○ due, ◐ in progress, ✓ completed, ⚠ overdue) as well as a colour — its round and how
many of its files are signed off. "New programme…" opens ``ProgrammeDialog``; "Propose next
round" asks ``programmes.propose_round`` for the chosen programme's next period (the earliest one
still without a round) and shows the proposed sample in the same ``SamplePreviewDialog`` used for
drawing a round's sample, which saves it only when committed. It reloads when programmes, rounds,
samples or audits change — at once when on screen, otherwise when next shown.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import programmes
from ..services.permissions import Permission, allowed
from ..services.users import UserInfo
from ..vocabulary import RoundStatus
from .context import ShellContext
from .deferred import DeferredReload
from .formatting import format_date
from .programme_dialog import ProgrammeDialog
from .rounds_model import CalendarTableModel
from .runner import Changes, touches
from .sample_preview import SamplePreviewDialog
from .widgets import EmptyState, ReadOnlyTable

NO_PROGRAMMES = (
    "A programme proposes each period's round automatically: the IRO manager's monthly audit "
    "of LAC review minutes, monthly supervision audits, quarterly themed audits. Create one "
    "with “New programme…”; its calendar then shows here."
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
        self.deferred = DeferredReload(self, self.load)  # not on every autosave while hidden
        self.programme_dialog: ProgrammeDialog | None = None
        self.preview_dialog: SamplePreviewDialog | None = None
        self.proposal: programmes.Proposal | None = None
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
        self.new_button = self._button(
            "&New programme…", "Set up a recurring audit programme", self.new_programme
        )
        self.propose_button = self._button(
            "Pr&opose next round",
            "Make the chosen programme's next round and preview its sample before it is saved",
            self.propose,
        )
        row.addWidget(self.new_button)
        row.addWidget(self.propose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        context.runner.data_changed.connect(self._on_data_changed)
        self.load()

    def _button(self, text: str, tip: str, handler) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: handler())
        return button

    @property
    def actor(self) -> UserInfo | None:
        return self._actor if self._actor is not None else self.context.user

    def _update_buttons(self) -> None:
        may = allowed(self.actor, Permission.MANAGE_PROGRAMMES)
        self.new_button.setEnabled(may)
        self.propose_button.setEnabled(may and self.programme.currentData() is not None)

    def load(self) -> None:
        db, actor = self.context.db, self.actor
        self._update_buttons()
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
        self._update_buttons()
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
        if not touches(changes, *WATCHED, "session"):
            return
        self.deferred.request()

    # -- commands ---------------------------------------------------------------------------
    def new_programme(self) -> None:
        self.programme_dialog = ProgrammeDialog(self.context, self, actor=self.actor)
        self.programme_dialog.load()
        self.programme_dialog.accepted.connect(self._programme_created)
        self.programme_dialog.open()

    def _programme_created(self) -> None:
        dialog = self.programme_dialog
        if dialog is not None and dialog.created is not None:
            self.select_programme(dialog.created.id)

    def select_programme(self, programme_id: int) -> None:
        index = self.programme.findData(programme_id)
        if index >= 0:
            self.programme.setCurrentIndex(index)

    def propose(self, seed: int | None = None) -> None:
        """Propose the chosen programme's next round and preview its sample."""
        programme_id = self.programme.currentData()
        if programme_id is None:
            return
        db, actor, as_of = self.context.db, self.actor, self.as_of
        self.context.runner.run(
            lambda: programmes.propose_round(db, actor, programme_id, seed=seed, as_of=as_of),
            self._proposed,
            label="Proposing the next round",
            changes=lambda p: "audit_round" if p.created else None,
            owner=self,
        )

    def _proposed(self, proposal: programmes.Proposal) -> None:
        self.proposal = proposal
        made = "has been made as a draft" if proposal.created else "was made earlier"
        intro = (
            f"Proposed for {proposal.period.label} of “{proposal.programme.name}”, due "
            f"{format_date(proposal.period.due_on)}. The round {made}; its sample is not "
            "saved until you commit it."
        )
        self.preview_dialog = SamplePreviewDialog(
            self.context,
            proposal.preview,
            self,
            actor=self.actor,
            redraw=proposal.round.status == RoundStatus.SAMPLED,
            intro=intro,
        )
        self.preview_dialog.open()
