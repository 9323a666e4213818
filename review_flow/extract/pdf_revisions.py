"""Earlier revisions of an incrementally updated PDF, and orphan objects its updates added.

An incremental update appends changed objects and a new xref after the file's `%%EOF`: every
reader shows the last revision, but the bytes up to each earlier `%%EOF` are still a whole PDF
holding what was "removed". Each earlier revision is read with the page extractor, and only its
lines the final text lacks are added (`revision` segments, part "revision N"), so a signed or
re-saved file does not repeat its text. A content stream an update added that nothing reaches
is an orphan: its text is read on a page of its own (`unreferenced` segments) and flagged.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf

from review_flow.errors import ExtractionError
from review_flow.extract.model import ActiveContent, Extracted, TextBuilder, Where
from review_flow.extract.pdf_structure import reachable

log = logging.getLogger(__name__)

MAX_REVISIONS = 20  # earlier revisions read: the oldest and the newest ten
MAX_ORPHANS = 50
MAX_ADDED = 5000  # objects an update added that are looked at for orphan content
_END = re.compile(rb"startxref\s*(\d+)\s*%%EOF[ \t]*(?:\r\n|\r|\n)?")
_SHOWS_TEXT = re.compile(rb"BT\b[\s\S]*?(?:Tj|TJ|'|\")[\s\S]*?\bET")

ReadPages = Callable[[bytes], Extracted]
XrefEntry = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Revision:
    """A whole earlier revision: the file cut after its `%%EOF`, its xref as qpdf reads it."""

    number: int
    end: int
    xref: dict[tuple[int, int], XrefEntry]
    roots: tuple[object, ...]  # the trailer's /Root and /Info references


def earlier_revisions(data: bytes) -> list[Revision]:
    """Each earlier revision that is a whole PDF on its own, oldest first.

    NOTE: a linearized file's first `%%EOF` ends a first-page section whose trailer points past
    the cut: qpdf must repair the cut file, so that is no revision. A Word "hybrid" file's
    second section only adds an xref stream; nothing changed, so reading it finds no new line.
    """
    if data.count(b"%%EOF") < 2:  # the usual file: one revision, nothing to look at
        return []
    ends = [
        m.end()
        for m in _END.finditer(data)
        if int(m.group(1)) < m.start() and data[m.end() :].strip(b"\x00\r\n\t\f ")
    ]
    if len(ends) > MAX_REVISIONS:
        # NOTE: a hostile file may hold thousands of "%%EOF"s; each one read costs a parse of
        # the file up to it. The oldest revisions hold what was removed first, the newest
        # what was removed last: both ends are read, the middle only counted.
        log.info("%d earlier revisions; %d read", len(ends), MAX_REVISIONS)
        ends = ends[: MAX_REVISIONS // 2] + ends[-MAX_REVISIONS // 2 :]
    found: list[Revision] = []
    for end in ends:
        try:
            with pikepdf.Pdf.open(io.BytesIO(data[:end])) as pdf:
                if pdf.get_warnings():
                    continue
                found.append(Revision(len(found) + 1, end, _xref(pdf), _roots(pdf)))
        except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RuntimeError):
            continue
    return found


def _xref(pdf: pikepdf.Pdf) -> dict[tuple[int, int], XrefEntry]:
    return {
        key: (e.type, e.offset or 0, e.obj_stream_number or 0, e.obj_stream_index or 0)
        for key, e in pdf.get_xref_table().items()
    }


def _roots(pdf: pikepdf.Pdf) -> tuple[object, ...]:
    return tuple(
        value.objgen if isinstance(value, pikepdf.Object) and value.is_indirect else None
        for value in (pdf.trailer.get("/Root"), pdf.trailer.get("/Info"))
    )


def changed_since(revision: Revision, final: pikepdf.Pdf) -> bool:
    """Whether a later update replaced, freed or bypassed an object of `revision`.

    NOTE: an update that only adds objects cannot hide what the revision showed; only then is
    the revision's text worth reading.
    """
    now = _xref(final)
    if _roots(final) != revision.roots:
        return True
    return any(now.get(key) != entry for key, entry in revision.xref.items() if entry[0] != 0)


def add_revisions(
    data: bytes, revisions: list[Revision], final: pikepdf.Pdf, final_text: str,
    out: TextBuilder, read: ReadPages,
) -> tuple[list[ActiveContent], list[str]]:  # fmt: skip
    """Append the lines of each changed earlier revision the final text lacks."""
    items: list[ActiveContent] = []
    changed = [revision for revision in revisions if changed_since(revision, final)]
    # NOTE: Word's "hybrid" files end in a second xref section that changes nothing: no note.
    notes = [f"{len(revisions) + 1} revisions (incremental updates)"] if changed else []
    seen = {line.strip() for line in final_text.split("\n")}
    for revision in changed:
        part = f"revision {revision.number}"
        try:
            earlier = read(data[: revision.end])
        except ExtractionError as exc:
            items.append(ActiveContent("earlier_revision", part, f"not read: {exc.reason}"))
            continue
        lines = _new_lines(earlier, seen)
        for text, page in lines:
            # NOTE: container `revision`, not `page`: the scanner reads a document's head and
            # tail from its flow of page lines, and these lines are not where it ends.
            out.add(text, Where.REVISION, Where.REVISION, part, page)
            out.separate("\n")
        if lines:
            items.append(ActiveContent(
                "earlier_revision", part,
                f"an earlier revision holds {len(lines)} line(s) the final file does not show",
            ))  # fmt: skip
    return items, notes


def _new_lines(earlier: Extracted, seen: set[str]) -> list[tuple[str, int | None]]:
    """The revision's lines, segment by segment, that are neither in the final text nor repeated."""
    found: list[tuple[str, int | None]] = []
    for segment in earlier.segments:
        for line in earlier.text[segment.start : segment.end].split("\n"):
            key = line.strip()
            if key and key not in seen:
                seen.add(key)
                found.append((key, segment.page))
    return found


def add_orphans(
    pdf: pikepdf.Pdf, first: Revision, out: TextBuilder, read: ReadPages
) -> list[ActiveContent]:
    """Content streams an update added that no page or catalog reaches: text and a flag."""
    now = _xref(pdf)
    # NOTE: a stream is never inside an object stream (xref type 2), so only objects written
    # whole after the first revision's end can be an update's content stream.
    added = [
        key
        for key, entry in now.items()
        if entry[0] == 1 and entry[1] >= first.end and first.xref.get(key) != entry
    ]
    streams = (_text_stream(pdf, key) for key in added[:MAX_ADDED])
    candidates = [stream for stream in streams if stream is not None]
    if not candidates:
        return []
    reached = reachable(pdf)
    items: list[ActiveContent] = []
    for stream in candidates[:MAX_ORPHANS]:
        number = stream.objgen[0]
        if stream.objgen in reached:
            continue
        part = f"object {number}"
        try:
            text = read(_page_of(pdf, stream))
        except (ExtractionError, pikepdf.PdfError, ValueError, RuntimeError) as exc:
            log.info("orphan object %d not read: %s", number, type(exc).__name__)
            text = None
        if text is not None:
            for segment in text.segments:
                if segment.container == Where.PAGE:
                    piece = text.text[segment.start : segment.end]
                    out.add(piece, Where.UNREFERENCED, Where.UNREFERENCED, part)
            out.separate("\n")
        items.append(ActiveContent(
            "orphan_object", part,
            "content stream added by an incremental update that no page or catalog reaches",
        ))  # fmt: skip
    return items


def _text_stream(pdf: pikepdf.Pdf, key: tuple[int, int]) -> pikepdf.Stream | None:
    """The object, if it is a page content or form stream that shows text."""
    try:
        obj = pdf.get_object(key)
        if not isinstance(obj, pikepdf.Stream):
            return None
        subtype = obj.stream_dict.get("/Subtype")
        if "/Type" in obj.stream_dict and subtype != pikepdf.Name.Form:
            return None
        if subtype is not None and subtype != pikepdf.Name.Form:
            return None
        # NOTE: every stream of an unencrypted file was decoded under the stream limit before
        # pdfium saw it (limits.check_pdf_streams); an encrypted file's are not read here.
        if pdf.is_encrypted:
            return None
        return obj if _SHOWS_TEXT.search(obj.read_bytes()) else None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return None


def _page_of(pdf: pikepdf.Pdf, stream: pikepdf.Stream) -> bytes:
    """A one-page PDF drawing `stream` with the fonts of the document's pages."""
    fonts: dict[str, pikepdf.Object] = {}
    own = stream.stream_dict.get("/Resources")
    sources = [own] + [page.obj.get("/Resources") for page in list(pdf.pages)[:50]]
    for resources in sources:
        found = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(found, pikepdf.Dictionary):
            for name, font in found.items():
                fonts.setdefault(str(name), font)
    box = [float(v) for v in pdf.pages[0].mediabox] if len(pdf.pages) else [0, 0, 595, 842]
    new = pikepdf.new()
    font_dict = pikepdf.Dictionary()
    for name, font in fonts.items():
        font_dict[name] = new.copy_foreign(font) if font.is_indirect else font
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=pikepdf.Array(box),
        Resources=pikepdf.Dictionary(Font=font_dict), Contents=new.make_stream(stream.read_bytes()),
    )  # fmt: skip
    new.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    new.save(out)
    return out.getvalue()
