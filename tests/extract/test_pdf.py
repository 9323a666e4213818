"""The PDF extractor on small PDFs built in the test (tests/extract/pdf_fixtures.py)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen.canvas import Canvas

from review_flow.errors import ExtractionError
from review_flow.extract import extract_bytes, pdf
from review_flow.extract import pdf_repair as repair
from review_flow.extract import pdf_visibility as visibility
from review_flow.extract.limits import Limits
from review_flow.extract.model import Extracted, Segment, Where
from review_flow.extract.pdf import SCANNED, UNMAPPED, extract
from tests.extract import pdf_fixtures as fx

ID_BODY = "33010619851214789"
ID_NUMBER = ID_BODY + fx.id_check_char(ID_BODY)  # 18 characters, born 1985-12-14
WRONG_ID = ID_BODY + ("1" if ID_NUMBER[-1] == "0" else "0")
CARD_BODY = "622202100112345678"
CARD_NUMBER = CARD_BODY + fx.luhn_check_digit(CARD_BODY)  # 19 digits
PARAGRAPH = (
    "为切实做好年度信息公开工作，现就有关事项通知如下，请各单位认真贯彻落实保",  # 35 characters
    "密工作责任制的各项要求，严格执行信息发布前的保密审查制度，确保不发生泄密事",
    "件。",
)


def read(data: bytes) -> Extracted:
    return extract(data, "test.pdf", Limits())


def pages(doc: Extracted) -> str:
    """The text of all pages, without the properties reportlab always writes after them."""
    return doc.text[: max((s.end for s in doc.segments if s.container == Where.PAGE), default=0)]


def page_segments(doc: Extracted, page: int) -> list[Segment]:
    return [s for s in doc.segments if s.page == page and s.container == Where.PAGE]


def page_text(doc: Extracted, page: int) -> str:
    return "".join(doc.text[s.start : s.end] for s in page_segments(doc, page))


def pdfium_text(data: bytes) -> str:
    """What pdfium itself gives for page 1, before our repairs."""
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
    finally:
        doc.close()
    return text


# -- pages ------------------------------------------------------------------------------------
def test_each_page_becomes_page_segments_in_reading_order() -> None:
    data = fx.build(fx.lines("第一页 甲", "第二行"), fx.lines("第二页 乙"), fx.lines("第三页 丙"))

    doc = read(data)

    assert doc.format == "pdf"
    assert doc.pages == 3
    in_pages = [s for s in doc.segments if s.container == Where.PAGE]
    assert [(s.page, s.where) for s in in_pages] == [(n, Where.PAGE) for n in (1, 2, 3)]
    assert pages(doc) == "第一页 甲\n第二行\n第二页 乙\n第三页 丙"
    assert doc.unreadable_pages == ()


def test_segment_offsets_point_at_each_page_text() -> None:
    data = fx.build(fx.lines("甲乙丙 ABC", "丁戊"), fx.lines("己庚辛"))

    doc = read(data)

    assert page_text(doc, 1) == "甲乙丙 ABC\n丁戊"
    assert page_text(doc, 2) == "己庚辛"
    for seg in doc.segments:
        assert doc.segment_at(seg.start) == seg
        assert doc.segment_at(seg.end - 1) == seg
    assert doc.segment_at(doc.text.index("己") - 1) is None  # the separator between pages


def test_the_dispatcher_fills_in_hash_and_size() -> None:
    data = fx.build(fx.lines("测试"))

    doc = extract_bytes(data, "notice.pdf", Limits())

    assert (doc.format, doc.size, len(doc.sha256)) == ("pdf", len(data), 64)
    assert pages(doc) == "测试"


# -- files that cannot be read -----------------------------------------------------------------
def test_password_protected_pdf_is_refused_as_encrypted() -> None:
    data = fx.build(fx.lines("机密内容"), encrypt=StandardEncryption("user", ownerPassword="owner"))

    with pytest.raises(ExtractionError, match="encrypted") as caught:
        read(data)

    assert caught.value.hint
    assert caught.value.path == "test.pdf"


def test_pdf_with_only_an_owner_password_is_read() -> None:
    security = StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0)
    data = fx.build(fx.lines("内部资料"), encrypt=security)

    assert pages(read(data)) == "内部资料"


PLAIN = fx.build(fx.lines("正文"))
NO_PAGES = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PLAIN[: len(PLAIN) // 2], id="cut-in-half"),
        pytest.param(b"%PDF-1.7\n" + b"\x00garbage" * 100, id="header-then-garbage"),
        pytest.param(fx.handmade(NO_PAGES), id="no-pages"),
    ],
)
def test_corrupt_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="corrupt or truncated PDF") as caught:
        read(data)

    assert isinstance(caught.value.__cause__, pdfium.PdfiumError)


def test_pdf_over_the_page_limit_is_refused() -> None:
    data = fx.build(fx.lines("一"), fx.lines("二"), fx.lines("三"))

    with pytest.raises(ExtractionError, match="3 pages, over the 2-page limit"):
        extract(data, "long.pdf", Limits(max_pdf_pages=2))


# -- unreadable pages --------------------------------------------------------------------------
def test_page_with_only_a_scanned_image_is_unreadable() -> None:
    doc = read(fx.build(fx.lines("封面文字"), fx.image()))

    assert [u.page for u in doc.unreadable_pages] == [2]
    assert doc.unreadable_pages[0].reason.startswith(f"{SCANNED}: ")  # and why OCR could not
    assert pages(doc) == "封面文字"


def test_page_with_no_text_and_a_pasted_picture_is_unreadable() -> None:
    picture = fx.image(x=100, y=400, width=300, height=200)  # ~12% of the page

    doc = read(fx.build(picture))

    assert [u.page for u in doc.unreadable_pages] == [1]
    assert doc.unreadable_pages[0].reason.startswith(SCANNED)


def test_scan_carrying_a_small_watermark_text_is_unreadable() -> None:
    watermark = fx.lines("扫描全能王 创建", x=480, top=20)

    doc = read(fx.build(fx.both(fx.image(), watermark), fx.both(fx.image(), watermark)))

    assert [u.page for u in doc.unreadable_pages] == [1, 2]
    assert all(u.reason.startswith(SCANNED) for u in doc.unreadable_pages)
    assert page_text(doc, 1) == "扫描全能王 创建"  # the watermark is real text: kept


def test_blank_page_is_not_unreadable() -> None:
    doc = read(fx.build(fx.lines("正文"), lambda canvas: None))

    assert doc.pages == 2
    assert doc.unreadable_pages == ()


def test_page_with_text_and_a_small_logo_is_readable() -> None:
    logo = fx.image(x=72, y=760, width=60, height=60)

    doc = read(fx.build(fx.both(logo, fx.lines("某某单位文件", top=700))))

    assert doc.unreadable_pages == ()
    assert pages(doc) == "某某单位文件"


def test_font_without_unicode_map_makes_the_page_unreadable_and_drops_its_garbage() -> None:
    data = fx.unmapped_font_pdf()
    assert pdfium_text(data)  # pdfium does produce characters: glyph ids posing as text

    doc = read(data)

    assert [(u.page, u.reason) for u in doc.unreadable_pages] == [(1, UNMAPPED)]
    assert doc.text == ""
    assert doc.segments == ()  # the handmade file has no document information either


def test_pdfplumber_is_not_asked_again_after_it_failed_on_three_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[int] = []
    original = pdf._Reader.plumber_text

    def counting(reader: pdf._Reader, index: int) -> str:
        asked.append(index)
        return original(reader, index)

    monkeypatch.setattr(pdf._Reader, "plumber_text", counting)

    doc = read(fx.repeated(fx.unmapped_font_pdf(), 6))

    assert [u.page for u in doc.unreadable_pages] == [1, 2, 3, 4, 5, 6]
    assert asked == [0, 1, 2]


def test_text_drawn_one_glyph_at_a_time_in_a_font_not_embedded_is_read() -> None:
    # NOTE: without a system CJK font pdfium cannot measure a lone STSong glyph and skips it;
    # with one it reads the page itself. Either way the text must come out.
    def one_by_one(canvas: Canvas) -> None:
        for i, char in enumerate("此件不公开内部资料"):
            canvas.drawString(72 + 14 * i, 780, char)

    doc = read(fx.build(one_by_one))

    assert pages(doc) == "此件不公开内部资料"
    assert doc.unreadable_pages == ()


@pytest.mark.parametrize(
    ("text", "garbage"),
    [
        ("(cid:12)(cid:34)(cid:56)(cid:78) 第", True),
        ("\ufffd\ufffd\ufffd 好", True),
        ("\ue001\ue002\ue003\ue004正文", True),
        ("\x01\x02\x03\x04\x05ab", True),
        ("关于(cid:3)做好工作的通知", False),
        ("", False),
        ("   \n  ", False),
    ],
)
def test_garbage_share_tells_garbage_from_text(text: str, garbage: bool) -> None:
    assert (repair.garbage_share(text) > pdf.GARBAGE_SHARE) is garbage


# -- invisible text ----------------------------------------------------------------------------
def invisible_line(canvas: Canvas) -> None:
    canvas.drawString(72, 780, "公开内容")
    canvas.saveState()
    text = canvas.beginText(72, 760)
    text.setFont(fx.CJK_FONT, 12)
    text.setTextRenderMode(3)
    text.textLine("隐藏的机密")
    canvas.drawText(text)
    canvas.restoreState()
    canvas.drawString(72, 740, "结尾")


def test_text_in_render_mode_3_is_extracted_and_labelled_invisible() -> None:
    doc = read(fx.build(invisible_line))

    assert pages(doc) == "公开内容\n隐藏的机密\n结尾"
    hidden = [s for s in doc.segments if s.where == Where.INVISIBLE]
    assert [doc.text[s.start : s.end] for s in hidden] == ["隐藏的机密"]
    assert (hidden[0].container, hidden[0].page) == (Where.PAGE, 1)
    assert page_text(doc, 1) == pages(doc)  # the invisible run sits inside the page's text
    assert any("render mode" in note for note in doc.notes)


def boxed(red: float, green: float, blue: float):
    def draw(canvas: Canvas) -> None:
        canvas.drawString(72, 780, "标题")
        canvas.drawString(72, 760, "身份证号码见附件")
        canvas.setFillColorRGB(red, green, blue)
        canvas.rect(68, 755, 110, 18, fill=1, stroke=0)

    return draw


def test_text_under_a_black_box_drawn_after_it_is_labelled_invisible() -> None:
    doc = read(fx.build(boxed(0, 0, 0)))

    assert pages(doc) == "标题\n身份证号码见附件"
    hidden = [doc.text[s.start : s.end] for s in doc.segments if s.where == Where.INVISIBLE]
    assert hidden == ["身份证号码见附件"]


def test_text_under_a_coloured_box_stays_page_text() -> None:
    doc = read(fx.build(boxed(1.0, 0.9, 0.2)))  # a highlight, not a redaction

    assert {s.where for s in doc.segments if s.container == Where.PAGE} == {Where.PAGE}


def test_text_drawn_outside_the_page_is_labelled_invisible() -> None:
    doc = read(fx.build(fx.both(fx.lines("页内文字"), fx.lines("页外文字", x=-400))))

    assert "页外文字" in doc.text
    hidden = [doc.text[s.start : s.end] for s in doc.segments if s.where == Where.INVISIBLE]
    assert hidden == ["页外文字"]


def test_invisible_text_over_a_full_page_scan_is_read_as_its_ocr_layer() -> None:
    ocr = "国务院办公厅关于进一步做好政务公开工作的通知，各省、自治区、直辖市人民政府，国务院各部委"

    def page(canvas: Canvas) -> None:
        fx.image()(canvas)
        text = canvas.beginText(40, 780)
        text.setFont(fx.CJK_FONT, 12)
        text.setTextRenderMode(3)
        text.textLine(ocr)
        canvas.drawText(text)

    doc = read(fx.build(page))

    assert doc.unreadable_pages == ()
    assert pages(doc) == ocr
    assert {s.where for s in doc.segments if s.container == Where.PAGE} == {Where.PAGE}
    assert any("OCR" in note for note in doc.notes)


# -- repairs -----------------------------------------------------------------------------------
def test_gap_space_pdfium_makes_between_digit_and_cjk_is_removed() -> None:
    def marking(canvas: Canvas) -> None:
        canvas.drawString(72, 780, "机密★")
        canvas.setFont("Helvetica", 12)
        canvas.drawString(109, 780, "5")
        canvas.setFont(fx.CJK_FONT, 12)
        canvas.drawString(120, 780, "年内")

    data = fx.build(marking)
    assert "5 年" in pdfium_text(data)

    assert pages(read(data)) == "机密★5年内"


def test_id_number_wrapped_in_a_narrow_cell_is_joined() -> None:
    data = fx.build(fx.lines("姓名 张三", ID_NUMBER[:13], ID_NUMBER[13:], "联系电话"))

    doc = read(data)

    assert pages(doc) == f"姓名 张三\n{ID_NUMBER}\n联系电话"
    assert "page 1: joined 1 wrapped ID/account number(s)" in doc.notes
    assert page_text(doc, 1) == pages(doc)


def test_card_number_wrapped_in_a_narrow_cell_is_joined() -> None:
    doc = read(fx.build(fx.lines("开户账号", CARD_NUMBER[:12], CARD_NUMBER[12:])))

    assert pages(doc) == f"开户账号\n{CARD_NUMBER}"


ROW_BODY = "622202100112345"
ROW_TAIL = ROW_BODY + fx.luhn_check_digit("1" + ROW_BODY)  # "1" + ROW_TAIL passes Luhn
CARD16 = CARD_BODY[:15] + fx.luhn_check_digit(CARD_BODY[:15])
COUNT_AFTER_CARD = next(d for d in "0123456789" if repair._luhn(CARD16 + d))


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        pytest.param(WRONG_ID[:13], WRONG_ID[13:], id="wrong-check-character"),
        pytest.param("2024", "1231", id="short-numbers"),
        pytest.param(ID_NUMBER[:13], ID_NUMBER[13:] + "5", id="too-long"),
    ],
)
def test_digit_runs_that_do_not_make_a_valid_number_stay_apart(head: str, tail: str) -> None:
    assert not repair._is_account(head + tail)

    doc = read(fx.build(fx.lines("编号", head, tail)))

    assert pages(doc) == f"编号\n{head}\n{tail}"


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        pytest.param("1", ROW_TAIL, id="row-number-then-digits"),
        pytest.param(CARD16, COUNT_AFTER_CARD, id="whole-card-then-a-digit"),
    ],
)
def test_a_join_that_happens_to_validate_is_refused_when_a_half_stands_alone(
    head: str, tail: str
) -> None:
    assert repair._is_account(head + tail)  # the check alone would glue them

    doc = read(fx.build(fx.lines("序号 账号", head, tail)))

    assert pages(doc) == f"序号 账号\n{head}\n{tail}"


def test_wrapped_paragraph_line_is_joined_and_short_heading_lines_are_not() -> None:
    data = fx.build(
        fx.lines("上海市宝山区审计局文件", "宝审〔2024〕9号", *PARAGRAPH, leading=18, x=40)
    )

    doc = read(data)

    assert pages(doc) == "上海市宝山区审计局文件\n宝审〔2024〕9号\n" + "".join(PARAGRAPH)
    assert "joined 2 line breaks inside wrapped Chinese words" in doc.notes


def id_with_check(body: str) -> str:
    return body + fx.id_check_char(body)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (ID_NUMBER, True),
        (ID_NUMBER[:-1] + ID_NUMBER[-1].lower(), True),
        (WRONG_ID, False),
        (id_with_check("11010518500101001"), False),  # born 1850
        (id_with_check("11010519991301001"), False),  # month 13
        (id_with_check("11010520230229001"), False),  # 2023 had no 29 February
        (id_with_check("11010520240229001"), True),
        (ID_NUMBER[:17], False),
        ("33010619851214789Y", False),
    ],
)
def test_id_check(number: str, valid: bool) -> None:
    assert repair._is_id18(number) is valid


FULL = "各单位要高度重视信息公开前的保密审查工作，严格落实审查责任制"  # 30 characters


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        (f"{FULL}\n要求", f"{FULL}要求"),
        (f"{FULL}。\n要求", f"{FULL}。\n要求"),  # the paragraph ended
        (f"{FULL}\n二、工作要求", f"{FULL}\n二、工作要求"),  # a new item or table row
        (f"{FULL}\n\n要求", f"{FULL}\n\n要求"),  # a blank line is a paragraph break
        (f"短标题\n{FULL}", f"短标题\n{FULL}"),
        ("短标题\n正文", "短标题\n正文"),  # no full line on the page at all
    ],
)
def test_wrapped_lines_joins_only_inside_paragraphs(text: str, joined: str) -> None:
    assert repair.drop(text, None, repair.wrapped_lines(text))[0] == joined


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_accepts_generated_numbers_with_a_valid_birth_date(body: str) -> None:
    body = "110105" + "19491231" + body[14:]
    assert repair._is_id18(body + fx.id_check_char(body))


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_luhn_accepts_numbers_with_their_check_digit(body: str) -> None:
    number = body + fx.luhn_check_digit(body)
    assert repair._luhn(number) is (len(set(number)) > 1)


# The shortcuts the repairs take for speed must agree with the plain definitions.
SPACED_TEXT = st.text(alphabet=st.sampled_from("a机 \t\n\u3000\u2014\ufffd\U00020000"))


@given(SPACED_TEXT, st.integers(min_value=1, max_value=5))
def test_non_space_positions_are_those_a_full_listing_gives(text: str, step: int) -> None:
    listed = [i for i, ch in enumerate(text) if not ch.isspace()]
    spaces = [i for i, ch in enumerate(text) if ch.isspace()]

    assert repair._non_space_positions(spaces, range(0, len(listed), step)) == listed[::step]


@given(SPACED_TEXT)
def test_line_widths_count_wide_characters_twice(text: str) -> None:
    lines = text.split("\n")
    expected = [len(ln.rstrip()) + sum(ch >= "\u2e80" for ch in ln.rstrip()) for ln in lines]

    assert repair._widths(lines) == expected


@given(st.text(alphabet=st.sampled_from("1234567890a \t\n,.机。"), max_size=40))
def test_regex_shortcuts_agree_with_the_plain_patterns(text: str) -> None:
    cjk, latin = f"[{repair.CJK_WIDE}]", "[!-~]"
    plain_gap = re.compile(f"(?<={cjk}) (?={latin})|(?<={latin}) (?={cjk})")
    found = [m.start() for m in repair._MIXED_GAP.finditer(text)]

    assert found == [m.start() for m in plain_gap.finditer(text)]
    if not repair._DIGITS_ACROSS_BREAK.search(text):
        assert not repair._WRAPPED_NUMBER.search(text)


def test_text_inside_the_page_reads_a_text_longer_than_its_buffer() -> None:
    data = fx.build(fx.both(fx.lines("页内文字"), fx.lines("页外文字", x=-400)))
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        expected = textpage.get_text_bounded()
        box = page.get_bbox()
        assert visibility.text_inside(textpage.raw, box, 1) == expected  # read again, in full
        assert visibility.text_inside(textpage.raw, box, len(expected) + 1) == expected
        textpage.close()
        page.close()
    finally:
        doc.close()


@given(st.text(max_size=40))
def test_repairs_never_raise_on_junk(text: str) -> None:
    for drop in (repair.wrapped_numbers(text), repair.wrapped_lines(text)):
        assert all(text[i] in " \t\n" for i in drop)
    assert 0.0 <= repair.garbage_share(text) <= 1.0


# -- everything after the pages ----------------------------------------------------------------
def test_document_information_becomes_property_segments() -> None:
    doc = read(fx.build(fx.lines("正文"), title="关于机密事项的报告", author="李四"))

    props = {s.part: doc.text[s.start : s.end] for s in doc.segments if s.where == Where.PROPERTY}
    assert props["pdf:Title"] == "标题：关于机密事项的报告"
    assert props["pdf:Author"] == "作者：李四"
    first_property = min(s.start for s in doc.segments if s.where == Where.PROPERTY)
    assert first_property > doc.text.index("正文")  # after the pages


def test_xmp_title_and_creator_become_property_segments() -> None:
    doc = read(fx.xmp_pdf(fx.xmp_packet("秘密项目计划", "王五")))

    props = {s.part: doc.text[s.start : s.end] for s in doc.segments if s.where == Where.PROPERTY}
    assert props["xmp:dc:title"] == "标题：秘密项目计划"
    assert props["xmp:dc:creator"] == "作者：王五"
    assert props["xmp:pdf:Producer"] == "生成程序：手工排版"


def test_annotation_text_and_author_are_extracted() -> None:
    def page(canvas: Canvas) -> None:
        canvas.drawString(72, 780, "正文")
        canvas.textAnnotation("此段涉密，请删除", Rect=(72, 600, 200, 650), T=PDFString("审核员"))

    doc = read(fx.build(fx.lines("第一页"), page))

    notes = [s for s in doc.segments if s.where == Where.ANNOTATION]
    assert [(doc.text[s.start : s.end], s.page, s.part) for s in notes] == [
        ("此段涉密，请删除", 2, "annot")
    ]
    assert "批注作者：审核员" in doc.text


def test_attachment_names_become_attachment_segments() -> None:
    data = fx.with_attachment(fx.build(fx.lines("正文")), "名单（内部）.xlsx", b"PK\x03\x04")

    doc = read(data)

    found = [s for s in doc.segments if s.where == Where.ATTACHMENT]
    assert [(doc.text[s.start : s.end], s.part) for s in found] == [
        ("嵌入文件：名单（内部）.xlsx", "attachment 名单（内部）.xlsx")
    ]
    assert any("embeds 1 file" in note for note in doc.notes)
    (item,) = [a for a in doc.active_content if a.kind == "embedded_file"]
    assert "not read" in item.detail  # four bytes of a zip header are no document
