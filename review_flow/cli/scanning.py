"""`review-flow scan`, the command a user runs most, without typer: the typer command calls
`scan`, and `main` runs a plainly written `scan` command line straight here (`fast_scan`).

NOTE: typer with its pydantic and rich imports and its reading of every command's signature
costs ~0.2 s of the parent's CPU before the first file is handed out: a cold start, and with
two workers the serial part that caps their speed-up. Anything not plainly written (help, a
typo, a value typer would refuse or convert) still goes through typer, which says what is wrong.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review_flow.cli.plain import EXIT_ERROR, EXIT_FLAGGED, EXIT_OK, fail, say

if TYPE_CHECKING:
    from review_flow.errors import ReviewFlowError
    from review_flow.report import TextOutput
    from review_flow.scan.model import ScanReport
    from review_flow.tasks import ScanJsonTask, ScanTask

# NOTE: named as when the command lived in files.py: `-v` lines keep their logger's name.
log = logging.getLogger("review_flow.cli.files")

SCANNABLE = {
    ".docx", ".pdf", ".txt", ".md", ".ofd",
    # read through LibreOffice (see README, Formats)
    ".doc", ".dot", ".wps", ".wpt", ".rtf", ".odt", ".xls", ".et", ".ods", ".xlsx",
}  # fmt: skip


def configure_logging(verbose: bool) -> None:
    """What the root `--verbose` sets up, for every command."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # NOTE: -v names files; the scanner logs content hashes only (it never sees a path it
    # could trust), so its per-file lines stay below the command's own.
    logging.getLogger("review_flow.scan").setLevel(logging.WARNING)


def collect(paths: list[Path]) -> tuple[list[str], list[str]]:
    """Files named, plus the scannable files under each directory named (sorted); and the
    files under those directories skipped as unsupported."""
    found: list[str] = []
    skipped: list[str] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(p for p in path.rglob("*") if p.is_file()):
                (found if p.suffix.lower() in SCANNABLE else skipped).append(str(p))
        else:
            found.append(str(path))
    return found, skipped


def scan(paths: list[Path], as_json: bool, reveal: bool, rules: list[Path], jobs: int) -> int:
    """Scan the files and folders named; the exit status (see files.scan)."""
    from review_flow.extract.limits import Limits
    from review_flow.sandbox import Sandbox

    files, skipped = collect(paths)
    for path in skipped:
        say(f"review-flow: skipped (unsupported format): {path}")
    if not files:
        fail("no files to scan")
        return EXIT_ERROR
    workers = min(jobs or os.cpu_count() or 1, len(files))
    task = _task(as_json, reveal, rules, workers)
    sandbox: Sandbox[object]
    with Sandbox(task, Limits.from_env(), workers) as sandbox:
        if as_json:
            from review_flow.tasks import check_rules

            # NOTE: the workers fork now, before this process loads anything of the scanner:
            # each loads the rules (and the dictionary, when a document needs it) in parallel.
            # The first to start checks the rules for the batch, before a report is written.
            checked = sandbox.call(check_rules, tuple(map(str, rules)))
            outcomes = sandbox.run(files)
            checked.result()
        else:
            outcomes = sandbox.run(files)
        return _write(outcomes, len(files), skipped, as_json)


def _task(as_json: bool, reveal: bool, rules: list[Path], workers: int) -> ScanTask | ScanJsonTask:
    """The worker's task. Text output needs the ScanReport, so this process loads the scanner
    anyway: it loads the rules (and for several workers the dictionary) once, before the fork."""
    from review_flow.tasks import ScanJsonTask, ScanTask, ready_scanner

    extra = tuple(map(str, rules))
    if as_json:
        return ScanJsonTask(extra, reveal)
    from review_flow.scan.rules import default_rules_dir

    dirs = (str(default_rules_dir()), *extra)
    ready_scanner(dirs, workers)
    return ScanTask(dirs, reveal)


def _write(
    outcomes: Iterator[tuple[str, object]], total: int, skipped: list[str], as_json: bool
) -> int:
    from review_flow.batch import JsonOutput
    from review_flow.errors import ReviewFlowError

    output: JsonOutput | TextOutput
    if as_json:
        output = JsonOutput(sys.stdout, skipped)
    else:
        from review_flow.report import TextOutput

        output = TextOutput()
    # NOTE: each report is printed as it comes (in input order), overlapping the workers; while
    # a progress bar holds the terminal they wait for its end, as the bar would garble them.
    held: list[Any] = []
    emit = held.append if shows_progress(total) else output.add
    errors = flagged = False
    with progress(total) as advance:
        for path, outcome in outcomes:
            scanned: Any = outcome
            if isinstance(outcome, ReviewFlowError):
                scanned = _error_report(path, outcome)
            errors |= bool(scanned.error)
            flagged |= scanned.verdict != "clear"
            log.info("scanned %s: %s", path, scanned.verdict)
            emit(scanned)
            advance()
    for scanned in held:
        output.add(scanned)
    output.close()
    return EXIT_ERROR if errors else EXIT_FLAGGED if flagged else EXIT_OK


def _error_report(path: str, error: ReviewFlowError) -> ScanReport:
    from review_flow.scan import error_report

    fail(str(error), error.hint)
    return error_report(path, error)


def fast_scan(argv: list[str]) -> Callable[[], int] | None:
    """The scan to run for `scan [--format F] [--jobs N] [--reveal] [--rules DIR] PATH...`
    written plainly (known options, valid values, no dashes before a path), else None."""
    if not argv or argv[0] != "scan":
        return None
    paths: list[Path] = []
    rules: list[Path] = []
    form, jobs, reveal = "text", "0", False
    words = iter(argv[1:])
    for word in words:
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if not word:
            return None
        if not word.startswith("-"):
            paths.append(Path(word))
            continue
        if name == "--reveal" and not equals:
            reveal = True
            continue
        if name not in ("--format", "-f", "--jobs", "-j", "--rules"):
            return None
        if not equals:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if name == "--rules":
            rules.append(Path(value))
        elif name in ("--format", "-f"):
            form = value
        else:
            jobs = value
    if not paths or form not in ("text", "json") or not jobs.isascii() or not jobs.isdigit():
        return None
    return lambda: _as_typer_would(paths, form == "json", reveal, rules, int(jobs))


def _as_typer_would(
    paths: list[Path], as_json: bool, reveal: bool, rules: list[Path], jobs: int
) -> int:
    """scan() with what typer adds around a command: the root's logging set-up, Ctrl-C as
    status 130, a closed pipe as status 1 without a traceback."""
    configure_logging(verbose=False)
    try:
        return scan(paths, as_json, reveal, rules, jobs)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        return 1


@contextlib.contextmanager
def progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when several files are scanned at a terminal."""
    if not shows_progress(total):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=total)
        yield lambda: bar.advance(task)


def shows_progress(total: int) -> bool:
    return total >= 2 and sys.stderr.isatty()
