"""Reading (any known user): list, show and the findings of a document. Revealing personal
data is for reviewers and admins, recorded, and parses the stored bytes in the sandbox.
"""

from __future__ import annotations

from dataclasses import replace

from review_flow import localtime, store
from review_flow.errors import UsageError
from review_flow.identity import Role
from review_flow.scan.model import Verdict
from review_flow.store import Version
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.scanning import scan_bytes
from review_flow.usecases.views import (
    DecisionView,
    DocumentView,
    EventView,
    FindingView,
    Shown,
    VersionView,
)
from review_flow.workflow import Stage

STATES = tuple(str(s) for s in Stage if s is not Stage.NEW)
VERDICTS = tuple(str(v) for v in Verdict)
READERS = (Role.REVIEWER, Role.ADMIN, Role.PUBLISHER, Role.CLERK, Role.INSPECTOR)
REVEALERS = (Role.REVIEWER, Role.ADMIN)


def findings_of(act: Act, version: Version) -> list[FindingView]:
    """Numbered 1…n in text order, each with its latest decision and the ones it replaced."""
    decided = store.findings.all_decisions(act.session, version.id)
    views = []
    for number, row in enumerate(store.findings.of_version(act.session, version.id), start=1):
        history = decided.get(row.id or 0, [])
        earlier = tuple(DecisionView.of(d) for d in history[:-1])
        views.append(FindingView.of(row, history[-1] if history else None, number, earlier))
    return views


class Reading(Frame):
    def list_documents(
        self, state: str | None = None, mine: bool = False, limit: int = 50,
        since: str | None = None, until: str | None = None, verdict: str | None = None,
        search: str | None = None,
    ) -> list[DocumentView]:  # fmt: skip
        """Newest first; narrowed by state, my own, submission dates (local), verdict, or
        text in 标题/文号. An unknown state or verdict is a usage error naming the valid ones."""
        if state is not None and state not in STATES:
            raise UsageError(f"unknown state {state!r}: one of {', '.join(STATES)}")
        if verdict is not None and verdict not in VERDICTS:
            raise UsageError(f"unknown verdict {verdict!r}: one of {', '.join(VERDICTS)}")
        filters = store.queue.Filters(
            states=(state,) if state else None, since=localtime.parse(since),
            until=localtime.parse(until, end=True), verdict=verdict, search=search or None,
            limit=limit,
        )  # fmt: skip

        def body(act: Act) -> list[DocumentView]:
            chosen = replace(filters, clerk=act.actor.name) if mine else filters
            return [DocumentView.listed(r) for r in store.queue.listing(act.session, chosen)]

        return self.run("list", (), body)

    def show(self, doc_id: int) -> Shown:
        """The document, its versions, its current findings with decisions, and its history."""

        def body(act: Act) -> Shown:
            doc, version = current(act.session, doc_id, checked=False)
            catalogue = store.outbox.catalogue(act.session, doc_id)
            head = version.summary.get("head") or {}
            return Shown(
                document=DocumentView.of(
                    doc, version.submitted_at, version.verdict, head.get("note")
                ),
                catalogue=dict(catalogue.record) if catalogue else None,
                versions=[VersionView.of(v) for v in store.documents.versions(act.session, doc_id)],
                findings=findings_of(act, version),
                history=[EventView.of(e) for e in store.documents.history(act.session, doc_id)],
            )

        return self.run("show", (), body, doc_id)

    def findings(self, doc_id: int, reveal: bool = False) -> list[FindingView]:
        """The current version's findings; with `reveal`, values and excerpts unmasked."""

        def body(act: Act) -> list[FindingView]:
            doc, version = current(act.session, doc_id, checked=False)
            rows = findings_of(act, version)
            if not reveal:
                return rows
            # NOTE: re-scanned unmasked in the sandbox like any file; the raw values are
            # returned to the caller only and never touch the database.
            report = scan_bytes(self.settings, version.content, version.file_name, reveal=True)
            raw = {(f.rule, f.start, f.end): f for f in report.findings}
            act.event("reveal", doc, version=version.number, sha256=version.sha256,
                      details={"findings": [r.id for r in rows]})  # fmt: skip
            return [
                replace(row, value=found.value, excerpt=found.excerpt)
                if (found := raw.get((row.rule, row.start, row.end)))
                else row
                for row in rows
            ]

        if reveal:
            return self.run("findings --reveal", REVEALERS, body, doc_id)
        return self.run("findings", READERS, body, doc_id)

    def document_count(self) -> int:
        with store.transaction(self.settings.engine) as session:
            return store.documents.count_documents(session)
