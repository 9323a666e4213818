"""Findings (and unreadable pages) → block / review / clear, with the reasons in words."""

from __future__ import annotations

from review_flow.scan.model import Finding, Severity, Verdict


def decide(
    findings: tuple[Finding, ...], unreadable_pages: tuple[int, ...]
) -> tuple[Verdict, tuple[str, ...]]:
    """block: must not go out as it is; review: a person decides; clear: nothing found."""
    reasons: list[str] = []
    blocks = [f for f in findings if f.severity is Severity.BLOCK]
    warns = [f for f in findings if f.severity is Severity.WARN]
    for f in blocks + warns:
        reason = f"{f.severity}: {f.rule} ({f.where})"
        if reason not in reasons:
            reasons.append(reason)
    if unreadable_pages:
        pages = ", ".join(str(p) for p in unreadable_pages)
        reasons.append(f"review: unreadable pages {pages} (scan or fonts without Unicode)")
    if blocks:
        return Verdict.BLOCK, tuple(reasons)
    if warns or unreadable_pages:
        return Verdict.REVIEW, tuple(reasons)
    return Verdict.CLEAR, tuple(reasons)
