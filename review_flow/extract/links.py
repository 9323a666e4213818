"""What a .docx would fetch or open from outside itself: external relationships and the field
codes that include or link other files. Nothing is ever fetched; each becomes an
ActiveContent item, or a line in the extraction notes.

NOTE on hyperlinks: a 公文 links to gov.cn pages as a matter of course, and a reader clicking a
web link fetches nothing into the document; a warn finding for every such link would send most
documents to manual review for nothing. So plain http(s) and mailto links are listed in the
notes only, and a hyperlink to anything else (a file: or UNC path, which Windows opens with the
reader's credentials, ftp, javascript:, an application protocol) is active content.
Likewise an attached template on the author's local disk (WPS writes its own install path)
is a note; one on a server (http, UNC) is a remote template, which Word fetches on opening.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from review_flow.extract.model import ActiveContent
from review_flow.extract.package import Relationship

WEB = ("http", "https")
LOCAL_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|/(?!/))")  # D:\… or /opt/… but not //host
# Field codes that pull content from another file or program when fields are updated.
FIELDS = {"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "DDE", "DDEAUTO", "LINK", "IMPORT"}
MAX_NOTES = 20
QUOTED = re.compile(r'"([^"]*)"')  # LINK Excel.Sheet.12 "D:\\a.xlsx": the file, not the class


def cut(target: str) -> str:
    """A target without its query string, fragment or user:password (they may carry tokens)."""
    target = target.strip()
    if LOCAL_PATH.match(target) or target.startswith("\\\\"):
        return re.split(r"[?#]", target, maxsplit=1)[0]
    try:
        parts = urlsplit(target)
    except ValueError:
        return re.split(r"[?#]", target, maxsplit=1)[0]
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def is_remote(target: str) -> bool:
    """Whether opening this target reaches another machine (a URL or a UNC path)."""
    target = target.strip()
    if target.startswith(("\\\\", "//")):
        return True
    if LOCAL_PATH.match(target):
        return False
    parts = urlsplit(target)
    if parts.scheme.lower() == "file":
        return (parts.hostname or "localhost") != "localhost"
    return bool(parts.scheme)


def external_items(rels: list[Relationship]) -> tuple[list[ActiveContent], list[str]]:
    """Active content items and notes for every external relationship."""
    items: list[ActiveContent] = []
    notes: list[str] = []
    for rel in rels:
        where, target = rel.source or "package", cut(rel.target)
        if rel.kind == "hyperlink":
            scheme = urlsplit(rel.target.strip()).scheme.lower() if ":" in rel.target else ""
            if scheme in WEB:
                notes.append(f"external hyperlink (not fetched): {target}")
            elif scheme == "mailto":
                domain = rel.target.rsplit("@", 1)[-1].split("?", 1)[0]
                notes.append(f"e-mail link: mailto:***@{domain}")
            else:
                items.append(
                    ActiveContent(
                        "external_hyperlink", where, f"hyperlink to a non-web target: {target}"
                    )
                )
        elif rel.kind == "attachedTemplate":
            if is_remote(rel.target):
                items.append(
                    ActiveContent(
                        "remote_template", where, f"template fetched on opening: {target}"
                    )
                )
            else:
                name = posixpath.basename(target.replace("\\", "/"))
                notes.append(f"attached template on the author's disk: {name}")
        elif rel.kind == "image":
            if is_remote(rel.target):
                items.append(
                    ActiveContent("external_image", where, f"picture fetched on opening: {target}")
                )
            else:  # (Lotus Notes exports link file:///icons/ecblank.gif: nothing leaves)
                name = posixpath.basename(target.replace("\\", "/"))
                notes.append(f"linked picture on the reader's own disk, not in the file: {name}")
        else:
            items.append(
                ActiveContent("external_relationship", where, f"external {rel.kind}: {target}")
            )
    items = list(dict.fromkeys(items))  # the same picture may be linked twice in a part
    notes = list(dict.fromkeys(notes))  # the same link may stand in every header
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES:] = [f"… and {len(notes) - MAX_NOTES} more links"]
    return items, notes


def field_items(part: str, root: etree._Element) -> list[ActiveContent]:
    """INCLUDETEXT, INCLUDEPICTURE, DDE, DDEAUTO, LINK … fields of one part, in w:instrText
    runs (a code may span several runs, and fields nest) and in w:fldSimple/@w:instr."""
    found: list[ActiveContent] = []
    stack: list[list[str]] = []  # the instruction pieces of each open field

    def judge(instruction: str) -> None:
        words = instruction.split(None, 1)
        if words and words[0].upper() in FIELDS:
            name = words[0].upper()
            rest = words[1] if len(words) > 1 else ""
            quoted = QUOTED.search(rest)
            raw = quoted.group(1) if quoted else (rest.split() or [""])[0]
            target = cut(raw.replace("\\\\", "\\"))  # a field code doubles its backslashes
            detail = f"{name} field: {target}" if target else f"{name} field"
            found.append(ActiveContent(f"field_{name.lower()}", part, detail))

    for el in root.iter("{*}fldChar", "{*}instrText", "{*}fldSimple"):
        ns = etree.QName(el).namespace
        local = etree.QName(el).localname
        if local == "fldSimple":
            judge(el.get(f"{{{ns}}}instr") or "")
        elif local == "instrText":
            if stack:
                stack[-1].append(el.text or "")
            else:
                judge(el.text or "")
        else:
            kind = el.get(f"{{{ns}}}fldCharType")
            if kind == "begin":
                stack.append([])
            elif kind in ("separate", "end") and stack:
                pieces = stack.pop()
                if kind == "separate":
                    judge("".join(pieces))
                    stack.append(["\x00"])  # judged: ignore until the end
                elif pieces[:1] != ["\x00"]:
                    judge("".join(pieces))
    return found
