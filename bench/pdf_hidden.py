"""Extraction time of the real corpus PDFs: what the revision, attachment, action and
visibility checks cost an ordinary PDF.

Prints, per file and in total, the best CPU time (process time: the machine running it may
be shared) of `--repeat` runs of the whole PDF extractor, and of
the same extractor with the whole-document checks (revisions, attachments, actions, layers)
switched off, so the two figures come from one run on one machine. Corpus: ../shared/corpus/real
(or REVIEW_FLOW_CORPUS). Run from the repository root: `python bench/pdf_hidden.py`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_flow.extract import Limits, pdf  # noqa: E402


def corpus() -> Path:
    return Path(os.environ.get("REVIEW_FLOW_CORPUS", ROOT.parent / "shared" / "corpus")) / "real"


def best(data: bytes, name: str, repeat: int, whole: bool) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        if whole:
            pdf.extract(data, name, Limits())
        else:
            pdf.extract_pages(data, name, Limits())
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(corpus().glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs in {corpus()}")
    total_full = total_pages = 0.0
    print(f"{'file':48} {'pages only':>11} {'whole file':>11} {'ratio':>6}")
    for path in files:
        data = path.read_bytes()
        pages_only = best(data, path.name, args.repeat, whole=False)
        full = best(data, path.name, args.repeat, whole=True)
        total_pages += pages_only
        total_full += full
        print(
            f"{path.name:48} {pages_only * 1000:9.1f}ms {full * 1000:9.1f}ms "
            f"{full / pages_only:6.2f}"
        )
    print(
        f"{'total (' + str(len(files)) + ' PDFs)':48} {total_pages * 1000:9.1f}ms "
        f"{total_full * 1000:9.1f}ms {total_full / total_pages:6.2f}"
    )


if __name__ == "__main__":
    main()
