"""Masks for redaction (脱敏), read from `rules/redaction.toml`, and the patterns that find a
value in every form a reader would still recognise. Pure: strings in, strings out.

A mask keeps the value's length and its separators, so a redacted line keeps its shape.
"""

from __future__ import annotations

import codecs
import html
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from review_flow.errors import RulesError
from review_flow.scan.location import default_rules_dir

MASK_FILE = "redaction.toml"
ANY_KIND = "*"

# Between two characters of a value a copy may carry spaces, hyphens or zero-width characters
# (the scanner joins such values too): `138 1234 5678`, `138-1234-5678`, `1​3​8…`.
SEPARATORS = " \t\u00a0\u2002\u2003\u2009\u3000-\u2010\u2011\u2012\u2013\u2014\uff0d"
FORMAT_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
GAP = f"[{re.escape(SEPARATORS + FORMAT_CHARS)}]{{0,3}}"
# Full-width ASCII folded, separators dropped: the cheap view a value is first looked for in.
_SQUEEZE = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)},
            **dict.fromkeys(map(ord, SEPARATORS + FORMAT_CHARS))}  # fmt: skip
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
    """Full-width ASCII folded, separators and zero-width characters dropped, lower case."""
    return text.translate(_SQUEEZE).lower()


def fold(char: str) -> str:
    """The character as the scanner reads it (NFKC: full-width digits and letters folded)."""
    return unicodedata.normalize("NFKC", char)


def _char_class(char: str) -> str:
    """A pattern for one character of a value: itself, folded, full-width, either case."""
    forms = {char, fold(char)}
    for c in list(forms):
        if "!" <= c <= "~":
            forms.add(chr(ord(c) + 0xFEE0))  # the full-width form
        if c.isascii() and c.isalpha():
            forms |= {
                c.lower(),
                c.upper(),
                chr(ord(c.lower()) + 0xFEE0),
                chr(ord(c.upper()) + 0xFEE0),
            }
    if len(forms) == 1:
        return re.escape(char)
    return "[" + "".join(re.escape(c) for c in sorted(forms)) + "]"


def value_pattern(value: str) -> re.Pattern[str] | None:
    """A pattern for `value` in every form a reader would still recognise: full-width or
    half-width, with or without spaces, hyphens or zero-width characters between its
    characters. None for a value too short to search for."""
    core = [c for c in value if c not in SEPARATORS and c not in FORMAT_CHARS]
    if len(core) < MIN_VALUE:
        return None
    return re.compile(GAP.join(_char_class(c) for c in core))


@dataclass(frozen=True, slots=True)
class Finder:
    """Finds every target value in a text, in any of its forms, and masks what it found."""

    pattern: re.Pattern[str] | None
    kinds: tuple[str, ...]  # by group: t0, t1 …
    rules: MaskRules
    cores: tuple[str, ...] = ()  # each value squeezed (see may_hold)

    @classmethod
    def of(cls, values: Iterable[tuple[str, str]], rules: MaskRules) -> Finder:
        """From (value, kind) pairs; longer values are tried first at a place (an ID number
        before a phone number inside it)."""
        found: dict[str, str] = {}
        cores: set[str] = set()
        for value, kind in values:
            pattern = value_pattern(value)
            if pattern is not None:
                found.setdefault(pattern.pattern, kind)
                cores.add(squeeze(value))
        ordered = sorted(found, key=len, reverse=True)
        if not ordered:
            return cls(None, (), rules)
        joined = "|".join(f"(?P<t{i}>{source})" for i, source in enumerate(ordered))
        return cls(re.compile(joined), tuple(found[s] for s in ordered), rules, tuple(cores))

    def may_hold(self, text: str) -> bool:
        """Whether any value could be in `text`: a substring test on its squeezed form.

        NOTE: the pattern has no literal prefix for the regex engine to skip to, and costs
        ~3 ms per 100 kB part with twenty values; the squeezed test costs ~0.1 ms, and most
        parts and paragraphs hold no value.
        """
        squeezed = squeeze(text)
        return any(core in squeezed for core in self.cores)

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        if self.pattern is None or not self.may_hold(text):
            return ()
        return self.pattern.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        if self.pattern is None or not self.may_hold(text):
            return None
        return self.pattern.search(text)

    def kind(self, match: re.Match[str]) -> str:
        return self.kinds[int((match.lastgroup or "t0")[1:])]

    def masked(self, match: re.Match[str]) -> str:
        return self.rules.mask(match.group(), self.kind(match))

    def sub(self, text: str) -> tuple[str, int]:
        """`text` with every occurrence masked, and how many there were."""
        if self.pattern is None or not self.may_hold(text):
            return text, 0
        return self.pattern.subn(self.masked, text)


def decoded(data: bytes) -> str:
    """A part's bytes as text, as a reader would see it: UTF-8 or UTF-16 (by its BOM), with
    XML character references (`&#x31;`) resolved."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text
