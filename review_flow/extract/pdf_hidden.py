"""What a PDF holds beyond its pages' text, in the order it is appended after the pages:
web links, attached files, earlier revisions, orphan objects; and the active content items
(actions, attachments, revisions, orphans, restrictions) a person must clear.

pdf.py calls `add_beyond_pages` once the pages and annotations are in the text; this module
only orders the work of pdf_actions, pdf_attachments and pdf_revisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pikepdf

from review_flow.extract import pdf_actions, pdf_attachments, pdf_revisions
from review_flow.extract.limits import Limits
from review_flow.extract.model import ActiveContent, Extracted, TextBuilder, Where
from review_flow.extract.pdf_structure import restriction

ReadPages = Callable[[bytes], Extracted]
Extract = Callable[[bytes, str, Limits], Extracted]


@dataclass
class Beyond:
    """The active content items and notes gathered beyond the pages."""

    items: list[ActiveContent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def add_beyond_pages(
    data: bytes, pdf: pikepdf.Pdf, out: TextBuilder, limits: Limits,
    read_pages: ReadPages, extract_any: Extract,
) -> Beyond:  # fmt: skip
    """Append links, attachments, earlier revisions and orphans to `out`; return the flags."""
    found = Beyond()
    restricted = restriction(pdf)
    if restricted:
        found.items.append(restricted)
    actions = pdf_actions.find_actions(pdf)
    found.items += actions.items
    first_page = {uri: page for page, uri in reversed(actions.links)}  # a footer link repeats
    for uri, page in sorted(first_page.items(), key=lambda item: item[1]):
        out.add(f"链接：{uri}", Where.ANNOTATION, part="link", page=page or None)
        out.separate("\n")
    if actions.links:
        found.notes.append(f"{len(actions.links)} web link(s) to public addresses, read as text")
    attached = pdf_attachments.find_attachments(pdf, limits)
    items, notes = pdf_attachments.add_attachments(attached, out, limits, extract_any)
    found.items += items
    found.notes += notes
    revisions = pdf_revisions.earlier_revisions(data)
    if revisions:
        final_text = out.text()
        items, notes = pdf_revisions.add_revisions(
            data, revisions, pdf, final_text, out, read_pages
        )
        found.items += items
        found.notes += notes
        found.items += pdf_revisions.add_orphans(pdf, revisions[0], out, read_pages)
        if pdf.is_encrypted:
            found.notes.append("an encrypted file's orphan objects are not read")
    return found
