"""Timing, fresh-subprocess and table helpers for bench/run.py; no review_flow imports here."""

from __future__ import annotations

import functools
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
T = TypeVar("T")


@dataclass(slots=True)
class Timing(Generic[T]):
    """Fastest wall-clock time (time.perf_counter), fastest CPU time of this process
    (time.process_time: a cross-check when other work shares the machine) and a result."""

    wall: float = float("inf")
    cpu: float = float("inf")
    result: Any = None

    def add(self, fn: Callable[[], T]) -> None:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < self.wall:
            self.wall, self.result = wall, result
        self.cpu = min(self.cpu, cpu)


def best_of(fn: Callable[[], T], repeat: int = 3) -> Timing[T]:
    """The best of `repeat` runs of `fn`."""
    timing: Timing[T] = Timing()
    for _ in range(repeat):
        timing.add(fn)
    return timing


def interleaved(
    a: Callable[[], T], b: Callable[[], T], repeat_a: int, repeat_b: int
) -> tuple[Timing[T], Timing[T]]:
    """Best of runs of `a` and `b` taken in turn, so both see the same load on the machine."""
    ta: Timing[T] = Timing()
    tb: Timing[T] = Timing()
    for i in range(max(repeat_a, repeat_b)):
        if i < repeat_a:
            ta.add(a)
        if i < repeat_b:
            tb.add(b)
    return ta, tb


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_ceiling(chunks: int = 8, size: int = 1_500_000) -> tuple[float, float]:
    """Seconds for the same pure-Python work in 1 and in 2 forked processes (best of 2).

    Their ratio is the speed-up this machine can give two processes right now: other work on
    a shared machine lowers it, and then it caps the sandbox's speed-up too.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    best = {}
    for jobs in (1, 2):
        with context.Pool(jobs) as pool:
            pool.map(_spin, [1000] * jobs)  # start the workers before timing
            work = functools.partial(pool.map, _spin, [size] * chunks, 1)
            best[jobs] = best_of(work, 2).wall
    return best[1], best[2]


def load_average() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return handle.read().split()[0]
    except OSError:
        return "n/a"


def timed_process(argv: list[str], repeat: int) -> tuple[float, float, int]:
    """(best, median, exit status) wall-clock seconds of running `argv` from the repo root."""
    times, status = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        status = done.returncode
    return min(times), statistics.median(times), status


def child(*args: str) -> dict[str, Any]:
    """Run bench/child.py in a fresh interpreter and return the JSON it prints."""
    done = subprocess.run(
        [PYTHON, str(BENCH / "child.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the final table; `ok` is None for a figure without a target."""

    figure: str
    measured: str
    target: str = ""
    ok: bool | None = None


def print_table(rows: list[Row]) -> None:
    """Figure, measured, target, status; a row whose figure starts with '#' is a heading."""
    heads = ("figure", "measured", "target")
    body = [r for r in rows if not r.figure.startswith("#")]
    widths = [
        max([_display(h), *(_display((r.figure, r.measured, r.target)[i]) for r in body)])
        for i, h in enumerate(heads)
    ]
    rule = "-" * (sum(widths) + 6 + len("BELOW TARGET"))
    print(rule)
    print(_fmt((*heads, "status"), widths))
    print(rule)
    for row in rows:
        if row.figure.startswith("#"):
            print(row.figure)
            continue
        status = "" if row.ok is None else ("ok" if row.ok else "BELOW TARGET")
        print(_fmt((row.figure, row.measured, row.target, status), widths))
    print(rule)


def _display(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fmt(cells: tuple[str, ...], widths: list[int]) -> str:
    padded = [c + " " * max(0, w - _display(c)) for c, w in zip(cells, [*widths, 0], strict=True)]
    return "  ".join(padded).rstrip()
