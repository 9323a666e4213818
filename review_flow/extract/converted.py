"""Formats read through LibreOffice: old binary and WPS text documents, RTF and ODF text become
.docx and go through docx.py; the result keeps the original format's name and says how it was
read. Spreadsheets become .xlsx and go through sheet.py.
"""

from __future__ import annotations

import dataclasses

from review_flow.errors import ExtractionError
from review_flow.extract import docx, office, ole, sheet
from review_flow.extract.limits import Limits
from review_flow.extract.model import ActiveContent, Extracted

# Storages where Word, WPS and Excel keep VBA macros in a compound file.
MACRO_STORAGES = ("Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT", "VBA")
TEXT_FORMATS = frozenset({"doc", "dot", "wps", "wpt", "rtf", "odt"})
SHEET_FORMATS = frozenset({"xls", "et", "ods"})


def extract_text_document(data: bytes, path: str, fmt: str, limits: Limits) -> Extracted:
    """Convert a text document to .docx with LibreOffice and read that like any .docx."""
    active = _judge_ole(data, path, fmt)
    converted = office.convert(data, path, _suffix(data, fmt), "docx", limits)
    extracted = docx.extract(converted.data, path, limits)
    return _as_original(extracted, fmt, converted.version, "docx", active)


def extract_spreadsheet(data: bytes, path: str, fmt: str, limits: Limits) -> Extracted:
    """Convert a spreadsheet to .xlsx with LibreOffice (an .xlsx is read as it is)."""
    if fmt == "xlsx":
        return sheet.extract(data, path, limits)
    active = _judge_ole(data, path, fmt)
    converted = office.convert(data, path, _suffix(data, fmt), "xlsx", limits)
    extracted = sheet.extract(converted.data, path, limits)
    return _as_original(extracted, fmt, converted.version, "xlsx", active)


def _suffix(data: bytes, fmt: str) -> str:
    """The name LibreOffice is given: a compound file's content is Word or Excel binary
    whatever its variant (WPS names it .wps/.et; .wps is also Microsoft Works' suffix)."""
    if data.startswith(ole.OLE_MAGIC):
        return ".xls" if fmt in SHEET_FORMATS else ".doc"
    return f".{fmt}"


def _as_original(
    extracted: Extracted, fmt: str, version: str, target: str, active: tuple[ActiveContent, ...]
) -> Extracted:
    note = (
        f"converted from .{fmt} to .{target} by {version} (headless, macros off): "
        "what the conversion drops is listed in README.md, section Formats"
    )
    return dataclasses.replace(
        extracted,
        format=fmt,
        notes=(*extracted.notes, note),
        active_content=(*extracted.active_content, *active),
    )


def _judge_ole(data: bytes, path: str, fmt: str) -> tuple[ActiveContent, ...]:
    """Refuse a password-protected compound file; report the macros it holds.

    NOTE: a .docx cannot hold VBA, so the conversion drops a .doc's macros: they are reported
    from the compound file's directory before it is converted.
    """
    if not data.startswith(ole.OLE_MAGIC):
        return ()
    compound = ole.read_compound(data, path)
    if compound.encrypted:
        raise ExtractionError(
            path, f"password-protected (encrypted) .{fmt} file: it cannot be read",
            hint="open it in WPS or Word, remove the password, save it and submit that",
        )  # fmt: skip
    macros = sorted({name for name in compound.names if name in MACRO_STORAGES})
    return tuple(
        ActiveContent("macro", name, f"VBA macro storage {name} in the .{fmt} (not run)")
        for name in macros
    )
