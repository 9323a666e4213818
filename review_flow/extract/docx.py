"""Word (OOXML) documents → Extracted: every part a reader could see or recover.

Reads the package with zipfile and each part with lxml, after limits.py has judged the zip.
NOTE: python-docx's object API sees only the body and its tables and is ~20x slower on body
text than walking the XML, so reading goes through the XML of each part; python-docx is kept
for writing documents (samples, tests).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract import ocr_pictures
from review_flow.extract.embedded import Nesting
from review_flow.extract.limits import Limits, open_zip, parse_xml, read_part
from review_flow.extract.model import Extracted, TextBuilder, Where
from review_flow.extract.ocr_pages import OcrSession
from review_flow.extract.package import PackageGraph
from review_flow.extract.parts import PartAccount
from review_flow.extract.properties import core_and_app_properties

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFFICE_DOCUMENT = "/officeDocument"

# Part relationships we read, in the order their text is laid out after the body.
PART_KINDS = {
    "header": Where.HEADER,
    "footer": Where.FOOTER,
    "footnotes": Where.FOOTNOTE,
    "endnotes": Where.ENDNOTE,
    "comments": Where.COMMENT,
}

# NOTE: a picture at least this wide and tall (cm) can hold a page of text; a seal (4.2 cm) or a
# logo cannot. Each such picture OCR did not read well is an unreadable item (issues 13, 15).
PAGE_PICTURE_CM = 7.0


@dataclass(slots=True)
class _Context:
    """Where plain text lands while walking one part."""

    where: Where
    container: Where
    part: str


@dataclass(slots=True)
class _PlainRead:
    """What one pass over a part read (see _Walker.read_plain)."""

    texts: dict[etree._Element, str] = field(default_factory=dict)  # by outermost paragraph
    # Outermost paragraphs whose text the pass may have read otherwise than the full walk
    # would: they hold a SPECIAL element, a w:delText, or text outside the usual w:p/w:r/w:t.
    odd: set[etree._Element] = field(default_factory=set)
    special: bool = False  # the part holds a SPECIAL element
    hidden: bool = False  # the part holds a w:vanish (a run may be hidden)


@dataclass
class _Walker:
    """Walks WordprocessingML blocks in reading order into a TextBuilder."""

    ns: str
    out: TextBuilder
    authors: set[str] = field(default_factory=set)
    # The texts of the outermost paragraphs of the part being walked that the fast pass read
    # as the full walk would (see start_part) …
    plain: dict[etree._Element, str] = field(default_factory=dict)
    # … and whether the part holds a SPECIAL element, so that the paragraphs not in `plain` get
    # the full walk over runs; in a part without one, every paragraph is read by the fast pass.
    mixed: bool = False
    hidden: bool = True  # the part may hold hidden runs (a w:vanish)
    # Called with (part, element, container) for each w:altChunk, where its content stands.
    on_chunk: Callable[[str, etree._Element, Where], None] | None = None

    def __post_init__(self) -> None:
        w = f"{{{self.ns}}}"
        self.P, self.TBL, self.TR, self.TC = w + "p", w + "tbl", w + "tr", w + "tc"
        self.R, self.T, self.DELTEXT = w + "r", w + "t", w + "delText"
        self.TAB, self.BR, self.CR = w + "tab", w + "br", w + "cr"
        self.NBH = w + "noBreakHyphen"
        self.BREAK_PIECES = {self.TAB: "\t", self.BR: "\n", self.CR: "\n", self.NBH: "-"}
        self.INS, self.DEL = w + "ins", w + "del"
        self.MOVETO, self.MOVEFROM = w + "moveTo", w + "moveFrom"
        self.RPR, self.VANISH, self.TXBX = w + "rPr", w + "vanish", w + "txbxContent"
        self.AUTHOR = w + "author"
        self.VAL = w + "val"
        self.SKIP = {
            w + "pPr", w + "sectPr", w + "tblPr", w + "tblGrid", w + "trPr", w + "tcPr",
            w + "instrText", w + "delInstrText", w + "bookmarkStart", w + "bookmarkEnd",
            w + "proofErr", w + "sdtPr", w + "sdtEndPr", w + "commentRangeStart",
            w + "commentRangeEnd", f"{{{MC_NS}}}Fallback",
        }  # fmt: skip
        self.ALTERNATE = f"{{{MC_NS}}}AlternateContent"
        self.ALTCHUNK = w + "altChunk"

    # -- blocks ---------------------------------------------------------------------------
    def blocks(self, parent: etree._Element, ctx: _Context) -> None:
        plain, line = self.plain, self.out.line
        where, container, part = ctx.where, ctx.container, ctx.part
        for child in parent:
            # NOTE: most children are paragraphs the fast pass read; looking them up first
            # spares reading each one's tag (lxml builds that string on every access).
            text = plain.get(child)
            if text is not None:
                line(text, where, container, part)
                continue
            tag = child.tag
            if tag == self.P:
                self.paragraph(child, ctx)
            elif tag == self.TBL:
                self.table(child, ctx)
            elif tag in self.SKIP or not isinstance(tag, str):
                continue
            elif tag == self.ALTCHUNK:
                if self.on_chunk is not None:
                    self.on_chunk(ctx.part, child, ctx.container)
            else:  # sdt, sdtContent, customXml, ins/del around whole paragraphs …
                self.blocks(child, ctx)

    def table(self, tbl: etree._Element, ctx: _Context) -> None:
        cell_ctx = ctx if ctx.where != Where.BODY else _Context(Where.TABLE, Where.TABLE, ctx.part)
        for row in self._rows(tbl):
            for cell in row.iterchildren(self.TC):
                self.blocks(cell, cell_ctx)
                self.out.separate("\t")
            self.out.separate("\n")

    def _rows(self, parent: etree._Element) -> Iterable[etree._Element]:
        """Rows of this table only (also inside sdt/customXml wrappers), not of nested tables."""
        for child in parent:
            if child.tag == self.TR:
                yield child
            elif (
                child.tag != self.TBL and isinstance(child.tag, str) and child.tag not in self.SKIP
            ):
                yield from self._rows(child)

    def paragraph(self, p: etree._Element, ctx: _Context) -> None:
        text = self.plain.get(p)
        if text is None and self.mixed:
            self.walk_paragraph(p, ctx)
            return
        self.out.line(text or "", ctx.where, ctx.container, ctx.part)

    def walk_paragraph(self, p: etree._Element, ctx: _Context) -> None:
        """The full walk over a paragraph's runs, then over the text boxes anchored in it."""
        pieces: list[tuple[str, Where]] = []
        boxes: list[etree._Element] = []
        self.inline(p, ctx.where, pieces, boxes)
        for text, where in _merge(pieces):
            self.out.add(text, where, ctx.container, ctx.part)
        self.out.separate("\n")
        if boxes:
            inside = ctx.container in (Where.HEADER, Where.FOOTER)
            box_ctx = _Context(Where.TEXTBOX, ctx.container if inside else Where.TEXTBOX, ctx.part)
            for box in boxes:
                self.blocks(box, box_ctx)

    # -- the fast pass ----------------------------------------------------------------------
    def start_part(self, root: etree._Element) -> None:
        """Read the part's paragraph texts in one fast pass, and choose which paragraphs it
        stands for: all of them in a part without SPECIAL elements; in one with such elements
        (a tracked change, a hidden run, a shape …) only those that hold none and whose text
        sits in plain w:p/w:r/w:t runs. The others get the full walk over runs.

        NOTE: real documents nearly always hold a SPECIAL element somewhere (a seal picture is
        a w:drawing, a link a w:hyperlink), and the full walk costs ~5x the pass per paragraph
        (measured), so only the paragraphs holding one pay for it. For the others both read
        the same: every piece of text the full walk reads is a child of a w:r it reaches from
        the paragraph, and with no SPECIAL element in it the label is the paragraph's own.
        NOTE: the parsed tree decides, not a search of the bytes: a byte pattern misses tags in
        UTF-16 parts or with unusual prefixes, and a w:del it missed was deleted text unread.
        """
        read = self.read_plain(root)
        self.mixed, self.hidden = read.special, read.hidden
        if read.special:
            for paragraph in read.odd:
                del read.texts[paragraph]
        self.plain = read.texts

    def read_plain(self, root: etree._Element) -> _PlainRead:
        """The text of each outermost paragraph of a part, read in one pass over it.

        A paragraph's text is all the w:t text inside it at any depth, and its run-level tabs,
        breaks and non-breaking hyphens. The pass also notes the paragraphs where the full walk
        could read otherwise (see _PlainRead.odd).
        NOTE: measured 1.5x faster than a p.iter() per paragraph and than etree.iterwalk:
        lxml's cost is per node visited and per iterator made. Nodes come in document order,
        so text belongs to the paragraph opened last; for the usual w:p/w:r/w:t the parent
        links confirm it cheaply.
        """
        P, T, R, TAB, BREAK_PIECES = self.P, self.T, self.R, self.TAB, self.BREAK_PIECES
        DELTEXT, VANISH = self.DELTEXT, self.VANISH
        read = _PlainRead()
        texts, odd = read.texts, read.odd
        paragraph: etree._Element | None = None  # the outermost paragraph being read …
        siblings: etree._Element | None = None  # … and its parent, where the next one may be
        walked: etree._Element | None = None  # … the last one found to hold a SPECIAL element
        pieces: list[str] = []
        for el in root.iter(P, T, *BREAK_PIECES, DELTEXT, *SPECIAL_TAGS):
            tag = el.tag
            if tag == T:
                piece = el.text
                if not piece:
                    continue
            elif tag == P:
                parent = el.getparent()
                if parent is siblings or next(el.iterancestors(P), None) is None:
                    if pieces:
                        texts[paragraph] = "".join(pieces)
                        pieces = []
                    elif paragraph is not None:
                        texts[paragraph] = ""  # (the full walk need not look into it)
                    paragraph, siblings = el, parent
                continue  # a paragraph inside another one is part of the outer one's text
            elif tag in BREAK_PIECES:
                if tag == TAB and el.getparent().tag != R:
                    continue  # a tab stop in the paragraph properties, not text
                piece = BREAK_PIECES[tag]
            elif tag == DELTEXT:  # read by the full walk only (and rare outside a w:del)
                if paragraph is not None and self._inside(el, paragraph):
                    odd.add(paragraph)
                continue
            else:  # a SPECIAL element: the full walk reads the whole part or this paragraph
                read.special = True
                read.hidden = read.hidden or tag == VANISH
                if (
                    paragraph is not None
                    and paragraph is not walked
                    and self._inside(el, paragraph)
                ):
                    odd.add(paragraph)
                    walked = paragraph  # its text need not be read any further
                continue
            if paragraph is walked:
                continue  # outside any paragraph (never read), or in one the full walk reads
            run = el.getparent()
            if run.getparent() is paragraph and run.tag == R:
                pieces.append(piece)  # the usual w:p/w:r/w:t
            elif self._outermost(el) is paragraph:
                pieces.append(piece)
                odd.add(paragraph)
        if paragraph is not None:
            texts[paragraph] = "".join(pieces)
        return read

    def _inside(self, el: etree._Element, paragraph: etree._Element) -> bool:
        """Whether `el` is inside `paragraph`, the outermost paragraph opened last."""
        parent = el.getparent()
        return (
            parent is paragraph
            or parent.getparent() is paragraph  # (a w:p's child, a w:r's child …)
            or self._outermost(el) is paragraph
        )

    def _outermost(self, el: etree._Element) -> etree._Element | None:
        """The outermost paragraph holding `el`, if any."""
        paragraphs = list(el.iterancestors(self.P))
        return paragraphs[-1] if paragraphs else None

    # -- inline content --------------------------------------------------------------------
    # NOTE: the full walk visits every element of a paragraph from Python, so the tests are
    # ordered by how often they hit (runs, then properties, bookmarks and proofing marks).
    def inline(
        self,
        parent: etree._Element,
        mode: Where,
        pieces: list[tuple[str, Where]],
        boxes: list[etree._Element],
    ) -> None:
        R, SKIP = self.R, self.SKIP
        for child in parent:
            tag = child.tag
            if tag == R:
                self.run(child, mode, pieces, boxes)
            elif tag in SKIP:
                continue
            elif tag == self.INS or tag == self.MOVETO:
                self.note_author(child)
                self.inline(child, Where.INSERTED, pieces, boxes)
            elif tag == self.DEL or tag == self.MOVEFROM:
                self.note_author(child)
                self.inline(child, Where.DELETED, pieces, boxes)
            elif tag == self.ALTERNATE:
                self.inline(child[0], mode, pieces, boxes) if len(child) else None
            elif tag == self.TXBX:
                boxes.append(child)
            elif isinstance(tag, str):
                # hyperlink, smartTag, fldSimple, sdt, customXml, mc:Choice, drawing …
                self.inline(child, mode, pieces, boxes)

    def run(
        self,
        run: etree._Element,
        mode: Where,
        pieces: list[tuple[str, Where]],
        boxes: list[etree._Element],
    ) -> None:
        where = mode
        for child in run:
            tag = child.tag
            if tag == self.T or tag == self.DELTEXT:
                text = child.text
                if text:
                    pieces.append((text, where))
            elif tag == self.RPR:
                # (a part without a w:vanish has no hidden run: no search in each run's rPr)
                revised = mode is Where.INSERTED or mode is Where.DELETED
                if self.hidden and not revised and self._is_hidden(child):
                    where = Where.HIDDEN
            elif tag in self.BREAK_PIECES:  # w:tab, w:br, w:cr, w:noBreakHyphen
                pieces.append((self.BREAK_PIECES[tag], where))
            elif tag in self.SKIP or not isinstance(tag, str):
                continue
            else:  # drawing, pict, object, AlternateContent: text boxes inside shapes
                self.inline(child, mode, pieces, boxes)

    def _is_hidden(self, rpr: etree._Element) -> bool:
        vanish = rpr.find(self.VANISH)
        return vanish is not None and vanish.get(self.VAL, "true") not in ("0", "false", "off")

    def note_author(self, el: etree._Element) -> None:
        author = el.get(self.AUTHOR)
        if author:
            self.authors.add(author)


# Elements that need the full walk: tracked changes, hidden runs, shapes and text boxes.
SPECIAL = (
    "ins", "del", "moveFrom", "moveTo", "vanish", "txbxContent", "AlternateContent", "pict",
    "drawing", "object", "sdt", "customXml", "smartTag", "fldSimple", "hyperlink",
)  # fmt: skip
SPECIAL_TAGS = tuple(f"{{*}}{name}" for name in SPECIAL)  # in any namespace


def _merge(pieces: list[tuple[str, Where]]) -> Iterable[tuple[str, Where]]:
    """Join neighbouring pieces with the same label into one segment."""
    text: list[str] = []
    current: Where | None = None
    for piece, where in pieces:
        if where != current and text:
            yield "".join(text), current  # type: ignore[misc]
            text = []
        current = where
        text.append(piece)
    if text and current is not None:
        yield "".join(text), current


# -- the package ----------------------------------------------------------------------------
def extract(data: bytes, path: str, limits: Limits, nesting: Nesting | None = None) -> Extracted:
    """Extract a .docx (or an OOXML .wps/.doc) given as bytes; `nesting` when it is embedded
    in another package (embedded.py)."""
    with open_zip(path, data, limits) as archive:
        if nesting is None:
            nesting = Nesting(extract)
            nesting.budget.spend(path, archive, limits)
        package = _Package(path, archive, limits, nesting)
        return package.extract()


class _Package:
    def __init__(
        self, path: str, archive: zipfile.ZipFile, limits: Limits, nesting: Nesting
    ) -> None:
        self.path, self.archive, self.limits = path, archive, limits
        self.names = set(archive.namelist())
        self.graph = PackageGraph(path, archive, limits)
        self.account = PartAccount(path, archive, limits, self.graph, nesting)

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.path, name, read_part(self.path, self.archive, name, self.limits))

    def text_part(self, name: str) -> etree._Element:
        """A part whose paragraphs are walked."""
        return parse_xml(self.path, name, read_part(self.path, self.archive, name, self.limits))

    def rels(self, part: str) -> list[tuple[str, str]]:
        """(type suffix, target part name) of a part's internal relationships, in file order."""
        return [(r.kind, r.target) for r in self.graph.rels(part) if not r.external]

    def main_part(self) -> str:
        for kind, name in self.rels(""):
            if kind == OFFICE_DOCUMENT.lstrip("/") and name in self.names:
                return name
        if "word/document.xml" in self.names:
            return "word/document.xml"
        if "OFD.xml" in self.names:
            raise ExtractionError(
                self.path, "OFD documents are not supported yet",
                hint="export the document as .pdf or .docx and submit that",
            )  # fmt: skip
        raise ExtractionError(self.path, "zip file is not a Word document (no word/document.xml)")

    def extract(self) -> Extracted:
        main = self.main_part()
        root = self.text_part(main)
        walker = _Walker(etree.QName(root).namespace or "", TextBuilder())
        account = self.account
        walker.on_chunk = lambda part, el, container: account.alt_chunk(
            walker.out, part, el, container
        )
        account.fields(main, root)
        parts = [(k, n) for k, n in self.rels(main) if k in PART_KINDS and n in self.names]
        body = root.find(f"{{{walker.ns}}}body")
        for kind, name in parts:
            if kind == "header":
                self.walk_part(walker, name, Where.HEADER)
        if body is not None:
            walker.start_part(root)
            walker.blocks(body, _Context(Where.BODY, Where.BODY, main))
            walker.out.separate("\n")
        ocr = OcrSession(self.limits, walker.out)
        headers = [n for k, n in parts if k == "header"]
        doubts = ocr_pictures.read(self, main, root, headers, ocr)
        for kind, name in parts:
            if kind != "header":
                self.walk_part(walker, name, PART_KINDS[kind])
        self.properties(walker)
        account.finish(walker.out)
        return Extracted(
            path=self.path, sha256="", size=0, format="docx",
            text=walker.out.text(), segments=tuple(walker.out.segments),
            unreadable_pages=ocr_pictures.still_unreadable(
                self, main, root, doubts, PAGE_PICTURE_CM
            ),
            notes=tuple(account.notes), active_content=tuple(account.active),
            ocr=tuple(ocr.texts),
        )  # fmt: skip

    def walk_part(self, walker: _Walker, name: str, where: Where) -> None:
        root = self.text_part(name)
        self.account.fields(name, root)
        walker.start_part(root)
        ctx = _Context(where, where, name)
        if where in (Where.HEADER, Where.FOOTER):
            walker.blocks(root, ctx)
        else:  # footnotes/endnotes/comments: one block container per note
            for note in root:
                if where == Where.COMMENT:
                    walker.note_author(note)
                elif note.get(f"{{{walker.ns}}}type") in ("separator", "continuationSeparator"):
                    continue
                walker.blocks(note, ctx)
                walker.out.separate("\n")
        walker.out.separate("\n")

    def properties(self, walker: _Walker) -> None:
        out = walker.out
        core_and_app_properties(self.names, self.xml, out)
        if "docProps/custom.xml" in self.names:
            for prop in self.xml("docProps/custom.xml"):
                value = "".join(prop.itertext()).strip()
                if value:
                    key = prop.get("name", "")
                    out.add(f"{key}：{value}", Where.PROPERTY, part=f"custom:{key}")
                    out.separate("\n")
        if walker.authors:
            names = "、".join(sorted(walker.authors))
            out.add(f"修订和批注作者：{names}", Where.PROPERTY, part="revision-authors")
