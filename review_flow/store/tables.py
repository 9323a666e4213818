"""The SQLModel tables: what review-flow keeps. No queries here (see the modules beside it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Setting(SQLModel, table=True):
    """Database-wide settings: mode (demo|production), organisation code …"""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(128), unique=True, nullable=False))
    roles: str = Field(default="", max_length=200)  # space-separated Role values
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def role_set(self) -> set[str]:
        return set(self.roles.split())


class RoleGrant(SQLModel, table=True):
    """One change of a user's roles, append-only (by trigger); the newest row of a user counts.

    `user_account.roles` keeps the roles a user was created with and is never updated.
    """

    __tablename__ = "role_grant"
    id: int | None = Field(default=None, primary_key=True)
    user_name: str = Field(max_length=128, index=True)
    roles: str = Field(default="", max_length=200)  # space-separated Role values
    active: bool = True
    granted_by: str = Field(max_length=128)
    granted_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_state", "state"), Index("ix_document_clerk", "clerk"))
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=32)
    clerk: str = Field(max_length=128)
    current_version: int = 1
    reviewed_version: int | None = None
    attribute: str | None = Field(default=None, max_length=32)
    attribute_reason: str | None = Field(default=None, sa_column=Column(Text))
    doc_number: str | None = Field(default=None, max_length=128)
    issuer: str | None = Field(default=None, max_length=256)
    doc_date: str | None = Field(default=None, max_length=64)
    marking: str | None = Field(default=None, max_length=128)
    row_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Version(SQLModel, table=True):
    __tablename__ = "version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    file_name: str = Field(max_length=512)
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    submitted_by: str = Field(max_length=128)
    submitted_at: datetime = Field(default_factory=utcnow)
    verdict: str = Field(max_length=16)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FindingRow(SQLModel, table=True):
    """A finding of one version's scan; masked excerpt and value only, never raw personal data."""

    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    rule: str = Field(max_length=128)
    category: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    severity: str = Field(max_length=8)
    start: int
    end: int
    location: str = Field(max_length=32)
    page: int | None = None
    excerpt: str = Field(sa_column=Column(Text, nullable=False))
    value: str = Field(sa_column=Column(Text, nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str = Field(max_length=64, index=True)


class Disposition(SQLModel, table=True):
    """A reviewer's decision on a finding; the latest one for a finding counts."""

    __tablename__ = "disposition"
    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    decision: str = Field(max_length=16)  # confirmed | dismissed
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: str = Field(max_length=128)
    decided_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One append-only audit event, chained by a keyed hash (see audit/chain.py)."""

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True)
    ts: datetime
    actor: str = Field(max_length=128)
    role: str = Field(max_length=32)
    identity: str = Field(max_length=32)  # how the actor was established: os-user, db-login, demo
    action: str = Field(max_length=48)
    document_id: int | None = Field(default=None, index=True)
    version: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """An Ed25519-signed statement of the chain's head (sequence number, hash, time)."""

    __tablename__ = "audit_checkpoint"
    seq: int = Field(primary_key=True)
    head_hash: str = Field(max_length=64)
    ts: datetime
    signature: str = Field(max_length=200)


class Catalogue(SQLModel, table=True):
    """The disclosure-catalogue record of a released document; 索引号 never changes."""

    __tablename__ = "catalogue"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    index_no: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class CatalogueSerial(SQLModel, table=True):
    __tablename__ = "catalogue_serial"
    year: int = Field(primary_key=True)
    last: int = 0


class OutboxMessage(SQLModel, table=True):
    """A delivery owed to the OA filing system, written with the state change that owes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    version: int
    idempotency_key: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    status: str = Field(max_length=16)  # pending | delivered | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
