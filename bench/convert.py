"""Benchmark: what reading one .doc through LibreOffice costs, cold and amortised.

Run with `make bench` (or `python bench/convert.py`). The .doc files are the samples/*.docx saved
as .doc by LibreOffice itself, plus the real .doc/.wps files of ../shared/corpus/real when
present. Every figure and ratio comes from this run on this machine, wall time by
time.perf_counter:

- cold: one `soffice.bin --convert-to docx` per file, each with a fresh profile (what a reader
  that starts LibreOffice per file pays), and with a profile kept between files;
- amortised: the long-lived instance review-flow keeps per worker (review_flow/extract/office.py),
  started once, then one file at a time through its pipe; and the whole extraction
  (extract_bytes: sniff, convert, read the .docx) per file on that instance.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_flow.extract import Limits, extract_bytes, office  # noqa: E402

REAL = Path("/work/shared/corpus/real")
ROUNDS = 3  # the amortised figures are the median over this many passes over the files
COLD_FILES = 4  # cold starts are measured on the first files only (each costs seconds)


def documents(work: Path, instance: office.Office) -> list[Path]:
    """The .doc files to convert: samples saved as .doc by LibreOffice, and the real ones."""
    files = []
    for sample in sorted((ROOT / "samples").glob("*.docx")):
        data = instance.convert(sample.read_bytes(), sample.name, ".docx", "doc")
        target = work / f"{sample.stem}.doc"
        target.write_bytes(data)
        files.append(target)
    if REAL.is_dir():
        files += sorted(p for p in REAL.iterdir() if p.suffix in (".doc", ".wps"))
    return files


def cold(binary: str, files: list[Path], work: Path, fresh: bool) -> list[float]:
    """Seconds per file for one soffice process per file (fresh or kept profile)."""
    seconds = []
    kept = work / "kept-profile"
    for i, path in enumerate(files):
        profile = work / f"fresh-{i}" if fresh else kept
        out = work / f"cold-{i}"
        start = time.perf_counter()
        # NOTE: a fresh profile makes soffice.bin exit 81 once and ask to be started again,
        # as the soffice wrapper would do; both runs count.
        for _ in range(2):
            done = subprocess.run(
                [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                 "--norestore", "--convert-to", "docx", "--outdir", str(out), str(path)],
                capture_output=True, timeout=300, check=False,
            )  # fmt: skip
            if done.returncode != office.RESTART_EXIT:
                break
        seconds.append(time.perf_counter() - start)
        if not (out / f"{path.stem}.docx").is_file():
            raise SystemExit(f"cold conversion of {path.name} failed: {done.stderr[-300:]!r}")
    return seconds


def amortised(instance: office.Office, files: list[Path]) -> tuple[float, float, list[float]]:
    """A new instance's start-up seconds (until it is ready) and its first file's seconds
    (start-up included), then the median seconds per file over ROUNDS passes."""
    instance.stop()
    start = time.perf_counter()
    instance.start("bench")
    ready = time.perf_counter() - start
    instance.convert(files[0].read_bytes(), files[0].name, files[0].suffix, "docx")
    first = time.perf_counter() - start
    per_file: list[list[float]] = [[] for _ in files]
    for _ in range(ROUNDS):
        for i, path in enumerate(files):
            data = path.read_bytes()
            start = time.perf_counter()
            instance.convert(data, path.name, path.suffix, "docx")
            per_file[i].append(time.perf_counter() - start)
    instance.stop()
    return ready, first, [statistics.median(s) for s in per_file]


def extraction(files: list[Path]) -> list[float]:
    """Median seconds per file of the whole extraction on this process's instance."""
    limits = Limits()
    extract_bytes(files[0].read_bytes(), files[0].name, limits)  # (starts the instance)
    per_file = []
    for path in files:
        data = path.read_bytes()
        runs = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            extract_bytes(data, path.name, limits)
            runs.append(time.perf_counter() - start)
        per_file.append(statistics.median(runs))
    return per_file


def main() -> None:
    binary = office.find_soffice("bench")
    work = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    instance = office.Office(binary, Limits())
    try:
        files = documents(work, instance)
        ready, first, warm = amortised(instance, files)
        fresh = cold(binary, files[:COLD_FILES], work, fresh=True)
        kept = cold(binary, files[:COLD_FILES], work, fresh=False)
        whole = extraction(files)
    finally:
        instance.close()
        shutil.rmtree(work, ignore_errors=True)
    n = len(files)
    mean = statistics.mean
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"LibreOffice .doc conversion ({instance.version}), {n} files, seconds per file")
    print(f"  (load average {load} on {os.cpu_count()} cores)")
    print(f"  cold, fresh profile each file      {mean(fresh):6.2f}  (first {len(fresh)} files)")
    print(f"  cold, profile kept between files   {mean(kept):6.2f}  (first {len(kept)} files)")
    print(f"  long-lived instance: start-up      {ready:6.2f}  (until ready, once per worker)")
    print(f"  long-lived instance: first file    {first:6.2f}  (start-up included)")
    print(f"  long-lived instance: per file      {mean(warm):6.2f}  (median of {ROUNDS} passes)")
    print(f"  whole extraction per file          {mean(whole):6.2f}  (sniff, convert, read .docx)")
    startup = max(first - warm[0], 0.0)
    print(
        f"  amortised over the {n} files: {(startup + sum(warm)) / n:.2f} s per file, "
        f"{mean(kept) / ((startup + sum(warm)) / n):.1f}x cheaper than a cold start per file "
        f"(kept profile); per file after start-up {mean(kept) / mean(warm):.1f}x"
    )


if __name__ == "__main__":
    main()
