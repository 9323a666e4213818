"""SQLModel tables, the engine and transactions; the only module that speaks SQL.

SQLite (a file, WAL, every write transaction `BEGIN IMMEDIATE`) is the embedded default; any
SQLAlchemy URL works and PostgreSQL is tested. State changes are conditional UPDATEs checked
by row count, which holds on both backends (SQLite ignores `FOR UPDATE`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Field, Session, SQLModel, create_engine, select

from review_flow.errors import StoreError

DEFAULT_DB = "review_flow.db"
SCHEMA_HEAD = "0003"


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
    """One append-only audit event, chained by a keyed hash (see audit.py)."""

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


# -- engine ----------------------------------------------------------------------------------
def database_url(value: str | None = None) -> str:
    """`REVIEW_FLOW_DB` as a URL; a plain path means a SQLite file."""
    raw = value or os.environ.get("REVIEW_FLOW_DB") or DEFAULT_DB
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for every transaction.

    NOTE: a deferred SQLite transaction that reads, then writes, fails with 'database is
    locked' under contention however long the timeout; taking the write lock at BEGIN makes
    concurrent writers queue instead.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One database transaction: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def lock_document(session: Session, doc_id: int) -> Document:
    """Load a document for change; on PostgreSQL the row stays locked until commit."""
    stmt = select(Document).where(Document.id == doc_id)
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        stmt = stmt.with_for_update()
    doc = session.exec(stmt).first()
    if doc is None:
        raise StoreError(f"no document {doc_id}")
    return doc


def move_state(session: Session, doc: Document, to_state: str, **changes: Any) -> None:
    """Conditional UPDATE: only if the row is still in the state and version we read."""
    assert doc.id is not None
    values = {"state": to_state, "row_version": doc.row_version + 1, "updated_at": utcnow()}
    values.update(changes)
    result = session.execute(
        update(Document)
        .where(Document.id == doc.id)  # type: ignore[arg-type]
        .where(Document.state == doc.state)  # type: ignore[arg-type]
        .where(Document.row_version == doc.row_version)  # type: ignore[arg-type]
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StoreError(f"document {doc.id} was changed by someone else; try again")
    session.expire(doc)


def setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def upgrade(engine: Engine) -> str:
    """Create or upgrade the schema to the newest migration; returns the revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return SCHEMA_HEAD


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):  # no table yet: no schema
            return None
