"""Masks personal data in values and excerpts (3101**********1234), unless the user reveals it."""

from __future__ import annotations

import functools
from collections.abc import Iterable

KEEP = {"id": (4, 4), "phone": (3, 4), "card": (4, 4), "passport": (1, 2)}  # head, tail shown


@functools.lru_cache(maxsize=4096)  # a document repeats its names and numbers in excerpts
def mask_value(value: str, style: str) -> str:
    """Mask one matched value by its style; separators keep their place."""
    if style == "none" or not value:
        return value
    if style == "email":
        local, _, domain = value.partition("@")
        return (local[:1] + "*" * max(len(local) - 1, 1)) + ("@" + domain if domain else "")
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


def mask_text(text: str, offset: int, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` starting at `offset` in the document, with each (start, end, style) masked."""
    chars: list[str] | None = None
    for start, end, style in spans:
        lo, hi = max(start, offset), min(end, offset + len(text))
        if lo >= hi:
            continue
        piece = text[lo - offset : hi - offset]
        # NOTE: a value cut by the excerpt's edge is masked whole: a partial mask would show
        # digits that the full value's mask hides.
        whole = lo == start and hi == end
        masked = (
            mask_value(piece, style) if whole else "".join("*" if c.isalnum() else c for c in piece)
        )
        if chars is None:
            chars = list(text)
        chars[lo - offset : hi - offset] = list(masked)
    return text if chars is None else "".join(chars)
