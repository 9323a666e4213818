"""The reviewer's commands: dispose of findings, approve, reject (alias: return)."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import DocId, app_for, outcome, usage

app = typer.Typer()

Reason = Annotated[str, typer.Option(help="Why it goes back to the clerk.")]


def numbers(items: list[str]) -> list[int]:
    """Finding numbers as typed: `3`, `1-5`, `2,4` (a usage error otherwise)."""
    found: list[int] = []
    for item in (part for raw in items for part in raw.split(",") if part):
        low, dash, high = item.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            usage(f"not a finding number or range: {item!r} (e.g. 3, 1-5)")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            usage(f"empty range {item!r}")
        found += range(first, last + 1)
    return found


@app.command()
def dispose(
    ctx: typer.Context,
    doc: DocId,
    finding: Annotated[
        list[str] | None, typer.Argument(help="Finding numbers as `findings` shows them: 3 1-5.")
    ] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="It is real.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Not a problem here.")] = False,
    read: Annotated[
        bool, typer.Option("--read", help="I read this unreadable page/picture (note in --reason).")
    ] = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="It is real: mask it with `redact` (脱敏).")
    ] = False,
    all_kind: Annotated[
        str | None, typer.Option("--all-kind", help="Every finding of this kind (e.g. landline).")
    ] = None,
    override: Annotated[
        bool, typer.Option("--override", help="Change another reviewer's decision (--reason).")
    ] = False,
    carry_over: Annotated[
        bool, typer.Option("--carry-over", help="Dismiss again what was dismissed before.")
    ] = False,
    reason: Annotated[str, typer.Option(help="Why (required to dismiss, read or override).")] = "",
) -> None:
    """Decide on findings: --confirm, --dismiss --reason, --redact (confirmed, to be masked by
    `redact`), or --read --reason for pages no machine could read; --carry-over after a
    revision. Confirmed personal data is always masked by `redact`.

    Example: review-flow dispose 12 1-5 8 --dismiss --reason "办公电话，公开联系方式"
    Example: review-flow dispose 12 --all-kind landline --dismiss --reason "单位公开电话"
    Example: review-flow dispose 12 4 --redact
    Example: review-flow dispose 12 9 --read --reason "第2页为签到表照片，已读，无涉密内容"
    """
    with outcome():
        if carry_over:
            decided = app_for(ctx).carry_over(doc)
        else:
            if sum((confirm, dismiss, read, redact)) != 1 or not (finding or all_kind):
                usage("give finding numbers (or --all-kind KIND) and one of --confirm / "
                      "--dismiss / --read / --redact")  # fmt: skip
            decision = ("confirmed" if confirm else "dismissed" if dismiss
                        else "read" if read else "redact")  # fmt: skip
            decided = app_for(ctx).dispose_numbered(
                doc, numbers(finding or []), decision, reason, override, all_kind
            )
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
