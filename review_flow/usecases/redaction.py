"""Redaction (脱敏) in the workflow: the current version's confirmed personal data and the
findings a reviewer marked `redact` are masked into a new version, submitted through the
revise path (new scan, new review, the old review void: 一事一审). Never published unreviewed.

The values are read from the stored bytes in a sandbox worker; the audit event records the
findings redacted, the sha256 of input and output, and masked values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from review_flow import store
from review_flow.errors import ConcurrentChange, Refused, TransitionRefused
from review_flow.identity import Role
from review_flow.redact import Options, Redacted
from review_flow.scan.model import ScanReport
from review_flow.tasks import RedactTask, Span
from review_flow.usecases.frame import Act, Frame, current, lost_to
from review_flow.usecases.intake import add_revision
from review_flow.usecases.scanning import redact_bytes, scan_bytes
from review_flow.usecases.views import DocumentView
from review_flow.workflow import Stage, allowed

SUFFIX = "-脱敏"


@dataclass(frozen=True, slots=True)
class Redone:
    """A redacted new version: the document, its new scan, what was masked and removed."""

    document: DocumentView
    report: ScanReport
    redacted: Redacted
    findings: tuple[int, ...]  # the ids of the findings of the earlier version redacted
    input_sha256: str


@dataclass(frozen=True, slots=True)
class _Plan:
    number: int
    sha256: str
    file_name: str
    content: bytes
    spans: tuple[Span, ...]
    findings: tuple[int, ...]


def redacted_name(file_name: str) -> str:
    """`名单.docx` → `名单-脱敏.docx` (a second redaction keeps one suffix)."""
    path = PurePath(file_name)
    stem = path.stem if path.stem.endswith(SUFFIX) else path.stem + SUFFIX
    return stem + path.suffix


class Redaction(Frame):
    def redact(self, doc_id: int, options: Options | None = None) -> Redone:
        """drafted / returned → drafted, with a new, redacted version (clerk or reviewer)."""
        roles = (Role.CLERK, Role.REVIEWER)
        plan = self.run("redact", roles, lambda act: _plan(act, doc_id), doc_id, checkpoint=False)
        task = RedactTask(self.settings.rules_dirs, plan.spans, options or Options())
        redacted = redact_bytes(self.settings, plan.content, plan.file_name, task)
        name = redacted_name(plan.file_name)
        report = scan_bytes(self.settings, redacted.data, name)
        details: dict[str, Any] = {
            "redacted_findings": list(plan.findings),
            "input_sha256": plan.sha256,
            "redaction": redacted.to_json(),  # masked values and counts only
            "pdf_mode": str(task.options.pdf_mode) if redacted.format == "pdf" else None,
        }

        def body(act: Act) -> DocumentView:
            doc = store.lock_document(act.session, doc_id)
            if doc.current_version != plan.number:
                raise ConcurrentChange(
                    f"document {doc_id} got version {doc.current_version} while version "
                    f"{plan.number} was being redacted: redact again"
                )
            return add_revision(act, doc_id, name, redacted.data, report, "redact", details)[0]

        document = self.run("redact", roles, body, doc_id)
        return Redone(document, report, redacted, plan.findings, plan.sha256)


def _plan(act: Act, doc_id: int) -> _Plan:
    """What to redact in the current version; refused when the document cannot move or
    nothing was confirmed for redaction."""
    doc, version = current(act.session, doc_id)
    if "redact" not in allowed(Stage(doc.state)):
        raise TransitionRefused(lost_to(act.session, doc, "redact"))
    rows = store.findings.to_redact(act.session, version.id)
    if not rows:
        raise Refused(
            f"nothing to redact in version {version.number} of document {doc_id}: confirm "
            "personal data (dispose --confirm) or mark findings (dispose --redact) first"
        )
    spans = tuple(
        Span(r.start, r.end, r.kind, f"finding {r.id}", r.category, r.value,
             r.location if r.start == r.end else "")
        for r in rows
    )  # fmt: skip
    ids = tuple(r.id for r in rows if r.id is not None)
    return _Plan(version.number, version.sha256, version.file_name, version.content, spans, ids)
