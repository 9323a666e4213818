"""The root `review-flow` app, put together from one module per command group."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli import (
    admin,
    audit,
    correction,
    db,
    files,
    intake,
    queue,
    reading,
    redaction,
    release,
    review,
)
from review_flow.cli.scanning import configure_logging

app = typer.Typer(
    name="review-flow",
    help="保密审查 before publication: extract, scan and review official documents (公文).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from review_flow import __version__

        typer.echo(f"review-flow {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Database path or URL (default $REVIEW_FLOW_DB).")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as NAME (demo databases only).")
    ] = None,
) -> None:
    ctx.obj = {"db": db, "user": as_user}
    configure_logging(verbose)


for group in (
    files,
    admin,
    intake,
    reading,
    queue,
    review,
    release,
    correction,
    redaction,
    audit,
    db,
):
    app.add_typer(group.app)
