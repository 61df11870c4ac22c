"""My audits: the signed-in auditor's queue, and the audit form opened in its place.

The queue lists the audits assigned to whoever signed in, for the open rounds
(``services.audits.my_queue``; QA leads and administrators can tick "Everyone's audits"). It is
sortable by any column, filterable by status and round, and searchable by case key, pathway,
team, worker or round, all in the proxy so thousands of rows stay instant; overdue audits carry
a "!" and a colour. Enter (or a double-click) opens the chosen audit in place of the list, as
UI.md asks (details open in place, not in a stack of dialogs); "← My audits" or Ctrl+W comes
back. An empty queue explains how audits arrive. The rail shows how many audits are still to
do, with "!" when any is overdue. The view reloads when ``data_changed`` says audits changed or
someone signed in or out.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.audits import QueueRow, my_queue
from ..services.permissions import Permission, allowed
from ..vocabulary import AuditStatus
from .context import ShellContext
from .formatting import plural
from .queue_model import (
    STATUS_CHOICES,
    AuditQueueFilterProxy,
    AuditQueueTableModel,
)
from .runner import touches
from .widgets import EmptyState, ReadOnlyTable, heading

SEARCH_DELAY_MS = 200
QUEUE_ENTITIES = ("audit", "answer", "action", "sign_off", "audit_round", "sample_item", "session")
HOW_AUDITS_ARRIVE = (
    "Audits arrive here when the QA lead draws the sample for an audit round and assigns case "
    "files to you. Each one shows its case key, pathway, team and due date. Open one with Enter "
    "to work through the template's sections with guidance beside each question; everything "
    "you type is saved as you go."
)
NO_MATCH = "No audit matches the search and filters. Try fewer words or clear the filters."
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class MyAuditsView(QWidget):
    """The My audits area: the queue, or the audit opened from it."""

    title = "My audits"
    open_demo_requested = Signal()
    import_requested = Signal()
    saved = Signal(object)
    commands_changed = Signal()
    rail_count_changed = Signal(int, int)  # to do, any overdue (0/1: never a Python bool)

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myAuditsView")
        self._context = context
        self._stale = False
        self.form: QWidget | None = None
        #: Audits still to do, and whether any is overdue (what the rail shows).
        self.rail_count: tuple[int, int] | None = None
        self.model = AuditQueueTableModel(self)
        self.proxy = AuditQueueFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.heading = heading(self.title, self)
        self.count_label = QLabel("Loading your audits…", self)
        self.count_label.setObjectName("queueCount")
        self.count_label.setAccessibleName("Number of audits shown")
        self.search = QLineEdit(self)
        self.search.setObjectName("queueSearch")
        self.search.setPlaceholderText("Search case key, pathway, team, worker or round (Ctrl+F)")
        self.search.setAccessibleName("Search my audits")
        self.search.setClearButtonEnabled(True)
        self.status_filter = self._combo("queueStatusFilter", "Filter by status")
        for text, key in STATUS_CHOICES:
            self.status_filter.addItem(text, key)
        self.round_filter = self._combo("queueRoundFilter", "Filter by audit round")
        self.round_filter.addItem("All rounds", "")
        self.everyone = QCheckBox("&Everyone's audits", self)
        self.everyone.setObjectName("queueEveryone")
        self.everyone.setAccessibleName("Show everyone's audits, not only mine")
        self.table = ReadOnlyTable(
            "My audits",
            "Audits assigned to you. Press Enter to open the chosen audit.",
            self,
        )
        self.table.setObjectName("queueTable")
        self.table.horizontalHeader().setAccessibleName("Columns: press to sort")
        self.table.verticalHeader().setAccessibleName("Rows")
        self.table.setModel(self.proxy)
        self.table.size_columns([8, 19, 18, 16, 28, 16, 18, 24])
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        self.empty = EmptyState("No audits for you yet", HOW_AUDITS_ARRIVE, self)
        self.empty.setObjectName("queueEmpty")
        if context.is_empty:  # an empty database: offer the two ways to start
            imports = self.empty.add_button(
                "Import a case list…",
                "Import a CSV or Excel case list from the case-management system",
            )
            imports.clicked.connect(self.import_requested.emit)
            demo = self.empty.add_button("Open the demo", "Explore with fictional case files")
            demo.clicked.connect(self.open_demo_requested.emit)
        self.no_match = EmptyState("No matching audits", NO_MATCH, self)
        self.clear_button = self.no_match.add_button("Clear search and filters")
        self.list_stack = QStackedWidget(self)
        for widget in (self.table, self.no_match, self.empty):
            self.list_stack.addWidget(widget)

        self.queue_page = QWidget(self)
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.search, 3)
        filter_row.addWidget(self.status_filter, 1)
        filter_row.addWidget(self.round_filter, 1)
        filter_row.addWidget(self.everyone)
        queue_layout = QVBoxLayout(self.queue_page)
        queue_layout.addLayout(title_row)
        queue_layout.addLayout(filter_row)
        queue_layout.addWidget(self.list_stack, 1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.queue_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        for first, second in (
            (self.search, self.status_filter),
            (self.status_filter, self.round_filter),
            (self.round_filter, self.everyone),
            (self.everyone, self.table),
        ):
            self.setTabOrder(first, second)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.round_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.everyone.toggled.connect(lambda _on: self.reload())
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.selectionModel().currentRowChanged.connect(
            lambda *_: self.commands_changed.emit()
        )
        for widget in (self.table, self.search):
            widget.installEventFilter(self)
        context.runner.data_changed.connect(self._on_data_changed)
        self._update_everyone()
        self.reload()

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.view().setAccessibleName(f"{accessible}: choices")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        user = self._context.user
        if user is None:
            self.model.set_rows([])
            self._loaded_rows([])
            return
        db, everyone = self._context.db, self.everyone.isChecked()
        self._stale = False
        self._context.runner.run(
            lambda: my_queue(db, user, everyone=everyone),
            self._loaded_rows,
            label="Loading your audits",
            owner=self,
        )

    def _loaded_rows(self, rows: list[QueueRow]) -> None:
        chosen = self.proxy.audit_id_at(self.table.currentIndex().row())
        self.model.set_rows(rows)
        rounds = sorted({r.round_name for r in rows if r.round_name})
        current = self.round_filter.currentData()
        self.round_filter.blockSignals(True)
        self.round_filter.clear()
        self.round_filter.addItem("All rounds", "")
        for name in rounds:
            self.round_filter.addItem(name, name)
        self.round_filter.setCurrentIndex(max(0, self.round_filter.findData(current)))
        self.round_filter.blockSignals(False)
        self.apply_filters()
        if chosen is not None:
            self.select_audit(chosen)
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        to_do = [r for r in rows if r.status != AuditStatus.SIGNED]
        self.rail_count = (len(to_do), int(any(r.overdue for r in to_do)))
        self.rail_count_changed.emit(*self.rail_count)

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if "session" in changes:
            self._update_everyone()
            if self._context.user is None:
                self.close_audit()
        if touches(changes, *QUEUE_ENTITIES):
            if self.form is None or "session" in changes:
                self.reload()
            else:
                self._stale = True  # the form is open: reload when the queue is shown again

    def _update_everyone(self) -> None:
        overseer = allowed(self._context.user, Permission.MANAGE_ROUNDS)
        self.everyone.setVisible(overseer)
        if not overseer and self.everyone.isChecked():
            self.everyone.blockSignals(True)
            self.everyone.setChecked(False)
            self.everyone.blockSignals(False)

    # -- filters --------------------------------------------------------------------------
    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.proxy.set_filters(
            status=self.status_filter.currentData() or None,
            round_name=self.round_filter.currentData() or None,
            search=self.search.text(),
        )
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if shown:
            self.list_stack.setCurrentWidget(self.table)
        elif total:
            self.list_stack.setCurrentWidget(self.no_match)
        else:
            self.list_stack.setCurrentWidget(self.empty)
        overdue = sum(1 for r in self.model.rows if r.overdue)
        text = (
            plural(shown, "audit") if shown == total else f"{shown:,} of {plural(total, 'audit')}"
        )
        if overdue:
            text += f" · {overdue:,} overdue !"
        self.count_label.setText(text)
        if shown and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.commands_changed.emit()

    def clear_filters(self) -> None:
        for combo in (self.status_filter, self.round_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()
        self.search.setFocus()

    def set_status_filter(self, key: str | None) -> None:
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(key or "")))

    # -- the window's interface -----------------------------------------------------------
    def focus_search(self) -> bool:
        if self.form is not None:
            return False
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def focus_list(self) -> None:
        if self.form is None:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def available_commands(self) -> set[str]:
        if self.form is not None:
            return set(self.form.available_commands())  # type: ignore[attr-defined]
        return {"open_audit"} if self.table.currentIndex().isValid() else set()

    def run_command(self, name: str) -> None:
        if self.form is not None:
            self.form.run_command(name)  # type: ignore[attr-defined]
        elif name == "open_audit":
            self.open_row(self.table.currentIndex().row())

    def leave(self) -> None:
        if self.form is not None:
            self.form.leave()  # type: ignore[attr-defined]

    # -- opening and closing an audit -----------------------------------------------------
    def select_audit(self, audit_id: int) -> None:
        row = self.proxy.row_of(audit_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.proxy.index(row, 0))

    def open_row(self, row: int) -> None:
        audit_id = self.proxy.audit_id_at(row)
        if audit_id is not None:
            self.open_audit(audit_id)

    def open_audit(self, audit_id: int) -> QWidget:
        """Show the audit form for ``audit_id`` in place of the queue."""
        from .audit_form.form_view import AuditFormView  # loaded when first needed

        self.close_audit(select=False)
        form = AuditFormView(self._context, audit_id, self.pages)
        form.saved.connect(self._saved)
        form.commands_changed.connect(self.commands_changed.emit)
        form.close_requested.connect(self.close_audit)
        self.form = form
        self.pages.addWidget(form)
        self.pages.setCurrentWidget(form)
        form.focus_first_field()
        self.commands_changed.emit()
        return form

    def close_audit(self, *, select: bool = True) -> None:
        """Back to the queue; waiting saves are sent first (the runner finishes them)."""
        form = self.form
        if form is None:
            return
        audit_id = form.audit_id  # type: ignore[attr-defined]
        form.leave()  # type: ignore[attr-defined]
        form.release()  # type: ignore[attr-defined]
        self.form = None
        self.pages.setCurrentWidget(self.queue_page)
        self.pages.removeWidget(form)
        form.hide()
        form.deleteLater()
        if self._stale:
            self.reload()
        if select:
            self.select_audit(audit_id)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.commands_changed.emit()

    def _saved(self, when: datetime) -> None:
        self._stale = True
        self.saved.emit(when)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if plain and event.key() in ENTER_KEYS and self.table.currentIndex().isValid():
                self.open_row(self.table.currentIndex().row())
                return True
            if watched is self.search and plain and event.key() == Qt.Key.Key_Down:
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(watched, event)

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
