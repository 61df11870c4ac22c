"""Drawing a round's sample: preview it without writing, then commit exactly what was previewed.

``preview_sample(db, actor, round_id, seed)`` loads the round's frame, applies its exclusions
(recently audited children, files every auditor has a conflict with), draws the stratified sample
with the seed and proposes a balanced assignment, all without writing anything, so the GUI can
show it before the QA lead commits. ``commit_sample`` draws again in one transaction (refusing,
if given the preview, when the case list has changed since), writes the sample items, and
records the method in the round: frame size per stratum, seed, specification, exclusions by
reason and any manual changes, so a report can print how the sample was chosen. Manual
additions made before (re)drawing are kept and count towards the caps and minimums.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Audit, AuditRound, SampleItem
from ..models.base import utcnow
from ..vocabulary import CaseStatus, PathwayStage, RoundStatus, SampleReason
from . import trail
from .permissions import Permission, require
from .sampling_draw import (
    ALGORITHM,
    AuditorInfo,
    Draw,
    DrawnItem,
    draw_sample,
    stratum_key_function,
)
from .sampling_frame import frame_cases_for, load_frame, recently_audited, round_auditors
from .sampling_spec import SampleSpec
from .users import UserInfo

MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class PreviewItem:
    case_file_id: int
    case_key: str
    stratum: str
    stage: PathwayStage
    status: CaseStatus
    team: str
    worker: str
    iro: str
    auditor_username: str | None
    auditor_name: str
    reason: SampleReason
    note: str = ""


@dataclass(frozen=True)
class StratumSummary:
    label: str
    frame: int
    eligible: int
    target: int
    drawn: int


@dataclass(frozen=True)
class SamplePreview:
    round_id: int
    round_name: str
    seed: int
    items: tuple[PreviewItem, ...]
    strata: tuple[StratumSummary, ...]
    exclusions: dict[str, int]
    shortfall: int
    warnings: tuple[str, ...]
    method: dict[str, Any] = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """Which files, to whom: equal fingerprints mean the same sample and assignment."""
        text = ";".join(f"{i.case_file_id}:{i.auditor_username or ''}" for i in self.items)
        return hashlib.sha256(f"{self.seed}|{text}".encode()).hexdigest()

    @property
    def frame_size(self) -> int:
        return sum(s.frame for s in self.strata)


def _round(session: Session, round_id: int) -> AuditRound:
    found = session.get(AuditRound, round_id)
    if found is None:
        raise NotFound(f"There is no audit round number {round_id}.")
    return found


def _check_seed(seed: int | None) -> None:
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"The seed must be a whole number from 0 to {MAX_SEED}.")


def _fixed_items(session: Session, rnd: AuditRound, auditors: list[AuditorInfo]) -> list[DrawnItem]:
    """Manual additions still in the sample: kept through a (re)draw."""
    manual = [i for i in rnd.items if i.reason == SampleReason.MANUAL and not i.removed]
    cases = {c.case_file_id: c for c in frame_cases_for(session, [i.case_file_id for i in manual])}
    by_user = {a.user_id: a for a in auditors}
    key_of = stratum_key_function(SampleSpec.from_dict(rnd.sample_spec or {}).strata)
    return [
        DrawnItem(
            cases[i.case_file_id],
            key_of(cases[i.case_file_id]),
            i.stratum,
            by_user.get(i.auditor_user_id or -1),
            "manual",
        )
        for i in manual
        if i.case_file_id in cases
    ]


def _prior_counts(
    session: Session, rnd: AuditRound, spec: SampleSpec
) -> dict[tuple[str, ...], int]:
    """For a programme's spread allocation: files per stratum in its earlier rounds."""
    if rnd.programme_id is None or spec.allocation != "spread":
        return {}
    ids = session.scalars(
        select(SampleItem.case_file_id)
        .join(AuditRound, AuditRound.id == SampleItem.round_id)
        .where(
            AuditRound.programme_id == rnd.programme_id,
            AuditRound.id != rnd.id,
            AuditRound.period_start < rnd.period_start,
            SampleItem.removed.is_(False),
        )
    ).all()
    key_of = stratum_key_function(spec.strata)
    counts: dict[tuple[str, ...], int] = {}
    for case in frame_cases_for(session, ids, "outcome" in spec.strata):
        key = key_of(case)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _draw(session: Session, rnd: AuditRound, seed: int) -> tuple[Draw, list[DrawnItem], SampleSpec]:
    spec = SampleSpec.from_dict(rnd.sample_spec or {})
    auditors = round_auditors(session, rnd.id)
    frame = load_frame(session, spec, rnd.period_start, rnd.period_end)
    excluded = recently_audited(
        session, rnd.id, rnd.period_start, rnd.period_end, spec.exclude_months
    )
    fixed = _fixed_items(session, rnd, auditors)
    draw = draw_sample(
        frame,
        spec,
        seed,
        auditors=auditors,
        excluded_children=excluded,
        prior_counts=_prior_counts(session, rnd, spec),
        fixed=fixed,
    )
    return draw, fixed, spec


def _preview(
    rnd: AuditRound, seed: int, draw: Draw, fixed: list[DrawnItem], spec: SampleSpec
) -> SamplePreview:
    def item(d: DrawnItem, reason: SampleReason) -> PreviewItem:
        c = d.case
        return PreviewItem(
            c.case_file_id,
            c.case_key,
            d.stratum,
            PathwayStage(c.stage),
            CaseStatus(c.status),
            c.team,
            c.worker,
            c.iro,
            d.auditor.username if d.auditor else None,
            d.auditor.display_name if d.auditor else "",
            reason,
        )

    items = tuple(
        [item(d, SampleReason.RANDOM) for d in draw.items]
        + [item(d, SampleReason.MANUAL) for d in fixed]
    )
    strata = tuple(
        StratumSummary(
            label,
            draw.frame_sizes[label],
            draw.eligible[label],
            draw.targets.get(label, 0),
            draw.drawn[label],
        )
        for label in draw.frame_sizes
    )
    method = {
        "algorithm": ALGORITHM,
        "seed": seed,
        "spec": spec.to_dict(),
        "description": spec.describe(),
        "period": {"start": rnd.period_start.isoformat(), "end": rnd.period_end.isoformat()},
        "frame_size": sum(draw.frame_sizes.values()),
        "strata": {
            s.label: {
                "frame": s.frame,
                "eligible": s.eligible,
                "target": s.target,
                "drawn": s.drawn,
            }
            for s in strata
        },
        "exclusions": dict(draw.exclusions),
        "shortfall": draw.shortfall,
        "warnings": list(draw.warnings),
        "sample_size": len(items),
        "manual_changes": list((rnd.method or {}).get("manual_changes", [])),
    }
    return SamplePreview(
        rnd.id,
        rnd.name,
        seed,
        items,
        strata,
        dict(draw.exclusions),
        draw.shortfall,
        tuple(draw.warnings),
        method,
    )


def preview_sample(
    db: Database, actor: UserInfo | None, round_id: int, seed: int | None = None
) -> SamplePreview:
    """Draw the round's sample without writing anything (a new seed is chosen if none is set)."""
    require(actor, Permission.MANAGE_ROUNDS)
    _check_seed(seed)
    with db.session() as session:
        rnd = _round(session, round_id)
        if seed is None:
            seed = rnd.seed if rnd.seed is not None else secrets.randbelow(1_000_000)
        draw, fixed, spec = _draw(session, rnd, seed)
        preview = _preview(rnd, seed, draw, fixed, spec)
        session.rollback()
        return preview


def commit_sample(
    db: Database,
    actor: UserInfo | None,
    round_id: int,
    seed: int | None = None,
    *,
    expected: SamplePreview | None = None,
    redraw: bool = False,
) -> SamplePreview:
    """Draw and save the round's sample; ``expected`` guards against a changed case list."""
    require(actor, Permission.MANAGE_ROUNDS)
    _check_seed(seed)
    if seed is None and expected is not None:
        seed = expected.seed
    with db.session() as session:
        rnd = _round(session, round_id)
        if rnd.status in (RoundStatus.IN_PROGRESS, RoundStatus.COMPLETED):
            raise ValidationError(
                f"The round {rnd.name!r} is {rnd.status.label.lower()}; its sample can no longer be "
                "drawn again. Add or remove files by hand instead, with a reason."
            )
        if rnd.status == RoundStatus.SAMPLED and not redraw:
            raise ValidationError(
                f"The round {rnd.name!r} already has a sample (seed {rnd.seed}). Draw it again "
                "only on purpose (--redraw in the command line); the old sample will be replaced."
            )
        started = session.scalar(
            select(Audit.id)
            .join(SampleItem, SampleItem.id == Audit.sample_item_id)
            .where(SampleItem.round_id == rnd.id)
            .limit(1)
        )
        if started is not None:
            raise ValidationError(
                f"Audits have started in the round {rnd.name!r}, so its sample cannot be drawn again."
            )
        if seed is None:
            seed = rnd.seed if rnd.seed is not None else secrets.randbelow(1_000_000)
        draw, fixed, spec = _draw(session, rnd, seed)
        preview = _preview(rnd, seed, draw, fixed, spec)
        if expected is not None and expected.fingerprint != preview.fingerprint:
            raise ValidationError(
                "The case list or the round changed since the preview was drawn, so the sample "
                "would differ from the one shown. Preview it again, then commit."
            )
        keep = {d.case.case_file_id for d in fixed}
        before = {"seed": rnd.seed, "case_files": sorted(i.case_file_id for i in rnd.items)}
        session.execute(
            delete(SampleItem)
            .where(SampleItem.round_id == rnd.id, SampleItem.case_file_id.not_in(keep))
            .execution_options(synchronize_session=False)
        )
        for d in draw.items:
            session.add(
                SampleItem(
                    round_id=rnd.id,
                    case_file_id=d.case.case_file_id,
                    stratum=d.stratum[:200],
                    reason=SampleReason.RANDOM,
                    auditor_user_id=d.auditor.user_id if d.auditor else None,
                )
            )
        method = dict(preview.method)
        method["drawn_at"] = utcnow().isoformat(timespec="seconds")
        method["drawn_by"] = actor.username if actor else ""
        rnd.seed = seed
        rnd.method = method
        rnd.status = RoundStatus.SAMPLED
        rnd.sampled_at = utcnow()
        session.flush()
        after = {
            "seed": seed,
            "case_files": sorted(i.case_file_id for i in preview.items),
            "fingerprint": preview.fingerprint,
            "exclusions": dict(preview.exclusions),
        }
        trail.append(
            session,
            actor.id if actor else None,
            "audit_round",
            rnd.id,
            "draw sample",
            before,
            after,
        )
        session.expire(rnd)
        return SamplePreview(
            preview.round_id,
            preview.round_name,
            seed,
            preview.items,
            preview.strata,
            preview.exclusions,
            preview.shortfall,
            preview.warnings,
            method,
        )


def method_lines(method: Mapping[str, Any]) -> list[str]:
    """The sampling method in words, for ``round show`` and reports."""
    if not method:
        return ["No sample has been drawn yet."]
    lines = [f"Drawn with seed {method.get('seed')}: {method.get('description', '')}."]
    if method.get("drawn_at"):
        lines[0] += f" Drawn {method['drawn_at']} by {method.get('drawn_by') or 'unknown'}."
    lines.append(f"Frame: {method.get('frame_size', 0)} case files.")
    for label, s in (method.get("strata") or {}).items():
        lines.append(f"  {label}: frame {s['frame']}, eligible {s['eligible']}, drawn {s['drawn']}")
    for why, n in (method.get("exclusions") or {}).items():
        lines.append(f"Excluded {n}: {why}.")
    lines.extend(method.get("warnings") or [])
    for change in method.get("manual_changes") or []:
        lines.append(
            f"By hand: {change.get('action')} {change.get('case_key')} "
            f"({change.get('reason', '')}) by {change.get('by', '')} on {change.get('at', '')}."
        )
    return lines
