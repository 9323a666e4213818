"""Text that only OCR read → one `unreadable` finding (warn) saying so, with its confidence.

A machine's reading of a scan is never enough to clear a document: the finding asks a person
to compare the findings with the scanned pages (`dispose --read`). Pages and page-size pictures
whose reading was too doubtful to stand are unreadable items, each a finding of its own
(usecases/intake.py); a doubtful smaller picture (a photo without text) is not a finding.
"""

from __future__ import annotations

from review_flow.extract.model import Extracted
from review_flow.scan.model import Category, Finding, Severity

RULE = "unreadable.ocr"


def ocr_findings(extracted: Extracted) -> tuple[Finding, ...]:
    read = [o for o in extracted.ocr if not o.doubt]
    if not read:
        return ()
    parts = "、".join(_name(o.part) for o in read)
    low = min(o.confidence for o in read)
    engine = read[0].engine
    excerpt = f"{parts}为扫描件或图片，文字由OCR识别（最低置信度{low:.2f}），须人工核对"
    message = (
        f"{len(read)} scanned page(s)/picture(s) read by OCR ({engine}, lowest confidence "
        f"{low:.2f}): compare the findings with the scan (--read)"
    )
    return (
        Finding(
            RULE, Category.UNREADABLE, "ocr", Severity.WARN, 0, 0, "ocr", excerpt, message,
            "", read[0].page, (), "extraction",
        ),
    )  # fmt: skip


def _name(part: str) -> str:
    kind, _, name = part.partition(" ")
    return f"第{name}页" if kind == "page" else f"图片{name.rsplit('/', 1)[-1]}"
