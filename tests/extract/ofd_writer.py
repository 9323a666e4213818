"""Builds small OFD (GB/T 33190) packages part by part, so a test controls every place it
plants text in: page content, templates, annotations, attachments, tags, metadata."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = "http://www.ofdspec.org/2016"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def text(
    content: str, x: float, y: float, size: float = 5.0, *, attrs: str = "", fill: str = "",
    delta_x: str = "", delta_y: str = "", width: float = 150.0,
) -> str:  # fmt: skip
    """A TextObject whose TextCode baseline starts at (x, y) on the page (mm).

    Without `delta_x`, each glyph advances by `size`.
    """
    dx = delta_x or (f"g {len(content) - 1} {size}" if len(content) > 1 else "")
    code_attrs = f' DeltaX="{dx}"' if dx else ""
    if delta_y:
        code_attrs += f' DeltaY="{delta_y}"'
    colour = f'<ofd:FillColor Value="{fill}"/>' if fill else ""
    return (
        f'<ofd:TextObject ID="1" Boundary="{x} {y - size} {width} {size * 2}" Font="1" '
        f'Size="{size}" {attrs}>{colour}<ofd:TextCode X="0" Y="{size}"{code_attrs}>'
        f"{escape(content)}</ofd:TextCode></ofd:TextObject>"
    )


def image(x: float, y: float, width: float, height: float) -> str:
    return (
        f'<ofd:ImageObject ID="9" ResourceID="9" Boundary="{x} {y} {width} {height}" '
        f'CTM="{width} 0 0 {height} 0 0"/>'
    )


def page_xml(objects: str, template: str = "", extra: str = "", zorder: str = "Background") -> str:
    tpl = f'<ofd:Template TemplateID="{template}" ZOrder="{zorder}"/>' if template else ""
    return (
        f'{HEAD}<ofd:Page xmlns:ofd="{NS}">{tpl}<ofd:Content><ofd:Layer ID="2">{objects}'
        f"</ofd:Layer></ofd:Content>{extra}</ofd:Page>"
    )


@dataclass
class Ofd:
    """An OFD package to write: pages (content objects), templates, and the other parts."""

    pages: list[str] = field(default_factory=list)
    page_templates: list[str] = field(default_factory=list)  # template ID per page ("" none)
    page_extras: list[str] = field(default_factory=list)  # e.g. <ofd:Actions> of the page
    templates: dict[str, str] = field(default_factory=dict)  # ID → content objects
    zorder: str = "Background"  # where the pages draw their template
    annotations: dict[int, str] = field(default_factory=dict)  # page index → <ofd:Annot>s
    attachments: list[tuple[str, str, bytes, str]] = field(default_factory=list)
    custom_tags: list[bytes] = field(default_factory=list)
    doc_info: str = ""  # inner XML of DocInfo
    document_extra: str = ""  # inner XML appended to Document (Outlines, Permissions, Actions)
    common_extra: str = ""  # inner XML appended to CommonData (PublicRes)
    body_extra: str = ""  # inner XML appended to DocBody (Versions)
    signed: bool = False
    extra_parts: dict[str, bytes] = field(default_factory=dict)

    def build(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            self._write(z)
        return buf.getvalue()

    def _write(self, z: zipfile.ZipFile) -> None:
        sign = "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>" if self.signed else ""
        sign += self.body_extra
        z.writestr(
            "OFD.xml",
            f'{HEAD}<ofd:OFD xmlns:ofd="{NS}" DocType="OFD" Version="1.0"><ofd:DocBody>'
            f"<ofd:DocInfo><ofd:DocID>0a1b</ofd:DocID>{self.doc_info}</ofd:DocInfo>"
            f"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{sign}</ofd:DocBody></ofd:OFD>",
        )
        templates = "".join(
            f'<ofd:TemplatePage ID="{tid}" BaseLoc="Tpls/Tpl_{tid}/Content.xml"/>'
            for tid in self.templates
        )
        pages = "".join(
            f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(self.pages))
        )
        parts = ""
        if self.annotations:
            parts += "<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>"
        if self.attachments:
            parts += "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>"
        if self.custom_tags:
            parts += "<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>"
        z.writestr(
            "Doc_0/Document.xml",
            f'{HEAD}<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>99'
            "</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            f"</ofd:PageArea>{templates}{self.common_extra}</ofd:CommonData>"
            f"<ofd:Pages>{pages}</ofd:Pages>"
            f"{parts}{self.document_extra}</ofd:Document>",
        )
        for tid, objects in self.templates.items():
            z.writestr(f"Doc_0/Tpls/Tpl_{tid}/Content.xml", page_xml(objects))
        for i, objects in enumerate(self.pages):
            tpl = self.page_templates[i] if i < len(self.page_templates) else ""
            extra = self.page_extras[i] if i < len(self.page_extras) else ""
            page = page_xml(objects, tpl, extra, self.zorder)
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", page)
        self._write_annotations(z)
        self._write_attachments(z)
        self._write_tags(z)
        if self.signed:
            z.writestr(
                "Doc_0/Signs/Signatures.xml",
                f'{HEAD}<ofd:Signatures xmlns:ofd="{NS}"><ofd:Signature ID="1" Type="Seal" '
                'BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>',
            )
            z.writestr(
                "Doc_0/Signs/Sign_0/Signature.xml",
                f'{HEAD}<ofd:Signature xmlns:ofd="{NS}"><ofd:SignedInfo><ofd:Provider '
                'ProviderName="test_eseal"/><ofd:StampAnnot ID="1" PageRef="100" '
                'Boundary="0 0 40 40"/></ofd:SignedInfo></ofd:Signature>',
            )
            z.writestr("Doc_0/Signs/Sign_0/SignedValue.dat", b"\x30\x82signature")
        for name, data in self.extra_parts.items():
            z.writestr(name, data)

    def _write_annotations(self, z: zipfile.ZipFile) -> None:
        if not self.annotations:
            return
        index = "".join(
            f'<ofd:Page PageID="{100 + i}"><ofd:FileLoc>Page_{i}/Annotation.xml</ofd:FileLoc>'
            "</ofd:Page>"
            for i in self.annotations
        )
        z.writestr(
            "Doc_0/Annots/Annotations.xml",
            f'{HEAD}<ofd:Annotations xmlns:ofd="{NS}">{index}</ofd:Annotations>',
        )
        for i, annots in self.annotations.items():
            z.writestr(
                f"Doc_0/Annots/Page_{i}/Annotation.xml",
                f'{HEAD}<ofd:PageAnnot xmlns:ofd="{NS}">{annots}</ofd:PageAnnot>',
            )

    def _write_attachments(self, z: zipfile.ZipFile) -> None:
        if not self.attachments:
            return
        items = "".join(
            f'<ofd:Attachment ID="{i}" Name={quoteattr(name)} Format="{fmt}" {attrs}>'
            f"<ofd:FileLoc>att_{i}.{fmt}</ofd:FileLoc></ofd:Attachment>"
            for i, (name, fmt, _, attrs) in enumerate(self.attachments)
        )
        z.writestr(
            "Doc_0/Attachs/Attachments.xml",
            f'{HEAD}<ofd:Attachments xmlns:ofd="{NS}">{items}</ofd:Attachments>',
        )
        for i, (_, fmt, data, _) in enumerate(self.attachments):
            z.writestr(f"Doc_0/Attachs/att_{i}.{fmt}", data)

    def _write_tags(self, z: zipfile.ZipFile) -> None:
        if not self.custom_tags:
            return
        tags = "".join(
            f'<ofd:CustomTag TypeID="t{i}"><ofd:FileLoc>Tag_{i}.xml</ofd:FileLoc></ofd:CustomTag>'
            for i in range(len(self.custom_tags))
        )
        z.writestr(
            "Doc_0/Tags/CustomTags.xml",
            f'{HEAD}<ofd:CustomTags xmlns:ofd="{NS}">{tags}</ofd:CustomTags>',
        )
        for i, data in enumerate(self.custom_tags):
            z.writestr(f"Doc_0/Tags/Tag_{i}.xml", data)


def annot(kind: str, objects: str = "", remark: str = "", attrs: str = "") -> str:
    """An Annot whose appearance box starts at (20, 20) on the page."""
    rem = f"<ofd:Remark>{escape(remark)}</ofd:Remark>" if remark else ""
    look = f'<ofd:Appearance Boundary="20 20 150 40">{objects}</ofd:Appearance>' if objects else ""
    return f'<ofd:Annot ID="50" Type="{kind}" {attrs}>{rem}{look}</ofd:Annot>'


def action(inner: str, event: str = "CLICK") -> str:
    return f'<ofd:Actions><ofd:Action Event="{event}">{inner}</ofd:Action></ofd:Actions>'
