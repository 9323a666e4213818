"""Command-line interface: the root `review-flow` app, put together from one module per command
group. Each command parses its arguments, calls one use case and formats the result; errors
become exit codes in `support.py` only.
"""

from __future__ import annotations

import logging
import sys
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
from review_flow.cli.support import EXIT_INTERRUPTED, fail, report
from review_flow.errors import ReviewFlowError

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
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # NOTE: -v names files; the scanner logs content hashes only (it never sees a path it
    # could trust), so its per-file lines stay below the command's own.
    logging.getLogger("review_flow.scan").setLevel(logging.WARNING)


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


def as_first(argv: list[str]) -> list[str]:
    """`--as NAME` moved in front of the command, so it may also be typed after it."""
    out, moved, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--as" and i + 1 < len(argv):
            moved += argv[i : i + 2]
            i += 2
            continue
        if arg.startswith("--as="):
            moved.append(arg)
        else:
            out.append(arg)
        i += 1
    return [*moved, *out]


def main() -> None:
    """Console-script entry point: an error that escaped a command still leaves as one line."""
    try:
        app(args=as_first(sys.argv[1:]))
    except ReviewFlowError as exc:
        sys.exit(report(exc))
    except KeyboardInterrupt:
        fail("interrupted")
        sys.exit(EXIT_INTERRUPTED)
