"""Files attached to a PDF (the EmbeddedFiles name tree, FileAttachment annotations): their
names and their content, read recursively through the same extractors.

Each attachment is an `embedded_file` active content item (a person clears what the text alone
cannot show) and its text joins the document as `attachment` segments. What one attachment may
inflate is bounded by the stream limit, and nesting by `max_embedding_depth` (as a .docx's
embedded packages are); nothing is ever opened.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pikepdf

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits, StreamTooLarge, human, inflate
from review_flow.extract.model import ActiveContent, Extracted, TextBuilder, Where

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 100
_FLOW = (Where.BODY, Where.TABLE, Where.TEXTBOX, Where.PAGE, Where.INVISIBLE)
# NOTE: a context variable, not an argument: the nesting runs through extract_bytes and other
# formats' extractors (a PDF in an OFD in a PDF) and still counts each PDF level.
_depth = contextvars.ContextVar("pdf_attachment_depth", default=0)

Extract = Callable[[bytes, str, Limits], Extracted]


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file: its name, the page of its annotation (None: document level), bytes."""

    name: str
    page: int | None
    data: bytes | None  # None: could not be read within the limits
    problem: str = ""


def find_attachments(pdf: pikepdf.Pdf, limits: Limits) -> list[Attachment]:
    """Every attached file, document-level first, then annotation by annotation."""
    found: list[Attachment] = []
    for name, spec, page in _specs(pdf):
        if len(found) >= MAX_ATTACHMENTS:
            break
        data, problem = _payload(pdf, spec, limits)
        found.append(Attachment(name, page, data, problem))
    return found


def _specs(pdf: pikepdf.Pdf) -> Iterator[tuple[str, object, int | None]]:
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/EmbeddedFiles" in names:
        try:
            for key, spec in pikepdf.NameTree(names.EmbeddedFiles).items():
                yield _file_name(spec, str(key)), spec, None
        except (pikepdf.PdfError, ValueError, TypeError) as exc:
            log.info("EmbeddedFiles name tree not read: %s", type(exc).__name__)
    for number, page in enumerate(pdf.pages, 1):
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, pikepdf.Array) else []:
            if (
                isinstance(annot, pikepdf.Dictionary)
                and annot.get("/Subtype") == pikepdf.Name.FileAttachment
            ):
                linked = annot.get("/FS")
                yield _file_name(linked, f"page {number} attachment"), linked, number


def _file_name(spec: object, fallback: str) -> str:
    if isinstance(spec, pikepdf.Dictionary):
        for key in ("/UF", "/F"):
            value = spec.get(key)
            if isinstance(value, pikepdf.String):
                return str(value).replace("\n", " ").strip() or fallback
    if isinstance(spec, pikepdf.String):
        return str(spec)
    return fallback


def _payload(pdf: pikepdf.Pdf, spec: object, limits: Limits) -> tuple[bytes | None, str]:
    """The attached bytes, decoded under the stream limit (None and why when they cannot be)."""
    files = spec.get("/EF") if isinstance(spec, pikepdf.Dictionary) else None
    stream = None
    if isinstance(files, pikepdf.Dictionary):
        stream = files.get("/UF", files.get("/F"))
    if not isinstance(stream, pikepdf.Stream):
        return None, "a reference to an outside file, not embedded"
    try:
        raw = stream.read_raw_bytes()
        filters = stream.stream_dict.get("/Filter")
        chain = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
        chain = [f for f in chain if f is not None]
        if not chain:
            data = raw
        elif chain == [pikepdf.Name.FlateDecode] and "/DecodeParms" not in stream.stream_dict:
            data, complete = inflate(raw, limits.max_stream_bytes)
            if not complete:
                return None, "damaged compressed data"
        elif not pdf.is_encrypted:
            # NOTE: every stream of an unencrypted file was decoded under the limit before
            # pdfium saw it (limits.check_pdf_streams), so qpdf may decode this one.
            data = stream.read_bytes()
        else:
            return None, f"filters {chain} in an encrypted file are not decoded"
    except StreamTooLarge:
        return None, f"inflates past the {human(limits.max_stream_bytes)} stream limit"
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        return None, f"cannot be decoded ({type(exc).__name__})"
    if len(data) > limits.max_file_bytes:
        return None, f"{human(len(data))}, over the file limit"
    return data, ""


def add_attachments(
    attachments: list[Attachment], out: TextBuilder, limits: Limits, extract: Extract
) -> tuple[list[ActiveContent], list[str]]:
    """Append each attachment's name and text; return its active content items and notes."""
    items: list[ActiveContent] = []
    notes: list[str] = []
    for index, item in enumerate(attachments, 1):
        part = f"attachment {item.name}"
        out.add(f"嵌入文件：{item.name}", Where.ATTACHMENT, part=part, page=item.page)
        out.separate("\n")
        what, nested = _read(item, limits, extract)
        if nested is not None:
            _add_nested(nested, out, part)
            items += [
                ActiveContent(a.kind, f"attachment {index}: {a.where}", a.detail, item.page)
                for a in nested.active_content
            ]
        where = f"attachment {index}" + (f" on page {item.page}" if item.page else "")
        items.append(ActiveContent("embedded_file", where, f"embedded file: {what}", item.page))
    if attachments:
        notes.append(f"PDF embeds {len(attachments)} file(s); their text is read as attachments")
    return items, notes


def _read(item: Attachment, limits: Limits, extract: Extract) -> tuple[str, Extracted | None]:
    if item.data is None:
        return f"not read: {item.problem}", None
    depth = _depth.get()
    if depth >= limits.max_embedding_depth:
        return f"{human(len(item.data))}, nested {depth} deep: not read", None
    token = _depth.set(depth + 1)
    try:
        nested = extract(item.data, item.name, limits)
    except ExtractionError as exc:
        return f"{human(len(item.data))}, not read: {exc.reason}", None
    finally:
        _depth.reset(token)
    unread = len(nested.unreadable_pages)
    unread_note = f", {unread} page(s) unreadable" if unread else ""
    return f"{nested.format}, {human(len(item.data))}, text extracted{unread_note}", nested


def _add_nested(nested: Extracted, out: TextBuilder, part: str) -> None:
    """The attachment's segments and separators, each relabelled `attachment`.

    NOTE: the scanner reads a document's head and tail from its flow of body and page lines;
    an attachment's are not the document's, so they get the container `attachment`. Other
    containers are kept (a marking in an attached document's header is still in a header).
    """
    previous_end = 0
    for segment in nested.segments:
        between = nested.text[previous_end : segment.start]
        if between:
            out.separate(between)
        container = Where.ATTACHMENT if segment.container in _FLOW else segment.container
        out.add(nested.text[segment.start : segment.end], Where.ATTACHMENT, container, part)
        previous_end = segment.end
    out.separate("\n")
