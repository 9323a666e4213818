"""The whole flow once, through the real CLI, on each backend."""

from __future__ import annotations

from tests.conftest import SAMPLES


def test_clean_notice_goes_from_submit_to_published(bench):
    doc = bench.ok("submit", str(SAMPLES / "01_clean_notice.docx"), user="张拟稿").strip()
    bench.ok("approve", doc, user="李审查")
    bench.ok("attribute", doc, "public", user="王公开")
    bench.ok("publish", doc, user="王公开")
    shown = bench.json("show", doc, user="赵检查")
    assert shown["state"] == "published"
    actions = [e["action"] for e in shown["history"]]
    assert actions == ["submit", "approve", "attribute", "publish", "outbox"]
    assert shown["catalogue"]["公开属性"] == "主动公开"
    assert "OK" in bench.ok("audit", "verify", user="赵检查")
