"""Regenerates the sample 公文 in samples/: GB/T 9704-style documents of fictional agencies.

Run `.venv/bin/python samples/make_samples.py`. The output is byte-stable: fixed dates in the
document properties, comments and zip entries, and reportlab's invariant mode for the PDF.
Every person, number and address below is invented; ID and bank-card numbers are made up but
carry valid check digits, as real ones would.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
RED = RGBColor(0xE6, 0x00, 0x12)
ZIP_TIME = (2024, 3, 15, 9, 0, 0)

# GB/T 9704-2012 fonts: 发文机关标志 and 标题 in 小标宋, body in 仿宋 3号 (16 pt), 版头 in 黑体.
FANGSONG, XIAOBIAOSONG, HEITI, KAITI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
BODY_PT, TITLE_PT, ORG_PT = 16, 22, 36
LINE_PT = 28.95  # 22 lines on a 225 mm 版心


# -- made-up identifiers with valid check digits ------------------------------------------------
def cn_id(region: str, birth: str, seq: str) -> str:
    """An 18-digit 居民身份证号码 with its GB 11643-1999 check character."""
    body = region + birth + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def luhn_card(prefix: str, length: int = 19) -> str:
    """A bank-card number of `length` digits starting with `prefix`, with a Luhn check digit."""
    body = prefix.ljust(length - 1, "0")
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


# -- .docx helpers --------------------------------------------------------------------------------
def new_document(title: str, author: str, created: dt.datetime) -> DocumentObject:
    """An A4 document with GB/T 9704 margins, 仿宋 3号 body and fixed document properties."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.comments, props.subject, props.keywords, props.category = "", "", "", ""
    props.created, props.modified = created, created
    props.revision = 1
    return doc


def add_para(
    container: object,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    color: RGBColor | None = None,
    bold: bool = False,
) -> Paragraph:
    """A paragraph with one run; `container` is a document, table cell, header or comment."""
    para: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    fmt = para.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        para.alignment = align
    if text:
        run = para.add_run(text)
        run.font.name, run.font.size, run.font.bold = font, Pt(size), bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if color is not None:
            run.font.color.rgb = color
    return para


def red_rule(para: Paragraph) -> None:
    """Give a paragraph the red bottom border used as 版头分隔线."""
    para._p.get_or_add_pPr().append(
        parse_xml(
            f"<w:pBdr {nsdecls('w')}>"
            '<w:bottom w:val="single" w:sz="18" w:space="1" w:color="E60012"/></w:pBdr>'
        )
    )


def add_head(doc: object, organ: str, doc_number: str) -> None:
    """发文机关标志 in red, then 发文字号 and the red separator line."""
    add_para(doc, organ, font=XIAOBIAOSONG, size=ORG_PT, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    add_para(doc)
    number = add_para(doc, doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
    red_rule(number)
    add_para(doc)


def add_title(doc: object, *lines: str) -> None:
    for line in lines:
        add_para(doc, line, font=XIAOBIAOSONG, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_para(doc)


def add_body(doc: object, paragraphs: list[str]) -> None:
    """Body paragraphs; a line starting with 一、 is a level-1 heading in 黑体."""
    for text in paragraphs:
        is_heading = text[:2] in {f"{n}、" for n in "一二三四五六七八九"}
        add_para(doc, text, font=HEITI if is_heading else FANGSONG, indent=True)


def add_signature(doc: object, signer: str, date: str, note: str) -> None:
    """署名, 成文日期 (right, indented 4 characters), then 附注."""
    add_para(doc)
    for text in (signer, date):
        para = add_para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        para.paragraph_format.right_indent = Pt(BODY_PT * 4)
    if note:
        add_para(doc, note, indent=True)


def add_imprint(doc: object, copies: str, printer: str, printed: str) -> None:
    """版记: 抄送 and 印发机关和印发日期 between thin rules, in 4号 (14 pt)."""
    add_para(doc)
    if copies:
        add_para(doc, copies, size=14)
    para = add_para(doc, f"{printer}\u3000\u3000{printed}印发", size=14)
    para._p.get_or_add_pPr().append(
        parse_xml(
            f"<w:pBdr {nsdecls('w')}>"
            '<w:top w:val="single" w:sz="4" w:space="1" w:color="000000"/>'
            '<w:bottom w:val="single" w:sz="4" w:space="1" w:color="000000"/></w:pBdr>'
        )
    )


def save_docx(doc: DocumentObject, name: str, folder: Path = HERE) -> Path:
    """Save with fixed zip timestamps so the same input gives the same bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info))
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


# -- the samples -----------------------------------------------------------------------------
def clean_notice() -> Path:
    """01: a published 通知 that talks about secrecy without being secret."""
    doc = new_document(
        "关于做好2024年度政府信息公开保密审查工作的通知",
        "宝山区审计局办公室",
        dt.datetime(2024, 3, 15, 9, 0, 0),
    )
    add_head(doc, "上海市宝山区审计局文件", "宝审〔2024〕9号")
    add_title(doc, "上海市宝山区审计局关于做好2024年度", "政府信息公开保密审查工作的通知")
    add_para(doc, "局机关各科室、各审计组：")
    add_body(
        doc,
        [
            "为贯彻落实《中华人民共和国保守国家秘密法》《中华人民共和国政府信息公开条例》，"
            "进一步规范我局政府信息公开工作，坚持“先审查、后公开”和“一事一审”原则，"
            "现就做好2024年度政府信息公开保密审查工作通知如下。",
            "一、严格落实审查程序",
            "各科室应当依法对拟公开的信息进行保密审查，防止泄露国家秘密、工作秘密。"
            "拟公开的审计结果公告、工作动态等信息，由承办科室拟稿，经科室负责人初审后，"
            "送局办公室复审，报分管局领导审定后方可公开。未经审查的信息一律不得公开。",
            "二、准确把握审查标准",
            "对涉及国家秘密、商业秘密、个人隐私的信息，以及内部事务信息、过程性信息，"
            "应当依照《中华人民共和国政府信息公开条例》第十四条至第十六条的规定不予公开；"
            "对不能确定是否可以公开的信息，应当依照法律、法规和国家有关规定报有关主管部门"
            "或者保密行政管理部门确定。",
            "三、加强培训和监督检查",
            "局办公室每半年组织一次保密审查业务培训，并对已公开信息开展抽查，"
            "发现问题及时督促整改。各科室要将保密审查工作纳入年度工作考核。",
            "工作中如有问题，请与局办公室联系，联系电话：021-56781234。",
        ],
    )
    add_signature(doc, "上海市宝山区审计局", "2024年3月15日", "（此件公开发布）")
    add_imprint(doc, "抄送：市审计局，区政府办公室。", "上海市宝山区审计局办公室", "2024年3月15日")
    return save_docx(doc, "01_clean_notice.docx")


def secret_header() -> Path:
    """02: 份号, 密级 and 紧急程度 in the page header; 发文机关标志 in a layout table."""
    doc = new_document(
        "关于区重点工程建设项目专项审计发现问题线索的报告",
        "宝山区审计局办公室",
        dt.datetime(2024, 4, 8, 10, 30, 0),
    )
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].add_run("000123")  # 份号, then 密级和保密期限 and 紧急程度
    for text in ("机密★5年", "特急"):
        add_para(header, text, font=HEITI)
    table = doc.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = table.cell(0, 0)
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = cell.paragraphs[0].add_run("上海市宝山区审计局文件")
    run.font.name, run.font.size, run.font.color.rgb = XIAOBIAOSONG, Pt(ORG_PT), RED
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), XIAOBIAOSONG)
    add_para(doc)
    red_rule(add_para(doc, "宝审〔2024〕15号", align=WD_ALIGN_PARAGRAPH.CENTER))
    add_para(doc)
    add_title(doc, "上海市宝山区审计局关于区重点工程建设项目", "专项审计发现问题线索的报告")
    add_para(doc, "区人民政府：")
    add_body(
        doc,
        [
            "根据区政府工作部署，我局于2024年1月至3月对区重点工程建设项目开展了专项审计。"
            "现将审计中发现的问题线索及处理建议报告如下。",
            "一、基本情况",
            "本次审计共涉及建设项目7个，审计资金总额18.6亿元。审计发现，部分项目存在"
            "未批先建、超概算支付工程款、招标文件设置排他性条款等问题，涉及金额2.3亿元。",
            "二、问题线索",
            "审计发现某标段施工单位与监理单位存在关联关系，有关线索已按规定移送。"
            "线索的具体情况、涉及单位和人员见附件，请严格控制知悉范围。",
            "三、处理建议",
            "建议责成区建设管理部门会同项目建设单位于4月底前完成整改，我局将跟踪落实情况。",
        ],
    )
    add_signature(doc, "上海市宝山区审计局", "2024年4月8日", "（此件不公开）")
    add_imprint(doc, "", "上海市宝山区审计局办公室", "2024年4月8日")
    return save_docx(doc, "02_secret_header.docx")


PEOPLE = [
    # 姓名, 身份证号, 手机号, 家庭住址, 银行卡号, 补贴金额（元）
    ("陈志明", cn_id("310113", "19850612", "003"), "13812345678",
     "上海市宝山区友谊路街道团结路100弄8号301室", luhn_card("621700123456789"), "5000"),
    ("王秀英", cn_id("310113", "19920304", "128"), "13917654321",
     "上海市宝山区淞南镇淞南三村45号502室", luhn_card("622848004512783"), "5000"),
    ("李建国", cn_id("310230", "19780921", "057"), "15821098765",
     "上海市宝山区顾村镇菊泉街200弄12号1102室", luhn_card("621483021900461"), "8000"),
]  # fmt: skip


def _subsidy_notice(saved: dt.datetime) -> DocumentObject:
    """The head and opening paragraph of 03's 补贴公示, in a new document saved at `saved`."""
    doc = new_document("关于2024年第一批一次性创业补贴拟发放名单的公示", "区就业促进中心", saved)
    add_title(doc, "关于2024年第一批一次性创业补贴", "拟发放名单的公示")
    add_para(
        doc,
        "根据《上海市鼓励创业带动就业专项资金管理办法》有关规定，经审核，"
        "下列人员符合一次性创业补贴申领条件，现予以公示。公示期为2024年3月20日至3月26日。",
        indent=True,
    )
    return doc


def personal_data() -> Path:
    """03: a 补贴公示 with a table of personal data, a 批注 and a tracked deletion."""
    doc = _subsidy_notice(dt.datetime(2024, 3, 20, 14, 0, 0))
    columns = ("序号", "姓名", "身份证号", "手机号", "家庭住址", "银行卡号", "补贴金额（元）")
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    for number, person in enumerate(PEOPLE, start=1):
        row = table.add_row().cells
        for cell, text in zip(row, (str(number), *person), strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(10.5)
    add_para(doc)
    objection = add_para(
        doc,
        "公示期间如有异议，请以书面形式向区就业促进中心反映，联系电话：021-66781234。",
        indent=True,
    )
    comment = doc.add_comment(
        objection.runs[0],
        text="已电话联系申请人陈志明配偶张丽，电话13698765432，材料待补。",
        author="区就业促进中心",
        initials="JY",
    )
    comment._comment_elm.date = dt.datetime(2024, 3, 19, 16, 20, 0, tzinfo=dt.UTC)
    note = add_para(doc, "原列第4名申请人", indent=True)
    withdrawn = cn_id("310113", "19900101", "123")
    note._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="90" w:author="区就业促进中心"'
            ' w:date="2024-03-19T17:05:00Z">'
            f"<w:r><w:delText>赵丽华（身份证号{withdrawn}）</w:delText></w:r></w:del>"
        )
    )
    note.add_run("已撤回申请，不列入本次公示。")
    add_signature(doc, "上海市宝山区人力资源和社会保障局", "2024年3月20日", "（此件公开发布）")
    return save_docx(doc, "03_personal_data.docx")


def personal_data_redacted(folder: Path) -> Path:
    """03's revision as a clerk would make it: the 公示 keeps 姓名 (masked) and 补贴金额; the ID,
    phone, address and bank columns, the 批注 and the tracked deletion are gone. Not a sample,
    and not used by `make demo` any more (it runs `review-flow redact`): the samples' test keeps
    it as a hand-made revision that must scan clear."""
    doc = _subsidy_notice(dt.datetime(2024, 3, 21, 9, 0, 0))
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "申请人", "补贴金额（元）"), strict=True):
        cell.text = text
    for number, person in enumerate(PEOPLE, start=1):
        row = table.add_row().cells
        masked = person[0][0] + "＊" * (len(person[0]) - 1)
        for cell, text in zip(row, (str(number), masked, person[-1]), strict=True):
            cell.text = text
    add_para(doc)
    add_para(
        doc,
        "公示期间如有异议，请以书面形式向区就业促进中心反映，联系电话：021-66781234。",
        indent=True,
    )
    add_signature(doc, "上海市宝山区人力资源和社会保障局", "2024年3月20日", "（此件公开发布）")
    return save_docx(doc, "03_personal_data-修改稿.docx", folder)


def party_committee() -> Path:
    """04: a document issued by a party committee alone (党委公文)."""
    doc = new_document(
        "中共上海市宝山区委员会关于印发《宝山区2024年基层党建工作要点》的通知",
        "区委办公室",
        dt.datetime(2024, 2, 20, 9, 0, 0),
    )
    add_head(doc, "中共上海市宝山区委员会文件", "宝委发〔2024〕3号")
    add_title(doc, "中共上海市宝山区委员会", "关于印发《宝山区2024年基层党建工作要点》的通知")
    add_para(doc, "各街道、镇党（工）委，区委各部、委、办，区级机关各党组（党委）：")
    add_body(
        doc,
        [
            "现将《宝山区2024年基层党建工作要点》印发给你们，请结合实际认真贯彻落实。",
            "各单位要把基层党建工作摆在突出位置，主要负责同志要履行第一责任人职责，"
            "于2024年6月底前将上半年工作推进情况报区委组织部。",
        ],
    )
    add_signature(doc, "中共上海市宝山区委员会", "2024年2月20日", "（此件发至街镇党（工）委）")
    add_imprint(doc, "", "中共上海市宝山区委办公室", "2024年2月21日")
    return save_docx(doc, "04_party_committee.docx")


# -- the PDF ---------------------------------------------------------------------------------------
WORK_PLAN = [
    ("org", "上海市宝山区人民政府办公室文件"),
    ("gap", ""),
    ("number", "宝府办〔2024〕12号"),
    ("rule", ""),
    ("title", "上海市宝山区人民政府办公室关于印发"),
    ("title", "《宝山区2024年政务公开工作要点》的通知"),
    ("gap", ""),
    ("left", "各镇人民政府、街道办事处，区政府各委、办、局："),
    ("p", "经区政府同意，现将《宝山区2024年政务公开工作要点》印发给你们，请认真贯彻执行。"),
    ("head", "一、推进重点领域信息公开"),
    ("p", "围绕稳增长、促发展，及时公开产业扶持政策和政策兑现情况。聚焦航空航天、"
          "新材料等重点产业，公开飞机密封件、复合材料等关键零部件企业的专项扶持申报指南、"
          "评审结果和资金拨付情况，便利企业知晓和申请。"),
    ("p", "做好财政预决算、重大建设项目批准和实施、公共资源配置等领域信息公开，"
          "按要求在区政府门户网站集中发布。"),
    ("head", "二、严格落实保密审查"),
    ("p", "各单位要坚持“先审查、后公开”和“一事一审”原则，依法对拟公开的信息进行保密审查，"
          "防止泄露国家秘密、工作秘密。保密审查工作依照《中华人民共和国保守国家秘密法》"
          "和《中华人民共和国政府信息公开条例》开展，审查人员不得由拟稿人兼任。"),
    ("p", "对涉及商业秘密、个人隐私的信息，应当征求第三方意见；对公开后可能危及国家安全、"
          "公共安全、经济安全、社会稳定的信息，不予公开。对拟公开的名单、公示类信息，"
          "应当对身份证号码、联系电话、家庭住址等个人信息作去标识化处理。"),
    ("head", "三、提升依申请公开办理质量"),
    ("p", "规范依申请公开受理、登记、办理、答复等环节，能够当场答复的当场答复，"
          "不能当场答复的，自收到申请之日起20个工作日内予以答复；需要延长答复期限的，"
          "延长期限最长不得超过20个工作日。"),
    ("head", "四、加强组织保障"),
    ("p", "各单位要明确分管负责同志和具体工作人员，将政务公开工作纳入绩效考核。"
          "区政府办公室将适时开展督查，并通报督查结果。"),
    ("gap", ""),
    ("sign", "上海市宝山区人民政府办公室"),
    ("sign", "2024年3月28日"),
    ("p", "（此件公开发布）"),
    ("gap", ""),
    ("imprint", "上海市宝山区人民政府办公室\u3000\u3000\u30002024年3月28日印发"),
]  # fmt: skip


# Never split these across lines (a line break inside 飞机密封件 would hide the hard negative),
# nor a number; and keep closing punctuation off the start of a line (避头点).
UNBREAKABLE = re.compile(r"飞机密封件|国家秘密|工作秘密|保密审查|[0-9]+|.", re.DOTALL)
NO_LINE_START = set("，。、；：！？）》”")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break CJK text into lines that fit `width` points."""
    lines, current = [], ""
    for unit in UNBREAKABLE.findall(text):
        fits = pdfmetrics.stringWidth(current + unit, font, size) <= width
        if current and not fits and unit not in NO_LINE_START:
            lines.append(current)
            current = ""
        current += unit
    return [*lines, current] if current else lines


class PdfWriter:
    """Lays out GB/T 9704-ish blocks top to bottom on A4 pages, numbering each page."""

    FONT = "STSong-Light"
    RED = Color(0.9, 0, 0.07)
    BLACK = Color(0, 0, 0)

    def __init__(self, path: Path) -> None:
        pdfmetrics.registerFont(UnicodeCIDFont(self.FONT))
        self.canvas = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        self.page_w, page_h = A4
        self.left, self.right = 28 * mm, self.page_w - 26 * mm
        self.top, self.bottom = page_h - 37 * mm, 35 * mm
        self.page, self.y = 1, self.top

    def _text(self, x: float, text: str, size: float, color: Color, align: str = "left") -> None:
        # NOTE: showPage() resets the graphics state, so font and colour are set for every line.
        self.canvas.setFont(self.FONT, size)
        self.canvas.setFillColor(color)
        draw = {"left": self.canvas.drawString, "centre": self.canvas.drawCentredString,
                "right": self.canvas.drawRightString}[align]  # fmt: skip
        draw(x, self.y - size, text)

    def _need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self._footer()
            self.canvas.showPage()
            self.page, self.y = self.page + 1, self.top

    def _footer(self) -> None:
        self.canvas.setFont(self.FONT, 14)
        self.canvas.setFillColor(self.BLACK)
        self.canvas.drawCentredString(self.page_w / 2, 20 * mm, f"— {self.page} —")

    def block(self, kind: str, text: str) -> None:
        if kind == "gap":
            self.y -= LINE_PT / 2
        elif kind == "rule":
            self.canvas.setStrokeColor(self.RED)
            self.canvas.setLineWidth(1.5)
            self.canvas.line(self.left, self.y + 8, self.right, self.y + 8)
            self.y -= LINE_PT / 2
        elif kind in ("org", "title"):
            size = 30 if kind == "org" else TITLE_PT
            self._need(size * 1.6)
            self._text(self.page_w / 2, text, size, self.RED if kind == "org" else self.BLACK,
                       "centre")  # fmt: skip
            self.y -= size * 1.6
        elif kind in ("number", "sign"):
            self._need(LINE_PT)
            if kind == "number":
                self._text(self.page_w / 2, text, BODY_PT, self.BLACK, "centre")
            else:
                self._text(self.right - BODY_PT * 4, text, BODY_PT, self.BLACK, "right")
            self.y -= LINE_PT
        elif kind == "imprint":
            self._need(LINE_PT)
            self.canvas.setLineWidth(0.5)
            self.canvas.setStrokeColor(self.BLACK)
            self.canvas.line(self.left, self.y, self.right, self.y)
            self.y -= 4
            self._text(self.left + 14, text, 14, self.BLACK)
            self.canvas.line(self.left, self.y - 24, self.right, self.y - 24)
            self.y -= LINE_PT
        else:  # "p" (indented two characters) or "left"
            indent = 0 if kind == "left" else BODY_PT * 2
            width = self.right - self.left
            for i, line in enumerate(wrap(text, self.FONT, BODY_PT, width - indent)):
                self._need(LINE_PT)
                self._text(self.left + (indent if i == 0 else 0), line, BODY_PT, self.BLACK)
                self.y -= LINE_PT

    def finish(self) -> int:
        self._footer()
        self.canvas.save()
        return self.page


def work_plan_pdf() -> Path:
    """05: a published 工作要点 as a two-page PDF with a real text layer."""
    path = HERE / "05_work_plan.pdf"
    writer = PdfWriter(path)
    writer.canvas.setTitle(
        "上海市宝山区人民政府办公室关于印发《宝山区2024年政务公开工作要点》的通知"
    )
    writer.canvas.setAuthor("上海市宝山区人民政府办公室")
    writer.canvas.setSubject("政务公开")
    for kind, text in WORK_PLAN:
        writer.block(kind, text)
    pages = writer.finish()
    if pages != 2:
        raise SystemExit(f"05_work_plan.pdf has {pages} pages, expected 2: adjust WORK_PLAN")
    return path


JOINT_NOTICE = """\
中共上海市宝山区委办公室
上海市宝山区人民政府办公室
文件

宝委办发〔2024〕5号

中共上海市宝山区委办公室 上海市宝山区人民政府办公室
关于做好2024年防汛防台工作的通知

各镇党委、人民政府，各街道党工委、办事处，区委各部、委、办，区政府各委、办、局：

为切实做好2024年汛期各项防御工作，保障人民群众生命财产安全，经区委、区政府同意，现就有关事项通知如下。

一、压紧压实防汛责任。各镇、街道和区有关部门主要负责同志是本地区、本部门防汛工作第一责任人，要在5月31日前完成责任人名单的调整和公布。

二、全面排查风险隐患。重点排查下立交、地下空间、在建工地、老旧小区等易积水区域，建立隐患清单，落实整改措施。

三、严格值班值守。汛期实行24小时值班和领导带班制度，遇有重大险情、灾情，按规定及时报告区防汛指挥部办公室，联系电话：021-56781110。

中共上海市宝山区委办公室　　　上海市宝山区人民政府办公室
2024年4月25日

（此件公开发布）

抄送：市防汛指挥部办公室。
中共上海市宝山区委办公室　　　　　　　2024年4月25日印发
"""


def joint_notice() -> Path:
    """06: a 联合发文 of a party office and a government office, as UTF-8 text."""
    path = HERE / "06_joint_notice.txt"
    path.write_bytes(JOINT_NOTICE.encode("utf-8"))
    return path


def main() -> None:
    for make in (clean_notice, secret_header, personal_data, party_committee, work_plan_pdf,
                 joint_notice):  # fmt: skip
        print(make().relative_to(HERE.parent))


if __name__ == "__main__":
    main()
