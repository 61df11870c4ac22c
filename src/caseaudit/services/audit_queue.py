"""The queue of audits ("My audits"): one set-based query, fast with thousands of audits.

``my_queue`` lists the signed-in auditor's audits (or, with ``everyone``, all audits) in the
open rounds, each with its pseudonymous case key, pathway, team, worker, round, template, due
date, status, whether it is overdue (past due and not signed off) and its grade (the overall
grade given, or the engine's suggestion marked "(suggested)"). Signed audits of completed
rounds are left out unless asked for; anything still to do is always listed. The rows come
from a single SELECT joining audit, case file, child, team, worker, sample item, round and
template, whatever the number of audits. ``audits`` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select

from ..db import Database
from ..models import (
    Audit,
    AuditRound,
    AuditTemplate,
    CaseFile,
    Child,
    SampleItem,
    Team,
    TemplateVersion,
    Worker,
)
from ..templating import SCALES
from ..vocabulary import AuditStatus, PathwayStage, RoundStatus
from .permissions import Permission, require
from .users import UserInfo

__all__ = ["QueueRow", "enum_label", "my_queue"]


@dataclass(frozen=True)
class QueueRow:
    audit_id: int
    case_key: str
    pathway_label: str
    team: str
    worker: str
    round_name: str
    template_title: str
    due_on: date | None
    status: AuditStatus
    overdue: bool
    grade_label: str
    updated_at: datetime


def enum_label(enum_cls: type, value: Any) -> str:
    try:
        return enum_cls(value).label
    except ValueError:
        return str(value or "")


def _grade_label(scale_key: str, overall: int | None, suggested: int | None) -> str:
    scale = SCALES.get(scale_key)
    if overall is not None:
        return scale.label(overall) if scale else str(overall)
    if suggested is not None:
        return f"{scale.label(suggested) if scale else suggested} (suggested)"
    return ""


def my_queue(
    db: Database,
    actor: UserInfo | None,
    *,
    everyone: bool = False,
    include_closed_rounds: bool = False,
) -> list[QueueRow]:
    """The actor's audits (``everyone``: all audits), due soonest first, in one query.

    Signed audits of completed rounds are left out unless ``include_closed_rounds``; anything
    still to do (not signed, or reopened) is always listed."""
    require(actor, Permission.VIEW_CASES)
    assert actor is not None
    query = (
        select(
            Audit.id,
            Child.case_key,
            CaseFile.current_stage,
            Team.name,
            Worker.name,
            AuditRound.name,
            AuditTemplate.title,
            TemplateVersion.scale,
            Audit.due_on,
            Audit.status,
            Audit.overall_grade,
            Audit.suggested_grade,
            Audit.updated_at,
        )
        .join(CaseFile, CaseFile.id == Audit.case_file_id)
        .join(Child, Child.id == CaseFile.child_id)
        .join(TemplateVersion, TemplateVersion.id == Audit.template_version_id)
        .join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id)
        .outerjoin(Team, Team.id == CaseFile.team_id)
        .outerjoin(Worker, Worker.id == CaseFile.worker_id)
        .outerjoin(SampleItem, SampleItem.id == Audit.sample_item_id)
        .outerjoin(AuditRound, AuditRound.id == SampleItem.round_id)
        .order_by(Audit.due_on.is_(None), Audit.due_on, Child.case_key, Audit.id)
    )
    if not everyone:
        query = query.where(Audit.auditor_user_id == actor.id)
    if not include_closed_rounds:
        query = query.where(
            or_(
                AuditRound.id.is_(None),
                AuditRound.status != RoundStatus.COMPLETED,
                Audit.status != AuditStatus.SIGNED,
            )
        )
    today = date.today()
    signed = AuditStatus.SIGNED
    stage_labels: dict[Any, str] = {}
    grade_labels: dict[tuple[str, int | None, int | None], str] = {}
    rows = []
    with db.session() as s:
        result = s.connection().execute(query).all()  # plain rows: no ORM bookkeeping
        for (
            audit_id,
            key,
            stage,
            team,
            worker,
            round_name,
            title,
            scale,
            due,
            status,
            overall,
            suggested,
            updated,
        ) in result:
            pathway = stage_labels.get(stage)
            if pathway is None:
                pathway = stage_labels[stage] = enum_label(PathwayStage, stage)
            graded = grade_labels.get((scale, overall, suggested))
            if graded is None:
                graded = grade_labels[(scale, overall, suggested)] = _grade_label(
                    scale, overall, suggested
                )
            rows.append(
                QueueRow(
                    audit_id,
                    key,
                    pathway,
                    team or "",
                    worker or "",
                    round_name or "",
                    title,
                    due,
                    status,
                    due is not None and due < today and status != signed,
                    graded,
                    updated if updated.tzinfo is not None else updated.replace(tzinfo=UTC),
                )
            )
    return rows
