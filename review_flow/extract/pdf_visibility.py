"""Which text on a PDF page no reader sees, judged from pdfium's page objects and annotations.

Reads one loaded page through pdfium's raw API; opens no document and changes nothing. A text
object is hidden when it is drawn invisibly (render mode 3/7), fully transparent, in the colour
of what lies under it (white on the paper), in a font under 1 pt, cut away by its clipping path,
on an optional-content layer switched off, or under an opaque box drawn after it; a character is
hidden when it lies outside the page or under an opaque annotation. pdf.py labels the characters
of hidden objects `invisible`; the boxes drawn under and over text are pdf_cover.py's.
"""

from __future__ import annotations

import codecs
import ctypes
import math
from collections import Counter
from typing import Any

import pypdfium2.raw as pdfium_c

from review_flow.extract.pdf_cover import (
    Backdrop,
    Box,
    TextIndex,
    address,
    bounds,
    cover_share,
    filled_box,
    is_hiding_colour,
    opaque_annotations,
    pointer_value,
)

RENDER_INVISIBLE = "drawn invisibly (text render mode 3/7)"
COVERED = "under an opaque filled box drawn after it"
TRANSPARENT = "drawn fully transparent"
SAME_COLOUR = "in the colour of what lies under it (e.g. white on white)"
TINY = "in a font under 1 pt"
CLIPPED = "cut away by a clipping path"
LAYER_OFF = "on an optional-content layer that is switched off"
OFF_PAGE = "outside the visible page area"
UNDER_ANNOTATION = "under an opaque annotation"
_OCR_LAYER = (RENDER_INVISIBLE, TRANSPARENT, SAME_COLOUR)
BOX_NOTE = "hidden text lies within"  # the page box around a page's hidden characters

MIN_FONT_SIZE = 1.0  # points, after the text and page matrices
_MIN_ALPHA = 13  # of 255: a fill this transparent shows nothing
_MAX_FORM_DEPTH = 8
_TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
_STROKE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_STROKE, pdfium_c.FPDF_TEXTRENDERMODE_STROKE_CLIP)
_NO_BOX = (0.0, 0.0, 0.0, 0.0)
# NOTE: bound once: these run for every text object, and a module attribute costs a lookup.
_fill_colour = pdfium_c.FPDFPageObj_GetFillColor
_stroke_colour = pdfium_c.FPDFPageObj_GetStrokeColor
_render_mode = pdfium_c.FPDFTextObj_GetTextRenderMode
_get_bounds = pdfium_c.FPDFPageObj_GetBounds
_get_clip = pdfium_c.FPDFPageObj_GetClipPath
_count_clip_paths = pdfium_c.FPDFClipPath_CountPaths
_clip_segment = pdfium_c.FPDFClipPath_GetPathSegment


class PageObjects:
    """What a page's objects say about its text: hidden text objects and image cover.

    One pass over the objects in paint order with raw pdfium calls (pypdfium2's helper objects
    cost ~4x more). Text and the boxes over or under it are compared within one container (page
    or form XObject): bounds of objects inside a form are in the form's space. `hidden_layers`
    names the optional-content groups switched off (pdf_actions.hidden_layers).
    """

    def __init__(self, page: Any, bbox: Box, hidden_layers: frozenset[str] = frozenset()) -> None:
        self.hidden: dict[int, str] = {}  # text object address → why no reader sees it
        self.image_boxes: list[Box] = []
        self.has_invisible = False  # any text painted invisibly, as an OCR layer is
        self.text_objects = 0
        self.layers = hidden_layers
        self.clips = _Clips()
        self.floats = [ctypes.c_float() for _ in range(4)]
        self.ints = [ctypes.c_uint() for _ in range(4)]
        get = pdfium_c.FPDFPage_GetObject
        self.walk([get(page, i) for i in range(pdfium_c.FPDFPage_CountObjects(page))], 0)
        self.image_share = cover_share(self.image_boxes, bbox)
        self.annotation_boxes = opaque_annotations(page)

    def forget_invisible(self) -> None:
        """Treat text painted invisibly as seen (an OCR layer over a scan).

        NOTE: OCR software writes its layer in render mode 3, or in white or transparent
        paint drawn before the page image: either way it is the scan's own text.
        """
        self.hidden = {k: v for k, v in self.hidden.items() if v not in _OCR_LAYER}

    def walk(self, objects: list[Any], depth: int) -> bool:
        """Record hidden text in one container; True if it holds an image."""
        texts = TextIndex()
        under = Backdrop()
        has_image = False
        kind_of = pdfium_c.FPDFPageObj_GetType
        for obj in objects:
            kind = kind_of(obj)
            if kind == _TEXT:
                self.text_objects += 1
                reason, box = self.text_reason(obj, under)
                if reason:
                    self.hidden[address(obj)] = reason
                    self.has_invisible = self.has_invisible or reason in _OCR_LAYER
                else:
                    texts.pending.append((obj, box))
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                filled, colour = filled_box(obj)
                if filled and colour:
                    under.add(filled, colour)
                    if texts and is_hiding_colour(colour):
                        for text in texts.under(filled):
                            self.hidden.setdefault(address(text), COVERED)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                has_image = True
                under.add(bounds(obj), None)
                if depth == 0:
                    self.image_boxes.append(bounds(obj))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                children = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count)]
                if self.walk(children, depth + 1):
                    has_image = True
                    under.add(bounds(obj), None)
                    if depth == 0:
                        self.image_boxes.append(bounds(obj))
        return has_image

    def text_reason(self, obj: Any, under: Backdrop) -> tuple[str, Box]:
        """Why no reader sees this text object ("" when it is drawn to be seen), and its box.

        NOTE: this runs for each of the ~10,000 text objects of a long Word page set; the
        checks share preallocated ctypes buffers and read the bounds once.
        """
        mode = _render_mode(obj)
        if mode in _INVISIBLE_MODES:
            return RENDER_INVISIBLE, _NO_BOX
        if self.layers and _layer_names(obj) & self.layers:
            return LAYER_OFF, _NO_BOX
        left, bottom, right, top = self.floats
        _get_bounds(obj, left, bottom, right, top)
        box = (left.value, bottom.value, right.value, top.value)
        # NOTE: a glyph box at least 1 pt both ways cannot come from a font under 1 pt; only
        # thinner boxes (and the zero boxes of fonts that are not embedded) ask for the size.
        if box[2] - box[0] < MIN_FONT_SIZE or box[3] - box[1] < MIN_FONT_SIZE:
            if _font_size(obj) < MIN_FONT_SIZE:
                return TINY, box
            box = _text_box(obj, box)
        if self.clips.hides(obj, box):
            return CLIPPED, box
        red, green, blue, alpha = self.ints
        get = _stroke_colour if mode in _STROKE_MODES else _fill_colour
        if get(obj, red, green, blue, alpha):
            if alpha.value < _MIN_ALPHA:
                return TRANSPARENT, box
            if under.hides((red.value, green.value, blue.value), box):
                return SAME_COLOUR, box
        return "", box


# -- one text object ------------------------------------------------------------------------------
def _font_size(obj: Any) -> float:
    """The size the text is drawn at: its font size scaled by the text and page matrices."""
    size = ctypes.c_float()
    if not pdfium_c.FPDFTextObj_GetFontSize(obj, size):
        return MIN_FONT_SIZE
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
        return size.value
    return size.value * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))


class _Clips:
    """Clipping-path boxes, read once for each path the page's objects share.

    NOTE: Word and WPS give every text object a clip (the page, a table cell); reading its
    points for each of ~10,000 objects was measured at 3x the time of the rest of the page.
    pdfium hands out a path segment as a pointer into the path's shared point data, so objects
    clipped by the same path get the same first-segment handle: that is the key.
    """

    def __init__(self) -> None:
        self.boxes: dict[int | None, Box] = {}

    def hides(self, obj: Any, box: Box) -> bool:
        """The clipping path leaves out the centre of the text object (`box`, its bounds).

        NOTE: only a clip whose box misses the text's centre counts, so text that merely runs
        over a cell edge stays visible.
        """
        clip = _get_clip(obj)
        if not clip:
            return False
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        boxes = self.boxes
        for index in range(_count_clip_paths(clip)):
            key = pointer_value(_clip_segment(clip, index, 0)).value
            found = boxes.get(key)
            if found is None:
                found = boxes[key] = _clip_box(clip, index)
            if not (found[0] <= x <= found[2] and found[1] <= y <= found[3]):
                return True
        return False


def _clip_box(clip: Any, index: int) -> Box:
    """The bounds of one clipping path (everything, when it cannot be read)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    xs, ys = [], []
    for i in range(max(pdfium_c.FPDFClipPath_CountPathSegments(clip, index), 0)):
        segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, index, i)
        if segment and pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            xs.append(x.value)
            ys.append(y.value)
    if not xs:
        return (-math.inf, -math.inf, math.inf, math.inf)
    return min(xs), min(ys), max(xs), max(ys)


def _layer_names(obj: Any) -> set[str]:
    """The /Name of each optional-content group the object is marked with (/OC … BDC)."""
    names: set[str] = set()
    buffer = (ctypes.c_ushort * 256)()
    size = ctypes.c_ulong()
    for index in range(max(pdfium_c.FPDFPageObj_CountMarks(obj), 0)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, index)
        if not mark or not pdfium_c.FPDFPageObjMark_GetName(mark, buffer, 512, size):
            continue
        if _utf16(buffer, size.value) != "OC":
            continue
        if pdfium_c.FPDFPageObjMark_GetParamStringValue(mark, b"Name", buffer, 512, size):
            names.add(_utf16(buffer, size.value))
    return names


def _utf16(buffer: Any, size: int) -> str:
    return ctypes.string_at(buffer, min(size, 512)).decode("utf-16-le", "replace").rstrip("\x00")


def _text_box(obj: Any, known: Box | None = None) -> Box:
    """The object's box; a font that is not embedded gets a body 0.7 of its size high."""
    left, bottom, right, top = known or bounds(obj)
    if top - bottom < 1:  # fonts that are not embedded report a zero-height box
        top = bottom + 0.7 * max(_font_size(obj), 1.0)
    return left, bottom, right, top


# -- per character --------------------------------------------------------------------------------
def hidden_chars(
    textpage: Any, bbox: Box, text: str, layout: PageObjects
) -> tuple[list[bool] | None, tuple[str, ...]]:
    """Flag each character drawn invisibly, under a box, or off the page (None: none are)."""
    off_page = text_inside(textpage, bbox, len(text) + 1) != text  # some text lies outside
    covers = layout.annotation_boxes
    if not (layout.hidden or off_page or covers):
        return None, ()
    marks: list[str] = []
    handle_of = pdfium_c.FPDFText_GetTextObject
    for i in range(len(text)):
        handle = handle_of(textpage, i)
        if not handle:
            marks.append("")  # a generated space or line break: decided by its neighbours
            continue
        reason = layout.hidden.get(address(handle), "")
        if not reason and (off_page or covers):
            centre = _char_centre(textpage, i)
            if off_page and not _inside(centre, bbox):
                reason = OFF_PAGE
            elif any(_inside(centre, box) for box in covers):
                reason = UNDER_ANNOTATION
        marks.append(reason)
    flags = [bool(m) for m in marks]
    for i in range(1, len(marks) - 1):
        if not marks[i] and text[i] not in "\r\n" and flags[i - 1] and flags[i + 1]:
            flags[i] = True
    counts = Counter(m for m in marks if m)
    notes = tuple(f"{n} characters {reason}" for reason, n in counts.items())
    if counts:
        notes += (_box_note(textpage, marks),)
    return (flags if counts else None), notes


def _box_note(textpage: Any, marks: list[str]) -> str:
    """Where on the page the hidden characters lie: the box around them, in points."""
    c_double = ctypes.c_double
    left, right, bottom, top = c_double(), c_double(), c_double(), c_double()
    xs: list[float] = []
    ys: list[float] = []
    for i, mark in enumerate(marks):
        if mark and pdfium_c.FPDFText_GetCharBox(textpage, i, left, right, bottom, top):
            xs += (left.value, right.value)
            ys += (bottom.value, top.value)
    return f"{BOX_NOTE} x {min(xs):.0f}-{max(xs):.0f}, y {min(ys):.0f}-{max(ys):.0f} pt"


def text_inside(textpage: Any, box: Box, room: int) -> str:
    """pdfium's text of the characters inside `box`, read as PdfTextPage.get_text_bounded does.

    NOTE: one call into a buffer of `room` characters, where get_text_bounded makes two (the
    first only to size the buffer): measured ~10 us a page less. Only a text that may not
    have fitted is read again.
    """
    left, bottom, right, top = box
    buffer = (ctypes.c_ushort * room)()
    size = pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, room)
    if size >= room:  # it may not have fitted
        size = pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, None, 0)
        buffer = (ctypes.c_ushort * size)()
        pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, size)
    return codecs.decode(memoryview(buffer)[: max(size, 0)], "utf-16-le", errors="ignore")


def _char_centre(textpage: Any, index: int) -> tuple[float, float]:
    c_double = ctypes.c_double  # NOTE: four calls, not a generator: ~2x faster, run per char
    left, right, bottom, top = c_double(), c_double(), c_double(), c_double()
    pdfium_c.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
    return (left.value + right.value) / 2, (bottom.value + top.value) / 2


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]
