"""Every .docx part a reader could recover comes out, labelled with where it came from."""

from __future__ import annotations

import pytest

from review_flow.errors import ExtractionError
from review_flow.extract import Limits, Where, extract_file
from review_flow.extract.docx import extract
from tests.extract.ooxml import NS, W_NS, build_docx, p, part, replace_part


def run(data: bytes):
    return extract(data, "t.docx", Limits())


def where_of(extracted, needle: str) -> Where:
    start = extracted.text.index(needle)
    seg = extracted.segment_at(start)
    assert seg is not None, f"{needle!r} is in no segment"
    assert extracted.text[seg.start : seg.end].find(needle) >= 0 or seg.end >= start + len(needle)
    return seg.where


TEXTBOX = (
    '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
    "<w:txbxContent>{inner}</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox>"
    "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
)

BODY = (
    p("正文第一段")
    + "<w:tbl><w:tr><w:tc>" + p("表格单元甲") + "</w:tc><w:tc>" + p("表格单元乙")
    + "<w:tbl><w:tr><w:tc>" + p("嵌套表格丙") + "</w:tc></w:tr></w:tbl>"
    + "</w:tc></w:tr></w:tbl>"
    + "<w:p><w:r><w:t>保留</w:t></w:r><w:ins w:id=\"1\" w:author=\"李修订\"><w:r><w:t>插入的话"
    "</w:t></w:r></w:ins><w:del w:id=\"2\" w:author=\"李修订\"><w:r><w:delText>删除的话</w:delText>"
    "</w:r></w:del></w:p>"
    + "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的话</w:t></w:r>"
    "<w:r><w:rPr><w:vanish w:val=\"0\"/></w:rPr><w:t>显示的话</w:t></w:r></w:p>"
    + TEXTBOX.format(inner=p("文本框里的话"))
    + "<w:sectPr><w:headerReference w:type=\"first\" r:id=\"rId10\"/></w:sectPr>"
)  # fmt: skip

PARTS = {
    "word/header1.xml": ("header", part("hdr", p("机密★5年") + TEXTBOX.format(inner=p("页眉框")))),
    "word/header2.xml": ("header", part("hdr", p("偶数页页眉"))),
    "word/footer1.xml": ("footer", part("ftr", p("页脚文字"))),
    "word/footnotes.xml": (
        "footnotes",
        part("footnotes", '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
             '</w:r></w:p></w:footnote><w:footnote w:id="1">' + p("脚注文字") + "</w:footnote>"),
    ),
    "word/endnotes.xml": ("endnotes", part("endnotes", '<w:endnote w:id="1">' + p("尾注文字")
                                          + "</w:endnote>")),
    "word/comments.xml": ("comments", part("comments", '<w:comment w:id="0" w:author="王批注">'
                                          + p("批注里的电话13812345678") + "</w:comment>")),
}  # fmt: skip


@pytest.fixture(scope="module")
def full():
    return run(
        build_docx(
            BODY,
            PARTS,
            core={
                "dc:title": "标题属性",
                "dc:creator": "张作者",
                "cp:lastModifiedBy": "赵修改",
                "cp:keywords": "关键词属性",
                "dc:subject": "主题属性",
                "dc:description": "备注属性",
            },
            app={"Company": "宝山区审计局"},
            custom={"密级": "内部"},
        )
    )


@pytest.mark.parametrize(
    ("needle", "where"),
    [
        ("正文第一段", Where.BODY),
        ("表格单元甲", Where.TABLE),
        ("表格单元乙", Where.TABLE),
        ("嵌套表格丙", Where.TABLE),
        ("插入的话", Where.INSERTED),
        ("删除的话", Where.DELETED),
        ("隐藏的话", Where.HIDDEN),
        ("显示的话", Where.BODY),
        ("文本框里的话", Where.TEXTBOX),
        ("机密★5年", Where.HEADER),
        ("页眉框", Where.TEXTBOX),
        ("偶数页页眉", Where.HEADER),
        ("页脚文字", Where.FOOTER),
        ("脚注文字", Where.FOOTNOTE),
        ("尾注文字", Where.ENDNOTE),
        ("批注里的电话13812345678", Where.COMMENT),
        ("标题：标题属性", Where.PROPERTY),
        ("作者：张作者", Where.PROPERTY),
        ("最后修改者：赵修改", Where.PROPERTY),
        ("关键词：关键词属性", Where.PROPERTY),
        ("主题：主题属性", Where.PROPERTY),
        ("备注：备注属性", Where.PROPERTY),
        ("单位：宝山区审计局", Where.PROPERTY),
        ("密级：内部", Where.PROPERTY),
        ("李修订", Where.PROPERTY),
        ("王批注", Where.PROPERTY),
    ],
)
def test_each_part_is_extracted_with_its_where(full, needle, where):
    assert needle in full.text
    assert where_of(full, needle) == where


def test_segments_point_into_the_text_exactly(full):
    for seg in full.segments:
        assert 0 <= seg.start < seg.end <= len(full.text)
        assert full.text[seg.start : seg.end].strip(), seg
    starts = [s.start for s in full.segments]
    assert starts == sorted(starts)


def test_textbox_fallback_copy_is_not_extracted_twice(full):
    assert full.text.count("文本框里的话") == 1
    assert full.text.count("页眉框") == 1


def test_header_textbox_keeps_header_as_container(full):
    seg = full.segment_at(full.text.index("页眉框"))
    assert seg is not None
    assert seg.container == Where.HEADER


def test_table_cells_of_a_row_share_a_line(full):
    line = next(x for x in full.text.splitlines() if "表格单元甲" in x)
    assert line.startswith("表格单元甲\t表格单元乙")


def test_headers_come_before_the_body(full):
    assert full.text.index("机密★5年") < full.text.index("正文第一段")


def test_empty_paragraphs_leave_no_blank_lines():
    extracted = run(build_docx(p("一") + "<w:p/><w:p/>" + p("二")))
    assert extracted.text == "一\n二"


def test_plain_paragraph_keeps_run_breaks_but_not_tab_stops():
    body = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>甲</w:t>'
        "<w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:noBreakHyphen/><w:t>丁</w:t></w:r></w:p>"
    )
    extracted = run(build_docx(body + p("二")))
    assert extracted.text == "甲\t乙\n丙-丁\n二"
    assert [(s.start, s.end) for s in extracted.segments] == [(0, 7), (8, 9)]


def test_plain_part_reads_a_nested_paragraph_with_the_outer_one_and_no_stray_text():
    body = (
        "<w:p><w:r><w:t>外</w:t></w:r><w:p><w:r><w:t>内</w:t></w:r></w:p><w:r><w:t>层</w:t></w:r>"
        "</w:p><w:r><w:t>游离</w:t></w:r>" + p("后")
    )
    assert run(build_docx(body)).text == "外内层\n后"


def test_beside_a_special_element_odd_paragraphs_are_read_as_the_full_walk_reads_them():
    """In a part holding a SPECIAL element (here a link) the fast pass stands only for the
    paragraphs it reads as the full walk would: text outside a run, deleted text outside a
    w:del, a run in an unknown wrapper or a paragraph nested in a run is left to the full walk."""
    body = (
        p("一")
        + '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r></w:hyperlink></w:p>'
        + "<w:p><w:r><w:t>甲</w:t></w:r><w:t>游离</w:t><w:br/></w:p>"
        + "<w:p><w:r><w:delText>删</w:delText></w:r><w:bdo><w:r><w:t>乙</w:t></w:r></w:bdo></w:p>"
        + "<w:p><w:r><w:t>外</w:t><w:p><w:r><w:t>内</w:t></w:r></w:p></w:r></w:p>"
        + p("二")
    )
    extracted = run(build_docx(body))
    assert extracted.text == "一\n链接\n甲\n删乙\n外内\n二"
    assert {s.where for s in extracted.segments} == {Where.BODY}


def test_strict_ooxml_namespace_is_read():
    strict = NS.replace(W_NS, "http://purl.oclc.org/ooxml/wordprocessingml/main")
    xml = f'<?xml version="1.0"?><w:document {strict}><w:body>{p("严格格式")}</w:body></w:document>'
    data = replace_part(build_docx(p("x")), "word/document.xml", xml.encode())
    assert "严格格式" in run(data).text


def test_doctype_in_a_part_is_refused():
    xml = f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "b">]><w:document {NS}>'
    data = replace_part(build_docx(p("x")), "word/document.xml", (xml + "</w:document>").encode())
    with pytest.raises(ExtractionError, match="DTD"):
        run(data)


def test_docx_under_a_wps_name_is_sniffed_as_docx(tmp_path):
    path = tmp_path / "公文.wps"
    path.write_bytes(build_docx(p("伪装的格式")))
    extracted = extract_file(str(path))
    assert extracted.format == "docx"
    assert "伪装的格式" in extracted.text
    assert len(extracted.sha256) == 64
    assert extracted.size == path.stat().st_size


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ExtractionError, match="not a Word document"):
        run(buf.getvalue())


def test_python_docx_written_file_is_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("正文段落")
    document.sections[0].header.paragraphs[0].text = "秘密★1年"
    document.sections[0].footer.paragraphs[0].text = "第1页"
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "张三"
    document.core_properties.author = "拟稿人甲"
    path = tmp_path / "a.docx"
    document.save(str(path))
    extracted = extract_file(str(path))
    assert where_of(extracted, "秘密★1年") == Where.HEADER
    assert where_of(extracted, "第1页") == Where.FOOTER
    assert "姓名\t张三" in extracted.text
    assert where_of(extracted, "拟稿人甲") == Where.PROPERTY


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda xml: xml.encode("utf-8"), id="utf-8"),
        pytest.param(
            lambda xml: xml.replace(
                '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'
            ).encode("utf-16"),
            id="utf-16",
        ),
        pytest.param(
            lambda xml: xml.replace("w:", "my-w:").replace("xmlns:w=", "xmlns:my-w=").encode(),
            id="odd-prefix",
        ),
    ],
)
def test_tracked_changes_are_read_whatever_the_encoding_or_prefix(encode):
    """The parsed tree decides a part needs the full walk, not a byte pattern that UTF-16 or an
    unusual namespace prefix would hide a w:del from: deleted text must never go unread."""
    body = p("正文") + (
        '<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="2" w:author="李修订"><w:r>'
        "<w:delText>删除的机密</w:delText></w:r></w:del></w:p>"
    )
    xml = f'<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>'
    data = replace_part(build_docx(p("占位")), "word/document.xml", encode(xml))
    extracted = run(data)
    assert where_of(extracted, "删除的机密") == Where.DELETED
    assert where_of(extracted, "正文") == Where.BODY
