"""`make demo`: the story of review-flow on samples/, told with the real commands.

Each step prints the command it runs, so a new user can type the same thing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "review_flow"]
SAMPLES = sorted(p for p in HERE.iterdir() if p.suffix in {".docx", ".pdf", ".txt"})


def run(*args: str, show: bool = True) -> subprocess.CompletedProcess[str]:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"\n$ review-flow {shown}", flush=True)
    result = subprocess.run([*CLI, *args], capture_output=not show, text=True, check=False)
    if show:
        print(f"(exit status {result.returncode})")
    return result


def extraction_summary() -> None:
    print("== 1. Extraction: everything a reader could recover, and where it came from")
    args = ["extract", "--format", "json", *(str(p.relative_to(HERE.parent)) for p in SAMPLES)]
    result = run(*args, show=False)
    for doc in json.loads(result.stdout)["documents"]:
        name = Path(doc["path"]).name
        if doc.get("error"):
            print(f"  {name:28} error: {doc['error']}")
            continue
        wheres = Counter(seg["where"] for seg in doc["segments"])
        parts = ", ".join(f"{w} {n}" for w, n in sorted(wheres.items()))
        unreadable = [u["page"] for u in doc["unreadable_pages"]]
        print(f"  {name:28} {doc['format']:5} {len(doc['text']):6} chars  segments: {parts}"
              + (f"  unreadable pages: {unreadable}" if unreadable else ""))  # fmt: skip


def scanning() -> None:
    print("\n== 2. Scanning: verdict first, then the findings (personal data masked)")
    run("scan", *(str(p.relative_to(HERE.parent)) for p in SAMPLES))
    print("\n== 3. The rules check themselves against their own examples")
    run("rules", "test")


if __name__ == "__main__":
    extraction_summary()
    scanning()
