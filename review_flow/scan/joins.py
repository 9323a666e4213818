"""Values broken by layout: digits grouped with spaces or hyphens, cut by a line break, or
wrapped inside a narrow PDF table column with other cells' text printed between the halves.

A candidate is joined only when the joined value validates (check digit, Luhn, length and
prefix), and a value that already stands whole is left to the pattern rules: two unrelated
numbers side by side join into one only if together they pass the rule's validator.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple

from review_flow.scan.document import ScannedDocument
from review_flow.scan.hits import Hit, context_seen, severity_at
from review_flow.scan.rules import Rule
from review_flow.scan.validators import VALIDATORS

# Digit groups joined by one separator: a space, a hyphen (with optional spaces), or a line
# break. The last group may end with the ID check character X.
# NOTE: opens with a digit class and checks the character before after it, so the engine skips
# ahead by class (the rules' digit patterns do the same).
_GROUPED = re.compile(
    r"[0-9](?<![0-9A-Za-z][0-9])[0-9]*(?:(?: ?- ?| |[ \t]*\n[ \t]*)[0-9]+){1,7}[Xx]?(?![0-9A-Za-z])"
)
_GROUP = re.compile(r"[0-9]+[Xx]?")
# A token that may be half of a value wrapped in a table column: digits standing alone.
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{3,17}[Xx]?(?![0-9A-Za-z])")
WRAP_LINES = 2  # the second half stands on one of the next lines of the same row
LAID_OUT = ("pdf", "ofd")  # formats whose text is read off laid-out pages, lines by position
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
    """A digit token at the end of a cell and its continuation on one of the next lines.

    NOTE: the tokens are listed once per document, with the next lines' tokens grouped by
    length, so a first half looks up only the second halves whose length completes a wanted
    one (most digit tokens are dates, amounts and serials). Measured on five copies of the real
    corpus: 100 → ~20 ms for the two wrap rules.
    """
    table = doc.cached("wrap table", lambda: _wrap_table(doc.text))
    for firsts, by_length in table:
        for first in firsts:
            if first.digits[-1] in "Xx":
                continue
            size = len(first.digits)
            groups = [by_length[n - size] for n in lengths if n - size in by_length]
            if not groups:
                continue
            seconds = groups[0] if len(groups) == 1 else sorted(itertools.chain(*groups))
            for _, second in seconds:
                value = first.digits + second.digits
                yield Joined(first.start, second.end, value), second


def _wrap_table(text: str) -> list[tuple[list[Piece], dict[int, list[tuple[int, Piece]]]]]:
    """For each line holding digit tokens: its tokens, and the tokens of the next WRAP_LINES
    lines that may end a value, by length, each with its rank in reading order.

    A token followed by a unit (2026年, 500元) is a date or an amount: it ends no value.
    """
    lines = _tokens_by_line(text)
    out: list[tuple[list[Piece], dict[int, list[tuple[int, Piece]]]]] = []
    for i, (line, firsts) in enumerate(lines):
        by_length: dict[int, list[tuple[int, Piece]]] = {}
        rank = 0
        for later_line, tokens in lines[i + 1 : i + 1 + WRAP_LINES]:
            if later_line - line > WRAP_LINES:
                break
            for token in tokens:
                rank += 1
                if token.end < len(text) and text[token.end] in _UNIT_AFTER:
                    continue
                by_length.setdefault(len(token.digits), []).append((rank, token))
        if by_length:
            out.append((firsts, by_length))
    return out


def _tokens_by_line(text: str) -> list[tuple[int, list[Piece]]]:
    """(line number, digit tokens) for each line that holds any."""
    out: list[tuple[int, list[Piece]]] = []
    line, pos = 0, 0
    for token in _TOKEN.finditer(text):
        line += text.count("\n", pos, token.start())
        pos = token.start()
        piece = Piece(token.start(), token.end(), token.group())
        if out and out[-1][0] == line:
            out[-1][1].append(piece)
        else:
            out.append((line, [piece]))
    return out


def joined_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """Values of the rule's validator found by joining digit groups, or halves of a cell."""
    validate = VALIDATORS[rule.validator]
    lengths = _lengths(rule.params.get("lengths", "11-19"))
    text, seen = doc.text, set()
    candidates: list[tuple[Joined, Piece | None]]
    runs = doc.cached("grouped digits", lambda: list(grouped(text)))
    candidates = [(j, None) for pieces in runs for j in _sub_runs(pieces, lengths)]
    if rule.params.get("wrap") == "true" and doc.extracted.format in LAID_OUT:
        candidates += list(wrapped(doc, lengths))  # narrow table columns are a laid-out page's
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
