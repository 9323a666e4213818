"""File bytes → Extracted. Decides the format from the bytes, never from the file name alone."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import zipfile
from collections.abc import Callable

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits, check_size
from review_flow.extract.model import ActiveContent, Extracted, Segment, UnreadablePage, Where

__all__ = [
    "EXTRACTORS",
    "ActiveContent",
    "Extracted",
    "Limits",
    "Segment",
    "UnreadablePage",
    "Where",
    "extract_file",
]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = {".txt", ".md", ".text", ".csv"}

Extractor = Callable[[bytes, str, Limits], Extracted]


def _docx(data: bytes, path: str, limits: Limits) -> Extracted:
    from review_flow.extract import docx

    return docx.extract(data, path, limits)


def _pdf(data: bytes, path: str, limits: Limits) -> Extracted:
    from review_flow.extract import pdf

    return pdf.extract(data, path, limits)


def _ofd(data: bytes, path: str, limits: Limits) -> Extracted:
    from review_flow.extract import ofd

    return ofd.extract(data, path, limits)


def _text(data: bytes, path: str, limits: Limits) -> Extracted:
    from review_flow.extract import text

    return text.extract(data, path, limits)


def _through_libreoffice(fmt: str) -> Extractor:
    def extract(data: bytes, path: str, limits: Limits) -> Extracted:
        from review_flow.extract import converted

        if fmt in converted.TEXT_FORMATS:
            return converted.extract_text_document(data, path, fmt, limits)
        return converted.extract_spreadsheet(data, path, fmt, limits)

    return extract


# Imports are lazy so `review-flow --help` does not load lxml or pdfium.
EXTRACTORS: dict[str, Extractor] = {
    "docx": _docx,
    "pdf": _pdf,
    "ofd": _ofd,
    "text": _text,
    **{
        fmt: _through_libreoffice(fmt)
        for fmt in ("doc", "dot", "wps", "wpt", "rtf", "odt", "xls", "et", "ods", "xlsx")
    },
}
# The name an OLE compound file's format gets, by what it holds and then by its suffix.
OLE_FORMATS = {
    "text": ({".doc": "doc", ".dot": "dot", ".wps": "wps", ".wpt": "wpt"}, "doc"),
    "sheet": ({".xls": "xls", ".xlt": "xls", ".et": "et", ".ett": "et"}, "xls"),
}
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def sniff(data: bytes, path: str) -> str:
    """Name the format from magic bytes; the suffix only decides for plain text, and names
    an OLE file's format among those its content allows (a .wps holding Word text is `wps`)."""
    head = data[:1024]
    suffix = os.path.splitext(path)[1].lower()
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_format(data, path, suffix)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise ExtractionError(path, "empty or split zip archive, not a document")
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in (".docx", ".pdf", ".doc", ".wps", ".ofd"):
        raise ExtractionError(path, f"content is not a {suffix} document (corrupt or misnamed)")
    raise ExtractionError(
        path,
        f"unsupported file format ({suffix or 'no suffix'}): expected .docx, .pdf, .ofd, .txt, "
        ".doc/.wps, .rtf, .odt or a spreadsheet",
    )


def _zip_format(data: bytes) -> str:
    """ODF names its type in a first, stored `mimetype` entry; an .xlsx has xl/workbook.xml;
    a zip holding OFD.xml is OFD;
    every other zip goes to the Word reader, which checks the parts (OOXML under .wps/.doc)."""
    name_length, extra_length = struct.unpack_from("<HH", data, 26) if len(data) > 30 else (0, 0)
    if data[30 : 30 + name_length] == b"mimetype" and data[8:10] == b"\x00\x00":  # stored
        start = 30 + name_length + extra_length
        size = struct.unpack_from("<I", data, 18)[0]
        mimetype = data[start : start + min(size, 100)].removesuffix(b"-template")
        if mimetype in ODF_TYPES:
            return ODF_TYPES[mimetype]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "docx"  # (the Word reader says what is wrong with it)
    if {"OFD.xml", "Encryptions.xml"} & names:
        return "ofd"  # OFD at the root (encrypted: Encryptions.xml)
    return "xlsx" if "xl/workbook.xml" in names and "word/document.xml" not in names else "docx"


def _ole_format(data: bytes, path: str, suffix: str) -> str:
    from review_flow.extract.ole import OleKind, read_compound

    kind = read_compound(data, path).kind
    if kind in (OleKind.TEXT, OleKind.SHEET):
        by_suffix, default = OLE_FORMATS[kind]
        return by_suffix.get(suffix, default)
    if kind is OleKind.ENCRYPTED_PACKAGE:
        raise ExtractionError(path, "password-protected (encrypted) Office file: it cannot be read")
    raise ExtractionError(
        path, "OLE compound file that is not a Word/WPS document or a spreadsheet "
        f"({kind}): not supported",
        hint="save it as .docx or .pdf and submit that",
    )  # fmt: skip


def extract_bytes(data: bytes, path: str, limits: Limits) -> Extracted:
    check_size(path, len(data), limits)
    extracted = EXTRACTORS[sniff(data, path)](data, path, limits)
    return dataclasses.replace(
        extracted, path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )


def extract_file(path: str, limits: Limits | None = None) -> Extracted:
    """Read and extract one file in this process (see sandbox.py for the guarded way)."""
    limits = limits or Limits()
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise ExtractionError(path, "no such file") from None
    except OSError as exc:
        raise ExtractionError(path, f"cannot read: {exc.strerror}") from None
    check_size(path, size, limits)
    if os.path.isdir(path):
        raise ExtractionError(path, "is a directory")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise ExtractionError(path, f"cannot read: {exc.strerror}") from None
    return extract_bytes(data, path, limits)
