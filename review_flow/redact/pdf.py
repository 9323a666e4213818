"""Redacts a PDF in one of two modes (report.PdfMode); never a box drawn over text that stays.

- `glyphs`: each text object carrying a redacted character is removed from the page's
  content stream; a picture of that object's area, rendered with the values painted black,
  takes its place. The rest of the page keeps its text: search and screen readers still work
  there, but not on the lines that carried a value (they are pictures now). The pages go into
  a new file: document information, XMP, bookmarks, attachments and scripts stay behind.
- `image`: every page becomes one picture with the values painted black. Nothing of the text
  layer, links, bookmarks, form fields, metadata or attachments survives: no text search, no
  copy, no accessibility (a screen reader reads nothing), larger files.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw

from review_flow.errors import ExtractionError, RedactionError
from review_flow.extract.limits import Limits, check_pdf_streams
from review_flow.redact.masks import Finder
from review_flow.redact.report import Masked, Options, PdfMode, Redacted, Removal

log = logging.getLogger(__name__)
Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points
PAD = 1.0  # points around each character box, so anti-aliased edges are painted too
DOCUMENT_LEVEL = Removal(
    "document_level", "document", "metadata, XMP, bookmarks, attachments, scripts, revisions"
)


@dataclass(frozen=True, slots=True)
class _PageHits:
    index: int
    boxes: tuple[Box, ...]
    shown: tuple[str, ...]  # masked values, for the report


def redact(data: bytes, path: str, finder: Finder, options: Options, limits: Limits) -> Redacted:
    check_pdf_streams(path, data, limits)
    doc = _open(data, path)
    try:
        if len(doc) > limits.max_pdf_pages:
            raise ExtractionError(path, f"PDF has {len(doc)} pages, over the page limit")
        hits = [h for h in _hits(doc, finder) if h.boxes]
        masked = tuple(Masked(f"page {h.index + 1}", len(h.shown), tuple(dict.fromkeys(h.shown)))
                       for h in hits)  # fmt: skip
        removals: tuple[Removal, ...]
        if options.pdf_mode == PdfMode.IMAGE:
            out = _as_images(doc, {h.index: h.boxes for h in hits}, options.dpi)
            removals = (Removal("text_layer", "all pages", f"{len(doc)} page(s) rendered"),)
        else:
            removals = (*(_remove_glyphs(doc, h, options.dpi) for h in hits), DOCUMENT_LEVEL)
            out = _pages_only(doc)
        return Redacted(out, "pdf", masked, removals)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(path, f"corrupt PDF ({exc})") from exc
    finally:
        doc.close()


def _pages_only(doc: pdfium.PdfDocument) -> bytes:
    """A new file holding the pages alone: no document information (author …), XMP packet,
    bookmarks, attachments, document scripts or earlier revisions come along."""
    fresh = pdfium.PdfDocument.new()
    try:
        fresh.import_pages(doc)
        buffer = io.BytesIO()
        fresh.save(buffer, flags=pdfium_c.FPDF_NO_INCREMENTAL)
        return buffer.getvalue()
    finally:
        fresh.close()


def _open(data: bytes, path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ExtractionError(path, "encrypted PDF: it cannot be redacted") from exc
        raise ExtractionError(path, "corrupt or truncated PDF") from exc


def _hits(doc: pdfium.PdfDocument, finder: Finder) -> Iterator[_PageHits]:
    """The character boxes of every value found on each page."""
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            # NOTE: one character per index (get_text_range may add or merge characters)
            text = "".join(
                chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 0xFFFD) for i in range(count)
            )
            boxes: list[Box] = []
            shown: list[str] = []
            for hit in finder.hits(text):
                shown.append(finder.masked(text, hit))
                for i in range(hit.start, hit.end):
                    left, bottom, right, top = textpage.get_charbox(i)
                    if right > left and top > bottom:
                        boxes.append((left - PAD, bottom - PAD, right + PAD, top + PAD))
            if boxes and page.get_rotation():
                raise RedactionError(
                    f"page {index + 1} is rotated: glyph positions cannot be painted reliably",
                    place=f"page {index + 1}",
                    hint="rotate the pages upright (print to PDF) and redact again",
                )
            yield _PageHits(index, tuple(boxes), tuple(shown))
        finally:
            textpage.close()
            page.close()


def _painted(page: pdfium.PdfPage, boxes: tuple[Box, ...], dpi: int) -> Image.Image:
    """The page rendered, with every box painted black."""
    scale = dpi / 72
    image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
    _, height = page.get_size()
    draw = ImageDraw.Draw(image)
    for left, bottom, right, top in boxes:
        draw.rectangle(
            (left * scale, (height - top) * scale, right * scale, (height - bottom) * scale),
            fill="black",
        )
    return image


def _as_images(doc: pdfium.PdfDocument, boxes: dict[int, tuple[Box, ...]], dpi: int) -> bytes:
    pictures = []
    for index in range(len(doc)):
        page = doc[index]
        try:
            pictures.append(_painted(page, boxes.get(index, ()), dpi))
        finally:
            page.close()
    out = io.BytesIO()
    first, *rest = pictures
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return out.getvalue()


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _remove_glyphs(doc: pdfium.PdfDocument, hits: _PageHits, dpi: int) -> Removal:
    """Remove the text objects carrying a value; put a painted picture of each in its place."""
    page = doc[hits.index]
    try:
        picture = _painted(page, hits.boxes, dpi)
        _, height = page.get_size()
        scale = dpi / 72
        carriers = [
            obj
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=1)
            if any(_overlaps(obj.get_bounds(), box) for box in hits.boxes)
        ]
        for obj in carriers:
            left, bottom, right, top = obj.get_bounds()
            crop = picture.crop((
                int(left * scale), int((height - top) * scale),
                int(right * scale) + 1, int((height - bottom) * scale) + 1,
            ))  # fmt: skip
            page.remove_obj(obj)
            image = pdfium.PdfImage.new(doc)
            image.set_bitmap(pdfium.PdfBitmap.from_pil(crop))
            width, tall = crop.size[0] / scale, crop.size[1] / scale
            image.set_matrix(pdfium.PdfMatrix(width, 0, 0, tall, left, top - tall))
            page.insert_obj(image)
        page.gen_content()
        return Removal(
            "glyphs", f"page {hits.index + 1}", f"{len(carriers)} text object(s) now pictures"
        )
    finally:
        page.close()
