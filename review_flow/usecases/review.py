"""The secrecy review (reviewer): decide on findings, then approve or return the document.

A decision on a finding is not a transition; it is allowed in `drafted` only, and the four-eyes
rule it obeys is the workflow's own (`workflow.four_eyes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from review_flow import store
from review_flow.errors import AccessDenied, FindingNotFound, Refused, UsageError
from review_flow.identity import Role
from review_flow.store import Document, FindingRow, Version
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.views import DocumentView
from review_flow.workflow import Case, Stage, four_eyes

DECISIONS = ("confirmed", "dismissed", "read", "redact")  # redact: confirmed, and to be masked
UNREADABLE = "unreadable"  # the category of pages and pictures no machine read


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


def checked(
    act: Act, version: Version, rows: list[FindingRow], decision: str, reason: str,
    override: bool,
) -> dict[int, dict[str, str]]:  # fmt: skip
    """Refuse a decision that does not fit the findings; what each one overrides, by id.

    An unreadable page or picture takes `read` (a person read it) with a note, and nothing
    else takes `read`. Changing another person's decision needs `override` and a reason.
    """
    if decision in ("dismissed", "read") and not reason.strip():
        what = "dismiss a finding" if decision == "dismissed" else "sign off a manual read (note)"
        raise Refused(f"a reason is required to {what}")
    for row in rows:
        if (row.category == UNREADABLE) != (decision == "read"):
            raise Refused(
                f"finding {row.id} ({row.location}) must be read by a person: --read --reason NOTE"
                if row.category == UNREADABLE
                else f"finding {row.id} is not an unreadable page or picture: --read is for those"
            )
    latest = store.findings.decisions(act.session, version.id)
    overridden: dict[int, dict[str, str]] = {}
    for row in rows:
        before = latest.get(row.id or 0)
        if before is None or before.decided_by == act.actor.name or before.decision == decision:
            continue
        if not override or not reason.strip():
            raise Refused(
                f"finding {row.id} was decided {before.decision} by {before.decided_by}: "
                "changing another reviewer's decision needs --override --reason"
            )
        overridden[row.id or 0] = {"decision": before.decision, "by": before.decided_by}
    return overridden


def by_number(act: Act, version: Version, numbers: list[int], kind: str | None) -> list[FindingRow]:
    """The findings numbered so in text order (1…n), plus every finding of `kind`."""
    rows = store.findings.of_version(act.session, version.id)
    missing = sorted(n for n in set(numbers) if not 1 <= n <= len(rows))
    if missing:
        raise FindingNotFound(
            f"no finding {', '.join(map(str, missing))} in version {version.number} of document "
            f"{version.document_id} (it has {len(rows)})"
        )
    chosen = {n - 1 for n in numbers}
    if kind is not None:
        of_kind = {i for i, r in enumerate(rows) if r.kind == kind}
        if not of_kind:
            kinds = sorted({r.kind for r in rows})
            raise UsageError(f"no finding of kind {kind!r}; kinds here: {', '.join(kinds)}")
        chosen |= of_kind
    return [rows[i] for i in sorted(chosen)]


class Review(Frame):
    def dispose(
        self, doc_id: int, finding_ids: list[int], decision: str, reason: str,
        override: bool = False,
    ) -> list[int]:  # fmt: skip
        """Decide on findings (by id) of the current version: confirmed, dismissed with a
        reason, or read by a person (unreadable pages and pictures, with a note)."""
        return self._dispose(
            doc_id,
            decision,
            reason,
            override,
            lambda act, v: store.findings.named(act.session, v, finding_ids),
        )

    def dispose_numbered(
        self, doc_id: int, numbers: list[int], decision: str, reason: str,
        override: bool = False, kind: str | None = None,
    ) -> list[int]:  # fmt: skip
        """`dispose` by the numbers `findings` shows (1…n), and/or every finding of a kind."""
        return self._dispose(
            doc_id, decision, reason, override, lambda act, v: by_number(act, v, numbers, kind)
        )

    def _dispose(
        self, doc_id: int, decision: str, reason: str, override: bool,
        select: Callable[[Act, Version], list[FindingRow]],
    ) -> list[int]:  # fmt: skip
        if decision not in DECISIONS:
            raise UsageError(f"decision must be one of {', '.join(DECISIONS)}")

        def body(act: Act) -> list[int]:
            doc, version = current(act.session, doc_id)
            may_decide(act, doc, version)
            rows = select(act, version)
            overridden = checked(act, version, rows, decision, reason, override)
            for row in rows:
                extra = {"overrides": overridden[row.id or 0]} if row.id in overridden else {}
                decide(act, doc, version, row, decision, reason, **extra)
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
