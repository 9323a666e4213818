"""Release (publisher): set the disclosure attribute (公开属性), then publish or withhold.

A release that sends the document to the OA filing system owes the push from its own
transaction: it enqueues the outbox message downward (usecases.outbox.enqueue).
"""

from __future__ import annotations

import hashlib

from review_flow import store
from review_flow.errors import UsageError
from review_flow.identity import Role
from review_flow.usecases.authority import check_document
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.outbox import enqueue, topics
from review_flow.usecases.views import DocumentView
from review_flow.workflow import ATTRIBUTE_ALIASES, Attribute, Case, Stage


class Release(Frame):
    def set_attribute(
        self, doc_id: int, value: str, reason: str = "", topic: str | None = None
    ) -> DocumentView:
        """secrecy_checked → attribute_set; 依申请公开 is filed with the OA at once."""
        attribute = ATTRIBUTE_ALIASES.get(value)
        reason = reason.strip()
        if attribute is None:
            raise UsageError(f"attribute must be 主动公开, 依申请公开 or 不予公开 (not {value!r})")

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            known = topics(act)
            if topic is not None and topic not in known:  # never dropped silently
                raise UsageError(f"主题分类 {topic!r} is not one of: {'、'.join(known)}")
            case = Case(
                Stage(doc.state), act.actor.name, version.submitted_by, reason=reason,
                attribute=attribute,
                confirmed=store.findings.confirmed_categories(act.session, version.id),
            )  # fmt: skip
            act.move(doc, case, "set_attribute", version, details={"attribute": str(attribute)},
                     action="attribute", reason=reason or None, attribute=str(attribute),
                     attribute_reason=reason or None)  # fmt: skip
            if attribute is Attribute.ON_REQUEST:  # released on request: filed with the OA too
                enqueue(act, doc, version, attribute, case.confirmed, topic)
            return DocumentView.of(doc)

        return self.run("attribute", (Role.PUBLISHER,), body, doc_id)

    def publish(
        self, doc_id: int, topic: str | None = None, title: str | None = None
    ) -> DocumentView:
        """attribute_set (主动公开) → published, with its catalogue record and OA push owed."""
        return self.release(doc_id, "publish", topic, title)

    def withhold(self, doc_id: int) -> DocumentView:
        """attribute_set (不予公开) → withheld: nothing leaves the agency."""
        return self.release(doc_id, "withhold")

    def release(
        self, doc_id: int, trigger: str, topic: str | None = None, title: str | None = None
    ) -> DocumentView:
        """Publish or withhold: the bytes must be the reviewed version's."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id, checked=False)
            facts = check_document(act.session, doc)
            # NOTE: the bytes are compared with the sha256 the approve event recorded, not with
            # a column anyone with UPDATE could have rewritten along with the bytes.
            reviewed_ok = (
                doc.reviewed_version == version.number
                and hashlib.sha256(version.content).hexdigest() == facts.approved_sha256
            )
            case = Case(
                Stage(doc.state), act.actor.name, version.submitted_by,
                attribute=Attribute(doc.attribute) if doc.attribute else None,
                reviewed_bytes_ok=reviewed_ok,
            )  # fmt: skip
            act.move(doc, case, trigger, version, details={"attribute": doc.attribute})
            if trigger == "publish":  # the OA push is owed from this very transaction
                confirmed = store.findings.confirmed_categories(act.session, version.id)
                enqueue(act, doc, version, Attribute.PUBLIC, confirmed, topic, title)
            return DocumentView.of(doc)

        return self.run(trigger, (Role.PUBLISHER,), body, doc_id)
