"""What the use cases return: frozen values made from rows inside the transaction, so nothing
the caller holds is tied to a session. The CLI formats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from review_flow.scan.model import ScanReport
from review_flow.store import AuditEvent, Disposition, Document, FindingRow, User


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: int
    title: str
    state: str
    clerk: str
    current_version: int
    reviewed_version: int | None
    attribute: str | None
    attribute_reason: str | None
    doc_number: str | None
    issuer: str | None
    doc_date: str | None
    marking: str | None
    updated_at: datetime

    @classmethod
    def of(cls, doc: Document) -> DocumentView:
        assert doc.id is not None
        return cls(
            doc.id, doc.title, doc.state, doc.clerk, doc.current_version, doc.reviewed_version,
            doc.attribute, doc.attribute_reason, doc.doc_number, doc.issuer, doc.doc_date,
            doc.marking, doc.updated_at,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class FindingView:
    """A stored finding (masked unless revealed) with the latest decision on it."""

    id: int
    rule: str
    category: str
    kind: str
    severity: str
    start: int
    end: int
    where: str
    page: int | None
    excerpt: str
    value: str
    message: str
    disposition: str | None
    reason: str | None
    decided_by: str | None

    @classmethod
    def of(cls, row: FindingRow, decision: Disposition | None) -> FindingView:
        assert row.id is not None
        return cls(
            row.id, row.rule, row.category, row.kind, row.severity, row.start, row.end,
            row.location, row.page, row.excerpt, row.value, row.message,
            decision.decision if decision else None, decision.reason if decision else None,
            decision.decided_by if decision else None,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    file_name: str
    sha256: str
    size: int
    submitted_by: str
    submitted_at: datetime
    verdict: str

    @classmethod
    def of(cls, row: Row[Any]) -> VersionView:
        return cls(
            row.number, row.file_name, row.sha256, row.size, row.submitted_by, row.submitted_at,
            row.verdict,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class EventView:
    seq: int
    ts: datetime
    actor: str
    role: str
    identity: str
    action: str
    version: int | None
    from_state: str | None
    to_state: str | None
    reason: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEvent) -> EventView:
        return cls(
            e.seq, e.ts, e.actor, e.role, e.identity, e.action, e.version, e.from_state,
            e.to_state, e.reason, dict(e.details),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserView:
    name: str
    roles: tuple[str, ...]
    active: bool

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.name, tuple(user.roles.split()), user.active)


@dataclass(frozen=True, slots=True)
class Submitted:
    document: DocumentView
    report: ScanReport


@dataclass(frozen=True, slots=True)
class Revised:
    document: DocumentView
    report: ScanReport
    matches: list[int]  # findings of the new version whose earlier twin was dismissed


@dataclass(frozen=True, slots=True)
class Shown:
    """Everything `show` and the written review record need about one document."""

    document: DocumentView
    catalogue: dict[str, Any] | None
    versions: list[VersionView]
    findings: list[FindingView]
    history: list[EventView]
