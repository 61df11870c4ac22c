"""Reading a composed YAML node tree with line numbers, collecting problems as it goes.

The loader composes a template with ``yaml.SafeLoader`` but never constructs Python objects
from it directly: it walks the nodes through a ``NodeReader`` so that every value keeps its line
number and every mistake becomes a ``TemplateProblem`` instead of an exception. Text fields are
taken exactly as written, so ``equals: no`` means the answer "no" (not YAML's false) and
``version: 1.10`` stays "1.10". The reader also catches what YAML itself lets through: repeated
keys, unknown keys (with a "did you mean" suggestion) and values of the wrong kind.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import TemplateProblem

__all__ = ["NodeReader", "kind_of", "line_of", "peek"]

NULL_TAG = "tag:yaml.org,2002:null"
TRUE_WORDS = {"true", "yes", "on", "y"}
FALSE_WORDS = {"false", "no", "off", "n"}


def line_of(node: Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (indented 'key: value' lines)"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_empty(node):
        return "empty"
    return f"the text {node.value!r}"


def peek(node: Node, key: str) -> str:
    """The text of ``key`` in a mapping node, without checking anything ("" if absent)."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value == key
                and isinstance(value_node, ScalarNode)
            ):
                return value_node.value.strip()
    return ""


def is_empty(node: Node | None) -> bool:
    if node is None:
        return True
    if isinstance(node, ScalarNode):
        return node.tag == NULL_TAG or (node.style is None and node.value.strip() == "")
    return False


class NodeReader:
    """Typed access to YAML nodes that records a problem (and returns a default) on mistakes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[TemplateProblem] = []

    def problem(self, where: Node | int | None, location: str, message: str, fix: str = "") -> None:
        line = where if isinstance(where, int) or where is None else line_of(where)
        self.problems.append(TemplateProblem(self.source, line, location, message, fix))

    # -- containers -------------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        location: str,
        allowed: Iterable[str],
        what: str,
        hints: dict[str, str] | None = None,
    ) -> dict[str, Node] | None:
        """The keys of a mapping node; problems for repeated, unknown or non-text keys."""
        if not isinstance(node, MappingNode):
            self.problem(
                node,
                location,
                f"{what} should be a mapping of 'key: value' lines, but it is {kind_of(node)}",
                "Write it as indented 'key: value' lines (see docs/templates.md)",
            )
            return None
        allowed = tuple(allowed)
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(
                    key_node, location, "A key must be a plain word", "Remove the brackets"
                )
                continue
            key = key_node.value
            if key in result:
                self.problem(
                    key_node,
                    location,
                    f"'{key}' is given twice (the first is on line {line_of(result[key])})",
                    f"Keep one '{key}:' and delete the other",
                )
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"Did you mean '{close[0]}'?" if close else f"Allowed: {', '.join(allowed)}"
                hint = (hints or {}).get(key, hint)
                self.problem(key_node, location, f"'{key}' is not a setting of {what}", hint)
                continue
            result[key] = value_node
        return result

    def sequence(self, node: Node, location: str, what: str) -> list[Node]:
        """The items of a list node (a single value counts as a list of one)."""
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, MappingNode):
            self.problem(
                node,
                location,
                f"{what} should be a list (lines starting with '- '), but it is a mapping",
                "Put '- ' before each item",
            )
            return []
        return [] if is_empty(node) else [node]

    def require(
        self, keys: dict[str, Node], key: str, parent: Node, location: str, fix: str
    ) -> Node | None:
        """The value of a required key; a problem (at the parent's line) if absent or empty."""
        node = keys.get(key)
        if node is None or is_empty(node):
            missing = "is missing" if node is None else "is empty"
            self.problem(node or parent, location, f"'{key}' {missing}", fix)
            return None
        return node

    # -- scalars ----------------------------------------------------------------------------

    def text(self, node: Node | None, location: str, key: str, default: str = "") -> str:
        """Text exactly as written (block scalars trimmed); a problem for lists and mappings."""
        if node is None or is_empty(node):
            return default
        if not isinstance(node, ScalarNode):
            self.problem(
                node,
                location,
                f"'{key}' should be text, but it is {kind_of(node)}",
                "Write it on one line after the colon, or use '|' for several lines",
            )
            return default
        return node.value.strip()

    def boolean(self, node: Node | None, location: str, key: str, default: bool) -> bool:
        if node is None or is_empty(node):
            return default
        word = node.value.strip().lower() if isinstance(node, ScalarNode) else ""
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.problem(
            node, location, f"'{key}' should be true or false, but it is {kind_of(node)}", ""
        )
        return default

    def number(
        self, node: Node | None, location: str, key: str, *, positive: bool = False
    ) -> float | int | None:
        """A number (int when written without a decimal point); None if absent or wrong."""
        if node is None or is_empty(node):
            return None
        value: float | int | None = None
        if isinstance(node, ScalarNode):
            raw = node.value.strip().replace("_", "")
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    value = None
        if value is None or not math.isfinite(value):
            self.problem(
                node, location, f"'{key}' should be a number, but it is {kind_of(node)}", ""
            )
            return None
        if positive and value <= 0:
            self.problem(
                node, location, f"'{key}' must be more than 0, but it is {value}", "Use 1 or more"
            )
            return None
        return value

    def whole_number(self, node: Node | None, location: str, key: str) -> int | None:
        """A whole number of at least 1."""
        value = self.number(node, location, key, positive=True)
        if value is None:
            return None
        if value != int(value):
            self.problem(node, location, f"'{key}' must be a whole number, not {value}", "")
            return None
        return int(value)

    def text_list(self, node: Node | None, location: str, key: str) -> list[tuple[str, Node]]:
        """Each item of a list of short texts, with its node (for line numbers)."""
        if node is None:
            return []
        items: list[tuple[str, Node]] = []
        for item in self.sequence(node, location, f"'{key}'"):
            if not isinstance(item, ScalarNode) or is_empty(item):
                self.problem(
                    item,
                    location,
                    f"Each item of '{key}' should be a short text, but one is {kind_of(item)}",
                    "",
                )
                continue
            items.append((item.value.strip(), item))
        return items

    def scalar_value(self, node: Node) -> Any:
        """A scalar's text, for messages."""
        return node.value if isinstance(node, ScalarNode) else kind_of(node)
