"""The demo's audit rounds: which files each round samples, and who audits them.

Three rounds are drawn from the demo case files: a quarterly themed audit of child protection
and child in need plans (the voice of the child) for the ``auditor`` user, and two monthly IRO
audits of LAC review minutes for ``iro.manager`` (last month's in progress, the month before's
completed), each sampling one file per IRO from the reviews held that month. The themed sample is
stratified by stage, status and team and never includes the auditor's own team's files; every
draw has its own seed, recorded with its method, so it is reproducible. Rounds whose template is
not in the library are skipped. The audits themselves are written by ``demo_audits``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Audit,
    AuditRound,
    AuditTemplate,
    PathwayEvent,
    RoundAuditor,
    SampleItem,
    TemplateVersion,
)
from ..templating import CaseContext, TemplateDefinition
from ..vocabulary import PathwayStage, RoundStatus
from .demo_audits import (
    AWAITING,
    IN_PROGRESS,
    NOT_STARTED,
    SIGNED,
    AuditSpec,
    AuditWriter,
    write_audit,
)
from .demo_cases import LINKED_MANAGERS, FrameRow, Staff


@dataclass(frozen=True)
class RoundPlan:
    template_key: str
    name: str
    theme: str
    auditor: str  # user name
    owner: str  # user name of whoever set the round up
    period: tuple[date, date]
    label: str
    statuses: tuple[str, ...]  # one per sample item, in draw order
    per_iro: bool = False
    completed: bool = False


def _month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def round_plans(as_of: date) -> list[RoundPlan]:
    quarter_start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    q_end = quarter_start - timedelta(days=1)
    q_start = date(q_end.year, 3 * ((q_end.month - 1) // 3) + 1, 1)
    quarter = (q_start.month - 1) // 3 + 1
    last, before = _month_start(as_of, 1), _month_start(as_of, 2)
    themed = (SIGNED,) * 9 + (AWAITING,) + (IN_PROGRESS,) * 5 + (NOT_STARTED,) * 5
    return [
        RoundPlan(
            "cp-cin-plan-visits",
            f"Q{quarter} {q_start.year} themed audit: voice of the child",
            "Voice of the child",
            "auditor",
            "qa.lead",
            (q_start, q_end),
            f"{q_start.year}-Q{quarter}",
            themed,
        ),
        RoundPlan(
            "lac-review-minutes",
            f"IRO monthly audit — {before:%B %Y}",
            "LAC review minutes",
            "iro.manager",
            "iro.manager",
            (before, last - timedelta(days=1)),
            f"{before:%Y-%m}",
            (SIGNED,) * 8,
            per_iro=True,
            completed=True,
        ),
        RoundPlan(
            "lac-review-minutes",
            f"IRO monthly audit — {last:%B %Y}",
            "LAC review minutes",
            "iro.manager",
            "iro.manager",
            (last, _month_start(as_of) - timedelta(days=1)),
            f"{last:%Y-%m}",
            (SIGNED,) * 3 + (IN_PROGRESS,) * 2 + (NOT_STARTED,) * 3,
            per_iro=True,
        ),
    ]


def _templates(session: Session) -> dict[str, TemplateVersion]:
    """The latest stored version of each template, by key."""
    latest = (
        select(func.max(TemplateVersion.id)).group_by(TemplateVersion.template_id).scalar_subquery()
    )
    rows = session.execute(
        select(AuditTemplate.key, TemplateVersion)
        .join(TemplateVersion, TemplateVersion.template_id == AuditTemplate.id)
        .where(TemplateVersion.id.in_(latest))
    )
    return {key: version for key, version in rows}


def _pool(
    session: Session,
    plan: RoundPlan,
    frame: list[FrameRow],
    pathways: set[str],
    excluded_team: int | None,
    used: set[int],
) -> list[FrameRow]:
    """The sampling frame: files on the template's pathways, not the auditor's own team's, not
    in another demo round; for IRO rounds, files whose LAC review was held in the period."""
    pool = [
        r
        for r in frame
        if r.stage.value in pathways and r.team_id != excluded_team and r.case_id not in used
    ]
    if plan.per_iro:
        reviewed = set(
            session.scalars(
                select(PathwayEvent.case_file_id)
                .where(PathwayEvent.stage == PathwayStage.LAC_REVIEW)
                .where(PathwayEvent.started_on.between(*plan.period))
            )
        )
        pool = [r for r in pool if r.iro_id is not None and r.case_id in reviewed]
    return pool


def _draw(
    rng: random.Random, plan: RoundPlan, pool: list[FrameRow], staff: Staff
) -> tuple[list, dict]:
    """Stratified (stage / status / team) or one-per-IRO sample; returns items and strata."""
    strata: dict[str, list[FrameRow]] = defaultdict(list)
    for row in pool:
        key = (
            str(row.iro_id)
            if plan.per_iro
            else f"{row.stage.value} / {row.status.value} / {staff.team_names[row.team_id]}"
        )
        strata[key].append(row)
    wanted = len(plan.statuses)
    quotas: dict[str, int] = {}
    if plan.per_iro:
        quotas = {key: 1 for key in sorted(strata)[:wanted]}
    elif pool:
        exact = {key: wanted * len(rows) / len(pool) for key, rows in sorted(strata.items())}
        quotas = {key: int(share) for key, share in exact.items()}
        for key in sorted(exact, key=lambda k: (int(exact[k]) - exact[k], k)):
            if sum(quotas.values()) >= min(wanted, len(pool)):
                break
            quotas[key] += 1
    drawn: list[tuple[FrameRow, str]] = []
    for key, quota in quotas.items():
        for row in rng.sample(strata[key], min(quota, len(strata[key]))):
            label = (
                f"{row.stage.value} / {row.status.value} / IRO {staff.worker_names[row.iro_id]}"
                if plan.per_iro and row.iro_id
                else key
            )
            drawn.append((row, label))
    rng.shuffle(drawn)
    method = {key: {"frame": len(strata[key]), "drawn": quota} for key, quota in quotas.items()}
    return drawn[:wanted], {"frame_size": len(pool), "strata": method}


def insert_audits(
    session: Session,
    rng: random.Random,
    frame: list[FrameRow],
    staff: Staff,
    users: dict[str, int],
    *,
    as_of: date,
    stamp: datetime,
) -> tuple[int, int]:
    """Write the demo rounds and audits; returns (rounds, audits) written."""
    versions = _templates(session)
    writer = AuditWriter(session, rng, staff, users, as_of)
    used: set[int] = set()
    by_case = {row.case_id: row for row in frame}
    for plan in round_plans(as_of):
        version = versions.get(plan.template_key)
        if version is None:
            continue
        definition = TemplateDefinition.from_json(version.definition)
        auditor = users[plan.auditor]
        # A manager never audits their own team's files.
        linked_team = LINKED_MANAGERS.get(plan.auditor)
        excluded = staff.team_ids.get((linked_team, None)) if linked_team else None
        seed = rng.randint(1, 999_999)
        pool = _pool(session, plan, frame, set(definition.pathways), excluded, used)
        drawn, method = _draw(random.Random(seed), plan, pool, staff)
        if not drawn:
            continue
        used.update(row.case_id for row, _ in drawn)
        due = plan.period[1] + timedelta(days=28)
        round_row = writer.add(
            AuditRound,
            {
                "name": plan.name,
                "theme": plan.theme,
                "template_version_id": version.id,
                "period_start": plan.period[0],
                "period_end": plan.period[1],
                "due_on": due,
                "status": (
                    RoundStatus.COMPLETED if plan.completed else RoundStatus.IN_PROGRESS
                ).value,
                "sample_spec": {
                    "size": len(plan.statuses),
                    "pathways": list(definition.pathways),
                    "strata": ["iro"] if plan.per_iro else ["stage", "status", "team"],
                },
                "seed": seed,
                "method": {**method, "seed": seed, "drawn_by": "demo data builder"},
                "created_by_user_id": users[plan.owner],
                "created_at": stamp - timedelta(days=40),
                "period_label": plan.label,
                "sampled_at": stamp - timedelta(days=40),
            },
        )
        writer.add(RoundAuditor, {"round_id": round_row["id"], "user_id": auditor})
        contexts = _contexts(session, [row.case_id for row, _ in drawn])
        for (row, stratum), status in zip(drawn, plan.statuses, strict=False):
            item = writer.add(
                SampleItem,
                {
                    "round_id": round_row["id"],
                    "case_file_id": row.case_id,
                    "stratum": stratum,
                    "reason": "random",
                    "reason_note": "",
                    "auditor_user_id": auditor,
                    "removed": False,
                    "removed_reason": "",
                },
            )
            spec = AuditSpec(
                definition,
                version,
                by_case[row.case_id],
                contexts[row.case_id],
                item["id"],
                auditor,
                status,
                due,
                plan.period[1],
                may_name_relative=not plan.per_iro,
            )
            write_audit(writer, spec)
    writer.write()
    return len(writer.tables[AuditRound]), len(writer.tables[Audit])


def _contexts(session: Session, case_ids: list[int]) -> dict[int, CaseContext]:
    events: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(PathwayEvent.case_file_id, PathwayEvent.stage, PathwayEvent.started_on)
        .where(PathwayEvent.case_file_id.in_(case_ids))
        .order_by(PathwayEvent.id)
    )
    for case_id, stage, started in rows:
        events[case_id][getattr(stage, "value", stage)].append(started)
    return {
        cid: CaseContext(frozenset(events[cid]), {k: sorted(v) for k, v in events[cid].items()})
        for cid in case_ids
    }
