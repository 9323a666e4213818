"""Active and embedded content the extractor reported → `active_content` findings (warn).

A macro, an OLE object, a remote template or a PDF action is not text a rule can judge:
whatever it holds or fetches is outside what was read, so a person must clear it by hand.
The finding has no span in the text (start = end = 0); `where` names the part or the page.
"""

from __future__ import annotations

from review_flow.extract.model import ActiveContent
from review_flow.scan.model import Category, Finding, Severity

MESSAGE = "active or embedded content: needs manual clearance"


def active_findings(items: tuple[ActiveContent, ...]) -> tuple[Finding, ...]:
    return tuple(map(_finding, items))


def _finding(item: ActiveContent) -> Finding:
    return Finding(
        f"active_content.{item.kind}", Category.ACTIVE_CONTENT, item.kind, Severity.WARN,
        0, 0, item.where, item.detail, f"{MESSAGE} ({item.detail})", item.where, item.page,
        (), "extraction",
    )  # fmt: skip
