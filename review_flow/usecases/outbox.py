"""The OA outbox: the catalogue record and message written with the state change that owes
them, then claimed, delivered and recorded — at least once on the wire, once per key.

A message is claimed under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, BEGIN IMMEDIATE
on SQLite), sent outside any transaction, and its result recorded in a new one. If the
process dies after sending, the lease runs out and the next run sends the same key again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from review_flow import localtime, oa, store
from review_flow.audit.replay import replay_document
from review_flow.errors import OaPushError, Refused, Tampered, TransitionRefused, UsageError
from review_flow.identity import Role
from review_flow.store import Catalogue, Document, OutboxMessage, Version
from review_flow.usecases.frame import Act, Frame
from review_flow.workflow import Attribute, Case, Stage, may_owe_push

log = logging.getLogger(__name__)

PUSHERS = (Role.PUBLISHER, Role.ADMIN)


def now() -> datetime:
    return datetime.now(UTC)


def max_attempts() -> int:
    return int(os.environ.get("REVIEW_FLOW_PUSH_MAX_ATTEMPTS", oa.MAX_ATTEMPTS))


def topics(act: Act) -> list[str]:
    raw = store.setting(act.session, "topics")
    return [t for t in (raw.split(",") if raw else oa.DEFAULT_TOPICS) if t]


def enqueue(
    act: Act, doc: Document, version: Version, attribute: Attribute,
    confirmed: tuple[str, ...], topic: str | None = None, title: str | None = None,
) -> OutboxMessage:  # fmt: skip
    """Write the catalogue record (once) and an outbox message, in the caller's transaction.

    NOTE: whatever the caller passes, a secret, party or withheld document never gets here:
    the guards of the push transition refuse it first (workflow.may_owe_push).
    """
    case = Case(Stage(doc.state), act.actor.name, version.submitted_by, attribute=attribute,
                confirmed=confirmed)  # fmt: skip
    try:
        may_owe_push(case)
    except TransitionRefused as exc:
        raise Refused(f"not put in the OA outbox: {exc}") from None
    known = topics(act)
    topic = topic or known[0]
    if topic not in known:
        raise UsageError(f"主题分类 {topic!r} is not one of: {'、'.join(known)}")
    assert doc.id is not None
    catalogue = store.outbox.catalogue(act.session, doc.id)
    if catalogue is None:
        catalogue = new_catalogue(act, doc, version, attribute, topic, title)
    else:  # released again (after a withdrawal): same 索引号, the record of this version
        catalogue.record = record_of(act, doc, version, attribute, topic, title,
                                     catalogue.index_no)  # fmt: skip
        act.session.add(catalogue)
    return owe(act, doc, version, catalogue.index_no,
               oa.idempotency_key(catalogue.index_no, version.sha256))  # fmt: skip


def owe(
    act: Act, doc: Document, version: Version, index_no: str, key: str, **extra: object
) -> OutboxMessage:
    """One outbox message under `key` and its `outbox` event, in the caller's transaction."""
    assert doc.id is not None
    message = OutboxMessage(
        document_id=doc.id, version=version.number, status="pending", idempotency_key=key
    )
    store.outbox.add(act.session, message)
    details = {"message": message.id, "index_no": index_no, "key": key, **extra}
    act.event("outbox", doc, version=version.number, sha256=version.sha256, details=details)
    return message


def new_catalogue(
    act: Act, doc: Document, version: Version, attribute: Attribute, topic: str, title: str | None
) -> Catalogue:
    """The 政府信息公开目录 record of a document, with its 索引号 (never changed after)."""
    assert doc.id is not None
    session, year = act.session, localtime.local(now()).year
    index_no = oa.index_number(
        store.setting(session, "org_code") or os.environ.get("REVIEW_FLOW_ORG_CODE", "ORG"),
        year, store.outbox.next_serial(session, year),
        store.setting(session, "index_format") or oa.DEFAULT_INDEX_FORMAT,
    )  # fmt: skip
    record = record_of(act, doc, version, attribute, topic, title, index_no)
    catalogue = Catalogue(document_id=doc.id, index_no=index_no, record=record)
    store.outbox.add(session, catalogue)
    return catalogue


def record_of(
    act: Act, doc: Document, version: Version, attribute: Attribute, topic: str,
    title: str | None, index_no: str,
) -> dict[str, object]:  # fmt: skip
    """The record's fields, from the document row as the current version has them; dates are
    the office's local dates."""
    return oa.catalogue_record(
        index_no=index_no, title=title or doc.title, doc_number=doc.doc_number,
        issuer=doc.issuer, publisher=store.setting(act.session, "publisher_org") or (
            doc.issuer or ""), doc_date=doc.doc_date, published_at=localtime.local(now()),
        attribute=str(attribute), topic=topic, sha256=version.sha256,
        file_name=version.file_name, size=version.size,
    )  # fmt: skip


def cancel_pending(act: Act, doc: Document, why: str) -> list[int]:
    """Cancel a document's undelivered messages; refused while one is on the wire."""
    assert doc.id is not None
    messages = store.outbox.pending_for(act.session, doc.id)
    for m in messages:
        if m.claimed_until is not None and localtime.aware(m.claimed_until) > now():
            raise Refused(f"message {m.id} of document {doc.id} is being sent now; try again")
    for m in messages:
        m.status, m.last_error = "cancelled", why
        act.session.add(m)
    return [m.id for m in messages if m.id is not None]


@dataclass(frozen=True, slots=True)
class PushResult:
    message: int
    document: int
    delivered: bool
    detail: str


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    document: int
    index_no: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    key: str


class Outbox(Frame):
    def outbox_status(self) -> list[OutboxEntry]:
        """Every outbox message with its document, 索引号, state and last error."""

        def body(act: Act) -> list[OutboxEntry]:
            return [
                OutboxEntry(
                    m.id or 0,
                    m.document_id,
                    index_no,
                    m.status,
                    m.attempts,
                    m.next_attempt_at,
                    m.last_error,
                    m.idempotency_key,
                )
                for m, index_no in store.outbox.with_index_numbers(act.session)
            ]

        return self.run("push --status", (*PUSHERS, Role.INSPECTOR), body)

    def retry_push(self, message_id: int) -> None:
        """Put a dead (or waiting) message back in the queue now."""

        def body(act: Act) -> None:
            message = store.outbox.message(act.session, message_id)
            if message.status == "delivered":
                raise Refused(f"message {message_id} was delivered already")
            if message.claimed_until is not None and message.claimed_until > now():
                raise Refused(f"message {message_id} is being sent by {message.claimed_by} now")
            message.status, message.attempts = "pending", 0
            message.next_attempt_at, message.claimed_until = now(), None
            doc = store.documents.get(act.session, message.document_id)
            act.event("push_retry", doc, version=message.version,
                      details={"message": message_id, "key": message.idempotency_key})  # fmt: skip

        self.run("push --retry", PUSHERS, body)


def default_target(frame: Frame) -> oa.Target:
    """`REVIEW_FLOW_OA_URL`, else `REVIEW_FLOW_OA_DIR`, else `oa-drop/` beside the key folder."""
    return oa.target_from_env(Path(frame.settings.keys.folder).parent / "oa-drop")


class Pusher:
    """Claims due messages, delivers them to a target and records each outcome."""

    def __init__(self, frame: Frame, target: oa.Target, backoff_base: float = 2.0) -> None:
        self.frame, self.target, self.backoff_base = frame, target, backoff_base
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def run_once(self, limit: int = 50) -> list[PushResult]:
        """Deliver up to `limit` due messages, claiming one at a time.

        NOTE: one at a time, so a worker killed mid-pass holds only the message it was
        sending (for the lease); the ones it had not started stay free for another worker.
        """
        results: list[PushResult] = []
        done: list[int] = []
        while len(results) < limit:
            claimed = self.claim_one(tuple(done))
            if claimed is None:
                break
            done.append(claimed)
            results.append(self.deliver(claimed))
        return results

    def claim_one(self, skip: tuple[int, ...]) -> int | None:
        """Lease the next due message (not one of `skip`) to this worker."""
        claimed = self.frame.run(
            "push", PUSHERS,
            lambda act: store.outbox.claim_due(
                act.session, self.worker, now(), oa.LEASE, 1, skip=skip),
        )  # fmt: skip
        return claimed[0] if claimed else None

    def deliver(self, message_id: int) -> PushResult:
        """Send one claimed message outside any transaction, then record the outcome."""
        with store.transaction(self.frame.settings.engine) as session:
            message = store.outbox.message(session, message_id)
            catalogue = store.outbox.catalogue(session, message.document_id)
            version = store.documents.version(session, message.document_id, message.version)
            assert catalogue is not None
            retraction = message.idempotency_key == oa.retraction_key(
                catalogue.index_no, version.sha256
            )
            if retraction:
                delivery = oa.Delivery(message.idempotency_key, dict(catalogue.record), "", b"")
            else:
                delivery = oa.Delivery(message.idempotency_key, dict(catalogue.record),
                                       version.file_name, version.content)  # fmt: skip
            doc_id, attempts = message.document_id, message.attempts
            approved = replay_document(store.documents.history(session, doc_id)).approved_sha256
        sent = hashlib.sha256(delivery.content).hexdigest()
        # NOTE: the approve event is the authority, not the version row; a retraction sends
        # the record alone, no bytes to compare.
        if not retraction and sent != approved:
            why = (f"{Tampered.MESSAGE}: version {message.version} of document {doc_id} hashes "
                   f"to {sent[:12]}…, the approve event says {str(approved)[:12]}…")  # fmt: skip
            self.frame.record_refusal("push", PUSHERS, doc_id, why)
            return self.failed(message_id, doc_id, attempts, why, dead=True)
        try:
            receipt = self.target.deliver(delivery)
        except OaPushError as exc:
            return self.failed(message_id, doc_id, attempts, str(exc))
        return self.delivered(message_id, doc_id, attempts, receipt)

    def delivered(self, message_id: int, doc_id: int, attempts: int, receipt: str) -> PushResult:
        """The message is delivered; the document moves to pushed_to_oa (once)."""

        def body(act: Act) -> PushResult:
            message = store.outbox.message(act.session, message_id)
            doc = store.lock_document(act.session, doc_id)
            already = message.status == "delivered"
            message.status, message.delivered_at = "delivered", now()
            message.claimed_until, message.last_error = None, None
            details = {"message": message_id, "key": message.idempotency_key, "attempt": attempts,
                       "target": self.target.name, "receipt": receipt}  # fmt: skip
            # NOTE: a retraction (or a push overtaken by one) moves nothing: only a release waits
            # for its delivery
            if doc.state in (Stage.PUBLISHED, Stage.ATTRIBUTE_SET) and not already:
                attribute = Attribute(doc.attribute) if doc.attribute else None
                case = Case(Stage(doc.state), act.actor.name, doc.clerk, acknowledged=True,
                            attribute=attribute)  # fmt: skip
                act.move(doc, case, "push", message.version, action="push_delivered",
                         details=details)  # fmt: skip
            else:
                act.event("push_delivered", doc, version=message.version, details=details)
            return PushResult(message_id, doc_id, True, receipt)

        return self.frame.run("push", PUSHERS, body, doc_id)

    def failed(
        self, message_id: int, doc_id: int, attempts: int, error: str, dead: bool = False
    ) -> PushResult:
        """Try again later with backoff, or give up (dead) after the last attempt."""

        def body(act: Act) -> PushResult:
            message = store.outbox.message(act.session, message_id)
            dead_ = dead or attempts >= max_attempts()
            message.status = "dead" if dead_ else "pending"
            message.last_error = error[:500]
            message.claimed_until = None
            message.next_attempt_at = now() + oa.backoff(attempts, self.backoff_base)
            doc = store.documents.get(act.session, doc_id)
            act.event("push_failed", doc, version=message.version, reason=error[:500],
                      details={"message": message_id, "key": message.idempotency_key,
                               "attempt": attempts, "target": self.target.name,
                               "dead": dead_})  # fmt: skip
            return PushResult(message_id, doc_id, False, error)

        return self.frame.run("push", PUSHERS, body, doc_id)
