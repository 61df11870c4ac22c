"""The demo's audits in every state, answered and graded as the program would grade them.

``write_audit`` answers a template for one sampled case file (``demo_answers``), keeps only
the questions the grading engine shows for that file, and by the audit's state leaves it not
started, part-answered, complete awaiting sign-off or signed. Suggested grades, caps and
compliance come from ``templating.grade`` itself. Signed audits carry section judgements,
findings, actions with owners, bands and due dates, and a sign-off with a SHA-256 of the
content signed. ``AuditWriter`` gathers the rows with ids chosen here, writes them table by
table and gives every record the trail vouches for its sealed trail entry.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import (
    Action,
    Answer,
    Audit,
    AuditRound,
    Finding,
    RelatedPerson,
    RoundAuditor,
    SampleItem,
    SectionJudgement,
    SignOff,
    TemplateVersion,
)
from ..templating import AnswerValue, CaseContext, TemplateDefinition, grade
from ..vocabulary import ActionStatus, AuditStatus, FindingKind
from . import demo_answers as texts
from .demo_cases import FrameRow, Staff
from .demo_trail import DemoTrail
from .snapshots import canonical_json, iso

SIGNED, AWAITING = AuditStatus.SIGNED.value, AuditStatus.AWAITING_SIGN_OFF.value
IN_PROGRESS, NOT_STARTED = AuditStatus.IN_PROGRESS.value, AuditStatus.NOT_STARTED.value


class AuditWriter:
    """Accumulates the rows of every round, then writes them table by table."""

    def __init__(
        self, session: Session, rng: random.Random, staff: Staff, users: dict[str, int], as_of: date
    ) -> None:
        self.s, self.rng, self.staff, self.users, self.as_of = session, rng, staff, users, as_of
        self.tables: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.trail = DemoTrail(session)
        self.named_evidence = 0

    def add(
        self, model: type, row: dict[str, Any], actor: int | None = None, at: datetime | None = None
    ) -> dict[str, Any]:
        if "id" in model.__table__.c:
            row["id"] = len(self.tables[model]) + 1
        self.tables[model].append(row)
        if at is not None:
            self.trail.created(model, row, actor, at)
        return row

    def moment(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour, self.rng.randint(0, 59)), tzinfo=UTC)

    def write(self) -> None:
        for model in (
            AuditRound,
            RoundAuditor,
            SampleItem,
            Audit,
            Answer,
            SectionJudgement,
            Finding,
            Action,
            SignOff,
        ):
            rows = self.tables.get(model)
            if rows:
                self.s.execute(insert(model.__table__), rows)
        self.trail.write()


@dataclass(frozen=True)
class AuditSpec:
    """One sampled file to audit: against what, by whom, in which state."""

    definition: TemplateDefinition
    version: TemplateVersion
    case: FrameRow
    context: CaseContext
    sample_item_id: int
    auditor: int
    status: str
    due: date
    period_end: date
    may_name_relative: bool = False


def write_audit(w: AuditWriter, spec: AuditSpec) -> None:
    """Answer, grade and (by ``spec.status``) judge, find, act on and sign one audit."""
    rng, as_of = w.rng, w.as_of
    definition, version, case, auditor, status = (
        spec.definition,
        spec.version,
        spec.case,
        spec.auditor,
        spec.status,
    )
    context = spec.context
    context = CaseContext(context.pathway_stages | {case.stage.value}, context.events)
    quality = texts.pick_quality(rng)
    full = texts.answer_questions(rng, definition, context, quality=quality, as_of=as_of)
    visible = grade(definition, full, context=context).visible_questions
    if status == NOT_STARTED:
        answers: dict[str, AnswerValue] = {}
    elif status == IN_PROGRESS:
        answers = {q: full[q] for q in visible[: max(1, int(len(visible) * rng.uniform(0.3, 0.7)))]}
    else:
        answers = {q: full[q] for q in visible}
    if status in (SIGNED, AWAITING) and w.named_evidence < 2 and spec.may_name_relative:
        # Deliberate: real auditors sometimes name a family member in evidence. These one or two
        # audits (the first two complete audits of the themed round) do, so that redaction of
        # family members' names from free text has something to find. Never the child's name.
        _name_a_relative(w, case, answers)
    end = min(as_of - timedelta(days=1), spec.period_end + timedelta(days=27))
    start = min(spec.period_end + timedelta(days=1), end)
    signed_on = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
    started_on = signed_on - timedelta(days=rng.randint(1, 10))
    section_grades: dict[str, int] = {}
    overall = None
    why = ""
    if status in (SIGNED, AWAITING):
        section_grades = _section_grades(rng, definition, answers, context, quality)
        suggested = grade(definition, answers, section_grades, context=context).suggested_overall
        overall = suggested if suggested is not None else quality
        differs = rng.random() < 0.15 and overall < 4
        overall += 1 if differs else 0
        graded = sorted(section_grades.items(), key=lambda kv: (kv[1], kv[0]))
        best = definition.section_title(graded[0][0]) if graded else "the file as a whole"
        worst = definition.section_title(graded[-1][0]) if graded else "the file as a whole"
        why = texts.rationale(definition.scale.label(overall), best, worst, differs)
    result = grade(
        definition, answers, section_grades, overall, context=context, overall_rationale=why
    )
    touched = w.moment(signed_on if status != NOT_STARTED else as_of - timedelta(days=3))
    audit = w.add(
        Audit,
        {
            "case_file_id": case.case_id,
            "template_version_id": version.id,
            "sample_item_id": spec.sample_item_id,
            "auditor_user_id": auditor,
            "status": status,
            "due_on": spec.due,
            "suggested_grade": result.suggested_overall if answers else None,
            "overall_grade": overall,
            "overall_rationale": why,
            "compliance_percent": result.compliance.percent if answers else None,
            "started_at": None if status == NOT_STARTED else w.moment(started_on, 9),
            "updated_at": touched,
        },
        auditor,
        touched,
    )
    for qid, answer in answers.items():
        w.add(
            Answer,
            {
                "audit_id": audit["id"],
                "question_id": qid,
                "value": answer.value,
                "evidence": answer.evidence,
                "na_reason": answer.na_reason,
                "updated_at": touched,
            },
            auditor,
            touched,
        )
    for sid, section_grade in section_grades.items():
        w.add(
            SectionJudgement,
            {
                "audit_id": audit["id"],
                "section_id": sid,
                "grade": section_grade,
                "commentary": texts.commentary(section_grade),
            },
            auditor,
            touched,
        )
    if status == SIGNED:
        _findings(w, definition, case, audit, section_grades, signed_on, touched)
        _sign_off(w, definition, version, case, audit, answers, section_grades, touched)


def _section_grades(
    rng: random.Random,
    definition: TemplateDefinition,
    answers: dict[str, AnswerValue],
    context: CaseContext,
    quality: int,
) -> dict[str, int]:
    first = grade(definition, answers, context=context)
    grades: dict[str, int] = {}
    for section in definition.sections:
        if section.id not in first.visible_sections or not section.graded:
            continue
        suggested = first.sections[section.id].effective
        if suggested is None:
            own = [answers[q.id] for q in section.questions if q.id in answers]
            suggested = texts.section_grade_from_answers(own, quality)
        if rng.random() < 0.15:
            suggested = min(4, max(1, suggested + rng.choice((-1, 1))))
        grades[section.id] = suggested
    return grades


def _name_a_relative(w: AuditWriter, case: FrameRow, answers: dict[str, AnswerValue]) -> None:
    relative = w.s.execute(
        select(RelatedPerson.name, RelatedPerson.relationship_to_child)
        .where(RelatedPerson.child_id == case.child_id)
        .order_by(RelatedPerson.id)
        .limit(1)
    ).first()
    target = next((q for q, a in answers.items() if a.value in ("yes", "partly", "no")), None)
    if relative is None or target is None:
        return
    first_name = relative[0].split()[0]
    old = answers[target]
    note = f"Spoke with {first_name} ({relative[1]}), who confirmed this. {old.evidence}"
    answers[target] = AnswerValue(old.value, note, old.na_reason)
    w.named_evidence += 1


def _findings(
    w: AuditWriter,
    definition: TemplateDefinition,
    case: FrameRow,
    audit: dict[str, Any],
    grades: dict[str, int],
    signed_on: date,
    at: datetime,
) -> None:
    rng, as_of = w.rng, w.as_of
    owner = case.worker_id or w.staff.team_managers.get(case.team_id)
    ranked = sorted(grades.items(), key=lambda kv: (kv[1], kv[0]))
    picks: list[tuple[str, str, int]] = []
    if ranked and ranked[0][1] <= 2:
        picks.append((FindingKind.STRENGTH.value, ranked[0][0], ranked[0][1]))
    for sid, section_grade in [kv for kv in reversed(ranked) if kv[1] >= 3][:2]:
        picks.append((FindingKind.AREA_FOR_IMPROVEMENT.value, sid, section_grade))
    if audit["overall_grade"] == 4 and not any(
        f["kind"] == FindingKind.SAFEGUARDING_CONCERN.value for f in w.tables[Finding]
    ):
        picks.append((FindingKind.SAFEGUARDING_CONCERN.value, ranked[-1][0] if ranked else "", 4))
    for kind, sid, section_grade in picks:
        title = definition.section_title(sid) if sid else "the file"
        text = {"strength": texts.strength_text, "area_for_improvement": texts.improvement_text}
        words = text.get(
            kind,
            lambda t: (
                f"Immediate safeguarding concern found in '{t}': "
                "raised with the team manager the same day."
            ),
        )(title)
        seen = signed_on + timedelta(days=rng.randint(2, 10))
        acknowledged = seen <= as_of and rng.random() < 0.5
        finding = w.add(
            Finding,
            {
                "audit_id": audit["id"],
                "kind": kind,
                "section_id": sid,
                "question_id": "",
                "text": words,
                "raised_at": at,
                "acknowledged_by_worker_id": owner if acknowledged else None,
                "acknowledged_at": w.moment(seen, 14) if acknowledged else None,
            },
        )
        if kind == FindingKind.STRENGTH.value:
            continue
        band = texts.band_for(section_grade)
        due = texts.due_for(band, signed_on)
        status, done_on, evidence = ActionStatus.OPEN.value, None, ""
        if due < as_of and rng.random() < 0.6:
            status, evidence = (
                ActionStatus.COMPLETED.value,
                "Plan updated and discussed in supervision.",
            )
            done_on = max(signed_on, due - timedelta(days=rng.randint(0, 10)))
        elif rng.random() < 0.5:
            status = ActionStatus.IN_PROGRESS.value
        w.add(
            Action,
            {
                "audit_id": audit["id"],
                "finding_id": finding["id"],
                "section_id": sid,
                "question_id": "",
                "description": texts.action_text(title),
                "owner_worker_id": owner,
                "timescale_band": band.value,
                "due_on": due,
                "review_on": max(signed_on, due - timedelta(days=14)),
                "status": status,
                "completed_on": done_on,
                "completion_evidence": evidence,
                "created_at": at,
            },
            audit["auditor_user_id"],
            at,
        )


def _sign_off(
    w: AuditWriter,
    definition: TemplateDefinition,
    version: TemplateVersion,
    case: FrameRow,
    audit: dict[str, Any],
    answers: dict[str, AnswerValue],
    grades: dict[str, int],
    at: datetime,
) -> None:
    content = {
        "audit_id": audit["id"],
        "case_file_id": case.case_id,
        "template": definition.id,
        "template_version": definition.version,
        "template_sha256": version.sha256,
        "answers": {
            q: {"value": a.value, "evidence": a.evidence, "na_reason": a.na_reason}
            for q, a in answers.items()
        },
        "section_grades": grades,
        "suggested_grade": audit["suggested_grade"],
        "overall_grade": audit["overall_grade"],
        "overall_rationale": audit["overall_rationale"],
        "compliance_percent": audit["compliance_percent"],
        "signed_by_user_id": audit["auditor_user_id"],
        "signed_at": iso(at),
    }
    digest = hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
    w.add(
        SignOff,
        {
            "audit_id": audit["id"],
            "user_id": audit["auditor_user_id"],
            "kind": "sign_off",
            "at": at,
            "content_hash": digest,
            "content": content,
            "reason": "",
        },
        audit["auditor_user_id"],
        at,
    )
