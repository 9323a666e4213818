"""Correcting course: withdraw (撤回), reattribute, retract (撤稿) after publication."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import DocId, app_for, outcome

app = typer.Typer()


def stage_name(state: str) -> str:
    """workflow.stage_name, imported when a command here runs: the state machine library costs
    ~12 ms of every command's start-up, `scan` and `--help` included."""
    from review_flow.workflow import stage_name

    return stage_name(state)


Reason = Annotated[str, typer.Option(help="Why (required; recorded and sent back).")]


@app.command()
def withdraw(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
    """Withdraw a checked document back to its clerk (撤回) (reviewer or publisher).

    Example: review-flow withdraw 12 --reason "附件二仍含联系人手机号"
    """
    with outcome():
        state = app_for(ctx).withdraw(doc, reason).state
        typer.echo(f"document {doc}: {stage_name(state)} ({state})")


@app.command()
def reattribute(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
    """Set the disclosure attribute again, before the OA has it (publisher).

    Example: review-flow reattribute 12 --reason "应为主动公开"
    """
    with outcome():
        state = app_for(ctx).reattribute(doc, reason).state
        typer.echo(f"document {doc}: {stage_name(state)} ({state}); set it with `attribute`")


@app.command()
def retract(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
    """Retract a published document (撤稿) (publisher): the OA gets the record marked withdrawn.

    The 索引号 is kept; the retraction is queued for `push` under its own Idempotency-Key.

    Example: review-flow retract 12 --reason "发现附件含个人信息，撤稿处理"
    """
    with outcome():
        state = app_for(ctx).retract(doc, reason).state
        typer.echo(f"document {doc}: {stage_name(state)} ({state}); retraction queued for push")
