"""The audit form's commands: which are available now, and running each one.

``FormCommands`` answers the window's question "what can this audit do now?" from the audit's
status and the signed-in user's role (``services.permissions``): raising actions and signing off
need an audit that is not locked; "Child may be at risk now" is always there for someone who
audits (a child's safety is never blocked by the sign-off lock); recording a manager's
acknowledgement appears while a concern waits for it; reopening needs a signed audit and a role
that may reopen. Each command opens its dialog window-modally without blocking
(``QDialog.open``), sends waiting saves first, and reloads or updates the form when it is done.
``go_to`` takes the form to a missing item listed by the sign-off dialog. ``dialog`` is the
dialog open now, if any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from ...services.actions import ActionRow
from ...services.escalation import ConcernRow
from ...services.permissions import Permission, allowed
from ...templating import MissingItem
from ...vocabulary import AuditStatus
from .action_dialog import RaiseActionDialog, link_text
from .concern_dialog import AcknowledgeDialog, ConcernDialog
from .reopen_dialog import ReopenDialog
from .signoff_dialog import SignOffDialog

if TYPE_CHECKING:
    from .form_view import AuditFormView


class FormCommands:
    """Availability and handlers of the form's commands (``ActionId`` values)."""

    def __init__(self, view: AuditFormView) -> None:
        self.view = view
        self.dialog: QDialog | None = None

    def available(self) -> set[str]:
        view, form, user = self.view, self.view.form, self.view.context.user
        assert form is not None
        commands = {"close_audit", "next_section", "previous_section"}
        if allowed(user, Permission.AUDIT):
            commands.add("child_at_risk")
        if not form.read_only:
            commands |= {"raise_action", "sign_off"}
        if self.pending_concerns() and allowed(user, Permission.MANAGE_ACTIONS):
            commands.add("acknowledge_concern")
        status = getattr(view, "status", form.status)
        if status == AuditStatus.SIGNED and allowed(user, Permission.REOPEN_SIGNED):
            commands.add("reopen_audit")
        return commands

    def pending_concerns(self) -> list[ConcernRow]:
        form = self.view.form
        return [c for c in form.concerns if c.acknowledged_at is None] if form else []

    def run(self, name: str) -> None:
        view = self.view
        if name == "close_audit":
            view.close_requested.emit()
            return
        if view.form is None or name not in self.available():
            return
        if name == "next_section":
            view.move_section(1)
        elif name == "previous_section":
            view.move_section(-1)
        elif name == "raise_action":
            self.raise_action()
        elif name == "child_at_risk":
            self.child_at_risk()
        elif name == "acknowledge_concern":
            self.acknowledge(None)
        elif name == "sign_off":
            self.sign_off()
        elif name == "reopen_audit":
            self.reopen()

    def _open(self, dialog: QDialog) -> QDialog:
        self.view.autosave.flush()
        self.dialog = dialog
        dialog.finished.connect(lambda _result, d=dialog: self._closed(d))
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.view.window().activateWindow()  # the keyboard goes back to the form

    # -- the commands ---------------------------------------------------------------------
    def raise_action(self, section_id: str = "", question_id: str = "") -> None:
        view = self.view
        assert view.form is not None
        if not section_id and not question_id:
            question_id = view.focus_question or ""
            current = view.current_section() or ""
            if question_id and view.form.definition.question(question_id).section_id != current:
                question_id = ""
            section_id = "" if question_id else current
        link = ""
        if question_id:
            widget = view.question_widget(question_id)
            if widget is not None:
                link = link_text("Question", widget.number, widget.question.text)
        elif section_id:
            page = view.page(section_id)
            link = link_text("Section", str(page.number), page.section.title)
        dialog = RaiseActionDialog(
            view.context,
            view.audit_id,
            section_id=section_id,
            question_id=question_id,
            link_text=link,
            parent=view,
        )
        dialog.raised.connect(self._action_raised)
        self._open(dialog)
        dialog.load()

    def _action_raised(self, row: ActionRow) -> None:
        form = self.view.form
        if form is None:
            return
        form.actions.append(row)
        self.view.actions_panel.set_actions(form.definition, form.actions)
        self.view.tabs.setTabText(0, f"Actions ({len(form.actions)})")

    def child_at_risk(self) -> None:
        dialog = ConcernDialog(self.view.context, self.view.audit_id, self.view)
        dialog.recorded.connect(lambda _row: self.view.reload())
        self._open(dialog)
        dialog.load()

    def acknowledge(self, concern: ConcernRow | None) -> None:
        pending = self.pending_concerns()
        if concern is None:
            if not pending:
                return
            concern = pending[0]
        dialog = AcknowledgeDialog(self.view.context, concern, self.view)
        dialog.recorded.connect(lambda _row: self.view.reload())
        self._open(dialog)

    def sign_off(self) -> None:
        dialog = SignOffDialog(self.view.context, self.view.audit_id, self.view)
        dialog.signed.connect(lambda _row: self.view.reload())
        dialog.jump_requested.connect(self.go_to)
        self._open(dialog)
        dialog.load()

    def reopen(self) -> None:
        dialog = ReopenDialog(self.view.context, self.view.audit_id, self.view)
        dialog.reopened.connect(lambda _row: self.view.reload())
        self._open(dialog)

    def go_to(self, item: MissingItem) -> None:
        """Show what a missing item is about and put the focus on it."""
        view = self.view
        if view.form is None:
            return
        if item.question_id:
            widget = view.question_widget(item.question_id)
            if widget is not None:
                page = view.show_section(widget.question.section_id, focus=False)
                target = widget.na_reason if item.kind == "na_reason" else widget.first_focus()
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                page.ensureWidgetVisible(widget)
                return
        if item.section_id and item.kind == "section_grade":
            page = view.show_section(item.section_id, focus=False)
            if page.grade is not None:
                page.grade.setFocus(Qt.FocusReason.OtherFocusReason)
                page.ensureWidgetVisible(page.grade)
            return
        if item.kind == "rationale":
            view.overall.rationale.setFocus(Qt.FocusReason.OtherFocusReason)
        elif item.kind == "overall_grade" and view.overall.grade is not None:
            view.overall.grade.setFocus(Qt.FocusReason.OtherFocusReason)
        elif item.kind == "concern":
            self.acknowledge(None)
