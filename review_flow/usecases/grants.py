"""`db grants`: the least-privilege roles of store/grants.py for this database, printed or
applied (by the DBA, who is not a review-flow user: nothing is written to the audit log)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from review_flow import store
from review_flow.errors import UsageError
from review_flow.store import grants


def db_grants(
    db: str | None, prefix: str, members: Mapping[str, Sequence[str]], apply: bool
) -> list[str]:
    """The statements for the database named (or the default); run them with `apply`."""
    unknown = sorted({r for roles in members.values() for r in roles} - set(grants.APP_ROLES))
    if unknown:
        raise UsageError(f"unknown role(s) {', '.join(unknown)}: one of {grants.APP_ROLES}")
    engine = store.make_engine(store.database_url(db))
    try:
        if store.is_sqlite(engine):
            raise UsageError("db grants is for PostgreSQL: a SQLite file has no logins")
        sql = grants.statements(grants.current_schema(engine), prefix, members)
        if apply:
            grants.apply(engine, sql)
        return sql
    finally:
        engine.dispose()
