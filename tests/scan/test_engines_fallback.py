"""Without the compiled libraries (or where they cannot run) the scanner falls back to pure
Python by itself: nothing to configure, the same matches."""

from __future__ import annotations

import sys

import pytest

from review_flow.scan.literals import Literals


def test_without_hyperscan_the_keywords_are_matched_by_pyahocorasick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REVIEW_FLOW_PURE_PYTHON", raising=False)
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # import hyperscan → ImportError
    words = Literals({"秘密": "level", "密": "char"})
    assert list(words.iter("绝密，秘密")) == [(1, "char"), (4, "level"), (4, "char")]
    assert words.engine == "ahocorasick"


def test_a_hyperscan_that_fails_to_compile_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hyperscan", reason="the fast extra is not installed")
    import review_flow.scan.literals as literals

    def broken(_hyperscan: object, _words: list[str]) -> object:
        raise RuntimeError("this CPU lacks SSSE3")

    monkeypatch.delenv("REVIEW_FLOW_PURE_PYTHON", raising=False)
    monkeypatch.setattr(literals, "_database", broken)
    words = Literals({"秘密": 1})
    assert list(words.iter("秘密")) == [(1, 1)]
    assert words.engine == "ahocorasick"
