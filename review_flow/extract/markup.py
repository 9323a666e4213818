"""Lines of text from parts no WordprocessingML walker reads: any XML (its text nodes), HTML
and MHTML (tags stripped, charset decoded) and plain text.

Used for altChunk parts, customXml items, the parts of embedded workbooks and slide decks, and
parts nothing references.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from email.message import EmailMessage

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract.text import decode

_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# NOTE: browsers read gb2312/gbk pages as GB18030 (their superset); so does this.
_GB = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_TAG = re.compile(r"<[^>]*>")
_SKIP = {"script", "style", "noscript", "template"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "title", "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "hr",
    "address", "caption", "body", "form", "fieldset", "legend", "figcaption", "nav", "aside",
}  # fmt: skip
_CELL = {"td", "th"}
_HTML_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)


def xml_lines(root: etree._Element) -> list[str]:
    """The text nodes of an XML tree, joined per paragraph (any element named `p`, such as
    w:p or a:p) or per element outside paragraphs; one line each, in document order."""
    lines: dict[etree._Element, list[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and el.text.strip():
            lines.setdefault(_paragraph(el), []).append(el.text)
        parent = el.getparent()
        if parent is not None and el.tail and el.tail.strip():
            lines.setdefault(_paragraph(parent), []).append(el.tail)
    return [line for line in (_tidy("".join(pieces)) for pieces in lines.values()) if line]


def _paragraph(el: etree._Element) -> etree._Element:
    if etree.QName(el).localname == "p":
        return el
    return next((a for a in el.iterancestors() if etree.QName(a).localname == "p"), el)


def html_lines(data: bytes) -> list[str]:
    """The text a browser would show: scripts and styles dropped, blocks on their own lines,
    table cells separated by tabs."""
    # (lxml refuses a str that still carries its XML declaration, as XHTML does)
    text = _XML_DECLARATION.sub("", _decode_html(data), count=1)
    if not text.strip():
        return []
    try:
        root = etree.fromstring(text, _HTML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:  # nothing lxml could parse: the text between the tags
        return [line for line in (_tidy(t) for t in _TAG.sub("\n", text).split("\n")) if line]
    out: list[str] = []
    _html_text(root, out)
    lines = (line.strip(" \t\u3000") for line in "".join(out).split("\n"))
    return [line for line in lines if line]


def _html_text(el: etree._Element, out: list[str]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag not in _SKIP:
        if tag in _BLOCK:
            out.append("\n")
        elif tag in _CELL:
            out.append("\t")
        if el.text:
            out.append(_SPACE.sub(" ", el.text))
        for child in el:
            _html_text(child, out)
        if tag in _BLOCK:
            out.append("\n")
    if el.tail:
        out.append(_SPACE.sub(" ", el.tail))


def _decode_html(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in _GB else name
        try:
            return data.decode(codecs.lookup(name).name, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def mhtml_lines(data: bytes) -> list[str]:
    """The HTML and plain-text parts of a MIME (MHTML) web archive, as html_lines reads them."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    lines: list[str] = []
    for part in message.walk() if isinstance(message, EmailMessage) else ():
        kind = part.get_content_type()
        if kind not in ("text/html", "text/plain"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset()
        if kind == "text/html":
            if charset and b"charset" not in payload[:4096].lower():
                payload = f'<meta charset="{charset}">'.encode() + payload
            lines += html_lines(payload)
        else:
            lines += text_lines(payload)
    return lines


def text_lines(data: bytes) -> list[str]:
    """Plain text (UTF-8, GB18030 or UTF-16 with a BOM), one line per non-empty line."""
    try:
        text, _ = decode(data, "<part>")
    except ExtractionError:  # not text in any encoding read here
        return []
    return [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]


def _tidy(text: str) -> str:
    return text.strip(" \t\r\n")
