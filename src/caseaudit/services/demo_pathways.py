"""The building blocks of the demo's case journeys, and the calendar they are dated by.

``STAGE_MIX`` says how the demo's case files spread over current pathway stages and how many of
each were closed in the last six months. ``WorkingDays`` is a precomputed working-day calendar
(Monday to Friday less England bank holidays, as ``templating.workingdays`` counts them) fast
enough for a million events. ``Journeys`` holds the pieces every journey is made of: contact and
referral (with re-referrals), assessment, strategy discussion → section 47 → ICPC, LAC reviews
and supervision records. Dates follow the timescales of domain.md section (b) most of the time;
a minority are deliberately late (about 15% of ICPCs after 15 working days, assessments after
45, LAC reviews out of interval) so that an audit has something to find. ``demo_journeys``
assembles them into whole case files. Nothing here touches the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from ..vocabulary import CaseStatus, Outcome, PathwayStage
from .demo_people import add_years

S = PathwayStage
O = Outcome  # noqa: E741
LATE_SHARE = 0.15
RE_REFERRAL_SHARE = 0.12

#: (current stage, share of case files, share of those closed in the last six months)
STAGE_MIX: tuple[tuple[PathwayStage, float, float], ...] = (
    (S.EARLY_HELP, 0.02, 0.30),
    (S.CONTACT, 0.06, 0.60),
    (S.REFERRAL, 0.06, 0.50),
    (S.RE_REFERRAL, 0.03, 0.25),
    (S.ASSESSMENT, 0.11, 0.35),
    (S.STRATEGY_DISCUSSION, 0.02, 0.15),
    (S.SECTION_47, 0.04, 0.35),
    (S.ICPC, 0.02, 0.20),
    (S.CIN_PLAN, 0.16, 0.25),
    (S.CP_PLAN, 0.13, 0.20),
    (S.LAC_EPISODE, 0.14, 0.12),
    (S.LAC_REVIEW, 0.08, 0.0),
    (S.CARE_LEAVER, 0.09, 0.10),
    (S.SUPERVISION, 0.03, 0.0),
    (S.LADO, 0.01, 0.40),
)

CONTACT_SOURCES = (
    "school",
    "police",
    "health visitor",
    "GP",
    "hospital",
    "family member",
    "anonymous",
    "housing",
    "another local authority",
    "early help",
)
NFA_DETAILS = (
    "No further action: advice and information given",
    "Signposted to early help",
    "No further action: needs met by universal services",
)
CP_CATEGORIES = ("neglect", "emotional abuse", "physical abuse", "sexual abuse", "multiple")
LAC_LEGAL = (
    ("C2: full care order", 55),
    ("V2: accommodated under section 20", 25),
    ("C1: interim care order", 12),
    ("E1: placement order", 8),
)
PLACEMENTS = (
    ("Foster placement with local authority carers", 45),
    ("Foster placement with agency carers", 20),
    ("Connected person (kinship) carers", 12),
    ("Children's home", 12),
    ("Placed with parents", 5),
    ("Placed for adoption", 6),
)
LEAVER_PLACEMENTS = (
    "Semi-independent accommodation",
    "Staying put with former foster carers",
    "Own tenancy",
    "Supported lodgings",
)
LAC_ENDINGS = (
    "Ceased: returned home to parents",
    "Ceased: special guardianship order",
    "Ceased: adopted",
    "Ceased: child arrangements order",
)

Event = tuple[PathwayStage, date, date | None, Outcome, str]


class WorkingDays:
    """Working-day arithmetic (Monday–Friday less England bank holidays) over a fixed span."""

    def __init__(self, first: date, last: date) -> None:
        bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
        self._first = first
        self._days: list[date] = []
        self._count: list[int] = []  # working days on or before first + i
        day = first
        while day <= last:
            if day.weekday() < 5 and day not in bank:
                self._days.append(day)
            self._count.append(len(self._days))
            day += timedelta(days=1)

    def _offset(self, day: date) -> int:
        offset = (day - self._first).days
        if not 0 <= offset < len(self._count):
            raise ValueError(f"{day} is outside the demo calendar")
        return offset

    def is_working_day(self, day: date) -> bool:
        offset = self._offset(day)
        return self._count[offset] > (self._count[offset - 1] if offset else 0)

    def add(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative)."""
        if n == 0:
            return day
        seen = self._count[self._offset(day)]
        if n > 0:
            return self._days[seen - 1 + n]
        before = seen - (1 if self.is_working_day(day) else 0)
        return self._days[before + n]

    def on_or_before(self, day: date) -> date:
        return day if self.is_working_day(day) else self.add(day, -1)

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return self._count[self._offset(end)] - self._count[self._offset(start)]


@dataclass
class CasePlan:
    """One invented case file before it is given ids and a worker."""

    stage: PathwayStage
    status: CaseStatus
    dob: date
    opened_on: date
    closed_on: date | None
    team: str  # front_door | assessment | safeguarding | cin | disabled | in_care | ...
    events: list[Event] = field(default_factory=list)
    legal_status: str = ""
    placement_type: str = ""
    needs_iro: bool = False


class Journeys:
    """Invents case files whose dates respect (mostly) the statutory timescales."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.cal = WorkingDays(date(as_of.year - 27, 1, 1), date(as_of.year + 2, 12, 31))
        self._stages = [stage for stage, _, _ in STAGE_MIX]
        self._weights = [share for _, share, _ in STAGE_MIX]
        self._closed_share = {stage: closed for stage, _, closed in STAGE_MIX}

    # -- small helpers ---------------------------------------------------------------------
    def pick_stage(self) -> PathwayStage:
        return self.rng.choices(self._stages, weights=self._weights, k=1)[0]

    def late(self, share: float = LATE_SHARE) -> bool:
        return self.rng.random() < share

    def days_ago(self, low: int, high: int, end: date | None = None) -> date:
        return self.cal.on_or_before(
            (end or self.as_of) - timedelta(days=self.rng.randint(low, high))
        )

    def dob_for(self, low: int, high: int, at: date) -> date:
        age = self.rng.randint(low, high)
        return add_years(at, -age - 1) + timedelta(days=self.rng.randint(1, 364))

    def decision_lag(self) -> int:
        return self.rng.randint(2, 4) if self.late(0.10) else self.rng.choice((0, 1, 1))

    def assessment_span(self) -> int:
        return self.rng.randint(46, 70) if self.late() else self.rng.randint(8, 45)

    # -- building blocks -------------------------------------------------------------------
    def front_door(
        self,
        events: list[Event],
        decision: date | None,
        outcome: Outcome,
        *,
        referral: date | None = None,
        re_referral: bool | None = None,
    ) -> date:
        """Contact and referral, decided on ``decision`` (None: still awaiting a decision)."""
        rng, cal = self.rng, self.cal
        if referral is None:
            assert decision is not None
            referral = cal.add(decision, -self.decision_lag())
        contact = referral if rng.random() < 0.6 else cal.add(referral, -1)
        stage = S.REFERRAL
        if re_referral or (re_referral is None and rng.random() < RE_REFERRAL_SHARE):
            earlier = cal.on_or_before(referral - timedelta(days=rng.randint(45, 330)))
            events.append((S.CONTACT, earlier, earlier, O.PROCEEDED, self._source()))
            events.append(
                (
                    S.REFERRAL,
                    earlier,
                    cal.add(earlier, 1),
                    O.DID_NOT_PROCEED,
                    rng.choice(NFA_DETAILS),
                )
            )
            stage = S.RE_REFERRAL
        events.append((S.CONTACT, contact, referral, O.PROCEEDED, self._source()))
        detail = (
            "Decision: single assessment" if outcome is O.PROCEEDED else rng.choice(NFA_DETAILS)
        )
        events.append(
            (
                stage,
                referral,
                decision,
                outcome if decision else O.ONGOING,
                detail if decision else "Awaiting decision",
            )
        )
        return referral

    def _source(self) -> str:
        return f"Contact from {self.rng.choice(CONTACT_SOURCES)}"

    def protection_chain(self, events: list[Event], icpc_near: date, icpc_outcome: Outcome) -> date:
        """Referral, strategy discussion, s47 and assessment leading to an ICPC; returns its date."""
        rng, cal = self.rng, self.cal
        icpc_wd = rng.randint(16, 28) if self.late() else rng.randint(6, 15)
        sd_lag = rng.randint(2, 4) if self.late(0.10) else rng.choice((0, 0, 1))
        strategy = cal.add(cal.on_or_before(icpc_near), -icpc_wd)
        icpc = cal.add(strategy, icpc_wd)
        decision = cal.add(strategy, -sd_lag)
        referral = self.front_door(events, decision, O.PROCEEDED)
        events.append(
            (
                S.STRATEGY_DISCUSSION,
                strategy,
                strategy,
                O.PROCEEDED,
                "Strategy discussion: police, health and education",
            )
        )
        self.assessment(events, referral, decision, O.PROCEEDED)
        s47_end = cal.add(strategy, rng.randint(3, max(3, min(icpc_wd - 1, 15))))
        events.append(
            (
                S.SECTION_47,
                strategy,
                s47_end,
                O.PROCEEDED,
                "Section 47 enquiry: concerns substantiated, conference requested",
            )
        )
        detail = (
            f"Child protection plan: {rng.choice(CP_CATEGORIES)}"
            if icpc_outcome is O.PROCEEDED
            else "No child protection plan; child in need plan instead"
        )
        events.append((S.ICPC, icpc, icpc, icpc_outcome, detail))
        return icpc

    def assessment(
        self,
        events: list[Event],
        referral: date,
        start: date,
        outcome: Outcome,
        *,
        completed: date | None = None,
    ) -> date:
        done = completed or self.cal.add(referral, self.assessment_span())
        finished = done <= self.as_of
        events.append(
            (
                S.ASSESSMENT,
                start,
                done if finished else None,
                outcome if finished else O.ONGOING,
                "Single assessment",
            )
        )
        return done

    def lac_reviews(self, events: list[Event], start: date, until: date) -> None:
        """Looked-after reviews: first ≤20 WD, second ≤3 months, then ≤6 months (reg 33)."""
        rng, cal = self.rng, self.cal
        review = cal.add(start, rng.randint(21, 35) if self.late() else rng.randint(8, 20))
        number = 1
        while review <= until:
            record = cal.add(review, rng.randint(21, 35) if self.late() else rng.randint(3, 20))
            pending = record > until
            events.append(
                (
                    S.LAC_REVIEW,
                    review,
                    None if pending else record,
                    O.ONGOING if pending else O.NOT_APPLICABLE,
                    f"Review {number}",
                )
            )
            if number == 1:
                gap = rng.randint(95, 130) if self.late(0.10) else rng.randint(70, 91)
            else:
                gap = rng.randint(186, 240) if self.late(0.10) else rng.randint(140, 182)
            review = cal.on_or_before(review + timedelta(days=gap))
            number += 1

    def supervision(self, events: list[Event], since: date, until: date) -> None:
        rng = self.rng
        day = max(since, until - timedelta(days=200)) + timedelta(days=rng.randint(7, 40))
        while day <= until:
            events.append(
                (
                    S.SUPERVISION,
                    self.cal.on_or_before(day),
                    self.cal.on_or_before(day),
                    O.NOT_APPLICABLE,
                    "Case supervision",
                )
            )
            day += timedelta(days=rng.randint(100, 150) if self.late(0.10) else rng.randint(25, 45))
