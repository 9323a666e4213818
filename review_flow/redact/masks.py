"""Masks for redaction (脱敏), read from `rules/redaction.toml`, and what finds a
value in every form a reader would still recognise (Finder). Pure: strings in, strings out.

A mask keeps the value's length and its separators, so a redacted line keeps its shape.
"""

from __future__ import annotations

import codecs
import html
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from review_flow.errors import RulesError
from review_flow.scan.location import default_rules_dir

MASK_FILE = "redaction.toml"
ANY_KIND = "*"

# Between two characters of a value a copy may carry spaces, hyphens or zero-width characters
# (the scanner joins such values too): `138 1234 5678`, `138-1234-5678`, `1​3​8…`.
SEPARATORS = " \t\u00a0\u2002\u2003\u2009\u3000-\u2010\u2011\u2012\u2013\u2014\uff0d"
FORMAT_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
MAX_GAP = 3  # separators allowed between two characters of a value
# The view a value is looked for in: full-width ASCII folded, letters in lower case, separators
# and zero-width characters dropped; one character in, at most one out (offsets map back).
_SQUEEZE: dict[int, int | None] = {
    **{c: (c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
    **{c: c + 32 for c in range(ord("A"), ord("Z") + 1)},
    **{c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)},
    **dict.fromkeys(map(ord, SEPARATORS + FORMAT_CHARS)),
}
MIN_VALUE = 2  # a value shorter than this (one character) cannot be searched for safely


@dataclass(frozen=True, slots=True)
class Mask:
    """How one kind of value is masked (see rules/redaction.toml for the fields)."""

    kind: str
    keep_head: int = 0
    keep_tail: int = 0
    keep_from: str = ""
    keep_through: tuple[str, ...] = ()
    keep_max: int = 0
    fill: str = "*"

    def apply(self, value: str) -> str:
        """`value` masked: same length; separators and punctuation stay where they are."""
        kept = self._kept_prefix(value)
        chars = list(value)
        tail_from = value.find(self.keep_from) if self.keep_from else -1
        end = tail_from if tail_from >= 0 else len(value)
        maskable = [i for i in range(kept, end) if chars[i].isalnum()]
        head = self.keep_head if not kept else 0
        shown = head + self.keep_tail
        if len(maskable) <= shown:  # too short to show anything: hide it all
            head, tail = 0, 0
        else:
            tail = self.keep_tail
        for i in maskable[head : len(maskable) - tail]:
            chars[i] = self.fill
        return "".join(chars)

    def _kept_prefix(self, value: str) -> int:
        """How many leading characters an address keeps (0: none, use keep_head)."""
        for word in self.keep_through:
            at = value.find(word)
            if 0 < at < self.keep_max:
                return at + len(word)
        return 0


@dataclass(frozen=True, slots=True)
class MaskRules:
    """The masks by kind, with the fallback for every other kind."""

    masks: dict[str, Mask] = field(default_factory=dict)

    def mask(self, value: str, kind: str) -> str:
        return self.for_kind(kind).apply(value)

    def for_kind(self, kind: str) -> Mask:
        return self.masks.get(kind) or self.masks.get(ANY_KIND) or Mask(ANY_KIND)


def load_masks(*dirs: Path) -> MaskRules:
    """The masks of each rules directory holding a redaction.toml; later ones override."""
    masks: dict[str, Mask] = {}
    for folder in dirs or (default_rules_dir(),):
        path = folder / MASK_FILE
        if path.is_file():
            masks.update((m.kind, m) for m in _read(path))
    return MaskRules(masks)


def _read(path: Path) -> Iterable[Mask]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from exc
    fill = data.get("fill", "*")
    if not isinstance(fill, str) or len(fill) != 1:
        raise RulesError(f"{path.name}: fill must be one character")
    for raw in data.get("mask", []):
        kind = raw.get("kind")
        if not isinstance(kind, str) or not kind:
            raise RulesError(f"{path.name}: every [[mask]] needs a kind")
        try:
            mask = Mask(
                kind=kind,
                keep_head=int(raw.get("keep_head", 0)),
                keep_tail=int(raw.get("keep_tail", 0)),
                keep_from=str(raw.get("keep_from", "")),
                keep_through=tuple(map(str, raw.get("keep_through", ()))),
                keep_max=int(raw.get("keep_max", 0)),
                fill=fill,
            )
        except (TypeError, ValueError) as exc:
            raise RulesError(f"{path.name}: mask {kind}: {exc}") from exc
        for example in raw.get("examples", []):
            value, want = example
            got = mask.apply(value)
            if got != want:
                raise RulesError(
                    f"{path.name}: mask {kind}: example masks to {got!r}, expected {want!r}"
                )
        yield mask


def squeeze(text: str) -> str:
    """Full-width ASCII folded, letters in lower case, separators and zero-width characters
    dropped (see _SQUEEZE)."""
    return text.translate(_SQUEEZE)


def fold(char: str) -> str:
    """The character as the scanner reads it (NFKC: full-width digits and letters folded)."""
    return unicodedata.normalize("NFKC", char)


class Hit(NamedTuple):
    """A value found in a text: `text[start:end]`, of this kind."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Finder:
    """Finds every target value in a text, in any of its forms, and masks what it found.

    NOTE: one Aho-Corasick pass over the squeezed text finds all values at once: a regex
    alternation of a long list's values (1,600 in a 20-page 公示) costs minutes, not ms.
    """

    automaton: Any  # ahocorasick.Automaton of squeezed value → (squeezed value, kind)
    rules: MaskRules
    size: int = 0

    @classmethod
    def of(cls, values: Iterable[tuple[str, str]], rules: MaskRules) -> Finder:
        """From (value, kind) pairs; the first kind given for a value counts."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for value, kind in values:
            core = squeeze(value)
            if len(core) >= MIN_VALUE and core not in automaton:
                automaton.add_word(core, (core, kind))
        if len(automaton):
            automaton.make_automaton()
        return cls(automaton, rules, len(automaton))

    def hits(self, text: str) -> list[Hit]:
        """Every value in `text`, leftmost first, longest where two overlap."""
        if not self.size or not text:
            return []
        squeezed = squeeze(text)
        found = [(end - len(core) + 1, end, kind) for end, (core, kind) in
                 self.automaton.iter(squeezed)]  # fmt: skip
        if not found:
            return []
        kept = [i for i, c in enumerate(text) if _SQUEEZE.get(ord(c), 0) is not None]
        hits: list[Hit] = []
        reach = -1
        for first, last, kind in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            spread = [kept[k + 1] - kept[k] for k in range(first, last)]
            if first <= reach or any(gap > MAX_GAP + 1 for gap in spread):
                continue
            hits.append(Hit(kept[first], kept[last] + 1, kind))
            reach = last
        return hits

    def first(self, text: str) -> Hit | None:
        hits = self.hits(text)
        return hits[0] if hits else None

    def masked(self, text: str, hit: Hit) -> str:
        return self.rules.mask(text[hit.start : hit.end], hit.kind)

    def sub(self, text: str, shown: list[str] | None = None) -> tuple[str, int]:
        """`text` with every value masked (lengths kept), and how many there were; each
        masked value (never a raw one) is appended to `shown`."""
        hits = self.hits(text)
        if not hits:
            return text, 0
        pieces, done = [], 0
        for hit in hits:
            masked = self.masked(text, hit)
            if shown is not None:
                shown.append(masked)
            pieces += [text[done : hit.start], masked]
            done = hit.end
        return "".join(pieces) + text[done:], len(hits)


def decoded(data: bytes) -> str:
    """A part's bytes as text, as a reader would see it: UTF-8 or UTF-16 (by its BOM), with
    XML character references (`&#x31;`) resolved."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text
