"""The events are the authority: replay them into the facts they establish (a document's state,
versions, approval and attribute; the decisions on findings; each user's roles), and name every
row whose current value those facts do not explain. It only reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from review_flow.store import AuditEvent, Disposition, Document, User, Version

# States in which a document carries an approval, and an attribute (withdraw/reattribute may
# clear them: outside these states the columns are not compared).
APPROVED = ("secrecy_checked", "attribute_set", "published", "pushed_to_oa", "withheld")
ATTRIBUTED = ("attribute_set", "published", "pushed_to_oa", "withheld")


@dataclass(frozen=True, slots=True)
class VersionFact:
    sha256: str | None
    submitted_by: str
    size: int | None


@dataclass
class DocumentFacts:
    """What a document's events say it is now."""

    state: str | None = None
    current_version: int | None = None
    reviewed_version: int | None = None
    approved_sha256: str | None = None
    attribute: str | None = None
    versions: dict[int, VersionFact] = field(default_factory=dict)
    decisions: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # finding → (d, by)

    def apply(self, e: AuditEvent) -> None:
        if e.action in ("submit", "revise", "redact") and e.version is not None:
            size = e.details.get("size")
            self.versions[e.version] = VersionFact(
                e.sha256, e.actor, size if isinstance(size, int) else None
            )
            self.current_version = e.version
            self.reviewed_version = self.approved_sha256 = self.attribute = None
        elif e.action == "approve":
            self.reviewed_version, self.approved_sha256 = e.version, e.sha256
        elif e.action == "attribute":
            self.attribute = e.details.get("attribute")
        elif e.action == "dispose" and "finding" in e.details:
            decision = (str(e.details.get("decision")), e.actor)
            self.decisions.setdefault(int(e.details["finding"]), []).append(decision)
        if e.to_state:
            self.state = e.to_state


def replay_document(events: Iterable[AuditEvent]) -> DocumentFacts:
    facts = DocumentFacts()
    for e in events:
        facts.apply(e)
    return facts


@dataclass
class Replay:
    """Every document's facts and every user's roles, built from the whole log in one pass."""

    documents: dict[int, DocumentFacts] = field(default_factory=dict)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def apply(self, e: AuditEvent) -> None:
        if e.document_id is not None:
            self.documents.setdefault(e.document_id, DocumentFacts()).apply(e)
        apply_roles(self.roles, e)


def apply_roles(roles: dict[str, tuple[str, ...]], e: AuditEvent) -> None:
    """The roles an `init` (first admin) or `user_roles` event gives."""
    if e.action == "init" and e.details.get("admin"):
        roles[str(e.details["admin"])] = ("admin",)
    elif e.action == "user_roles" and "user" in e.details:
        roles[str(e.details["user"])] = tuple(sorted(e.details.get("after") or ()))


def replay_roles(events: Iterable[AuditEvent]) -> dict[str, tuple[str, ...]]:
    roles: dict[str, tuple[str, ...]] = {}
    for e in events:
        apply_roles(roles, e)
    return roles


def document_problems(
    facts: DocumentFacts,
    doc: Document,
    versions: Iterable[Version],
    dispositions: Iterable[tuple[Disposition, int]] = (),
) -> list[str]:
    """What in a document's rows its events do not explain (empty when all agree)."""
    out: list[str] = []
    name = f"document {doc.id}"

    def differs(what: str, row: object, said: object) -> None:
        if row != said:
            out.append(f"{what}: is {_show(row)}, the events say {_show(said)}")

    if facts.state is None:
        return [f"{name}: no audit event created it"]
    differs(f"{name} state", doc.state, facts.state)
    differs(f"{name} current_version", doc.current_version, facts.current_version)
    if facts.state in APPROVED:
        differs(f"{name} reviewed_version", doc.reviewed_version, facts.reviewed_version)
    elif facts.state == "drafted" and doc.reviewed_version is not None:
        out.append(f"{name} reviewed_version: is {doc.reviewed_version}, the events say none")
    if facts.state in ATTRIBUTED:
        differs(f"{name} attribute", doc.attribute, facts.attribute)
    for v in versions:
        out += version_problems(facts, v)
    seen: dict[int, list[tuple[str, str]]] = {}
    for row, _doc_id in dispositions:
        seen.setdefault(row.finding_id, []).append((row.decision, row.decided_by))
    for finding in sorted(set(seen) | set(facts.decisions)):
        rows, said = seen.get(finding, []), facts.decisions.get(finding, [])
        if rows != said:
            out.append(
                f"{name} dispositions of finding {finding}: rows say {rows or 'none'}, "
                f"the events say {said or 'none'}"
            )
    return out


def version_problems(facts: DocumentFacts, v: Version) -> list[str]:
    """A version row against its submit/revise event: sha256, bytes, size, submitter."""
    name = f"version {v.number} of document {v.document_id} (row {v.id})"
    said = facts.versions.get(v.number)
    if said is None:
        return [f"{name}: no submit or revise event recorded it"]
    out = []
    if v.sha256 != said.sha256:
        out.append(f"{name} sha256: is {v.sha256[:12]}…, the events say {str(said.sha256)[:12]}…")
    actual = hashlib.sha256(v.content).hexdigest()
    if actual != said.sha256:
        out.append(
            f"{name} content: its bytes hash to {actual[:12]}…, the events say "
            f"{str(said.sha256)[:12]}… (bytes swapped)"
        )
    if said.size is not None and v.size != said.size:
        out.append(f"{name} size: is {v.size}, the events say {said.size}")
    if v.submitted_by != said.submitted_by:
        out.append(f"{name} submitted_by: is {v.submitted_by}, the events say {said.submitted_by}")
    return out


def role_problems(roles: dict[str, tuple[str, ...]], users: Iterable[User]) -> list[str]:
    """Users whose roles (newest grant) the init and user_roles events do not explain."""
    out = []
    for user in users:
        have = tuple(sorted(user.role_set))
        said = roles.get(user.name)
        if said is None:
            out.append(f"user {user.name}: no audit event created this user")
        elif have != said:
            out.append(
                f"user {user.name} roles: are {' '.join(have) or 'none'}, "
                f"the events say {' '.join(said) or 'none'}"
            )
    return out


def _show(value: object) -> str:
    return "none" if value is None else str(value)
