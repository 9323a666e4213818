"""Delivery to the OA filing system against a real HTTP receiver, on SQLite and PostgreSQL.

The receiver (tests/oa_receiver.py) listens on 127.0.0.1, records every request, stores each
message once per idempotency key and misbehaves on cue: HTTP 500, a timeout, a dropped
connection, a lost acknowledgement. `review-flow push` runs as the real CLI against it.

One demo database per backend is shared by the tests of this module (building a bench costs six
CLI runs). Every `push` delivers whatever is due in the whole outbox, so each test leaves no
message pending (the `oa` fixture parks leftovers of a failed test as dead). Documents that only
need to *be* published are inserted at 公开属性 set and published through `App.publish` (the
real guard, catalogue record and outbox); submit/approve/attribute/publish go through the CLI in
the first test, and every push, --status and --retry does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from review_flow import audit, oa, store
from review_flow.errors import Refused
from review_flow.extract.limits import Limits
from review_flow.identity import Role
from review_flow.scan.rules import default_rules_dir
from review_flow.store import AuditEvent, Catalogue, Document, OutboxMessage, Version
from review_flow.usecases import Act, App, Pusher, Settings, outbox
from review_flow.workflow import Attribute
from tests.conftest import SAMPLES
from tests.dbkit import BACKENDS, Bench, module_bench
from tests.oa_receiver import OaReceiver

CLEAN = SAMPLES / "01_clean_notice.docx"
PLAN = SAMPLES / "05_work_plan.pdf"
SECRET = SAMPLES / "02_secret_header.docx"
PARTY = SAMPLES / "04_party_committee.docx"
PUBLISHER = "王公开"
TOKEN = "oa-test-token-7f3a"  # sent as a header only: never in output or the audit log

# Fast retries: failed messages are due again by the time the next CLI process has started.
PUSH_ENV = {
    "REVIEW_FLOW_OA_TIMEOUT": "1",
    "REVIEW_FLOW_PUSH_BACKOFF": "0.01",
    "REVIEW_FLOW_PUSH_MAX_ATTEMPTS": "8",
    "REVIEW_FLOW_OA_TOKEN": "",
    "REVIEW_FLOW_OA_DIR": "",
}


# -- the shared database and in-process access to it --------------------------------------------
@dataclass
class Kit:
    bench: Bench
    engine: Engine
    keys: audit.Keys
    _apps: dict[str, App] = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return "sqlite" if store.is_sqlite(self.engine) else "postgres"

    def svc(self, user: str) -> App:
        if user not in self._apps:
            self._apps[user] = App(
                Settings(
                    engine=self.engine,
                    keys=self.keys,
                    rules_dirs=(str(default_rules_dir()),),
                    limits=Limits(),
                    requested_user=user,
                )
            )
        return self._apps[user]

    # -- documents ---------------------------------------------------------------------------
    def submit(self, sample: Path) -> int:
        return self.svc("张拟稿").submit(sample, duplicate_ok=True).document.id

    def review(self, doc_id: int, decision: str = "dismissed") -> None:
        """Decide every block/warn finding, then approve (李审查)."""
        reviewer = self.svc("李审查")
        ids = [f.id for f in reviewer.findings(doc_id) if f.severity in ("block", "warn")]
        if ids:
            reviewer.dispose(doc_id, ids, decision, "" if decision == "confirmed" else "公开信息")
        reviewer.approve(doc_id)

    def publish_real(self, sample: Path) -> int:
        """Submit (scanned), approve, 主动公开 and publish, in-process through App."""
        doc = self.submit(sample)
        self.review(doc)
        self.svc(PUBLISHER).set_attribute(doc, "主动公开")
        self.svc(PUBLISHER).publish(doc)
        return doc

    def staged(self, data: bytes, file_name: str, state: str = "attribute_set") -> int:
        """A document as if submitted by 张拟稿, approved and set 主动公开 (no scan), with the
        audit events that explain its rows (the events are the authority)."""
        chain = audit.AuditLog(self.keys)
        with store.transaction(self.engine) as session:
            doc = Document(
                title=f"关于测试推送的通知（{uuid.uuid4().hex[:6]}）",
                state=state,
                clerk="张拟稿",
                reviewed_version=1,
                attribute=str(Attribute.PUBLIC),
                doc_number="测〔2024〕1号",
                issuer="上海市宝山区审计局",
                doc_date="2024年3月15日",
            )
            session.add(doc)
            session.flush()
            assert doc.id is not None
            session.add(
                Version(
                    document_id=doc.id,
                    number=1,
                    file_name=file_name,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    content=data,
                    submitted_by="张拟稿",
                    verdict="clear",
                    summary={},
                )
            )
            explain(session, chain, doc.id, data, "attribute_set")
            chain.checkpoint(session)
        chain.mirror()
        return doc.id

    def published(self, count: int, sample: Path = CLEAN) -> list[int]:
        """`count` documents published through App.publish (guard, record, outbox)."""
        data = sample.read_bytes()
        docs = [self.staged(data, sample.name) for _ in range(count)]
        for doc in docs:
            self.svc(PUBLISHER).publish(doc)
        return docs

    # -- reading the database ----------------------------------------------------------------
    def doc(self, doc_id: int) -> Document:
        with Session(self.engine) as session:
            found = session.get(Document, doc_id)
            assert found is not None
            return found

    def version(self, doc_id: int) -> Version:
        with Session(self.engine) as session:
            doc = session.get(Document, doc_id)
            assert doc is not None
            return session.exec(
                select(Version).where(
                    Version.document_id == doc_id, Version.number == doc.current_version
                )
            ).one()

    def catalogue(self, doc_id: int) -> Catalogue | None:
        with Session(self.engine) as session:
            return session.get(Catalogue, doc_id)

    def messages(self, doc_ids: list[int] | None = None) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if doc_ids is not None:
            stmt = stmt.where(col(OutboxMessage.document_id).in_(doc_ids))
        with Session(self.engine) as session:
            return list(session.exec(stmt).all())

    def message(self, doc_id: int) -> OutboxMessage:
        (found,) = self.messages([doc_id])
        return found

    def head(self) -> int:
        with Session(self.engine) as session:
            seq = session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc())).first()
            return seq or 0

    def events(self, action: str, after: int = 0) -> list[AuditEvent]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.seq > after, AuditEvent.action == action)
                    .order_by(col(AuditEvent.seq))
                ).all()
            )

    def verify(self) -> audit.Verification:
        with Session(self.engine) as session:
            return audit.verify(session, self.keys)

    # -- the outbox --------------------------------------------------------------------------
    def push(self, *args: str, url: str | None = None, **env: str) -> subprocess.CompletedProcess:
        extra = {**PUSH_ENV, "REVIEW_FLOW_OA_URL": url or "", **env}
        return self.bench.run("push", *args, user=PUBLISHER, **extra)

    def pusher(self, target: oa.Target) -> Pusher:
        return Pusher(self.svc(PUBLISHER), target, backoff_base=0.0)

    def park_pending(self) -> None:
        """Mark messages left pending as dead, so one test's leftovers never reach the next."""
        with store.transaction(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "pending")
                .values(status="dead", last_error="parked by tests/test_oa.py")
            )


@pytest.fixture(scope="module", params=BACKENDS)
def bench(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from module_bench(request, tmp_path_factory, "oa")


@pytest.fixture(scope="module")
def kit(bench: Bench) -> Iterator[Kit]:
    engine = store.make_engine(bench.url)
    try:
        yield Kit(bench, engine, audit.load_keys(bench.home))
    finally:
        engine.dispose()


@pytest.fixture
def oa_kit(kit: Kit) -> Iterator[Kit]:
    """The shared kit with an empty queue before and after the test."""
    kit.park_pending()
    yield kit
    kit.park_pending()


@pytest.fixture
def receiver() -> Iterator[OaReceiver]:
    with OaReceiver() as running:
        yield running


# -- assertions --------------------------------------------------------------------------------
def lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def assert_clean_exit(result: subprocess.CompletedProcess, code: int) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


def assert_refused(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert_clean_exit(result, 1)
    assert result.stderr.startswith("review-flow: error: refused: "), result.stderr
    assert fragment in result.stderr, (fragment, result.stderr)


def pushed_lines(result: subprocess.CompletedProcess) -> dict[int, str]:
    """`message ID (document D): delivered|failed: …` lines by message id."""
    out = {}
    for line in lines(result):
        found = re.match(r"message (\d+) \(document (\d+)\): (delivered|failed): ", line)
        assert found, line
        out[int(found[1])] = found[3]
    return out


def assert_arrived_intact(kit: Kit, receiver: OaReceiver, doc_id: int) -> None:
    """Stored once under the message's key, byte-identical to the version, with its record."""
    message = kit.message(doc_id)
    version = kit.version(doc_id)
    catalogue = kit.catalogue(doc_id)
    assert catalogue is not None
    assert message.idempotency_key == oa.idempotency_key(catalogue.index_no, version.sha256)
    got = receiver.stored[message.idempotency_key]
    assert got.key == got.body["idempotency_key"] == message.idempotency_key  # type: ignore[index]
    assert got.path == "/oa/filing"
    assert got.content is not None
    digest = hashlib.sha256(got.content).hexdigest()
    assert digest == version.sha256 == got.record["sha256"] == catalogue.record["sha256"]
    assert got.content == version.content
    assert got.record == catalogue.record
    assert got.record["文件大小"] == len(got.content) == version.size
    assert got.body["file_name"] == version.file_name == got.record["文件名"]  # type: ignore[index]


# -- 1. scripted failures, then everything arrives once ------------------------------------------
def test_every_published_document_arrives_once_and_intact_through_failures(
    oa_kit: Kit, receiver: OaReceiver
) -> None:
    kit = oa_kit
    before = kit.head()
    # One document through the command line, the others through the same App in-process.
    cli_doc = kit.bench.ok("submit", str(CLEAN), "--duplicate-ok", user="张拟稿").strip()
    kit.bench.ok("approve", cli_doc, user="李审查")
    kit.bench.ok("attribute", cli_doc, "public", user=PUBLISHER)
    kit.bench.ok("publish", cli_doc, user=PUBLISHER)
    docs = [int(cli_doc), kit.publish_real(PLAN), *kit.published(1, CLEAN), *kit.published(1, PLAN)]
    assert [kit.doc(d).state for d in docs] == ["published"] * 4
    messages = [kit.message(d) for d in docs]
    keys = [m.idempotency_key for m in messages]
    assert [m.status for m in messages] == ["pending"] * 4

    # Pass 1: every request fails differently; 'slow' and 'ack-lost' are stored all the same.
    receiver.script("500", "drop", "slow", "ack-lost")
    first = kit.push(url=receiver.url)
    assert_clean_exit(first, 1)
    assert set(pushed_lines(first).values()) == {"failed"}
    assert [kit.doc(d).state for d in docs] == ["published"] * 4
    # Pass 2: the 2nd message fails again; the 3rd and 4th are sent again under the same key.
    receiver.script("ok", "500", "ok", "ok")
    second = kit.push(url=receiver.url)
    assert_clean_exit(second, 1)
    ids = [m.id for m in messages]
    assert pushed_lines(second) == {
        ids[0]: "delivered",
        ids[1]: "failed",
        ids[2]: "delivered",
        ids[3]: "delivered",
    }
    third = kit.push(url=receiver.url)
    assert_clean_exit(third, 0)
    assert pushed_lines(third) == {ids[1]: "delivered"}

    receiver.wait_for(lambda r: r.scripted == 0 and len(r.requests) == 9)
    assert receiver.wire_keys() == Counter({keys[0]: 2, keys[1]: 3, keys[2]: 2, keys[3]: 2})
    assert set(receiver.stored) == set(keys)
    assert sorted(receiver.duplicates) == sorted([keys[2], keys[3]])
    for doc in docs:
        assert_arrived_intact(kit, receiver, doc)
        assert kit.doc(doc).state == "pushed_to_oa"
        assert kit.message(doc).status == "delivered"

    failed = Counter(e.details["key"] for e in kit.events("push_failed", before))
    assert failed == Counter({keys[0]: 1, keys[1]: 2, keys[2]: 1, keys[3]: 1})
    delivered = kit.events("push_delivered", before)
    assert Counter(e.details["key"] for e in delivered) == Counter(keys)
    assert all(e.to_state == "pushed_to_oa" and e.actor == PUBLISHER for e in delivered)
    assert {e.details["attempt"] for e in delivered if e.details["key"] == keys[1]} == {3}
    assert "OK" in kit.bench.ok("audit", "verify", user="赵检查")


# -- 2. dead after the last attempt, then --retry --------------------------------------------------
def test_a_message_is_dead_after_max_attempts_and_retry_requeues_it(oa_kit: Kit) -> None:
    kit = oa_kit
    (doc,) = kit.published(1)
    message = kit.message(doc)
    before = kit.head()
    with OaReceiver(default="500") as receiver:
        for attempt in (1, 2, 3):
            result = kit.push(url=receiver.url, REVIEW_FLOW_PUSH_MAX_ATTEMPTS="3")
            assert_clean_exit(result, 1)
            assert pushed_lines(result) == {message.id: "failed"}
            assert kit.message(doc).attempts == attempt
        assert kit.message(doc).status == "dead"
        assert kit.doc(doc).state == "published"
        failures = kit.events("push_failed", before)
        assert [e.details["dead"] for e in failures] == [False, False, True]
        assert all(e.reason == "OA answered HTTP 500" for e in failures)

        status = kit.push("--status")
        assert_clean_exit(status, 0)
        row = rf"^\s*{message.id} doc\s+{doc} \S+ dead attempts 3 OA answered HTTP 500$"
        assert any(re.match(row, line) for line in lines(status)), status.stdout
        # A dead message is not tried again by a plain pass.
        assert kit.pusher(oa.HttpTarget(receiver.url, timeout=1)).run_once() == []
        assert len(receiver.requests) == 3

        retry = kit.push("--retry", str(message.id))
        assert_clean_exit(retry, 0)
        assert f"message {message.id} queued again" in retry.stdout
        again = kit.message(doc)
        assert (again.status, again.attempts) == ("pending", 0)
        assert [e.details["message"] for e in kit.events("push_retry", before)] == [message.id]

        receiver.default = "ok"
        result = kit.push(url=receiver.url, REVIEW_FLOW_PUSH_MAX_ATTEMPTS="3")
        assert_clean_exit(result, 0)
        assert pushed_lines(result) == {message.id: "delivered"}
        assert_arrived_intact(kit, receiver, doc)
    assert kit.doc(doc).state == "pushed_to_oa"
    assert kit.message(doc).status == "delivered"
    refused = kit.push("--retry", str(message.id))
    assert_refused(refused, f"message {message.id} was delivered already")


# -- 3. the drop folder -------------------------------------------------------------------------
def test_the_drop_folder_gets_the_file_and_its_record(oa_kit: Kit, tmp_path: Path) -> None:
    kit = oa_kit
    doc = kit.publish_real(CLEAN)
    catalogue = kit.catalogue(doc)
    assert catalogue is not None
    drop = tmp_path / "oa-drop"
    before = kit.head()
    result = kit.push(REVIEW_FLOW_OA_DIR=str(drop))
    assert_clean_exit(result, 0)
    assert pushed_lines(result) == {kit.message(doc).id: "delivered"}

    stem = re.sub(r"[^\w.-]+", "_", catalogue.index_no)
    assert "/" in catalogue.index_no
    assert "/" not in stem
    assert sorted(os.listdir(drop)) == sorted([f"{stem}.docx", f"{stem}.json"])  # no .partial
    data = (drop / f"{stem}.docx").read_bytes()
    assert data == CLEAN.read_bytes()
    record = json.loads((drop / f"{stem}.json").read_text(encoding="utf-8"))
    version = kit.version(doc)
    fields = "索引号 标题 发文字号 发文机关 发布机构 成文日期 发布日期 公开属性 公开方式 公开范围"
    for name in [*fields.split(), "主题分类", "sha256", "文件名", "文件大小"]:
        assert record.get(name) not in (None, ""), (name, record)
    assert record["索引号"] == catalogue.index_no
    assert record["sha256"] == hashlib.sha256(data).hexdigest() == version.sha256
    assert record["文件名"] == CLEAN.name
    assert record["文件大小"] == len(data)
    assert record["file"] == f"{stem}.docx"
    assert record["idempotency_key"] == kit.message(doc).idempotency_key
    assert (record["公开属性"], record["公开方式"], record["公开范围"]) == (
        "主动公开",
        "政府网站",
        "面向社会",
    )
    assert record["主题分类"] in oa.DEFAULT_TOPICS
    assert record["发文字号"] == kit.doc(doc).doc_number
    assert kit.doc(doc).state == "pushed_to_oa"

    stamps = {p.name: p.stat().st_mtime_ns for p in drop.iterdir()}
    again = kit.push(REVIEW_FLOW_OA_DIR=str(drop))
    assert_clean_exit(again, 0)
    assert lines(again) == []
    assert {p.name: p.stat().st_mtime_ns for p in drop.iterdir()} == stamps
    assert len(kit.events("push_delivered", before)) == 1


# -- 4. secret, party and withheld documents never reach the outbox ------------------------------
def test_secret_party_and_withheld_documents_never_enter_the_outbox(
    oa_kit: Kit, receiver: OaReceiver
) -> None:
    kit = oa_kit
    secret, party, withheld = kit.submit(SECRET), kit.submit(PARTY), kit.submit(CLEAN)
    kit.review(secret, "confirmed")
    kit.review(party, "confirmed")
    kit.review(withheld)
    run = kit.bench.run

    assert_refused(run("attribute", str(secret), "public", user=PUBLISHER), "主动公开 refused")
    with pytest.raises(Refused, match="cannot publish a document in state secrecy_checked"):
        kit.svc(PUBLISHER).publish(secret)
    with pytest.raises(Refused, match="never pushed: state_secret, work_secret"):
        kit.svc(PUBLISHER).set_attribute(secret, "依申请公开")
    kit.bench.ok("attribute", str(secret), "不予公开", "--reason", "国家秘密", user=PUBLISHER)
    assert_refused(run("publish", str(secret), user=PUBLISHER), "only 主动公开 documents")
    kit.bench.ok("withhold", str(secret), user=PUBLISHER)

    assert_refused(
        run("attribute", str(party), "public", user=PUBLISHER),
        "主动公开 refused: confirmed party_document finding",
    )
    with pytest.raises(Refused, match="never pushed: party_document"):
        kit.svc(PUBLISHER).set_attribute(party, "依申请公开")
    kit.svc(PUBLISHER).set_attribute(party, "不予公开", "党委公文")
    kit.svc(PUBLISHER).withhold(party)

    kit.svc(PUBLISHER).set_attribute(withheld, "不予公开", "国家秘密")
    with pytest.raises(Refused, match="only 主动公开 documents are published"):
        kit.svc(PUBLISHER).publish(withheld)
    kit.svc(PUBLISHER).withhold(withheld)

    # The use case itself refuses, whatever a caller passes.
    def enqueue(doc_id: int, attribute: Attribute, confirmed: tuple[str, ...]) -> None:
        def body(act: Act) -> None:
            doc = store.lock_document(act.session, doc_id)
            version = act.session.exec(
                select(Version).where(Version.document_id == doc_id, Version.number == 1)
            ).one()
            outbox.enqueue(act, doc, version, attribute, confirmed)

        kit.svc(PUBLISHER).run("publish", (Role.PUBLISHER,), body, doc_id)

    for attribute, confirmed in (
        (Attribute.WITHHELD, ()),
        (Attribute.PUBLIC, ("state_secret",)),
        (Attribute.ON_REQUEST, ("state_secret",)),
        (Attribute.PUBLIC, ("party_document",)),
        (Attribute.PUBLIC, ("work_secret", "personal_data")),
    ):
        with pytest.raises(Refused, match="not put in the OA outbox"):
            enqueue(withheld, attribute, confirmed)
    with pytest.raises(Refused, match="never pushed: state_secret, work_secret"):
        enqueue(secret, Attribute.PUBLIC, ("state_secret", "work_secret"))

    result = kit.push(url=receiver.url)
    assert_clean_exit(result, 0)
    assert lines(result) == []
    docs = [secret, party, withheld]
    assert [kit.doc(d).state for d in docs] == ["withheld"] * 3
    assert kit.messages(docs) == []
    assert [kit.catalogue(d) for d in docs] == [None] * 3
    assert receiver.requests == []


# -- 5. 依申请公开 is filed too --------------------------------------------------------------------
def test_an_on_request_document_is_queued_by_its_attribute_and_delivered(
    oa_kit: Kit, receiver: OaReceiver
) -> None:
    kit = oa_kit
    doc = kit.submit(PLAN)
    kit.review(doc)
    assert kit.messages([doc]) == []
    kit.bench.ok("attribute", str(doc), "依申请公开", user=PUBLISHER)
    assert kit.doc(doc).state == "attribute_set"
    message = kit.message(doc)
    assert message.status == "pending"

    result = kit.push(url=receiver.url)
    assert_clean_exit(result, 0)
    assert pushed_lines(result) == {message.id: "delivered"}
    assert_arrived_intact(kit, receiver, doc)
    record = receiver.stored[message.idempotency_key].record
    assert (record["公开属性"], record["公开方式"], record["公开范围"]) == (
        "依申请公开",
        "依申请提供",
        "申请人",
    )
    assert kit.doc(doc).state == "pushed_to_oa"
    assert kit.doc(doc).attribute == "依申请公开"


# -- 6. bearer token and TLS -----------------------------------------------------------------------
def test_http_target_verifies_tls_and_takes_its_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = oa.HttpTarget("https://oa.example.gov.cn/filing", TOKEN, 5)
    assert target._context.verify_mode == ssl.CERT_REQUIRED
    assert target._context.check_hostname is True
    monkeypatch.setenv("REVIEW_FLOW_OA_URL", "https://oa.example.gov.cn/filing")
    monkeypatch.setenv("REVIEW_FLOW_OA_TOKEN", TOKEN)
    monkeypatch.setenv("REVIEW_FLOW_OA_TIMEOUT", "7.5")
    from_env = oa.target_from_env(tmp_path)
    assert isinstance(from_env, oa.HttpTarget)
    assert (from_env.token, from_env.timeout) == (TOKEN, 7.5)
    assert from_env._context.verify_mode == ssl.CERT_REQUIRED
    assert TOKEN not in from_env.name
    monkeypatch.delenv("REVIEW_FLOW_OA_URL")
    monkeypatch.setenv("REVIEW_FLOW_OA_DIR", str(tmp_path / "drop"))
    assert oa.target_from_env(tmp_path).name == f"dir:{tmp_path / 'drop'}"


def test_the_bearer_token_is_sent_and_https_to_a_plain_server_fails_cleanly(
    oa_kit: Kit, receiver: OaReceiver
) -> None:
    kit = oa_kit
    docs = kit.published(2)
    ids = [kit.message(d).id for d in docs]
    before = kit.head()
    https = receiver.url.replace("http://", "https://")
    failed = kit.push(url=https, REVIEW_FLOW_OA_TOKEN=TOKEN)
    assert_clean_exit(failed, 1)
    assert pushed_lines(failed) == dict.fromkeys(ids, "failed")
    assert "OA unreachable" in failed.stdout
    assert receiver.requests == []  # the TLS hello is not an HTTP request
    failures = kit.events("push_failed", before)
    assert len(failures) == 2
    assert all(e.details["target"] == f"http:{https}" for e in failures)
    assert [kit.doc(d).state for d in docs] == ["published"] * 2

    result = kit.push(url=receiver.url, REVIEW_FLOW_OA_TOKEN=TOKEN)
    assert_clean_exit(result, 0)
    assert pushed_lines(result) == dict.fromkeys(ids, "delivered")
    assert [r.authorization for r in receiver.requests] == [f"Bearer {TOKEN}"] * 2
    for doc in docs:
        assert_arrived_intact(kit, receiver, doc)
    events = kit.events("push_failed", before) + kit.events("push_delivered", before)
    assert not any(TOKEN in json.dumps(e.details, ensure_ascii=False) for e in events)
    assert TOKEN not in failed.stdout + failed.stderr + result.stdout + result.stderr


# -- 7. a worker killed mid-delivery loses nothing and files nothing twice ------------------------
def test_a_worker_killed_after_the_receiver_stored_a_message_loses_nothing(oa_kit: Kit) -> None:
    kit = oa_kit
    docs = kit.published(4, PLAN)
    keys = [kit.message(d).idempotency_key for d in docs]
    before = kit.head()
    with OaReceiver(duplicate_status=409) as receiver:
        receiver.script("ok", "ok", "ack-lost-hang")
        env = kit.bench.environ(
            **{**PUSH_ENV, "REVIEW_FLOW_OA_URL": receiver.url, "REVIEW_FLOW_OA_TIMEOUT": "60"}
        )
        argv = [sys.executable, "-m", "review_flow", "--as", PUBLISHER, "push", "--once"]
        worker = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            receiver.wait_for(lambda r: len(r.stored) == 3, timeout=60)
            time.sleep(0.2)  # blocked waiting for the answer that never comes
            assert worker.poll() is None
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL

        killed = time.monotonic()
        states = [(m.status, m.claimed_until is not None) for m in kit.messages(docs)]
        # claimed one at a time: only the message in flight is leased to the dead worker
        assert states == [("delivered", False)] * 2 + [("pending", True), ("pending", False)]
        assert [kit.doc(d).state for d in docs] == ["pushed_to_oa"] * 2 + ["published"] * 2
        # The unstarted message goes at once; the one in flight waits for its lease.
        (taken,) = kit.pusher(oa.HttpTarget(receiver.url, timeout=5)).run_once()
        recovery = time.monotonic() - killed
        assert taken.delivered
        assert taken.document == docs[3]
        assert recovery < 10, f"unstarted message recovered {recovery:.1f} s after kill -9"
        print(f"unstarted message delivered {recovery:.2f} s after kill -9")  # the figure
        with store.transaction(kit.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "pending")
                .values(claimed_until=datetime.now(UTC) - timedelta(minutes=1))
            )
        result = kit.push(url=receiver.url)
        assert_clean_exit(result, 0)
        assert sorted(pushed_lines(result).values()) == ["delivered"]
        assert "HTTP 409 (already received)" in result.stdout

        assert set(receiver.stored) == set(keys)
        assert receiver.wire_keys() == Counter({keys[0]: 1, keys[1]: 1, keys[2]: 2, keys[3]: 1})
        assert receiver.duplicates == [keys[2]]
    for doc in docs:
        assert_arrived_intact(kit, receiver, doc)
        assert kit.doc(doc).state == "pushed_to_oa"
        assert kit.message(doc).status == "delivered"
    delivered = kit.events("push_delivered", before)
    assert Counter(e.details["key"] for e in delivered) == Counter(keys)
    assert kit.verify().ok, kit.verify().problems


# -- 8. two workers, 200 messages, no duplicate sends ----------------------------------------------
WORKER = """
import json, os, sys, time
from pathlib import Path
from review_flow import audit, oa, store
from review_flow.extract.limits import Limits
from review_flow.scan.rules import default_rules_dir
from review_flow.usecases import App, Pusher, Settings

url, home, target, gate, ready = sys.argv[1:6]
services = App(Settings(engine=store.make_engine(url), keys=audit.load_keys(Path(home)),
                             rules_dirs=(str(default_rules_dir()),), limits=Limits(),
                             requested_user="王公开"))
pusher = Pusher(services, oa.HttpTarget(target, timeout=20), 0.01)
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.002)
done = []
while True:
    results = pusher.run_once(int(os.environ.get("BATCH", "5")))
    if not results:
        break
    done += [(r.message, r.delivered) for r in results]
print(json.dumps(done))
"""

BULK = 200
STAGED = (  # the events of a document submitted, approved, set 主动公开 and published
    ("张拟稿", "clerk", "submit", None, "drafted"),
    ("李审查", "reviewer", "approve", "drafted", "secrecy_checked"),
    ("王公开", "publisher", "attribute", "secrecy_checked", "attribute_set"),
    ("王公开", "publisher", "publish", "attribute_set", "published"),
)


def explain(session: Session, chain: audit.AuditLog, doc: int, data: bytes, upto: str) -> None:
    """Append the audit events that explain a staged document's rows, up to state `upto`."""
    sha256 = hashlib.sha256(data).hexdigest()
    for actor, role, action, before, after in STAGED:
        details = {"size": len(data), "attribute": str(Attribute.PUBLIC)}
        chain.append(session, actor=actor, role=role, identity="demo-override", action=action,
                     document_id=doc, version=1, sha256=sha256, from_state=before,
                     to_state=after, details=details)  # fmt: skip
        if after == upto:
            return


def insert_published(kit: Kit, count: int) -> list[int]:
    """`count` published documents with their records and pending messages, in one go."""
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    chain = audit.AuditLog(kit.keys)
    with store.transaction(kit.engine) as session:
        docs = []
        for i in range(count):
            data = f"第{i}号 {tag} 测试文件\n".encode() * 50
            sha = hashlib.sha256(data).hexdigest()
            doc = Document(title=f"批量{i}", state="published", clerk="张拟稿",
                           reviewed_version=1, attribute=str(Attribute.PUBLIC))  # fmt: skip
            session.add(doc)
            session.flush()
            assert doc.id is not None
            index_no = f"BULK{tag}/{now.year}-{i:05d}"
            record = oa.catalogue_record(
                index_no=index_no, title=doc.title, doc_number=None, issuer=None,
                publisher="测试局", doc_date=None, published_at=now,
                attribute=str(Attribute.PUBLIC), topic=oa.DEFAULT_TOPICS[0], sha256=sha,
                file_name=f"{i}.txt", size=len(data),
            )  # fmt: skip
            session.add(Version(document_id=doc.id, number=1, file_name=f"{i}.txt", sha256=sha,
                                size=len(data), content=data, submitted_by="张拟稿",
                                verdict="clear", summary={}))  # fmt: skip
            session.add(Catalogue(document_id=doc.id, index_no=index_no, record=record))
            key = oa.idempotency_key(index_no, sha)
            session.add(
                OutboxMessage(document_id=doc.id, version=1, status="pending", idempotency_key=key)
            )
            explain(session, chain, doc.id, data, "published")
            docs.append(doc.id)
        chain.checkpoint(session)
    chain.mirror()
    return docs


def test_two_concurrent_workers_deliver_200_messages_without_a_duplicate_send(
    oa_kit: Kit, receiver: OaReceiver, tmp_path: Path
) -> None:
    kit = oa_kit
    docs = insert_published(kit, BULK)
    keys = {m.idempotency_key for m in kit.messages(docs)}
    before = kit.head()
    gate = tmp_path / "go"
    argv = [kit.bench.url, str(kit.bench.home), receiver.url, str(gate)]
    workers, ready = [], []
    for n in range(2):
        ready.append(tmp_path / f"ready-{n}")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, *argv, str(ready[-1])],
                env={**os.environ, "BATCH": "5"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all(p.exists() for p in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.touch()
    outcomes = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outcomes.append(json.loads(out))

    sent = [message for outcome in outcomes for message, _ in outcome]
    assert all(ok for outcome in outcomes for _, ok in outcome)
    assert len(sent) == len(set(sent)) == BULK
    wire = receiver.wire_keys()
    assert len(receiver.requests) == BULK
    assert set(wire) == keys
    assert max(wire.values()) == 1
    assert receiver.duplicates == []
    assert {m.status for m in kit.messages(docs)} == {"delivered"}
    assert all(m.attempts == 1 for m in kit.messages(docs))
    with Session(kit.engine) as session:
        states = session.exec(select(Document.state).where(col(Document.id).in_(docs))).all()
    assert set(states) == {"pushed_to_oa"}
    delivered = kit.events("push_delivered", before)
    assert len(delivered) == BULK
    assert {e.details["key"] for e in delivered} == keys
    for doc in docs[:: BULK // 10]:
        assert_arrived_intact(kit, receiver, doc)
    assert kit.verify().ok, kit.verify().problems


# -- bugs found while writing these tests (fixed since) ------------------------------
def test_a_reply_that_is_not_http_is_a_recorded_push_failure(
    oa_kit: Kit, receiver: OaReceiver
) -> None:
    kit = oa_kit
    (doc,) = kit.published(1)
    before = kit.head()
    receiver.script("garbage")
    results = kit.pusher(oa.HttpTarget(receiver.url, timeout=2)).run_once()
    assert [r.delivered for r in results] == [False]
    assert [e.document_id for e in kit.events("push_failed", before)] == [doc]
    assert kit.message(doc).status == "pending"
    assert kit.message(doc).claimed_until is None


def test_a_redirect_is_not_an_acknowledgement(oa_kit: Kit, receiver: OaReceiver) -> None:
    kit = oa_kit
    (doc,) = kit.published(1)
    receiver.script("redirect")
    results = kit.pusher(oa.HttpTarget(receiver.url, timeout=2)).run_once()
    assert receiver.stored == {}
    kit.park_pending()  # whichever way it went, nothing is left for the next test
    assert [r.delivered for r in results] == [False], results
    assert kit.doc(doc).state == "published"
