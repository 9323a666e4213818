"""The scanner's view of one extracted document: positions, sentences, context and tables.

Recognizers ask it where a span stands (head, page header, a line of its own), which sentence
holds it, which words are near it and which table column it sits in; it answers from the text
alone and caches what it computes once.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from review_flow import lines, official
from review_flow.extract.model import Extracted, Where
from review_flow.scan.normalise import Normalised
from review_flow.scan.rules import Mention
from review_flow.scan.segmenter import Tagger

T = TypeVar("T")
WRAPPED = (Where.PAGE, Where.INVISIBLE)
SENTENCE_STOP = re.compile(r"[。！？；!?;]")
SENTENCE_OR_LINE_STOP = re.compile(r"[。！？；!?;\n]")
# Everything up to the last stop of a window, in one call (greedy, then back to the last stop).
UP_TO_LAST_STOP = re.compile(r".*[。！？；!?;]", re.DOTALL)
UP_TO_LAST_STOP_OR_LINE = re.compile(r".*[。！？；!?;\n]", re.DOTALL)
SENTENCE_REACH = 80  # PDF lines wrap inside sentences: look past line breaks, not past this


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    header: str
    column: int = 0


_SPACES = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    return _SPACES.sub("", text)


@functools.lru_cache(maxsize=8)
def _any_mention(mentions: tuple[Mention, ...]) -> Callable[[str], bool]:
    """One regex for all mention patterns (one search per sentence, not one per pattern)."""
    if len({m.regex.flags for m in mentions}) == 1:
        try:
            joined = re.compile(
                "|".join(f"(?:{m.regex.pattern})" for m in mentions), mentions[0].regex.flags
            )
            return lambda sentence: joined.search(sentence) is not None
        except re.error:  # e.g. two patterns naming the same group
            pass
    return lambda sentence: any(m.regex.search(sentence) for m in mentions)


class ScannedDocument:
    """Text, parsed head and lookup helpers for one Extracted."""

    def __init__(
        self, extracted: Extracted, mentions: tuple[Mention, ...], view: Normalised | None = None
    ) -> None:
        """`view`: the normalised text the recognizers read (default: the extracted text)."""
        self.extracted = extracted
        self.text = extracted.text if view is None else view.text
        self.mentions = mentions
        mapped = view if view is not None and not view.is_identity else None
        self.lines = lines.LineIndex(
            extracted,
            self.text,
            mapped.to_source if mapped else None,
            mapped.from_source if mapped else None,
        )
        self.official = official.parse(extracted, self.lines)
        self._position_lines = self._marking_positions()
        self._mention_cache: dict[int, bool] = {}
        self._mention_in = _any_mention(mentions)
        self._cells: list[Cell] | None = None
        # Rule id → offsets where the rule's literal prefixes start, from the scanner's
        # automaton pass; a pattern rule not listed here is run over the whole text.
        self.anchors: dict[str, list[int]] = {}
        self._cell_starts: list[int] = []
        # Set by the scanner: part-of-speech signals for names, and the rules folders (for
        # the gazetteer of divisions).
        self.tagger: Tagger | None = None
        self.userdicts_dirs: tuple[Path, ...] = ()
        self._shared: dict[str, object] = {}

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """A value computed once per document and shared by the rules that ask for it."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]  # type: ignore[return-value]

    # -- positions ------------------------------------------------------------------------
    def wheres(self) -> frozenset[Where]:
        """Every kind of place the text came from (body, table, ocr, ...)."""
        return self.cached("wheres", lambda: frozenset(s.where for s in self.extracted.segments))

    def line_at(self, offset: int) -> lines.Line | None:
        return self.lines.at(offset)

    def container_at(self, offset: int) -> Where:
        seg = self.lines.segment_at(offset)
        return seg.container if seg else Where.BODY

    def where_at(self, offset: int) -> tuple[str, int | None]:
        seg = self.lines.segment_at(offset)
        return (str(seg.where), seg.page) if seg else ("body", None)

    def in_head(self, start: int) -> bool:
        return start < self.official.head_end or self.container_at(start) in official.RUNNING

    def in_position(self, start: int, end: int, companions: re.Pattern[str] | None = None) -> bool:
        """Where a marking stands: head, page header/footer, PDF page top, or its own line.

        `companions`: what else may share a marking's own line (内部资料 请勿外传).
        """
        line = self.line_at(start)
        if line is None:
            return False
        if line.start in self._position_lines:
            return True
        before, after = self.text[line.start : start], self.text[end : line.end]
        if companions is not None:
            before, after = companions.sub("", before), companions.sub("", after)
        return not before.strip(" \t　") and not after.strip(" \t　")

    def _marking_positions(self) -> set[int]:
        head = {ln.start for ln in self.official.head_lines}
        return head | {ln.start for ln in self.official.running_lines}

    # -- sentences and mentions -----------------------------------------------------------
    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around a span, bounded by 。！？； and at most SENTENCE_REACH away.

        A line break ends a sentence too, except in PDF page text, where lines wrap inside
        sentences.
        """
        wrapped = self.container_at(start) in WRAPPED
        stop, up_to_last = (SENTENCE_STOP, UP_TO_LAST_STOP) if wrapped else (
            SENTENCE_OR_LINE_STOP, UP_TO_LAST_STOP_OR_LINE)  # fmt: skip
        floor, ceiling = max(0, start - SENTENCE_REACH), min(len(self.text), end + SENTENCE_REACH)
        before = up_to_last.match(self.text, floor, start)
        after = stop.search(self.text, end, ceiling)
        return before.end() if before else floor, after.start() if after else ceiling

    def is_mention(self, start: int, end: int) -> bool:
        """The sentence holding the span cites a law, states a duty or labels a category."""
        lo, hi = self.sentence(start, end)
        cached = self._mention_cache.get(lo)
        if cached is None:
            cached = self._mention_in(self.text[lo:hi])
            self._mention_cache[lo] = cached
        return cached

    # -- context words --------------------------------------------------------------------
    def words_near(self, start: int, end: int, words: tuple[str, ...], window: int) -> list[str]:
        """Context words in the `window` characters before the span, or in its column header.

        Whitespace is ignored: PDF text is letter-spaced (邮 编) and wraps inside sentences.
        """
        before = _squeeze(self.text[max(0, start - window) : start])
        cell = self.cell_at(start)
        header = cell.header if cell else ""
        return [w for w in words if w in before or w in header]

    def words_around(self, start: int, end: int, words: tuple[str, ...], window: int) -> list[str]:
        around = _squeeze(self.text[max(0, start - window) : end + window])
        return [w for w in words if w in around]

    # -- tables ---------------------------------------------------------------------------
    def cells(self) -> list[Cell]:
        """Cells of table rows (tab-separated lines), each with its column's header text."""
        if self._cells is None:
            self._cells = self._table_cells()
            self._cell_starts = [c.start for c in self._cells]
        return self._cells

    def _table_cells(self) -> list[Cell]:
        out: list[Cell] = []
        header: list[str] = []
        previous_end = -2
        for line in self.lines.holding("\t"):
            if line.container not in (Where.TABLE, Where.BODY):
                header, previous_end = [], -2
                continue
            parts = line.text.split("\t")
            if line.start != previous_end + 1 or not header:
                header = [p.strip() for p in parts]
                previous_end = line.end
                continue
            pos = line.start
            for i, part in enumerate(parts):
                name = header[i] if i < len(header) else ""
                out.append(Cell(pos, pos + len(part), name, i))
                pos += len(part) + 1
            previous_end = line.end
        return out

    def cell_at(self, offset: int) -> Cell | None:
        cells = self.cells()
        if not cells:
            return None
        i = bisect.bisect_right(self._cell_starts, offset) - 1
        if i >= 0 and cells[i].start <= offset <= cells[i].end:
            return cells[i]
        return None
