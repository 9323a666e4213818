"""The text of a PowerPoint deck embedded in a document: slide and notes text, slide by slide.
(An embedded workbook is read by sheet.py, as a workbook submitted on its own.)
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
    main: str,
    graph: PackageGraph,
    archive: zipfile.ZipFile,
    path: str,
    limits: Limits,
) -> list[str]:
    reader = _Reader(graph, archive, path, limits)
    return _deck(reader, main)


def _deck(reader: _Reader, main: str) -> list[str]:
    lines: list[str] = []
    for slide in reader.ordered(main, reader.xml(main), "sldId", "slide"):
        lines += xml_lines(reader.xml(slide))
        for notes in reader.related(slide, "notesSlide"):
            lines += xml_lines(reader.xml(notes))
    return lines
