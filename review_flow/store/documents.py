"""Documents and their versions: load for change, conditional state moves, listing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from review_flow.errors import ConcurrentChange, DocumentNotFound
from review_flow.store.engine import locks_rows
from review_flow.store.tables import AuditEvent, Document, FindingRow, Version, utcnow


def lock_document(session: Session, doc_id: int) -> Document:
    """Load a document for change; on PostgreSQL the row stays locked until commit."""
    stmt = select(Document).where(Document.id == doc_id)
    if locks_rows(session):
        stmt = stmt.with_for_update()
    doc = session.exec(stmt).first()
    if doc is None:
        raise DocumentNotFound(doc_id)
    return doc


def get(session: Session, doc_id: int) -> Document | None:
    """A document by id, without locking it (None if there is none)."""
    return session.get(Document, doc_id)


# The head fields follow the current version: a revise moves them with the version (issue 13).
MOVABLE = frozenset(
    {"current_version", "reviewed_version", "attribute", "attribute_reason"}
    | {"title", "doc_number", "issuer", "doc_date", "marking"}
)


def move_state(session: Session, doc: Document, to_state: str, **changes: Any) -> None:
    """Conditional UPDATE: only if the row is still in the state and version we read.

    NOTE: on PostgreSQL the UPDATE is made by `review_flow_move` (migration 0004), a SECURITY
    DEFINER function that checks this transaction has just appended the move's audit event:
    logins hold no UPDATE on `document` (store/grants.py), so the event must come first.
    """
    assert doc.id is not None
    unknown = set(changes) - MOVABLE
    if unknown:
        raise ValueError(f"a move cannot change {sorted(unknown)}")
    if locks_rows(session):
        count = session.execute(
            text("SELECT review_flow_move(:id, :state, :rv, CAST(:changes AS jsonb))"),
            {"id": doc.id, "state": doc.state, "rv": doc.row_version,
             "changes": json.dumps({"state": to_state, **changes}, ensure_ascii=False)},
        ).scalar_one()  # fmt: skip
    else:
        values = {"state": to_state, "row_version": doc.row_version + 1, "updated_at": utcnow()}
        values.update(changes)
        count = session.execute(
            update(Document)
            .where(Document.id == doc.id)  # type: ignore[arg-type]
            .where(Document.state == doc.state)  # type: ignore[arg-type]
            .where(Document.row_version == doc.row_version)  # type: ignore[arg-type]
            .values(**values)
        ).rowcount  # type: ignore[attr-defined]
    if count != 1:
        raise ConcurrentChange(f"document {doc.id} was changed by someone else; try again")
    session.expire(doc)


def add_document(session: Session, doc: Document) -> Document:
    """A new document row, flushed so it has its id."""
    session.add(doc)
    session.flush()
    return doc


def version(session: Session, doc_id: int, number: int) -> Version:
    return session.exec(
        select(Version).where(Version.document_id == doc_id, Version.number == number)
    ).one()


def add_version(session: Session, version_: Version) -> int:
    """A new version row, flushed; returns its id."""
    session.add(version_)
    session.flush()
    assert version_.id is not None
    return version_.id


def add_findings(session: Session, rows: Iterable[FindingRow]) -> None:
    session.add_all(list(rows))
    session.flush()


VERSION_COLUMNS = (
    Version.number,
    Version.file_name,
    Version.sha256,
    Version.size,
    Version.submitted_by,
    Version.submitted_at,
    Version.verdict,
)


def versions(session: Session, doc_id: int) -> Sequence[Row[Any]]:
    """Every version of a document, oldest first, without its bytes."""
    return session.execute(
        sa_select(*VERSION_COLUMNS)  # type: ignore[call-overload]
        .where(Version.document_id == doc_id)
        .order_by(col(Version.number))
    ).all()


def list_documents(
    session: Session, state: str | None, clerk: str | None, limit: int
) -> list[Document]:
    """Newest first; only one state, or one clerk's, when given."""
    stmt = select(Document).order_by(col(Document.id).desc()).limit(limit)
    if state:
        stmt = stmt.where(Document.state == state)
    if clerk:
        stmt = stmt.where(Document.clerk == clerk)
    return list(session.exec(stmt).all())


def count_documents(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Document)).one())


def history(session: Session, doc_id: int) -> list[AuditEvent]:
    """A document's audit events in order."""
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.document_id == doc_id).order_by(col(AuditEvent.seq))
        ).all()
    )


def holding_bytes(session: Session, sha256: str) -> list[int]:
    """Ids of the documents that have a version with exactly these bytes, oldest first."""
    return sorted(
        set(session.exec(select(Version.document_id).where(Version.sha256 == sha256)).all())
    )
