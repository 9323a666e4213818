"""The leftover check, run on every redaction before anything is written: every redacted value,
in every form (full-width, spaced, hyphenated, split across runs), searched in every part of the
output package or every PDF stream decompressed; then the output is extracted and scanned again.
Any value found fails the redaction (RedactionError naming the place).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from review_flow.errors import RedactionError
from review_flow.extract import Extracted, Limits, extract_bytes
from review_flow.extract.limits import inflate, read_part
from review_flow.redact.masks import Finder, decoded, fold
from review_flow.redact.report import Redacted
from review_flow.scan import Scanner

_TAG = re.compile(r"<[^>]*>")
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]{4,})>")
HINT = "nothing was written; the place named still holds the value"
PDF_HINT = (
    f"{HINT}: glyph mode does not reach text inside form objects or annotations; "
    "--pdf-mode image renders every page instead"
)


def check(
    redacted: Redacted,
    name: str,
    finder: Finder,
    limits: Limits,
    scanner: Scanner | None = None,
) -> Extracted:
    """Raise RedactionError at the first place a value is left; the output's extraction."""
    if redacted.format == "docx":
        places = _zip_texts(redacted.data, name, limits)
    elif redacted.format == "pdf":
        places = _pdf_texts(redacted.data, limits)
    else:
        places = iter([("file", decoded(redacted.data))])
    hint = PDF_HINT if redacted.format == "pdf" else HINT
    for place, text in places:
        _refuse_if_found(finder, text, place, hint)
    extracted = extract_bytes(redacted.data, name, limits)
    _refuse_if_found(finder, extracted.text, "extracted text", hint, extracted)
    if scanner is not None:
        for found in scanner.scan(extracted, reveal=True).findings:
            # (letters and digits only: a value the scanner joined across a line break)
            if found.value and finder.first(core(found.value)) is not None:
                raise RedactionError(
                    f"leftover: the scan of the redacted file still finds {found.kind} "
                    f"({found.rule}) in {found.where}",
                    place=found.where,
                    hint=hint,
                )
    return extracted


def core(value: str) -> str:
    """Letters and digits only, folded: what a value is whatever its separators and width."""
    return "".join(fold(c) for c in value if c.isalnum()).lower()


def _refuse_if_found(
    finder: Finder, text: str, place: str, hint: str, extracted: Extracted | None = None
) -> None:
    hit = finder.first(text)
    if hit is None:
        return
    where = place
    if extracted is not None:
        segment = extracted.segment_at(hit.start)
        if segment is not None:
            where = f"{place} ({segment.where}{', ' + segment.part if segment.part else ''})"
    raise RedactionError(
        f"leftover: a redacted {hit.kind} value ({finder.masked(text, hit)}) is still in {where}",
        place=where,
        hint=hint,
    )


def _zip_texts(data: bytes, name: str, limits: Limits) -> Iterator[tuple[str, str]]:
    """Every entry of the package, decoded; XML parts also with their tags taken out, so a
    value split across runs or elements is seen whole."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            text = decoded(read_part(name, archive, info.filename, limits))
            yield info.filename, text
            if "<" in text:
                yield f"{info.filename} (text without tags)", _TAG.sub("", text)


def _pdf_texts(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    """The file as bytes, then every stream decompressed, each read as Latin-1, UTF-8 and with
    its hex strings decoded (UTF-16 text strings: metadata, bookmarks)."""
    yield "file", _forms(data)
    for number, match in enumerate(_STREAM.finditer(data), start=1):
        body = data[match.end() : data.find(b"endstream", match.end())]
        if len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0:
            body = inflate(body, limits.max_stream_bytes)[0]
        yield f"stream {number}", _forms(body)


def _forms(chunk: bytes) -> str:
    pieces = [chunk.decode("latin-1"), chunk.decode("utf-8", "ignore")]
    for hexes in _HEX.findall(chunk):
        raw = bytes.fromhex(re.sub(rb"\s", b"", hexes).decode()[: len(hexes) // 2 * 2])
        # NOTE: UTF-16 with its BOM (text strings) and without (UCS-2 CID fonts, UniGB-UCS2-H)
        pieces.append(raw.removeprefix(b"\xfe\xff").decode("utf-16-be", "ignore"))
    return "\n".join(pieces)
