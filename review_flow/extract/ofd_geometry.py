"""OFD values and coordinates: element names in a part's namespace, numbers, boxes, DeltaX
lists, page boxes and the matrices that carry object space to the page (mm, Y down)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

OFD_NS = "http://www.ofdspec.org/2016"
A4 = (0.0, 0.0, 210.0, 297.0)
Box = tuple[float, float, float, float]  # x, y, width, height (or left, top, right, bottom)
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Tags:
    """Clark names of the elements read, in one namespace.

    NOTE: producers disagree on the namespace (`http://www.ofdspec.org/2016`, the bare
    `http://www.ofdspec.org`, none at all), so each part is read in its root's namespace.
    """

    ns: str

    def __call__(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    @property
    def containers(self) -> frozenset[str]:
        return frozenset(map(self, ("Layer", "PageBlock", "Content", "Appearance")))


@functools.cache
def tags_of(ns: str) -> Tags:
    return Tags(ns)


def tags_for(root: etree._Element) -> Tags:
    return tags_of(etree.QName(root).namespace or "")


def numbers(raw: str | None) -> list[float]:
    """Space-separated numbers; OFD colours may be written in hex as `#ee` (None: none)."""
    if not raw:
        return []
    items = raw.split()
    try:
        return [float(item) for item in items]  # the usual case, in one comprehension
    except ValueError:
        pass
    out: list[float] = []
    for item in items:
        try:
            out.append(float(int(item[1:], 16)) if item.startswith("#") else float(item))
        except ValueError:
            continue
    return out


def number(raw: str | None, default: float) -> float:
    """One number (an X, a Y, a Size), or `default`."""
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return (numbers(raw) or [default])[0]


def box(raw: str | None) -> Box | None:
    values = numbers(raw)
    return (values[0], values[1], values[2], values[3]) if len(values) == 4 else None


def matrix(raw: str | None) -> Matrix:
    if raw is None:
        return IDENTITY
    values = numbers(raw)
    return (values[0], values[1], values[2], values[3], values[4], values[5]) if len(
        values) == 6 else IDENTITY  # fmt: skip


def deltas(raw: str | None, wanted: int) -> list[float]:
    """DeltaX/DeltaY: numbers, where `g N D` stands for D repeated N times; at most `wanted`.

    NOTE: `g 100000 1` is 10 bytes for 100,000 numbers: expanding past the glyphs of the
    TextCode (one delta between two glyphs) would let a small attribute fill the memory.
    """
    items = (raw or "").split()
    out: list[float] = []
    i = 0
    while i < len(items) and len(out) < wanted:
        if items[i] == "g" and i + 2 < len(items):
            try:
                count, value = int(float(items[i + 1])), float(items[i + 2])
            except ValueError:
                break
            out.extend([value] * min(max(count, 0), wanted - len(out)))
            i += 3
            continue
        try:
            out.append(float(items[i]))
        except ValueError:
            break
        i += 1
    return out


def page_box(root: etree._Element | None, default: Box) -> Box:
    """The page's PhysicalBox, else the document's."""
    if root is not None:
        t = tags_for(root)
        area = root.find(t("Area"))
        if area is not None:
            found = box(area.findtext(t("PhysicalBox")))
            if found is not None:
                return found
    return default


def compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer` (OFD's row-vector convention)."""
    a, b, c, d, e, f = inner
    p, q, r, s, u, v = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + u, e * q + f * s + v)  # fmt: skip


def translate(x: float, y: float) -> Matrix:
    return (1.0, 0.0, 0.0, 1.0, x, y)


def placed(outer: Matrix, el: etree._Element) -> Matrix:
    """Object space → page space for a graphic unit: its CTM, then its Boundary's origin."""
    bounds = box(el.get("Boundary"))
    origin = translate(bounds[0], bounds[1]) if bounds else IDENTITY
    return compose(compose(outer, origin), matrix(el.get("CTM")))


def placer(ctm: Matrix) -> Callable[[float, float], tuple[float, float]]:
    a, b, c, d, e, f = ctm

    def place(x: float, y: float) -> tuple[float, float]:
        return a * x + c * y + e, b * x + d * y + f

    return place
