"""Every part of a .docx package is accounted for (issue 14, item 3): each red-team case is
built as a real file, read through extract_file and the scanner, and what it hides is either
in the text (with its where) or an active_content finding; the verdict is never `clear`.
Ordinary files (python-docx, the samples, the real Word and WPS files) give neither.
"""

from __future__ import annotations

import base64
import io
import shutil
import struct
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Cm
from PIL import Image

from review_flow.extract import Extracted, Limits, Where, extract_file
from review_flow.scan import Category, Scanner, Verdict
from tests.conftest import CORPUS, SAMPLES
from tests.extract import hostile
from tests.extract.redteam import (
    ID,
    MARKING,
    MS_REL,
    VISIBLE,
    W_NS,
    Additions,
    build,
    embedding,
    id_number,
    nested_docx,
    ole_blob,
    plain_docx,
    pptx,
    run_field,
    word_xml,
    xlsx,
)  # fmt: skip

DOC = "word/document.xml"
SECOND_ID = id_number("31011519851201002")


def _alt_chunk(name: str, data: bytes, rel_id: str = "rIdA1") -> Additions:
    add = Additions(parts={f"word/{name}": data}, body=f'<w:altChunk r:id="{rel_id}"/>')
    return add.rel(DOC, rel_id, "aFChunk", name)


def _html_chunk() -> Additions:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<style>p {color: red}</style></head><body>"
        f"<p>{MARKING}</p><table><tr><td>身份证号</td><td>{ID}</td></tr></table>"
        "<script>var x = '不应读出的脚本';</script></body></html>"
    )
    return _alt_chunk("afchunk.htm", html.encode("gb18030"))


def _unreferenced_second_document() -> Additions:
    return Additions(parts={"word/document2.xml": word_xml("另一份正文", MARKING)})


def _customxml_item() -> Additions:
    item = f"<root><密级>{MARKING}</密级><备注>身份证号{ID}</备注></root>".encode()
    add = Additions(parts={"customXml/item9.xml": item})
    return add.rel(DOC, "rIdC9", "customXml", "../customXml/item9.xml")


def _hyperlinks() -> Additions:
    add = Additions(
        body='<w:p><w:hyperlink r:id="rIdH1"><w:r><w:t>中国政府网</w:t></w:r></w:hyperlink>'
        '<w:hyperlink r:id="rIdH2"><w:r><w:t>共享名单</w:t></w:r></w:hyperlink></w:p>'
    )
    add.rel(DOC, "rIdH1", "hyperlink", "https://www.gov.cn/zhengce/?token=abc", external=True)
    return add.rel(DOC, "rIdH2", "hyperlink", "file://fileserver/share/名单.xlsx", external=True)


def _remote_template() -> Additions:
    return Additions().rel(
        "word/settings.xml", "rIdT1", "attachedTemplate",
        "https://templates.example.com/红头.dotm?user=zhang", external=True,
    )  # fmt: skip


def _external_image() -> Additions:
    add = Additions(
        body='<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main" r:link="rIdI1"/></w:drawing></w:r></w:p>'
    )
    return add.rel(DOC, "rIdI1", "image", "http://198.51.100.7/track.png?doc=42", external=True)


def _macro() -> Additions:
    add = Additions(parts={"word/vbaProject.bin": ole_blob()})
    return add.rel(DOC, "rIdM1", f"{MS_REL}/vbaProject", "vbaProject.bin")


def _ole_object() -> Additions:
    add = Additions(parts={"word/embeddings/oleObject1.bin": ole_blob()})
    return add.rel(DOC, "rIdO1", "oleObject", "embeddings/oleObject1.bin")


def _glossary() -> Additions:
    xml = (
        f'<?xml version="1.0"?><w:glossaryDocument xmlns:w="{W_NS}"><w:docParts><w:docPart>'
        '<w:docPartPr><w:name w:val="内部"/></w:docPartPr><w:docPartBody>'
        f"<w:p><w:r><w:t>{MARKING}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts>"
        "</w:glossaryDocument>"
    )
    add = Additions(parts={"word/glossary/document.xml": xml.encode()})
    return add.rel(DOC, "rIdG1", "glossaryDocument", "glossary/document.xml")


def _document_variable() -> Additions:
    settings = (
        f'<?xml version="1.0"?><w:settings xmlns:w="{W_NS}"><w:docVars>'
        f'<w:docVar w:name="申请人证件" w:val="{ID}"/></w:docVars></w:settings>'
    )
    return Additions(parts={"word/settings.xml": settings.encode()})


def _chart() -> Additions:
    c_ns = 'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
    a_ns = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    chart = (
        f"<c:chartSpace {c_ns} {a_ns}><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>"
        "各街道补贴人数</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart>"
        '<c:ser><c:cat><c:strRef><c:f>Sheet1!$A$2</c:f><c:strCache><c:pt idx="0"><c:v>'
        f"{ID}</c:v></c:pt></c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>Sheet1!$B$2"
        '</c:f><c:numCache><c:formatCode>General</c:formatCode><c:pt idx="0"><c:v>987654'
        "</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser></c:barChart></c:plotArea>"
        "</c:chart></c:chartSpace>"
    )
    data = xlsx([["街道", "人数"], ["张三", "1"], [MARKING, "2"]])
    add = Additions(
        parts={
            "word/charts/chart1.xml": chart.encode(),
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": data,
        }
    )
    add.rel(DOC, "rIdCh1", "chart", "charts/chart1.xml")
    return add.rel(
        "word/charts/chart1.xml", "rId1", "package", "../embeddings/Microsoft_Excel_Worksheet.xlsx"
    )


# (case id, additions, what must be found): "text:WHERE:NEEDLE" or "item:KIND[:DETAIL PART]"
CASES = {
    "macro-docm": (_macro(), ["item:macro"]),
    "ole-object": (_ole_object(), ["item:ole_object"]),
    "embedded-docx": (
        embedding(plain_docx(MARKING, f"身份证号：{ID}"), "Microsoft_Word_Document.docx"),
        [f"text:embedded:{MARKING}", f"text:embedded:{ID}", "item:embedded_package"],
    ),
    "embedded-xlsx": (
        embedding(xlsx([["姓名", "身份证号"], ["张三", ID]]), "Microsoft_Excel_Worksheet.xlsx"),
        [f"text:embedded:{ID}", "text:embedded:工作表：名单", "item:embedded_package"],
    ),
    "embedded-pptx": (
        embedding(pptx(["汇报提纲", MARKING]), "Microsoft_PowerPoint_Presentation.pptx"),
        [f"text:embedded:{MARKING}", "item:embedded_package"],
    ),
    "altchunk-html": (_html_chunk(), [f"text:embedded:{MARKING}", f"text:embedded:{ID}"]),
    "altchunk-docx": (
        _alt_chunk("chunk.docx", plain_docx(MARKING, SECOND_ID)),
        [f"text:embedded:{MARKING}", f"text:embedded:{SECOND_ID}"],
    ),
    "altchunk-xhtml-utf16": (
        _alt_chunk(
            "chunk.xhtml",
            (
                '<?xml version="1.0" encoding="utf-16"?><html xmlns="http://www.w3.org/1999/xhtml">'
                "<body><div>内部资料</div><div>联系人手机 13912345678</div></body></html>"
            ).encode("utf-16"),
        ),
        ["text:embedded:内部资料", "text:embedded:13912345678"],
    ),
    "altchunk-mhtml": (
        _alt_chunk(
            "chunk.mht",
            (
                'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b1"\r\n\r\n'
                '--b1\r\nContent-Type: text/html; charset="gbk"\r\n'
                "Content-Transfer-Encoding: base64\r\n\r\n"
                + base64.b64encode(f"<p>{MARKING}</p>".encode("gbk")).decode()
                + "\r\n--b1--\r\n"
            ).encode(),
        ),
        [f"text:embedded:{MARKING}"],
    ),
    "altchunk-rtf": (
        _alt_chunk("chunk.rtf", b"{\\rtf1\\ansi " + MARKING.encode("gbk") + b"}"),
        ["item:alt_chunk:RTF"],
    ),
    "external-image": (_external_image(), ["item:external_image:http://198.51.100.7/track.png"]),
    "field-includetext": (
        Additions(body=run_field('INCLUDETEXT "\\\\\\\\fs01\\\\公文\\\\底稿.docx" \\! ')),
        ["item:field_includetext"],
    ),
    "field-includepicture": (
        Additions(
            body='<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://img.example.'
            'com/a.png?sid=9&quot; \\d "><w:r><w:t>图</w:t></w:r></w:fldSimple></w:p>'
        ),
        ["item:field_includepicture:http://img.example.com/a.png"],
    ),
    "field-ddeauto": (
        Additions(body=run_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"')),
        ["item:field_ddeauto"],
    ),
    "remote-template": (_remote_template(), ["item:remote_template:https://templates.example.com"]),
    "external-hyperlink": (_hyperlinks(), ["item:external_hyperlink:file://fileserver/share"]),
    "glossary": (_glossary(), [f"text:embedded:{MARKING}"]),
    "document-variable": (_document_variable(), [f"text:property:{ID}"]),
    "chart": (
        _chart(),
        [
            "text:embedded:各街道补贴人数",
            f"text:embedded:{ID}",
            f"text:embedded:{MARKING}",
            "item:embedded_package:chart data (Excel workbook)",
        ],
    ),
    "unreferenced-xml": (
        Additions(parts={"word/secret.xml": f"<a><b>{MARKING}</b></a>".encode()}),
        [f"text:unreferenced:{MARKING}", "item:unreferenced_part:word/secret.xml"],
    ),
    "second-document-xml": (
        _unreferenced_second_document(),
        [f"text:unreferenced:{MARKING}", "item:unreferenced_part:word/document2.xml"],
    ),
    "orphan-rels-part": (
        Additions(parts={"word/_rels/notes.xml.rels": f"<备忘>{MARKING}</备忘>".encode()}),
        [f"text:unreferenced:{MARKING}", "item:unreferenced_part:word/_rels/notes.xml.rels"],
    ),
    "media-txt": (
        Additions(parts={"word/media/note.txt": f"备注\n身份证号 {ID}\n".encode("gbk")}),
        [f"text:unreferenced:{ID}", "item:unreferenced_part:word/media/note.txt"],
    ),
    "unreferenced-customxml": (
        Additions(parts={"customXml/item5.xml": f"<x><y>{MARKING}</y></x>".encode()}),
        [f"text:unreferenced:{MARKING}", "item:unreferenced_part:customXml/item5.xml"],
    ),
    "customxml-item": (_customxml_item(), [f"text:custom_xml:{MARKING}", f"text:custom_xml:{ID}"]),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, scanner: Scanner) -> dict[str, tuple]:
    folder = tmp_path_factory.mktemp("redteam")
    base = plain_docx()
    done = {}
    for case, (additions, _) in CASES.items():
        path = folder / f"{case}.docx"
        path.write_bytes(build(base, additions))
        extracted = extract_file(str(path))
        done[case] = (extracted, scanner.scan(extracted))
    return done


def _where(extracted: Extracted, needle: str) -> tuple[str, str]:
    at = extracted.text.find(needle)
    assert at >= 0, f"{needle!r} not in the text: {extracted.text[-300:]!r}"
    seg = extracted.segment_at(at)
    assert seg is not None
    return str(seg.where), seg.part


@pytest.mark.parametrize("case", CASES)
def test_hidden_content_is_extracted_or_flagged_and_never_clear(
    case: str, outcomes: dict[str, tuple]
) -> None:
    extracted, report = outcomes[case]
    for want in CASES[case][1]:
        what, kind, *rest = want.split(":", 2)
        if what == "text":
            where, part = _where(extracted, rest[0])
            assert where == kind, (want, part)
            assert part, want
        else:
            items = [a for a in extracted.active_content if a.kind == kind]
            assert items, (want, extracted.active_content)
            if rest:
                assert any(rest[0] in f"{a.where} {a.detail}" for a in items), (want, items)
    assert report.verdict is not Verdict.CLEAR
    active = {f.kind for f in report.findings if f.category is Category.ACTIVE_CONTENT}
    assert active == {a.kind for a in extracted.active_content}


def test_hidden_marking_blocks_and_hidden_id_number_is_found(outcomes: dict[str, tuple]) -> None:
    for case in ("embedded-docx", "altchunk-html", "unreferenced-xml", "customxml-item"):
        _, report = outcomes[case]
        assert report.verdict is Verdict.BLOCK, case
    for case in ("altchunk-html", "media-txt", "embedded-xlsx", "customxml-item"):
        _, report = outcomes[case]
        assert "id_card" in {f.kind for f in report.findings}, case


def test_altchunk_text_stands_where_the_chunk_stands(outcomes: dict[str, tuple]) -> None:
    extracted, _ = outcomes["altchunk-html"]
    text = extracted.text
    assert text.index(VISIBLE) < text.index(MARKING) < text.index("各科室")
    assert _where(extracted, MARKING) == ("embedded", "word/afchunk.htm")
    assert f"身份证号\t{ID}" in text
    assert "不应读出的脚本" not in text
    assert "color" not in text


def test_head_written_in_an_altchunk_is_the_documents_head(
    tmp_path: Path, scanner: Scanner
) -> None:
    html = (
        "<html><body><p>中共上海市宝山区委员会文件</p><p>宝委发〔2024〕3号</p>"
        "<p>关于做好年度重点工作的通知</p></body></html>"
    )
    path = tmp_path / "红头.docx"
    base = plain_docx(
        "", "各部门：现将有关事项通知如下。", "中共上海市宝山区委员会", "2024年3月1日"
    )
    path.write_bytes(build(base, _alt_chunk("afchunk.htm", html.encode())))

    extracted = extract_file(str(path))
    report = scanner.scan(extracted)

    seg = extracted.segment_at(extracted.text.index("宝委发"))
    assert seg is not None
    assert (seg.where, seg.container) == (Where.EMBEDDED, Where.BODY)
    assert report.verdict is Verdict.BLOCK
    assert "party_document" in {str(f.category) for f in report.findings}


def test_chart_numbers_and_formulas_are_not_text(outcomes: dict[str, tuple]) -> None:
    extracted, _ = outcomes["chart"]
    assert "987654" not in extracted.text
    assert "Sheet1" not in extracted.text
    assert _where(extracted, ID) == ("embedded", "word/charts/chart1.xml")


def test_http_hyperlink_is_a_note_and_queries_are_cut(outcomes: dict[str, tuple]) -> None:
    extracted, _ = outcomes["external-hyperlink"]
    (item,) = extracted.active_content
    assert item.where == DOC
    assert "external hyperlink (not fetched): https://www.gov.cn/zhengce/" in extracted.notes
    assert not any("token" in n for n in extracted.notes)
    template, _ = outcomes["remote-template"]
    assert "user=" not in template.active_content[0].detail
    assert template.active_content[0].where == "word/settings.xml"


def test_embedded_package_keeps_its_own_items_under_its_name(tmp_path: Path) -> None:
    inner = build(plain_docx("内层"), _macro())
    path = tmp_path / "outer.docx"
    path.write_bytes(build(plain_docx(), embedding(inner, "inner.docx")))

    items = {(a.kind, a.where) for a in extract_file(str(path)).active_content}

    assert items == {
        ("embedded_package", "word/embeddings/inner.docx"),
        ("macro", "word/embeddings/inner.docx!word/vbaProject.bin"),
    }


def test_objects_and_macros_inside_an_embedded_workbook_are_flagged(tmp_path: Path) -> None:
    book = Additions(parts={"xl/embeddings/oleObject1.bin": ole_blob(),
                            "xl/vbaProject.bin": ole_blob()})  # fmt: skip
    book.rel("xl/workbook.xml", "rId8", "oleObject", "embeddings/oleObject1.bin")
    book.rel("xl/workbook.xml", "rId9", f"{MS_REL}/vbaProject", "vbaProject.bin")
    inner = build(xlsx([["经费", "100"]]), book)
    path = tmp_path / "outer.docx"
    path.write_bytes(build(plain_docx(), embedding(inner, "book.xlsm")))

    items = {(a.kind, a.where) for a in extract_file(str(path)).active_content}

    assert items == {
        ("embedded_package", "word/embeddings/book.xlsm"),
        ("ole_object", "word/embeddings/book.xlsm!xl/embeddings/oleObject1.bin"),
        ("macro", "word/embeddings/book.xlsm!xl/vbaProject.bin"),
    }


def test_page_sized_picture_in_an_altchunk_document_is_flagged(tmp_path: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(picture, "PNG")
    document = docx.Document()
    document.add_picture(picture, width=Cm(15))
    inner = io.BytesIO()
    document.save(inner)
    path = tmp_path / "outer.docx"
    path.write_bytes(build(plain_docx(), _alt_chunk("chunk.docx", inner.getvalue())))

    extracted = extract_file(str(path))

    assert extracted.unreadable_pages == ()
    (item,) = extracted.active_content
    assert (item.kind, item.where) == ("unreadable_picture", "word/chunk.docx")
    assert "picture 15×" in item.detail


# -- hostile -------------------------------------------------------------------------------
def test_docx_nested_past_the_depth_limit_is_read_to_the_limit_and_flagged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nested.docx"
    path.write_bytes(nested_docx(8, "最里层的机密"))

    extracted = extract_file(str(path))

    assert "第4层文件" in extracted.text  # depth 3, the deepest read
    assert "第5层文件" not in extracted.text
    assert "最里层的机密" not in extracted.text
    deepest = [a for a in extracted.active_content if "deeper than 3 levels" in a.detail]
    assert [a.where.count("!") for a in deepest] == [3]


def test_embedded_zip_bomb_is_not_inflated_and_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(build(plain_docx(), embedding(hostile.zip_bomb_docx(20), "bomb.docx")))

    extracted = extract_file(str(path))

    (item,) = extracted.active_content
    assert item.kind == "embedded_package"
    assert "not read" in item.detail
    assert "zip bomb" in item.detail
    assert VISIBLE in extracted.text


def test_nested_packages_share_one_entry_budget(tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    path.write_bytes(nested_docx(2, "内层"))
    limits = Limits(max_zip_entries=40)  # the outer python-docx file alone has 17 parts

    extracted = extract_file(str(path), limits)

    assert any("hold over 40 parts" in a.detail for a in extracted.active_content)


# -- ordinary files ------------------------------------------------------------------------
def _ordinary() -> list[Path]:
    real = CORPUS / "real"
    found = sorted(SAMPLES.glob("*.docx"))
    if real.is_dir():
        found += [*sorted(real.glob("*.docx")), real / "wps_oa_gongwen_sample.wps"]
    return found


@pytest.mark.parametrize("path", _ordinary(), ids=lambda p: p.name)
def test_ordinary_word_and_wps_files_have_no_active_content(path: Path) -> None:
    extracted = extract_file(str(path))

    assert extracted.active_content == ()
    hidden = (Where.UNREFERENCED, Where.EMBEDDED, Where.CUSTOM_XML)
    assert not any(s.where in hidden for s in extracted.segments)


def test_python_docx_default_package_is_fully_accounted_for(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    path.write_bytes(plain_docx())

    extracted = extract_file(str(path))

    assert (extracted.active_content, extracted.notes) == ((), ())


def test_local_attached_template_is_a_note_without_its_path() -> None:
    path = CORPUS / "real" / "peer_govcheck_notice.docx"
    if not path.is_file():
        pytest.skip(f"corpus file {path} not found")

    extracted = extract_file(str(path))

    assert extracted.notes == ("attached template on the author's disk: 甘审办发.dot",)


def test_libreoffice_written_docx_is_fully_accounted_for(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    source = tmp_path / "in" / "通知.docx"
    source.parent.mkdir()
    source.write_bytes(build(plain_docx(), _hyperlinks()))
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    extracted = extract_file(str(tmp_path / "通知.docx"))

    assert VISIBLE in extracted.text
    assert [a.kind for a in extracted.active_content] == ["external_hyperlink"]
    assert not any(s.where is Where.UNREFERENCED for s in extracted.segments)


def _comp_obj(user_type: str) -> bytes:
    """A CompObj stream ([MS-OLEDS] 2.3.8): 28 bytes of header, then the AnsiUserType."""
    name = user_type.encode("gb18030") + b"\x00"
    return bytes(28) + struct.pack("<I", len(name)) + name + bytes(8)


def _object_docx(ole: bytes) -> bytes:
    add = Additions(parts={"word/embeddings/oleObject1.bin": ole})
    return build(plain_docx(), add.rel(DOC, "rIdO1", "oleObject", "embeddings/oleObject1.bin"))


@pytest.mark.parametrize(
    ("streams", "flagged"),
    [
        ({"\x01CompObj": _comp_obj("Adobe Photoshop Image"), "CONTENTS": b"8BPS"}, False),
        ({"\x01CompObj": _comp_obj("位图图像"), "CONTENTS": b"BM"}, False),
        # a packaged file shows an icon or a picture, and opens as a whole file
        ({"\x01CompObj": _comp_obj("Bitmap Image"), "\x01Ole10Native": b"x" * 64}, True),
        ({"\x01CompObj": _comp_obj("Microsoft Visio Drawing"), "VisioDocument": b"v"}, True),
        ({"\x01CompObj": _comp_obj("Microsoft Equation 3.0"), "Equation Native": b"e"}, True),
    ],
    ids=["photoshop", "bitmap-zh", "package", "visio", "equation"],
)
def test_a_picture_object_is_a_note_and_any_other_object_is_flagged(
    tmp_path: Path, streams: dict[str, bytes], flagged: bool
) -> None:
    from tests.extract.test_ole import build_cfb

    path = tmp_path / "object.docx"
    path.write_bytes(_object_docx(build_cfb(streams)))
    extracted = extract_file(str(path))
    kinds = [a.kind for a in extracted.active_content]
    assert ("ole_object" in kinds) is flagged
    assert any("picture object" in n for n in extracted.notes) is not flagged


def test_a_picture_linked_on_the_readers_own_disk_is_a_note(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main" r:link="rIdI1"/></w:drawing></w:r></w:p>'
    )
    add = Additions(body=body + body)  # linked twice, as a Lotus Notes export does
    add.rel(DOC, "rIdI1", "image", "file:///icons/ecblank.gif", external=True)
    path = tmp_path / "notes.docx"
    path.write_bytes(build(plain_docx(), add))
    extracted = extract_file(str(path))
    assert extracted.active_content == ()
    assert any("ecblank.gif" in n for n in extracted.notes)
