"""The draw itself: a seeded, stratified, reproducible sample from a frame of case files.

Pure functions over plain values, so the same frame, specification and seed give the same sample
on any machine and either database backend, whatever order the frame arrives in. Each stratum's
eligible files are first sorted by a key made only of what the case-management system said (the
child's ID, the file's start date, list and stage), then shuffled lazily by a Fisher-Yates walk
driven by BLAKE2b in counter mode keyed with ``seed|stratum`` (no use of ``random``, whose
internals may change between Python versions); the sample takes files from the front of each
walk. Files are skipped, and counted, if the child is already in the sample or the worker has
reached the cap. Minimums are met first, from walks restricted to the group, then the allocation
fills each stratum; a total that a stratum cannot supply is redistributed to the others.
``assign_balanced`` then gives each file to the least-loaded auditor who has no conflict of
interest with it (manages its team, or is its worker or IRO).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from hashlib import blake2b
from operator import attrgetter

from .importer_read import paused_gc
from .sampling_share import (
    assign_balanced,
    conflict_test,
    largest_remainder,
    share,
    wanted_total,
)
from .sampling_spec import SampleSpec, parse_criterion
from .sampling_types import (
    ALGORITHM,
    GETTERS,
    NO_IRO,
    NO_TEAM,
    NO_WORKER,
    AuditorInfo,
    Draw,
    DrawnItem,
    FrameCase,
    matches,
    matches_value,
    stratum_key_function,
    stratum_label,
)

__all__ = [
    "ALGORITHM",
    "NO_IRO",
    "NO_TEAM",
    "NO_WORKER",
    "AuditorInfo",
    "Draw",
    "DrawnItem",
    "FrameCase",
    "assign_balanced",
    "draw_sample",
    "largest_remainder",
    "stratum_key_function",
    "stratum_label",
]


class _Rng:
    """Unbiased-enough integers from BLAKE2b in counter mode (128 bits per draw)."""

    def __init__(self, key: str) -> None:
        self._key = blake2b(key.encode(), digest_size=32).digest()
        self._n = 0

    def below(self, bound: int) -> int:
        self._n += 1
        digest = blake2b(self._n.to_bytes(8, "big"), key=self._key, digest_size=16).digest()
        return int.from_bytes(digest, "big") % bound


class _Walk:
    """A lazy seeded shuffle of a stratum's sorted eligible files."""

    def __init__(self, members: list[FrameCase], key: str) -> None:
        self.members = members
        self.rng = _Rng(key)
        self.pos = 0

    def next(self) -> FrameCase | None:
        members, pos = self.members, self.pos
        if pos >= len(members):
            return None
        j = pos + self.rng.below(len(members) - pos)
        members[pos], members[j] = members[j], members[pos]
        self.pos = pos + 1
        return members[pos]


class _State:
    def __init__(self, spec: SampleSpec, fixed: Sequence[DrawnItem]) -> None:
        self.cap = spec.max_per_worker
        self.items: list[DrawnItem] = []
        self.children: set[int] = {i.case.child_id for i in fixed}
        self.per_worker: dict[int, int] = {}
        for item in fixed:
            if item.case.worker_id is not None:
                self.per_worker[item.case.worker_id] = (
                    self.per_worker.get(item.case.worker_id, 0) + 1
                )
        self.skips: dict[str, int] = {}
        self.skipped_ids: set[int] = set()
        self.taken: dict[tuple[str, ...], int] = {}
        self.taken_ids: set[int] = set()

    def take(self, walk: _Walk, key: tuple[str, ...], label: str) -> bool:
        while (case := walk.next()) is not None:
            if case.case_file_id in self.taken_ids:
                continue  # drawn already from a minimum's walk of the same stratum
            why = ""
            if case.child_id in self.children:
                why = "child already in the sample"
            elif (
                self.cap
                and case.worker_id is not None
                and self.per_worker.get(case.worker_id, 0) >= self.cap
            ):
                why = "worker already has the most files allowed"
            if why:
                if case.case_file_id not in self.skipped_ids:
                    self.skipped_ids.add(case.case_file_id)
                    self.skips[why] = self.skips.get(why, 0) + 1
                continue
            self.children.add(case.child_id)
            self.taken_ids.add(case.case_file_id)
            self.taken[key] = self.taken.get(key, 0) + 1
            if case.worker_id is not None:
                self.per_worker[case.worker_id] = self.per_worker.get(case.worker_id, 0) + 1
            self.items.append(DrawnItem(case, key, label))
            return True
        return False


def draw_sample(
    frame: Iterable[FrameCase],
    spec: SampleSpec,
    seed: int,
    *,
    auditors: Sequence[AuditorInfo] = (),
    excluded_children: Mapping[int, str] | None = None,
    prior_counts: Mapping[tuple[str, ...], int] | None = None,
    fixed: Sequence[DrawnItem] = (),
) -> Draw:
    """Draw a sample; see the module docstring. ``fixed`` items (manual additions) are kept.

    ``FrameCase.order_key`` must be unique within the frame; it, not the frame's order, decides
    the order each stratum is shuffled from.
    """
    drawer = _Drawer(spec, seed, auditors, fixed, prior_counts or {})
    with paused_gc():  # 100,000 small keys and lists: no collector passes over them meanwhile
        drawer.partition(frame, excluded_children or {})
        drawer.minimums()
        targets = drawer.allocate()
        return drawer.result(targets)


class _Drawer:
    def __init__(
        self,
        spec: SampleSpec,
        seed: int,
        auditors: Sequence[AuditorInfo],
        fixed: Sequence[DrawnItem],
        prior: Mapping[tuple[str, ...], int],
    ) -> None:
        self.spec, self.seed, self.auditors, self.fixed, self.prior = (
            spec,
            seed,
            auditors,
            fixed,
            prior,
        )
        self.key_of = stratum_key_function(spec.strata)
        self.exclusions: dict[str, int] = {}
        self.members: dict[tuple[str, ...], list[FrameCase]] = {}
        self.sizes: dict[tuple[str, ...], int] = {}
        self.state = _State(spec, fixed)

    def partition(self, frame: Iterable[FrameCase], excluded: Mapping[int, str]) -> None:
        """Group the frame into strata in ``order_key`` order, leaving out excluded files."""
        key_of = self.key_of
        members: defaultdict[tuple[str, ...], list[FrameCase]] = defaultdict(list)
        self.members = members
        kept = sorted(frame, key=attrgetter("order_key"))
        out: list[tuple[str, FrameCase]] = []
        if excluded:  # usually a few hundred children: find which are in the frame first
            hits = excluded.keys() & set(map(attrgetter("child_id"), kept))
            if hits:
                out += [(excluded[c.child_id], c) for c in kept if c.child_id in hits]
                kept = [c for c in kept if c.child_id not in hits]
        barred = conflict_test(self.auditors)
        if barred is not None:
            why = "every auditor has a conflict of interest"
            out += [(why, c) for c in kept if barred(c)]
            kept = [c for c in kept if not barred(c)]
        fixed_ids = {i.case.case_file_id for i in self.fixed}
        if fixed_ids:
            why = "already in the sample by hand"
            out += [(why, c) for c in kept if c.case_file_id in fixed_ids]
            kept = [c for c in kept if c.case_file_id not in fixed_ids]
        for key, case in zip(map(key_of, kept), kept, strict=True):  # tight: 100,000 files
            members[key].append(case)
        for key, group in members.items():
            self.sizes[key] = len(group)
        for why, case in out:
            key = key_of(case)
            self.sizes[key] = self.sizes.get(key, 0) + 1
            self.exclusions[why] = self.exclusions.get(why, 0) + 1
        self.keys = sorted(self.sizes)
        self.labels = {k: stratum_label(self.spec.strata, k) for k in self.keys}
        self.eligible = {k: len(members.get(k, ())) for k in self.keys}
        self.drawn = dict.fromkeys(self.keys, 0)
        for item in self.fixed:
            k = key_of(item.case)
            if k in self.drawn:
                self.drawn[k] += 1
        self.walks: dict[tuple[str, ...], _Walk] = {}

    def walk(self, key: tuple[str, ...]) -> _Walk:
        walk = self.walks.get(key)
        if walk is None:
            walk = self.walks[key] = _Walk(
                self.members.get(key, []), f"{self.seed}|{'|'.join(key)}"
            )
        return walk

    def draw_from(
        self, walk_of: Callable[[tuple[str, ...]], _Walk], shares: Mapping[tuple[str, ...], int]
    ) -> int:
        got = 0
        for key in sorted(shares):
            for _ in range(shares[key]):
                if not self.state.take(walk_of(key), key, self.labels[key]):
                    break
                self.drawn[key] += 1
                got += 1
        return got

    def minimums(self) -> None:
        """Meet each minimum from walks restricted to its group, before the main draw."""
        for text, minimum in self.spec.minimums:
            criterion = parse_criterion(text)
            taken = (*self.fixed, *self.state.items)
            need = minimum - sum(1 for i in taken if matches(criterion, i.case))
            if need <= 0:
                continue
            walks: dict[tuple[str, ...], _Walk] = {}
            position = (
                self.spec.strata.index(criterion.dimension)
                if criterion.dimension in self.spec.strata
                else None
            )
            for key in self.keys:
                group = self.members.get(key, [])
                if position is not None:  # the whole stratum is in or out of the group
                    chosen = list(group) if matches_value(criterion, key[position]) else []
                elif criterion.dimension in ("stage", "outcome", "status"):
                    get, values = GETTERS[criterion.dimension], criterion.values
                    chosen = [c for c in group if get(c) in values]
                else:
                    get = GETTERS[criterion.dimension]
                    chosen = [c for c in group if matches_value(criterion, get(c))]
                if chosen:
                    walks[key] = _Walk(chosen, f"{self.seed}|{'|'.join(key)}|min:{text}")
            while need > 0 and walks:
                left = {k: len(w.members) - w.pos for k, w in walks.items()}
                got = self.draw_from(walks.__getitem__, largest_remainder(need, left))
                need -= got
                walks = {k: w for k, w in walks.items() if w.pos < len(w.members)}
                if got == 0:
                    break

    def allocate(self) -> dict[tuple[str, ...], int]:
        spec, keys, drawn = self.spec, self.keys, self.drawn
        if spec.allocation == "per_stratum":
            targets = {k: max(0, (spec.per_stratum or 0) - drawn[k]) for k in keys}
        elif spec.allocation == "counts":
            wanted = dict(spec.counts)
            targets = {
                k: max(0, wanted.get(self.labels[k], wanted.get("|".join(k), 0)) - drawn[k])
                for k in keys
            }
        else:
            left = max(0, (spec.total or 0) - len(self.fixed) - len(self.state.items))
            remaining = {k: self.eligible[k] - self.state.taken.get(k, 0) for k in keys}
            targets = share(spec.allocation, left, remaining, drawn, keys, self.seed, self.prior)
        self.draw_from(self.walk, targets)
        if spec.allocation in ("proportional", "equal", "spread"):
            # A stratum that ran short (caps, children already drawn): share the rest again.
            while (left := (spec.total or 0) - len(self.fixed) - len(self.state.items)) > 0:
                still = {
                    k: len(w.members) - w.pos
                    for k in keys
                    if (w := self.walk(k)).pos < len(w.members)
                }
                if not still:
                    break
                extra = share(
                    spec.allocation, left, still, drawn, list(still), self.seed, self.prior
                )
                if self.draw_from(self.walk, extra) == 0:
                    break
        return targets

    def result(self, targets: Mapping[tuple[str, ...], int]) -> Draw:
        spec, keys, labels = self.spec, self.keys, self.labels
        got = len(self.fixed) + len(self.state.items)
        wanted = wanted_total(spec, keys)
        shortfall = max(0, wanted - got)
        exclusions = dict(self.exclusions)
        for why, n in self.state.skips.items():
            exclusions[why] = exclusions.get(why, 0) + n
        warnings = []
        if shortfall:
            warnings.append(f"The frame could supply only {got} of the {wanted} files asked for.")
        items = assign_balanced(self.state.items, self.auditors, self.fixed)
        unassigned = sum(1 for i in items if i.auditor is None)
        if self.auditors and unassigned:
            warnings.append(f"{unassigned} files have no auditor without a conflict of interest.")
        return Draw(
            items=items,
            frame_sizes={labels[k]: self.sizes[k] for k in keys},
            eligible={labels[k]: self.eligible[k] for k in keys},
            targets={labels[k]: targets.get(k, 0) for k in keys},
            drawn={labels[k]: self.drawn[k] for k in keys},
            exclusions=dict(sorted(exclusions.items())),
            shortfall=shortfall,
            warnings=warnings,
        )
