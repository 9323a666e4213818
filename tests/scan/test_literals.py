"""Both keyword engines give the same matches in the same order (literals.py)."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from review_flow.scan.literals import Literals
from review_flow.scan.recognizers import KeywordIndex
from review_flow.scan.rules import default_rules_dir, load_rules
from tests.scan.labelled import generate

pytest.importorskip("hyperscan", reason="the fast extra is not installed: nothing to compare")

ROOT = Path(__file__).resolve().parents[2]


def both(words: dict[str, object]) -> tuple[Literals[object], Literals[object]]:
    return Literals(words, "hyperscan"), Literals(words, "ahocorasick")


def test_overlapping_words_ending_together_come_longest_first() -> None:
    fast, pure = both({w: w for w in ("机密", "密", "绝密", "秘密", "机密文件")})
    text = "绝密★机密文件，秘密"
    assert list(fast.iter(text)) == list(pure.iter(text))
    assert [p for _, p in fast.iter(text)][:3] == ["绝密", "密", "机密"]
    assert fast.engine == "hyperscan"


def test_a_word_never_matches_across_two_characters() -> None:
    # U+4E00 is 00 4E 00 00 in UTF-32-LE: "\x4e\x00\x00" then a character starting 00 would
    # line up off the four-byte grid; only whole characters may match.
    word = "\u4e00\u4e00"
    fast, pure = both({word: 1, "\u4e00": 2})
    text = "\u4e00\u4e01\u4e00\u4e00\u0100\u4e00"
    assert list(fast.iter(text)) == list(pure.iter(text))


def test_surrogates_and_astral_characters_keep_offsets() -> None:
    fast, pure = both({"秘密": 1, "𠀀秘": 2})
    text = "\udc80𠀀秘密 𠀀秘密"
    assert list(fast.iter(text)) == list(pure.iter(text))
    assert [last for last, _ in fast.iter(text)] == [2, 3, 6, 7]


def test_an_empty_word_list_matches_nothing() -> None:
    fast, pure = both({})
    assert list(fast.iter("秘密")) == list(pure.iter("秘密")) == []


def test_pure_python_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_FLOW_PURE_PYTHON", "1")
    assert Literals({"秘密": 1}).engine == "ahocorasick"
    monkeypatch.setenv("REVIEW_FLOW_PURE_PYTHON", "0")
    assert Literals({"秘密": 1}).engine == "hyperscan"


def test_the_cached_database_is_used_and_a_broken_one_recompiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEW_FLOW_CACHE", str(tmp_path))
    assert list(Literals({"秘密": 1}).iter("秘密")) == [(1, 1)]
    (cached,) = tmp_path.glob("literals-*.hsdb")
    assert list(Literals({"秘密": 1}).iter("一秘密")) == [(2, 1)]
    cached.write_bytes(b"not a database")
    assert list(Literals({"秘密": 1}).iter("秘密")) == [(1, 1)]


def test_the_keyword_index_finds_the_same_on_every_corpus_text() -> None:
    rules = load_rules(default_rules_dir()).rules
    fast, pure = KeywordIndex(rules, "hyperscan"), KeywordIndex(rules, "ahocorasick")
    texts = [d.text for d in generate(300, 11)]
    texts += [p.read_text("utf-8") for p in sorted(ROOT.glob("samples/*.txt"))]
    texts += [Path(p).read_text("utf-8") for p in sorted(glob.glob(str(ROOT / "eval/*.jsonl")))]
    matches = 0
    for text in texts:
        a, b = fast.find(text), pure.find(text)
        assert a == b
        matches += len(a.keywords)
    assert fast.automaton.engine == "hyperscan"
    assert pure.automaton.engine == "ahocorasick"
    assert matches > 500
