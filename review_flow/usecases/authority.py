"""The audit chain is the authority: before a state change, the document's rows and the actor's
roles must be what the events say. A mismatch is a Tampered refusal, which the frame records.

It cannot stop a change made by direct SQL; it stops review-flow from acting on one, so a
forged approval is never published and swapped bytes are never sent.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from review_flow import store
from review_flow.audit.replay import (
    DocumentFacts,
    document_problems,
    replay_document,
    replay_roles,
    role_problems,
)
from review_flow.errors import Tampered
from review_flow.store import Document, User

log = logging.getLogger(__name__)


def check_document(session: Session, doc: Document) -> DocumentFacts:
    """The document's facts from its events; Tampered if its rows say otherwise."""
    assert doc.id is not None
    facts = replay_document(store.documents.history(session, doc.id))
    problems = document_problems(
        facts,
        doc,
        store.facts.versions(session, doc.id),
        store.facts.dispositions(session, doc.id),
    )
    if problems:
        log.warning("document %s disagrees with its events: %s", doc.id, problems)
        raise Tampered(problems)
    return facts


def check_roles(session: Session, user: User) -> None:
    """Tampered if the user's roles are not those the init/user_roles events gave."""
    problems = role_problems(replay_roles(store.facts.role_events(session)), [user])
    if problems:
        raise Tampered(problems)
