"""Database administration for the DBA: the least-privilege roles on PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import outcome, root_options, usage

app = typer.Typer()
group = typer.Typer(help="Database set-up for the DBA (PostgreSQL roles).", no_args_is_help=True)
app.add_typer(group, name="db")


@group.command("grants")
def grants(
    ctx: typer.Context,
    apply: Annotated[bool, typer.Option("--apply", help="Run the statements now.")] = False,
    prefix: Annotated[str, typer.Option(help="Prefix of the role names.")] = "review_flow_",
    member: Annotated[
        list[str] | None,
        typer.Option("--member", help="LOGIN=role[,role]: create the login, add it to groups."),
    ] = None,
) -> None:
    """Print (or with --apply run) the roles and grants under which no person's login can
    change roles, versions, findings, states or the audit log by direct SQL.

    Example: review-flow db grants --member 张拟稿=clerk --member 李审查=reviewer --apply
    """
    from review_flow.usecases.grants import db_grants

    members: dict[str, list[str]] = {}
    for item in member or []:
        login, sep, roles = item.partition("=")
        if not sep or not login or not roles:
            usage(f"--member takes LOGIN=role[,role], not {item!r}")
        members[login] = [r.strip() for r in roles.split(",") if r.strip()]
    with outcome():
        sql = db_grants(root_options(ctx).get("db"), prefix, members, apply)
        for statement in sql:
            typer.echo(statement + ";")
        if apply:
            typer.echo(f"-- applied {len(sql)} statements", err=True)
