"""Small PDFs built in memory for the PDF extractor tests: reportlab, pdfium or by hand."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

CJK_FONT = "STSong-Light"  # a standard CJK font: not embedded, and pdfium maps it to Unicode
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

WIDTH, HEIGHT = A4
Draw = Callable[[Canvas], None]


def build(*pages: Draw, title: str = "", author: str = "", **canvas_options: object) -> bytes:
    """A PDF with one page per drawing function, in CJK_FONT 12 pt unless a page changes it."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, **canvas_options)  # type: ignore[arg-type]
    if title:
        canvas.setTitle(title)
    if author:
        canvas.setAuthor(author)
    for draw in pages:
        canvas.setFont(CJK_FONT, 12)
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def lines(*texts: str, x: float = 72, top: float = 760, leading: float = 16) -> Draw:
    """A page drawing each text on its own line, top down."""

    def draw(canvas: Canvas) -> None:
        for i, text in enumerate(texts):
            canvas.drawString(x, top - i * leading, text)

    return draw


def png(width: int = 16, height: int = 16, grey: int = 128) -> bytes:
    """A grey 8-bit PNG, written without PIL."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes([grey]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def image(x: float = 0, y: float = 0, width: float = WIDTH, height: float = HEIGHT) -> Draw:
    """A page-size (by default) grey image, as a scanner would put it."""

    def draw(canvas: Canvas) -> None:
        canvas.drawImage(ImageReader(io.BytesIO(png())), x, y, width=width, height=height)

    return draw


def both(*draws: Draw) -> Draw:
    def draw(canvas: Canvas) -> None:
        for step in draws:
            step(canvas)

    return draw


def with_attachment(data: bytes, name: str, payload: bytes) -> bytes:
    """`data` with an embedded file added by pdfium (reportlab cannot embed files)."""
    doc = pdfium.PdfDocument(data)
    try:
        doc.new_attachment(name).set_data(payload)
        out = io.BytesIO()
        doc.save(out)
    finally:
        doc.close()
    return out.getvalue()


def repeated(data: bytes, times: int) -> bytes:
    """A PDF holding `times` copies of the pages of `data` (copied by pdfium)."""
    source, doc = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    try:
        for _ in range(times):
            doc.import_pages(source)
        out = io.BytesIO()
        doc.save(out)
    finally:
        doc.close()
        source.close()
    return out.getvalue()


# -- PDFs written by hand ------------------------------------------------------------------
def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def handmade(objects: list[bytes]) -> bytes:
    """A PDF from numbered objects (1 is the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _one_page(
    content: bytes,
    catalog: bytes = b"",
    fonts: bytes = b"/F1 5 0 R",
    more: list[bytes] | None = None,
) -> bytes:
    """Objects 1-5: catalog, pages, page, content, Helvetica; `more` are numbered from 6."""
    return handmade(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << " + fonts + b" >> >> /Contents 4 0 R >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(more or []),
        ]
    )


def unmapped_font_pdf(glyphs: int = 24) -> bytes:
    """A page set in a CID font with Identity-H and no /ToUnicode: glyph ids, no characters.

    This is what a subset font stripped of its Unicode map looks like: pdfium flags every
    character as unmapped and pdfminer prints (cid:N).
    """
    codes = b"".join(b"%04X" % (0x0100 + i * 7) for i in range(glyphs))
    content = b"BT /F2 16 Tf 72 700 Td <" + codes + b"> Tj ET"
    font = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H "
        b"/DescendantFonts [7 0 R] >>"
    )
    cid_font = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R "
        b"/DW 1000 >>"
    )
    descriptor = (
        b"<< /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 /FontBBox [0 -200 1000 800]"
        b" /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>"
    )
    return _one_page(content, fonts=b"/F1 5 0 R /F2 6 0 R", more=[font, cid_font, descriptor])


def xmp_pdf(packet: str, text: str = "XMP test") -> bytes:
    """A one-page PDF whose catalog carries `packet` as its /Metadata stream."""
    content = b"BT /F1 12 Tf 72 700 Td (" + text.encode("latin-1") + b") Tj ET"
    metadata = _stream(packet.encode("utf-8"), b"/Type /Metadata /Subtype /XML ")
    return _one_page(content, catalog=b"/Metadata 6 0 R ", more=[metadata])


def xmp_packet(title: str, creator: str) -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Producer="手工排版">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def id_check_char(body: str) -> str:
    """The GB 11643 check character for a 17-digit ID body."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def luhn_check_digit(body: str) -> str:
    """The digit that makes `body` + digit pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)
