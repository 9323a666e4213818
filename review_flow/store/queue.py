"""Documents with their current version's submission time, verdict and submitter: the rows
behind `list` (with its filters) and `queue` (what awaits whom)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from review_flow.store.tables import Document, Version


@dataclass(frozen=True, slots=True)
class Listed:
    document: Document
    submitted_at: datetime
    submitted_by: str
    verdict: str


@dataclass(frozen=True, slots=True)
class Filters:
    """What `list` narrows by; None means any. Times are UTC; `search` looks in 标题 and 文号."""

    states: tuple[str, ...] | None = None
    clerk: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    verdict: str | None = None
    search: str | None = None
    not_submitted_by: str | None = None
    limit: int = 50


def listing(session: Session, f: Filters) -> list[Listed]:
    """Newest first; submission time is the current version's."""
    stmt = (
        select(Document, Version.submitted_at, Version.submitted_by, Version.verdict)
        .join(Version, (col(Version.document_id) == col(Document.id))
              & (col(Version.number) == col(Document.current_version)))
        .order_by(col(Document.id).desc())
        .limit(f.limit)
    )  # fmt: skip
    if f.states is not None:
        stmt = stmt.where(col(Document.state).in_(f.states))
    if f.clerk:
        stmt = stmt.where(Document.clerk == f.clerk)
    if f.since:
        stmt = stmt.where(col(Version.submitted_at) >= f.since)
    if f.until:
        stmt = stmt.where(col(Version.submitted_at) < f.until)
    if f.verdict:
        stmt = stmt.where(Version.verdict == f.verdict)
    if f.not_submitted_by:
        stmt = stmt.where(Version.submitted_by != f.not_submitted_by)
    if f.search:
        like = f"%{f.search}%"
        stmt = stmt.where(or_(col(Document.title).like(like), col(Document.doc_number).like(like)))
    return [Listed(d, at, by, verdict) for d, at, by, verdict in session.exec(stmt).all()]
