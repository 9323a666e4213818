"""Benchmark: OCR engines compared on the same pages, the render resolution, the confidence
threshold, and the memory of a sandbox worker that runs OCR.

Run with `make bench` (or `python bench/ocr.py`). Pages: the planted 公文 of tests/extract/
scans.py (its text version is the reference), and pages of real text PDFs from the shared
corpus (`REVIEW_FLOW_CORPUS`, see tests/conftest.py) rendered to images, their text layer the
reference. Seconds are CPU seconds of one core (the engines run with one thread; Tesseract's
are its child process's), not wall time, so other load on the machine does not count.
Character accuracy is 1 - edit distance / reference length, whitespace removed.
Every figure is measured in this run; nothing is read from an earlier one.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REVIEW_FLOW_OCR_CACHE", "off")

import pypdfium2 as pdfium  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from review_flow.extract import (  # noqa: E402
    Limits,
    extract_file,
    ocr_pages,
)
from review_flow.extract import ocr as ocr_mod  # noqa: E402
from review_flow.sandbox import Sandbox  # noqa: E402
from review_flow.scan import Scanner  # noqa: E402
from review_flow.scan.rules import default_rules_dir  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402
from tests.extract import scans  # noqa: E402

REAL = CORPUS / "real"
# (file, page index): pages of real 公文 with a text layer, rendered as scans.
REAL_PAGES = [
    ("central_no1_doc_2026.pdf", 0),
    ("hainan_farm_machinery_notice_2024.pdf", 0),
    ("peer_secret_master_template.pdf", 0),
]
SCANNED_REAL = "moa_farm_subsidy_opinion_scanned.pdf"
ENGINES = ("rapidocr", "tesseract")
RENDER_DPIS = (150, 200, 300)
TARGET_RECALL = 0.95


def cpu() -> float:
    return ocr_mod.cpu_used()


def squeeze(text: str) -> str:
    return "".join(text.split())


def char_accuracy(read: str, reference: str) -> float:
    a, b = squeeze(read), squeeze(reference)
    if not b:
        return 1.0 if not a else 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return max(0.0, 1 - previous[-1] / len(b))


def use_engine(name: str) -> ocr_mod.Engine:
    os.environ[ocr_mod.ENGINE_ENV] = name
    ocr_mod.default_engine.cache_clear()
    engine = ocr_mod.default_engine()
    if isinstance(engine, str):
        raise SystemExit(f"bench/ocr.py: {engine}")
    return engine


def render(pdf: bytes, index: int, dpi: int) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def text_layer(pdf: bytes, index: int) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return str(doc[index].get_textpage().get_text_range())
    finally:
        doc.close()


def pages_to_read() -> list[tuple[str, bytes, int, str]]:
    """(label, text PDF, page index, reference text) of every page the engines are compared on."""
    planted = scans.gongwen_pdf()
    found = [("planted 公文", planted, 0, text_layer(planted, 0))]
    for name, index in REAL_PAGES:
        path = REAL / name
        if path.is_file():
            data = path.read_bytes()
            found.append((f"{name} p{index + 1}", data, index, text_layer(data, index)))
        else:
            print(f"  (skipped {name}: not in {REAL})")
    return found


def scanned(image: Image.Image, dpi: int, seed: int = 15) -> Image.Image:
    """The page as scans.page_images makes it: turned 0.6°, speckled, smoothed."""
    image = image.rotate(0.6, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return scans._speckle(image, 0.004, random.Random(seed)).filter(ImageFilter.SMOOTH)


def compare_engines(pages: list[tuple[str, bytes, int, str]]) -> dict[tuple[str, int], list]:
    print("\n== Engines on the same pages (scanned at the render dpi; CPU s of one core) ==")
    print(f"{'engine':<10} {'dpi':>4} {'s/page':>7} {'char acc':>8}  per page")
    results: dict[tuple[str, int], list] = {}
    for name in ENGINES:
        engine = use_engine(name)
        engine.read(Image.new("L", (400, 100), 255), 150)  # load the models outside the timing
        for dpi in RENDER_DPIS:
            rows = []
            for label, pdf, index, reference in pages:
                image = scanned(render(pdf, index, dpi), dpi)
                before = cpu()
                lines = engine.read(image, dpi)
                seconds = cpu() - before
                ink = ocr_mod.ink_area(image, dpi)
                reading = ocr_mod.Reading(engine.name, ocr_mod.reading_order(lines), ink)
                text = "".join(ln.text for row in reading.rows for ln in row)
                accuracy = char_accuracy(text, reference)
                density = reading.characters / max(ink, 0.01)
                rows.append((label, seconds, accuracy, reading.confidence, density))
            results[(name, dpi)] = rows
            mean_s = sum(r[1] for r in rows) / len(rows)
            mean_acc = sum(r[2] for r in rows) / len(rows)
            detail = ", ".join(f"{r[0]}: {r[2]:.3f}" for r in rows)
            print(f"{name:<10} {dpi:>4} {mean_s:>7.2f} {mean_acc:>8.3f}  {detail}")
    return results


def planted_items(scanner: Scanner, path: Path) -> set[tuple[str, str]]:
    doc = extract_file(str(path))
    report = scanner.scan(doc, reveal=True)
    return {
        (f.rule, doc.text[f.start : f.end])
        for f in report.findings
        if f.severity != "info" and not f.rule.startswith("unreadable.")
    }


def recall(folder: Path, scanner: Scanner) -> None:
    print("\n== Planted items found on image-only PDFs, against the text version ==")
    text_pdf = folder / "text.pdf"
    text_pdf.write_bytes(scans.gongwen_pdf())
    wanted = planted_items(scanner, text_pdf)
    print(f"text version: {len(wanted)} items (marking, party head, IDs, mobiles, names)")
    print(f"{'engine':<10} {'scan dpi':>8} {'render dpi':>10} {'found':>7} {'recall':>7}  missed")
    for name in ENGINES:
        use_engine(name)
        for scan_dpi in (150, 300):
            pdf = folder / f"scan{scan_dpi}.pdf"
            pdf.write_bytes(scans.scanned_gongwen(scan_dpi))
            for render_dpi in RENDER_DPIS:
                ocr_pages.DPI = render_dpi
                got = planted_items(scanner, pdf) & wanted
                share = len(got) / len(wanted)
                flag = "" if scan_dpi != 300 or share >= TARGET_RECALL else "  BELOW TARGET"
                missed = sorted(v for _, v in wanted - got)
                print(f"{name:<10} {scan_dpi:>8} {render_dpi:>10} {len(got):>3}/{len(wanted):<3} "
                      f"{share:>7.1%}  {', '.join(missed) or '-'}{flag}")  # fmt: skip
    ocr_pages.DPI = RENDER_DPI_DEFAULT


def bad_pages() -> list[tuple[str, Image.Image]]:
    """Pages a machine should not be trusted on: scribbles, a blurred low-res scan, a photo."""
    rng = random.Random(7)
    dpi = ocr_pages.DPI
    size = (int(8.27 * dpi), int(11.69 * dpi))
    scribble = Image.new("L", size, 255)
    draw = ImageDraw.Draw(scribble)
    for _ in range(60):  # handwriting-like strokes across the page
        y = rng.randrange(size[1])
        points = [(x, y + rng.randint(-25, 25)) for x in range(100, size[0] - 100, 30)]
        draw.line(points, fill=20, width=4)
    photo = Image.effect_noise(size, 90).filter(ImageFilter.GaussianBlur(6))
    stamps = Image.new("L", size, 255)
    draw = ImageDraw.Draw(stamps)
    for _ in range(25):
        x, y = rng.randrange(size[0] - 300), rng.randrange(size[1] - 300)
        draw.ellipse((x, y, x + 300, y + 300), outline=40, width=10)
    return [("scribbles", scribble), ("photo", photo), ("stamps only", stamps)]


def thresholds(engine_results: dict[tuple[str, int], list]) -> None:
    print(f"\n== Confidence threshold {ocr_mod.MIN_CONFIDENCE:.2f} and density "
          f"{ocr_mod.MIN_CHARS_PER_INK:.0f} chars/sq in (default engine) ==")  # fmt: skip
    engine = use_engine(ocr_mod.DEFAULT_ENGINE)
    good = [(f"{label} @{dpi}", conf) for (name, dpi), rows in engine_results.items()
            if name == ocr_mod.DEFAULT_ENGINE for label, _, _, conf, _ in rows]  # fmt: skip
    sparsest = min(row[4] for (name, _), rows in engine_results.items()
                   if name == ocr_mod.DEFAULT_ENGINE for row in rows)  # fmt: skip
    print(f"  good pages: lowest density {sparsest:.0f} characters/sq in of ink")
    # A hard page that is still good: the planted page faxed at 60 dpi and blurred.
    dpi = ocr_pages.DPI
    size = (int(8.27 * dpi), int(11.69 * dpi))
    planted = scans.gongwen_pdf()
    blurred = render(planted, 0, 60).resize(size).filter(ImageFilter.GaussianBlur(4))
    reading = ocr_mod.read(blurred, dpi, engine, ocr_mod.Cache(None))
    text = "".join(ln.text for row in reading.rows for ln in row)
    accuracy = char_accuracy(text, text_layer(planted, 0))
    print(f"  hard good page (60 dpi, blurred): confidence {reading.confidence:.3f}, character "
          f"accuracy {accuracy:.3f}, {'doubted' if reading.doubt() else 'stands'}")  # fmt: skip
    good.append(("60 dpi blurred", reading.confidence))
    under = [label for label, conf in good if conf < ocr_mod.MIN_CONFIDENCE]
    low = min(conf for _, conf in good)
    print(f"good pages under the threshold: {len(under)}/{len(good)} (lowest confidence "
          f"{low:.3f}) {', '.join(under)}")  # fmt: skip
    passed = []
    for label, image in bad_pages():
        reading = ocr_mod.read(image, dpi, engine, ocr_mod.Cache(None))
        doubt = reading.doubt()
        density = reading.characters / max(reading.ink, 0.01)
        print(f"  bad page {label:<20} confidence {reading.confidence:.3f} "
              f"chars {reading.characters:>4} ink {reading.ink:6.1f} sq in ({density:5.1f}/sq in): "
              f"{'PASSES' if not doubt else 'doubted'}")  # fmt: skip
        if not doubt:
            passed.append(label)
    print(f"bad pages that pass: {len(passed)}/{len(bad_pages())}")


def _memory_task(path: str, limits: Limits) -> tuple[int, int, float, int]:
    """In a sandbox worker: OCR the file; (VmHWM, VmPeak in KiB, CPU s, OCR pages read)."""
    before = cpu()
    doc = extract_file(path, limits)
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kib = [int(fields[k].split()[0]) for k in ("VmHWM", "VmPeak")]
    return kib[0], kib[1], cpu() - before, len(doc.ocr)


def worker_memory() -> None:
    print("\n== The real scanned file in one sandbox worker (default engine, limits as shipped) ==")
    path = REAL / SCANNED_REAL
    if not path.is_file():
        print(f"  (skipped: {path} not found)")
        return
    use_engine(ocr_mod.DEFAULT_ENGINE)
    ocr_mod.default_engine.cache_clear()  # the worker loads its own engine
    limits = Limits()
    started = time.perf_counter()
    with Sandbox(_memory_task, limits, 1) as box:
        ((_, outcome),) = list(box.run([str(path)]))
    if isinstance(outcome, Exception):
        print(f"  FAILED: {outcome}")
        return
    hwm, peak, seconds, pages = outcome
    print(f"{pages} pages read in {seconds:.1f} CPU s ({seconds / max(pages, 1):.1f} s/page), "
          f"{time.perf_counter() - started:.0f} s wall")  # fmt: skip
    print(f"worker peak RSS {hwm / 1024:.0f} MiB, peak address space {peak / 1024:.0f} MiB; "
          f"RLIMIT_AS {limits.memory_bytes // 2**20} MiB: "
          f"{'within' if peak * 1024 <= limits.memory_bytes else 'OVER'}")  # fmt: skip
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"(ru_maxrss of the worker processes: {maxrss / 1024:.0f} MiB)")


RENDER_DPI_DEFAULT = ocr_pages.DPI


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", action="store_true", help="only the worker memory (fresh)")
    if parser.parse_args().memory:
        worker_memory()
        return
    print(f"OCR bench: default engine {ocr_mod.DEFAULT_ENGINE}, render {ocr_pages.DPI} dpi")
    pages = pages_to_read()
    results = compare_engines(pages)
    scanner = Scanner.from_dirs(default_rules_dir())
    with tempfile.TemporaryDirectory() as folder:
        recall(Path(folder), scanner)
    thresholds(results)
    # NOTE: in a fresh process, so the worker does not inherit this one's engines and pages.
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--memory"], check=False)


if __name__ == "__main__":
    main()
