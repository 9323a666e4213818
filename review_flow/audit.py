"""The audit log: events chained by a keyed hash, signed checkpoints, verification and export.

A plain SHA-256 chain is rewritten by anyone who can write to the database (edit a row,
recompute every later hash); an HMAC key kept outside the database stops that, and Ed25519
checkpoints of the head, also appended to a file outside the database, catch a cut tail. An
inspector verifies an export with the public key alone. The log decides nothing.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from review_flow.errors import AuditError
from review_flow.store import AuditCheckpoint, AuditEvent, is_sqlite

log = logging.getLogger(__name__)

GENESIS = "0" * 64
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
APPEND_LOCK = 0x52465F41  # pg_advisory_xact_lock id serialising appends ("RF_A")


# -- keys ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Keys:
    """The HMAC chain key, the Ed25519 signing key and where checkpoints are mirrored."""

    hmac_key: bytes
    signing_key: Any  # cryptography Ed25519PrivateKey
    checkpoint_file: Path

    @property
    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def key_dir(db_url: str) -> Path:
    """`REVIEW_FLOW_HOME`, or a `.review-flow/` folder beside a SQLite file, or ~/.config."""
    home = os.environ.get("REVIEW_FLOW_HOME")
    if home:
        return Path(home)
    if db_url.startswith("sqlite:///") and ":memory:" not in db_url:
        return Path(db_url.removeprefix("sqlite:///")).parent / ".review-flow"
    return Path.home() / ".config" / "review-flow"


def create_keys(folder: Path) -> None:
    """Create missing key files with owner-only permissions (never overwrite one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    hmac_path, signing_path = folder / "audit.key", folder / "audit-signing.key"
    if not hmac_path.exists() and "REVIEW_FLOW_AUDIT_KEY" not in os.environ:
        _write_private(hmac_path, os.urandom(32).hex().encode())
    if not signing_path.exists():
        private = Ed25519PrivateKey.generate()
        _write_private(
            signing_path,
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        (folder / "audit-signing.pub").write_bytes(
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_keys(folder: Path) -> Keys:
    from cryptography.hazmat.primitives import serialization

    raw = os.environ.get("REVIEW_FLOW_AUDIT_KEY")
    try:
        hmac_key = bytes.fromhex(raw or (folder / "audit.key").read_text().strip())
        signing = serialization.load_pem_private_key(
            (folder / "audit-signing.key").read_bytes(), password=None
        )
    except FileNotFoundError as exc:
        raise AuditError(
            f"audit key missing: {exc.filename} (run `review-flow init`, or set "
            "REVIEW_FLOW_HOME to the folder holding the keys)"
        ) from None
    except ValueError as exc:
        raise AuditError(f"audit key unreadable: {exc}") from None
    return Keys(hmac_key, signing, folder / "audit-checkpoints.jsonl")


def load_public_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AuditError(f"{path}: not a readable public key ({exc})") from None


# -- hashing ---------------------------------------------------------------------------------
def canonical(event: AuditEvent) -> bytes:
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["ts"] = _iso(event.ts)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(ts: datetime) -> str:
    """UTC ISO time; SQLite returns naive datetimes, which are UTC by construction here."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(event), hashlib.sha256).hexdigest()


def checkpoint_message(seq: int, head_hash: str, ts: datetime) -> bytes:
    return f"review-flow checkpoint\n{seq}\n{head_hash}\n{_iso(ts)}".encode()


# -- appending -------------------------------------------------------------------------------
class AuditLog:
    """Appends events inside the caller's transaction and closes it with a checkpoint."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._pending: list[AuditCheckpoint] = []
        self.appended = 0

    def _head(self, session: Session) -> tuple[int, str]:
        if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK})
        last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()  # type: ignore[attr-defined]
        return (last.seq, last.hash) if last else (0, GENESIS)

    def append(self, session: Session, **fields: Any) -> AuditEvent:
        seq, prev = self._head(session)
        event = AuditEvent(seq=seq + 1, ts=datetime.now(UTC), prev_hash=prev, hash="", **fields)
        event.details = _plain(event.details)
        event.hash = event_hash(self.keys.hmac_key, prev, event)
        session.add(event)
        session.flush()
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
        seq, head = self._head(session)
        self._check_continuity(session)
        ts = datetime.now(UTC)
        signature = self.keys.signing_key.sign(checkpoint_message(seq, head, ts))
        cp = AuditCheckpoint(
            seq=seq, head_hash=head, ts=ts, signature=base64.b64encode(signature).decode()
        )
        if session.get(AuditCheckpoint, seq) is None:
            session.add(cp)
            self._pending.append(cp)
        return cp

    def _check_continuity(self, session: Session) -> None:
        newest = newest_mirrored(self.keys.checkpoint_file)
        if newest is None:
            return
        event = session.get(AuditEvent, newest["seq"])
        if event is None or event.hash != newest["head_hash"]:
            raise AuditError(
                f"the audit log no longer matches the checkpoint signed at event {newest['seq']}: "
                "refusing to write; an inspector must run `review-flow audit verify`"
            )

    def mirror(self) -> None:
        """After commit: append the new checkpoints to the file outside the database."""
        if not self._pending:
            return
        with self.keys.checkpoint_file.open("a", encoding="utf-8") as handle:
            for cp in self._pending:
                handle.write(json.dumps(_checkpoint_json(cp)) + "\n")
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as they come back from the database (JSON round trip), so hashes are stable."""
    result: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return result


def _checkpoint_json(cp: AuditCheckpoint) -> dict[str, Any]:
    return {"seq": cp.seq, "head_hash": cp.head_hash, "ts": _iso(cp.ts), "signature": cp.signature}


# -- verification ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    checkpoints: int
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def verify(session: Session, keys: Keys, batch: int = 5000) -> Verification:
    """Recompute the chain and check every checkpoint, streaming in bounded memory."""
    public = keys.signing_key.public_key()
    problems: list[str] = []
    warnings: list[str] = []
    checkpoints = _stream(session, AuditCheckpoint, AuditCheckpoint.seq, batch)
    cp = next(checkpoints, None)
    n_cp, expected_seq, prev, last_seq = 0, 1, GENESIS, 0
    for event in _stream(session, AuditEvent, AuditEvent.seq, batch):
        name = f"event {event.seq} ({event.action}, {event.actor})"
        if event.seq != expected_seq:
            problems.append(
                f"{name}: expected sequence number {expected_seq} (deleted or inserted events)"
            )
        if event.prev_hash != prev:
            problems.append(f"{name}: does not link to the event before it (reordered or removed)")
        if event_hash(keys.hmac_key, event.prev_hash, event) != event.hash:
            problems.append(f"{name}: content does not match its keyed hash (edited or forged)")
        while cp is not None and cp.seq <= event.seq:
            n_cp += 1
            problems += _check_checkpoint(cp, event if cp.seq == event.seq else None, public)
            cp = next(checkpoints, None)
        expected_seq, prev, last_seq = event.seq + 1, event.hash, event.seq
        if len(problems) > 50:
            problems.append("… stopping after 50 problems")
            break
    while cp is not None:
        n_cp += 1
        problems.append(
            f"checkpoint at event {cp.seq}: the log ends at event {last_seq} (tail cut)"
        )
        problems += _check_checkpoint(cp, None, public, quiet_missing=True)
        cp = next(checkpoints, None)
    problems += _check_mirror(keys, last_seq, prev, public, warnings)
    return Verification(not problems, last_seq, n_cp, tuple(problems), tuple(warnings))


def _stream(session: Session, model: Any, order: Any, batch: int) -> Iterator[Any]:
    """Rows in key order, a batch at a time, detached so memory stays bounded."""
    after = 0
    while True:
        rows = session.exec(select(model).where(order > after).order_by(order).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            session.expunge(row)
            yield row
        after = getattr(rows[-1], order.key)


def _check_checkpoint(
    cp: AuditCheckpoint, event: AuditEvent | None, public: Any, quiet_missing: bool = False
) -> list[str]:
    from cryptography.exceptions import InvalidSignature

    out = []
    try:
        public.verify(
            base64.b64decode(cp.signature), checkpoint_message(cp.seq, cp.head_hash, cp.ts)
        )
    except (InvalidSignature, ValueError):
        out.append(f"checkpoint at event {cp.seq}: bad signature (forged checkpoint)")
    if event is None and not quiet_missing:
        out.append(f"checkpoint at event {cp.seq}: no such event (deleted)")
    elif event is not None and event.hash != cp.head_hash:
        out.append(f"checkpoint at event {cp.seq}: signed head differs from the event's hash")
    return out


def _check_mirror(
    keys: Keys, last_seq: int, last_hash: str, public: Any, warnings: list[str]
) -> list[str]:
    """The newest checkpoint in the file outside the database catches a cut tail."""
    path = keys.checkpoint_file
    if not path.exists():
        warnings.append(f"no checkpoint file at {path}: a cut tail could go unnoticed")
        return []
    newest = newest_mirrored(path)
    if newest is None:
        return []
    cp = AuditCheckpoint(
        seq=newest["seq"],
        head_hash=newest["head_hash"],
        ts=datetime.fromisoformat(newest["ts"]),
        signature=newest["signature"],
    )
    problems = _check_checkpoint(cp, None, public, quiet_missing=True)
    if cp.seq > last_seq:
        problems.append(
            f"the signed checkpoint file says the log reached event {cp.seq}, "
            f"but it ends at event {last_seq} (tail cut)"
        )
    elif cp.seq == last_seq and cp.head_hash != last_hash:
        problems.append(f"event {cp.seq}: differs from the signed checkpoint file")
    elif cp.seq < last_seq:
        warnings.append(f"events {cp.seq + 1} to {last_seq} are newer than the checkpoint file")
    return problems


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


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


# -- export ----------------------------------------------------------------------------------
EXPORT_FIELDS = (*HASHED_FIELDS, "prev_hash", "hash")


def event_row(event: AuditEvent) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in EXPORT_FIELDS}
    row["ts"] = _iso(event.ts)
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
        "exported_at": _iso(datetime.now(UTC)),
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
