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

    def _known(self) -> tuple[dict[str, int], frozenset[str]]:
        tokenizer = self.segmenter._load()
        if self._rare_names is None:
            self._rare_names = _rare_names(tokenizer.get_dict_file())
        return tokenizer.FREQ, self._rare_names

    def is_name(self, value: str) -> bool:
        """Not an ordinary dictionary word: unknown to the dictionary, or a rare `nr` entry,
        and read by the dictionary as a surname and what follows (马|秀英), not as words that
        merely start with a surname character (应当|对)."""
        freq, rare = self._known()
        if value in rare:
            return True
        if freq.get(value):
            return False
        first = self.segmenter._load().lcut(value, HMM=False)[0]
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
            known = value in self._known()[1]
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
        freq = self._known()[0]
        return freq.get(text[start + 1 : end], 0) <= NR_MAX_FREQ

    def _cuts(self, text: str, lo: int, hi: int) -> frozenset[int]:
        """Offsets where jieba's dictionary words start or end within text[lo:hi]."""
        key = (text[lo:hi], lo)
        cached = self._cut_cache.get(key)
        if cached is None:
            out = {lo, hi}
            tokenizer = self.segmenter._load()
            for _word, w_start, w_end in tokenizer.tokenize(text[lo:hi], HMM=False):
                out.update((lo + w_start, lo + w_end))
            cached = frozenset(out)
            if len(self._cut_cache) > 50_000:
                self._cut_cache.clear()
            self._cut_cache[key] = cached
        return cached


NR_MAX_FREQ = 500  # 李娜 438, 王建国 12 are names; 杜绝 593, 文明 6584 are words


def _rare_names(dict_file: Any) -> frozenset[str]:
    """Dictionary entries tagged as names (nr) that are rare enough to be names."""
    names = set()
    with dict_file as lines:
        for raw in lines:
            parts = raw.decode("utf-8").split()
            rare = len(parts) == 3 and parts[2] == "nr" and int(parts[1]) <= NR_MAX_FREQ
            if rare and 2 <= len(parts[0]) <= 4:
                names.add(parts[0])
    return frozenset(names)
