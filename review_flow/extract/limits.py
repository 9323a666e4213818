"""Limits that keep an untrusted file from exhausting the machine, and the zip/XML guards."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass, fields

from lxml import etree

from review_flow.errors import ExtractionError

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits; each can be set with `REVIEW_FLOW_LIMIT_<NAME>` (upper case).

    NOTE: the defaults are sized for 公文: a long .docx report is 1-20 MB with images and its
    document.xml under 30 MB inflated; real Word parts compress 5-20x, so a ratio past 200 is
    a bomb, not a document. A 500-page scanned PDF is ~150 MB.
    """

    max_file_bytes: int = 200 * MIB
    max_zip_entries: int = 5000
    max_zip_total_bytes: int = 1024 * MIB
    max_part_bytes: int = 128 * MIB
    max_zip_ratio: int = 200
    max_pdf_pages: int = 5000
    cpu_seconds: int = 60
    memory_bytes: int = 2048 * MIB

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = env.get(f"REVIEW_FLOW_LIMIT_{f.name.upper()}")
            if raw is not None:
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise ExtractionError(
                        f"REVIEW_FLOW_LIMIT_{f.name.upper()}", f"not an integer: {raw!r}"
                    ) from None
        return cls(**values)


def human(size: int) -> str:
    """1536 → '1.5 KiB'; for limits in messages."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def check_size(path: str, size: int, limits: Limits) -> None:
    if size == 0:
        raise ExtractionError(path, "empty file (0 bytes)")
    if size > limits.max_file_bytes:
        raise ExtractionError(
            path,
            f"file is {human(size)}, over the {human(limits.max_file_bytes)} limit",
            hint="raise REVIEW_FLOW_LIMIT_MAX_FILE_BYTES if this file is genuine",
        )


def check_zip(path: str, archive: zipfile.ZipFile, limits: Limits) -> None:
    """Judge the central directory before a single byte is inflated."""
    infos = archive.infolist()
    if len(infos) > limits.max_zip_entries:
        raise ExtractionError(path, f"zip has {len(infos)} entries, over {limits.max_zip_entries}")
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.split("/") or "\x00" in name:
            raise ExtractionError(path, f"zip entry with an unsafe name: {name!r}")
        if name in seen:
            raise ExtractionError(path, f"zip has a duplicate entry: {name!r}")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise ExtractionError(path, "encrypted (password-protected) document")
        total += info.file_size
        if total > limits.max_zip_total_bytes:
            raise ExtractionError(
                path,
                f"zip inflates to over {limits.max_zip_total_bytes / MIB:.0f} MiB (zip bomb?)",
            )
        # NOTE: small entries are judged too: a bomb spread over a hundred 1 MiB parts is as
        # dangerous as one big part. Real Word parts compress 5-20x.
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
            info.compress_size, 1
        ):
            raise ExtractionError(
                path,
                f"zip entry {name} expands {info.file_size // max(info.compress_size, 1)}x "
                f"(limit {limits.max_zip_ratio}x): zip bomb",
            )


RATIO_FLOOR = 64 * 1024  # below this an entry cannot hurt, whatever its ratio
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
# NOTE: zipfile raises NotImplementedError for a compression method it lacks (not a stub).
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


def read_part(path: str, archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """Inflate one part, bounded by its declared size and the part limit."""
    info = archive.getinfo(name)
    if info.file_size > limits.max_part_bytes:
        raise ExtractionError(
            path, f"part {name} is {info.file_size / MIB:.0f} MiB, over the part limit"
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(limits.max_part_bytes + 1)
    except _ZIP_READ_ERRORS as exc:
        raise ExtractionError(path, f"part {name} is damaged ({exc})") from exc
    if len(data) > limits.max_part_bytes:
        raise ExtractionError(path, f"part {name} inflates past the part limit")
    return data


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=True,
    remove_comments=True,
    remove_pis=True,
)


def parse_xml(path: str, name: str, data: bytes) -> etree._Element:
    """Parse one XML part; a part carrying a DTD or entity declaration is refused outright."""
    # NOTE: a UTF-16/32 part hides "<!DOCTYPE" behind NUL bytes; Word writes UTF-8 only.
    probe = data.replace(b"\x00", b"") if b"\x00" in data[:4096] else data
    # A DTD can only stand in the prolog, before the root element's start tag.
    root = _ROOT_START.search(probe)
    if _DOCTYPE.search(probe, 0, root.start() if root else len(probe)):
        raise ExtractionError(path, f"part {name} declares a DTD or entities (XXE/billion laughs)")
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(path, f"part {name} is not well-formed XML: {exc.msg}") from exc
