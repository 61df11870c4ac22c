"""The first two pages of the import wizard: choosing the file, and checking its columns.

``FilePage`` reads the chosen file (``importer.read_table``) through the runner and shows any
problem — an empty file, one that is not a spreadsheet — in words on the page, with nothing
imported. ``MappingPage`` shows each column of the file with the field it was recognised as
(``importer.detect_mapping``), editable in a combo box; identifying columns show no example
values; the choices can be saved as a named mapping profile for next month's file. Both pages
keep what they found on the wizard (``raw``, ``mapping``, ``report``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from ..services import importer
from ..services.importer import FIELDS, KIND_FIELDS, ListKind
from .errors import show_problem
from .widgets import add_layout_row, paragraph, problem_label

if TYPE_CHECKING:
    from .import_wizard import ImportWizard

FILES = "Case lists (*.csv *.xlsx *.txt);;All files (*)"
IGNORED = "Not imported"


class FilePage(QWizardPage):
    """Choose the file (and, optionally, which list it is and a saved mapping profile)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Choose the case list")
        self.setSubTitle(
            "A CSV or Excel (.xlsx) file exported from the case-management system. Nothing is "
            "imported until the last step."
        )
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("Case list file")
        self.path_edit.setPlaceholderText("The file to import")
        self.path_edit.textChanged.connect(self._path_changed)
        self.browse = QPushButton("&Browse…", self)
        self.browse.setAccessibleName("Browse for the case list file")
        self.browse.clicked.connect(self._browse)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Which list this is")
        self.kind_combo.addItem("Work it out from the file", None)
        for kind in ListKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.profile_combo = QComboBox(self)
        self.profile_combo.setAccessibleName("Saved mapping profile")
        self.profile_combo.addItem("None: recognise the columns by their names", None)
        self.problem = problem_label(self)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        add_layout_row(form, "&File:", row, self.path_edit)
        form.addRow("&List:", self.kind_combo)
        form.addRow("&Mapping profile:", self.profile_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self._profiles: dict[str, importer.MappingProfile] = {}

    def initializePage(self) -> None:  # noqa: N802
        db = self._wizard.context.db
        self._wizard.context.runner.run(
            lambda: importer.list_mapping_profiles(db),
            self._profiles_loaded,
            label="Reading mapping profiles",
            owner=self,
        )

    def _profiles_loaded(self, profiles: list[importer.MappingProfile]) -> None:
        self._profiles = {p.name: p for p in profiles}
        for profile in profiles:
            self.profile_combo.addItem(f"{profile.name} ({profile.list_kind.label})", profile.name)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a case list", "", FILES)
        if path:
            self.path_edit.setText(path)

    def _path_changed(self) -> None:
        self.problem.hide()
        self._wizard.raw = None
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path_edit.text().strip())

    def profile(self) -> importer.MappingProfile | None:
        return self._profiles.get(self.profile_combo.currentData() or "")

    def validatePage(self) -> bool:  # noqa: N802
        wizard = self._wizard
        path = Path(self.path_edit.text().strip())
        if wizard.raw is not None and wizard.raw.path == path:
            return True
        self.problem.hide()
        wizard.context.runner.run(
            lambda: importer.read_table(path),
            self._read,
            lambda exc: show_problem(self.problem, exc, "Reading the case list", most=5),
            label="Reading the case list",
            owner=self,
        )
        return False

    def _read(self, raw: importer.RawTable) -> None:
        self._wizard.raw = raw
        QTimer.singleShot(0, self._wizard.next)


class MappingPage(QWizardPage):
    """Each column of the file and the field it holds, editable; save as a named profile."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("Check the columns")
        self.setSubTitle(
            "caseaudit recognised these columns by their names. Change any that are wrong; "
            "columns set to “Not imported” are left out."
        )
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Which list this is")
        self.kind_combo.addItem("Choose which list this is", None)
        for kind in ListKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Columns of the file")
        self.table.setHorizontalHeaderLabels(["Column in the file", "Imported as", "Example"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.missing = paragraph("", self)
        self.missing.setAccessibleName("Required fields not mapped")
        self.profile_name = QLineEdit(self)
        self.profile_name.setAccessibleName("Profile name")
        self.profile_name.setPlaceholderText("e.g. Mosaic CP list")
        self.save_profile = QPushButton("&Save as profile", self)
        self.save_profile.setAccessibleName("Save these choices as a mapping profile")
        self.save_profile.clicked.connect(self._save_profile)
        self.saved = QLabel(self)
        self.problem = problem_label(self)
        profile_row = QHBoxLayout()
        profile_row.addWidget(QLabel("Mapping profile name:", self))
        profile_row.addWidget(self.profile_name, 1)
        profile_row.addWidget(self.save_profile)
        profile_row.addWidget(self.saved)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("&List:", self.kind_combo)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        layout.addLayout(profile_row)
        layout.addWidget(self.problem)
        self.combos: dict[str, QComboBox] = {}
        self._filling = False

    def initializePage(self) -> None:  # noqa: N802
        wizard = self._wizard
        raw = wizard.raw
        assert raw is not None
        profile = wizard.file_page.profile()
        chosen = wizard.file_page.kind_combo.currentData()
        kind = (
            ListKind(chosen)
            if chosen
            else (profile.list_kind if profile else importer.guess_list_kind(raw))
        )
        self._profile_columns = profile.columns if profile else None
        if profile:
            self.profile_name.setText(profile.name)
        self._filling = True
        self.kind_combo.setCurrentIndex(
            max(0, self.kind_combo.findData(kind.value if kind else None))
        )
        self._filling = False
        self._kind_changed()

    def _kind_changed(self) -> None:
        if self._filling:
            return
        raw = self._wizard.raw
        value = self.kind_combo.currentData()
        self._wizard.mapping = (
            importer.detect_mapping(raw, value, profile=self._profile_columns)
            if raw is not None and value
            else None
        )
        self._fill()

    def _fill(self) -> None:
        mapping, raw = self._wizard.mapping, self._wizard.raw
        self.combos = {}
        headers = raw.headers if raw is not None else []
        self.table.setRowCount(len(headers))
        for row, header in enumerate(headers):
            item = QTableWidgetItem(header)
            self.table.setItem(row, 0, item)
            combo = QComboBox(self.table)
            combo.setAccessibleName(f"Field for the column {header}")
            combo.addItem(IGNORED, "")
            if mapping is not None:
                for name in KIND_FIELDS[mapping.list_kind]:
                    combo.addItem(FIELDS[name].label, name)
                combo.setCurrentIndex(max(0, combo.findData(mapping.field_of(header))))
            combo.setEnabled(mapping is not None)
            combo.currentIndexChanged.connect(
                lambda _i, header=header, combo=combo: self.set_field(header, combo.currentData())
            )
            self.table.setCellWidget(row, 1, combo)
            self.combos[header] = combo
        self._update_examples()
        self._update_missing()

    def _update_examples(self) -> None:
        raw, mapping = self._wizard.raw, self._wizard.mapping
        if raw is None:
            return
        for row, header in enumerate(raw.headers):
            name = mapping.field_of(header) if mapping else ""
            if name and FIELDS[name].identifying:
                text = "not shown: identifies a child"
            else:
                values = [str(r.cells[row]) for r in raw.rows[:3] if row < len(r.cells)]
                text = ", ".join(v for v in values if v) or "(blank)"
            self.table.setItem(row, 2, QTableWidgetItem(text))

    def set_field(self, header: str, field_name: str) -> None:
        """Map ``header`` to ``field_name`` ("" = not imported); another column holding it is
        set to not imported."""
        mapping = self._wizard.mapping
        if mapping is None or self._filling:
            return
        self._wizard.mapping = mapping.with_column(header, field_name or "")
        self._filling = True
        for other, combo in self.combos.items():
            combo.setCurrentIndex(max(0, combo.findData(self._wizard.mapping.field_of(other))))
        self._filling = False
        self._update_examples()
        self._update_missing()

    def _update_missing(self) -> None:
        mapping = self._wizard.mapping
        if mapping is None:
            self.missing.setText("Say which list this is to see which columns it needs.")
        else:
            missing = [FIELDS[f].label for f in mapping.missing_required()]
            self.missing.setText(
                "⚠ Still needed: " + ", ".join(missing) + ". Choose the columns that hold them."
                if missing
                else "✓ Every field this list needs has a column."
            )
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        mapping = self._wizard.mapping
        return mapping is not None and not mapping.missing_required()

    def _save_profile(self) -> None:
        wizard, name, mapping = self._wizard, self.profile_name.text(), self._wizard.mapping
        if mapping is None:
            return
        self.problem.hide()
        wizard.context.runner.run(
            lambda: importer.save_mapping_profile(wizard.context.db, wizard.actor, name, mapping),
            lambda profile: self.saved.setText(f"✓ Saved as {profile.name!r}"),
            lambda exc: show_problem(self.problem, exc, "Saving the mapping profile", most=5),
            label="Saving the mapping profile",
            changes="import_mapping_profile",
            owner=self,
        )

    def validatePage(self) -> bool:  # noqa: N802
        wizard = self._wizard
        raw, mapping = wizard.raw, wizard.mapping
        if wizard.report is not None and wizard.report.mapping is mapping:
            return True
        assert raw is not None and mapping is not None
        self.problem.hide()
        wizard.context.runner.run(
            lambda: importer.validate(raw, mapping, mapping.list_kind),
            self._validated,
            lambda exc: show_problem(self.problem, exc, "Checking the rows", most=5),
            label="Checking the rows",
            owner=self,
        )
        return False

    def _validated(self, report: importer.ValidationReport) -> None:
        self._wizard.report = report
        QTimer.singleShot(0, self._wizard.next)
