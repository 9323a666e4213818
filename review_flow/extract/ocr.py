"""OCR engines behind one small interface, the page-image cache, and the judgement of a reading.

Owns: which engine reads (RapidOCR by default, Tesseract as the alternative), lines in reading
order with their confidence, and whether a reading is good enough to stand without a person.
Must not: render pages or walk documents (ocr_pages.py does), or import an engine before one is
asked for: without the `ocr` extra, `default_engine()` says why and pages stay unreadable.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

ENGINE_ENV = "REVIEW_FLOW_OCR_ENGINE"  # rapidocr (default) | tesseract | off
CACHE_ENV = "REVIEW_FLOW_OCR_CACHE"  # a directory, or "off"
EXTRA_HINT = "install the OCR extra (pip install 'review-flow[ocr]') to read it by OCR"
# NOTE: measured by bench/ocr.py: good pages (the planted 公文 page and three real 公文 pages
# at 150-300 dpi, a page faxed at 60 dpi and blurred) read at 0.977-0.999; handwriting-like
# strokes read at 0.48, rings of stamps at 0.59, a photo reads nothing.
MIN_CONFIDENCE = 0.80
# NOTE: characters read per square inch of ink, measured the same way: typed 公文 pages give
# 81-187; handwriting-like strokes 5.4, stamps 5.2. The threshold stands between them with a
# margin of ~4x each way. Pages with less than MIN_INK of ink are not judged by density.
MIN_CHARS_PER_INK = 20.0
MIN_INK = 0.5  # square inches
MIN_READ_INK = 0.01  # less ink than a few characters: the engine is not asked
DARK = 128  # grey level under which a pixel counts as ink


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line (or table cell) an engine read: its text, confidence 0..1 and pixel box."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, right, bottom

    @property
    def middle(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True, slots=True)
class Reading:
    """What an engine read from one image, rows in reading order (cells left to right)."""

    engine: str
    rows: tuple[tuple[OcrLine, ...], ...]
    ink: float  # square inches of ink on the image

    @property
    def characters(self) -> int:
        return sum(len(line.text.strip()) for row in self.rows for line in row)

    @property
    def confidence(self) -> float:
        """Mean confidence weighted by characters (0 when nothing was read)."""
        total = self.characters
        if not total:
            return 0.0
        weighted = sum(len(ln.text.strip()) * ln.confidence for row in self.rows for ln in row)
        return weighted / total

    def doubt(self) -> str:
        """Why a person must still read this image ("" when the reading can stand)."""
        if not self.characters:
            if self.ink < MIN_READ_INK:
                return "blank or too faint for OCR (no ink)"
            return f"OCR ({self.engine}) read no text"
        if self.confidence < MIN_CONFIDENCE:
            return (
                f"OCR confidence {self.confidence:.2f} is under {MIN_CONFIDENCE:.2f}: "
                "a person must read it"
            )
        density = self.characters / self.ink if self.ink >= MIN_INK else MIN_CHARS_PER_INK
        if density < MIN_CHARS_PER_INK:
            return (
                f"OCR read {self.characters} characters for {self.ink:.1f} sq in of ink "
                f"(sparse, under {MIN_CHARS_PER_INK:.0f}/sq in): a person must read it"
            )
        return ""


class Engine(Protocol):
    """An OCR engine: `name` includes its version (it is part of the cache key)."""

    name: str

    def read(self, image: Image.Image, dpi: int) -> list[OcrLine]: ...


DETECT_SIDE = 1280  # PaddleOCR's own default is 960; 1280 keeps 10 pt digits on A4 apart


class EngineError(Exception):
    """An engine failed on one image (its own error, or out of memory): that page is doubted."""


class RapidEngine:
    """RapidOCR on onnxruntime: PP-OCRv4 Chinese models shipped inside the wheel, one thread.

    NOTE: `text_score=0` keeps every line the recogniser returns, so low confidence is seen
    and judged here instead of silently dropped (the library's default drops under 0.5).
    """

    def __init__(self) -> None:
        from importlib.metadata import version
        from importlib.util import find_spec

        # NOTE: found, not imported: OpenCV and onnxruntime load with the models, at the first
        # page not in the cache (~100 MiB a process that only reads cached pages never pays).
        if find_spec("rapidocr_onnxruntime") is None:
            raise ImportError("rapidocr_onnxruntime is not installed")
        self.name = f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}"
        self._ocr: Any = None  # NOTE: the models load at the first page not in the cache

    @staticmethod
    def _load() -> Any:
        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        # NOTE: one intra- and inter-op thread: the sandbox runs one worker per core. Lines are
        # read from the full-size page (by default a page over 2000 px is shrunk first, which
        # wastes a 300 dpi scan), but found on the page shrunk to DETECT_SIDE px: the library
        # would find them at up to 2000 px, which took 735 MiB of memory for an A4 page
        # against ~520 MiB, and ~1.4x the time (bench/ocr.py measures the worker).
        ocr = RapidOCR(
            intra_op_num_threads=1, inter_op_num_threads=1, text_score=0.0, max_side_len=4000
        )
        detector = ocr.text_det
        detector.get_preprocess = lambda longest: DetPreProcess(
            DETECT_SIDE, "max", detector.mean, detector.std
        )
        return ocr

    def read(self, image: Image.Image, dpi: int) -> list[OcrLine]:
        import numpy as np

        try:
            if self._ocr is None:
                self._ocr = self._load()
            found, _ = self._ocr(np.asarray(image.convert("RGB")))
        except MemoryError:
            raise EngineError("out of memory") from None
        except Exception as exc:  # NOTE: onnxruntime and OpenCV raise their own types
            raise EngineError(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
        lines = []
        for box, text, score in found or ():
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            edges = (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))
            lines.append(OcrLine(tidy(str(text)), round(float(score), 4), edges))
        return lines


class TesseractEngine:
    """The `tesseract` binary with `chi_sim`, TSV output grouped into lines, one thread."""

    def __init__(self) -> None:
        binary = shutil.which("tesseract")
        if binary is None:
            raise RuntimeError("the tesseract program is not installed")
        self.binary = binary
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
        self.name = (out.stdout or out.stderr).splitlines()[0].strip() + " chi_sim"

    def read(self, image: Image.Image, dpi: int) -> list[OcrLine]:
        png = io.BytesIO()
        image.save(png, format="PNG")
        env = {"PATH": os.environ.get("PATH", ""), "OMP_THREAD_LIMIT": "1"}
        out = subprocess.run(
            [self.binary, "stdin", "stdout", "-l", "chi_sim", "--dpi", str(dpi), "tsv"],
            input=png.getvalue(), capture_output=True, env=env, check=False,
        )  # fmt: skip
        if out.returncode:
            raise EngineError(f"tesseract failed: {out.stderr.decode(errors='replace')[:200]}")
        return _tsv_lines(out.stdout.decode("utf-8", errors="replace"))


def _tsv_lines(tsv: str) -> list[OcrLine]:
    """Tesseract's words grouped by (block, paragraph, line); confidence 0..100 → 0..1.

    NOTE: chi_sim returns each Han character or word as a "word": they are joined without
    spaces, and a space is kept only between two Latin/digit words.
    """
    groups: dict[tuple[str, str, str], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words = groups.setdefault((cols[2], cols[3], cols[4]), [])
        words.append(
            (cols[11].strip(), float(cols[10]) / 100, (left, top, left + width, top + height))
        )
    lines = []
    for words in groups.values():
        text = ""
        for word, _, _ in words:
            if text and text[-1].isascii() and text[-1].isalnum() and word[0].isascii():
                text += " "
            text += word
        confidence = sum(len(w) * c for w, c, _ in words) / sum(len(w) for w, _, _ in words)
        boxes = [b for _, _, b in words]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
               max(b[2] for b in boxes), max(b[3] for b in boxes))  # fmt: skip
        lines.append(OcrLine(tidy(text), round(confidence, 4), box))
    return lines


# A year in brackets before a number and 号: the 〔〕 of a 发文字号, which engines read as
# square, full-width square, lenticular or round brackets in any mix.
_DOC_NUMBER_YEAR = re.compile(
    r"[\[［【(（〔]\s*((?:19|20)[0-9]{2})\s*[\]］】)）〕]\s*(?=[0-9]{1,4}\s*号)"  # noqa: RUF001
)


def tidy(text: str) -> str:
    """Undo what engines reliably get wrong in 公文: the brackets of a 发文字号's year."""
    return _DOC_NUMBER_YEAR.sub(r"〔\1〕", text)


ENGINES: dict[str, Callable[[], Engine]] = {"rapidocr": RapidEngine, "tesseract": TesseractEngine}
DEFAULT_ENGINE = "rapidocr"


@functools.cache
def default_engine() -> Engine | str:
    """The engine this process reads with (one per worker), or why there is none."""
    name = os.environ.get(ENGINE_ENV, DEFAULT_ENGINE).strip().lower()
    if name == "off":
        return f"OCR is switched off ({ENGINE_ENV}=off)"
    if name not in ENGINES:
        return f"unknown OCR engine {name!r} in {ENGINE_ENV} (rapidocr, tesseract or off)"
    try:
        engine: Engine = ENGINES[name]()
    except ImportError:
        return f"the OCR engine is not installed: {EXTRA_HINT}"
    except (RuntimeError, OSError) as exc:
        return f"the OCR engine {name} cannot start ({exc})"
    log.info("OCR engine: %s", engine.name)
    return engine


def reading_order(lines: list[OcrLine]) -> tuple[tuple[OcrLine, ...], ...]:
    """Lines grouped into rows by position (a box whose middle lies within the row's height
    joins it), rows top to bottom, each row left to right: a table row reads as one line."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1], ln.box[0])):
        row = rows[-1] if rows else None
        if row is not None and row[0].box[1] <= line.middle <= row[0].box[3]:
            row.append(line)
        else:
            rows.append([line])
    return tuple(tuple(sorted(row, key=lambda ln: ln.box[0])) for row in rows)


def ink_area(image: Image.Image, dpi: int) -> float:
    """Square inches of dark pixels (the ink a reader sees) on a greyscale image."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:DARK]) / (dpi * dpi)


class Cache:
    """Readings stored by key under the user's cache dir; safe under concurrent workers
    (each entry is written to a temporary file in the same folder, then renamed)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def from_env(cls) -> Cache:
        configured = os.environ.get(CACHE_ENV, "")
        if configured.lower() == "off":
            return cls(None)
        if configured:
            return cls(Path(configured))
        import platformdirs

        return cls(Path(platformdirs.user_cache_dir("review-flow")) / "ocr")

    def get(self, key: str) -> list[OcrLine] | None:
        if self.folder is None:
            return None
        try:
            raw = json.loads((self.folder / key[:2] / f"{key}.json").read_text("utf-8"))
            return [OcrLine(t, float(c), (b[0], b[1], b[2], b[3])) for t, c, b in raw["lines"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.info("OCR cache entry %s unreadable (%s): read again", key[:12], type(exc).__name__)
            return None

    def put(self, key: str, lines: list[OcrLine]) -> None:
        if self.folder is None:
            return
        folder = self.folder / key[:2]
        data = json.dumps({"lines": [[ln.text, ln.confidence, ln.box] for ln in lines]},
                          ensure_ascii=False)  # fmt: skip
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(data)
            os.replace(temp, folder / f"{key}.json")
        except OSError as exc:  # a read-only or full disk costs a second OCR, nothing more
            log.info("OCR cache not written (%s)", exc.strerror)


def image_key(image: Image.Image, dpi: int, engine: str) -> str:
    """sha256 of the pixels, their size and mode, the dpi and the engine with its version."""
    digest = hashlib.sha256(f"{engine}\x1f{dpi}\x1f{image.mode}\x1f{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def read(image: Image.Image, dpi: int, engine: Engine, cache: Cache) -> Reading:
    """OCR one image (or take the cached reading of the same pixels by the same engine)."""
    ink = ink_area(image, dpi)
    if ink < MIN_READ_INK:
        return Reading(engine.name, (), ink)
    key = image_key(image, dpi, engine.name)
    lines = cache.get(key)
    if lines is None:
        lines = [ln for ln in engine.read(image, dpi) if ln.text.strip()]
        cache.put(key, lines)
    return Reading(engine.name, reading_order(lines), ink)


def grant_cpu(seconds: int) -> None:
    """Raise this process's CPU-time limit by `seconds` when one is set (a sandbox worker).

    NOTE: the sandbox gives each file `cpu_seconds`; OCR is granted its time page by page,
    within the file's OCR budget (ocr_pages.py), and the sandbox resets the limit after.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY:
        return
    raised = soft + seconds
    if hard != resource.RLIM_INFINITY:
        raised = min(raised, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (raised, hard))


def cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # tesseract runs as a child
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
