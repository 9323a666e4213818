"""Recognizers: turn one rule and one document into hits. Looked up by `rule.recognizer`.

keyword    automaton hits confirmed by jieba word boundaries in a small window, minus mentions
pattern    regex + optional validator + context words (before the hit, or the column header)
column     table cells under a named column header (姓名, 家庭住址), validated
marking    密级 markings parsed by official.py, only where a marking stands
party_head 发文机关标志 / 发文字号 / 署名 of a party organ (block), or joint with government (warn)
head_field a parsed head field that is itself a signal (份号)
ocr_id     near-valid ID numbers in OCR text (ocr_ids.py)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from review_flow.scan.anchors import (
    anchored_matches,
    literal_prefixes,
    required_literal,
    split_by_prefix,
    usable,
)
from review_flow.scan.document import ScannedDocument
from review_flow.scan.hits import Hit, context_seen, own_line_ok, severity_at, where_ok
from review_flow.scan.joins import joined_hits
from review_flow.scan.literals import Literals
from review_flow.scan.model import Severity
from review_flow.scan.ocr_ids import ocr_id_hits
from review_flow.scan.people import (
    CUE_PARAMS,
    address_hits,
    cue_anchor,
    name_column_hits,
    person_hits,
)
from review_flow.scan.rules import Rule
from review_flow.scan.segmenter import Segmenter
from review_flow.scan.validators import VALIDATORS


@dataclass(frozen=True, slots=True)
class Matches:
    """What one automaton pass found: keyword matches, and where anchored rules may match."""

    keywords: list[tuple[int, int, tuple[Rule, ...]]]  # start, end, the rules owning the word
    anchors: dict[str, list[int]]  # rule id → sorted offsets where one of its prefixes starts


class KeywordIndex:
    """One Aho-Corasick automaton over the keywords of every keyword rule, and the literal
    prefixes of every pattern rule that has them (see anchors.py)."""

    def __init__(self, rules: tuple[Rule, ...], engine: str | None = None) -> None:
        keywords: dict[str, list[Rule]] = {}
        anchored: dict[str, list[str]] = {}
        for rule in rules:
            if rule.recognizer == "keyword":
                for word in rule.keywords:
                    keywords.setdefault(word, []).append(rule)
            elif rule.recognizer == "pattern" and rule.regex is not None:
                prefixes = literal_prefixes(rule.regex)
                if usable(prefixes):
                    for prefix in prefixes or ():
                        anchored.setdefault(prefix, []).append(rule.id)
            elif rule.recognizer == "person":
                for key in CUE_PARAMS:
                    pattern = rule.params.get(key)
                    if pattern:
                        for prefix in split_by_prefix(pattern).prefixes:
                            anchored.setdefault(prefix, []).append(cue_anchor(rule.id, key))
        self.anchored_rules = frozenset(i for ids in anchored.values() for i in ids)
        self.automaton = Literals(
            {
                word: (len(word), tuple(keywords.get(word, ())), tuple(anchored.get(word, ())))
                for word in keywords.keys() | anchored.keys()
            },
            engine,
        )

    def find(self, text: str) -> Matches:
        """One pass over the text."""
        found: list[tuple[int, int, tuple[Rule, ...]]] = []
        starts: dict[str, set[int]] = {}
        for last, (length, owners, anchored) in self.automaton.iter(text):
            start = last - length + 1
            if owners:
                found.append((start, last + 1, owners))
            for rule_id in anchored:
                if rule_id in starts:
                    starts[rule_id].add(start)
                else:
                    starts[rule_id] = {start}
        # NOTE: an anchored rule none of whose prefixes occur gets an empty list (it is not
        # run over the whole text); most rules have none in a short 公文.
        return Matches(
            found,
            {r: sorted(starts[r]) if r in starts else [] for r in self.anchored_rules},
        )

    def hits(
        self, doc: ScannedDocument, segmenter: Segmenter, matches: Matches | None = None
    ) -> Iterator[Hit]:
        """Keyword matches that stand: right place, context, no mention, whole words."""
        text = doc.text
        for start, end, owners in (matches or self.find(text)).keywords:
            split: bool | None = None  # asked lazily: most hits fail cheaper checks first
            for rule in owners:
                if not where_ok(rule, doc, start, end) or not own_line_ok(rule, doc, start, end):
                    continue
                context = context_seen(rule, doc, start, end)
                if context is None:
                    continue
                if rule.mentions and doc.is_mention(start, end):
                    continue
                if split is None:
                    split = segmenter.splits_a_word(text, start, end)
                if split:
                    break
                yield Hit(
                    rule,
                    start,
                    end,
                    severity_at(rule, doc, start, end, context),
                    rule.message,
                    context,
                )


def _pivoted(regex: re.Pattern[str], text: str, pivot: str, reach: int) -> Iterator[re.Match[str]]:
    """The matches `regex.finditer(text)` gives, for a rule whose every match stays on one line
    and holds `pivot` at most `reach` characters after its start (an e-mail address and its @).

    Only the lines holding the pivot are searched, each from `reach` before its first pivot:
    a match cannot start earlier, and matches on other lines cannot overlap these.
    NOTE: measured on the bench corpus, the e-mail rule went from 13 ms to ~5 ms of regex.
    """
    at = text.find(pivot)
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        yield from regex.finditer(text, max(line_start, at - reach), line_end)
        at = text.find(pivot, line_end)


@functools.lru_cache(maxsize=64)
def _any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    """One search for any of the words (a generator of `in` tests cost more per document)."""
    return re.compile("|".join(map(re.escape, words)))


@dataclass(frozen=True, slots=True)
class PatternPlan:
    """What pattern_hits needs of a rule, worked out once per rule, not once per document.

    NOTE: a short 公文 cost ~5 µs a pattern rule in these lookups alone (groupindex builds a
    new mapping on every access), a quarter of its scan.
    """

    regex: re.Pattern[str]
    context: re.Pattern[str] | None  # one of which must be in the text, when required
    pivot: str | None
    reach: int
    required: str | None
    validate: Callable[[str], bool] | None
    group: str | int
    placed: bool
    mentions: bool


_plans: dict[int, tuple[Rule, PatternPlan]] = {}  # by id(rule): a Rule holds a dict, no hash
PLANS_KEPT = 4096


def _plan(rule: Rule) -> PatternPlan:
    known = _plans.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    assert rule.regex is not None
    plan = PatternPlan(
        regex=rule.regex,
        context=_any_word(rule.context) if rule.context_required and rule.context else None,
        pivot=rule.params.get("pivot"),
        reach=int(rule.params.get("reach", "64")),
        required=required_literal(rule.regex),
        validate=VALIDATORS.get(rule.validator) if rule.validator else None,
        group="value" if "value" in rule.regex.groupindex else 0,
        placed=rule.where != "anywhere" or rule.params.get("own_line") == "true",
        mentions=rule.mentions and rule.params.get("mentions") == "true",
    )
    if len(_plans) > PLANS_KEPT:
        _plans.clear()  # rules loaded again and again (tests, a rules-editing session)
    _plans[id(rule)] = (rule, plan)
    return plan


def pattern_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    plan, text = _plan(rule), doc.text
    # Cheap exact shortcuts: a rule that needs a context word, or a pivot character such as
    # "@", cannot match a text that holds none of them.
    if rule.context_required and (plan.context is None or not plan.context.search(text)):
        return
    pivot = plan.pivot
    if pivot is not None and pivot not in text:
        return
    if plan.required is not None and plan.required not in text:
        return
    validate, group, placed, mentions = plan.validate, plan.group, plan.placed, plan.mentions
    starts = doc.anchors.get(rule.id)
    if starts is not None:
        matches = anchored_matches(plan.regex, text, starts)
    elif pivot is not None:
        matches = _pivoted(plan.regex, text, pivot, plan.reach)
    else:
        matches = plan.regex.finditer(text)
    for m in matches:
        start, end = m.span(group)
        if start == end:
            continue
        if validate is not None and not validate(text[start:end]):
            continue
        if placed and not (where_ok(rule, doc, start, end) and own_line_ok(rule, doc, start, end)):
            continue
        if mentions and doc.is_mention(start, end):
            continue
        context = context_seen(rule, doc, start, end)
        if context is None:
            continue
        yield Hit(
            rule, start, end, severity_at(rule, doc, start, end, context), rule.message, context
        )


def column_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """Cells under a matching column header whose text passes the rule's regex/validator."""
    assert rule.regex is not None
    validate = VALIDATORS.get(rule.validator) if rule.validator else None
    group = "value" if "value" in rule.regex.groupindex else 0
    wanted: dict[str, bool] = {}  # by header text: a table repeats its few headers per row
    for cell in doc.cells():
        ok = wanted.get(cell.header)
        if ok is None:
            ok = wanted[cell.header] = any(h in cell.header for h in rule.headers)
        if not ok:
            continue
        m = rule.regex.search(doc.text[cell.start : cell.end])
        if m is None:
            continue
        start, end = cell.start + m.start(group), cell.start + m.end(group)
        if validate is not None and not validate(doc.text[start:end]):
            continue
        yield Hit(rule, start, end, rule.severity, rule.message, (cell.header,))


def marking_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """密级 markings that stand where a marking stands; template placeholders at `warn`."""
    want_placeholder = rule.params.get("placeholder") == "true"
    for marking in doc.official.markings:
        span = marking.span
        if marking.is_placeholder != want_placeholder:
            continue
        if not (marking.in_position or doc.in_position(span.start, span.end)):
            continue  # the same words elsewhere are a mention
        message = rule.message.format(level=marking.level, term=marking.term or "未标期限")
        if marking.problem:
            message += f"; {marking.problem}"
        yield Hit(rule, span.start, span.end, rule.severity, message)


def party_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """A head issued by a party organ alone blocks; jointly with a government organ, warns."""
    party = re.compile(rule.params["party_organ_regex"])
    code = re.compile(rule.params["party_code_regex"])
    head = doc.official
    marks = [m for m in head.issuer_marks if party.search(m.value)]
    others = [m for m in head.issuer_marks if not party.search(m.value)]
    strong = [m for m in marks if doc.text[m.end : m.end + 4].strip().startswith("文")]
    number = head.doc_number
    party_number = number is not None and code.search(number.code) is not None
    signed = [s for s in head.signatures if party.search(s.value)]
    signed_other = [s for s in head.signatures if not party.search(s.value)]
    has_head = bool(head.issuer_marks) or number is not None
    joint = (bool(marks) or bool(signed)) and (bool(others) or bool(signed_other))
    evidence: list[tuple[int, int, str]] = []
    if strong or (marks and party_number):
        evidence += [(m.start, m.end, "发文机关标志") for m in (strong or marks)]
    if party_number and number is not None:
        evidence.append((number.span.start, number.span.end, "发文字号"))
    if signed and (has_head or strong):
        evidence += [(s.start, s.end, "署名") for s in signed]
    if not evidence and signed:
        evidence += [(s.start, s.end, "署名") for s in signed]
        joint = True  # a party signature without any 公文 head: a person decides
    if not evidence:
        return
    severity = Severity.WARN if joint else rule.severity
    message = rule.params["joint_message"] if joint else rule.message
    for start, end, what in evidence:
        yield Hit(rule, start, end, severity, f"{message}（{what}）")


def head_field_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """A parsed head field (e.g. 份号) that is itself a sign of a controlled document."""
    span = getattr(doc.official, rule.params["field"], None)
    if span is not None:
        yield Hit(rule, span.start, span.end, rule.severity, rule.message)


Recognizer = Callable[[Rule, ScannedDocument], Iterator[Hit]]

RECOGNIZER_KINDS: dict[str, Recognizer] = {
    "pattern": pattern_hits,
    "column": column_hits,
    "marking": marking_hits,
    "party_head": party_hits,
    "head_field": head_field_hits,
    "joined": joined_hits,
    "person": person_hits,
    "name_column": name_column_hits,
    "address": address_hits,
    "ocr_id": ocr_id_hits,
}
