"""OLE compound files (CFB: .doc, .wps, .xls, .et …): what kind of document one holds, from the
names in its directory, and whether it is password-protected. Reads no content beyond that.

NOTE: written against [MS-CFB] rather than taking a dependency: only the header, the FAT
sectors and the directory chain are read, every sector number is checked against the file,
and every chain is bounded, so a hostile file costs at most one pass over its own bytes.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from enum import StrEnum

from review_flow.errors import ExtractionError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_DIFAT_ENTRIES = 109
MAX_REGULAR_SECTOR = 0xFFFFFFFA  # above this: free, end of chain, FAT or DIFAT markers
END_OF_CHAIN = 0xFFFFFFFE
DIR_ENTRY_SIZE = 128
MINI_SECTOR = 64
STREAM, ROOT = 2, 5
WORD_FIB_ENCRYPTED = 0x0100  # FIB flags at offset 0x0A: fEncrypted
BIFF_BOF, BIFF_FILEPASS = 0x0809, 0x002F


class OleKind(StrEnum):
    """What an OLE compound file holds, as far as review-flow is concerned."""

    TEXT = "text"  # a Word or WPS text document (.doc, .dot, .wps, .wpt)
    SHEET = "sheet"  # a spreadsheet (.xls, .et)
    ENCRYPTED_PACKAGE = "encrypted_package"  # an encrypted .docx/.xlsx (EncryptedPackage)
    PRESENTATION = "presentation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Compound:
    """The directory of a compound file: stream names and where each stream starts."""

    kind: OleKind
    names: tuple[str, ...]
    encrypted: bool  # the Word FIB or the BIFF FILEPASS record says password-protected
    user_type: str = ""  # an embedded object's type as its CompObj stream names it


PICTURE_TYPE = re.compile(r"image|picture|bitmap|photo|paintbrush|图像|图片|位图", re.IGNORECASE)


def is_picture_object(compound: Compound) -> bool:
    """An embedded OLE object that holds a picture and nothing else (Adobe Photoshop Image,
    Bitmap Image): no document, package or native file stream, and a picture type.

    NOTE: a document shows such an object as its picture, as it shows an ordinary image; an
    object holding a document, a spreadsheet or a packaged file (Ole10Native) shows a preview
    of something a reader can open and read in full, and stays active content.
    """
    carries_file = any(n.lstrip("\x01\x03") in CARRIERS for n in compound.names)
    return (
        compound.kind is OleKind.OTHER
        and not carries_file
        and PICTURE_TYPE.search(compound.user_type) is not None
    )


CARRIERS = {"Ole10Native", "Package", "CONTENTS_PACKAGE", "VisioDocument", "Workbook", "Book"}


def read_compound(data: bytes, path: str) -> Compound:
    """Judge a compound file from its header and directory; ExtractionError when corrupt."""
    reader = _Reader(data, path)
    entries = reader.directory()
    names = tuple(name for name, _, _, _ in entries)
    streams = {name: (start, size) for name, kind, start, size in entries if kind == STREAM}
    if "EncryptedPackage" in streams:
        return Compound(OleKind.ENCRYPTED_PACKAGE, names, True)
    if "WordDocument" in streams:
        fib = reader.stream_head(*streams["WordDocument"], 12)
        flags = struct.unpack_from("<H", fib, 0x0A)[0] if len(fib) >= 12 else 0
        encrypted = bool(flags & WORD_FIB_ENCRYPTED)
        return Compound(OleKind.TEXT, names, encrypted)
    book = streams.get("Workbook") or streams.get("Book")
    if book:
        head = reader.stream_head(*book, 64)
        return Compound(OleKind.SHEET, names, _biff_has_filepass(head))
    if "PowerPoint Document" in streams:
        return Compound(OleKind.PRESENTATION, names, False)
    comp = streams.get("\x01CompObj")
    user_type = _user_type(reader.stream_head(*comp, MINI_SECTOR)) if comp else ""
    return Compound(OleKind.OTHER, names, False, user_type)


def _user_type(head: bytes) -> str:
    """The AnsiUserType of a CompObj stream ([MS-OLEDS] 2.3.8): after 28 bytes of header, a
    length-prefixed string; "" when it cannot be read from the stream's first bytes."""
    if len(head) < 32:
        return ""
    length = struct.unpack_from("<I", head, 28)[0]
    raw = head[32 : 32 + min(length, len(head) - 32)].split(b"\0", 1)[0]
    return raw.decode("gb18030", errors="replace")


def _biff_has_filepass(head: bytes) -> bool:
    """BIFF8 puts FILEPASS right after the workbook's BOF record when a password is set."""
    if len(head) < 8:
        return False
    kind, length = struct.unpack_from("<HH", head, 0)
    if kind != BIFF_BOF or len(head) < 8 + length:
        return False
    return struct.unpack_from("<H", head, 4 + length)[0] == BIFF_FILEPASS


class _Reader:
    def __init__(self, data: bytes, path: str) -> None:
        self.data, self.path = data, path
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            self.corrupt("shorter than its header")
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            self.corrupt(f"sector shift {shift}")
        self.sector_size = 1 << shift
        self.sectors = -(-(len(data) - self.sector_size) // self.sector_size)  # (last may be short)
        self.mini_cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.fat = self._fat()
        self.root_start = END_OF_CHAIN  # set by directory()

    def corrupt(self, why: str) -> None:
        raise ExtractionError(
            self.path, f"corrupt OLE compound file ({why}): not a readable .doc/.wps/.xls",
            hint="open it in WPS or Word and save it again (as .docx if you can)",
        )  # fmt: skip

    def sector(self, number: int) -> bytes:
        if number >= self.sectors:
            self.corrupt(f"sector {number} outside the file")
        offset = (number + 1) * self.sector_size
        block = self.data[offset : offset + self.sector_size]
        if len(block) < self.sector_size:
            self.corrupt(f"sector {number} cut short: truncated file")
        return block

    def _fat(self) -> list[int]:
        fat_count, difat_start, difat_count = struct.unpack_from("<I", self.data, 0x2C) + (
            struct.unpack_from("<II", self.data, 0x44)
        )
        if fat_count > self.sectors:
            self.corrupt(f"{fat_count} FAT sectors in a file of {self.sectors}")
        numbers = list(struct.unpack_from(f"<{HEADER_DIFAT_ENTRIES}I", self.data, 0x4C))
        per_sector = self.sector_size // 4
        next_difat = difat_start
        for _ in range(min(difat_count, self.sectors)):
            if next_difat > MAX_REGULAR_SECTOR:
                break
            entries = struct.unpack(f"<{per_sector}I", self.sector(next_difat))
            numbers.extend(entries[:-1])
            next_difat = entries[-1]
        fat: list[int] = []
        for number in numbers[:fat_count]:
            fat.extend(struct.unpack(f"<{per_sector}I", self.sector(number)))
        return fat

    def chain(self, start: int, limit: int) -> list[int]:
        """Sector numbers of a chain, at most `limit` of them; a loop or a bad link is corrupt."""
        found: list[int] = []
        seen: set[int] = set()
        number = start
        while number <= MAX_REGULAR_SECTOR and len(found) < limit:
            if number in seen or number >= len(self.fat):
                self.corrupt("broken sector chain")
            seen.add(number)
            found.append(number)
            number = self.fat[number]
        return found

    def directory(self) -> list[tuple[str, int, int, int]]:
        """(name, type, start sector, size) of every used directory entry."""
        start = struct.unpack_from("<I", self.data, 0x30)[0]
        entries: list[tuple[str, int, int, int]] = []
        for number in self.chain(start, self.sectors):
            block = self.sector(number)
            for offset in range(0, len(block) - DIR_ENTRY_SIZE + 1, DIR_ENTRY_SIZE):
                raw = block[offset : offset + DIR_ENTRY_SIZE]
                length, kind = struct.unpack_from("<HB", raw, 64)
                if kind == 0 or not 2 <= length <= 64:
                    continue
                name = raw[: length - 2].decode("utf-16-le", errors="replace")
                sector, size = struct.unpack_from("<IQ", raw, 116)
                entries.append((name, kind, sector, size & 0xFFFFFFFF))
        if not entries or entries[0][1] != ROOT:
            self.corrupt("no root directory entry")
        self.root_start = entries[0][2]
        return entries

    def stream_head(self, start: int, size: int, count: int) -> bytes:
        """The first `count` bytes of a stream (at most one mini sector of a small stream)."""
        if size < self.mini_cutoff:
            return self.mini_head(start, min(count, size, MINI_SECTOR))
        wanted = -(-min(count, size) // self.sector_size)
        return b"".join(self.sector(n) for n in self.chain(start, wanted))[: min(count, size)]

    def mini_head(self, start: int, count: int) -> bytes:
        """The start of a small stream: its first 64-byte mini sector, inside the mini stream
        that the root entry's chain holds."""
        if self.root_start > MAX_REGULAR_SECTOR:
            return b""
        offset = start * MINI_SECTOR
        index, within = divmod(offset, self.sector_size)
        chain = self.chain(self.root_start, index + 1)
        if len(chain) <= index:
            self.corrupt("mini stream shorter than its streams")
        return self.sector(chain[index])[within : within + count]
