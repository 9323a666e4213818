"""Immutable facts: version rows, findings, dispositions and users can no longer be changed or
deleted (triggers, as for the audit tables); role changes become rows of `role_grant`.

On PostgreSQL, `review_flow_move` is the one way to change a document's state: a SECURITY
DEFINER function that refuses unless this very transaction has just appended the audit event
of that move (see store/grants.py for the roles that may call it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

FROZEN = ("version", "finding", "disposition", "user_account", "role_grant")

# NOTE: the columns a move may change are listed here, not taken from the caller, so the
# function cannot be used to rewrite a title, a clerk or a creation time.
MOVE_FUNCTION = """
CREATE FUNCTION review_flow_move(p_id integer, p_state text, p_row_version integer,
                                 p_changes jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema} AS $$
DECLARE
  ev record;
  n integer;
BEGIN
  SELECT e.from_state, e.to_state, e.xmin::text AS x INTO ev FROM audit_event e
   WHERE e.document_id = p_id ORDER BY e.seq DESC LIMIT 1;
  IF ev IS NULL OR ev.x <> (pg_current_xact_id()::xid)::text
     OR ev.from_state IS DISTINCT FROM p_state
     OR ev.to_state IS DISTINCT FROM p_changes->>'state' THEN
    RAISE EXCEPTION 'review_flow_move: document % moves only with its audit event', p_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE document SET
    state = p_changes->>'state',
    row_version = p_row_version + 1,
    updated_at = now(),
    current_version = CASE WHEN p_changes ? 'current_version'
      THEN (p_changes->>'current_version')::integer ELSE current_version END,
    reviewed_version = CASE WHEN p_changes ? 'reviewed_version'
      THEN (p_changes->>'reviewed_version')::integer ELSE reviewed_version END,
    attribute = CASE WHEN p_changes ? 'attribute'
      THEN p_changes->>'attribute' ELSE attribute END,
    attribute_reason = CASE WHEN p_changes ? 'attribute_reason'
      THEN p_changes->>'attribute_reason' ELSE attribute_reason END,
    title = CASE WHEN p_changes ? 'title' THEN p_changes->>'title' ELSE title END,
    doc_number = CASE WHEN p_changes ? 'doc_number'
      THEN p_changes->>'doc_number' ELSE doc_number END,
    issuer = CASE WHEN p_changes ? 'issuer' THEN p_changes->>'issuer' ELSE issuer END,
    doc_date = CASE WHEN p_changes ? 'doc_date' THEN p_changes->>'doc_date' ELSE doc_date END,
    marking = CASE WHEN p_changes ? 'marking' THEN p_changes->>'marking' ELSE marking END
  WHERE id = p_id AND state = p_state AND row_version = p_row_version;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("granted_by", sa.String(128), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_role_grant_user_name", "role_grant", ["user_name"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.execute(
        "INSERT INTO role_grant (user_name, roles, active, granted_by, granted_at) "
        "SELECT name, roles, active, 'migration 0004', created_at FROM user_account ORDER BY id"
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in FROZEN:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    for table in FROZEN:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION review_flow_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION review_flow_append_only()"
        )
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(MOVE_FUNCTION.format(schema=f'"{schema}"'))
