"""Builders of the .docx red-team cases of issue 14: content a reader can recover from the
package although the body does not show it. Each starts from a real python-docx file and adds
parts, relationships and body XML with zipfile, as a hostile author's tool would.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import docx

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
MS_REL = "http://schemas.microsoft.com/office/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKING = "机密★5年"
VISIBLE = "关于做好年度政务公开工作的通知"


def id_number(body: str = "11010119900307451") -> str:
    """A resident ID number (GB 11643) with its check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


ID = id_number()


def plain_docx(*paragraphs: str) -> bytes:
    """A real Word file from python-docx's default template."""
    document = docx.Document()
    for text in paragraphs or (VISIBLE, "各科室：请按要求做好相关工作。"):
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@dataclass
class Additions:
    """What a case adds to a package: parts, relationships of a part, and body XML."""

    parts: dict[str, bytes] = field(default_factory=dict)
    # {source part: [(Id, full type, target, external)]}
    rels: dict[str, list[tuple[str, str, str, bool]]] = field(default_factory=dict)
    body: str = ""  # inner XML of w:body, inserted after the first paragraph

    def rel(self, source: str, rel_id: str, kind: str, target: str, external: bool = False):
        full = kind if kind.startswith("http") else f"{REL}/{kind}"
        self.rels.setdefault(source, []).append((rel_id, full, target, external))
        return self


def build(base: bytes, add: Additions) -> bytes:
    """`base` with `add` applied: new or replaced parts, new relationships, body XML."""
    src = zipfile.ZipFile(io.BytesIO(base))
    names = src.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            data = add.parts.get(name) or src.read(name)
            if name == "word/document.xml" and add.body:
                data = _insert_body(data, add.body)
            for source, rels in add.rels.items():
                if name == _rels_name(source):
                    data = data.replace(b"</Relationships>", _rels_xml(rels) + b"</Relationships>")
            z.writestr(name, data)
        for source, rels in add.rels.items():
            if _rels_name(source) not in names:
                z.writestr(
                    _rels_name(source),
                    f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}">'.encode()
                    + _rels_xml(rels)
                    + b"</Relationships>",
                )
        for name, data in add.parts.items():
            if name not in names:
                z.writestr(name, data)
    return out.getvalue()


def _rels_name(source: str) -> str:
    folder, _, base = source.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _rels_xml(rels: list[tuple[str, str, str, bool]]) -> bytes:
    return "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{target}"'
        + (' TargetMode="External"/>' if external else "/>")
        for i, t, target, external in rels
    ).encode()


def _insert_body(document: bytes, xml: str) -> bytes:
    end_of_first = document.index(b"</w:p>") + len(b"</w:p>")
    return document[:end_of_first] + xml.encode() + document[end_of_first:]


def run_field(instruction: str) -> str:
    """A complex field whose code is split over two w:instrText runs, as Word writes it."""
    half = len(instruction) // 2
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction[:half]}</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction[half:]}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>（域结果）</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def word_xml(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>{body}'
        "</w:body></w:document>"
    ).encode()


def ole_blob(size: int = 2048) -> bytes:
    return OLE_MAGIC + bytes(size - len(OLE_MAGIC))


def xlsx(rows: list[list[str]]) -> bytes:
    """A minimal Excel workbook: shared strings for text cells, one sheet."""
    shared: list[str] = []
    cells = []
    for r, row in enumerate(rows, start=1):
        values = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if value.isdigit():
                values.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                shared.append(value)
                values.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(values)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": _package_rels("officeDocument", "xl/workbook.xml"),
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{REL}"><sheets><sheet name="名单" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>".encode(),
        "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{''.join(cells)}</sheetData>"
        "</worksheet>".encode(),
        "xl/sharedStrings.xml": f"<sst {ns}>".encode()
        + "".join(f"<si><t>{s}</t></si>" for s in shared).encode()
        + b"</sst>",
    }
    return zip_parts(parts)


def pptx(slides: list[str]) -> bytes:
    """A minimal PowerPoint deck: one text paragraph per slide."""
    p_ns = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    a_ns = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i}"/>' for i in range(1, len(slides) + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/slide" Target="slides/slide{i}.xml"/>'
        for i in range(1, len(slides) + 1)
    )
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": _package_rels("officeDocument", "ppt/presentation.xml"),
        "ppt/presentation.xml": f'<p:presentation {p_ns} xmlns:r="{REL}"><p:sldIdLst>{ids}'
        "</p:sldIdLst></p:presentation>".encode(),
        "ppt/_rels/presentation.xml.rels": f'<Relationships xmlns="{PKG_REL}">{rels}'
        "</Relationships>".encode(),
    }
    for i, text in enumerate(slides, start=1):
        parts[f"ppt/slides/slide{i}.xml"] = (
            f"<p:sld {p_ns} {a_ns}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}"
            "</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        ).encode()
    return zip_parts(parts)


def _package_rels(kind: str, target: str) -> bytes:
    return (
        f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/{kind}" '
        f'Target="{target}"/></Relationships>'
    ).encode()


def zip_parts(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def embedding(data: bytes, name: str, rel_id: str = "rIdE1") -> Additions:
    """`data` embedded as an object package, shown by a w:object in the body."""
    add = Additions(parts={f"word/embeddings/{name}": data})
    add.rel("word/document.xml", rel_id, "package", f"embeddings/{name}")
    add.body = (
        f'<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" '
        f'xmlns:r="{REL}" ProgID="Word.Document.12" r:id="{rel_id}"/></w:object></w:r></w:p>'
    )
    return add


def nested_docx(depth: int, innermost: str) -> bytes:
    """A .docx holding a .docx holding … `depth` levels down to one saying `innermost`."""
    data = plain_docx(innermost)
    for level in range(depth, 0, -1):
        data = build(plain_docx(f"第{level}层文件"), embedding(data, f"level{level}.docx"))
    return data
