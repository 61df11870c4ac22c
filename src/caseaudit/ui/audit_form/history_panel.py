"""What has happened on an audit: its actions, and its sign-off and reopening history.

``ActionsPanel`` lists the actions raised on the audit (what, owner, band, due and review dates,
status, and the question it came from), overdue ones marked with "!" and the word, not only a
colour. ``HistoryPanel`` lists every sign-off and reopening, oldest first: when, who, the reason
for a reopening, and the content hash that vouches for each signed version (shortened, in full in
the tooltip and for screen readers), so a reopened audit shows both its signed versions.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from ...services.actions import ActionRow
from ...services.signoff import SignOffRow
from ...templating import TemplateDefinition
from ..formatting import MISSING, format_date, format_time


def _tree(name: str, headers: list[str], parent: QWidget | None) -> QTreeWidget:
    tree = QTreeWidget(parent)
    tree.setAccessibleName(name)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return tree


def _where(definition: TemplateDefinition, row: ActionRow) -> str:
    for number, section in enumerate(definition.sections, start=1):
        if row.question_id:
            for position, question in enumerate(section.questions, start=1):
                if question.id == row.question_id:
                    return f"Question {number}.{position}"
        elif section.id == row.section_id:
            return f"Section {number}"
    return "The audit"


class ActionsPanel(QWidget):
    """The actions raised on this audit."""

    HEADERS = ["What", "Owner", "Timescale", "Due", "Review", "Status", "From"]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QVBoxLayout

        self.tree = _tree("Actions raised on this audit", self.HEADERS, self)
        self.tree.setObjectName("auditActions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        unit = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate([40, 22, 16, 14, 14, 12, 12]):
            self.tree.setColumnWidth(column, chars * unit)

    def set_actions(self, definition: TemplateDefinition, rows: list[ActionRow]) -> None:
        self.tree.clear()
        for row in rows:
            due = format_date(row.due_on) + (" ! overdue" if row.overdue else "")
            item = QTreeWidgetItem(
                [
                    row.description,
                    row.owner_name or MISSING,
                    row.timescale_band.label,
                    due,
                    format_date(row.review_on),
                    row.status.label,
                    _where(definition, row),
                ]
            )
            item.setToolTip(0, row.description)
            self.tree.addTopLevelItem(item)

    @property
    def count(self) -> int:
        return self.tree.topLevelItemCount()


class HistoryPanel(QWidget):
    """Every sign-off and reopening of the audit."""

    HEADERS = ["When", "What", "Who", "Reason", "Content hash"]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QVBoxLayout

        self.tree = _tree("Sign-off history", self.HEADERS, self)
        self.tree.setObjectName("signOffHistory")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        unit = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate([22, 22, 24, 36, 16]):
            self.tree.setColumnWidth(column, chars * unit)

    def set_history(self, rows: list[SignOffRow]) -> None:
        self.tree.clear()
        for row in rows:
            if row.kind == "reopen":
                what = "Reopened"
            else:
                what = "Signed off (amendment)" if row.amends else "Signed off"
            when = f"{format_date(row.at)} {format_time(row.at)}"
            item = QTreeWidgetItem(
                [when, what, row.user_name, row.reason or MISSING, row.content_hash[:12] + "…"]
            )
            item.setToolTip(4, row.content_hash)
            item.setData(4, Qt.ItemDataRole.AccessibleTextRole, f"hash {row.content_hash}")
            self.tree.addTopLevelItem(item)

    @property
    def count(self) -> int:
        return self.tree.topLevelItemCount()
