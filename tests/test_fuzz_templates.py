"""Hostile template files: whatever goes in, the loader accepts it or refuses it in clear words.

Hypothesis feeds ``load_template_text`` / ``load_template_file`` random text and bytes, real
templates cut short or with bytes flipped, real templates with values of the wrong type, and
huge fields. The only acceptable outcomes are a ``TemplateDefinition`` or a ``CaseAuditError``
with a message; any other exception fails the test. ``bench/bench_fuzz.py`` runs a longer
campaign and counts the crashes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseaudit.errors import CaseAuditError
from caseaudit.paths import builtin_templates_dir
from caseaudit.templating import load_template_file, load_template_text

SOURCES = [p.read_text(encoding="utf-8") for p in sorted(builtin_templates_dir().glob("*.yaml"))]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.dates()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)


def accepted_or_refused_clearly(text: str) -> None:
    try:
        load_template_text(text, "fuzz.yaml")
    except CaseAuditError as refused:
        assert refused.message.strip()


def _places(tree: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a parsed template, depth first."""
    found: list[tuple[Any, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            found.append((node, key))
            if isinstance(child, dict | list):
                stack.append(child)
    return found


def test_every_builtin_template_loads():
    assert len(SOURCES) >= 5
    for source in SOURCES:
        load_template_text(source)


@FUZZ
@given(st.text(max_size=3000))
def test_random_text(text):
    accepted_or_refused_clearly(text)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_a_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(data)
        try:
            load_template_file(path)
        except CaseAuditError as refused:
            assert refused.message.strip()


@FUZZ
@given(st.sampled_from(SOURCES), st.floats(min_value=0, max_value=1))
def test_truncated_templates(source, fraction):
    accepted_or_refused_clearly(source[: int(len(source) * fraction)])


@FUZZ
@given(
    st.sampled_from(SOURCES),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_templates_with_bytes_flipped(source, flips):
    data = bytearray(source.encode("utf-8"))
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    accepted_or_refused_clearly(data.decode("utf-8", errors="replace"))


@FUZZ
@given(st.sampled_from(SOURCES), st.data())
def test_values_of_the_wrong_type(source, data):
    tree = yaml.safe_load(source)
    places = _places(tree)
    for _ in range(data.draw(st.integers(1, 3))):
        container, key = places[data.draw(st.integers(0, len(places) - 1))]
        container[key] = data.draw(VALUES)
    accepted_or_refused_clearly(yaml.safe_dump(tree, allow_unicode=True))


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(SOURCES), st.data(), st.sampled_from([10_000, 300_000]))
def test_huge_fields(source, data, size):
    tree = yaml.safe_load(source)
    places = _places(tree)
    container, key = places[data.draw(st.integers(0, len(places) - 1))]
    container[key] = data.draw(st.sampled_from(["x" * size, ["y"] * (size // 100)]))
    accepted_or_refused_clearly(yaml.safe_dump(tree, allow_unicode=True, width=1 << 30))


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        )
        + "sections: *i\n",  # "billion laughs": must not be expanded
        "id: !!python/object/apply:os.system ['echo owned']\n",
        "id: a\x00b\n",
        "\ufeff\ufeffid: x\n",
        "sections:\n" + "  - title: s\n    questions: []\n" * 5000,
    ],
    ids=["alias-bomb", "python-tag", "nul", "double-bom", "many-sections"],
)
def test_known_hostile_inputs(text):
    accepted_or_refused_clearly(text)


@pytest.mark.parametrize("text", ["title: " + "[" * 5000 + "]" * 5000, "".join(
    "  " * i + f"k{i}:\n" for i in range(3000)
)], ids=["deep-list", "deep-mapping"])  # fmt: skip
def test_deeply_nested_yaml_is_a_clear_error(text):
    accepted_or_refused_clearly(text)
