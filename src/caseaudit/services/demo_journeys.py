"""One invented case file per call, for each current pathway stage of the demo data.

``CaseJourneys.plan(stage)`` picks whether the file is open or closed in the last six months,
invents a date of birth that fits the stage (care leavers 16–21, everyone else under 18), and
builds the events that led to the stage from the building blocks in ``demo_pathways``. Each
builder is named after the stage it produces (``_cp_plan`` for ``PathwayStage.CP_PLAN``).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..vocabulary import PathwayStage
from .demo_care import CareJourneys
from .demo_pathways import (
    NFA_DETAILS,
    CasePlan,
    Event,
    O,
    S,
)

DAY = timedelta(days=1)


class CaseJourneys(CareJourneys):
    """Builds ``CasePlan``s; see the module docstring."""

    def plan(self, stage: PathwayStage, *, disabled: bool = False) -> CasePlan:
        closed = self.rng.random() < self._closed_share[stage]
        end = self.days_ago(1, 180) if closed else self.as_of
        plan: CasePlan = getattr(self, f"_{stage.value}")(end, closed, disabled)
        plan.events.sort(key=lambda event: event[1])
        plan.opened_on = plan.events[0][1]
        self._tidy(plan, end)
        return plan

    def _tidy(self, plan: CasePlan, end: date) -> None:
        """Nothing is completed after the file closed (or after today); open files stay open."""
        tidy: list[Event] = []
        for stage, start, done, outcome, detail in plan.events:
            if done is not None and done > end:
                done, outcome = (None, O.ONGOING) if plan.closed_on is None else (end, outcome)
            tidy.append((stage, start, done, outcome, detail))
        plan.events = tidy

    # -- the front door --------------------------------------------------------------------
    def _early_help(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        dob = self.dob_for(0, 15, end)
        start = max(self.days_ago(20, 400, end), self.cal.on_or_before(dob + 30 * DAY))
        done, outcome, detail = self._ended(
            end, closed, "Early help plan closed: needs met", "Early help assessment (CAF) and plan"
        )
        events: list[Event] = [(S.EARLY_HELP, min(start, end), done, outcome, detail)]
        return self._make(S.EARLY_HELP, end, closed, dob, "front_door", events)

    def _contact(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        dob = self.dob_for(0, 17, end)
        contact = self.cal.add(end, -self.rng.choice((0, 0, 1)))
        if closed:
            events: list[Event] = [
                (S.CONTACT, contact, end, O.DID_NOT_PROCEED, self.rng.choice(NFA_DETAILS))
            ]
        else:
            events = [(S.CONTACT, contact, None, O.ONGOING, self._source())]
        return self._make(S.CONTACT, end, closed, dob, "front_door", events)

    def _referral(
        self, end: date, closed: bool, disabled: bool, *, again: bool = False
    ) -> CasePlan:
        dob = self.dob_for(0, 17, end)
        events: list[Event] = []
        stage = S.RE_REFERRAL if again else S.REFERRAL
        if closed:
            self.front_door(
                events, self.cal.on_or_before(end), O.DID_NOT_PROCEED, re_referral=again
            )
        else:
            referral = self.cal.add(end, -self.rng.choice((0, 0, 1)))
            self.front_door(events, None, O.ONGOING, referral=referral, re_referral=again)
        team = "assessment" if again else "front_door"
        return self._make(stage, end, closed, dob, team, events, legal="Referral")

    def _re_referral(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        return self._referral(end, closed, disabled, again=True)

    def _assessment(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        rng, cal = self.rng, self.cal
        dob = self.dob_for(0, 17, end)
        events: list[Event] = []
        if closed:
            done = cal.add(cal.on_or_before(end), -rng.randint(0, 5))
            span = self.assessment_span()
            referral = cal.add(done, -span)
            decision = cal.add(referral, min(self.decision_lag(), span - 1))
            self.front_door(events, decision, O.PROCEEDED, referral=referral)
            self.assessment(events, referral, decision, O.DID_NOT_PROCEED, completed=done)
        else:
            elapsed = rng.randint(46, 70) if self.late() else rng.randint(2, 44)
            referral = cal.add(end, -elapsed)
            decision = cal.add(referral, min(self.decision_lag(), elapsed - 1))
            self.front_door(events, decision, O.PROCEEDED, referral=referral)
            events.append((S.ASSESSMENT, decision, None, O.ONGOING, "Single assessment"))
        return self._make(
            S.ASSESSMENT, end, closed, dob, "assessment", events, legal="Section 17 assessment"
        )

    def _strategy_discussion(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        rng, cal = self.rng, self.cal
        dob = self.dob_for(0, 17, end)
        events: list[Event] = []
        strategy = cal.add(cal.on_or_before(end), -rng.choice((0, 0, 1)))
        decision = cal.add(strategy, -(rng.randint(2, 4) if self.late(0.1) else rng.choice((0, 1))))
        referral = self.front_door(events, decision, O.PROCEEDED)
        if closed:
            events.append(
                (
                    S.STRATEGY_DISCUSSION,
                    strategy,
                    strategy,
                    O.DID_NOT_PROCEED,
                    "Strategy discussion: threshold for section 47 not met",
                )
            )
            self.assessment(events, referral, decision, O.DID_NOT_PROCEED, completed=end)
        else:
            events.append(
                (
                    S.STRATEGY_DISCUSSION,
                    strategy,
                    None,
                    O.ONGOING,
                    "Strategy discussion: decision being recorded",
                )
            )
            events.append((S.ASSESSMENT, decision, None, O.ONGOING, "Single assessment"))
        return self._make(
            S.STRATEGY_DISCUSSION,
            end,
            closed,
            dob,
            "assessment",
            events,
            legal="Section 47 strategy discussion",
        )

    def _section_47(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        rng, cal = self.rng, self.cal
        dob = self.dob_for(0, 17, end)
        events: list[Event] = []
        finished = cal.add(cal.on_or_before(end), -rng.randint(0, 3)) if closed else None
        strategy = cal.add(
            finished or cal.on_or_before(end),
            -rng.randint(5, 15) if closed else -rng.randint(0, 14),
        )
        decision = cal.add(strategy, -rng.choice((0, 0, 1)))
        referral = self.front_door(events, decision, O.PROCEEDED)
        events.append(
            (
                S.STRATEGY_DISCUSSION,
                strategy,
                strategy,
                O.PROCEEDED,
                "Strategy discussion: section 47 enquiry agreed",
            )
        )
        if closed:
            events.append(
                (
                    S.SECTION_47,
                    strategy,
                    finished,
                    O.DID_NOT_PROCEED,
                    "Section 47 enquiry: concerns not substantiated",
                )
            )
            self.assessment(events, referral, decision, O.DID_NOT_PROCEED, completed=end)
        else:
            events.append((S.SECTION_47, strategy, None, O.ONGOING, "Section 47 enquiry under way"))
            self.assessment(events, referral, decision, O.PROCEEDED)
        return self._make(
            S.SECTION_47, end, closed, dob, "assessment", events, legal="Section 47 enquiry"
        )

    def _icpc(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        dob = self.dob_for(0, 17, end)
        events: list[Event] = []
        proceeded = not closed and self.rng.random() < 0.75
        near = self.cal.add(self.cal.on_or_before(end), -self.rng.randint(0, 3))
        self.protection_chain(events, near, O.PROCEEDED if proceeded else O.DID_NOT_PROCEED)
        return self._make(
            S.ICPC,
            end,
            closed,
            dob,
            "assessment",
            events,
            legal="Initial child protection conference",
        )

    # -- plans -----------------------------------------------------------------------------
    def _plan_start(self, end: date, closed: bool) -> tuple[date, date]:
        """When a CIN or CP plan started, and a date of birth that keeps the child under 18."""
        length = self.rng.randint(90, 540) if closed else self.rng.randint(20, 730)
        start = self.cal.on_or_before(end - length * DAY)
        return start, self.dob_for(0, 14, start)

    def _cin_plan(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        rng, cal = self.rng, self.cal
        start, dob = self._plan_start(end, closed)
        events: list[Event] = []
        if rng.random() < 0.15:
            start = self.protection_chain(events, start, O.DID_NOT_PROCEED)
        else:
            span = self.assessment_span()
            referral = cal.add(start, -span)
            decision = cal.add(referral, min(self.decision_lag(), span - 1))
            self.front_door(events, decision, O.PROCEEDED, referral=referral)
            self.assessment(events, referral, decision, O.PROCEEDED, completed=start)
        done, outcome, detail = self._ended(
            end, closed, "Plan ended: needs met", "Child in need plan"
        )
        events.append((S.CIN_PLAN, start, done, outcome, detail))
        if not closed and rng.random() < 0.5:
            self.supervision(events, start, end)
        team = "disabled" if disabled and rng.random() < 0.6 else "cin"
        return self._make(
            S.CIN_PLAN, end, closed, dob, team, events, legal="Section 17: child in need"
        )

    def _cp_plan(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        start, dob = self._plan_start(end, closed)
        events: list[Event] = []
        icpc = self.protection_chain(events, start, O.PROCEEDED)
        category = events[-1][4].rsplit(": ", 1)[-1]
        done, outcome, detail = self._ended(
            end,
            closed,
            "Plan ended: stepped down to child in need",
            f"Child protection plan: {category}",
        )
        events.append((S.CP_PLAN, icpc, done, outcome, detail))
        if not closed and self.rng.random() < 0.5:
            self.supervision(events, icpc, end)
        return self._make(
            S.CP_PLAN,
            end,
            closed,
            dob,
            "safeguarding",
            events,
            legal=f"Child protection plan ({category})",
        )

    def _supervision(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        builder = self._cp_plan if self.rng.random() < 0.5 else self._cin_plan
        plan = builder(end, False, disabled)
        if not any(event[0] is S.SUPERVISION for event in plan.events):
            day = self.cal.on_or_before(end - self.rng.randint(1, 20) * DAY)
            plan.events.append((S.SUPERVISION, day, day, O.NOT_APPLICABLE, "Case supervision"))
        plan.stage = S.SUPERVISION
        return plan

    def _lado(self, end: date, closed: bool, disabled: bool) -> CasePlan:
        dob = self.dob_for(3, 17, end)
        start = self.days_ago(10, 200, end)
        if closed:
            outcome = O.PROCEEDED if self.rng.random() < 0.4 else O.DID_NOT_PROCEED
            detail = (
                "Allegation substantiated" if outcome is O.PROCEEDED else "Allegation unfounded"
            )
            events: list[Event] = [(S.LADO, start, end, outcome, f"LADO: {detail}")]
        else:
            events = [
                (
                    S.LADO,
                    start,
                    None,
                    O.ONGOING,
                    "LADO: allegation against a person working with children",
                )
            ]
        return self._make(S.LADO, end, closed, dob, "qa", events, legal="LADO investigation")
