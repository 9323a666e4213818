"""Masks personal data in values and excerpts (3101**********1234), unless the user reveals it.

Every mask keeps the value's length, so a document can be masked once and each finding's
excerpt cut from the masked copy at the offsets of the original text.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

KEEP = {"id": (4, 4), "phone": (3, 4), "card": (4, 4), "passport": (1, 2)}  # head, tail shown


@functools.lru_cache(maxsize=4096)  # a document repeats its names and numbers
def mask_value(value: str, style: str) -> str:
    """Mask one matched value by its style; separators keep their place, the length stays."""
    if style == "none" or not value:
        return value
    if style == "email":
        local, at, domain = value.partition("@")
        shown = local[:1] if len(local) > 1 else ""
        return shown + "*" * (len(local) - len(shown)) + at + domain
    if style == "name":
        return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"
    if style == "address":
        keep = min(6, max(len(value) // 3, 1))
        return value[:keep] + "*" * (len(value) - keep)
    keep_head, keep_tail = KEEP.get(style, (2, 2))
    if value.isalnum():  # no separators: slices do it
        hidden = len(value) - keep_head - keep_tail
        return value if hidden <= 0 else value[:keep_head] + "*" * hidden + value[-keep_tail:]
    chars = list(value)
    alnum = [i for i, c in enumerate(chars) if c.isalnum()]
    for i in alnum[keep_head : len(alnum) - keep_tail]:
        chars[i] = "*"
    return "".join(chars)


def mask_text(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, style) span masked whole; spans sorted by start.

    Where spans overlap (a name recurring inside an address), a character stays visible only
    if every mask over it shows it.
    """
    pieces: list[str] = []
    done, i = 0, 0  # text[:done] is in pieces
    while i < len(spans):
        start, end, style = spans[i]
        j, reach = i + 1, end
        while j < len(spans) and spans[j][0] < reach:  # a cluster of overlapping spans
            reach = max(reach, spans[j][1])
            j += 1
        start = max(start, done)
        pieces.append(text[done:start])
        if j == i + 1:
            pieces.append(mask_value(text[start:end], style))
        else:
            chars = list(text[start:reach])
            for s, e, st in spans[i:j]:
                for k, c in enumerate(mask_value(text[s:e], st), s - start):
                    if c == "*":
                        chars[k] = c
            pieces.append("".join(chars))
        done, i = max(done, reach), j
    return "".join(pieces) + text[done:] if pieces else text
