"""The loader's second pass: conditions, timescales and rules, which refer to other parts.

Once every section and question of a template has been read, these functions check the parts
that name others: a condition must depend on an earlier yes/no, choice or grade question (so
there can be no cycles) and use one of its answers; a timescale must be anchored to a date
question or a pathway event; a rule must name graded sections, real questions and grade words of
the template's own scale ("adequate" in an ofsted-sif template is refused with the right word).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from ..vocabulary import PathwayStage
from .scales import GradeScale
from .schema import Condition, Timescale, normalise_yes_no
from .yamlnodes import NodeReader, line_of

__all__ = [
    "TemplateIndex",
    "answer_values",
    "question_ref",
    "read_condition",
    "read_timescale",
    "stage_list",
]

STAGES = tuple(stage.value for stage in PathwayStage)
RULE_KEYS: dict[str, tuple[str, ...]] = {
    "cap_by_section": ("section",),
    "requires_at_least": ("sections", "minimum", "otherwise"),
    "answer_caps": ("when", "at_most"),
    "grade_caps": ("when", "at_most"),
}
ALL_RULE_KEYS = ("id", "type", "target", "explain") + tuple(
    dict.fromkeys(k for keys in RULE_KEYS.values() for k in keys)
)
UNITS = ("working_days", "days", "months")


@dataclass
class QuestionInfo:
    id: str
    type: str
    position: int
    line: int | None
    options: tuple[str, ...] = ()
    allow_partly: bool = True
    allow_na: bool = True


@dataclass
class TemplateIndex:
    """What the first pass found: every question and section, by id, in order."""

    scale: GradeScale | None
    questions: dict[str, QuestionInfo] = field(default_factory=dict)
    sections: dict[str, bool] = field(default_factory=dict)  # id -> graded

    def add_section(self, sid: str, graded: bool, node: Node) -> None:
        if sid and sid not in self.sections:
            self.sections[sid] = graded

    def add_question(self, fields: dict[str, Any], node: Node, position: int) -> None:
        qid = fields.get("id")
        if qid and qid not in self.questions:
            self.questions[qid] = QuestionInfo(
                id=qid,
                type=fields.get("type", ""),
                position=position,
                line=line_of(node),
                options=tuple(fields.get("options", ())),
                allow_partly=fields.get("allow_partly", True),
                allow_na=fields.get("allow_na", True),
            )


def _close(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else ""


def stage_list(r: NodeReader, node: Node | None, location: str, key: str) -> tuple[str, ...]:
    """Pathway stage values named in a list; a problem (with the right spelling) for others."""
    stages: list[str] = []
    items = r.text_list(node, location, key)
    if node is not None and not items:
        r.problem(node, location, f"'{key}' names no pathway stage", f"Use e.g. [{STAGES[0]}]")
    for text, item in items:
        if text in STAGES:
            stages.append(text)
            continue
        try:
            fix = f"Write '{PathwayStage.parse(text).value}'"
        except ValueError:
            fix = _close(text.lower(), STAGES) or f"Use one of {', '.join(STAGES)}"
        r.problem(item, location, f"{text!r} is not a pathway stage", fix)
    return tuple(stages)


def question_ref(
    r: NodeReader, node: Node | None, location: str, index: TemplateIndex, what: str
) -> QuestionInfo | None:
    qid = r.text(node, location, "question")
    if node is None or not qid:
        return None
    info = index.questions.get(qid)
    if info is None:
        fix = _close(qid, index.questions) or "Use the id of a question in this template"
        r.problem(node, location, f"{what} names question '{qid}', which does not exist", fix)
    return info


def answer_values(
    r: NodeReader,
    info: QuestionInfo,
    keys: dict[str, Node],
    location: str,
    scale: GradeScale | None,
) -> tuple[str, ...]:
    """The answers named by ``equals:`` or ``in:``, normalised for the question's type."""
    if ("equals" in keys) == ("in" in keys):
        r.problem(
            keys.get("in") or keys.get("question"),
            location,
            f"Give either 'equals:' or 'in:' with the answer(s) to question '{info.id}'",
            "Write e.g. 'equals: no' or 'in: [no, partly]'",
        )
        return ()
    if "equals" in keys:
        items = [(r.text(keys["equals"], location, "equals"), keys["equals"])]
    else:
        items = r.text_list(keys["in"], location, "in")
    if not info.type:
        return ()  # the question's own type is wrong; that problem is already reported
    if info.type not in ("yes_no", "choice", "grade"):
        r.problem(
            keys.get("question"),
            location,
            f"Question '{info.id}' is a {info.type} question; only yes_no, choice and grade "
            "answers can be tested",
            "Test a yes_no, choice or grade question instead",
        )
        return ()
    values: list[str] = []
    for text, item in items:
        value = _one_answer(r, info, text, item, location, scale)
        if value is not None:
            values.append(value)
    if not items:
        r.problem(keys.get("in"), location, "'in' lists no answers", "List at least one answer")
    return tuple(dict.fromkeys(values))


def _one_answer(
    r: NodeReader,
    info: QuestionInfo,
    text: str,
    node: Node,
    location: str,
    scale: GradeScale | None,
) -> str | None:
    if info.type == "yes_no":
        allowed = ["yes", "no"] + ["partly"] * info.allow_partly + ["na"] * info.allow_na
        value = normalise_yes_no(text)
        if value in allowed:
            return value
        r.problem(
            node,
            location,
            f"{text!r} is not a possible answer to yes/no question '{info.id}'",
            f"Use {', '.join('n/a' if a == 'na' else a for a in allowed)}",
        )
    elif info.type == "choice":
        if text in info.options:
            return text
        matches = [o for o in info.options if o.lower() == text.lower()]
        fix = (
            f"Write it exactly as the option: '{matches[0]}'"
            if matches
            else (f"Use one of its options: {', '.join(info.options)}")
        )
        r.problem(node, location, f"{text!r} is not an option of question '{info.id}'", fix)
    elif scale is not None:
        try:
            return str(scale.parse(text))
        except ValueError:
            r.problem(
                node,
                location,
                f"{text!r} is not a grade of the {scale.key} scale",
                scale.suggest(text),
            )
    return None


def read_condition(
    r: NodeReader, node: Node, location: str, index: TemplateIndex, before: int
) -> Condition | None:
    """A section's or question's condition; ``before`` is the owner's position in the template."""
    keys = r.mapping(node, location, ("pathway", "question", "equals", "in"), "a condition")
    if keys is None:
        return None
    if "pathway" in keys:
        if {"question", "equals", "in"} & keys.keys():
            r.problem(
                node,
                location,
                "A condition tests either the pathway or an answer, not both",
                "Keep 'pathway:' or 'question:', not both",
            )
        stages = stage_list(r, keys["pathway"], location, "pathway")
        return Condition(pathways=stages) if stages else None
    if "question" not in keys:
        r.problem(
            node,
            location,
            "The condition says neither 'pathway:' nor 'question:'",
            "Write e.g. 'condition: {pathway: [cp_plan]}' or "
            "'condition: {question: child_seen, equals: no}'",
        )
        return None
    info = question_ref(r, keys["question"], location, index, "The condition")
    if info is None:
        return None
    if info.position >= before:
        itself = info.position == before
        r.problem(
            keys["question"],
            location,
            f"The condition depends on question '{info.id}'"
            + (
                ", which is this question itself"
                if itself
                else f", which comes later (line {info.line})"
            ),
            "A condition can only depend on a question earlier in the template: move that "
            "question above, or test a different one",
        )
        return None
    values = answer_values(r, info, keys, location, index.scale)
    return Condition(question=info.id, values=values) if values else None


def read_timescale(
    r: NodeReader, node: Node, location: str, index: TemplateIndex, qid: str
) -> Timescale | None:
    """A date question's timescale: an anchor (question or event) and a limit."""
    where = f"{location} › timescale"
    keys = r.mapping(node, where, ("anchor", "within", "label"), "a timescale")
    if keys is None:
        return None
    anchor_node = r.require(
        keys, "anchor", node, where, "Add e.g. 'anchor: {event: strategy_discussion}'"
    )
    within_node = r.require(keys, "within", node, where, "Add e.g. 'within: {working_days: 15}'")
    label = r.text(keys.get("label"), where, "label")
    anchor_question = anchor_event = None
    which = "last"
    if anchor_node is not None:
        anchor = r.mapping(anchor_node, where, ("question", "event", "which"), "an anchor") or {}
        if ("question" in anchor) == ("event" in anchor):
            r.problem(
                anchor_node,
                where,
                "The anchor must name either a 'question:' or an 'event:' (one of them)",
                "Write e.g. 'anchor: {question: strategy_date}' or "
                "'anchor: {event: strategy_discussion, which: last}'",
            )
        elif "question" in anchor:
            info = question_ref(r, anchor["question"], where, index, "The anchor")
            if info is not None and info.id == qid:
                r.problem(
                    anchor["question"],
                    where,
                    "The anchor is this question itself",
                    "Anchor it to another date question",
                )
            elif info is not None and info.type and info.type != "date":
                r.problem(
                    anchor["question"],
                    where,
                    f"The anchor, question '{info.id}', is a {info.type} question, not a date",
                    "Anchor the timescale to a date question, or to a pathway event with "
                    "'anchor: {event: ...}'",
                )
            elif info is not None:
                anchor_question = info.id
            if "which" in anchor:
                r.problem(
                    anchor["which"], where, "'which' applies only to event anchors", "Remove it"
                )
        else:
            stages = stage_list(r, anchor["event"], where, "event")
            anchor_event = stages[0] if len(stages) == 1 else None
            which = r.text(anchor.get("which"), where, "which", "last")
            if which not in ("first", "last"):
                r.problem(
                    anchor["which"], where, f"'which' is {which!r}", "Write 'first' or 'last'"
                )
    unit, amount = "", None
    if within_node is not None:
        weeks = "A week is 'days: 7' or 'working_days: 5'"
        within = r.mapping(within_node, where, UNITS, "'within'", {"weeks": weeks})
        if within is not None and len(within) > 1 or within == {} and not within_node.value:
            r.problem(
                within_node,
                where,
                "'within' must give exactly one of working_days, days or months",
                "Write e.g. 'within: {working_days: 15}'",
            )
        elif within:
            ((unit, amount_node),) = within.items()
            amount = r.whole_number(amount_node, where, unit)
    if amount is None or not (anchor_question or anchor_event):
        return None
    return Timescale(amount, unit, anchor_question, anchor_event, which, label)
