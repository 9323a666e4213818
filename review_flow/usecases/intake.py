"""Intake (clerk): submit a file as a new document, or revise one with a new version. The file
is scanned in the sandbox before the transaction; the version row holds the exact bytes scanned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review_flow import store
from review_flow.identity import Role
from review_flow.scan.model import ScanReport
from review_flow.store import Document, FindingRow, Version
from review_flow.usecases.authority import check_document
from review_flow.usecases.frame import Act, Frame
from review_flow.usecases.scanning import read_file, scan_bytes
from review_flow.usecases.views import DocumentView, Revised, Submitted
from review_flow.workflow import Case, Stage, advance

FIELD_MAX = 250  # head fields are cut to fit their columns


@dataclass(frozen=True, slots=True)
class Head:
    """The GB/T 9704 head fields a document row keeps (标题, 发文字号, 发文机关, 成文日期, 密级)."""

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None
    marking: str | None = None

    @classmethod
    def of(cls, head: Mapping[str, object]) -> Head:
        """From the scan report's head (its JSON form); several issuers are joined with 、."""
        issuers = head.get("issuer")
        joined = "、".join(map(str, issuers)) if isinstance(issuers, list) else issuers
        title = head.get("title")
        return cls(
            title=str(title) if title else None,
            doc_number=_field(head.get("doc_number")),
            issuer=_field(joined or None),
            date=_field(head.get("date")),
            marking=_field(head.get("marking")),
        )


def _field(value: object) -> str | None:
    return None if value is None else str(value)[:FIELD_MAX]


def fingerprint(rule: str, kind: str, value: str, excerpt: str) -> str:
    """Same rule on the same masked value in the same masked context: 'the same finding'."""
    return hashlib.sha256(f"{rule}\x1f{kind}\x1f{value}\x1f{excerpt}".encode()).hexdigest()


def scan_details(report: ScanReport, name: str, size: int) -> dict[str, Any]:
    """What the submit and revise events record about the scan (counts only, no values)."""
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[str(f.severity)] = counts.get(str(f.severity), 0) + 1
    return {
        "file": name,
        "size": size,
        "verdict": str(report.verdict),
        "findings": counts,
        "unreadable_pages": list(report.unreadable_pages),
    }


def add_version(
    act: Act, doc: Document, number: int, name: str, data: bytes, report: ScanReport
) -> Version:
    """Store a version's bytes and its scan's findings."""
    assert doc.id is not None
    version = Version(
        document_id=doc.id, number=number, file_name=name, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content=data, submitted_by=act.actor.name,
        verdict=str(report.verdict), summary=report.summary,
    )  # fmt: skip
    version_id = store.documents.add_version(act.session, version)
    store.documents.add_findings(
        act.session,
        (
            FindingRow(
                document_id=doc.id,
                version_id=version_id,
                rule=f.rule,
                category=str(f.category),
                kind=f.kind,
                severity=str(f.severity),
                start=f.start,
                end=f.end,
                location=f.where,
                page=f.page,
                excerpt=f.excerpt,
                value=f.value,
                message=f.message,
                fingerprint=fingerprint(f.rule, f.kind, f.value, f.excerpt),
            )
            for f in report.findings
        ),
    )
    return version


class Intake(Frame):
    def submit(self, path: Path, title: str | None = None) -> Submitted:
        """A new document in `drafted`, its first version and that version's scan."""
        data = read_file(path, self.settings)
        report = scan_bytes(self.settings, data, path.name)
        head = Head.of(report.head)

        def body(act: Act) -> DocumentView:
            me = act.actor.name
            to = advance(Case(Stage.NEW, me, me, scanned=report.error is None), "submit")
            doc = store.documents.add_document(
                act.session,
                Document(
                    title=title or head.title or path.stem, state=to, clerk=me,
                    doc_number=head.doc_number, issuer=head.issuer, doc_date=head.date,
                    marking=head.marking,
                ),
            )  # fmt: skip
            version = add_version(act, doc, 1, path.name, data, report)
            act.event(
                "submit", doc, version=1, sha256=version.sha256, from_state=None, to_state=to,
                details=scan_details(report, path.name, len(data)),
            )  # fmt: skip
            return DocumentView.of(doc)

        return Submitted(self.run("submit", (Role.CLERK,), body), report)

    def revise(self, doc_id: int, path: Path) -> Revised:
        """A new version: new scan, and the earlier review void (its decisions stay on record)."""
        data = read_file(path, self.settings)
        report = scan_bytes(self.settings, data, path.name)

        def body(act: Act) -> tuple[DocumentView, list[int]]:
            doc = store.lock_document(act.session, doc_id)
            check_document(act.session, doc)
            number = doc.current_version + 1
            version = add_version(act, doc, number, path.name, data, report)
            matches = store.findings.matching_dismissed(act.session, doc_id, version.id)
            ids = [m.id for m in matches if m.id is not None]
            act.move(
                doc, Case(Stage(doc.state), act.actor.name, doc.clerk), "revise", version,
                details={**scan_details(report, path.name, len(data)),
                         "matches_earlier_dismissals": ids},
                current_version=number, reviewed_version=None, attribute=None,
            )  # fmt: skip
            return DocumentView.of(doc), ids

        document, matches = self.run("revise", (Role.CLERK,), body, doc_id)
        return Revised(document, report, matches)
