"""The publisher's commands: the disclosure attribute, publish, withhold, and push to the OA."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from review_flow.cli.support import EXIT_REFUSED, DocId, app_for, outcome

app = typer.Typer()


@app.command()
def attribute(
    ctx: typer.Context,
    doc: DocId,
    value: Annotated[
        str, typer.Argument(help="主动公开|依申请公开|不予公开 (public, on-request, withheld)")
    ],
    reason: Annotated[str, typer.Option(help="Legal reason (required for 不予公开).")] = "",
    topic: Annotated[str | None, typer.Option(help="主题分类 of the record.")] = None,
) -> None:
    """Set the disclosure attribute (公开属性) (publisher).

    Example: review-flow attribute 12 不予公开 --reason 个人隐私
    """
    with outcome():
        document = app_for(ctx).set_attribute(doc, value, reason, topic)
        typer.echo(f"document {doc}: {document.state} ({document.attribute})")


@app.command()
def publish(
    ctx: typer.Context,
    doc: DocId,
    topic: Annotated[str | None, typer.Option(help="主题分类 of the record.")] = None,
    title: Annotated[str | None, typer.Option(help="Title for the record.")] = None,
) -> None:
    """Publish a 主动公开 document (publisher, not the submitter; bytes as reviewed).

    Writes its catalogue record (索引号) and queues the OA push in the same transaction.

    Example: review-flow publish 12 --topic 综合政务
    """
    with outcome():
        typer.echo(f"document {doc}: {app_for(ctx).publish(doc, topic, title).state}")


@app.command()
def push(
    ctx: typer.Context,
    watch: Annotated[bool, typer.Option("--watch", help="Keep delivering until Ctrl-C.")] = False,
    once: Annotated[bool, typer.Option("--once", help="One pass (the default).")] = False,
    limit: Annotated[int, typer.Option(help="At most this many messages a pass.")] = 50,
    show_status: Annotated[bool, typer.Option("--status", help="Show the outbox.")] = False,
    retry: Annotated[int | None, typer.Option(help="Requeue this message now.")] = None,
    interval: Annotated[float, typer.Option(help="Seconds between passes (--watch).")] = 5.0,
) -> None:
    """Deliver queued documents to the OA filing system (OA备案系统).

    Target: REVIEW_FLOW_OA_URL (HTTP, with REVIEW_FLOW_OA_TOKEN), else the drop folder
    REVIEW_FLOW_OA_DIR. Exit 1 when a delivery failed in this pass.

    Example: review-flow push --once
    """
    from review_flow.usecases import Pusher, default_target

    with outcome():
        publisher = app_for(ctx)
        if show_status:
            for m in publisher.outbox_status():
                typer.echo(f"{m.id:>5} doc {m.document:>5} {m.index_no} {m.status}"
                           f" attempts {m.attempts} {m.last_error or ''}")  # fmt: skip
            return
        if retry is not None:
            publisher.retry_push(retry)
            typer.echo(f"message {retry} queued again")
            return
        base = float(os.environ.get("REVIEW_FLOW_PUSH_BACKOFF", "2"))
        pusher = Pusher(publisher, default_target(publisher), base)
        failed = 0
        while True:
            for r in pusher.run_once(limit):
                failed += not r.delivered
                mark = "delivered" if r.delivered else "failed"
                typer.echo(f"message {r.message} (document {r.document}): {mark}: {r.detail}")
            if not watch or once:
                break
            time.sleep(interval)
        if failed:
            raise typer.Exit(EXIT_REFUSED)


@app.command()
def withhold(ctx: typer.Context, doc: DocId) -> None:
    """Close a 不予公开 document: nothing leaves the agency (publisher).

    Example: review-flow withhold 12
    """
    with outcome():
        typer.echo(f"document {doc}: {app_for(ctx).withhold(doc).state}")
