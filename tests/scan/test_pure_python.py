"""The compiled engines (the `fast` extra) and the pure-Python path give identical reports.

REVIEW_FLOW_PURE_PYTHON=1 makes a Scanner built afterwards use only the pure-Python engines;
both scanners read the same documents, and every report must match field for field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from review_flow.errors import ReviewFlowError
from review_flow.extract import Extracted, Limits, extract_file
from review_flow.scan import Scanner
from review_flow.scan.rules import default_rules_dir
from tests.conftest import CORPUS, as_extracted
from tests.scan.labelled import generate

pytest.importorskip("hyperscan", reason="the fast extra is not installed: one path only")
pytest.importorskip("rjieba", reason="the fast extra is not installed: one path only")

ROOT = Path(__file__).resolve().parents[2]


def corpus() -> list[Extracted]:
    docs = [as_extracted(d.text) for d in generate(150, 17)]
    cases = (ROOT / "eval" / "pii_cases.jsonl").read_text("utf-8").splitlines()
    docs += [as_extracted(json.loads(line)["text"]) for line in cases]
    files = sorted((ROOT / "samples").glob("*.*")) + sorted((CORPUS / "real").glob("*.*"))
    for path in files:
        if path.suffix in (".docx", ".pdf", ".txt", ".ofd"):
            try:
                docs.append(extract_file(path, Limits()))
            except ReviewFlowError:
                continue
    return docs


def test_fast_and_pure_python_scanners_give_identical_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REVIEW_FLOW_PURE_PYTHON", raising=False)
    fast = Scanner.from_dirs(default_rules_dir())
    monkeypatch.setenv("REVIEW_FLOW_PURE_PYTHON", "1")
    pure = Scanner.from_dirs(default_rules_dir())
    assert fast.keywords.automaton.engine == "hyperscan"
    assert pure.keywords.automaton.engine == "ahocorasick"
    assert not fast.segmenter.pure
    assert pure.segmenter.pure
    docs = corpus()
    findings = 0
    for doc in docs:
        a, b = fast.scan(doc).to_json(), pure.scan(doc).to_json()
        assert a == b, doc.path
        findings += len(a["findings"])  # type: ignore[arg-type]
    assert pure.keywords.automaton.engine == "ahocorasick"  # not switched by first use
    assert len(docs) > 700
    assert findings > 800
