"""The secrecy review (reviewer): decide on findings, then approve or return the document.

A decision on a finding is not a transition; it is allowed in `drafted` only, and the four-eyes
rule it obeys is the workflow's own (`workflow.four_eyes`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from review_flow import store
from review_flow.errors import AccessDenied, Refused, UsageError
from review_flow.identity import Role
from review_flow.store import Document, FindingRow, Version
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.views import DocumentView
from review_flow.workflow import Case, Stage, four_eyes

DECISIONS = ("confirmed", "dismissed")


def may_decide(act: Act, doc: Document, version: Version) -> None:
    """Refused unless the document awaits its review and the actor did not submit it."""
    if doc.state != Stage.DRAFTED:
        raise Refused(f"cannot dispose: document {doc.id} is {doc.state}, not drafted")
    why = four_eyes(act.actor.name, version.submitted_by)
    if why:
        raise AccessDenied(why)


def decide(
    act: Act, doc: Document, version: Version, row: FindingRow, decision: str, reason: str,
    **extra: Any,
) -> None:  # fmt: skip
    """Record one decision on one finding, and its audit event (no values, only ids)."""
    assert row.id is not None
    store.findings.decide(act.session, row.id, decision, reason, act.actor.name)
    act.event(
        "dispose", doc, version=version.number, sha256=version.sha256, reason=reason,
        details={"finding": row.id, "rule": row.rule, "category": row.category,
                 "decision": decision, **extra},
    )  # fmt: skip


class Review(Frame):
    def dispose(self, doc_id: int, finding_ids: list[int], decision: str, reason: str) -> list[int]:
        """Decide on findings of the current version: confirmed, or dismissed with a reason."""
        if decision not in DECISIONS:
            raise UsageError(f"decision must be one of {', '.join(DECISIONS)}")

        def body(act: Act) -> list[int]:
            doc, version = current(act.session, doc_id)
            may_decide(act, doc, version)
            if decision == "dismissed" and not reason.strip():
                raise Refused("a reason is required to dismiss a finding")
            rows = store.findings.named(act.session, version, finding_ids)
            for row in rows:
                decide(act, doc, version, row, decision, reason)
            return [r.id for r in rows if r.id is not None]

        return self.run("dispose", (Role.REVIEWER,), body, doc_id)

    def carry_over(self, doc_id: int) -> list[int]:
        """Dismiss, in one step, the undecided findings that match findings dismissed before."""

        def body(act: Act) -> list[int]:
            doc, version = current(act.session, doc_id)
            may_decide(act, doc, version)
            decided = store.findings.decisions(act.session, version.id)
            rows = [
                r
                for r in store.findings.matching_dismissed(act.session, doc_id, version.id)
                if r.id not in decided
            ]
            for row in rows:
                earlier, twin = store.findings.last_dismissal(act.session, doc_id, row.fingerprint)
                reason = f"as dismissed earlier (finding {twin.id}): {earlier.reason}"
                decide(act, doc, version, row, "dismissed", reason, carried_over=True)
            return [r.id for r in rows if r.id is not None]

        return self.run("dispose", (Role.REVIEWER,), body, doc_id)

    def approve(self, doc_id: int) -> DocumentView:
        """drafted → secrecy_checked, when every block/warn finding is decided."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            case = Case(
                Stage(doc.state), act.actor.name, version.submitted_by,
                undisposed=store.findings.undisposed(act.session, version.id),
                bytes_ok=hashlib.sha256(version.content).hexdigest() == version.sha256,
            )  # fmt: skip
            act.move(doc, case, "approve", version, details={"verdict": version.verdict},
                     reviewed_version=version.number)  # fmt: skip
            return DocumentView.of(doc)

        return self.run("approve", (Role.REVIEWER,), body, doc_id)

    def reject(self, doc_id: int, reason: str) -> DocumentView:
        """drafted → returned, with the reason the clerk gets back."""

        def body(act: Act) -> DocumentView:
            doc, version = current(act.session, doc_id)
            case = Case(Stage(doc.state), act.actor.name, version.submitted_by, reason=reason)
            act.move(doc, case, "reject", version, reason=reason)
            return DocumentView.of(doc)

        return self.run("reject", (Role.REVIEWER,), body, doc_id)
