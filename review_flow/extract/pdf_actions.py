"""The actions a PDF carries (JavaScript, launch, URI, form submission, …) → active content.

Reads the catalog's open action and additional actions, the JavaScript name tree, each page's
and annotation's actions and the form fields', following /Next chains. Nothing is ever run or
fetched. Plain web links on link annotations are ordinary in published 公文 (gov.cn pages), so
they are handed back as link text to scan, not as findings; every other URI is one.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from review_flow.extract.model import ActiveContent

log = logging.getLogger(__name__)

KINDS = {
    "/JavaScript": ("javascript", "JavaScript"),
    "/Launch": ("launch_action", "launch action (opens a program or file)"),
    "/URI": ("uri_action", "URI action"),
    "/SubmitForm": ("submit_form", "form submission to an address"),
    "/ImportData": ("import_data", "import of form data from a file"),
    "/GoToR": ("remote_goto", "link into another file"),
    "/GoToE": ("embedded_goto", "link into an embedded file"),
    "/Rendition": ("media", "media playback"),
    "/Movie": ("media", "media playback"),
    "/Sound": ("media", "media playback"),
}
MAX_ACTIONS = 1000  # actions followed in one file; a real 公文 has a handful
_WEB = re.compile(r"^https?://([^/?#@\s]+)(?:[/?#]|$)", re.IGNORECASE)
_PRIVATE_SUFFIXES = (".local", ".lan", ".internal", ".intranet", ".corp", ".localdomain")


@dataclass
class Actions:
    """What the walk found: active content items and the plain web links' addresses."""

    items: list[ActiveContent] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)  # (page, URI)
    seen: set[tuple[int, int]] = field(default_factory=set)
    followed: int = 0


def find_actions(pdf: pikepdf.Pdf) -> Actions:
    """Walk every place a PDF can hold an action; degrade to what was found on a bad object."""
    found = Actions()
    root = pdf.Root
    steps: list[tuple[object, str, int | None, bool]] = []
    if isinstance(root.get("/OpenAction"), pikepdf.Dictionary):
        steps.append((root.OpenAction, "document open action", None, False))
    steps += [(a, f"document action {k}", None, False) for k, a in _triggers(root.get("/AA"))]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        try:
            for _name, action in pikepdf.NameTree(names.JavaScript).items():
                steps.append((action, "document JavaScript (name tree)", None, False))
        except (pikepdf.PdfError, ValueError, TypeError) as exc:
            found.items.append(ActiveContent(
                "javascript", "document JavaScript", f"JavaScript name tree ({type(exc).__name__})"
            ))  # fmt: skip
    for number, page in enumerate(pdf.pages, 1):
        for k, a in _triggers(page.obj.get("/AA")):
            steps.append((a, f"page {number} action {k}", number, False))
        for annot in _array(page.obj.get("/Annots")):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            is_link = annot.get("/Subtype") == pikepdf.Name.Link
            steps.append((annot.get("/A"), f"page {number} annotation", number, is_link))
            for k, a in _triggers(annot.get("/AA")):
                steps.append((a, f"page {number} annotation {k}", number, False))
    steps += _field_actions(root.get("/AcroForm"))
    for step in steps:
        _follow(found, *step)
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        found.items.append(ActiveContent("xfa_form", "AcroForm", "XFA form (may carry scripts)"))
    return found


def _triggers(aa: object) -> Iterator[tuple[str, object]]:
    if isinstance(aa, pikepdf.Dictionary):
        yield from ((str(k), v) for k, v in aa.items())


def _array(value: object) -> list[object]:
    return list(value) if isinstance(value, pikepdf.Array) else []


def _field_actions(form: object) -> list[tuple[object, str, int | None, bool]]:
    """Additional actions of form fields that are not widgets on a page (parents of kids)."""
    steps: list[tuple[object, str, int | None, bool]] = []
    if not isinstance(form, pikepdf.Dictionary):
        return steps
    stack = [(f, 0) for f in _array(form.get("/Fields"))]
    visited = 0
    while stack and visited < MAX_ACTIONS:
        node, depth = stack.pop()
        visited += 1
        if not isinstance(node, pikepdf.Dictionary) or "/Subtype" in node:
            continue  # widgets were met on their page
        steps += [(a, f"form field action {k}", None, False) for k, a in _triggers(node.get("/AA"))]
        if depth < 16:
            stack += [(kid, depth + 1) for kid in _array(node.get("/Kids"))]
    return steps


def _follow(found: Actions, action: object, where: str, page: int | None, is_link: bool) -> None:
    """Record one action and those its /Next chain leads to."""
    queue = [action]
    while queue and found.followed < MAX_ACTIONS:
        current = queue.pop(0)
        if not isinstance(current, pikepdf.Dictionary):
            continue
        if current.is_indirect:
            if current.objgen in found.seen:
                continue
            found.seen.add(current.objgen)
        found.followed += 1
        _record(found, current, where, page, is_link)
        chained = current.get("/Next")
        queue += _array(chained) if isinstance(chained, pikepdf.Array) else [chained]


def _record(
    found: Actions, action: pikepdf.Dictionary, where: str, page: int | None, is_link: bool
) -> None:
    kind_name = str(action.get("/S", ""))
    if kind_name not in KINDS:
        return
    kind, what = KINDS[kind_name]
    if kind == "uri_action":
        uri = _text(action.get("/URI"))
        concern = uri_concern(uri)
        if is_link and not concern:
            found.links.append((page or 0, uri))
            return
        what = f"{what}: {concern or 'not on a link (runs when its trigger fires)'}"
    found.items.append(ActiveContent(kind, where, what, page))


def _text(value: object) -> str:
    if isinstance(value, pikepdf.String):
        raw = bytes(value)
        for encoding in ("utf-8", "latin-1"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return str(value or "")


def uri_concern(uri: str) -> str:
    """Why a URI needs a person ("" for a plain web address on a public host name).

    NOTE: an address inside the agency's network (an IP address, a host with no dot, a
    .local name) tells an outsider about the internal network, and other schemes (file:,
    smb:, javascript:) open something on the reader's machine.
    """
    if uri.lower().startswith("mailto:"):
        return ""
    match = _WEB.match(uri.strip())
    if not match:
        return "not a web address"
    host = match.group(1).rsplit(":", 1)[0].strip("[]").lower()
    try:
        ipaddress.ip_address(host)
        return "to an IP address"
    except ValueError:
        pass
    if "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        return "to a host on a private network"
    return ""
