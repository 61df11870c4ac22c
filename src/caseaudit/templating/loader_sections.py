"""The loader's first pass over sections and questions, and the assembly of each section.

Reads every section and question of a template (ids, texts, answer types and the settings of
each type), reporting repeated ids, unknown settings, settings that do not apply to the
question's type and choice questions with fewer than two options. Once the whole template is
indexed, ``finish_section`` adds conditions and timescales (checked in ``loader_refs``) and
builds the immutable ``Section``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from .loader_refs import TemplateIndex, read_condition, read_timescale
from .schema import ANSWER_TYPES, Question, Section
from .yamlnodes import NodeReader, line_of, peek

__all__ = ["SectionReader", "TEMPLATE", "slug"]

ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SECTION_KEYS = ("id", "title", "guidance", "graded", "weight", "condition", "questions")
COMMON_QUESTION_KEYS = ("id", "text", "type", "guidance", "required", "weight", "condition")
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "grade": (),
    "yes_no": ("allow_partly", "allow_na"),
    "date": ("timescale",),
    "number": ("min", "max", "unit"),
    "choice": ("options", "multiple"),
    "text": (),
}
QUESTION_KEYS = COMMON_QUESTION_KEYS + tuple(k for keys in TYPE_KEYS.values() for k in keys)
TYPE_SPELLINGS = {"yesno": "yes_no", "yes/no": "yes_no", "boolean": "yes_no", "free_text": "text"}
TEMPLATE = "template"


def slug(text: str, joiner: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", joiner, text.strip().lower()).strip(joiner)
    return slug or "my" + joiner + "id"


@dataclass
class _QuestionDraft:
    fields: dict[str, Any]
    node: Node
    keys: dict[str, Node]
    location: str
    position: int = 0


@dataclass
class _SectionDraft:
    fields: dict[str, Any]
    node: Node
    keys: dict[str, Node]
    location: str
    questions: list[_QuestionDraft] = field(default_factory=list)
    start: int = 0


class SectionReader:
    """Reads the ``sections:`` list of a template."""

    def __init__(self, reader: NodeReader) -> None:
        self.r = reader

    def sections(self, keys: dict[str, Node], root: Node) -> list[_SectionDraft]:
        r = self.r
        node = r.require(
            keys, "sections", root, TEMPLATE, "Add a 'sections:' list (see docs/templates.md)"
        )
        if node is None:
            return []
        drafts: list[_SectionDraft] = []
        seen_sections: dict[str, Node] = {}
        seen_questions: dict[str, Node] = {}
        items = r.sequence(node, TEMPLATE, "'sections'")
        if not items:
            r.problem(node, TEMPLATE, "'sections' has no sections", "Add at least one section")
        for number, item in enumerate(items, start=1):
            draft = self._section(item, number, seen_sections, seen_questions)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _item_id(
        self,
        keys: dict[str, Node],
        node: Node,
        location: str,
        what: str,
        seen: dict[str, Node],
    ) -> str:
        r = self.r
        id_node = r.require(
            keys, "id", node, location, f"Give the {what} an 'id:' (lowercase_with_underscores)"
        )
        value = r.text(id_node, location, "id")
        if id_node is None or not value:
            return ""
        if not ITEM_ID.match(value) or len(value) > 64:
            r.problem(
                id_node,
                location,
                f"The {what} id {value!r} may use only lowercase letters, digits and underscores, "
                "starting with a letter",
                f"Write e.g. 'id: {slug(value, '_')}'",
            )
        if value in seen:
            r.problem(
                id_node,
                location,
                f"Another {what} already has the id {value!r} (line {line_of(seen[value])})",
                f"Give each {what} its own id",
            )
        else:
            seen[value] = id_node
        return value

    def _section(
        self,
        node: Node,
        number: int,
        seen_sections: dict[str, Node],
        seen_questions: dict[str, Node],
    ) -> _SectionDraft | None:
        r = self.r
        location = f"section '{peek(node, 'id')}'" if peek(node, "id") else f"section {number}"
        keys = r.mapping(node, location, SECTION_KEYS, "a section")
        if keys is None:
            return None
        sid = self._item_id(keys, node, location, "section", seen_sections)
        title = r.text(
            r.require(keys, "title", node, location, "Add a 'title:' line"), location, "title"
        )
        fields: dict[str, Any] = {
            "id": sid,
            "title": title,
            "guidance": r.text(keys.get("guidance"), location, "guidance"),
            "graded": r.boolean(keys.get("graded"), location, "graded", True),
            "weight": r.number(keys.get("weight"), location, "weight", positive=True) or 1,
        }
        draft = _SectionDraft(fields, node, keys, location)
        questions = r.require(
            keys, "questions", node, location, "Add a 'questions:' list with at least one question"
        )
        if questions is not None:
            items = r.sequence(questions, location, "'questions'")
            if not items:
                r.problem(questions, location, "'questions' has no questions", "Add at least one")
            for qnumber, item in enumerate(items, start=1):
                question = self._question(item, qnumber, draft, seen_questions)
                if question is not None:
                    draft.questions.append(question)
        return draft

    def _question(
        self, node: Node, number: int, section: _SectionDraft, seen: dict[str, Node]
    ) -> _QuestionDraft | None:
        r = self.r
        name = f"'{peek(node, 'id')}'" if peek(node, "id") else str(number)
        location = f"{section.location} › question {name}"
        keys = r.mapping(node, location, QUESTION_KEYS, "a question")
        if keys is None:
            return None
        qid = self._item_id(keys, node, location, "question", seen)
        fields: dict[str, Any] = {
            "id": qid,
            "section_id": section.fields["id"],
            "text": r.text(
                r.require(keys, "text", node, location, "Add a 'text:' line with the question"),
                location,
                "text",
            ),
            "guidance": r.text(keys.get("guidance"), location, "guidance"),
            "required": r.boolean(keys.get("required"), location, "required", True),
            "weight": r.number(keys.get("weight"), location, "weight", positive=True) or 1,
        }
        qtype = self._question_type(keys, node, location)
        fields["type"] = qtype
        if qtype:
            for key in QUESTION_KEYS:
                if key in keys and key not in COMMON_QUESTION_KEYS and key not in TYPE_KEYS[qtype]:
                    owners = [t for t, ks in TYPE_KEYS.items() if key in ks]
                    r.problem(
                        keys[key],
                        location,
                        f"'{key}' applies only to {' or '.join(owners)} questions, "
                        f"but this one is {qtype}",
                        f"Remove '{key}', or change the type",
                    )
            self._type_fields(qtype, keys, location, fields)
        return _QuestionDraft(fields, node, keys, location)

    def _question_type(self, keys: dict[str, Node], node: Node, location: str) -> str:
        r = self.r
        types = ", ".join(ANSWER_TYPES)
        type_node = r.require(keys, "type", node, location, f"Add 'type:' with one of {types}")
        value = r.text(type_node, location, "type")
        if type_node is None or not value:
            return ""
        if value in ANSWER_TYPES:
            return value
        wanted = TYPE_SPELLINGS.get(value.lower().replace(" ", "_"))
        fix = f"Write 'type: {wanted}'" if wanted else f"Use one of {types}"
        r.problem(type_node, location, f"{value!r} is not an answer type", fix)
        return ""

    def _type_fields(
        self, qtype: str, keys: dict[str, Node], location: str, fields: dict[str, Any]
    ) -> None:
        r = self.r
        if qtype == "yes_no":
            fields["allow_partly"] = r.boolean(
                keys.get("allow_partly"), location, "allow_partly", True
            )
            fields["allow_na"] = r.boolean(keys.get("allow_na"), location, "allow_na", True)
        elif qtype == "number":
            fields["minimum"] = r.number(keys.get("min"), location, "min")
            fields["maximum"] = r.number(keys.get("max"), location, "max")
            fields["unit"] = r.text(keys.get("unit"), location, "unit")
            low, high = fields["minimum"], fields["maximum"]
            if low is not None and high is not None and low > high:
                r.problem(
                    keys["min"], location, f"'min' ({low}) is more than 'max' ({high})", "Swap them"
                )
        elif qtype == "choice":
            fields["multiple"] = r.boolean(keys.get("multiple"), location, "multiple", False)
            options_node = keys.get("options")
            texts: list[str] = []
            for text, item in r.text_list(options_node, location, "options"):
                if text in texts:
                    r.problem(item, location, f"The option {text!r} is listed twice", "Remove one")
                else:
                    texts.append(text)
            if len(texts) < 2:
                r.problem(
                    options_node or keys.get("type"),
                    location,
                    f"A choice question needs at least 2 different options, but it has {len(texts)}",
                    "Add an 'options:' list such as [Parent, Carer, Other], or use type yes_no",
                )
            fields["options"] = tuple(texts)

    # -- second pass ------------------------------------------------------------------------

    def finish_section(self, section: _SectionDraft, index: TemplateIndex) -> Section:
        condition = None
        if "condition" in section.keys:
            condition = read_condition(
                self.r, section.keys["condition"], section.location, index, before=section.start
            )
        questions = []
        for draft in section.questions:
            fields = dict(draft.fields)
            if "condition" in draft.keys:
                fields["condition"] = read_condition(
                    self.r, draft.keys["condition"], draft.location, index, before=draft.position
                )
            if "timescale" in draft.keys and fields["type"] == "date":
                fields["timescale"] = read_timescale(
                    self.r, draft.keys["timescale"], draft.location, index, fields["id"]
                )
            if fields["type"]:
                questions.append(Question(**fields))
        return Section(
            id=section.fields["id"],
            title=section.fields["title"],
            questions=tuple(questions),
            guidance=section.fields["guidance"],
            graded=section.fields["graded"],
            weight=section.fields["weight"],
            condition=condition,
        )
