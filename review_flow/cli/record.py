"""The written review record (保密审查记录) of one document, as a printable .docx.

Built from what the `show` use case returns: the document, its versions, the findings of the
current version with their decisions, and its audit history. Personal data stays masked.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from review_flow.usecases.views import Shown

CONCLUSIONS = {
    "drafted": "审查中（待审查人作出结论）",
    "returned": "退回拟稿人修改",
    "secrecy_checked": "经保密审查，同意进入公开属性认定",
    "attribute_set": "已认定公开属性",
    "published": "经保密审查，同意公开",
    "pushed_to_oa": "经保密审查，同意公开，已报送OA备案系统",
    "withheld": "经保密审查，不予公开",
}
DECISION_LABELS = {"confirmed": "确认（属实）", "dismissed": "排除", None: "未处理"}


def _reason(reason: str | None) -> str:
    return f"（理由：{reason}）" if reason else ""


def write_record(shown: Shown, out: Path) -> Path:
    """Write the record to `out` (via a temporary name) and return the path."""
    import docx
    from docx.shared import Pt

    doc_row = shown.document
    document = docx.Document()
    document.core_properties.author = "review-flow"
    document.core_properties.comments = ""
    document.core_properties.title = f"保密审查记录：{doc_row.title}"
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading("保密审查记录", level=1)
    approvals = [e for e in shown.history if e.action == "approve"]
    reviewer = approvals[-1].actor if approvals else "（尚未审查通过）"
    reviewed_on = approvals[-1].ts.strftime("%Y-%m-%d") if approvals else ""
    head = [
        ("文件标题", doc_row.title),
        ("发文字号", doc_row.doc_number or "无"),
        ("发文机关", doc_row.issuer or "无"),
        ("成文日期", doc_row.doc_date or "无"),
        ("密级标志", doc_row.marking or "无"),
        ("拟稿人", doc_row.clerk),
        ("审查人", reviewer),
        ("审查日期", reviewed_on),
        ("审查版本", f"第{doc_row.current_version}版 {shown.versions[-1].file_name} "
                     f"(sha256 {shown.versions[-1].sha256[:16]}…)"),
        ("公开属性", (doc_row.attribute or "未认定") + _reason(doc_row.attribute_reason)),
        ("当前状态", doc_row.state),
    ]  # fmt: skip
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in head:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(value)
    document.add_heading("审查发现及处理", level=2)
    findings = shown.findings
    if not findings:
        document.add_paragraph("扫描未发现需处理事项。")
    else:
        grid = document.add_table(rows=1, cols=5)
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, ("编号", "类别/规则", "位置与摘录", "处理",
                                                    "理由与处理人"), strict=True):  # fmt: skip
            cell.text = title
        for f in findings:
            cells = grid.add_row().cells
            cells[0].text = str(f.id)
            cells[1].text = f"{f.category} / {f.rule}（{f.severity}）"
            cells[2].text = f"{f.where}：{f.excerpt}"
            cells[3].text = DECISION_LABELS.get(f.disposition, str(f.disposition))
            cells[4].text = f"{f.reason or ''} {f.decided_by or ''}".strip()
    document.add_heading("审查结论", level=2)
    document.add_paragraph(CONCLUSIONS.get(doc_row.state, doc_row.state))
    document.add_heading("办理经过", level=2)
    for e in shown.history:
        move = f"（{e.from_state or '—'} → {e.to_state}）" if e.to_state else ""
        why = f"：{e.reason}" if e.reason else ""
        document.add_paragraph(
            f"{e.ts:%Y-%m-%d %H:%M} {e.actor}（{e.role}）{e.action}{move}{why}", style="List Bullet"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    first, last = shown.history[0].seq, shown.history[-1].seq
    document.add_paragraph(
        f"本记录由 review-flow 生成于 {stamp}，依据审计日志第 {first} 至 {last} 号事件。"
    )
    tmp = out.with_name(f".{out.name}.partial")
    try:
        document.save(str(tmp))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
