"""Masking of values and excerpts: what stays visible, separators, edges and overlaps."""

from __future__ import annotations

import pytest

from review_flow.scan.masking import mask_text, mask_value

ID = "310113198001011234"


@pytest.mark.parametrize(
    ("value", "style", "want"),
    [
        (ID, "id", "3101**********1234"),
        ("138-1234-5678", "phone", "138-****-5678"),
        ("13812345678", "phone", "138****5678"),
        ("6222 0212 3456 7890", "card", "6222 **** **** 7890"),
        ("E12345678", "passport", "E******78"),
        ("zhang.san@example.cn", "email", "z********@example.cn"),
        ("张三丰", "name", "张**"),
        ("上海市宝山区友谊路1号", "address", "上海市********"),
        ("123", "id", "123"),  # too short to hide anything: shown as is
        ("", "id", ""),
        (ID, "none", ID),
    ],
)
def test_mask_value(value, style, want):
    assert mask_value(value, style) == want


def test_mask_text_masks_each_span_and_keeps_the_rest():
    text = f"身份证号：{ID}，手机13812345678。"
    spans = [(5, 23, "id"), (26, 37, "phone")]
    assert mask_text(text, spans) == "身份证号：3101**********1234，手机138****5678。"


def test_every_mask_keeps_the_length_so_excerpts_can_be_cut_from_a_masked_copy():
    values = [ID, "138-1234-5678", "6222 0212 3456 7890", "E12345678", "a@b.cn", "ab@b.cn"]
    values += ["张", "张三丰", "上海市宝山区友谊路1号", "", "@x.cn"]
    for value in values:
        for style in ("id", "phone", "card", "passport", "email", "name", "address", "other"):
            assert len(mask_value(value, style)) == len(value), (value, style)


def test_an_excerpt_cut_from_the_masked_copy_shows_no_more_than_the_whole_mask():
    text = f"号码{ID}"
    masked = mask_text(text, [(2, 20, "id")])
    assert masked == "号码3101**********1234"
    assert masked[:12] == "号码3101******"  # an excerpt ending inside the value


def test_a_one_letter_mailbox_name_is_hidden_too():
    assert mask_value("a@example.cn", "email") == "*@example.cn"


def test_overlapping_spans_show_a_character_only_if_every_mask_shows_it():
    text = "住址：王伟路1号"
    spans = [(3, 8, "address"), (3, 5, "name")]  # a name recurring inside an address
    masked = mask_text(text, spans)
    assert masked == "住址：王****"  # the address mask hides 伟; the name mask hides nothing more
    spans = [(3, 5, "name"), (3, 8, "address")]
    assert mask_text(text, sorted(spans)) == "住址：王****"


def test_no_spans_gives_the_text_itself():
    assert mask_text("无需遮盖", []) == "无需遮盖"
