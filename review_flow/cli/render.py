"""Terminal and JSON rendering of documents, findings and their history (use case results)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from review_flow.usecases.views import DocumentView, EventView, FindingView, Shown


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
    }


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
    table = Table("id", "state", "title", "发文字号", "clerk", "v", "attribute")
    for d in docs:
        table.add_row(
            str(d.id),
            d.state,
            escape(d.title[:40]),
            escape(d.doc_number or ""),
            escape(d.clerk),
            str(d.current_version),
            d.attribute or "",
        )
    console.print(table)


def print_findings(rows: list[FindingView], console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    if not rows:
        console.print("no findings")
    for r in rows:
        decided = r.disposition or "[yellow]undecided[/]"
        console.print(
            f"[bold]{r.id:>5}[/] {r.severity:<5} {r.category}/{r.kind} "
            f"({r.where}; {r.rule}): {decided}"
        )
        console.print(f"        {escape(r.excerpt)}")
        if r.reason:
            console.print(f"        [dim]{escape(r.reason)} — {escape(r.decided_by or '')}[/]")


def print_show(shown: Shown, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    doc = shown.document
    console.print(f"[bold]document {doc.id}[/]: {escape(doc.title)}")
    for label, value in (
        ("state", doc.state),
        ("发文字号", doc.doc_number),
        ("发文机关", doc.issuer),
        ("成文日期", doc.doc_date),
        ("密级", doc.marking),
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
            f"sha256 {v.sha256[:16]}… by {escape(v.submitted_by)}: {v.verdict}"
        )
    console.print("[bold]findings of the current version[/]")
    print_findings(shown.findings, console)
    console.print("[bold]history[/]")
    for e in shown.history:
        move = f" {e.from_state or '∅'} → {e.to_state}" if e.to_state else ""
        why = f" — {escape(e.reason)}" if e.reason else ""
        console.print(
            f"  {e.seq:>5} {e.ts:%Y-%m-%d %H:%M} {escape(e.actor)} ({e.role}) {e.action}{move}{why}"
        )
