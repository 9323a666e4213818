"""Render an abstract 公文 (list of blocks) to .docx (python-docx + raw OOXML) or .pdf (reportlab).

Run specs inside a paragraph:
  "text"                         plain run
  ("red", text) ("bold", text)   formatted run (red = 版头 red, bold = 标题)
  ("hid", text)                  hidden text, w:vanish
  ("br",)                        w:br line break inside the paragraph
  ("chars", text)                one run per character
  ("split", [a, b, ...])         one run per piece, alternating formatting
  ("fld", instr, result)         complex field: fldChar begin / instrText / separate / result / end
  ("ins", text, author)          tracked insertion
  ("del", text, author)          tracked deletion (w:delText)
  ("txbx", [para_text, ...])     text box: wps:txbx in mc:Choice, VML v:textbox in mc:Fallback
Blocks:
  ("p", runs, align)             align: None | "center" | "right"
  ("table", rows, widths)        rows: list of rows; a cell is a list of paragraphs (each a runs list)
  ("comment", anchor, text, author)
"""

from __future__ import annotations

import datetime as _dt
from xml.sax.saxutils import escape

import docx
from docx.oxml import parse_xml
from docx.shared import Pt

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)

FIXED_DATE = _dt.datetime(2024, 6, 1, 9, 0, 0)


def _rpr(kind: str | None, alt: int = 0) -> str:
    parts = ['<w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312"/>']
    if kind == "red":
        parts = [
            '<w:rFonts w:eastAsia="方正小标宋简体"/>',
            '<w:color w:val="FF0000"/>',
            '<w:sz w:val="60"/>',
        ]
    elif kind == "bold":
        parts = ['<w:rFonts w:eastAsia="方正小标宋简体"/>', "<w:b/>", '<w:sz w:val="44"/>']
    elif kind == "hid":
        parts.append("<w:vanish/>")
    if alt:
        parts.append("<w:i/>" if alt % 2 else '<w:spacing w:val="2"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def _t(text: str, kind: str | None = None, alt: int = 0) -> str:
    return f'<w:r>{_rpr(kind, alt)}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


_ids = [100]


def _nid() -> int:
    _ids[0] += 1
    return _ids[0]


def _txbx_paras(paras: list[str]) -> str:
    return "".join(f"<w:p>{_t(p)}</w:p>" for p in paras)


def _run_xml(r) -> str:
    if isinstance(r, str):
        return _t(r)
    k = r[0]
    if k in ("red", "bold", "hid"):
        return _t(r[1], k)
    if k == "br":
        return "<w:r><w:br/></w:r>"
    if k == "chars":
        return "".join(_t(c) for c in r[1])
    if k == "split":
        return "".join(_t(piece, None, i) for i, piece in enumerate(r[1]))
    if k == "fld":
        _, instr, result = r
        return (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + _t(result)
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )
    if k == "ins":
        d = FIXED_DATE.isoformat() + "Z"
        return f'<w:ins w:id="{_nid()}" w:author="{escape(r[2])}" w:date="{d}">{_t(r[1])}</w:ins>'
    if k == "del":
        d = FIXED_DATE.isoformat() + "Z"
        return (
            f'<w:del w:id="{_nid()}" w:author="{escape(r[2])}" w:date="{d}"><w:r>{_rpr(None)}'
            f'<w:delText xml:space="preserve">{escape(r[1])}</w:delText></w:r></w:del>'
        )
    if k == "txbx":
        n = _nid()
        inner = _txbx_paras(r[1])
        return (
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="2743200" cy="914400"/>'
            f'<wp:docPr id="{n}" name="文本框 {n}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2743200" cy="914400"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
            f"<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
            "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>"
            f'<mc:Fallback><w:pict><v:shape id="文本框{n}" o:spid="_x0000_s{n}" type="#_x0000_t202" style="width:216pt;height:72pt">'
            f"<v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    raise ValueError(r)


def _para_xml(runs, align=None) -> str:
    ppr = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    return f"<w:p {NS}>{ppr}{''.join(_run_xml(r) for r in runs)}</w:p>"


def _cell_para(runs) -> str:
    return f"<w:p>{''.join(_run_xml(r) for r in runs)}</w:p>"


def _table_xml(rows, widths) -> str:
    border = "".join(
        f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for s in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [
        f'<w:tbl {NS}><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{border}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
    ]
    for row in rows:
        out.append("<w:tr>")
        for w, cell in zip(widths, row, strict=False):
            paras = cell if cell and isinstance(cell[0], list) else [cell]
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
                + "".join(_cell_para(p) for p in paras)
                + "</w:tc>"
            )
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def write_docx(spec, path: str) -> None:
    d = docx.Document()
    st = d.styles["Normal"]
    st.font.size = Pt(16)
    body = d.element.body
    sectpr = body[-1]
    for block in spec.blocks:
        kind = block[0]
        if kind == "p":
            sectpr.addprevious(parse_xml(_para_xml(block[1], block[2])))
        elif kind == "table":
            sectpr.addprevious(parse_xml(_table_xml(block[1], block[2])))
            sectpr.addprevious(parse_xml(_para_xml([])))
        elif kind == "comment":
            _, anchor, text, author = block
            p = d.add_paragraph()
            run = p.add_run(anchor)
            d.add_comment(run, text=text, author=author, initials=author[:1])
        else:
            raise ValueError(kind)
    sec = d.sections[0]
    if spec.header:
        sec.header.is_linked_to_previous = False
        hp = sec.header.paragraphs[0]
        hp.text = spec.header[0]
        for extra in spec.header[1:]:
            sec.header.add_paragraph(extra)
    if spec.footer:
        sec.footer.is_linked_to_previous = False
        fp = sec.footer.paragraphs[0]
        fp.text = spec.footer[0]
        for extra in spec.footer[1:]:
            sec.footer.add_paragraph(extra)
    cp = d.core_properties
    props = {
        "author": "",
        "last_modified_by": "",
        "title": "",
        "subject": "",
        "keywords": "",
        "comments": "",
        "category": "",
    }
    props.update(spec.props)
    for k, v in props.items():
        setattr(cp, k, v)
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.last_printed = FIXED_DATE
    cp.revision = 1
    d.save(path)


# ---------------------------------------------------------------- PDF

_FONT = "STSong-Light"


def _pdf_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    return pdfmetrics


def _plain(runs) -> str:
    out = []
    for r in runs:
        if isinstance(r, str):
            out.append(r)
        elif r[0] in ("red", "bold", "chars"):
            out.append(r[1])
        elif r[0] == "split":
            out.append("".join(r[1]))
        elif r[0] == "br":
            out.append("\n")
        else:
            raise ValueError(f"run {r[0]} not supported in PDF")
    return "".join(out)


def _wrap(text: str, width: float, size: float, protect: list[str], pm) -> list[str]:
    """Greedy wrap by width, never inside a protected value."""
    guarded = []  # (start, end)
    for v in protect:
        i = text.find(v)
        while v and i >= 0:
            guarded.append((i, i + len(v)))
            i = text.find(v, i + 1)
    lines, start = [], 0
    while start < len(text):
        end = start
        w = 0.0
        while end < len(text):
            cw = pm.stringWidth(text[end], _FONT, size)
            if w + cw > width:
                break
            w += cw
            end += 1
        if end >= len(text):
            lines.append(text[start:])
            break
        for a, b in guarded:
            if a < end < b and a > start:
                end = a
        # do not break inside an ASCII digit/letter run
        while (
            end > start + 1
            and text[end - 1].isascii()
            and text[end - 1].isalnum()
            and text[end].isascii()
            and text[end].isalnum()
        ):
            end -= 1
        if end == start:
            end = start + 1
        lines.append(text[start:end])
        start = end
    return lines


def write_pdf(spec, path: str, protect: list[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pm = _pdf_font()
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setAuthor(spec.props.get("author", ""))
    c.setTitle(spec.props.get("title", ""))
    c.setCreator("公文排版")
    W, H = A4
    left, right, top, bottom = 79, 74, 100, 90
    width = W - left - right
    y = H - top

    def newline(h):
        nonlocal y
        y -= h
        if y < bottom:
            c.showPage()
            y = H - top - h

    for text in spec.header:
        c.setFont(_FONT, 9)
        c.drawString(left, H - 50, text)
    for block in spec.blocks:
        if block[0] == "p":
            runs, align = block[1], block[2]
            is_red = any(isinstance(r, tuple) and r[0] == "red" for r in runs)
            is_bold = any(isinstance(r, tuple) and r[0] == "bold" for r in runs)
            size = 22 if is_red else (18 if is_bold else 14)
            c.setFont(_FONT, size)
            c.setFillColorRGB(0.85, 0, 0) if is_red else c.setFillColorRGB(0, 0, 0)
            for seg in _plain(runs).split("\n"):
                for line in _wrap(seg, width, size, protect, pm) or [""]:
                    newline(size * 1.6)
                    lw = pm.stringWidth(line, _FONT, size)
                    if align == "center":
                        c.drawString(left + (width - lw) / 2, y, line)
                    elif align == "right":
                        c.drawString(left + width - lw, y, line)
                    else:
                        c.drawString(left, y, line)
            c.setFillColorRGB(0, 0, 0)
        elif block[0] == "table":
            rows, widths = block[1], block[2]
            scale = width / sum(widths)
            cols = [w * scale for w in widths]
            size = 10
            c.setFont(_FONT, size)
            for row in rows:
                cells = []
                for cell in row:
                    paras = cell if cell and isinstance(cell[0], list) else [cell]
                    lines = []
                    for p in paras:
                        lines.extend(_plain(p).split("\n"))
                    cells.append(lines)
                n = max(len(x) for x in cells)
                h = n * size * 1.5 + 6
                if y - h < bottom:
                    c.showPage()
                    c.setFont(_FONT, size)
                    y = H - top
                x = left
                for cw in cols:
                    c.rect(x, y - h, cw, h)
                    x += cw
                # line by line across the row, as a typesetter emits it: the second half of a
                # wrapped cell follows the other cells' first lines in the content stream
                for k in range(n):
                    x = left
                    for cw, lines in zip(cols, cells, strict=False):
                        if k < len(lines):
                            c.drawString(x + 3, y - 3 - size - k * size * 1.5, lines[k])
                        x += cw
                y -= h
        elif block[0] == "comment":
            raise ValueError("comment in PDF")
    for text in spec.footer:
        c.setFont(_FONT, 9)
        c.drawString(left, 40, text)
    c.save()
