"""Redaction (脱敏): file bytes and the values to mask → a new file and its removal report,
checked for leftovers before it is handed back. Pure: no database, no file written.

`redact()` masks every target value wherever it stands, in any of its forms, removes what a
publication must not carry (docx: comments, tracked changes, hidden text, properties,
customXml, unreferenced parts, confirmed embedded objects; pdf: see pdf.py), then runs the
leftover check (leftover.py) and raises RedactionError if any value is left.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from review_flow.errors import ExtractionError
from review_flow.extract import Limits, sniff
from review_flow.extract.limits import check_size
from review_flow.redact import docx, leftover, pdf
from review_flow.redact.masks import Finder, MaskRules, decoded, load_masks
from review_flow.redact.report import Masked, Options, PdfMode, Redacted, Removal, Target
from review_flow.scan import Scanner

__all__ = [
    "MaskRules",
    "Options",
    "PdfMode",
    "Redacted",
    "Removal",
    "Target",
    "load_masks",
    "redact",
]

log = logging.getLogger(__name__)


def redact(
    data: bytes,
    name: str,
    targets: Sequence[Target],
    masks: MaskRules,
    options: Options | None = None,
    limits: Limits | None = None,
    scanner: Scanner | None = None,
) -> Redacted:
    """The redacted file, after the leftover check (and a re-scan when `scanner` is given)."""
    limits = limits or Limits()
    options = options or Options()
    check_size(name, len(data), limits)
    finder = Finder.of(((t.value, t.kind) for t in targets), masks)
    # NOTE: no value is allowed: the channels are cleaned all the same (file mode on a file
    # whose scan found no personal data); the workflow refuses a redaction nothing asked for.
    kind = sniff(data, name)
    if kind == "docx":
        result = docx.redact(data, name, finder, options, limits)
    elif kind == "pdf":
        result = pdf.redact(data, name, finder, options, limits)
    elif kind == "text":
        result = _text(data, finder)
    else:  # pragma: no cover - sniff raises for anything else
        raise ExtractionError(name, f"cannot redact a {kind} file")
    leftover.check(result, name, finder, limits, scanner)
    log.info(
        "redacted %s: %d mask(s), %d removal(s)", Path(name).name, result.mask_count,
        len(result.removals),
    )  # fmt: skip
    return result


def _text(data: bytes, finder: Finder) -> Redacted:
    shown: list[str] = []
    new, _ = finder.sub(decoded(data), shown)
    report = (Masked("text", len(shown), tuple(dict.fromkeys(shown))),) if shown else ()
    return Redacted(new.encode("utf-8"), "text", report)
