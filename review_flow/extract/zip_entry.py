"""A zip entry read in one call from the bytes the archive was opened on (for
limits.read_part, which judges the entry's declared size first)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_LOCAL_MAGIC = b"PK\x03\x04"
_UTF8_NAME, _ODD_FLAGS = 0x800, 0x61  # flag bits: UTF-8 name; encrypted, patched, strong


def inflated_whole(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The part's bytes inflated in one call from the zip's own buffer, or None when the entry
    is anything but a sound stored or deflated one (zipfile then reads it, and says why not).

    NOTE: zipfile.open and its reader cost ~40 µs a part beyond the inflating (a .docx reads
    ~9 parts). The checks are zipfile's own: the local header's signature and name, the
    declared sizes, the CRC; the output is bounded by the declared size, itself judged
    against the part limit, and only a stream that ends exactly there is taken.
    """
    source = archive.fp
    if not isinstance(source, io.BytesIO) or info.flag_bits & _ODD_FLAGS:
        return None
    raw = source.getvalue()  # (the very bytes the archive was opened on: no copy)
    start = info.header_offset
    header = raw[start : start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    name_end = start + _LOCAL_HEADER.size + fields[10]
    try:
        name = raw[start + _LOCAL_HEADER.size : name_end].decode(
            "utf-8" if fields[3] & _UTF8_NAME else "cp437"
        )
    except UnicodeDecodeError:
        return None
    if fields[0] != _LOCAL_MAGIC or name != info.orig_filename:
        return None
    begin = name_end + fields[11]
    packed = raw[begin : begin + info.compress_size]
    if len(packed) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(packed, info.file_size + 1)
        except zlib.error:
            return None
        if not inflater.eof:
            return None
    elif info.compress_type == zipfile.ZIP_STORED:
        data = packed
    else:
        return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data
