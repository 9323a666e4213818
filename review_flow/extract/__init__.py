"""File bytes → Extracted. Decides the format from the bytes, never from the file name alone."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
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


# Imports are lazy so `review-flow --help` does not load lxml or pdfium.
EXTRACTORS: dict[str, Extractor] = {"docx": _docx, "pdf": _pdf, "ofd": _ofd, "text": _text}


def sniff(data: bytes, path: str) -> str:
    """Name the format from magic bytes; the suffix only decides for plain text."""
    head = data[:1024]
    if head.startswith(b"PK\x03\x04"):
        if is_ofd(data):
            return "ofd"
        return "docx"  # OOXML, also under .wps/.doc names; the zip reader checks the parts
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        raise ExtractionError(
            path, "old binary Word/WPS format (OLE .doc/.wps) is not supported yet",
            hint="save it as .docx (or export .pdf) and submit that",
        )  # fmt: skip
    if head.startswith(b"{\\rtf"):
        raise ExtractionError(path, "RTF is not supported", hint="save it as .docx")
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise ExtractionError(path, "empty or split zip archive, not a document")
    suffix = os.path.splitext(path)[1].lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in (".docx", ".pdf", ".doc", ".wps", ".ofd"):
        raise ExtractionError(path, f"content is not a {suffix} document (corrupt or misnamed)")
    raise ExtractionError(
        path,
        f"unsupported file format ({suffix or 'no suffix'}): expected .docx, .pdf, .ofd or .txt",
    )


def is_ofd(data: bytes) -> bool:
    """A zip holding `OFD.xml` (or, encrypted, `Encryptions.xml`) at its root is OFD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool({"OFD.xml", "Encryptions.xml"} & set(archive.namelist()))
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # (the zip reader reports the damage)


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
