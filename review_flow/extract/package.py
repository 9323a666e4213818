"""The part graph of an OPC package (.docx/.xlsx/.pptx): every relationship, and which parts
the relationships reach from `_rels/.rels`.

NOTE: part names are compared case-insensitively (OPC says part names are ASCII
case-insensitive, and Word finds `Media/Image1.PNG` as `media/image1.png`), so a target
spelled otherwise than its zip entry is not taken for a missing part and the entry for an
unreferenced one.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from review_flow.extract.limits import Limits, parse_xml, read_part

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RELS_NAME = re.compile(r"^(?:(?P<folder>.*)/)?_rels/(?P<base>[^/]*)\.rels$")

# Parts every package may hold without a relationship to them: the content types, and the
# document properties, which the extractors read by name whatever the relationships say.
ACCOUNTED = frozenset(
    {"[content_types].xml", "docprops/core.xml", "docprops/app.xml", "docprops/custom.xml"}
)


@dataclass(frozen=True, slots=True)
class Relationship:
    """One `Relationship` of a `.rels` part.

    `source` is the part it belongs to ("" for the package itself); `kind` is the last path
    segment of its type (`officeDocument`, `hyperlink`, `aFChunk`, `attachedTemplate` …);
    `target` is the zip entry it names, or for an external relationship the raw target.
    """

    source: str
    id: str
    kind: str
    target: str
    external: bool


class PackageGraph:
    """The relationships of every `.rels` part, and the parts they reach from the package."""

    def __init__(self, path: str, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.path = path
        self.names = [i.filename for i in archive.infolist() if not i.filename.endswith("/")]
        self._names = set(self.names)
        self._by_fold = {name.casefold(): name for name in self.names}
        self.by_source: dict[str, list[Relationship]] = {}
        # NOTE: a .rels part whose source part is not in the zip is no relationship part (no
        # reader looks at it): it is a part like any other, and unreferenced.
        self.rels_parts: set[str] = set()
        for name in self.names:
            match = RELS_NAME.match(name)
            if match:
                source = posixpath.join(match["folder"] or "", match["base"])
                if source and source.casefold() not in self._by_fold:
                    continue
                root = parse_xml(path, name, read_part(path, archive, name, limits))
                self.by_source[source.casefold()] = self._read(source, root)
                self.rels_parts.add(name)
        self.reachable = self._walk()
        # (the sources `internal` looks in, folded once: it is asked ~6 times a package)
        self._reached_sources = {""} | {name.casefold() for name in self.reachable}

    def _read(self, source: str, root: etree._Element) -> list[Relationship]:
        found = []
        folder = posixpath.dirname(source)
        for rel in root.iter(f"{{{REL_NS}}}Relationship"):
            raw = rel.get("Target") or ""
            kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
            external = (rel.get("TargetMode") or "").lower() == "external"
            target = raw if external else self.part_name(folder, raw)
            found.append(Relationship(source, rel.get("Id") or "", kind, target, external))
        return found

    def part_name(self, folder: str, target: str) -> str:
        """The zip entry a relative or absolute internal target names (as spelled in the zip
        when there is one)."""
        target = unquote(target.replace("\\", "/")).split("#", 1)[0]
        if target.startswith("/"):
            name = posixpath.normpath(target.lstrip("/"))
        else:
            name = posixpath.normpath(posixpath.join(folder, target))
        return self._by_fold.get(name.casefold(), name)

    def _walk(self) -> set[str]:
        reached: set[str] = set()
        queue: deque[str] = deque([""])
        while queue:
            for rel in self.rels(queue.popleft()):
                if rel.external or rel.target not in self._names:
                    continue
                if rel.target not in reached:
                    reached.add(rel.target)
                    queue.append(rel.target)
        return reached

    def rels(self, part: str) -> list[Relationship]:
        """The relationships of one part ("" for the package), in file order."""
        return self.by_source.get(part.casefold(), [])

    def target(self, part: str, rel_id: str) -> Relationship | None:
        return next((r for r in self.rels(part) if r.id == rel_id), None)

    def internal(self, *kinds: str) -> list[Relationship]:
        """Relationships of these kinds from reachable parts to parts the zip holds."""
        return [
            rel
            for source, rels in self.by_source.items()
            if source in self._reached_sources
            for rel in rels
            if rel.kind in kinds and not rel.external and rel.target in self._names
        ]

    def external(self) -> list[Relationship]:
        """Every external relationship, of reachable parts or not, in zip order."""
        return [rel for rels in self.by_source.values() for rel in rels if rel.external]

    def unreferenced(self) -> list[str]:
        """Parts no relationship reaches (not `.rels` parts, content types or properties)."""
        return [
            name
            for name in self.names
            if name not in self.reachable
            and name not in self.rels_parts
            and name.casefold() not in ACCOUNTED
        ]
