"""The frame every use case runs in: settings, the acting identity, one transaction with its
audit events (`Frame.run`), and one step of the workflow (`Act.move`).

A refusal rolls the transaction back and is then recorded in a transaction of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from review_flow import audit, store
from review_flow.errors import AccessDenied, Refused, TransitionRefused
from review_flow.extract.limits import Limits
from review_flow.identity import Actor, Role, Source, establish
from review_flow.store import Document, Version
from review_flow.usecases.authority import check_document, check_roles
from review_flow.workflow import Case, Stage, advance, allowed

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Where and how the use cases work: database, keys, rules, limits, requested identity."""

    engine: Engine
    keys: audit.Keys
    rules_dirs: tuple[str, ...]
    limits: Limits
    requested_user: str | None = None


@dataclass
class Act:
    """What a use case body gets: the session, who acts in which role, and the audit log."""

    session: Session
    actor: Actor
    role: Role
    log: audit.AuditLog

    def event(self, action: str, doc: Document | None = None, **fields: Any) -> None:
        """Append one audit event in this transaction."""
        self.log.append(
            self.session,
            actor=self.actor.name,
            role=str(self.role),
            identity=str(self.actor.source),
            action=action,
            document_id=doc.id if doc else None,
            **fields,
        )

    def move(
        self,
        doc: Document,
        case: Case,
        trigger: str,
        version: Version | int,
        *,
        action: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        **changes: Any,
    ) -> Stage:
        """Fire the trigger through the workflow table, change the row only if nobody else
        did (ConcurrentChange otherwise), and record the event: one step.

        `version` is the version acted on (its number and sha256 go in the event), or just a
        version number.
        """
        if trigger not in allowed(Stage(doc.state)):
            raise TransitionRefused(lost_to(self.session, doc, trigger))
        to = advance(case, trigger)
        before = doc.state
        number, sha256 = (
            (version.number, version.sha256) if isinstance(version, Version) else (version, None)
        )
        # NOTE: the event first: on PostgreSQL the state moves only after its event (store).
        self.event(
            action or trigger, doc, version=number, sha256=sha256, from_state=before,
            to_state=to, reason=reason, details=details or {},
        )  # fmt: skip
        store.move_state(self.session, doc, to, **changes)
        return to


class Frame:
    """Runs use case bodies: identity, role, one transaction, its events and checkpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def run(
        self,
        action: str,
        roles: tuple[Role, ...],
        body: Callable[[Act], T],
        document_id: int | None = None,
        checkpoint: bool = True,
        reads_only: bool = False,
    ) -> T:
        """Run `body` in one transaction as the acting user, in the first of `roles` they hold
        (any role when `roles` is empty). A Refused is recorded, then raised again.

        `reads_only` (verification): nothing is written, not even a refusal, and the roles
        are not checked against the events (verification reports that itself).
        """
        log_ = audit.AuditLog(self.settings.keys)
        try:
            with store.transaction(self.settings.engine) as session:
                actor = establish(session, self.settings.requested_user)
                role = authorise(session, actor, roles, action, checked=not reads_only)
                result = body(Act(session, actor, role, log_))
                if checkpoint and not reads_only:
                    log_.checkpoint(session)
                if reads_only and log_.appended:
                    raise AssertionError(f"{action} reads only, but appended an event")
            log_.mirror()
            return result
        except Refused as exc:
            log_.discard()
            if not reads_only:
                self.record_refusal(action, roles, document_id, str(exc))
            raise

    def record_refusal(
        self, action: str, roles: tuple[Role, ...], document_id: int | None, why: str
    ) -> None:
        """One `refused` event, in a transaction of its own.

        The role column is the role the actor holds and acted in (none for an unknown user);
        the details name the roles the action required and every role held.
        """
        log_ = audit.AuditLog(self.settings.keys)
        with store.transaction(self.settings.engine) as session:
            try:
                actor = establish(session, self.settings.requested_user)
            except AccessDenied:
                actor = Actor(self.settings.requested_user or "?", Source.UNGRANTED)
            user = store.people.user_named(session, actor.name)
            held = sorted(user.role_set) if user is not None and user.active else []
            acted_as = next((str(r) for r in roles if r in held), held[0] if held else "")
            log_.append(
                session,
                actor=actor.name,
                role=acted_as,
                identity=str(actor.source),
                action="refused",
                document_id=document_id,
                reason=why,
                details={"attempted": action, "required": [str(r) for r in roles],
                         "held": held},
            )  # fmt: skip
            log_.checkpoint(session)
        log_.mirror()


def authorise(
    session: Session, actor: Actor, roles: tuple[Role, ...], action: str, checked: bool = True
) -> Role:
    """The role the actor acts in: the first of `roles` they hold, or AccessDenied; `checked`:
    the roles must be those the events gave (Tampered otherwise)."""
    user = store.people.user_named(session, actor.name)
    if user is None:
        raise AccessDenied(f"unknown user {actor.name!r} ({actor.source}): ask an admin")
    if not user.active:
        raise AccessDenied(f"user {actor.name!r} is deactivated: ask an admin")
    if checked:
        check_roles(session, user)
    if not roles:
        return Role(sorted(user.role_set)[0]) if user.role_set else Role.CLERK
    for role in roles:
        if role in user.role_set:
            return role
    wanted = " or ".join(str(r) for r in roles)
    raise AccessDenied(f"{actor.name} may not {action}: needs role {wanted}")


def lost_to(session: Session, doc: Document, trigger: str) -> str:
    """Why a trigger cannot fire now, naming who moved the document there and when (what the
    loser of a race is told)."""
    assert doc.id is not None
    why = f"cannot {trigger} a document in state {doc.state}"
    moves = [e for e in store.documents.history(session, doc.id) if e.to_state == doc.state]
    if not moves:
        return why
    last = moves[-1]
    return f"{why}: {last.actor} did {last.action} at {audit.iso(last.ts)[:19]} UTC"


def current(session: Session, doc_id: int, checked: bool = True) -> tuple[Document, Version]:
    """The document, locked for change, and its current version (DocumentNotFound if none).

    `checked`: the rows must be what the document's audit events say (Tampered otherwise).
    """
    doc = store.lock_document(session, doc_id)
    if checked:
        check_document(session, doc)
    return doc, store.documents.version(session, doc_id, doc.current_version)
