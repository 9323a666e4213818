"""OFD packages built part by part: text in reading order, templates, annotations, attachments,
tags, metadata, hidden objects, actions, signatures, encryption and hostile packages."""

from __future__ import annotations

import io
import zipfile

import pytest

from review_flow.errors import ExtractionError
from review_flow.extract import Limits, Where, extract_bytes, sniff
from review_flow.extract.model import Extracted
from review_flow.scan.model import Category, Verdict
from tests.extract.ofd_writer import NS, Ofd, action, annot, image, page_xml, text
from tests.extract.ooxml import build_docx, p
from tests.extract.redteam import zip_parts

ID_NUMBER = "11010519491231002X"  # checksum-valid (the rules' own example)


def run(data: bytes, name: str = "t.ofd", limits: Limits | None = None) -> Extracted:
    return extract_bytes(data, name, limits or Limits())


def segment_of(extracted: Extracted, needle: str):
    start = extracted.text.index(needle)
    seg = extracted.segment_at(start)
    assert seg is not None, f"{needle!r} is in no segment"
    return seg


HEAD_OBJECTS = (
    text("宝委发〔2024〕3号", 80, 75)
    + text("中共上海市宝山区委员会文件", 30, 55, size=12)
)  # fmt: skip
BODY_OBJECTS = text("关于做好年度审计工作的通知", 40, 100, size=7) + text(
    "各街道党工委：现将有关事项通知如下。", 20, 120
)


# -- the format and the reading order ---------------------------------------------------------
def test_a_zip_holding_ofd_xml_is_sniffed_as_ofd_and_a_docx_is_not() -> None:
    assert sniff(Ofd(pages=[text("正文", 20, 20)]).build(), "x.zip") == "ofd"
    assert sniff(build_docx(p("正文")), "x.ofd") == "docx"


def test_text_is_read_by_lines_top_to_bottom_then_left_to_right() -> None:
    objects = (
        text("第三行", 20, 60)
        + text("右边", 120, 40)  # same baseline as 左边, written first
        + text("左边", 20, 40.4)
        + text("第一行", 20, 20)
    )
    extracted = run(Ofd(pages=[objects]).build())
    assert extracted.text.split("\n")[:3] == ["第一行", "左边 右边", "第三行"]
    assert extracted.format == "ofd"
    assert extracted.pages == 1
    seg = segment_of(extracted, "左边")
    assert (seg.where, seg.container, seg.page) == (Where.PAGE, Where.PAGE, 1)


def test_a_text_code_wrapped_by_delta_y_becomes_lines_and_g_repeats_deltas() -> None:
    # 8 glyphs: 4 on one line (g 3 5 = three steps of 5 mm), back 15 mm and down 8 mm
    code = text("一二三四五六七八", 20, 30, delta_x="g 3 5 -15 g 3 5", delta_y="g 3 0 8 g 3 0")
    extracted = run(Ofd(pages=[code]).build())
    assert extracted.text.split("\n")[:2] == ["一二三四", "五六七八"]


def test_pages_are_read_in_order_with_their_numbers() -> None:
    extracted = run(Ofd(pages=[text("第一页", 20, 20), text("第二页", 20, 20)]).build())
    assert extracted.pages == 2
    assert segment_of(extracted, "第二页").page == 2
    assert extracted.text.index("第一页") < extracted.text.index("第二页")


# -- templates: where a 版头 or a 密级 marking often lives ----------------------------------------
def test_a_marking_in_a_template_stands_at_the_top_of_the_page_and_blocks(scanner) -> None:
    ofd = Ofd(
        pages=[BODY_OBJECTS.replace("各街道党工委", "各单位")],
        page_templates=["7"],
        templates={"7": text("机密★5年", 20, 15)},
    )
    extracted = run(ofd.build())
    seg = segment_of(extracted, "机密★5年")
    assert (seg.where, seg.container, seg.page) == (Where.TEMPLATE, Where.PAGE, 1)
    assert extracted.text.startswith("机密★5年")
    report = scanner.scan(extracted)
    assert report.verdict is Verdict.BLOCK
    assert any(f.category is Category.STATE_SECRET and f.kind == "marking" for f in report.findings)


def test_a_party_head_in_a_template_is_read_as_the_head_of_the_document(scanner) -> None:
    ofd = Ofd(pages=[BODY_OBJECTS], page_templates=["3"], templates={"3": HEAD_OBJECTS})
    report = scanner.scan(run(ofd.build()))
    assert report.verdict is Verdict.BLOCK
    assert any(f.category is Category.PARTY_DOCUMENT for f in report.findings)
    assert report.head["doc_number"] == "宝委发〔2024〕3号"


def test_a_template_no_page_uses_is_still_read() -> None:
    ofd = Ofd(pages=[text("正文", 20, 20)], templates={"5": text("秘密★1年", 20, 15)})
    extracted = run(ofd.build())
    seg = segment_of(extracted, "秘密★1年")
    assert (seg.where, seg.page) == (Where.TEMPLATE, None)
    assert any("used by no page" in n for n in extracted.notes)


# -- annotations, attachments, tags, metadata ------------------------------------------------
def test_an_id_number_in_an_annotation_is_extracted_and_found_masked(scanner) -> None:
    annots = annot("Stamp", text(f"身份证号{ID_NUMBER}", 0, 10), attrs='Creator="王批注"')
    annots += annot("Highlight", remark="请核实申请人电话13812345678")
    ofd = Ofd(pages=[text("正文", 20, 20)], annotations={0: annots})
    extracted = run(ofd.build())
    for needle in (ID_NUMBER, "13812345678"):
        seg = segment_of(extracted, needle)
        assert (seg.where, seg.container, seg.page) == (Where.ANNOTATION, Where.ANNOTATION, 1)
    assert segment_of(extracted, "王批注").where is Where.PROPERTY
    report = scanner.scan(extracted)
    kinds = {f.kind for f in report.findings if f.category is Category.PERSONAL_DATA}
    assert {"id_card", "mobile"} <= kinds
    assert all(ID_NUMBER not in f.excerpt for f in report.findings)


def test_attached_files_are_read_through_the_same_extractors() -> None:
    inner_ofd = Ofd(pages=[text("附件OFD里的话", 20, 20)]).build()
    ofd = Ofd(
        pages=[text("正文", 20, 20)],
        attachments=[
            ("名单.docx", "docx", build_docx(p(f"身份证号{ID_NUMBER}")), ""),
            ("发票", "xml", "<?xml version='1.0'?><i><b>购买方甲公司</b></i>".encode(), ""),
            ("套娃.ofd", "ofd", inner_ofd, 'Visible="false"'),
            ("照片.png", "png", b"\x89PNG\r\n\x1a\nnot really", ""),
            ("说明.html", "html", "<html><p>网页附件<br></p></html>".encode(), ""),
            ("实体.xml", "xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', ""),
        ],
    )
    extracted = run(ofd.build())
    expected = {
        ID_NUMBER: "attachment 名单.docx: body",
        "购买方甲公司": "attachment 发票",
        "附件OFD里的话": "attachment 套娃.ofd: page",
        "网页附件": "attachment 说明.html",
    }
    for needle, part in expected.items():
        seg = segment_of(extracted, needle)
        assert (seg.where, seg.container, seg.part) == (Where.ATTACHMENT, Where.ATTACHMENT, part)
    unread = [a for a in extracted.active_content if a.kind == "embedded_file"]
    assert [a.where for a in unread] == ["attachment 照片.png", "attachment 实体.xml"]


def test_attachments_nested_deeper_than_the_limit_are_flagged_not_followed() -> None:
    data = Ofd(pages=[text("最里层", 20, 20)]).build()
    for depth in range(4):
        data = Ofd(
            pages=[text(f"第{depth}层", 20, 20)], attachments=[("a.ofd", "ofd", data, "")]
        ).build()
    extracted = run(data)
    assert "最里层" not in extracted.text
    assert "第2层" in extracted.text
    assert any("nested over 3 deep" in a.detail for a in extracted.active_content)


def test_custom_tags_doc_info_and_outlines_are_read() -> None:
    tags = [
        f'<t:root xmlns:t="urn:t" xmlns:ofd="{NS}"><t:Name>张三丰</t:Name>'
        '<t:Ref><ofd:ObjectRef PageRef="100">1</ofd:ObjectRef></t:Ref></t:root>'.encode(),
        b'<?xml version="1.0"?><:eInvoice xmlns:=""><Buyer>\xe4\xb9\x99\xe5\x85\xac\xe5\x8f\xb8'
        b'</Buyer><ofd:ObjectRef PageRef="1">64</ofd:ObjectRef></:eInvoice>',  # not well-formed
    ]
    info = (
        "<ofd:Title>内部资料</ofd:Title><ofd:Author>李拟稿</ofd:Author><ofd:Keywords>"
        "<ofd:Keyword>审计</ofd:Keyword><ofd:Keyword>年报</ofd:Keyword></ofd:Keywords>"
        '<ofd:CustomDatas><ofd:CustomData Name="密级">秘密</ofd:CustomData></ofd:CustomDatas>'
    )
    outline = '<ofd:Outlines><ofd:OutlineElem Title="一、总体要求"/></ofd:Outlines>'
    ofd = Ofd(pages=[text("正文", 20, 20)], custom_tags=tags, doc_info=info,
              document_extra=outline)  # fmt: skip
    extracted = run(ofd.build())
    assert segment_of(extracted, "张三丰").where is Where.CUSTOM_XML
    assert segment_of(extracted, "乙公司").where is Where.CUSTOM_XML
    lines = extracted.text.split("\n")
    assert {
        "标题：内部资料",
        "作者：李拟稿",
        "关键词：审计、年报",
        "密级：秘密",
        "书签：一、总体要求",
    } <= set(lines)
    assert segment_of(extracted, "密级：秘密").part == "custom:密级"
    assert "64" not in lines
    assert "1" not in lines


# -- what a reader does not see ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("attrs", "fill", "size", "reason"),
    [
        pytest.param('Visible="false"', "", 5.0, "Visible=false", id="not-visible"),
        pytest.param("", "255 255 255", 5.0, "white text", id="white"),
        pytest.param("", "#ff #ff #ff", 5.0, "white text", id="white-hex"),
        pytest.param("", "", 0.2, "font under 1 pt", id="tiny"),
        pytest.param('Alpha="0"', "", 5.0, "fully transparent", id="transparent"),
        pytest.param('Fill="false"', "", 5.0, "neither filled nor stroked", id="unfilled"),
    ],
)
def test_hidden_text_is_extracted_and_marked_invisible(attrs, fill, size, reason) -> None:
    objects = text("看得见的话", 20, 20) + text(
        "看不见的机密", 20, 40, size, attrs=attrs, fill=fill
    )
    extracted = run(Ofd(pages=[objects]).build())
    assert segment_of(extracted, "看不见的机密").where is Where.INVISIBLE
    assert segment_of(extracted, "看得见的话").where is Where.PAGE
    assert any(reason in note for note in extracted.notes)


def test_text_off_the_page_is_marked_invisible() -> None:
    extracted = run(Ofd(pages=[text("正文", 20, 20) + text("页外的话", 20, 400)]).build())
    assert segment_of(extracted, "页外的话").where is Where.INVISIBLE


def test_a_page_of_images_without_text_is_unreadable_and_goes_to_review(scanner) -> None:
    extracted = run(Ofd(pages=[text("第一页正文", 20, 20), image(0, 0, 210, 297)]).build())
    assert [u.page for u in extracted.unreadable_pages] == [2]
    assert scanner.scan(extracted).verdict is Verdict.REVIEW


def test_invisible_text_over_a_page_size_scan_is_its_ocr_layer() -> None:
    ocr = "扫描件的识别文字" * 3
    objects = image(0, 0, 210, 297) + "".join(
        text(ocr, 20, 20 + 10 * i, size=3, attrs='Alpha="0"') for i in range(2)
    )
    extracted = run(Ofd(pages=[objects]).build())
    assert segment_of(extracted, ocr).where is Where.PAGE
    assert not extracted.unreadable_pages


# -- actions, permissions, signatures, stray parts ---------------------------------------------
def test_actions_that_reach_outside_are_active_content_and_jumps_are_not(scanner) -> None:
    page_actions = action('<ofd:URI URI="https://example.org/收集?id=' + ID_NUMBER + '"/>')
    page_actions += action('<ofd:Goto><ofd:Dest Type="XYZ" PageID="100"/></ofd:Goto>')
    document = action('<ofd:Sound ResourceID="3"/>', "DO") + (
        '<ofd:Permissions><ofd:Print Printable="false"/><ofd:Edit>false</ofd:Edit>'
        "</ofd:Permissions>"
    )
    ofd = Ofd(pages=[text("正文", 20, 20)], page_extras=[page_actions], document_extra=document)
    extracted = run(ofd.build())
    kinds = {(a.kind, a.page) for a in extracted.active_content}
    assert kinds == {("uri_action", 1), ("sound_action", None), ("restricted", None)}
    uri = next(a for a in extracted.active_content if a.kind == "uri_action")
    assert "example.org" in uri.detail
    assert ID_NUMBER not in uri.detail
    report = scanner.scan(extracted)
    assert sum(f.category is Category.ACTIVE_CONTENT for f in report.findings) == 3


def test_a_signed_document_is_read_and_noted() -> None:
    extracted = run(Ofd(pages=[text("正文", 20, 20)], signed=True).build())
    assert "正文" in extracted.text
    assert any(
        n.startswith("signed: 1 electronic signature(s) by test_eseal") for n in extracted.notes
    )


def test_a_part_no_reference_reaches_is_read_and_flagged() -> None:
    stray = page_xml(text("夹带的秘密", 20, 20)).encode()
    extracted = run(
        Ofd(pages=[text("正文", 20, 20)], extra_parts={"Doc_0/old/Content.xml": stray}).build()
    )
    assert segment_of(extracted, "夹带的秘密").where is Where.UNREFERENCED
    assert [a.where for a in extracted.active_content] == ["Doc_0/old/Content.xml"]


# -- refused ---------------------------------------------------------------------------------
def test_an_encrypted_ofd_is_refused_with_one_line() -> None:
    data = zip_parts(
        {"Encryptions.xml": b"<Encryptions/>", "entriesmap.dat": b"\x01\x02", "x": b"?"}
    )
    with pytest.raises(ExtractionError, match="encrypted OFD") as caught:
        run(data)
    assert "\n" not in str(caught.value)
    assert caught.value.hint


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        pytest.param(
            {"OFD.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ofd:OFD/>'},
            "DTD", id="entities",
        ),
        pytest.param({"OFD.xml": b"<ofd:OFD xmlns:ofd='" + NS.encode() + b"'/>"}, "no DocBody",
                     id="no-docbody"),
        pytest.param(
            {"OFD.xml": b"<ofd:OFD xmlns:ofd='" + NS.encode() + b"'><ofd:DocBody><ofd:DocRoot>"
             b"Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"},
            "DocRoot that is not there", id="no-document",
        ),
        pytest.param({"OFD.xml": b"\x00" * 2_000_000}, "zip bomb", id="ratio"),
    ],
)  # fmt: skip
def test_hostile_or_broken_packages_are_refused(entries, reason) -> None:
    with pytest.raises(ExtractionError, match=reason):
        run(zip_parts(entries))


def test_a_package_over_the_entry_limit_is_refused() -> None:
    data = Ofd(pages=[text("正文", 20, 20)]).build()
    with pytest.raises(ExtractionError, match="entries"):
        run(data, limits=Limits(max_zip_entries=2))


def test_an_id_number_wrapped_in_a_narrow_column_is_joined_as_in_a_pdf(scanner) -> None:
    objects = (
        text("姓名", 20, 20, 4) + text("身份证号码", 60, 20, 4) + text("性别", 110, 20, 4)
        + text("张三", 20, 30, 4) + text(ID_NUMBER[:12], 60, 30, 3) + text("男", 110, 30, 4)
        + text(ID_NUMBER[12:], 60, 34, 3)
    )  # fmt: skip
    extracted = run(Ofd(pages=[objects]).build())
    assert extracted.text.split("\n")[1:3] == [f"张三 {ID_NUMBER[:12]} 男", ID_NUMBER[12:]]
    report = scanner.scan(extracted)
    assert any(f.kind == "id_card" for f in report.findings)


def test_text_in_a_composite_unit_is_placed_through_its_ctm() -> None:
    unit = text("复合图元里的话", 10, 10)  # at (10, 10) in the unit, scaled ×2 → (40, 220)
    res = (
        f'<?xml version="1.0"?><ofd:Res xmlns:ofd="{NS}"><ofd:CompositeGraphicUnits>'
        f'<ofd:CompositeGraphicUnit ID="77" Width="100" Height="30"><ofd:Content>{unit}'
        "</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>"
    )
    composite = (
        '<ofd:CompositeObject ID="5" ResourceID="77" Boundary="20 200 100 30" CTM="2 0 0 2 0 0"/>'
    )
    ofd = Ofd(
        pages=[text("页首", 20, 20) + composite + text("页尾", 20, 280)],
        common_extra="<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>",
        extra_parts={"Doc_0/PublicRes.xml": res.encode()},
    )
    extracted = run(ofd.build())
    assert extracted.text.split("\n")[:3] == ["页首", "复合图元里的话", "页尾"]
    assert segment_of(extracted, "复合图元里的话").where is Where.PAGE


def test_a_stray_part_that_is_not_well_formed_is_still_read() -> None:
    stray = b"<note><p>\xe6\xb3\xa8\xe6\x84\x8f\xe4\xbf\x9d\xe5\xad\x98</p><unclosed></note>"
    extracted = run(Ofd(pages=[text("正文", 20, 20)], extra_parts={"Doc_0/x.xml": stray}).build())
    assert segment_of(extracted, "注意保存").where is Where.UNREFERENCED


def test_repeat_counts_past_the_glyphs_are_not_expanded() -> None:
    bomb = text("两字", 20, 20, delta_x="g 2000000000 5 " * 2000)
    extracted = run(Ofd(pages=[bomb]).build())
    assert extracted.text.startswith("两字")


@pytest.mark.parametrize("self_drawing", [False, True], ids=["nested-blocks", "self-drawing-unit"])
def test_content_nested_past_the_depth_limit_is_refused(self_drawing: bool) -> None:
    if self_drawing:
        loop = '<ofd:CompositeObject ID="5" ResourceID="9" Boundary="0 0 10 10"/>'
        objects = loop
        res = (
            f'<?xml version="1.0"?><ofd:Res xmlns:ofd="{NS}"><ofd:CompositeGraphicUnits>'
            f'<ofd:CompositeGraphicUnit ID="9"><ofd:Content>{loop}</ofd:Content>'
            "</ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>"
        )
        ofd = Ofd(pages=[objects], common_extra="<ofd:PublicRes>R.xml</ofd:PublicRes>",
                  extra_parts={"Doc_0/R.xml": res.encode()})  # fmt: skip
    else:
        ofd = Ofd(pages=["<ofd:PageBlock>" * 200 + text("深处", 20, 20) + "</ofd:PageBlock>" * 200])
    with pytest.raises(ExtractionError, match="nested over 64 levels"):
        run(ofd.build())


def test_a_page_whose_content_part_is_missing_is_unreadable_not_empty() -> None:
    data = Ofd(pages=[text("第一页", 20, 20), text("第二页", 20, 20)]).build()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            if info.filename != "Doc_0/Pages/Page_1/Content.xml":
                out.writestr(info, src.read(info))
    extracted = run(buf.getvalue())
    assert extracted.pages == 2
    assert [(u.page, u.reason) for u in extracted.unreadable_pages] == [
        (2, "page content is missing from the package")
    ]


def _box(x: float, y: float, w: float, h: float, data: str = "", alpha: str = "") -> str:
    path = data or f"M 0 0 L {w} 0 L {w} {h} L 0 {h} C"
    fill_alpha = f' Alpha="{alpha}"' if alpha else ""
    return (
        f'<ofd:PathObject ID="8" Boundary="{x} {y} {w} {h}" Fill="true" Stroke="false">'
        f'<ofd:FillColor Value="0 0 0"{fill_alpha}/><ofd:AbbreviatedData>{path}'
        "</ofd:AbbreviatedData></ofd:PathObject>"
    )


def test_text_under_a_filled_box_drawn_over_it_is_invisible_and_under_a_cell_shade_is_not() -> None:
    objects = (
        _box(18, 10, 60, 14)  # a shaded cell, drawn before its text
        + text("表头单元格", 20, 20)
        + text("申请人张三丰", 20, 40)
        + _box(18, 30, 80, 14)  # the "redaction": a black box drawn over the name
        + text("盖章处", 20, 60)
        + _box(18, 50, 40, 14, data="M 0 0 B 10 0 20 10 20 20 C")  # a seal's curve: not judged
        + text("半透明遮盖", 20, 80)
        + _box(18, 70, 60, 14, alpha="80")
    )
    extracted = run(Ofd(pages=[objects]).build())
    assert segment_of(extracted, "申请人张三丰").where is Where.INVISIBLE
    for visible in ("表头单元格", "盖章处", "半透明遮盖"):
        assert segment_of(extracted, visible).where is Where.PAGE
    assert "page 1: 6 characters under a filled shape drawn over it" in extracted.notes


def test_a_foreground_template_is_drawn_over_the_page() -> None:
    for zorder, where in (("Foreground", Where.INVISIBLE), ("Background", Where.PAGE)):
        ofd = Ofd(pages=[text("被模板遮住的话", 20, 40)], page_templates=["4"],
                  templates={"4": _box(0, 0, 210, 297)}, zorder=zorder)  # fmt: skip
        assert segment_of(run(ofd.build()), "被模板遮住的话").where is where


def test_a_gmt_0099_integrity_list_is_noted_not_flagged_as_a_stray_part() -> None:
    entries = b'<?xml version="1.0"?><ofd:OFDEntries xmlns:ofd="' + NS.encode() + b'"/>'
    extracted = run(
        Ofd(pages=[text("正文", 20, 20)], extra_parts={"OFDEntries.xml": entries}).build()
    )
    assert not extracted.active_content
    assert any("OFDEntries.xml" in n for n in extracted.notes)


def test_rotated_text_reads_whole_on_a_line_of_its_own() -> None:
    watermark = text("内部资料", 60, 40.5, attrs='CTM="0.7071 -0.7071 0.7071 0.7071 0 0"')
    objects = text("第一行", 20, 20) + text("正文左半", 20, 40) + watermark + text("右半", 150, 40)
    extracted = run(Ofd(pages=[objects]).build())
    lines = extracted.text.split("\n")
    assert lines[0] == "第一行"
    assert {"正文左半 右半", "内部资料"} <= set(lines[1:3])


def test_the_pages_of_an_earlier_version_are_read_as_that_version() -> None:
    old_page = page_xml(text("机密★5年 旧版正文", 20, 20)).encode()
    listing = (
        f'<?xml version="1.0"?><ofd:DocVersion xmlns:ofd="{NS}" ID="v1"><ofd:FileList>'
        '<ofd:File ID="1">/Doc_0/v1/Page_0.xml</ofd:File></ofd:FileList>'
        "<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocVersion>"
    )
    ofd = Ofd(
        pages=[text("新版正文", 20, 20)],
        body_extra='<ofd:Versions><ofd:Version ID="v1" Index="1" BaseLoc="Doc_0/v1.xml"/>'
        "</ofd:Versions>",
        extra_parts={"Doc_0/v1.xml": listing.encode(), "Doc_0/v1/Page_0.xml": old_page},
    )
    extracted = run(ofd.build())
    seg = segment_of(extracted, "机密★5年 旧版正文")
    assert (seg.where, seg.part) == (Where.REVISION, "version 1: Doc_0/v1/Page_0.xml")
    assert [(a.kind, a.where) for a in extracted.active_content] == [
        ("earlier_version", "Doc_0/v1/Page_0.xml")
    ]
