"""Redacts a Word (OOXML) package: masks in every part and paragraph (values split across runs,
fields, text boxes, headers, footers, notes, properties, relationship targets), and removes what
a publication must not carry. Reads with zipfile and lxml under the extraction limits; builds a
new package with the same parts in the same order. Never touches a database or a file.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits, check_zip, parse_xml, read_part
from review_flow.redact.masks import Finder, decoded
from review_flow.redact.report import Masked, Options, Redacted, Removal

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
O_NS = "{urn:schemas-microsoft-com:office:office}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CT_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"

PARAGRAPHS = (W + "p", A + "p")
TEXTS = (W + "t", W + "delText", W + "instrText", W + "delInstrText", A + "t")
# Elements holding revision markers for their parent (a paragraph mark, a row), not content.
PROPERTIES = {W + "rPr", W + "trPr", W + "tcPr", W + "pPr"}
FORMAT_CHANGES = tuple(
    W + n for n in ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange",
                    "trPrChange", "tcPrChange", "tblPrExChange", "numberingChange")
)  # fmt: skip
MOVE_RANGES = tuple(
    W + n for n in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd")
)
# Relationship types (last path segment) of parts a publication never carries.
COMMENT_PARTS = {"comments", "commentsExtended", "commentsIds", "commentsExtensible", "people"}
PROPERTY_PARTS = {"custom-properties", "thumbnail"}
CORE_PERSONAL = (DC + "creator", CP + "lastModifiedBy")
APP_PERSONAL = (EP + "Company", EP + "Manager")
_TAG = re.compile(r"<[^>]*>")


def redact(data: bytes, path: str, finder: Finder, options: Options, limits: Limits) -> Redacted:
    """The redacted package and its removal report (ExtractionError on a bad package)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(path, "corrupt or truncated zip container") from exc
    with archive:
        check_zip(path, archive, limits)
        package = _Package(path, archive, limits)
    package.clean(options)
    package.mask(finder)
    return Redacted(package.build(), "docx", tuple(package.masked), tuple(package.removals))


@dataclass
class _Package:
    path: str
    archive: zipfile.ZipFile
    limits: Limits
    infos: list[zipfile.ZipInfo] = field(default_factory=list)
    raw: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, etree._Element] = field(default_factory=dict)  # parsed (and maybe changed)
    removed: set[str] = field(default_factory=set)
    removals: list[Removal] = field(default_factory=list)
    masked: list[Masked] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.infos = [i for i in self.archive.infolist() if not i.is_dir()]
        for info in self.infos:
            self.raw[info.filename] = read_part(self.path, self.archive, info.filename, self.limits)

    # -- parts and relationships -------------------------------------------------------------
    def xml(self, name: str) -> etree._Element:
        if name not in self.trees:
            self.trees[name] = parse_xml(self.path, name, self.raw[name])
        return self.trees[name]

    def is_xml(self, name: str) -> bool:
        return name.endswith((".xml", ".rels")) or self.raw[name].lstrip()[:5] == b"<?xml"

    def rels(self, part: str) -> Iterable[tuple[etree._Element, str, str]]:
        """(element, type suffix, target part) of a part's internal relationships."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", base + ".rels")
        if name not in self.raw or name in self.removed:
            return
        for rel in list(self.xml(name).iter(REL)):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))  # fmt: skip
            yield rel, (rel.get("Type") or "").rsplit("/", 1)[-1], resolved

    def drop(self, name: str, what: str, detail: str = "") -> None:
        if name in self.raw and name not in self.removed:
            self.removed.add(name)
            self.removals.append(Removal(what, name, detail))

    def drop_related(self, kinds: set[str], what: str) -> None:
        """Remove every part reached by a relationship of these kinds, and the relationship."""
        for part in self.live():
            for rel, kind, target in list(self.rels(part)):
                if kind in kinds:
                    rel.getparent().remove(rel)
                    self.drop(target, what if kind != "thumbnail" else "thumbnail")

    def live(self) -> list[str]:
        return [""] + [i.filename for i in self.infos if i.filename not in self.removed]

    def word_parts(self) -> list[etree._Element]:
        """Parsed WordprocessingML parts still in the package (body, headers, notes …)."""
        roots = []
        for name in self.live()[1:]:
            if name.endswith(".xml") and b"wordprocessingml/2006/main" in self.raw[name][:4096]:
                roots.append(self.xml(name))
        return roots

    # -- removals ------------------------------------------------------------------------------
    def clean(self, options: Options) -> None:
        comments = sum(
            len(root.findall(W + "comment")) for root in self.word_parts()
            if root.tag == W + "comments"
        ) if options.comments else 0  # fmt: skip
        counts = {"comments": comments, "insertions": 0, "deletions": 0, "formatting": 0,
                  "hidden": 0, "custom_xml": 0, "embedded": 0}  # fmt: skip
        embedded_ids = self._embedded_rel_ids(options.embedded)
        for root in self.word_parts():
            if options.revisions:
                _revisions(root, counts)
            if options.comments:
                _comment_anchors(root)
            if options.hidden:
                _hidden_runs(root, counts)
            if options.custom_xml:
                _custom_xml(root, counts)
            for ole in list(root.iter(O_NS + "OLEObject")):
                if ole.get(R_ID) in embedded_ids:
                    ole.getparent().remove(ole)
                    counts["embedded"] += 1
        report = (("comments", "comment", options.comments),
                  ("insertions", "tracked_insertion_accepted", options.revisions),
                  ("deletions", "tracked_deletion", options.revisions),
                  ("formatting", "tracked_formatting", options.revisions),
                  ("hidden", "hidden_text", options.hidden))  # fmt: skip
        for key, what, wanted in report:
            if wanted and counts[key]:
                self.removals.append(Removal(what, "word", f"{counts[key]} item(s)"))
        if options.comments:
            self.drop_related(COMMENT_PARTS, "comment_part")
        if options.properties:
            self._properties()
        if options.custom_xml:
            self.drop_related({"customXml"}, "custom_xml")
            for name in self.live()[1:]:
                if name.startswith("customXml/"):
                    self.drop(name, "custom_xml")
        for part in options.embedded:
            self._drop_embedded(part)
        if options.unreferenced:
            self._unreferenced()

    def _properties(self) -> None:
        self.drop_related(PROPERTY_PARTS, "property")
        for name, tags in (
            ("docProps/core.xml", CORE_PERSONAL),
            ("docProps/app.xml", APP_PERSONAL),
        ):
            if name not in self.raw or name in self.removed:
                continue
            root = self.xml(name)
            for el in [e for e in root if e.tag in tags and (e.text or "").strip()]:
                root.remove(el)
                self.removals.append(Removal("property", name, etree.QName(el).localname))

    def _embedded_rel_ids(self, parts: tuple[str, ...]) -> set[str]:
        wanted = set(parts)
        return {
            rel.get("Id") or ""
            for part in self.live()
            for rel, _kind, target in self.rels(part)
            if target in wanted
        }

    def _drop_embedded(self, name: str) -> None:
        for part in self.live():
            for rel, _kind, target in list(self.rels(part)):
                if target == name:
                    rel.getparent().remove(rel)
        self.drop(name, "embedded_object", "confirmed by a finding")

    def _unreferenced(self) -> None:
        reached: set[str] = {""}
        todo = [""]
        while todo:
            for _rel, _kind, target in self.rels(todo.pop()):
                if target not in reached and target in self.raw and target not in self.removed:
                    reached.add(target)
                    todo.append(target)
        for name in self.live()[1:]:
            folder, base = posixpath.split(name)
            if name == "[Content_Types].xml" or name in reached:
                continue
            if posixpath.basename(folder) == "_rels":
                owner = posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))
                if owner in reached or (owner == "" and base == ".rels"):
                    continue
            self.drop(name, "unreferenced_part")

    # -- masks ---------------------------------------------------------------------------------
    def mask(self, finder: Finder) -> None:
        for name in self.live()[1:]:
            if not self.is_xml(name):
                continue
            text = decoded(self.raw[name])
            if finder.first(text) is None and finder.first(_TAG.sub("", text)) is None:
                continue  # (most parts: styles, fonts, theme)
            shown: list[str] = []
            root = self.xml(name)
            _mask_paragraphs(root, finder, shown)
            _mask_everything(root, finder, shown)
            if shown:
                self.masked.append(Masked(name, len(shown), tuple(dict.fromkeys(shown))))

    # -- the new package -----------------------------------------------------------------------
    def build(self) -> bytes:
        types = "[Content_Types].xml"
        if types in self.raw:
            root = self.xml(types)
            for override in list(root.iter(CT_OVERRIDE)):
                if (override.get("PartName") or "").lstrip("/") in self.removed:
                    root.remove(override)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            for info in self.infos:
                name = info.filename
                if name in self.removed:
                    continue
                data = self.raw[name]
                if name in self.trees:
                    data = etree.tostring(
                        self.trees[name], xml_declaration=True, encoding="UTF-8", standalone=True
                    )
                copy = zipfile.ZipInfo(name, date_time=info.date_time)
                copy.compress_type = info.compress_type
                package.writestr(copy, data)
        return out.getvalue()


# -- what is removed inside the WordprocessingML parts ------------------------------------------
def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    at = parent.index(el)
    for child in list(el):
        parent.insert(at, child)
        at += 1
    parent.remove(el)


def _revisions(root: etree._Element, counts: dict[str, int]) -> None:
    """Insertions accepted, deletions dropped, formatting changes forgotten.

    NOTE: a marker on a paragraph mark or a table row (inside w:rPr/w:trPr) is removed, not
    acted on: the paragraph or row stays, so the document keeps its paragraphs and tables.
    """
    for el in list(root.iter(W + "del", W + "moveFrom")):
        if el.getparent().tag not in PROPERTIES:
            counts["deletions"] += 1
        el.getparent().remove(el)
    for el in list(root.iter(W + "ins", W + "moveTo")):
        if el.getparent().tag in PROPERTIES:
            el.getparent().remove(el)
        else:
            counts["insertions"] += 1
            _unwrap(el)
    for el in list(root.iter(*FORMAT_CHANGES, *MOVE_RANGES, W + "cellIns", W + "cellDel")):
        counts["formatting"] += el.tag in FORMAT_CHANGES
        el.getparent().remove(el)


def _comment_anchors(root: etree._Element) -> None:
    for el in list(root.iter(W + "commentRangeStart", W + "commentRangeEnd")):
        el.getparent().remove(el)
    for ref in list(root.iter(W + "commentReference")):
        run = ref.getparent()
        rest = [c for c in run if c is not ref and c.tag != W + "rPr"]
        target = run if run.tag == W + "r" and not rest else ref
        target.getparent().remove(target)


def _hidden_runs(root: etree._Element, counts: dict[str, int]) -> None:
    for vanish in list(root.iter(W + "vanish")):
        rpr = vanish.getparent()
        run = rpr.getparent()
        if run is None or run.tag != W + "r":
            continue  # a hidden paragraph mark or a style: no text of its own
        if vanish.get(W + "val", "true") in ("0", "false", "off"):
            continue
        run.getparent().remove(run)
        counts["hidden"] += 1


def _custom_xml(root: etree._Element, counts: dict[str, int]) -> None:
    for el in list(root.iter(W + "customXml")):
        counts["custom_xml"] += 1
        for props in el.findall(W + "customXmlPr"):
            el.remove(props)
        _unwrap(el)
    for binding in list(root.iter(W + "dataBinding")):
        binding.getparent().remove(binding)


# -- masks inside one part ----------------------------------------------------------------------
def _mask_paragraphs(root: etree._Element, finder: Finder, shown: list[str]) -> None:
    """Masks values inside each paragraph, across its runs, fields and breaks in the runs.

    The text nodes of a paragraph (not those of a text box paragraph nested in it) are joined,
    masked (masks keep lengths), and written back node by node.
    """
    for p in root.iter(*PARAGRAPHS):
        nodes = [t for t in p.iter(*TEXTS) if t.text and next(t.iterancestors(*PARAGRAPHS)) is p]
        joined = "".join(t.text for t in nodes)
        new, count = finder.sub(joined, shown)
        if not count:
            continue
        at = 0
        for t in nodes:
            size = len(t.text)
            t.text = new[at : at + size]
            at += size


def _mask_everything(root: etree._Element, finder: Finder, shown: list[str]) -> None:
    """Masks what the paragraph pass cannot see: properties, attributes (alt text, field
    instructions, link targets), text outside paragraphs."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if value:
                new, count = finder.sub(value, shown)
                if count:
                    setattr(el, attr, new)
        for key, value in el.attrib.items():
            new, count = finder.sub(value, shown)
            if count:
                el.set(key, new)
