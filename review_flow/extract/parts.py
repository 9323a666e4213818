"""Every part of a .docx package accounted for, beyond the parts docx.py walks: altChunk
content, embedded packages, OLE objects and macros, customXml items, external relationships
and fields, and parts no relationship reaches.

Text goes into the document's TextBuilder (altChunks where they stand in the body, the rest
after the properties); what cannot be judged as text becomes an ActiveContent item.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract import links, markup
from review_flow.extract.embedded import (
    OLE_MAGIC,
    ZIP_MAGIC,
    Found,
    Nesting,
    opened,
    part_found,
    prefixed,
)
from review_flow.extract.limits import Limits, parse_xml, read_part
from review_flow.extract.model import ActiveContent, TextBuilder, Where
from review_flow.extract.package import PackageGraph

R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
RTF_MAGIC = b"{\\rtf"
EMBEDDINGS = ("package", "oleObject", "control", "activeXControlBinary")
# Parts with text of their own that the WordprocessingML walk does not reach: building blocks
# (the glossary document, where content-control placeholders and Quick Parts live), the text
# of charts and SmartArt diagrams.
OWN_TEXT = ("glossaryDocument", "chart", "diagramData")
# In a chart, the number caches, number formats and cell references are not text to judge.
NOT_TEXT = ("numCache", "numLit", "formatCode", "f")


class PartAccount:
    """Reads the parts of one package that the WordprocessingML walk does not."""

    def __init__(
        self,
        path: str,
        archive: zipfile.ZipFile,
        limits: Limits,
        graph: PackageGraph,
        nesting: Nesting,
    ) -> None:
        self.path, self.archive, self.limits = path, archive, limits
        self.graph, self.nesting = graph, nesting
        self.active: list[ActiveContent] = []
        self.notes: list[str] = []
        self.read: set[str] = set()  # parts whose content went into the text already

    def data(self, name: str) -> bytes:
        return read_part(self.path, self.archive, name, self.limits)

    def place(
        self, out: TextBuilder, found: Found, name: str, where: Where, within: Where | None = None
    ) -> None:
        """Put a part's text into the document, each piece labelled `where` with part `name`
        and container `within` (default: `where`) unless the piece keeps its own (a property
        or comment of an embedded document); its items and notes are prefixed with `name`."""
        out.separate("\n")
        for separator, text, container in found.pieces:
            if separator:
                out.separate(separator)
            kept = container is not Where.EMBEDDED
            out.add(text, where, container if kept else within or where, name)
        out.separate("\n")
        self.active += [prefixed(item, name) for item in found.active]
        self.notes += [f"{name}: {note}" for note in found.notes]

    # -- altChunk -------------------------------------------------------------------------
    def alt_chunk(
        self, out: TextBuilder, part: str, element: etree._Element, container: Where
    ) -> None:
        """The content of one w:altChunk, placed where the element stands.

        NOTE: Word shows an altChunk's content as part of the body (or of the header, cell …
        it stands in), so its text keeps that container: a 版头 written in an HTML chunk is
        the document's head. Chunks no w:altChunk shows are placed after the properties.
        """
        rel = self.graph.target(part, element.get(R_ID, ""))
        if rel is None or rel.external or rel.target not in self.graph.reachable:
            return
        self.chunk(out, rel.target, container)

    def chunk(self, out: TextBuilder, name: str, container: Where = Where.EMBEDDED) -> None:
        if name in self.read:
            return
        self.read.add(name)
        data = self.data(name)
        if data.lstrip()[:5] == RTF_MAGIC:
            found = Found(active=[ActiveContent("alt_chunk", "", "altChunk in RTF: not read")])
        else:
            found = part_found(data, name, self.path, self.limits, self.nesting)
            if not found.pieces and not found.active and data.strip():
                found.active.append(ActiveContent(
                    "alt_chunk", "", "altChunk in a format not read here"))  # fmt: skip
        self.place(out, found, name, Where.EMBEDDED, container)

    # -- after the properties -------------------------------------------------------------
    def finish(self, out: TextBuilder) -> None:
        """Everything not placed yet, in this order: document variables, altChunks no
        w:altChunk shows, embedded objects and macros, customXml items, glossary, chart and
        diagram text, parts nothing references; then the external relationships."""
        self.variables(out)
        for rel in self.graph.internal("aFChunk"):
            self.chunk(out, rel.target)
        for rel in self.graph.internal(*EMBEDDINGS):
            self.embedded(out, rel.target, rel.kind, rel.source)
        for rel in self.graph.internal("vbaProject"):
            self.active.append(ActiveContent("macro", rel.target, "VBA macro project"))
        for rel in self.graph.internal("customXml"):
            if rel.target not in self.read:
                self.read.add(rel.target)
                found = part_found(self.data(rel.target), rel.target, self.path, self.limits,
                                   self.nesting)  # fmt: skip
                self.place(out, found, rel.target, Where.CUSTOM_XML)
        for rel in self.graph.internal(*OWN_TEXT):
            if rel.target not in self.read:
                self.read.add(rel.target)
                root = parse_xml(self.path, rel.target, self.data(rel.target))
                self.place(out, Found().lines(markup.xml_lines(_shown(root))), rel.target,
                           Where.EMBEDDED)  # fmt: skip
        for name in self.graph.unreferenced():
            self.unreferenced(out, name)
        items, notes = links.external_items(self.graph.external())
        self.active += items
        self.notes += notes

    def variables(self, out: TextBuilder) -> None:
        """Document variables (w:docVar in the settings): text a macro or a DOCVARIABLE field
        shows, stored with the properties; read like them."""
        for rel in self.graph.internal("settings"):
            root = parse_xml(self.path, rel.target, self.data(rel.target))
            for var in root.iter("{*}docVar"):
                w = f"{{{etree.QName(var).namespace}}}"
                name, value = var.get(w + "name", ""), (var.get(w + "val") or "").strip()
                if value:
                    out.separate("\n")
                    out.add(f"{name}：{value}", Where.PROPERTY, part=f"docVar:{name}")

    def embedded(self, out: TextBuilder, name: str, kind: str, source: str) -> None:
        if name in self.read:
            return
        self.read.add(name)
        data = self.data(name)
        if data.startswith(ZIP_MAGIC):
            found = opened(part_found(data, name, self.path, self.limits, self.nesting))
            if "/charts/" in f"/{source}" and found.label:  # (Edit Data opens all of it)
                found.active[0] = ActiveContent(
                    "embedded_package", "", f"chart data ({found.label}): its text is read"
                )
            self.place(out, found, name, Where.EMBEDDED)
        elif name.lower().endswith("vbaproject.bin"):
            self.active.append(ActiveContent("macro", name, "VBA macro project"))
        elif kind in ("control", "activeXControlBinary"):
            self.active.append(ActiveContent("ole_object", name, "ActiveX control"))
        elif data.startswith(OLE_MAGIC):
            picture = _picture_object(data, name)
            if picture:
                self.notes.append(f"embedded picture object ({picture}), shown as its picture")
            else:
                self.active.append(ActiveContent("ole_object", name, "embedded OLE object"))
        else:
            self.active.append(ActiveContent("ole_object", name, "embedded object, not read"))

    def unreferenced(self, out: TextBuilder, name: str) -> None:
        data = self.data(name)
        found = part_found(data, name, self.path, self.limits, self.nesting)
        read = "its text is read" if found.pieces else "no text read from it"
        self.active.append(ActiveContent(
            "unreferenced_part", name,
            f"part no relationship reaches ({len(data)} bytes): {read}"))  # fmt: skip
        self.place(out, found, name, Where.UNREFERENCED)

    def fields(self, part: str, root: etree._Element) -> None:
        self.active += links.field_items(part, root)


def _shown(root: etree._Element) -> etree._Element:
    """The tree without a chart's numbers and formulas (they are cut out in place)."""
    for el in list(root.iter(*(f"{{*}}{name}" for name in NOT_TEXT))):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return root


def _picture_object(data: bytes, name: str) -> str:
    """The type of an embedded OLE object that holds only a picture (see ole.py), else ""."""
    from review_flow.extract.ole import is_picture_object, read_compound

    try:
        compound = read_compound(data, name)
    except ExtractionError:
        return ""  # a damaged object stays active content
    return compound.user_type if is_picture_object(compound) else ""
