"""`queue`: what awaits me, by the roles I hold."""

from __future__ import annotations

from typing import Annotated

import typer

from review_flow.cli.support import Format, OutputFormat, app_for, emit_json, outcome

app = typer.Typer()


@app.command()
def queue(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="At most this many per role.")] = 200,
    format: Format = OutputFormat.text,
) -> None:
    """What awaits me: to review (reviewer), to release (publisher), returned to me (clerk).

    Example: review-flow queue
    """
    from review_flow.cli import render

    with outcome():
        rows = app_for(ctx).queue(limit)
        if format == "json":
            emit_json([render.waiting_json(w) for w in rows])
        else:
            render.print_queue(rows)
