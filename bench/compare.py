"""Scanner speed of this tree against another checkout, measured in the same run.

    python bench/compare.py OTHER_TREE [--files N]

OTHER_TREE: e.g. a `git worktree` of the commit before; N: only the first N files of each kind.

Each tree is measured in its own child process (PYTHONPATH=tree), alternately, three rounds;
a figure is the best of its rounds, and the ratio compares figures of this one run. Measured:
Scanner.scan over the bench corpus's text files (MB/s of UTF-8, one core, jieba loaded before
timing) and .docx -> verdict (extract_file + Scanner.scan, pages/s, one core).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as corpus_mod

ROUNDS = 3
CHILD = r"""
import json, sys, time
from pathlib import Path
from review_flow.extract import Limits, extract_file
from review_flow.extract import text as text_extract
from review_flow.scan import Scanner
from review_flow.scan.rules import default_rules_dir

texts, docx, pages = json.loads(sys.stdin.read())
scanner = Scanner.from_dirs(default_rules_dir())
files = [text_extract.extract(Path(p).read_bytes(), p, Limits()) for p in texts]
scanner.scan(files[0])
mb = sum(len(e.text.encode()) for e in files) / 1e6
def scan_all():
    t = time.perf_counter()
    for e in files:
        scanner.scan(e)
    return time.perf_counter() - t
best_scan = min(scan_all() for _ in range(3))
def e2e():
    t = time.perf_counter()
    for p in docx:
        scanner.scan(extract_file(p, Limits()))
    return time.perf_counter() - t
e2e()
best_e2e = min(e2e() for _ in range(3))
print(json.dumps({"scan_mb_s": mb / best_scan, "docx_pages_s": pages / best_e2e, "mb": mb}))
"""


def measure(tree: Path, payload: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD], input=payload, env=env, capture_output=True, text=True,
        check=True, cwd=tree,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    other = Path(sys.argv[1]).resolve()
    limit = int(sys.argv[sys.argv.index("--files") + 1]) if "--files" in sys.argv else None
    here = Path(__file__).resolve().parents[1]
    corpus = corpus_mod.load_or_build(print)
    payload = json.dumps(
        [
            [f.path for f in corpus.text[:limit]],
            [f.path for f in corpus.docx[:limit]],
            sum(f.pages for f in corpus.docx[:limit]),
        ]
    )
    best: dict[str, dict[str, float]] = {"this": {}, "other": {}}
    for _ in range(ROUNDS):
        for name, tree in (("other", other), ("this", here)):
            figures = measure(tree, payload)
            for key, value in figures.items():
                best[name][key] = max(best[name].get(key, 0.0), value)
    print(f"{'figure':<40} {'other':>12} {'this':>12} {'this/other':>11}")
    for key, label in (
        ("scan_mb_s", "Scanner.scan, MB/s"),
        ("docx_pages_s", ".docx -> verdict, pages/s"),
    ):
        a, b = best["other"][key], best["this"][key]
        print(f"{label:<40} {a:>12.1f} {b:>12.1f} {b / a:>10.2f}x")
    print(f"(other = {other}, this = {here}; best of {ROUNDS} alternating rounds, one core)")


if __name__ == "__main__":
    main()
