"""The arithmetic behind bench/cli.py's figures, and its Presidio checks against ours (untimed)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from review_flow.scan.validators import bank_card, cn_id18, cn_mobile
from tests.scan.labelled import generate

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


measure = _bench_module("measure")


def test_slope_cancels_the_fixed_cost() -> None:
    # 2 s of start-up, then 0.5 MB/s: 1 MB takes 4 s, 3 MB take 8 s.
    assert measure.slope((1.0, 4.0), (3.0, 8.0)) == pytest.approx(0.5)
    assert measure.slope((1.0, 4.0), (3.0, 4.0)) == float("inf")


def test_recall_by_kind_matches_within_a_document_and_kind() -> None:
    planted = [
        [("mobile", "+86 138-1234-5678"), ("id_card", "11010519491231002X")],
        [("mobile", "13912345678"), ("bank_card", "6222 0212 3456 7890 128")],
    ]
    found = [
        [("mobile", "+8613812345678"), ("bank_card", "11010519491231002X")],  # kind differs
        [("bank_card", "6222021234567890128"), ("mobile", "13812345678")],  # wrong number
    ]
    assert measure.recall_by_kind(planted, found) == {
        "bank_card": (1, 1),
        "id_card": (0, 1),
        "mobile": (1, 2),
    }


def test_recall_by_kind_counts_a_value_found_inside_a_longer_match() -> None:
    planted = [[("mobile", "13812345678")]]
    assert measure.recall_by_kind(planted, [[("mobile", "86 13812345678")]]) == {"mobile": (1, 1)}
    assert measure.recall_by_kind(planted, [[]]) == {"mobile": (0, 1)}


def test_presidio_checks_agree_with_ours() -> None:
    """The checks written afresh for Presidio decide as review_flow's validators do."""
    pytest.importorskip("presidio_analyzer")
    presidio_zh = _bench_module("presidio_zh")
    values = [p.value for doc in generate(300, 9704) for p in doc.planted]
    rng = random.Random(17)
    variants = []
    for value in values:
        digits = [i for i, ch in enumerate(value) if ch.isdigit()]
        if digits:
            i = rng.choice(digits)
            variants.append(value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :])
    samples = [*values, *variants, "11010519491231002X", "1111111111111111", "+86 (138) 1234 5678"]
    pairs = (
        (presidio_zh.valid_id18, cn_id18),
        (presidio_zh.valid_mobile, cn_mobile),
        (presidio_zh.valid_card, bank_card),
    )
    for theirs, ours in pairs:
        differ = [s for s in samples if theirs(s) != ours(s)]
        assert not differ, (theirs.__name__, differ[:5])
