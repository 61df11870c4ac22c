"""The auditors checklist the round and programme dialogs share.

``AuditorChecklist`` lists the users allowed to complete audits, each with a check box, so the
person setting up a round or a programme ticks who will audit. It remembers each row's user
name, fills itself from ``list_users`` output, and reads back or sets the ticked user names.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..services.permissions import Permission, allowed
from ..services.users import UserInfo

USERNAME_ROLE = Qt.ItemDataRole.UserRole + 1


class AuditorChecklist(QListWidget):
    """Users who may audit, each ticked or not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Auditors")
        self.setMaximumHeight(6 * self.fontMetrics().height())

    def fill(self, users: Iterable[UserInfo]) -> None:
        """List everyone whose role allows auditing, none ticked."""
        self.clear()
        for user in users:
            if not allowed(user, Permission.AUDIT):
                continue
            item = QListWidgetItem(f"{user.display_name} ({user.role.label})", self)
            item.setData(USERNAME_ROLE, user.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)

    def set_chosen(self, usernames: set[str]) -> None:
        for row in range(self.count()):
            item = self.item(row)
            checked = item.data(USERNAME_ROLE) in usernames
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen(self) -> list[str]:
        return [
            self.item(row).data(USERNAME_ROLE)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]
