"""Reading a template's limiting rules: caps by section, "requires at least", answer and grade caps.

Each rule must have a unique id and a known type, may only use the settings of its type, must
name graded sections (or ``overall``) and real questions, and must use grade words of the
template's own scale. A rule that could never change a grade (a cap "at most outstanding") is
refused, because it is almost certainly a mistake.
"""

from __future__ import annotations

import difflib

from yaml.nodes import Node

from .loader_refs import ALL_RULE_KEYS, RULE_KEYS, TemplateIndex, answer_values, question_ref
from .schema import OVERALL, RULE_TYPES, Rule
from .yamlnodes import NodeReader, line_of, peek

__all__ = ["read_rules"]


def read_rules(r: NodeReader, node: Node | None, index: TemplateIndex) -> list[Rule]:
    """Every rule under ``rules:``, checked against the sections and questions in ``index``."""
    if node is None:
        return []
    rules: list[Rule] = []
    seen: dict[str, Node] = {}
    for number, item in enumerate(r.sequence(node, "rules", "'rules'"), start=1):
        rule = _rule(r, item, f"rule {number}", index, seen)
        if rule is not None:
            rules.append(rule)
    return rules


def _grade(
    r: NodeReader, node: Node | None, location: str, key: str, index: TemplateIndex
) -> int | None:
    value = r.text(node, location, key)
    if node is None or not value or index.scale is None:
        return None
    try:
        return index.scale.parse(value)
    except ValueError:
        r.problem(
            node,
            location,
            f"{value!r} is not a grade word of the {index.scale.key} scale",
            index.scale.suggest(value),
        )
        return None


def _section(
    r: NodeReader,
    node: Node | None,
    location: str,
    key: str,
    index: TemplateIndex,
    *,
    overall: bool,
) -> str | None:
    value = r.text(node, location, key)
    if node is None or not value:
        return None
    if overall and value == OVERALL:
        return value
    if value not in index.sections:
        choices = list(index.sections) + ([OVERALL] if overall else [])
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
        fix = f"Did you mean '{close[0]}'?" if close else f"Use one of {', '.join(choices)}"
        r.problem(node, location, f"'{key}' names section '{value}', which does not exist", fix)
        return None
    if not index.sections[value]:
        r.problem(
            node,
            location,
            f"Section '{value}' is not graded (graded: false), so a rule cannot use its grade",
            "Name a graded section, or remove 'graded: false' from that section",
        )
        return None
    return value


def _never_limits(
    r: NodeReader, node: Node | None, location: str, key: str, grade: int | None
) -> None:
    if grade == 1:
        r.problem(
            node,
            location,
            f"'{key}' is the best grade, so this rule can never limit anything",
            "Give a worse grade, e.g. requires_improvement, or remove the rule",
        )


def _rule(
    r: NodeReader, node: Node, location: str, index: TemplateIndex, seen: dict[str, Node]
) -> Rule | None:
    if peek(node, "id"):
        location = f"rule '{peek(node, 'id')}'"
    keys = r.mapping(node, location, ALL_RULE_KEYS, "a rule")
    if keys is None:
        return None
    id_node = r.require(keys, "id", node, location, "Give the rule an 'id:' such as safety_cap")
    rule_id = r.text(id_node, location, "id")
    if rule_id:
        if rule_id in seen:
            r.problem(
                id_node,
                location,
                f"Another rule already has the id '{rule_id}' (line {line_of(seen[rule_id])})",
                "Give each rule its own id",
            )
        seen.setdefault(rule_id, id_node)
    type_node = r.require(
        keys, "type", node, location, f"Add 'type:' with one of {', '.join(RULE_TYPES)}"
    )
    rule_type = r.text(type_node, location, "type")
    if type_node is None or not rule_type:
        return None
    if rule_type not in RULE_TYPES:
        close = difflib.get_close_matches(rule_type, RULE_TYPES, n=1, cutoff=0.6)
        fix = f"Did you mean '{close[0]}'?" if close else f"Use one of {', '.join(RULE_TYPES)}"
        r.problem(type_node, location, f"{rule_type!r} is not a rule type", fix)
        return None
    for key, value in keys.items():
        if key in ("id", "type", "target", "explain") or key in RULE_KEYS[rule_type]:
            continue
        r.problem(value, location, f"'{key}' is not used by a {rule_type} rule", f"Remove '{key}'")
    target = OVERALL
    if "target" in keys:
        target = _section(r, keys["target"], location, "target", index, overall=True) or OVERALL
    explain = r.text(keys.get("explain"), location, "explain")
    rule = Rule(id=rule_id, type=rule_type, target=target, explain=explain)
    fields = _type_fields(r, rule_type, keys, node, location, index, target)
    if fields is None:
        return None
    return Rule(**{**rule.__dict__, **fields})


def _type_fields(
    r: NodeReader,
    rule_type: str,
    keys: dict[str, Node],
    node: Node,
    location: str,
    index: TemplateIndex,
    target: str,
) -> dict | None:
    if rule_type == "cap_by_section":
        section_node = r.require(
            keys, "section", node, location, "Add 'section:' naming the limiting section"
        )
        section = _section(r, section_node, location, "section", index, overall=False)
        if section is not None and section == target:
            r.problem(
                section_node,
                location,
                "The rule caps a section by itself",
                "Name another section or 'target: overall'",
            )
        return {"section": section} if section else None
    if rule_type == "requires_at_least":
        fix = "Add e.g. 'sections: [voice, planning]'"
        sections_node = r.require(keys, "sections", node, location, fix)
        names = r.text_list(sections_node, location, "sections")
        if sections_node is not None and not names:
            r.problem(sections_node, location, "'sections' names no section", fix)
        sections = [_section(r, n, location, "sections", index, overall=False) for _, n in names]
        minimum = _grade(
            r,
            r.require(keys, "minimum", node, location, "Add e.g. 'minimum: good'"),
            location,
            "minimum",
            index,
        )
        otherwise_node = r.require(
            keys, "otherwise", node, location, "Add e.g. 'otherwise: requires_improvement'"
        )
        otherwise = _grade(r, otherwise_node, location, "otherwise", index)
        _never_limits(r, otherwise_node, location, "otherwise", otherwise)
        if None in sections or not sections or minimum is None or otherwise is None:
            return None
        return {
            "sections": tuple(s for s in sections if s),
            "minimum": minimum,
            "otherwise": otherwise,
        }
    when_node = r.require(keys, "when", node, location, _when_example(rule_type))
    at_most_node = r.require(
        keys, "at_most", node, location, "Add e.g. 'at_most: requires_improvement'"
    )
    at_most = _grade(r, at_most_node, location, "at_most", index)
    _never_limits(r, at_most_node, location, "at_most", at_most)
    if when_node is None:
        return None
    if rule_type == "answer_caps":
        when = r.mapping(when_node, location, ("question", "equals", "in"), "'when'")
        if when is None:
            return None
        question_node = r.require(when, "question", when_node, location, _when_example(rule_type))
        info = question_ref(r, question_node, location, index, "'when'")
        values = answer_values(r, info, when, location, index.scale) if info else ()
        if not values or at_most is None or info is None:
            return None
        return {"when_question": info.id, "when_values": values, "at_most": at_most}
    when = r.mapping(when_node, location, ("section", "at_or_worse"), "'when'")
    if when is None:
        return None
    section_node = r.require(when, "section", when_node, location, _when_example(rule_type))
    section = _section(r, section_node, location, "section", index, overall=False)
    worse_node = r.require(
        when, "at_or_worse", when_node, location, "Add e.g. 'at_or_worse: inadequate'"
    )
    at_or_worse = _grade(r, worse_node, location, "at_or_worse", index)
    if section is None or at_or_worse is None or at_most is None:
        return None
    return {"when_section": section, "at_or_worse": at_or_worse, "at_most": at_most}


def _when_example(rule_type: str) -> str:
    if rule_type == "answer_caps":
        return "Write e.g. 'when: {question: seen_alone, in: [no]}'"
    return "Write e.g. 'when: {section: safety, at_or_worse: inadequate}'"
