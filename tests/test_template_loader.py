"""The template loader: a good file becomes a definition; every mistake is named, placed and fixable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseaudit.errors import NotFound, ValidationError
from caseaudit.templating import (
    OFSTED_2009,
    OFSTED_SIF,
    TemplateDefinition,
    TemplateInvalid,
    TemplateProblem,
    load_template_file,
    load_template_text,
)

DATA = Path(__file__).parent / "data" / "templates"

MINIMAL = """\
id: mini
version: "1.0"
title: Mini template
theme: Testing
scale: ofsted-sif
pathways: [cp_plan]
sections:
  - id: voice
    title: Child seen and heard
    questions:
      - id: seen_alone
        text: Was the child seen alone?
        type: yes_no
      - id: voice_quality
        text: Quality of direct work
        type: grade
  - id: safety
    title: Safety
    questions:
      - id: strategy_date
        text: Date of the strategy discussion
        type: date
      - id: safety_quality
        text: Quality of safety planning
        type: grade
rules:
  - id: safety_cap
    type: cap_by_section
    section: safety
"""


def line_with(text: str, marker: str, occurrence: int = 1, *, exact: bool = False) -> int:
    """The 1-based number of the line holding (or, if ``exact``, being) the n-th ``marker``."""
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if (line.strip() == marker) if exact else (marker in line):
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{marker!r} not in text")


def problems_of(text: str) -> list[TemplateProblem]:
    with pytest.raises(TemplateInvalid) as caught:
        load_template_text(text, "t.yaml")
    assert caught.value.problems, "TemplateInvalid without problems"
    return caught.value.problems


def only_problem(text: str) -> TemplateProblem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_minimal_template_loads():
    d = load_template_text(MINIMAL)
    assert (d.id, d.version, d.title, d.theme) == ("mini", "1.0", "Mini template", "Testing")
    assert d.scale is OFSTED_SIF
    assert d.pathways == ("cp_plan",)
    assert [q.id for q in d.questions] == [
        "seen_alone",
        "voice_quality",
        "strategy_date",
        "safety_quality",
    ]
    assert d.question("strategy_date").section_id == "safety"
    assert d.section("voice").title == "Child seen and heard"
    assert d.rules[0].section == "safety" and d.rules[0].target == "overall"
    with pytest.raises(KeyError):
        d.question("nope")


def test_fixture_template_loads_every_feature():
    d = load_template_file(DATA / "cp-visits.yaml")
    assert {q.type for q in d.questions} == {"grade", "yes_no", "date", "number", "choice", "text"}
    icpc = d.question("icpc_date").timescale
    assert (icpc.anchor_question, icpc.unit, icpc.amount) == ("strategy_date", "working_days", 15)
    core = d.question("core_group_date").timescale
    assert (core.anchor_event, core.which) == ("icpc", "last")
    assert d.question("not_seen_reason").condition.values == ("no",)  # YAML 'no' kept as text
    assert d.section("leaving_care").condition.pathways == ("care_leaver",)
    assert d.question("risk_assessed").allow_partly is False
    assert d.section("timeliness").graded is False
    assert d.section("voice").weight == 2
    assert {r.type for r in d.rules} == {
        "cap_by_section",
        "requires_at_least",
        "answer_caps",
        "grade_caps",
    }
    legacy = load_template_file(DATA / "lac-review-2009.yaml")
    assert legacy.scale is OFSTED_2009 and legacy.version == "2.1"
    assert legacy.rules[0].at_most == 3 and legacy.rules[0].explain.startswith("The overall")


@pytest.mark.parametrize("name", ["cp-visits.yaml", "lac-review-2009.yaml"])
def test_json_round_trip(name):
    d = load_template_file(DATA / name)
    stored = json.loads(json.dumps(d.to_json()))
    again = TemplateDefinition.from_json(stored)
    assert again == d
    assert again.question(d.questions[-1].id) == d.questions[-1]


def test_unquoted_version_keeps_its_text():
    d = load_template_text(MINIMAL.replace('version: "1.0"', "version: 1.10"))
    assert d.version == "1.10"


def test_grade_words_and_labels():
    assert OFSTED_SIF.label(3) == "Requires improvement" and OFSTED_SIF.short(3) == "RI"
    assert OFSTED_2009.label(3) == "3 Adequate" and OFSTED_2009.short(3) == "3"
    assert OFSTED_SIF.parse("requires improvement") == 3 == OFSTED_SIF.parse("RI")
    assert OFSTED_2009.parse("adequate") == 3 == OFSTED_2009.parse(3) == OFSTED_2009.parse("3")
    with pytest.raises(ValueError, match="requires_improvement"):
        OFSTED_SIF.parse("adequate")
    with pytest.raises(ValueError):
        OFSTED_SIF.parse(5)


def test_problem_prints_as_one_actionable_line():
    problem = TemplateProblem("lac.yaml", 42, "section 'voice'", "Bad thing", "Do this")
    assert str(problem) == "lac.yaml:42: section 'voice': Bad thing. Fix: Do this."
    assert str(TemplateProblem("lac.yaml", None, "", "Empty", "")) == "lac.yaml: Empty."
    assert isinstance(TemplateInvalid([problem]), ValidationError)


def test_missing_id():
    text = MINIMAL.replace("id: mini\n", "")
    problem = only_problem(text)
    assert problem.line == 1 and problem.location == "template"
    assert "'id' is missing" in problem.message and "id:" in problem.fix
    assert str(problem).startswith("t.yaml:1: template: 'id' is missing.")


def test_bad_template_id_suggests_a_slug():
    problem = only_problem(MINIMAL.replace("id: mini", "id: Mini Template"))
    assert problem.line == 1 and "mini-template" in problem.fix


def test_bad_scale():
    problem = only_problem(MINIMAL.replace("scale: ofsted-sif", "scale: ofsted"))
    assert problem.line == line_with(MINIMAL, "scale:")
    assert "ofsted" in problem.message and "ofsted-sif" in problem.fix
    assert "ofsted-2009" in problem.fix


def test_unknown_pathway_suggests_the_right_spelling():
    text = MINIMAL.replace("pathways: [cp_plan]", "pathways: [cp_plan, lac_reveiw, LAC review]")
    first, second = problems_of(text)
    assert first.line == second.line == line_with(text, "pathways:")
    assert "lac_reveiw" in first.message and "lac_review" in first.fix
    assert "'lac_review'" in second.fix  # a label is turned into the value to write


def test_duplicate_question_id():
    text = MINIMAL.replace("id: safety_quality", "id: seen_alone")
    problem = only_problem(text)
    assert problem.line == line_with(text, "id: seen_alone", 2)
    assert f"line {line_with(text, 'id: seen_alone')}" in problem.message
    assert "seen_alone" in problem.message


def test_duplicate_section_id():
    text = MINIMAL.replace("id: safety\n", "id: voice\n")
    problem, unknown_in_rule = problems_of(text)
    assert "'safety'" in unknown_in_rule.message
    assert problem.line == line_with(text, "- id: voice", 2, exact=True)
    assert "section" in problem.message and "voice" in problem.message


def test_unknown_answer_type():
    text = MINIMAL.replace("type: yes_no", "type: yesno")
    problem = only_problem(text)
    assert problem.line == line_with(text, "type: yesno")
    assert problem.location == "section 'voice' › question 'seen_alone'"
    assert "yesno" in problem.message and "yes_no" in problem.fix


def test_choice_with_fewer_than_two_options():
    text = MINIMAL.replace(
        "        type: yes_no\n", "        type: choice\n        options: [Only one]\n"
    )
    problem = only_problem(text)
    assert problem.line == line_with(text, "options:")
    assert "at least 2" in problem.message


def test_choice_without_options_and_with_duplicates():
    text = MINIMAL.replace("        type: yes_no\n", "        type: choice\n")
    assert "at least 2" in only_problem(text).message
    text = MINIMAL.replace(
        "        type: yes_no\n", "        type: choice\n        options: [A, A, B]\n"
    )
    assert "listed twice" in only_problem(text).message


def test_setting_of_another_type_and_unknown_setting():
    text = MINIMAL.replace(
        "        type: yes_no\n", "        type: yes_no\n        options: [a, b]\n"
    )
    problem = only_problem(text)
    assert problem.line == line_with(text, "options:")
    assert "choice" in problem.message
    text = MINIMAL.replace("    title: Safety\n", "    title: Safety\n    guidence: Look\n")
    problem = only_problem(text)
    assert problem.line == line_with(text, "guidence") and "'guidance'" in problem.fix


def test_rule_naming_an_unknown_section():
    text = MINIMAL.replace("section: safety", "section: safty")
    problem = only_problem(text)
    assert problem.line == line_with(text, "section: safty")
    assert problem.location == "rule 'safety_cap'"
    assert "safty" in problem.message and "'safety'" in problem.fix


def test_rule_naming_an_unknown_question():
    text = MINIMAL + (
        "  - id: not_seen\n"
        "    type: answer_caps\n"
        "    when: {question: seen_alon, in: [no]}\n"
        "    target: voice\n"
        "    at_most: requires_improvement\n"
    )
    problem = only_problem(text)
    assert problem.line == line_with(text, "seen_alon,")
    assert "seen_alon" in problem.message and "'seen_alone'" in problem.fix


def test_grade_word_of_the_other_scale_gets_the_right_word():
    rule = (
        "  - id: needs_good\n"
        "    type: requires_at_least\n"
        "    sections: [voice]\n"
        "    minimum: good\n"
        "    otherwise: adequate\n"
    )
    problem = only_problem(MINIMAL + rule)
    assert problem.line == line_with(MINIMAL + rule, "otherwise: adequate")
    assert "'adequate' is not a grade word of the ofsted-sif scale" in problem.message
    assert "'requires_improvement'" in problem.fix
    legacy = (MINIMAL + rule.replace("adequate", "requires_improvement")).replace(
        "ofsted-sif", "ofsted-2009"
    )
    problem = only_problem(legacy)
    assert "'adequate'" in problem.fix


def test_grade_word_misspelt():
    text = MINIMAL + (
        "  - id: g\n    type: grade_caps\n    when: {section: safety, at_or_worse: inadequte}\n"
        "    at_most: requires_improvement\n"
    )
    problem = only_problem(text)
    assert "inadequte" in problem.message and "'inadequate'" in problem.fix


def test_rule_that_can_never_limit_and_rule_on_an_ungraded_section():
    text = MINIMAL + (
        "  - id: pointless\n    type: answer_caps\n    when: {question: seen_alone, equals: no}\n"
        "    at_most: outstanding\n"
    )
    assert "never limit" in only_problem(text).message
    text = MINIMAL.replace("    title: Safety\n", "    title: Safety\n    graded: false\n")
    problem = only_problem(text)
    assert "not graded" in problem.message and problem.line == line_with(text, "section: safety")


def test_condition_referring_to_a_later_question():
    text = MINIMAL.replace(
        "        type: grade\n",
        "        type: grade\n        condition: {question: safety_quality, equals: good}\n",
        1,
    )
    problem = only_problem(text)
    assert problem.line == line_with(text, "condition:")
    assert "comes later" in problem.message
    assert f"line {line_with(text, 'id: safety_quality')}" in problem.message
    assert "earlier" in problem.fix


def test_condition_on_itself_and_section_condition_on_its_own_question():
    text = MINIMAL.replace(
        "        type: yes_no\n",
        "        type: yes_no\n        condition: {question: seen_alone, equals: no}\n",
    )
    assert "this question itself" in only_problem(text).message
    text = MINIMAL.replace(
        "    title: Safety\n",
        "    title: Safety\n    condition: {question: safety_quality, equals: good}\n",
    )
    assert "comes later" in only_problem(text).message


def test_condition_with_an_impossible_answer():
    text = MINIMAL.replace(
        "    title: Safety\n",
        "    title: Safety\n    condition: {question: seen_alone, equals: maybe}\n",
    )
    problem = only_problem(text)
    assert "maybe" in problem.message and "partly" in problem.fix


def test_timescale_anchored_to_a_non_date_question():
    text = MINIMAL.replace(
        "        type: date\n",
        "        type: date\n        timescale:\n          anchor: {question: seen_alone}\n"
        "          within: {working_days: 15}\n",
    )
    problem = only_problem(text)
    assert problem.line == line_with(text, "anchor:")
    assert "seen_alone" in problem.message and "not a date" in problem.message
    assert "event" in problem.fix


def test_timescale_with_an_unknown_unit_and_event():
    text = MINIMAL.replace(
        "        type: date\n",
        "        type: date\n        timescale:\n          anchor: {event: strategy}\n"
        "          within: {weeks: 2}\n",
    )
    problems = problems_of(text)
    assert [p.line for p in problems] == [line_with(text, "anchor:"), line_with(text, "within:")]
    assert "strategy_discussion" in problems[0].fix
    assert "days: 7" in problems[1].fix


def test_yaml_syntax_error_gives_the_line_of_the_error():
    text = MINIMAL.replace("title: Safety", "title: Safety: the child's")
    problem = only_problem(text)
    assert problem.line == line_with(text, "title: Safety:")
    assert "not valid YAML" in problem.message and "quotes" in problem.fix


def test_tab_indentation():
    text = MINIMAL.replace("    title: Safety", "\ttitle: Safety")
    problem = only_problem(text)
    assert problem.line == line_with(text, "\ttitle")
    assert "tab" in problem.fix


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(MINIMAL.replace("Mini template", "Mini café").encode("latin-1"))
    with pytest.raises(TemplateInvalid) as caught:
        load_template_file(path)
    (problem,) = caught.value.problems
    assert problem.line == line_with(MINIMAL, "title: Mini")
    assert "UTF-8" in problem.message and "UTF-8" in problem.fix
    assert problem.file == str(path)


def test_utf8_with_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_template_file(path).id == "mini"


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(text):
    problem = only_problem(text)
    assert "empty" in problem.message or "only comments" in problem.message
    assert "docs/templates.md" in problem.fix


def test_top_level_list_instead_of_mapping():
    text = "- id: mini\n- title: Mini\n"
    problem = only_problem(text)
    assert problem.line == 1 and "list" in problem.message and "mapping" in problem.message


def test_repeated_key():
    text = MINIMAL.replace("theme: Testing\n", "theme: Testing\ntheme: Again\n")
    problem = only_problem(text)
    assert problem.line == line_with(text, "theme: Again") and "twice" in problem.message


def test_missing_file():
    with pytest.raises(NotFound):
        load_template_file(DATA / "no-such-template.yaml")


def test_several_problems_are_listed_together_in_line_order():
    text = (
        MINIMAL.replace("scale: ofsted-sif", "scale: sif")
        .replace("type: yes_no", "type: yesno")
        .replace("section: safety", "section: nowhere")
        .replace("title: Mini template\n", "")
    )
    with pytest.raises(TemplateInvalid) as caught:
        load_template_text(text, "many.yaml")
    problems = caught.value.problems
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert "4 problems" in caught.value.message
    assert {p.file for p in problems} == {"many.yaml"}


def test_the_example_in_the_user_documentation_is_valid():
    docs = Path(__file__).parents[1] / "docs" / "templates.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    d = load_template_text(example, "docs/templates.md")
    assert {q.type for q in d.questions} == {"grade", "yes_no", "date", "number", "choice", "text"}
    assert len({r.type for r in d.rules}) == 4


def _never_crashes(text: str) -> None:
    try:
        load_template_text(text, "fuzz.yaml")
    except TemplateInvalid as exc:
        assert exc.problems and all(isinstance(p, TemplateProblem) for p in exc.problems)
        for problem in exc.problems:
            assert problem.message and str(problem).startswith("fuzz.yaml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_definition_or_problems_never_a_crash(text):
    _never_crashes(text)


FIXTURE_LINES = (DATA / "cp-visits.yaml").read_text(encoding="utf-8").splitlines()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=len(FIXTURE_LINES) - 1), max_size=6),
    st.sampled_from(["", "x", "[]", "{}", "- a", "no", "outstanding", "1.5", "-3", "~"]),
)
def test_damaged_templates_never_crash_the_loader(lines, replacement):
    damaged = list(FIXTURE_LINES)
    for index in lines:
        head, sep, _ = damaged[index].partition(": ")
        damaged[index] = f"{head}{sep}{replacement}" if sep else replacement
    _never_crashes("\n".join(damaged) + "\n")
