"""PDF redaction in both modes: the values are gone from every stream and from the text, the
area is painted, pages keep their number and size; glyph mode keeps the other text."""

from __future__ import annotations

import contextlib
import re
import zlib

import pypdfium2 as pdfium
import pytest

from review_flow.extract import Limits, Where, extract_bytes
from review_flow.redact import Options, PdfMode, Redacted, Target, load_masks, redact
from tests.extract.pdf_fixtures import build, id_check_char, lines

ID = "31010119800101101" + id_check_char("31010119800101101")
MOBILE, KEPT = "13912340001", "13912340002"
TARGETS = (Target(MOBILE, "mobile", "finding 1"), Target(ID, "id_card", "finding 2"))


@pytest.fixture(scope="module")
def original() -> bytes:
    return build(
        lines("拟发放名单", f"申请人手机{MOBILE}，已核实", f"咨询电话{KEPT}（不脱敏）"),
        lines(f"身份证号{ID}"),
    )


@pytest.fixture(scope="module", params=list(PdfMode))
def result(request: pytest.FixtureRequest, original: bytes) -> tuple[PdfMode, Redacted]:
    mode = PdfMode(request.param)
    return mode, redact(original, "名单.pdf", TARGETS, load_masks(), Options(pdf_mode=mode))


def streams(data: bytes) -> list[bytes]:
    """Every stream of the file, inflated where it is Flate (an independent reading)."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1)
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        found.append(body)
    return found


def encodings(value: str) -> list[bytes]:
    utf16 = value.encode("utf-16-be")
    return [value.encode(), utf16, utf16.hex().upper().encode(), utf16.hex().encode()]


def char_boxes(data: bytes, page: int, value: str) -> list[tuple[float, float, float, float]]:
    doc = pdfium.PdfDocument(data)
    text = doc[page].get_textpage()
    at = text.get_text_range().find(value)
    assert at >= 0
    return [text.get_charbox(i) for i in range(at, at + len(value))]


def test_the_values_are_in_no_stream_and_not_in_the_text(result: tuple[PdfMode, Redacted]) -> None:
    _, redacted = result
    for body in [redacted.data, *streams(redacted.data)]:
        for value in (MOBILE, ID):
            assert not any(e in body for e in encodings(value)), value
    text = extract_bytes(redacted.data, "r.pdf", Limits()).text
    assert MOBILE not in text
    assert ID not in text


def test_pages_keep_their_number_and_size(
    original: bytes, result: tuple[PdfMode, Redacted]
) -> None:
    before, after = pdfium.PdfDocument(original), pdfium.PdfDocument(result[1].data)
    assert len(after) == len(before) == 2
    for i in range(2):
        assert after[i].get_size() == pytest.approx(before[i].get_size(), abs=1.0)


def test_the_value_area_is_painted(original: bytes, result: tuple[PdfMode, Redacted]) -> None:
    page = pdfium.PdfDocument(result[1].data)[0]
    picture = page.render(scale=2).to_pil().convert("L")
    height = page.get_size()[1]
    for left, bottom, right, top in char_boxes(original, 0, MOBILE):
        centre = ((left + right), (2 * height - (top + bottom)))
        assert picture.getpixel(centre) < 60, centre


def test_glyph_mode_keeps_the_text_it_did_not_redact(result: tuple[PdfMode, Redacted]) -> None:
    mode, redacted = result
    doc = extract_bytes(redacted.data, "r.pdf", Limits())
    text = doc.text
    if mode is PdfMode.GLYPHS:
        assert f"咨询电话{KEPT}" in text
        assert {r.what for r in redacted.removals} == {"glyphs", "document_level"}
    else:
        # image mode: no text layer at all (OCR reads the picture, where the kept value shows)
        layer = "".join(text[s.start : s.end] for s in doc.segments if s.where != Where.OCR)
        assert KEPT not in layer
        assert [r.what for r in redacted.removals] == ["text_layer"]


def test_no_box_is_drawn_over_text_that_is_still_there(
    original: bytes, result: tuple[PdfMode, Redacted]
) -> None:
    painted = char_boxes(original, 0, MOBILE)
    page = pdfium.PdfDocument(result[1].data)[0]
    text = page.get_textpage()
    for i in range(text.count_chars()):
        left, bottom, right, top = text.get_charbox(i)
        for a, b, c, d in painted:
            assert not (left < c and a < right and bottom < d and b < top), i
