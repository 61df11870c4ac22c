"""Loading a YAML template file into a ``TemplateDefinition``, checking everything on the way.

The file is decoded as UTF-8, composed with ``yaml.SafeLoader`` and walked node by node (see
``yamlnodes``) so each problem carries its line. Reading happens in two passes: the first reads
the template's header, sections and questions; the second, once every question is known,
checks conditions, timescales and rules, which refer to other questions and sections. All
problems from both passes are reported together in one ``TemplateInvalid``; a definition is
returned only when there are none.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from ..errors import NotFound
from .loader_refs import TemplateIndex, stage_list
from .loader_rules import read_rules
from .loader_sections import TEMPLATE, SectionReader, slug
from .problems import TemplateInvalid, TemplateProblem
from .scales import SCALES, GradeScale
from .schema import TemplateDefinition
from .yamlnodes import NodeReader, kind_of

__all__ = ["load_template_file", "load_template_text"]

TEMPLATE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOP_KEYS = (
    "id",
    "version",
    "title",
    "theme",
    "scale",
    "pathways",
    "description",
    "sources",
    "sections",
    "rules",
)


def load_template_file(path: str | Path, source_name: str | None = None) -> TemplateDefinition:
    """Read and check the template at ``path``; ``TemplateInvalid`` lists every problem."""
    path = Path(path)
    name = source_name or str(path)
    if not path.is_file():
        raise NotFound(f"There is no template file at {path}. Check the name and folder.")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TemplateInvalid(
            [
                TemplateProblem(
                    name,
                    line,
                    "",
                    "The file is not saved as UTF-8 text (a character on this line cannot be read)",
                    "Open it in a text editor and save it with the encoding 'UTF-8'",
                )
            ]
        ) from None
    return load_template_text(text, name)


def load_template_text(text: str, source_name: str = "<text>") -> TemplateDefinition:
    """Check the template written in ``text``; ``source_name`` is used in problem messages."""
    reader = NodeReader(source_name)
    root = _compose(reader, text)
    if root is not None:
        definition = _Builder(reader).template(root)
        if not reader.problems and definition is not None:
            return definition
    raise TemplateInvalid(sorted(reader.problems, key=lambda p: p.line or 0))


def _compose(reader: NodeReader, text: str) -> Node | None:
    if not text.strip():
        reader.problem(None, "", "The file is empty", "Start from the example in docs/templates.md")
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        fix = "Check the indentation (spaces, not tabs) and put quotes around text that contains ': ' or starts with a special character such as '*', '&', '[' or '{'"
        if "\t" in problem or "'\\t'" in problem:
            fix = "Replace the tab character with spaces"
        reader.problem(
            None if mark is None else mark.line + 1,
            "",
            f"The file is not valid YAML ({problem})",
            fix,
        )
        return None
    except yaml.YAMLError as exc:
        reader.problem(None, "", f"The file is not valid YAML ({exc})", "")
        return None
    except RecursionError:  # PyYAML composes recursively: hostile or broken nesting
        reader.problem(
            None,
            "",
            "The file is nested far too deeply to be a template",
            "Check for unclosed brackets; a template nests only sections, questions and rules",
        )
        return None
    if root is None:
        reader.problem(
            None, "", "The file holds only comments", "Start from the example in docs/templates.md"
        )
        return None
    if not isinstance(root, MappingNode):
        reader.problem(
            root,
            TEMPLATE,
            f"A template must be a mapping of keys such as 'id:', 'title:' and 'sections:', "
            f"but this file is {kind_of(root)}",
            "Remove the '- ' in front of the top-level keys so they start at the left margin"
            if isinstance(root, SequenceNode)
            else "Start from the example in docs/templates.md",
        )
        return None
    return root


class _Builder:
    """Reads one template: header, then sections and questions, then cross-references."""

    def __init__(self, reader: NodeReader) -> None:
        self.r = reader
        self.scale: GradeScale | None = None
        self.sections = SectionReader(reader)

    def template(self, root: Node) -> TemplateDefinition | None:
        r = self.r
        keys = r.mapping(root, TEMPLATE, TOP_KEYS, "a template") or {}
        template_id = self._template_id(keys, root)
        version = self._version(keys, root)
        title = r.text(
            r.require(keys, "title", root, TEMPLATE, "Add a 'title:' line"), TEMPLATE, "title"
        )
        if len(title) > 200:
            r.problem(
                keys["title"], TEMPLATE, "The title is longer than 200 characters", "Shorten it"
            )
        theme = r.text(
            r.require(
                keys,
                "theme",
                root,
                TEMPLATE,
                "Add a 'theme:' line, e.g. 'theme: Looked-after children'",
            ),
            TEMPLATE,
            "theme",
        )
        self.scale = self._scale(keys, root)
        pathway_node = r.require(
            keys,
            "pathways",
            root,
            TEMPLATE,
            "Add e.g. 'pathways: [cp_plan]' naming the case files it audits",
        )
        pathways = stage_list(r, pathway_node, TEMPLATE, "pathways") if pathway_node else ()
        description = r.text(keys.get("description"), TEMPLATE, "description")
        sources = tuple(t for t, _ in r.text_list(keys.get("sources"), TEMPLATE, "sources"))
        sections = self.sections.sections(keys, root)
        index = TemplateIndex(scale=self.scale)
        position = 0
        for section in sections:
            section.start = position
            index.add_section(section.fields["id"], section.fields["graded"], section.node)
            for question in section.questions:
                question.position = position
                index.add_question(question.fields, question.node, position)
                position += 1
        built = [self.sections.finish_section(section, index) for section in sections]
        rules = read_rules(r, keys.get("rules"), index)
        if r.problems or self.scale is None:
            return None
        return TemplateDefinition(
            id=template_id,
            version=version,
            title=title,
            theme=theme,
            scale=self.scale,
            pathways=tuple(pathways),
            sections=tuple(built),
            description=description,
            sources=sources,
            rules=tuple(rules),
        )

    # -- header -----------------------------------------------------------------------------

    def _template_id(self, keys: dict[str, Node], root: Node) -> str:
        r = self.r
        node = r.require(keys, "id", root, TEMPLATE, "Add a line such as 'id: lac-review-minutes'")
        value = r.text(node, TEMPLATE, "id")
        if node is not None and value and (not TEMPLATE_ID.match(value) or len(value) > 64):
            r.problem(
                node,
                TEMPLATE,
                f"The id {value!r} may use only lowercase letters, digits and hyphens (at most 64)",
                f"Write e.g. 'id: {slug(value, '-')[:64]}'",
            )
        return value

    def _version(self, keys: dict[str, Node], root: Node) -> str:
        r = self.r
        node = r.require(keys, "version", root, TEMPLATE, "Add a line such as 'version: \"1.0\"'")
        value = r.text(node, TEMPLATE, "version")
        if node is not None and value and (len(value) > 32 or any(c.isspace() for c in value)):
            r.problem(
                node,
                TEMPLATE,
                f"The version {value!r} must be short (at most 32 characters) with no spaces",
                "Write e.g. 'version: \"1.1\"'",
            )
        return value

    def _scale(self, keys: dict[str, Node], root: Node) -> GradeScale | None:
        r = self.r
        choices = " or ".join(SCALES)
        node = r.require(keys, "scale", root, TEMPLATE, f"Add 'scale: ofsted-sif' (or {choices})")
        value = r.text(node, TEMPLATE, "scale")
        if node is None or not value:
            return None
        if value in SCALES:
            return SCALES[value]
        r.problem(
            node,
            TEMPLATE,
            f"The scale {value!r} is not one caseaudit knows",
            f"Write {choices}: ofsted-sif is outstanding / good / requires improvement / "
            "inadequate, ofsted-2009 is 1 outstanding / 2 good / 3 adequate / 4 inadequate",
        )
        return None

    # -- sections and questions -------------------------------------------------------------
