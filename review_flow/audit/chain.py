"""The chain: events linked by a keyed hash, appended in the caller's transaction and closed
by a signed checkpoint of the head, mirrored to a file outside the database after commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from review_flow import store
from review_flow.audit.keys import Keys
from review_flow.errors import AuditError
from review_flow.store import AuditCheckpoint, AuditEvent

log = logging.getLogger(__name__)

HASHED_FIELDS = (
    "seq",
    "ts",
    "actor",
    "role",
    "identity",
    "action",
    "document_id",
    "version",
    "sha256",
    "from_state",
    "to_state",
    "reason",
    "details",
)


def canonical(event: AuditEvent) -> bytes:
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["ts"] = iso(event.ts)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def iso(ts: datetime) -> str:
    """UTC ISO time; SQLite returns naive datetimes, which are UTC by construction here."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(event), hashlib.sha256).hexdigest()


def checkpoint_message(seq: int, head_hash: str, ts: datetime) -> bytes:
    return f"review-flow checkpoint\n{seq}\n{head_hash}\n{iso(ts)}".encode()


class AuditLog:
    """Appends events inside the caller's transaction and closes it with a checkpoint."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._pending: list[AuditCheckpoint] = []
        self.appended = 0

    def append(self, session: Session, **fields: Any) -> AuditEvent:
        seq, prev = store.chain.head(session, lock=True)
        event = AuditEvent(seq=seq + 1, ts=datetime.now(UTC), prev_hash=prev, hash="", **fields)
        event.details = _plain(event.details)
        event.hash = event_hash(self.keys.hmac_key, prev, event)
        store.chain.add(session, event)
        self.appended += 1
        return event

    def checkpoint(self, session: Session) -> AuditCheckpoint | None:
        """Sign the current head; call once at the end of each transaction.

        NOTE: fail closed. Before signing, the newest checkpoint mirrored outside the database
        must still match the log; otherwise a cut or rewritten log would be signed as the new
        truth and the damage would vanish from the next verification.
        """
        if not self.appended:
            return None  # nothing new to sign (a read)
        seq, head = store.chain.head(session, lock=True)
        self._check_continuity(session)
        ts = datetime.now(UTC)
        signature = self.keys.signing_key.sign(checkpoint_message(seq, head, ts))
        cp = AuditCheckpoint(
            seq=seq, head_hash=head, ts=ts, signature=base64.b64encode(signature).decode()
        )
        if store.chain.checkpoint_at(session, seq) is None:
            store.chain.add(session, cp)
            self._pending.append(cp)
        return cp

    def _check_continuity(self, session: Session) -> None:
        newest = newest_mirrored(self.keys.checkpoint_file)
        if newest is None:
            return
        event = store.chain.event_at(session, newest["seq"])
        if event is None or event.hash != newest["head_hash"]:
            raise AuditError(
                f"the audit log no longer matches the checkpoint signed at event {newest['seq']}: "
                "refusing to write; an inspector must run `review-flow audit verify`"
            )

    def mirror(self) -> None:
        """After commit: append the new checkpoints to the file outside the database."""
        if not self._pending:
            return
        try:
            with self.keys.checkpoint_file.open("a", encoding="utf-8") as handle:
                for cp in self._pending:
                    handle.write(json.dumps(_checkpoint_json(cp)) + "\n")
        except OSError as exc:
            raise AuditError(
                f"done and committed, but the checkpoint file {self.keys.checkpoint_file} "
                f"could not be written ({exc.strerror or exc}): free space, then run `audit "
                "verify`"
            ) from None
        finally:
            self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as they come back from the database (JSON round trip), so hashes are stable."""
    result: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return result


def _checkpoint_json(cp: AuditCheckpoint) -> dict[str, Any]:
    return {"seq": cp.seq, "head_hash": cp.head_hash, "ts": iso(cp.ts), "signature": cp.signature}


def newest_mirrored(path: Path) -> dict[str, Any] | None:
    """The last complete line of the checkpoint file, read from its end."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read()
    except FileNotFoundError:
        return None
    lines = [ln for ln in tail.split(b"\n") if ln.strip()]
    if not lines:
        return None
    try:
        newest: dict[str, Any] = json.loads(lines[-1])
    except ValueError as exc:
        raise AuditError(f"{path}: last line is not a checkpoint ({exc})") from None
    return newest
