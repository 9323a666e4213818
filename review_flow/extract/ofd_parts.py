"""The OFD parts beside the pages: attachments (read through the same extractors), custom
tags, signatures, and parts no reference reaches.

Nothing here follows a link out of the package or verifies a signature.
"""

from __future__ import annotations

import html
import posixpath
import re
from contextvars import ContextVar
from typing import TYPE_CHECKING

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract import ofd_geometry as geometry
from review_flow.extract import ofd_layout as layout
from review_flow.extract.limits import parse_xml
from review_flow.extract.model import Extracted, Where

if TYPE_CHECKING:
    from review_flow.extract.ofd_package import Package

MAX_NESTING = 3  # an OFD attached to an OFD attached to …, at most this deep
# How deep the attachment being read is nested (an attached OFD comes back to this module).
nesting: ContextVar[int] = ContextVar("ofd_nesting", default=0)
TEXT_PARTS = (".xml", ".txt")
_TAG = re.compile(r"<[^>]*>")
_OBJECT_REF = re.compile(r"<(?:[\w.-]*:)?ObjectRef\b[^>]*>[^<]*<")


# -- attachments --------------------------------------------------------------------------------
def attachments(pkg: Package, folder: str, loc: str | None) -> None:
    """Each attached file's text, extracted by the extractor its bytes call for."""
    part = pkg.locate(folder, loc)
    if part is None:
        if loc:
            pkg.missing("attachment list", loc)
        return
    root = pkg.xml(part)
    t = geometry.tags_for(root)
    for item in root.iter(t("Attachment")):
        label = item.get("Name") or item.get("ID") or "?"
        file_loc = item.findtext(t("FileLoc"))
        name = pkg.locate(posixpath.dirname(part), file_loc)
        if name is None:
            pkg.missing(f"attached file {label}", file_loc)
            continue
        if layout.hidden_unit(item):
            pkg.notes.append(f"attachment {label} is marked not visible; its content is read")
        fmt = (item.get("Format") or posixpath.splitext(name)[1].lstrip(".")).lower()
        filename = label if posixpath.splitext(label)[1] else f"{label}.{fmt or 'bin'}"
        read_attachment(pkg, label, filename, pkg.bytes_of(name))


def read_attachment(pkg: Package, label: str, filename: str, data: bytes) -> None:
    where = f"attachment {label}"
    if filename.lower().endswith(".xml") or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        try:
            root = lenient_xml(pkg, where, data)
        except ExtractionError as exc:  # (a DTD or entities: the attachment is not read)
            pkg.add_active("embedded_file", where, f"attached file not read: {exc.reason}")
            return
        for text in root if isinstance(root, list) else _texts(root):
            pkg.out.add(text, Where.ATTACHMENT, part=where)
            pkg.out.separate("\n")
        return
    depth = nesting.get()
    if depth >= MAX_NESTING:
        pkg.add_active("embedded_file", where, f"attached file nested over {MAX_NESTING} deep")
        return
    from review_flow.extract import extract_bytes  # (the dispatcher, which imports this module)

    token = nesting.set(depth + 1)
    try:
        inner = extract_bytes(data, filename, pkg.limits)
    except ExtractionError as exc:
        pkg.add_active("embedded_file", where, f"attached file not read: {exc.reason}")
        return
    finally:
        nesting.reset(token)
    copy(pkg, inner, where)


def copy(pkg: Package, inner: Extracted, where: str) -> None:
    """The attached file's text as it was extracted, each piece labelled as an attachment."""
    previous = 0
    for seg in inner.segments:
        gap = inner.text[previous : seg.start]
        if gap:
            pkg.out.separate(gap)
        pkg.out.add(inner.text[seg.start : seg.end], Where.ATTACHMENT, Where.ATTACHMENT,
                    f"{where}: {seg.where}")  # fmt: skip
        previous = seg.end
    pkg.out.separate("\n")
    for page in inner.unreadable_pages:
        pkg.add_active(
            "unreadable_attachment", where, f"page {page.page} of the attached file: {page.reason}"
        )
    for item in inner.active_content:
        pkg.add_active(item.kind, f"{where}: {item.where}", item.detail)
    pkg.notes.extend(f"{where}: {note}" for note in inner.notes)


def _texts(root: etree._Element) -> list[str]:
    return [s.strip() for s in root.itertext() if s.strip()]


# -- custom tags ------------------------------------------------------------------------------
def custom_tags(pkg: Package, folder: str, loc: str | None) -> None:
    """Text a custom tag part holds (it mostly points at page objects, which are read)."""
    part = pkg.locate(folder, loc)
    if part is None:
        return
    root = pkg.xml(part)
    t = geometry.tags_for(root)
    for tag in root.iter(t("CustomTag")):
        file_loc = tag.findtext(t("FileLoc"))
        name = pkg.locate(posixpath.dirname(part), file_loc)
        if name is None:
            pkg.missing("custom tag part", file_loc)
            continue
        for text in _tag_texts(pkg, name):
            pkg.out.add(text, Where.CUSTOM_XML, part=name)
            pkg.out.separate("\n")


def lenient_xml(pkg: Package, name: str, data: bytes) -> etree._Element | list[str]:
    """A side part parsed, or, when it is not well-formed XML, its text read between the tags.

    NOTE: producers write custom tag parts that are not well-formed XML (an empty prefix,
    `<:eInvoice xmlns:="">`, in real invoices): their text is still what a reader could
    recover. A part with a DTD or entities is refused all the same.
    """
    try:
        return parse_xml(pkg.path, name, data)
    except ExtractionError as exc:
        if "not well-formed" not in exc.reason:
            raise
    raw = _OBJECT_REF.sub("<", data.decode("utf-8", "replace"))
    return [s.strip() for s in html.unescape(_TAG.sub("\n", raw)).split("\n") if s.strip()]


def _tag_texts(pkg: Package, name: str) -> list[str]:
    """The text of a tag part outside its ObjectRef elements."""
    root = lenient_xml(pkg, name, pkg.bytes_of(name))
    if isinstance(root, list):
        return root
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname == "ObjectRef":
            continue
        for text in (el.text, *(c.tail for c in el)):
            if text and text.strip():
                out.append(text.strip())
    return out


# -- signatures ---------------------------------------------------------------------------------
def signatures(pkg: Package, part: str | None, page_numbers: dict[str, int]) -> None:
    """Note who signed or sealed the document; signature values are not verified."""
    if part is None:
        return
    root = pkg.xml(part)
    t = geometry.tags_for(root)
    providers: list[str] = []
    pages: list[str] = []
    count = 0
    for sign in root.iter(t("Signature")):
        count += 1
        name = pkg.locate(posixpath.dirname(part), sign.get("BaseLoc"))
        if name is None:
            continue
        signed = pkg.xml(name)
        st = geometry.tags_for(signed)
        for provider in signed.iter(st("Provider")):
            if provider.get("ProviderName") and provider.get("ProviderName") not in providers:
                providers.append(provider.get("ProviderName", ""))
        for stamp in signed.iter(st("StampAnnot")):
            number = page_numbers.get(stamp.get("PageRef", ""))
            if number is not None and str(number) not in pages:
                pages.append(str(number))
    if count:
        by = f" by {', '.join(providers)}" if providers else ""
        on = f", seal on page {', '.join(pages)}" if pages else ""
        pkg.notes.append(
            f"signed: {count} electronic signature(s){by}{on}; read, signatures not verified"
        )


# -- parts nothing references -----------------------------------------------------------------
def unreferenced(pkg: Package) -> None:
    """Text parts no reference from OFD.xml reaches (GM/T 0099 calls them 夹带文件), or only
    an earlier version's (labelled `revision`, part "version N: …")."""
    for name in sorted(pkg.names - pkg.read_parts):
        if not name.lower().endswith(TEXT_PARTS):
            continue
        data = pkg.bytes_of(name)
        texts: list[str]
        if name.lower().endswith(".txt"):
            texts = [s.strip() for s in data.decode("utf-8", "replace").splitlines() if s.strip()]
        else:
            root = lenient_xml(pkg, name, data)
            if isinstance(root, list):
                texts = root
            elif etree.QName(root).localname == "Page":
                texts = _page_texts(root)
            else:
                texts = _texts(root)
        version = pkg.versions.get(name)
        if version:  # an earlier version's part, which the current document no longer uses
            pkg.add_active("earlier_version", name, f"a part only {version} of the document uses")
        else:
            pkg.add_active("unreferenced_part", name, "a part no reference in the package reaches")
        where = Where.REVISION if version else Where.UNREFERENCED
        for text in texts:
            pkg.out.add(text, where, part=f"{version}: {name}" if version else name)
            pkg.out.separate("\n")


def _page_texts(root: etree._Element) -> list[str]:
    """The text objects' text of a page-like part, without path data."""
    t = geometry.tags_for(root)
    return [code.text.strip() for code in root.iter(t("TextCode")) if code.text and
            code.text.strip()]  # fmt: skip
