"""Spreadsheets (.xlsx, and .xls/.et/.ods after LibreOffice made them .xlsx) → Extracted: every
sheet's name and cells, hidden sheets, rows and columns, cell comments, page headers and
footers, and document properties. Reads the package with zipfile and lxml, like docx.py.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits, open_zip, parse_xml, read_part
from review_flow.extract.model import Extracted, TextBuilder, Where
from review_flow.extract.package import REL_NS
from review_flow.extract.properties import core_and_app_properties

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
S = f"{{{MAIN_NS}}}"
# Page header/footer codes: &L &C &R, &P &N &D &T &F &A, &"font,style", &12 (size), &B &I …
HEADER_CODE = re.compile(r'&(?:"[^"]*"|[0-9]+|[A-Za-z&])')


def extract(data: bytes, path: str, limits: Limits) -> Extracted:
    with open_zip(path, data, limits) as archive:
        return _Workbook(path, archive, limits).extract()


def _cell_text(el: etree._Element) -> str:
    """The text of a shared string, inline string or comment: its t elements, no phonetics."""
    return "".join(t.text or "" for t in el.iter(f"{S}t") if t.getparent().tag != f"{S}rPh")


def _column_number(ref: str) -> int:
    number = 0
    for char in ref:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


class _Workbook:
    def __init__(self, path: str, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.path, self.archive, self.limits = path, archive, limits
        self.names = set(archive.namelist())
        self.out = TextBuilder()

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.path, name, read_part(self.path, self.archive, name, self.limits))

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type suffix, part name) of a part's internal relationships."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", base + ".rels")
        if name not in self.names:
            return {}
        found = {}
        for rel in self.xml(name).iter(f"{{{REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            resolved = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            found[rel.get("Id") or ""] = (kind, resolved)
        return found

    def extract(self) -> Extracted:
        book = "xl/workbook.xml"
        if book not in self.names:
            raise ExtractionError(self.path, "zip file is not a spreadsheet (no xl/workbook.xml)")
        root = self.xml(book)
        rels = self.rels(book)
        strings = self.shared_strings(rels)
        for sheet in root.iter(f"{S}sheet"):
            kind, part = rels.get(sheet.get(f"{{{DOC_REL_NS}}}id") or "", ("", ""))
            if kind != "worksheet" or part not in self.names:
                continue
            hidden = sheet.get("state") in ("hidden", "veryHidden")
            self.worksheet(sheet.get("name") or "", part, strings, hidden)
        self.properties()
        return Extracted(
            path=self.path, sha256="", size=0, format="xlsx",
            text=self.out.text(), segments=tuple(self.out.segments),
        )  # fmt: skip

    def shared_strings(self, rels: dict[str, tuple[str, str]]) -> list[str]:
        parts = [name for kind, name in rels.values() if kind == "sharedStrings"]
        if not parts or parts[0] not in self.names:
            return []
        return [_cell_text(si) for si in self.xml(parts[0]).iterchildren(f"{S}si")]

    def worksheet(self, name: str, part: str, strings: list[str], hidden: bool) -> None:
        out = self.out
        root = self.xml(part)
        title_where = Where.HIDDEN if hidden else Where.TABLE
        out.add(f"工作表：{name}", title_where, Where.TABLE, part)
        out.separate("\n")
        hidden_columns = self.hidden_columns(root)
        for row in root.iter(f"{S}row"):
            row_hidden = hidden or row.get("hidden") in ("1", "true")
            for cell in row.iterchildren(f"{S}c"):
                text = self.cell_value(cell, strings)
                if not text:
                    continue
                column = _column_number(cell.get("r") or "")
                where = Where.HIDDEN if row_hidden or column in hidden_columns else Where.TABLE
                out.add(text, where, Where.TABLE, part)
                out.separate("\t")
            out.separate("\n")
        for el in root.iter(f"{S}oddHeader", f"{S}evenHeader", f"{S}firstHeader",
                            f"{S}oddFooter", f"{S}evenFooter", f"{S}firstFooter"):  # fmt: skip
            text = HEADER_CODE.sub(" ", el.text or "").strip()
            if text:
                where = Where.HEADER if "Header" in etree.QName(el).localname else Where.FOOTER
                out.add(text, where, where, part)
                out.separate("\n")
        for kind, comments in self.rels(part).values():
            if kind == "comments" and comments in self.names:
                self.comments(comments)
        out.separate("\n")

    def hidden_columns(self, root: etree._Element) -> set[int]:
        hidden: set[int] = set()
        for col in root.iter(f"{S}col"):
            if col.get("hidden") in ("1", "true"):
                try:
                    low, high = int(col.get("min") or 0), int(col.get("max") or 0)
                except ValueError:
                    continue
                hidden.update(range(low, min(high, low + 16384) + 1))
        return hidden

    def cell_value(self, cell: etree._Element, strings: list[str]) -> str:
        kind = cell.get("t")
        if kind == "inlineStr":
            inline = cell.find(f"{S}is")
            return _cell_text(inline) if inline is not None else ""
        value = cell.findtext(f"{S}v") or ""
        if kind == "s":
            try:
                return strings[int(value)]
            except (ValueError, IndexError):
                return ""
        return value

    def comments(self, part: str) -> None:
        root = self.xml(part)
        for comment in root.iter(f"{S}comment"):
            text = _cell_text(comment.find(f"{S}text") if comment.find(f"{S}text") is not None
                              else comment)  # fmt: skip
            if text.strip():
                self.out.add(text.strip(), Where.COMMENT, Where.COMMENT, part)
                self.out.separate("\n")
        authors = [a.text.strip() for a in root.iter(f"{S}author") if a.text and a.text.strip()]
        if authors:
            self.out.add(f"批注作者：{'、'.join(sorted(set(authors)))}", Where.PROPERTY, part=part)
            self.out.separate("\n")

    def properties(self) -> None:
        core_and_app_properties(self.names, self.xml, self.out)
