"""PDF → Extracted: page text from pdfium, then annotations, attachment names and metadata.

Owns the judgement of each page (text, scan, fonts without Unicode); which text no reader sees
is pdf_visibility.py's, the string repairs are pdf_repair.py's, and what the file holds besides
its pages (revisions, attachments, actions, layers) pdf_revisions, pdf_attachments and
pdf_actions read through qpdf; scanned pages go to ocr_pages.py (rendered, OCR).
NOTE: pdfplumber reads page text ~28x slower than pdfium, so it is only asked about pages whose
pdfium text is garbage, and for the XMP packet (pdfium has no API for it).
"""

from __future__ import annotations

import ctypes
import functools
import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract import extract_bytes
from review_flow.extract import pdf_repair as repair
from review_flow.extract import pdf_visibility as visibility
from review_flow.extract.limits import (
    Limits,
    StreamTooLarge,
    bounded_lzw,
    bounded_runlength,
    check_pdf_streams,
    inflate,
    parse_xml,
    stream_error,
)
from review_flow.extract.model import ActiveContent, Extracted, TextBuilder, UnreadablePage, Where
from review_flow.extract.ocr_pages import OcrSession
from review_flow.extract.pdf_hidden import add_beyond_pages
from review_flow.extract.pdf_structure import hidden_layers, open_structure

log = logging.getLogger(__name__)

UNMAPPED = "text has no Unicode mapping (cid fonts)"
SCANNED = "scanned image without a text layer"
BROKEN = "page content could not be parsed"
LOST = "text in fonts that are not embedded could not be read"

GARBAGE_SHARE = 0.30  # above this share of bad characters, a page's text is not text
SCAN_IMAGE_SHARE = 0.50  # images covering this much of a page make it a scan ...
SCAN_MAX_CHARS = 40  # ... unless it has this many characters (CamScanner stamps ~8 a page)
_PLUMBER_TRIES = 3
_XMP_MAX_RAW = 256 * 1024  # NOTE: caps a flate bomb in the XMP stream at ~256 MiB inflated

INFO_LABELS = {
    "Title": "标题", "Author": "作者", "Subject": "主题", "Keywords": "关键词",
    "Creator": "创建程序", "Producer": "生成程序",
}  # fmt: skip
XMP_LABELS = {
    "dc:title": "标题", "dc:creator": "作者", "dc:description": "主题", "dc:subject": "关键词",
    "pdf:Keywords": "关键词", "pdf:Producer": "生成程序", "xmp:CreatorTool": "创建程序",
}  # fmt: skip
XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
}
RDF_DESCRIPTION = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"


@functools.cache
def _pdfminer_errors() -> tuple[type[Exception], ...]:
    """The failures the optional pdfplumber/pdfminer paths degrade on (imported lazily).

    NOTE: pdfminer raises bare built-ins on malformed input, not only its PSException family,
    and pdfplumber wraps what PDFDocument raises in PdfminerException.
    """
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    return (
        PSException, PdfminerException, ValueError, KeyError, TypeError, IndexError,
        AttributeError, EOFError, struct.error, zlib.error, RecursionError,
    )  # fmt: skip


class _PdfminerZlib:
    """Stands in for zlib inside pdfminer.pdftypes: what one stream inflates is bounded.

    NOTE: the raw-byte check before pdfium (check_pdf_streams) cannot see every stream
    pdfminer may decode (an encrypted file's, a /Filter it could not resolve); this catches
    those where pdfminer decodes them.
    """

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)
    limit = Limits().max_stream_bytes

    @classmethod
    def decompress(cls, data: bytes) -> bytes:
        out, complete = inflate(data, cls.limit)
        if not complete:  # pdfminer then calls decompress_corrupted, as it does on zlib's error
            raise zlib.error("incomplete or damaged zlib stream")
        return out

    @classmethod
    def corrupted(cls, data: bytes) -> bytes:
        return inflate(data, cls.limit)[0]

    @classmethod
    def lzw(cls, data: bytes) -> bytes:
        return bounded_lzw(data, cls.limit, True)

    @classmethod
    def runlength(cls, data: bytes) -> bytes:
        return bounded_runlength(data, cls.limit, True)


@functools.cache
def _guard_pdfminer() -> None:
    """Route pdfminer's stream decoders through the bounded ones (once per process)."""
    from pdfminer import pdftypes

    for name, value in (
        ("zlib", _PdfminerZlib), ("decompress_corrupted", _PdfminerZlib.corrupted),
        ("lzwdecode", _PdfminerZlib.lzw), ("rldecode", _PdfminerZlib.runlength),
    ):  # fmt: skip
        setattr(pdftypes, name, value)


def _raise_bomb(exc: BaseException) -> None:
    """Re-raise a StreamTooLarge that pdfplumber wrapped in its PdfminerException."""
    found: object = exc
    for _ in range(5):
        if isinstance(found, StreamTooLarge):
            raise found
        if not isinstance(found, BaseException):
            return
        found = found.args[0] if found.args else found.__cause__


def extract(data: bytes, path: str, limits: Limits) -> Extracted:
    """Extract a PDF given as bytes; the dispatcher fills in sha256 and size."""
    return _extract(data, path, limits, whole=True)


def extract_pages(data: bytes, path: str, limits: Limits) -> Extracted:
    """The pages, annotations and properties only: an earlier revision, an orphan's page.

    Nothing beyond the pages (attachments, actions, revisions) is read, and no active content
    is reported: the caller reads those once for the whole file.
    """
    return _extract(data, path, limits, whole=False)


def _extract(data: bytes, path: str, limits: Limits, whole: bool) -> Extracted:
    check_pdf_streams(path, data, limits)
    _PdfminerZlib.limit = limits.max_stream_bytes
    doc = _open(data, path)
    structure, why = open_structure(data)
    reader = _Reader(data, path, doc, limits, whole, structure)
    try:
        if len(doc) > limits.max_pdf_pages:
            raise ExtractionError(
                path, f"PDF has {len(doc)} pages, over the {limits.max_pdf_pages}-page limit",
                hint="raise REVIEW_FLOW_LIMIT_MAX_PDF_PAGES if this file is genuine",
            )  # fmt: skip
        if structure is None and whole:
            reader.active.append(ActiveContent(
                "structure_unread", "document",
                f"qpdf cannot read the file's objects ({why}): attachments, actions, "
                "revisions and layers not checked",
            ))  # fmt: skip
        return reader.run()
    except pdfium.PdfiumError as exc:
        raise ExtractionError(path, f"corrupt PDF ({exc})") from exc
    except StreamTooLarge as exc:
        raise stream_error(path, exc) from None
    finally:
        reader.close()
        doc.close()
        if structure is not None:
            structure.close()


def _open(data: bytes, path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError(
                path, "encrypted (password-protected) PDF",
                hint="ask the sender for a copy without an open password and submit that",
            ) from exc  # fmt: skip
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError(
                path, "encrypted PDF with an unsupported security handler",
                hint="print or export it to a plain PDF and submit that",
            ) from exc  # fmt: skip
        raise ExtractionError(path, "corrupt or truncated PDF") from exc


@dataclass
class _Reader:
    """Reads one open document into a TextBuilder: pages first, then everything else."""

    data: bytes
    path: str
    doc: pdfium.PdfDocument
    limits: Limits
    whole: bool  # also read what lies beyond the pages (pdf_hidden)
    structure: pikepdf.Pdf | None  # the same file through qpdf; None if qpdf cannot read it
    out: TextBuilder = field(default_factory=TextBuilder)
    active: list[ActiveContent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: list[UnreadablePage] = field(default_factory=list)
    annotations: list[tuple[int, str, str]] = field(default_factory=list)
    plumber: Any = None
    plumber_failed: bool = False
    plumber_misses: int = 0  # pages pdfplumber could not read either
    plumber_helped: bool = False
    ocr: OcrSession | None = None
    hidden_layers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.structure is not None:
            self.hidden_layers = hidden_layers(self.structure)

    def run(self) -> Extracted:
        joined_lines = 0
        for index in range(len(self.doc)):
            joined_lines += self.page(index)
        if joined_lines:
            self.notes.append(f"joined {joined_lines} line breaks inside wrapped Chinese words")
        if b"%%EOF" not in self.data[-2048:]:
            self.notes.append("no %%EOF at the end of the file: it may be truncated")
        self.add_annotations()
        self.add_properties()
        if self.whole and self.structure is not None:
            beyond = add_beyond_pages(
                self.data, self.structure, self.out, self.limits, self.read_pages, extract_bytes
            )
            self.active += beyond.items
            self.notes += beyond.notes
        return Extracted(
            path=self.path, sha256="", size=0, format="pdf", text=self.out.text(),
            segments=tuple(self.out.segments), pages=len(self.doc),
            unreadable_pages=tuple(self.unreadable), notes=tuple(self.notes),
            ocr=tuple(self.ocr.texts) if self.ocr else (),
            active_content=tuple(self.active) if self.whole else (),
        )  # fmt: skip

    def read_pages(self, data: bytes) -> Extracted:
        """Another PDF made of this file's bytes (an earlier revision, an orphan's page)."""
        return extract_pages(data, self.path, self.limits)

    def close(self) -> None:
        if self.plumber is not None:
            self.plumber.close()

    # -- pages ----------------------------------------------------------------------------
    def page(self, index: int) -> int:
        """Add one page's text; returns how many wrapped-word line breaks were joined."""
        number = index + 1
        raw = self.read(index)
        if raw is None:
            self.unreadable.append(UnreadablePage(number, BROKEN))
            return 0
        text, hidden, notes = self.judge(index, raw)
        numbers = repair.wrapped_numbers(text)
        lines = repair.wrapped_lines(text)
        if numbers:
            joined = sum(text[i] == "\n" for i in numbers)
            notes.append(f"joined {joined} wrapped ID/account number(s)")
        self.notes.extend(f"page {number}: {note}" for note in notes)
        text, hidden = repair.drop(text, hidden, numbers + lines)
        unseen = 0
        for piece, is_hidden in repair.runs(text, hidden):
            where = Where.INVISIBLE if is_hidden else Where.PAGE
            self.out.add(piece, where, Where.PAGE, page=number)
            unseen += repair.count_visible(piece) if is_hidden else 0
        self.out.separate("\n")
        if unseen:
            why = [n for n in notes if " characters " in n or n.startswith(visibility.BOX_NOTE)]
            self.active.append(ActiveContent(
                "invisible_text", f"page {number}",
                f"{unseen} characters no reader sees: {'; '.join(why)}", number,
            ))  # fmt: skip
        return len(lines)

    def read(self, index: int) -> _RawPage | None:
        """The page through pdfium (None if pdfium cannot parse it); collects its annotations.

        NOTE: raw page and text page handles, closed here, not pypdfium2's PdfPage and
        PdfTextPage: their weakref finalizers and parent bookkeeping were measured at ~3% of
        the time to extract a text PDF.
        """
        page = pdfium_c.FPDF_LoadPage(self.doc.raw, index)
        if not page:
            return None
        try:
            found = repair.page_annotations(page)
            self.annotations.extend((index + 1, text, author) for text, author in found)
            return _read_page(page, self.hidden_layers)
        finally:
            pdfium_c.FPDF_ClosePage(page)

    def judge(self, index: int, raw: _RawPage) -> tuple[str, list[bool] | None, list[str]]:
        """Record the page as unreadable if it is a scan or pdfium's text is garbage or lost.

        A scan keeps what text it has (a watermark is real text). Garbage is dropped unless
        pdfplumber, which maps fonts its own way, reads the page.
        NOTE: pdfium skips a text object it cannot measure: one glyph of a CJK font that is not
        embedded, on a machine without that font. Far fewer characters than text objects means
        text went missing, and pdfminer does not need the font to read it.
        """
        visible = repair.count_visible(raw.text)
        if (visible == 0 and raw.image_share > 0) or (
            visible < SCAN_MAX_CHARS and raw.image_share >= SCAN_IMAGE_SHARE
        ):
            self.read_scan(index)
            return raw.text, raw.hidden, list(raw.notes)
        garbage = max(repair.garbage_share(raw.text), raw.unmapped) > GARBAGE_SHARE
        if not garbage and visible >= raw.text_objects / 2:
            return raw.text, raw.hidden, list(raw.notes)
        # NOTE: the fonts are usually the same on every page; after a few pages pdfplumber
        # could not read either, it is not asked again (it reads ~20 pages/s).
        ask = self.plumber_helped or self.plumber_misses < _PLUMBER_TRIES
        fallback = self.plumber_text(index) if ask else ""
        if repair.garbage_share(fallback) <= GARBAGE_SHARE and (
            repair.count_visible(fallback) > (0 if garbage else visible)
        ):
            self.plumber_helped = True
            return fallback, None, ["pdfium could not read this page's fonts; read by pdfplumber"]
        self.plumber_misses += 1
        self.unreadable.append(UnreadablePage(index + 1, UNMAPPED if garbage else LOST))
        return ("", None, []) if garbage else (raw.text, raw.hidden, list(raw.notes))

    def read_scan(self, index: int) -> None:
        """OCR a scanned page (its text goes before the page's own, a stamp or watermark);
        the page stays unreadable, with the reason, when OCR cannot read it well enough."""
        if self.ocr is None:
            self.ocr = OcrSession(self.limits, self.out)
        page = self.doc[index]
        try:
            doubt = self.ocr.read_page(page, index + 1)
        finally:
            page.close()
        if doubt:
            self.unreadable.append(UnreadablePage(index + 1, f"{SCANNED}: {doubt}"))

    def open_plumber(self) -> Any:
        if self.plumber is None and not self.plumber_failed:
            import pdfplumber

            _guard_pdfminer()
            try:
                self.plumber = pdfplumber.open(io.BytesIO(self.data))
            except _pdfminer_errors() as exc:
                _raise_bomb(exc)
                self.plumber_failed = True
                self.notes.append(f"pdfplumber cannot open the file ({type(exc).__name__})")
        return self.plumber

    def plumber_text(self, index: int) -> str:
        """pdfplumber's text for one page ("" when it fails): pdfminer reads fonts its own way."""
        pdf = self.open_plumber()
        if pdf is None:
            return ""
        try:
            page = pdf.pages[index]
            return str(page.extract_text() or "")
        except _pdfminer_errors() as exc:
            _raise_bomb(exc)
            log.info("pdfplumber failed on page %d: %s", index + 1, type(exc).__name__)
            return ""

    # -- after the pages --------------------------------------------------------------------
    def add_annotations(self) -> None:
        authors: list[str] = []
        for number, text, author in self.annotations:
            self.out.add(text, Where.ANNOTATION, part="annot", page=number)
            self.out.separate("\n")
            if author and author not in authors:
                authors.append(author)
        if authors:
            self.out.add(f"批注作者：{'、'.join(authors)}", Where.PROPERTY, part="annot-authors")
            self.out.separate("\n")

    def add_properties(self) -> None:
        info = self.doc.get_metadata_dict(skip_empty=True)
        seen = set()
        for key, label in INFO_LABELS.items():
            value = info.get(key, "").strip()
            if value:
                seen.add(value)
                self.out.add(f"{label}：{value}", Where.PROPERTY, part=f"pdf:{key}")
                self.out.separate("\n")
        # NOTE: the catalog's /Metadata stream dict is never inside an object stream, so the
        # bytes name it whenever the file has XMP; pdfminer is only opened for those files.
        if b"/Metadata" not in self.data:
            return
        for key, value in self.xmp():
            if value not in seen:
                seen.add(value)
                self.out.add(f"{XMP_LABELS[key]}：{value}", Where.PROPERTY, part=f"xmp:{key}")
                self.out.separate("\n")

    def xmp(self) -> list[tuple[str, str]]:
        """The XMP packet's title, creator, description, keywords and tools."""
        from pdfminer.pdftypes import PDFStream, resolve1

        pdf = self.open_plumber()
        if pdf is None:
            return []
        try:
            stream = resolve1(pdf.doc.catalog.get("Metadata"))
            if not isinstance(stream, PDFStream):
                return []
            if len(stream.rawdata or b"") > _XMP_MAX_RAW:
                self.notes.append("XMP metadata is too large; not read")
                return []
            packet = stream.get_data()
        except _pdfminer_errors() as exc:
            _raise_bomb(exc)
            self.notes.append(f"XMP metadata not read ({type(exc).__name__})")
            return []
        try:
            root = parse_xml(self.path, "XMP metadata", packet.strip())
        except ExtractionError as exc:
            self.notes.append(f"XMP metadata not read: {exc.reason}")
            return []
        return _xmp_fields(root)


def _xmp_fields(root: etree._Element) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for desc in root.iter(RDF_DESCRIPTION):
        pairs = [(etree.QName(k), v) for k, v in desc.attrib.items()]
        pairs += [(etree.QName(el), "、".join(t.strip() for t in el.itertext() if t.strip()))
                  for el in desc if isinstance(el.tag, str)]  # fmt: skip
        for name, value in pairs:
            key = f"{XMP_PREFIXES.get(name.namespace or '', '')}:{name.localname}"
            if key in XMP_LABELS and value.strip():
                found.append((key, value.strip()))
    return found


# -- one page through pdfium -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _RawPage:
    """pdfium's reading of one page, before the text-level checks and repairs."""

    text: str  # "\n" line ends; pdfium's gap spaces between CJK and Latin removed
    hidden: list[bool] | None  # per character: drawn where no reader can see it
    image_share: float  # share of the page area under images
    text_objects: int  # text objects on the page, to notice text pdfium dropped
    unmapped: float  # sampled share of characters pdfium could not map to Unicode
    notes: tuple[str, ...] = ()


def _read_page(page: Any, hidden_layers: frozenset[str]) -> _RawPage | None:
    """One page from its raw pdfium handle (None if pdfium cannot read its box or its text)."""
    bbox = _page_box(page)
    if bbox is None:
        return None
    layout = visibility.PageObjects(page, bbox, hidden_layers)
    is_ocr = layout.has_invisible and layout.image_share >= SCAN_IMAGE_SHARE
    if is_ocr:  # NOTE: invisible text over a page-size scan is what the reader sees, as OCR
        layout.forget_invisible()
    textpage = pdfium_c.FPDFText_LoadPage(page)
    if not textpage:
        return None
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        text = _all_text(textpage, count)
        if len(text) != count:
            # NOTE: per-character work needs text index == char index; characters beyond the
            # BMP break that, so such a page keeps its text but loses the invisible labels.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            note = "characters outside the BMP: invisible text not labelled"
            return _RawPage(text, None, layout.image_share, layout.text_objects, 0.0, (note,))
        unmapped = repair.unmapped_share(textpage, text)
        hidden, notes = visibility.hidden_chars(textpage, bbox, text, layout)
        drops = repair.gap_spaces(textpage, text)
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)
    text, hidden = _drop_with_crlf(text, hidden, drops)
    if is_ocr:
        notes = (*notes, "invisible text over a page-size image read as its OCR layer")
    text = text.replace("\r", "\n")
    return _RawPage(text, hidden, layout.image_share, layout.text_objects, unmapped, notes)


def _drop_with_crlf(
    text: str, hidden: list[bool] | None, drops: list[int]
) -> tuple[str, list[bool] | None]:
    """`text` without the characters at `drops` and the "\r" of each "\r\n"; flags kept in step.

    NOTE: most pages have neither flags nor gap spaces: str.replace then does drop's work.
    """
    if hidden is None and not drops:
        return text.replace("\r\n", "\n"), None
    return repair.drop(text, hidden, drops + [m.start() for m in re.finditer("\r\n", text)])


def _page_box(page: Any) -> visibility.Box | None:
    """The page's visible box (media box clipped by crop box), as PdfPage.get_bbox reads it."""
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDF_GetPageBoundingBox(page, rect):
        return None
    return rect.left, rect.bottom, rect.right, rect.top


def _all_text(textpage: Any, count: int) -> str:
    if count <= 0:
        return ""
    buffer = (ctypes.c_ushort * (2 * count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    return ctypes.string_at(buffer, 2 * max(written - 1, 0)).decode("utf-16-le", "replace")
