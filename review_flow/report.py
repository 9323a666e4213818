"""Terminal and JSON rendering of scan reports and rule lists (progress bar on stderr)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from review_flow.scan.model import Category, ScanReport, Severity, Verdict
from review_flow.scan.rules import RuleSet

VERDICT_STYLE = {Verdict.BLOCK: "bold red", Verdict.REVIEW: "bold yellow", Verdict.CLEAR: "green"}
SEVERITY_STYLE = {Severity.BLOCK: "red", Severity.WARN: "yellow", Severity.INFO: "dim"}
CATEGORY_LABEL = {
    Category.STATE_SECRET: "国家秘密 state secret",
    Category.WORK_SECRET: "工作秘密 work secret",
    Category.PARTY_DOCUMENT: "党委公文 party document",
    Category.PERSONAL_DATA: "个人信息 personal data",
    Category.COMMERCIAL_SECRET: "商业秘密 commercial secret",
    Category.ACTIVE_CONTENT: "活动内容 active or embedded content",
}


def summary(reports: list[ScanReport], skipped: list[str] | None = None) -> dict[str, object]:
    """Counts of a batch: verdicts of the files read, files that could not be read (apart from
    `review`), files with pages or pictures no machine read, and files skipped as unsupported."""
    read = [r for r in reports if r.error is None]
    return {
        "files": len(reports),
        **{str(v): sum(r.verdict is v for r in read) for v in Verdict},
        "unreadable_files": len(reports) - len(read),
        "with_unreadable_pages": sum(bool(r.unreadable_pages) for r in read),
        "skipped": list(skipped or []),
    }


def to_json(reports: list[ScanReport], skipped: list[str] | None = None) -> str:
    documents = [r.to_json() for r in reports]
    data = {"documents": documents, "summary": summary(reports, skipped)}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@contextlib.contextmanager
def progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when several files are scanned at a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=total)
        yield lambda: bar.advance(task)


def _highlight(excerpt: str, value: str, style: str) -> str:
    at = excerpt.find(value) if value else -1
    if at < 0:
        return escape(excerpt)
    head, tail = excerpt[:at], excerpt[at + len(value) :]
    return f"{escape(head)}[{style} reverse]{escape(value)}[/]{escape(tail)}"


def print_reports(reports: list[ScanReport], console: Console | None = None) -> None:
    """Per document: verdict first, then findings grouped by category, with context."""
    console = console or Console(highlight=False, soft_wrap=True)
    for report in reports:
        style = VERDICT_STYLE[report.verdict]
        console.print(f"[{style}]{report.verdict.upper()}[/] {escape(report.path)}")
        if report.error:
            console.print(f"  [red]error:[/] {escape(report.error)}")
        if report.unreadable_pages:
            pages = ", ".join(str(p) for p in report.unreadable_pages)
            console.print(f"  [yellow]unreadable pages:[/] {pages} (needs OCR or a manual read)")
        for category in Category:
            group = [f for f in report.findings if f.category is category]
            if not group:
                continue
            console.print(f"  [bold]{CATEGORY_LABEL[category]}[/]")
            for f in group:
                sev = SEVERITY_STYLE[f.severity]
                place = f"page {f.page}" if f.page else f.where
                console.print(
                    f"    [{sev}]{f.severity:<5}[/] {_highlight(f.excerpt, f.value, sev)}"
                    f"  [dim]({place}; {f.rule})[/]"
                )
                console.print(f"          [dim]{escape(f.message)}[/]")
        if report.contact_points:
            shown = "、".join(dict.fromkeys(f.value for f in report.contact_points))
            console.print(
                f"  [dim]公开联系方式 public contact points (not findings): {escape(shown)}[/]"
            )
    counts = summary(reports)
    errors, paged = counts["unreadable_files"], counts["with_unreadable_pages"]
    console.print(
        f"{len(reports)} file(s): {counts['block']} block, {counts['review']} review, "
        f"{counts['clear']} clear"
        + (f", {errors} unreadable" if errors else "")
        + (f" ({paged} with pages or pictures no machine read)" if paged else "")
    )


def print_rules(rules: RuleSet, console: Console | None = None) -> None:
    """A table at a terminal; tab-separated lines in a pipe, so ids are never cut."""
    console = console or Console(highlight=False)
    header = ("id", "category", "kind", "severity", "where", "recognizer", "examples")
    rows = [
        (rule.id, str(rule.category), rule.kind, str(rule.severity), rule.where,
         rule.recognizer, str(len(rule.examples.hit) + len(rule.examples.miss)))
        for rule in rules.rules
    ]  # fmt: skip
    if console.is_terminal:
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        for row in (header, *rows):
            console.print("\t".join(row), soft_wrap=True, markup=False)
    console.print(f"{len(rules.rules)} rules, {len(rules.mentions)} mention patterns")
