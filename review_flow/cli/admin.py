"""Setting up: init (database, keys, first admin) and users with their roles (admin)."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import app_for, outcome, root_options, usage

app = typer.Typer()
users = typer.Typer(help="Users and their roles (admin).", no_args_is_help=True)
app.add_typer(users, name="users")


@app.command()
def init(
    ctx: typer.Context,
    admin: Annotated[
        str | None, typer.Option(help="Name of the first admin (default: your login).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Demo/test database: --as NAME is honoured.")
    ] = False,
    org_code: Annotated[
        str | None, typer.Option(help="Organisation code for 索引号 (统一社会信用代码).")
    ] = None,
    publisher_org: Annotated[str | None, typer.Option(help="发布机构 in records.")] = None,
    topics: Annotated[
        str | None, typer.Option(help="主题分类, comma-separated (first is default).")
    ] = None,
) -> None:
    """Create or upgrade the database and the audit keys; create the first admin.

    Example: review-flow init --admin 王管理
    """
    from review_flow.usecases import init as init_database

    with outcome():
        chosen = {"org_code": org_code, "publisher_org": publisher_org, "topics": topics}
        settings = {k: v for k, v in chosen.items() if v}
        done = init_database(root_options(ctx).get("db"), admin, demo, settings)
        typer.echo(f"database ready at schema {done.revision}: {done.url}")
        folder = done.key_folder
        typer.echo(f"audit keys in {folder} (public key: {folder / 'audit-signing.pub'})")
        if admin is None and done.admin:
            typer.echo(f"no --admin given: the admin is {done.admin} (your login)")


@users.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name (OS account or database login).")],
    role: Annotated[
        list[str],
        typer.Option("--role", "-r", help="clerk, reviewer, publisher, inspector or admin"),
    ],
) -> None:
    """Add a user or give them more roles.

    Example: review-flow users add 李审查 --role reviewer
    """
    from review_flow.identity import Role

    with outcome():
        try:
            roles = [Role(r) for r in role]
        except ValueError as exc:
            usage(f"{exc}; roles are {', '.join(r.value for r in Role)}")
        user = app_for(ctx).add_user(name, roles)
        typer.echo(f"{user.name}: {' '.join(user.roles)}")


@users.command("deactivate")
def users_deactivate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]
) -> None:
    """Deactivate a user: their history stays, they may do nothing more (admin).

    Example: review-flow users deactivate 张拟稿
    """
    with outcome():
        user = app_for(ctx).deactivate(name)
        typer.echo(f"{user.name}: deactivated")


@users.command("revoke")
def users_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", "-r", help="The role to take away.")],
) -> None:
    """Take a role from a user (admin).

    Example: review-flow users revoke 李审查 --role reviewer
    """
    from review_flow.identity import Role

    with outcome():
        if role not in set(Role):
            usage(f"unknown role {role!r}; roles are {', '.join(r.value for r in Role)}")
        user = app_for(ctx).revoke(name, Role(role))
        typer.echo(f"{user.name}: {' '.join(user.roles) or '(no roles)'}")


@users.command("list")
def users_list(ctx: typer.Context) -> None:
    """List users and their roles.

    Example: review-flow users list
    """
    with outcome():
        for user in app_for(ctx).list_users():
            state = "active" if user.active else "inactive"
            typer.echo(f"{user.name}\t{' '.join(user.roles)}\t{state}")
