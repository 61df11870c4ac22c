"""The "New programme" dialog: a recurring audit programme that proposes each period's round.

It holds what ``programmes.create_programme`` takes: a name; the kind (the IRO manager's monthly
audit of LAC review minutes, monthly supervision audits, quarterly themed audits or a custom
programme), whose defaults — template, cadence, files each period, exclusion window, theme — fill
the form when the kind is chosen; the first period; the days allowed after a period ends; and
the auditors. ``load()`` reads the templates and the possible auditors through the runner;
``save()`` creates the programme through the runner and closes the dialog; a refusal is shown in
words in the dialog, which stays open, and nothing is created.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from ..errors import ValidationError
from ..models.programme import Cadence, ProgrammeKind
from ..services import programmes
from ..services.templates import list_templates
from ..services.users import UserInfo, list_users
from .auditor_list import AuditorChecklist
from .context import ShellContext
from .errors import show_problem
from .widgets import named_line, named_spin, ok_cancel, problem_label

CADENCES = {Cadence.MONTHLY: "Every month", Cadence.QUARTERLY: "Every quarter (April to March)"}


class ProgrammeDialog(QDialog):
    """Create a recurring programme; ``created`` holds its ``ProgrammeInfo`` once made."""

    def __init__(
        self, context: ShellContext, parent: QWidget | None = None, *, actor: UserInfo | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("programmeDialog")
        self.setWindowTitle("New audit programme")
        self.setAccessibleName("New audit programme")
        self.context = context
        self.actor = actor if actor is not None else context.user
        self.created: programmes.ProgrammeInfo | None = None
        self._default_theme = ""
        self.name = named_line(self, "Programme name", "e.g. IRO monthly LAC review minutes audit")
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of programme")
        for kind in ProgrammeKind:
            self.kind.addItem(kind.label, kind.value)
        self.template = QComboBox(self)
        self.template.setAccessibleName("Template")
        self.cadence = QComboBox(self)
        self.cadence.setAccessibleName("How often")
        for cadence, label in CADENCES.items():
            self.cadence.addItem(label, cadence.value)
        today = date.today()
        self.starts = QDateEdit(QDate(today.year, today.month, 1), self)
        self.starts.setAccessibleName("First period starts")
        self.starts.setCalendarPopup(True)
        self.starts.setDisplayFormat("dd/MM/yyyy")
        self.files = named_spin(self, "Files each period", 1, 200, 4, "")
        self.exclusion = named_spin(self, "Exclusion window", 0, 60, 12, " months")
        self.exclusion.setToolTip("Never the same child twice within this many months.")
        self.due_days = named_spin(self, "Days allowed after the period ends", 0, 120, 0, " days")
        self.theme = named_line(self, "Theme", "e.g. Voice of the child")
        self.auditors = AuditorChecklist(self)
        self.problem = problem_label(self)
        self.buttons, _ok = ok_cancel(self, "&Create programme")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.kind.currentIndexChanged.connect(self._kind_changed)

        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Kind:", self.kind)
        form.addRow("&Template:", self.template)
        form.addRow("&How often:", self.cadence)
        form.addRow("First &period starts:", self.starts)
        form.addRow("&Files each period:", self.files)
        form.addRow("&Exclusion window:", self.exclusion)
        form.addRow("&Overdue after the period ends by:", self.due_days)
        form.addRow("T&heme:", self.theme)
        form.addRow("&Auditors:", self.auditors)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._kind_changed()

    def _kind_changed(self) -> None:
        """Fill the form with the chosen kind's defaults (the theme only if not typed over)."""
        defaults = programmes.KIND_DEFAULTS[ProgrammeKind(self.kind.currentData())]
        index = self.template.findData(defaults["template_key"])
        if index >= 0:
            self.template.setCurrentIndex(index)
        self.cadence.setCurrentIndex(self.cadence.findData(Cadence(defaults["cadence"]).value))
        self.files.setValue(defaults["files"])
        self.exclusion.setValue(defaults["exclusion_months"])
        if self.theme.text() in ("", self._default_theme):
            self.theme.setText(defaults["theme"])
        self._default_theme = defaults["theme"]

    # -- load and save ----------------------------------------------------------------------
    def load(self) -> None:
        """Read the templates and the users who may audit, through the runner."""
        db = self.context.db
        self.context.runner.run(
            lambda: (list_templates(db), list_users(db)),
            self._loaded,
            label="Reading templates and auditors",
            owner=self,
        )

    def _loaded(self, result: tuple[list[Any], list[UserInfo]]) -> None:
        templates, users = result
        self.template.clear()
        for t in templates:
            if t.is_latest:
                self.template.addItem(f"{t.title} ({t.key})", t.key)
        self.auditors.fill(users)
        self._kind_changed()

    def set_auditors(self, usernames: set[str]) -> None:
        self.auditors.set_chosen(usernames)

    def chosen_auditors(self) -> list[str]:
        return self.auditors.chosen()

    def values(self) -> dict[str, Any]:
        """The ``create_programme`` arguments the dialog holds (raises ``ValidationError``)."""
        key = self.template.currentData()
        if not key:
            raise ValidationError("Choose the template the programme's audits are scored against.")
        return {
            "name": self.name.text(),
            "kind": self.kind.currentData(),
            "starts_on": self.starts.date().toPython(),
            "template_key": key,
            "cadence": self.cadence.currentData(),
            "files_per_period": self.files.value(),
            "exclusion_months": self.exclusion.value(),
            "due_days": self.due_days.value(),
            "theme": self.theme.text().strip(),
            "auditors": self.chosen_auditors(),
        }

    def save(self) -> None:
        self.problem.hide()
        try:
            values = self.values()
        except ValidationError as exc:
            self._failed(exc)
            return
        db, actor = self.context.db, self.actor
        name, kind = values.pop("name"), values.pop("kind")
        self.context.runner.run(
            lambda: programmes.create_programme(db, actor, name, kind, **values),
            self._created,
            self._failed,
            label="Creating the programme",
            changes="programme",
            owner=self,
        )

    def _created(self, info: programmes.ProgrammeInfo) -> None:
        self.created = info
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_problem(self.problem, exc, "Creating the programme", closing="Nothing was created.")
