"""`review-flow redact`: a document's confirmed findings masked into a new version (database),
or one file redacted into another (no database: its own scan, or `--findings-from`)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review_flow.cli.support import Format, OutputFormat, app_for, emit_json, outcome, usage
from review_flow.errors import ExtractionError, ReviewFlowError

if TYPE_CHECKING:
    from review_flow.redact import Redacted
    from review_flow.tasks import Span

app = typer.Typer()


@app.command()
def redact(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Document id, or a file with --out.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="File mode: write the redacted file here.")
    ] = None,
    findings_from: Annotated[
        Path | None,
        typer.Option("--findings-from", help="File mode: findings of `scan --format json`."),
    ] = None,
    pdf_mode: Annotated[
        str,
        typer.Option(
            "--pdf-mode",
            help="PDF: glyphs (removed from the page; lines with a value become pictures) or "
            "image (every page a picture: no text search, no screen reader).",
        ),
    ] = "glyphs",
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="File mode: extra rules directory (masks, rules)."),
    ] = None,
    format: Format = OutputFormat.text,
) -> None:
    """Mask confirmed personal data (and findings marked --redact) into a new version (脱敏),
    clean every channel, check for leftovers; the new version is scanned and reviewed again.

    Clerk or reviewer. Exit status 3: a value was left somewhere; nothing was written.

    Example: review-flow redact 12
    Example: review-flow redact 名单.docx --out 名单-脱敏.docx --findings-from scan.json
    """
    from review_flow.redact import Options, PdfMode

    with outcome():
        if pdf_mode not in {m.value for m in PdfMode}:
            usage(f"--pdf-mode must be glyphs or image, not {pdf_mode!r}")
        options = Options(pdf_mode=PdfMode(pdf_mode))
        if out is not None:
            redacted = redact_file(Path(target), out, findings_from, options, rules or [])
            summary: dict[str, Any] = {"file": str(out), **redacted.to_json()}
            lead = f"{out}: {redacted.mask_count} mask(s)"
        else:
            if not target.isdigit() or findings_from is not None or rules:
                usage("give a document id, or a file with --out FILE (file mode)")
            done = app_for(ctx).redact(int(target), options)
            redacted = done.redacted
            doc = done.document
            summary = {"id": doc.id, "version": doc.current_version, "state": doc.state,
                       "verdict": str(done.report.verdict), "findings": list(done.findings),
                       **redacted.to_json()}  # fmt: skip
            lead = (
                f"document {doc.id}: version {doc.current_version} redacted "
                f"({len(done.findings)} finding(s), {redacted.mask_count} mask(s)); "
                f"scan {done.report.verdict}, {len(done.report.findings)} finding(s) to review"
            )
        if format is OutputFormat.json:
            emit_json(summary)
            return
        typer.echo(lead)
        for removal in redacted.removals:
            detail = f" ({removal.detail})" if removal.detail else ""
            typer.echo(f"  removed {removal.what}: {removal.where}{detail}")


def redact_file(
    source: Path, out: Path, findings_from: Path | None, options: Any, rules: list[Path]
) -> Redacted:
    """Redact `source` into `out` (written to a temporary file, renamed on success)."""
    from review_flow.extract.limits import Limits, check_size
    from review_flow.redact import Redacted
    from review_flow.sandbox import Sandbox
    from review_flow.scan.rules import default_rules_dir
    from review_flow.tasks import RedactTask

    if out.resolve() == source.resolve():
        usage("--out must not be the file being redacted")
    limits = Limits.from_env()
    try:
        check_size(str(source), source.stat().st_size, limits)
        data = source.read_bytes()
    except OSError as exc:
        raise ExtractionError(str(source), f"cannot read ({exc.strerror})") from None
    spans = _spans(findings_from, data) if findings_from is not None else None
    task = RedactTask((str(default_rules_dir()), *map(str, rules)), spans, options)
    with Sandbox(task, limits, 1) as box:
        ((_, found),) = box.run([str(source)])
    if isinstance(found, ReviewFlowError):
        raise found
    assert isinstance(found, Redacted)
    folder = out.resolve().parent
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".redact-", delete=False) as handle:
        handle.write(found.data)
    os.replace(handle.name, out)
    return found


def _spans(path: Path, data: bytes) -> tuple[Span, ...]:
    """The personal-data findings of `scan --format json` made on these very bytes."""
    from review_flow.tasks import Span

    try:
        documents = json.loads(path.read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        usage(f"{path}: not the output of `review-flow scan --format json` ({exc})")
    sha256 = hashlib.sha256(data).hexdigest()
    mine = [d for d in documents if isinstance(d, dict) and d.get("sha256") == sha256]
    if not mine:
        usage(f"{path} holds no scan of this file (its sha256 differs): scan it again")
    return tuple(
        Span(int(f["start"]), int(f["end"]), str(f["kind"]), f"#{i}", str(f["category"]),
             str(f.get("value", "")))
        for i, f in enumerate(mine[0].get("findings", []), start=1)
        if f.get("category") == "personal_data" and int(f["end"]) > int(f["start"])
    )  # fmt: skip
