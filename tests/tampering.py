"""What an attacker with direct database access does in the tamper tests: change rows behind
review-flow's back, with or without the append-only triggers in the way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

# The SQLite trigger names of migrations 0002 and 0004, per table.
SQLITE_TRIGGERS = {
    "version": ("version_no_update", "version_no_delete"),
    "audit_event": ("audit_event_no_update", "audit_event_no_delete"),
    "audit_checkpoint": ("audit_checkpoint_no_update", "audit_checkpoint_no_delete"),
    "user_account": ("user_account_no_update", "user_account_no_delete"),
    "role_grant": ("role_grant_no_update", "role_grant_no_delete"),
}


@contextmanager
def owner(engine: Engine, *tables: str) -> Iterator[Connection]:
    """A transaction of the database owner with the append-only triggers of `tables` off, as
    only an owner or superuser can (SQLite: dropped and made again; PostgreSQL: disabled)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        saved: list[str] = []
        for table in tables:
            if sqlite:
                for name in SQLITE_TRIGGERS[table]:
                    sql = conn.execute(
                        text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}
                    ).scalar_one()
                    saved.append(sql)
                    conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield conn
        for table in tables:
            if not sqlite:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        for sql in saved:
            conn.execute(text(sql))


def run(conn: Connection, sql: str, **params: Any) -> int:
    return int(conn.execute(text(sql), params).rowcount)
