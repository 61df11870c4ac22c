"""Building the demo local authority: 5,000 children with audits, and 100,000 without.

``demo_generate_5k_s`` is the wall time of ``build_demo(scale=5000)`` with audits (the size the
GUI builds on first run) into a fresh SQLite file; ``demo_generate_100k_s`` the same for
100,000 children without audits; ``demo_rows_per_s`` the rows written per second in the
100,000 build (children, identities, family members, case files and pathway events). Database
creation and migration are not timed. ``run()`` yields ``(name, value, unit)``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

AS_OF = date(2026, 11, 16)


def _build(path: Path, scale: int, with_audits: bool) -> tuple[float, int]:
    from caseaudit.db import open_database
    from caseaudit.models import CaseFile, Child, ChildIdentity, PathwayEvent, RelatedPerson
    from caseaudit.services.demo import build_demo

    db = open_database(path)
    try:
        started = time.perf_counter()
        build_demo(db, scale=scale, as_of=AS_OF, with_audits=with_audits)
        seconds = time.perf_counter() - started
        with db.session() as s:
            rows = sum(
                s.scalar(select(func.count()).select_from(model)) or 0
                for model in (Child, ChildIdentity, RelatedPerson, CaseFile, PathwayEvent)
            )
    finally:
        db.close()
    return seconds, rows


def run() -> Iterable[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as folder:
        small, _rows = _build(Path(folder) / "demo-5k.sqlite", 5000, with_audits=True)
        yield ("demo_generate_5k_s", round(small, 2), "s")
        large, rows = _build(Path(folder) / "demo-100k.sqlite", 100_000, with_audits=False)
        yield ("demo_generate_100k_s", round(large, 2), "s")
        yield ("demo_rows_per_s", round(rows / large), "rows/s")


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value} {unit}")
