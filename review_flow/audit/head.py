"""A signed head for an inspector to keep: (events, head hash, time), signed with the audit
key. Later, `audit verify --since HEAD.json` proves the log still extends it: fewer events, or
another hash at that count, is a cut (or a rewrite) named with the head's time.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from review_flow import store
from review_flow.audit.chain import iso
from review_flow.audit.keys import Keys
from review_flow.errors import AuditError


@dataclass(frozen=True, slots=True)
class SignedHead:
    events: int  # the sequence number of the newest event
    head_hash: str
    ts: str
    signature: str

    def message(self) -> bytes:
        return f"review-flow head\n{self.events}\n{self.head_hash}\n{self.ts}".encode()


def take_head(session: Session, keys: Keys) -> SignedHead:
    """The log's head now, signed (reads only)."""
    seq, head = store.chain.head(session)
    ts = iso(datetime.now(UTC))
    unsigned = SignedHead(seq, head, ts, "")
    signature = base64.b64encode(keys.signing_key.sign(unsigned.message())).decode()
    return SignedHead(seq, head, ts, signature)


def write_head(head: SignedHead, out: Path) -> None:
    try:
        out.write_text(json.dumps(asdict(head), indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"cannot write {out}: {exc.strerror or exc}") from None


def read_head(path: Path) -> SignedHead:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SignedHead(
            int(data["events"]), str(data["head_hash"]), str(data["ts"]), str(data["signature"])
        )
    except FileNotFoundError:
        raise AuditError(f"{path}: no such head file (it was deleted or moved)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AuditError(f"{path}: not a signed head ({exc})") from None


def check_since(session: Session, head: SignedHead, public: Any) -> list[str]:
    """Problems if the log does not extend `head` (or the head's signature is bad)."""
    from cryptography.exceptions import InvalidSignature

    try:
        public.verify(base64.b64decode(head.signature), head.message())
    except (InvalidSignature, ValueError):
        return [f"the head signed {head.ts} has a bad signature (forged or edited head file)"]
    if head.events == 0:
        return []
    event = store.chain.event_at(session, head.events)
    if event is None:
        last, _ = store.chain.head(session)
        return [
            f"the log ends at event {last}, but the head signed {head.ts} saw event "
            f"{head.events}: events {last + 1} to {head.events} were cut"
        ]
    if event.hash != head.head_hash:
        return [
            f"event {head.events} differs from the head signed {head.ts}: the log was cut "
            "back and written again, or rewritten"
        ]
    return []
