"""The database: tables, engine and transactions, and every query; the only package that speaks
SQL. Callers get rows and typed errors (DocumentNotFound, ConcurrentChange …), never SQL.

State changes are conditional UPDATEs checked by row count, which holds on both backends
(SQLite ignores `FOR UPDATE`). Queries live in a module per concern: `documents`, `findings`,
`people`, `outbox`, `chain`.
"""

from review_flow.store import chain, documents, facts, findings, outbox, people, queue
from review_flow.store.documents import lock_document, move_state
from review_flow.store.engine import (
    DEFAULT_DB,
    SCHEMA_HEAD,
    database_url,
    is_sqlite,
    make_engine,
    ping,
    schema_revision,
    transaction,
    upgrade,
)
from review_flow.store.people import setting
from review_flow.store.tables import (
    AuditCheckpoint,
    AuditEvent,
    Catalogue,
    CatalogueSerial,
    Disposition,
    Document,
    FindingRow,
    OutboxMessage,
    RoleGrant,
    Setting,
    User,
    Version,
    utcnow,
)

__all__ = [
    "DEFAULT_DB",
    "SCHEMA_HEAD",
    "AuditCheckpoint",
    "AuditEvent",
    "Catalogue",
    "CatalogueSerial",
    "Disposition",
    "Document",
    "FindingRow",
    "OutboxMessage",
    "RoleGrant",
    "Setting",
    "User",
    "Version",
    "chain",
    "database_url",
    "documents",
    "facts",
    "findings",
    "is_sqlite",
    "lock_document",
    "make_engine",
    "move_state",
    "outbox",
    "people",
    "ping",
    "queue",
    "schema_revision",
    "setting",
    "transaction",
    "upgrade",
    "utcnow",
]
