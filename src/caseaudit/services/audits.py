"""The auditor's workbench: the queue of audits, opening one, and saving every change at once.

``my_queue`` lists the signed-in auditor's audits (or everyone's) in the open rounds with one
set-based query, so it stays fast with thousands of audits. ``open_audit`` gathers all the form
needs: the template version the audit is scored against, a case header that never names the
child (pseudonymous case key, pathway, team, worker, key dates), the answers, section grades,
the engine's grading, actions, safeguarding concerns and sign-off history. ``save_answer``,
``set_section_grade`` and ``set_overall`` are the autosave: each change is validated, committed
in its own transaction with its trail entry, and the audit row's suggested grade, compliance and
status (not started → in progress ⇄ awaiting sign-off) kept in step, all on plain statements
(``audit_change``; on SQLite, plain SQL on the driver's connection), because autosave runs on
every change. A signed audit refuses
every change (``AuditLocked``) until it is reopened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..db import Database
from ..errors import ValidationError
from ..models import (
    CaseFile,
    Child,
    PathwayEvent,
    Team,
    Worker,
)
from ..models.base import utcnow
from ..templating import (
    AnswerValue,
    CaseContext,
    GradingResult,
    TemplateDefinition,
    answer_problem,
    as_date,
    is_answered,
)
from ..templating.schema import normalise_yes_no
from ..vocabulary import AuditStatus, CaseStatus, PathwayStage
from .actions import ActionRow, action_rows
from .audit_change import changing
from .audit_queue import QueueRow, enum_label, my_queue
from .audit_records import (
    AuditLocked,
    Regrader,
    answer_values,
    as_utc,
    can_edit,
    judgements,
    load_audit,
)
from .escalation import ConcernRow, concern_rows
from .permissions import Permission, require
from .signoff import SignOffRow, history_rows
from .users import UserInfo

__all__ = [
    "AuditForm",
    "AuditLocked",
    "CaseHeader",
    "QueueRow",
    "SaveResult",
    "my_queue",
    "open_audit",
    "save_answer",
    "set_overall",
    "set_section_grade",
]


@dataclass(frozen=True)
class CaseHeader:
    """What the form shows about the case file: never the child's name or date of birth."""

    case_key: str
    pathway_label: str
    team: str
    worker: str
    status_label: str
    key_dates: list[tuple[str, date]]


@dataclass(frozen=True)
class AuditForm:
    audit_id: int
    status: AuditStatus
    read_only: bool
    definition: TemplateDefinition
    header: CaseHeader
    context: CaseContext
    answers: dict[str, AnswerValue]
    section_grades: dict[str, int | None]
    section_commentary: dict[str, str]
    overall_grade: int | None
    overall_rationale: str
    grading: GradingResult
    actions: list[ActionRow]
    concerns: list[ConcernRow]
    history: list[SignOffRow]
    updated_at: datetime


@dataclass(frozen=True)
class SaveResult:
    audit_id: int
    saved_at: datetime
    status: AuditStatus
    grading: GradingResult


def _header(s: Any, case: CaseFile) -> CaseHeader:
    row = s.execute(
        select(Child.case_key, Team.name, Worker.name)
        .select_from(CaseFile)
        .join(Child, Child.id == CaseFile.child_id)
        .outerjoin(Team, Team.id == CaseFile.team_id)
        .outerjoin(Worker, Worker.id == CaseFile.worker_id)
        .where(CaseFile.id == case.id)
    ).one()
    latest: dict[str, date] = {}
    for stage, started in s.execute(
        select(PathwayEvent.stage, PathwayEvent.started_on).where(
            PathwayEvent.case_file_id == case.id
        )
    ):
        label = enum_label(PathwayStage, stage)
        if label not in latest or started > latest[label]:
            latest[label] = started
    dates = [("Case opened", case.opened_on)]
    if case.closed_on is not None:
        dates.append(("Case closed", case.closed_on))
    dates += sorted(latest.items(), key=lambda item: (item[1], item[0]))
    return CaseHeader(
        case_key=row[0],
        pathway_label=enum_label(PathwayStage, case.current_stage),
        team=row[1] or "",
        worker=row[2] or "",
        status_label=enum_label(CaseStatus, case.status),
        key_dates=dates,
    )


def open_audit(db: Database, actor: UserInfo | None, audit_id: int) -> AuditForm:
    """Everything the audit form shows; ``read_only`` when signed or not the actor's to edit."""
    require(actor, Permission.VIEW_CASES)
    with db.session() as s:
        audit = load_audit(s, audit_id)
        regrader = Regrader(s, audit)
        answers = answer_values(s, audit.id)
        judged = judgements(s, audit.id)
        grading = regrader.grading(answers)
        status = AuditStatus(audit.status)
        return AuditForm(
            audit_id=audit.id,
            status=status,
            read_only=status == AuditStatus.SIGNED or not can_edit(actor, audit),
            definition=regrader.definition,
            header=_header(s, audit.case_file),
            context=regrader.context,
            answers=answers,
            section_grades={sid: g for sid, (g, _c) in judged.items()},
            section_commentary={sid: c for sid, (_g, c) in judged.items() if c},
            overall_grade=audit.overall_grade,
            overall_rationale=audit.overall_rationale or "",
            grading=grading,
            actions=action_rows(s, audit.id),
            concerns=concern_rows(s, audit.id),
            history=history_rows(s, audit.id),
            updated_at=as_utc(audit.updated_at),  # type: ignore[arg-type]
        )


def _stored_value(question: Any, value: Any) -> Any:
    """``value`` as it is stored (JSON): validated, N/A spelled ``na``, a date as ISO text."""
    if not is_answered(value):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problem = f"The answer to '{question.text}' must be a number"
        raise ValidationError(f"{problem}. Nothing was saved.", [problem])
    problem = answer_problem(question, value)
    if problem:
        raise ValidationError(f"{problem}. Nothing was saved.", [problem])
    if question.type == "yes_no":
        return normalise_yes_no(value)
    if question.type == "date":
        return as_date(value).isoformat()  # type: ignore[union-attr]
    if question.type == "choice" and isinstance(value, tuple):
        return list(value)
    return value


def save_answer(
    db: Database,
    actor: UserInfo | None,
    audit_id: int,
    question_id: str,
    value: Any,
    *,
    evidence: str | None = None,
    na_reason: str | None = None,
) -> SaveResult:
    """Save one answer (``None`` evidence or N/A reason: leave it as it is)."""
    with changing(db, actor, audit_id) as change:
        try:
            question = change.definition.question(question_id)
        except KeyError:
            raise ValidationError(
                f"The template of audit {audit_id} has no question '{question_id}'. "
                "Nothing was saved."
            ) from None
        stored = _stored_value(question, value)
        answers, current = change.answers(question_id)
        if current is None and stored is None and not evidence and not na_reason:
            grading = change.grading(answers)  # nothing to keep: nothing changes
            return SaveResult(audit_id, utcnow(), change.state.status, grading)
        old = (current.value, current.evidence, current.na_reason) if current else (None, "", "")
        new = (
            stored,
            old[1] if evidence is None else evidence,
            old[2] if na_reason is None else na_reason,
        )
        if current is None or new != old:
            change.write_answer(current, question_id, new)
        answers[question_id] = AnswerValue(*new)
        grading = change.finish(answers)
        status = change.state.status
    return SaveResult(audit_id, utcnow(), status, grading)


def _valid_grade(grade: int | None, what: str) -> int | None:
    if grade is None:
        return None
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 4:
        raise ValidationError(f"{what} must be a grade from 1 to 4. Nothing was saved.")
    return grade


def set_section_grade(
    db: Database,
    actor: UserInfo | None,
    audit_id: int,
    section_id: str,
    grade: int | None,
    *,
    commentary: str | None = None,
) -> SaveResult:
    """Give (or clear, with ``None``) a section's grade; ``None`` commentary: leave it."""
    with changing(db, actor, audit_id) as change:
        try:
            section = change.definition.section(section_id)
        except KeyError:
            raise ValidationError(
                f"The template of audit {audit_id} has no section '{section_id}'. "
                "Nothing was saved."
            ) from None
        grade = _valid_grade(grade, f"The grade of section '{section.title}'")
        if grade is not None and not section.graded:
            raise ValidationError(
                f"Section '{section.title}' is not graded (it records facts), so it takes no "
                "grade. Nothing was saved."
            )
        answers, _none = change.answers()
        judgement = change.judgement(section_id)
        if judgement is None and grade is None and not commentary:
            grading = change.grading(answers)  # nothing to keep: nothing changes
            return SaveResult(audit_id, utcnow(), change.state.status, grading)
        kept = judgement.commentary if judgement is not None else ""
        change.write_judgement(
            judgement, section_id, grade, kept if commentary is None else commentary
        )
        grading = change.finish(answers)
        status = change.state.status
    return SaveResult(audit_id, utcnow(), status, grading)


def set_overall(
    db: Database,
    actor: UserInfo | None,
    audit_id: int,
    grade: int | None,
    rationale: str | None = None,
) -> SaveResult:
    """Give (or clear) the overall grade; ``None`` rationale: leave it as it is."""
    grade = _valid_grade(grade, "The overall grade")
    with changing(db, actor, audit_id) as change:
        change.set_overall(grade, rationale)
        grading = change.finish(change.answers()[0])
        status = change.state.status
    return SaveResult(audit_id, utcnow(), status, grading)
