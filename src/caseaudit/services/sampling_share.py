"""Sharing a sample among strata and files among auditors.

``largest_remainder`` shares a total in proportion to stratum sizes with exact integer
arithmetic (so every machine agrees); ``share`` applies an allocation rule (proportional, equal,
or spread one at a time to the strata with fewest files so far, ties broken by a seeded hash);
``conflict_test`` finds files that no auditor of the round may audit; ``assign_balanced`` gives
each drawn file to the least-loaded auditor without a conflict, the most constrained files first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from hashlib import blake2b

from .sampling_spec import SampleSpec
from .sampling_types import AuditorInfo, DrawnItem, FrameCase


def conflict_test(auditors: Sequence[AuditorInfo]) -> Callable[[FrameCase], bool] | None:
    """A fast test for "every auditor has a conflict with this file", or None if none can."""
    if not auditors:
        return None
    # Per team: the auditors who do not manage it; the file is barred only if each of them is
    # its worker or IRO, which needs them all to have a worker record.
    teams = frozenset().union(*(a.managed_team_ids for a in auditors))
    rest_by_team = {t: [a for a in auditors if t not in a.managed_team_ids] for t in teams}
    possible = {t: all(a.worker_id is not None for a in rest) for t, rest in rest_by_team.items()}
    otherwise = all(a.worker_id is not None for a in auditors)
    if not otherwise and all(rest and not possible[t] for t, rest in rest_by_team.items()):
        return None

    def barred(case: FrameCase) -> bool:
        team = case.team_id
        rest = rest_by_team.get(team) if team is not None else None
        if rest is None:
            if not otherwise:
                return False
            rest = list(auditors)
        elif not rest:
            return True  # every auditor manages the file's team
        elif not possible[team]:  # type: ignore[index]
            return False
        return all(a.worker_id in (case.worker_id, case.iro_worker_id) for a in rest)

    return barred


def largest_remainder(
    total: int, weights: Mapping[tuple[str, ...], int]
) -> dict[tuple[str, ...], int]:
    """Share ``total`` in proportion to ``weights`` with exact integer arithmetic."""
    whole = sum(weights.values())
    if whole <= 0 or total <= 0:
        return {k: 0 for k in weights}
    if total >= whole:
        return dict(weights)
    shares = {k: total * w // whole for k, w in weights.items()}
    left = total - sum(shares.values())
    for k in sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))[:left]:
        shares[k] += 1
    return shares


def rank(seed: int, key: tuple[str, ...]) -> bytes:
    return blake2b(f"{seed}|rank|{'|'.join(key)}".encode(), digest_size=8).digest()


def wanted_total(spec: SampleSpec, keys: Sequence[tuple[str, ...]]) -> int:
    if spec.allocation == "per_stratum":
        return (spec.per_stratum or 0) * len(keys)
    if spec.allocation == "counts":
        return sum(n for _, n in spec.counts)
    return spec.total or 0


def share(
    allocation: str,
    total: int,
    available: Mapping[tuple[str, ...], int],
    drawn: Mapping[tuple[str, ...], int],
    keys: Sequence[tuple[str, ...]],
    seed: int,
    prior: Mapping[tuple[str, ...], int],
) -> dict[tuple[str, ...], int]:
    """Share ``total`` among strata by the allocation rule, never beyond what each has."""
    if allocation == "proportional":
        return largest_remainder(total, {k: available.get(k, 0) for k in keys})
    shares = {k: 0 for k in keys}
    order = sorted((k for k in keys if available.get(k, 0) > 0), key=lambda k: rank(seed, k))
    if allocation == "equal":
        while total > 0 and order:
            for k in list(order):
                if total == 0:
                    break
                shares[k] += 1
                total -= 1
                if shares[k] >= available[k]:
                    order.remove(k)
        return shares
    # spread: one at a time to the stratum with the fewest files so far (in earlier periods too)
    load = {k: prior.get(k, 0) + drawn.get(k, 0) for k in order}
    while total > 0 and order:
        k = min(order, key=lambda k: (load[k], rank(seed, k)))
        shares[k] += 1
        load[k] += 1
        total -= 1
        if shares[k] >= available[k]:
            order.remove(k)
    return shares


def assign_balanced(
    items: Sequence[DrawnItem], auditors: Sequence[AuditorInfo], fixed: Sequence[DrawnItem] = ()
) -> list[DrawnItem]:
    """Give each item to the least-loaded auditor with no conflict (most-constrained first)."""
    load = {a.user_id: 0 for a in auditors}
    for item in fixed:
        if item.auditor is not None and item.auditor.user_id in load:
            load[item.auditor.user_id] += 1
    ordered = sorted(
        items,
        key=lambda i: (
            sum(1 for a in auditors if not a.conflict(i.case)),
            i.stratum_key,
            i.case.order_key,
            i.case.case_key,
        ),
    )
    for item in ordered:
        allowed = [a for a in auditors if not a.conflict(item.case)]
        if not allowed:
            item.auditor = None
            continue
        chosen = min(allowed, key=lambda a: (load[a.user_id], a.username))
        item.auditor = chosen
        load[chosen.user_id] += 1
    return sorted(items, key=lambda i: (i.stratum_key, i.case.order_key, i.case.case_key))
