"""The "Assign to…" dialog: give one sampled file to another auditor.

The auditors offered are everyone who may complete audits (read through the runner), the
round's own auditors first; choosing someone outside the round adds them to it. Conflicts of
interest are the service's to judge: ``rounds.assign_item`` refuses an auditor who manages the
file's team, or is its worker or IRO, and its words are shown in the dialog, which stays open so
another auditor can be chosen. Nothing is changed by a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel

from ..errors import ValidationError
from ..services import rounds
from ..services.permissions import Permission, allowed
from ..services.users import UserInfo, list_users
from .sample_edit import SampleChangeDialog


class AssignDialog(SampleChangeDialog):
    """Choose the auditor for one file of the sample."""

    title = "Assign to an auditor"
    ok_text = "&Assign"
    doing = "Assigning the file"
    needs_reason = False

    def build(self) -> None:
        item = self.item
        assert item is not None
        now = item.auditor_name or "nobody yet"
        self.intro.setText(
            f"Choose who audits {item.case_key} in “{self.round.name}” (now: {now}). Someone who "
            "manages the file's team, or is its worker or IRO, cannot be chosen."
        )
        self.auditor = QComboBox(self)
        self.auditor.setAccessibleName("Auditor")
        self.auditor.view().setAccessibleName("Auditors to choose from")
        label = QLabel("A&uditor:", self)
        label.setBuddy(self.auditor)
        self.form.addRow(label, self.auditor)
        db = self.context.db
        self.context.runner.run(
            lambda: list_users(db), self._users_loaded, label="Reading the auditors", owner=self
        )

    def _users_loaded(self, users: list[UserInfo]) -> None:
        in_round = set(self.round.auditors)
        auditors = [u for u in users if allowed(u, Permission.AUDIT)]
        auditors.sort(key=lambda u: (u.username not in in_round, u.display_name.casefold()))
        self.auditor.clear()
        for user in auditors:
            where = "in this round" if user.username in in_round else "not yet in this round"
            self.auditor.addItem(f"{user.display_name} ({user.role.label}, {where})", user.username)
        current = self.auditor.findData(self.item.auditor_username if self.item else None)
        self.auditor.setCurrentIndex(max(current, 0))

    def choose(self, username: str) -> bool:
        index = self.auditor.findData(username)
        if index >= 0:
            self.auditor.setCurrentIndex(index)
        return index >= 0

    def operation(self) -> Callable[[], Any]:
        username = self.auditor.currentData()
        if not username or self.item is None:
            raise ValidationError("Choose the auditor who should audit this file.")
        db, actor, round_id, item_id = self.context.db, self.actor, self.round.id, self.item.id
        return lambda: rounds.assign_item(db, actor, round_id, item_id, username)
