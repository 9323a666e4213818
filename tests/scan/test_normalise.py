"""The normalised view: what it folds, drops and closes, and that every offset maps back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review_flow.extract.model import Extracted, Segment, Where
from review_flow.lines import LineIndex
from review_flow.scan.normalise import normalise


@pytest.mark.parametrize(
    ("source", "want"),
    [
        pytest.param("３１０１１３", "310113", id="full-width digits"),
        pytest.param("Ｅ１２３", "E123", id="full-width letters"),
        pytest.param("机密＊5年", "机密*5年", id="full-width asterisk"),
        pytest.param("（此件不公开）", "(此件不公开)", id="full-width parentheses"),
        pytest.param("宝审［2024］9号", "宝审〔2024〕9号", id="square brackets"),
        pytest.param("3101\u200b13\u2060\ufeff19\u00ad85", "3101131985", id="format characters"),
        pytest.param("内 部 资 料", "内部资料", id="letter-spaced Han"),
        pytest.param("机\u3000密", "机密", id="ideographic space in a level word"),
        pytest.param("王\u3000\u3000明", "王明", id="padded two-character name"),
        pytest.param("电话  138", "电话 138", id="a run of spaces is one gap"),
        pytest.param("\u3000\u3000各单位：", "  各单位：", id="indentation is left"),
        pytest.param("内部 明电", "内部 明电", id="a gap between words stays"),
        pytest.param("秘密★5年，", "秘密★5年，", id="stars and Chinese punctuation stay"),
        pytest.param("\U00020000王\U000e0001明", "\U00020000王明", id="astral Han kept"),
        pytest.param("3101\u200b  138\u2063 ５", "3101 138 5", id="format characters beside gaps"),
    ],
)
def test_normalised_text(source: str, want: str) -> None:
    assert normalise(source).text == want


def test_an_unchanged_text_is_the_identity() -> None:
    view = normalise("关于开展审计工作的通知\n各单位：")
    assert view.is_identity
    assert view.to_source(5) == 5


NOISE = st.sampled_from(["\u200b", "\ufeff", "\u00ad", "  ", "\u3000\u3000", " ", "\U000e0020"])
CHARS = st.sampled_from(list("0123456789王明内部资料，。\n\tab"))


@given(st.lists(st.tuples(CHARS, st.lists(NOISE, max_size=2)), max_size=60))
def test_every_kept_character_maps_back_to_itself(parts: list[tuple[str, list[str]]]) -> None:
    source = "".join(char + "".join(noise) for char, noise in parts)
    view = normalise(source)
    for i, char in enumerate(view.text):
        origin = source[view.to_source(i)]
        assert origin == char or (char == " " and origin in " \u3000"), (i, source)


@given(st.lists(st.tuples(CHARS, st.lists(NOISE, max_size=2)), max_size=60))
def test_a_span_maps_to_a_source_span_holding_the_same_text(
    parts: list[tuple[str, list[str]]],
) -> None:
    source = "".join(char + "".join(noise) for char, noise in parts)
    view = normalise(source)
    for start in range(len(view.text)):
        for end in range(start + 1, min(len(view.text), start + 6) + 1):
            lo, hi = view.span_to_source(start, end)
            # Gaps depend on their neighbours (王 王 alone is letter-spaced): compare the rest.
            got = normalise(source[lo:hi]).text.replace(" ", "")
            assert got == view.text[start:end].replace(" ", "")


def test_segments_are_found_from_normalised_offsets() -> None:
    source = "身份证号\u200b：\u3000\u3000310113\n表格"
    extracted = Extracted(
        path="x", sha256="", size=0, format="txt", text=source,
        segments=(
            Segment(Where.BODY, 0, source.index("\n"), Where.BODY),
            Segment(Where.TABLE, source.index("表"), len(source), Where.TABLE),
        ),
    )  # fmt: skip
    view = normalise(source)
    lines = LineIndex(extracted, view.text, view.to_source)
    body = lines.segment_at(view.text.index("310113"))
    table = lines.segment_at(view.text.index("表"))
    assert body is not None
    assert body.where is Where.BODY
    assert table is not None
    assert table.where is Where.TABLE


def test_the_planes_searched_hold_every_space_separator_and_format_character() -> None:
    import sys
    import unicodedata

    from review_flow.scan.normalise import code_points

    for category in ("Zs", "Cf"):
        everywhere = [
            cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == category
        ]
        assert code_points(category) == everywhere, category


def test_the_recorded_tables_are_what_this_python_finds() -> None:
    import importlib
    import unicodedata

    normalise = importlib.import_module("review_flow.scan.normalise")  # not scan's function
    if unicodedata.unidata_version != normalise.RECORDED_UNICODE:
        pytest.skip(f"Unicode {unicodedata.unidata_version}: the tables are searched, not read")
    for category in ("Zs", "Cf"):
        recorded = [cp for a, b in normalise.RECORDED[category] for cp in range(a, b + 1)]
        assert recorded == normalise._searched()[category], category
