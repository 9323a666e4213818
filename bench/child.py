"""Measurements that need a fresh interpreter: peak memory per run, and the sandboxed scan.

Run by bench/run.py as `python bench/child.py <command> ...`; prints one JSON line. Memory is
peak RSS in KiB. For this process it is VmHWM from /proc/self/status: NOTE: ru_maxrss
(RUSAGE_SELF) survives execve, so a child started by a 200 MiB benchmark process would report at
least 200 MiB. For the sandbox workers (forked, never exec'd) it is ru_maxrss of RUSAGE_CHILDREN
after the pool has shut down, which is the largest worker's peak.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_self() -> int:
    """This process image's peak RSS in KiB (VmHWM), unaffected by whoever started it."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: best effort


def memory(reader: str, path: str) -> dict[str, object]:
    """Peak RSS of this process reading one file; `baseline` is after the imports."""
    if reader == "ours":
        from review_flow.extract import Limits, extract_file
        from review_flow.extract import docx as _docx  # noqa: F401  (imports count as baseline)
        from review_flow.extract import pdf as _pdf  # noqa: F401

        baseline = _peak_self()
        chars = len(extract_file(path, Limits()).text)
    elif reader == "python-docx":
        import docx

        baseline = _peak_self()
        document = docx.Document(path)
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        chars = sum(map(len, parts))
    elif reader == "pdfplumber":
        import pdfplumber

        baseline = _peak_self()
        with pdfplumber.open(path) as pdf:
            chars = sum(len(page.extract_text() or "") for page in pdf.pages)
    else:
        raise SystemExit(f"unknown reader {reader}")
    return {"baseline_kib": baseline, "peak_kib": _peak_self(), "chars": chars}


def sandbox(jobs: int, list_file: str) -> dict[str, object]:
    """`review-flow scan` without the printing: rules checked in the parent, then the pool."""
    from review_flow.errors import ReviewFlowError
    from review_flow.extract.limits import Limits
    from review_flow.sandbox import Sandbox
    from review_flow.scan.rules import default_rules_dir
    from review_flow.tasks import ScanTask, ready_scanner

    paths = Path(list_file).read_text(encoding="utf-8").split("\n")
    dirs = (str(default_rules_dir()),)
    ready_scanner(dirs, len(paths))  # as cli.scan does, before any worker starts
    verdicts: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    with Sandbox(ScanTask(dirs, False), Limits(), jobs) as pool:
        for _path, outcome in pool.run(paths):
            key = "error" if isinstance(outcome, ReviewFlowError) else str(outcome.verdict)
            verdicts[key] = verdicts.get(key, 0) + 1
    elapsed = time.perf_counter() - start  # includes the pool's shutdown
    cpu = time.process_time() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": elapsed,
        "files": len(paths),
        "verdicts": verdicts,
        "worker_peak_kib": workers.ru_maxrss,
        "worker_cpu_seconds": workers.ru_utime + workers.ru_stime,
        "parent_cpu_seconds": cpu,
        "parent_peak_kib": _peak_self(),
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    command, *args = sys.argv[1:]
    if command == "memory":
        result = memory(args[0], args[1])
    elif command == "sandbox":
        result = sandbox(int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
