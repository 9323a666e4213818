"""Builders of hostile and broken input files, each returned as bytes.

Every builder is deterministic (fixed seeds, fixed zip timestamps) and cheap in memory: the
zip bombs are written through a streaming deflater 1 MiB at a time, never held inflated.
"""

from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable

from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

MIB = 1024 * 1024
ZIP_TIME = (2024, 3, 15, 9, 0, 0)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>'
).encode()
DOC_OPEN = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
).encode()
DOC_CLOSE = b"</w:body></w:document>"


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def document_rels(targets: Iterable[tuple[str, str]] = ()) -> bytes:
    """word/_rels/document.xml.rels with (relationship type, target) pairs."""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'
    ).encode()


def _entry(name: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    return info


def zip_parts(parts: Iterable[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name, bytes) in order; duplicate names are written as given."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on a duplicate name
        with zipfile.ZipFile(buf, "w") as archive:
            for name, data in parts:
                archive.writestr(_entry(name, compression), data)
    return buf.getvalue()


def docx_parts(document_xml: bytes) -> list[tuple[str, bytes]]:
    """The four parts of a minimal .docx package around `document_xml`."""
    return [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/document.xml", document_xml),
        ("word/_rels/document.xml.rels", document_rels()),
    ]


def good_docx(paragraphs: Iterable[str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal, valid .docx whose body is `paragraphs`."""
    body = "".join(paragraph(text) for text in paragraphs).encode()
    return zip_parts(docx_parts(DOC_OPEN + body + DOC_CLOSE), compression)


GOOD_TEXT = [
    "上海市宝山区审计局关于做好政务公开工作的通知",
    "各科室应当依法对拟公开的信息进行保密审查。",
    *(f"第{i}条　本段为测试用正文，编号{i:04d}。" for i in range(1, 41)),
]


def good_pdf(pages: int = 3) -> bytes:
    """A plain PDF with a text layer (Helvetica, so no font resources are needed)."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for number in range(1, pages + 1):
        for line in range(40):
            pdf.drawString(72, 780 - line * 18, f"Page {number} line {line}: plain test text.")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


# -- empty, truncated, random ------------------------------------------------------------------
def empty() -> bytes:
    return b""


def oversized_docx() -> bytes:
    """A valid, stored (uncompressed) .docx of over 5 KB, for a 1000-byte size limit."""
    data = good_docx(GOOD_TEXT, zipfile.ZIP_STORED)
    assert len(data) > 5000
    return data


def truncated_docx() -> bytes:
    """The first half of a real .docx: local headers survive, the central directory does not."""
    data = good_docx(GOOD_TEXT)
    return data[: len(data) // 2]


def truncated_pdf() -> bytes:
    """The first 40% of a real PDF: no xref table, no trailer, pages cut off mid-stream."""
    data = good_pdf()
    return data[: len(data) * 4 // 10]


def random_bytes(size: int = 4096, seed: int = 9704) -> bytes:
    """Seeded noise that carries no magic number a sniffer could mistake for a format."""
    data = random.Random(seed).randbytes(size)
    assert not data.startswith((b"PK", b"\xd0\xcf", b"{\\rtf"))
    assert b"%PDF-" not in data
    return data


def ole_doc() -> bytes:
    """An old binary Word file: the OLE2 compound-file magic, then junk."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(4088, seed=1)


def not_text() -> bytes:
    """Bytes that are neither UTF-8 nor GB18030 (0x80 and 0xFF lead no GB18030 sequence)."""
    return b"\x80\x80\xff\xff" * 100


def encrypted_pdf() -> bytes:
    """A password-protected PDF (RC4/AES standard security handler, user password "secret")."""
    buf = io.BytesIO()
    security = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0)
    pdf = canvas.Canvas(buf, encrypt=security, invariant=1)
    pdf.drawString(72, 720, "This page is encrypted.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


# -- zip containers ----------------------------------------------------------------------------
def zip_bomb_docx(inflated_mib: int = 300) -> bytes:
    """A .docx whose document.xml inflates to `inflated_mib` MiB from ~1/1000 of that.

    The filler is whitespace between paragraphs, so the part stays well-formed XML: only a
    size or ratio guard stops a reader from inflating and parsing all of it.
    """
    filler = b" " * MIB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in docx_parts(b""):
            if name != "word/document.xml":
                archive.writestr(_entry(name), data)
        with archive.open(_entry("word/document.xml"), "w", force_zip64=True) as part:
            part.write(DOC_OPEN + paragraph("正文").encode())
            for _ in range(inflated_mib):
                part.write(filler)
            part.write(DOC_CLOSE)
    return buf.getvalue()


def spread_bomb_docx(headers: int = 100) -> bytes:
    """A .docx with `headers` header parts of exactly 1 MiB of text each, all referenced.

    No single entry is over 1 MiB, so a per-entry ratio check passes each one; together they
    inflate ~1000x.
    """
    text = paragraph("A" * 1000)
    body = text * ((MIB - 200) // len(text))
    header = f'<?xml version="1.0"?><w:hdr xmlns:w="{W_NS}">{body}</w:hdr>'.encode()
    header = header.replace(b"</w:hdr>", b" " * (MIB - len(header)) + b"</w:hdr>")
    assert len(header) == MIB
    names = [f"header{i}.xml" for i in range(1, headers + 1)]
    parts = docx_parts(DOC_OPEN + paragraph("正文").encode() + DOC_CLOSE)
    parts[3] = ("word/_rels/document.xml.rels", document_rels(("header", n) for n in names))
    return zip_parts([*parts, *((f"word/{n}", header) for n in names)])


def many_entries_docx(entries: int = 6000) -> bytes:
    parts = docx_parts(DOC_OPEN + paragraph("正文").encode() + DOC_CLOSE)
    return zip_parts([*parts, *((f"word/media/f{i}.xml", b"<a/>") for i in range(entries))])


def unsafe_name_docx() -> bytes:
    """A valid .docx plus an entry that would land outside the folder it is unpacked to."""
    return zip_parts([*docx_parts(DOC_OPEN + DOC_CLOSE), ("../evil.xml", b"<evil/>")])


def duplicate_entry_docx() -> bytes:
    """Two word/document.xml entries: readers disagree on which one is the document."""
    shown = DOC_OPEN + paragraph("公开的正文").encode() + DOC_CLOSE
    hidden = DOC_OPEN + paragraph("机密★5年").encode() + DOC_CLOSE
    return zip_parts([*docx_parts(shown), ("word/document.xml", hidden)])


def bad_crc_docx() -> bytes:
    """A .docx whose document.xml fails its CRC-32: the bytes were damaged after zipping."""
    document = DOC_OPEN + "".join(map(paragraph, GOOD_TEXT)).encode() + DOC_CLOSE
    data = good_docx(GOOD_TEXT)
    crc = struct.pack("<I", zlib.crc32(document))
    assert data.count(crc) == 2  # the local header and the central directory
    return data.replace(crc, struct.pack("<I", zlib.crc32(document) ^ 0xFFFF))


def damaged_deflate_docx() -> bytes:
    """A .docx whose document.xml has 16 bytes of its deflate stream overwritten with 0xFF."""
    data = bytearray(good_docx(GOOD_TEXT))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len + info.compress_size // 3
    data[start : start + 16] = b"\xff" * 16
    return bytes(data)


def unknown_method_docx() -> bytes:
    """A .docx whose document.xml claims compression method 99 (WinZip AES), unknown to zipfile."""
    data = bytearray(good_docx(GOOD_TEXT))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(b"word/document.xml"))
    struct.pack_into("<H", data, info.header_offset + 8, 99)  # local header: method
    struct.pack_into("<H", data, central + 10, 99)  # central directory: method
    return bytes(data)


def ofd_zip() -> bytes:
    """An OFD (GB/T 33190) package: a zip with OFD.xml at its root."""
    ofd = (
        b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"'
        b' Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
        b"</ofd:DocBody></ofd:OFD>"
    )
    return zip_parts([("OFD.xml", ofd), ("Doc_0/Document.xml", b"<ofd:Document/>")])


# -- XML ---------------------------------------------------------------------------------------
def with_document(xml: bytes) -> bytes:
    return zip_parts(docx_parts(xml))


def xxe_docx(encoding: str = "utf-8") -> bytes:
    """document.xml declares an external entity pointing at /etc/passwd and uses it."""
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return with_document(xml.encode(encoding))


def billion_laughs_docx(encoding: str = "utf-8") -> bytes:
    """Ten levels of entities, each ten of the one below: 10^9 "lol"s when expanded."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE w:document [{entities}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return with_document(xml.encode(encoding))


def malformed_docx() -> bytes:
    """document.xml that is not well-formed: a run closed by the wrong tag."""
    return with_document(DOC_OPEN + b"<w:p><w:r><w:t>text</w:p></w:r>" + DOC_CLOSE)


# -- PDF flate bombs ---------------------------------------------------------------------------
BOMB_TEXT = b"BT /F1 12 Tf 72 720 Td (Flate bomb test page) Tj ET\n"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _deflated(head: bytes, inflated_mib: int, filler: bytes, layers: int = 1) -> bytes:
    """`head` then `inflated_mib` MiB of `filler`, deflated 1 MiB at a time, `layers` times."""
    chunk = (filler * (MIB // len(filler) + 1))[:MIB]
    outer = zlib.compressobj(9)
    data = outer.compress(head) + b"".join(outer.compress(chunk) for _ in range(inflated_mib))
    data += outer.flush()
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def _pdf_stream(data: bytes, entries: bytes = b"", layers: int = 1) -> bytes:
    filters = b"/FlateDecode " * layers
    return (
        b"<< /Length %d /Filter [%s] %s>>\nstream\n" % (len(data), filters, entries)
        + data
        + b"\nendstream"
    )


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF from numbered objects (1 is the catalog) with a classic xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _page_objects(content: bytes, xobjects: bytes = b"") -> list[bytes]:
    """Catalog, pages, one page, its content stream (object 4) and a font (object 5)."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> %s>> >>" % xobjects,
        content,
        _FONT,
    ]


def flate_bomb_pdf(inflated_mib: int = 300, filler: bytes = b"\x00", layers: int = 1) -> bytes:
    """One page whose content stream is real text then `inflated_mib` MiB of `filler`.

    `filler` b"\\x00" is whitespace to a PDF lexer; b"q Q " is an operator pair a reader must
    execute. With `layers` > 1 the stream is deflated again under /Filter [/FlateDecode …].
    """
    data = _deflated(BOMB_TEXT, inflated_mib, filler, layers)
    return _pdf(_page_objects(_pdf_stream(data, layers=layers)))


def flate_bomb_xobject_pdf(inflated_mib: int = 300, subtype: bytes = b"/Form") -> bytes:
    """A plain page that paints a form XObject (or image) whose stream is the bomb."""
    content = b"BT /F1 12 Tf 72 720 Td (XObject bomb page) Tj ET /X1 Do\n"
    if subtype == b"/Form":
        entries = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
    else:
        entries = b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray"
        entries += b" /BitsPerComponent 8 "
    bomb = _pdf_stream(_deflated(b"", inflated_mib, b"\x00"), entries)
    objects = _page_objects(_pdf_stream(content), b"/XObject << /X1 6 0 R >> ")
    return _pdf([*objects, bomb])


def flate_bomb_objstm_pdf(inflated_mib: int = 300) -> bytes:
    """A PDF 1.5 file whose page tree lives in an object stream padded to `inflated_mib` MiB.

    Objects 1-3 (catalog, pages, page) are inside object stream 6, found through a
    cross-reference stream (object 7); the padding after them is whitespace.
    """
    inner = _page_objects(b"")[:3]
    bodies, offsets = b"", []
    for body in inner:
        offsets.append(len(bodies))
        bodies += body + b"\n"
    header = b" ".join(b"%d %d" % (n, off) for n, off in enumerate(offsets, 1)) + b"\n"
    objstm = _pdf_stream(
        _deflated(header + bodies, inflated_mib, b" "),
        b"/Type /ObjStm /N 3 /First %d " % len(header),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    plain = {4: _pdf_stream(BOMB_TEXT), 5: _FONT, 6: objstm}
    where: dict[int, int] = {}
    for number, body in plain.items():
        where[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    where[7] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 6, i) for i in range(3)]
    rows += [struct.pack(">BIH", 1, where[n], 0) for n in (4, 5, 6, 7)]
    xref = zlib.compress(b"".join(rows))
    out.write(
        b"7 0 obj\n"
        + _pdf_stream(xref, b"/Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R ")
        + b"\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % where[7])
    return out.getvalue()


def flate_bomb_disguised_pdf(disguise: str, inflated_mib: int = 300) -> bytes:
    """The content-stream bomb dressed to slip past a check that trusts the dictionary.

    "short-length": /Length says 10 bytes; "hex": /Filter [/ASCIIHexDecode /FlateDecode];
    "escaped-name": /Filter /Fl#61teDecode; "indirect-filter": /Filter 6 0 R.
    """
    data = _deflated(BOMB_TEXT, inflated_mib, b"\x00")
    filters = {
        "short-length": b"/FlateDecode",
        "hex": b"[/ASCIIHexDecode /FlateDecode]",
        "escaped-name": b"/Fl#61teDecode",
        "indirect-filter": b"6 0 R",
    }[disguise]
    if disguise == "hex":
        data = data.hex().encode() + b">"
    length = 10 if disguise == "short-length" else len(data)
    stream = b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (length, filters, data)
    return _pdf([*_page_objects(stream), b"/FlateDecode"])


def runlength_bomb_pdf(inflated_mib: int = 4) -> bytes:
    """A content stream under /RunLengthDecode: each 2 bytes repeat a space 128 times."""
    runs = b"\x81 " * (inflated_mib * MIB // 128)
    stream = b"<< /Length %d /Filter /RunLengthDecode >>\nstream\n%s\x80\nendstream" % (
        len(runs) + 1,
        runs,
    )
    return _pdf(_page_objects(stream))


def xmp_bomb_pdf(inflated_mib: int = 100) -> bytes:
    """A plain page whose catalog's /Metadata (XMP) stream is a bomb; pdfium never reads it."""
    objects = _page_objects(_pdf_stream(BOMB_TEXT))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>"
    xmp = _pdf_stream(
        _deflated(b"<?xpacket begin?>", inflated_mib, b" "), b"/Type /Metadata /Subtype /XML "
    )
    return _pdf([*objects, xmp])


def text_pdf(lines: int = 20000) -> bytes:
    """A genuine one-page PDF whose Flate content stream is ~1 MiB of text operators."""
    body = b"BT /F1 8 Tf 20 800 Td 10 TL " + b"(Genuine line of text) ' " * lines + b"ET\n"
    return _pdf(_page_objects(_pdf_stream(zlib.compress(body))))
