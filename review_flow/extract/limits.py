"""Limits that keep an untrusted file from exhausting the machine, and the zip/XML guards."""

from __future__ import annotations

import bisect
import functools
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields

from lxml import etree

from review_flow.errors import ExtractionError
from review_flow.extract.zip_entry import inflated_whole

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits; each can be set with `REVIEW_FLOW_LIMIT_<NAME>` (upper case).

    NOTE: the defaults are sized for 公文: a long .docx report is 1-20 MB with images and its
    document.xml under 30 MB inflated; real Word parts compress 5-20x, so a ratio past 200 is
    a bomb, not a document. A 500-page scanned PDF is ~150 MB.
    One PDF stream (a page's content, a form, an object stream, a font, an image) may inflate
    to `max_stream_bytes`: content streams of real 公文 stay well under 16 MiB decoded, and a
    Flate image of a 300 dpi colour A3 scan is ~52 MB. pdfium holds about twice a stream's
    decoded size while it reads it, so a stream just under the cap costs ~200 MB at most.
    Packages embedded in a .docx are read `max_embedding_depth` levels down (a workbook in a
    report: 1; a report holding it, embedded again: 2); all of them together stay within
    `max_zip_entries` and `max_zip_total_bytes`.
    """

    max_file_bytes: int = 200 * MIB
    max_zip_entries: int = 5000
    max_zip_total_bytes: int = 1024 * MIB
    max_part_bytes: int = 128 * MIB
    max_zip_ratio: int = 200
    max_embedding_depth: int = 3  # a package inside a package inside … the file (.docx)
    max_pdf_pages: int = 5000
    max_stream_bytes: int = 64 * MIB
    cpu_seconds: int = 60
    memory_bytes: int = 2048 * MIB
    # NOTE: OCR (ocr_pages.py) reads at most this many scanned pages and pictures of one file,
    # and is granted CPU time on top of cpu_seconds page by page, up to ocr_cpu_seconds: the
    # default engine takes ~4-6 s of one core for a page (bench/ocr.py). What is left over
    # stays unreadable, for a person to read.
    max_ocr_pages: int = 60
    ocr_cpu_seconds: int = 300
    ocr_page_cpu_seconds: int = 30
    max_ocr_pixels: int = 40_000_000  # a bigger picture is not decoded (a decompression bomb)

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


def open_zip(path: str, data: bytes, limits: Limits, what: str = "zip") -> zipfile.ZipFile:
    """The zip container of a package (.docx, .xlsx, OFD…), its central directory judged
    before a byte is inflated; ExtractionError naming `what` when it is no zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(path, f"corrupt or truncated {what} container") from exc
    try:
        check_zip(path, archive, limits)
    except ExtractionError:
        archive.close()
        raise
    return archive


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
    data = inflated_whole(archive, info)
    if data is not None:
        return data
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


# -- PDF streams -------------------------------------------------------------------------------
class StreamTooLarge(Exception):
    """A PDF stream decodes past the stream limit (raised where the path is not known)."""

    def __init__(self, limit: int, where: str = "") -> None:
        super().__init__(f"a compressed stream{where} inflates past {human(limit)}")
        self.limit = limit
        self.where = where


def stream_error(path: str, exc: StreamTooLarge) -> ExtractionError:
    return ExtractionError(
        path, f"{exc} (decompression bomb?)",
        hint="raise REVIEW_FLOW_LIMIT_MAX_STREAM_BYTES if this file is genuine",
    )  # fmt: skip


_CHUNK = 64 * 1024
Source = bytes | memoryview


def inflate(src: Source, limit: int, keep: bool = True) -> tuple[bytes, bool]:
    """Inflate one zlib stream at the start of `src`, never past `limit` bytes of output.

    Returns (output, whether the stream ended cleanly); the output is b"" unless `keep`. Bytes
    after the end of the zlib stream are ignored; damaged data ends the output where it breaks.
    Raises StreamTooLarge as soon as the output passes `limit`. Each call inflates at most
    1 MiB, so a bomb costs ~1 MiB when the output is not kept.
    """
    inflater = zlib.decompressobj()
    pieces: list[bytes] = []
    total = 0
    try:
        for pos in range(0, len(src), _CHUNK):
            pending: Source = src[pos : pos + _CHUNK]
            while pending and not inflater.eof:
                piece = inflater.decompress(pending, min(MIB, limit + 1 - total))
                total += len(piece)
                if total > limit:
                    raise StreamTooLarge(limit)
                if keep:
                    pieces.append(piece)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass
    return b"".join(pieces), inflater.eof


def bounded_lzw(src: Source, limit: int, keep: bool) -> bytes:
    from pdfminer.lzw import LZWDecoder

    pieces: list[bytes] = []
    total = 0
    for piece in LZWDecoder(io.BytesIO(bytes(src))).run():
        total += len(piece)
        if total > limit:
            raise StreamTooLarge(limit)
        if keep:
            pieces.append(piece)
    return b"".join(pieces)


def bounded_runlength(src: Source, limit: int, keep: bool) -> bytes:
    """RunLengthDecode, bounded: a length byte, then a literal run or one repeated byte."""
    out = bytearray()
    total, pos, size = 0, 0, len(src)
    while pos < size and src[pos] != 128:
        length = src[pos]
        if length < 128:  # a literal run of length + 1 bytes
            run, pos = bytes(src[pos + 1 : pos + 2 + length]), pos + 2 + length
        else:  # one byte repeated 257 - length times
            run, pos = bytes(src[pos + 1 : pos + 2]) * (257 - length), pos + 2
        total += len(run)
        if total > limit:
            raise StreamTooLarge(limit)
        if keep:
            out += run
    return bytes(out)


def _ascii(decode: Callable[[bytes], bytes]) -> Callable[[Source, int, bool], bytes]:
    def bounded(src: Source, limit: int, keep: bool) -> bytes:
        out = decode(bytes(src))  # NOTE: ASCII filters shrink their input
        if len(out) > limit:
            raise StreamTooLarge(limit)
        return out

    return bounded


def _flate(src: Source, limit: int, keep: bool) -> bytes:
    return inflate(src, limit, keep)[0]


@functools.cache
def _decoders() -> dict[bytes, Callable[[Source, int, bool], bytes]]:
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    hexes, a85 = _ascii(asciihexdecode), _ascii(ascii85decode)
    return {
        b"FlateDecode": _flate, b"Fl": _flate, b"LZWDecode": bounded_lzw, b"LZW": bounded_lzw,
        b"RunLengthDecode": bounded_runlength, b"RL": bounded_runlength,
        b"ASCIIHexDecode": hexes, b"AHx": hexes, b"ASCII85Decode": a85, b"A85": a85,
    }  # fmt: skip


# NOTE: "stream" not preceded by a letter ("endstream" is), then its end of line. The stream
# dictionary is the bytes between its "N G obj" header and the keyword. The patterns start
# with their literal, and what stands before it is checked by hand: a look-behind first costs
# the regex engine its fast literal search (~10x).
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)?")
_ENDSTREAM = re.compile(rb"endstream")
_OBJ_WORD = re.compile(rb"obj")
_OBJ_NUMBERS = re.compile(rb"(\d+)\s+(\d+)\s*$")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()%]+|(\d+)\s+(\d+)\s+R)")
_LENGTH = re.compile(rb"/Length(?![A-Za-z0-9])\s*(\d+)(?:\s+(\d+)\s+R)?")
_VALUE = re.compile(rb"\s*(\[[^\]]*\]|/[^\s/\[\]<>()%]+|\d+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()%]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_WHITE = b" \t\r\n\x0c\x00"
# NOTE: deflate cannot expand past ~1032:1; a Flate stream whose extent is known to be short
# enough cannot pass the limit, and is not inflated (real files' big fonts and images are).
_FLATE_MAX_RATIO = 1032
_EXTENT_SLACK = 16  # readers disagree by an end-of-line or two on where a stream starts
Header = tuple[bytes, bytes]  # (object number, generation)


def _is_zlib(head: Source) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _object_headers(data: bytes) -> tuple[list[int], list[Header]]:
    """Where each "N G obj" header ends, in file order, and its numbers.

    NOTE: found from the literal "obj", ~30x faster than a regex that starts with digits.
    """
    ends: list[int] = []
    names: list[Header] = []
    for match in _OBJ_WORD.finditer(data):
        if data[match.start() - 3 : match.start()] == b"end":
            continue
        numbers = _OBJ_NUMBERS.search(data, max(0, match.start() - 24), match.start())
        if numbers:
            ends.append(match.end())
            names.append((numbers.group(1), numbers.group(2)))
    return ends, names


@dataclass
class _StreamScan:
    """Judges the streams of a raw PDF, each decoded under the stream limit."""

    data: bytes
    limit: int
    header_ends: list[int]
    headers: list[Header]
    _values: dict[Header, list[bytes]] = field(default_factory=dict)

    def values(self, key: Header) -> list[bytes]:
        """Every direct value (name, array, integer) object `key` is defined with.

        NOTE: all of them, not the one the xref points to: an incremental update or a hostile
        file may define one object twice.
        """
        if not self._values:
            for end, header in zip(self.header_ends, self.headers, strict=True):
                found = _VALUE.match(self.data, end)
                self._values.setdefault(header, []).append(found.group(1) if found else b"")
        return self._values.get(key, [])

    def filters(self, head: bytes) -> list[bytes]:
        match = _FILTER.search(head)
        if match is None:
            return []
        value = match.group(1)
        if match.group(2) is not None:
            value = b"".join(self.values((match.group(2), match.group(3)))[-1:])
        names = _NAME.findall(value)
        return [_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), n) for n in names]

    def extent(self, head: bytes, start: int) -> int | None:
        """The most bytes a reader can take as this stream's data (None: not known).

        A reader takes /Length bytes when "endstream" follows them, else the bytes up to the
        nearest "endstream": with "endstream" after the largest /Length, both are within it.
        """
        lengths: list[bytes] = []
        for match in _LENGTH.finditer(head):
            if match.group(2) is None:
                lengths.append(match.group(1))
            else:
                lengths.extend(self.values((match.group(1), match.group(2))) or [b""])
        if not lengths or not all(n.isdigit() for n in lengths):
            return None
        longest = max(map(int, lengths))
        tail = self.data[start + longest : start + longest + 64].lstrip(_WHITE)
        return longest if tail.startswith(b"endstream") else None

    def check(self, start: int, end: int, head: bytes) -> None:
        """Decode the stream at data[start:end] through its filters, as far as they expand."""
        view = memoryview(self.data)
        decoders = _decoders()
        filters = self.filters(head)
        if not filters or filters[0] not in decoders:
            filters = [b"FlateDecode"] if _is_zlib(view[start : start + 2]) else []
        flate_only = filters in ([b"FlateDecode"], [b"Fl"])
        if flate_only:
            extent = self.extent(head, start)
            if extent is not None and (extent + _EXTENT_SLACK) * _FLATE_MAX_RATIO <= self.limit:
                return
        # NOTE: Flate first reads up to the end of its own zlib stream, not to a /Length or an
        # "endstream" a hostile file may place anywhere.
        src: Source = (
            view[start:] if filters[:1] in ([b"FlateDecode"], [b"Fl"]) else view[start:end]
        )
        chain = [decoders[f] for f in _prefix(filters, decoders)]
        for index, decode in enumerate(chain):
            try:
                src = decode(src, self.limit, index < len(chain) - 1)
            except StreamTooLarge:
                raise
            except Exception:  # data no filter here can decode: left to the readers
                return


def _prefix(filters: list[bytes], known: Mapping[bytes, object]) -> list[bytes]:
    """The filters up to the first one no reader here decodes on its way to text (DCT, JPX…)."""
    for index, name in enumerate(filters):
        if name not in known:
            return filters[:index]
    return filters


def check_pdf_streams(path: str, data: bytes, limits: Limits) -> None:
    """Refuse a PDF one of whose streams decodes past `limits.max_stream_bytes`.

    Run on the raw bytes before pdfium sees them: pdfium inflates a stream whole, in native
    code, with no limit of its own. Every "stream" keyword is tried, whatever the xref says.
    NOTE: streams of an encrypted file cannot be judged here (they are ciphertext); pdfminer's
    decoders are bounded separately (pdf.py).
    """
    header_ends, headers = _object_headers(data)
    scan = _StreamScan(data, limits.max_stream_bytes, header_ends, headers)
    ends = [m.start() for m in _ENDSTREAM.finditer(data)]
    previous = 0
    for match in _STREAM.finditer(data):
        if data[match.start() - 1 : match.start()].isalnum():
            continue  # endstream
        index = bisect.bisect_right(header_ends, match.start()) - 1
        owner = headers[index] if index >= 0 and header_ends[index] >= previous else None
        head = data[header_ends[index] if owner else previous : match.start()]
        previous = match.end()
        after = bisect.bisect_left(ends, match.end())
        try:
            scan.check(match.end(), ends[after] if after < len(ends) else len(data), head)
        except StreamTooLarge as exc:
            where = f" (object {owner[0].decode()})" if owner else ""
            raise stream_error(path, StreamTooLarge(exc.limit, where)) from None
