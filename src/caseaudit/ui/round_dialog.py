"""The "New audit round" dialog: name, theme, template, period, auditors and sample specification.

The specification is what ``services.sampling_spec.SampleSpec`` reads: the strata (pathway
stage, outcome, team, open or closed ...), the allocation (a total shared in proportion to each
stratum's size, shared equally, or a number per stratum), minimums for groups such as
"safeguarding=4, lac=4", the exclusion window (not audited in the last N months) and the cap on
files per worker. ``load()`` reads the templates and the possible auditors through the runner;
``save()`` creates the round with ``rounds.create_round`` through the runner and closes the
dialog when it is made; a problem is shown in words in the dialog, which stays open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..errors import ValidationError
from ..services import rounds
from ..services.sampling_spec import DIMENSIONS
from ..services.templates import list_templates
from ..services.users import UserInfo, list_users
from .auditor_list import AuditorChecklist
from .context import ShellContext
from .errors import show_problem
from .widgets import add_layout_row, named_line, named_spin, ok_cancel, problem_label

ALLOCATIONS = {
    "proportional": "A total, shared in proportion to each stratum's size",
    "equal": "A total, shared equally between strata",
    "per_stratum": "The same number from each stratum",
}
VERSION_ROLE = Qt.ItemDataRole.UserRole + 2


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def parse_minimums(text: str) -> dict[str, int]:
    """``"safeguarding=4, lac=4"`` as {"safeguarding": 4, "lac": 4}."""
    result: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        key, sep, number = part.partition("=")
        if not sep or not number.strip().isdigit():
            raise ValidationError(
                f"{part!r} is not a minimum; write them like “safeguarding=4, lac=4”."
            )
        result[key.strip()] = int(number)
    return result


class RoundDialog(QDialog):
    """Create an audit round; ``created`` holds its ``RoundSummary`` once made."""

    def __init__(
        self, context: ShellContext, parent: QWidget | None = None, *, actor: UserInfo | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("roundDialog")
        self.setWindowTitle("New audit round")
        self.setAccessibleName("New audit round")
        self.context = context
        self.actor = actor if actor is not None else context.user
        self.created: rounds.RoundSummary | None = None
        today = date.today()
        self.name = named_line(self, "Round name", "e.g. Q3 themed audit: voice of the child")
        self.theme = named_line(self, "Theme", "e.g. Voice of the child")
        self.template = QComboBox(self)
        self.template.setAccessibleName("Template")
        self.start = self._date("Period starts", today.replace(day=1))
        self.end = self._date("Period ends", today)
        self.auditors = AuditorChecklist(self)
        self.strata: dict[str, QCheckBox] = {}
        strata_box = QGroupBox("Strata", self)
        strata_layout = QHBoxLayout(strata_box)
        for key, label in DIMENSIONS.items():
            box = QCheckBox(label, strata_box)
            box.setAccessibleName(f"Stratify by {label.lower()}")
            box.setChecked(key in ("stage", "status"))
            strata_layout.addWidget(box)
            self.strata[key] = box
        self.allocation = QComboBox(self)
        self.allocation.setAccessibleName("How files are shared between strata")
        for key, label in ALLOCATIONS.items():
            self.allocation.addItem(label, key)
        self.allocation.currentIndexChanged.connect(self._allocation_changed)
        self.count = named_spin(self, "Number of files", 1, 500, 20)
        self.minimums = named_line(self, "Minimums", "e.g. safeguarding=4, lac=4")
        self.exclude_months = named_spin(
            self, "Leave out files audited in the last months", 0, 60, 6
        )
        self.exclude_months.setSuffix(" months")
        self.cap = named_spin(self, "Most files per worker", 0, 50, 2)
        self.cap.setSpecialValueText("No limit")
        self.problem = problem_label(self)
        self.buttons, _ok = ok_cancel(self, "&Create round")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("T&heme:", self.theme)
        form.addRow("&Template:", self.template)
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(QLabel("to", self))
        period.addWidget(self.end)
        period.addStretch(1)
        add_layout_row(form, "&Period:", period, self.start)
        form.addRow("&Auditors:", self.auditors)
        sample = QFormLayout()
        sample.addRow(strata_box)
        sample.addRow("A&llocation:", self.allocation)
        self.count_label = QLabel("&Files in all:", self)
        self.count_label.setBuddy(self.count)
        sample.addRow(self.count_label, self.count)
        sample.addRow("&Minimums:", self.minimums)
        sample.addRow("&Exclusion window:", self.exclude_months)
        sample.addRow("Files per &worker at most:", self.cap)
        sample_box = QGroupBox("Sample specification", self)
        sample_box.setLayout(sample)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(sample_box)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _date(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day), self)
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        return edit

    def _allocation_changed(self) -> None:
        per = self.allocation.currentData() == "per_stratum"
        self.count_label.setText("&Files per stratum:" if per else "&Files in all:")

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
            self.template.addItem(f"{t.title} ({t.key} {t.version})", t.key)
            self.template.setItemData(self.template.count() - 1, t.version, VERSION_ROLE)
        self.auditors.fill(users)

    def set_auditors(self, usernames: set[str]) -> None:
        self.auditors.set_chosen(usernames)

    def chosen_auditors(self) -> list[str]:
        return self.auditors.chosen()

    def spec(self) -> dict[str, Any]:
        allocation = self.allocation.currentData()
        spec: dict[str, Any] = {
            "strata": [key for key, box in self.strata.items() if box.isChecked()],
            "allocation": allocation,
            "exclude_months": self.exclude_months.value(),
            "max_per_worker": self.cap.value() or None,
            "minimums": parse_minimums(self.minimums.text()),
        }
        spec["per_stratum" if allocation == "per_stratum" else "total"] = self.count.value()
        return spec

    def values(self) -> dict[str, Any]:
        """The ``create_round`` arguments the dialog holds (raises ``ValidationError``)."""
        key = self.template.currentData()
        if not key:
            raise ValidationError("Choose the template the round's audits are scored against.")
        return {
            "name": self.name.text(),
            "theme": self.theme.text(),
            "template_key": key,
            "template_version": self.template.currentData(VERSION_ROLE),
            "period_start": self.start.date().toPython(),
            "period_end": self.end.date().toPython(),
            "auditors": self.chosen_auditors(),
            "spec": self.spec(),
        }

    def save(self) -> None:
        self.problem.hide()
        try:
            values = self.values()
        except ValidationError as exc:
            self._failed(exc)
            return
        db, actor = self.context.db, self.actor
        name = values.pop("name")
        self.context.runner.run(
            lambda: rounds.create_round(db, actor, name, **values),
            self._created,
            self._failed,
            label="Creating the round",
            changes="audit_round",
            owner=self,
        )

    def _created(self, summary: rounds.RoundSummary) -> None:
        self.created = summary
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_problem(self.problem, exc, "Creating the round")
