"""Runs work on untrusted files in child processes with CPU-time and memory limits.

A parser that loops, balloons or crashes on a hostile file takes down a worker, never the
command: each failure becomes an ExtractionError naming the file.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import FrameType
from typing import Generic, TypeVar

from review_flow.errors import ExtractionError, ReviewFlowError
from review_flow.extract.limits import MIB, Limits

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Task = Callable[[str, Limits], T]


class CpuTimeExceeded(Exception):
    """Raised inside a worker by SIGXCPU when a file uses up its CPU seconds."""


def _on_xcpu(signum: int, frame: FrameType | None) -> None:
    raise CpuTimeExceeded


def _init_worker(memory_bytes: int) -> None:
    signal.signal(signal.SIGXCPU, _on_xcpu)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or memory_bytes <= hard:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


def _guarded(task: Task[T], path: str, limits: Limits) -> T:
    """Run one task with a fresh CPU budget; map resource failures to ExtractionError."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + limits.cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    try:
        return task(path, limits)
    except CpuTimeExceeded:
        raise ExtractionError(
            path, f"took more than {limits.cpu_seconds} s of CPU time (hostile or broken file?)"
        ) from None
    except MemoryError:
        raise ExtractionError(
            path, f"needed more than {limits.memory_bytes // MIB} MiB of memory (zip bomb?)"
        ) from None
    except RecursionError:
        raise ExtractionError(path, "structure nested too deeply to read") from None
    except ReviewFlowError:
        raise
    except Exception as exc:
        # NOTE: the worker is the boundary of untrusted parsing: fuzzed files make parsers raise
        # types beyond their own. One file fails with a clear line; the batch goes on.
        log.debug("unexpected error reading %s", path, exc_info=True)
        raise ExtractionError(
            path, f"could not be read ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


class Sandbox(Generic[T]):
    """A pool of limited workers; `run` yields (path, result or error) in input order."""

    def __init__(self, task: Task[T], limits: Limits, jobs: int | None = None) -> None:
        self.task, self.limits = task, limits
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Sandbox[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(self.limits.memory_bytes,),
            )
        return self._pool

    def close(self, kill: bool = False) -> None:
        if self._pool is not None:
            if kill:
                for proc in list(getattr(self._pool, "_processes", {}).values()):
                    proc.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def call(self, function: Callable[..., R], *args: object) -> Future[R]:
        """Run `function(*args)` in a worker, unguarded (work on no file: loading the rules)."""
        return self._executor().submit(function, *args)

    def run(self, paths: Iterable[str]) -> Iterator[tuple[str, T | ReviewFlowError]]:
        """Hands every path to the workers now; the iterator collects them."""
        queue = list(paths)
        if self._pool is None:  # NOTE: a fork pool starts all its workers at once
            self.jobs = min(self.jobs, max(1, len(queue)))
        return self._outcomes([(p, self._submit(p)) for p in queue])

    def _outcomes(
        self, futures: list[tuple[str, Future[T]]]
    ) -> Iterator[tuple[str, T | ReviewFlowError]]:
        retry: list[str] = []
        for path, future in futures:
            outcome = self._collect(path, future)
            if outcome is None:
                retry.append(path)
                continue
            if retry:  # the pool broke earlier: finish those one at a time, in order
                yield from self._isolated(retry)
                retry = []
            yield path, outcome
        yield from self._isolated(retry)

    def _submit(self, path: str) -> Future[T]:
        return self._executor().submit(_guarded, self.task, path, self.limits)

    def _collect(self, path: str, future: Future[T]) -> T | ReviewFlowError | None:
        """The result or error of one file; None when the pool broke under someone else."""
        # NOTE: OCR is granted CPU time beyond cpu_seconds while it reads (extract/ocr.py).
        timeout = (self.limits.cpu_seconds + self.limits.ocr_cpu_seconds) * 2 + 30
        try:
            return future.result(timeout=timeout)
        except ReviewFlowError as exc:
            return exc
        except FutureTimeout:
            self.close(kill=True)
            return ExtractionError(path, f"gave no result within {timeout} s; worker stopped")
        except BrokenProcessPool:
            self.close(kill=True)
            return None

    def _isolated(self, paths: list[str]) -> Iterator[tuple[str, T | ReviewFlowError]]:
        for path in paths:
            outcome = self._collect(path, self._submit(path))
            if outcome is None:
                log.warning("worker died on %s", path)
                outcome = ExtractionError(
                    path, "the reader crashed or ran out of memory on this file (hostile file?)"
                )
            yield path, outcome
