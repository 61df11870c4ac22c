"""The "Import a case list" wizard: pick a file, check its columns, validate, import, summary.

Four pages, each calling the import services through the one runner: the file page reads the
file (``read_table``) and shows any problem — an empty file, one that is not a spreadsheet — in
words on the page, with nothing imported; the columns page shows each column of the file with
the field it was recognised as (``detect_mapping``), editable in a combo box, and can save the
choices as a named mapping profile for next month's file; the check page lists every rejected
row (row, field, reason) from ``validate``; the import page runs ``apply_import`` as a long
operation with a progress bar and Cancel, then shows how many files were added, updated,
unchanged and rejected. The first two pages are in ``import_pages``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..services import importer
from ..services.importer import ColumnMapping
from ..services.users import UserInfo
from .context import ShellContext
from .errors import show_problem
from .import_pages import IGNORED, FilePage, MappingPage
from .rounds_model import RejectedRowsTableModel
from .runner import TaskHandle
from .widgets import ReadOnlyTable, paragraph, problem_label

__all__ = ["IGNORED", "CheckPage", "FilePage", "ImportPage", "ImportWizard", "MappingPage"]
IMPORTED = frozenset({"case_file", "child", "team", "worker", "pathway_event", "import_run"})


class CheckPage(QWizardPage):
    """What validation found: how many rows can go in, and each rejected row with its reason."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Check the rows")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.counts = paragraph("", self)
        self.counts.setAccessibleName("Rows checked")
        self.model = RejectedRowsTableModel(self)
        self.table = ReadOnlyTable("Rejected rows", "Each rejected row: row, field, reason", self)
        self.table.setModel(self.model)
        self.table.size_columns([6, 18, 60])
        self.strict = QCheckBox("Import &nothing if any row has a problem (strict)", self)
        self.strict.setAccessibleName("Import nothing if any row has a problem")
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.strict)

    def initializePage(self) -> None:  # noqa: N802
        report = self._wizard.report
        assert report is not None
        self.model.set_rows(report.problems)
        valid = len(report.valid_rows)
        text = (
            f"{report.rows_read} rows read from {report.file_name} "
            f"({report.list_kind.label}): {valid} can be imported, "
            f"{report.rejected} will be rejected."
        )
        if report.problems:
            text += " The rejected rows are listed below with the reason; they are left out."
        else:
            text += " ✓ No row has a problem."
        self.counts.setText(text)
        self.table.setVisible(bool(report.problems))
        self.strict.setVisible(bool(report.problems))


class ImportPage(QWizardPage):
    """The import itself, with a progress bar and Cancel, then the summary."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Import")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, 1000)
        self.message = QLabel(self)
        self.cancel_button = QPushButton("&Cancel the import", self)
        self.cancel_button.setAccessibleName("Cancel the import")
        self.cancel_button.clicked.connect(self.cancel)
        self.summary_label = paragraph("", self)
        self.summary_label.setAccessibleName("Import summary")
        self.problem = problem_label(self)
        self.handle: TaskHandle | None = None
        self.done = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self._wizard
        report = wizard.report
        assert report is not None
        strict = wizard.check_page.strict.isChecked()
        self.done = False
        self.cancel_button.setEnabled(True)
        self.handle = wizard.context.runner.run_long(
            lambda progress, cancel: importer.apply_import(
                wizard.context.db,
                wizard.actor,
                report,
                strict=strict,
                progress=progress,
                cancel=cancel,
            ),
            self._progressed,
            self._finished,
            self._failed,
            label="Importing the case list",
            changes=lambda summary: IMPORTED if summary.committed else None,
            owner=self,
        )

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            self.message.setText(message)

    def cancel(self) -> None:
        if self.handle is not None and not self.handle.finished:
            self.handle.cancel()
            self.message.setText("Cancelling…")

    @property
    def running(self) -> bool:
        return self.handle is not None and not self.handle.finished

    def _finished(self, summary: importer.ImportSummary) -> None:
        self._wizard.summary = summary
        self.progress.setValue(1000)
        self.message.setText("✓ Imported")
        self.summary_label.setText(
            f"{summary.file_name}: {summary.added} added, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.rejected} rejected."
            + (
                f" {summary.teams_created} teams and {summary.workers_created} workers were "
                "new and have been added."
                if summary.teams_created or summary.workers_created
                else ""
            )
        )
        self._end()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, importer.ImportCancelled):
            self.message.setText("Import cancelled: nothing was imported.")
        else:
            self.message.setText("Nothing was imported.")
            show_problem(self.problem, exc, "Importing the case list", most=5)
        self._end()

    def _end(self) -> None:
        self.done = True
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.done


class ImportWizard(QWizard):
    """The import wizard; ``summary`` holds the result once the import has finished."""

    def __init__(
        self,
        context: ShellContext,
        parent: QWidget | None = None,
        *,
        actor: UserInfo | None = None,
        path: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("Import a case list")
        self.setAccessibleName("Import a case list")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.context = context
        self.actor = actor if actor is not None else context.user
        self.raw: importer.RawTable | None = None
        self.mapping: ColumnMapping | None = None
        self.report: importer.ValidationReport | None = None
        self.summary: importer.ImportSummary | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page, self.import_page):
            self.addPage(page)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton):
            button = self.button(which)
            button.setAccessibleName(button.text().replace("&", "").strip("<> "))
        self.button(QWizard.WizardButton.CancelButton).setAccessibleName("Close the wizard")
        self.button(QWizard.WizardButton.FinishButton).setAccessibleName("Finish")
        self.button(QWizard.WizardButton.CommitButton).setAccessibleName("Import")
        unit = self.fontMetrics().averageCharWidth()
        self.resize(100 * unit, 34 * self.fontMetrics().height())
        if path is not None:
            self.file_page.path_edit.setText(str(path))

    def reject(self) -> None:
        if self.import_page.running:  # Cancel during the import cancels the import first
            self.import_page.cancel()
            return
        super().reject()
