"""Administration: the database and its first admin (init), users and their roles, and the
audit log for inspectors (verify, export, one document's history). Each use is recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from review_flow import audit, store
from review_flow.errors import UsageError
from review_flow.identity import Role, establish
from review_flow.store import User
from review_flow.usecases.frame import Act, Frame
from review_flow.usecases.views import EventView, UserView

INSPECTORS = (Role.INSPECTOR, Role.ADMIN)
EXPORT_FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True)
class Initialised:
    revision: str
    url: str
    key_folder: Path
    admin: str | None = None  # the admin the database has now


@dataclass(frozen=True, slots=True)
class Exported:
    out: Path
    events: int
    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportCheck:
    manifest: dict[str, Any]
    problems: list[str]


def verify_export_file(file: Path, public_key: Path) -> ExportCheck:
    """An export checked alone, against its manifest and the public key; no database."""
    sig = file.with_name(file.name + ".sig.json")
    try:
        manifest = json.loads(sig.read_text(encoding="utf-8"))
        data = file.read_bytes()
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the export or its manifest {sig}: {exc}") from None
    public = audit.load_public_key(public_key)
    return ExportCheck(manifest, audit.verify_export(data, manifest, public))


def init(
    db: str | None, admin: str | None, demo: bool, settings: dict[str, str] | None = None
) -> Initialised:
    """`review-flow init`: the database named (or the default) and its key folder."""
    url = store.database_url(db)
    folder = audit.key_dir(url)
    engine = store.make_engine(url)
    try:
        revision = initialize(engine, folder, admin, demo, settings)
        with store.transaction(engine) as session:
            found = store.people.an_admin(session)
        return Initialised(revision, url, folder, found.name if found else None)
    finally:
        engine.dispose()


def initialize(
    engine: Engine,
    keys_folder: Path,
    admin: str | None,
    demo: bool,
    settings: dict[str, str] | None = None,
) -> str:
    """Create or upgrade the schema, the audit keys and (once) the first admin; the revision."""
    audit.create_keys(keys_folder)
    keys = audit.load_keys(keys_folder)
    revision = store.upgrade(engine)
    log_ = audit.AuditLog(keys)
    with store.transaction(engine) as session:
        mode = store.setting(session, "mode")
        if mode is None:
            store.people.put_setting(session, "mode", "demo" if demo else "production")
        elif demo and mode != "demo":
            raise UsageError("this database was created in production mode; --demo cannot be added")
        for key, value in (settings or {}).items():
            store.people.put_setting(session, key, value)
        actor = establish(session, None)
        has_admin = store.people.an_admin(session)
        details: dict[str, Any] = {
            "schema": revision,
            "mode": mode or ("demo" if demo else "production"),
        }
        if admin is None and has_admin is None:  # the person setting it up administers it
            admin = actor.name
            details["admin_from_login"] = True
        if admin and has_admin is None:
            store.people.save_user(
                session, User(name=admin, roles=str(Role.ADMIN)), granted_by=actor.name
            )
            details["admin"] = admin
        elif admin and has_admin is not None and has_admin.name != admin:
            raise UsageError(f"an admin already exists ({has_admin.name}); ask them to add users")
        log_.append(session, actor=actor.name, role="admin", identity=str(actor.source),
                    action="init", details=details)  # fmt: skip
        log_.checkpoint(session)
    log_.mirror()
    return revision


def parse_when(value: str | None) -> datetime | None:
    """An ISO date or time from the command line; a date without zone means UTC midnight."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO time)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Administration(Frame):
    def add_user(self, name: str, roles: list[Role]) -> UserView:
        """Add a user, or give them more roles (admin)."""

        def body(act: Act) -> UserView:
            user = store.people.user_named(act.session, name)
            before = sorted(user.role_set) if user else []
            user = user or User(name=name)
            user.roles = " ".join(sorted(set(before) | {str(r) for r in roles}))
            user.active = True
            store.people.save_user(act.session, user, granted_by=act.actor.name)
            after = user.roles.split()
            act.event("user_roles", details={"user": name, "before": before, "after": after})
            return UserView.of(user)

        return self.run("users add", (Role.ADMIN,), body)

    def list_users(self) -> list[UserView]:
        return self.run(
            "users list",
            (Role.ADMIN, Role.INSPECTOR),
            lambda act: [UserView.of(u) for u in store.people.users(act.session)],
        )

    def verify_audit(self, since: Path | None = None) -> audit.Verification:
        """Recompute the chain and the checkpoints, replay the events against the rows, and
        with `since` prove the log extends an inspector's signed head. Writes nothing."""
        head = audit.read_head(since) if since is not None else None
        return self.run(
            "audit verify",
            INSPECTORS,
            lambda act: audit.verify(act.session, self.settings.keys, since=head),
            reads_only=True,
        )

    def audit_head(self, out: Path) -> audit.SignedHead:
        """Sign the log's head (events, hash, time) into `out` for an inspector to keep."""
        head = self.run(
            "audit head",
            INSPECTORS,
            lambda act: audit.take_head(act.session, self.settings.keys),
            reads_only=True,
        )
        audit.write_head(head, out)
        return head

    def export_audit(
        self, out: Path, fmt: str, start: str | None, end: str | None, document: int | None
    ) -> Exported:
        """Write the events to `out` with a signed manifest beside it; recorded."""
        if fmt not in EXPORT_FORMATS:
            raise UsageError(f"--format must be {' or '.join(EXPORT_FORMATS)}")
        span = (parse_when(start), parse_when(end))
        filters = {"from": start, "to": end, "document": document, "format": fmt}

        def body(act: Act) -> Exported:
            manifest = audit.write_export(
                act.session, self.settings.keys, out, fmt, span, document, filters
            )
            counted = {"events": manifest["events"], "sha256": manifest["sha256"]}
            act.event("audit_export", details={**filters, **counted})
            return Exported(out, manifest["events"], manifest)

        return self.run("audit export", INSPECTORS, body)

    def audit_history(self, doc_id: int) -> list[EventView]:
        """One document's events, in order."""
        return self.run(
            "audit show",
            (*INSPECTORS, Role.REVIEWER),
            lambda act: [EventView.of(e) for e in store.documents.history(act.session, doc_id)],
        )
