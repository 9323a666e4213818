"""One jieba.Tokenizer loaded with our words, lazily, used only on small windows around hits.

NOTE: segmenting a whole document costs ~1 MB/s; a ±20-character window around each keyword
hit gives the same decisions at ~55 MB/s. The dictionary cache lives in the user cache dir.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

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

    def is_name(self, value: str) -> bool:
        """Whether the value opens with a token tagged as a name (赵国|强 still is one)."""
        tokens = self._cut(value)
        return bool(tokens) and tokens[0][1].startswith(NAME_TAGS)
