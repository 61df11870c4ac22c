"""The grading engine: suggested grades, limiting rules, compliance, conditions, timescales, gaps."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseaudit.templating import (
    AnswerValue,
    CaseContext,
    grade,
    load_template_file,
    load_template_text,
    round_grade,
)

DATA = Path(__file__).parent / "data" / "templates"

BASE = """\
id: grading
version: "1"
title: Grading test
theme: Testing
scale: ofsted-sif
pathways: [cp_plan, cin_plan]
sections:
  - id: voice
    title: Child seen and heard
    questions:
      - id: seen_alone
        text: Was the child seen alone?
        type: yes_no
      - id: direct_work
        text: Quality of direct work
        type: grade
        weight: 2
      - id: recording
        text: Quality of recording
        type: grade
  - id: safety
    title: Safety and risk
    weight: 2
    questions:
      - id: safety_plan
        text: Quality of the safety plan
        type: grade
  - id: planning
    title: Planning
    questions:
      - id: plan_quality
        text: Quality of the plan
        type: grade
"""


def template(rules: str = ""):
    return load_template_text(BASE + ("rules:\n" + rules if rules else ""))


def answers(**values) -> dict[str, AnswerValue]:
    return {k: v if isinstance(v, AnswerValue) else AnswerValue(v) for k, v in values.items()}


@pytest.fixture(scope="module")
def cp():
    return load_template_file(DATA / "cp-visits.yaml")


# -- rounding and weighted means -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (Fraction(5, 2), 3),  # exactly half-way rounds toward the worse grade
        (Fraction(3, 2), 2),
        (Fraction(7, 2), 4),
        (Fraction(7, 3), 2),
        (Fraction(8, 3), 3),
        (Fraction(2), 2),
    ],
)
def test_round_grade_half_toward_worse(mean, expected):
    assert round_grade(mean) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from([1, 2, 3, 1.0, 2.0, 0.5, 1.5, 2.5, 0.1, 0.25, 0.3, 3.75]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_weighted_mean_is_exact_whatever_the_weights(pairs):
    """The engine's shortcut for whole-number weights agrees with exact decimal arithmetic."""
    from caseaudit.templating.grading import _weighted

    weights = [Fraction(str(w)) for _g, w in pairs]
    total = sum((g * w for (g, _w), w in zip(pairs, weights, strict=True)), Fraction(0))
    assert _weighted(pairs) == round_grade(total / sum(weights))


def test_section_suggestion_is_the_weighted_mean_of_its_grade_questions():
    d = template()
    # (1*2 + 4*1) / 3 = 2 -> Good
    r = grade(d, answers(direct_work=1, recording=4))
    assert r.sections["voice"].suggested == 2
    # (2*2 + 3) / 3 = 2.33 -> Good; (3*2 + 2) / 3 = 2.67 -> RI
    assert grade(d, answers(direct_work=2, recording=3)).sections["voice"].suggested == 2
    assert grade(d, answers(direct_work=3, recording=2)).sections["voice"].suggested == 3
    # (1*2 + 4) ... with equal weights 2.5 would go to 3: check with weight 1 via one question
    assert grade(d, answers(direct_work=2)).sections["voice"].suggested == 2
    assert grade(d, answers()).sections["voice"].suggested is None


def test_overall_is_the_section_weighted_mean_of_effective_grades():
    d = template()
    # voice 1 (w1), safety 2 (w2), planning 4 (w1): (1 + 4 + 4) / 4 = 2.25 -> Good
    r = grade(d, answers(direct_work=1, safety_plan=2, plan_quality=4))
    assert r.suggested_overall == 2
    # voice 2, safety 3 (w2), planning 2: (2 + 6 + 2) / 4 = 2.5 -> RI (half toward worse)
    r = grade(d, answers(direct_work=2, safety_plan=3, plan_quality=2))
    assert r.suggested_overall == 3


def test_the_auditors_section_grade_replaces_the_suggestion():
    d = template()
    r = grade(d, answers(direct_work=1), section_grades={"voice": 3})
    assert r.sections["voice"].suggested == 1
    assert r.sections["voice"].given == 3
    assert r.sections["voice"].effective == 3
    assert r.suggested_overall == 3


# -- limiting rules --------------------------------------------------------------------------

CAP_BY_SAFETY = "  - id: safety_cap\n    type: cap_by_section\n    section: safety\n"


def test_cap_by_section_limits_the_overall_grade_and_says_why():
    d = template(CAP_BY_SAFETY)
    r = grade(d, answers(direct_work=1, safety_plan=1, plan_quality=1), {"safety": 3})
    assert r.suggested_overall == 3
    (cap,) = r.overall_caps
    assert (cap.rule_id, cap.target, cap.limit) == ("safety_cap", "overall", 3)
    assert cap.sentence == (
        "Overall capped at Requires improvement because section 'Safety and risk' is "
        "Requires improvement"
    )
    assert r.overall_limit == 3


def test_caps_only_ever_make_a_grade_worse():
    d = template(CAP_BY_SAFETY)
    # voice 4, safety 2 (w2), planning 4: (4 + 4 + 4) / 4 = 3; safety (Good) must not lift it.
    r = grade(d, answers(direct_work=4, safety_plan=2, plan_quality=4))
    assert r.suggested_overall == 3
    assert r.overall_caps == []
    assert r.overall_limit == 2


def test_requires_at_least():
    rule = (
        "  - id: good_needs_voice_and_plan\n    type: requires_at_least\n"
        "    sections: [voice, planning]\n    minimum: good\n    otherwise: requires_improvement\n"
    )
    d = template(rule)
    good = grade(d, answers(direct_work=1, safety_plan=1, plan_quality=2))
    assert good.suggested_overall == 1 and good.overall_caps == []
    r = grade(d, answers(direct_work=1, safety_plan=1, plan_quality=3))
    assert r.suggested_overall == 3  # mean 1.5 -> 2, then capped at RI
    (cap,) = r.overall_caps
    assert "section 'Planning' is Requires improvement" in cap.sentence
    assert "Good or better is needed in 'Child seen and heard' and 'Planning'" in cap.sentence


def test_answer_caps_a_section_even_when_the_auditor_graded_it():
    rule = (
        "  - id: not_seen_alone\n    type: answer_caps\n"
        "    when: {question: seen_alone, in: [no]}\n    target: voice\n"
        "    at_most: requires_improvement\n"
    )
    d = template(rule)
    r = grade(d, answers(seen_alone="no", direct_work=1), {"voice": 1})
    voice = r.sections["voice"]
    assert (voice.given, voice.effective) == (1, 3)
    (cap,) = voice.caps
    assert cap.sentence == (
        "Section 'Child seen and heard' capped at Requires improvement because the answer to "
        "'Was the child seen alone?' is No"
    )
    assert grade(d, answers(seen_alone="yes"), {"voice": 1}).sections["voice"].effective == 1
    # Already worse than the cap: unchanged, nothing reported.
    worse = grade(d, answers(seen_alone="no"), {"voice": 4}).sections["voice"]
    assert worse.effective == 4 and worse.caps == []


def test_grade_caps_and_a_custom_sentence():
    rule = (
        "  - id: inadequate_safety\n    type: grade_caps\n"
        "    when: {section: safety, at_or_worse: inadequate}\n    target: planning\n"
        "    at_most: inadequate\n    explain: Planning cannot be better than safety here.\n"
    )
    d = template(rule)
    r = grade(d, answers(safety_plan=4, plan_quality=1))
    assert r.sections["planning"].effective == 4
    assert r.sections["planning"].caps[0].sentence == "Planning cannot be better than safety here."
    assert grade(d, answers(safety_plan=3, plan_quality=1)).sections["planning"].effective == 1


def test_section_caps_chain_before_the_overall_grade():
    rules = (
        "  - id: plan_by_safety\n    type: cap_by_section\n    section: safety\n"
        "    target: planning\n"
        + CAP_BY_SAFETY.replace("safety_cap", "overall_by_plan").replace(
            "section: safety", "section: planning"
        )
    )
    d = template(rules)
    r = grade(d, answers(direct_work=1, safety_plan=3, plan_quality=1), {"safety": 4})
    assert r.sections["planning"].effective == 4
    assert r.suggested_overall == 4
    assert [c.rule_id for c in r.overall_caps] == ["overall_by_plan"]


# -- compliance and visibility ---------------------------------------------------------------


def test_compliance_yes_partly_no_and_na_out_of_the_denominator(cp):
    r = grade(
        cp,
        answers(
            seen_alone="yes",
            views_recorded="partly",
            risk_assessed=AnswerValue("na", na_reason="No risk identified"),
        ),
    )
    assert (r.compliance.credit, r.compliance.denominator) == (1.5, 2)
    assert r.compliance.percent == pytest.approx(75.0)
    r = grade(cp, answers(seen_alone="no", views_recorded="N/A"))
    assert (r.compliance.credit, r.compliance.denominator) == (0.0, 1)
    assert grade(cp, {}).compliance.percent is None


def test_answer_condition_shows_and_hides_questions(cp):
    shown = grade(cp, answers(seen_alone="no"))
    assert "not_seen_reason" in shown.visible_questions
    assert any(m.question_id == "not_seen_reason" for m in shown.missing)
    hidden = grade(cp, answers(seen_alone="yes", not_seen_reason="Refused"))
    assert "not_seen_reason" not in hidden.visible_questions
    assert not any(m.question_id == "not_seen_reason" for m in hidden.missing)


def test_hidden_questions_are_not_counted():
    d = load_template_file(DATA / "lac-review-2009.yaml")
    # The follow-up section only shows when the child did not attend.
    r = grade(
        d,
        answers(child_attended="yes", views_sought="no", follow_up_quality=4, review_quality=2),
    )
    assert "follow_up" not in r.visible_sections
    assert (r.compliance.credit, r.compliance.denominator) == (1.0, 1)
    assert r.sections["follow_up"].visible is False
    assert r.sections["follow_up"].effective is None
    assert r.suggested_overall == 2  # the hidden inadequate grade neither counts nor caps
    r = grade(
        d,
        answers(child_attended="no", views_sought="no", follow_up_quality=4, review_quality=2),
    )
    assert r.compliance.denominator == 2
    assert r.suggested_overall == 3  # (2 + 4) / 2 = 3
    assert r.overall_caps == []
    assert r.overall_limit == 3


def test_pathway_condition(cp):
    everything = grade(cp, {})  # no case file known: every section shown (a preview)
    assert "leaving_care" in everything.visible_sections
    on_plan = grade(cp, {}, context=CaseContext(frozenset({"cp_plan"}), {}))
    assert "leaving_care" not in on_plan.visible_sections
    assert "pathway_plan" not in on_plan.visible_questions
    leaver = grade(cp, {}, context=CaseContext(frozenset({"care_leaver", "cp_plan"}), {}))
    assert "pathway_plan" in leaver.visible_questions


# -- what is missing, and the rationale ----------------------------------------------------


def test_missing_items(cp):
    r = grade(
        cp,
        answers(
            seen_alone="yes",
            views_recorded="na",
            voice_quality=7,
            risk_assessed="partly",  # partly is not allowed for this question
        ),
        context=CaseContext(frozenset({"cp_plan"}), {}),
    )
    kinds = {(m.kind, m.question_id or m.section_id) for m in r.missing}
    assert ("answer", "strategy_date") in kinds
    assert ("answer", "voice_notes") not in kinds  # not required
    assert ("answer", "pathway_plan") not in kinds  # hidden
    assert ("na_reason", "views_recorded") in kinds
    assert ("invalid", "voice_quality") in kinds
    assert ("invalid", "risk_assessed") in kinds
    assert ("section_grade", "voice") in kinds and ("section_grade", "safety") in kinds
    assert ("section_grade", "timeliness") not in kinds  # graded: false
    assert ("overall_grade", None) in kinds
    message = next(m.message for m in r.missing if m.kind == "na_reason")
    assert "reason" in message and "views" in message


def test_rationale_required_only_when_the_overall_grade_differs():
    d = template()
    same = grade(d, answers(direct_work=2, safety_plan=2, plan_quality=2), overall_grade=2)
    assert same.rationale_required is False
    assert not any(m.kind in ("rationale", "overall_grade") for m in same.missing)
    differs = grade(d, answers(direct_work=2, safety_plan=2, plan_quality=2), overall_grade=3)
    assert differs.rationale_required is True
    (item,) = [m for m in differs.missing if m.kind == "rationale"]
    assert "Requires improvement" in item.message and "Good" in item.message
    explained = grade(
        d,
        answers(direct_work=2, safety_plan=2, plan_quality=2),
        overall_grade=3,
        overall_rationale="Drift in the plan outweighs the good direct work.",
    )
    assert explained.rationale_required and not any(
        m.kind == "rationale" for m in explained.missing
    )


# -- timescales -------------------------------------------------------------------------------


def test_working_day_timescale_across_christmas(cp):
    strategy = date(2026, 12, 14)  # Monday; 15 working days later is Thursday 7 Jan 2027
    ok = grade(cp, answers(strategy_date=strategy, icpc_date=date(2027, 1, 7)))
    result = ok.timescales["icpc_date"]
    assert (result.elapsed, result.limit, result.within) == (15, 15, True)
    assert result.due_date == date(2027, 1, 7)
    late = grade(cp, answers(strategy_date=strategy, icpc_date=date(2027, 1, 8))).timescales
    assert late["icpc_date"].within is False and late["icpc_date"].elapsed == 16
    assert late["icpc_date"].sentence == (
        "ICPC held 16 working days after the strategy discussion — outside 15"
    )


def test_event_anchor_uses_the_last_event_before_the_date_across_easter(cp):
    context = CaseContext(
        frozenset({"cp_plan"}), {"icpc": [date(2026, 3, 2), date(2026, 3, 30), date(2026, 6, 1)]}
    )
    # From Monday 30 March: Good Friday 3 April and Easter Monday 6 April are not counted.
    r = grade(cp, answers(core_group_date=date(2026, 4, 14)), context=context)
    result = r.timescales["core_group_date"]
    assert result.anchor_date == date(2026, 3, 30)
    assert (result.elapsed, result.within) == (9, True)
    assert result.sentence == (
        "Date of the first core group: 9 working days after the last initial child protection "
        "conference — within 10"
    )
    late = grade(cp, answers(core_group_date=date(2026, 4, 16)), context=context)
    assert late.timescales["core_group_date"].within is False


def test_month_timescale_clamps_at_the_end_of_the_month(cp):
    r = grade(cp, answers(icpc_date=date(2026, 1, 31), review_date=date(2026, 4, 30)))
    assert r.timescales["review_date"].within is True  # 31 Jan + 3 months = 30 April
    late = grade(cp, answers(icpc_date=date(2026, 1, 31), review_date=date(2026, 5, 1)))
    result = late.timescales["review_date"]
    assert (result.elapsed, result.unit, result.within) == (3, "months", False)
    assert "3 months and 1 day after" in result.sentence and "outside 3 months" in result.sentence


def test_days_timescale_from_the_first_event():
    d = load_template_file(DATA / "lac-review-2009.yaml")
    context = CaseContext(frozenset({"lac_review"}), {"lac_episode": [date(2026, 1, 31)]})
    r = grade(d, answers(review_date=date(2026, 2, 28)), context=context)
    result = r.timescales["review_date"]
    assert (result.elapsed, result.unit, result.within) == (28, "days", True)
    assert "28 days after the looked-after episode — within 28 days" in result.sentence


def test_timed_dates_count_toward_compliance_and_unchecked_ones_are_explained(cp):
    r = grade(
        cp,
        answers(strategy_date=date(2026, 12, 14), icpc_date=date(2027, 1, 8), seen_alone="yes"),
    )
    assert (r.compliance.credit, r.compliance.denominator) == (1.0, 2)
    unchecked = grade(cp, answers(core_group_date=date(2026, 4, 14)))
    assert "core_group_date" not in unchecked.timescales
    assert "no icpc event" in unchecked.unchecked_timescales["core_group_date"]


ANY_VALUE = st.one_of(
    st.none(),
    st.sampled_from(["yes", "no", "partly", "na", "N/A", "", "Refused", "Too young", "maybe"]),
    st.integers(min_value=-1, max_value=6),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=500),
    st.lists(st.sampled_from(["Too young", "Refused", "Other"]), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from([q.id for q in load_template_file(DATA / "cp-visits.yaml").questions]),
        ANY_VALUE,
    ),
    given_grades=st.dictionaries(
        st.sampled_from(["timeliness", "voice", "safety", "leaving_care"]),
        st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
    ),
    overall=st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
    stages=st.frozensets(st.sampled_from(["cp_plan", "care_leaver", "icpc"])),
)
def test_any_answers_grade_consistently(values, given_grades, overall, stages):
    d = load_template_file(DATA / "cp-visits.yaml")
    context = CaseContext(stages, {"icpc": [date(2026, 6, 1)]})
    r = grade(d, answers(**values), given_grades, overall, context)
    for sid, section in r.sections.items():
        base = section.given if section.given is not None else section.suggested
        if section.effective is not None:
            assert base is not None and section.effective >= base  # caps only make it worse
            if section.caps:
                assert section.caps[-1].limit == section.effective
        if not section.visible:
            assert sid not in r.visible_sections and section.effective is None
    assert r.suggested_overall is None or 1 <= r.suggested_overall <= 4
    for cap in r.overall_caps:
        assert cap.limit <= (r.suggested_overall or 0) and cap.sentence
    percent = r.compliance.percent
    assert percent is None or 0 <= percent <= 100
    assert (percent is None) == (r.compliance.denominator == 0)
    assert set(r.visible_questions) <= {q.id for q in d.questions}
    assert r.rationale_required == (overall is not None and overall != r.suggested_overall)
