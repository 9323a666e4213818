"""Content inside content: altChunk parts, embedded .docx/.xlsx/.pptx packages and parts
nothing references, read into lines of text, recursively, under a depth and a byte budget.

A nested package is judged like the outer zip (limits.check_zip) and all the packages of one
file together may inflate no more than `max_zip_total_bytes` and hold no more than
`max_zip_entries`; deeper than `max_embedding_depth` nothing is opened. What cannot be read
becomes an ActiveContent item saying why, so the file is never `clear` because of it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from review_flow.errors import ExtractionError
from review_flow.extract import deck, markup
from review_flow.extract.limits import Limits, check_zip, parse_xml, read_part
from review_flow.extract.model import ActiveContent, Extracted, Where
from review_flow.extract.package import PackageGraph

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Containers the scanner treats apart, kept when an embedded document's text is copied.
KEPT_CONTAINERS = (Where.PROPERTY, Where.COMMENT, Where.DELETED)
BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".emz", ".wmz",
    ".svgz", ".ttf", ".otf", ".odttf", ".fntdata", ".bin", ".wdp", ".jfif", ".ico",
)  # fmt: skip
TEXT_SUFFIXES = (".txt", ".text", ".csv", ".md", ".log")
PACKAGE_NAMES = {"word": "Word document", "xl": "Excel workbook", "ppt": "PowerPoint deck"}


@dataclass
class Budget:
    """What the nested packages of one file have inflated so far, all levels together."""

    entries: int = 0
    size: int = 0

    def spend(self, path: str, archive: zipfile.ZipFile, limits: Limits) -> None:
        infos = archive.infolist()
        self.entries += len(infos)
        self.size += sum(i.file_size for i in infos)
        if self.entries > limits.max_zip_entries:
            raise ExtractionError(path, f"nested packages hold over {limits.max_zip_entries} parts")
        if self.size > limits.max_zip_total_bytes:
            raise ExtractionError(path, "nested packages inflate past the zip size limit")


WordReader = Callable[[bytes, str, Limits, "Nesting"], Extracted]


@dataclass(frozen=True)
class Nesting:
    """How deep the package being read sits (0: the file itself), the shared budget, and the
    reader of embedded Word documents (docx.extract, handed down so that this module, which
    docx.py uses, need not import it back)."""

    read_word: WordReader
    depth: int = 0
    budget: Budget = field(default_factory=Budget)

    def deeper(self) -> Nesting:
        return Nesting(self.read_word, self.depth + 1, self.budget)


@dataclass
class Found:
    """What one embedded part gave: (separator before, text, container) pieces, active
    content and notes. Their places are relative to the part ("" = the part itself): whoever
    takes them in prefixes the part's name (see absorb)."""

    pieces: list[tuple[str, str, Where]] = field(default_factory=list)
    active: list[ActiveContent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label: str = ""  # the kind of package read ("Word document"), if the part was one

    def lines(self, lines: list[str], container: Where = Where.EMBEDDED) -> Found:
        self.pieces += [("\n", line, container) for line in lines]
        return self

    def absorb(self, other: Found, name: str) -> None:
        """Take in what a part inside the package `name` gave."""
        self.pieces += other.pieces
        self.active += [prefixed(item, name) for item in other.active]
        self.notes += [f"{name}: {note}" for note in other.notes]


def read_package(data: bytes, name: str, path: str, limits: Limits, nesting: Nesting) -> Found:
    """The text of a nested .docx, .xlsx or .pptx, or an item saying why it was not read."""
    inner = nesting.deeper()
    if inner.depth > limits.max_embedding_depth:
        depth = limits.max_embedding_depth
        return _not_read(f"package nested deeper than {depth} levels: not read")
    try:
        return _read_package(data, f"{path}!{name}", limits, inner)
    except ExtractionError as exc:
        return _not_read(f"embedded package not read: {exc.reason}")


def _not_read(detail: str) -> Found:
    return Found(active=[ActiveContent("embedded_package", "", detail)])


def _read_package(data: bytes, path: str, limits: Limits, nesting: Nesting) -> Found:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExtractionError(path, "corrupt zip container") from None
    with archive:
        check_zip(path, archive, limits)
        nesting.budget.spend(path, archive, limits)
        graph = PackageGraph(path, archive, limits)
        main = next((r.target for r in graph.rels("") if r.kind == "officeDocument"), "")
        family = main.split("/", 1)[0]
        if family == "word":
            found = from_extracted(nesting.read_word(data, path, limits, nesting))
        elif family in PACKAGE_NAMES:
            if family == "xl":  # the same reader as a workbook submitted on its own
                from review_flow.extract import sheet

                found = from_extracted(sheet.extract(data, path, limits))
            else:
                found = Found().lines(deck.read(main, graph, archive, path, limits))
            for rel in graph.internal("package", "oleObject", "vbaProject"):
                part = read_part(path, archive, rel.target, limits)
                if rel.kind == "vbaProject":
                    found.active.append(ActiveContent("macro", rel.target, "VBA macro project"))
                elif part.startswith(ZIP_MAGIC):
                    inside = opened(part_found(part, rel.target, path, limits, nesting))
                    found.absorb(inside, rel.target)
                else:
                    found.active.append(ActiveContent("ole_object", rel.target, "OLE object"))
        else:
            raise ExtractionError(path, "a zip that is no Word, Excel or PowerPoint package")
        found.label = PACKAGE_NAMES[family]
        return found


def opened(found: Found) -> Found:
    """A part a reader can open on its own (an embedded package): one more item saying so."""
    if found.label:
        found.active.insert(
            0, ActiveContent("embedded_package", "", f"embedded {found.label}: its text is read")
        )
    return found


def from_extracted(extracted: Extracted) -> Found:
    """An embedded Word document's text, segment by segment, with its own separators.

    Its pictures no machine read (page-sized pictures, see docx.page_pictures) cannot be
    unreadable pages of the outer file, which numbers its own: each is an item instead.
    """
    found = Found(notes=list(extracted.notes), active=list(extracted.active_content))
    found.active += [
        ActiveContent("unreadable_picture", "", f"in the embedded document: {u.reason}")
        for u in extracted.unreadable_pages
    ]
    end = 0
    for seg in extracted.segments:
        gap = extracted.text[end : seg.start]
        container = seg.container if seg.container in KEPT_CONTAINERS else Where.EMBEDDED
        found.pieces.append((gap, extracted.text[seg.start : seg.end], container))
        end = seg.end
    return found


def prefixed(item: ActiveContent, name: str) -> ActiveContent:
    where = f"{name}!{item.where}" if item.where else name
    return ActiveContent(item.kind, where, item.detail, item.page)


def part_found(data: bytes, name: str, path: str, limits: Limits, nesting: Nesting) -> Found:
    """Whatever text a part holds, read by what its bytes are: a package, XML, HTML/MHTML or
    plain text. An OLE compound file or a binary part gives no text (and no item here)."""
    head = data[:512].lstrip()
    lower = name.lower()
    if data.startswith(ZIP_MAGIC):
        return read_package(data, name, path, limits, nesting)
    binary = data.startswith(OLE_MAGIC) or (b"\x00" in data[:512] and not _utf16(data))
    if binary or lower.endswith(BINARY_SUFFIXES):
        return Found()
    if lower.endswith((".mht", ".mhtml")) or head[:13].lower() == b"mime-version:":
        return Found().lines(markup.mhtml_lines(data))
    if lower.endswith((".htm", ".html", ".xhtml")) or head[:5].lower() in (b"<!doc", b"<html"):
        return Found().lines(markup.html_lines(data))
    if head.startswith(b"<") or (_utf16(data) and lower.endswith(".xml")):
        try:
            return Found().lines(markup.xml_lines(parse_xml(path, name, data)))
        except ExtractionError as exc:
            if "DTD" in exc.reason:
                raise
    if lower.endswith(TEXT_SUFFIXES) or _is_utf8(data):
        return Found().lines(markup.text_lines(data))
    return Found()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf16(data: bytes) -> bool:
    return data.startswith((b"\xff\xfe", b"\xfe\xff"))
