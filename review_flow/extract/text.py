"""Plain-text files (.txt/.md) → Extracted: UTF-8, falling back to GB18030 (GBK files)."""

from __future__ import annotations

import codecs

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits
from review_flow.extract.model import Extracted, TextBuilder, Where

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding); UTF-8 first, then GB18030, else a clear error."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    raise ExtractionError(path, "not a text file: neither UTF-8 nor GB18030 decodes it")


def extract(data: bytes, path: str, limits: Limits) -> Extracted:
    """One body segment per non-empty line; line ends are normalised to \\n."""
    text, encoding = decode(data, path)
    if text.startswith("\ufeff"):
        text = text[1:]
    out = TextBuilder()
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        out.add(line, Where.BODY)
        out.separate("\n")
    return Extracted(
        path=path, sha256="", size=0, format="text", text=out.text(),
        segments=tuple(out.segments), notes=(f"decoded as {encoding}",),
    )  # fmt: skip
