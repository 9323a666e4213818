"""Copies of sample files with other bytes but the same content, for tests that need a second
document or a revision that changes nothing a reader sees (submit refuses duplicate bytes)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path


def variant(sample: Path, folder: Path, tag: str | None = None) -> Path:
    """`sample` with a unique zip comment (.docx) or trailing blank line (.txt): new sha256,
    the same text."""
    tag = tag or uuid.uuid4().hex
    out = folder / f"{Path(tag).stem[:8]}-{sample.name}"
    data = sample.read_bytes()
    if data.startswith(b"PK"):
        src = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            dst.comment = tag.encode()
        data = buf.getvalue()
    else:
        data += b"\n"
    out.write_bytes(data)
    return out
