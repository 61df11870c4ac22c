"""Changing a drawn sample by hand: the frame every such dialog shares, and "Remove from sample".

``SampleChangeDialog`` is what each change by hand looks like: a sentence saying what is about
to change, the change's own fields, a "Reason" box where one is needed (a change by hand always
says why; the reason is kept word for word in the round's method and printed, pseudonymised, in
the round's reports), a problem line and the buttons. ``submit()`` runs the subclass's
``operation()`` through the runner; when it succeeds the dialog closes and the runner announces
the change, so the Rounds area reads the round again. When the service refuses (no reason, an
audit already started, an auditor with a conflict of interest) its words are shown in the dialog,
which stays open, and nothing is changed. ``RemoveCaseDialog`` takes one file out of the sample
(``rounds.remove_case``); it stays listed as removed, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..errors import ValidationError
from ..services import rounds
from ..services.users import UserInfo
from .context import ShellContext
from .errors import show_problem
from .widgets import ok_cancel, paragraph, problem_label

#: What a change to a sample announces, so the Rounds area and the calendar read again.
SAMPLE_CHANGED = frozenset({"sample_item", "audit_round"})
NOTHING_CHANGED = "Nothing was changed."


class SampleChangeDialog(QDialog):
    """A change by hand to a round's sample; subclasses give ``operation()`` and the fields."""

    title = "Change the sample"
    ok_text = "&OK"
    doing = "Changing the sample"
    needs_reason = True

    def __init__(
        self,
        context: ShellContext,
        round_summary: rounds.RoundSummary,
        item: rounds.SampleItemInfo | None = None,
        parent: QWidget | None = None,
        *,
        actor: UserInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle(self.title)
        self.setAccessibleName(self.title)
        self.context = context
        self.actor = actor if actor is not None else context.user
        self.round = round_summary
        self.result_info: rounds.SampleItemInfo | None = None
        self.intro = paragraph("", self)
        self.intro.setAccessibleName("What will change")
        self.form = QFormLayout()
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setAccessibleDescription(
            "Why this change is made by hand. It is kept in the round's method and printed, "
            "with names replaced, in the round's reports."
        )
        self.reason.setPlaceholderText("Why, in a few words (required)")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(4 * self.fontMetrics().height())
        self.problem = problem_label(self)
        self.buttons, self.ok_button = ok_cancel(
            self, self.ok_text, cancel_name="Cancel: change nothing"
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.build()
        if self.needs_reason:
            label = QLabel("&Reason:", self)
            label.setBuddy(self.reason)
            self.form.addRow(label, self.reason)
        else:
            self.reason.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    # -- for subclasses -----------------------------------------------------------------------
    def build(self) -> None:
        """Add the change's own fields to ``self.form`` and set ``self.intro``'s text."""

    def operation(self) -> Callable[[], Any]:
        """The service call to run (raise ``ValidationError`` if the fields are not ready)."""
        raise NotImplementedError

    # -- running ----------------------------------------------------------------------------
    def reason_text(self) -> str:
        return self.reason.toPlainText()

    def submit(self) -> None:
        self.problem.hide()
        try:
            op = self.operation()
        except ValidationError as exc:
            self.show_problem(exc)
            return
        self.context.runner.run(
            op,
            self._done,
            self.show_problem,
            label=self.doing,
            changes=SAMPLE_CHANGED,
            owner=self,
        )

    def _done(self, info: Any) -> None:
        self.result_info = info if isinstance(info, rounds.SampleItemInfo) else None
        self.accept()

    def show_problem(self, exc: BaseException) -> None:
        show_problem(self.problem, exc, self.doing, closing=NOTHING_CHANGED)


class RemoveCaseDialog(SampleChangeDialog):
    """Take one file out of the sample, with a reason; it stays listed as removed."""

    title = "Remove from sample"
    ok_text = "&Remove from sample"
    doing = "Removing the file from the sample"

    item: rounds.SampleItemInfo

    def build(self) -> None:
        self.intro.setText(
            f"Take {self.item.case_key} out of the sample of “{self.round.name}”. It stays "
            "listed as removed, with your reason, and the round's reports say so. A file whose "
            "audit has started cannot be removed."
        )

    def operation(self) -> Callable[[], Any]:
        db, actor, round_id = self.context.db, self.actor, self.round.id
        item_id, reason = str(self.item.id), self.reason_text()
        return lambda: rounds.remove_case(db, actor, round_id, item_id, reason)
