"""The lines of an extracted text, found on demand, each with its container and page: what
the head parse (official.py) and the scanner's position checks read. Offsets may be those of a
normalised copy of the text, mapped back to the extracted text's segments.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from review_flow.extract.model import Extracted, Segment, Where


@dataclass(frozen=True, slots=True)
class Span:
    """A value found in the text and where: `text[start:end] == raw`."""

    value: str
    start: int
    end: int


class Line(NamedTuple):
    """One non-empty line of the text (a NamedTuple: a frozen dataclass cost 3× to build)."""

    text: str
    start: int
    container: Where
    page: int | None

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def span(self, m: re.Match[str], group: str | int = 0) -> Span:
        return Span(m.group(group), self.start + m.start(group), self.start + m.end(group))


# NOTE: Line's own __new__ is Python code; tuple's, called directly, is not: building ~20
# lines per document this way halves their cost.
_new_line = functools.partial(tuple.__new__, Line)
_BODY = Where.BODY  # NOTE: an enum member looked up once, not once per line


class LineIndex:
    """The non-empty lines of an extracted text, each with its container and page, on demand.

    NOTE: a scan asks for a few dozen lines of a document (its head and tail, page headers,
    lines holding 密 or a tab, the lines around findings); building every line of a long
    document up front cost more than the rest of the head parse together.
    """

    def __init__(
        self,
        extracted: Extracted,
        text: str | None = None,
        to_source: Callable[[int], int] | None = None,
        from_source: Callable[[int], int] | None = None,
    ) -> None:
        """`text`, `to_source`, `from_source`: a normalised copy of the extracted text, and the
        maps from its offsets to the extracted text's (where the segments' offsets are) and back.

        NOTE: mapping the few offsets asked for costs less than moving every segment (a long
        document has thousands; measured 0.15 s over 30 files of the bench corpus).
        """
        self.text = extracted.text if text is None else text
        self._to_source = to_source
        self._from_source = from_source
        self.segments = extracted.segments
        self._segment_starts = [s.start for s in self.segments]
        self._made: dict[int, Line] = {}
        self.paged = {s.page for s in self.segments} != {None} if self.segments else False
        # NOTE: a plain text's lines are all body lines without a page: no segment to look up
        # (the lookup was most of the cost of a line, and a 公文's head parse reads ~20 lines).
        self._plain = not self.paged and {s.container for s in self.segments} <= {Where.BODY}

    def at(self, offset: int) -> Line | None:
        """The line holding `offset` (its line break counts), or None on a blank line."""
        bounds = self.bounds(offset)
        return None if bounds is None else self._line(*bounds)

    def bounds(self, offset: int) -> tuple[int, int] | None:
        """Start and end of the line holding `offset`, or None on a blank line."""
        text = self.text
        if not 0 <= offset <= len(text):
            return None
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end
        if offset < len(text) and not text[offset].isspace():
            return start, end  # a line holding a non-space character is not blank
        return (start, end) if text[start:end].strip() else None

    def forward(self, pos: int = 0) -> Iterator[Line]:
        """Lines from the one starting at `pos` (a line start) to the end of the text."""
        text, n = self.text, len(self.text)
        while pos <= n:
            end = text.find("\n", pos)
            end = n if end < 0 else end
            line = self._line(pos, end)
            if line is not None:
                yield line
            pos = end + 1

    def page_tops(self, count: int, running: tuple[Where, ...]) -> list[Line]:
        """Lines in a running container, and the first `count` lines of each page (counted
        afresh whenever the page changes): what a walk over forward() keeps, without building
        the lines in between.

        NOTE: once a page's first lines are taken, the walk jumps to the line holding the next
        segment that starts a page or a running container; building every line of a long PDF
        was most of the head parse (measured: 64 → ~15 ms over 5 copies of the real corpus).
        """
        out: list[Line] = []
        changes = self._page_changes(running)
        text, n = self.text, len(self.text)
        page, seen, pos = None, 0, 0
        while pos <= n:
            end = text.find("\n", pos)
            end = n if end < 0 else end
            line = self._line(pos, end)
            if line is not None:
                if line.container in running:
                    out.append(line)
                elif line.page is not None:
                    page, seen = (line.page, 0) if line.page != page else (page, seen)
                    if seen < count:
                        out.append(line)
                    seen += 1
            pos = end + 1
            if seen >= count and pos <= n:
                pos = self._past_page(pos, page, changes, running)
        return out

    def _page_changes(self, running: tuple[Where, ...]) -> list[int]:
        """Indexes of the segments whose lines may start a page's count or be running lines:
        a running one, and one whose page differs from the one before."""
        out: list[int] = []
        before = None
        for i, seg in enumerate(self.segments):
            if seg.container in running or before is None or seg.page != before.page:
                out.append(i)
            before = seg
        return out

    def _past_page(
        self, pos: int, page: int | None, changes: list[int], running: tuple[Where, ...]
    ) -> int:
        """Where the walk may go on from line start `pos` once `page` has its lines: `pos`
        itself, or the start of the line holding the next page-changing segment."""
        source = self._to_source(pos) if self._to_source is not None else pos
        i = bisect.bisect_right(self._segment_starts, source) - 1
        if i < 0 or self.segments[i].end <= source:
            i += 1
        if i >= len(self.segments):
            return len(self.text) + 1  # no segment left: every later line is page-less
        seg = self.segments[i]
        if seg.container in running or seg.page not in (page, None):
            return pos
        k = bisect.bisect_right(changes, i)
        if k == len(changes):
            return len(self.text) + 1
        at = self.segments[changes[k]].start
        if self._from_source is not None:
            at = self._from_source(at)
        return max(pos, self.text.rfind("\n", 0, at) + 1)

    def backward(self) -> Iterator[Line]:
        """Lines from the last to the first."""
        text, end = self.text, len(self.text)
        while end >= 0:
            start = text.rfind("\n", 0, end) + 1
            line = self._line(start, end)
            if line is not None:
                yield line
            end = start - 1

    def holding(
        self, needle: str, wanted: Callable[[str, int], bool] | None = None
    ) -> Iterator[Line]:
        """Each line that holds `needle`, once, in text order (found by str.find, in C).

        `wanted(raw, start)`, when given, is asked before a Line is built for it.
        """
        text, at = self.text, self.text.find(needle)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if wanted is None or wanted(text[start:end], start):
                line = self._line(start, end)
                if line is not None:
                    yield line
            at = text.find(needle, end)

    def _line(self, start: int, end: int) -> Line | None:
        line = self._made.get(start)
        if line is None:
            raw = self.text[start:end]
            if not raw.strip():
                return None
            if self._plain:
                line = _new_line((raw, start, _BODY, None))
            else:
                seg = self._segment_for(start, end)
                container, page = (seg.container, seg.page) if seg else (Where.BODY, None)
                line = _new_line((raw, start, container, page))
            self._made[start] = line
        return line

    def segment_at(self, offset: int) -> Segment | None:
        """As Extracted.segment_at, with the segment starts listed once for the document."""
        if self._to_source is not None:
            offset = self._to_source(offset)
        i = bisect.bisect_right(self._segment_starts, offset) - 1
        if i >= 0 and offset < self.segments[i].end:
            return self.segments[i]
        return None

    def _segment_for(self, start: int, end: int) -> Segment | None:
        """The first segment that ends after the line starts, if it starts within the line."""
        if self._to_source is not None:
            start, end = self._to_source(start), self._to_source(end)
        i = bisect.bisect_right(self._segment_starts, start) - 1
        if i < 0 or self.segments[i].end <= start:
            i += 1
        if i < len(self.segments) and self.segments[i].start <= end:
            return self.segments[i]
        return None
