"""Findings of a version and the reviewers' decisions on them; the latest decision counts."""

from __future__ import annotations

from sqlmodel import Session, col, select

from review_flow.errors import FindingNotFound
from review_flow.store.tables import Disposition, FindingRow, Version

MUST_DECIDE = ("block", "warn")  # severities that need a decision before approval
CONFIRMING = ("confirmed", "redact")
REDACTED_WHEN_CONFIRMED = (
    "personal_data",
    "active_content",
)  # `redact`: confirmed, and marked to be masked (issue 16)


def of_version(session: Session, version_id: int | None) -> list[FindingRow]:
    """In text order."""
    return list(
        session.exec(
            select(FindingRow)
            .where(FindingRow.version_id == version_id)
            .order_by(col(FindingRow.start), col(FindingRow.id))
        ).all()
    )


def named(session: Session, version: Version, ids: list[int]) -> list[FindingRow]:
    """The findings with these ids, all of which must belong to `version`."""
    rows = session.exec(
        select(FindingRow).where(FindingRow.version_id == version.id, col(FindingRow.id).in_(ids))
    ).all()
    missing = sorted(set(ids) - {r.id for r in rows if r.id is not None})
    if missing:
        raise FindingNotFound(
            f"finding(s) {', '.join(map(str, missing))} are not findings of version "
            f"{version.number} of document {version.document_id}"
        )
    return list(rows)


def decisions(session: Session, version_id: int | None) -> dict[int, Disposition]:
    """The latest decision on each decided finding of a version, by finding id."""
    return {fid: found[-1] for fid, found in all_decisions(session, version_id).items()}


def undisposed(session: Session, version_id: int | None) -> int:
    """How many block/warn findings of a version have no decision yet."""
    decided = decisions(session, version_id)
    ids = session.exec(
        select(FindingRow.id).where(
            FindingRow.version_id == version_id, col(FindingRow.severity).in_(MUST_DECIDE)
        )
    ).all()
    return sum(1 for fid in ids if fid not in decided)


def confirmed_categories(session: Session, version_id: int | None) -> tuple[str, ...]:
    """The categories of a version's findings whose latest decision is `confirmed`."""
    confirmed = [
        fid for fid, d in decisions(session, version_id).items() if d.decision in CONFIRMING
    ]
    if not confirmed:
        return ()
    cats = session.exec(select(FindingRow.category).where(col(FindingRow.id).in_(confirmed))).all()
    return tuple(sorted(set(cats)))


def matching_dismissed(session: Session, doc_id: int, version_id: int | None) -> list[FindingRow]:
    """Findings of this version whose twin in an earlier version was last decided `dismissed`.

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
    return [f for f in of_version(session, version_id) if f.fingerprint in dismissed]


def last_dismissal(
    session: Session, doc_id: int, fingerprint: str
) -> tuple[Disposition, FindingRow]:
    """The newest dismissal of a finding with this fingerprint in this document."""
    found = session.exec(
        select(Disposition, FindingRow)
        .join(FindingRow, col(Disposition.finding_id) == col(FindingRow.id))
        .where(FindingRow.document_id == doc_id, FindingRow.fingerprint == fingerprint)
        .where(Disposition.decision == "dismissed")
        .order_by(col(Disposition.id).desc())
    ).first()
    if found is None:
        raise FindingNotFound(f"no earlier dismissal of {fingerprint[:12]} in document {doc_id}")
    return found


def to_redact(session: Session, version_id: int | None) -> list[FindingRow]:
    """Findings of a version `redact` acts on, in text order: confirmed personal data, confirmed
    active content (an embedded object or a macro part is removed), and every finding whose
    latest decision is `redact`."""
    latest = decisions(session, version_id)
    return [
        row
        for row in of_version(session, version_id)
        if (d := latest.get(row.id or 0)) is not None
        and (d.decision == "redact"
             or (d.decision == "confirmed" and row.category in REDACTED_WHEN_CONFIRMED))
    ]  # fmt: skip


def decide(session: Session, finding_id: int, decision: str, reason: str, by: str) -> None:
    session.add(Disposition(finding_id=finding_id, decision=decision, reason=reason, decided_by=by))


def all_decisions(session: Session, version_id: int | None) -> dict[int, list[Disposition]]:
    """Every decision on each decided finding of a version, oldest first, by finding id."""
    found: dict[int, list[Disposition]] = {}
    for disp in session.exec(
        select(Disposition)
        .join(FindingRow, col(Disposition.finding_id) == col(FindingRow.id))
        .where(FindingRow.version_id == version_id)
        .order_by(col(Disposition.id))
    ).all():
        found.setdefault(disp.finding_id, []).append(disp)
    return found
