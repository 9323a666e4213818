"""Correcting course: withdraw (撤回) a checked document to its clerk, reattribute before
publication, retract (撤稿) after it. Each takes a person other than the submitter, and each
is one audited transition.

A retraction reaches the OA filing system through the outbox, under an Idempotency-Key of its
own; the catalogue record keeps its 索引号 and is marked withdrawn.
"""

from __future__ import annotations

from review_flow import localtime, oa, store
from review_flow.errors import Refused
from review_flow.identity import Role
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.outbox import cancel_pending, now, owe
from review_flow.usecases.views import DocumentView
from review_flow.workflow import Case, Stage

RETRACTED_MARK = "已撤回"


class Correction(Frame):
    def withdraw(self, doc_id: int, reason: str) -> DocumentView:
        """secrecy_checked / attribute_set → returned: back to the clerk, with the reason."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            case = Case(Stage(doc.state), act.actor.name, version.submitted_by, reason=reason)
            cancelled = cancel_pending(act, doc, "withdrawn") if doc.state == Stage.ATTRIBUTE_SET \
                else []  # fmt: skip
            act.move(doc, case, "withdraw", version, reason=reason,
                     details={"attribute": doc.attribute, "cancelled_messages": cancelled},
                     reviewed_version=None, attribute=None, attribute_reason=None)  # fmt: skip
            return DocumentView.of(doc)

        return self.run("withdraw", (Role.REVIEWER, Role.PUBLISHER), body, doc_id)

    def reattribute(self, doc_id: int, reason: str = "") -> DocumentView:
        """attribute_set → secrecy_checked, to set the attribute again; not once delivered."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            assert doc.id is not None
            pushed = store.outbox.delivered_for(act.session, doc.id) > 0
            case = Case(Stage(doc.state), act.actor.name, version.submitted_by, pushed=pushed)
            was = doc.attribute
            cancelled = cancel_pending(act, doc, "reattributed") if not pushed else []
            act.move(doc, case, "reattribute", version, reason=reason or None,
                     details={"attribute": was, "cancelled_messages": cancelled},
                     attribute=None, attribute_reason=None)  # fmt: skip
            return DocumentView.of(doc)

        return self.run("reattribute", (Role.PUBLISHER,), body, doc_id)

    def retract(self, doc_id: int, reason: str) -> DocumentView:
        """published / pushed_to_oa → retracted; the OA gets the record marked withdrawn."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            assert doc.id is not None
            case = Case(Stage(doc.state), act.actor.name, version.submitted_by, reason=reason)
            catalogue = store.outbox.catalogue(act.session, doc.id)
            if catalogue is None:
                raise Refused(f"document {doc_id} has no catalogue record to retract")
            cancelled = cancel_pending(act, doc, "retracted")
            details = {"index_no": catalogue.index_no, "cancelled_messages": cancelled}
            act.move(doc, case, "retract", version, reason=reason, details=details)
            catalogue.record = {
                **catalogue.record, "状态": RETRACTED_MARK, "撤回原因": reason,
                "撤回日期": localtime.local_date(now()),
            }  # fmt: skip
            act.session.add(catalogue)
            key = oa.retraction_key(catalogue.index_no, version.sha256)
            owe(act, doc, version, catalogue.index_no, key, retraction=True)
            return DocumentView.of(doc)

        return self.run("retract", (Role.PUBLISHER,), body, doc_id)
