"""Timing, fresh-subprocess, arithmetic and table helpers for bench/*.py; no review_flow imports."""

from __future__ import annotations

import functools
import gc
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
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


def slope(small: tuple[float, float], large: tuple[float, float]) -> float:
    """Throughput from (size, seconds) of a small and a large input: the extra size over the
    extra seconds, so costs paid once per run (start-up, first-call loading) cancel out."""
    extra = large[1] - small[1]
    return (large[0] - small[0]) / extra if extra > 0 else float("inf")


def _compact(text: str) -> str:
    return re.sub(r"[\s\-－]", "", text)


def recall_by_kind(
    planted: Sequence[Iterable[tuple[str, str]]], found: Sequence[Iterable[tuple[str, str]]]
) -> dict[str, tuple[int, int]]:
    """Per kind, (recalled, planted) over documents given as (kind, value) pairs, in the same
    order in both sequences. A planted value counts as recalled when an item of its kind found
    in the same document contains it or lies within it, spaces and hyphens ignored (as
    tests/scan/labelled.py scores categories)."""
    totals: dict[str, list[int]] = {}
    for wanted, got in zip(planted, found, strict=True):
        texts: dict[str, list[str]] = {}
        for kind, text in got:
            texts.setdefault(kind, []).append(_compact(text))
        for kind, value in wanted:
            value = _compact(value)
            hit = any(value and t and (value in t or t in value) for t in texts.get(kind, ()))
            count = totals.setdefault(kind, [0, 0])
            count[0] += hit
            count[1] += 1
    return {kind: (n[0], n[1]) for kind, n in sorted(totals.items())}


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
