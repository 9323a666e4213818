"""The scanner's normalised view of extracted text, with a map back to the extracted offsets.

Recognizers read the normalised text; findings report offsets and excerpts in the extracted
text (what `review-flow extract` prints). Normalising folds full-width forms (digits, letters,
＊, （）, 〔〕 variants), drops format characters (Unicode category Cf: zero-width spaces and
joiners, U+2060, U+FEFF, soft hyphens …), turns every run of spaces (U+3000 and the other space
separators included) into one space, and closes the gaps of letter-spaced Han text
(`内 部 资 料`, `机　密`, `王　明`). Line breaks and tabs are kept: they carry structure.
Must not: decide anything; it only reshapes text.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import heapq
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from review_flow.lines import Span

# NOTE: ★ and ☆ are left alone (a marking's star is part of what it says); ＊ folds to *, which
# the marking grammar reads as a star like ★.
# NOTE: Chinese punctuation (，：；！？) is not folded: rules are written with it.
_FOLD = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B))}
_FOLD |= {cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)}
_FOLD |= {ord(c): ord(c) - 0xFEE0 for c in "＊＋－．＠＿"}  # noqa: RUF001
_FOLD |= {ord(k): v for k, v in {"［": "〔", "］": "〕", "﹝": "〔", "﹞": "〕"}.items()}  # noqa: RUF001
_FOLD |= {ord("（"): "(", ord("）"): ")"}
# NOTE: the planes that hold space separators and format characters: the BMP, plane 1
# (U+110BD, U+1D173…) and plane 14 (tags). Asking unicodedata about these 135,000 code points
# instead of all 1.1 million took 0.8 s off every command's start-up; a test checks that the
# other planes hold none in this Python's Unicode database.
PLANES = (range(0x20000), range(0xE0000, 0xE1000))


# NOTE: Zs and Cf as _searched() finds them in Unicode 14.0.0 (Python 3.11), as ranges:
# asking unicodedata even about the three planes costs ~45 ms of every command's start-up.
# Another Unicode version is searched afresh; a test checks these against the search.
RECORDED_UNICODE = "14.0.0"
RECORDED = {
    "Zs": ((32, 32), (160, 160), (5760, 5760), (8192, 8202), (8239, 8239), (8287, 8287),
           (12288, 12288)),
    "Cf": ((173, 173), (1536, 1541), (1564, 1564), (1757, 1757), (1807, 1807), (2192, 2193),
           (2274, 2274), (6158, 6158), (8203, 8207), (8234, 8238), (8288, 8292), (8294, 8303),
           (65279, 65279), (65529, 65531), (69821, 69821), (69837, 69837), (78896, 78904),
           (113824, 113827), (119155, 119162), (917505, 917505), (917536, 917631)),
}  # fmt: skip


def code_points(category: str) -> list[int]:
    """The code points of a Unicode general category (Zs or Cf), in the planes that hold them."""
    if unicodedata.unidata_version == RECORDED_UNICODE:
        return [cp for a, b in RECORDED[category] for cp in range(a, b + 1)]
    return _searched()[category]


@functools.cache
def _searched() -> dict[str, list[int]]:
    """Zs and Cf code points, asked of unicodedata one by one over PLANES."""
    found: dict[str, list[int]] = {"Zs": [], "Cf": []}
    category_of = unicodedata.category
    for plane in PLANES:
        for cp in plane:
            listed = found.get(category_of(chr(cp)))
            if listed is not None:
                listed.append(cp)
    return found


_SPACES = "".join(map(chr, code_points("Zs")))
_FOLD |= {ord(c): " " for c in _SPACES if c != " "}
_FOLD_TABLE = str.maketrans(_FOLD)
_FOLD_TABLE_STR = {chr(k): v if isinstance(v, str) else chr(v) for k, v in _FOLD.items()}


def _fold(text: str, present: set[str]) -> str:
    """text.translate(_FOLD_TABLE), done as one str.replace per folded character present.

    NOTE: translate looks up every character in a dict (~18 MB/s measured); a 公文 holds a few
    of the folded characters (（）, U+3000), and replace runs in C at memory speed.
    """
    for char in present:
        folded = _FOLD_TABLE_STR.get(char)
        if folded is not None:
            text = text.replace(char, folded)
    return text


def _class_of(chars: list[int]) -> str:
    """A regex character class for the code points, as ranges."""
    ranges: list[tuple[int, int]] = []
    for cp in chars:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_CF_POINTS = code_points("Cf")
_CF = _class_of(_CF_POINTS)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# One pass says which special characters a text holds: those folded, the format characters
# of the BMP, and any character beyond it (checked one by one: few texts hold any).
# NOTE: a class of every Cf range costs twice a class of the BMP's (sre checks ranges in
# turn, and the astral ones add many); measured 14 ms against 8 over 30 bench files.
_SPECIAL = re.compile(
    "["
    + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD))
    + _class_of([cp for cp in _CF_POINTS if cp < 0x10000])
    + "\U00010000-\U0010ffff]"
)
_CF_SET = frozenset(map(chr, _CF_POINTS))
_FORMAT_RUNS = re.compile(f"[{_CF}]+")
# What may need a change after folding: a run of 2+ spaces, or one space between two Han
# characters (letter spacing is decided per match); format characters are _FORMAT_RUNS'.
# NOTE: a run of spaces is closed only between two characters of a line: indentation (the
# "　　" opening most 公文 paragraphs) and trailing spaces separate nothing, and leaving them
# spares a Python step per paragraph.
# NOTE: the regex opens with a space, so the engine skips ahead to each space in C; the
# conditions on the characters before come after it.
_GAPS = re.compile(rf" (?: (?<=\S  ) *(?=\S)|(?<=[{_HAN}] )(?=[{_HAN}]))")
_HAN_CHAR = re.compile(rf"[{_HAN}]")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text and where its characters came from.

    From each offset in `points` on, a normalised offset n stands for extracted offset
    n + shift (the matching entry of `shifts`); before the first point, the two are equal.
    """

    text: str
    source: str
    points: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()
    source_points: tuple[int, ...] = dataclasses.field(default=(), repr=False)

    @property
    def is_identity(self) -> bool:
        return not self.points and self.text == self.source

    def to_source(self, offset: int) -> int:
        """The extracted offset of the normalised character at `offset`."""
        i = bisect.bisect_right(self.points, offset) - 1
        return offset if i < 0 else offset + self.shifts[i]

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """An extracted span covering the normalised span [start, end)."""
        if end <= start:
            at = self.to_source(start)
            return at, at
        return self.to_source(start), self.to_source(end - 1) + 1

    def written(self, span: Span) -> str:
        """A span's value as the extracted text writes it (a value joined over lines, such as
        a two-line title, is joined the same way)."""
        start, end = self.span_to_source(span.start, span.end)
        written = self.source[start:end]
        if span.value == self.text[span.start : span.end]:
            return written
        return "".join(line.strip() for line in written.split("\n"))

    def from_source(self, offset: int) -> int:
        """The normalised offset of the first kept character at or after extracted `offset`."""
        i = bisect.bisect_right(self.source_points, offset) - 1
        if i < 0:
            n = offset
            ceiling = self.points[0] if self.points else len(self.text)
        else:
            n = offset - self.shifts[i]
            ceiling = self.points[i + 1] if i + 1 < len(self.points) else len(self.text)
        return min(n, ceiling)


def normalise(source: str) -> Normalised:
    """The normalised view of `source` (one pass; a text with nothing to change costs a scan)."""
    present = set(_SPECIAL.findall(source))
    folded = _fold(source, present) if present else source
    changes: Iterator[re.Match[str]] = _GAPS.finditer(folded)
    if not _CF_SET.isdisjoint(present):
        changes = heapq.merge(changes, _FORMAT_RUNS.finditer(folded), key=_start)
    pieces: list[str] = []
    points: list[int] = []
    shifts: list[int] = []
    done = shift = 0  # folded[:done] is in pieces; normalised = source - shift from here
    for m in changes:
        start, end = m.span()
        keep = _replacement(folded, start, end)
        if keep is None:
            continue
        pieces.append(folded[done:start])
        pieces.append(keep)
        shift += (end - start) - len(keep)
        points.append(start - shift + (end - start))
        shifts.append(shift)
        done = end
    if not points:
        return Normalised(folded, source)
    pieces.append(folded[done:])
    source_points = tuple(p + s for p, s in zip(points, shifts, strict=True))
    return Normalised("".join(pieces), source, tuple(points), tuple(shifts), source_points)


def _start(m: re.Match[str]) -> int:
    return m.start()


def _replacement(text: str, start: int, end: int) -> str | None:
    """What replaces text[start:end]: "" (drop), " " (one gap), or None (leave it)."""
    first = text[start]
    if first != " ":
        return ""  # format characters
    if end - start >= 2 and not _letter_spaced(text, start, end):
        return " "
    return "" if _letter_spaced(text, start, end) else None


def _letter_spaced(text: str, start: int, end: int) -> bool:
    """A gap between two single Han characters, each standing alone (内 部 资 料, 王　明)."""
    if start < 1 or end >= len(text) or end - start > 3:
        return False
    before, after = text[start - 1], text[end]
    if not (_HAN_CHAR.match(before) and _HAN_CHAR.match(after)):
        return False
    lone_before = start < 2 or not _HAN_CHAR.match(text[start - 2])
    lone_after = end + 1 >= len(text) or not _HAN_CHAR.match(text[end + 1])
    return lone_before and lone_after
