"""limits.read_part: a part inflated in one call is the bytes zipfile reads, and an entry
zipfile refuses (damaged stream, bad CRC, local header naming another part) is left to it and
refused as before."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from review_flow.errors import ExtractionError
from review_flow.extract.limits import Limits, open_zip, read_part
from review_flow.extract.zip_entry import inflated_whole
from tests.extract import hostile

PARTS = {"word/document.xml": "<w:t>公文正文</w:t>".encode() * 500, "empty.xml": b""}


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_read_part_gives_the_bytes_zipfile_reads(method: int) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
    with open_zip("x.docx", buffer.getvalue(), Limits()) as archive:
        for name, data in PARTS.items():
            assert read_part("x.docx", archive, name, Limits()) == data


def _other_local_name() -> bytes:
    data = hostile.good_docx(hostile.GOOD_TEXT)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        start = archive.getinfo("word/document.xml").header_offset + 30
    return data[:start] + b"W" + data[start + 1 :]  # (the central directory still says "w")


@pytest.mark.parametrize(
    "build", [hostile.bad_crc_docx, hostile.damaged_deflate_docx, _other_local_name]
)
def test_an_entry_zipfile_refuses_is_refused_as_before(build: Callable[[], bytes]) -> None:
    with open_zip("x.docx", build(), Limits()) as archive:
        info = archive.getinfo("word/document.xml")
        assert inflated_whole(archive, info) is None
        with pytest.raises(ExtractionError, match=r"part word/document\.xml is damaged"):
            read_part("x.docx", archive, "word/document.xml", Limits())
