"""Issue 14's PDF red-team rows, each built as a real PDF: every hidden item is extracted or
flagged and the scan is not `clear`; ordinary and real PDFs gain no false flags."""

from __future__ import annotations

import io

import pikepdf
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from review_flow.errors import ExtractionError
from review_flow.extract import extract_bytes, pdf_actions, pdf_attachments, pdf_revisions
from review_flow.extract.limits import Limits
from review_flow.extract.model import Extracted, Where
from review_flow.extract.pdf import extract
from review_flow.scan import Scanner, Verdict
from tests.conftest import CORPUS
from tests.extract import pdf_fixtures as fx
from tests.extract import pdf_redteam as rt

SECRET_LINE = f"身份证号{rt.ID_NUMBER}"


def read(data: bytes, name: str = "redteam.pdf") -> Extracted:
    return extract_bytes(data, name, Limits())


def texts(doc: Extracted, where: Where) -> list[str]:
    return [doc.text[s.start : s.end] for s in doc.segments if s.where == where]


def kinds(doc: Extracted) -> list[str]:
    return [a.kind for a in doc.active_content]


# -- hidden text: the 11 red-team files ------------------------------------------------------------
def _render_mode_3(canvas: Canvas) -> None:
    text = canvas.beginText(72, 700)
    text.setFont(fx.CJK_FONT, 12)
    text.setTextRenderMode(3)
    text.textLine(SECRET_LINE)
    canvas.drawText(text)


def _black_box(canvas: Canvas) -> None:
    canvas.drawString(72, 700, SECRET_LINE)
    canvas.rect(68, 695, 300, 18, fill=1, stroke=0)


def _white_box(canvas: Canvas) -> None:
    canvas.drawString(72, 700, SECRET_LINE)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(68, 695, 300, 18, fill=1, stroke=0)


def _off_page(canvas: Canvas) -> None:
    canvas.drawString(-500, 700, SECRET_LINE)


def _render_mode_7(canvas: Canvas) -> None:
    text = canvas.beginText(72, 700)
    text.setFont(fx.CJK_FONT, 12)
    text.setTextRenderMode(7)  # add to the clipping path, paint nothing
    text.textLine(SECRET_LINE)
    canvas.drawText(text)


HIDDEN = {
    # the five the red team saw marked before this work
    "render mode 3": (lambda: rt.page_with(_render_mode_3), "render mode"),
    "black box drawn over": (lambda: rt.page_with(_black_box), "opaque filled box"),
    "white box drawn over": (lambda: rt.page_with(_white_box), "opaque filled box"),
    "outside the page": (lambda: rt.page_with(_off_page), "outside the visible page"),
    "render mode 7": (lambda: rt.page_with(_render_mode_7), "render mode"),
    # the six it missed
    "white text": (lambda: rt.page_with(rt.white_text), "colour of what lies under"),
    "0.3 pt font": (lambda: rt.page_with(rt.tiny_text), "font under 1 pt"),
    "hidden OCG layer": (rt.hidden_layer, "optional-content layer"),
    "clipped text": (lambda: rt.page_with(rt.clipped_text), "clipping path"),
    "covering annotation": (rt.covering_annotation, "opaque annotation"),
    # and two more ways to paint text no one sees
    "text the colour of its box": (lambda: rt.page_with(rt.same_colour_as_box), "colour of"),
    "transparent text": (lambda: rt.page_with(rt.transparent_text), "transparent"),
}


@pytest.fixture(scope="module")
def hidden_docs() -> dict[str, Extracted]:
    return {name: read(build()) for name, (build, _) in HIDDEN.items()}


@pytest.mark.parametrize("case", list(HIDDEN))
def test_hidden_text_is_extracted_labelled_invisible_and_flagged(
    case: str, hidden_docs: dict[str, Extracted], scanner: Scanner
) -> None:
    doc = hidden_docs[case]

    assert texts(doc, Where.INVISIBLE) == [SECRET_LINE]
    (seg,) = [s for s in doc.segments if s.where == Where.INVISIBLE]
    assert (seg.page, seg.container) == (1, Where.PAGE)
    assert any(HIDDEN[case][1] in note for note in doc.notes), doc.notes
    assert kinds(doc) == ["invisible_text"]
    assert doc.active_content[0].page == 1
    assert "hidden text lies within x " in doc.active_content[0].detail  # where on the page
    assert PUBLIC_TEXT in texts(doc, Where.PAGE)[0]  # the visible line stays page text
    assert scanner.scan(doc).verdict is not Verdict.CLEAR


PUBLIC_TEXT = rt.PUBLIC


def test_a_white_marking_in_the_head_is_invisible_and_blocks(scanner: Scanner) -> None:
    doc = read(rt.page_with(rt.white_marking))

    assert texts(doc, Where.INVISIBLE) == [rt.MARKING]
    report = scanner.scan(doc)
    assert report.verdict is Verdict.BLOCK
    assert "state_secret.marking" in {f.rule for f in report.findings}


@pytest.mark.parametrize(
    "draw",
    [
        pytest.param(rt.white_on_dark_box, id="white-on-a-dark-table-head"),
        pytest.param(rt.small_but_legible, id="5-pt-footnote"),
        pytest.param(fx.image(72, 650, 300, 100), id="picture-without-text"),
    ],
)
def test_text_a_reader_sees_stays_page_text(draw: fx.Draw) -> None:
    doc = read(rt.page_with(draw))

    assert texts(doc, Where.INVISIBLE) == []
    assert "invisible_text" not in kinds(doc)


def test_white_text_over_a_picture_stays_page_text() -> None:
    def page(canvas: Canvas) -> None:
        fx.image(60, 690, 300, 30)(canvas)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.drawString(72, 700, "封面标题")

    assert texts(read(rt.page_with(page)), Where.INVISIBLE) == []


def test_a_layer_switched_on_stays_page_text() -> None:
    data = rt.hidden_layer()
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.OCProperties.D.OFF = pikepdf.Array()
        out = io.BytesIO()
        pdf.save(out)

    assert texts(read(out.getvalue()), Where.INVISIBLE) == []


# -- incremental updates and orphan objects --------------------------------------------------------
def test_an_earlier_revision_holding_the_secret_is_extracted_and_blocks(scanner: Scanner) -> None:
    data = rt.revised((rt.MARKING, SECRET_LINE, "正文"), ("正文",))

    doc = read(data)

    assert texts(doc, Where.PAGE) == ["正文"]  # what every reader shows
    assert texts(doc, Where.REVISION) == [rt.MARKING, SECRET_LINE]  # "正文" is not repeated
    parts = {s.part for s in doc.segments if s.where == Where.REVISION}
    assert parts == {"revision 1"}
    assert kinds(doc) == ["earlier_revision"]
    assert "2 revisions (incremental updates)" in doc.notes
    assert scanner.scan(doc).verdict is not Verdict.CLEAR


def test_an_update_that_changes_no_text_adds_no_revision_segment() -> None:
    data = rt.revised(("正文", "第二行"), ("正文", "第二行"))

    doc = read(data)

    assert texts(doc, Where.REVISION) == []
    assert kinds(doc) == []


def test_an_orphan_content_stream_in_an_update_is_extracted_and_flagged(scanner: Scanner) -> None:
    data = rt.with_orphan(("正文",), (rt.MARKING, SECRET_LINE))

    doc = read(data)

    assert texts(doc, Where.UNREFERENCED) == [f"{rt.MARKING}\n{SECRET_LINE}"]
    (item,) = doc.active_content
    assert (item.kind, item.where.startswith("object ")) == ("orphan_object", True)
    assert texts(doc, Where.REVISION) == []  # the update changed nothing the page shows
    assert scanner.scan(doc).verdict is not Verdict.CLEAR


def test_a_linearized_or_single_revision_pdf_has_no_earlier_revision() -> None:
    data = fx.build(fx.lines("正文"), fx.lines("第二页"))
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, linearize=True)

    for doc in (read(data), read(out.getvalue())):
        assert texts(doc, Where.REVISION) == []
        assert kinds(doc) == []


# -- attached files --------------------------------------------------------------------------------
def test_an_attached_pdf_and_text_file_are_read_recursively(scanner: Scanner) -> None:
    inner = fx.build(fx.lines(rt.MARKING, "内部名单"))
    data = rt.embedded(fx.build(fx.lines(rt.PUBLIC)), "附件1.pdf", inner)
    data = rt.file_annotation(data, "名单.txt", SECRET_LINE.encode("utf-8"))

    doc = read(data)

    found = texts(doc, Where.ATTACHMENT)
    assert found[:2] == ["嵌入文件：附件1.pdf", f"{rt.MARKING}\n内部名单"]
    assert "嵌入文件：名单.txt" in found
    assert SECRET_LINE in found
    embedded = [a for a in doc.active_content if a.kind == "embedded_file"]
    assert [a.page for a in embedded] == [None, 1]
    assert embedded[0].detail.startswith("embedded file: pdf, ")
    assert embedded[0].detail.endswith("text extracted")
    assert scanner.scan(doc).verdict is not Verdict.CLEAR


def test_attachments_nested_past_the_depth_limit_are_named_not_read() -> None:
    data = fx.build(fx.lines("最里层机密"))
    for level in range(Limits().max_embedding_depth + 1):
        data = rt.embedded(fx.build(fx.lines(f"第{level}层")), f"层{level}.pdf", data)

    doc = read(data)

    assert "最里层机密" not in doc.text
    assert "嵌入文件：层0.pdf" in doc.text
    assert any("deep: not read" in a.detail for a in doc.active_content)


def test_an_attachment_that_inflates_past_the_stream_limit_is_refused_with_the_file() -> None:
    data = rt.embedded(fx.build(fx.lines("正文")), "big.txt", b"0" * 300_000)

    with pytest.raises(ExtractionError, match="inflates past"):
        extract(data, "x.pdf", Limits(max_stream_bytes=100_000))


def test_an_attachment_payload_is_inflated_under_the_stream_limit() -> None:
    data = rt.embedded(fx.build(fx.lines("正文")), "big.txt", b"0" * 300_000)
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        small = pdf_attachments.find_attachments(pdf, Limits(max_stream_bytes=100_000))
        whole = pdf_attachments.find_attachments(pdf, Limits())

    assert [(a.name, a.data) for a in small] == [("big.txt", None)]
    assert "stream limit" in small[0].problem
    assert whole[0].data == b"0" * 300_000


# -- actions ---------------------------------------------------------------------------------------
def test_javascript_launch_and_submit_actions_are_active_content(scanner: Scanner) -> None:
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F="cmd.exe")
    submit = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F="http://10.1.2.3/collect")
    data = rt.with_actions(
        {
            "/OpenAction": rt.javascript(),
            "/AA": pikepdf.Dictionary(WC=launch, WS=submit),
        }
    )
    data = rt.name_tree_javascript(data)

    doc = read(data)

    assert sorted(kinds(doc)) == ["javascript", "javascript", "launch_action", "submit_form"]
    assert "cmd.exe" not in str([a.detail for a in doc.active_content])  # nothing leaks out
    assert scanner.scan(doc).verdict is Verdict.REVIEW


def test_a_plain_web_link_is_text_not_a_finding(scanner: Scanner) -> None:
    doc = read(rt.with_actions({}, link="https://www.gov.cn/zhengce/index.htm"))

    assert texts(doc, Where.ANNOTATION) == ["链接：https://www.gov.cn/zhengce/index.htm"]
    assert kinds(doc) == []
    assert scanner.scan(doc).verdict is Verdict.CLEAR


@pytest.mark.parametrize(
    ("uri", "concern"),
    [
        ("http://10.12.0.8/oa/doc?id=3", "IP address"),
        ("http://oa-server/files/1.doc", "private network"),
        ("file:///C:/内部/名单.xls", "not a web address"),
        ("https://www.gov.cn/", ""),
        ("mailto:xxgk@example.gov.cn", ""),
    ],
)
def test_uri_concern(uri: str, concern: str) -> None:
    found = pdf_actions.uri_concern(uri)
    assert concern in found
    assert bool(found) == bool(concern)


def test_a_link_into_the_internal_network_is_a_uri_action() -> None:
    doc = read(rt.with_actions({}, link="http://10.12.0.8/oa/doc?id=3"))

    assert kinds(doc) == ["uri_action"]
    assert doc.active_content[0].page == 1
    assert texts(doc, Where.ANNOTATION) == []


# -- passwords -------------------------------------------------------------------------------------
def test_an_owner_password_only_pdf_is_read_and_flagged_restricted(scanner: Scanner) -> None:
    security = StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0)
    doc = read(fx.build(fx.lines("年度工作总结"), encrypt=security))

    assert texts(doc, Where.PAGE) == ["年度工作总结"]
    (item,) = doc.active_content
    assert item.kind == "restricted"
    assert "copying text, printing" in item.detail
    assert scanner.scan(doc).verdict is Verdict.REVIEW


def test_a_user_password_pdf_stays_a_one_line_error() -> None:
    data = fx.build(fx.lines("机密"), encrypt=StandardEncryption("user", ownerPassword="o"))

    with pytest.raises(ExtractionError, match="encrypted"):
        read(data)


# -- the real corpus: no false flags ---------------------------------------------------------------
REAL_PDFS = sorted((CORPUS / "real").glob("*.pdf"))
# NOTE: putuo_commerce's page 3 text box overflows: its items 10-13 are clipped on page 3 and
# shown on page 4, where the box repeats items 1-9 above the page. Both are truly unseen.
TRULY_HIDDEN = {"putuo_commerce_2025_budget.pdf": [3, 4]}


@pytest.mark.corpus
@pytest.mark.skipif(not REAL_PDFS, reason=f"no real corpus at {CORPUS}")
def test_real_pdfs_gain_no_revisions_orphans_actions_or_false_invisible_text() -> None:
    for path in REAL_PDFS:
        doc = read(path.read_bytes(), path.name)
        assert texts(doc, Where.REVISION) == [], path.name
        assert texts(doc, Where.UNREFERENCED) == [], path.name
        pages = sorted({s.page for s in doc.segments if s.where == Where.INVISIBLE})
        assert pages == TRULY_HIDDEN.get(path.name, []), path.name
        assert [a.page for a in doc.active_content] == pages, (path.name, doc.active_content)


def test_a_file_of_many_updates_has_its_oldest_and_newest_revisions_read() -> None:
    data = fx.build(fx.lines("第0版"))
    for version in range(1, 40):
        data = rt.append_update(
            data, {rt.content_number(data): rt.content_of_lines(f"第{version}版")}
        )

    doc = read(data)

    assert texts(doc, Where.PAGE) == ["第39版"]
    found = texts(doc, Where.REVISION)
    assert len(found) == pdf_revisions.MAX_REVISIONS
    assert found[:2] == ["第0版", "第1版"]
    assert found[-1] == "第38版"


def test_white_ocr_text_drawn_before_a_page_size_scan_is_its_ocr_layer() -> None:
    ocr = "国务院办公厅关于进一步做好政务公开工作的通知，各省、自治区、直辖市人民政府"

    def page(canvas: Canvas) -> None:
        canvas.setFillColorRGB(1, 1, 1)
        canvas.drawString(40, 780, ocr)
        fx.image()(canvas)

    doc = read(fx.build(page))

    assert texts(doc, Where.INVISIBLE) == []
    assert ocr in texts(doc, Where.PAGE)[0]
    assert "invisible_text" not in kinds(doc)


def test_actions_chained_behind_a_link_and_on_a_page_are_found() -> None:
    goto_then_script = pikepdf.Dictionary(
        S=pikepdf.Name.GoTo, D=pikepdf.Array([0, pikepdf.Name.Fit]), Next=rt.javascript()
    )
    data = rt.with_actions({})
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        page.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.ImportData, F="data.fdf"))
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 700, 200, 720],
            A=goto_then_script,
            AA=pikepdf.Dictionary(E=pikepdf.Dictionary(S=pikepdf.Name.GoToR, F="other.pdf")),
        )  # fmt: skip
        page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
        out = io.BytesIO()
        pdf.save(out)

    doc = read(out.getvalue())

    assert sorted(kinds(doc)) == ["import_data", "javascript", "remote_goto"]
    assert {a.page for a in doc.active_content} == {1}


def test_an_attached_docx_is_read_through_the_docx_extractor(scanner: Scanner) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = rt.MARKING
    document.add_paragraph("关于内部人员名单的说明")
    buffer = io.BytesIO()
    document.save(buffer)
    data = rt.embedded(fx.build(fx.lines(rt.PUBLIC)), "说明.docx", buffer.getvalue())

    doc = read(data)

    header = [
        s for s in doc.segments if s.where == Where.ATTACHMENT and s.container == Where.HEADER
    ]
    assert [doc.text[s.start : s.end] for s in header] == [rt.MARKING]
    assert "关于内部人员名单的说明" in texts(doc, Where.ATTACHMENT)
    assert "docx" in next(a.detail for a in doc.active_content if a.kind == "embedded_file")
    assert scanner.scan(doc).verdict is Verdict.BLOCK
