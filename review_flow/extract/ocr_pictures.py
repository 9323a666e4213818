"""Pictures in a .docx body and page headers → OCR text (segments `Where.OCR`, part
`image word/media/NAME`), and which page-size pictures a person must still read.

A picture is read when it can hold a line of text: at least MIN_PIXELS pixels, MIN_SIDE on its
short side and, where Word gives its size on the page, MIN_WIDTH_CM wide; seals, logos and
icons are skipped. Each picture is read once, however often it is placed.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from review_flow.extract.limits import read_part
from review_flow.extract.model import UnreadablePage
from review_flow.extract.ocr_pages import OcrSession

WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMU_PER_CM = 360000
# NOTE: a 4 cm seal scanned at 150 dpi is ~240×240 px (57,600); a letterhead logo is ~300×100;
# a photographed table of four people at 150 dpi is ~1000×400. Page-size pictures (issue 13,
# docx.PAGE_PICTURE_CM) are far above all three thresholds.
MIN_PIXELS = 120_000
MIN_SIDE = 60
MIN_WIDTH_CM = 4.5
SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


def pictures(package: Any, part: str, root: etree._Element) -> list[tuple[str, float | None]]:
    """(media part name, width on the page in cm or None) of each picture placed in `part`."""
    targets = _targets(package, part)
    found = []
    for blip in root.iter(f"{{{A_NS}}}blip"):
        name = targets.get(blip.get(f"{{{R_NS}}}embed") or "")
        if name is None or not name.lower().endswith(SUFFIXES) or name not in package.names:
            continue
        found.append((name, _width_cm(blip)))
    return found


def read(
    package: Any, main: str, root: etree._Element, headers: list[str], session: OcrSession
) -> dict[str, str]:
    """OCR each picture large enough to hold text in the body and the page headers; returns
    why each one read needs a person ("" when its reading stands)."""
    doubts: dict[str, str] = {}
    parts: list[tuple[str, etree._Element | None]] = [(main, root)]
    parts += [(name, None) for name in headers]
    for part, tree in parts:
        if tree is None:
            if not any(t.lower().endswith(SUFFIXES) for t in _targets(package, part).values()):
                continue  # NOTE: most headers hold no picture: not parsed a second time
            tree = package.text_part(part)
        for name, width_cm in pictures(package, part, tree):
            if name in doubts or (width_cm is not None and width_cm < MIN_WIDTH_CM):
                continue
            data = read_part(package.path, package.archive, name, package.limits)
            if not _holds_text(data):
                continue
            doubts[name] = session.read_picture(data, name, width_cm)
    return doubts


def still_unreadable(
    package: Any, part: str, root: etree._Element, doubts: dict[str, str], size_cm: float
) -> tuple[UnreadablePage, ...]:
    """Page-size pictures of the body (numbered 1… as docx.page_pictures does) that OCR did
    not read well enough, each with the reason."""
    targets = _targets(package, part)
    found: list[UnreadablePage] = []
    for extent in root.iter(f"{{{WP_NS}}}extent"):
        frame = extent.getparent()
        blip = None if frame is None else next(frame.iter(f"{{{A_NS}}}blip"), None)
        if blip is None:
            continue
        try:
            width, height = (int(extent.get(a) or 0) / EMU_PER_CM for a in ("cx", "cy"))
        except ValueError:
            continue
        if min(width, height) < size_cm:
            continue
        number = len(found) + 1
        name = targets.get(blip.get(f"{{{R_NS}}}embed") or "", "")
        doubt = doubts.get(name, "not read")
        if doubt:
            found.append(UnreadablePage(number, f"picture {width:.0f}×{height:.0f} cm, {doubt}"))
        else:
            found.append(UnreadablePage(number, ""))  # read: dropped below, numbering kept
    return tuple(u for u in found if u.reason)


def _targets(package: Any, part: str) -> dict[str, str]:
    """Relationship id → internal target part, from the package's relationship graph."""
    return {r.id: r.target for r in package.graph.rels(part) if not r.external}


def _width_cm(blip: etree._Element) -> float | None:
    for ancestor in blip.iterancestors(f"{{{WP_NS}}}inline", f"{{{WP_NS}}}anchor"):
        extent = ancestor.find(f"{{{WP_NS}}}extent")
        if extent is not None:
            try:
                return int(extent.get("cx") or 0) / EMU_PER_CM
            except ValueError:
                return None
    return None


def _holds_text(data: bytes) -> bool:
    """Big enough to hold a line of text, judged from the image header alone."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        width, height = Image.open(io.BytesIO(data)).size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return True  # let the reader say it cannot be decoded
    return width * height >= MIN_PIXELS and min(width, height) >= MIN_SIDE
