"""The values a draw works on and gives back: frame cases, auditors, drawn items, the draw.

A ``FrameCase`` is one case file in a sampling frame, carrying no identifying data: its ids, its
pseudonymous case key, an ``order_key`` made only of what the case-management system said (never
a database id), and the values it is stratified by. ``stratum_key_function`` and
``stratum_label`` turn strata dimensions into keys and the words a report prints; an
``AuditorInfo`` knows which teams its auditor manages, for conflict-of-interest avoidance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from ..vocabulary import CaseStatus, Outcome, PathwayStage
from .sampling_spec import Criterion

NO_TEAM = "(no team)"
NO_WORKER = "(unallocated)"
ALGORITHM = "caseaudit stratified draw v1: sorted strata, BLAKE2b-keyed Fisher-Yates per stratum"


class FrameCase(NamedTuple):
    """One case file in the sampling frame (no identifying data); a tuple, for speed."""

    case_file_id: int
    child_id: int
    case_key: str
    order_key: str  # child's external ID, start date, list and stage: never a database id
    stage: str
    outcome: str
    status: str
    team_id: int | None
    team: str  # NO_TEAM if none
    worker_id: int | None
    worker: str  # NO_WORKER if unallocated
    iro_worker_id: int | None
    iro: str  # NO_IRO if none
    source_list: str


@dataclass(frozen=True)
class AuditorInfo:
    user_id: int
    username: str
    display_name: str
    worker_id: int | None
    managed_team_ids: frozenset[int] = frozenset()

    def conflict(self, case: FrameCase) -> str:
        """Why this auditor must not audit ``case`` ("" if they may)."""
        if case.team_id is not None and case.team_id in self.managed_team_ids:
            return "manages the team that holds the file"
        if self.worker_id is not None and self.worker_id in (case.worker_id, case.iro_worker_id):
            return "is the file's own worker or IRO"
        return ""


NO_IRO = "(no IRO)"
#: FrameCase attribute behind each stratum dimension (names already read "(no team)" etc.).
_ATTRS: dict[str, str] = {
    "stage": "stage",
    "outcome": "outcome",
    "team": "team",
    "status": "status",
    "worker": "worker",
    "iro": "iro",
    "list": "source_list",
}
GETTERS: dict[str, Callable[[FrameCase], str]] = {d: attrgetter(a) for d, a in _ATTRS.items()}


def stratum_key_function(dims: Sequence[str]) -> Callable[[FrameCase], tuple[str, ...]]:
    if not dims:
        return lambda _case: ()
    if len(dims) == 1:
        get = attrgetter(_ATTRS[dims[0]])
        return lambda case: (get(case),)
    return attrgetter(*(_ATTRS[d] for d in dims))


_LABELS: dict[str, Callable[[str], str]] = {
    "stage": lambda v: PathwayStage(v).label,
    "outcome": lambda v: Outcome(v).label,
    "status": lambda v: CaseStatus(v).label,
}


def stratum_label(dims: Sequence[str], key: tuple[str, ...]) -> str:
    if not dims:
        return "All files"
    return " · ".join(_LABELS.get(d, str)(v) for d, v in zip(dims, key, strict=True))


def matches(criterion: Criterion, case: FrameCase) -> bool:
    return matches_value(criterion, GETTERS[criterion.dimension](case))


def matches_value(criterion: Criterion, value: str) -> bool:
    if criterion.dimension in ("team", "worker", "iro", "list"):
        value = value.casefold()
    return value in criterion.values


@dataclass
class DrawnItem:
    case: FrameCase
    stratum_key: tuple[str, ...]
    stratum: str
    auditor: AuditorInfo | None = None
    reason: str = "random"


@dataclass
class Draw:
    items: list[DrawnItem]
    frame_sizes: dict[str, int]
    eligible: dict[str, int]
    targets: dict[str, int]
    drawn: dict[str, int]
    exclusions: dict[str, int]
    shortfall: int
    warnings: list[str] = field(default_factory=list)
