"""Builds small .docx packages byte by byte, so a test controls every part it plants text in."""

from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = (
    f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def build_docx(
    body: str,
    parts: dict[str, tuple[str, str]] | None = None,
    core: dict[str, str] | None = None,
    custom: dict[str, str] | None = None,
    app: dict[str, str] | None = None,
) -> bytes:
    """A .docx with `body` (inner XML of w:body) and extra parts {name: (rel type, xml)}."""
    parts = parts or {}
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{name.removeprefix("word/")}"/>'
        for i, (name, (kind, _)) in enumerate(parts.items(), start=10)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>',
        )
        z.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rels}</Relationships>',
        )
        for name, (_, xml) in parts.items():
            z.writestr(name, xml)
        if core:
            items = "".join(f"<{k}>{v}</{k}>" for k, v in core.items())
            z.writestr(
                "docProps/core.xml",
                '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats'
                '.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
                f'elements/1.1/">{items}</cp:coreProperties>',
            )
        if app:
            items = "".join(f"<{k}>{v}</{k}>" for k, v in app.items())
            z.writestr(
                "docProps/app.xml",
                '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/extended-properties">{items}</Properties>',
            )
        if custom:
            items = "".join(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" '
                f'name="{k}"><vt:lpwstr>{v}</vt:lpwstr></property>'
                for i, (k, v) in enumerate(custom.items(), start=2)
            )
            z.writestr(
                "docProps/custom.xml",
                '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
                'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats'
                f'.org/officeDocument/2006/docPropsVTypes">{items}</Properties>',
            )
    return buf.getvalue()


def part(root: str, inner: str) -> str:
    return f'<?xml version="1.0"?><w:{root} {NS}>{inner}</w:{root}>'


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The same package with one part's bytes replaced."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, content if info.filename == name else src.read(info))
    return buf.getvalue()
