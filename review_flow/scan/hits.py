"""A hit (a span one rule matched) and the checks every recognizer asks before it keeps one:
the right place, context words, severity in an office's context, a line of its own."""

from __future__ import annotations

from typing import NamedTuple

from review_flow.scan.document import ScannedDocument
from review_flow.scan.model import Severity
from review_flow.scan.rules import Rule


class Hit(NamedTuple):
    """A span a rule matched, before masking and excerpting turn it into a Finding.

    (A NamedTuple: a document can yield thousands, and it is 2.7x cheaper to make than a
    frozen dataclass.)
    """

    rule: Rule
    start: int
    end: int
    severity: Severity
    message: str
    context: tuple[str, ...] = ()
    value: str = ""  # the value when it is not text[start:end] (joined across a layout break)


def where_ok(rule: Rule, doc: ScannedDocument, start: int, end: int) -> bool:
    if rule.where == "anywhere":
        return True
    if rule.where == "head":
        return doc.in_head(start)
    if rule.where == "body":
        return not doc.in_head(start)
    return doc.in_position(start, end)  # "position"


def context_seen(rule: Rule, doc: ScannedDocument, start: int, end: int) -> tuple[str, ...] | None:
    """Context words seen, or None when the rule requires context and none is there."""
    if not rule.context:
        return ()
    seen = tuple(doc.words_near(start, end, rule.context, rule.context_window))
    if rule.context_required and not seen:
        return None
    return seen


def severity_at(
    rule: Rule, doc: ScannedDocument, start: int, end: int, context: tuple[str, ...]
) -> Severity:
    """The rule's severity, or info when office context surrounds it and no person is named."""
    if (
        rule.downgrade_context
        and not context
        and doc.words_around(start, end, rule.downgrade_context, rule.context_window)
    ):
        return Severity.INFO
    return rule.severity


def own_line_ok(rule: Rule, doc: ScannedDocument, start: int, end: int) -> bool:
    if rule.params.get("own_line") != "true":
        return True
    line = doc.line_at(start)
    if line is None:
        return False
    return not doc.text[line.start : start].strip(" \t　") and not doc.text[end : line.end].strip(
        " \t　。"
    )
