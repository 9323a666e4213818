"""Reading: list documents, show one, and its findings (--reveal for reviewers, recorded)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from review_flow.cli.support import DocId, Format, OutputFormat, app_for, emit_json, outcome

app = typer.Typer()


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="Only documents in this state.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only documents I submitted.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
    since: Annotated[
        str | None, typer.Option(help="Submitted on or after (local date YYYY-MM-DD).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Submitted on or before (local date).")] = None,
    verdict: Annotated[str | None, typer.Option(help="Scan verdict: block, review, clear.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the title or 文号.")] = None,
    format: Format = OutputFormat.text,
) -> None:
    """List documents, newest first; times in the office's zone (REVIEW_FLOW_TZ).

    Example: review-flow list --state drafted --since 2026-12-01 --search 审计
    """
    from review_flow.cli import render

    with outcome():
        docs = app_for(ctx).list_documents(state, mine, limit, since, until, verdict, search)
        if format == "json":
            emit_json([render.document_json(d) for d in docs])
        else:
            render.print_list(docs)


@app.command()
def show(ctx: typer.Context, doc: DocId, format: Format = OutputFormat.text) -> None:
    """Show a document: head metadata, state, versions, findings and history.

    Example: review-flow show 12
    """
    from review_flow.cli import render

    with outcome():
        shown = app_for(ctx).show(doc)
        if format == "json":
            emit_json(render.show_json(shown))
        else:
            render.print_show(shown)


@app.command()
def findings(
    ctx: typer.Context,
    doc: DocId,
    reveal: Annotated[bool, typer.Option("--reveal", help="Unmasked (recorded).")] = False,
    format: Format = OutputFormat.text,
) -> None:
    """Show each finding of the current version in context, with its disposition.

    Example: review-flow findings 12
    """
    from review_flow.cli import render

    with outcome():
        rows = app_for(ctx).findings(doc, reveal)
        if format == "json":
            emit_json([asdict(r) for r in rows])
        else:
            render.print_findings(rows)
