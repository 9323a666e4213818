"""The exit codes and the one error line every command leaves by, without typer: `support.py`
re-exports them for the typer commands, and the plain `scan` path (`scanning.py`) uses them
without loading typer."""

from __future__ import annotations

import re
import sys

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # as click strips them from a non-terminal


def say(line: str) -> None:
    """One line on stderr, the bytes typer.echo(line, err=True) writes."""
    if not sys.stderr.isatty():
        line = _ANSI.sub("", line)
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def fail(message: str, hint: str = "") -> None:
    """One line on stderr (plus a hint), the documented way every error leaves the program."""
    say(f"review-flow: error: {message}")
    if hint:
        say(f"  hint: {hint}")
