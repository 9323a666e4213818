"""The clerk's commands: submit a document, revise it with a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review_flow.cli.support import DocId, Format, OutputFormat, app_for, emit_json, outcome

app = typer.Typer()


@app.command()
def submit(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The .docx/.pdf/.ofd/.txt to release.")],
    title: Annotated[str | None, typer.Option(help="Title (default: from the head).")] = None,
    duplicate_ok: Annotated[
        bool,
        typer.Option("--duplicate-ok", help="Submit even if these bytes are another document's."),
    ] = False,
    format: Format = OutputFormat.text,
) -> None:
    """Submit a document for the secrecy review (clerk); prints the new document id.

    Example: review-flow submit 关于开展审计工作的通知.docx
    """
    with outcome():
        done = app_for(ctx).submit(file, title, duplicate_ok)
        doc, report = done.document, done.report
        if format == "json":
            emit_json(
                {
                    "id": doc.id,
                    "state": doc.state,
                    "verdict": str(report.verdict),
                    "findings": len(report.findings),
                }
            )
        else:
            typer.echo(doc.id)
            typer.echo(f"scan: {report.verdict}, {len(report.findings)} finding(s)", err=True)


@app.command()
def revise(
    ctx: typer.Context,
    doc: DocId,
    file: Annotated[Path, typer.Argument(help="The new version of the file.")],
) -> None:
    """Submit a new version (clerk): new scan, the earlier review does not carry over.

    Example: review-flow revise 12 通知-修改稿.docx
    """
    with outcome():
        done = app_for(ctx).revise(doc, file)
        typer.echo(
            f"document {doc}: version {done.document.current_version}, "
            f"scan {done.report.verdict}, {len(done.report.findings)} finding(s)"
        )
        if done.matches:
            ids = " ".join(str(m) for m in done.matches)
            typer.echo(f"{len(done.matches)} finding(s) match ones dismissed before: {ids}")
            typer.echo(
                f"a reviewer can dismiss them again with: review-flow dispose {doc} --carry-over"
            )
