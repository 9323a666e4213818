"""The reviewer's commands: dispose of findings, approve, reject (alias: return)."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import DocId, app_for, outcome, usage

app = typer.Typer()

Reason = Annotated[str, typer.Option(help="Why it goes back to the clerk.")]


@app.command()
def dispose(
    ctx: typer.Context,
    doc: DocId,
    finding: Annotated[list[int] | None, typer.Argument(help="Finding ids.")] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="It is real.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Not a problem here.")] = False,
    carry_over: Annotated[
        bool, typer.Option("--carry-over", help="Dismiss again what was dismissed before.")
    ] = False,
    reason: Annotated[str, typer.Option(help="Why (required to dismiss).")] = "",
) -> None:
    """Decide on findings: --confirm or --dismiss --reason; --carry-over after a revision.

    Example: review-flow dispose 12 3 4 --dismiss --reason "办公电话，公开联系方式"
    """
    with outcome():
        reviewer = app_for(ctx)
        if carry_over:
            decided = reviewer.carry_over(doc)
        else:
            if confirm == dismiss or not finding:
                usage("give finding ids and exactly one of --confirm / --dismiss")
            decision = "confirmed" if confirm else "dismissed"
            decided = reviewer.dispose(doc, finding, decision, reason)
        typer.echo(f"{len(decided)} finding(s) decided")


@app.command()
def approve(ctx: typer.Context, doc: DocId) -> None:
    """Approve the secrecy review (reviewer, not the submitter).

    Example: review-flow approve 12
    """
    with outcome():
        typer.echo(f"document {doc}: {app_for(ctx).approve(doc).state}")


def _reject(ctx: typer.Context, doc: int, reason: str) -> None:
    with outcome():
        typer.echo(f"document {doc}: {app_for(ctx).reject(doc, reason).state}")


@app.command()
def reject(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
    """Return the document to its clerk with a reason (reviewer).

    Example: review-flow reject 12 --reason "第3页有身份证号"
    """
    _reject(ctx, doc, reason)


@app.command("return")
def return_(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
    """Alias of reject.

    Example: review-flow return 12 --reason "请删除附件中的联系人手机号"
    """
    _reject(ctx, doc, reason)
