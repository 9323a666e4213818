"""The audit log under attack, through the real CLI, on SQLite and PostgreSQL.

One history per backend is built with the real commands (two submissions, dispositions, a
reveal, approvals, attributes, publication, refused attempts) and kept as a template; every
test gets its own exact copy of that database and of its key folder (a fresh bench per case)
and then plays an attacker with database rights: triggers dropped or disabled, rows edited,
deleted, swapped, forged, the tail cut, the whole chain recomputed. `audit verify` must exit 1
and name the damage. The database itself must refuse ordinary UPDATE / DELETE / TRUNCATE.

Exports (CSV with BOM, JSONL) must verify alone with the public key and fail after any change;
no event and no export may hold a planted ID number or mobile number.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from review_flow import audit, store
from review_flow.store import AuditCheckpoint, AuditEvent
from tests.conftest import SAMPLES
from tests.dbkit import BACKENDS, PG_URL, Bench, make_bench, new_database

CLEAN = SAMPLES / "01_clean_notice.docx"
PERSONAL = SAMPLES / "03_personal_data.docx"
INSPECTOR, CLERK, REVIEWER, PUBLISHER = "赵检查", "张拟稿", "李审查", "王公开"
AUDIT_TABLES = ("audit_event", "audit_checkpoint")
SQLITE_TRIGGERS = tuple(f"{t}_no_{verb}" for t in AUDIT_TABLES for verb in ("update", "delete"))
# Tables in foreign-key order, for copying a template database row for row.
TABLES = (
    "setting",
    "user_account",
    "document",
    "version",
    "finding",
    "disposition",
    "audit_event",
    "audit_checkpoint",
)
SERIAL_TABLES = ("user_account", "document", "version", "finding", "disposition")
EXPORT_HEADER = (
    "seq", "ts", "actor", "role", "action", "document_id", "version", "sha256",
    "from_state", "to_state", "reason", "details", "prev_hash", "hash",
)  # fmt: skip
DISMISS_REASON = "表格中的姓名为公示所需"

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
BANK_CARD = re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])")


# -- the history, built once per backend with the real commands ----------------------------------
@dataclass
class History:
    backend: str
    url: str
    home: Path
    clean: str  # document id of 01_clean_notice.docx (published)
    personal: str  # document id of 03_personal_data.docx (withheld)
    planted: dict[str, set[str]]  # kind -> raw values found in 03_personal_data.docx


def planted_values(bench: Bench) -> dict[str, set[str]]:
    """The raw ID, mobile and bank-card numbers of the personal-data sample, via `extract`."""
    result = bench.run("extract", str(PERSONAL), "--format", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)["documents"][0]["text"]
    found = {
        "ID number": set(ID_NUMBER.findall(body)),
        "mobile": set(MOBILE.findall(body)),
        "bank card": set(BANK_CARD.findall(body)) - set(ID_NUMBER.findall(body)),
    }
    assert len(found["ID number"]) >= 3, found
    assert len(found["mobile"]) >= 3, found
    return found


def build_history(bench: Bench) -> tuple[str, str]:
    clean = bench.ok("submit", str(CLEAN), user=CLERK).strip()
    personal = bench.ok("submit", str(PERSONAL), user=CLERK).strip()
    assert clean.isdigit(), clean
    assert personal.isdigit(), personal

    # refused: a clerk may not approve
    assert bench.run("approve", clean, user=CLERK).returncode == 1
    findings = bench.json("findings", personal, user=REVIEWER)
    to_decide = [f for f in findings if f["severity"] in ("block", "warn")]
    names = [str(f["id"]) for f in to_decide if f["kind"] == "name"]
    others = [str(f["id"]) for f in to_decide if f["kind"] != "name"]
    assert names, findings
    assert others, findings
    # refused: a dismissal needs a reason
    assert bench.run("dispose", personal, *names, "--dismiss", user=REVIEWER).returncode == 1
    bench.ok("dispose", personal, *others, "--confirm", user=REVIEWER)
    bench.ok("dispose", personal, *names, "--dismiss", "--reason", DISMISS_REASON, user=REVIEWER)
    bench.ok("findings", personal, "--reveal", user=REVIEWER)
    bench.ok("approve", clean, user=REVIEWER)
    bench.ok("approve", personal, user=REVIEWER)
    # refused: nothing is published before its attribute is set
    assert bench.run("publish", clean, user=PUBLISHER).returncode == 1
    bench.ok("attribute", clean, "主动公开", user=PUBLISHER)
    bench.ok("publish", clean, user=PUBLISHER)
    bench.ok("attribute", personal, "不予公开", "--reason", "个人隐私", user=PUBLISHER)
    bench.ok("withhold", personal, user=PUBLISHER)
    return clean, personal


@pytest.fixture(scope="module", params=BACKENDS)
def history(request, tmp_path_factory) -> Iterator[History]:
    backend = request.param
    folder = tmp_path_factory.mktemp(f"history-{backend}")
    databases = new_database(backend, folder)
    url = next(databases)
    try:
        bench = make_bench(url, folder / "keys")
        clean, personal = build_history(bench)
        yield History(backend, url, bench.home, clean, personal, planted_values(bench))
    finally:
        databases.close()


def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar())


@pytest.fixture
def audited(history: History, tmp_path: Path) -> Iterator[Bench]:
    """A fresh, exact copy of the history's database and key folder (checkpoint file too)."""
    databases = new_database(history.backend, tmp_path)
    url = next(databases)
    try:
        if history.backend == "sqlite":
            source = sqlite3.connect(history.url.removeprefix("sqlite:///"))
            target = sqlite3.connect(url.removeprefix("sqlite:///"))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            src_engine, engine = create_engine(history.url), create_engine(url)
            src = _schema(src_engine)
            store.upgrade(engine)
            with engine.begin() as conn:
                for table in TABLES:
                    conn.exec_driver_sql(f'INSERT INTO {table} SELECT * FROM "{src}".{table}')
                for table in SERIAL_TABLES:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
            src_engine.dispose()
            engine.dispose()
        home = tmp_path / "keys"
        shutil.copytree(history.home, home)
        yield Bench(url, home)
    finally:
        databases.close()


# -- helpers --------------------------------------------------------------------------------------
@contextlib.contextmanager
def attacker(bench: Bench) -> Iterator[Session]:
    """A session of someone with database rights who switched the append-only triggers off."""
    engine = create_engine(bench.url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with Session(engine) as session, session.begin():
            if sqlite:
                for trigger in SQLITE_TRIGGERS:
                    session.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            else:
                for table in AUDIT_TABLES:
                    session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield session
            session.flush()
            if not sqlite:
                for table in AUDIT_TABLES:
                    session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


def events(bench: Bench) -> list[AuditEvent]:
    engine = create_engine(bench.url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())
    finally:
        engine.dispose()


def checkpoint_seqs(bench: Bench) -> set[int]:
    engine = create_engine(bench.url)
    try:
        with Session(engine) as session:
            return set(session.exec(select(AuditCheckpoint.seq)).all())
    finally:
        engine.dispose()


def verify(bench: Bench) -> tuple[int, list[str], str]:
    """(exit status, FAIL lines, whole output) of `audit verify` run by the inspector."""
    result = bench.run("audit", "verify", user=INSPECTOR)
    output = result.stdout + result.stderr
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    return result.returncode, fails, output


def named_events(lines: list[str]) -> set[int]:
    """The event numbers the FAIL lines blame ('event N' and 'checkpoint at event N')."""
    return {int(n) for line in lines for n in re.findall(r"\bevent (\d+)\b", line)}


def seq_of(bench: Bench, action: str, *, reason: str | None = None, nth: int = 0) -> int:
    hits = [
        e.seq
        for e in events(bench)
        if e.action == action and (reason is None or e.reason == reason)
    ]
    return hits[nth]


def export(bench: Bench, out: Path, *args: str) -> dict:
    result = bench.run("audit", "export", "--out", str(out), *args, user=INSPECTOR)
    assert result.returncode == 0, (result.stdout, result.stderr)
    return json.loads(out.with_name(out.name + ".sig.json").read_text(encoding="utf-8"))


def verify_file(bench: Bench, path: Path, public_key: Path | None = None):
    key = public_key or bench.home / "audit-signing.pub"
    return bench.run("audit", "verify", "--file", str(path), "--public-key", str(key))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def leaks(text_: str, planted: dict[str, set[str]]) -> list[str]:
    return sorted(f"{kind} {v}" for kind, values in planted.items() for v in values if v in text_)


# -- the untouched log ----------------------------------------------------------------------------
def test_verify_passes_on_the_untouched_log(audited: Bench) -> None:
    n = len(events(audited))

    status, fails, output = verify(audited)

    assert status == 0, output
    assert fails == []
    assert "OK" in output
    assert f"OK: {n} events" in output
    assert len(events(audited)) == n  # verification reads only: nothing is appended


def test_the_history_holds_every_kind_of_event(audited: Bench, history: History) -> None:
    actions = [e.action for e in events(audited)]

    for action in ("init", "user_roles", "submit", "dispose", "reveal", "approve", "attribute",
                   "publish", "withhold", "refused"):  # fmt: skip
        assert action in actions, actions
    assert actions.count("refused") == 3
    assert checkpoint_seqs(audited), "no checkpoints were signed"
    mirror = (audited.home / "audit-checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
    assert mirror, "the checkpoint file outside the database is empty"


# -- tampering ------------------------------------------------------------------------------------
def test_an_edited_reason_is_named_by_its_sequence_number(audited: Bench) -> None:
    seq = seq_of(audited, "dispose", reason=DISMISS_REASON)
    with attacker(audited) as s:
        s.execute(text("UPDATE audit_event SET reason = :r WHERE seq = :s"),
                  {"r": "误报，已核实", "s": seq})  # fmt: skip

    status, fails, output = verify(audited)

    assert status == 1, output
    assert fails, output
    assert fails[0].startswith(f"FAIL event {seq} "), output
    assert "edited or forged" in fails[0]
    assert named_events(fails) == {seq}, output


def test_an_edited_details_field_is_caught(audited: Bench) -> None:
    seq = seq_of(audited, "dispose", reason=DISMISS_REASON)
    with attacker(audited) as s:
        event = s.get(AuditEvent, seq)
        assert event is not None
        event.details = {**event.details, "decision": "confirmed"}
        s.add(event)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert named_events(fails) == {seq}, output


def test_a_deleted_middle_row_is_caught(audited: Bench) -> None:
    all_events = events(audited)
    cps = checkpoint_seqs(audited)
    # a row in the middle that no checkpoint names: only the chain can tell it is gone
    middle = next(e.seq for e in all_events[len(all_events) // 2 :] if e.seq not in cps)
    with attacker(audited) as s:
        s.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": middle})

    status, _, output = verify(audited)

    assert status == 1, output
    assert f"FAIL event {middle + 1} " in output, output
    assert f"expected sequence number {middle}" in output
    assert "does not link" in output


def test_two_swapped_rows_are_caught(audited: Bench) -> None:
    a = seq_of(audited, "approve", nth=0)
    b = seq_of(audited, "approve", nth=1)
    with attacker(audited) as s:
        s.execute(text("UPDATE audit_event SET seq = -1 WHERE seq = :a"), {"a": a})
        s.execute(text("UPDATE audit_event SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
        s.execute(text("UPDATE audit_event SET seq = :b WHERE seq = -1"), {"b": b})

    status, fails, output = verify(audited)

    assert status == 1, output
    assert {a, b} <= named_events(fails), output


def test_two_rows_with_swapped_contents_are_caught(audited: Bench) -> None:
    """Keep the sequence numbers and hashes, exchange what happened (who approved which)."""
    a = seq_of(audited, "attribute", nth=0)
    b = seq_of(audited, "attribute", nth=1)
    fields = ("document_id", "reason", "details", "ts")
    with attacker(audited) as s:
        ea, eb = s.get(AuditEvent, a), s.get(AuditEvent, b)
        assert ea is not None
        assert eb is not None
        va, vb = ({f: getattr(e, f) for f in fields} for e in (ea, eb))
        for f in fields:
            setattr(ea, f, vb[f])
            setattr(eb, f, va[f])
        s.add_all([ea, eb])

    status, fails, output = verify(audited)

    assert status == 1, output
    assert {a, b} <= named_events(fails), output
    assert all(
        "edited or forged" in line or "checkpoint" in line or "the events say" in line
        for line in fails
    ), output


def test_a_forged_row_is_caught(audited: Bench) -> None:
    last = events(audited)[-1]
    forged = AuditEvent(
        seq=last.seq + 1,
        ts=datetime.now(UTC),
        actor=REVIEWER,
        role="reviewer",
        identity="demo-override",
        action="approve",
        document_id=last.document_id,
        version=1,
        from_state="drafted",
        to_state="secrecy_checked",
        details={},
        prev_hash=last.hash,
        hash=hashlib.sha256(b"made up").hexdigest(),
    )
    with attacker(audited) as s:
        s.add(forged)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert fails[0].startswith(f"FAIL event {last.seq + 1} "), output
    assert "edited or forged" in fails[0]


def test_a_forged_row_in_a_gap_is_caught(audited: Bench) -> None:
    """Delete one event and put a made-up one with a made-up hash in its place."""
    seq = seq_of(audited, "reveal")
    with attacker(audited) as s:
        original = s.get(AuditEvent, seq)
        assert original is not None
        replacement = AuditEvent(
            **{k: getattr(original, k) for k in audit.HASHED_FIELDS if k != "details"},
            details={"findings": []},
            prev_hash=original.prev_hash,
            hash=hashlib.sha256(original.hash.encode()).hexdigest(),
        )
        s.delete(original)
        s.flush()
        s.add(replacement)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert seq in named_events(fails), output


def _cut_tail(bench: Bench, n: int) -> int:
    """Delete the last n events and their checkpoints in the database; the new last seq."""
    last = events(bench)[-1].seq
    keep = last - n
    with attacker(bench) as s:
        s.execute(text("DELETE FROM audit_event WHERE seq > :k"), {"k": keep})
        s.execute(text("DELETE FROM audit_checkpoint WHERE seq > :k"), {"k": keep})
    return keep


def test_a_cut_tail_is_caught_by_the_checkpoint_file(audited: Bench) -> None:
    keep = _cut_tail(audited, 3)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert "tail cut" in output, output
    assert any("checkpoint file" in line and f"ends at event {keep}" in line for line in fails)


def test_a_cut_tail_stays_caught_after_the_next_command(audited: Bench) -> None:
    _cut_tail(audited, 3)
    first, _, output = verify(audited)
    assert first == 1, output

    status, _, output = verify(audited)

    assert status == 1, output
    assert "tail cut" in output


def test_work_on_a_cut_log_is_refused_and_the_cut_stays_caught(audited: Bench) -> None:
    # NOTE: the log fails closed: new work on a cut log is refused instead of being signed
    # as the new head, so the cut cannot be papered over.
    _cut_tail(audited, 5)
    submitted = audited.run("submit", str(CLEAN), "--duplicate-ok", user=CLERK)
    assert submitted.returncode == 2, submitted.stderr
    assert "no longer matches the checkpoint" in submitted.stderr

    status, _, output = verify(audited)

    assert status == 1, output
    assert "tail cut" in output


def _sha256_chain(prev: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + audit.canonical(event)).hexdigest()


def _wrong_key_chain(prev: str, event: AuditEvent) -> str:
    return audit.event_hash(b"\x00" * 32, prev, event)


@pytest.mark.parametrize("rehash", [_sha256_chain, _wrong_key_chain], ids=["sha256", "wrong-hmac"])
def test_a_rewritten_and_rehashed_chain_is_caught(audited: Bench, rehash) -> None:
    """Edit one row, then recompute prev_hash/hash of every row (all links look right)."""
    target = seq_of(audited, "dispose", reason=DISMISS_REASON)
    with attacker(audited) as s:
        prev = audit.GENESIS
        for event in s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all():
            if event.seq == target:
                event.reason = "误报"
            event.prev_hash = prev
            event.hash = rehash(prev, event)
            prev = event.hash
            s.add(event)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert fails[0].startswith("FAIL event 1 "), output
    assert "edited or forged" in fails[0]


@pytest.mark.parametrize("part", ["head_hash", "signature", "own-key"])
def test_a_forged_checkpoint_is_caught(audited: Bench, part: str) -> None:
    seq = max(checkpoint_seqs(audited))
    with attacker(audited) as s:
        cp = s.get(AuditCheckpoint, seq)
        assert cp is not None
        if part == "head_hash":
            cp.head_hash = hashlib.sha256(b"another head").hexdigest()
        elif part == "signature":
            raw = bytearray(base64.b64decode(cp.signature))
            raw[0] ^= 0x01
            cp.signature = base64.b64encode(bytes(raw)).decode()
        else:  # re-signed with a key the attacker made
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            message = audit.checkpoint_message(cp.seq, cp.head_hash, cp.ts)
            cp.signature = base64.b64encode(Ed25519PrivateKey.generate().sign(message)).decode()
        s.add(cp)

    status, fails, output = verify(audited)

    assert status == 1, output
    assert any(f"checkpoint at event {seq}" in line for line in fails), output
    assert "bad signature" in output or "forged" in output


def test_a_forged_line_in_the_checkpoint_file_is_caught(audited: Bench) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    last = events(audited)[-1]
    ts = datetime.now(UTC)
    signature = Ed25519PrivateKey.generate().sign(audit.checkpoint_message(last.seq, last.hash, ts))
    line = {"seq": last.seq, "head_hash": last.hash, "ts": ts.isoformat(),
            "signature": base64.b64encode(signature).decode()}  # fmt: skip
    with (audited.home / "audit-checkpoints.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")

    status, _, output = verify(audited)

    assert status == 1, output
    assert "bad signature" in output or "forged" in output


# -- the database refuses changes -----------------------------------------------------------------
@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize("statement", ["UPDATE", "DELETE", "DELETE ALL", "TRUNCATE"])
def test_the_database_refuses_changes_to_audit_rows(
    audited: Bench, history: History, table: str, statement: str
) -> None:
    if statement == "TRUNCATE" and history.backend == "sqlite":
        pytest.skip("SQLite has no TRUNCATE (DELETE ALL is its equivalent)")
    column = "reason" if table == "audit_event" else "head_hash"
    sql = {
        "UPDATE": f"UPDATE {table} SET {column} = 'x' WHERE seq = 1",
        "DELETE": f"DELETE FROM {table} WHERE seq = 1",
        "DELETE ALL": f"DELETE FROM {table}",
        "TRUNCATE": f"TRUNCATE {table}",
    }[statement]
    before = len(events(audited)), len(checkpoint_seqs(audited))
    engine = store.make_engine(audited.url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()

    assert (len(events(audited)), len(checkpoint_seqs(audited))) == before
    assert verify(audited)[0] == 0


# -- export ---------------------------------------------------------------------------------------
def test_csv_export_has_the_bom_the_header_and_chinese_intact(
    audited: Bench, tmp_path: Path
) -> None:
    out = tmp_path / "审计记录.csv"
    manifest = export(audited, out)

    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(out)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert set(EXPORT_HEADER) <= set(header), header
    assert len(rows) == manifest["events"]
    in_db = [e for e in events(audited) if e.seq <= manifest["head_seq"]]
    assert [int(r["seq"]) for r in rows] == [e.seq for e in in_db]
    actors = {r["actor"] for r in rows}
    assert {CLERK, REVIEWER, PUBLISHER} <= actors, actors
    assert any(r["reason"] == DISMISS_REASON for r in rows)
    assert any("不予公开" in r["details"] for r in rows)
    assert all(json.loads(r["details"]) is not None for r in rows)
    assert [r["hash"] for r in rows] == [e.hash for e in in_db]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_verifies_alone_with_the_public_key(
    audited: Bench, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"audit.{fmt}"
    manifest = export(audited, out, "--format", fmt)
    if fmt == "jsonl":
        rows = jsonl_rows(out)
        assert len(rows) == manifest["events"]
        assert {CLERK, REVIEWER, PUBLISHER} <= {r["actor"] for r in rows}
        assert set(EXPORT_HEADER) <= set(rows[0])

    result = verify_file(audited, out)

    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith("OK")
    assert f"{manifest['events']} events" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_with_one_byte_changed_fails(audited: Bench, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"audit.{fmt}"
    export(audited, out, "--format", fmt)
    data = bytearray(out.read_bytes())
    where = data.index(DISMISS_REASON.encode())  # a reviewer's reason, in the middle
    data[where + 1] ^= 0x01
    out.write_bytes(bytes(data))

    result = verify_file(audited, out)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "does not match the signed digest" in result.stdout


@pytest.mark.parametrize("edit", ["events", "filters", "digest-of-edited-file"])
def test_an_export_with_an_edited_manifest_fails(audited: Bench, tmp_path: Path, edit: str) -> None:
    out = tmp_path / "audit.csv"
    export(audited, out)
    sig = out.with_name(out.name + ".sig.json")
    manifest = json.loads(sig.read_text(encoding="utf-8"))
    if edit == "events":
        manifest["events"] -= 1
    elif edit == "filters":
        manifest["filters"]["document"] = 1
    else:  # drop the last event from the file and put the new digest in the manifest
        data = out.read_bytes()
        data = data[: data.rstrip(b"\r\n").rfind(b"\r\n") + 2]
        out.write_bytes(data)
        manifest["sha256"] = hashlib.sha256(data).hexdigest()
    sig.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    result = verify_file(audited, out)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "signature does not verify" in result.stdout


def test_an_export_fails_with_another_public_key(audited: Bench, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out = tmp_path / "audit.csv"
    export(audited, out)
    other = tmp_path / "other.pub"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    result = verify_file(audited, out, other)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "signature does not verify" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_of_one_document_holds_only_its_events(
    audited: Bench, history: History, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"doc.{fmt}"
    manifest = export(audited, out, "--document", history.personal, "--format", fmt)

    rows = csv_rows(out) if fmt == "csv" else jsonl_rows(out)
    want = [e.seq for e in events(audited) if e.document_id == int(history.personal)]
    assert [int(r["seq"]) for r in rows] == want
    assert {str(r["document_id"]) for r in rows} == {history.personal}
    assert manifest["events"] == len(want)
    assert manifest["filters"]["document"] == int(history.personal)
    actions = [r["action"] for r in rows]
    assert actions[0] == "submit"
    assert {"dispose", "reveal", "approve", "attribute", "withhold", "refused"} <= set(actions)
    assert "publish" not in actions  # that was the other document
    assert verify_file(audited, out).returncode == 0


def test_export_from_to_filters_by_time(audited: Bench, tmp_path: Path) -> None:
    """--from is inclusive, --to exclusive; full ISO times with an offset."""
    split = next(e for e in events(audited) if e.action == "approve")
    boundary = split.ts.astimezone(UTC).isoformat()

    after = tmp_path / "after.csv"
    before = tmp_path / "before.csv"
    export(audited, after, "--from", boundary)
    export(audited, before, "--to", boundary)

    seqs_after = [int(r["seq"]) for r in csv_rows(after)]
    seqs_before = [int(r["seq"]) for r in csv_rows(before)]
    assert seqs_after[0] == split.seq
    assert seqs_before[-1] == split.seq - 1
    assert seqs_before == list(range(1, split.seq))
    assert set(seqs_before).isdisjoint(seqs_after)
    assert verify_file(audited, after).returncode == 0


def test_export_from_to_accepts_plain_dates(audited: Bench, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    yesterday, tomorrow = (
        (today - timedelta(days=1)).isoformat(),
        (today + timedelta(days=1)).isoformat(),
    )

    everything = tmp_path / "all.csv"
    nothing = tmp_path / "none.csv"
    manifest = export(audited, everything, "--from", yesterday, "--to", tomorrow)
    empty = export(audited, nothing, "--from", tomorrow)

    assert manifest["events"] == len(csv_rows(everything)) > 0
    assert empty["events"] == 0
    assert csv_rows(nothing) == []


def _failing_target(tmp_path: Path) -> tuple[Path, Path, set[str]]:
    """An --out whose write must fail; the folder to watch and what it held before."""
    if os.geteuid() != 0:
        parent = tmp_path / "read-only"
        parent.mkdir()
        parent.chmod(0o500)
        return parent / "audit.csv", parent, set()
    # root ignores permissions: --out names an existing directory
    target = tmp_path / "exports" / "audit.csv"
    target.mkdir(parents=True)
    return target, target.parent, {"audit.csv"}


def test_a_failed_export_leaves_no_file_behind(audited: Bench, tmp_path: Path) -> None:
    out, watched, before = _failing_target(tmp_path)
    exports_before = [e.action for e in events(audited)].count("audit_export")
    try:
        result = audited.run("audit", "export", "--out", str(out), user=INSPECTOR)
        after = {p.name for p in watched.iterdir()}
    finally:
        watched.chmod(0o700)

    assert result.returncode != 0, result.stdout
    assert after == before, after
    if out.is_dir():
        assert list(out.iterdir()) == []
    assert [e.action for e in events(audited)].count("audit_export") == exports_before


def test_an_export_into_a_missing_folder_leaves_no_file_behind(
    audited: Bench, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "audit.csv"

    result = audited.run("audit", "export", "--out", str(out), user=INSPECTOR)

    assert result.returncode != 0
    assert not out.parent.exists()
    left = [p.name for p in tmp_path.rglob("*") if "partial" in p.name or ".csv" in p.name]
    assert left == []


@pytest.mark.parametrize("case", ["unwritable", "missing-folder"])
def test_a_failed_export_exits_2_with_one_error_line(
    audited: Bench, tmp_path: Path, case: str
) -> None:
    if case == "unwritable":
        out, watched, _ = _failing_target(tmp_path)
    else:
        out, watched = tmp_path / "missing" / "audit.csv", tmp_path
    try:
        result = audited.run("audit", "export", "--out", str(out), user=INSPECTOR)
    finally:
        watched.chmod(0o700)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("review-flow: error:")


# -- no personal data in the log ------------------------------------------------------------------
def _rows_as_text(bench: Bench, table: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(where, text) for every column of every row of a table, JSON rendered as text."""
    engine = create_engine(bench.url)
    out = []
    try:
        with engine.connect() as conn:
            result = conn.execute(text(f"SELECT * FROM {table}"))
            for row in result.mappings():
                for name, value in row.items():
                    if name in skip or value is None:
                        continue
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    elif isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    out.append((f"{table}.{name} (row {dict(row).get('seq', row.get('id'))})",
                                str(value)))  # fmt: skip
    finally:
        engine.dispose()
    return out


def test_no_event_holds_a_planted_id_or_mobile_number(
    audited: Bench, history: History, tmp_path: Path
) -> None:
    # one more unmasked look, then everything the log and its exports hold
    audited.ok("findings", history.personal, "--reveal", user=REVIEWER)
    revealed = audited.json("findings", history.personal, "--reveal", user=REVIEWER)
    assert any(f["value"] in history.planted["ID number"] for f in revealed), (
        "reveal showed no raw ID"
    )
    csv_out, jsonl_out = tmp_path / "audit.csv", tmp_path / "audit.jsonl"
    export(audited, csv_out)
    export(audited, jsonl_out, "--format", "jsonl")

    cells = _rows_as_text(audited, "audit_event")
    assert any("reveal" in v for _, v in cells)
    found = [f"{where}: {hit}" for where, value in cells for hit in leaks(value, history.planted)]
    for path in (csv_out, jsonl_out, audited.home / "audit-checkpoints.jsonl"):
        found += [
            f"{path.name}: {hit}" for hit in leaks(path.read_text("utf-8-sig"), history.planted)
        ]

    assert found == []


def test_no_table_but_the_stored_file_holds_a_planted_number(
    audited: Bench, history: History
) -> None:
    """Findings, dispositions and version summaries keep masked values only."""
    found = []
    for table in ("finding", "disposition", "document"):
        found += [f"{w}: {hit}" for w, v in _rows_as_text(audited, table)
                  for hit in leaks(v, history.planted)]  # fmt: skip
    found += [f"{w}: {hit}" for w, v in _rows_as_text(audited, "version", skip=("content",))
              for hit in leaks(v, history.planted)]  # fmt: skip

    assert found == []


# -- audit show -----------------------------------------------------------------------------------
def test_audit_show_lists_the_history_of_one_document(audited: Bench, history: History) -> None:
    result = audited.run("audit", "show", history.personal, user=INSPECTOR)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    want = [e for e in events(audited) if e.document_id == int(history.personal)]
    assert [int(line.split()[0]) for line in lines] == [e.seq for e in want]
    text_ = result.stdout
    assert re.search(rf"{CLERK} \(clerk, [^)]*\) submit ∅ → drafted", text_), text_
    assert re.search(rf"{REVIEWER} \(reviewer, [^)]*\) approve drafted → secrecy_checked", text_)
    assert re.search(rf"{PUBLISHER} \(publisher, [^)]*\) attribute secrecy_checked → attribute_set"
                     r" — 个人隐私", text_)  # fmt: skip
    assert re.search(rf"{PUBLISHER} \(publisher, [^)]*\) withhold attribute_set → withheld", text_)
    assert re.search(rf"{REVIEWER} .* refused — a reason is required", text_), text_
    assert f"— {DISMISS_REASON}" in text_
    assert "publish attribute_set → published" not in text_  # the other document's


def test_audit_show_of_the_other_document_ends_published(audited: Bench, history: History) -> None:
    out = audited.ok("audit", "show", history.clean, user=INSPECTOR)

    assert re.search(rf"{PUBLISHER} \(publisher, [^)]*\) publish attribute_set → published", out)
    assert re.search(rf"{CLERK} .* refused — {CLERK} may not approve", out), out
    assert "withheld" not in out


@pytest.mark.parametrize("command", [("audit", "verify"), ("audit", "export", "--out", "x.csv")])
def test_a_clerk_may_not_use_the_inspector_commands(
    audited: Bench, tmp_path: Path, command: tuple[str, ...]
) -> None:
    args = [a if a != "x.csv" else str(tmp_path / "x.csv") for a in command]
    result = audited.run(*args, user=CLERK)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "needs role" in result.stderr
    assert not (tmp_path / "x.csv").exists()
    # verification writes nothing, not even its refusal; an export's refusal is recorded
    assert (events(audited)[-1].action == "refused") is (command[1] == "export")
    assert verify(audited)[0] == 0


# -- PostgreSQL in a Chinese time zone -------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="REVIEW_FLOW_TEST_DATABASE_URL is not set")
def test_verify_passes_on_postgres_in_the_china_time_zone(tmp_path: Path) -> None:
    databases = new_database("postgres", tmp_path)
    url = next(databases) + "%20-ctimezone%3DAsia/Shanghai"
    try:
        bench = make_bench(url, tmp_path / "keys")
        bench.ok("submit", str(CLEAN), user=CLERK)

        status, _, output = verify(bench)

        assert status == 0, output
    finally:
        databases.close()


def test_canonical_hash_is_a_keyed_hmac(history: History) -> None:
    """Sanity for the tamper cases above: the stored hash is HMAC-SHA256 under audit.key."""
    key = bytes.fromhex((history.home / "audit.key").read_text().strip())
    bench = Bench(history.url, history.home)
    first, second = events(bench)[:2]

    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    want = hmac.new(key, first.prev_hash.encode() + b"\n" + audit.canonical(first), hashlib.sha256)
    assert first.hash == want.hexdigest()
