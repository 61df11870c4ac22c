"""Journeys of children in care and care leavers, for the demo local authority.

``CareJourneys`` adds to the building blocks of ``demo_pathways`` the ways a child comes into
care (after a child protection plan, after an assessment, or in an emergency), the looked-after
episode with its reviews, and the care leaver's pathway: a needs assessment due within three
months of the 16th birthday, then a pathway plan reviewed at least every six months. It also
holds the small helpers every case builder shares (``_make``, ``_weighted``, ``_ended``).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..vocabulary import CaseStatus, PathwayStage
from .demo_pathways import (
    LAC_ENDINGS,
    LAC_LEGAL,
    LEAVER_PLACEMENTS,
    PLACEMENTS,
    CasePlan,
    Event,
    Journeys,
    O,
    S,
)
from .demo_people import add_years

DAY = timedelta(days=1)


class CareJourneys(Journeys):
    """Looked-after children and care leavers; see the module docstring."""

    def _make(
        self,
        stage: PathwayStage,
        end: date,
        closed: bool,
        dob: date,
        team: str,
        events: list[Event],
        legal: str = "",
        placement: str = "",
        iro: bool = False,
    ) -> CasePlan:
        return CasePlan(
            stage=stage,
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            dob=dob,
            opened_on=end,
            closed_on=end if closed else None,
            team=team,
            events=events,
            legal_status=legal,
            placement_type=placement,
            needs_iro=iro,
        )

    def _weighted(self, options: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def _ended(self, end: date, closed: bool, ended: str, ongoing: str) -> tuple:
        return (end, O.NOT_APPLICABLE, ended) if closed else (None, O.ONGOING, ongoing)

    # -- children in care and care leavers -------------------------------------------------
    def entry_to_care(self, events: list[Event], start: date, dob: date) -> None:
        rng, cal = self.rng, self.cal
        roll = rng.random()
        if roll < 0.45 and (start - dob).days > 500:
            plan_on = start - rng.randint(60, min(540, (start - dob).days - 100)) * DAY
            icpc = self.protection_chain(events, plan_on, O.PROCEEDED)
            category = events[-1][4].rsplit(": ", 1)[-1]
            events.append(
                (
                    S.CP_PLAN,
                    icpc,
                    start,
                    O.PROCEEDED,
                    f"Child protection plan ({category}) ended: child became looked after",
                )
            )
        elif roll < 0.8:
            span = rng.randint(8, 40)
            referral = cal.add(start, -span)
            decision = cal.add(referral, min(self.decision_lag(), span - 1))
            self.front_door(events, decision, O.PROCEEDED, referral=referral)
            self.assessment(events, referral, decision, O.PROCEEDED, completed=start)
        else:
            self.front_door(events, start, O.PROCEEDED, referral=start, re_referral=False)
            events.append(
                (
                    S.STRATEGY_DISCUSSION,
                    start,
                    start,
                    O.PROCEEDED,
                    "Strategy discussion: police protection used",
                )
            )

    def _lac_episode(
        self, end: date, closed: bool, disabled: bool, *, stage: PathwayStage = S.LAC_EPISODE
    ) -> CasePlan:
        rng, cal = self.rng, self.cal
        dob = self.dob_for(0, 16, end - 90 * DAY)
        earliest = max(dob + 7 * DAY, add_years(end, -8))
        latest = end - (60 if stage is S.LAC_REVIEW else 30) * DAY
        start = cal.on_or_before(earliest + rng.randint(0, max(0, (latest - earliest).days)) * DAY)
        events: list[Event] = []
        self.entry_to_care(events, start, dob)
        legal = self._weighted(LAC_LEGAL)
        placement = (
            "Placed for adoption" if legal.startswith("E1") else self._weighted(PLACEMENTS[:-1])
        )
        done, outcome, detail = self._ended(
            end, closed, rng.choice(LAC_ENDINGS), f"Looked after: {legal}"
        )
        events.append((S.LAC_EPISODE, start, done, outcome, detail))
        self.lac_reviews(events, start, end)
        if not closed and rng.random() < 0.4:
            self.supervision(events, start, end)
        team = "disabled" if disabled and rng.random() < 0.2 else "in_care"
        return self._make(
            stage, end, closed, dob, team, events, legal=legal, placement=placement, iro=True
        )

    def _lac_review(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        return self._lac_episode(end, False, disabled, stage=S.LAC_REVIEW)

    def _care_leaver(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        rng, cal = self.rng, self.cal
        if closed:
            dob = add_years(end, -21) - rng.randint(0, 20) * DAY
        else:
            dob = self.dob_for(16, 20, end)
        sixteen, eighteen = add_years(dob, 16), add_years(dob, 18)
        start = cal.on_or_before(add_years(dob, rng.randint(10, 14)) + rng.randint(0, 360) * DAY)
        events: list[Event] = []
        self.entry_to_care(events, start, dob)
        left = eighteen if eighteen <= end else None
        events.append(
            (
                S.LAC_EPISODE,
                start,
                left,
                O.NOT_APPLICABLE if left else O.ONGOING,
                "Ceased at 18: moved to leaving care"
                if left
                else "Looked after: eligible child (16-17)",
            )
        )
        self.lac_reviews(events, start, min(eighteen - DAY, end))
        after = rng.randint(100, 200) if self.late() else rng.randint(10, 90)  # due ≤ 3 months
        need_on = cal.on_or_before(sixteen + after * DAY)
        if need_on > end:
            events.append(
                (
                    S.CARE_LEAVER,
                    min(cal.on_or_before(sixteen), end),
                    None,
                    O.ONGOING,
                    "Pathway needs assessment under way",
                )
            )
        else:
            assessed = cal.add(need_on, rng.randint(5, 20))
            events.append(
                (S.CARE_LEAVER, need_on, assessed, O.NOT_APPLICABLE, "Pathway needs assessment")
            )
            done, outcome, detail = self._ended(
                end, closed, "Pathway plan ended at 21", "Pathway plan"
            )
            events.append((S.CARE_LEAVER, min(assessed, end), done, outcome, detail))
            review, number = assessed, 1
            while True:
                gap = rng.randint(190, 240) if self.late(0.1) else rng.randint(150, 182)
                review = cal.on_or_before(review + gap * DAY)
                if review > end:
                    break
                events.append(
                    (
                        S.CARE_LEAVER,
                        review,
                        review,
                        O.NOT_APPLICABLE,
                        f"Pathway plan review {number}",
                    )
                )
                number += 1
        adult = left is not None
        legal = "Former relevant care leaver (18-21)" if adult else "Eligible child (16-17)"
        placement = rng.choice(LEAVER_PLACEMENTS) if adult else self._weighted(PLACEMENTS[:-1])
        return self._make(
            S.CARE_LEAVER,
            end,
            closed,
            dob,
            "leaving_care",
            events,
            legal=legal,
            placement=placement,
            iro=not adult,
        )
