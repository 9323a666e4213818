"""Commands on files, with no database: extract, scan, and the rules (list, test)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from review_flow.cli.support import EXIT_ERROR, EXIT_FLAGGED, EXIT_OK, OutputFormat, fail
from review_flow.errors import ReviewFlowError
from review_flow.jsontext import dumps_indented

app = typer.Typer()


@app.command()
def extract(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files: .docx, .pdf, .ofd, .txt; .doc/.wps/.rtf/.odt/.xls/.et via LibreOffice."
        ),
    ],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json")] = (
        OutputFormat.text
    ),
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (default: cores).")
    ] = 0,
) -> None:
    """Print everything a reader could recover from a file, with where each piece came from.

    Example: review-flow extract 通知.docx --format json
    """
    from review_flow.extract.limits import Limits
    from review_flow.extract.model import Extracted
    from review_flow.sandbox import Sandbox
    from review_flow.tasks import extract_task

    limits = Limits.from_env()
    failed = 0
    documents: list[dict[str, object]] = []
    with Sandbox(extract_task, limits, jobs or None) as sandbox:
        for path, outcome in sandbox.run([str(f) for f in files]):
            if isinstance(outcome, ReviewFlowError):
                failed += 1
                fail(str(outcome), outcome.hint)
                documents.append({"path": path, "error": outcome.reason if hasattr(
                    outcome, "reason") else str(outcome)})  # fmt: skip
                continue
            assert isinstance(outcome, Extracted)
            if format is OutputFormat.json:
                documents.append({**outcome.to_json(), "error": None})
            else:
                if len(files) > 1:
                    typer.echo(f"==> {path} <==")
                sys.stdout.write(outcome.text)
                sys.stdout.write("\n")
                for page in outcome.unreadable_pages:
                    typer.echo(f"review-flow: {path}: page {page.page} unreadable: {page.reason}",
                               err=True)  # fmt: skip
    if format is OutputFormat.json:
        # NOTE: json.dumps with an indent encodes in pure Python; dumps_indented gives its bytes
        # (a long text's thousands of segments: several times faster)
        sys.stdout.write(dumps_indented({"documents": documents}))
        sys.stdout.write("\n")
    raise typer.Exit(EXIT_ERROR if failed else EXIT_OK)


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to scan.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json")] = (
        OutputFormat.text
    ),
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Show personal data unmasked (you asked for it).")
    ] = False,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rules directory (overrides).")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (default: cores).")
    ] = 0,
) -> None:
    """Scan documents for secrecy markings, party documents, personal data and commercial secrets.

    Exit status: 0 all clear, 1 something to review or block, 2 a file could not be read.

    Example: review-flow scan 通知.docx 来文/ --format json
    """
    from review_flow.cli.scanning import scan as run

    status = run(paths, format is OutputFormat.json, reveal, list(rules or []), jobs)
    raise typer.Exit(status)


rules_app = typer.Typer(help="List the rules and check them against their own examples.")
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list(
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rules directory.")
    ] = None,
) -> None:
    """Show every rule: id, category, kind, severity, where it applies.

    Example: review-flow rules list
    """
    from review_flow import report
    from review_flow.scan.rules import default_rules_dir, load_rules

    report.print_rules(load_rules(default_rules_dir(), *(rules or [])))


@rules_app.command("test")
def rules_test(
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="Extra rules directory.")
    ] = None,
) -> None:
    """Check every rule against its hit/miss examples; exit 1 naming the rules that fail.

    Example: review-flow rules test --rules ./site-rules
    """
    from review_flow.scan import Scanner
    from review_flow.scan.examples import check_examples, check_mentions
    from review_flow.scan.rules import default_rules_dir

    scanner = Scanner.from_dirs(default_rules_dir(), *(rules or []))
    results = [*check_examples(scanner), *check_mentions(scanner)]
    failed = [r for r in results if not r.passed]
    for r in failed:
        typer.echo(f"FAIL {r.rule} {r.kind}: {r.text!r}")
    typer.echo(f"{len(results) - len(failed)}/{len(results)} examples pass")
    raise typer.Exit(EXIT_FLAGGED if failed else EXIT_OK)
