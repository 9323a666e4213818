"""OFD page content (GB/T 33190 `Content.xml`) → text runs placed on the page, and lines.

Owns where each TextCode's characters stand (`@X/@Y`, `DeltaX/DeltaY`, `Boundary`, `CTM`,
through ofd_geometry.py), whether a reader can see them, and the reading order (lines by Y,
then X). It never opens the package: ofd_document.py hands it parsed parts.
NOTE: OFD coordinates are millimetres with Y growing downwards, so the top line has the
smallest Y.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract.model import TextBuilder, Where
from review_flow.extract.ofd_geometry import (
    A4,
    IDENTITY,
    Box,
    Matrix,
    Tags,
    box,
    deltas,
    number,
    numbers,
    placed,
    placer,
    tags_for,
)

MIN_VISIBLE_MM = 0.3528  # 1 pt: below this a glyph is a dot, as for PDF text
WHITE = 250  # a fill whose every component is at least this (of 255) is white
GAP_SPACE = 0.8  # a gap wider than this share of the font size becomes a space
SPLIT_GAP = 1.5  # a gap this wide inside one TextCode starts a new run (table columns)
OPAQUE = 200  # a fill at least this opaque (of 255) hides what it covers
COVERED = "under a filled shape drawn over it"
MAX_DEPTH = 64  # layers, page blocks and composite units inside one another
SAME_LINE = 0.4  # baselines closer than this share of the smaller size share a line
SCAN_IMAGE_SHARE = 0.50  # as for PDF: images over half the page and …
SCAN_MAX_CHARS = 40  # … fewer visible characters than this make a page a scan
# NOTE: producers write CJK with a DeltaX per glyph; without one, a glyph's advance is
# guessed from the size: full width for CJK, half for Latin and digits.
HALF_WIDTH = re.compile(r"[\x00-\u2e7f\uff61-\uff9f]")


@dataclass(frozen=True, slots=True)
class Run:
    """Characters that stand together on one baseline, and what a reader sees of them."""

    x: float
    y: float
    end: float  # x where the last glyph ends (estimated)
    size: float
    text: str
    hidden: str  # why a reader cannot see it ("" when visible)
    where: Where  # PAGE, TEMPLATE, ANNOTATION …
    alone: bool = False  # rotated or vertical text: a line of its own, never inside another


@dataclass(slots=True)
class Layout:
    """What one page (with its templates) or one annotation holds."""

    runs: list[Run] = field(default_factory=list)
    image_area: float = 0.0  # mm² under images
    images: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # hidden reason → characters
    # Opaque filled boxes (left, top, right, bottom on the page), each with the number of
    # runs drawn before it: those runs are under it.
    covers: list[tuple[int, Box]] = field(default_factory=list)

    @property
    def visible_chars(self) -> int:
        return sum(len(r.text.strip()) for r in self.runs if not r.hidden)

    def hide(self, index: int, reason: str) -> None:
        run = self.runs[index]
        self.runs[index] = dataclasses.replace(run, hidden=reason)
        self.reasons[reason] = self.reasons.get(reason, 0) + len(run.text)

    def mark_covered(self) -> None:
        """Text a filled box drawn after it covers is text a reader cannot see (a black box
        over a name: redaction that left the text in the file)."""
        for drawn_before, (left, top, right, bottom) in self.covers:
            for i in range(drawn_before):
                run = self.runs[i]
                x, y = (run.x + run.end) / 2, run.y - run.size / 3  # the glyphs' middle
                if not run.hidden and left <= x <= right and top <= y <= bottom:
                    self.hide(i, COVERED)


@dataclass
class LayoutReader:
    """Places the text objects of content parts on a page.

    `composites`: the content of each CompositeGraphicUnit resource, by ID (a
    CompositeObject draws one).
    """

    page: Box = A4
    composites: dict[str, etree._Element] = field(default_factory=dict)
    path: str = ""  # the file, for an error
    _depth: int = 0

    def read(
        self, parent: etree._Element, where: Where, out: Layout, outer: Matrix = IDENTITY,
        hidden: str = "",
    ) -> None:  # fmt: skip
        """Add the runs and images under `parent` (a Content, Layer, PageBlock, Appearance)."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ExtractionError(
                    self.path, f"page content nested over {MAX_DEPTH} levels deep (hostile?)"
                )
            self._read(parent, where, out, outer, hidden)
        finally:
            self._depth -= 1

    def _read(
        self, parent: etree._Element, where: Where, out: Layout, outer: Matrix, hidden: str
    ) -> None:
        t = tags_for(parent)
        text, image, composite, path, containers = (
            t("TextObject"),
            t("ImageObject"),
            t("CompositeObject"),
            t("PathObject"),
            t.containers,
        )
        for el in parent:
            kind = el.tag
            if kind == text:
                self.text_object(el, t, where, out, outer, hidden)
            elif kind == path:
                cover = _cover(el, t, outer)
                if cover is not None and not hidden:
                    out.covers.append((len(out.runs), cover))
            elif kind == image:
                found = box(el.get("Boundary"))
                if found is not None:
                    out.images += 1
                    out.image_area += abs(found[2] * found[3])
            elif kind == composite:
                self.composite(el, where, out, outer, hidden)
            elif kind in containers:
                self.read(el, where, out, outer, hidden or hidden_unit(el))

    def composite(
        self, el: etree._Element, where: Where, out: Layout, outer: Matrix, hidden: str
    ) -> None:
        unit = self.composites.get(el.get("ResourceID", ""))
        if unit is not None:  # (a unit that draws itself meets MAX_DEPTH)
            self.read(unit, where, out, placed(outer, el), hidden or hidden_unit(el))

    def text_object(
        self, el: etree._Element, t: Tags, where: Where, out: Layout, outer: Matrix,
        hidden: str,
    ) -> None:  # fmt: skip
        ctm = placed(outer, el)
        scale = math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2])) or 1.0
        size = number(el.get("Size"), 3.5)
        reason = hidden or hidden_unit(el) or _hidden_text(el, t("FillColor"), size * scale)
        turned = abs(ctm[1]) > 1e-6 or abs(ctm[2]) > 1e-6  # rotated or sheared text
        place = placer(ctm)
        for code in el.iterchildren(t("TextCode")):
            text = code.text or ""
            if not text:
                continue
            whole = turned or (code.get("DeltaY") is not None and code.get("DeltaX") is None)
            for run_text, x, y, end in _runs(code, text, size, whole):
                px, py = place(x, y)
                pend, _ = place(end, y)
                why = reason or self._off_page(px, py)
                if why:
                    out.reasons[why] = out.reasons.get(why, 0) + len(run_text)
                run = Run(px, py, max(pend, px), size * scale, run_text, why, where, whole)
                out.runs.append(run)

    def _off_page(self, x: float, y: float) -> str:
        left, top, width, height = self.page
        inside = left - 1 <= x <= left + width + 1 and top - 1 <= y <= top + height + 1
        return "" if inside else "outside the page"


def _runs(
    code: etree._Element, text: str, size: float, whole: bool
) -> Iterator[tuple[str, float, float, float]]:
    """(text, x, y, end x) of each run of one TextCode, in its object's own coordinates."""
    x, y = number(code.get("X"), 0.0), number(code.get("Y"), 0.0)
    if whole:  # rotated or vertical text: kept together, at its first glyph
        yield text, x, y, x + _advance(text[-1], size)
        return
    dxs, raw_dy = deltas(code.get("DeltaX"), len(text) - 1), code.get("DeltaY")
    # NOTE: the usual line (every glyph's advance given, none backwards or wide, no DeltaY) is
    # one run: judged with min/max/sum in C instead of a Python step per glyph (~3x faster).
    if (
        raw_dy is None
        and len(dxs) >= len(text) - 1
        and (not dxs or (min(dxs) >= -size * 0.1 and max(dxs) <= size * SPLIT_GAP))
    ):
        yield text, x, y, x + sum(dxs[: len(text) - 1]) + _advance(text[-1], size)
        return
    dys = deltas(raw_dy, len(text) - 1)
    start, run_x, run_y = 0, x, y
    for i in range(1, len(text)):
        step = dxs[i - 1] if i - 1 < len(dxs) else _advance(text[i - 1], size)
        rise = dys[i - 1] if i - 1 < len(dys) else 0.0
        new_line = abs(rise) > size * SAME_LINE or step < -size * 0.1
        if new_line or step > size * SPLIT_GAP:
            yield text[start:i], run_x, run_y, x + _advance(text[i - 1], size)
            start, run_x, run_y = i, x + step, y + rise
        x, y = x + step, y + rise
    yield text[start:], run_x, run_y, x + _advance(text[-1], size)


def _advance(char: str, size: float) -> float:
    return size / 2 if HALF_WIDTH.match(char) else size


def _cover(el: etree._Element, t: Tags, outer: Matrix) -> Box | None:
    """The page box a path fills opaquely, if it is a filled polygon of at most five points
    (a rectangle drawn over text; a seal's curves are not judged)."""
    if el.get("Fill", "false").strip().lower() != "true" or hidden_unit(el):
        return None
    fill = el.find(t("FillColor"))
    alpha = el.get("Alpha") or (fill.get("Alpha") if fill is not None else None)
    if alpha is not None and number(alpha, 255.0) < OPAQUE:
        return None
    data = (el.findtext(t("AbbreviatedData")) or "").split()
    commands = [item for item in data if item.isalpha()]
    if not commands or set(commands) - {"M", "S", "L", "C"} or commands.count("L") > 4:
        return None
    bounds = box(el.get("Boundary"))
    if bounds is None:
        return None
    place = placer(outer)
    (x0, y0), (x1, y1) = (
        place(bounds[0], bounds[1]),
        place(bounds[0] + bounds[2], bounds[1] + bounds[3]),
    )
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def hidden_unit(el: etree._Element) -> str:
    """Why a graphic unit, annotation or attachment is not shown ("" when it is)."""
    if el.get("Visible", "true").strip().lower() == "false":
        return "Visible=false"
    bounds = box(el.get("Boundary"))
    if bounds is not None and (bounds[2] == 0 or bounds[3] == 0):
        return "clipped to an empty boundary"  # (a graphic unit is clipped to its Boundary)
    return ""


def _hidden_text(el: etree._Element, fill_tag: str, size: float) -> str:
    """Why a text object's glyphs cannot be seen, from its own attributes ("" if they can)."""
    fill = el.find(fill_tag)
    alpha = el.get("Alpha") or (fill.get("Alpha") if fill is not None else None)
    if alpha is not None and number(alpha, 255.0) <= 0:
        return "fully transparent"
    if el.get("Fill", "true").strip().lower() == "false" and el.get("Stroke", "false") != "true":
        return "neither filled nor stroked"
    if fill is not None:
        colour = fill.get("Value")
        if colour and colour != "0 0 0" and fill.get("Index") is None and min(
            numbers(colour)[:3] or [0.0]) >= WHITE:  # fmt: skip
            return "white text"
    if size < MIN_VISIBLE_MM:
        return "font under 1 pt"
    return ""


def lines(runs: Iterable[Run]) -> list[list[Run]]:
    """Runs grouped into lines (by baseline Y, top first), each line ordered by X.

    NOTE: a rotated watermark placed at its first glyph would otherwise land inside a body
    line (`正文 保密资料 正文`) and break the words on both sides; it stands alone.
    """
    out: list[list[Run]] = []
    line_y, line_size = 0.0, 0.0
    ordered = sorted(runs, key=lambda r: (r.y, r.x))
    for run in (r for r in ordered if not r.alone):
        if out and abs(run.y - line_y) <= SAME_LINE * min(run.size, line_size):
            out[-1].append(run)
            continue
        out.append([run])
        line_y, line_size = run.y, run.size
    for line in out:
        line.sort(key=lambda r: r.x)
    alone = [[r] for r in ordered if r.alone]
    return sorted(out + alone, key=lambda line: line[0].y) if alone else out


def write(
    out: TextBuilder, runs: Iterable[Run], container: Where, part: str, page: int | None
) -> None:
    """Add runs line by line: a space for a wide gap, a line break between lines."""
    for line in lines(runs):
        previous: Run | None = None
        for run in line:
            if previous is not None and run.x - previous.end > GAP_SPACE * min(
                run.size, previous.size
            ):
                out.separate(" ")
            where = Where.INVISIBLE if run.hidden else run.where
            out.add(run.text, where, container, part, page)
            previous = run
        out.separate("\n")
