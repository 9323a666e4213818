"""Reading (any known user): list, show and the findings of a document. Revealing personal
data is for reviewers and admins, recorded, and parses the stored bytes in the sandbox.
"""

from __future__ import annotations

from dataclasses import replace

from review_flow import store
from review_flow.identity import Role
from review_flow.store import Version
from review_flow.usecases.frame import Act, Frame, current
from review_flow.usecases.scanning import scan_bytes
from review_flow.usecases.views import (
    DocumentView,
    EventView,
    FindingView,
    Shown,
    VersionView,
)

READERS = (Role.REVIEWER, Role.ADMIN, Role.PUBLISHER, Role.CLERK, Role.INSPECTOR)
REVEALERS = (Role.REVIEWER, Role.ADMIN)


def findings_of(act: Act, version: Version) -> list[FindingView]:
    decided = store.findings.decisions(act.session, version.id)
    return [
        FindingView.of(row, decided.get(row.id))  # type: ignore[arg-type]
        for row in store.findings.of_version(act.session, version.id)
    ]


class Reading(Frame):
    def list_documents(
        self, state: str | None = None, mine: bool = False, limit: int = 50
    ) -> list[DocumentView]:
        """Newest first; one state only, or only mine, when asked."""

        def body(act: Act) -> list[DocumentView]:
            clerk = act.actor.name if mine else None
            rows = store.documents.list_documents(act.session, state, clerk, limit)
            return [DocumentView.of(d) for d in rows]

        return self.run("list", (), body)

    def show(self, doc_id: int) -> Shown:
        """The document, its versions, its current findings with decisions, and its history."""

        def body(act: Act) -> Shown:
            doc, version = current(act.session, doc_id, checked=False)
            catalogue = store.outbox.catalogue(act.session, doc_id)
            return Shown(
                document=DocumentView.of(doc),
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
