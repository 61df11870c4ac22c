"""Round-level figures gathered with grouped queries: earlier rounds, IRO results, yes/no counts.

``previous_rounds`` finds the earlier rounds of the same programme (by programme when the round
has one, otherwise by template) and counts their grades and mean compliance in two grouped
queries; ``iro_results`` lists each signed audit of an IRO programme's rounds with its IRO and
month; ``yes_no_counts`` counts each yes/no answer of a round's signed audits in one grouped
query. None of them reads anything that identifies a child.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import Session

from ..models import (
    Answer,
    Audit,
    AuditRound,
    CaseFile,
    SampleItem,
    SignOff,
    TemplateVersion,
    Worker,
)
from ..templating import TemplateDefinition
from ..templating.schema import normalise_yes_no
from ..vocabulary import AuditStatus
from .data import IroResult, PreviousRound

__all__ = ["MAX_PREVIOUS_ROUNDS", "iro_results", "is_iro", "previous_rounds", "yes_no_counts"]

MAX_PREVIOUS_ROUNDS = 4


def yes_no_counts(
    session: Session, definition: TemplateDefinition, round_id: int
) -> dict[str, dict[str, int]]:
    """How often each yes/no question got each answer in the round's signed audits (one
    grouped query; the JSON value is compared as text so it works on every backend)."""
    wanted = [q.id for q in definition.questions if q.type == "yes_no"]
    if not wanted:
        return {}
    as_text = cast(Answer.value, String)
    rows = session.execute(
        select(Answer.question_id, as_text, func.count())
        .join(Audit, Answer.audit_id == Audit.id)
        .join(SampleItem, Audit.sample_item_id == SampleItem.id)
        .where(
            SampleItem.round_id == round_id,
            Audit.status == AuditStatus.SIGNED,
            Answer.question_id.in_(wanted),
        )
        .group_by(Answer.question_id, as_text)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for question_id, text, count in rows:
        try:
            value = json.loads(text) if text is not None else None
        except ValueError:
            value = text
        word = normalise_yes_no(value)
        if word:
            counts[question_id][word] = counts[question_id].get(word, 0) + count
    return dict(counts)


def is_iro(template_key: str) -> bool:
    return template_key == "lac-review-minutes"


def _programme_rounds(rnd: AuditRound, template_id: int) -> Any:
    """Earlier rounds of the same programme: those with ``rnd``'s programme when it has one,
    otherwise those using the same template (any version)."""
    query = select(AuditRound.id).where(
        AuditRound.id != rnd.id, AuditRound.period_start <= rnd.period_start
    )
    programme_id = getattr(rnd, "programme_id", None)
    if programme_id is not None:
        return query.where(AuditRound.programme_id == programme_id)
    return query.join(TemplateVersion, AuditRound.template_version_id == TemplateVersion.id).where(
        TemplateVersion.template_id == template_id
    )


def previous_rounds(session: Session, rnd: AuditRound, template_id: int) -> list[PreviousRound]:
    earlier = session.execute(
        select(AuditRound.id, AuditRound.name, AuditRound.period_start, AuditRound.period_end)
        .where(AuditRound.id.in_(_programme_rounds(rnd, template_id)))
        .order_by(AuditRound.period_start.desc(), AuditRound.id.desc())
        .limit(MAX_PREVIOUS_ROUNDS)
    ).all()
    if not earlier:
        return []
    ids = [r[0] for r in earlier]
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    compliance: dict[int, float | None] = {}
    signed = and_(SampleItem.round_id.in_(ids), Audit.status == AuditStatus.SIGNED)
    base = select(SampleItem.round_id).join(Audit, Audit.sample_item_id == SampleItem.id)
    for round_id, grade, count in session.execute(
        base.add_columns(Audit.overall_grade, func.count())
        .where(signed, Audit.overall_grade.is_not(None))
        .group_by(SampleItem.round_id, Audit.overall_grade)
    ):
        counts[round_id][grade] = count
    for round_id, mean in session.execute(
        base.add_columns(func.avg(Audit.compliance_percent))
        .where(signed)
        .group_by(SampleItem.round_id)
    ):
        compliance[round_id] = float(mean) if mean is not None else None
    return [
        PreviousRound(rid, name, start, end, dict(counts.get(rid, {})), compliance.get(rid))
        for rid, name, start, end in reversed(earlier)
    ]


def iro_results(session: Session, rnd: AuditRound, template_id: int) -> list[IroResult]:
    """Signed audits of this round and the earlier rounds of the programme, per IRO."""
    round_ids = [rnd.id, *session.scalars(_programme_rounds(rnd, template_id))]
    last_sign_off = (
        select(SignOff.audit_id, func.max(SignOff.at).label("at"))
        .where(SignOff.kind == "sign_off")
        .group_by(SignOff.audit_id)
        .subquery()
    )
    rows = session.execute(
        select(Worker.name, last_sign_off.c.at, AuditRound.period_start, Audit.overall_grade)
        .add_columns(Audit.compliance_percent)
        .select_from(Audit)
        .join(SampleItem, Audit.sample_item_id == SampleItem.id)
        .join(AuditRound, SampleItem.round_id == AuditRound.id)
        .join(CaseFile, Audit.case_file_id == CaseFile.id)
        .join(Worker, CaseFile.iro_worker_id == Worker.id)
        .outerjoin(last_sign_off, last_sign_off.c.audit_id == Audit.id)
        .where(SampleItem.round_id.in_(round_ids), Audit.status == AuditStatus.SIGNED)
    )
    results = []
    for name, signed_at, period_start, grade, compliance in rows:
        when = signed_at.date() if signed_at is not None else period_start
        results.append(IroResult(name, when.replace(day=1), grade, compliance))
    return results
