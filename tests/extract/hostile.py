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
