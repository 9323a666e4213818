"""Verification of the chain in the database: every hash, every signed checkpoint, the
checkpoint file outside the database and an inspector's signed head (both catch a cut tail),
and every row the replayed events do not explain. It only reads: it never signs or appends.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from review_flow import store
from review_flow.audit.chain import checkpoint_message, event_hash, newest_mirrored
from review_flow.audit.head import SignedHead, check_since
from review_flow.audit.keys import Keys
from review_flow.audit.replay import DocumentFacts, Replay, document_problems, role_problems
from review_flow.store import AuditCheckpoint, AuditEvent
from review_flow.store.chain import GENESIS, stream


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    checkpoints: int
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def verify(
    session: Session, keys: Keys, batch: int = 5000, since: SignedHead | None = None
) -> Verification:
    """Recompute the chain, check every checkpoint and replay the events against the rows,
    streaming the log in bounded memory; with `since`, the log must extend that head."""
    public = keys.signing_key.public_key()
    problems: list[str] = []
    warnings: list[str] = []
    checkpoints = stream(session, AuditCheckpoint, batch)
    cp = next(checkpoints, None)
    n_cp, expected_seq, prev, last_seq, newest_cp = 0, 1, GENESIS, 0, 0
    replay = Replay()
    for event in stream(session, AuditEvent, batch):
        replay.apply(event)
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
            n_cp, newest_cp = n_cp + 1, cp.seq
            problems += _check_checkpoint(cp, event if cp.seq == event.seq else None, public)
            cp = next(checkpoints, None)
        expected_seq, prev, last_seq = event.seq + 1, event.hash, event.seq
        if len(problems) > 50:
            problems.append("… stopping after 50 problems")
            break
    while cp is not None:
        n_cp, newest_cp = n_cp + 1, cp.seq
        problems.append(
            f"checkpoint at event {cp.seq}: the log ends at event {last_seq} (tail cut)"
        )
        problems += _check_checkpoint(cp, None, public, quiet_missing=True)
        cp = next(checkpoints, None)
    problems += _check_mirror(keys, last_seq, prev, newest_cp, public, warnings)
    if since is not None:
        problems += check_since(session, since, public)
    problems += unexplained(session, replay)
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
    keys: Keys, last_seq: int, last_hash: str, newest_cp: int, public: Any, warnings: list[str]
) -> list[str]:
    """The newest checkpoint in the file outside the database catches a cut tail.

    NOTE: once the log holds an event, a checkpoint was signed and mirrored (every transaction
    ends with one), so a missing file, or a file behind the database's checkpoints, is damage
    (a deleted or rolled-back file hides a cut), not a warning.
    """
    path = keys.checkpoint_file
    newest = newest_mirrored(path) if path.exists() else None
    if newest is None:
        if last_seq or newest_cp:
            return [
                f"no checkpoint in {path}, though the log has {last_seq} events: the file was "
                "deleted or emptied, so a cut tail could go unseen (restore it from a backup)"
            ]
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
    elif newest_cp > cp.seq:
        problems.append(
            f"the checkpoint file {path} ends at event {cp.seq}, but the database holds a "
            f"checkpoint at event {newest_cp}: the file was rolled back or replaced"
        )
    elif cp.seq < last_seq:
        warnings.append(f"events {cp.seq + 1} to {last_seq} are newer than the checkpoint file")
    return problems


def unexplained(session: Session, replay: Replay) -> list[str]:
    """Every document, version, disposition and user row the replayed events do not explain."""
    out: list[str] = []
    rows = list(store.facts.documents(session))
    for doc in rows:
        assert doc.id is not None
        facts = replay.documents.get(doc.id, DocumentFacts())
        out += document_problems(
            facts, doc, store.facts.versions(session, doc.id),
            store.facts.dispositions(session, doc.id),
        )  # fmt: skip
        session.expunge_all()  # NOTE: version bytes are not kept in memory across documents
    for v in store.facts.orphan_versions(session):
        out.append(f"version {v.number} of document {v.document_id} (row {v.id}): no document")
    for gone in sorted(set(replay.documents) - {d.id for d in rows}):
        if replay.documents[gone].state is not None:
            out.append(f"document {gone}: the events record it, but its row is gone")
    users = store.people.users(session)
    out += role_problems(replay.roles, users)
    for name in sorted(set(replay.roles) - {u.name for u in users}):
        out.append(f"user {name}: the events gave roles, but the user row is gone")
    return out
