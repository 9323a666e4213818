"""Literal prefixes of a rule's regex, so one automaton pass can say where a match may start.

A pattern rule such as `(?:家庭住址|现住址|住址)\\s*[：:]…` can only match where one of its
literal prefixes (家庭住址, 现住址, 住址) begins. The keyword automaton already reads the
whole text once; it also reports those prefixes, and the rule's regex is then tried with
`regex.match(text, pos)` at those positions only, instead of a `finditer` over the text.

NOTE: measured on the bench corpus (3.6 MB): nine literal-led rules took 64 ms as nine
finditer passes, and ~6 ms as matches at their anchors plus ~12 ms more in the shared
automaton pass (~9,500 prefix matches). Rules led by a digit or a Latin letter (ID numbers,
phones, cards) are not anchored: their first character is everywhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

MAX_PREFIXES = 64
MAX_RANGE = 16  # a class such as [（(] is expanded; [0-9A-Z] would be too many prefixes


def literal_prefixes(regex: re.Pattern[str]) -> frozenset[str] | None:
    """Non-empty literal strings one of which starts every match, or None when unknown.

    Derived from the parsed pattern (`re._parser`, the standard library's own parser), so it
    cannot drift from the regex. Anything it does not understand ends the prefix there;
    a pattern whose first element it cannot read at all gives None.
    """
    if regex.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _prefixes(_parser.parse(regex.pattern, regex.flags))
    except Exception:  # a private parser may change between Python versions: no anchors then
        return None
    return frozenset(found) if found else None


def usable(prefixes: frozenset[str] | None) -> bool:
    """Worth anchoring: no prefix is a lone digit or Latin letter, which occur everywhere."""
    return bool(prefixes) and not any(
        len(p) == 1 and p.isascii() and p.isalnum() for p in prefixes or ()
    )


def _prefixes(items: Any) -> set[str] | None:
    """Prefixes of a parsed sequence; None when not even its first character is known."""
    from re import _constants as sre  # type: ignore[attr-defined]

    out = {""}
    for op, av in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            if av[0] == -1:  # a lookbehind reads what comes before: it consumes nothing
                continue
            break  # a lookahead: the prefix so far stands
        if op is sre.AT:  # ^, $, \b: zero width
            continue
        if op is sre.LITERAL:
            out = {p + chr(av) for p in out}
        elif op is sre.IN:
            chars = _class_chars(av, sre)
            if chars is None:
                break
            out = {p + c for p in out for c in chars}
        elif op in (sre.BRANCH, sre.SUBPATTERN):
            branches = av[1] if op is sre.BRANCH else [av[-1]]
            if op is sre.SUBPATTERN and av[1] & re.IGNORECASE:
                break
            tails: set[str] = set()
            for branch in branches:
                sub = _prefixes(branch)
                if not sub or "" in sub:
                    return out if out != {""} else None
                tails |= sub
            out = {p + t for p in out for t in tails}
            break  # what follows a group is not followed further
        else:
            break
        if len(out) > MAX_PREFIXES:
            return None
    if out == {""} or len(out) > MAX_PREFIXES:
        return None
    return out


def _class_chars(items: Any, sre: Any) -> list[str] | None:
    chars: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < MAX_RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:  # a negated class, \s, a wide range
            return None
    return chars


def top_level_branches(pattern: str) -> list[str]:
    """The pattern's alternatives at its top level (`a|b(c|d)|e` → a, b(c|d), e).

    Escapes, classes (`[|]`) and groups are stepped over, so a `|` inside them does not split.
    """
    branches: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a `]` first in a class is a literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


class Split(NamedTuple):
    """A pattern split in two: alternatives that start with a usable literal prefix (tried at
    the automaton's anchors), and the rest (a plain finditer), either possibly None."""

    anchored: re.Pattern[str] | None
    prefixes: frozenset[str]
    rest: tuple[re.Pattern[str], ...]  # one regex per alternative: see split_by_prefix


@functools.lru_cache(maxsize=64)
def split_by_prefix(pattern: str) -> Split:
    """Split a cue pattern by its alternatives' literal prefixes.

    NOTE: a cue regex such as `负责|反映|同志|…|[ \\t][男女][ \\t]` costs a finditer over
    the whole text (19 ms over 30 bench files for one of them), while its literal-led
    alternatives match at a few hundred anchors. A match from either part is one a finditer
    over the whole pattern could give, except where two alternatives start at one offset
    (then both are reported; callers settle overlaps).
    NOTE: the other alternatives are kept apart, one regex each: a regex led by one class
    (`[0-9]…`) is scanned by the engine's first-character skip, an alternation of two such
    is not (16 ms against 2 × 3 ms over the same texts).
    """
    anchored: list[str] = []
    prefixes: set[str] = set()
    rest: list[str] = []
    for branch in top_level_branches(pattern):
        try:
            found = literal_prefixes(re.compile(branch))
        except re.error:
            return Split(None, frozenset(), (re.compile(pattern),))
        if usable(found) and found is not None and not any(map(_frequent, found)):
            anchored.append(branch)
            prefixes |= found
        else:
            rest.append(branch)
    return Split(
        re.compile("|".join(anchored)) if anchored else None,
        frozenset(prefixes),
        tuple(map(re.compile, rest)),
    )


def _frequent(prefix: str) -> bool:
    """A one-character prefix that is not Han (，, a space): it stands everywhere, and the
    regex engine's own first-character scan finds it faster than an anchor list would."""
    return len(prefix) == 1 and not "\u4e00" <= prefix <= "\u9fff"


def anchored_matches(
    regex: re.Pattern[str], text: str, starts: list[int]
) -> Iterator[re.Match[str]]:
    """The matches `regex.finditer(text)` gives, tried only at `starts` (sorted offsets).

    Every match starts at one of them (see literal_prefixes), `match(text, pos)` sees the text
    before `pos` for lookbehinds as finditer does, and a match's span is skipped as finditer
    skips it.
    """
    allowed = 0
    for pos in starts:
        if pos < allowed:
            continue
        m = regex.match(text, pos)
        if m is not None:
            allowed = m.end() if m.end() > pos else pos + 1
            yield m


def required_literal(regex: re.Pattern[str]) -> str | None:
    """The longest literal string (2+ characters) every match of the regex contains, or None.

    A rule such as `(?:本|此|该)…{0,16}?(?:属于|系)…商业秘密|商业秘密…不得公开` is anchored at
    every 本/此/该 of a text, yet cannot match a text without 商业秘密: one `in` test skips it.
    Lookarounds are not counted (they match without consuming); anything not understood
    contributes nothing, so the answer errs towards None, never towards a wrong literal.
    """
    if regex.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _required(_parser.parse(regex.pattern, regex.flags))
    except Exception:  # a private parser may change between Python versions
        return None
    found = {s for s in found if len(s) >= 2}
    return max(sorted(found), key=len) if found else None


def _required(items: Any) -> set[str]:
    """Literal runs that every match of the parsed sequence contains."""
    from re import _constants as sre  # type: ignore[attr-defined]

    out: set[str] = set()
    run = ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            out.add(run)
            run = ""
        if op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            out |= _required(av[-1])
        elif op is sre.BRANCH:
            each = [_required(branch) for branch in av[1]]
            out |= set.intersection(*each) if each else set()
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            out |= _required(av[2])
    if run:
        out.add(run)
    return out
