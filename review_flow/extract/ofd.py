"""OFD (GB/T 33190-2016) documents → Extracted: pages with their templates, annotations,
attachments, custom tags and document metadata, read from the package's XML.

Follows the package the way a reader does: `OFD.xml` → `DocBody/DocRoot` → `Document.xml` →
each `Page/@BaseLoc`. ofd_document.py reads a document's pages, templates and annotations,
ofd_layout.py places their text on the page, ofd_parts.py reads attachments, custom tags and
signatures, and ofd_package.py finds and parses the parts under the limits.
NOTE: read with zipfile and lxml, not easyofd or ofdparser: both unpack every entry to disk
with no size or ratio limit, easyofd pulls in PyMuPDF (AGPL) to render, and ofdparser shells
out with file names in the command line. Reading the XML is the smaller, safer job.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract import ofd_geometry as geometry
from review_flow.extract.limits import Limits, check_zip
from review_flow.extract.model import Extracted
from review_flow.extract.ofd_document import Document
from review_flow.extract.ofd_package import Package
from review_flow.extract.ofd_parts import unreferenced

DOC_INFO_LABELS = {
    "Title": "标题", "Author": "作者", "Subject": "主题", "Abstract": "摘要",
    "Keywords": "关键词", "Creator": "创建程序", "DocUsage": "文档类型",
}  # fmt: skip


def extract(data: bytes, path: str, limits: Limits) -> Extracted:
    """Extract an OFD package given as bytes; the dispatcher fills in sha256 and size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(path, "corrupt or truncated OFD (zip) container") from exc
    with archive:
        check_zip(path, archive, limits)
        pkg = Package(path, archive, limits)
        read(pkg)
        return pkg.result()


def read(pkg: Package) -> None:
    """Every document the package's OFD.xml names, then its metadata, then stray parts."""
    if "Encryptions.xml" in pkg.names:
        raise ExtractionError(
            pkg.path, "encrypted OFD (GM/T 0099 Encryptions.xml): its content cannot be read",
            hint="ask the sender for an unencrypted copy and submit that",
        )  # fmt: skip
    if "OFD.xml" not in pkg.names:
        raise ExtractionError(pkg.path, "zip file is not an OFD document (no OFD.xml)")
    root = pkg.xml("OFD.xml")
    t = geometry.tags_for(root)
    bodies = root.findall(t("DocBody"))
    if not bodies:
        raise ExtractionError(pkg.path, "OFD.xml names no document (no DocBody)")
    for body in bodies:
        doc_root = pkg.locate("", body.findtext(t("DocRoot")))
        if doc_root is None:
            raise ExtractionError(pkg.path, "OFD.xml names a DocRoot that is not there")
        document = Document(pkg, doc_root)
        document.read()
        document.signatures(pkg.locate("", body.findtext(t("Signatures"))))
    for body in bodies:
        doc_info(pkg, body.find(t("DocInfo")), t)
        versions(pkg, body.find(t("Versions")), t)
    if "OFDEntries.xml" in pkg.names:  # GM/T 0099 integrity protection: a list of files
        pkg.read_parts.add("OFDEntries.xml")
        pkg.notes.append("integrity-protected package (GM/T 0099 OFDEntries.xml), not verified")
    unreferenced(pkg)


def doc_info(pkg: Package, info: etree._Element | None, t: geometry.Tags) -> None:
    """Title, author, subject, keywords, creator and custom data → properties."""
    if info is None:
        return
    for key, label in DOC_INFO_LABELS.items():
        el = info.find(t(key))
        if el is None:
            continue
        value = "、".join(s.strip() for s in el.itertext() if s.strip())
        pkg.add_property(f"{label}：{value}", f"ofd:{key}")
    custom = info.find(t("CustomDatas"))
    for data in custom.iterchildren(t("CustomData")) if custom is not None else ():
        name = data.get("Name", "")
        pkg.add_property(f"{name}：{(data.text or '').strip()}", f"custom:{name}")


def versions(pkg: Package, found: etree._Element | None, t: geometry.Tags) -> None:
    """Name the parts of each version (`Versions/Version`): those no page of the current
    document reaches are read later as that earlier version's."""
    for version in found.iterchildren(t("Version")) if found is not None else ():
        part = pkg.locate("", version.get("BaseLoc"))
        if part is None:
            pkg.missing("version", version.get("BaseLoc"))
            continue
        root = pkg.xml(part)
        vt = geometry.tags_for(root)
        label = f"version {version.get('Index') or version.get('ID') or '?'}"
        for file in root.iter(vt("File")):
            name = pkg.locate(posixpath.dirname(part), file.text)
            if name is not None:
                pkg.versions.setdefault(name, label)
        pkg.notes.append(f"the package keeps {label} ({part})")
