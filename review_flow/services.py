"""Use cases: one database transaction each, with its audit event in the same transaction.

Each public method identifies the actor, checks the role, asks workflow.advance whether the
trigger is allowed, writes the change and its audit event, and signs a checkpoint. A refusal
rolls everything back and is then recorded in a transaction of its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from review_flow import audit, store
from review_flow.errors import (
    AccessDenied,
    ConcurrentChange,
    Refused,
    ReviewFlowError,
    StoreError,
)
from review_flow.extract.limits import Limits
from review_flow.identity import Actor, Role, establish
from review_flow.scan.model import ScanReport
from review_flow.store import Disposition, Document, FindingRow, User, Version
from review_flow.workflow import ATTRIBUTE_ALIASES, Attribute, Case, Stage, advance

log = logging.getLogger(__name__)
T = TypeVar("T")

DECISIONS = ("confirmed", "dismissed")


@dataclass(frozen=True)
class Settings:
    """Where and how the services work: database, keys, rules, limits, requested identity."""

    engine: Engine
    keys: audit.Keys
    rules_dirs: tuple[str, ...]
    limits: Limits
    requested_user: str | None = None


@dataclass
class Act:
    """What a use case body gets: the session, who acts in which role, and the audit log."""

    session: Session
    actor: Actor
    role: Role
    log: audit.AuditLog

    def event(self, action: str, doc: Document | None = None, **fields: Any) -> None:
        self.log.append(
            self.session,
            actor=self.actor.name,
            role=str(self.role),
            identity=str(self.actor.source),
            action=action,
            document_id=doc.id if doc else None,
            **fields,
        )


def fingerprint(rule: str, kind: str, value: str, excerpt: str) -> str:
    """Same rule on the same masked value in the same masked context: 'the same finding'."""
    return hashlib.sha256(f"{rule}\x1f{kind}\x1f{value}\x1f{excerpt}".encode()).hexdigest()


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- the transaction frame -------------------------------------------------------------
    def _run(
        self,
        action: str,
        roles: tuple[Role, ...],
        body: Callable[[Act], T],
        document_id: int | None = None,
        checkpoint: bool = True,
    ) -> T:
        log_ = audit.AuditLog(self.settings.keys)
        try:
            with store.transaction(self.settings.engine) as session:
                actor = establish(session, self.settings.requested_user)
                role = self._authorise(session, actor, roles, action)
                result = body(Act(session, actor, role, log_))
                if checkpoint:
                    log_.checkpoint(session)
            log_.mirror()
            return result
        except StoreError as exc:
            log_.discard()
            if "changed by someone else" in str(exc):
                self._record_refusal(action, roles, document_id, str(exc))
                raise ConcurrentChange(str(exc)) from None
            raise
        except Refused as exc:
            log_.discard()
            self._record_refusal(action, roles, document_id, str(exc))
            raise

    def _authorise(
        self, session: Session, actor: Actor, roles: tuple[Role, ...], action: str
    ) -> Role:
        user = session.exec(select(User).where(User.name == actor.name)).first()
        if user is None or not user.active:
            raise AccessDenied(f"unknown user {actor.name!r} ({actor.source}): ask an admin")
        if not roles:
            return Role(sorted(user.role_set)[0]) if user.role_set else Role.CLERK
        for role in roles:
            if role in user.role_set:
                return role
        wanted = " or ".join(str(r) for r in roles)
        raise AccessDenied(f"{actor.name} may not {action}: needs role {wanted}")

    def _record_refusal(
        self, action: str, roles: tuple[Role, ...], document_id: int | None, why: str
    ) -> None:
        log_ = audit.AuditLog(self.settings.keys)
        with store.transaction(self.settings.engine) as session:
            try:
                actor = establish(session, self.settings.requested_user)
            except AccessDenied:
                actor = Actor(self.settings.requested_user or "?", establish_source_refused())
            log_.append(
                session,
                actor=actor.name,
                role=str(roles[0]) if roles else "",
                identity=str(actor.source),
                action="refused",
                document_id=document_id,
                reason=why,
                details={"attempted": action},
            )
            log_.checkpoint(session)
        log_.mirror()

    # -- users -----------------------------------------------------------------------------
    def add_user(self, name: str, roles: list[Role]) -> User:
        def body(act: Act) -> User:
            user = act.session.exec(select(User).where(User.name == name)).first()
            before = sorted(user.role_set) if user else []
            if user is None:
                user = User(name=name)
            user.roles = " ".join(sorted(set(before) | {str(r) for r in roles}))
            user.active = True
            act.session.add(user)
            act.event(
                "user_roles",
                reason=None,
                details={"user": name, "before": before, "after": user.roles.split()},
            )
            return user

        return self._run("users add", (Role.ADMIN,), body)

    def list_users(self) -> list[User]:
        return self._run(
            "users list",
            (Role.ADMIN, Role.INSPECTOR),
            lambda act: list(act.session.exec(select(User).order_by(User.name)).all()),
        )

    # -- submit and revise -------------------------------------------------------------------
    def scan_bytes(self, data: bytes, file_name: str) -> ScanReport:
        """Scan the exact bytes that will be stored, in the sandbox."""
        from review_flow.sandbox import Sandbox
        from review_flow.tasks import ScanTask

        with tempfile.TemporaryDirectory(prefix="review-flow-") as tmp:
            path = Path(tmp) / (Path(file_name).name or "document")
            path.write_bytes(data)
            with Sandbox(ScanTask(self.settings.rules_dirs, False), self.settings.limits, 1) as box:
                ((_, outcome),) = box.run([str(path)])
        if isinstance(outcome, ReviewFlowError):
            raise outcome
        assert isinstance(outcome, ScanReport)
        return outcome

    def _read(self, path: Path) -> bytes:
        limits = self.settings.limits
        from review_flow.extract.limits import check_size

        try:
            check_size(str(path), path.stat().st_size, limits)
            return path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ({exc.strerror})") from None

    def submit(self, path: Path, title: str | None = None) -> tuple[Document, ScanReport]:
        data = self._read(path)
        report = self.scan_bytes(data, path.name)

        def body(act: Act) -> Document:
            head = report.head
            doc = Document(
                title=title or str(head.get("title") or path.stem),
                state=Stage.DRAFTED,
                clerk=act.actor.name,
                doc_number=_s(head.get("doc_number")),
                issuer=_s("、".join(head.get("issuer") or []) or None),  # type: ignore[arg-type]
                doc_date=_s(head.get("date")),
                marking=_s(head.get("marking")),
            )
            act.session.add(doc)
            act.session.flush()
            version = self._add_version(act, doc, 1, path.name, data, report)
            act.event(
                "submit",
                doc,
                version=1,
                sha256=version.sha256,
                from_state=None,
                to_state=Stage.DRAFTED,
                details=_scan_details(report, path.name, len(data)),
            )
            return doc

        return self._run("submit", (Role.CLERK,), body), report

    def _add_version(
        self, act: Act, doc: Document, number: int, name: str, data: bytes, report: ScanReport
    ) -> Version:
        assert doc.id is not None
        version = Version(
            document_id=doc.id,
            number=number,
            file_name=name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            submitted_by=act.actor.name,
            verdict=str(report.verdict),
            summary=report.summary,
        )
        act.session.add(version)
        act.session.flush()
        assert version.id is not None
        for f in report.findings:
            act.session.add(
                FindingRow(
                    document_id=doc.id,
                    version_id=version.id,
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
            )
        act.session.flush()
        return version

    def revise(self, doc_id: int, path: Path) -> tuple[Document, ScanReport, list[FindingRow]]:
        data = self._read(path)
        report = self.scan_bytes(data, path.name)
        matches: list[FindingRow] = []

        def body(act: Act) -> Document:
            doc = store.lock_document(act.session, doc_id)
            before = Stage(doc.state)
            advance(Case(before, act.actor.name, doc.clerk), "revise")
            number = doc.current_version + 1
            version = self._add_version(act, doc, number, path.name, data, report)
            matches.extend(self._matching_dismissed(act.session, doc_id, version.id))
            store.move_state(
                act.session,
                doc,
                Stage.DRAFTED,
                current_version=number,
                reviewed_version=None,
                attribute=None,
            )
            act.event(
                "revise",
                doc,
                version=number,
                sha256=version.sha256,
                from_state=before,
                to_state=Stage.DRAFTED,
                details={
                    **_scan_details(report, path.name, len(data)),
                    "matches_earlier_dismissals": [m.id for m in matches],
                },
            )
            return doc

        return self._run("revise", (Role.CLERK,), body, doc_id), report, matches

    def _matching_dismissed(
        self, session: Session, doc_id: int, version_id: int | None
    ) -> list[FindingRow]:
        """Findings of the new version whose earlier twin was last decided `dismissed`.

        NOTE: the latest decision counts: a dismissal later overturned by a confirmation is
        not offered again.
        """
        latest: dict[str, str] = {}
        for row, disp in session.exec(
            select(FindingRow, Disposition)
            .join(Disposition, col(Disposition.finding_id) == col(FindingRow.id))
            .where(FindingRow.document_id == doc_id, FindingRow.version_id != version_id)
            .order_by(col(Disposition.id))
        ).all():
            latest[row.fingerprint] = disp.decision
        dismissed = {fp for fp, decision in latest.items() if decision == "dismissed"}
        current = session.exec(select(FindingRow).where(FindingRow.version_id == version_id))
        return [f for f in current.all() if f.fingerprint in dismissed]

    # -- the review --------------------------------------------------------------------------
    def dispose(
        self, doc_id: int, finding_ids: list[int], decision: str, reason: str
    ) -> list[FindingRow]:
        if decision not in DECISIONS:
            raise StoreError(f"decision must be one of {', '.join(DECISIONS)}")

        def body(act: Act) -> list[FindingRow]:
            doc, version = self._current(act.session, doc_id)
            self._reviewable(act, doc, version, "dispose")
            if decision == "dismissed" and not reason.strip():
                raise Refused("a reason is required to dismiss a finding")
            rows = self._findings(act.session, version, finding_ids)
            for row in rows:
                _decide(act, doc, version, row, decision, reason)
            return rows

        return self._run("dispose", (Role.REVIEWER,), body, doc_id)

    def carry_over(self, doc_id: int) -> list[FindingRow]:
        """Dismiss, in one step, the findings that match findings dismissed before."""

        def body(act: Act) -> list[FindingRow]:
            doc, version = self._current(act.session, doc_id)
            self._reviewable(act, doc, version, "dispose")
            decided = self._decided(act.session, version)
            rows = [
                r
                for r in self._matching_dismissed(act.session, doc_id, version.id)
                if r.id not in decided
            ]
            for row in rows:
                earlier = act.session.exec(
                    select(Disposition, FindingRow)
                    .join(FindingRow, col(Disposition.finding_id) == col(FindingRow.id))
                    .where(
                        FindingRow.document_id == doc_id, FindingRow.fingerprint == row.fingerprint
                    )
                    .where(Disposition.decision == "dismissed")
                    .order_by(col(Disposition.id).desc())
                ).first()
                assert earlier is not None
                reason = f"as dismissed earlier (finding {earlier[1].id}): {earlier[0].reason}"
                _decide(act, doc, version, row, "dismissed", reason, carried_over=True)
            return rows

        return self._run("dispose", (Role.REVIEWER,), body, doc_id)

    def _reviewable(self, act: Act, doc: Document, version: Version, what: str) -> None:
        if doc.state != Stage.DRAFTED:
            raise Refused(f"cannot {what}: document {doc.id} is {doc.state}, not drafted")
        if version.submitted_by == act.actor.name:
            raise AccessDenied(f"four-eyes rule: {act.actor.name} submitted this version")

    def approve(self, doc_id: int) -> Document:
        def body(act: Act) -> Document:
            doc, version = self._current(act.session, doc_id)
            case = Case(
                Stage(doc.state),
                act.actor.name,
                version.submitted_by,
                undisposed=self._undisposed(act.session, version),
                bytes_ok=hashlib.sha256(version.content).hexdigest() == version.sha256,
            )
            _move(act, doc, version, case, "approve", {"verdict": version.verdict},
                  reviewed_version=version.number)  # fmt: skip
            return doc

        return self._run("approve", (Role.REVIEWER,), body, doc_id)

    def reject(self, doc_id: int, reason: str) -> Document:
        def body(act: Act) -> Document:
            doc, version = self._current(act.session, doc_id)
            case = Case(Stage(doc.state), act.actor.name, version.submitted_by, reason=reason)
            _move(act, doc, version, case, "reject", reason=reason)
            return doc

        return self._run("reject", (Role.REVIEWER,), body, doc_id)

    # -- disclosure attribute and publication -----------------------------------------------
    def set_attribute(
        self, doc_id: int, value: str, reason: str = "", topic: str | None = None
    ) -> Document:
        attribute = ATTRIBUTE_ALIASES.get(value)
        reason = reason.strip()
        if attribute is None:
            raise StoreError(f"attribute must be 主动公开, 依申请公开 or 不予公开 (not {value!r})")

        def body(act: Act) -> Document:
            doc, version = self._current(act.session, doc_id)
            case = Case(
                Stage(doc.state),
                act.actor.name,
                version.submitted_by,
                reason=reason,
                attribute=attribute,
                confirmed=self._confirmed(act.session, version),
            )
            _move(act, doc, version, case, "set_attribute", {"attribute": str(attribute)},
                  action="attribute", reason=reason or None, attribute=str(attribute),
                  attribute_reason=reason or None)  # fmt: skip
            if attribute is Attribute.ON_REQUEST:  # released on request: filed with the OA too
                from review_flow.delivery import enqueue

                enqueue(act, doc, version, attribute, case.confirmed, topic)
            return doc

        return self._run("attribute", (Role.PUBLISHER,), body, doc_id)

    def publish(self, doc_id: int, topic: str | None = None, title: str | None = None) -> Document:
        return self._release(doc_id, "publish", topic, title)

    def withhold(self, doc_id: int) -> Document:
        return self._release(doc_id, "withhold")

    def _release(
        self, doc_id: int, trigger: str, topic: str | None = None, title: str | None = None
    ) -> Document:
        def body(act: Act) -> Document:
            doc, version = self._current(act.session, doc_id)
            reviewed_ok = (
                doc.reviewed_version == version.number
                and hashlib.sha256(version.content).hexdigest() == version.sha256
            )
            case = Case(
                Stage(doc.state),
                act.actor.name,
                version.submitted_by,
                attribute=Attribute(doc.attribute) if doc.attribute else None,
                reviewed_bytes_ok=reviewed_ok,
            )
            _move(act, doc, version, case, trigger, {"attribute": doc.attribute})
            if trigger == "publish":  # the OA push is owed from this very transaction
                from review_flow.delivery import enqueue

                confirmed = self._confirmed(act.session, version)
                enqueue(act, doc, version, Attribute.PUBLIC, confirmed, topic, title)
            return doc

        return self._run(trigger, (Role.PUBLISHER,), body, doc_id)

    # -- reading -----------------------------------------------------------------------------
    def list_documents(
        self, state: str | None = None, mine: bool = False, limit: int = 50
    ) -> list[Document]:
        def body(act: Act) -> list[Document]:
            stmt = select(Document).order_by(col(Document.id).desc()).limit(limit)
            if state:
                stmt = stmt.where(Document.state == state)
            if mine:
                stmt = stmt.where(Document.clerk == act.actor.name)
            return list(act.session.exec(stmt).all())

        return self._run("list", (), body)

    def show(self, doc_id: int) -> dict[str, Any]:
        def body(act: Act) -> dict[str, Any]:
            doc, version = self._current(act.session, doc_id)
            versions = act.session.execute(
                sa_select(  # type: ignore[call-overload]
                    Version.number,
                    Version.file_name,
                    Version.sha256,
                    Version.size,
                    Version.submitted_by,
                    Version.submitted_at,
                    Version.verdict,
                )
                .where(Version.document_id == doc_id)
                .order_by(col(Version.number))
            ).all()
            history = act.session.exec(
                select(store.AuditEvent)
                .where(store.AuditEvent.document_id == doc_id)
                .order_by(col(store.AuditEvent.seq))
            ).all()
            catalogue = act.session.get(store.Catalogue, doc_id)
            return {
                "document": doc,
                "catalogue": catalogue.record if catalogue else None,
                "versions": [dict(v._mapping) for v in versions],
                "findings": self._findings_with_decisions(act.session, version),
                "history": list(history),
            }

        return self._run("show", (), body, doc_id)

    def findings(self, doc_id: int, reveal: bool = False) -> list[dict[str, Any]]:
        def body(act: Act) -> list[dict[str, Any]]:
            doc, version = self._current(act.session, doc_id)
            rows = self._findings_with_decisions(act.session, version)
            if reveal:
                if act.role not in (Role.REVIEWER, Role.ADMIN):
                    raise AccessDenied(f"{act.actor.name} may not reveal personal data")
                self._reveal(version, rows)
                act.event(
                    "reveal",
                    doc,
                    version=version.number,
                    sha256=version.sha256,
                    details={"findings": [r["id"] for r in rows]},
                )
            return rows

        roles: tuple[Role, ...] = (
            Role.REVIEWER,
            Role.ADMIN,
            Role.PUBLISHER,
            Role.CLERK,
            Role.INSPECTOR,
        )
        if reveal:
            roles = (Role.REVIEWER, Role.ADMIN)
        return self._run("findings --reveal" if reveal else "findings", roles, body, doc_id)

    def _reveal(self, version: Version, rows: list[dict[str, Any]]) -> None:
        """Re-scan the stored bytes unmasked; the raw values never touch the database."""
        fd, tmp = tempfile.mkstemp(suffix=Path(version.file_name).suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(version.content)
            from review_flow.extract import extract_file
            from review_flow.tasks import scanner_for

            report = scanner_for(self.settings.rules_dirs).scan(
                extract_file(tmp, self.settings.limits), reveal=True
            )
        finally:
            os.unlink(tmp)
        raw = {(f.rule, f.start, f.end): f for f in report.findings}
        for row in rows:
            found = raw.get((row["rule"], row["start"], row["end"]))
            if found is not None:
                row["value"], row["excerpt"] = found.value, found.excerpt

    # -- helpers -----------------------------------------------------------------------------
    def _current(self, session: Session, doc_id: int) -> tuple[Document, Version]:
        try:
            doc = store.lock_document(session, doc_id)
        except StoreError:
            raise StoreError(f"no document {doc_id}") from None
        version = session.exec(
            select(Version).where(
                Version.document_id == doc_id, Version.number == doc.current_version
            )
        ).one()
        return doc, version

    def _findings(self, session: Session, version: Version, ids: list[int]) -> list[FindingRow]:
        rows = session.exec(
            select(FindingRow).where(
                FindingRow.version_id == version.id, col(FindingRow.id).in_(ids)
            )
        ).all()
        missing = sorted(set(ids) - {r.id for r in rows if r.id is not None})
        if missing:
            raise StoreError(
                f"finding(s) {', '.join(map(str, missing))} are not findings of version "
                f"{version.number} of document {version.document_id}"
            )
        return list(rows)

    def _decided(self, session: Session, version: Version) -> dict[int, Disposition]:
        latest: dict[int, Disposition] = {}
        for disp in session.exec(
            select(Disposition)
            .join(FindingRow, col(Disposition.finding_id) == col(FindingRow.id))
            .where(FindingRow.version_id == version.id)
            .order_by(col(Disposition.id))
        ).all():
            latest[disp.finding_id] = disp
        return latest

    def _undisposed(self, session: Session, version: Version) -> int:
        decided = self._decided(session, version)
        rows = session.exec(
            select(FindingRow.id).where(
                FindingRow.version_id == version.id, col(FindingRow.severity).in_(("block", "warn"))
            )
        ).all()
        return sum(1 for fid in rows if fid not in decided)

    def _confirmed(self, session: Session, version: Version) -> tuple[str, ...]:
        decided = self._decided(session, version)
        confirmed = [fid for fid, d in decided.items() if d.decision == "confirmed"]
        if not confirmed:
            return ()
        cats = session.exec(
            select(FindingRow.category).where(col(FindingRow.id).in_(confirmed))
        ).all()
        return tuple(sorted(set(cats)))

    def _findings_with_decisions(self, session: Session, version: Version) -> list[dict[str, Any]]:
        decided = self._decided(session, version)
        rows = session.exec(
            select(FindingRow)
            .where(FindingRow.version_id == version.id)
            .order_by(col(FindingRow.start), col(FindingRow.id))
        ).all()
        out = []
        for row in rows:
            disp = decided.get(row.id)  # type: ignore[arg-type]
            out.append(
                {
                    "id": row.id,
                    "rule": row.rule,
                    "category": row.category,
                    "kind": row.kind,
                    "severity": row.severity,
                    "start": row.start,
                    "end": row.end,
                    "where": row.location,
                    "page": row.page,
                    "excerpt": row.excerpt,
                    "value": row.value,
                    "message": row.message,
                    "disposition": disp.decision if disp else None,
                    "reason": disp.reason if disp else None,
                    "decided_by": disp.decided_by if disp else None,
                }
            )
        return out

    def document_count(self) -> int:
        with store.transaction(self.settings.engine) as session:
            return int(session.exec(select(func.count()).select_from(Document)).one())


def establish_source_refused() -> Any:
    from review_flow.identity import Source

    return Source.UNGRANTED


def _when(value: str) -> datetime:
    """An ISO date or time from the command line; a date without zone means UTC midnight."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise StoreError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO time)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _move(
    act: Act,
    doc: Document,
    version: Version,
    case: Case,
    trigger: str,
    details: dict[str, Any] | None = None,
    action: str | None = None,
    reason: str | None = None,
    **changes: Any,
) -> Stage:
    """Fire the trigger, change the row (conditionally) and record the event: one step."""
    to = advance(case, trigger)
    before = doc.state
    store.move_state(act.session, doc, to, **changes)
    act.event(
        action or trigger, doc, version=version.number, sha256=version.sha256,
        from_state=before, to_state=to, reason=reason, details=details or {},
    )  # fmt: skip
    return to


def _decide(
    act: Act,
    doc: Document,
    version: Version,
    row: FindingRow,
    decision: str,
    reason: str,
    **extra: Any,
) -> None:
    """Record one decision on one finding, and its audit event (no values, only ids)."""
    act.session.add(
        Disposition(finding_id=_id(row), decision=decision, reason=reason,
                    decided_by=act.actor.name)
    )  # fmt: skip
    act.event(
        "dispose", doc, version=version.number, sha256=version.sha256, reason=reason,
        details={"finding": row.id, "rule": row.rule, "category": row.category,
                 "decision": decision, **extra},
    )  # fmt: skip


def _id(row: FindingRow) -> int:
    assert row.id is not None
    return row.id


def _s(value: object) -> str | None:
    return None if value is None else str(value)[:250]


def _scan_details(report: ScanReport, name: str, size: int) -> dict[str, Any]:
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


def initialize(
    engine: Engine,
    keys_folder: Path,
    admin: str | None,
    demo: bool,
    settings: dict[str, str] | None = None,
) -> str:
    """Create or upgrade the schema, the audit keys and (once) the first admin."""
    audit.create_keys(keys_folder)
    keys = audit.load_keys(keys_folder)
    revision = store.upgrade(engine)
    log_ = audit.AuditLog(keys)
    with store.transaction(engine) as session:
        mode = store.setting(session, "mode")
        if mode is None:
            session.add(store.Setting(key="mode", value="demo" if demo else "production"))
            session.flush()
        elif demo and mode != "demo":
            raise StoreError("this database was created in production mode; --demo cannot be added")
        for key, value in (settings or {}).items():
            row = session.get(store.Setting, key) or store.Setting(key=key, value=value)
            row.value = value
            session.add(row)
        actor = establish(session, None)
        has_admin = session.exec(select(User).where(col(User.roles).contains("admin"))).first()
        details: dict[str, Any] = {
            "schema": revision,
            "mode": mode or ("demo" if demo else "production"),
        }
        if admin and has_admin is None:
            session.add(User(name=admin, roles=str(Role.ADMIN)))
            details["admin"] = admin
        elif admin and has_admin is not None and has_admin.name != admin:
            raise StoreError(f"an admin already exists ({has_admin.name}); ask them to add users")
        log_.append(
            session,
            actor=actor.name,
            role="admin",
            identity=str(actor.source),
            action="init",
            details=details,
        )
        log_.checkpoint(session)
    log_.mirror()
    return revision


# -- the audit log, for inspectors ---------------------------------------------------------------
class AuditServices:
    """Verify and export the audit log (inspector or admin); each use is itself recorded."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings

    def verify(self) -> audit.Verification:
        def body(act: Act) -> audit.Verification:
            return audit.verify(act.session, self.settings.keys)

        result = self.services._run(
            "audit verify", (Role.INSPECTOR, Role.ADMIN), body, checkpoint=False
        )
        if result.ok:  # a damaged log takes no new events (audit.AuditLog fails closed)
            self._note("audit_verify", {"ok": True, "events": result.events})
        return result

    def export(
        self, out: Path, fmt: str, start: str | None, end: str | None, document: int | None
    ) -> dict[str, Any]:
        """Write the events to `out` (via a temporary name) and a signed manifest beside it."""
        import json

        filters = {"from": start, "to": end, "document": document, "format": fmt}

        def body(act: Act) -> dict[str, Any]:
            stmt = select(store.AuditEvent).order_by(col(store.AuditEvent.seq))
            if start:
                stmt = stmt.where(store.AuditEvent.ts >= _when(start))
            if end:
                stmt = stmt.where(store.AuditEvent.ts < _when(end))
            if document is not None:
                stmt = stmt.where(store.AuditEvent.document_id == document)
            head = act.session.exec(
                select(store.AuditEvent.seq, store.AuditEvent.hash)
                .order_by(col(store.AuditEvent.seq).desc())
                .limit(1)
            ).first()
            digest, n = hashlib.sha256(), 0
            tmp = out.with_name(f".{out.name}.partial")
            try:
                with tmp.open("wb") as handle:
                    for chunk in audit.render(self._counted(act.session, stmt), fmt):
                        handle.write(chunk)
                        digest.update(chunk)
                        n += 1
                manifest = audit.sign_export(
                    self.settings.keys,
                    digest.hexdigest(),
                    max(n - (fmt == "csv"), 0),
                    (head[0], head[1]) if head else (0, audit.GENESIS),
                    filters,
                )
                sig = out.with_name(out.name + ".sig.json")
                sig_tmp = sig.with_name(f".{sig.name}.partial")
                sig_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
                os.replace(tmp, out)
                os.replace(sig_tmp, sig)
            except OSError as exc:
                raise StoreError(
                    f"cannot write the export to {out}: {exc.strerror or exc}"
                ) from None
            finally:
                for leftover in (tmp, out.with_name(f".{out.name}.sig.json.partial")):
                    leftover.unlink(missing_ok=True)
            act.event(
                "audit_export",
                details={**filters, "events": manifest["events"], "sha256": manifest["sha256"]},
            )
            return manifest

        return self.services._run("audit export", (Role.INSPECTOR, Role.ADMIN), body)

    @staticmethod
    def _counted(session: Session, stmt: Any) -> Any:
        yield from session.exec(stmt.execution_options(yield_per=2000))

    def history(self, doc_id: int) -> list[store.AuditEvent]:
        def body(act: Act) -> list[store.AuditEvent]:
            return list(
                act.session.exec(
                    select(store.AuditEvent)
                    .where(store.AuditEvent.document_id == doc_id)
                    .order_by(col(store.AuditEvent.seq))
                ).all()
            )

        return self.services._run("audit show", (Role.INSPECTOR, Role.ADMIN, Role.REVIEWER), body)

    def _note(self, action: str, details: dict[str, Any]) -> None:
        def body(act: Act) -> None:
            act.event(action, details=details)

        self.services._run(action, (Role.INSPECTOR, Role.ADMIN), body)
