"""Outbox use cases: the catalogue record and outbox message written with the state change,
then claimed, delivered and recorded — at least once on the wire, once per idempotency key.

A message is claimed under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, BEGIN IMMEDIATE
on SQLite), sent outside any transaction, and its result recorded in a new one. If the
process dies after sending, the lease runs out and the next run sends the same key again.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from review_flow import oa, store
from review_flow.errors import OaPushError, Refused, StoreError
from review_flow.identity import Role
from review_flow.services import Act, Services
from review_flow.store import Catalogue, CatalogueSerial, Document, OutboxMessage, Version
from review_flow.workflow import Attribute, Case, Stage, advance

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    act: Act, doc: Document, version: Version, attribute: Attribute,
    confirmed: tuple[str, ...], topic: str | None = None, title: str | None = None,
) -> OutboxMessage:  # fmt: skip
    """Build the catalogue record and the outbox message, in the caller's transaction.

    NOTE: whatever the command line says, a secret, party or withheld document never gets
    here: the same guard the push transition uses refuses it first.
    """
    stage = Stage.PUBLISHED if attribute is Attribute.PUBLIC else Stage.ATTRIBUTE_SET
    case = Case(stage, act.actor.name, version.submitted_by, attribute=attribute,
                confirmed=confirmed)  # fmt: skip
    if not case.may_leave_agency():
        raise Refused(f"not put in the OA outbox: {case.refusal}")
    session = act.session
    topics = _topics(session)
    topic = topic or topics[0]
    if topic not in topics:
        raise StoreError(f"主题分类 {topic!r} is not one of: {'、'.join(topics)}")
    assert doc.id is not None
    catalogue = session.get(Catalogue, doc.id)
    if catalogue is None:
        published = _now()
        index_no = oa.index_number(
            store.setting(session, "org_code") or os.environ.get("REVIEW_FLOW_ORG_CODE", "ORG"),
            published.year, _next_serial(session, published.year),
            store.setting(session, "index_format") or oa.DEFAULT_INDEX_FORMAT,
        )  # fmt: skip
        record = oa.catalogue_record(
            index_no=index_no, title=title or doc.title, doc_number=doc.doc_number,
            issuer=doc.issuer, publisher=store.setting(session, "publisher_org") or (
                doc.issuer or ""), doc_date=doc.doc_date, published_at=published,
            attribute=str(attribute), topic=topic, sha256=version.sha256,
            file_name=version.file_name, size=version.size,
        )  # fmt: skip
        catalogue = Catalogue(document_id=doc.id, index_no=index_no, record=record)
        session.add(catalogue)
    message = OutboxMessage(
        document_id=doc.id, version=version.number, status="pending",
        idempotency_key=oa.idempotency_key(catalogue.index_no, version.sha256),
    )  # fmt: skip
    session.add(message)
    session.flush()
    act.event("outbox", doc, version=version.number, sha256=version.sha256,
              details={"message": message.id, "index_no": catalogue.index_no,
                       "key": message.idempotency_key})  # fmt: skip
    return message


def _topics(session: Session) -> list[str]:
    raw = store.setting(session, "topics")
    return [t for t in (raw.split(",") if raw else oa.DEFAULT_TOPICS) if t]


def _next_serial(session: Session, year: int) -> int:
    stmt = select(CatalogueSerial).where(CatalogueSerial.year == year)
    if not store.is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        row = CatalogueSerial(year=year, last=0)
    row.last += 1
    session.add(row)
    session.flush()
    return row.last


@dataclass(frozen=True, slots=True)
class PushResult:
    message: int
    document: int
    delivered: bool
    detail: str


class Pusher:
    """Claims due messages, delivers them to a target and records each outcome."""

    def __init__(self, services: Services, target: oa.Target, backoff_base: float = 2.0) -> None:
        self.services, self.target, self.backoff_base = services, target, backoff_base
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def run_once(self, limit: int = 50) -> list[PushResult]:
        claimed = self._claim(limit)
        return [self._deliver(message_id) for message_id in claimed]

    def _claim(self, limit: int) -> list[int]:
        def body(act: Act) -> list[int]:
            now = _now()
            stmt = (
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending")
                .where(col(OutboxMessage.next_attempt_at) <= now)
                .where(or_(col(OutboxMessage.claimed_until).is_(None),
                           col(OutboxMessage.claimed_until) < now))
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            )  # fmt: skip
            if not store.is_sqlite(act.session.get_bind()):  # type: ignore[arg-type]
                stmt = stmt.with_for_update(skip_locked=True)
            rows = act.session.exec(stmt).all()
            for row in rows:
                row.claimed_by, row.claimed_until = self.worker, now + oa.LEASE
                row.attempts += 1
                act.session.add(row)
            return [row.id for row in rows if row.id is not None]

        return self.services._run("push", (Role.PUBLISHER, Role.ADMIN), body)

    def _deliver(self, message_id: int) -> PushResult:
        delivery, doc_id, attempts = self._load(message_id)
        try:
            receipt = self.target.deliver(delivery)
        except OaPushError as exc:
            return self._record_failure(message_id, doc_id, attempts, str(exc))
        return self._record_success(message_id, doc_id, attempts, receipt)

    def _load(self, message_id: int) -> tuple[oa.Delivery, int, int]:
        with store.transaction(self.services.settings.engine) as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            catalogue = session.get(Catalogue, message.document_id)
            version = session.exec(
                select(Version).where(Version.document_id == message.document_id,
                                      Version.number == message.version)
            ).one()  # fmt: skip
            assert catalogue is not None
            delivery = oa.Delivery(message.idempotency_key, dict(catalogue.record),
                                   version.file_name, version.content)  # fmt: skip
            return delivery, message.document_id, message.attempts

    def _record_success(
        self, message_id: int, doc_id: int, attempts: int, receipt: str
    ) -> PushResult:
        def body(act: Act) -> PushResult:
            message = act.session.get(OutboxMessage, message_id)
            assert message is not None
            doc = store.lock_document(act.session, doc_id)
            already = message.status == "delivered"
            message.status, message.delivered_at = "delivered", _now()
            message.claimed_until, message.last_error = None, None
            act.session.add(message)
            details = {"message": message_id, "key": message.idempotency_key, "attempt": attempts,
                       "target": self.target.name, "receipt": receipt}  # fmt: skip
            if doc.state != Stage.PUSHED_TO_OA and not already:
                attribute = Attribute(doc.attribute) if doc.attribute else None
                case = Case(Stage(doc.state), act.actor.name, doc.clerk, acknowledged=True,
                            attribute=attribute)  # fmt: skip
                before = doc.state
                to = advance(case, "push")
                store.move_state(act.session, doc, to)
                act.event("push_delivered", doc, version=message.version, from_state=before,
                          to_state=to, details=details)  # fmt: skip
            else:
                act.event("push_delivered", doc, version=message.version, details=details)
            return PushResult(message_id, doc_id, True, receipt)

        return self.services._run("push", (Role.PUBLISHER, Role.ADMIN), body, doc_id)

    def _record_failure(
        self, message_id: int, doc_id: int, attempts: int, error: str
    ) -> PushResult:
        def body(act: Act) -> PushResult:
            message = act.session.get(OutboxMessage, message_id)
            assert message is not None
            dead = attempts >= max_attempts()
            message.status = "dead" if dead else "pending"
            message.last_error = error[:500]
            message.claimed_until = None
            message.next_attempt_at = _now() + oa.backoff(attempts, self.backoff_base)
            act.session.add(message)
            doc = act.session.get(Document, doc_id)
            act.event("push_failed", doc, version=message.version, reason=error[:500],
                      details={"message": message_id, "key": message.idempotency_key,
                               "attempt": attempts, "target": self.target.name,
                               "dead": dead})  # fmt: skip
            return PushResult(message_id, doc_id, False, error)

        return self.services._run("push", (Role.PUBLISHER, Role.ADMIN), body, doc_id)

    def retry(self, message_id: int) -> OutboxMessage:
        """Put a dead (or waiting) message back in the queue now."""

        def body(act: Act) -> OutboxMessage:
            message = act.session.get(OutboxMessage, message_id)
            if message is None:
                raise StoreError(f"no outbox message {message_id}")
            if message.status == "delivered":
                raise Refused(f"message {message_id} was delivered already")
            if message.claimed_until is not None and message.claimed_until > _now():
                raise Refused(f"message {message_id} is being sent by {message.claimed_by} now")
            message.status, message.attempts = "pending", 0
            message.next_attempt_at, message.claimed_until = _now(), None
            act.session.add(message)
            doc = act.session.get(Document, message.document_id)
            act.event("push_retry", doc, version=message.version,
                      details={"message": message_id, "key": message.idempotency_key})  # fmt: skip
            return message

        return self.services._run("push --retry", (Role.PUBLISHER, Role.ADMIN), body)


def max_attempts() -> int:
    return int(os.environ.get("REVIEW_FLOW_PUSH_MAX_ATTEMPTS", oa.MAX_ATTEMPTS))


def status(services: Services) -> list[dict[str, Any]]:
    """Every outbox message with its document, state and last error."""

    def body(act: Act) -> list[dict[str, Any]]:
        rows = act.session.exec(
            select(OutboxMessage, Catalogue.index_no)
            .join(Catalogue, col(Catalogue.document_id) == col(OutboxMessage.document_id))
            .order_by(col(OutboxMessage.id))
        ).all()  # fmt: skip
        return [
            {"id": m.id, "document": m.document_id, "index_no": index_no, "status": m.status,
             "attempts": m.attempts, "next_attempt_at": m.next_attempt_at.isoformat(),
             "last_error": m.last_error, "key": m.idempotency_key}
            for m, index_no in rows
        ]  # fmt: skip

    return services._run("push --status", (Role.PUBLISHER, Role.ADMIN, Role.INSPECTOR), body)
