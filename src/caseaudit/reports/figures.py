"""The numbers of a round summary pack, worked out from ``RoundData`` with small-number care.

Grade distributions (overall and per section) count signed audits only. A category holding one
or two audits is shown as "fewer than 3" and, when it is the only such cell in its row, the next
smallest cell is withheld too, so the small number cannot be worked out from the total.
Compliance follows the grading engine (yes = 1, partly = 1/2, no = 0, not applicable left out).
Every percentage travels with its n; a comparison with fewer than ``MIN_COMPARABLE`` audits says
so instead of giving a percentage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from ..vocabulary import ActionStatus, FindingKind
from .data import ActionRow, RoundData

__all__ = [
    "MIN_CELL",
    "MIN_COMPARABLE",
    "ComplianceLine",
    "Distribution",
    "Share",
    "Theme",
    "compliance_lines",
    "distributions",
    "is_overdue",
    "percent",
    "suppress",
    "themes",
]

MIN_CELL = 3
MIN_COMPARABLE = 5
GRADES = (1, 2, 3, 4)
FEWER = f"fewer than {MIN_CELL}"
WITHHELD = "withheld*"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


@dataclass(frozen=True)
class Share:
    count: int
    note: str = ""  # "" when shown, else FEWER or WITHHELD

    @property
    def shown(self) -> bool:
        return not self.note

    def text(self, n: int) -> str:
        return f"{self.count} ({percent(self.count, n)})" if self.shown else self.note


def suppress(counts: dict[int, int]) -> dict[int, Share]:
    """Hide cells of 1 or 2 (and one more when a single hidden cell could be worked out)."""
    small = {g for g, c in counts.items() if 0 < c < MIN_CELL}
    withheld: set[int] = set()
    if len(small) == 1:
        others = sorted((c, g) for g, c in counts.items() if c > 0 and g not in small)
        if others:
            withheld.add(others[0][1])
    return {
        g: Share(counts.get(g, 0), FEWER if g in small else WITHHELD if g in withheld else "")
        for g in GRADES
    }


@dataclass(frozen=True)
class Distribution:
    label: str
    counts: dict[int, int]
    shares: dict[int, Share]
    not_graded: int = 0

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def good_or_better(self) -> int:
        return self.counts.get(1, 0) + self.counts.get(2, 0)

    @property
    def any_hidden(self) -> bool:
        return any(not s.shown for s in self.shares.values())


def _distribution(label: str, grades: list[int | None]) -> Distribution:
    counts = Counter(g for g in grades if g in GRADES)
    full = {g: counts.get(g, 0) for g in GRADES}
    return Distribution(label, full, suppress(full), sum(1 for g in grades if g not in GRADES))


def distributions(data: RoundData) -> tuple[Distribution, list[Distribution]]:
    """The overall distribution and one per graded section, over signed audits."""
    signed = data.signed_audits
    overall = _distribution("Overall", [a.overall_grade for a in signed])
    per_section = []
    for section in data.definition.sections:
        if not section.graded:
            continue
        grades = [data.section_grades.get(a.audit_id, {}).get(section.id) for a in signed]
        graded = [g for g in grades if g is not None]
        if graded:
            per_section.append(_distribution(section.title, graded))
    return overall, per_section


@dataclass(frozen=True)
class ComplianceLine:
    section: str
    question: str
    yes: int
    partly: int
    no: int
    not_applicable: int

    @property
    def n(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def credit(self) -> float:
        return self.yes + self.partly / 2

    @property
    def text(self) -> str:
        return percent(self.credit, self.n) if self.n else "no applicable answers"


def compliance_lines(data: RoundData) -> list[ComplianceLine]:
    """For every yes/no question, how often the standard was met in signed audits."""
    lines = []
    for section in data.definition.sections:
        for q in section.questions:
            t = data.answer_counts.get(q.id)
            if q.type == "yes_no" and t:
                lines.append(
                    ComplianceLine(
                        section.title,
                        q.text,
                        t.get("yes", 0),
                        t.get("partly", 0),
                        t.get("no", 0),
                        t.get("na", 0),
                    )
                )
    return lines


def mean_compliance(data: RoundData) -> tuple[float | None, int]:
    values = [a.compliance_percent for a in data.signed_audits if a.compliance_percent is not None]
    return (sum(values) / len(values) if values else None), len(values)


@dataclass(frozen=True)
class Theme:
    kind: FindingKind
    section: str
    count: int
    quotes: tuple[str, ...]


def shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + " ..."


def themes(data: RoundData, quotes_per_section: int = 2) -> dict[FindingKind, list[Theme]]:
    """Strengths and areas for improvement by section, most frequent first, with quotes."""
    signed = {a.audit_id for a in data.signed_audits}
    titles = {s.id: s.title for s in data.definition.sections}
    grouped: dict[tuple[FindingKind, str], list[str]] = defaultdict(list)
    for f in data.findings:
        if f.audit_id not in signed:
            continue
        kind = FindingKind(f.kind)
        if kind == FindingKind.SAFEGUARDING_CONCERN:
            grouped[(kind, "")].append("")
            continue
        grouped[(kind, titles.get(f.section_id, "General"))].append(f.text)
    result: dict[FindingKind, list[Theme]] = {k: [] for k in FindingKind}
    for (kind, section), texts in grouped.items():
        quotes: list[str] = []
        if quotes_per_section:
            # Redact only a few candidates (shortest first), not every finding of the round.
            candidates = sorted({" ".join(t.split()) for t in texts if t.strip()}, key=len)
            for text in candidates[: quotes_per_section * 4]:
                quote = shorten(data.redactor(text))
                if quote not in quotes:
                    quotes.append(quote)
        result[kind].append(Theme(kind, section, len(texts), tuple(quotes[:quotes_per_section])))
    for items in result.values():
        items.sort(key=lambda t: (-t.count, t.section))
    return result


def is_overdue(action: ActionRow, today: date) -> bool:
    open_states = {ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value}
    return action.status in open_states and action.due_on < today


def action_summary(data: RoundData, today: date) -> dict[str, int]:
    counts = Counter(a.status for a in data.actions)
    return {
        "raised": len(data.actions),
        "completed": counts.get(ActionStatus.COMPLETED.value, 0),
        "open": counts.get(ActionStatus.OPEN.value, 0)
        + counts.get(ActionStatus.IN_PROGRESS.value, 0),
        "overdue": sum(1 for a in data.actions if is_overdue(a, today)),
        "cancelled": counts.get(ActionStatus.CANCELLED.value, 0),
    }


def iro_months(data: RoundData, months: int = 6) -> tuple[list[date], dict[str, dict[date, list]]]:
    """The most recent ``months`` months and, per IRO, the results in each month."""
    table: dict[str, dict[date, list]] = defaultdict(lambda: defaultdict(list))
    for r in data.iro_results:
        table[r.iro_name][r.month].append(r)
    all_months = sorted({r.month for r in data.iro_results})[-months:]
    return all_months, {name: dict(cells) for name, cells in sorted(table.items())}
