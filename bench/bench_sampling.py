"""Drawing a 50-file stratified sample from a frame of 100,000 case files.

``sample_50_of_100k_ms`` is the time of ``draw_sample`` (the draw itself: partitioning the frame
into strata, exclusions, minimums, the seeded walks, the per-worker cap and the balanced,
conflict-free assignment) on a 100,000-file frame already in memory: strata pathway stage x
open/closed x team (112 strata), 50 files shared in proportion with at least 4 safeguarding and
4 looked-after files, at most 3 files per worker, three auditors of whom two manage a team, and
600 children excluded as recently audited. Goal: at most 50 ms. The median of 7 draws with
different seeds is reported.

``sample_frame_load_100k_ms`` is the time ``load_frame`` takes to read those 100,000 case files
from a SQLite database (the frame query and building the frame), and ``sample_preview_100k_ms``
the whole ``preview_sample`` call (frame, exclusions, auditors, draw), each the median of 3.
Building the database (an import of a 100,000-row CSV) is not timed. ``run()`` yields
``(name, value, unit)``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from hashlib import blake2b
from pathlib import Path

STAGES = (
    "contact",
    "referral",
    "assessment",
    "section_47",
    "cin_plan",
    "cp_plan",
    "lac_episode",
    "care_leaver",
)
SPEC = {
    "strata": ["stage", "status", "team"],
    "allocation": "proportional",
    "total": 50,
    "minimums": {"safeguarding": 4, "lac": 4},
    "max_per_worker": 3,
}


def synthetic_frame(size: int = 100_000) -> list:
    from caseaudit.services.sampling_draw import NO_IRO, FrameCase

    frame = []
    for n in range(1, size + 1):
        h = blake2b(n.to_bytes(4, "big"), digest_size=8).digest()
        team = h[0] % 7 + 1
        frame.append(
            FrameCase(
                case_file_id=n,
                child_id=n,
                case_key=f"C-{n:04d}",
                order_key=f"P{n:07d}\x1f2024-{h[1] % 12 + 1:02d}-01\x1fcin-cp\x1fx\x1fC-{n:04d}",
                stage=STAGES[h[2] % len(STAGES)],
                outcome="ongoing",
                status=("open", "closed")[h[3] % 2],
                team_id=team,
                team=f"Team {team}",
                worker_id=team * 100 + h[4] % 25,
                worker=f"Worker {h[4] % 25}",
                iro_worker_id=None,
                iro=NO_IRO,
                source_list="cin-cp",
            )
        )
    return frame


def time_draw() -> float:
    from caseaudit.services.sampling_draw import AuditorInfo, draw_sample
    from caseaudit.services.sampling_spec import SampleSpec

    frame = synthetic_frame()
    spec = SampleSpec.from_dict(SPEC)
    auditors = [
        AuditorInfo(1, "amy", "Amy", None),
        AuditorInfo(2, "tm1", "TM 1", 901, frozenset({1})),
        AuditorInfo(3, "tm2", "TM 2", 902, frozenset({2})),
    ]
    excluded = {n: "audited in the last 12 months" for n in range(1, 100_001, 167)}
    times = []
    for seed in range(7):
        started = time.perf_counter()
        result = draw_sample(frame, spec, seed, auditors=auditors, excluded_children=excluded)
        times.append(time.perf_counter() - started)
        if len(result.items) != 50:
            raise RuntimeError(f"drew {len(result.items)} files, not 50")
    return statistics.median(times) * 1000


def build_database(folder: Path):  # noqa: ANN201
    import importlib.util

    from sqlalchemy import text

    from caseaudit.db import open_database
    from caseaudit.models import AuditTemplate, TemplateVersion
    from caseaudit.services.accounts import add_user, create_first_administrator
    from caseaudit.services.importer import import_file
    from caseaudit.vocabulary import UserRole

    spec = importlib.util.spec_from_file_location(
        "bench_import", Path(__file__).with_name("bench_import.py")
    )
    bench_import = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bench_import)  # type: ignore[union-attr]
    source = bench_import.write_list(folder / "frame.csv")
    db = open_database(folder / "frame.sqlite")
    admin = create_first_administrator(db, "admin", "Admin", "benchmark-password")
    qa = add_user(db, admin, "qa", "QA", UserRole.QA_LEAD, "benchmark-password")
    for name in ("amy", "bob", "cat"):
        add_user(db, admin, name, name.title(), UserRole.AUDITOR, "benchmark-password")
    import_file(db, qa, source, "cin-cp")
    with db.engine.begin() as conn:  # a spread of stages, and some files closed
        for index, stage in enumerate(STAGES):
            conn.execute(
                text("UPDATE case_file SET current_stage = :s WHERE id % 8 = :i"),
                {"s": stage, "i": index},
            )
        conn.execute(
            text(
                "UPDATE case_file SET status = 'closed', closed_on = '2025-01-10' WHERE id % 3 = 0"
            )
        )
    with db.session() as s:
        template = AuditTemplate(key="bench", title="Bench")
        s.add(template)
        s.flush()
        s.add(
            TemplateVersion(
                template_id=template.id,
                version="1",
                scale="ofsted-2009",
                source_text="x",
                sha256="0" * 64,
                definition={},
            )
        )
    return db, qa


def time_database(folder: Path) -> tuple[float, float]:
    from caseaudit.services.rounds import create_round
    from caseaudit.services.sampling import preview_sample
    from caseaudit.services.sampling_frame import load_frame
    from caseaudit.services.sampling_spec import SampleSpec

    db, qa = build_database(folder)
    try:
        summary = create_round(
            db,
            qa,
            "Bench",
            template_key="bench",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            auditors=["amy", "bob", "cat"],
            spec=SPEC,
        )
        spec = SampleSpec.from_dict(SPEC)
        loads, previews = [], []
        for seed in range(3):
            with db.session() as s:
                started = time.perf_counter()
                frame = load_frame(s, spec, date(2025, 1, 1), date(2025, 3, 31))
                loads.append(time.perf_counter() - started)
            if len(frame) != 100_000:
                raise RuntimeError(f"frame of {len(frame)} files, not 100,000")
            started = time.perf_counter()
            preview = preview_sample(db, qa, summary.id, seed)
            previews.append(time.perf_counter() - started)
            if len(preview.items) != 50:
                raise RuntimeError(f"previewed {len(preview.items)} files, not 50")
    finally:
        db.close()
    return statistics.median(loads) * 1000, statistics.median(previews) * 1000


def run() -> Iterable[tuple[str, float, str]]:
    yield ("sample_50_of_100k_ms", round(time_draw(), 1), "ms")
    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as name:
        load_ms, preview_ms = time_database(Path(name))
        yield ("sample_frame_load_100k_ms", round(load_ms), "ms")
        yield ("sample_preview_100k_ms", round(preview_ms), "ms")


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value} {unit}")
