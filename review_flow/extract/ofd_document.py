"""One OFD document (`Document.xml`): its pages with their templates, annotations, outlines,
permissions and actions, read in page order into the package's TextBuilder.

NOTE: a template's text is drawn on the page that uses it, so it is read with that page's
text, in reading order, labelled `template` in the `page` container: a 版头 or a 密级 marking
kept in a template then stands at the top of the page, where the scanner looks for the head
of a 公文, as it would in a PDF of the same page.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree

from review_flow.extract import ofd_geometry as geometry
from review_flow.extract import ofd_layout as layout
from review_flow.extract.model import UnreadablePage, Where
from review_flow.extract.ofd_parts import attachments, custom_tags, signatures

if TYPE_CHECKING:
    from review_flow.extract.ofd_package import Package

MISSING_PAGE = "page content is missing from the package"
OCR_LAYER = "invisible text over a page-size image read as its OCR layer"


class Document:
    """Reads one DocRoot; `pkg` collects the text, notes and findings."""

    def __init__(self, pkg: Package, name: str) -> None:
        self.pkg, self.name = pkg, name
        self.folder = posixpath.dirname(name)
        self.root = pkg.xml(name)
        self.t = t = geometry.tags_for(self.root)
        common = self.root.find(t("CommonData"))
        self.page_box = geometry.A4
        self.templates: dict[str, str] = {}  # TemplatePage ID → part
        self.used: set[str] = set()
        self.composites: dict[str, etree._Element] = {}
        if common is not None:
            area = common.find(t("PageArea"))
            if area is not None:
                self.page_box = geometry.box(area.findtext(t("PhysicalBox"))) or geometry.A4
            for tpl in common.iterchildren(t("TemplatePage")):
                part = pkg.locate(self.folder, tpl.get("BaseLoc"))
                if part is None:
                    pkg.missing("template", tpl.get("BaseLoc"))
                else:
                    self.templates[tpl.get("ID", "")] = part
            for res in (*common.iterchildren(t("PublicRes")), *common.iterchildren(
                    t("DocumentRes"))):  # fmt: skip
                self.resources(self.folder, res.text)
        self.page_numbers: dict[str, int] = {}
        self._template_roots: dict[str, etree._Element] = {}

    def resources(self, folder: str, loc: str | None) -> None:
        """Index the CompositeGraphicUnits of one resource part (their content holds text)."""
        part = self.pkg.locate(folder, loc)
        if part is None:
            return
        root = self.pkg.xml(part)
        t = geometry.tags_for(root)
        for unit in root.iter(t("CompositeGraphicUnit")):
            content = unit.find(t("Content"))
            if content is not None and unit.get("ID"):
                self.composites[unit.get("ID", "")] = content

    def read(self) -> None:
        t, pkg = self.t, self.pkg
        pages = self.root.find(t("Pages"))
        for page in pages.iterchildren(t("Page")) if pages is not None else ():
            pkg.pages += 1
            self.page_numbers[page.get("ID", "")] = pkg.pages
            self.page(pkg.pages, pkg.locate(self.folder, page.get("BaseLoc")))
        self.unused_templates()
        self.annotations(pkg.locate(self.folder, self.root.findtext(t("Annotations"))))
        self.outlines()
        self.permissions()
        self.actions(self.root, self.name, None)
        attachments(pkg, self.folder, self.root.findtext(t("Attachments")))
        custom_tags(pkg, self.folder, self.root.findtext(t("CustomTags")))

    def signatures(self, part: str | None) -> None:
        signatures(self.pkg, part, self.page_numbers)

    # -- pages ----------------------------------------------------------------------------
    def page(self, number: int, part: str | None) -> None:
        pkg = self.pkg
        if part is None:
            pkg.unreadable.append(UnreadablePage(number, MISSING_PAGE))
            return
        root = pkg.xml(part)
        t = geometry.tags_for(root)
        bounds = geometry.page_box(root, self.page_box)
        reader = layout.LayoutReader(bounds, self.composites, pkg.path)
        res = root.find(t("PageRes"))
        if res is not None:
            self.resources(posixpath.dirname(part), res.text)
        found = layout.Layout()
        refs = list(root.iterchildren(t("Template")))
        front = [r for r in refs if r.get("ZOrder", "").strip().lower() == "foreground"]
        self.templates_of(reader, [r for r in refs if r not in front], found)
        content = root.find(t("Content"))
        if content is not None:
            reader.read(content, Where.PAGE, found)
        self.templates_of(reader, front, found)  # drawn over the page's own content
        found.mark_covered()
        area = abs(bounds[2] * bounds[3])
        runs = self.ocr_layer(number, found, area)
        if runs is found.runs:
            for reason, count in found.reasons.items():
                pkg.notes.append(f"page {number}: {count} characters {reason}")
        pkg.judge(number, dataclasses.replace(found, runs=runs), area)
        layout.write(pkg.out, runs, Where.PAGE, part, number)
        pkg.out.separate("\n")
        self.actions(root, f"page {number}", number)

    def templates_of(
        self, reader: layout.LayoutReader, refs: list[etree._Element], found: layout.Layout
    ) -> None:
        for ref in refs:
            template = self.template(ref.get("TemplateID", ""))
            if template is not None:
                content = template.find(geometry.tags_for(template)("Content"))
                if content is not None:
                    reader.read(content, Where.TEMPLATE, found)

    def ocr_layer(self, number: int, found: layout.Layout, area: float) -> list[layout.Run]:
        """Invisible text over a page-size scan is what a reader sees, as OCR (as in PDF)."""
        share = found.image_area / area if area > 0 else 0.0
        if not found.reasons or share < layout.SCAN_IMAGE_SHARE:
            return found.runs
        if found.visible_chars >= layout.SCAN_MAX_CHARS:
            return found.runs
        self.pkg.notes.append(f"page {number}: {OCR_LAYER}")
        return [dataclasses.replace(r, hidden="") for r in found.runs]

    def template(self, template_id: str) -> etree._Element | None:
        part = self.templates.get(template_id)
        if part is None:
            return None
        self.used.add(template_id)
        if template_id not in self._template_roots:
            self._template_roots[template_id] = self.pkg.xml(part)
        return self._template_roots[template_id]

    def unused_templates(self) -> None:
        """Templates no page draws: nobody sees them, but their text is in the file."""
        for template_id, part in self.templates.items():
            if template_id in self.used:
                continue
            root = self.pkg.xml(part)
            content = root.find(geometry.tags_for(root)("Content"))
            if content is None:
                continue
            found = layout.Layout()
            bounds = geometry.page_box(root, self.page_box)
            layout.LayoutReader(bounds, self.composites, self.pkg.path).read(
                content, Where.TEMPLATE, found
            )
            if found.runs:
                self.pkg.notes.append(f"template {part} is used by no page; its text is read")
                layout.write(self.pkg.out, found.runs, Where.TEMPLATE, part, None)
                self.pkg.out.separate("\n")

    # -- annotations, outlines, permissions, actions ---------------------------------------
    def annotations(self, part: str | None) -> None:
        if part is None:
            return
        pkg, root = self.pkg, self.pkg.xml(part)
        t = geometry.tags_for(root)
        authors: list[str] = []
        for page in root.iterchildren(t("Page")):
            number = self.page_numbers.get(page.get("PageID", ""))
            loc = page.findtext(t("FileLoc"))
            name = pkg.locate(posixpath.dirname(part), loc)
            if name is None:
                pkg.missing("annotation part", loc)
                continue
            page_annots = pkg.xml(name)
            at = geometry.tags_for(page_annots)
            for annot in page_annots.iterchildren(at("Annot")):
                self.annotation(annot, at, name, number)
                creator = (annot.get("Creator") or "").strip()
                if creator and creator not in authors:
                    authors.append(creator)
            self.actions(page_annots, f"annotations of page {number}", number)
        if authors:
            pkg.add_property(f"批注作者：{'、'.join(authors)}", "annot-authors")

    def annotation(
        self, annot: etree._Element, t: geometry.Tags, part: str, number: int | None
    ) -> None:
        out = self.pkg.out
        hidden = layout.hidden_unit(annot)
        remark = (annot.findtext(t("Remark")) or "").strip()
        if remark:
            out.add(remark, Where.INVISIBLE if hidden else Where.ANNOTATION, Where.ANNOTATION,
                    part, number)  # fmt: skip
            out.separate("\n")
        appearance = annot.find(t("Appearance"))
        bounds = geometry.box(appearance.get("Boundary")) if appearance is not None else None
        if appearance is None or bounds is None:
            return
        found = layout.Layout()
        reader = layout.LayoutReader((-1e9, -1e9, 2e9, 2e9), self.composites, self.pkg.path)
        reader.read(
            appearance, Where.ANNOTATION, found, geometry.translate(bounds[0], bounds[1]), hidden
        )
        layout.write(out, found.runs, Where.ANNOTATION, part, number)
        out.separate("\n")

    def outlines(self) -> None:
        outlines = self.root.find(self.t("Outlines"))
        if outlines is None:
            return
        for elem in outlines.iter(self.t("OutlineElem")):
            title = " ".join((elem.get("Title") or "").split())
            self.pkg.add_property(f"书签：{title}", "outline")

    def permissions(self) -> None:
        found = self.root.find(self.t("Permissions"))
        if found is None:
            return
        denied = [
            etree.QName(el).localname for el in found
            if isinstance(el.tag, str)
            and ((el.text or "").strip().lower() == "false"
                 or (el.get("Printable") or "").strip().lower() == "false")
        ]  # fmt: skip
        if denied:
            self.pkg.add_active(
                "restricted", self.name, f"the document denies: {', '.join(sorted(denied))}"
            )

    def actions(self, root: etree._Element, where: str, number: int | None) -> None:
        """URI, attachment, sound and movie actions (and scripts) → active content."""
        t = geometry.tags_for(root)
        for action in root.iter(t("Action")):
            event = action.get("Event", "")
            for child in action:
                if not isinstance(child.tag, str):
                    continue
                kind, detail = _action(child)
                if kind:
                    detail = f"{detail} (on {event})" if event else detail
                    self.pkg.add_active(kind, where, detail, number)


def _action(el: etree._Element) -> tuple[str, str]:
    """(kind, detail) of one action; ("", "") for a jump inside the document (Goto)."""
    name = etree.QName(el).localname
    if name == "Goto":
        return "", ""
    if name == "URI":
        uri = el.get("URI", "")
        try:
            host = urlsplit(uri).hostname or urlsplit(uri).scheme or "?"
        except ValueError:
            host = "?"
        return "uri_action", f"URI action to {host}"
    if name == "GotoA":
        return "attachment_action", "action opening an attached file"
    if name in ("Sound", "Movie"):
        return f"{name.lower()}_action", f"{name} action playing an embedded resource"
    if "script" in name.lower():
        return "javascript", f"{name} action"
    return "action", f"{name} action"
