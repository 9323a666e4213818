"""Rows of the audit chain: its head, appends, streaming reads and the export selection.

The chain itself (hashing, signing, verifying) is audit's; this module only reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from review_flow.store.engine import locks_rows
from review_flow.store.tables import AuditCheckpoint, AuditEvent

APPEND_LOCK = 0x52465F41  # pg_advisory_xact_lock id serialising appends ("RF_A")
GENESIS = "0" * 64  # the prev_hash of the first event

Row = TypeVar("Row", AuditEvent, AuditCheckpoint)


def head(session: Session, lock: bool = False) -> tuple[int, str]:
    """(seq, hash) of the newest event, (0, GENESIS) for none.

    With `lock`, appends are serialised until commit (PostgreSQL: an advisory lock; SQLite
    already holds the write lock from BEGIN IMMEDIATE).
    """
    if lock and locks_rows(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK})
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def add(session: Session, row: AuditEvent | AuditCheckpoint) -> None:
    session.add(row)
    session.flush()


def event_at(session: Session, seq: int) -> AuditEvent | None:
    return session.get(AuditEvent, seq)


def checkpoint_at(session: Session, seq: int) -> AuditCheckpoint | None:
    return session.get(AuditCheckpoint, seq)


def stream(session: Session, model: type[Row], batch: int = 5000) -> Iterator[Row]:
    """Every row in seq order, a batch at a time, detached so memory stays bounded."""
    order: Any = model.seq
    after = 0
    while True:
        rows = session.exec(select(model).where(order > after).order_by(order).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            session.expunge(row)
            yield row
        after = rows[-1].seq


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def selected(
    session: Session, start: datetime | None, end: datetime | None, document: int | None
) -> Iterator[AuditEvent]:
    """Events from `start` (inclusive) to `end` (exclusive), of one document if given."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.seq))
    if start:
        stmt = stmt.where(AuditEvent.ts >= start)
    if end:
        stmt = stmt.where(AuditEvent.ts < end)
    if document is not None:
        stmt = stmt.where(AuditEvent.document_id == document)
    yield from session.exec(stmt.execution_options(yield_per=2000))
