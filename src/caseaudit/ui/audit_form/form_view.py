"""The audit form: one case file's audit, rendered from the template version it is scored on.

``AuditFormView`` opens the audit through the runner (``services.audits.open_audit``) and lays
it out as UI.md sketches: the case header across the top; the sections with their progress and
the overall panel on the left; the current section's questions in the middle (each section's
page is built the first time it is shown, so a long template opens quickly); the guidance for
the focused question on the right; the audit's actions and sign-off history below. The other
pages are then readied while the program is idle (``page_warmer``), so moving on only paints;
the keyboard focus is followed by ``field_focus`` (no event filter on every field). Every change
is saved as it is made (``autosave``), and each committed save updates the engine's view of the
audit: which conditional questions apply, timescale sentences, section progress, the suggested
grade and every cap. The form's commands (raise an action, "Child may be at risk now", sign off,
reopen, move between sections) are run from the window's menus through ``run_command``; the
dialogs live in ``form_commands``. A signed audit is shown with read-only fields that keyboard
and screen reader can still reach.
"""

from __future__ import annotations

import gc
import time
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...errors import ValidationError
from ...services.audits import AuditForm, AuditLocked, SaveResult, open_audit
from ...templating import GradingResult, is_answered
from ...vocabulary import AuditStatus
from ..context import ShellContext
from ..formatting import format_time
from ..geometry import remember_splitter
from .autosave import Autosaver
from .banners import (
    ALL_SAVED,
    AS_YOU_GO,
    NOT_SAVED,
    SAVING,
    CaseHeaderBar,
    FormButtons,
    concern_strip,
    notice,
    read_only_text,
)
from .field_focus import FieldFocus
from .form_commands import FormCommands
from .guidance_panel import GuidancePanel
from .history_panel import ActionsPanel, HistoryPanel
from .overall_panel import OverallPanel
from .page_warmer import PageWarmer
from .question_widgets import QuestionWidget
from .save_ops import SaveOps
from .section_list import SectionList, SectionListModel, section_progress
from .section_page import SectionPage

#: While saves keep coming back, the engine's latest view is shown at least this often.
APPLY_AT_LEAST_S = 0.3


class AuditFormView(QWidget):
    """One audit, opened for work (or for reading, when signed)."""

    saved = Signal(object)
    commands_changed = Signal()
    close_requested = Signal()
    loaded = Signal()

    def __init__(self, context: ShellContext, audit_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("auditForm")
        self.setAccessibleName("Audit form")
        self.context = context
        self.audit_id = audit_id
        self.form: AuditForm | None = None
        self.grading: GradingResult | None = None
        self.pages: dict[str, SectionPage] = {}
        self.body: QWidget | None = None
        self.answered: set[str] = set()
        self.focus_question: str | None = None
        self.last_saved: datetime | None = None
        self.autosave = Autosaver(context.runner, self)
        self.ops = SaveOps(self)
        self.commands = FormCommands(self)
        self.field_focus = FieldFocus(self)
        self.autosave.saved.connect(self._saved)
        self.autosave.failed.connect(self._save_failed)
        self.autosave.state_changed.connect(self._show_save_state)
        self._switching = False
        self._applied_at = 0.0
        self.warmer = PageWarmer(
            self,
            lambda: self.stack if self.body is not None else None,
            lambda section_id: self._new_page(section_id, build_now=False),
            self.pages,
        )
        self.loading = QLabel("Opening the audit…", self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loading)
        self.reload()

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the audit again (after sign-off, reopening or a concern) and show it."""
        self.autosave.flush()
        db, user, audit_id = self.context.db, self.context.user, self.audit_id
        self.context.runner.run(
            lambda: open_audit(db, user, audit_id),
            self._show,
            self._load_failed,
            label="Opening the audit",
            owner=self,
        )

    def _load_failed(self, exc: BaseException) -> None:
        self.loading.setText("This audit could not be opened.")
        handler = self.context.runner.error_handler
        if handler is not None:
            handler(exc, "Opening the audit")
        self.close_requested.emit()

    def _show(self, form: AuditForm) -> None:
        current = self.current_section()
        self.form = form
        self.answered = {qid for qid, a in form.answers.items() if is_answered(a.value)}
        self.pages.clear()
        if self.body is not None:
            self.body.hide()
            self.body.deleteLater()
        self.loading.hide()
        self.body = self._build(form)
        self._layout.addWidget(self.body)
        self.apply(form.grading, form.status)
        sections = self.section_model.section_ids
        if sections:
            self.show_section(current if current in sections else sections[0], focus=False)
        self.focus_first_field()
        # While the auditor works, what is alive now (the program, the database layer, this
        # form) is left out of Python's full garbage collections: one of those can pause the
        # window for 50-100 ms. ``release`` hands it back when the audit is closed.
        gc.freeze()
        self.warmer.start([sid for sid in sections if sid != self.current_section()])
        self.loaded.emit()
        self.commands_changed.emit()

    def _build(self, form: AuditForm) -> QWidget:
        body = QWidget(self)
        self.header = CaseHeaderBar(form.header, body)
        self.header.back.clicked.connect(self.close_requested.emit)
        self.section_model = SectionListModel(body)
        self.section_list = SectionList(self.section_model, body)
        self.section_list.selectionModel().currentChanged.connect(
            lambda index, _old: (
                self.show_section(self.section_model.section_ids[index.row()])
                if index.isValid() and not self._switching
                else None
            )
        )
        self.overall = OverallPanel(
            form.definition.scale,
            form.overall_grade,
            form.overall_rationale,
            read_only=form.read_only,
            parent=body,
        )
        self.overall.grade_changed.connect(lambda: self.ops.overall_changed(at_once=True))
        self.overall.rationale_changed.connect(lambda: self.ops.overall_changed(at_once=False))
        self.stack = QStackedWidget(body)
        self.stack.setObjectName("sectionPages")
        self.guidance = GuidancePanel(body)
        self.actions_panel = ActionsPanel(body)
        self.actions_panel.set_actions(form.definition, form.actions)
        self.history_panel = HistoryPanel(body)
        self.history_panel.set_history(form.history)
        self.tabs = QTabWidget(body)
        self.tabs.setObjectName("auditTabs")
        self.tabs.setAccessibleName("Actions and history")
        self.tabs.addTab(self.actions_panel, f"Actions ({len(form.actions)})")
        self.tabs.addTab(self.history_panel, f"Sign-off history ({len(form.history)})")

        left = QWidget(body)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Sections", left))
        left_layout.addWidget(self.section_list, 1)
        left_layout.addWidget(self.overall)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("auditFormSplitter")
        self.splitter.setChildrenCollapsible(False)
        for widget, stretch in ((left, 2), (self.stack, 5), (self.guidance, 2)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        unit = self.fontMetrics().averageCharWidth()
        self.splitter.setSizes([34 * unit, 90 * unit, 34 * unit])
        remember_splitter(self, self.splitter)
        vertical = QSplitter(Qt.Orientation.Vertical, body)
        vertical.setObjectName("auditFormVertical")
        vertical.addWidget(self.splitter)
        vertical.addWidget(self.tabs)
        vertical.setStretchFactor(0, 5)
        vertical.setStretchFactor(1, 1)
        vertical.setChildrenCollapsible(False)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        if form.read_only:
            layout.addWidget(notice("readOnlyNotice", read_only_text(form), body)[0])
        for concern in form.concerns:
            if concern.acknowledged_at is None:
                strip, button = concern_strip(concern, body)
                button.clicked.connect(lambda _c=False, row=concern: self.commands.acknowledge(row))
                layout.addWidget(strip)
        layout.addWidget(vertical, 1)
        self.buttons = FormButtons(body)
        self.buttons.action.clicked.connect(lambda: self.run_command("raise_action"))
        self.buttons.risk.clicked.connect(lambda: self.run_command("child_at_risk"))
        self.buttons.sign.clicked.connect(lambda: self.run_command("sign_off"))
        self.buttons.reopen.clicked.connect(lambda: self.run_command("reopen_audit"))
        self.buttons.show_for(self.available_commands())
        layout.addWidget(self.buttons)
        return body

    # -- sections -------------------------------------------------------------------------
    def current_section(self) -> str | None:
        page = self.stack.currentWidget() if self.body is not None else None
        return page.section.id if isinstance(page, SectionPage) else None

    def page(self, section_id: str) -> SectionPage:
        """The page of ``section_id`` with all its questions (built the first time it is asked)."""
        page = self._new_page(section_id, build_now=True)
        if not page.complete:
            page.build_all()
        return page

    def _new_page(self, section_id: str, *, build_now: bool) -> SectionPage:
        page = self.pages.get(section_id)
        if page is None:
            assert self.form is not None
            sections = self.form.definition.sections
            number = next(n for n, s in enumerate(sections, 1) if s.id == section_id)
            page = SectionPage(
                sections[number - 1], number, self.form, self.stack, build_now=build_now
            )
            page.question_changed.connect(self.ops.question_changed)
            page.question_focused.connect(self._question_focused)
            page.left_field.connect(lambda _key: self.autosave.flush())
            page.grade_changed.connect(lambda sid: self.ops.section_changed(sid, at_once=True))
            page.commentary_changed.connect(
                lambda sid: self.ops.section_changed(sid, at_once=False)
            )
            page.action_requested.connect(self.commands.raise_action)
            if self.grading is not None:
                page.apply(self.grading)
            self.pages[section_id] = page
            self.stack.addWidget(page)
        return page

    def show_section(self, section_id: str, *, focus: bool = True) -> SectionPage:
        page = self.page(section_id)
        self.stack.setCurrentWidget(page)
        self._switching = True  # the list follows; its signal must not show the section again
        try:
            self.section_list.select_section(section_id)
        finally:
            self._switching = False
        self._tab_order(page)
        if focus:
            page.first_field().setFocus(Qt.FocusReason.OtherFocusReason)
        self.commands_changed.emit()
        return page

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.warmer.resume()

    def focus_first_field(self) -> None:
        """Put the focus on the current section's first answer (once the form is shown)."""
        page = self.stack.currentWidget() if self.body is not None else None
        if isinstance(page, SectionPage) and self.isVisible():
            page.first_field().setFocus(Qt.FocusReason.OtherFocusReason)

    def move_section(self, step: int) -> None:
        sections = self.section_model.section_ids
        current = self.current_section()
        if not sections or current not in sections:
            return
        row = sections.index(current) + step
        if 0 <= row < len(sections):
            self.show_section(sections[row])

    def _tab_order(self, page: SectionPage) -> None:
        chain: list[QWidget] = [self.header.back, self.section_list, *page.focus_chain()]
        chain += [*self.overall.focus_chain(), *self.buttons.chain()]
        chain += [self.guidance.toggle, self.tabs]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def question_widget(self, question_id: str) -> QuestionWidget | None:
        assert self.form is not None
        section_id = self.form.definition.question(question_id).section_id
        return self.page(section_id).questions.get(question_id)

    def _question_focused(self, question_id: str) -> None:
        self.focus_question = question_id
        widget = self.question_widget(question_id)
        if widget is not None and self.form is not None:
            section = self.form.definition.section(widget.question.section_id)
            self.guidance.show_question(widget.question, widget.number, section)

    # -- the engine's view of the audit ---------------------------------------------------
    def apply(self, grading: GradingResult, status: AuditStatus) -> None:
        assert self.form is not None
        self.grading = grading
        self.status = status
        self.section_model.set_progress(
            section_progress(self.form.definition, grading, self.answered)
        )
        for page in self.pages.values():
            page.apply(grading)
        self.overall.apply(grading)
        self.header.set_status(status)
        self._show_save_state()

    def _saved(self, _key: str, result: object) -> None:
        if not isinstance(result, SaveResult):
            return
        self.last_saved = result.saved_at
        self.saved.emit(result.saved_at)  # committed: the status bar may say "Saved"
        # A burst of saves returns a burst of gradings: show the last one (the others are
        # already out of date), but at least every APPLY_AT_LEAST_S while the burst goes on.
        now = time.monotonic()
        if self.autosave.in_flight == 0 or now - self._applied_at >= APPLY_AT_LEAST_S:
            self._applied_at = now
            self.apply(result.grading, result.status)
        else:
            self._show_save_state()

    def _save_failed(self, key: str, exc: BaseException) -> None:
        if isinstance(exc, AuditLocked):
            self.autosave.discard()
            self._report(exc, "Saving")
            self.reload()
            return
        if isinstance(exc, ValidationError) and key.startswith("answer:"):
            widget = self.question_widget(key.split(":", 1)[1])
            if widget is not None:
                widget.show_problem(exc.message)
            return
        self._report(exc, "Saving")

    def _report(self, exc: BaseException, doing: str) -> None:
        handler = self.context.runner.error_handler
        if handler is not None:
            handler(exc, doing)

    def _show_save_state(self) -> None:
        if self.body is None:
            return
        if self.autosave.busy:
            text = SAVING
        elif self.autosave.last_error is not None:
            text = NOT_SAVED
        elif self.last_saved is not None:
            text = ALL_SAVED.format(time=format_time(self.last_saved))
        else:
            text = AS_YOU_GO
        self.header.set_save_state(text)

    # -- commands -------------------------------------------------------------------------
    def available_commands(self) -> set[str]:
        return self.commands.available() if self.form is not None else {"close_audit"}

    def run_command(self, name: str) -> None:
        self.commands.run(name)

    def leave(self) -> None:
        """Send any change still waiting for the typing pause (closing, signing out)."""
        self.autosave.flush()

    def release(self) -> None:
        """The audit is being closed: let the garbage collector see everything again."""
        self.warmer.stop()
        gc.unfreeze()

    def focused_inside(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self.isAncestorOf(focus)
