"""What the use cases return: frozen values made from rows inside the transaction, so nothing
the caller holds is tied to a session. The CLI formats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from review_flow.scan.model import ScanReport
from review_flow.store import AuditEvent, Disposition, Document, FindingRow, User
from review_flow.store.queue import Listed


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
    submitted_at: datetime | None = None  # of the current version
    verdict: str | None = None  # the current version's scan verdict
    note: str | None = None  # 附注 of the current version

    @classmethod
    def of(
        cls, doc: Document, submitted_at: datetime | None = None, verdict: str | None = None,
        note: str | None = None,
    ) -> DocumentView:  # fmt: skip
        assert doc.id is not None
        return cls(
            doc.id, doc.title, doc.state, doc.clerk, doc.current_version, doc.reviewed_version,
            doc.attribute, doc.attribute_reason, doc.doc_number, doc.issuer, doc.doc_date,
            doc.marking, doc.updated_at, submitted_at, verdict, note,
        )  # fmt: skip

    @classmethod
    def listed(cls, row: Listed) -> DocumentView:
        return cls.of(row.document, row.submitted_at, row.verdict)


@dataclass(frozen=True, slots=True)
class DecisionView:
    """One decision on a finding, by whom and when (UTC)."""

    decision: str
    reason: str
    decided_by: str
    decided_at: datetime

    @classmethod
    def of(cls, d: Disposition) -> DecisionView:
        return cls(d.decision, d.reason, d.decided_by, d.decided_at)


@dataclass(frozen=True, slots=True)
class FindingView:
    """A stored finding (masked unless revealed) with the latest decision on it.

    `number` counts the current version's findings 1…n in text order (what `dispose` takes);
    `earlier` holds the decisions the latest one replaced, so an override stays visible.
    """

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
    number: int = 0
    decided_at: datetime | None = None
    earlier: tuple[DecisionView, ...] = ()

    @classmethod
    def of(
        cls, row: FindingRow, decision: Disposition | None, number: int = 0,
        earlier: tuple[DecisionView, ...] = (),
    ) -> FindingView:  # fmt: skip
        assert row.id is not None
        return cls(
            row.id, row.rule, row.category, row.kind, row.severity, row.start, row.end,
            row.location, row.page, row.excerpt, row.value, row.message,
            decision.decision if decision else None, decision.reason if decision else None,
            decision.decided_by if decision else None, number,
            decision.decided_at if decision else None, earlier,
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
class Waiting:
    """One line of `queue`: a document, what it waits for, and since when (UTC)."""

    document: DocumentView
    awaits: str  # the role whose turn it is: reviewer, publisher or clerk
    since: datetime


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
