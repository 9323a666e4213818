"""The compound-file (OLE) directory reader: what a .doc/.wps/.xls holds, password flags, and
damaged or hostile directories refused with one line, never an exception of another kind."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review_flow.errors import ExtractionError
from review_flow.extract import sniff
from review_flow.extract.ole import OLE_MAGIC, OleKind, read_compound

SECTOR = 512
FREE, END, FAT_MARK, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return (
        raw.ljust(64, b"\x00")
        + struct.pack("<HBB3I", len(raw), kind, 1, NONE, NONE, NONE)
        + bytes(16 + 4 + 16)  # CLSID, state bits, times
        + struct.pack("<IQ", start, size)
    )


def build_cfb(streams: dict[str, bytes], fat_patch: dict[int, int] | None = None) -> bytes:
    """A version-3 compound file: FAT in sector 0, directory in sector 1, then each stream in
    its own run of sectors (the mini-stream cutoff is 0, so no stream is in the mini stream)."""
    entries = [_entry("Root Entry", 5, END, 0)]
    fat = [FAT_MARK, END]
    data = b""
    for name, content in streams.items():
        start = 2 + len(data) // SECTOR
        padded = content.ljust(-(-max(len(content), 1) // SECTOR) * SECTOR, b"\x00")
        count = len(padded) // SECTOR
        fat += [start + i + 1 for i in range(count - 1)] + [END]
        entries.append(_entry(name, 2, start, len(content)))
        data += padded
    assert len(entries) <= 4  # one directory sector
    assert len(fat) <= SECTOR // 4  # one FAT sector
    for index, value in (fat_patch or {}).items():
        fat[index] = value
    header = (
        OLE_MAGIC + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0, END, 0, END, 0)
        + struct.pack("<109I", 0, *([FREE] * 108))
    )  # fmt: skip
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *fat, *([FREE] * (SECTOR // 4 - len(fat))))
    directory = b"".join(entries).ljust(SECTOR, b"\x00")
    return header + fat_sector + directory + data


def fib(encrypted: bool = False) -> bytes:
    """The start of a WordDocument stream: wIdent 0xA5EC, nFib, … flags (fEncrypted 0x0100)."""
    return struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0804, 0, 0x0100 if encrypted else 0)


BOF = struct.pack("<HH", 0x0809, 16) + bytes(16)
FILEPASS = struct.pack("<HH", 0x002F, 6) + bytes(6)


@pytest.mark.parametrize(
    ("streams", "kind", "encrypted"),
    [
        pytest.param({"WordDocument": fib(), "1Table": b"t"}, OleKind.TEXT, False, id="doc"),
        pytest.param({"WordDocument": fib(True)}, OleKind.TEXT, True, id="doc-password"),
        pytest.param({"Workbook": BOF + bytes(8)}, OleKind.SHEET, False, id="xls"),
        pytest.param({"Workbook": BOF + FILEPASS}, OleKind.SHEET, True, id="xls-password"),
        pytest.param({"Book": BOF}, OleKind.SHEET, False, id="biff5-xls"),
        pytest.param({"EncryptedPackage": b"x"}, OleKind.ENCRYPTED_PACKAGE, True, id="docx-pw"),
        pytest.param({"PowerPoint Document": b"p"}, OleKind.PRESENTATION, False, id="ppt"),
        pytest.param({"Contents": b"c"}, OleKind.OTHER, False, id="other"),
    ],
)
def test_kind_and_password_flag_come_from_the_directory(
    streams: dict[str, bytes], kind: OleKind, encrypted: bool
) -> None:
    compound = read_compound(build_cfb(streams), "f.doc")

    assert (compound.kind, compound.encrypted) == (kind, encrypted)
    assert compound.names == ("Root Entry", *streams)


@pytest.mark.parametrize(
    ("streams", "reason"),
    [
        ({"PowerPoint Document": b"p"}, r"not a Word/WPS document or a spreadsheet"),
        ({"EncryptedPackage": b"x"}, r"password-protected \(encrypted\) Office file"),
    ],
)
def test_compound_files_review_flow_cannot_read_are_refused_when_sniffed(
    streams: dict[str, bytes], reason: str
) -> None:
    with pytest.raises(ExtractionError, match=reason):
        sniff(build_cfb(streams), "演示.doc")


@pytest.mark.parametrize(
    ("fat_patch", "reason"),
    [
        pytest.param({1: 1}, r"broken sector chain", id="directory-chain-loops"),
        pytest.param({1: 900}, r"broken sector chain|outside the file", id="chain-leaves-fat"),
    ],
)
def test_a_damaged_chain_is_refused_with_one_line(fat_patch: dict[int, int], reason: str) -> None:
    data = build_cfb({"WordDocument": fib()}, fat_patch)

    with pytest.raises(ExtractionError, match=rf"^f\.doc: corrupt OLE compound file \({reason}"):
        read_compound(data, "f.doc")


def test_a_directory_sector_beyond_the_end_of_the_file_is_refused() -> None:
    data = bytearray(build_cfb({"WordDocument": fib()}))
    data[0x30:0x34] = struct.pack("<I", 5000)

    with pytest.raises(ExtractionError, match=r"broken sector chain|sector 5000 outside"):
        read_compound(bytes(data), "f.doc")


def test_a_truncated_compound_file_is_refused_with_one_line() -> None:
    data = build_cfb({"WordDocument": fib(), "1Table": b"table" * 200})

    with pytest.raises(ExtractionError, match=r"cut short: truncated file"):
        read_compound(data[:1200], "f.doc")  # (in the middle of the directory sector)


GOOD = build_cfb({"WordDocument": fib(), "1Table": b"table" * 200})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(8, len(GOOD) - 1), st.integers(0, 255)), max_size=12),
    st.integers(512, len(GOOD)),
)
def test_damaged_compound_files_give_a_result_or_an_extraction_error(
    flips: list[tuple[int, int]], length: int
) -> None:
    data = bytearray(GOOD[:length])
    for at, value in flips:
        if at < len(data):
            data[at] = value
    message = ""
    try:
        read_compound(bytes(data), "f.doc")
    except ExtractionError as exc:
        message = str(exc)
    assert "\n" not in message
