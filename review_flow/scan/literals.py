"""Every occurrence of many literal words in a text, in one pass: the keyword automaton.

Two engines give the same matches in the same order (by end, the longer word first):
- Hyperscan (the `fast` extra), over the text as UTF-32 code units: a word's match ends on a
  multiple of four bytes, and that offset over four is its end in characters. Compiled once per
  word list; the compiled database is kept in the cache directory.
- pyahocorasick, the path that needs nothing compiled by the user's platform.
REVIEW_FLOW_PURE_PYTHON=1 chooses pyahocorasick whatever is installed (as it chooses jieba).

NOTE: measured on the bench corpus's 60 texts (3.6 MB, 21,185 matches), one core: pyahocorasick
49-62 ms, Hyperscan 11 ms including the UTF-32 copy and one Python call per match.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from review_flow.scan.dictionary import cache_dir, pure_python

P = TypeVar("P")
log = logging.getLogger(__name__)

UNIT = 4  # bytes per character in UTF-32


class Literals(Generic[P]):
    """Words and their payloads; `iter(text)` gives (last index, payload) of every occurrence,
    overlapping ones included, ordered by last index and then the longer word first."""

    def __init__(self, words: dict[str, P], engine: str | None = None) -> None:
        """`engine`: "hyperscan" or "ahocorasick"; by default Hyperscan when it is installed."""
        self.words = {w: p for w, p in words.items() if w}
        self._iter: Callable[[str], Iterable[tuple[int, P]]] | None = None
        self.engine = engine or ("ahocorasick" if pure_python() else "hyperscan")

    def iter(self, text: str) -> Iterable[tuple[int, P]]:
        if not self.words:
            return ()
        if self._iter is None:
            self._iter = self._build()
        return self._iter(text)

    def _build(self) -> Callable[[str], Iterable[tuple[int, P]]]:
        if self.engine == "hyperscan":
            try:
                return _hyperscan(self.words)
            except ImportError:
                log.info("hyperscan is not installed: keywords are matched by pyahocorasick")
            except Exception as error:  # hyperscan.error: e.g. a CPU without SSSE3
                log.info("hyperscan unusable here (%s): keywords matched by pyahocorasick", error)
            self.engine = "ahocorasick"
        return _ahocorasick(self.words)


def _ahocorasick(words: dict[str, P]) -> Callable[[str], Iterable[tuple[int, P]]]:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word, payload in words.items():
        automaton.add_word(word, payload)
    automaton.make_automaton()
    return automaton.iter


def _hyperscan(words: dict[str, P]) -> Callable[[str], Iterable[tuple[int, P]]]:
    import hyperscan

    listed = sorted(words)
    payloads = [words[w] for w in listed]
    lengths = [len(w) for w in listed]
    database = _database(hyperscan, listed)

    def iterate(text: str) -> list[tuple[int, P]]:
        ends: list[tuple[int, int]] = []
        add = ends.append

        def on_match(word: int, _from: int, to: int, _flags: int, _context: Any) -> None:
            add((to, word))

        database.scan(text.encode("utf-32-le", "surrogatepass"), match_event_handler=on_match)
        # NOTE: a word whose code units straddle two characters ends off the four-byte grid;
        # Hyperscan reports matches ending at one offset in no set order: longer first here.
        ends.sort(key=lambda m: (m[0], -lengths[m[1]]))
        return [(to // UNIT - 1, payloads[word]) for to, word in ends if to % UNIT == 0]

    return iterate


def _database(hyperscan: Any, words: list[str]) -> Any:
    """The compiled database for `words`, from the cache directory when it is there."""
    expressions = [_units(word) for word in words]
    key = hashlib.sha256(b"\n".join(expressions)).hexdigest()[:20]
    path: Path | None = None
    try:
        path = cache_dir() / f"literals-{key}.hsdb"
        return _with_scratch(hyperscan, hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK))
    except (OSError, hyperscan.error):
        pass  # not cached yet, or cached by another Hyperscan build: compile
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=list(range(len(words))), elements=len(words))
    if path is not None:
        try:
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(hyperscan.dumpb(database))
            partial.replace(path)
        except OSError as error:
            log.info("could not cache the keyword database at %s: %s", path, error)
    return _with_scratch(hyperscan, database)


def _with_scratch(hyperscan: Any, database: Any) -> Any:
    """The database with its own scratch space.

    NOTE: without one, each scan allocates its own: ~100 µs a call, more than scanning a page.
    """
    database.scratch = hyperscan.Scratch(database)
    return database


def _units(word: str) -> bytes:
    """A Hyperscan expression matching the word's UTF-32 code units byte for byte."""
    return "".join(f"\\x{b:02x}" for b in word.encode("utf-32-le", "surrogatepass")).encode()
