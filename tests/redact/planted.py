"""Documents with personal data planted in every channel a reader could recover it from, built
with python-docx and then by hand in the XML (tracked changes, text boxes, fields, customXml,
an unreferenced part, custom properties). Each planted value is unique, so a test can search
every byte of the output for it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from docx import Document
from docx.oxml import parse_xml
from docx.shared import Pt

from tests.extract.pdf_fixtures import id_check_char

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = f'xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml"'


def id_number(serial: int) -> str:
    body = f"31010119800101{serial:03d}"
    return body + id_check_char(body)


@dataclass(frozen=True)
class Plant:
    """One planted value: the channel it sits in, its kind, and the value."""

    channel: str
    kind: str
    value: str


PLANTS = (
    Plant("body", "id_card", id_number(101)),
    Plant("body_name", "name", "欧阳明月"),
    Plant("split_runs", "id_card", id_number(102)),
    Plant("table", "mobile", "13912340001"),
    Plant("table_id", "id_card", id_number(103)),
    Plant("header", "mobile", "13912340002"),
    Plant("footer", "mobile", "13912340003"),
    Plant("comment", "mobile", "13912340004"),
    Plant("deletion", "id_card", id_number(104)),
    Plant("insertion", "mobile", "13912340005"),
    Plant("hidden", "id_card", id_number(105)),
    Plant("property_author", "name", "司马相如"),
    Plant("property_keywords", "mobile", "13912340006"),
    Plant("property_custom", "mobile", "13912340007"),
    Plant("textbox", "mobile", "13912340008"),
    Plant("footnote", "mobile", "13912340011"),
    Plant("field", "email", "ouyang.mingyue@example.com"),
    Plant("custom_xml", "mobile", "13912340009"),
    Plant("unreferenced", "id_card", id_number(106)),
    Plant("fullwidth", "mobile", "13912340010"),
)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _run_xml(inner: str) -> str:
    return f"<w:r {NSDECL}>{inner}</w:r>"


def planted_docx(filler_paragraphs: int = 30) -> bytes:
    """A 公示-like document of about two pages with every plant in its channel."""
    v = {p.channel: p.value for p in PLANTS}
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    doc.core_properties.author = v["property_author"]
    doc.core_properties.last_modified_by = v["property_author"]
    doc.core_properties.keywords = f"联系人手机{v['property_keywords']}"
    doc.core_properties.title = "关于创业补贴拟发放名单的公示"
    section = doc.sections[0]
    section.header.paragraphs[0].text = f"联系人：手机{v['header']}"
    section.footer.paragraphs[0].text = f"经办人手机{v['footer']}"
    doc.add_heading("关于创业补贴拟发放名单的公示", level=1)
    doc.add_paragraph(f"申请人{v['body_name']}，身份证号{v['body']}，经审核符合条件。")
    split = doc.add_paragraph("另一申请人身份证号")
    value = v["split_runs"]
    for piece, bold in ((value[:5], True), (value[5:11], False), (value[11:], True)):
        split.add_run(piece).bold = bold
    split.add_run("。")
    table = doc.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("姓名", "身份证号", "手机号"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("李四", v["table_id"], v["table"]), strict=True):
        cell.text = text
    commented = doc.add_paragraph("公示期七天。")
    doc.add_comment(commented.runs, text=f"请核对联系人电话{v['comment']}", author="审核人")
    revised = doc.add_paragraph("修订：")
    revised._p.append(parse_xml(
        f'<w:del {NSDECL} w:id="901" w:author="张三" w:date="2024-03-01T00:00:00Z">'
        f"<w:r><w:delText>身份证号{v['deletion']}</w:delText></w:r></w:del>"
    ))  # fmt: skip
    revised._p.append(parse_xml(
        f'<w:ins {NSDECL} w:id="902" w:author="张三" w:date="2024-03-01T00:00:00Z">'
        f"<w:r><w:t>联系电话{v['insertion']}</w:t></w:r></w:ins>"
    ))  # fmt: skip
    hidden = doc.add_paragraph("备注：")
    hidden.add_run(f"身份证号{v['hidden']}").font.hidden = True
    box = doc.add_paragraph("见右侧说明。")
    box._p.append(parse_xml(_run_xml(
        '<w:pict><v:shape style="position:absolute;margin-left:300pt;width:150pt;height:40pt">'
        f"<v:textbox><w:txbxContent><w:p><w:r><w:t>说明：联系电话{v['textbox']}</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict>"
    )))  # fmt: skip
    field = doc.add_paragraph("申请人个人邮箱：")
    email = v["field"]
    for inner in (
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> HYPERLINK "mailto:{email}" </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        f"<w:t>{email}</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        field._p.append(parse_xml(_run_xml(inner)))
    doc.add_paragraph(f"申请人手机（全角）：{fullwidth(v['fullwidth'])}")
    for i in range(filler_paragraphs):
        doc.add_paragraph(
            f"第{i + 1}条 公示期间如有异议，请以书面形式向区就业促进中心反映，"
            "逾期不予受理。本公示所列补贴按照有关规定发放，资金来源为专项资金。"
        )
    out = io.BytesIO()
    doc.save(out)
    return _add_parts(out.getvalue(), v)


CUSTOM_PROPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="联系人电话">'
    "<vt:lpwstr>{value}</vt:lpwstr></property></Properties>"
)
REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FOOTNOTE_REFERENCE = (
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="2"/></w:r>'
)
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {NSDECL}>'
    '<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="1"><w:p><w:r><w:continuationSeparator/>'
    '</w:r></w:p></w:footnote><w:footnote w:id="2"><w:p><w:r><w:t>经办人手机{value}</w:t>'
    "</w:r></w:p></w:footnote></w:footnotes>"
)


def _add_parts(data: bytes, v: dict[str, str]) -> bytes:
    """Custom properties, a footnote (referenced from the body), a customXml part
    (referenced) and an unreferenced part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif info.filename == "word/document.xml":
                text = content.decode("utf-8")
                anchor = "经审核符合条件。</w:t></w:r>"
                assert anchor in text
                content = text.replace(anchor, anchor + FOOTNOTE_REFERENCE, 1).encode()
            elif info.filename == "_rels/.rels":
                content = content.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdCustom" Type="{REL_BASE}/custom-properties" '
                    'Target="docProps/custom.xml"/></Relationships>'.encode(),
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdCx" Type="{REL_BASE}/customXml" '
                    'Target="../customXml/item9.xml"/>'
                    f'<Relationship Id="rIdFn" Type="{REL_BASE}/footnotes" '
                    'Target="footnotes.xml"/></Relationships>'.encode(),
                )
            z.writestr(info, content)
        z.writestr("word/footnotes.xml", FOOTNOTES.replace("{value}", v["footnote"]))
        z.writestr("docProps/custom.xml", CUSTOM_PROPS.replace("{value}", v["property_custom"]))
        z.writestr("customXml/item9.xml", f"<root><contact>{v['custom_xml']}</contact></root>")
        z.writestr("word/orphan.xml", f"<note>旧稿：身份证号{v['unreferenced']}</note>")
    return out.getvalue()


def left_in(data: bytes, values: list[str]) -> dict[str, list[str]]:
    """Each value still present in some zip entry (raw, tags stripped, whitespace removed,
    full-width folded), with the entries holding it: an independent search, not the
    redactor's own."""
    import html
    import re
    import unicodedata

    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            text = html.unescape(z.read(name).decode("utf-8", "ignore"))
            flat = unicodedata.normalize("NFKC", re.sub(r"<[^>]*>|\s", "", text))
            for value in values:
                if value in text or value in flat:
                    found.setdefault(value, []).append(name)
    return found


EMBEDDED = "word/embeddings/oleObject1.bin"


def with_embedded_object(data: bytes, payload: bytes) -> bytes:
    """`data` with an OLE object (a VML picture holding an embedded part) in the body."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    ole = (
        '<w:p><w:r><w:object><v:shape id="ole1" style="width:60pt;height:40pt"/>'
        '<o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" Type="Embed" '
        'ProgID="Package" ShapeID="ole1" DrawAspect="Icon" ObjectID="_1" r:id="rIdOle"/>'
        "</w:object></w:r></w:p>"
    )
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                text = content.decode("utf-8")
                if 'xmlns:v="' not in text[:3000]:
                    text = text.replace("<w:document ", '<w:document xmlns:v="urn:schemas-'
                                        'microsoft-com:vml" ', 1)  # fmt: skip
                content = text.replace("<w:body>", f"<w:body>{ole}", 1).encode()
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdOle" Type="{REL_BASE}/oleObject" '
                    'Target="embeddings/oleObject1.bin"/></Relationships>'.encode(),
                )
            z.writestr(info, content)
        z.writestr(EMBEDDED, payload)
    return out.getvalue()
