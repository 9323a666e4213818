"""What is drawn under and over a PDF page's text: opaque boxes, backdrops, opaque annotations.

pdf_visibility.py asks these whether text lies on its own colour or under something opaque;
everything here reads page objects through pdfium's raw API and changes nothing.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]  # left, bottom, right, top in page space
Colour = tuple[int, int, int]

_NEAR = 24  # per RGB channel: text this close to its background cannot be told from it
_WHITE = (255, 255, 255)  # the paper, where nothing is drawn under the text
_MIN_BOX = 3.0  # points; narrower boxes are rules and borders, too thin to hide a glyph
# Annotations a reader sees through (markup drawn with blending, icons, links, popups).
_SEE_THROUGH = {
    pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_HIGHLIGHT,
    pdfium_c.FPDF_ANNOT_UNDERLINE, pdfium_c.FPDF_ANNOT_SQUIGGLY, pdfium_c.FPDF_ANNOT_STRIKEOUT,
    pdfium_c.FPDF_ANNOT_TEXT, pdfium_c.FPDF_ANNOT_FILEATTACHMENT, pdfium_c.FPDF_ANNOT_INK,
}  # fmt: skip
_NOT_SHOWN = pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW

pointer_value = ctypes.c_void_p.from_buffer


def address(handle: Any) -> int:
    """A pdfium handle as a number, to compare handles got from different calls.

    NOTE: read through the pointer's own buffer: ~4x faster than ctypes.cast, and this runs
    for every text object and character.
    """
    return pointer_value(handle).value or 0


def bounds(obj: Any) -> Box:
    """A page object's bounds in its container's space (zeros when pdfium cannot say)."""
    # NOTE: four calls, not a generator of four: ~2x faster, and this runs per page object
    c_float = ctypes.c_float
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return (0.0, 0.0, 0.0, 0.0)
    return left.value, bottom.value, right.value, top.value


# -- boxes drawn under and over the text ----------------------------------------------------------
class Backdrop:
    """The opaque boxes and images drawn so far in one container, to tell what text lies on.

    NOTE: only text whose colour is close to white or to a box colour seen so far is looked up,
    so the common black text on a page of white cell fills costs one set lookup.
    """

    def __init__(self) -> None:
        self.boxes: list[tuple[Box, Colour | None]] = []
        self.colours: set[Colour] = {_WHITE}
        self.suspect: dict[Colour, bool] = {}  # text colour → close to a colour seen so far

    def add(self, box: Box, colour: Colour | None) -> None:
        self.boxes.append((box, colour))
        if colour is not None and colour not in self.colours:
            self.colours.add(colour)
            self.suspect.clear()

    def hides(self, colour: Colour, text: Box) -> bool:
        suspect = self.suspect.get(colour)
        if suspect is None:
            suspect = self.suspect[colour] = any(_near(colour, seen) for seen in self.colours)
        if not suspect:
            return False
        x, y = (text[0] + text[2]) / 2, (text[1] + text[3]) / 2
        for (left, bottom, right, top), under in reversed(self.boxes):
            if left <= x <= right and bottom <= y <= top:
                return under is not None and _near(colour, under)
        return _near(colour, _WHITE)


def _near(one: Colour, other: Colour) -> bool:
    return (
        abs(one[0] - other[0]) <= _NEAR
        and abs(one[1] - other[1]) <= _NEAR
        and abs(one[2] - other[2]) <= _NEAR
    )


def filled_box(obj: Any) -> tuple[Box | None, Colour | None]:
    """The bounds and colour of an opaque filled rectangle at least _MIN_BOX across.

    NOTE: most paths in a table are its rules, thin filled black boxes: the size is checked
    before the colour and the segments, which take more pdfium calls.
    """
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or fill.value == 0:
        return None, None
    box = bounds(obj)
    if min(box[2] - box[0], box[3] - box[1]) < _MIN_BOX:
        return None, None
    c_uint = ctypes.c_uint
    r, g, b, a = c_uint(), c_uint(), c_uint(), c_uint()
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a) or a.value < 250:
        return None, None
    if not 0 < pdfium_c.FPDFPath_CountSegments(obj) <= 6:  # a rectangle, not a seal's outline
        return None, None
    return box, (r.value, g.value, b.value)


def is_hiding_colour(rgb: Colour) -> bool:
    """A black or white box over text: a redaction that did not remove, or a white-out.

    NOTE: coloured fills are left out on purpose: a red seal drawn over the date is meant to
    be seen through, and highlight boxes are drawn after the text they mark.
    """
    return max(rgb) <= 64 or min(rgb) >= 240


class TextIndex:
    """The visible text objects of one container so far, binned by the height of their middle.

    NOTE: LibreOffice and WPS draw hundreds of white or black boxes after text (line
    backgrounds, cell fills); a box hides text only if it spans the text's middle, so each box
    is compared only with text whose middle lies in the bands it spans.
    """

    BAND = 8.0
    LIMIT = 20000.0  # clamps absurd coordinates so a band range stays short

    def __init__(self) -> None:
        self.pending: list[tuple[Any, Box]] = []  # text objects and their boxes, not yet binned
        self.bands: dict[int, list[tuple[Any, Box]]] = {}

    def __bool__(self) -> bool:
        return bool(self.pending or self.bands)

    def under(self, box: Box) -> list[Any]:
        for obj, text in self.pending:
            middle = (text[1] + text[3]) / 2
            for band in self.band_range(middle, middle):
                self.bands.setdefault(band, []).append((obj, text))
        self.pending.clear()
        return [
            obj
            for band in self.band_range(box[1], box[3])
            for obj, text in self.bands.get(band, ())
            if _covers(box, text)
        ]

    def band_range(self, bottom: float, top: float) -> range:
        low, high = max(bottom, -self.LIMIT), min(top, self.LIMIT)
        if not (math.isfinite(low) and math.isfinite(high)):
            return range(0)
        return range(int(low // self.BAND), int(high // self.BAND) + 1)


def _covers(box: Box, text: Box) -> bool:
    """The box hides most of the text: half its width, and its body top to bottom."""
    width, height = text[2] - text[0], text[3] - text[1]
    overlap = min(box[2], text[2]) - max(box[0], text[0])
    if overlap < max(width, 0.1) / 2:
        return False
    return box[1] <= text[1] + 0.25 * height and box[3] >= text[3] - 0.25 * height


def cover_share(boxes: list[Box], page: Box) -> float:
    """Share of the page area under the boxes (overlaps counted twice, capped at 1)."""
    area = (page[2] - page[0]) * (page[3] - page[1])
    if area <= 0:
        return 0.0
    covered = 0.0
    for left, bottom, right, top in boxes:
        width = min(right, page[2]) - max(left, page[0])
        height = min(top, page[3]) - max(bottom, page[1])
        covered += max(width, 0.0) * max(height, 0.0)
    return min(covered / area, 1.0)


def opaque_annotations(page: Any) -> list[Box]:
    """The rectangles of shown annotations whose appearance paints an opaque filled box.

    NOTE: a white Square or FreeText annotation laid over a line hides it from every reader
    while the line stays in the page's text; highlights and icons are seen through.
    """
    boxes: list[Box] = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, index)
        if not annot:
            continue
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) in _SEE_THROUGH or (
                pdfium_c.FPDFAnnot_GetFlags(annot) & _NOT_SHOWN
            ):
                continue
            count = pdfium_c.FPDFAnnot_GetObjectCount(annot)
            objects = [pdfium_c.FPDFAnnot_GetObject(annot, i) for i in range(max(count, 0))]
            if not any(
                pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_PATH
                and filled_box(obj)[0] is not None
                for obj in objects
            ):
                continue
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                boxes.append((rect.left, min(rect.bottom, rect.top), rect.right,
                              max(rect.bottom, rect.top)))  # fmt: skip
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return boxes
