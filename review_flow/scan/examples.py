"""Checks every rule against its own hit/miss examples (`review-flow rules test`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from review_flow.extract.limits import Limits
from review_flow.extract.model import Where
from review_flow.extract.text import extract as extract_text
from review_flow.scan import Scanner
from review_flow.scan.rules import Rule


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: str
    kind: str  # "hit" or "miss"
    text: str
    passed: bool


def rule_fires(scanner: Scanner, rule: Rule, text: str) -> bool:
    """Does `rule` produce a finding when `text` is scanned as a whole document?

    A contact-point rule (an office's landline) fires when it lists a contact point.
    """
    extracted = extract_text(text.encode("utf-8"), "<example>", Limits())
    if rule.params.get("segments") == "ocr":  # a rule for OCR text: the example as OCR read it
        ocr = tuple(replace(s, where=Where.OCR) for s in extracted.segments)
        extracted = replace(extracted, segments=ocr)
    report = scanner.scan(extracted, reveal=True)
    shown = report.findings
    if rule.params.get("contact_point") == "true":
        shown += report.contact_points
    return any(f.rule == rule.id for f in shown)


def check_examples(scanner: Scanner) -> Iterator[ExampleResult]:
    for rule in scanner.rules.rules:
        for kind, want in (("hit", True), ("miss", False)):
            for text in getattr(rule.examples, kind):
                yield ExampleResult(rule.id, kind, text, rule_fires(scanner, rule, text) is want)


def check_mentions(scanner: Scanner) -> Iterator[ExampleResult]:
    """Each mention pattern must match its own examples."""
    for mention in scanner.rules.mentions:
        for text in mention.examples.hit:
            yield ExampleResult(mention.id, "hit", text, bool(mention.regex.search(text)))
        for text in mention.examples.miss:
            yield ExampleResult(mention.id, "miss", text, not mention.regex.search(text))
