"""Crash-safety loop: an autosaving writer killed with SIGKILL 200 times.

Runs ``caseaudit.services.crashsafety.kill_loop`` on a fresh SQLite file (WAL,
``synchronous=FULL``): each run starts a writer process that autosaves answers continuously
through the program's own ``audits.save_answer`` (the window's path), and acknowledges each
after the save returned; the writer is
killed at a random moment, then the file's integrity and every acknowledged answer are checked.
Figures: ``kill_runs``, ``answers_acknowledged``, ``answers_lost`` and ``integrity_failures``
(goals 0), and ``trail_breaks`` (the trail verified every 25 runs; goal 0).
``CASEAUDIT_BENCH_KILLS`` changes the number of kills (default 200).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from caseaudit.services.crashsafety import kill_loop

KILLS = int(os.environ.get("CASEAUDIT_BENCH_KILLS", "200"))


def run() -> Iterable[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as folder:
        result = kill_loop(
            Path(folder) / "crash.sqlite",
            KILLS,
            seed=2011,
            progress=lambda done, _message: None,
        )
    if result.lost:
        print(f"lost answers for questions: {', '.join(result.lost)}", file=sys.stderr)
    yield "kill_runs", result.kill_runs, "kills"
    yield "answers_acknowledged", result.answers_acknowledged, "answers"
    yield "answers_lost", result.answers_lost, "answers"
    yield "integrity_failures", result.integrity_failures, "failures"
    yield "trail_breaks", result.trail_breaks, "breaks"


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value} {unit}")
