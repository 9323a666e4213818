"""Issue 12: every reproduction of the red-team run, on both backends, refused or detected.

An attacker here has direct database access: as a login with the grants (refused by triggers
and, on PostgreSQL, by the roles of `db grants`), or as the owner with the triggers off (then
review-flow refuses to act on the rows, and `audit verify` names them).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from review_flow import audit, oa, store
from review_flow.errors import AccessDenied, DatabaseFault, Tampered, TransitionRefused
from review_flow.extract.limits import Limits
from review_flow.identity import Role
from review_flow.scan.rules import default_rules_dir
from review_flow.store import AuditEvent, Document, OutboxMessage, grants
from review_flow.usecases import App, Pusher, Settings, initialize
from tests.conftest import SAMPLES
from tests.dbkit import BACKENDS, Bench, new_database
from tests.tampering import owner, run

CLEAN = SAMPLES / "01_clean_notice.docx"
OTHER = SAMPLES / "02_secret_header.docx"
USERS = (
    ("张拟稿", [Role.CLERK]),
    ("李审查", [Role.REVIEWER]),
    ("王公开", [Role.PUBLISHER]),
    ("赵检查", [Role.INSPECTOR]),
    ("周全能", [Role.CLERK, Role.REVIEWER, Role.PUBLISHER]),
)
CHANGED = "changed outside review-flow: run `audit verify`"


@dataclass
class World:
    """A fresh database with the five users, used in-process and through the CLI."""

    url: str
    home: Path
    engine: Engine
    apps: dict[tuple[str, Path], App] = field(default_factory=dict)

    def app(self, user: str, home: Path | None = None) -> App:
        folder = home or self.home
        if (user, folder) not in self.apps:
            self.apps[user, folder] = App(
                Settings(self.engine, audit.load_keys(folder), (str(default_rules_dir()),),
                         Limits(), requested_user=user)
            )  # fmt: skip
        return self.apps[user, folder]

    @property
    def bench(self) -> Bench:
        return Bench(self.url, self.home)

    def verify(self, home: Path | None = None, since: Path | None = None) -> list[str]:
        return list(self.app("赵检查", home).verify_audit(since).problems)

    def head(self) -> int:
        with Session(self.engine) as s:
            return s.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc())).first() or 0

    def events(self, after: int, action: str) -> list[AuditEvent]:
        with Session(self.engine) as s:
            stmt = select(AuditEvent).where(AuditEvent.seq > after, AuditEvent.action == action)
            return list(s.exec(stmt).all())

    def doc(self, doc_id: int) -> Document:
        with Session(self.engine) as s:
            found = s.get(Document, doc_id)
            assert found is not None
            return found

    def submitted(self, user: str = "张拟稿") -> int:
        return self.app(user).submit(CLEAN).document.id

    def approved(self, attribute: str | None = "public") -> int:
        doc = self.submitted()
        self.app("李审查").approve(doc)
        if attribute:
            self.app("王公开").set_attribute(doc, attribute)
        return doc


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    databases = new_database(request.param, tmp_path, prefix="tamper_")
    url = next(databases)
    engine = store.make_engine(url)
    try:
        initialize(engine, tmp_path / "keys", "admin", demo=True)
        w = World(url, tmp_path / "keys", engine)
        for name, roles in USERS:
            w.app("admin").add_user(name, roles)
        yield w
    finally:
        engine.dispose()
        databases.close()


def refused_with(w: World, after: int, attempted: str) -> str:
    (refusal,) = w.events(after, "refused")
    assert refusal.details["attempted"] == attempted  # issue 13 adds the roles held and required
    return refusal.reason or ""


# -- 1. self-approval through the grants ---------------------------------------------------------
def test_self_approval_by_update_is_refused_by_triggers_and_by_the_chain(world: World) -> None:
    doc = world.submitted()
    with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
        run(
            conn, "UPDATE user_account SET roles = 'clerk reviewer publisher' WHERE name = '张拟稿'"
        )
    with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
        run(conn, "UPDATE version SET submitted_by = '李审查' WHERE document_id = :d", d=doc)

    with owner(world.engine, "user_account", "role_grant", "version") as conn:
        run(conn, "UPDATE user_account SET roles = 'clerk publisher reviewer' "
                  "WHERE name = '张拟稿'")  # fmt: skip
        run(conn, "INSERT INTO role_grant (user_name, roles, active, granted_by, granted_at) "
                  "VALUES ('张拟稿', 'clerk publisher reviewer', true, '张拟稿', "
                  "CURRENT_TIMESTAMP)")  # fmt: skip
        run(conn, "UPDATE document SET state = 'secrecy_checked', reviewed_version = 1 "
                  "WHERE id = :d", d=doc)  # fmt: skip
        run(conn, "UPDATE version SET submitted_by = '李审查' WHERE document_id = :d", d=doc)

    before = world.head()
    result = world.bench.run("attribute", str(doc), "主动公开", user="张拟稿")
    assert result.returncode == 1, result.stderr
    assert CHANGED in result.stderr
    assert "Traceback" not in result.stderr
    assert CHANGED in refused_with(world, before, "attribute")
    for user in ("王公开", "周全能"):  # the document itself is refused to anyone
        with pytest.raises(Tampered):
            world.app(user).set_attribute(doc, "public")
        with pytest.raises(Tampered):
            world.app(user).publish(doc)
    assert world.doc(doc).state == "secrecy_checked"
    assert world.events(before, "attribute") == world.events(before, "publish") == []

    problems = "\n".join(world.verify())
    assert "user 张拟稿 roles: are clerk publisher reviewer, the events say clerk" in problems
    assert f"document {doc} state: is secrecy_checked, the events say drafted" in problems
    assert f"document {doc} reviewed_version: is 1, the events say none" in problems
    assert "submitted_by: is 李审查, the events say 张拟稿" in problems


# -- 2 and 3. swapped bytes -----------------------------------------------------------------------
def swap(w: World, doc: int, *columns: str) -> None:
    data = OTHER.read_bytes()
    values = {"content": data, "sha256": hashlib.sha256(data).hexdigest(),
              "size": len(data)}  # fmt: skip
    sets = ", ".join(f"{c} = :{c}" for c in columns)
    with owner(w.engine, "version") as conn:
        assert run(conn, f"UPDATE version SET {sets} WHERE document_id = :d",
                   d=doc, **{c: values[c] for c in columns}) == 1  # fmt: skip


def test_bytes_swapped_after_approval_are_not_published(world: World) -> None:
    doc = world.approved()
    swap(world, doc, "content", "sha256", "size")
    before = world.head()

    with pytest.raises(Tampered, match="changed outside review-flow") as refused:
        world.app("王公开").publish(doc)

    assert "(bytes swapped)" in refused.value.hint
    assert CHANGED in refused_with(world, before, "publish")
    assert world.doc(doc).state == "attribute_set"
    problems = "\n".join(world.verify())
    for column in ("sha256", "content", "size"):
        assert f"version 1 of document {doc} (row " in problems
        assert f") {column}: " in problems, column


def test_bytes_swapped_after_publication_are_never_pushed(world: World, tmp_path: Path) -> None:
    doc = world.approved()
    world.app("王公开").publish(doc)
    swap(world, doc, "content")
    drop = tmp_path / "oa"
    before = world.head()

    (result,) = Pusher(world.app("王公开"), oa.DirectoryTarget(drop)).run_once()

    assert not result.delivered
    assert CHANGED in result.detail
    assert not drop.exists() or not any(drop.iterdir()), "swapped bytes were delivered"
    assert CHANGED in refused_with(world, before, "push")
    with Session(world.engine) as s:
        (message,) = s.exec(select(OutboxMessage)).all()
        assert message.status == "dead"
    assert any("content: its bytes hash to" in p for p in world.verify())


# -- 4. a cut tail -------------------------------------------------------------------------------
def cut(w: World, keep: int) -> None:
    """The owner disables the triggers and cuts the log back to `keep` events."""
    with owner(w.engine, "audit_event", "audit_checkpoint") as conn:
        run(conn, "DELETE FROM audit_checkpoint WHERE seq > :k", k=keep)
        run(conn, "DELETE FROM audit_event WHERE seq > :k", k=keep)


def test_a_cut_tail_is_seen_from_a_second_key_folder_and_verification_writes_nothing(
    world: World, tmp_path: Path
) -> None:
    inspector = tmp_path / "inspector"
    shutil.copytree(world.home, inspector)
    seen = world.head()
    assert world.verify(inspector) == []
    assert world.head() == seen, "verification wrote to the log"
    world.app("赵检查", inspector).audit_head(tmp_path / "HEAD-1.json")

    doc = world.approved(attribute=None)
    later = world.app("赵检查", inspector).audit_head(tmp_path / "HEAD-2.json").events
    assert later > seen
    cut(world, seen)

    # the inspector's own stale copy: the rows of the cut events are still there
    assert any(f"document {doc}: no audit event created it" in p for p in world.verify(inspector))
    assert world.head() == seen, "verification signed over the cut log"
    # a held head names the cut
    held = world.verify(inspector, since=tmp_path / "HEAD-2.json")
    assert any(f"events {seen + 1} to {later} were cut" in p for p in held), held
    assert world.verify(inspector, since=tmp_path / "HEAD-1.json") != []  # rows still unexplained
    # the live checkpoint file names it too
    assert any("tail cut" in p for p in world.verify())


def test_a_missing_or_rolled_back_checkpoint_file_is_an_error(world: World, tmp_path: Path) -> None:
    world.submitted()
    mirror = world.home / "audit-checkpoints.jsonl"
    lines = mirror.read_text(encoding="utf-8").splitlines(keepends=True)
    mirror.write_text("".join(lines[:-1]), encoding="utf-8")
    assert any("rolled back or replaced" in p for p in world.verify())
    mirror.unlink()
    assert any("was deleted or emptied" in p for p in world.verify())
    head = tmp_path / "HEAD.json"
    mirror.write_text("".join(lines), encoding="utf-8")
    world.app("赵检查").audit_head(head)
    head.write_text(head.read_text().replace('"events": ', '"events": 1'), encoding="utf-8")
    assert any("bad signature" in p for p in world.verify(since=head))


# -- 5. four eyes --------------------------------------------------------------------------------
def test_four_eyes_holds_for_reject_and_the_attribute(world: World) -> None:
    doc = world.submitted("周全能")
    with pytest.raises(TransitionRefused, match="four-eyes rule"):
        world.app("周全能").reject(doc, "我自己退回")
    world.app("李审查").approve(doc)
    with pytest.raises(TransitionRefused, match="four-eyes rule"):
        world.app("周全能").set_attribute(doc, "public")
    world.app("王公开").set_attribute(doc, "public")
    with pytest.raises(TransitionRefused, match="four-eyes rule"):
        world.app("周全能").publish(doc)


# -- 6. faults are errors ------------------------------------------------------------------------
def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("review-flow: error: database error:"), lines
    for fragment in fragments:
        assert fragment in lines[0]


def sqlite_only(w: World) -> Path:
    if not w.url.startswith("sqlite"):
        pytest.skip("a SQLite file")
    return Path(w.url.removeprefix("sqlite:///"))


def test_a_read_only_database_is_one_line_and_exit_2(world: World) -> None:
    path = sqlite_only(world)
    doc = world.submitted()
    ro = Bench(f"sqlite:///file:{path}?mode=ro&uri=true", world.home)
    one_line_error(ro.run("approve", str(doc), user="李审查"), "read-only")
    assert world.doc(doc).state == "drafted"


def test_a_locked_database_is_one_line_and_exit_2(world: World) -> None:
    path = sqlite_only(world)
    doc = world.submitted()
    holder = store.make_engine(f"sqlite:///{path}")
    try:
        with holder.begin():  # BEGIN IMMEDIATE: the write lock, held
            result = world.bench.run(
                "approve", str(doc), user="李审查", REVIEW_FLOW_LOCK_TIMEOUT="0.3"
            )
    finally:
        holder.dispose()
    one_line_error(result, "locked")
    assert world.doc(doc).state == "drafted"


def test_a_full_disk_is_a_database_fault_with_nothing_half_done(world: World) -> None:
    sqlite_only(world)
    doc = world.submitted()
    full = store.make_engine(world.url)

    @event.listens_for(full, "connect")
    def _no_room(dbapi_connection: object, record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full at this size
        cursor.close()

    app = App(Settings(full, audit.load_keys(world.home), (str(default_rules_dir()),),
                       Limits(), requested_user="张拟稿"))  # fmt: skip
    try:
        with pytest.raises(DatabaseFault, match="the disk is full; nothing was changed"):
            app.revise(doc, OTHER)
    finally:
        full.dispose()
    assert world.doc(doc).current_version == 1
    assert world.verify() == []


def test_a_lost_postgres_connection_is_a_database_fault(world: World) -> None:
    if world.url.startswith("sqlite"):
        pytest.skip("PostgreSQL")
    doc = world.submitted()
    killer = store.make_engine(world.url)

    def body(act: object) -> None:
        session = act.session  # type: ignore[attr-defined]
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        store.lock_document(session, doc)
        with killer.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        session.execute(text("SELECT 1"))

    try:
        with pytest.raises(DatabaseFault, match="connection to the database was lost"):
            world.app("李审查").run("approve", (Role.REVIEWER,), body, doc)
    finally:
        killer.dispose()
    assert world.doc(doc).state == "drafted"
    assert world.verify() == []


# -- 7. the loser of a race ----------------------------------------------------------------------
def test_the_loser_of_a_race_is_told_who_decided_and_when(world: World) -> None:
    doc = world.submitted()
    world.app("李审查").reject(doc, "请删去第三段")
    with pytest.raises(TransitionRefused, match=r"in state returned: 李审查 did reject at 20"):
        world.app("周全能").approve(doc)


def test_verify_passes_on_an_untouched_history(world: World) -> None:
    doc = world.approved()
    world.app("王公开").publish(doc)
    world.app("张拟稿").submit(OTHER)
    assert world.verify() == []
    with pytest.raises(AccessDenied):
        world.app("张拟稿").verify_audit()


# -- least privilege on PostgreSQL ---------------------------------------------------------------
THREE_UPDATES = (
    "UPDATE user_account SET roles = 'clerk reviewer publisher' WHERE name = '张拟稿'",
    "UPDATE document SET state = 'secrecy_checked', reviewed_version = 1 WHERE id = 1",
    "UPDATE version SET submitted_by = '李审查' WHERE document_id = 1",
)
MORE_ATTEMPTS = (
    "INSERT INTO role_grant (user_name, roles, active, granted_by, granted_at) "
    "VALUES ('张拟稿', 'clerk reviewer publisher', true, 'x', now())",
    "UPDATE finding SET severity = 'info'",
    "DELETE FROM audit_event",
    "SELECT review_flow_move(1, 'drafted', 1, '{\"state\": \"secrecy_checked\"}'::jsonb)",
)


def test_each_role_is_refused_the_three_updates_and_review_flow_still_works(
    world: World,
) -> None:
    if world.url.startswith("sqlite"):
        pytest.skip("PostgreSQL")
    prefix = f"rft{uuid.uuid4().hex[:8]}_"
    logins = {f"{prefix}{role}_login": [role] for role in grants.APP_ROLES}
    grants.apply(world.engine, grants.statements(grants.current_schema(world.engine), prefix,
                                                 logins))  # fmt: skip
    engines: dict[str, Engine] = {}
    try:
        for login, (role,) in logins.items():
            world.app("admin").add_user(login, [Role(role)])
            engines[role] = store.make_engine(world.url.replace("//postgres@", f"//{login}@", 1))
        doc = world.submitted()
        assert doc == 1
        for role, engine in engines.items():
            for sql in THREE_UPDATES + MORE_ATTEMPTS:
                if role == "admin" and "role_grant" in sql:
                    continue  # admins grant roles; a grant without its event is Tampered
                with (
                    pytest.raises(DBAPIError, match=r"permission denied|only with its audit"),
                    engine.begin() as conn,
                ):
                    conn.execute(text(sql))
                assert world.doc(doc).state == "drafted", (role, sql)

        def as_login(role: str) -> App:
            keys = audit.load_keys(world.home)
            return App(Settings(engines[role], keys, (str(default_rules_dir()),), Limits()))

        mine = as_login("clerk").submit(CLEAN, duplicate_ok=True).document.id
        as_login("reviewer").approve(mine)
        as_login("publisher").set_attribute(mine, "public")
        assert as_login("publisher").publish(mine).state == "published"
        assert world.verify() == []
    finally:
        for engine in engines.values():
            engine.dispose()
        grants.apply(world.engine, grants.drop_statements(prefix, list(logins)))
