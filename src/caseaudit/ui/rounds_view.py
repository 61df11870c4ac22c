"""The Rounds area: audit rounds, their samples and assignments, and programme calendars.

The "Rounds" tab lists the rounds (``RoundsTableModel``); choosing one shows how its sample was
drawn and its files with their stratum and auditor (``SampleTableModel``, changes made by hand
flagged). "New round…" opens ``RoundDialog``; "Draw sample…" previews the draw
(``sampling.preview_sample``) in ``SamplePreviewDialog``, which commits it only when asked.
Until the round is completed the sample can be changed by hand, each change with a reason:
"Add a file…" (``AddCaseDialog``), "Remove from sample…" (``RemoveCaseDialog``) and "Assign
to…" (``AssignDialog``, where the service refuses an auditor with a conflict of interest). The
"Programme calendar" tab is ``ProgrammeCalendar``. All reading and writing goes through the
runner; the view reloads when ``data_changed`` says rounds or samples changed — at once when it
is on screen, otherwise when it is next shown (an autosave elsewhere never reloads a hidden view).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import rounds, sampling
from ..services.permissions import Permission, allowed
from ..services.round_start import RoundStarted, start_round
from ..services.users import UserInfo
from ..vocabulary import RoundStatus
from .add_case_dialog import AddCaseDialog
from .assign_dialog import AssignDialog
from .context import ShellContext
from .deferred import DeferredReload
from .geometry import remember_splitter
from .programme_calendar import ProgrammeCalendar
from .round_dialog import RoundDialog
from .rounds_model import RoundsTableModel, SampleTableModel
from .runner import Changes, touches
from .sample_edit import RemoveCaseDialog, SampleChangeDialog
from .sample_preview import SamplePreviewDialog
from .widgets import EmptyState, ReadOnlyTable, heading, paragraph

NO_ROUNDS = (
    "An audit round names a theme, the template to score against, a period and the auditors, "
    "then draws a reproducible stratified sample of case files, balanced across pathway "
    "stages, teams, and open and recently closed cases. Create one with “New round…”."
)
WATCHED = ("audit_round", "sample_item", "case_file", "audit", "session")
DRAWABLE = (RoundStatus.DRAFT, RoundStatus.SAMPLED)
CHANGEABLE = (RoundStatus.DRAFT, RoundStatus.SAMPLED, RoundStatus.IN_PROGRESS)


def _method_lines(method: dict) -> list[str]:
    """The sampling method in words; a method recorded in an older form is not an error."""
    if method.get("seed") is None:  # not drawn yet, though files may have been added by hand
        return [
            "No sample has been drawn yet.",
            *(
                f"By hand: {c.get('action')} {c.get('case_key')} ({c.get('reason', '')}) by "
                f"{c.get('by', '')} on {c.get('at', '')}."
                for c in method.get("manual_changes") or []
                if isinstance(c, dict)
            ),
        ]
    try:
        return sampling.method_lines(method)
    except (KeyError, TypeError, AttributeError):
        return [f"Drawn with seed {method.get('seed', 'not recorded')}."]


def reassigned_by_hand(method: dict) -> list[str]:
    """The case keys whose auditor was chosen by hand, from the round's method."""
    return [
        str(c.get("case_key", ""))
        for c in method.get("manual_changes") or []
        if isinstance(c, dict) and str(c.get("action", "")).startswith("assigned to")
    ]


class RoundsView(QWidget):
    """Rounds, the chosen round's sample, and the programme calendars."""

    def __init__(
        self, context: ShellContext, parent: QWidget | None = None, *, actor: UserInfo | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("roundsView")
        self.title = "Rounds"
        self.context = context
        self._actor = actor
        self.detail: rounds.RoundDetail | None = None
        self.round_dialog: RoundDialog | None = None
        self.preview_dialog: SamplePreviewDialog | None = None
        self.change_dialog: SampleChangeDialog | None = None
        self._select_next: int | None = None
        self._select_case: str | None = None
        self.deferred = DeferredReload(self, self.load)  # not on every autosave while hidden
        self.heading = heading("Rounds", self)
        self.model = RoundsTableModel(self)
        self.table = ReadOnlyTable("Audit rounds", "Every audit round; choose one to see it", self)
        self.table.setObjectName("roundsTable")
        self.table.setModel(self.model)
        self.table.size_columns([46, 22, 22, 24, 12, 6, 20])
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = EmptyState("No audit rounds yet", NO_ROUNDS, self)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        self.new_button = self._button("&New round…", "Create an audit round", self.new_round)
        self.draw_button = self._button(
            "&Draw sample…", "Preview the chosen round's sample, then commit it", self.draw_sample
        )
        self.add_button = self._button(
            "Add a f&ile…", "Add a case file to the chosen round's sample by hand", self.add_file
        )
        self.remove_button = self._button(
            "Re&move from sample…", "Take the chosen file out of the sample", self.remove_file
        )
        self.assign_button = self._button(
            "Assi&gn to…", "Give the chosen file to another auditor", self.assign_file
        )
        self.start_button = self._button(
            "S&tart audits",
            "Put each assigned file of the sampled round into its auditor's queue",
            self.start_audits,
        )
        self.method = paragraph("Choose a round to see its sample.", self)
        self.method.setAccessibleName("How the sample was drawn")
        self.start_note = paragraph("", self)
        self.start_note.setAccessibleName("Audits started")
        self.start_note.hide()
        self.sample_model = SampleTableModel(self)
        self.sample = ReadOnlyTable("Sample", "The round's files, stratum and auditor", self)
        self.sample.setObjectName("sampleTable")
        self.sample.setModel(self.sample_model)
        self.sample.size_columns([9, 26, 20, 10, 18, 16, 18, 14])
        self.sample.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        method_area = QScrollArea(detail)  # a method with many strata must not hide the sample
        self.method.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        method_area.setWidget(self.method)
        method_area.setWidgetResizable(True)
        method_area.setAccessibleName("How the sample was drawn: scroll to read all of it")
        method_area.setFrameShape(QFrame.Shape.NoFrame)
        method_area.setMaximumHeight(9 * self.fontMetrics().height())
        detail_layout.addWidget(method_area)
        detail_layout.addWidget(self.start_note)
        detail_layout.addWidget(self.sample, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("roundsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(1, 2)
        remember_splitter(self, self.splitter)
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.draw_button,
            self.add_button,
            self.remove_button,
            self.assign_button,
            self.start_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        rounds_tab = QWidget(self)
        rounds_layout = QVBoxLayout(rounds_tab)
        rounds_layout.addLayout(buttons)
        rounds_layout.addWidget(self.splitter, 1)
        self.calendar = ProgrammeCalendar(context, self, actor=actor)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Rounds and programmes")
        self.tabs.addTab(rounds_tab, "&Rounds")
        self.tabs.addTab(self.calendar, "Programme &calendar")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
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

    # -- reading ----------------------------------------------------------------------------
    def load(self) -> None:
        db, actor = self.context.db, self.actor
        self._update_buttons()
        if actor is None:
            return
        self.context.runner.run(
            lambda: rounds.list_rounds(db, actor), self._loaded, label="Reading rounds", owner=self
        )

    def _loaded(self, found: list[rounds.RoundSummary]) -> None:
        chosen = self._select_next or self.current_round_id()
        self._select_next = None
        self.model.set_rows(found)
        self.list_stack.setCurrentWidget(self.table if found else self.empty)
        ids = [r.id for r in found]
        if chosen in ids:
            self.select_round(chosen)
        elif found:
            self.table.selectRow(0)
        else:
            self._show_detail(None)

    def current_round_id(self) -> int | None:
        row = self.model.row_data(self.table.selected_row())
        return row.id if row is not None else None

    def select_round(self, round_id: int) -> None:
        for row, summary in enumerate(self.model.rows):
            if summary.id == round_id:
                self.table.selectRow(row)
                self._load_detail(round_id)  # also when the row was already selected

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        round_id = self.current_round_id()
        if round_id is not None:
            self._load_detail(round_id)

    def _load_detail(self, round_id: int) -> None:
        db, actor = self.context.db, self.actor
        self.context.runner.run(
            lambda: rounds.get_round(db, actor, round_id),
            self._show_detail,
            label="Reading the round",
            owner=self,
        )

    def _show_detail(self, detail: rounds.RoundDetail | None) -> None:
        keep, self._select_case = self._select_case, None
        same = self.detail and detail and self.detail.summary.id == detail.summary.id
        if keep is None and same and (item := self.selected_item()) is not None:
            keep = item.case_key  # reading the same round again keeps the chosen file
        self.detail = detail
        if detail is None:
            self.method.setText("Choose a round to see its sample.")
            self.sample_model.set_rows([])
        else:
            summary = detail.summary
            lines = [
                f"{summary.name}: {summary.status.label}, {summary.item_count} files, auditors "
                f"{', '.join(summary.auditors) or 'none yet'}.",
                *_method_lines(detail.method),
            ]
            self.method.setText("\n".join(lines))
            self.sample_model.set_rows(detail.items, reassigned_by_hand(detail.method))
            if detail.items:
                self.sample.resizeColumnsToContents()
            row = self.sample_model.row_of_case(keep or "")
            if row >= 0:
                self.sample.selectRow(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        may = allowed(self.actor, Permission.MANAGE_ROUNDS)
        status = self.detail.summary.status if self.detail else None
        self.new_button.setEnabled(may)
        self.draw_button.setEnabled(may and status in DRAWABLE)
        item = self.selected_item()
        changeable = may and status in CHANGEABLE
        self.add_button.setEnabled(changeable)
        self.remove_button.setEnabled(changeable and item is not None and not item.removed)
        self.assign_button.setEnabled(changeable and item is not None and not item.removed)
        self.start_button.setEnabled(
            may and status in (RoundStatus.SAMPLED, RoundStatus.IN_PROGRESS)
        )

    def _on_data_changed(self, changes: Changes) -> None:
        if not touches(changes, *WATCHED):
            return
        self.deferred.request()

    # -- commands ---------------------------------------------------------------------------
    def new_round(self) -> None:
        self.round_dialog = RoundDialog(self.context, self, actor=self.actor)
        self.round_dialog.load()
        self.round_dialog.accepted.connect(self._round_created)
        self.round_dialog.open()

    def _round_created(self) -> None:
        dialog = self.round_dialog
        if dialog is not None and dialog.created is not None:
            self._select_next = dialog.created.id  # chosen when the list is read again
            self.select_round(dialog.created.id)

    def draw_sample(self, seed: int | None = None) -> None:
        """Preview the chosen round's sample in ``SamplePreviewDialog``."""
        if self.detail is None:
            return
        db, actor, summary = self.context.db, self.actor, self.detail.summary
        self.context.runner.run(
            lambda: sampling.preview_sample(db, actor, summary.id, seed),
            lambda preview: self._show_preview(preview, summary.status == RoundStatus.SAMPLED),
            label="Drawing the sample",
            owner=self,
        )

    def _show_preview(self, preview: sampling.SamplePreview, redraw: bool) -> None:
        self.preview_dialog = SamplePreviewDialog(
            self.context, preview, self, actor=self.actor, redraw=redraw
        )
        self.preview_dialog.open()

    def selected_item(self) -> rounds.SampleItemInfo | None:
        return self.sample_model.row_data(self.sample.selected_row())

    def add_file(self) -> None:
        """Open "Add a file…" for the chosen round."""
        if self.detail is None:
            return
        in_sample = [i.case_key for i in self.detail.items if not i.removed]
        dialog = AddCaseDialog(self.context, self.detail.summary, in_sample, self, actor=self.actor)
        self._open_change(dialog)

    def remove_file(self) -> None:
        """Open "Remove from sample…" for the chosen file."""
        item = self.selected_item()
        if item is not None and self.detail is not None:
            dialog = RemoveCaseDialog(
                self.context, self.detail.summary, item, self, actor=self.actor
            )
            self._open_change(dialog)

    def assign_file(self) -> None:
        """Open "Assign to…" for the chosen file."""
        item = self.selected_item()
        if item is not None and self.detail is not None:
            dialog = AssignDialog(self.context, self.detail.summary, item, self, actor=self.actor)
            self._open_change(dialog)

    def _open_change(self, dialog: SampleChangeDialog) -> None:
        self.change_dialog = dialog
        dialog.accepted.connect(lambda: self._changed(dialog))
        dialog.open()

    def _changed(self, dialog: SampleChangeDialog) -> None:
        if dialog.result_info is not None:
            self._select_case = dialog.result_info.case_key  # chosen when the round is read

    def start_audits(self) -> None:
        """Create the chosen round's audits (``round_start.start_round``) and say how many."""
        if self.detail is None:
            return
        db, actor, round_id = self.context.db, self.actor, self.detail.summary.id
        self.context.runner.run(
            lambda: start_round(db, actor, round_id),
            self._started,
            label="Starting the audits",
            changes=("audit", "audit_round"),
            owner=self,
        )

    def _started(self, started: RoundStarted) -> None:
        words = f"{started.audits_created} audit(s) are now in their auditors' queues."
        if started.unassigned_case_keys:
            words += " Not started (no auditor): " + ", ".join(started.unassigned_case_keys)
        self.start_note.setText(f"{started.round_name}: {words}")
        self.start_note.show()

    def focus_search(self) -> bool:
        return False
