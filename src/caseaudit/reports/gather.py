"""Gathering what a report needs from the database, in a few set-based queries.

``gather_round`` reads a round, its audits, section grades, answers, findings, actions, earlier
rounds of the same programme and (for IRO programmes) each IRO's results, with one query per
kind of row, never one query per audit. ``gather_audit`` does the same for a single audit.
Children's names are read only when the named internal version was explicitly asked for;
otherwise a ``Redactor`` knowing every name in the database goes with the data.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..errors import NotFound
from ..models import (
    Action,
    Answer,
    Audit,
    AuditRound,
    AuditTemplate,
    CaseFile,
    Child,
    ChildIdentity,
    Finding,
    PathwayEvent,
    SampleItem,
    SectionJudgement,
    SignOff,
    Team,
    TemplateVersion,
    User,
    Worker,
)
from ..templating import TemplateDefinition
from .data import (
    ActionRow,
    AnswerRow,
    AuditData,
    AuditRow,
    FindingRow,
    NamedChild,
    RoundData,
    SignOffRow,
    build_redactor,
)
from .history import iro_results, is_iro, previous_rounds, yes_no_counts
from .redaction import Redactor

__all__ = ["gather_audit", "gather_round"]


def _audit_query():  # noqa: ANN202 - a SQLAlchemy Select of the flattened audit row
    iro = aliased(Worker)
    auditor = aliased(User)
    return (
        select(
            Audit.id,
            Child.case_key,
            Child.id,
            CaseFile.id,
            CaseFile.current_stage,
            Team.name,
            CaseFile.iro_worker_id,
            iro.name,
            auditor.display_name,
            Audit.status,
            Audit.overall_grade,
            Audit.suggested_grade,
            Audit.compliance_percent,
            Audit.overall_rationale,
            SampleItem.stratum,
        )
        .select_from(Audit)
        .join(CaseFile, Audit.case_file_id == CaseFile.id)
        .join(Child, CaseFile.child_id == Child.id)
        .outerjoin(SampleItem, Audit.sample_item_id == SampleItem.id)
        .outerjoin(Team, CaseFile.team_id == Team.id)
        .outerjoin(iro, CaseFile.iro_worker_id == iro.id)
        .join(auditor, Audit.auditor_user_id == auditor.id)
    )


def _audit_row(row: Any) -> AuditRow:
    return AuditRow(
        audit_id=row[0],
        case_key=row[1],
        child_id=row[2],
        case_file_id=row[3],
        pathway=row[4],
        team=row[5] or "",
        iro_worker_id=row[6],
        iro_name=row[7] or "",
        auditor=row[8] or "",
        status=row[9],
        overall_grade=row[10],
        suggested_grade=row[11],
        compliance_percent=row[12],
        rationale=row[13] or "",
        stratum=row[14] or "",
    )


def _sign_offs(session: Session, audit_filter: Any) -> list[SignOffRow]:
    rows = session.execute(
        select(
            SignOff.audit_id,
            SignOff.kind,
            SignOff.at,
            User.display_name,
            SignOff.content_hash,
            SignOff.reason,
        )
        .join(User, SignOff.user_id == User.id)
        .where(audit_filter)
        .order_by(SignOff.audit_id, SignOff.id)
    )
    return [SignOffRow(*row) for row in rows]


def _attach_sign_offs(audits: list[AuditRow], sign_offs: list[SignOffRow]) -> None:
    latest = {s.audit_id: s for s in sign_offs if s.kind == "sign_off"}
    for audit in audits:
        found = latest.get(audit.audit_id)
        if found is not None:
            audit.signed_at, audit.signed_by, audit.content_hash = (
                found.at,
                found.by,
                found.content_hash,
            )


def _named_children(session: Session, child_ids: set[int]) -> dict[int, NamedChild]:
    if not child_ids:
        return {}
    rows = session.execute(
        select(
            ChildIdentity.child_id,
            ChildIdentity.given_name,
            ChildIdentity.family_name,
            ChildIdentity.date_of_birth,
        ).where(ChildIdentity.child_id.in_(child_ids))
    )
    return {cid: NamedChild(g, f, d) for cid, g, f, d in rows}


def _definition(version: TemplateVersion) -> TemplateDefinition:
    return TemplateDefinition.from_json(version.definition)


def _findings(session: Session, audit_filter: Any) -> list[FindingRow]:
    rows = session.execute(
        select(
            Finding.audit_id, Finding.kind, Finding.section_id, Finding.question_id, Finding.text
        )
        .where(audit_filter)
        .order_by(Finding.audit_id, Finding.id)
    )
    return [FindingRow(a, str(k), s or "", q or "", t or "") for a, k, s, q, t in rows]


def _actions(session: Session, audit_filter: Any) -> list[ActionRow]:
    rows = session.execute(
        select(
            Action.id,
            Action.audit_id,
            Child.case_key,
            Action.section_id,
            Action.description,
            Worker.name,
            Action.timescale_band,
            Action.due_on,
            Action.review_on,
            Action.status,
            Action.completed_on,
        )
        .select_from(Action)
        .outerjoin(Worker, Action.owner_worker_id == Worker.id)
        .outerjoin(Audit, Action.audit_id == Audit.id)
        .outerjoin(CaseFile, Audit.case_file_id == CaseFile.id)
        .outerjoin(Child, CaseFile.child_id == Child.id)
        .where(audit_filter)
        .order_by(Action.due_on, Action.id)
    )
    return [
        ActionRow(i, a, k or "", s or "", d or "", o or "", str(b), due, rev, str(st), done)
        for i, a, k, s, d, o, b, due, rev, st, done in rows
    ]


def gather_round(
    session: Session, round_id: int, *, named: bool = False, all_answers: bool = False
) -> RoundData:
    """Everything a summary pack or export of ``round_id`` shows (answers: compliance only
    unless ``all_answers``)."""
    found = session.execute(
        select(AuditRound, TemplateVersion, AuditTemplate)
        .join(TemplateVersion, AuditRound.template_version_id == TemplateVersion.id)
        .join(AuditTemplate, TemplateVersion.template_id == AuditTemplate.id)
        .where(AuditRound.id == round_id)
    ).first()
    if found is None:
        raise NotFound(f"There is no audit round number {round_id}. Check the round list.")
    rnd, version, template = found
    definition = _definition(version)
    creator = (
        session.scalar(select(User.display_name).where(User.id == rnd.created_by_user_id))
        if rnd.created_by_user_id
        else None
    )
    in_round = select(Audit.id).join(SampleItem, Audit.sample_item_id == SampleItem.id)
    in_round = in_round.where(SampleItem.round_id == round_id).scalar_subquery()

    strata: dict[str, int] = defaultdict(int)
    sample_size = removed = 0
    for stratum, was_removed, count in session.execute(
        select(SampleItem.stratum, SampleItem.removed, func.count())
        .where(SampleItem.round_id == round_id)
        .group_by(SampleItem.stratum, SampleItem.removed)
    ):
        if was_removed:
            removed += count
        else:
            sample_size += count
            strata[stratum or "(no stratum)"] += count

    audits = [
        _audit_row(r)
        for r in session.execute(
            _audit_query().where(SampleItem.round_id == round_id).order_by(Child.case_key)
        )
    ]
    _attach_sign_offs(audits, _sign_offs(session, SignOff.audit_id.in_(in_round)))
    if named:
        people = _named_children(session, {a.child_id for a in audits})
        for audit in audits:
            audit.named = people.get(audit.child_id)

    section_grades: dict[int, dict[str, int | None]] = defaultdict(dict)
    for audit_id, section_id, grade in session.execute(
        select(
            SectionJudgement.audit_id, SectionJudgement.section_id, SectionJudgement.grade
        ).where(SectionJudgement.audit_id.in_(in_round))
    ):
        section_grades[audit_id][section_id] = grade

    answers: list[AnswerRow] = []
    if all_answers:
        answers = [
            AnswerRow(*row)
            for row in session.execute(
                select(
                    Answer.audit_id,
                    Answer.question_id,
                    Answer.value,
                    Answer.evidence,
                    Answer.na_reason,
                )
                .where(Answer.audit_id.in_(in_round))
                .order_by(Answer.audit_id, Answer.id)
            )
        ]
    answer_counts = yes_no_counts(session, definition, round_id)
    return RoundData(
        round_id=rnd.id,
        name=rnd.name,
        theme=rnd.theme or template.theme or "",
        period_start=rnd.period_start,
        period_end=rnd.period_end,
        status=str(rnd.status.label if rnd.status else ""),
        seed=rnd.seed,
        sample_spec=dict(rnd.sample_spec or {}),
        method=dict(rnd.method or {}),
        created_by=creator or "",
        template_key=template.key,
        template_title=template.title,
        template_version=version.version,
        definition=definition,
        sample_size=sample_size,
        removed_count=removed,
        strata=dict(strata),
        audits=audits,
        section_grades=dict(section_grades),
        answers=answers,
        answer_counts=answer_counts,
        findings=_findings(session, Finding.audit_id.in_(in_round)),
        actions=_actions(session, Action.audit_id.in_(in_round)),
        previous=previous_rounds(session, rnd, template.id),
        iro_results=iro_results(session, rnd, template.id) if is_iro(template.key) else [],
        redactor=Redactor.disabled() if named else build_redactor(session),
        named=named,
    )


def gather_audit(session: Session, audit_id: int, *, named: bool = False) -> AuditData:
    """Everything the per-audit PDF shows for ``audit_id``."""
    row = session.execute(_audit_query().where(Audit.id == audit_id)).first()
    if row is None:
        raise NotFound(f"There is no audit number {audit_id}. Check the audit list.")
    audit = _audit_row(row)
    version, template = session.execute(
        select(TemplateVersion, AuditTemplate)
        .join(AuditTemplate, TemplateVersion.template_id == AuditTemplate.id)
        .join(Audit, Audit.template_version_id == TemplateVersion.id)
        .where(Audit.id == audit_id)
    ).one()
    round_name = session.scalar(
        select(AuditRound.name)
        .join(SampleItem, SampleItem.round_id == AuditRound.id)
        .join(Audit, Audit.sample_item_id == SampleItem.id)
        .where(Audit.id == audit_id)
    )
    sign_offs = _sign_offs(session, SignOff.audit_id == audit_id)
    _attach_sign_offs([audit], sign_offs)
    if named:
        audit.named = _named_children(session, {audit.child_id}).get(audit.child_id)
    answers = {
        qid: AnswerRow(audit_id, qid, value, evidence or "", na or "")
        for qid, value, evidence, na in session.execute(
            select(Answer.question_id, Answer.value, Answer.evidence, Answer.na_reason).where(
                Answer.audit_id == audit_id
            )
        )
    }
    grades: dict[str, int | None] = {}
    commentary: dict[str, str] = {}
    for section_id, grade, text in session.execute(
        select(
            SectionJudgement.section_id, SectionJudgement.grade, SectionJudgement.commentary
        ).where(SectionJudgement.audit_id == audit_id)
    ):
        grades[section_id] = grade
        commentary[section_id] = text or ""
    events: dict[str, list[date]] = defaultdict(list)
    for stage, started in session.execute(
        select(PathwayEvent.stage, PathwayEvent.started_on).where(
            PathwayEvent.case_file_id == audit.case_file_id
        )
    ):
        events[str(stage)].append(started)
    return AuditData(
        audit=audit,
        round_name=round_name or "",
        template_key=template.key,
        template_title=template.title,
        template_version=version.version,
        definition=_definition(version),
        answers=answers,
        section_grades=grades,
        section_commentary=commentary,
        findings=_findings(session, Finding.audit_id == audit_id),
        actions=_actions(session, Action.audit_id == audit_id),
        sign_offs=sign_offs,
        events={k: sorted(v) for k, v in events.items()},
        redactor=Redactor.disabled() if named else build_redactor(session),
        named=named,
    )
