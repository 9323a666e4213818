"""A PDF's object structure through qpdf (pikepdf): opening it, its permissions, its layers.

pdfium reads the pages; qpdf answers what pdfium has no API for (the object graph, the xref
table of each revision, name trees, optional-content groups). Nothing here decodes a stream:
the modules that do (pdf_attachments, pdf_revisions) bound what they inflate.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pikepdf

from review_flow.extract.model import ActiveContent

log = logging.getLogger(__name__)

MAX_WALK = 200_000  # objects visited in one walk of the object graph; a real 公文 has < 10,000

PERMISSIONS = {
    "extract": "copying text",
    "print_highres": "printing",
    "modify_other": "editing",
    "modify_annotation": "commenting",
    "modify_form": "filling in forms",
    "modify_assembly": "assembling pages",
    "accessibility": "text access for screen readers",
}


def open_structure(data: bytes) -> tuple[pikepdf.Pdf | None, str]:
    """The document as qpdf reads it, or None and why (pdfium may still read the pages)."""
    try:
        return pikepdf.Pdf.open(io.BytesIO(data)), ""
    except pikepdf.PasswordError:
        return None, "encrypted"
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        log.info("qpdf cannot open the file: %s", type(exc).__name__)
        return None, type(exc).__name__


def restriction(pdf: pikepdf.Pdf) -> ActiveContent | None:
    """An owner password (no open password) that restricts what a reader may do, if any.

    NOTE: the restriction binds only software that honours it: the text was read anyway. A
    reviewer should still know the sender marked the file as not to be copied or printed.
    """
    if not pdf.is_encrypted:
        return None
    allowed = pdf.allow
    denied = [label for name, label in PERMISSIONS.items() if not getattr(allowed, name, True)]
    if not denied:
        return None
    return ActiveContent(
        "restricted", "encryption",
        f"owner password restricts {', '.join(denied)} (read without it: no open password)",
    )  # fmt: skip


def hidden_layers(pdf: pikepdf.Pdf) -> frozenset[str]:
    """The names of the optional-content groups the default view switches off, in each form
    pdfium may report them (see _name_forms); names a shown group shares are left out."""
    try:
        properties = pdf.Root.get("/OCProperties")
        if not isinstance(properties, pikepdf.Dictionary):
            return frozenset()
        view = properties.get("/D")
        groups = properties.get("/OCGs")
        if not isinstance(view, pikepdf.Dictionary) or not isinstance(groups, pikepdf.Array):
            return frozenset()
        off = {_key(g) for g in _array(view.get("/OFF"))}
        if view.get("/BaseState") == pikepdf.Name.OFF:
            on = {_key(g) for g in _array(view.get("/ON"))}
            off |= {_key(g) for g in groups if _key(g) not in on}
        hidden: set[str] = set()
        shown: set[str] = set()
        for group in groups:
            if isinstance(group, pikepdf.Dictionary) and isinstance(
                group.get("/Name"), pikepdf.String
            ):
                forms = _name_forms(bytes(group.Name))
                (hidden if _key(group) in off else shown).update(forms)
        return frozenset(hidden - shown - {""})
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        log.info("optional content not read: %s", type(exc).__name__)
        return frozenset()


def _name_forms(raw: bytes) -> set[str]:
    """A group's /Name as text, and as pdfium's mark API hands it back.

    NOTE: pdfium returns a mark parameter's string through the C locale, which drops every
    byte from 0x80 up: "审核意见" (UTF-16BE) comes back as "[h8a\x0f". Both forms are kept.
    """
    if raw.startswith(b"\xfe\xff"):
        text = raw[2:].decode("utf-16-be", "replace")
    else:
        text = raw.decode("latin-1")
    return {text, raw.decode("latin-1"), "".join(chr(b) for b in raw if b < 0x80)}


def _array(value: object) -> list[object]:
    return list(value) if isinstance(value, pikepdf.Array) else []


def _key(obj: object) -> tuple[int, int] | int:
    """An indirect object's (number, generation); a direct one's identity."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return obj.objgen
    return id(obj)


def reachable(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """Every indirect object the trailer reaches (catalog, pages, info, …), up to MAX_WALK."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [v for k, v in pdf.trailer.items() if k not in ("/Prev", "/XRefStm")]
    visits = 0
    while stack and visits < MAX_WALK:
        obj = stack.pop()
        visits += 1
        if not isinstance(obj, pikepdf.Object):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        stack.extend(_children(obj))
    return seen


def _children(obj: pikepdf.Object) -> Iterator[object]:
    if isinstance(obj, pikepdf.Stream):
        yield from obj.stream_dict.values()
    elif isinstance(obj, pikepdf.Dictionary):
        yield from obj.values()
    elif isinstance(obj, pikepdf.Array):
        yield from obj
