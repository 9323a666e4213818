"""The engine, transactions and schema migrations, on SQLite (the embedded default) or any
SQLAlchemy URL (PostgreSQL is tested).

SQLite runs a file in WAL mode, and every write transaction starts with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlmodel import Session, create_engine

from review_flow.errors import DatabaseFault

DEFAULT_DB = "review_flow.db"
SCHEMA_HEAD = "0004"


def database_url(value: str | None = None) -> str:
    """`REVIEW_FLOW_DB` as a URL; a plain path means a SQLite file."""
    raw = value or os.environ.get("REVIEW_FLOW_DB") or DEFAULT_DB
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": lock_timeout(), "check_same_thread": False}
        )
        owner_only(engine.url.database)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def owner_only(path: str | None) -> None:
    """Create the SQLite file readable by its owner alone (0600): it holds whole documents.

    NOTE: SQLite gives the -wal and -shm files the mode of the database file, so they follow.
    """
    if not path or path == ":memory:" or os.path.exists(path):
        return
    with contextlib.suppress(FileNotFoundError):  # a folder that is not there: SQLite says so
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def lock_timeout() -> float:
    """Seconds a SQLite writer waits for the lock (`REVIEW_FLOW_LOCK_TIMEOUT`, default 30)."""
    return float(os.environ.get("REVIEW_FLOW_LOCK_TIMEOUT", "30"))


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
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One database transaction: committed on success, rolled back on any error.

    A failure of the database itself (disk full, read-only, lost connection, locked) leaves
    as a DatabaseFault naming the cause: the transaction was rolled back, nothing is half-done.
    """
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    except DBAPIError as exc:
        raise fault(exc) from None


# Substrings of SQLite and PostgreSQL messages, and the cause a person is told.
FAULTS = (
    ("database or disk is full", "the disk is full"),
    ("no space left on device", "the disk is full"),
    ("could not extend file", "the disk is full"),
    ("readonly database", "the database is read-only"),
    ("read-only transaction", "the database is read-only"),
    ("unable to open database", "the database file cannot be opened (missing or read-only)"),
    ("disk i/o error", "disk I/O error (a full disk, or a read-only file or folder)"),
    ("database is locked", "the database is locked by another process (try again)"),
    ("lock timeout", "the database is locked by another process (try again)"),
    ("terminating connection", "the connection to the database was lost"),
    ("server closed the connection", "the connection to the database was lost"),
    ("connection is closed", "the connection to the database was lost"),
    ("consuming input failed", "the connection to the database was lost"),
    ("connection refused", "the database server cannot be reached"),
)


def fault(exc: DBAPIError) -> DatabaseFault:
    """The one-line error for a database failure."""
    raw = str(exc.orig if exc.orig is not None else exc).strip()
    first = raw.splitlines()[0] if raw else type(exc).__name__
    cause = next((c for needle, c in FAULTS if needle in raw.lower()), first)
    return DatabaseFault(f"database error: {cause}; nothing was changed")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


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
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as exc:
        message = str(exc.orig).lower()
        if "no such table" in message or "does not exist" in message:
            return None  # no table yet: no schema
        raise fault(exc) from None


def locks_rows(session: Session) -> bool:
    """Whether `SELECT … FOR UPDATE` locks rows here (PostgreSQL); SQLite has BEGIN IMMEDIATE."""
    return not is_sqlite(session.get_bind())  # type: ignore[arg-type]
