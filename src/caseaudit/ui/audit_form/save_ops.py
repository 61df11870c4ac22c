"""What each kind of change to the audit form saves: an answer, a section, the overall grade.

``SaveOps`` turns a change reported by the form (a question's answer, evidence or N/A reason; a
section's grade or commentary; the overall grade or rationale) into an autosave. Each builder
runs on the GUI thread when the save is sent: it reads every field of that question, section or
panel as it is at that moment and returns a plain function for the runner's database thread,
which calls the service (``save_answer``, ``set_section_grade``, ``set_overall``). Something
typed that is not yet an answer (half a date) is not sent; the question says what is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...services.audits import save_answer, set_overall, set_section_grade
from ...templating import is_answered
from .autosave import Operation

if TYPE_CHECKING:
    from .form_view import AuditFormView


class SaveOps:
    """Builders of the form's saves (see the module docstring)."""

    def __init__(self, view: AuditFormView) -> None:
        self.view = view

    def question_changed(self, question_id: str, at_once: int) -> None:
        self.view.autosave.change(
            f"answer:{question_id}", lambda: self._answer(question_id), at_once=bool(at_once)
        )

    def section_changed(self, section_id: str, *, at_once: bool) -> None:
        self.view.autosave.change(
            f"section:{section_id}", lambda: self._section(section_id), at_once=at_once
        )

    def overall_changed(self, *, at_once: bool) -> None:
        self.view.overall.update_required()
        self.view.autosave.change("overall", self._overall, at_once=at_once)

    # -- builders (GUI thread) ------------------------------------------------------------
    def _answer(self, question_id: str) -> Operation | None:
        view = self.view
        widget = view.question_widget(question_id)
        if widget is None or widget.read_only:
            return None
        problem, value = widget.answer()
        widget.show_problem(problem)
        if problem:
            return None
        if is_answered(value):
            view.answered.add(question_id)
        else:
            view.answered.discard(question_id)
        evidence = widget.evidence() if widget.evidence_edit is not None else None
        na_reason = widget.na_reason_text()
        db, user, audit_id = view.context.db, view.context.user, view.audit_id
        return lambda: save_answer(
            db, user, audit_id, question_id, value, evidence=evidence, na_reason=na_reason
        )

    def _section(self, section_id: str) -> Operation | None:
        view = self.view
        page = view.pages.get(section_id)
        if page is None or page.read_only:
            return None
        grade = page.section_grade()
        commentary = page.commentary.toPlainText()
        db, user, audit_id = view.context.db, view.context.user, view.audit_id
        return lambda: set_section_grade(
            db, user, audit_id, section_id, grade, commentary=commentary
        )

    def _overall(self) -> Operation | None:
        view = self.view
        if view.overall.read_only:
            return None
        grade = view.overall.overall_grade()
        rationale = view.overall.rationale_text()
        db, user, audit_id = view.context.db, view.context.user, view.audit_id
        return lambda: set_overall(db, user, audit_id, grade, rationale)
