"""Terminal and JSON rendering of documents, findings and their history (use case results)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from review_flow.localtime import label as zone_label
from review_flow.localtime import stamp, waiting
from review_flow.usecases.views import DocumentView, EventView, FindingView, Shown, Waiting
from review_flow.workflow import ACTION_NAMES, DECISION_NAMES, ROLE_NAMES, stage_name


def document_json(doc: DocumentView) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "state": doc.state,
        "clerk": doc.clerk,
        "version": doc.current_version,
        "attribute": doc.attribute,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "date": doc.doc_date,
        "marking": doc.marking,
        "updated_at": doc.updated_at.isoformat(),
        "submitted_at": doc.submitted_at.isoformat() if doc.submitted_at else None,
        "verdict": doc.verdict,
        "note": doc.note,
    }


def waiting_json(w: Waiting) -> dict[str, Any]:
    return {**document_json(w.document), "awaits": w.awaits, "since": w.since.isoformat()}


def print_queue(rows: list[Waiting], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    if not rows:
        console.print("nothing awaits you (没有待办)")
        return
    table = Table("id", "标题", "文号", f"提交时间 {zone_label()}", "扫描结论", "已等待", "待办",
                  "状态")  # fmt: skip
    for w in rows:
        d = w.document
        table.add_row(
            str(d.id), escape(d.title[:30]), escape(d.doc_number or ""),
            stamp(d.submitted_at) if d.submitted_at else "", d.verdict or "",
            waiting(w.since), ROLE_NAMES.get(w.awaits, w.awaits), stage_name(d.state),
        )  # fmt: skip
    console.print(table)


def event_json(event: EventView) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "ts": event.ts.isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "version": event.version,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "details": event.details,
    }


def show_json(shown: Shown) -> dict[str, Any]:
    return {
        **document_json(shown.document),
        "catalogue": shown.catalogue,
        "versions": [asdict(v) for v in shown.versions],
        "findings": [asdict(f) for f in shown.findings],
        "history": [event_json(e) for e in shown.history],
    }


def print_list(docs: list[DocumentView], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    table = Table("id", "状态", "标题", "文号", f"提交时间 {zone_label()}", "扫描结论", "已等待",
                  "拟稿人", "v", "公开属性")  # fmt: skip
    for d in docs:
        table.add_row(
            str(d.id), stage_name(d.state), escape(d.title[:40]), escape(d.doc_number or ""),
            stamp(d.submitted_at) if d.submitted_at else "", d.verdict or "",
            waiting(d.updated_at), escape(d.clerk), str(d.current_version), d.attribute or "",
        )  # fmt: skip
    console.print(table)


def print_findings(rows: list[FindingView], console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    if not rows:
        console.print("no findings (无审查发现)")
    for r in rows:
        decided = DECISION_NAMES.get(r.disposition or "", "") or "[yellow]未处理 undecided[/]"
        console.print(
            f"[bold]{r.number:>4}[/] {r.severity:<5} {r.category}/{r.kind} "
            f"({r.where}; {r.rule}): {decided}"
        )
        console.print(f"        {escape(r.excerpt)}")
        for d in r.earlier:
            console.print(
                f"        [dim]earlier 此前: {DECISION_NAMES.get(d.decision, d.decision)} — "
                f"{escape(d.decided_by)} {stamp(d.decided_at)}: {escape(d.reason)}[/]"
            )
        if r.disposition:
            when = stamp(r.decided_at) if r.decided_at else ""
            console.print(
                f"        [dim]{escape(r.decided_by or '')} {when}: {escape(r.reason or '')}[/]"
            )


def print_show(shown: Shown, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    doc = shown.document
    console.print(f"[bold]document {doc.id}[/]: {escape(doc.title)}")
    for label, value in (
        ("状态", f"{stage_name(doc.state)} ({doc.state})"),
        ("发文字号", doc.doc_number),
        ("发文机关", doc.issuer),
        ("成文日期", doc.doc_date),
        ("密级", doc.marking),
        ("附注", doc.note),
        ("公开属性", doc.attribute),
        ("clerk", doc.clerk),
    ):
        if value:
            console.print(f"  {label}: {escape(str(value))}")
    if shown.catalogue:
        console.print("[bold]catalogue record (公开目录)[/]")
        for key, value in shown.catalogue.items():
            if key not in ("sha256",):
                console.print(f"  {key}: {escape(str(value))}")
    console.print("[bold]versions[/]")
    for v in shown.versions:
        console.print(
            f"  v{v.number} {escape(v.file_name)} {v.size} bytes "
            f"sha256 {v.sha256[:16]}… by {escape(v.submitted_by)} {stamp(v.submitted_at)}: "
            f"{v.verdict}"
        )
    console.print("[bold]findings of the current version[/]")
    print_findings(shown.findings, console)
    console.print(f"[bold]办理经过 history[/] ({zone_label()})")
    for e in shown.history:
        move = f" {stage_name(e.from_state)} → {stage_name(e.to_state)}" if e.to_state else ""
        why = f" — {escape(e.reason)}" if e.reason else ""
        role = ROLE_NAMES.get(e.role, e.role)
        console.print(
            f"  {e.seq:>5} {stamp(e.ts)} {escape(e.actor)}（{role}）"
            f"{ACTION_NAMES.get(e.action, e.action)}{move}{why}"
        )
