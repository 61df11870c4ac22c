"""One autosave change to an audit, done with plain statements instead of the ORM.

Autosave commits every answer as it is given, so its cost is felt on every keystroke that
lands. ``AuditChange`` is the shared body of ``save_answer``, ``set_section_grade`` and
``set_overall``; ``changing`` gives one inside a transaction that holds the write lock from its
start and commits when the block ends. It reads the audit row, its template version's hash and
the head of the trail in one query, applies the editing rule (``check_can_edit``), takes the
parsed definition from the per-version cache, reads only what grading needs (answers, section
grades, the case file's pathway), and ``finish`` regrades, moves the status on (``progress``),
writes the audit row and appends its sealed trail entry when its recorded state changed. The
statements run through a store: Core statements on a ``trail.writing`` session on PostgreSQL
(``audit_statements.CoreStore``), plain SQL on the driver's connection on SQLite
(``audit_sqlite``), so no ORM object is loaded, flushed or snapshotted; the trail entries of one
change are sealed as they arise and written together in one statement. The guarantees are those
of the ORM path it replaces: one transaction, the write lock first, a trail entry with before →
after for every change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound
from ..models import Answer, Audit, SectionJudgement
from ..models.base import utcnow
from ..templating import AnswerValue, CaseContext, GradingResult, TemplateDefinition, grade
from ..vocabulary import AuditStatus
from . import trail_writing as trail
from .audit_records import can_edit, check_can_edit, definition_for, known_definition, progress
from .audit_sqlite import NeedsSession, sqlite_transaction
from .audit_statements import CoreStore
from .users import UserInfo

__all__ = ["AnswerRow", "AuditChange", "AuditState", "AuditStore", "JudgementRow", "changing"]

_READ: dict[tuple[str | None, str | None], AnswerValue] = {}
_READ_KEPT = 50_000
_SHORT = 80  # characters of stored text worth remembering (answers and N/A reasons)
_SCALARS = (str, int, float, bool, type(None))


def _answer_value(stored: str | None, na_reason: str | None) -> AnswerValue:
    """An answer as grading reads it, from its stored JSON text and N/A reason.

    Remembered when the value is a scalar (then the answer is immutable, and the same text
    always reads the same), because an audit's answers are read again on every save."""
    key = (stored, na_reason)
    found = _READ.get(key)
    if found is None:
        value = None if stored is None else json.loads(stored)
        found = AnswerValue(value, "", na_reason or "")
        # A list of choices is read afresh (nobody shares it); so is long text, which may be
        # free text about the child and is not worth keeping in memory.
        if isinstance(value, _SCALARS) and len(key[0] or "") + len(key[1] or "") <= _SHORT:
            if len(_READ) >= _READ_KEPT:
                _READ.clear()
            _READ[key] = found
    return found


@dataclass(frozen=True, slots=True)
class AuditState:
    """The audit row as the trail records it (the attribute names of ``Audit``)."""

    id: int
    case_file_id: int
    template_version_id: int
    sample_item_id: int | None
    auditor_user_id: int
    status: AuditStatus
    due_on: date | None
    suggested_grade: int | None
    overall_grade: int | None
    overall_rationale: str | None
    compliance_percent: float | None
    started_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One stored answer, as ``trail.snapshot`` of an ``Answer`` reads it."""

    id: int
    audit_id: int
    question_id: str
    value: Any
    evidence: str
    na_reason: str


@dataclass(frozen=True, slots=True)
class JudgementRow:
    """One section judgement, as ``trail.snapshot`` of a ``SectionJudgement`` reads it."""

    id: int
    audit_id: int
    section_id: str
    grade: int | None
    commentary: str


class AuditStore(Protocol):
    """The statements an ``AuditChange`` runs in its transaction (``CoreStore``, ``SqliteStore``)."""

    def reading(self) -> AbstractContextManager[Session]: ...
    def load(self, audit_id: int) -> Any: ...
    def answers(self, audit_id: int, question_id: str | None) -> Any: ...
    def surroundings(self, audit_id: int, case_file_id: int) -> Any: ...
    def open_concern(self, audit_id: int) -> bool: ...
    def judged(self, audit_id: int, section_id: str) -> Any: ...
    def add_answer(self, values: dict[str, Any]) -> int: ...
    def set_answer(self, values: dict[str, Any]) -> None: ...
    def add_judgement(self, values: dict[str, Any]) -> int: ...
    def set_judgement(self, values: dict[str, Any]) -> None: ...
    def update_audit(self, values: dict[str, Any]) -> None: ...
    def write_entries(self, entries: list[dict[str, Any]]) -> None: ...


@contextmanager
def changing(db: Database, actor: UserInfo | None, audit_id: int) -> Iterator[AuditChange]:
    """An ``AuditChange`` in its own transaction, begun with the write lock and committed when
    the block ends (rolled back, with nothing written, on any error)."""
    if db.kind != "postgresql":
        with sqlite_transaction(db) as store:
            try:
                change = AuditChange(store, actor, audit_id)
            except NeedsSession:  # nothing written yet: done again through a session below
                change = None
            if change is not None:
                yield change
                return
    with trail.writing(db) as session:
        yield AuditChange(CoreStore(session), actor, audit_id)


class AuditChange:
    """One change to an audit through ``store``, in a transaction that holds the write lock.

    Raises ``NotFound``, ``PermissionDenied`` or ``AuditLocked`` before anything is written."""

    def __init__(self, store: AuditStore, actor: UserInfo | None, audit_id: int) -> None:
        self.store = store
        row = store.load(audit_id)
        if row is None:
            raise NotFound(f"There is no audit number {audit_id}. Check the number in 'My audits'.")
        *fields, sha256, head_id, head_hash = row
        self._head: tuple[int, str] = (head_id, head_hash) if head_id else (0, "")
        state = AuditState(*fields)
        if not (can_edit(actor, state) and state.status != AuditStatus.SIGNED):
            with store.reading() as session:
                check_can_edit(session, actor, state)  # raises, saying why
        assert actor is not None
        self.actor_id = actor.id
        self.state = self.before = state
        definition = known_definition(state.template_version_id, sha256)
        if definition is None:
            with store.reading() as session:
                definition = definition_for(session, state.template_version_id, sha256)
        self.definition: TemplateDefinition = definition
        self._grades: dict[str, int | None] | None = None
        self._context: CaseContext | None = None
        self._entries: list[dict[str, Any]] = []  # sealed trail entries ``finish`` writes

    # -- what grading needs ---------------------------------------------------------------------
    def answers(
        self, question_id: str | None = None
    ) -> tuple[dict[str, AnswerValue], AnswerRow | None]:
        """The audit's answers as grading reads them (value and N/A reason; the evidence is
        left out, as grading never reads it), and the whole stored row of ``question_id``."""
        audit_id = self.state.id
        rows = self.store.answers(audit_id, question_id)
        answers = {q: _answer_value(v, n) for _i, q, v, n, _e in rows}
        found = next((r for r in rows if r[1] == question_id), None)
        if found is None:
            return answers, None
        i, q, v, n, e = found
        return answers, AnswerRow(i, audit_id, q, answers[q].value, e or "", n or "")

    def section_grades(self) -> dict[str, int | None]:
        """Section id → the auditor's grade (None when only commentary was given)."""
        if self._grades is None:
            self._read_surroundings()
        assert self._grades is not None
        return self._grades

    def context(self) -> CaseContext:
        """The case file's pathway stages and event dates (as ``case_context`` gives them)."""
        if self._context is None:
            self._read_surroundings()
        assert self._context is not None
        return self._context

    def _read_surroundings(self) -> None:
        grades: dict[str, int | None] = {}
        events: dict[str, list[date]] = defaultdict(list)
        stages: set[str] = set()
        state = self.state
        rows = self.store.surroundings(state.id, state.case_file_id)
        for kind, key, grade_given, started in rows:
            if kind == "grade":
                grades[key] = grade_given
            elif kind == "stage":
                stages.add(getattr(key, "value", key))
            else:
                events[getattr(key, "value", key)].append(started)
        stages |= set(events)
        if self._grades is None:
            self._grades = grades
        self._context = CaseContext(frozenset(stages), {k: sorted(v) for k, v in events.items()})

    def grading(self, answers: dict[str, AnswerValue]) -> GradingResult:
        state = self.state
        return grade(
            self.definition,
            answers,
            self.section_grades(),
            state.overall_grade,
            self.context(),
            overall_rationale=state.overall_rationale,
        )

    # -- writing --------------------------------------------------------------------------------
    def set_overall(self, grade_given: int | None, rationale: str | None) -> None:
        """The overall grade (and rationale, unless ``None``) to write with ``finish``."""
        changes: dict[str, Any] = {"overall_grade": grade_given}
        if rationale is not None:
            changes["overall_rationale"] = rationale
        self.state = replace(self.state, **changes)

    def write_answer(
        self, current: AnswerRow | None, question_id: str, new: tuple[Any, str, str]
    ) -> AnswerRow:
        """Store an answer's (value, evidence, N/A reason) and append its trail entry."""
        value, evidence, na_reason = new
        values = {"value": value, "evidence": evidence, "na_reason": na_reason}
        if current is None:
            added = self.store.add_answer(
                {"audit_id": self.state.id, "question_id": question_id, "updated_at": utcnow()}
                | values
            )
            row = AnswerRow(added, self.state.id, question_id, *new)
            self._append("answer", row.id, "create", None, trail.snapshot_of(Answer, row))
            return row
        self.store.set_answer({"answer_id": current.id, "updated_at": utcnow()} | values)
        row = replace(current, **values)
        before, after = trail.snapshot_of(Answer, current), trail.snapshot_of(Answer, row)
        self._append("answer", row.id, "update", before, after)
        return row

    def judgement(self, section_id: str) -> JudgementRow | None:
        """The section's judgement row, if it has one."""
        found = self.store.judged(self.state.id, section_id)
        if found is None:
            return None
        return JudgementRow(found[0], self.state.id, section_id, found[1], found[2] or "")

    def write_judgement(
        self, current: JudgementRow | None, section_id: str, grade_given: int | None, comment: str
    ) -> None:
        """Store a section's grade and commentary and append its trail entry (if it changed)."""
        values = {"grade": grade_given, "commentary": comment}
        if current is None:
            added = self.store.add_judgement(
                {"audit_id": self.state.id, "section_id": section_id} | values
            )
            row = JudgementRow(added, self.state.id, section_id, grade_given, comment)
            after = trail.snapshot_of(SectionJudgement, row)
            self._append("section_judgement", row.id, "create", None, after)
        else:
            row = replace(current, **values)
            if row == current:
                return
            self.store.set_judgement({"judgement_id": current.id} | values)
            before = trail.snapshot_of(SectionJudgement, current)
            after = trail.snapshot_of(SectionJudgement, row)
            if after != before:
                self._append("section_judgement", row.id, "update", before, after)
        self._grades = {**self.section_grades(), section_id: grade_given}

    def _append(self, entity: str, entity_id: int, operation: str, before: Any, after: Any) -> None:
        """Seal a trail entry now; ``finish`` writes every entry sealed, in one statement."""
        head_id, head_hash = self._head
        entry = trail.sealed_entry(
            head_id + 1, head_hash, self.actor_id, entity, entity_id, operation, before, after
        )
        self._entries.append(entry)
        self._head = (entry["id"], entry["entry_hash"])

    def finish(self, answers: dict[str, AnswerValue]) -> GradingResult:
        """Regrade, move the status on, write the audit row and, if its recorded state changed,
        its trail entry; return the grading."""
        result = self.grading(answers)
        moved = progress(
            self.state,
            result,
            answers,
            started=True,
            concerns_open=self._concern_open,
        )
        state = self.state = replace(self.state, **moved)
        self.store.update_audit(
            {
                "audit_id": state.id,
                "status": state.status,
                "suggested_grade": state.suggested_grade,
                "overall_grade": state.overall_grade,
                "overall_rationale": state.overall_rationale,
                "compliance_percent": state.compliance_percent,
                "started_at": state.started_at,
                "updated_at": utcnow(),
            }
        )
        before = trail.snapshot_of(Audit, self.before)
        after = trail.snapshot_of(Audit, state)
        if after != before:
            self._append("audit", state.id, "update", before, after)
            self.before = state
        self.store.write_entries(self._entries)
        self._entries = []
        return result

    def _concern_open(self) -> bool:
        return self.store.open_concern(self.state.id)
