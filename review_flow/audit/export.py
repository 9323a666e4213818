"""Exports of the audit log (CSV for Excel, JSONL for machines) with a signed manifest, and the
check an inspector runs on an export with the public key alone.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from review_flow import store
from review_flow.audit.chain import HASHED_FIELDS, iso
from review_flow.audit.keys import Keys
from review_flow.errors import AuditError
from review_flow.store import AuditEvent

EXPORT_FIELDS = (*HASHED_FIELDS, "prev_hash", "hash")


def event_row(event: AuditEvent) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in EXPORT_FIELDS}
    row["ts"] = iso(event.ts)
    return row


def render(events: Iterator[AuditEvent], fmt: str) -> Iterator[bytes]:
    """CSV (UTF-8 with BOM, so Excel shows Chinese) or JSONL, one chunk per event."""
    if fmt == "jsonl":
        for event in events:
            yield (json.dumps(event_row(event), ensure_ascii=False, sort_keys=True) + "\n").encode()
        return
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    yield "\ufeff".encode() + buf.getvalue().encode()
    for event in events:
        buf.seek(0)
        buf.truncate()
        row = event_row(event)
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow(row)
        yield buf.getvalue().encode()


def sign_export(
    keys: Keys, digest: str, count_: int, head: tuple[int, str], filters: dict[str, Any]
) -> dict[str, Any]:
    """The manifest that travels with an export: digest, head, filters, Ed25519 signature."""
    manifest = {
        "format": "review-flow audit export 1",
        "sha256": digest,
        "events": count_,
        "head_seq": head[0],
        "head_hash": head[1],
        "exported_at": iso(datetime.now(UTC)),
        "filters": filters,
    }
    message = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    manifest["signature"] = base64.b64encode(keys.signing_key.sign(message)).decode()
    return manifest


def verify_export(data: bytes, manifest: dict[str, Any], public: Any) -> list[str]:
    """Problems with an export checked alone against its manifest and the public key."""
    from cryptography.exceptions import InvalidSignature

    problems = []
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    message = json.dumps(unsigned, ensure_ascii=False, sort_keys=True).encode()
    try:
        public.verify(base64.b64decode(manifest.get("signature", "")), message)
    except (InvalidSignature, ValueError):
        problems.append("the manifest's signature does not verify with this public key")
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        problems.append("the export file does not match the signed digest (changed after export)")
    return problems


def write_export(
    session: Session,
    keys: Keys,
    out: Path,
    fmt: str,
    span: tuple[datetime | None, datetime | None],
    document: int | None,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """Write the selected events to `out` and the signed manifest beside it; the manifest.

    Both are written under temporary names and renamed, so a reader never sees half of one.
    """
    head = store.chain.head(session)
    digest, n = hashlib.sha256(), 0
    tmp = out.with_name(f".{out.name}.partial")
    sig = out.with_name(out.name + ".sig.json")
    sig_tmp = sig.with_name(f".{sig.name}.partial")
    try:
        with tmp.open("wb") as handle:
            for chunk in render(store.chain.selected(session, *span, document), fmt):
                handle.write(chunk)
                digest.update(chunk)
                n += 1
        manifest = sign_export(keys, digest.hexdigest(), max(n - (fmt == "csv"), 0), head, filters)
        sig_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(tmp, out)
        os.replace(sig_tmp, sig)
    except OSError as exc:
        raise AuditError(f"cannot write the export to {out}: {exc.strerror or exc}") from None
    finally:
        for leftover in (tmp, sig_tmp):
            leftover.unlink(missing_ok=True)
    return manifest
