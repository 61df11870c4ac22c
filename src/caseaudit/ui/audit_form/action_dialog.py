"""Raising an action from a finding: what must be done, who owns it, and by when.

``RaiseActionDialog`` asks for the action's description, its owner (a worker or team manager;
managers are listed first, and typing a name's first letters jumps to it) and its timescale band
(immediately, within 3 months, within 6 months). The band shows at once the due date and review
date it sets, counted the same way the service counts them (working days skip weekends and bank
holidays). The action is linked to the question or section it was raised from. ``load()`` reads
the owners and ``save()`` raises the action, both through the runner; a problem is shown in the
dialog, which stays open so nothing typed is lost. Ctrl+Enter raises the action from anywhere.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...errors import CaseAuditError
from ...services.actions import ActionRow, due_and_review, owners, raise_action
from ...vocabulary import TimescaleBand
from ..context import ShellContext
from ..formatting import format_date

TEXTS = {
    "title": "Raise an action",
    "what": "&What must be done:",
    "owner": "&Owner:",
    "band": "Timescale:",
    "raise": "&Raise action",
    "no_description": "Say what must be done.",
    "no_owner": "Choose who owns the action.",
}
BAND_KEYS = {
    TimescaleBand.IMMEDIATELY: "&Immediately",
    TimescaleBand.THREE_MONTHS: "Within &3 months",
    TimescaleBand.SIX_MONTHS: "Within &6 months",
}


def dates_text(band: TimescaleBand, today: date | None = None) -> str:
    due, review = due_and_review(band, today or date.today())
    return f"Due {format_date(due)} · review {format_date(review)}"


class RaiseActionDialog(QDialog):
    """What, who and by when; linked to the question or section it was raised from."""

    raised = Signal(object)

    def __init__(
        self,
        context: ShellContext,
        audit_id: int,
        *,
        section_id: str = "",
        question_id: str = "",
        link_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("raiseActionDialog")
        self.setWindowTitle(TEXTS["title"])
        self.setAccessibleName(TEXTS["title"])
        self._context = context
        self.audit_id = audit_id
        self.section_id = section_id
        self.question_id = question_id
        self._busy = False
        self.link = QLabel(link_text or "Linked to the audit as a whole", self)
        self.link.setObjectName("actionLink")
        self.link.setWordWrap(True)
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("actionDescription")
        self.description.setAccessibleName("What must be done")
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("For example: Team manager to arrange a visit …")
        self.owner = QComboBox(self)
        self.owner.setObjectName("actionOwner")
        self.owner.setAccessibleName("Owner of the action")
        self.owner.view().setAccessibleName("Owner of the action: choices")
        self.owner.addItem("Loading…", -1)  # never None as item data (see answer_controls)
        self.bands = QButtonGroup(self)
        band_row = QHBoxLayout()
        self.band_buttons: dict[TimescaleBand, QRadioButton] = {}
        for band, text in BAND_KEYS.items():
            button = QRadioButton(text, self)
            button.setObjectName(f"band-{band.value}")
            button.setAccessibleName(band.label)
            self.bands.addButton(button)
            self.band_buttons[band] = button
            band_row.addWidget(button)
        self.band_buttons[TimescaleBand.THREE_MONTHS].setChecked(True)
        self.dates = QLabel("", self)
        self.dates.setObjectName("actionDates")
        self.dates.setAccessibleName("Due and review dates")
        self.problem = QLabel("", self)
        self.problem.setObjectName("actionProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.raise_button = self.buttons.addButton(
            TEXTS["raise"], QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.raise_button.setObjectName("raiseActionButton")
        self.raise_button.setAccessibleName("Raise the action")
        self.raise_button.setToolTip("Raise the action (Ctrl+Enter)")
        self.raise_button.setDefault(True)

        form = QFormLayout()
        form.addRow("Linked to:", self.link)
        what = QLabel(TEXTS["what"], self)
        what.setBuddy(self.description)
        form.addRow(what, self.description)
        owner = QLabel(TEXTS["owner"], self)
        owner.setBuddy(self.owner)
        form.addRow(owner, self.owner)
        form.addRow(TEXTS["band"], band_row)
        form.addRow("", self.dates)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())

        self.bands.buttonToggled.connect(lambda *_: self._show_dates())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.save)
        self._show_dates()
        self.description.setFocus()

    def band(self) -> TimescaleBand:
        for band, button in self.band_buttons.items():
            if button.isChecked():
                return band
        return TimescaleBand.THREE_MONTHS

    def _show_dates(self) -> None:
        self.dates.setText(dates_text(self.band()))

    # -- load and save --------------------------------------------------------------------
    def load(self) -> None:
        db = self._context.db
        self._context.runner.run(
            lambda: owners(db),
            self._owners_loaded,
            self._failed,
            label="Reading owners",
            owner=self,
        )

    def _owners_loaded(self, rows: list[tuple[int, str, str]]) -> None:
        self.owner.clear()
        self.owner.addItem("Choose the owner…", -1)
        for worker_id, name, role in rows:
            self.owner.addItem(f"{name} — {role}", worker_id)

    def save(self) -> None:
        if self._busy:
            return
        description = self.description.toPlainText().strip()
        owner_id = int(self.owner.currentData())
        if not description:
            self._show_problem(TEXTS["no_description"])
            self.description.setFocus()
            return
        if owner_id < 0:
            self._show_problem(TEXTS["no_owner"])
            self.owner.setFocus()
            return
        db, user, band = self._context.db, self._context.user, self.band()
        audit_id, section_id, question_id = self.audit_id, self.section_id, self.question_id
        self._busy = True
        self.raise_button.setEnabled(False)
        self._context.runner.run(
            lambda: raise_action(
                db,
                user,
                audit_id,
                description,
                owner_id,
                band,
                section_id=section_id,
                question_id=question_id,
            ),
            self._raised,
            self._failed,
            label="Raising the action",
            changes={"action", "audit"},
            owner=self,
        )

    def _raised(self, row: ActionRow) -> None:
        self._busy = False
        self.raised.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.raise_button.setEnabled(True)
        if isinstance(exc, CaseAuditError):
            problems = getattr(exc, "problems", None) or []
            self._show_problem(" ".join([exc.message, *problems]))
            return
        handler = self._context.runner.error_handler
        if handler is not None:
            handler(exc, "Raising the action")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}")
        self.problem.setAccessibleDescription(text)
        self.problem.show()


def link_text(kind: str, number: str, text: str) -> str:
    """ "Question 3.1: Was the child seen alone?" / "Section 3: Child seen and heard"."""
    return f"{kind} {number}: {text}"
