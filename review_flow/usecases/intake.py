"""Intake (clerk): submit a file as a new document, or revise one with a new version. The file
is scanned in the sandbox before the transaction; the version row holds the exact bytes scanned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from review_flow import store
from review_flow.errors import Refused
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
    note: str | None = None  # 附注

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
            note=_field(head.get("note")),
        )

    def columns(self) -> dict[str, str | None]:
        """The document row's head columns, as this version has them (None where it has none)."""
        return {"doc_number": self.doc_number, "issuer": self.issuer, "doc_date": self.date,
                "marking": self.marking}  # fmt: skip


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


def unreadable_findings(report: ScanReport) -> list[FindingRow]:
    """One finding per page (PDF) or page-sized picture (.docx) that no machine read.

    NOTE: the gate: each must be read by a person (`dispose --read`) before approval; OCR,
    when it comes, removes only what it could read.
    """
    picture = report.summary.get("format") == "docx"
    kind = "picture" if picture else "page"
    rows = []
    for n in report.unreadable_pages:
        what = f"第{n}张图片" if picture else f"第{n}页"
        rows.append(FindingRow(
            document_id=0, version_id=0, rule=f"unreadable.{kind}", category="unreadable",
            kind=kind, severity="warn", start=0, end=0, location=f"{kind} {n}", page=n,
            excerpt=f"{what}无可识别文字，须人工阅读", value="",
            message=f"{what}: no text a machine could read; a person must read it (--read)",
            fingerprint=fingerprint(f"unreadable.{kind}", kind, str(n), report.sha256),
        ))  # fmt: skip
    return rows


def add_version(
    act: Act, doc: Document, number: int, name: str, data: bytes, report: ScanReport
) -> Version:
    """Store a version's bytes, its head fields and its scan's findings (unreadable items too)."""
    assert doc.id is not None
    head = Head.of(report.head)
    version = Version(
        document_id=doc.id, number=number, file_name=name, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content=data, submitted_by=act.actor.name,
        verdict=str(report.verdict), summary={**report.summary, "head": asdict(head)},
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
    unread = unreadable_findings(report)
    for row in unread:
        row.document_id, row.version_id = doc.id, version_id
    store.documents.add_findings(act.session, unread)
    return version


def add_revision(
    act: Act, doc_id: int, name: str, data: bytes, report: ScanReport,
    trigger: str = "revise", details: dict[str, Any] | None = None,
) -> tuple[DocumentView, list[int]]:  # fmt: skip
    """The next version of a document (revise, redact): its bytes and scan, the earlier review
    void, the head fields the new version's; and the findings matching earlier dismissals.

    Unchanged bytes are refused (a revision must change something).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    head = Head.of(report.head)
    doc = store.lock_document(act.session, doc_id)
    check_document(act.session, doc)
    before = store.documents.version(act.session, doc_id, doc.current_version)
    if before.sha256 == sha256:
        raise Refused(
            f"{name} is byte for byte version {before.number} of document "
            f"{doc_id}: a revision must change the file"
        )
    old_title = (before.summary.get("head") or {}).get("title")
    title = head.title if head.title and doc.title == old_title else doc.title
    number = doc.current_version + 1
    version = add_version(act, doc, number, name, data, report)
    matches = store.findings.matching_dismissed(act.session, doc_id, version.id)
    ids = [m.id for m in matches if m.id is not None]
    act.move(
        doc, Case(Stage(doc.state), act.actor.name, doc.clerk), trigger, version,
        details={**scan_details(report, name, len(data)), "matches_earlier_dismissals": ids,
                 **(details or {})},
        current_version=number, reviewed_version=None, attribute=None,
        title=title, **head.columns(),
    )  # fmt: skip
    return DocumentView.of(doc), ids


class Intake(Frame):
    def submit(self, path: Path, title: str | None = None, duplicate_ok: bool = False) -> Submitted:
        """A new document in `drafted`, its first version and that version's scan.

        Bytes already held by a document are refused (naming it) unless `duplicate_ok`.
        """
        data = read_file(path, self.settings)
        sha256 = hashlib.sha256(data).hexdigest()
        report = scan_bytes(self.settings, data, path.name)
        head = Head.of(report.head)

        def body(act: Act) -> DocumentView:
            me = act.actor.name
            twins = store.documents.holding_bytes(act.session, sha256)
            if twins and not duplicate_ok:
                raise Refused(
                    f"{path.name} has the very bytes of document "
                    f"{', '.join(map(str, twins))}: revise that one, or submit with "
                    "--duplicate-ok if this is meant to be a separate document"
                )
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
        """A new version: new scan, and the earlier review void (its decisions stay on record).

        The head fields of the document row become the new version's; unchanged bytes are
        refused (a revision must change something).
        """
        data = read_file(path, self.settings)
        report = scan_bytes(self.settings, data, path.name)

        def body(act: Act) -> tuple[DocumentView, list[int]]:
            return add_revision(act, doc_id, path.name, data, report)

        document, matches = self.run("revise", (Role.CLERK,), body, doc_id)
        return Revised(document, report, matches)
