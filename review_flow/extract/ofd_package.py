"""One open OFD package: finding its parts, parsing them under the limits, and collecting
what the readers of its documents found (text, notes, active content, unreadable pages)."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from review_flow.extract import ofd_layout as layout
from review_flow.extract.limits import Limits, parse_xml, read_part
from review_flow.extract.model import (
    ActiveContent,
    Extracted,
    TextBuilder,
    UnreadablePage,
    Where,
)

SCANNED = "scanned image without a text layer"


@dataclass
class Package:
    """One open OFD package: its parts, parsed on demand, and what was read from them."""

    path: str
    archive: zipfile.ZipFile
    limits: Limits
    out: TextBuilder = field(default_factory=TextBuilder)
    notes: list[str] = field(default_factory=list)
    active: list[ActiveContent] = field(default_factory=list)
    unreadable: list[UnreadablePage] = field(default_factory=list)
    read_parts: set[str] = field(default_factory=set)
    versions: dict[str, str] = field(default_factory=dict)  # part → "version N" listing it
    pages: int = 0

    def __post_init__(self) -> None:
        self.names = set(self.archive.namelist())
        self.folded = {name.lower(): name for name in sorted(self.names, reverse=True)}

    # -- parts ----------------------------------------------------------------------------
    def locate(self, base: str, loc: str | None) -> str | None:
        """The part a `BaseLoc`/`FileLoc` names, relative to the folder `base`, or None.

        NOTE: producers write locations relative to the referring part's folder (the
        standard), to the document's folder or to the package root; each is tried in turn.
        """
        loc = (loc or "").strip().replace("\\", "/")
        if not loc:
            return None
        if loc.startswith("/"):
            tries = [loc.lstrip("/")]
        else:
            tries = [posixpath.join(base, loc), posixpath.join(base.split("/")[0], loc), loc]
        for name in tries:
            name = posixpath.normpath(name)
            if name in self.names:
                return name
        for name in tries:  # (Windows producers: `TPLS/` for `Tpls/`)
            found = self.folded.get(posixpath.normpath(name).lower())
            if found is not None:
                return found
        return None

    def xml(self, name: str) -> etree._Element:
        self.read_parts.add(name)
        return parse_xml(self.path, name, read_part(self.path, self.archive, name, self.limits))

    def bytes_of(self, name: str) -> bytes:
        self.read_parts.add(name)
        return read_part(self.path, self.archive, name, self.limits)

    def missing(self, what: str, loc: str | None) -> None:
        self.notes.append(f"{what} {loc!r} is named but not in the package")

    def add_property(self, line: str, part: str) -> None:
        """A `label：value` line, when it has a value."""
        if line.partition("：")[2].strip():
            self.out.add(line, Where.PROPERTY, part=part)
            self.out.separate("\n")

    # -- one page -------------------------------------------------------------------------
    def judge(self, number: int, found: layout.Layout, area: float) -> None:
        """A page of images without (visible) text is a scan no machine read."""
        visible = found.visible_chars
        share = found.image_area / area if area > 0 else 0.0
        if (visible == 0 and found.images) or (
            visible < layout.SCAN_MAX_CHARS and share >= layout.SCAN_IMAGE_SHARE
        ):
            self.unreadable.append(UnreadablePage(number, SCANNED))

    def add_active(self, kind: str, where: str, detail: str, page: int | None = None) -> None:
        item = ActiveContent(kind, where, detail, page)
        if item not in self.active:
            self.active.append(item)

    def result(self) -> Extracted:
        return Extracted(
            path=self.path, sha256="", size=0, format="ofd", text=self.out.text(),
            segments=tuple(self.out.segments), pages=self.pages,
            unreadable_pages=tuple(self.unreadable), notes=tuple(self.notes),
            active_content=tuple(self.active),
        )  # fmt: skip
