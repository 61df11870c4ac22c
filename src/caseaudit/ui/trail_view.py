"""The audit trail of one audit, in words, and the check that the whole trail is intact.

``TrailTableModel`` shows ``services.trail.events`` newest first: when, who, what, and each
changed field as "before → after". Free text is stored in the trail only as a fingerprint
(it may name a child), so a changed evidence or commentary field reads "changed", never a hash.
``TrailPanel`` is the table with a heading and a status line; it loads through the runner and
reloads when the audit changes, and another view can embed it (``TrailPanel(context, audit_id)``).
``TrailDialog`` shows a panel in its own window (Audit → Show audit trail) and
``verify_trail`` checks every seal in the background with a progress bar and Cancel, then says
the outcome in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from ..services import trail
from ..services.trail import TrailEvent, TrailReport
from .context import ShellContext
from .deferred import DeferredReload
from .formatting import MISSING, format_date, format_time
from .runner import EVERYTHING, touches
from .widgets import ReadOnlyTable, heading, paragraph

if TYPE_CHECKING:
    from .mainwindow import MainWindow

AnyIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("When", "Who", "What", "Before → after")
ENTITY_WORDS = {
    "audit": "Audit",
    "answer": "Answer",
    "section_judgement": "Section grade",
    "action": "Action",
    "sign_off": "Sign-off",
    "user": "User",
    "report": "Report",
    "settings": "Settings",
}
OPERATION_WORDS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "produce": "produced",
}
#: Fields that are bookkeeping rather than what the user changed.
HIDDEN_FIELDS = frozenset({"id", "audit_id"})
#: What ``data_changed`` names when an audit or a part of it changes.
FIELD_WORDS = {"question_id": "question", "section_id": "section", "na_reason": "N/A reason"}
FIRST_FIELDS = frozenset({"question_id", "section_id", "status"})
AUDIT_ENTITIES = ("audit", "answer", "section_judgement", "action", "sign_off", "trail")


def value_words(value: Any) -> str:
    """A recorded value as words: fingerprints are never shown."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if value.startswith("sha256:"):
            return "text"
        return value.replace("_", " ")
    if isinstance(value, list | tuple):
        return ", ".join(value_words(item) for item in value) or MISSING
    if isinstance(value, dict):
        return "details"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def _is_fingerprint(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("sha256:")


def field_words(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " "))


def change_words(name: str, before: Any, after: Any) -> str:
    """One field's change, e.g. ``grade: 2 → 3`` or ``evidence: changed``."""
    label = field_words(name)
    if _is_fingerprint(before) or _is_fingerprint(after) or _has_fingerprint(before, after):
        if not after:
            return f"{label}: removed"
        return f"{label}: {'added' if not before else 'changed'}"
    return f"{label}: {value_words(before)} → {value_words(after)}"


def _has_fingerprint(*values: Any) -> bool:
    for value in values:
        if isinstance(value, list | tuple) and any(_is_fingerprint(v) for v in value):
            return True
        if isinstance(value, dict) and any(_is_fingerprint(v) for v in value.values()):
            return True
    return False


def _field_order(name: str, before: Any, after: Any) -> tuple[int, str]:
    """Which question or section first, free text last, the rest by name."""
    if name in FIRST_FIELDS:
        return (0, name)
    return (2 if _is_fingerprint(before) or _is_fingerprint(after) else 1, name)


def what_words(event: TrailEvent) -> str:
    entity = ENTITY_WORDS.get(event.entity, event.entity.replace("_", " ").capitalize())
    operation = OPERATION_WORDS.get(event.operation, event.operation.replace("_", " "))
    return f"{entity} {event.entity_id} {operation}"


def changes_words(event: TrailEvent) -> str:
    """Each changed field in words; a new record lists what it was created with."""
    parts = []
    for name, old, new in sorted(event.changes, key=lambda change: _field_order(*change)):
        if name in HIDDEN_FIELDS or (event.operation == "create" and new in (None, "")):
            continue
        if event.operation == "create" and not _is_fingerprint(new):
            parts.append(f"{field_words(name)}: {value_words(new)}")
        else:
            parts.append(change_words(name, old, new))
    return "; ".join(parts) or MISSING


class TrailTableModel(QAbstractTableModel):
    """The trail events of an audit (newest first), read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._events: list[TrailEvent] = []

    def set_events(self, events: Sequence[TrailEvent]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def event_at(self, row: int) -> TrailEvent | None:
        return self._events[row] if 0 <= row < len(self._events) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def cell_text(self, row: int, column: int) -> str:
        event = self._events[row]
        if column == 0:
            return f"{format_date(event.at)} {format_time(event.at)}"
        if column == 1:
            return event.user_name
        if column == 2:
            return what_words(event)
        return changes_words(event)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        if not 0 <= index.column() < len(HEADERS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return self.cell_text(index.row(), 3).replace("; ", "\n")
        return None


class TrailPanel(QWidget):
    """An audit's trail: heading, table and a line saying how many events (embeddable)."""

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trailPanel")
        self.setAccessibleName(f"Audit trail of audit {audit_id}")
        self.context = context
        self.audit_id = audit_id
        self.model = TrailTableModel(self)
        self.heading = heading(f"Audit trail — audit {audit_id}", self, scale=1.15)
        self.note = paragraph(
            "Every change to this audit, newest first. Evidence and other free text is kept in "
            "the trail only as a fingerprint, so it shows as “changed”.",
            self,
        )
        self.note.setAccessibleName("About the audit trail")
        self.table = ReadOnlyTable(
            "Audit trail", "When, who, what changed, and each field before and after", self
        )
        self.table.setModel(self.model)
        self.table.size_columns([22, 14, 26])
        self.status = paragraph("Reading the trail…", self)
        self.status.setObjectName("trailStatus")
        self.status.setAccessibleName("Trail status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.deferred = DeferredReload(self, self.reload)  # not on every autosave while hidden
        context.runner.data_changed.connect(self._on_data_changed)
        self.reload()

    def reload(self) -> None:
        self.deferred.cancel()
        db, actor, audit_id = self.context.db, self.context.user, self.audit_id
        self.context.runner.run(
            lambda: trail.events(db, actor, audit_id=audit_id),
            self._loaded,
            self._failed,
            label="Reading the audit trail",
            owner=self,
        )

    def _loaded(self, events: list[TrailEvent]) -> None:
        self.model.set_events(events)
        count = len(events)
        self.status.setText(
            "No changes recorded yet." if not count else f"{count:,} change(s) recorded."
        )

    def _failed(self, exc: BaseException) -> None:
        self.model.set_events([])
        message = getattr(exc, "message", None) or "The trail could not be read."
        self.status.setText(message)

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if touches(changes, *AUDIT_ENTITIES) or EVERYTHING in changes:
            self.deferred.request()


class TrailDialog(QDialog):
    """A window showing one audit's trail."""

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Audit trail — audit {audit_id} — caseaudit")
        self.setObjectName("trailDialog")
        self.setAccessibleName("Audit trail")
        self.panel = TrailPanel(context, audit_id, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close the audit trail")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        unit = self.fontMetrics().averageCharWidth()
        self.resize(130 * unit, 30 * self.fontMetrics().height())


def current_audit_id(window: MainWindow) -> int | None:
    """The audit open in My audits, or the one chosen in its list."""
    from .navigation import Area

    view = window.view(Area.MY_AUDITS)
    if view is None:
        return None
    form = getattr(view, "form", None)
    if form is not None:
        return getattr(form, "audit_id", None)
    proxy, table = getattr(view, "proxy", None), getattr(view, "table", None)
    if proxy is None or table is None or not table.currentIndex().isValid():
        return None
    return proxy.audit_id_at(table.currentIndex().row())


def show_audit_trail(window: MainWindow) -> TrailDialog | None:
    """Audit → Show audit trail: the trail of the audit open or chosen in My audits."""
    audit_id = current_audit_id(window)
    if audit_id is None:
        QMessageBox.information(
            window,
            "Show audit trail",
            "Open an audit, or choose one in My audits, then show its trail.",
        )
        return None
    dialog = TrailDialog(window.context, audit_id, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    window.trail_dialog = dialog  # type: ignore[attr-defined]
    return dialog


def report_words(report: TrailReport) -> tuple[str, str]:
    """The headline and the explanation of a trail check, in plain words."""
    if report.ok:
        main = "The audit trail is intact."
        detail = report.reason
    else:
        main = "The audit trail has been tampered with."
        lines = [report.reason]
        lines += [m.describe() for m in report.mismatches[:5] if m.describe() != report.reason]
        if len(report.mismatches) > 5:
            lines.append(f"… and {len(report.mismatches) - 5:,} more records.")
        lines.append(
            "Keep this database as it is, restore the last good backup for daily work, and "
            "ask your administrator to investigate."
        )
        detail = "\n".join(lines)
    if report.warnings:
        detail = "\n".join([detail, *report.warnings])
    return main, detail


def verify_trail(window: QWidget, context: ShellContext) -> QProgressDialog:
    """Check the whole trail in the background with progress and Cancel; say the outcome."""
    progress = QProgressDialog("Checking the audit trail…", "Cancel", 0, 1000, window)
    progress.setWindowTitle("Verify the audit trail")
    progress.setAccessibleName("Checking the audit trail")
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.setValue(0)
    db = context.db

    def on_progress(fraction: float, message: str) -> None:
        progress.setValue(int(fraction * 1000))
        if message:
            progress.setLabelText(message)

    def done(report: TrailReport) -> None:
        progress.close()
        main, detail = report_words(report)
        box = QMessageBox(window)
        box.setObjectName("trailVerdict")
        box.setIcon(QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Critical)
        box.setWindowTitle("Verify the audit trail")
        box.setText(main)
        box.setInformativeText(detail)
        box.setAccessibleName(main)
        box.setAccessibleDescription(detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.trail_verdict = box  # type: ignore[attr-defined]
        box.open()

    def failed(exc: BaseException) -> None:
        progress.close()
        if not isinstance(exc, trail.TrailCancelled) and context.runner.error_handler:
            context.runner.error_handler(exc, "Checking the audit trail")

    handle = context.runner.run_long(
        lambda report, cancel: trail.verify(db, progress=report, cancel=cancel),
        on_progress,
        done,
        failed,
        label="Checking the audit trail",
        owner=window,
    )
    progress.canceled.connect(handle.cancel)
    return progress
