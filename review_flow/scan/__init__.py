"""Extracted → ScanReport: findings with explanations, and a verdict. Pure: no database, no tty."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from review_flow.errors import ReviewFlowError
from review_flow.extract.model import Extracted
from review_flow.scan.active import active_findings
from review_flow.scan.document import ScannedDocument
from review_flow.scan.hits import is_contact_point
from review_flow.scan.masking import mask_text, mask_value
from review_flow.scan.model import Category, Finding, ScanReport, Severity, Verdict
from review_flow.scan.normalise import Normalised, normalise
from review_flow.scan.ocr_read import ocr_findings
from review_flow.scan.recognizers import RECOGNIZER_KINDS, Hit, KeywordIndex
from review_flow.scan.rules import RuleSet, load_rules
from review_flow.scan.segmenter import Segmenter, Tagger
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
        self.tagger = Tagger(self.segmenter)
        self.rule_dirs = rules.folders
        self.recognizers = [
            (RECOGNIZER_KINDS[rule.recognizer], rule)
            for rule in rules.rules
            if rule.recognizer in RECOGNIZER_KINDS
        ]

    @classmethod
    def from_dirs(cls, *dirs: Path) -> Scanner:
        return cls(load_rules(*dirs))

    def hits(self, doc: ScannedDocument) -> list[Hit]:
        matches = self.keywords.find(doc.text)
        doc.anchors = matches.anchors
        doc.tagger, doc.userdicts_dirs = self.tagger, self.rule_dirs
        found = list(self.keywords.hits(doc, self.segmenter, matches))
        for recognizer, rule in self.recognizers:
            found.extend(recognizer(rule, doc))
        return _resolve_overlaps(found)

    def scan(self, extracted: Extracted, reveal: bool = False) -> ScanReport:
        # NOTE: recognizers read the normalised view; findings point into the extracted text.
        view = normalise(extracted.text)
        doc = ScannedDocument(extracted, self.rules.mentions, view)
        hits: list[Hit] = []
        contacts: list[Hit] = []
        for hit in self.hits(doc):
            (contacts if is_contact_point(hit) else hits).append(hit)
        placed = [_placed(h, view) for h in hits]
        # NOTE: masked once, and each excerpt cut from the copy (masks keep lengths): per
        # finding this was the largest cost in a document with tables of people.
        source = extracted.text
        shown = source if reveal else _masked(source, placed)
        findings = tuple(
            _finding(doc, view, h, p, shown, reveal) for h, p in zip(hits, placed, strict=True)
        )
        contact_points = tuple(
            _finding(doc, view, h, _placed(h, view), shown, reveal) for h in contacts
        )
        if extracted.active_content:
            findings += active_findings(extracted.active_content)
        if extracted.ocr:
            findings += ocr_findings(extracted)
        unreadable = tuple(u.page for u in extracted.unreadable_pages)
        verdict, reasons = decide(findings, unreadable)
        # NOTE: a page OCR read but could not vouch for says why (its confidence, the limit).
        reasons += tuple(f"page {o.page}: {o.doubt}" for o in extracted.ocr if o.doubt and o.page)
        log.info("scanned %s: %d findings, %s", extracted.sha256[:12], len(findings), verdict)
        head = doc.official.to_json(None if view.is_identity else view.written)
        return ScanReport(
            path=extracted.path, sha256=extracted.sha256, verdict=verdict, findings=findings,
            unreadable_pages=unreadable, reasons=reasons, head=head,
            summary=_summary(extracted), contact_points=contact_points,
        )  # fmt: skip


class Placed(NamedTuple):
    """A hit's span in the extracted text, and its mask style."""

    start: int
    end: int
    mask: str


def _placed(hit: Hit, view: Normalised) -> Placed:
    if view.is_identity:
        return Placed(hit.start, hit.end, hit.rule.mask)
    return Placed(*view.span_to_source(hit.start, hit.end), hit.rule.mask)


def _masked(text: str, hits: list[Placed]) -> str:
    """The text with each personal value found masked, and every other place it recurs.

    NOTE: a name found in a table (陈志明) may recur in a comment where no rule fires; an
    excerpt around some other finding must not print it there.
    """
    spans = [(h.start, h.end, h.mask) for h in hits if h.mask != "none"]
    styles: dict[str, str] = {}  # each value once, with the style of its first finding
    found_at: set[tuple[int, str]] = set()
    for start, end, style in spans:
        value = text[start:end]
        if len(value) >= 2:
            styles.setdefault(value, style)
            found_at.add((start, value))
    spans += [
        (at, at + len(value), styles[value])
        for at, value in _occurrences(text, list(styles))
        if (at, value) not in found_at
    ]
    return mask_text(text, sorted(spans))


def _occurrences(text: str, values: list[str]) -> Iterator[tuple[int, str]]:
    """Every (offset, value) where a value occurs, overlapping ones included.

    NOTE: with more than a few values one automaton pass beats a str.find loop per value
    (measured: 34 ms → ~5 ms over the 60 files of the bench corpus).
    """
    if len(values) <= 4:
        for value in values:
            at = text.find(value)
            while at >= 0:
                yield at, value
                at = text.find(value, at + 1)
        return
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for value in values:
        automaton.add_word(value, value)
    automaton.make_automaton()
    for last, value in automaton.iter(text):
        yield last - len(value) + 1, value


def _summary(extracted: Extracted) -> dict[str, object]:
    counts = Counter(map(attrgetter("where"), extracted.segments))  # counted in C
    segments = {str(where): n for where, n in counts.items()}
    return {
        "format": extracted.format,
        "pages": extracted.pages,
        "chars": len(extracted.text),
        "segments": segments,
        "unreadable_pages": [u.page for u in extracted.unreadable_pages],
    }


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Within a category, one finding per span: the most severe, then the longest, wins.

    Hits are settled cluster by cluster (hits of a category joined by overlaps): a hit can
    only lose to one it overlaps, and most hits overlap nothing.
    """
    by_category: dict[Category, list[Hit]] = {}
    for hit in hits:
        by_category.setdefault(hit.rule.category, []).append(hit)
    kept: list[Hit] = []
    for group in by_category.values():
        group.sort(key=_hit_start)
        cluster, reach = [group[0]], group[0].end
        for hit in group[1:]:
            if hit.start < reach:
                cluster.append(hit)
                reach = max(reach, hit.end)
            else:
                kept += _settle(cluster)
                cluster, reach = [hit], hit.end
        kept += _settle(cluster)
    return sorted(kept, key=lambda h: (h.start, h.rule.id))


def _hit_start(hit: Hit) -> int:
    return hit.start


def _settle(cluster: list[Hit]) -> list[Hit]:
    """The hits of one cluster that stand: taken by rank, each unless it overlaps one taken."""
    if len(cluster) == 1:
        return cluster
    ranked = sorted(
        cluster, key=lambda h: (SEVERITY_RANK[h.severity], -(h.end - h.start), h.start, h.rule.id)
    )
    taken: list[Hit] = []
    for hit in ranked:
        if not any(hit.start < t.end and t.start < hit.end for t in taken):
            taken.append(hit)
    return taken


def _finding(
    doc: ScannedDocument, view: Normalised, hit: Hit, placed: Placed, shown: str, reveal: bool
) -> Finding:
    """`shown`: the extracted text as it may be printed (masked unless revealed).

    Offsets, excerpt and value are the extracted text's, except for a value joined across a
    layout break (a wrapped table cell), which is given as joined.
    """
    text, start, end, rule = doc.text, hit.start, hit.end, hit.rule
    line = doc.lines.bounds(start) or (0, len(text))
    lo, hi = max(start - EXCERPT_RADIUS, line[0]), min(end + EXCERPT_RADIUS, line[1])
    lo, hi = min(lo, start), max(hi, end)
    if not view.is_identity:
        lo, hi = view.span_to_source(lo, hi)
    value = hit.value or shown_value(placed, view)
    if not reveal and rule.mask != "none":
        value = mask_value(value, rule.mask)
    where, page = doc.where_at(start)
    # NOTE: positional, in Finding's field order: keywords cost a NamedTuple 2.6x more.
    return Finding(
        rule.id, rule.category, rule.kind, hit.severity, placed.start, placed.end, where,
        shown[lo:hi].strip(), hit.message, value, page, hit.context, rule.recognizer,
    )  # fmt: skip


def shown_value(placed: Placed, view: Normalised) -> str:
    return view.source[placed.start : placed.end]


def error_report(path: str, error: ReviewFlowError) -> ScanReport:
    """A file that could not be read: never clear."""
    return ScanReport(path=path, sha256="", verdict=Verdict.REVIEW, error=str(error))
