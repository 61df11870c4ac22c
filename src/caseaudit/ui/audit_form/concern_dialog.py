""" "Child may be at risk now": recording a safeguarding concern, and its acknowledgement.

``ConcernDialog`` is marked as what it is, in words and with a warning icon as well as red (never
colour alone): it asks what was read on the file that means the child may be at risk now, and
which team or service manager must act today. Recording it (``services.escalation``) stamps the
time, creates an immediate action for that manager and blocks sign-off until the manager's
acknowledgement is recorded, which ``AcknowledgeDialog`` does: how the manager received it and
what they are doing ("Phoned TM 14:20, visit arranged today"). Both work through the runner and
keep what was typed if something goes wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ...errors import CaseAuditError
from ...services.actions import owners
from ...services.escalation import ConcernRow, acknowledge_concern, raise_concern
from ...vocabulary import WorkerRole
from ..context import ShellContext
from ..formatting import format_date, format_time

TITLE = "Child may be at risk now"
EXPLAIN = (
    "Use this when something on the file means the child may not be safe now. The concern is "
    "recorded with the time, an immediate action goes to the manager you name, and the audit "
    "cannot be signed off until their acknowledgement is recorded. Also follow your local "
    "safeguarding procedures: phone the manager now."
)
MANAGER_LABELS = (WorkerRole.TEAM_MANAGER.label, WorkerRole.SERVICE_MANAGER.label)
CONCERN_CHANGES = frozenset({"audit", "action", "finding"})


def warning_banner(text: str, parent: QWidget) -> QWidget:
    """A red strip with a warning icon and bold words: it never relies on the colour."""
    banner = QWidget(parent)
    banner.setObjectName("riskBanner")
    banner.setAutoFillBackground(True)
    banner.setStyleSheet(
        "QWidget#riskBanner { background: #b00020; border-radius: 4px; }"
        " QWidget#riskBanner QLabel { color: white; font-weight: bold; }"
    )
    icon = QLabel(banner)
    size = banner.fontMetrics().height() * 2
    icon.setPixmap(
        banner.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
    )
    icon.setAccessibleName("Warning")
    words = QLabel(f"⚠ {text}", banner)
    words.setAccessibleName(text)
    row = QHBoxLayout(banner)
    row.addWidget(icon)
    row.addWidget(words, 1)
    return banner


def _fail(context: ShellContext, problem: QLabel, exc: BaseException, doing: str) -> None:
    if isinstance(exc, CaseAuditError):
        problems = getattr(exc, "problems", None) or []
        text = " ".join([exc.message, *problems])
        problem.setText(f"⚠ {text}")
        problem.setAccessibleDescription(text)
        problem.show()
        return
    handler = context.runner.error_handler
    if handler is not None:
        handler(exc, doing)


class ConcernDialog(QDialog):
    """Record a safeguarding concern with an immediate action for a named manager."""

    recorded = Signal(object)

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("concernDialog")
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self._context = context
        self.audit_id = audit_id
        self._busy = False
        self.banner = warning_banner(TITLE, self)
        explain = QLabel(EXPLAIN, self)
        explain.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("concernText")
        self.text.setAccessibleName("What you read that means the child may be at risk now")
        self.text.setTabChangesFocus(True)
        self.manager = QComboBox(self)
        self.manager.setObjectName("concernManager")
        self.manager.setAccessibleName("Manager who must act now")
        self.manager.view().setAccessibleName("Manager who must act now: choices")
        self.manager.addItem("Loading…", -1)  # never None as item data (see answer_controls)
        self.problem = QLabel("", self)
        self.problem.setObjectName("concernProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.record_button = self.buttons.addButton(
            "&Record the concern", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("recordConcernButton")
        self.record_button.setAccessibleName("Record the safeguarding concern")
        self.record_button.setDefault(True)
        form = QFormLayout()
        what = QLabel("&What did you read?", self)
        what.setBuddy(self.text)
        form.addRow(what, self.text)
        who = QLabel("&Manager who must act now:", self)
        who.setBuddy(self.manager)
        form.addRow(who, self.manager)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.save)
        self.text.setFocus()

    def load(self) -> None:
        db = self._context.db
        self._context.runner.run(
            lambda: owners(db),
            self._managers_loaded,
            lambda exc: _fail(self._context, self.problem, exc, "Reading the managers"),
            label="Reading the managers",
            owner=self,
        )

    def _managers_loaded(self, rows: list[tuple[int, str, str]]) -> None:
        self.manager.clear()
        self.manager.addItem("Choose the manager…", -1)
        for worker_id, name, role in rows:
            if role.split(",")[0].strip() in MANAGER_LABELS:
                self.manager.addItem(f"{name} — {role}", worker_id)

    def save(self) -> None:
        if self._busy:
            return
        text = self.text.toPlainText().strip()
        manager = int(self.manager.currentData())
        if not text or manager < 0:
            self.problem.setText("⚠ Say what you read, and choose the manager who must act now.")
            self.problem.show()
            (self.text if not text else self.manager).setFocus()
            return
        db, user, audit_id = self._context.db, self._context.user, self.audit_id
        self._busy = True
        self.record_button.setEnabled(False)
        self._context.runner.run(
            lambda: raise_concern(db, user, audit_id, text, manager),
            self._recorded,
            self._failed,
            label="Recording the safeguarding concern",
            changes=CONCERN_CHANGES,
            owner=self,
        )

    def _recorded(self, row: ConcernRow) -> None:
        self._busy = False
        self.recorded.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.record_button.setEnabled(True)
        _fail(self._context, self.problem, exc, "Recording the safeguarding concern")


class AcknowledgeDialog(QDialog):
    """Record that the named manager received the concern, and what they are doing."""

    recorded = Signal(object)

    def __init__(
        self, context: ShellContext, concern: ConcernRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("acknowledgeDialog")
        self.setWindowTitle("Record the manager's acknowledgement")
        self.setAccessibleName("Record the manager's acknowledgement")
        self._context = context
        self.concern = concern
        raised = f"{format_date(concern.raised_at)} at {format_time(concern.raised_at)}"
        summary = QLabel(
            f"Safeguarding concern raised {raised} by {concern.raised_by or 'the auditor'}, "
            f"for {concern.manager_name or 'the named manager'}:\n{concern.text}",
            self,
        )
        summary.setWordWrap(True)
        summary.setObjectName("concernSummary")
        self.note = QLineEdit(self)
        self.note.setObjectName("acknowledgementNote")
        self.note.setAccessibleName("How the manager received the concern and what they are doing")
        self.note.setPlaceholderText("For example: Phoned TM 14:20, visit arranged today")
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.record_button = self.buttons.addButton(
            "&Record acknowledgement", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("recordAcknowledgementButton")
        self.record_button.setDefault(True)
        form = QFormLayout()
        label = QLabel("&Acknowledgement:", self)
        label.setBuddy(self.note)
        form.addRow(label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(warning_banner("Safeguarding concern awaiting acknowledgement", self))
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.note.setFocus()

    def save(self) -> None:
        note = self.note.text().strip()
        if not note:
            self.problem.setText("⚠ Say how the manager received it and what they are doing.")
            self.problem.show()
            return
        db, user, finding_id = self._context.db, self._context.user, self.concern.finding_id
        self.record_button.setEnabled(False)
        self._context.runner.run(
            lambda: acknowledge_concern(db, user, finding_id, note),
            self._recorded,
            self._failed,
            label="Recording the acknowledgement",
            changes=CONCERN_CHANGES,
            owner=self,
        )

    def _recorded(self, row: ConcernRow) -> None:
        self.recorded.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.record_button.setEnabled(True)
        _fail(self._context, self.problem, exc, "Recording the acknowledgement")
