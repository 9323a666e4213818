"""What every command module shares: exit codes, the one way an error is printed (both from
plain.py, which needs no typer), JSON output,
and opening the app. The only place a ReviewFlowError becomes an exit status; it imports no
other command module.

Exit status: 0 success (scan: all clear), 1 something to review or block / refused,
2 usage or input errors (unreadable, hostile or unsupported files; a row that is not there),
3 a redaction failed (a value left in the output, named with its place): nothing was written.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from review_flow.cli.plain import EXIT_ERROR as EXIT_ERROR
from review_flow.cli.plain import EXIT_FLAGGED as EXIT_FLAGGED
from review_flow.cli.plain import EXIT_OK as EXIT_OK
from review_flow.cli.plain import fail as fail
from review_flow.errors import RedactionError, Refused, ReviewFlowError, UsageError

if TYPE_CHECKING:
    from review_flow.usecases import App

EXIT_REFUSED = EXIT_FLAGGED  # a refusal and a flagged scan share status 1
EXIT_REDACTION = 3  # a redaction left a value somewhere (or could not be done); nothing written
EXIT_INTERRUPTED = 130


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json")]
DocId = Annotated[int, typer.Argument(help="Document id (from submit or list).")]


def exit_code(exc: ReviewFlowError) -> int:
    if isinstance(exc, RedactionError):
        return EXIT_REDACTION
    return EXIT_REFUSED if isinstance(exc, Refused) else EXIT_ERROR


def report(exc: ReviewFlowError) -> int:
    """Print an error the documented way; its exit status."""
    fail(f"refused: {exc}" if isinstance(exc, Refused) else str(exc), exc.hint)
    return exit_code(exc)


@contextlib.contextmanager
def outcome() -> Iterator[None]:
    """Inside a command: an error becomes one line on stderr and its exit status."""
    try:
        yield
    except ReviewFlowError as exc:
        raise typer.Exit(report(exc)) from None


def usage(message: str) -> NoReturn:
    """A usage error (exit 2) from inside `outcome()`."""
    raise UsageError(message)


def root_options(ctx: typer.Context) -> dict[str, Any]:
    """--db and --as, as the root callback stored them."""
    found: dict[str, Any] = ctx.find_root().obj or {}
    return found


def app_for(ctx: typer.Context) -> App:
    """The use cases on the database and as the user the root options name."""
    from review_flow.usecases import open_app  # not imported by the commands without a database

    options = root_options(ctx)
    return open_app(options.get("db"), options.get("user"))


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
