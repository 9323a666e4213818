"""Shared fixtures: the shipped rules, one Scanner, text → Extracted, samples and the corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from review_flow.extract.limits import Limits
from review_flow.extract.model import Extracted
from review_flow.extract.text import extract as extract_text
from review_flow.scan import Scanner
from review_flow.scan.rules import RuleSet, default_rules_dir, load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = Path(os.environ.get("REVIEW_FLOW_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(default_rules_dir())


@pytest.fixture(scope="session")
def scanner(rules: RuleSet) -> Scanner:
    return Scanner(rules)


def as_extracted(text: str) -> Extracted:
    """A plain-text document, one body segment per line, as `review-flow scan` would see it."""
    return extract_text(text.encode("utf-8"), "<text>", Limits())


@pytest.fixture
def sample():
    def find(name: str) -> Path:
        path = SAMPLES / name
        if not path.is_file():
            pytest.fail(f"sample {name} is missing: run `make samples`")
        return path

    return find
