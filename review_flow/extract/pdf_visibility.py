"""Which text on a PDF page no reader sees, judged from pdfium's page objects and annotations.

Reads one loaded page through pdfium's raw API; opens no document and changes nothing. A text
object is hidden when it is drawn invisibly (render mode 3/7), fully transparent, in the colour
of what lies under it (white on the paper), in a font under 1 pt, cut away by its clipping path,
on an optional-content layer switched off, or under an opaque box drawn after it; a character is
hidden when it lies outside the page or under an opaque annotation. pdf.py labels the characters
of hidden objects `invisible`.
"""

from __future__ import annotations

import codecs
import ctypes
import math
from collections import Counter
from typing import Any

import pypdfium2.raw as pdfium_c

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
_NEAR = 24  # per RGB channel: text this close to its background cannot be told from it
_WHITE = (255, 255, 255)  # the paper, where nothing is drawn under the text
_MAX_FORM_DEPTH = 8
_MIN_BOX = 3.0  # points; narrower boxes are rules and borders, too thin to hide a glyph
_TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
_STROKE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_STROKE, pdfium_c.FPDF_TEXTRENDERMODE_STROKE_CLIP)
# Annotations a reader sees through (markup drawn with blending, icons, links, popups).
_SEE_THROUGH = {
    pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_HIGHLIGHT,
    pdfium_c.FPDF_ANNOT_UNDERLINE, pdfium_c.FPDF_ANNOT_SQUIGGLY, pdfium_c.FPDF_ANNOT_STRIKEOUT,
    pdfium_c.FPDF_ANNOT_TEXT, pdfium_c.FPDF_ANNOT_FILEATTACHMENT, pdfium_c.FPDF_ANNOT_INK,
}  # fmt: skip
_NOT_SHOWN = pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW
_NO_BOX = (0.0, 0.0, 0.0, 0.0)
# NOTE: bound once: these run for every text object, and a module attribute costs a lookup.
_fill_colour = pdfium_c.FPDFPageObj_GetFillColor
_stroke_colour = pdfium_c.FPDFPageObj_GetStrokeColor
_render_mode = pdfium_c.FPDFTextObj_GetTextRenderMode
_get_bounds = pdfium_c.FPDFPageObj_GetBounds
_get_clip = pdfium_c.FPDFPageObj_GetClipPath
_count_clip_paths = pdfium_c.FPDFClipPath_CountPaths
_clip_segment = pdfium_c.FPDFClipPath_GetPathSegment

Box = tuple[float, float, float, float]  # left, bottom, right, top in page space
Colour = tuple[int, int, int]


def address(handle: Any) -> int:
    """A pdfium handle as a number, to compare handles got from different calls.

    NOTE: read through the pointer's own buffer: ~4x faster than ctypes.cast, and this runs
    for every text object and character.
    """
    return _pointer_value(handle).value or 0


_pointer_value = ctypes.c_void_p.from_buffer


def _bounds(obj: Any) -> Box:
    # NOTE: four calls, not a generator of four: ~2x faster, and this runs per page object
    c_float = ctypes.c_float
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return (0.0, 0.0, 0.0, 0.0)
    return left.value, bottom.value, right.value, top.value


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
        self.image_share = _cover_share(self.image_boxes, bbox)
        self.annotation_boxes = opaque_annotations(page)

    def forget_invisible(self) -> None:
        """Treat text painted invisibly as seen (an OCR layer over a scan).

        NOTE: OCR software writes its layer in render mode 3, or in white or transparent
        paint drawn before the page image: either way it is the scan's own text.
        """
        self.hidden = {k: v for k, v in self.hidden.items() if v not in _OCR_LAYER}

    def walk(self, objects: list[Any], depth: int) -> bool:
        """Record hidden text in one container; True if it holds an image."""
        texts = _TextIndex()
        under = _Backdrop()
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
                filled, colour = _filled_box(obj)
                if filled and colour:
                    under.add(filled, colour)
                    if texts and _is_hiding_colour(colour):
                        for text in texts.under(filled):
                            self.hidden.setdefault(address(text), COVERED)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                has_image = True
                under.add(_bounds(obj), None)
                if depth == 0:
                    self.image_boxes.append(_bounds(obj))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                children = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count)]
                if self.walk(children, depth + 1):
                    has_image = True
                    under.add(_bounds(obj), None)
                    if depth == 0:
                        self.image_boxes.append(_bounds(obj))
        return has_image

    def text_reason(self, obj: Any, under: _Backdrop) -> tuple[str, Box]:
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
            key = _pointer_value(_clip_segment(clip, index, 0)).value
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


def _text_box(obj: Any, bounds: Box | None = None) -> Box:
    left, bottom, right, top = bounds or _bounds(obj)
    if top - bottom < 1:  # fonts that are not embedded report a zero-height box
        top = bottom + 0.7 * max(_font_size(obj), 1.0)
    return left, bottom, right, top


# -- boxes drawn under and over the text ---------------------------------------------------------
class _Backdrop:
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


def _filled_box(obj: Any) -> tuple[Box | None, Colour | None]:
    """The bounds and colour of an opaque filled rectangle at least _MIN_BOX across.

    NOTE: most paths in a table are its rules, thin filled black boxes: the size is checked
    before the colour and the segments, which take more pdfium calls.
    """
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or fill.value == 0:
        return None, None
    box = _bounds(obj)
    if min(box[2] - box[0], box[3] - box[1]) < _MIN_BOX:
        return None, None
    c_uint = ctypes.c_uint
    r, g, b, a = c_uint(), c_uint(), c_uint(), c_uint()
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a) or a.value < 250:
        return None, None
    if not 0 < pdfium_c.FPDFPath_CountSegments(obj) <= 6:  # a rectangle, not a seal's outline
        return None, None
    return box, (r.value, g.value, b.value)


def _is_hiding_colour(rgb: Colour) -> bool:
    """A black or white box over text: a redaction that did not remove, or a white-out.

    NOTE: coloured fills are left out on purpose: a red seal drawn over the date is meant to
    be seen through, and highlight boxes are drawn after the text they mark.
    """
    return max(rgb) <= 64 or min(rgb) >= 240


class _TextIndex:
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


def _cover_share(boxes: list[Box], page: Box) -> float:
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
                and _filled_box(obj)[0] is not None
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
