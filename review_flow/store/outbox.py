"""Catalogue records, their serial numbers and the outbox messages owed to the OA system."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from review_flow.errors import MessageNotFound
from review_flow.store.engine import locks_rows
from review_flow.store.tables import Catalogue, CatalogueSerial, OutboxMessage


def catalogue(session: Session, doc_id: int) -> Catalogue | None:
    return session.get(Catalogue, doc_id)


def next_serial(session: Session, year: int) -> int:
    """The next 索引号 serial of a year; the row stays locked until commit."""
    stmt = select(CatalogueSerial).where(CatalogueSerial.year == year)
    if locks_rows(session):
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        row = CatalogueSerial(year=year, last=0)
    row.last += 1
    session.add(row)
    session.flush()
    return row.last


def add(session: Session, *rows: Catalogue | OutboxMessage) -> None:
    session.add_all(rows)
    session.flush()


def message(session: Session, message_id: int) -> OutboxMessage:
    found = session.get(OutboxMessage, message_id)
    if found is None:
        raise MessageNotFound(message_id)
    return found


def claim_due(
    session: Session, worker: str, now: datetime, lease: timedelta, limit: int,
    skip: Collection[int] = (),
) -> list[int]:  # fmt: skip
    """Lease up to `limit` due messages to `worker`; others' unexpired leases are skipped, and
    so are the ids in `skip` (tried already in this pass)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .where(or_(col(OutboxMessage.claimed_until).is_(None),
                   col(OutboxMessage.claimed_until) < now))
        .where(col(OutboxMessage.id).not_in(list(skip)))
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )  # fmt: skip
    if locks_rows(session):
        stmt = stmt.with_for_update(skip_locked=True)
    rows = session.exec(stmt).all()
    for row in rows:
        row.claimed_by, row.claimed_until = worker, now + lease
        row.attempts += 1
        session.add(row)
    return [row.id for row in rows if row.id is not None]


def with_index_numbers(session: Session) -> list[tuple[OutboxMessage, str]]:
    """Every message with its document's 索引号, oldest first."""
    rows = session.exec(
        select(OutboxMessage, Catalogue.index_no)
        .join(Catalogue, col(Catalogue.document_id) == col(OutboxMessage.document_id))
        .order_by(col(OutboxMessage.id))
    ).all()
    return [(m, index_no) for m, index_no in rows]


def pending_for(session: Session, doc_id: int) -> list[OutboxMessage]:
    """A document's messages not yet delivered (pending, or leased to a worker now)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.document_id == doc_id, OutboxMessage.status == "pending")
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def delivered_for(session: Session, doc_id: int) -> int:
    """How many of a document's messages the OA acknowledged."""
    return len(
        session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.document_id == doc_id, OutboxMessage.status == "delivered"
            )
        ).all()
    )
