"""The Reports area: choose a round or an audit, the version and the signature, then export.

The user picks a round's summary pack or one audit's PDF, the pseudonymised version (the
default) or — only for roles that may see children's names — the named internal version,
marked OFFICIAL-SENSITIVE with a warning, and whether to sign it with their signing identity
(their password unlocks it). "Export PDF…", "Export CSV…" and "Export XLSX…" ask where to save
with the system's dialog, then run ``services.reporting`` through the runner with a progress bar
and Cancel; a cancelled report leaves no file. After a PDF is built its first page is previewed
(via ``pdftoppm`` when present; QtPdf is not shipped) with "Open the PDF" beside it. "Verify a
PDF…" shows who signed a PDF, when, and whether it is intact and trusted, in words.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..reports import ReportCancelled
from ..services import reporting
from ..services.audit_queue import QueueRow, my_queue
from ..services.permissions import Permission, allowed
from ..services.rounds_core import RoundSummary, list_rounds
from ..vocabulary import AuditStatus
from .context import ShellContext
from .deferred import DeferredReload
from .runner import TaskHandle, touches
from .verify_dialog import verify_pdf_file
from .widgets import heading, paragraph

SENSITIVE_WARNING = (
    "OFFICIAL-SENSITIVE: the named internal version shows children's names. Every page is "
    "marked OFFICIAL-SENSITIVE. Keep it inside the organisation: never send it to a QA group, "
    "partnership or board, and delete it when it is no longer needed."
)
PSEUDONYMISED_NOTE = (
    "Children appear only by case key; names the database knows are removed from evidence "
    "quotes and rationales."
)
PasswordAsk = Callable[[], str | None]


def render_first_page(pdf: Path, width_px: int = 520) -> Path | None:
    """The first page of ``pdf`` as a PNG made by ``pdftoppm``, or None when it is not present."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    out = Path(tempfile.mkdtemp(prefix="caseaudit-preview-")) / "page"
    try:
        subprocess.run(
            [tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(width_px),
             str(pdf), str(out)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    png = out.with_suffix(".png")
    return png if png.exists() else None


class ReportsView(QWidget):
    """Choose, export, preview and verify reports."""

    finished = Signal(object)

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsView")
        self.title = "Reports"
        self.context = context
        self.rounds: list[RoundSummary] = []
        self.signed_audits: list[QueueRow] = []
        self.task: TaskHandle | None = None
        self.last_path: Path | None = None
        self.last_result: object = None
        #: Asks for the user's password to unlock their signing identity (tests replace it).
        self.ask_password: PasswordAsk = self._ask_password
        #: Asks where to save (kind → path, or None); tests replace it.
        self.ask_target: Callable[[str], str | None] = self._ask_target

        self.heading = heading("Reports", self)
        # -- what --
        what = QGroupBox("What to report", self)
        self.pack_choice = QRadioButton("A round's &summary pack", what)
        self.pack_choice.setAccessibleName("A round's summary pack")
        self.audit_choice = QRadioButton("One &audit's report", what)
        self.audit_choice.setAccessibleName("One audit's report")
        self.pack_choice.setChecked(True)
        self._kind_group = QButtonGroup(self)
        for button in (self.pack_choice, self.audit_choice):
            self._kind_group.addButton(button)
        self.round_box = QComboBox(what)
        self.round_box.setObjectName("reportRound")
        self.round_box.setAccessibleName("Audit round")
        self.audit_box = QComboBox(what)
        self.audit_box.setObjectName("reportAudit")
        self.audit_box.setAccessibleName("Signed audit of the round")
        self.round_box.view().setAccessibleName("Audit rounds")
        self.audit_box.view().setAccessibleName("Signed audits")
        what_form = QFormLayout(what)
        kinds = QHBoxLayout()
        kinds.addWidget(self.pack_choice)
        kinds.addWidget(self.audit_choice)
        kinds.addStretch(1)
        what_form.addRow(kinds)
        what_form.addRow("&Round:", self.round_box)
        what_form.addRow("Au&dit:", self.audit_box)
        # -- version and signature --
        version = QGroupBox("Version and signature", self)
        self.pseudonymised = QRadioButton("&Pseudonymised (for QA groups and boards)", version)
        self.pseudonymised.setAccessibleName("Pseudonymised version")
        self.pseudonymised.setChecked(True)
        self.named = QRadioButton("&Named internal version (OFFICIAL-SENSITIVE)", version)
        self.named.setAccessibleName("Named internal version, OFFICIAL-SENSITIVE")
        self._version_group = QButtonGroup(self)
        self._version_group.addButton(self.pseudonymised)
        self._version_group.addButton(self.named)
        self.version_note = paragraph(PSEUDONYMISED_NOTE, version)
        self.warning = paragraph(SENSITIVE_WARNING, version)
        self.warning.setObjectName("officialSensitiveWarning")
        self.warning.setAccessibleName("OFFICIAL-SENSITIVE warning")
        self.warning.setStyleSheet(
            "QLabel#officialSensitiveWarning { font-weight: bold; border: 2px solid palette(text);"
            " padding: 6px; }"
        )
        self.warning.hide()
        self.sign = QCheckBox("Si&gn the PDF with my signing identity", version)
        self.sign.setAccessibleName("Sign the PDF with my signing identity")
        self.sign.setChecked(True)
        self.identity_note = paragraph("", version)
        self.identity_note.setAccessibleName("Your signing identity")
        self.version_note.setAccessibleName("What pseudonymised means")
        version_layout = QVBoxLayout(version)
        for widget in (self.pseudonymised, self.named, self.version_note, self.warning,
                       self.sign, self.identity_note):  # fmt: skip
            version_layout.addWidget(widget)
        # -- commands --
        self.export_pdf = self._button("Export &PDF…", "Build the PDF and choose where to save it")
        self.export_csv = self._button("Export &CSV…", "The round's tables as CSV files")
        self.export_xlsx = self._button("Export &XLSX…", "The round's tables as one workbook")
        self.verify_button = self._button("&Verify a PDF…", "Check a signed PDF's signature")
        self.export_pdf.clicked.connect(lambda: self.export("pdf"))
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.export_xlsx.clicked.connect(lambda: self.export("xlsx"))
        self.verify_button.clicked.connect(lambda: verify_pdf_file(self, self.context))
        commands = QHBoxLayout()
        for button in (self.export_pdf, self.export_csv, self.export_xlsx):
            commands.addWidget(button)
        commands.addStretch(1)
        commands.addWidget(self.verify_button)
        # -- progress --
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Report progress")
        self.progress.setRange(0, 1000)
        self.cancel_button = self._button("Cancel", "Stop; no file is written")
        self.cancel_button.clicked.connect(self.cancel)
        self.status = paragraph("", self)
        self.status.setObjectName("reportStatus")
        self.status.setAccessibleName("Report status")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        # -- preview --
        self.preview = QLabel("The first page of the PDF appears here once it is built.", self)
        self.preview.setObjectName("reportPreview")
        self.preview.setAccessibleName("Preview of the first page")
        self.preview.setWordWrap(True)
        scroll = QScrollArea(self)
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Preview")
        self.open_button = self._button("&Open the PDF", "Open it in the system's PDF reader")
        self.open_button.clicked.connect(self.open_last)
        self.open_button.setEnabled(False)

        left = QVBoxLayout()
        left.addWidget(what)
        left.addWidget(version)
        left.addLayout(commands)
        left.addLayout(progress_row)
        left.addWidget(self.status)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addWidget(self.open_button)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)

        self.named.toggled.connect(self._update)
        self.pack_choice.toggled.connect(self._update)
        self.round_box.currentIndexChanged.connect(self._fill_audits)
        self.deferred = DeferredReload(self, self.reload)  # hidden: reload when shown again
        context.runner.data_changed.connect(self._on_data_changed)
        self._set_running(False)
        self.reload()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(tip)
        button.setAccessibleDescription(tip)
        return button

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self.deferred.cancel()
        db, actor = self.context.db, self.context.user
        if actor is None:
            self._loaded(([], []))
            return
        self.context.runner.run(
            lambda: (list_rounds(db, actor), my_queue(db, actor, everyone=True,
                                                       include_closed_rounds=True)),
            self._loaded,
            label="Reading rounds",
            owner=self,
        )  # fmt: skip

    def _loaded(self, result: tuple[list[RoundSummary], list[QueueRow]]) -> None:
        rounds, queue = result
        chosen = self.round_box.currentData()
        self.rounds = rounds
        self.signed_audits = [row for row in queue if row.status == AuditStatus.SIGNED]
        self.round_box.blockSignals(True)
        self.round_box.clear()
        for summary in rounds:
            self.round_box.addItem(f"{summary.name} ({summary.period_label})", summary.id)
        index = self.round_box.findData(chosen)
        self.round_box.setCurrentIndex(index if index >= 0 else 0)
        self.round_box.blockSignals(False)
        self._fill_audits()

    def _fill_audits(self) -> None:
        summary = self.current_round()
        self.audit_box.clear()
        for row in self.signed_audits:
            if summary is not None and row.round_name == summary.name:
                self.audit_box.addItem(f"{row.case_key} — {row.pathway_label}", row.audit_id)
        self._update()

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if "session" in changes:
            self.reload()  # someone signed in or out: nothing of the last user's stays
        elif touches(changes, "audit", "round", "audit_round", "sign_off"):
            self.deferred.request()  # not on every autosave while another area is open

    def current_round(self) -> RoundSummary | None:
        index = self.round_box.currentIndex()
        return self.rounds[index] if 0 <= index < len(self.rounds) else None

    # -- state ----------------------------------------------------------------------------
    @property
    def may_name(self) -> bool:
        return allowed(self.context.user, Permission.VIEW_IDENTIFYING_DATA)

    def _update(self) -> None:
        user = self.context.user
        can_report = allowed(user, Permission.PRODUCE_REPORTS)
        self.named.setVisible(self.may_name)
        if not self.may_name:
            self.pseudonymised.setChecked(True)
        self.warning.setVisible(self.named.isChecked())
        audit_mode = self.audit_choice.isChecked()
        self.audit_box.setEnabled(audit_mode)
        has_target = (
            self.audit_box.currentIndex() >= 0 if audit_mode else self.current_round() is not None
        )
        running = self.task is not None
        self.export_pdf.setEnabled(can_report and has_target and not running)
        for button in (self.export_csv, self.export_xlsx):
            button.setEnabled(can_report and not audit_mode and has_target and not running)
        if user is None:
            self.status.setText("Sign in to produce reports.")
        elif not can_report:
            self.status.setText(f"{user.role.label}s may not produce reports.")
        elif not self.rounds and not running:
            self.status.setText("There are no audit rounds yet: reports come from rounds.")
        info = (
            reporting.signing_identity_info(user, data_dir=self.context.data_dir) if user else None
        )
        self.identity_note.setText(
            f"Your identity: {info.signer_name}, valid until {info.valid_until:%d %B %Y}."
            if info
            else "You have no signing identity yet: one is made for you the first time you sign."
        )

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)
        self._update()

    # -- exporting ------------------------------------------------------------------------
    def _ask_target(self, kind: str) -> str | None:
        summary = self.current_round()
        stem = (summary.name if summary else "report").replace("/", "-")
        if kind == "csv":
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the CSV files")
            return chosen or None
        if kind == "pdf" and self.audit_choice.isChecked():
            stem = f"audit-{self.audit_box.currentData()}"
        suffix = "-named" if self.named.isChecked() else ""
        filters = {"pdf": "PDF documents (*.pdf)", "xlsx": "Excel workbooks (*.xlsx)"}
        chosen, _filter = QFileDialog.getSaveFileName(
            self, f"Export {kind.upper()}", f"{stem}{suffix}.{kind}", filters[kind]
        )
        if chosen and not chosen.lower().endswith(f".{kind}"):
            chosen += f".{kind}"
        return chosen or None

    def _ask_password(self) -> str | None:
        password, ok = QInputDialog.getText(
            self,
            "Sign the report",
            "Your password unlocks your signing identity:",
            QLineEdit.EchoMode.Password,
        )
        return password if ok and password else None

    def export(self, kind: str) -> TaskHandle | None:
        """Ask where, then build the PDF or export the spreadsheets in the runner."""
        user, summary = self.context.user, self.current_round()
        if user is None or summary is None or self.task is not None:
            return None
        target = self.ask_target(kind)
        if not target:
            return None
        password = None
        if kind == "pdf" and self.sign.isChecked():
            password = self.ask_password()
            if password is None:
                self.status.setText("Not exported: signing needs your password.")
                return None
        db, data_dir, named = self.context.db, self.context.data_dir, self.named.isChecked()
        audit_id = self.audit_box.currentData() if self.audit_choice.isChecked() else None
        round_id = summary.id

        def op(progress: Callable[[float, str], None], cancel: object) -> object:
            if kind != "pdf":
                return reporting.export_round(
                    db, user, round_id, kind, target, named=named, progress=progress,
                    cancel=cancel,  # type: ignore[arg-type]
                )  # fmt: skip
            identity = None
            if password is not None:
                progress(0.01, "Unlocking your signing identity")
                identity = reporting.signing_identity(db, user, password, data_dir=data_dir)
            build = reporting.build_round_pack if audit_id is None else reporting.build_audit_report
            result = build(
                db, user, audit_id if audit_id is not None else round_id, target, named=named,
                sign_with=identity, progress=progress, cancel=cancel,  # type: ignore[arg-type]
            )  # fmt: skip
            return result, render_first_page(result.path)

        self.status.setText("Starting…")
        self.task = self.context.runner.run_long(
            op, self._progressed, self._done, self._failed,
            label="Producing the report", changes="report", owner=self,
        )  # fmt: skip
        if self.task.finished:  # a synchronous runner has already delivered
            self.task = None
        self._set_running(self.task is not None)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.status.setText(f"{message}…" if fraction < 1 else message)

    def _done(self, outcome: object) -> None:
        self.task = None
        self._set_running(False)
        if isinstance(outcome, tuple):
            result, png = outcome
            self.last_result, self.last_path = result, result.path
            signed = f", signed by {result.signer}" if result.signed else ", not signed"
            version = "named internal version" if result.named else "pseudonymised"
            self.status.setText(f"Saved {result.path.name} ({version}{signed}).")
            self._show_preview(png)
        else:
            self.last_result = outcome
            tables = ", ".join(f"{count:,} {name}" for name, count in outcome.rows.items())
            where = outcome.paths[0].parent if len(outcome.paths) > 1 else outcome.paths[0]
            self.status.setText(f"Exported {tables} to {where}.")
        self.finished.emit(self.last_result)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._set_running(False)
        if isinstance(exc, ReportCancelled):
            self.status.setText(exc.message)
            return
        self.status.setText("The report was not made.")
        handler = self.context.runner.error_handler
        if handler is not None:
            handler(exc, "Producing the report")

    def _show_preview(self, png: Path | None) -> None:
        self.open_button.setEnabled(self.last_path is not None)
        pixmap = QPixmap(str(png)) if png is not None else QPixmap()
        if pixmap.isNull():
            self.preview.setPixmap(QPixmap())
            self.preview.setText("No preview here: choose “Open the PDF” to read it.")
            return
        self.preview.setPixmap(pixmap)
        self.preview.setAccessibleDescription(f"First page of {self.last_path.name}")

    def open_last(self) -> None:
        if self.last_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_path)))

    def focus_search(self) -> bool:
        return False
