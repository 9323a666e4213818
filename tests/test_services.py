"""The use cases against a real database, on SQLite and (when configured) on PostgreSQL.

One demo database per backend is shared by the tests of this module (`bench` below overrides the
function-scoped fixture of conftest: building a bench costs six CLI runs). Each test submits its
own documents and only looks at those, or at audit events newer than the ones it found. Where the
command line adds nothing (exit codes and messages are checked on a few representative
commands), the tests call the use cases (`App`) in-process, built like `usecases.open_app()`
builds it.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from review_flow import audit, store
from review_flow.errors import AccessDenied, Refused, Tampered, TransitionRefused, UsageError
from review_flow.extract.limits import Limits
from review_flow.scan.rules import default_rules_dir
from review_flow.store import AuditEvent, Document, FindingRow, Version
from review_flow.usecases import App, FindingView, Settings
from tests.conftest import SAMPLES
from tests.dbkit import BACKENDS, Bench, module_bench
from tests.tampering import owner
from tests.variants import variant

CLEAN = SAMPLES / "01_clean_notice.docx"
SECRET = SAMPLES / "02_secret_header.docx"
PERSONAL = SAMPLES / "03_personal_data.docx"


@dataclass
class Kit:
    """The shared bench plus in-process access to the same database and keys."""

    bench: Bench
    backend: str
    engine: Engine
    keys: audit.Keys
    _apps: dict[str | None, App] = field(default_factory=dict)

    def svc(self, user: str | None) -> App:
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

    def submit(self, sample: Path, user: str = "张拟稿") -> int:
        # the shared database holds every earlier test's copy of the sample: not a mistake here
        return self.svc(user).submit(sample, duplicate_ok=True).document.id

    def doc(self, doc_id: int) -> Document:
        with Session(self.engine) as session:
            found = session.get(Document, doc_id)
            assert found is not None
            return found

    def findings(self, doc_id: int) -> list[FindingView]:
        return self.svc("李审查").findings(doc_id)

    def to_decide(self, doc_id: int) -> list[int]:
        return [f.id for f in self.findings(doc_id) if f.severity in ("block", "warn")]

    def head(self) -> int:
        with Session(self.engine) as session:
            return (
                session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc())).first()
                or 0
            )

    def events(self, after: int = 0, **where: Any) -> list[AuditEvent]:
        stmt = select(AuditEvent).where(AuditEvent.seq > after).order_by(col(AuditEvent.seq))
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, name) == value)
        with Session(self.engine) as session:
            return list(session.exec(stmt).all())

    def login(self) -> tuple[str, str]:
        """Who this process is without --as, and how review-flow establishes it."""
        return login_of(self.engine)


def login_of(engine: Engine) -> tuple[str, str]:
    if store.is_sqlite(engine):
        return pwd.getpwuid(os.getuid()).pw_name, "os-user"
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT session_user")).scalar_one()), "db-login"


@pytest.fixture(scope="module", params=BACKENDS)
def bench(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from module_bench(request, tmp_path_factory, "services")


@pytest.fixture(scope="module")
def kit(bench: Bench) -> Iterator[Kit]:
    engine = store.make_engine(bench.url)
    backend = "sqlite" if store.is_sqlite(engine) else "postgres"
    try:
        yield Kit(bench, backend, engine, audit.load_keys(bench.home))
    finally:
        engine.dispose()


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 1, one clear line on stderr, no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("review-flow: error: refused: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def only_refusal(kit: Kit, after: int, attempted: str, actor: str, doc: int | None) -> AuditEvent:
    refused = kit.events(after, action="refused")
    assert len(refused) == 1, [(e.actor, e.details) for e in refused]
    event = refused[0]
    assert event.details["attempted"] == attempted
    assert event.actor == actor
    assert event.document_id == doc
    assert kit.events(after, action=attempted) == [], "a refused action left its event behind"
    return event


# -- roles -----------------------------------------------------------------------------------------
ROLE_CASES = [
    ("张拟稿", "approve", "张拟稿 may not approve: needs role reviewer"),
    ("李审查", "submit", "李审查 may not submit: needs role clerk"),
    ("李审查", "publish", "李审查 may not publish: needs role publisher"),
    ("无名氏", "approve", "unknown user '无名氏' (demo-override): ask an admin"),
]


@pytest.mark.parametrize(("user", "action", "message"), ROLE_CASES, ids=[c[1] for c in ROLE_CASES])
def test_a_missing_role_or_unknown_user_is_refused_and_recorded(
    kit: Kit, user: str, action: str, message: str
) -> None:
    doc = kit.submit(CLEAN)
    before = kit.head()
    argv = ["submit", str(CLEAN), "--duplicate-ok"] if action == "submit" else [action, str(doc)]
    assert_refused(kit.bench.run(*argv, user=user), message)
    event = only_refusal(kit, before, action, user, None if action == "submit" else doc)
    assert message in (event.reason or "")
    assert kit.doc(doc).state == "drafted"


# -- the four-eyes rule ----------------------------------------------------------------------------
def test_the_submitter_may_neither_approve_nor_publish(kit: Kit) -> None:
    doc = kit.submit(CLEAN, "周全能")
    before = kit.head()
    assert_refused(
        kit.bench.run("approve", str(doc), user="周全能"),
        "four-eyes rule: 周全能 submitted this version",
    )
    only_refusal(kit, before, "approve", "周全能", doc)
    assert kit.doc(doc).state == "drafted"

    kit.svc("李审查").approve(doc)
    kit.svc("王公开").set_attribute(doc, "主动公开")
    before = kit.head()
    with pytest.raises(TransitionRefused, match="four-eyes rule: 周全能 submitted this version"):
        kit.svc("周全能").publish(doc)
    only_refusal(kit, before, "publish", "周全能", doc)
    assert kit.doc(doc).state == "attribute_set"
    assert kit.svc("王公开").publish(doc).state == "published"


def test_the_submitter_may_not_dispose_of_findings(kit: Kit) -> None:
    doc = kit.submit(PERSONAL, "周全能")
    finding = kit.to_decide(doc)[0]
    before = kit.head()
    with pytest.raises(AccessDenied, match="four-eyes rule: 周全能 submitted this version"):
        kit.svc("周全能").dispose(doc, [finding], "dismissed", "公开信息")
    only_refusal(kit, before, "dispose", "周全能", doc)
    assert all(f.disposition is None for f in kit.findings(doc))


# -- findings and their dispositions ---------------------------------------------------------------
def test_dismiss_without_a_reason_is_refused(kit: Kit) -> None:
    doc = kit.submit(PERSONAL)
    finding = kit.to_decide(doc)[0]
    number = next(f.number for f in kit.findings(doc) if f.id == finding)
    before = kit.head()
    assert_refused(
        kit.bench.run("dispose", str(doc), str(number), "--dismiss", user="李审查"),
        "a reason is required to dismiss a finding",
    )
    only_refusal(kit, before, "dispose", "李审查", doc)
    with pytest.raises(Refused, match="a reason is required"):
        kit.svc("李审查").dispose(doc, [finding], "dismissed", "   ")
    assert all(f.disposition is None for f in kit.findings(doc))


@pytest.mark.parametrize(
    ("sample", "refusal"),
    [
        (SECRET, "主动公开 refused: confirmed state_secret, work_secret finding"),
        (PERSONAL, "主动公开 refused: confirmed personal data is unredacted"),
    ],
    ids=["02_secret_header", "03_personal_data"],
)
def test_undisposed_findings_block_approval_and_confirmed_ones_block_publication(
    kit: Kit, sample: Path, refusal: str
) -> None:
    doc = kit.submit(sample)
    pending = kit.to_decide(doc)
    assert pending, "the sample has block/warn findings"
    reviewer = kit.svc("李审查")
    before = kit.head()
    with pytest.raises(TransitionRefused, match=rf"^{len(pending)} block/warn finding\(s\) have"):
        reviewer.approve(doc)
    only_refusal(kit, before, "approve", "李审查", doc)

    reviewer.dispose(doc, pending[:1], "confirmed", "")
    with pytest.raises(TransitionRefused, match=rf"^{len(pending) - 1} block/warn finding"):
        reviewer.approve(doc)
    reviewer.dispose(doc, pending[1:], "confirmed", "")
    assert reviewer.approve(doc).state == "secrecy_checked"

    before = kit.head()
    with pytest.raises(TransitionRefused, match=re.escape(refusal)):
        kit.svc("王公开").set_attribute(doc, "主动公开")
    only_refusal(kit, before, "attribute", "王公开", doc)
    assert kit.doc(doc).state == "secrecy_checked"
    assert kit.doc(doc).attribute is None


def test_withheld_with_a_listed_reason_reaches_withheld(kit: Kit) -> None:
    doc = kit.submit(SECRET)
    kit.svc("李审查").dispose(doc, kit.to_decide(doc), "confirmed", "")
    kit.svc("李审查").approve(doc)
    publisher = kit.svc("王公开")
    with pytest.raises(TransitionRefused, match="不予公开 needs a legal reason"):
        publisher.set_attribute(doc, "不予公开", "")
    with pytest.raises(TransitionRefused, match="不予公开 needs a legal reason"):
        publisher.set_attribute(doc, "withheld", "领导不同意")

    out = kit.bench.ok("attribute", str(doc), "不予公开", "--reason", "国家秘密", user="王公开")
    assert out.strip() == f"document {doc}: attribute_set (不予公开)"
    shown = kit.doc(doc)
    assert (shown.attribute, shown.attribute_reason) == ("不予公开", "国家秘密")
    with pytest.raises(TransitionRefused, match=r"only 主动公开 documents are published"):
        publisher.publish(doc)

    before = kit.head()
    assert publisher.withhold(doc).state == "withheld"
    (event,) = kit.events(before)
    assert (event.action, event.from_state, event.to_state) == (
        "withhold",
        "attribute_set",
        "withheld",
    )
    with pytest.raises(TransitionRefused, match="cannot publish a document in state withheld"):
        publisher.publish(doc)


def tamper(kit: Kit, doc: int, data: bytes = CLEAN.read_bytes() + b"\x00tampered") -> None:
    """Change the stored bytes of the document's versions behind review-flow's back (as the
    owner: the version table refuses an UPDATE by trigger). The module shares one database:
    each test puts the bytes back, so `audit verify` stays clean for the tests after it."""
    with owner(kit.engine, "version") as conn:
        changed = conn.execute(
            text("UPDATE version SET content = :c WHERE document_id = :d"), {"c": data, "d": doc}
        )
        assert changed.rowcount == 1


def test_publish_refused_when_the_stored_bytes_changed_after_review(kit: Kit) -> None:
    doc = kit.submit(CLEAN)
    kit.svc("李审查").approve(doc)
    kit.svc("王公开").set_attribute(doc, "public")
    with pytest.raises(TransitionRefused, match="only 不予公开 documents are withheld"):
        kit.svc("王公开").withhold(doc)
    tamper(kit, doc)
    before = kit.head()
    with pytest.raises(Tampered, match="changed outside review-flow"):
        kit.svc("王公开").publish(doc)
    only_refusal(kit, before, "publish", "王公开", doc)
    assert kit.doc(doc).state == "attribute_set"
    tamper(kit, doc, CLEAN.read_bytes())


def test_approve_refused_when_the_stored_bytes_changed_before_review(kit: Kit) -> None:
    doc = kit.submit(CLEAN)
    tamper(kit, doc)
    with pytest.raises(Tampered, match="changed outside review-flow") as refused:
        kit.svc("李审查").approve(doc)
    assert "(bytes swapped)" in refused.value.hint
    assert kit.doc(doc).state == "drafted"
    tamper(kit, doc, CLEAN.read_bytes())


# -- reject and revise -----------------------------------------------------------------------------
def test_reject_returns_and_revise_makes_a_new_scanned_version(kit: Kit) -> None:
    doc = kit.submit(PERSONAL)
    reviewer = kit.svc("李审查")
    reviewer.dispose(doc, kit.to_decide(doc)[:2], "confirmed", "")
    with pytest.raises(TransitionRefused, match="a reason is required"):
        reviewer.reject(doc, "  ")
    before = kit.head()
    assert reviewer.reject(doc, "公示名单含身份证号和手机号，请删除").state == "returned"
    (event,) = kit.events(before)
    assert (event.action, event.from_state, event.to_state) == ("reject", "drafted", "returned")
    assert event.reason == "公示名单含身份证号和手机号，请删除"
    with pytest.raises(TransitionRefused, match="cannot approve a document in state returned"):
        reviewer.approve(doc)

    before = kit.head()
    revised = kit.svc("张拟稿").revise(doc, CLEAN)
    document, report, matches = revised.document, revised.report, revised.matches
    assert (document.state, document.current_version) == ("drafted", 2)
    assert matches == []
    (event,) = kit.events(before)
    assert (event.action, event.version, event.from_state) == ("revise", 2, "returned")
    assert event.details["verdict"] == str(report.verdict) == "clear"

    with Session(kit.engine) as session:
        versions = session.exec(
            select(Version).where(Version.document_id == doc).order_by(col(Version.number))
        ).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].sha256 != versions[1].sha256
        assert (versions[0].verdict, versions[1].verdict) == ("review", "clear")
        v2_rows = session.exec(select(FindingRow).where(FindingRow.version_id == versions[1].id))
        v2_ids = {r.id for r in v2_rows.all()}
    current = kit.findings(doc)
    assert {f.id for f in current} == v2_ids, "findings shown are the new scan's"
    assert all(f.disposition is None for f in current), "the old review is void"
    assert reviewer.approve(doc).state == "secrecy_checked"
    assert kit.doc(doc).reviewed_version == 2


def test_revise_of_the_same_file_offers_to_carry_over_exactly_the_dismissals(
    kit: Kit, tmp_path: Path
) -> None:
    doc = kit.submit(PERSONAL)
    v1 = kit.findings(doc)
    dismissed = [v1[0].id, v1[3].id, v1[-1].id]
    confirmed = [v1[1].id]
    kit.svc("李审查").dispose(doc, dismissed, "dismissed", "公示需要，已经本人同意")
    kit.svc("李审查").dispose(doc, confirmed, "confirmed", "")

    out = kit.bench.ok("revise", str(doc), str(variant(PERSONAL, tmp_path)), user="张拟稿")
    v2 = kit.findings(doc)
    assert len(v2) == len(v1)
    by_place = {(f.rule, f.start, f.end): f.id for f in v1}
    earlier = {f.id: by_place[(f.rule, f.start, f.end)] for f in v2}
    expected = sorted(new for new, old in earlier.items() if old in dismissed)
    assert len(expected) == len(dismissed)
    assert f"{len(expected)} finding(s) match ones dismissed before: " in out
    reported = out.split("match ones dismissed before: ")[1].splitlines()[0]
    assert sorted(int(i) for i in reported.split()) == expected
    assert f"review-flow dispose {doc} --carry-over" in out

    before = kit.head()
    out = kit.bench.ok("dispose", str(doc), "--carry-over", user="李审查")
    assert out.strip() == f"{len(expected)} finding(s) decided"
    decided = {f.id: f for f in kit.findings(doc) if f.disposition}
    assert sorted(decided) == expected
    for new, row in decided.items():
        assert row.disposition == "dismissed"
        assert row.decided_by == "李审查"
        assert f"(finding {earlier[new]})" in row.reason
        assert "公示需要，已经本人同意" in row.reason
    carried = kit.events(before, action="dispose")
    assert sorted(e.details["finding"] for e in carried) == expected
    assert all(e.details.get("carried_over") is True for e in carried)
    # the confirmation of v1 is not carried: the finding waits for a decision again
    with pytest.raises(TransitionRefused, match="block/warn finding"):
        kit.svc("李审查").approve(doc)


def test_a_dismissal_overturned_by_a_confirmation_is_not_carried_over(
    kit: Kit, tmp_path: Path
) -> None:
    doc = kit.submit(PERSONAL)
    finding = kit.to_decide(doc)[0]
    reviewer = kit.svc("李审查")
    reviewer.dispose(doc, [finding], "dismissed", "看错了")
    reviewer.dispose(doc, [finding], "confirmed", "")
    assert [f.disposition for f in kit.findings(doc) if f.id == finding] == ["confirmed"]

    assert kit.svc("张拟稿").revise(doc, variant(PERSONAL, tmp_path)).matches == []
    assert reviewer.carry_over(doc) == []


# -- reading ---------------------------------------------------------------------------------------
def test_list_by_state_and_mine(kit: Kit) -> None:
    mine = kit.submit(CLEAN, "张拟稿")
    theirs = kit.submit(CLEAN, "周全能")
    kit.svc("李审查").approve(theirs)

    def ids(rows: list[dict[str, Any]]) -> set[int]:
        return {r["id"] for r in rows}

    drafted = kit.bench.json("list", "--state", "drafted", "--limit", "1000", user="赵检查")
    assert {r["state"] for r in drafted} == {"drafted"}
    assert mine in ids(drafted)
    assert theirs not in ids(drafted)
    checked = kit.svc("赵检查").list_documents(state="secrecy_checked", limit=1000)
    assert {d.state for d in checked} == {"secrecy_checked"}
    assert theirs in {d.id for d in checked}
    assert mine not in {d.id for d in checked}

    own = kit.bench.json("list", "--mine", "--limit", "1000", user="张拟稿")
    assert {r["clerk"] for r in own} == {"张拟稿"}
    assert mine in ids(own)
    assert theirs not in ids(own)
    assert {d.clerk for d in kit.svc("周全能").list_documents(mine=True, limit=1000)} == {"周全能"}
    with pytest.raises(UsageError, match="drafted"):
        kit.svc("周全能").list_documents(state="no-such-state")


def test_show_and_findings_json(kit: Kit) -> None:
    doc = kit.submit(PERSONAL)
    pending = kit.to_decide(doc)
    kit.svc("李审查").dispose(doc, pending[:1], "dismissed", "公示需要")

    shown = kit.bench.json("show", str(doc), user="赵检查")
    assert {"id", "state", "versions", "findings", "history"} <= set(shown)
    assert (shown["id"], shown["state"], shown["version"]) == (doc, "drafted", 1)
    (version,) = shown["versions"]
    assert {"number", "file_name", "sha256", "size", "verdict"} <= set(version)
    assert (version["number"], version["file_name"]) == (1, PERSONAL.name)
    assert len(shown["findings"]) == len(kit.findings(doc))
    for row in shown["findings"]:
        assert {"id", "category", "kind", "severity", "disposition"} <= set(row)
    decided = {r["id"]: r["disposition"] for r in shown["findings"]}
    assert decided[pending[0]] == "dismissed"
    assert decided[pending[1]] is None
    assert [e["action"] for e in shown["history"]] == ["submit", "dispose"]
    assert {"seq", "ts", "actor", "role", "action", "from_state", "to_state"} <= set(
        shown["history"][0]
    )

    rows = kit.bench.json("findings", str(doc), user="王公开")
    assert [r["id"] for r in rows] == [r["id"] for r in shown["findings"]]
    for row in rows:
        assert {"id", "rule", "category", "kind", "severity", "excerpt", "value"} <= set(row)
        assert {"disposition", "reason", "decided_by", "where", "start", "end"} <= set(row)


def test_show_of_a_missing_document_is_an_input_error(kit: Kit) -> None:
    result = kit.bench.run("show", "999999", user="赵检查")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "no document 999999" in result.stderr
    assert "Traceback" not in result.stderr


# -- identity --------------------------------------------------------------------------------------
def test_without_as_the_login_is_unknown_until_an_admin_adds_it(kit: Kit) -> None:
    login, source = kit.login()
    before = kit.head()
    assert_refused(kit.bench.run("users", "list"), f"unknown user {login!r} ({source})")
    event = only_refusal(kit, before, "users list", login, None)
    assert event.identity == source

    kit.bench.ok("users", "add", login, "--role", "inspector", user="admin")
    before = kit.head()
    assert "OK" in kit.bench.ok("audit", "verify")
    assert kit.head() == before, "verification wrote to the log"
    # every event of a name given with --as says so
    for event in kit.events(0, actor="张拟稿"):
        assert event.identity == "demo-override"


def test_production_database_refuses_as_and_uses_the_login(db_url: str, tmp_path: Path) -> None:
    bench = Bench(db_url, tmp_path / "keys")
    engine = store.make_engine(db_url)
    try:
        login, source = login_of(engine)
        bench.ok("init", "--admin", login)
        assert bench.ok("users", "add", "张拟稿", "--role", "clerk").strip() == "张拟稿: clerk"
        for result in (
            bench.run("users", "list", user=login),
            bench.run("users", "list", REVIEW_FLOW_USER=login),
        ):
            assert_refused(result, "--as / REVIEW_FLOW_USER work only in a demo database")
        again = bench.run("init", "--demo")
        assert again.returncode == 2
        assert "created in production mode" in again.stderr

        with Session(engine) as session:
            events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
            assert session.exec(select(Document)).all() == []
        assert [e.action for e in events] == ["init", "user_roles", "refused", "refused"]
        init, added, *refused = events
        assert (init.actor, init.identity, init.details["mode"]) == (login, source, "production")
        assert init.details["admin"] == login
        assert (added.actor, added.identity, added.role) == (login, source, "admin")
        assert [e.details["attempted"] for e in refused] == ["users list", "users list"]
        assert [e.actor for e in refused] == [login, login]
        for event in refused:
            assert "work only in a demo database" in (event.reason or "")
        assert "OK" in bench.ok("audit", "verify")
    finally:
        engine.dispose()


# -- schema ----------------------------------------------------------------------------------------
def test_schema_is_at_the_newest_migration_with_every_table(kit: Kit) -> None:
    scripts = ScriptDirectory(str(Path(store.__file__).parent / "migrations"))
    assert store.schema_revision(kit.engine) == scripts.get_current_head() == store.SCHEMA_HEAD
    tables = set(inspect(kit.engine).get_table_names())
    model_tables = {t.name for t in SQLModel.metadata.sorted_tables}
    assert model_tables <= tables, model_tables - tables
    assert tables - model_tables == {"alembic_version"}


# -- personal data: reveal, and never in the audit log ---------------------------------------------
@pytest.fixture(scope="module")
def planted() -> list[str]:
    """The raw ID-card, mobile and bank-card numbers in samples/03_personal_data.docx."""
    text_ = subprocess.run(
        [sys.executable, "-m", "review_flow", "extract", str(PERSONAL)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = re.findall(r"(?<![0-9A-Z])\d{17}[0-9X](?![0-9])", text_)
    mobiles = re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text_)
    cards = re.findall(r"(?<!\d)62\d{14,17}(?!\d)", text_)
    assert (len(ids), len(mobiles), len(cards)) == (4, 4, 3), (ids, mobiles, cards)
    return ids + mobiles + cards


def test_reveal_is_for_reviewers_only_and_recorded(kit: Kit, planted: list[str]) -> None:
    doc = kit.submit(PERSONAL)
    masked = kit.bench.ok("findings", str(doc), "--format", "json", user="李审查")
    assert not [v for v in planted if v in masked]

    before = kit.head()
    revealed = kit.bench.ok("findings", str(doc), "--reveal", "--format", "json", user="李审查")
    assert [v for v in planted if v not in revealed] == []
    (event,) = kit.events(before)
    assert (event.action, event.actor, event.role, event.document_id) == (
        "reveal",
        "李审查",
        "reviewer",
        doc,
    )
    assert sorted(event.details["findings"]) == sorted(f.id for f in kit.findings(doc))

    before = kit.head()
    assert_refused(
        kit.bench.run("findings", str(doc), "--reveal", user="王公开"),
        "王公开 may not findings --reveal: needs role reviewer or admin",
    )
    only_refusal(kit, before, "findings --reveal", "王公开", doc)
    for user in ("张拟稿", "赵检查"):
        with pytest.raises(AccessDenied):
            kit.svc(user).findings(doc, reveal=True)
    assert kit.events(before, action="reveal") == []

    # a full review of the document, so the log holds every kind of event about it
    reviewer = kit.svc("李审查")
    pending = kit.to_decide(doc)
    reviewer.dispose(doc, pending[:3], "dismissed", "公示需要")
    reviewer.dispose(doc, pending[3:], "confirmed", "")
    reviewer.approve(doc)
    with pytest.raises(TransitionRefused):
        kit.svc("王公开").set_attribute(doc, "主动公开")
    kit.svc("王公开").set_attribute(doc, "不予公开", "个人隐私")


def test_raw_personal_data_never_enters_the_database_log(kit: Kit, planted: list[str]) -> None:
    """Every column of every row; run after the other tests, it sees all of this module's events."""
    doc = kit.submit(PERSONAL)
    reviewer = kit.svc("李审查")
    reviewer.findings(doc, reveal=True)
    pending = kit.to_decide(doc)
    reviewer.dispose(doc, pending[:2], "dismissed", "公示需要")
    reviewer.reject(doc, "请删除身份证号")
    with kit.engine.connect() as conn:
        events = conn.execute(text("SELECT * FROM audit_event")).all()
        findings = conn.execute(text("SELECT * FROM finding")).all()
    assert any(e.action == "reveal" and e.document_id == doc for e in events)
    for table, rows in (("audit_event", events), ("finding", findings)):
        leaks = {
            (table, name, value)
            for row in rows
            for name, cell in row._mapping.items()
            for value in planted
            if value in str(cell)
        }
        assert not leaks, sorted(leaks)[:5]
    assert "OK" in kit.bench.ok("audit", "verify", user="赵检查")
