"""The auditor's workbench: the queue of audits, opening one, and saving every change at once.

``my_queue`` lists the signed-in auditor's audits (or everyone's) in the open rounds with one
set-based query, so it stays fast with thousands of audits. ``open_audit`` gathers all the form
needs: the template version the audit is scored against, a case header that never names the
child (pseudonymous case key, pathway, team, worker, key dates), the answers, section grades,
the engine's grading, actions, safeguarding concerns and sign-off history. ``save_answer``,
``set_section_grade`` and ``set_overall`` are the autosave: each change is validated, committed
in its own transaction with its trail entry, and the audit row's suggested grade, compliance and
status (not started → in progress ⇄ awaiting sign-off) kept in step. A signed audit refuses
every change (``AuditLocked``) until it is reopened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from ..db import Database
from ..errors import ValidationError
from ..models import (
    Answer,
    CaseFile,
    Child,
    PathwayEvent,
    SectionJudgement,
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
from . import trail
from .actions import ActionRow, action_rows
from .audit_queue import QueueRow, enum_label, my_queue
from .audit_records import (
    AuditLocked,
    Regrader,
    answer_values,
    as_utc,
    can_edit,
    check_can_edit,
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
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
        assert actor is not None
        regrader = Regrader(s, audit)
        try:
            question = regrader.definition.question(question_id)
        except KeyError:
            raise ValidationError(
                f"The template of audit {audit_id} has no question '{question_id}'. "
                "Nothing was saved."
            ) from None
        stored = _stored_value(question, value)
        rows = s.execute(
            select(
                Answer.id, Answer.question_id, Answer.value, Answer.evidence, Answer.na_reason
            ).where(Answer.audit_id == audit.id)
        ).all()
        answers = {q: AnswerValue(v, e or "", n or "") for _i, q, v, e, n in rows}
        current = next((r for r in rows if r[1] == question_id), None)
        if current is None and stored is None and not evidence and not na_reason:
            grading = regrader.grading(answers)  # nothing to keep: nothing changes
            return SaveResult(audit_id, utcnow(), AuditStatus(audit.status), grading)
        old = (current[2], current[3] or "", current[4] or "") if current else (None, "", "")
        new = (
            stored,
            old[1] if evidence is None else evidence,
            old[2] if na_reason is None else na_reason,
        )
        if current is None:
            answer = Answer(audit_id=audit.id, question_id=question_id, updated_at=utcnow())
            answer.value, answer.evidence, answer.na_reason = new
            s.add(answer)
            trail.record(s, actor.id, answer, "create")
        elif new != old:
            # The hot path of autosave: a plain UPDATE, and the trail entry from snapshots of
            # the row before and after (the same snapshots the trail's verification takes).
            answer_id = current[0]
            s.execute(
                update(Answer)
                .where(Answer.id == answer_id)
                .values(value=new[0], evidence=new[1], na_reason=new[2], updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            before, after = (
                trail.snapshot(
                    Answer(
                        id=answer_id,
                        audit_id=audit.id,
                        question_id=question_id,
                        value=v,
                        evidence=e,
                        na_reason=n,
                    )
                )
                for v, e, n in (old, new)
            )
            trail.append(s, actor.id, "answer", answer_id, "update", before, after)
        answers[question_id] = AnswerValue(*new)
        grading = regrader.finish(actor.id, answers=answers)
        status = AuditStatus(audit.status)
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
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
        assert actor is not None
        regrader = Regrader(s, audit)
        try:
            section = regrader.definition.section(section_id)
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
        judgement = s.scalars(
            select(SectionJudgement).where(
                SectionJudgement.audit_id == audit.id, SectionJudgement.section_id == section_id
            )
        ).first()
        if judgement is None and grade is None and not commentary:
            grading = regrader.grading()  # nothing to keep: nothing changes
            return SaveResult(audit_id, utcnow(), AuditStatus(audit.status), grading)
        before = trail.snapshot(judgement) if judgement is not None else None
        if judgement is None:
            judgement = SectionJudgement(audit_id=audit.id, section_id=section_id, commentary="")
            s.add(judgement)
        judgement.grade = grade
        if commentary is not None:
            judgement.commentary = commentary
        s.flush()
        if before is None or trail.snapshot(judgement) != before:
            trail.record(s, actor.id, judgement, "update" if before else "create", before)
        grading = regrader.finish(actor.id)
        status = AuditStatus(audit.status)
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
    with trail.writing(db) as s:
        audit = load_audit(s, audit_id)
        check_can_edit(s, actor, audit)
        assert actor is not None
        regrader = Regrader(s, audit)
        audit.overall_grade = grade
        if rationale is not None:
            audit.overall_rationale = rationale
        grading = regrader.finish(actor.id)
        status = AuditStatus(audit.status)
    return SaveResult(audit_id, utcnow(), status, grading)
