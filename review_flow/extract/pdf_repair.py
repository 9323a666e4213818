"""What pdf.py reads and repairs on one page: garbage, wrapped words and numbers, comments.

The text repairs are pure functions on strings: pdf.py runs them before it builds segments, so
the text it hands on is the text the offsets point into. Each returns the positions to drop,
and `drop` applies them to the text and its per-character flags. gap_spaces, unmapped_share
and page_annotations read a page through pdfium's raw API; nothing here opens a document.
Which text a reader does not see is pdf_visibility.py's judgement.
"""

from __future__ import annotations

import ctypes
import datetime
import re
from collections.abc import Iterable
from typing import Any

import pypdfium2.raw as pdfium_c

# Ideographs (URO and extension A): the characters a wrapped word can be split between.
IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff"
# Anything set in a CJK font: ideographs, CJK punctuation (〔〕、。), fullwidth forms.
CJK_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Two digit runs with only a line break (and spaces) between them, neither part of a longer
# number, word or decimal on its outer side.
_WRAPPED_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])([0-9]+)[ \t]*\n[ \t]*([0-9]+[Xx]?)(?![0-9A-Za-z]|[.,][0-9])"
)
_MIN_HEAD_DIGITS = 4
# What every wrapped number has; NOTE: a search for it settles most pages ~3x faster than one
# for _WRAPPED_NUMBER, whose look-behind the regex engine tries at every position.
_DIGITS_ACROSS_BREAK = re.compile(r"[0-9][ \t]*\n[ \t]*[0-9]")

# A line at least this share of the page's longest line is a wrapped paragraph line. NOTE:
# widths count a CJK character as 2, so a short heading in a big font stays "short".
FULL_LINE_SHARE = 0.85
_MIN_LONGEST_WIDTH = 30
_IDEOGRAPH_PAIR = re.compile(f"[{IDEOGRAPH}]\n[{IDEOGRAPH}]")
_ITEM_START = re.compile("[一二三四五六七八九十]+、")  # 二、… opens a new item or table row
_NOT_WIDE = re.compile("[^\n\u2e80-\U0010ffff]+")  # all but line breaks and wide characters

_CID_TOKEN = re.compile(r"\(cid:\d+\)")
_BAD_CHARS = re.compile(
    "[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_SPACE = re.compile(r"\s")
_CLEAN_SPACE = re.compile(r"[^\S\x0b\x0c\x1c-\x1f\x85]")  # \s less what _BAD_CHARS counts

# A space between CJK and Latin. NOTE: the space leads the pattern (its neighbours are looked at
# from it), so the regex engine can jump from space to space: measured ~7x faster.
_MIXED_GAP = re.compile(f" (?:(?<=[{CJK_WIDE}] )(?=[!-~])|(?<=[!-~] )(?=[{CJK_WIDE}]))")
_NON_SPACE = re.compile(r"\S")
_SAMPLE = 64  # characters sampled for pdfium's no-Unicode flag; 30% bad is never missed


def _is_id18(number: str) -> bool:
    """An 18-character resident ID (GB 11643): valid birth date and check character."""
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()):
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    total = sum(int(c) * w for c, w in zip(number, _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == number[17].upper()


def _luhn(number: str) -> bool:
    """A 16-19 digit bank-card number passing the Luhn check (not one repeated digit)."""
    if not (16 <= len(number) <= 19 and number.isascii() and number.isdigit()):
        return False
    if len(set(number)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _is_account(number: str) -> bool:
    return _is_id18(number) or _luhn(number)


def wrapped_numbers(text: str) -> list[int]:
    """Positions to drop to rejoin IDs and card numbers wrapped inside a narrow table cell.

    A pair is joined only when the joined number validates and neither half does on its own;
    the first half must be at least as long as the second (it filled the cell), so a row
    number in front of a card number on the next line is never glued to it.
    """
    drops: list[int] = []
    if not _DIGITS_ACROSS_BREAK.search(text):
        return drops
    pos = 0
    while match := _WRAPPED_NUMBER.search(text, pos):
        head, tail = match.group(1), match.group(2)
        joined = head + tail
        if (
            len(head) >= max(len(tail), _MIN_HEAD_DIGITS)
            and _is_account(joined)
            and not _is_account(head)
            and not _is_account(tail)
        ):
            drops.extend(range(match.end(1), match.start(2)))
            pos = match.end()
        else:
            pos = match.start(2)  # the tail may still head a pair with the next line
    return drops


def _widths(lines: list[str]) -> list[int]:
    """Each line's width without its trailing space, a character from U+2E80 up counting 2.

    NOTE: measured ~2x faster than counting per character: one regex pass over the page keeps
    only the wide characters, and each line's share of them is its extra width.
    """
    stripped = [line.rstrip() for line in lines]
    wide = _NOT_WIDE.sub("", "\n".join(stripped)).split("\n")
    return [len(line) + len(extra) for line, extra in zip(stripped, wide, strict=True)]


def wrapped_lines(text: str) -> list[int]:
    """Positions of line breaks splitting two ideographs at the end of a full paragraph line.

    NOTE: only a line as long as the page's paragraph lines counts; a centred heading such as
    "上海市宝山区审计局文件" is short, so the 发文字号 line below it is never glued on.
    """
    if not _IDEOGRAPH_PAIR.search(text):  # the cheaper test first
        return []
    lines = text.split("\n")
    widths = _widths(lines)
    longest = max(widths, default=0)
    if longest < _MIN_LONGEST_WIDTH:
        return []
    full = FULL_LINE_SHARE * longest
    drops: list[int] = []
    offset = 0
    for line, following, width in zip(lines, lines[1:], widths, strict=False):
        offset += len(line)
        if (
            width >= full
            and _IDEOGRAPH_PAIR.match(line[-1:] + "\n" + following[:1])
            and not _ITEM_START.match(following)
        ):
            drops.append(offset)
        offset += 1
    return drops


def garbage_share(text: str) -> float:
    """Share of non-space characters that are no text: (cid:N), U+FFFD, private use, controls."""
    cids = len(_CID_TOKEN.findall(text))
    rest = _CID_TOKEN.sub("", text) if cids else text
    bad = cids + len(_BAD_CHARS.findall(rest))
    if bad == 0:  # the usual page: no need to count its characters
        return 0.0
    total = cids + len(rest) - len(_CLEAN_SPACE.findall(rest))
    return bad / total


def count_visible(text: str) -> int:
    """Non-space characters in `text`."""
    return len(text) - len(_SPACE.findall(text))


def drop(
    text: str, flags: list[bool] | None, positions: Iterable[int]
) -> tuple[str, list[bool] | None]:
    """`text` (and its per-character flags) without the characters at `positions`."""
    ordered = sorted(set(positions))
    if not ordered:
        return text, flags
    bounds = list(zip([0, *(p + 1 for p in ordered)], [*ordered, len(text)], strict=True))
    new_text = "".join(text[a:b] for a, b in bounds)
    if flags is None:
        return new_text, None
    return new_text, [f for a, b in bounds for f in flags[a:b]]


def runs(text: str, flags: list[bool] | None) -> list[tuple[str, bool]]:
    """Split `text` into (piece, flag) runs of equal flags; one run when there are no flags."""
    if flags is None or not any(flags):
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or flags[i] != flags[start]:
            pieces.append((text[start:i], flags[start]))
            start = i
    return pieces


# -- page objects (pdfium raw API) ----------------------------------------------------------
def gap_spaces(textpage: Any, text: str) -> list[int]:
    """Spaces pdfium made up for a gap between CJK and Latin/digits (WPS/Word autospacing).

    NOTE: "机密★5 年" has no space in the file; keeping pdfium's would hide the marking.
    """
    return [
        m.start()
        for m in _MIXED_GAP.finditer(text)
        if pdfium_c.FPDFText_IsGenerated(textpage, m.start()) == 1
    ]


def unmapped_share(textpage: Any, text: str) -> float:
    """Share of non-space characters pdfium flags as having no Unicode (0.0 on a sample miss)."""
    spaces = [m.start() for m in _SPACE.finditer(text)]
    visible = len(text) - len(spaces)
    ranks = range(0, visible, max(1, visible // _SAMPLE))  # every step-th non-space character
    flag = pdfium_c.FPDFText_HasUnicodeMapError
    if not any(flag(textpage, i) == 1 for i in _non_space_positions(spaces, ranks)):
        return 0.0
    indices = [m.start() for m in _NON_SPACE.finditer(text)]
    return sum(flag(textpage, i) == 1 for i in indices) / len(indices)


def _non_space_positions(spaces: list[int], ranks: Iterable[int]) -> list[int]:
    """Positions of the non-space characters numbered `ranks` (ascending), given the spaces'.

    NOTE: a page has far fewer spaces than characters; listing every non-space position to
    pick a sample of ~64 was measured at ~3x the cost of this walk over the spaces.
    """
    positions: list[int] = []
    skipped = 0  # spaces before the position of the current rank
    for rank in ranks:
        while skipped < len(spaces) and spaces[skipped] <= rank + skipped:
            skipped += 1
        positions.append(rank + skipped)
    return positions


def page_annotations(page: Any) -> list[tuple[str, str]]:
    """(text, author) of each annotation with text.

    Popups only repeat their parent's text; form fields (widgets) are not read.
    """
    found: list[tuple[str, str]] = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, index)
        if not annot:
            continue
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) in (
                pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_WIDGET,
            ):  # fmt: skip
                continue
            text = _annot_string(annot, b"Contents")
            if text:
                found.append((text, _annot_string(annot, b"T")))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return found


def _annot_string(annot: Any, key: bytes) -> str:
    size = pdfium_c.FPDFAnnot_GetStringValue(annot, key, None, 0)
    if size <= 2:
        return ""
    buffer = (pdfium_c.FPDF_WCHAR * (size // 2))()
    pdfium_c.FPDFAnnot_GetStringValue(annot, key, buffer, size)
    text = ctypes.string_at(buffer, size - 2).decode("utf-16-le", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
