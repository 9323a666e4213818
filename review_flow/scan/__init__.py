"""Extracted → ScanReport: findings with explanations, and a verdict. Pure: no database, no tty."""

from __future__ import annotations

import bisect
import logging
from pathlib import Path

from review_flow.errors import ReviewFlowError
from review_flow.extract.model import Extracted
from review_flow.scan.document import ScannedDocument
from review_flow.scan.masking import mask_text, mask_value
from review_flow.scan.model import Category, Finding, ScanReport, Severity, Verdict
from review_flow.scan.recognizers import RECOGNIZER_KINDS, Hit, KeywordIndex
from review_flow.scan.rules import RuleSet, load_rules
from review_flow.scan.segmenter import Segmenter
from review_flow.scan.verdict import decide

__all__ = ["Category", "Finding", "ScanReport", "Scanner", "Severity", "Verdict", "error_report"]

log = logging.getLogger(__name__)

EXCERPT_RADIUS = 30
SEVERITY_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


class Scanner:
    """Holds the rules, the keyword automaton and the segmenter; scans many documents."""

    def __init__(self, rules: RuleSet, segmenter: Segmenter | None = None) -> None:
        self.rules = rules
        self.keywords = KeywordIndex(rules.rules)
        self.segmenter = segmenter or Segmenter(rules.userdict)

    @classmethod
    def from_dirs(cls, *dirs: Path) -> Scanner:
        return cls(load_rules(*dirs))

    def hits(self, doc: ScannedDocument) -> list[Hit]:
        found = list(self.keywords.hits(doc, self.segmenter))
        for rule in self.rules.rules:
            recognizer = RECOGNIZER_KINDS.get(rule.recognizer)
            if recognizer is not None:
                found.extend(recognizer(rule, doc))
        return _resolve_overlaps(found)

    def scan(self, extracted: Extracted, reveal: bool = False) -> ScanReport:
        doc = ScannedDocument(extracted, self.rules.mentions)
        hits = self.hits(doc)
        masks = _Masks([]) if reveal else _masks(doc.text, hits)
        findings = tuple(_finding(doc, h, masks) for h in hits)
        unreadable = tuple(u.page for u in extracted.unreadable_pages)
        verdict, reasons = decide(findings, unreadable)
        log.info("scanned %s: %d findings, %s", extracted.sha256[:12], len(findings), verdict)
        return ScanReport(
            path=extracted.path, sha256=extracted.sha256, verdict=verdict, findings=findings,
            unreadable_pages=unreadable, reasons=reasons, head=doc.official.to_json(),
            summary=_summary(extracted),
        )  # fmt: skip


class _Masks:
    """Spans to mask, sorted, so an excerpt asks only for the few that touch it."""

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _, _ in self.spans]
        self.longest = max((e - s for s, e, _ in self.spans), default=0)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def within(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_left(self.starts, hi)
        return [span for span in self.spans[first:last] if span[1] > lo]


def _masks(text: str, hits: list[Hit]) -> _Masks:
    """Every span to mask: each personal value found, and every other place it recurs.

    NOTE: a name found in a table (陈志明) may recur in a comment where no rule fires; an
    excerpt around some other finding must not print it there.
    """
    spans = [(h.start, h.end, h.rule.mask) for h in hits if h.rule.mask != "none"]
    seen: set[str] = set()
    for start, _end, style in list(spans):
        value = text[start:_end]
        if len(value) < 2 or value in seen:
            continue
        seen.add(value)
        at = text.find(value)
        while at >= 0:
            if at != start:
                spans.append((at, at + len(value), style))
            at = text.find(value, at + 1)
    return _Masks(spans)


def _summary(extracted: Extracted) -> dict[str, object]:
    segments: dict[str, int] = {}
    for seg in extracted.segments:
        segments[str(seg.where)] = segments.get(str(seg.where), 0) + 1
    return {
        "format": extracted.format,
        "pages": extracted.pages,
        "chars": len(extracted.text),
        "segments": segments,
        "unreadable_pages": [u.page for u in extracted.unreadable_pages],
    }


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Within a category, one finding per span: the most severe, then the longest, wins."""
    ordered = sorted(
        hits, key=lambda h: (SEVERITY_RANK[h.severity], -(h.end - h.start), h.start, h.rule.id)
    )
    taken: dict[str, _Intervals] = {}
    kept: list[Hit] = []
    for hit in ordered:
        intervals = taken.setdefault(str(hit.rule.category), _Intervals())
        if intervals.overlaps(hit.start, hit.end):
            continue
        intervals.add(hit.start, hit.end)
        kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.rule.id))


class _Intervals:
    """Disjoint [start, end) spans kept sorted, for overlap tests in O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before `end`
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _finding(doc: ScannedDocument, hit: Hit, masks: _Masks) -> Finding:
    line = doc.line_at(hit.start)
    lo = max(hit.start - EXCERPT_RADIUS, line.start if line else 0)
    hi = min(hit.end + EXCERPT_RADIUS, line.end if line else len(doc.text))
    excerpt = mask_text(doc.text[lo:hi], lo, masks.within(lo, hi)).strip()
    value = doc.text[hit.start : hit.end]
    if masks and hit.rule.mask != "none":
        value = mask_value(value, hit.rule.mask)
    where, page = doc.where_at(hit.start)
    return Finding(
        rule=hit.rule.id, category=hit.rule.category, kind=hit.rule.kind, severity=hit.severity,
        start=hit.start, end=hit.end, where=where, excerpt=excerpt, message=hit.message,
        value=value, page=page, context=hit.context, recognizer=hit.rule.recognizer,
    )  # fmt: skip


def error_report(path: str, error: ReviewFlowError) -> ScanReport:
    """A file that could not be read: never clear."""
    return ScanReport(path=path, sha256="", verdict=Verdict.REVIEW, error=str(error))
