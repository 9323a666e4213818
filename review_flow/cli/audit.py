"""Audit commands for inspectors: verify, export, show, and the written review record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review_flow.cli.support import EXIT_REFUSED, app_for, outcome, usage

app = typer.Typer()
group = typer.Typer(help="The audit log: verify, export, show (inspectors).", no_args_is_help=True)
app.add_typer(group, name="audit")


@group.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option("--file", help="Verify an export alone.")] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="Ed25519 public key (PEM).")
    ] = None,
    since: Annotated[
        Path | None, typer.Option("--since", help="A signed head (audit head) to extend.")
    ] = None,
) -> None:
    """Recompute the keyed hash chain and the signed checkpoints, replay the events against the
    rows, and name every damage; it writes nothing.

    Example: review-flow audit verify --since HEAD.json
    Example: review-flow audit verify --file audit.csv --public-key audit-signing.pub
    """
    from review_flow.usecases import verify_export_file

    with outcome():
        if file is not None:
            if public_key is None:
                usage("--file needs --public-key")
            checked = verify_export_file(file, public_key)
            for p in checked.problems:
                typer.echo(f"FAIL {p}")
            if checked.problems:
                raise typer.Exit(EXIT_REFUSED)
            manifest = checked.manifest
            typer.echo(
                f"OK {file}: {manifest['events']} events, head event "
                f"{manifest['head_seq']}, signed {manifest['exported_at']}"
            )
            return
        result = app_for(ctx).verify_audit(since)
        for w in result.warnings:
            typer.echo(f"warning: {w}")
        for p in result.problems:
            typer.echo(f"FAIL {p}")
        if not result.ok:
            raise typer.Exit(EXIT_REFUSED)
        typer.echo(f"OK: {result.events} events, {result.checkpoints} signed checkpoints")


@group.command("head")
def head(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The signed head file to write.")],
) -> None:
    """Sign the log's head (events, head hash, time) for an inspector to keep; writes nothing
    to the database. Later, `audit verify --since FILE` proves the log still extends it.

    Example: review-flow audit head --out HEAD.json
    """
    with outcome():
        done = app_for(ctx).audit_head(out)
        typer.echo(f"{out}: event {done.events}, head {done.head_hash[:16]}…, signed {done.ts}")


@group.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    start: Annotated[str | None, typer.Option("--from", help="From date (ISO).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Before date (ISO).")] = None,
    document: Annotated[int | None, typer.Option(help="Only this document.")] = None,
) -> None:
    """Export events (CSV for Excel, JSONL for machines) with a signed manifest.

    Example: review-flow audit export --from 2024-01-01 --out 审计记录.csv
    """
    with outcome():
        done = app_for(ctx).export_audit(out, format, start, end, document)
        typer.echo(f"{out}: {done.events} events; manifest {out.name}.sig.json")


@group.command("show")
def show(ctx: typer.Context, doc: Annotated[int, typer.Argument(help="Document id.")]) -> None:
    """One document's history, readable.

    Example: review-flow audit show 12
    """
    with outcome():
        for e in app_for(ctx).audit_history(doc):
            move = f" {e.from_state or '∅'} → {e.to_state}" if e.to_state else ""
            why = f" — {e.reason}" if e.reason else ""
            typer.echo(
                f"{e.seq:>6} {e.ts:%Y-%m-%d %H:%M:%S} {e.actor} ({e.role}, "
                f"{e.identity}) {e.action}{move}{why}"
            )


@group.command("record")
def record(
    ctx: typer.Context,
    doc: Annotated[int, typer.Argument(help="Document id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .docx to write.")],
) -> None:
    """Write the printable review record (保密审查记录) of one document as .docx.

    Example: review-flow audit record 12 --out 保密审查记录-12.docx
    """
    from review_flow.cli.record import write_record

    with outcome():
        typer.echo(f"{write_record(app_for(ctx).show(doc), out)}")
