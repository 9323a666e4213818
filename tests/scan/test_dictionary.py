"""rjieba and jieba make the same decisions: every report of every corpus, scanned both ways, and
every cut and lookup the scanner asked of jieba, asked of rjieba; the switches between them."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from review_flow.errors import ReviewFlowError
from review_flow.extract import Limits, extract_file
from review_flow.extract.model import Extracted
from review_flow.scan import Scanner, dictionary
from review_flow.scan.rules import RuleSet
from review_flow.scan.segmenter import Segmenter
from tests.conftest import CORPUS, ROOT, SAMPLE_FILES, as_extracted
from tests.scan.labelled import generate

needs_rjieba = pytest.mark.skipif(
    importlib.util.find_spec("rjieba") is None,
    reason="rjieba is not installed (the `fast` extra): jieba alone cuts, nothing to compare",
)
BENCH_TEXT = ROOT / "bench" / "out" / "corpus-v1" / "text"
REAL = CORPUS / "real"
GROUPS = ("labelled", "pii cases", "samples", "eval documents", "bench text", "real corpus")


class Recorded:
    """jieba's answers, kept: every text cut and every word looked up while scanning."""

    name = "jieba, recorded"

    def __init__(self, words: dictionary.Words) -> None:
        self.words = words
        self.cuts: dict[str, list[tuple[int, int]]] = {}
        self.lookups: dict[str, bool] = {}

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        if text not in self.cuts:
            self.cuts[text] = list(self.words.spans(text))
        return iter(self.cuts[text])

    def knows(self, word: str) -> bool:
        if word not in self.lookups:
            self.lookups[word] = self.words.knows(word)
        return self.lookups[word]


@pytest.fixture(scope="module")
def segmenters(rules: RuleSet) -> tuple[Segmenter, Segmenter]:
    return Segmenter(rules.userdict, pure=True), Segmenter(rules.userdict, pure=False)


def _documents(group: str, tmp: Path) -> list[tuple[str, Extracted]]:
    if group == "labelled":
        docs = generate(300, seed=20240101)
        return [(f"labelled {i}", as_extracted(d.text)) for i, d in enumerate(docs)]
    if group == "pii cases":
        lines = (ROOT / "eval" / "pii_cases.jsonl").read_text(encoding="utf-8").splitlines()
        cases = [json.loads(line) for line in lines]
        return [(c["id"], as_extracted(c["text"])) for c in cases]
    if group == "samples":
        paths = list(SAMPLE_FILES)
    elif group == "eval documents":
        subprocess.run([sys.executable, "eval/build.py", str(tmp)], cwd=ROOT, check=True)
        paths = sorted(p for p in tmp.iterdir() if p.suffix in (".docx", ".pdf"))
    elif group == "bench text":
        paths = sorted(BENCH_TEXT.glob("*.txt"))
    else:  # the real corpus: what our extractors read without LibreOffice
        paths = sorted(p for p in REAL.glob("*.*") if p.suffix in (".docx", ".pdf", ".txt"))
    out = []
    for path in paths:
        with contextlib.suppress(ReviewFlowError):
            out.append((path.name, extract_file(str(path), Limits())))
    return out


@pytest.fixture(scope="module")
def scanned(
    rules: RuleSet, segmenters: tuple[Segmenter, Segmenter], tmp_path_factory: Any
) -> tuple[dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]], Recorded]:
    """Every corpus scanned by jieba (its answers recorded) and by rjieba: (name, each report)."""
    pure, fast = (Scanner(rules, segmenter) for segmenter in segmenters)
    recorded = Recorded(pure.segmenter._load())
    pure.segmenter._words = recorded
    reports = {}
    for group in GROUPS:
        docs = _documents(group, tmp_path_factory.mktemp("eval"))
        reports[group] = [
            (name, pure.scan(e, reveal=True).to_json(), fast.scan(e, reveal=True).to_json())
            for name, e in docs
        ]
    return reports, recorded


@needs_rjieba
def test_rjieba_cuts_when_installed(segmenters):
    words = segmenters[1]._load()
    assert words.name == "rjieba", (
        f"rjieba is installed but jieba cuts: only rjieba {dictionary.RJIEBA_VERSION} has been "
        "checked to carry jieba's dictionary (see review_flow/scan/dictionary.py)"
    )


@needs_rjieba
@pytest.mark.parametrize("group", GROUPS)
def test_reports_are_identical(scanned, group):
    reports = scanned[0][group]
    if not reports:
        pytest.skip(f"no {group} here (bench text: `make bench`; real corpus: {REAL})")
    differ = [name for name, jieba, rjieba in reports if jieba != rjieba]
    assert not differ, f"{len(differ)} of {len(reports)} reports differ: {differ[:5]}"


@needs_rjieba
def test_every_cut_and_lookup_the_scanner_asked_for_is_the_same(scanned, segmenters):
    recorded, words = scanned[1], segmenters[1]._load()
    assert len(recorded.cuts) > 300  # ~430 without the bench texts, ~930 with them
    assert len(recorded.lookups) > 100
    assert {t: list(words.spans(t)) for t in recorded.cuts} == recorded.cuts
    assert {w: words.knows(w) for w in recorded.lookups} == recorded.lookups


def _windows(texts: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    windows = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        windows.append(text[start : start + rng.randint(1, 40)])
    return windows


def _differ(pure: Segmenter, fast: Segmenter, texts: list[str]) -> list[str]:
    jieba, rjieba = pure._load(), fast._load()
    return [t for t in texts if list(jieba.spans(t)) != list(rjieba.spans(t))]


@needs_rjieba
def test_random_windows_are_cut_the_same(segmenters):
    texts = [p.read_text(encoding="utf-8") for p in sorted(BENCH_TEXT.glob("*.txt"))]
    texts += [d.text for d in generate(100, seed=5)]
    windows = _windows(texts, 20_000, seed=9704)
    assert _differ(*segmenters, windows) == []


@needs_rjieba
def test_characters_outside_jiebas_runs_are_cut_the_same(segmenters):
    texts = [
        "中华人民共和国㐀国务院",  # CJK Extension A: alone in jieba, inside a run in jieba-rs
        "机密鿖文件鿿",  # U+9FD6-U+9FFF
        "我们豈是同志",  # a compatibility ideograph
        "中华𠀀人民共和国",  # Extension B, outside the Basic Multilingual Plane
        "二〇二四年三月々",
        "秘密\u3000文件，机密：绝密★一年",
        "ａｂｃ机密１２３",
        "机密\r\n文件\r\r\n下发\n\r绝密",
        "AT&T的c++与c#和B超",
        "3.5%的增长-20_a",
        "\ue000\ue000中国",  # the filler word that completes rjieba's total
        "",
    ]
    assert _differ(*segmenters, texts) == []


@needs_rjieba
def test_user_words_that_replace_dictionary_words_keep_the_total(tmp_path, monkeypatch):
    """jieba adds a user word's frequency to its total without taking off the old one."""
    monkeypatch.setenv("REVIEW_FLOW_CACHE", str(tmp_path))
    userdict = tmp_path / "words.dict.txt"
    userdict.write_text("中国 3 ns\n人民 900000 n\n机密文件 40 n\n新词汇表 7\n机密文件 9\n")
    pure, fast = Segmenter((userdict,), pure=True), Segmenter((userdict,), pure=False)
    assert fast._load().name == "rjieba"
    assert fast.lexicon().rjieba_gap is not None
    assert fast.lexicon().rjieba_gap > 3  # the dictionary's repeated line, and the old words
    texts = [d.text for d in generate(60, seed=11)]
    texts += ["中国人民的机密文件与新词汇表", "全中国人民", "新词汇"]
    assert _differ(pure, fast, [*texts[-3:], *_windows(texts, 5000, seed=3)]) == []


def test_a_user_word_without_frequency_leaves_cutting_to_jieba(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_FLOW_CACHE", str(tmp_path))
    userdict = tmp_path / "words.dict.txt"
    userdict.write_text("机密文件 40 n\n新词汇表\n")
    segmenter = Segmenter((userdict,), pure=False)
    assert segmenter.lexicon().rjieba_gap is None
    assert segmenter._load().name == "jieba"


def test_without_rjieba_jieba_cuts(rules, monkeypatch):
    monkeypatch.setattr(dictionary, "rjieba_module", lambda: None)
    assert Segmenter(rules.userdict, pure=False)._load().name == "jieba"


def test_review_flow_pure_python_keeps_to_jieba(monkeypatch):
    monkeypatch.setenv(dictionary.PURE_PYTHON, "1")
    assert Segmenter().pure
    monkeypatch.setenv(dictionary.PURE_PYTHON, "0")
    assert not Segmenter().pure
    assert Segmenter(pure=True).pure


def test_the_lexicon_cache_gives_what_jieba_gave(rules, segmenters, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_FLOW_CACHE", str(tmp_path))
    tokenizer = segmenters[0]._jieba
    built = dictionary.lexicon(rules.userdict, tokenizer)

    def no_jieba() -> Any:
        raise AssertionError("the cache was not read")

    cached = dictionary.lexicon(rules.userdict, no_jieba)
    assert cached.to_data() == built.to_data()
    assert cached.rare_names == built.rare_names
    assert {"李娜", "王建国"} <= cached.rare_names
    assert "杜绝" not in cached.rare_names
    assert {"文明", "我们"} <= cached.common_short
    freq = tokenizer().FREQ
    assert cached.common_short == {w for w, f in freq.items() if len(w) <= 2 and f > 500}
    assert cached.rjieba_gap == tokenizer().total - sum(freq.values())
