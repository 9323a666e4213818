"""The rows the audit events must explain, read for the replay check (audit/replay.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, col, select

from review_flow.store.tables import AuditEvent, Disposition, Document, FindingRow, Version

ROLE_ACTIONS = ("init", "user_roles")


def role_events(session: Session) -> list[AuditEvent]:
    """The events that give roles, in order."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(ROLE_ACTIONS))
            .order_by(col(AuditEvent.seq))
        ).all()
    )


def documents(session: Session) -> Iterator[Document]:
    yield from session.exec(select(Document).order_by(col(Document.id)))


def versions(session: Session, doc_id: int) -> list[Version]:
    """Every version of a document with its bytes, oldest first."""
    return list(
        session.exec(
            select(Version).where(Version.document_id == doc_id).order_by(col(Version.number))
        ).all()
    )


def orphan_versions(session: Session) -> list[Version]:
    """Version rows of no document row."""
    known = select(Document.id)
    return list(session.exec(select(Version).where(col(Version.document_id).not_in(known))).all())


def dispositions(session: Session, doc_id: int) -> list[tuple[Disposition, int]]:
    """Every decision on a document's findings, oldest first, with the document id."""
    rows = session.exec(
        select(Disposition, FindingRow.document_id)
        .join(FindingRow, col(FindingRow.id) == col(Disposition.finding_id))
        .where(FindingRow.document_id == doc_id)
        .order_by(col(Disposition.id))
    ).all()
    return [(d, doc) for d, doc in rows]
