"""The rules of each list, applied a column at a time (100,000 rows in a few passes).

``apply_rules`` takes the converted columns of a file and the problems found so far by row, and
adds the rest in the order a person reads them: required fields missing; then, for rows still
sound, a date of birth in the future, an end before its start, and the list's own rules (a
CIN/CP list holds only plans; a looked-after list only looked-after stages, with care leavers
and external placements flagged; default stages and statuses). It fills defaults into the
columns, so rows can then be built in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..vocabulary import CaseStatus, Outcome, PathwayStage
from .importer_fields import FIELDS, REQUIRED, ListKind
from .importer_rows import LAC_STAGES, PLAN_STAGES, RowProblem
from .importer_values import split_full_name

Columns = dict[str, list]
Problems = dict[int, list[RowProblem]]


def _add(problems: Problems, numbers: list[int], i: int, name: str, reason: str) -> None:
    problems.setdefault(i, []).append(RowProblem(numbers[i], FIELDS[name].label, reason))


def apply_rules(
    kind: ListKind, values: Columns, numbers: list[int], problems: Problems, today: date
) -> None:
    """Check ``values`` (mutated: defaults filled in) and add reasons to ``problems``."""
    n = len(numbers)
    first_pass = {i: {p.field for p in found} for i, found in problems.items()}
    for name in REQUIRED[kind]:
        label = FIELDS[name].label
        column = values.get(name) or [None] * n
        if None not in column and "" not in column:  # the usual case, at C speed
            continue
        for i in [i for i, v in enumerate(column) if v is None or v == ""]:
            if label not in first_pass.get(i, ()):
                _add(problems, numbers, i, name, "is missing (this list needs it on every row)")
    refused = set(problems)  # rows already refused are not checked further

    def flag(name: str, rows: list[int], reason: Callable[[int], str]) -> None:
        for i in rows:
            if i not in refused:
                _add(problems, numbers, i, name, reason(i))

    born = values.get("date_of_birth")
    if born is not None and max(filter(None, born), default=today) > today:
        late = [i for i, d in enumerate(born) if d is not None and d > today]
        flag("date_of_birth", late, lambda i: "is in the future")
    _order(values, "opened_on", "closed_on", "start date", flag)
    _order(values, "event_date", "completed_on", "event date", flag)
    _full_names(values, n)
    _list_rules(kind, values, n, flag)


Flag = Callable[[str, list[int], Callable[[int], str]], None]


def _order(values: Columns, start: str, end: str, what: str, flag: Flag) -> None:
    starts, ends = values.get(start), values.get(end)
    if starts is None or ends is None or not any(ends):
        return
    wrong = [i for i, (s, e) in enumerate(zip(starts, ends, strict=True)) if s and e and e < s]
    flag(end, wrong, lambda i: f"{ends[i]:%d/%m/%Y} is before the {what} {starts[i]:%d/%m/%Y}")


def _full_names(values: Columns, n: int) -> None:
    full = values.get("full_name")
    if full is None:
        return
    given = values.setdefault("given_name", [""] * n)
    family = values.setdefault("family_name", [""] * n)
    for i, name in enumerate(full):
        if name and not (given[i] or family[i]):
            first, last = split_full_name(str(name))
            given[i], family[i] = first[:100], last[:100]


def _list_rules(kind: ListKind, values: Columns, n: int, flag: Flag) -> None:
    stages = values.setdefault("stage", [None] * n)
    if kind is ListKind.CIN_CP:
        wrong = (
            []
            if PLAN_STAGES.issuperset(stages)
            else [i for i, s in enumerate(stages) if s not in PLAN_STAGES]
        )
        flag(
            "stage",
            wrong,
            lambda i: f"{stages[i].label if stages[i] else 'blank'} is not a CIN or CP plan",
        )
    elif kind is ListKind.LAC:
        leavers = values.get("care_leaver") or []
        for i in [i for i, flag in enumerate(leavers) if flag]:
            stages[i] = PathwayStage.CARE_LEAVER
        values["stage"] = stages = [s or PathwayStage.LAC_EPISODE for s in stages]
        wrong = [i for i, s in enumerate(stages) if s not in LAC_STAGES]
        flag("stage", wrong, lambda i: f"{stages[i].label} is not a looked-after stage")
        external = values.get("external_placement") or []
        placements = values.setdefault("placement_type", [""] * n)
        for i in [i for i, flag in enumerate(external) if flag]:
            placements[i] = (f"External: {placements[i]}" if placements[i] else "External")[:64]
    elif kind is ListKind.UNALLOCATED:
        values["stage"] = [s or PathwayStage.REFERRAL for s in stages]
    if kind is ListKind.EVENTS:
        outcomes = values.get("outcome") or [None] * n
        values["outcome"] = [o or Outcome.ONGOING for o in outcomes]
    else:
        statuses = values.get("status") or [None] * n
        closed = values.get("closed_on") or [None] * n
        if not any(statuses) and not any(closed):  # nothing said: every case is open
            values["status"] = [CaseStatus.OPEN] * n
            return
        values["status"] = [
            s or (CaseStatus.CLOSED if c else CaseStatus.OPEN)
            for s, c in zip(statuses, closed, strict=True)
        ]
