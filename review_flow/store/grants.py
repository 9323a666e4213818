"""Least privilege on PostgreSQL: the roles and grants under which a person's login cannot
change roles, versions, findings, states or the audit log by direct SQL.

The design, and why:

- A non-login owner role (`<prefix>owner`) owns every table, sequence and function. Nobody
  logs in as it; `db grants --apply` (run by the DBA) hands the schema over to it.
- One group role per application role (`<prefix>clerk`, `reviewer`, `publisher`, `inspector`,
  `admin`), each NOLOGIN; a person's login is made a member of the groups of their roles.
  Every group may read every table and append to the audit tables (a refusal is recorded
  whoever is refused); beyond that each may INSERT only what its own use cases create (clerk:
  documents, versions, findings; reviewer: dispositions, and the versions and findings a
  redaction makes; publisher: catalogue and outbox;
  admin: users, role grants, settings).
- No login holds UPDATE, DELETE or TRUNCATE on any fact: users, role grants, versions,
  findings, dispositions, the audit tables. The append-only triggers stop even the owner's
  sessions; only a superuser (or the owner, by disabling them) gets past, and `audit verify`
  then names what the events do not explain.
- A document's state changes only through `review_flow_move` (migration 0004), a SECURITY
  DEFINER function owned by the owner role, which moves a document only when the same
  transaction has just appended the audit event of that move. Forging that event needs the
  HMAC key, and a forged event fails `audit verify`. Logins get UPDATE on `document.updated_at`
  only, which `SELECT … FOR UPDATE` needs to lock the row.
- Row-level security was considered and not used: the rows a person may see are all rows
  (inspectors and reviewers read every document), and what must be stopped is writes, which
  table and column grants plus one definer function express more simply.
- The outbox's delivery columns stay writable by publishers and admins (a worker claims and
  records messages); a forged "delivered" row cannot move a document without the function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from review_flow.errors import UsageError
from review_flow.store.engine import fault, is_sqlite

APP_ROLES = ("clerk", "reviewer", "publisher", "inspector", "admin")
TABLES = (
    "setting", "user_account", "role_grant", "document", "version", "finding", "disposition",
    "audit_event", "audit_checkpoint", "catalogue", "catalogue_serial", "outbox",
    "alembic_version",
)  # fmt: skip
FUNCTIONS = (
    "review_flow_move(integer, text, integer, jsonb)",
    "review_flow_append_only()",
)
OUTBOX_COLUMNS = (
    "status, attempts, next_attempt_at, claimed_by, claimed_until, last_error, delivered_at"
)
# What each group may do beyond reading everything and appending to the audit tables.
GRANTS: dict[str, tuple[str, ...]] = {
    "clerk": ("INSERT ON document, version, finding",),
    "reviewer": ("INSERT ON disposition, version, finding",),  # redact makes a version
    "publisher": (
        "INSERT ON catalogue, outbox",
        "INSERT, UPDATE ON catalogue_serial",
        f"UPDATE ({OUTBOX_COLUMNS}) ON outbox",
    ),
    "inspector": (),
    "admin": (
        "INSERT ON user_account, role_grant",
        "INSERT, UPDATE ON setting",
        f"UPDATE ({OUTBOX_COLUMNS}) ON outbox",
    ),
}
MOVERS = ("clerk", "reviewer", "publisher", "admin")  # the groups whose use cases move states


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def statements(
    schema: str, prefix: str = "review_flow_", members: Mapping[str, Sequence[str]] = {}
) -> list[str]:
    """The SQL that sets the roles and grants up (idempotent), in order."""
    s, owner = quote(schema), quote(f"{prefix}owner")
    groups = {role: quote(f"{prefix}{role}") for role in APP_ROLES}
    out = [_create(f"{prefix}owner", login=False)]
    out += [_create(f"{prefix}{role}", login=False) for role in APP_ROLES]
    out += [f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC", f"GRANT USAGE ON SCHEMA {s} TO {owner}"]
    for table in TABLES:
        out.append(f"ALTER TABLE {s}.{table} OWNER TO {owner}")
        out.append(f"REVOKE ALL ON {s}.{table} FROM PUBLIC")
    for function in FUNCTIONS:
        out.append(f"ALTER FUNCTION {s}.{function} OWNER TO {owner}")
        out.append(f"REVOKE ALL ON FUNCTION {s}.{function} FROM PUBLIC")
    for role, group in groups.items():
        out += [
            f"GRANT USAGE ON SCHEMA {s} TO {group}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {group}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {group}",
            f"GRANT INSERT ON {s}.audit_event, {s}.audit_checkpoint TO {group}",
        ]
        for grant in GRANTS[role]:
            what, _, tables = grant.partition(" ON ")
            qualified = ", ".join(f"{s}.{t.strip()}" for t in tables.split(","))
            out.append(f"GRANT {what} ON {qualified} TO {group}")
        if role in MOVERS:
            out.append(f"GRANT UPDATE (updated_at) ON {s}.document TO {group}")
            out.append(f"GRANT EXECUTE ON FUNCTION {s}.{FUNCTIONS[0]} TO {group}")
    for login, roles in members.items():
        out.append(_create(login, login=True))
        out += [f"GRANT {groups[r]} TO {quote(login)}" for r in roles]
    return out


def _create(name: str, login: bool) -> str:
    """CREATE ROLE unless it exists (PostgreSQL has no CREATE ROLE IF NOT EXISTS)."""
    literal = "'" + name.replace("'", "''") + "'"
    kind = "LOGIN" if login else "NOLOGIN"
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) "
        f"THEN CREATE ROLE {quote(name)} {kind}; END IF; END $$"
    )


def drop_statements(prefix: str, logins: Sequence[str] = ()) -> list[str]:
    """Undo `statements` for a prefix in this database (tests; a site retiring review-flow)."""
    names = [*logins, *(f"{prefix}{r}" for r in APP_ROLES), f"{prefix}owner"]
    out = []
    for name in names:
        literal = "'" + name.replace("'", "''") + "'"
        out.append(
            f"DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) THEN "
            f"EXECUTE 'DROP OWNED BY {quote(name)} CASCADE'; "
            f"EXECUTE 'DROP ROLE {quote(name)}'; END IF; END $$"
        )
    return out


def current_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def apply(engine: Engine, sql: Sequence[str]) -> None:
    """Run the statements in one transaction (as a superuser or the tables' owner)."""
    if is_sqlite(engine):
        raise UsageError("db grants is for PostgreSQL: a SQLite file has no logins or grants")
    try:
        with engine.begin() as conn:
            for statement in sql:
                conn.execute(text(statement))
    except DBAPIError as exc:
        raise fault(exc) from None
