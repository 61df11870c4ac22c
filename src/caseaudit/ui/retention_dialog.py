"""File → Retention of identifiable data: preview, then purge, for administrators.

The dialog asks how many years after closure identifying details are kept (the council's
setting, if one is saved), previews in the runner what a purge would blank (counts only, never
a name), and purges only after a second confirmation, in the background with progress and
Cancel. The purge refuses if the records changed since the preview; a cancelled purge changes
nothing. The services check the administrator's role, so the dialog shows their refusal as it
would any error.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..services import retention
from ..services.retention import PurgePreview, PurgeResult
from .context import ShellContext
from .widgets import heading, paragraph

DEFAULT_YEARS = 7


def preview_words(preview: PurgePreview) -> str:
    if preview.children == 0:
        return (
            f"No child's identifying details are due for purging: no child has had every case "
            f"file closed since {preview.cutoff:%d %B %Y} or earlier."
        )
    free_text = (
        f", and takes those details out of the free text of their {preview.audits:,} audits"
        if preview.audits
        else ""
    )
    return (
        f"{preview.children:,} children have had every case file closed since "
        f"{preview.cutoff:%d %B %Y} or earlier. A purge blanks their names, dates of birth, "
        f"addresses and postcodes and {preview.related_people:,} related people's names"
        f"{free_text}. Their case keys, audits, grades and findings stay, so reports still "
        "work. This cannot be undone."
    )


class RetentionDialog(QDialog):
    """Preview and purge the identities of long-closed cases."""

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retentionDialog")
        self.setWindowTitle("Retention of identifiable data — caseaudit")
        self.setAccessibleName("Retention of identifiable data")
        self.context = context
        self.preview: PurgePreview | None = None
        self.result: PurgeResult | None = None
        self.progress: QProgressDialog | None = None
        self.years = QSpinBox(self)
        self.years.setRange(retention.MIN_YEARS, 100)
        self.years.setValue(DEFAULT_YEARS)
        self.years.setSuffix(" years after the last case file closed")
        self.years.setAccessibleName("Keep identifying details for")
        self.years.valueChanged.connect(self._forget_preview)
        self.remember = QCheckBox("Save as the council's retention period", self)
        self.remember.setAccessibleName("Save as the council's retention period")
        self.summary = paragraph("Choose the period, then Preview.", self)
        self.summary.setObjectName("retentionSummary")
        self.summary.setAccessibleName("What a purge would do")
        self.preview_button = QPushButton("&Preview", self)
        self.preview_button.setAccessibleName("Preview the purge")
        self.preview_button.clicked.connect(self.run_preview)
        self.purge_button = QPushButton("P&urge…", self)
        self.purge_button.setAccessibleName("Purge identifying details")
        self.purge_button.setEnabled(False)
        self.purge_button.clicked.connect(self.confirm_purge)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.purge_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Keep for:", self.years)
        form.addRow("", self.remember)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Retention of identifiable data", self, scale=1.2))
        layout.addWidget(
            paragraph(
                "Children's identifying details are kept only while they are needed. Every purge "
                "is previewed first and recorded on the audit trail (counts, never names).",
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        self._load_setting()

    def _load_setting(self) -> None:
        db = self.context.db
        self.context.runner.run(
            lambda: retention.retention_years(db) or 0,
            lambda years: years and self.years.setValue(years),
            label="Reading the retention period",
            owner=self,
        )

    def _forget_preview(self) -> None:
        self.preview = None
        self.purge_button.setEnabled(False)
        self.summary.setText("Choose the period, then Preview.")

    def run_preview(self) -> None:
        db, user, years = self.context.db, self.context.user, self.years.value()
        remember = self.remember.isChecked()

        def work() -> PurgePreview:
            if remember:
                retention.set_retention_years(db, user, years)
            return retention.preview_purge(db, user, years)

        def failed(exc: BaseException) -> None:
            self.preview_button.setEnabled(True)
            if self.context.runner.error_handler is not None:
                self.context.runner.error_handler(exc, "Previewing the purge")

        self.preview_button.setEnabled(False)
        self.context.runner.run(
            work,
            self._show_preview,
            failed,
            label="Previewing the purge",
            changes="settings" if remember else None,
            owner=self,
        )

    def _show_preview(self, preview: PurgePreview) -> None:
        self.preview = preview
        self.preview_button.setEnabled(True)
        words = preview_words(preview)
        self._say(words)
        self.purge_button.setEnabled(preview.children > 0)

    def _say(self, words: str) -> None:
        self.summary.setText(words)
        self.summary.setAccessibleDescription(words)
        self.adjustSize()  # a wrapped label needs the dialog to grow to show every line

    def confirm_purge(self) -> None:
        if self.preview is None:
            return
        answer = QMessageBox.warning(
            self,
            "Purge identifying details",
            f"Blank the identifying details of {self.preview.children:,} children for good?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.run_purge()

    def run_purge(self) -> None:
        """Purge what the preview showed, in the background, with progress and Cancel."""
        assert self.preview is not None
        db, user, expected = self.context.db, self.context.user, self.preview
        progress = QProgressDialog("Purging identifying details…", "Cancel", 0, 1000, self)
        progress.setWindowTitle("Purge identifying details")
        progress.setAccessibleName("Purging identifying details")
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.progress = progress

        def work(report, cancel: threading.Event) -> PurgeResult:  # noqa: ANN001
            return retention.purge(
                db, user, expected.years, expected=expected, progress=report, cancel=cancel
            )

        handle = self.context.runner.run_long(
            work,
            lambda fraction, _message: progress.setValue(int(fraction * 1000)),
            self._purged,
            self._purge_failed,
            label="Purging identifying details",
            changes=frozenset({"case", "audit"}),
            owner=self,
        )
        progress.canceled.connect(handle.cancel)
        self.purge_button.setEnabled(False)

    def _purged(self, result: PurgeResult) -> None:
        if self.progress is not None:
            self.progress.close()
        self.result = result
        words = (
            f"Purged the identifying details of {result.preview.children:,} children and "
            f"{result.preview.related_people:,} related people, and redacted "
            f"{result.redacted_fields:,} free-text entries in their audits. The audit trail "
            f"records this as entry {result.trail_entry_id}."
        )
        self._say(words)
        self.preview = None

    def _purge_failed(self, exc: BaseException) -> None:
        if self.progress is not None:
            self.progress.close()
        self.purge_button.setEnabled(self.preview is not None)
        if isinstance(exc, retention.PurgeCancelled):
            self._say("The purge was cancelled; nothing was purged.")
        elif self.context.runner.error_handler is not None:
            self.context.runner.error_handler(exc, "Purging identifying details")


def show_retention(window: QWidget, context: ShellContext) -> RetentionDialog:
    dialog = RetentionDialog(context, window)
    dialog.open()
    return dialog
