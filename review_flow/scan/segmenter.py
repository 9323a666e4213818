"""Word-boundary checks and name tagging by jieba's dictionary with our words, loaded lazily and
used only on small windows around hits.

NOTE: segmenting a whole document costs ~1 MB/s; a ±20-character window around each keyword
hit gives the same decisions at ~55 MB/s. The dictionary cache lives in the user cache dir.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from review_flow.scan import dictionary
from review_flow.scan.dictionary import Lexicon, Words, pure_python
from review_flow.scan.validators import COMPOUND_SURNAMES, SURNAMES

log = logging.getLogger(__name__)

WINDOW = (
    12  # measured: the same decisions as ±20 on all 2,519 hits of the labelled set, corpus, samples
)


def _is_han(char: str) -> bool:
    return bool(char) and ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf")


class Segmenter:
    """Word-boundary checks for keyword hits (飞机|密封件 holds no 机密).

    Cut by rjieba when it is installed (the `fast` extra), else by jieba: the same decisions.
    `pure` (default: the REVIEW_FLOW_PURE_PYTHON environment variable) keeps to jieba.
    """

    def __init__(self, userdicts: tuple[Path, ...] = (), pure: bool | None = None) -> None:
        self.userdicts = userdicts
        if pure is None:
            pure = pure_python()
        self.pure = pure
        self._words: Words | None = None
        self._tokenizer: Any = None  # jieba's, when it cuts or built the lexicon
        self._lexicon: Lexicon | None = None
        self._cache: dict[tuple[str, int, int], bool] = {}  # documents repeat their phrases

    def load(self) -> None:
        """Load the dictionary and the Tagger's names now (before forking workers, so they
        share them)."""
        words = self._load()
        log.debug("%s: %d rare names", words.name, len(self.lexicon().rare_names))

    def _load(self) -> Words:
        if self._words is None:
            rjieba = None if self.pure else dictionary.rjieba_module()
            if rjieba is not None and self.lexicon().rjieba_gap is not None:
                self._words = dictionary.rjieba_words(rjieba, self.lexicon())
                self._tokenizer = None  # built only for the lexicon, if at all
            else:
                self._words = dictionary.JiebaWords(self._jieba())
            log.info("%s loaded with %d user dictionaries", self._words.name, len(self.userdicts))
        return self._words

    def _jieba(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = dictionary.jieba_tokenizer(self.userdicts)
        return self._tokenizer

    def lexicon(self) -> Lexicon:
        """What the Tagger reads of the dictionary (rare names, common short words)."""
        if self._lexicon is None:
            self._lexicon = dictionary.lexicon(self.userdicts, self._jieba)
        return self._lexicon

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
        for w_start, w_end in self._load().spans(window):
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
COMPOUND_FIRST = frozenset(name[0] for name in COMPOUND_SURNAMES)
# A guessed name must stand apart: at a run's edge, or beside one of these words (请|马秀英,
# 苏勇|于). Inside running prose (未左尚散先生) a surname-led run is no evidence of a name.
FUNCTION_CHARS = frozenset("请给向由和与及对被让经将把是为的于已在称说等命聘免派选予谢人：:")


def may_start_a_name(text: str, start: int) -> bool:
    """A surname stands at `start` (a cheap test before any tagging)."""
    if start >= len(text):
        return False
    char = text[start]
    return char in SURNAMES or (
        char in COMPOUND_FIRST and text.startswith(COMPOUND_SURNAMES, start)
    )


def may_end_a_name(text: str, end: int) -> bool:
    """A surname stands 2, 3 or 4 characters before `end` (a name of 2-4 characters ends there)."""
    return any(may_start_a_name(text, end - n) for n in (2, 3, 4) if end - n >= 0)


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
    """Is this a person's name? A surname-led run of 2-4 Han characters, cut where jieba's
    dictionary cuts, that the dictionary does not know as an ordinary word.

    NOTE: jieba's part-of-speech tagger (posseg with its HMM) cost ~1 ms a window, 25x the old
    scan time on the bench corpus; its dictionary tags give the same signal for known words at a
    lookup each. The dictionary tags many words `nr` that are not names (文明, 杜绝, 阳光): a
    word tagged `nr` counts only when rare (NR_MAX_FREQ), and an unknown run counts as a name.
    """

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter
        self._rare_names: frozenset[str] | None = None
        self._cut_cache: dict[tuple[str, int], frozenset[int]] = {}

    def _rare(self) -> frozenset[str]:
        if self._rare_names is None:
            self._rare_names = self.segmenter.lexicon().rare_names
        return self._rare_names

    def is_name(self, value: str) -> bool:
        """Not an ordinary dictionary word: unknown to the dictionary, or a rare `nr` entry,
        and read by the dictionary as a surname and what follows (马|秀英), not as words that
        merely start with a surname character (应当|对)."""
        words, rare = self.segmenter._load(), self._rare()
        if value in rare:
            return True
        if words.knows(value):
            return False
        first = value[: next(words.spans(value))[1]]
        return len(first) == 1 or first in rare or first in COMPOUND_SURNAMES

    def name_before(self, text: str, end: int) -> tuple[int, int] | None:
        """A name ending at `end` (王建国|同志, 马秀英|女士), standing apart in its run."""
        if not may_end_a_name(text, end):
            return None  # most cues have no surname beside them: no dictionary work
        run = _han_run_before(text, end)
        for size in (4, 3):
            start = end - size
            if size <= run and text.startswith(COMPOUND_SURNAMES, start):
                return (start, end) if self.is_name(text[start:end]) else None
        cuts = self._cuts(text, end - run, end)
        for size in (3, 2):
            start = end - size
            if size > run or text[start] not in SURNAMES:
                continue
            value = text[start:end]
            known = value in self._rare()
            apart = size == run or (start in cuts and (known or text[start - 1] in FUNCTION_CHARS))
            if apart and self.is_name(value):
                return start, end
        return None

    def name_after(self, text: str, start: int) -> tuple[int, int] | None:
        """A name starting at `start` (我叫|皇甫宁, 申请人：|陈志明), standing apart."""
        if not may_start_a_name(text, start):
            return None
        run = _han_run_after(text, start)
        if run >= 3 and text.startswith(COMPOUND_SURNAMES, start):
            after = start + 4
            whole = after >= len(text) or not _is_han(text[after]) or text[after] in FUNCTION_CHARS
            end = start + (4 if run == 4 and whole else 3)
            return (start, end) if self.is_name(text[start:end]) else None
        if run < 2:
            return None
        size = run
        if run > 3:
            cuts = self._cuts(text, start, start + run)
            size = next((n for n in (3, 2) if self._ends_name(text, start, n, cuts)), 0)
        if size and self.is_name(text[start : start + size]):
            return start, start + size
        return None

    def _ends_name(self, text: str, start: int, size: int, cuts: frozenset[int]) -> bool:
        """A name of `size` from `start` ends where the dictionary cuts, before a function word
        (苏勇|于) or after a given name that is no common word (陈志明|配偶, not 苏勇于|昨日)."""
        end = start + size
        if end not in cuts:
            return False
        if text[end] in FUNCTION_CHARS:
            return True
        return text[start + 1 : end] not in self.segmenter.lexicon().common_short

    def _cuts(self, text: str, lo: int, hi: int) -> frozenset[int]:
        """Offsets where jieba's dictionary words start or end within text[lo:hi]."""
        key = (text[lo:hi], lo)
        cached = self._cut_cache.get(key)
        if cached is None:
            out = {lo, hi}
            for w_start, w_end in self.segmenter._load().spans(text[lo:hi]):
                out.update((lo + w_start, lo + w_end))
            cached = frozenset(out)
            if len(self._cut_cache) > 50_000:
                self._cut_cache.clear()
            self._cut_cache[key] = cached
        return cached
