"""jieba's dictionary with our user words: cut by rjieba (jieba-rs) when installed, else by jieba,
and the facts about its words that the name Tagger reads, cached.

NOTE: jieba's Tokenizer costs ~0.6-0.9 s of CPU to load from its cache, rjieba ~0.14 s (its
import loads its own copy of the same dictionary). Both cut by the same DAG and most probable
route, so with the same words, frequencies and total they make the same cuts:
tests/scan/test_dictionary.py compares them on every corpus. REVIEW_FLOW_PURE_PYTHON=1 (or
Segmenter(pure=True)) keeps to jieba.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import os
import re
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

PURE_PYTHON = "REVIEW_FLOW_PURE_PYTHON"


def pure_python() -> bool:
    """Whether the user asked for the pure-Python engines only (REVIEW_FLOW_PURE_PYTHON=1)."""
    return os.environ.get(PURE_PYTHON, "") not in ("", "0")


NR_MAX_FREQ = 500  # 李娜 438, 王建国 12 are names; 杜绝 593, 文明 6584 are words
SHORT = 2  # the Tagger weighs given names of one or two characters (陈|志明, 苏|勇)

# NOTE: rjieba 0.2.2 (jieba-rs 0.11.0) carries jieba 0.42.1's dict.txt sorted, less its one
# repeated line (B超 3 n): read from the dictionary it decompresses in memory. A route scores
# each of its words log(freq) - log(total), so the total must match too: jieba counts that line
# twice, and adds a user word's frequency without taking off the old one of the word it replaces,
# while rjieba's total is the sum of its words'. The difference is added as a word no run holds.
RJIEBA_VERSION = "0.2.2"
JIEBA_DICT_SHA256 = "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8"
TOTAL_FILLER = "\ue000"  # a private-use character: outside every run, so never cut as a word

# jieba cuts runs of these characters by its dictionary and yields every other one alone
# (re_han_default); jieba-rs's runs take more (in its source: CJK Extension A and beyond,
# U+9FD6-9FFF, compatibility ideographs). Every other character reaches rjieba as a line break,
# where each of its runs ends, so both cut the same runs.
_OUTSIDE_RUNS = re.compile(r"[^\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]")

FORMAT = 1  # of the lexicon cache


class Words(Protocol):
    """A dictionary segmenter: where its words start and end (no HMM), and which words it has."""

    name: str

    def spans(self, text: str) -> Iterator[tuple[int, int]]: ...

    def knows(self, word: str) -> bool: ...


class JiebaWords:
    """jieba's own Tokenizer (pure Python)."""

    name = "jieba"

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        # NOTE: lazily: a window's decision often comes before jieba has cut its later runs.
        return ((start, end) for _word, start, end in self.tokenizer.tokenize(text, HMM=False))

    def knows(self, word: str) -> bool:
        return bool(self.tokenizer.FREQ.get(word))


class RjiebaWords:
    """rjieba cutting as jieba does: the same runs, dictionary, user words and total."""

    name = "rjieba"

    def __init__(self, jieba: Any) -> None:
        self.jieba = jieba

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        words = self.jieba.tokenize(_OUTSIDE_RUNS.sub("\n", text), "default", False)
        spans = ((start, end) for _word, start, end in words)
        return iter(_crlf_joined(text, spans)) if "\r\n" in text else spans

    def knows(self, word: str) -> bool:
        return bool(self.jieba.has_word(word))


def _crlf_joined(text: str, spans: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    """jieba yields a \\r\\n outside its runs as one word."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and out[-1] == (start - 1, start) and text[start - 1 : end] == "\r\n":
            out[-1] = (start - 1, end)
        else:
            out.append((start, end))
    return out


class Lexicon:
    """What the Tagger and rjieba need from jieba's dictionary and our user dictionaries."""

    def __init__(
        self,
        rare_text: str,
        common_short: frozenset[str],
        user_words: tuple[tuple[str, int], ...],
        rjieba_gap: int | None,
    ) -> None:
        self._rare_text = rare_text
        self.common_short = common_short  # words of 1-2 characters commoner than NR_MAX_FREQ
        self.user_words = user_words  # (word, frequency) of the user dictionaries, in order
        self.rjieba_gap = rjieba_gap  # jieba's total less its words' frequencies; None: no rjieba

    @cached_property
    def rare_names(self) -> frozenset[str]:
        """Entries of 2-4 characters tagged as names (nr), rare enough to be names."""
        # NOTE: kept as one string in the cache: ~72,000 names, 16 ms to split, paid only when
        # the Tagger first asks.
        return frozenset(self._rare_text.split("\n")) - {""}

    def to_data(self) -> dict[str, Any]:
        return {
            "rare": self._rare_text,
            "common": tuple(sorted(self.common_short)),
            "user": self.user_words,
            "gap": self.rjieba_gap,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Lexicon:
        return cls(data["rare"], frozenset(data["common"]), data["user"], data["gap"])


def cache_dir() -> Path:
    """Where jieba's dictionary cache and our lexicon live."""
    from platformdirs import user_cache_dir

    cache = Path(os.environ.get("REVIEW_FLOW_CACHE", user_cache_dir("review-flow")))
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def jieba_dict() -> Path:
    """jieba's dict.txt, found without importing jieba (~0.18 s)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("jieba")
    return Path(spec.origin).with_name("dict.txt")


def jieba_tokenizer(userdicts: tuple[Path, ...]) -> Any:
    """jieba's Tokenizer, loaded from its cache, with the user dictionaries."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    for path in userdicts:
        tokenizer.load_userdict(str(path))
    return tokenizer


def rjieba_module() -> Any | None:
    """rjieba when installed in the version whose dictionary was checked, else None."""
    spec = importlib.util.find_spec("rjieba")
    if spec is None or spec.submodule_search_locations is None:
        return None
    # NOTE: the distribution's folder beside the package names its version: a stat, where
    # importlib.metadata.version() costs ~25 ms.
    site = Path(next(iter(spec.submodule_search_locations))).parent
    if not (site / f"rjieba-{RJIEBA_VERSION}.dist-info").is_dir():
        log.info("rjieba is not version %s: jieba cuts", RJIEBA_VERSION)
        return None
    import rjieba

    return rjieba


_RJIEBA: dict[tuple[object, ...], RjiebaWords] = {}


def rjieba_words(rjieba: Any, lexicon: Lexicon) -> RjiebaWords:
    """rjieba loaded with the lexicon's user words, one per set of words in a process."""
    key = (lexicon.user_words, lexicon.rjieba_gap)
    words = _RJIEBA.get(key)
    if words is None:
        # NOTE: importing rjieba loads its module-level instance (~0.12 s, 24 MiB): the first
        # set of user words takes that one rather than loading a second.
        jieba = rjieba.Jieba() if _RJIEBA else rjieba
        for word, freq in lexicon.user_words:
            jieba.add_word(word, freq, None)
        if lexicon.rjieba_gap:
            jieba.add_word(TOTAL_FILLER, lexicon.rjieba_gap, None)
        words = _RJIEBA[key] = RjiebaWords(jieba)
    return words


def lexicon(userdicts: tuple[Path, ...], tokenizer: Callable[[], Any]) -> Lexicon:
    """The lexicon from the cache, or derived from jieba's `tokenizer()` and cached."""
    sources = (jieba_dict(), *userdicts)
    key = (FORMAT, NR_MAX_FREQ, SHORT, tuple(_stamp(p) for p in sources))
    digest = hashlib.sha256(repr(key[3]).encode()).hexdigest()[:16]
    path = cache_dir() / f"lexicon-{digest}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        if data["key"] == key:
            return Lexicon.from_data(data)
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass  # no cache yet, or one from other sources
    built = derive(tokenizer(), userdicts)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        partial.write_bytes(marshal.dumps({"key": key, **built.to_data()}))
        partial.replace(path)
    except OSError as exc:
        log.warning("lexicon cache not written: %s", exc)
    return built


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def derive(tokenizer: Any, userdicts: tuple[Path, ...]) -> Lexicon:
    """The lexicon of jieba's Tokenizer, loaded with the user dictionaries."""
    with tokenizer.get_dict_file() as dict_file:
        main = dict_file.read()
    names = sorted(_rare_names(main))
    freq = tokenizer.FREQ
    common = frozenset(w for w, f in freq.items() if len(w) <= SHORT and f > NR_MAX_FREQ)
    entries = [entry for path in userdicts for entry in _user_entries(path)]
    same = hashlib.sha256(main).hexdigest() == JIEBA_DICT_SHA256
    # A word without a frequency gets one from jieba's own cut, and one of 0 is removed: both
    # are left to jieba.
    exact = same and all(f for _word, f in entries)
    gap = tokenizer.total - sum(freq.values()) if exact else None
    if not exact:
        log.info("these dictionaries are cut by jieba only (same main dictionary: %s)", same)
    user = tuple((word, f or 0) for word, f in entries)
    return Lexicon("\n".join(names), common, user, gap)


def _rare_names(main: bytes) -> set[str]:
    """Dictionary entries tagged as names (nr) that are rare enough to be names."""
    names = set()
    for raw in main.split(b"\n"):
        parts = raw.decode("utf-8").split()
        rare = len(parts) == 3 and parts[2] == "nr" and int(parts[1]) <= NR_MAX_FREQ
        if rare and 2 <= len(parts[0]) <= 4:
            names.add(parts[0])
    return names


def _user_entries(path: Path) -> list[tuple[str, int | None]]:
    """A user dictionary's (word, frequency) entries, read as jieba's load_userdict reads them."""
    import jieba

    entries = []
    for raw in path.read_bytes().split(b"\n"):
        line = raw.strip().decode("utf-8").lstrip("\ufeff")
        if line:
            word, freq, _tag = jieba.re_userdict.match(line).groups()
            entries.append((word, int(freq) if freq is not None else None))
    return entries
