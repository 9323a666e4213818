"""Active content the extractor reports becomes a warn finding a person clears by hand."""

from __future__ import annotations

import hashlib

from review_flow.extract.model import ActiveContent, Extracted, Segment, Where
from review_flow.report import CATEGORY_LABEL
from review_flow.scan import Category, Scanner, Severity, Verdict
from review_flow.scan.location import default_rules_dir


def _extracted(text: str, active: tuple[ActiveContent, ...]) -> Extracted:
    return Extracted(
        path="通知.docx", sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text),
        format="docx", text=text, segments=(Segment(Where.BODY, 0, len(text), Where.BODY),),
        active_content=active,
    )  # fmt: skip


def test_active_content_makes_a_clear_document_review() -> None:
    scanner = Scanner.from_dirs(default_rules_dir())
    text = "关于做好年度工作的通知"
    assert scanner.scan(_extracted(text, ())).verdict is Verdict.CLEAR
    items = (
        ActiveContent("macro", "word/vbaProject.bin", "VBA macro project"),
        ActiveContent("uri_action", "page 2", "URI action to an external address", page=2),
    )
    report = scanner.scan(_extracted(text, items))
    assert report.verdict is Verdict.REVIEW
    active = [f for f in report.findings if f.category is Category.ACTIVE_CONTENT]
    assert [f.rule for f in active] == ["active_content.macro", "active_content.uri_action"]
    assert all(f.severity is Severity.WARN for f in active)
    assert active[1].page == 2
    assert "manual clearance" in active[1].message
    assert Category.ACTIVE_CONTENT in CATEGORY_LABEL


def test_active_content_appears_in_extracted_json() -> None:
    item = ActiveContent("ole_object", "word/embeddings/oleObject1.bin", "OLE object")
    data = _extracted("正文", (item,)).to_json()
    assert data["active_content"] == [item.to_json()]
