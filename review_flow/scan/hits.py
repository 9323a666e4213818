"""A hit (a span one rule matched) and the checks every recognizer asks before it keeps one:
the right place, context words, severity in an office's context, a line of its own."""

from __future__ import annotations

import functools
import re
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
    companions = rule.params.get("companions_regex")
    return doc.in_position(start, end, _compiled(companions) if companions else None)


def context_seen(rule: Rule, doc: ScannedDocument, start: int, end: int) -> tuple[str, ...] | None:
    """Context words seen, or None when the rule requires context and none is there."""
    if not rule.context:
        return ()
    seen = tuple(doc.words_near(start, end, rule.context, rule.context_window))
    after = int(rule.params.get("context_after", "0"))
    if after and not seen:  # 持E12345678号护照: the word may follow the value
        seen = tuple(w for w in rule.context if w in doc.text[end : end + after + len(w)])
    if rule.context_required and not seen:
        return None
    return seen


def severity_at(
    rule: Rule, doc: ScannedDocument, start: int, end: int, context: tuple[str, ...]
) -> Severity:
    """The rule's severity, or info when office context surrounds it and no person is named.

    An info hit of a personal-data rule is an office's public contact point, not a finding.
    """
    public = rule.params.get("public_regex")
    if public and _compiled(public).search(doc.text, start, end):
        return Severity.INFO
    if (
        rule.downgrade_context
        and not context
        and doc.words_around(start, end, rule.downgrade_context, rule.context_window)
    ):
        return Severity.INFO
    return rule.severity


def is_contact_point(hit: Hit) -> bool:
    """An office's landline, hotline, fax or mailbox: shown apart, never personal data."""
    rule = hit.rule
    if rule.params.get("contact_point") == "true":
        return True
    return (
        hit.severity is Severity.INFO
        and rule.severity is not Severity.INFO
        and bool(rule.downgrade_context or rule.params.get("public_regex"))
    )


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def own_line_ok(rule: Rule, doc: ScannedDocument, start: int, end: int) -> bool:
    if rule.params.get("own_line") != "true":
        return True
    line = doc.line_at(start)
    if line is None:
        return False
    return not doc.text[line.start : start].strip(" \t　") and not doc.text[end : line.end].strip(
        " \t　。"
    )
