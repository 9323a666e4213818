"""Benchmark: workflow reads at 10,000 documents, submit throughput, audit verification.

(a) `list` and `show` as in-process use case calls (the whole use case: transaction, identity,
    role check, queries, checkpoint) on a database holding 10,000 documents, each with one version,
    two findings and a `submit` event appended through AuditLog (a valid chain); median of 10 runs
    after one warm-up, on SQLite and on PostgreSQL (a fresh schema; skipped when unreachable).
(b) App.submit of samples/01_clean_notice.docx, 50 times, documents per second (each submit
    scans the stored bytes in the sandbox, as the CLI does).
(c) audit.verify of 1,000,000 chained events (SQLite): the events are generated in a child
    process (HMAC chain computed in Python, bulk insert, one signed checkpoint per 2 events as
    in real use, where every transaction signs one), then verified in a fresh child process so
    the peak RSS is that of verification alone. Peak RSS is VmHWM from /proc/self/status; NOTE:
    ru_maxrss is printed too but survives execve on Linux, so it can include the parent's peak.
    Memory is "bounded" when the peak at 1M events is within 16 MiB of the peak at 100k events.

Run alone: `python bench/workflow.py [--docs N] [--events N] [--no-postgres]`; bench/run.py
calls main(). Prints a table; a figure under its target is marked BELOW TARGET; exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from measure import ROOT, Row, print_table  # noqa: E402

SAMPLE = ROOT / "samples" / "01_clean_notice.docx"
MIB = 1024 * 1024
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
READ_TARGET_MS = 200.0
RUNS = 10
SUBMITS = 50
SMALL_EVENTS = 100_000  # the memory reference point for (c)
GENERATION_BUDGET_S = 120.0
MEMORY_SLACK_KIB = 16 * 1024
CHECKPOINT_EVERY = 2


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_self_kib() -> int:
    """This process image's peak RSS in KiB (VmHWM)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """(median, max) in milliseconds of `runs` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


# -- databases -----------------------------------------------------------------------------------
def pg_url() -> str:
    return (
        os.environ.get("REVIEW_FLOW_BENCH_PG_URL")
        or os.environ.get("REVIEW_FLOW_TEST_DATABASE_URL")
        or PG_DEFAULT
    )


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh schema dropped afterwards."""
    sys.path.insert(0, str(ROOT))
    from tests.dbkit import new_database

    urls = new_database(backend, folder, pg_url(), prefix="bench_")
    try:
        yield next(urls)
    finally:
        urls.close()


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(pg_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any driver or network failure means "skip"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
    return None


def services_for(url: str, keys_dir: Path, user: str) -> Any:
    from review_flow import audit, store
    from review_flow.extract.limits import Limits
    from review_flow.scan.rules import default_rules_dir
    from review_flow.usecases import App, Settings

    return App(
        Settings(
            engine=store.make_engine(url),
            keys=audit.load_keys(keys_dir),
            rules_dirs=(str(default_rules_dir()),),
            limits=Limits(),
            requested_user=user,
        )
    )


def set_up(url: str, keys_dir: Path) -> None:
    """Schema, keys, the demo users (as `review-flow init --demo` and `users add` do)."""
    from review_flow import store
    from review_flow.identity import Role
    from review_flow.usecases import initialize

    engine = store.make_engine(url)
    initialize(engine, keys_dir, "admin", demo=True)
    engine.dispose()
    admin = services_for(url, keys_dir, "admin")
    for name, role in (
        ("张拟稿", Role.CLERK),
        ("李审查", Role.REVIEWER),
        ("王公开", Role.PUBLISHER),
        ("赵检查", Role.INSPECTOR),
    ):
        admin.add_user(name, [role])
    admin.settings.engine.dispose()


def fill(url: str, keys_dir: Path, n_docs: int, batch: int = 500) -> None:
    """n_docs documents, one small version and two masked findings each, and one `submit`
    event per document appended with AuditLog (valid chain, one checkpoint per batch)."""
    from sqlalchemy import insert, text
    from sqlmodel import select

    from review_flow import audit, store
    from review_flow.store import Document, FindingRow, Version

    engine = store.make_engine(url)
    keys = audit.load_keys(keys_dir)
    with store.transaction(engine) as session:
        first = (session.exec(select(Document.id).order_by(Document.id.desc())).first() or 0) + 1
    now = datetime.now(UTC)
    for lo in range(first, first + n_docs, batch):
        ids = range(lo, min(lo + batch, first + n_docs))
        log = audit.AuditLog(keys)
        with store.transaction(engine) as session:
            docs, versions, findings = [], [], []
            for i in ids:
                content = f"关于第{i}号工作安排的通知\n各单位：请按时报送材料。\n".encode()
                digest = hashlib.sha256(content).hexdigest()
                docs.append(
                    {"id": i, "title": f"关于第{i}号工作安排的通知", "state": "drafted",
                     "clerk": "张拟稿", "current_version": 1, "row_version": 1,
                     "doc_number": f"沪府办〔2024〕{i}号", "issuer": "上海市人民政府办公厅",
                     "created_at": now, "updated_at": now}
                )  # fmt: skip
                versions.append(
                    {"id": i, "document_id": i, "number": 1, "file_name": f"{i}.txt",
                     "sha256": digest, "size": len(content), "content": content,
                     "submitted_by": "张拟稿", "submitted_at": now, "verdict": "review",
                     "summary": {"warn": 1, "info": 1}}
                )  # fmt: skip
                for k, (rule, kind, value) in enumerate(
                    (("personal_data.mobile", "mobile", "138****5678"),
                     ("personal_data.landline", "landline", "021-****1234"))
                ):  # fmt: skip
                    findings.append(
                        {"id": 2 * i + k, "document_id": i, "version_id": i, "rule": rule,
                         "category": "personal_data", "kind": kind,
                         "severity": "warn" if k == 0 else "info", "start": 10 + 20 * k,
                         "end": 21 + 20 * k, "location": "body", "page": None,
                         "excerpt": f"联系电话：{value}", "value": value,
                         "message": "personal data", "fingerprint": digest}
                    )  # fmt: skip
            session.execute(insert(Document.__table__), docs)
            session.execute(insert(Version.__table__), versions)
            session.execute(insert(FindingRow.__table__), findings)
            for row in versions:
                log.append(
                    session,
                    actor="张拟稿",
                    role="clerk",
                    identity="demo-override",
                    action="submit",
                    document_id=row["document_id"],
                    version=1,
                    sha256=row["sha256"],
                    from_state=None,
                    to_state="drafted",
                    details={"file": row["file_name"], "size": row["size"], "verdict": "review",
                             "findings": {"warn": 1, "info": 1}, "unreadable_pages": []},
                )  # fmt: skip
            log.checkpoint(session)
        log.mirror()
    if not store.is_sqlite(engine):  # explicit ids: move the sequences past them
        with engine.begin() as conn:
            for table in ("document", "version", "finding"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
    engine.dispose()


def workflow(backend: str, n_docs: int, rows: list[Row]) -> None:
    """(a) list/show at n_docs documents, (b) submit throughput, on one backend."""
    from review_flow import audit, store

    with (
        tempfile.TemporaryDirectory(prefix="rf-bench-") as tmp,
        database(backend, Path(tmp)) as url,
    ):
        keys_dir = Path(tmp) / "keys"
        say(f"{backend}: setting up {n_docs:,} documents ...")
        start = time.perf_counter()
        set_up(url, keys_dir)
        fill(url, keys_dir, n_docs)
        say(f"{backend}: filled in {time.perf_counter() - start:.1f} s")

        reader = services_for(url, keys_dir, "李审查")
        assert reader.document_count() == n_docs
        listed = reader.list_documents(limit=50)
        assert len(listed) == 50, len(listed)
        middle = n_docs // 2
        shown = reader.show(middle)
        assert shown.document.id == middle, shown
        assert len(shown.history) == 1, shown

        for name, fn in (
            (f"list (App.list_documents(limit=50)), {n_docs:,} docs",
             lambda: reader.list_documents(limit=50)),
            (f"show (App.show({middle})), {n_docs:,} docs", lambda: reader.show(middle)),
        ):  # fmt: skip
            med, worst = median_ms(fn)
            rows.append(
                Row(
                    f"{backend}: {name}",
                    f"{med:.1f} ms median (max {worst:.1f})",
                    f"<{READ_TARGET_MS:.0f} ms",
                    med < READ_TARGET_MS,
                )
            )

        clerk = services_for(url, keys_dir, "张拟稿")
        clerk.submit(SAMPLE)  # warm-up: imports, rules, first sandbox
        say(f"{backend}: {SUBMITS} submits ...")
        start = time.perf_counter()
        for _ in range(SUBMITS):
            clerk.submit(SAMPLE)
        seconds = time.perf_counter() - start
        rows.append(
            Row(
                f"{backend}: submit 01_clean_notice.docx ×{SUBMITS} (scan in sandbox)",
                f"{SUBMITS / seconds:.1f} docs/s ({seconds / SUBMITS * 1000:.0f} ms each)",
            )
        )

        with store.transaction(reader.settings.engine) as session:
            check = audit.verify(session, reader.settings.keys)
        if not check.ok:
            rows.append(
                Row(f"{backend}: the benchmark's own audit chain", "INVALID", "valid", False)
            )
        reader.settings.engine.dispose()
        clerk.settings.engine.dispose()


# -- (c) audit verification of many events ----------------------------------------------------
class _Event:
    """What audit.canonical / audit.event_hash read: attributes named like AuditEvent's."""

    __slots__ = (
        "action", "actor", "details", "document_id", "from_state", "identity", "reason", "role",
        "seq", "sha256", "to_state", "ts", "version",
    )  # fmt: skip

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)


ACTS = (
    ("张拟稿", "clerk", "submit", None, "drafted", None),
    ("李审查", "reviewer", "dispose", None, None, "办公电话，公开联系方式"),
    ("李审查", "reviewer", "approve", "drafted", "secrecy_checked", None),
    ("王公开", "publisher", "attribute", "secrecy_checked", "attribute_set", None),
    ("王公开", "publisher", "publish", "attribute_set", "published", None),
)


def generate(db_path: str, keys_dir: str, n: int) -> dict[str, Any]:
    """A database with n valid chained events (event 1 is `init`) and their checkpoints."""
    from sqlalchemy import insert
    from sqlmodel import select

    from review_flow import audit, store
    from review_flow.store import AuditCheckpoint, AuditEvent
    from review_flow.usecases import initialize

    start = time.perf_counter()
    engine = store.make_engine(f"sqlite:///{db_path}")
    initialize(engine, Path(keys_dir), "admin", demo=True)  # event 1 and its checkpoint
    keys = audit.load_keys(Path(keys_dir))
    with store.transaction(engine) as session:
        head = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert head is not None
        assert head.seq == 1
        prev, base = head.hash, head.ts.replace(tzinfo=UTC) if head.ts.tzinfo is None else head.ts
    sign = keys.signing_key.sign
    chunk = 20_000
    last_cp: dict[str, Any] = {}
    for lo in range(2, n + 1, chunk):
        events, checkpoints = [], []
        for seq in range(lo, min(lo + chunk, n + 1)):
            actor, role, action, before, after, reason = ACTS[seq % len(ACTS)]
            doc = seq // len(ACTS) + 1
            fields = {
                "seq": seq, "ts": base + timedelta(milliseconds=seq), "actor": actor,
                "role": role, "identity": "demo-override", "action": action,
                "document_id": doc, "version": 1,
                "sha256": hashlib.sha256(str(doc).encode()).hexdigest(),
                "from_state": before, "to_state": after, "reason": reason,
                "details": {"finding": seq, "rule": "personal_data.mobile"}
                if action == "dispose" else {"attribute": "主动公开"},
            }  # fmt: skip
            digest = audit.event_hash(keys.hmac_key, prev, _Event(**fields))
            events.append({**fields, "prev_hash": prev, "hash": digest})
            prev = digest
            if seq % CHECKPOINT_EVERY == 0 or seq == n:
                ts = fields["ts"]
                signature = b64encode(sign(audit.checkpoint_message(seq, digest, ts))).decode()
                last_cp = {"seq": seq, "head_hash": digest, "ts": ts, "signature": signature}
                checkpoints.append(last_cp)
        with store.transaction(engine) as session:
            session.execute(insert(AuditEvent.__table__), events)
            session.execute(insert(AuditCheckpoint.__table__), checkpoints)
    with keys.checkpoint_file.open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({**last_cp, "ts": last_cp["ts"].isoformat(timespec="microseconds")}) + "\n"
        )
    engine.dispose()
    return {"events": n, "seconds": time.perf_counter() - start}


def verify_child(db_path: str, keys_dir: str) -> dict[str, Any]:
    from sqlalchemy import text

    from review_flow import audit, store

    engine = store.make_engine(f"sqlite:///{db_path}")
    keys = audit.load_keys(Path(keys_dir))
    with store.transaction(engine) as session:
        session.execute(text("SELECT 1"))
        baseline = peak_self_kib()
        start = time.perf_counter()
        result = audit.verify(session, keys)
        seconds = time.perf_counter() - start
    return {
        "ok": result.ok,
        "events": result.events,
        "checkpoints": result.checkpoints,
        "problems": list(result.problems[:3]),
        "seconds": seconds,
        "baseline_kib": baseline,
        "peak_kib": peak_self_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def verification(n_events: int, rows: list[Row]) -> None:
    with tempfile.TemporaryDirectory(prefix="rf-bench-audit-") as tmp:
        small_db, small_keys = f"{tmp}/small.db", f"{tmp}/small-keys"
        say(f"audit: generating {SMALL_EVENTS:,} events ...")
        small_gen = child("generate", small_db, small_keys, str(SMALL_EVENTS))
        per_event = small_gen["seconds"] / SMALL_EVENTS
        projected = per_event * n_events
        n_big, extrapolated = n_events, False
        if projected > GENERATION_BUDGET_S:
            n_big, extrapolated = 200_000, True
            say(f"audit: {n_events:,} would take ≈{projected:.0f} s to generate; using {n_big:,}")
        say(f"audit: generating {n_big:,} events (≈{per_event * n_big:.0f} s) ...")
        big_db, big_keys = f"{tmp}/big.db", f"{tmp}/big-keys"
        big_gen = child("generate", big_db, big_keys, str(n_big))
        say("audit: verifying (fresh processes) ...")
        small = child("verify", small_db, small_keys)
        big = child("verify", big_db, big_keys)
        size_mib = os.path.getsize(big_db) / MIB

    for label, result in ((f"{SMALL_EVENTS:,}", small), (f"{n_big:,}", big)):
        if not result["ok"] or result["events"] != (SMALL_EVENTS if result is small else n_big):
            rows.append(Row(f"audit verify {label}: chain", f"INVALID {result['problems']}",
                            "valid", False))  # fmt: skip
    rate = big["events"] / big["seconds"]
    rows.append(
        Row(
            f"generate {n_big:,} events + {big['checkpoints']:,} signed checkpoints (SQLite)",
            f"{big_gen['seconds']:.1f} s ({n_big / big_gen['seconds']:,.0f} events/s, "
            f"{size_mib:,.0f} MiB file)",
        )
    )
    rows.append(
        Row(
            f"audit.verify {n_big:,} events (SQLite), throughput",
            f"{rate:,.0f} events/s ({big['seconds']:.1f} s)",
        )
    )
    if extrapolated:
        rows.append(
            Row(
                f"audit.verify {n_events:,} events, EXTRAPOLATED from {n_big:,}",
                f"≈{n_events / rate:.0f} s (linear)",
            )
        )
    grown = big["peak_kib"] - small["peak_kib"]
    rows.append(
        Row(
            f"audit.verify peak RSS (VmHWM), {SMALL_EVENTS:,} → {n_big:,} events",
            f"{small['peak_kib'] / 1024:.0f} → {big['peak_kib'] / 1024:.0f} MiB "
            f"(after imports {big['baseline_kib'] / 1024:.0f}; ru_maxrss "
            f"{big['ru_maxrss_kib'] / 1024:.0f})",
            f"growth ≤{MEMORY_SLACK_KIB // 1024} MiB",
            grown <= MEMORY_SLACK_KIB,
        )
    )


# -- entry points ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> list[Row]:
    """Run the benchmark and print the table; `argv` None means the defaults."""
    parser = argparse.ArgumentParser(prog="bench/workflow.py", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents for list/show")
    parser.add_argument("--events", type=int, default=1_000_000, help="events to verify")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-audit", action="store_true", help="leave out (c)")
    args = parser.parse_args(argv or [])

    rows: list[Row] = [Row(f"# (a) reads at {args.docs:,} documents, (b) submit throughput", "")]
    backends = ["sqlite"]
    if args.no_postgres:
        rows.append(Row("postgres", "skipped (--no-postgres)"))
    elif (why := pg_reachable()) is not None:
        rows.append(Row("postgres", f"skipped: unreachable ({why})"))
    else:
        backends.append("postgres")
    for backend in backends:
        workflow(backend, args.docs, rows)
    if not args.skip_audit:
        rows.append(Row("# (c) audit verification in bounded memory (fresh process each)", ""))
        verification(args.events, rows)
    print_table(rows)
    return rows


def _child_main(args: list[str]) -> None:
    command, *rest = args
    if command == "generate":
        result = generate(rest[0], rest[1], int(rest[2]))
    elif command == "verify":
        result = verify_child(rest[0], rest[1])
    else:
        raise SystemExit(f"unknown child command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child_main(sys.argv[2:])
    else:
        main(sys.argv[1:])
