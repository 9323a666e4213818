"""Builds the inputs of the LibreOffice tests: a .docx and an .xlsx with a marker in every channel
(LibreOffice then saves them as .doc/.rtf/.odt and .xls/.ods), damaged and locked .doc files,
and a stand-in soffice that hangs, crashes or fails to start."""

from __future__ import annotations

import io
import random
import stat
import zipfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

# Each channel of a text document and the marker planted in it.
TEXT_CHANNELS = {
    "body": "正文标记甲",
    "header": "页眉标记乙",
    "comment": "批注标记丙",
    "inserted": "插入标记丁",
    "deleted": "删除标记戊",
    "hidden": "隐藏标记己",
    "textbox": "文本框标记庚",
    "title": "标题标记辛",
    "author": "作者标记壬",
    "last_modified_by": "修改者标记癸",
    "revision_author": "修订者标记子",
    "comment_author": "批注人标记丑",
}
SHEET_CHANNELS = {
    "cell": "单元格标记甲",
    "hidden_row": "隐藏行标记乙",
    "hidden_column": "隐藏列标记丙",
    "comment": "表格批注标记丁",
    "hidden_sheet": "隐藏表标记戊",
    "header": "表格页眉标记己",
}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
VML = "urn:schemas-microsoft-com:vml"


def _tracked(paragraph, tag: str, text: str, change_id: str) -> None:
    change = OxmlElement(f"w:{tag}")
    change.set(qn("w:id"), change_id)
    change.set(qn("w:author"), TEXT_CHANNELS["revision_author"])
    change.set(qn("w:date"), "2026-01-01T00:00:00Z")
    run = OxmlElement("w:r")
    piece = OxmlElement("w:delText" if tag == "del" else "w:t")
    piece.text = text
    run.append(piece)
    change.append(run)
    paragraph._p.append(change)


def _text_box(paragraph, text: str) -> None:
    shape = etree.fromstring(
        f'<w:pict xmlns:w="{W}" xmlns:v="{VML}"><v:shape style="width:200pt;height:40pt">'
        f"<v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
        "</v:textbox></v:shape></w:pict>"
    )
    run = OxmlElement("w:r")
    run.append(shape)
    paragraph._p.append(run)


def channel_docx() -> bytes:
    """A .docx with one marker per channel of TEXT_CHANNELS (python-docx plus raw XML)."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = TEXT_CHANNELS["header"]
    body = document.add_paragraph(TEXT_CHANNELS["body"] + "。")
    document.add_comment(
        body.runs[0], text=TEXT_CHANNELS["comment"], author=TEXT_CHANNELS["comment_author"]
    )
    revised = document.add_paragraph("修订：")
    _tracked(revised, "ins", TEXT_CHANNELS["inserted"], "90")
    _tracked(revised, "del", TEXT_CHANNELS["deleted"], "91")
    document.add_paragraph("可见文字").add_run(TEXT_CHANNELS["hidden"]).font.hidden = True
    _text_box(document.add_paragraph("文本框："), TEXT_CHANNELS["textbox"])
    props = document.core_properties
    props.title = TEXT_CHANNELS["title"]
    props.author = TEXT_CHANNELS["author"]
    props.last_modified_by = TEXT_CHANNELS["last_modified_by"]
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def channel_xlsx() -> bytes:
    """An .xlsx with one marker per channel of SHEET_CHANNELS, written part by part."""
    m = SHEET_CHANNELS
    sheet1 = (
        f'<worksheet {_SHEET_NS}><cols><col min="3" max="3" width="9" hidden="1"/></cols>'
        f'<sheetData><row r="1">{_cell("A1", m["cell"])}<c r="B1"><v>42</v></c>'
        f"{_cell('C1', m['hidden_column'])}</row>"
        f'<row r="2" hidden="1">{_cell("A2", m["hidden_row"])}</row></sheetData>'
        f"<headerFooter><oddHeader>&amp;C{m['header']}</oddHeader></headerFooter></worksheet>"
    )
    sheet2 = f'<worksheet {_SHEET_NS}><sheetData><row r="1">{_cell("A1", m["hidden_sheet"])}</row></sheetData></worksheet>'  # noqa: E501
    comments = (
        f"<comments {_SHEET_NS}><authors><author>审校</author></authors><commentList>"
        f'<comment ref="A1" authorId="0"><text><r><t>{m["comment"]}</t></r></text></comment>'
        "</commentList></comments>"
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/comments1.xml" ContentType="{_CT}.comments+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook {_SHEET_NS} xmlns:r="{_REL}"><sheets>'
            '<sheet name="公开表" sheetId="1" r:id="rId1"/>'
            '<sheet name="内部表" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet1,
        "xl/worksheets/sheet2.xml": sheet2,
        "xl/worksheets/_rels/sheet1.xml.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/comments" Target="../comments1.xml"/></Relationships>'
        ),
        "xl/comments1.xml": comments,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
    return buf.getvalue()


# -- damaged and locked .doc files -----------------------------------------------------------
def fib_offset(doc: bytes) -> int:
    """Where the WordDocument stream (its FIB, magic 0xA5EC) starts in a LibreOffice .doc."""
    return next(o for o in range(512, len(doc), 64) if doc[o : o + 2] == b"\xec\xa5")


def encrypted_doc(doc: bytes) -> bytes:
    """The .doc with the FIB's fEncrypted flag set, as Word sets it for a password."""
    out = bytearray(doc)
    out[fib_offset(doc) + 0x0B] |= 0x01
    return bytes(out)


def garbled_doc(doc: bytes) -> bytes:
    """The .doc with its directory intact but the start of its WordDocument stream noise."""
    out = bytearray(doc)
    at = fib_offset(doc)
    out[at : at + 1024] = random.Random(14).randbytes(1024)
    out[at + 0x0B] &= 0xFE  # (not flagged as encrypted: that is another refusal)
    return bytes(out)


def with_macro_storage(doc: bytes) -> bytes:
    """The .doc with its CompObj directory entry renamed `Macros`, where Word keeps VBA."""
    old = "\x01CompObj".encode("utf-16-le")
    at = next(o for o in range(512, len(doc), 128) if doc[o : o + len(old)] == old)
    out = bytearray(doc)
    out[at : at + 64] = "Macros\x00".encode("utf-16-le").ljust(64, b"\x00")
    out[at + 64 : at + 66] = (14).to_bytes(2, "little")
    return bytes(out)


# -- a stand-in soffice ----------------------------------------------------------------------
FAKE_SOFFICE = """#!/bin/sh
# A stand-in for soffice.bin, for the paths real LibreOffice rarely takes: MODE is {mode}.
here=$(dirname "$0")
case "$*" in
  *--version*) echo "LibreOffice 0.0 stand-in"; exit 0 ;;
  *--convert-to*)
    if [ {mode} = crash ]; then kill -9 "$(cat "$here/instance.pid")"; exit 0; fi
    exec sleep 60 ;;
esac
[ {mode} = broken ] && exit 1
for keep; do :; done
echo $$ > "$here/instance.pid"
touch "$(dirname "$keep")/.~lock.$(basename "$keep")#"
exec sleep 120
"""


def fake_soffice(folder: Path, mode: str) -> Path:
    """A `soffice` script in `folder` that hangs, crashes or is broken (mode)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "soffice"
    script.write_text(FAKE_SOFFICE.format(mode=mode), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script
