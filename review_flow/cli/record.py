"""The written review record (保密审查记录) of one document, as a printable .docx.

Built from what the `show` use case returns: the document, its versions, the findings of the
current version with their decisions, and its audit history. Personal data stays masked.
A4 with the GB/T 9704 margins; 仿宋_GB2312 body and 方正小标宋简体 title (with fallbacks);
times and dates are the office's local ones; 办理经过 is in Chinese.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from review_flow.localtime import label, local, local_date, stamp
from review_flow.usecases.views import FindingView, Shown
from review_flow.workflow import ACTION_NAMES, DECISION_NAMES, ROLE_NAMES, stage_name

CONCLUSIONS = {
    "drafted": "审查中（待审查人作出结论）",
    "returned": "退回拟稿人修改",
    "secrecy_checked": "经保密审查，同意进入公开属性认定",
    "attribute_set": "已认定公开属性",
    "published": "经保密审查，同意公开",
    "pushed_to_oa": "经保密审查，同意公开，已报送OA备案系统",
    "withheld": "经保密审查，不予公开",
    "retracted": "已公开后撤稿，目录记录标注已撤回",
}
DECISION_LABELS: dict[str | None, str] = {None: "未处理"}
DECISION_LABELS.update(DECISION_NAMES)
# GB/T 9704-2012 §5.2.1: 天头 37 mm, 订口 28 mm; the text block 156 × 225 mm on A4.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
CATEGORY_NAMES = {
    "state_secret": "国家秘密", "work_secret": "工作秘密", "personal_data": "个人信息",
    "commercial_secret": "商业秘密", "party_document": "党委公文", "active_content": "活动内容",
    "unreadable": "无法识别的页面或图片",
}  # fmt: skip


# The refusals the workflow words in English, as the record says them (the log keeps the words).
REFUSALS_ZH: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"four-eyes rule: (\S+) submitted this version"),
     lambda m: f"四眼原则：{m[1]} 提交了此版本"),
    (re.compile(r"(\S+) may not (.+): needs role (\S+)"),
     lambda m: f"{m[1]} 无权{ACTION_NAMES.get(m[2], m[2])}，需要{ROLE_NAMES.get(m[3], m[3])}角色"),
    (re.compile(r"(\d+) block/warn finding\(s\) have no disposition"),
     lambda m: f"尚有{m[1]}项审查发现未处理"),
    (re.compile(r"a reason is required.*"), lambda m: "须说明理由"),
    (re.compile(r"unknown user '(\S+)'.*"), lambda m: f"未登记的用户 {m[1]}"),
    (re.compile(r"cannot (\S+) a document in state (\S+)"),
     lambda m: f"文件{stage_name(m[2])}，不能{ACTION_NAMES.get(m[1], m[1])}"),
)  # fmt: skip


def in_chinese(reason: str) -> str:
    """A refusal's reason in Chinese where the wording is known; otherwise as recorded."""
    for pattern, words in REFUSALS_ZH:
        if found := pattern.fullmatch(reason):
            return words(found)
    return reason


def _reason(reason: str | None) -> str:
    return f"（理由：{reason}）" if reason else ""


def _font(style: Any, name: str) -> None:
    """A style's font for Latin and East Asian text alike."""
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _fallbacks(document: Any, pairs: tuple[tuple[str, str], ...]) -> None:
    """Name each office font's fallback (`w:altName` in the font table), so Word shows 仿宋
    where 仿宋_GB2312 is not installed."""
    from docx.oxml.ns import qn
    from lxml import etree

    for part in document.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        for name, alt in pairs:
            font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
            etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(document: Any) -> None:
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _fonts(document: Any) -> None:
    from docx.shared import Pt

    normal = document.styles["Normal"]
    _font(normal, BODY_FONT)
    normal.font.size = Pt(14)  # 四号: the record is a form, not a 公文 body (三号)
    _font(document.styles["Title"], TITLE_FONT)
    for name in ("Heading 1", "Heading 2"):
        _font(document.styles[name], "黑体")
    _fallbacks(document, ((BODY_FONT, BODY_FALLBACK), (TITLE_FONT, TITLE_FALLBACK)))


def manual_reads(findings: list[FindingView]) -> list[str]:
    """`第2页：李审查 于 2026-12-03 14:46 +08:00 人工阅读（note）` per page or picture read."""
    lines = []
    for f in findings:
        if f.category == "unreadable" and f.disposition == "read":
            what = f"第{f.page}张图片" if f.kind == "picture" else f"第{f.page}页"
            when = stamp(f.decided_at) if f.decided_at else ""
            lines.append(f"{what}：{f.decided_by} 于 {when} 人工阅读（{f.reason}）")
        elif f.category == "unreadable":
            what = f"第{f.page}张图片" if f.kind == "picture" else f"第{f.page}页"
            lines.append(f"{what}：尚未人工阅读")
    return lines


def write_record(shown: Shown, out: Path) -> Path:
    """Write the record to `out` (via a temporary name) and return the path."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc_row = shown.document
    document = docx.Document()
    _page(document)
    _fonts(document)
    created = datetime.now(UTC)
    props = document.core_properties
    props.author, props.comments = "review-flow", ""
    props.title = f"保密审查记录：{doc_row.title}"
    props.created = props.modified = created.replace(tzinfo=None)
    props.last_modified_by = "review-flow"
    heading = document.add_heading("保密审查记录", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    approvals = [e for e in shown.history if e.action == "approve"]
    reviewer = approvals[-1].actor if approvals else "（尚未审查通过）"
    reviewed_on = local_date(approvals[-1].ts) if approvals else ""
    version = shown.versions[-1]
    head = [
        ("文件标题", doc_row.title),
        ("发文字号", doc_row.doc_number or "无"),
        ("发文机关", doc_row.issuer or "无"),
        ("成文日期", doc_row.doc_date or "无"),
        ("密级标志", doc_row.marking or "无"),
        ("附注", doc_row.note or "无"),
        ("拟稿人", doc_row.clerk),
        ("审查人", reviewer),
        ("审查日期", reviewed_on),
        ("审查版本", f"第{doc_row.current_version}版 {version.file_name} "
                     f"(sha256 {version.sha256[:16]}…)"),
        ("公开属性", (doc_row.attribute or "未认定") + _reason(doc_row.attribute_reason)),
        ("当前状态", stage_name(doc_row.state)),
    ]  # fmt: skip
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for name, value in head:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, str(value)
    document.add_heading("审查发现及处理", level=2)
    findings = shown.findings
    if not findings:
        document.add_paragraph("扫描未发现需处理事项，且无机器无法识别的页面或图片。")
    else:
        grid = document.add_table(rows=1, cols=5)
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, ("序号", "类别/规则", "位置与摘录", "处理",
                                                    "理由与处理人"), strict=True):  # fmt: skip
            cell.text = title
        for f in findings:
            cells = grid.add_row().cells
            cells[0].text = str(f.number)
            cells[1].text = f"{CATEGORY_NAMES.get(f.category, f.category)} / {f.rule}"
            cells[2].text = f"{f.where}：{f.excerpt}"
            earlier = "；".join(
                f"此前{DECISION_LABELS.get(d.decision, d.decision)}（{d.decided_by}，"
                f"{stamp(d.decided_at)}：{d.reason}）"
                for d in f.earlier
            )
            cells[3].text = DECISION_LABELS.get(f.disposition, str(f.disposition)) + (
                f"（改变了：{earlier}）" if earlier else "")  # fmt: skip
            when = stamp(f.decided_at) if f.decided_at else ""
            cells[4].text = f"{f.reason or ''} {f.decided_by or ''} {when}".strip()
    reads = manual_reads(findings)
    document.add_heading("人工阅读（机器无法识别的页面和图片）", level=2)
    for line in reads or ["无"]:
        document.add_paragraph(line)
    document.add_heading("审查结论", level=2)
    document.add_paragraph(CONCLUSIONS.get(doc_row.state, stage_name(doc_row.state)))
    document.add_heading("办理经过", level=2)
    for e in shown.history:
        move = f"（{stage_name(e.from_state)} → {stage_name(e.to_state)}）" if e.to_state else ""
        why = f"：{in_chinese(e.reason)}" if e.reason else ""
        role = ROLE_NAMES.get(e.role, e.role or "无角色")
        action = ACTION_NAMES.get(e.action, e.action)
        if e.action == "refused":
            attempted = str(e.details.get("attempted", ""))
            action = f"申请{ACTION_NAMES.get(attempted, attempted)}，被拒绝"
        document.add_paragraph(
            f"{local(e.ts):%Y-%m-%d %H:%M} {e.actor}（{role}）{action}{move}{why}",
            style="List Bullet",
        )
    document.add_heading("签字", level=2)
    signers = [("拟稿人", doc_row.clerk), ("审查人", reviewer if approvals else ""),
               ("审核人", "")]  # fmt: skip
    for title, name in signers:
        document.add_paragraph(
            f"{title}：{name or '':<10}签字：____________    日期：____年__月__日"
        )
    first, last = shown.history[0].seq, shown.history[-1].seq
    document.add_paragraph(
        f"本记录由 review-flow 生成于 {stamp(created)}（{label()}），"
        f"依据审计日志第 {first} 至 {last} 号事件。"
    )
    tmp = out.with_name(f".{out.name}.partial")
    try:
        document.save(str(tmp))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
