"""Where the shipped rules live: `rules/` next to the `review_flow` package (data, not code)."""

from __future__ import annotations

from pathlib import Path

from review_flow.errors import RulesError


def default_rules_dir() -> Path:
    """The rules shipped with the package source (`rules/` next to `review_flow/`)."""
    here = Path(__file__).resolve().parents[2] / "rules"
    if here.is_dir():
        return here
    raise RulesError(f"rules directory not found at {here}; pass --rules DIR")
