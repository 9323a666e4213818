"""Values broken by layout: digits grouped with spaces or hyphens, cut by a line break, or
wrapped inside a narrow PDF table column with other cells' text printed between the halves.

A candidate is joined only when the joined value validates (check digit, Luhn, length and
prefix), and a value that already stands whole is left to the pattern rules: two unrelated
numbers side by side join into one only if together they pass the rule's validator.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from review_flow.scan.document import ScannedDocument
from review_flow.scan.hits import Hit, context_seen, severity_at
from review_flow.scan.rules import Rule
from review_flow.scan.validators import VALIDATORS

# Digit groups joined by one separator: a space, a hyphen (with optional spaces), or a line
# break. The last group may end with the ID check character X.
_GROUPED = re.compile(
    r"(?<![0-9A-Za-z])[0-9]+(?:(?: ?- ?| |[ \t]*\n[ \t]*)[0-9]+){1,7}[Xx]?(?![0-9A-Za-z])"
)
_GROUP = re.compile(r"[0-9]+[Xx]?")
# A token that may be half of a value wrapped in a table column: digits standing alone.
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{3,17}[Xx]?(?![0-9A-Za-z])")
WRAP_LINES = 2  # the second half stands on one of the next lines of the same row
MIN_GROUP = 2  # "+86 1", "6-8-4": a lone digit is a list item or a count, not part of a value


class Piece(NamedTuple):
    start: int
    end: int
    digits: str


class Joined(NamedTuple):
    start: int
    end: int
    value: str


@functools.lru_cache(maxsize=4)
def _lengths(spec: str) -> frozenset[int]:
    out: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


_UNIT_AFTER = frozenset("年月日时分元万亿%.")  # full-width stops are folded


def grouped(text: str) -> Iterator[list[Piece]]:
    """Runs of digit groups held apart by single separators.

    A last group followed by a unit (2026年, 500元) is a date or an amount, not a value's tail.
    """
    for m in _GROUPED.finditer(text):
        base = m.start()
        pieces = [Piece(base + g.start(), base + g.end(), g.group()) for g in _GROUP.finditer(m[0])]
        if m.end() < len(text) and text[m.end()] in _UNIT_AFTER:
            pieces.pop()
        if len(pieces) > 1:
            yield pieces


def _sub_runs(pieces: list[Piece], lengths: frozenset[int]) -> Iterator[Joined]:
    """Each stretch of two or more consecutive groups whose joined length is wanted."""
    for i in range(len(pieces)):
        joined = pieces[i].digits
        for j in range(i + 1, len(pieces)):
            if len(pieces[j].digits) < MIN_GROUP and j < len(pieces) - 1:
                break
            joined += pieces[j].digits
            if len(joined) > max(lengths):
                break
            if len(joined) in lengths:
                yield Joined(pieces[i].start, pieces[j].end, joined)


def wrapped(doc: ScannedDocument, lengths: frozenset[int]) -> Iterator[tuple[Joined, Piece]]:
    """A digit token at the end of a cell and its continuation on one of the next lines."""
    text = doc.text
    for first in _TOKEN.finditer(text):
        line_end = text.find("\n", first.end())
        if line_end < 0:
            continue
        stop = line_end
        for _ in range(WRAP_LINES):
            nxt = text.find("\n", stop + 1)
            stop = len(text) if nxt < 0 else nxt
        for second in _TOKEN.finditer(text, line_end + 1, stop):
            if second.end() < len(text) and text[second.end()] in _UNIT_AFTER:
                continue  # 2026年, 500元: a date or an amount
            value = first.group() + second.group()
            if len(value) in lengths and "X" not in first.group().upper():
                joined = Joined(first.start(), second.end(), value)
                yield joined, Piece(second.start(), second.end(), second.group())


def joined_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """Values of the rule's validator found by joining digit groups, or halves of a cell."""
    validate = VALIDATORS[rule.validator]
    lengths = _lengths(rule.params.get("lengths", "11-19"))
    text, seen = doc.text, set()
    candidates: list[tuple[Joined, Piece | None]]
    candidates = [(j, None) for pieces in grouped(text) for j in _sub_runs(pieces, lengths)]
    if rule.params.get("wrap") == "true":
        candidates += list(wrapped(doc, lengths))
    for (start, end, value), second in candidates:
        if (start, end) in seen or not validate(value):
            continue
        context = context_seen(rule, doc, start, end)
        if context is None:
            continue
        seen.add((start, end))
        severity = severity_at(rule, doc, start, end, context)
        if second is None:
            shown = value if "\n" in text[start:end] else ""
            yield Hit(rule, start, end, severity, rule.message, context, shown)
            continue
        # NOTE: the halves of a wrapped cell are two hits: one span over both would cover the
        # other cells printed between them and hide their own findings in the overlap rule.
        message = f"{rule.message}（表格中折行，两段合为一个号码）"
        first_end = start + len(value) - len(second.digits)
        yield Hit(rule, start, first_end, severity, message, context, value)
        yield Hit(rule, second.start, second.end, severity, message, context, value)
