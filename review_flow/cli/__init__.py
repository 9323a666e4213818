"""Command-line interface: the root `review-flow` app (`root.py`), put together from one module
per command group. Each command parses its arguments, calls one use case and formats the
result; errors become exit codes in `support.py` only.

NOTE: this module loads no command group, nor typer: `main` runs a plainly written `scan`
straight (`scanning.py`), and `app` is made when first asked for.
"""

from __future__ import annotations

import sys
from typing import Any


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
    from review_flow.cli.scanning import fast_scan
    from review_flow.errors import ReviewFlowError

    try:
        argv = as_first(sys.argv[1:])
        if (plain := fast_scan(argv)) is not None:
            sys.exit(plain())
        from review_flow.cli.root import app

        app(args=argv)
    except ReviewFlowError as exc:
        from review_flow.cli.support import report

        sys.exit(report(exc))
    except KeyboardInterrupt:
        from review_flow.cli.support import EXIT_INTERRUPTED, fail

        fail("interrupted")
        sys.exit(EXIT_INTERRUPTED)


def __getattr__(name: str) -> Any:
    if name == "app":
        from review_flow.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
