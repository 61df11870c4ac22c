"""The sample specification of an audit round: which files are in the frame and how to draw.

A ``SampleSpec`` names the strata (pathway stage, outcome, team, open/closed, worker, IRO, case
list), the allocation (a count per stratum, a total shared proportionally or equally, a total
spread one file at a time across strata such as IROs, or explicit counts), minimums for groups
(the seed 003 inspection pattern: at least 4 safeguarding and 4 LAC files), the frame filters
(stages or groups, open/closed, teams, lists, closed within the last N months), the exclusion
window (not audited in the last N months) and the cap on files per worker. It reads from and
writes to a plain dict (YAML spec files, the round's JSON column) and explains every mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..errors import ValidationError
from ..vocabulary import CaseStatus, Outcome, PathwayStage

DIMENSIONS: dict[str, str] = {
    "stage": "Pathway stage",
    "outcome": "Outcome",
    "team": "Team",
    "status": "Open or closed",
    "worker": "Worker",
    "iro": "IRO",
    "list": "Case list",
}
ALLOCATIONS = ("per_stratum", "proportional", "equal", "spread", "counts")
_S = PathwayStage
GROUPS: dict[str, frozenset[PathwayStage]] = {
    "safeguarding": frozenset(
        {
            _S.CONTACT,
            _S.REFERRAL,
            _S.RE_REFERRAL,
            _S.ASSESSMENT,
            _S.STRATEGY_DISCUSSION,
            _S.SECTION_47,
            _S.ICPC,
            _S.CIN_PLAN,
            _S.CP_PLAN,
        }
    ),
    "lac": frozenset({_S.LAC_EPISODE, _S.LAC_REVIEW, _S.CARE_LEAVER}),
    "care_leavers": frozenset({_S.CARE_LEAVER}),
    "front_door": frozenset({_S.CONTACT, _S.REFERRAL, _S.RE_REFERRAL, _S.ASSESSMENT}),
    "child_protection": frozenset({_S.STRATEGY_DISCUSSION, _S.SECTION_47, _S.ICPC, _S.CP_PLAN}),
    "child_in_need": frozenset({_S.CIN_PLAN}),
    "early_help": frozenset({_S.EARLY_HELP}),
}


def stages_named(text: str) -> frozenset[PathwayStage]:
    """The stages a word names: a group ("lac"), a stage value or label ("cp_plan")."""
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    if word in GROUPS:
        return GROUPS[word]
    try:
        return frozenset({PathwayStage.parse(text)})  # type: ignore[arg-type]
    except ValueError:
        raise ValidationError(
            f"{text!r} is neither a group ({', '.join(GROUPS)}) nor a pathway stage "
            f"({', '.join(s.value for s in PathwayStage)})."
        ) from None


@dataclass(frozen=True)
class Criterion:
    """What a minimum counts: a dimension and the values it accepts."""

    dimension: str
    values: frozenset[str]


def parse_criterion(key: str) -> Criterion:
    """``"lac"``, ``"cp_plan"``, ``"team:Duty and Assessment"``, ``"outcome:did_not_proceed"``."""
    dim, sep, value = key.partition(":")
    if not sep:
        return Criterion("stage", frozenset(s.value for s in stages_named(key)))
    dim = dim.strip().lower()
    value = value.strip()
    if dim == "stage" or dim == "group":
        return Criterion("stage", frozenset(s.value for s in stages_named(value)))
    if dim == "outcome":
        try:
            return Criterion("outcome", frozenset({Outcome.parse(value).value}))
        except ValueError:
            raise ValidationError(f"{value!r} is not an outcome.") from None
    if dim == "status":
        try:
            return Criterion("status", frozenset({CaseStatus.parse(value).value}))
        except ValueError:
            raise ValidationError(f"{value!r} is not open or closed.") from None
    if dim in ("team", "worker", "iro", "list"):
        return Criterion(dim, frozenset({value.casefold()}))
    raise ValidationError(
        f"The minimum {key!r} is not understood. Use a group or stage (lac, safeguarding, "
        "cp_plan) or dimension:value (team:NAME, status:closed, outcome:did_not_proceed)."
    )


@dataclass(frozen=True)
class SampleSpec:
    strata: tuple[str, ...] = ("stage",)
    allocation: str = "proportional"
    per_stratum: int | None = None
    total: int | None = None
    counts: tuple[tuple[str, int], ...] = ()
    minimums: tuple[tuple[str, int], ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    closed_within_months: int | None = None
    require_iro: bool = False
    exclude_months: int = 0
    max_per_worker: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SampleSpec:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                f"The sample specification has settings caseaudit does not know: "
                f"{', '.join(unknown)}. Known settings: {', '.join(sorted(known))}."
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key in ("counts", "minimums"):
                items = value.items() if isinstance(value, Mapping) else value
                values[key] = tuple(sorted((str(k), _int(key, n)) for k, n in items))
            elif key in ("strata", "stages", "statuses", "teams", "lists"):
                values[key] = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
            elif key in (
                "per_stratum",
                "total",
                "closed_within_months",
                "max_per_worker",
                "exclude_months",
            ):
                values[key] = _int(key, value)
            elif key == "require_iro":
                values[key] = bool(value)
            else:
                values[key] = str(value)
        spec = cls(**values)
        spec.check()
        return spec

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("counts", "minimums"):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        return data

    def check(self) -> None:
        """Raise ``ValidationError`` listing every problem with this specification."""
        problems: list[str] = []
        for dim in self.strata:
            if dim not in DIMENSIONS:
                problems.append(f"{dim!r} is not a stratum; use {', '.join(DIMENSIONS)}.")
        if len(set(self.strata)) != len(self.strata):
            problems.append("A stratum is named twice.")
        if self.allocation not in ALLOCATIONS:
            problems.append(
                f"{self.allocation!r} is not an allocation; use {', '.join(ALLOCATIONS)}."
            )
        if self.allocation == "per_stratum" and not (self.per_stratum or 0) >= 1:
            problems.append(
                "Say how many files to draw from each stratum (per_stratum, at least 1)."
            )
        if self.allocation in ("proportional", "equal", "spread") and not (self.total or 0) >= 1:
            problems.append("Say how many files to draw in all (total, at least 1).")
        if self.allocation == "counts" and not self.counts:
            problems.append("Give the number of files for each stratum (counts).")
        for name in ("per_stratum", "total", "closed_within_months", "max_per_worker"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems.append(f"{name} cannot be negative.")
        if self.exclude_months < 0:
            problems.append("exclude_months cannot be negative.")
        if self.max_per_worker == 0:
            problems.append("max_per_worker must be at least 1 (or left out for no cap).")
        for key, n in self.minimums:
            if n < 0:
                problems.append(f"The minimum for {key!r} cannot be negative.")
            try:
                parse_criterion(key)
            except ValidationError as exc:
                problems.append(exc.message)
        minimum_total = sum(n for _, n in self.minimums)
        if (
            self.total is not None
            and self.allocation != "per_stratum"
            and minimum_total > self.total
        ):
            problems.append(
                f"The minimums add up to {minimum_total}, more than the {self.total} files asked for."
            )
        for word in self.stages:
            try:
                stages_named(word)
            except ValidationError as exc:
                problems.append(exc.message)
        for word in self.statuses:
            try:
                CaseStatus.parse(word)
            except ValueError:
                problems.append(f"{word!r} is not open or closed.")
        if len(problems) == 1:
            raise ValidationError(
                f"The sample specification is not usable: {problems[0]}", problems
            )
        if problems:
            raise ValidationError("The sample specification is not usable.", problems)

    def frame_stages(self) -> frozenset[PathwayStage]:
        result: set[PathwayStage] = set()
        for word in self.stages:
            result |= stages_named(word)
        return frozenset(result)

    def describe(self) -> str:
        """One sentence for the round's method, e.g. "4 per stratum of stage × outcome"."""
        dims = " × ".join(self.strata) or "one stratum"
        how = {
            "per_stratum": f"{self.per_stratum} per stratum",
            "proportional": f"{self.total} shared in proportion to stratum size",
            "equal": f"{self.total} shared equally",
            "spread": f"{self.total} spread one at a time",
            "counts": "set counts per stratum",
        }.get(self.allocation, self.allocation)
        text = f"{how}, strata: {dims}"
        if self.minimums:
            text += "; at least " + ", ".join(f"{n} {k}" for k, n in self.minimums)
        return text


def _int(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a whole number, not {value!r}.") from None
