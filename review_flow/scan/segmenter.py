"""One jieba.Tokenizer loaded with our words, lazily, used only on small windows around hits.

NOTE: segmenting a whole document costs ~1 MB/s; a ±20-character window around each keyword
hit gives the same decisions at ~55 MB/s. The dictionary cache lives in the user cache dir.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from review_flow.scan.validators import COMPOUND_SURNAMES, SURNAMES

log = logging.getLogger(__name__)

WINDOW = (
    12  # measured: the same decisions as ±20 on all 2,519 hits of the labelled set, corpus, samples
)


def _is_han(char: str) -> bool:
    return bool(char) and ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf")


class Segmenter:
    """Word-boundary checks for keyword hits (飞机|密封件 holds no 机密)."""

    def __init__(self, userdicts: tuple[Path, ...] = ()) -> None:
        self.userdicts = userdicts
        self._tokenizer: Any = None
        self._cache: dict[tuple[str, int, int], bool] = {}  # documents repeat their phrases

    def load(self) -> None:
        """Load the dictionary now (before forking workers, so they share it)."""
        self._load()

    def _load(self) -> Any:
        if self._tokenizer is None:
            import jieba
            from platformdirs import user_cache_dir

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            cache = Path(os.environ.get("REVIEW_FLOW_CACHE", user_cache_dir("review-flow")))
            cache.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(cache)
            tokenizer.initialize()
            for path in self.userdicts:
                tokenizer.load_userdict(str(path))
            self._tokenizer = tokenizer
            log.info("jieba loaded with %d user dictionaries", len(self.userdicts))
        return self._tokenizer

    def splits_a_word(self, text: str, start: int, end: int) -> bool:
        """True when a word of the window crosses the hit's start or end, or buries it."""
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if not (_is_han(before) or _is_han(after)):
            return False  # punctuation, digits or a line end on both sides: nothing to cross
        lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
        key = (text[lo:hi], start - lo, end - lo)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._decide(*key)
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _decide(self, window: str, s: int, e: int) -> bool:
        for _word, w_start, w_end in self._load().tokenize(window, HMM=False):
            if w_end <= s or w_start >= e:
                continue
            if w_start <= s and e <= w_end:
                # A compound that starts or ends with the hit (机密文件, 绝密级) holds the word;
                # one that buries it inside (飞机密封件) does not.
                return not (w_start == s or w_end == e)
            if w_start < s or w_end > e:
                return True  # crosses a boundary of the hit
        return False


NAME_TAGS = ("nr", "nrfg", "nrt")
RUN_MAX = 4
# A guessed name must stand apart: at a run's edge, or beside one of these words (请|马秀英,
# 苏勇|于). Inside running prose (未左尚散先生) a surname-led run is no evidence of a name.
FUNCTION_CHARS = frozenset("请给向由和与及对被让经将把是为的于已在称说等")


def _han_run_before(text: str, end: int) -> int:
    """How many Han characters (at most RUN_MAX) stand right before `end`."""
    n = 0
    while n < RUN_MAX and end - n - 1 >= 0 and _is_han(text[end - n - 1]):
        n += 1
    return n


def _han_run_after(text: str, start: int) -> int:
    n = 0
    while n < RUN_MAX and start + n < len(text) and _is_han(text[start + n]):
        n += 1
    return n


class Tagger:
    """Part-of-speech signals for names (jieba `nr`), on a few characters beside a cue."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter
        self._pos: Any = None

    def _cut(self, window: str) -> list[tuple[str, str]]:
        if self._pos is None:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self.segmenter._load())
        return [(w.word, w.flag) for w in self._pos.cut(window, HMM=True)]

    def name_before(self, text: str, end: int, reach: int = 6) -> tuple[int, int] | None:
        """The span of a name tagged right before `end` (王建国|同志), or None."""
        lo = max(0, end - reach)
        tokens = self._cut(text[lo:end])
        start = end
        for word, flag in reversed(tokens):
            if not flag.startswith(NAME_TAGS):
                break
            start -= len(word)
        return (start, end) if start < end else None

    def name_after(self, text: str, start: int, reach: int = 6) -> tuple[int, int] | None:
        """The span of a name tagged right after `start` (我叫|李明), or None."""
        tokens = self._cut(text[start : start + reach])
        end = start
        for word, flag in tokens:
            if not flag.startswith(NAME_TAGS):
                break
            end += len(word)
        return (start, end) if end > start else None

    def guess_before(self, text: str, end: int) -> tuple[int, int] | None:
        """A surname-led run of 2-4 Han characters ending at `end`, cut where jieba cuts."""
        run = _han_run_before(text, end)
        for size in (4, 3):
            if size <= run and text[end - size : end].startswith(COMPOUND_SURNAMES):
                return end - size, end
        cuts = self._cuts(text, end - run, end)
        for size in (3, 2):
            start = end - size
            if size <= run and text[start] in SURNAMES and (size == run or start in cuts):
                apart = size == run or text[start - 1] in FUNCTION_CHARS
                return (start, end) if apart and self._not_a_word(text[start:end]) else None
        return None

    def guess_after(self, text: str, start: int) -> tuple[int, int] | None:
        """A surname-led run of 2-4 Han characters from `start`, cut where jieba cuts."""
        run = _han_run_after(text, start)
        for size in (4, 3):
            if size <= run and text[start : start + size].startswith(COMPOUND_SURNAMES):
                return start, start + size
        if run < 2 or text[start] not in SURNAMES:
            return None
        size = run
        if run > 3:
            cuts = self._cuts(text, start, start + run)
            size = next(
                (n for n in (3, 2) if start + n in cuts and text[start + n] in FUNCTION_CHARS), 0
            )
        if size and self._not_a_word(text[start : start + size]):
            return start, start + size
        return None

    def _not_a_word(self, value: str) -> bool:
        """jieba reads the value as a name, or as a surname and pieces after it (马|秀英), not as
        ordinary words (周末, 应当|对)."""
        tokens = self._cut(value)
        if not tokens:
            return False
        first, flag = tokens[0]
        return flag.startswith(NAME_TAGS) or len(first) == 1 or first in COMPOUND_SURNAMES

    def _cuts(self, text: str, lo: int, hi: int) -> set[int]:
        """Offsets where jieba's words start or end within text[lo:hi]."""
        out = {lo, hi}
        for _word, w_start, w_end in self.segmenter._load().tokenize(text[lo:hi], HMM=False):
            out.update((lo + w_start, lo + w_end))
        return out

    def is_name(self, value: str) -> bool:
        """Whether the value opens with a token tagged as a name (赵国|强 still is one)."""
        tokens = self._cut(value)
        return bool(tokens) and tokens[0][1].startswith(NAME_TAGS)
