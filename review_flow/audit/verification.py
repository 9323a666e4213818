"""Verification of the chain in the database: every hash, every signed checkpoint, and the
checkpoint file outside the database, which catches a cut tail. It only reads.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from review_flow.audit.chain import checkpoint_message, event_hash, newest_mirrored
from review_flow.audit.keys import Keys
from review_flow.store import AuditCheckpoint, AuditEvent
from review_flow.store.chain import GENESIS, stream


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
    checkpoints = stream(session, AuditCheckpoint, batch)
    cp = next(checkpoints, None)
    n_cp, expected_seq, prev, last_seq = 0, 1, GENESIS, 0
    for event in stream(session, AuditEvent, batch):
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
