"""The text of an Excel workbook or a PowerPoint deck embedded in a document: sheet names,
shared strings and cell values row by row, cell comments; slide and notes text, slide by slide.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from review_flow.extract.limits import Limits, parse_xml, read_part
from review_flow.extract.markup import xml_lines
from review_flow.extract.package import PackageGraph

R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class _Reader:
    def __init__(
        self, graph: PackageGraph, archive: zipfile.ZipFile, path: str, limits: Limits
    ) -> None:
        self.graph, self.archive, self.path, self.limits = graph, archive, path, limits

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.path, name, read_part(self.path, self.archive, name, self.limits))

    def ordered(self, main: str, root: etree._Element, item: str, kind: str) -> list[str]:
        """Targets of `kind` in the order the main part lists them (`item` elements with an
        r:id), then any the list leaves out."""
        by_id = {r.id: r.target for r in self.graph.rels(main) if r.kind == kind}
        names = [by_id.pop(el.get(R_ID, ""), "") for el in root.iter(f"{{*}}{item}")]
        return [n for n in [*names, *by_id.values()] if n and n in self.graph.reachable]

    def related(self, part: str, kind: str) -> list[str]:
        return [r.target for r in self.graph.rels(part) if r.kind == kind and not r.external
                and r.target in self.graph.reachable]  # fmt: skip


def read(
    family: str,
    main: str,
    graph: PackageGraph,
    archive: zipfile.ZipFile,
    path: str,
    limits: Limits,
) -> list[str]:
    reader = _Reader(graph, archive, path, limits)
    return _workbook(reader, main) if family == "xl" else _deck(reader, main)


def _workbook(reader: _Reader, main: str) -> list[str]:
    root = reader.xml(main)
    shared: list[str] = []
    for name in reader.related(main, "sharedStrings"):
        shared += ["".join(t.text or "" for t in si.iter("{*}t")) for si in reader.xml(name)]
    lines = []
    sheet_names = [el.get("name", "") for el in root.iter("{*}sheet")]
    for index, name in enumerate(reader.ordered(main, root, "sheet", "worksheet")):
        if index < len(sheet_names) and sheet_names[index]:
            lines.append(f"工作表：{sheet_names[index]}")
        for row in reader.xml(name).iter("{*}row"):
            cells = [_cell(c, shared) for c in row.iter("{*}c")]
            line = "\t".join(c for c in cells if c)
            if line.strip():
                lines.append(line)
        for comments in reader.related(name, "comments"):
            lines += xml_lines(reader.xml(comments))
    return lines


def _cell(cell: etree._Element, shared: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter("{*}t"))
    value = cell.find("{*}v")
    text = value.text or "" if value is not None else ""
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return ""
    return text


def _deck(reader: _Reader, main: str) -> list[str]:
    lines: list[str] = []
    for slide in reader.ordered(main, reader.xml(main), "sldId", "slide"):
        lines += xml_lines(reader.xml(slide))
        for notes in reader.related(slide, "notesSlide"):
            lines += xml_lines(reader.xml(notes))
    return lines
