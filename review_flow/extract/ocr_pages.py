"""Scanned PDF pages and pictures → OCR text in a file's TextBuilder, within its OCR budget.

Owns rendering (pypdfium2, at DPI) and decoding (Pillow, bounded), the budget of pages and CPU
time per file, and how a reading lands in the text: one segment `Where.OCR` per line or table
cell, rows top to bottom, cells left to right. Whether a reading can stand is ocr.py's call.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from review_flow.extract.limits import Limits
from review_flow.extract.model import OcrText, TextBuilder, Where

if TYPE_CHECKING:
    from PIL import Image

    from review_flow.extract import ocr

log = logging.getLogger(__name__)

# NOTE: chosen from bench/ocr.py: the default engine finds lines on a page shrunk to a fixed
# size, so its time hardly changes with the resolution (3.8-4.3 s a page at 150-300 dpi), and
# it reads the crops best at 300 dpi, as Tesseract does (see README "Scanned pages").
DPI = 300
PICTURE_DPI = 150  # assumed for a picture whose size on the page is unknown


@dataclass
class OcrSession:
    """OCR for one file: adds what it reads to `out` and keeps each reading's confidence."""

    limits: Limits
    out: TextBuilder
    cache: ocr.Cache | None = None  # from the environment, when the first image is read
    texts: list[OcrText] = field(default_factory=list)
    done: int = 0
    spent: float = 0.0

    def refusal(self) -> str:
        """Why the next page or picture is not read ("" when it can be)."""
        from review_flow.extract import ocr  # NOTE: lazily: only when a picture is read

        engine = ocr.default_engine()
        if isinstance(engine, str):
            return engine
        if self.done >= self.limits.max_ocr_pages:
            return f"over the OCR limit of {self.limits.max_ocr_pages} pages and pictures a file"
        if self.spent >= self.limits.ocr_cpu_seconds:
            return f"the file's OCR time ({self.limits.ocr_cpu_seconds} s of CPU) is used up"
        return ""

    def read_page(self, page: Any, number: int) -> str:
        """OCR one pypdfium2 page; returns why a person must still read it ("" if not)."""
        why = self.refusal()
        if why:
            return why
        width, height = page.get_size()
        dpi = DPI
        while width * height * (dpi / 72) ** 2 > self.limits.max_ocr_pixels and dpi > 72:
            dpi -= 25  # a poster-size page is read at a lower resolution, not refused
        # NOTE: the page's own text (a scanner app's watermark, a stamp's caption) is already
        # extracted: it is taken off before rendering, so OCR reads only the scanned image.
        import pypdfium2.raw as pdfium_c

        for obj in list(page.get_objects(max_depth=1)):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
                page.remove_obj(obj)
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        return self.read_image(image, dpi, f"page {number}", number, Where.PAGE)

    def read_picture(self, data: bytes, name: str, width_cm: float | None) -> str:
        """OCR one picture's bytes; returns why a person must still read it ("" if not)."""
        why = self.refusal()
        if why:
            return why
        image = decode(data, self.limits)
        if isinstance(image, str):
            return image
        dpi = PICTURE_DPI
        if width_cm:
            dpi = max(72, min(600, round(image.size[0] / (width_cm / 2.54))))
        return self.read_image(image, dpi, f"image {name}", None, Where.BODY)

    def read_image(
        self, image: Image.Image, dpi: int, part: str, page: int | None, container: Where
    ) -> str:
        from review_flow.extract import ocr  # NOTE: lazily: only when a picture is read

        engine = ocr.default_engine()
        assert not isinstance(engine, str)
        before = ocr.cpu_used()
        ocr.grant_cpu(self.limits.ocr_page_cpu_seconds)
        if self.cache is None:
            self.cache = ocr.Cache.from_env()
        try:
            reading = ocr.read(image, dpi, engine, self.cache)
        except ocr.EngineError as exc:
            log.warning("OCR failed on %s: %s", part, exc)
            return f"OCR failed ({exc})"
        finally:
            self.spent += ocr.cpu_used() - before
            self.done += 1
        doubt = reading.doubt()
        self.add(reading, part, page, container, doubt)
        return doubt

    def add(
        self, reading: ocr.Reading, part: str, page: int | None, container: Where, doubt: str
    ) -> None:
        lines: list[tuple[int, int, float]] = []
        for row in reading.rows:
            for line in row:
                self.out.add(line.text.strip(), Where.OCR, container, part=part, page=page)
                segment = self.out.segments[-1]
                lines.append((segment.start, segment.end, line.confidence))
                self.out.separate("\t")
            self.out.separate("\n")
        self.out.separate("\n")
        self.texts.append(
            OcrText(part, reading.engine, round(reading.confidence, 4), tuple(lines), page, doubt)
        )


def decode(data: bytes, limits: Limits) -> Image.Image | str:
    """A picture as a greyscale image, or why it was not decoded (too big, not an image)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size  # read from the header: nothing is decoded yet
        if width * height > limits.max_ocr_pixels:
            return f"picture of {width}×{height} pixels is over the OCR limit"
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            # NOTE: transparent pixels are black underneath: put the picture on white paper
            paper = Image.new("RGBA", image.size, "white")
            return Image.alpha_composite(paper, image.convert("RGBA")).convert("L")
        return image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        return f"picture could not be decoded ({type(exc).__name__})"
