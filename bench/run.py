"""Run caseaudit's benchmarks: ``python bench/run.py [--list] [NAME ...]``.

Each benchmark is a module ``bench/bench_<name>.py`` with ``run() -> Iterable[tuple[str, float,
str]]`` yielding ``(figure, value, unit)``. This runner finds them, runs each in a fresh Python
process (so imports and caches never leak from one to the next), and prints one line per figure
as it arrives: ``figure_name: value unit``. Anything a benchmark itself prints goes to stderr, so
stdout holds only figure lines. The exit status is 0 when every benchmark ran, 1 when any failed
(each failure is named on stderr), 2 for an unknown benchmark name.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import redirect_stdout
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PREFIX = "bench_"


def discover() -> dict[str, Path]:
    """Benchmark names (``bench_<name>.py`` → ``name``) and their files, sorted by name."""
    return {path.stem[len(PREFIX) :]: path for path in sorted(BENCH_DIR.glob(f"{PREFIX}*.py"))}


def format_value(value: float) -> str:
    """Whole numbers and large values without decimals; otherwise four significant figures."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.4g}"


def figure_line(figure: str, value: float, unit: str) -> str:
    return f"{figure}: {format_value(float(value))} {unit}".rstrip()


def run_in_this_process(name: str, path: Path) -> int:
    """The child side: import the benchmark, run it, print each figure line as it comes."""
    spec = importlib.util.spec_from_file_location(f"{PREFIX}{name}", path)
    if spec is None or spec.loader is None:
        print(f"bench: cannot load {path}", file=sys.stderr)
        return 1
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up by name
    out = sys.stdout
    with redirect_stdout(sys.stderr):
        spec.loader.exec_module(module)
        figures = iter(module.run())
        while True:
            item = next(figures, None)
            if item is None:
                break
            figure, value, unit = item
            print(figure_line(figure, value, unit), file=out, flush=True)
    return 0


def run_benchmark(name: str, path: Path) -> bool:
    """Run one benchmark in a fresh process, streaming its figure lines; True if it succeeded."""
    started = time.perf_counter()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        print(
            f"bench: {name} FAILED (exit {result.returncode}) after "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run caseaudit's benchmarks (see bench/README.md)."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--child", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    found = discover()
    if args.child:
        return run_in_this_process(args.child, found[args.child])
    if args.list:
        for name, path in found.items():
            print(f"{name:<24} {path.name}")
        return 0
    unknown = [name for name in args.names if name not in found]
    if unknown:
        print(
            f"bench: no benchmark called {', '.join(unknown)}; known: {', '.join(found)}",
            file=sys.stderr,
        )
        return 2
    failed = [name for name in (args.names or list(found)) if not run_benchmark(name, found[name])]
    if failed:
        print(f"bench: {len(failed)} benchmark(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
