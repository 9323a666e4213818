"""Masks keep a value's shape and follow rules/redaction.toml; a site's file overrides them;
a value is found in every form a reader would still recognise."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review_flow.errors import RulesError
from review_flow.redact.masks import Finder, load_masks
from review_flow.scan.rules import default_rules_dir

MASKS = load_masks()


@pytest.mark.parametrize(
    ("kind", "value", "want"),
    [
        ("id_card", "310101199003071234", "3101**********1234"),
        ("mobile", "13812345678", "138****5678"),
        ("name", "王小明", "王**"),
        ("address", "上海市宝山区友谊路100弄5号302室", "上海市宝山区*************"),
        ("mobile", "１３８１２３４５６７８", "１３８****５６７８"),
        ("unknown_kind", "报价1234567元", "**********"),
    ],
)
def test_masks_keep_the_shape(kind: str, value: str, want: str) -> None:
    assert MASKS.mask(value, kind) == want


@given(st.text(min_size=1, max_size=40), st.sampled_from(["id_card", "name", "address", "*"]))
def test_a_mask_keeps_the_length_and_every_separator(value: str, kind: str) -> None:
    masked = MASKS.mask(value, kind)
    assert len(masked) == len(value)
    assert all(m == v for m, v in zip(masked, value, strict=True) if not v.isalnum())


def test_a_site_rules_dir_overrides_a_mask(tmp_path: Path) -> None:
    (tmp_path / "redaction.toml").write_text(
        'version = 1\n[[mask]]\nkind = "name"\nexamples = [["王小明", "***"]]\n', encoding="utf-8"
    )
    site = load_masks(default_rules_dir(), tmp_path)
    assert site.mask("王小明", "name") == "***"
    assert site.mask("13812345678", "mobile") == "138****5678"  # the shipped mask stays


def test_a_mask_whose_example_fails_is_refused_at_load_time(tmp_path: Path) -> None:
    (tmp_path / "redaction.toml").write_text(
        'version = 1\n[[mask]]\nkind = "name"\nkeep_head = 1\nexamples = [["王小明", "***"]]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match=r"redaction\.toml: mask name"):
        load_masks(tmp_path)


@pytest.mark.parametrize(
    "copy",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "１３８１２３４５６７８",
        "1\u200b3812345678",
    ],
)
def test_a_value_is_found_in_every_form(copy: str) -> None:
    finder = Finder.of([("13812345678", "mobile")], MASKS)
    text, count = finder.sub(f"联系电话{copy}。")
    assert count == 1
    folded = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    assert "5678" in folded
    assert "1234" not in folded


def test_the_longer_value_wins_where_two_overlap() -> None:
    finder = Finder.of([("310101199003071234", "id_card"), ("1990030712", "mobile")], MASKS)
    assert finder.sub("号码310101199003071234")[0] == "号码3101**********1234"


def test_a_plain_text_file_is_masked_and_checked() -> None:
    from review_flow.redact import Target, redact

    data = "申请人手机１３８ 1234 5678，复核手机13812345678。\n".encode()
    out = redact(data, "a.txt", [Target("13812345678", "mobile", "f1")], MASKS)
    assert out.data.decode() == "申请人手机１３８ **** 5678，复核手机138****5678。\n"
    assert out.mask_count == 2
