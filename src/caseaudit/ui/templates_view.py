"""The Templates area: the library of themed audit templates, read-only for now.

The list shows every template version (title, theme, version, grading scale, pathways, size,
rules and how many audits use it) and can be filtered (Ctrl+F) and sorted. Selecting one shows
its sections, questions, guidance and limiting rules beside the list. Everything is read
through the runner; the area reloads when the runner announces template changes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..services.templates import TemplateSummary, get_definition, list_templates
from .context import ShellContext
from .deferred import DeferredReload
from .formatting import plural
from .geometry import remember_splitter
from .runner import touches
from .templates_model import TemplatesTableModel, definition_html
from .widgets import EmptyState, ReadOnlyTable, heading

if TYPE_CHECKING:
    from ..templating import TemplateDefinition

TEMPLATE_ENTITIES = ("template", "audit_template", "template_version", "audit")
NO_TEMPLATES = (
    "Audit templates define the sections, questions, guidance and grading rules an audit is "
    "scored against. The built-in templates are added whenever a database is opened; if none "
    "are listed, the program's templates folder could not be read (see the log)."
)
#: Columns the detail pane already shows in full (theme, pathways, sections); hidden in the list.
HIDDEN_COLUMNS = (1, 4, 5, 9)
NO_SELECTION = (
    "<p>Select a template to read its sections, questions, guidance and limiting rules.</p>"
)


class TemplatesView(QWidget):
    """The Templates area of the main window."""

    title = "Templates"

    def __init__(self, context: ShellContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesView")
        self._context = context
        self._generation = 0
        self._loaded = False
        self.model = TemplatesTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortRole(TemplatesTableModel.SORT_ROLE)

        self.heading = heading(self.title, self)
        self.count_label = QLabel("Loading templates…", self)
        self.count_label.setAccessibleName("Number of templates shown")
        self.search = QLineEdit(self)
        self.search.setObjectName("templatesSearch")
        self.search.setPlaceholderText("Filter templates by title, theme or pathway (Ctrl+F)")
        self.search.setAccessibleName("Filter templates")
        self.search.setClearButtonEnabled(True)
        self.table = ReadOnlyTable(
            "Audit templates", "Template versions in this database. Select one to read it.", self
        )
        self.table.setObjectName("templatesTable")
        self.table.setModel(self.proxy)
        self.table.size_columns([32, 20, 7, 19, 28, 8, 9, 6, 7, 11])
        for column in HIDDEN_COLUMNS:
            self.table.setColumnHidden(column, True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.empty = EmptyState("No audit templates", NO_TEMPLATES, self)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("templateDetail")
        self.detail.setAccessibleName("Template details")
        self.detail.setAccessibleDescription(
            "The selected template's sections, questions, guidance and limiting rules"
        )
        self.detail.setOpenLinks(False)
        self.detail.setHtml(NO_SELECTION)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("templatesSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.detail)
        unit = self.fontMetrics().averageCharWidth()
        self.splitter.setSizes([95 * unit, 65 * unit])
        remember_splitter(self, self.splitter)

        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.search)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.search, self.table)
        self.setTabOrder(self.table, self.detail)

        self.search.textChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.deferred = DeferredReload(self, self.reload)  # not on every autosave while hidden
        context.runner.data_changed.connect(self._on_data_changed)
        self.reload()

    def focus_search(self) -> bool:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def reload(self) -> None:
        self.deferred.cancel()
        db = self._context.db
        self._context.runner.run(
            lambda: list_templates(db),
            self._templates_loaded,
            label="Loading templates",
            owner=self,
        )

    def _templates_loaded(self, templates: list[TemplateSummary]) -> None:
        selected = self.selected_template()
        self._loaded = True
        self.model.set_templates(templates)
        self.list_stack.setCurrentWidget(self.table if templates else self.empty)
        self._update_count()
        if selected is not None:
            self.select_template(selected.template_version_id)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = plural(total, "template version")
        if shown != total:
            text = f"{shown:,} of {text}"
        self.count_label.setText(text)

    def selected_template(self) -> TemplateSummary | None:
        row = self.table.selected_row()
        if row < 0:
            return None
        return self.model.template_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())

    def select_template(self, template_version_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0)).row()
            summary = self.model.template_at(source)
            if summary is not None and summary.template_version_id == template_version_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        summary = self.selected_template()
        self._generation += 1
        generation = self._generation
        if summary is None:
            self.detail.setHtml(NO_SELECTION)
            return
        self.detail.setHtml(f"<h2>{escape(summary.title)}</h2><p>Loading…</p>")
        db = self._context.db
        version_id = summary.template_version_id
        self._context.runner.run(
            lambda: get_definition(db, version_id),
            lambda definition: self._definition_loaded(generation, summary, definition),
            label="Loading template",
            owner=self,
        )

    def _definition_loaded(
        self, generation: int, summary: TemplateSummary, definition: TemplateDefinition
    ) -> None:
        if generation == self._generation:
            self.detail.setHtml(definition_html(summary, definition))

    def _on_data_changed(self, changes: frozenset[str]) -> None:
        if touches(changes, *TEMPLATE_ENTITIES):
            self.deferred.request()
