"""A day at the desk (issue 13, items 2-5 and 7-12): current metadata, duplicates, overrides,
roles in refusals, withdraw/reattribute/retract through the outbox, option values, the queue
and list filters, numbered findings, local time and Chinese names.

The commands run in-process (typer's CliRunner, the real app and arguments) against one demo
database per backend, built once for the module; each test uses its own copies of the samples.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from review_flow.localtime import local_date, parse, stamp
from tests.conftest import SAMPLES
from tests.dbkit import BACKENDS, Bench, module_bench
from tests.desk import Desk, warm_scanner
from tests.variants import variant

CLEAN = SAMPLES / "01_clean_notice.docx"
SECRET = SAMPLES / "02_secret_header.docx"
PERSONAL = SAMPLES / "03_personal_data.docx"


@pytest.fixture(scope="module", params=BACKENDS)
def bench(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    warm_scanner()
    yield from module_bench(request, tmp_path_factory, "office")


@pytest.fixture
def desk(bench: Bench, tmp_path: Path) -> Desk:
    return Desk(bench, tmp_path)


# -- item 2: metadata of the current version ------------------------------------------------------
def test_head_fields_follow_the_current_version_both_ways(desk: Desk, tmp_path: Path) -> None:
    secret = desk.submit(SECRET)
    desk.ok("reject", secret, "--reason", "密件不得公开", user="李审查")
    desk.ok("revise", secret, str(variant(CLEAN, tmp_path)), user="张拟稿")
    desk.ok("approve", secret, user="李审查")
    desk.ok("attribute", secret, "主动公开", user="王公开")
    desk.ok("publish", secret, user="王公开")
    shown = desk.json("show", secret, user="赵检查")
    assert (shown["marking"], shown["doc_number"], shown["note"]) == (
        None, "宝审〔2024〕9号", "（此件公开发布）")  # fmt: skip
    assert shown["title"].endswith("保密审查工作的通知")
    assert shown["catalogue"]["发文字号"] == "宝审〔2024〕9号"
    listed = {d["id"]: d for d in desk.json("list", "--limit", "500", user="赵检查")}
    assert listed[int(secret)]["marking"] is None
    assert "机密" not in desk.ok("show", secret, user="赵检查")
    out = tmp_path / "record.docx"
    desk.ok("audit", "record", secret, "--out", str(out), user="赵检查")
    import docx

    cells = [c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells]
    assert "机密★5年" not in cells
    assert "宝审〔2024〕9号" in cells

    clean = desk.submit(CLEAN)
    desk.ok("revise", clean, str(variant(SECRET, tmp_path)), user="张拟稿")
    shown = desk.json("show", clean, user="赵检查")
    assert (shown["marking"], shown["doc_number"]) == ("机密★5年", "宝审〔2024〕15号")
    assert shown["note"] == "（此件不公开）"
    listed = {d["id"]: d for d in desk.json("list", "--limit", "500", user="赵检查")}
    assert listed[int(clean)]["marking"] == "机密★5年"
    assert "机密★5年" in desk.ok("show", clean, user="赵检查")


# -- item 3: duplicates and no-op revisions -------------------------------------------------------
def test_the_same_bytes_twice_are_refused_unless_asked_and_a_revision_must_change(
    desk: Desk, tmp_path: Path
) -> None:
    copy = variant(CLEAN, tmp_path)
    first = desk.ok("submit", str(copy), user="张拟稿").strip()
    code, _, err = desk.run("submit", str(copy), user="张拟稿")
    assert code == 1
    assert f"very bytes of document {first}" in err
    assert "--duplicate-ok" in err
    second = desk.ok("submit", str(copy), "--duplicate-ok", user="张拟稿").strip()
    assert second != first
    desk.ok("reject", first, "--reason", "重报", user="李审查")
    code, _, err = desk.run("revise", first, str(copy), user="张拟稿")
    assert code == 1
    assert "a revision must change the file" in err


# -- item 4: overriding another reviewer ----------------------------------------------------------
def test_changing_another_reviewers_decision_needs_override_and_keeps_both(desk: Desk) -> None:
    doc = desk.submit(PERSONAL)
    desk.ok("dispose", doc, "1", "--confirm", user="李审查")
    code, _, err = desk.run("dispose", doc, "1", "--dismiss", "--reason", "公开", user="周全能")
    assert code == 1
    assert "decided confirmed by 李审查" in err
    assert "--override --reason" in err
    desk.ok("dispose", doc, "1", "--dismiss", "--override", "--reason", "已公示", user="周全能")
    (first, *_) = desk.json("findings", doc, user="李审查")
    assert (first["disposition"], first["decided_by"]) == ("dismissed", "周全能")
    assert [(e["decision"], e["decided_by"]) for e in first["earlier"]] == [
        ("confirmed", "李审查")]  # fmt: skip
    text = desk.ok("findings", doc, user="李审查")
    assert "此前: 确认属实 — 李审查" in text


# -- item 5: the role held and the roles required -------------------------------------------------
def test_a_refusal_records_the_role_held_and_the_role_required(desk: Desk, tmp_path: Path) -> None:
    doc = desk.submit(CLEAN)
    assert desk.run("approve", doc, user="张拟稿")[0] == 1
    assert desk.run("approve", doc, user="无名氏")[0] == 1
    out = tmp_path / "audit.csv"
    desk.ok("audit", "export", "--out", str(out), "--document", doc, user="赵检查")
    with out.open(encoding="utf-8-sig") as handle:
        refused = [r for r in csv.DictReader(handle) if r["action"] == "refused"]
    clerk, stranger = refused[-2:]
    assert (clerk["actor"], clerk["role"]) == ("张拟稿", "clerk")
    details = json.loads(clerk["details"])
    assert (details["required"], details["held"]) == (["reviewer"], ["clerk"])
    assert (stranger["actor"], stranger["role"]) == ("无名氏", "")
    assert json.loads(stranger["details"])["held"] == []


# -- item 7: withdraw, reattribute, retract -------------------------------------------------------
def test_withdraw_reattribute_and_retract_go_through_the_outbox(desk: Desk, tmp_path: Path) -> None:
    drop = tmp_path / "oa"
    doc = desk.to_approved(CLEAN)
    desk.ok("attribute", doc, "依申请公开", user="王公开")
    desk.ok("reattribute", doc, "--reason", "应主动公开", user="王公开")
    assert desk.json("show", doc, user="赵检查")["state"] == "secrecy_checked"
    desk.ok("attribute", doc, "主动公开", user="王公开")
    assert desk.run("withdraw", doc, user="李审查")[0] == 1  # a reason is required
    desk.ok("withdraw", doc, "--reason", "附件需替换", user="李审查")
    assert desk.json("show", doc, user="赵检查")["state"] == "returned"
    queued = desk.json("queue", user="张拟稿")
    assert (int(doc), "clerk") in {(w["id"], w["awaits"]) for w in queued}

    desk.ok("revise", doc, str(variant(CLEAN, tmp_path)), user="张拟稿")
    desk.ok("approve", doc, user="李审查")
    desk.ok("attribute", doc, "主动公开", user="王公开")
    desk.ok("publish", doc, user="王公开")
    desk.ok("push", user="王公开", REVIEW_FLOW_OA_DIR=str(drop))
    shown = desk.json("show", doc, user="赵检查")
    assert shown["state"] == "pushed_to_oa"
    index_no = shown["catalogue"]["索引号"]
    assert shown["catalogue"]["公开属性"] == "主动公开"  # refreshed after 依申请公开

    assert desk.run("retract", doc, user="王公开")[0] == 1
    assert desk.run("retract", doc, "--reason", "x", user="张拟稿")[0] == 1
    desk.ok("retract", doc, "--reason", "发现附件含个人信息", user="王公开")
    out = desk.ok("push", user="王公开", REVIEW_FLOW_OA_DIR=str(drop))
    assert "delivered" in out
    shown = desk.json("show", doc, user="赵检查")
    assert shown["state"] == "retracted"
    assert shown["catalogue"]["索引号"] == index_no
    assert shown["catalogue"]["状态"] == "已撤回"
    filed = json.loads((drop / f"{index_no.replace('/', '_')}.json").read_text(encoding="utf-8"))
    assert (filed["状态"], filed["撤回原因"]) == ("已撤回", "发现附件含个人信息")
    keys = [e["details"]["key"] for e in shown["history"] if e["action"] == "outbox"]
    assert len(set(keys)) == len(keys) >= 3  # 依申请公开, publish, retraction: a key each
    actions = [e["action"] for e in shown["history"]]
    assert {"withdraw", "reattribute", "retract"} <= set(actions)
    assert "OK" in desk.ok("audit", "verify", user="赵检查")


# -- item 8: option values ------------------------------------------------------------------------
def test_unknown_option_values_are_usage_errors_naming_the_valid_ones(desk: Desk) -> None:
    doc = desk.to_approved(CLEAN)
    code, _, err = desk.run("attribute", doc, "主动公开", "--topic", "国防", user="王公开")
    assert code == 2
    assert "综合政务" in err
    assert desk.json("show", doc, user="赵检查")["state"] == "secrecy_checked"
    code, _, err = desk.run("list", "--format", "yaml", user="赵检查")
    assert code == 2
    assert "json" in err
    code, _, err = desk.run("list", "--state", "bogus", user="赵检查")
    assert code == 2
    assert "drafted" in err
    assert desk.run("list", "--verdict", "maybe", user="赵检查")[0] == 2


# -- item 9: queue and list filters ---------------------------------------------------------------
def test_the_queue_shows_each_role_its_turn_and_list_filters(desk: Desk) -> None:
    theirs = int(desk.submit(PERSONAL))
    own = int(desk.submit(CLEAN, user="周全能"))
    for_reviewer = {w["id"]: w for w in desk.json("queue", user="李审查")}
    assert for_reviewer[theirs]["awaits"] == "reviewer"
    assert own in for_reviewer
    assert own not in {w["id"] for w in desk.json("queue", user="周全能")}  # four eyes
    assert theirs not in {w["id"] for w in desk.json("queue", user="王公开")}
    text = desk.ok("queue", user="李审查")
    for column in ("标题", "文号", "提交时间", "扫描结论", "已等待", "待审查"):
        assert column in text

    today = local_date(datetime.now(UTC))
    found = desk.json("list", "--search", "宝审〔2024〕9号", "--since", today, user="赵检查")
    assert own in {d["id"] for d in found}
    assert theirs not in {d["id"] for d in found}
    assert desk.json("list", "--until", "2000-01-01", user="赵检查") == []
    review = {d["id"] for d in desk.json("list", "--verdict", "review", "--limit", "500",
                                          user="赵检查")}  # fmt: skip
    assert theirs in review
    assert own not in review


# -- item 10: numbered findings -------------------------------------------------------------------
def test_findings_are_numbered_per_document_with_ranges_and_kinds(desk: Desk) -> None:
    doc = desk.submit(PERSONAL)
    rows = desk.json("findings", doc, user="李审查")
    assert [r["number"] for r in rows] == list(range(1, len(rows) + 1))
    assert desk.ok("dispose", doc, "1-3", "5", "--confirm", user="李审查").startswith("4 ")
    names = [r for r in rows if r["kind"] == "name"]
    out = desk.ok("dispose", doc, "--all-kind", "name", "--dismiss", "--reason", "公示名单",
                  user="李审查")  # fmt: skip
    assert out.startswith(f"{len(names)} ")
    decided = {r["number"]: r for r in desk.json("findings", doc, user="李审查")}
    assert all(decided[n]["decided_by"] == "李审查" for n in (2, 3, 5))
    assert all(decided[r["number"]]["disposition"] == "dismissed" for r in names)
    assert decided[2]["decided_at"]
    assert desk.run("dispose", doc, "999", "--confirm", user="李审查")[0] == 2
    assert desk.run("dispose", doc, "3-1", "--confirm", user="李审查")[0] == 2


# -- items 11 and 12: local time, Chinese names, the record ---------------------------------------
def test_times_are_local_and_labelled_and_stored_in_utc() -> None:
    late = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)  # 01:30 on the 3rd in Shanghai
    assert local_date(late) == "2026-12-03"
    assert stamp(late) == "2026-12-03 01:30 +08:00"
    assert parse("2026-12-03") == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert parse("2026-12-03", end=True) == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def test_show_and_record_speak_chinese_with_local_times(desk: Desk, tmp_path: Path) -> None:
    doc = desk.submit(CLEAN)
    text = desk.ok("show", doc, user="赵检查")
    assert "待审查 (drafted)" in text
    assert "提交审查" in text
    assert "+08:00" in text
    utc = desk.ok("show", doc, user="赵检查", REVIEW_FLOW_TZ="UTC")
    assert "+00:00" in utc
    shown = desk.json("show", doc, user="赵检查")
    assert shown["state"] == "drafted"
    assert shown["history"][0]["ts"].endswith("+00:00")
    assert desk.run("show", doc, user="赵检查", REVIEW_FLOW_TZ="Mars/Base")[0] == 2

    assert desk.run("approve", doc, user="张拟稿")[0] == 1
    desk.ok("approve", doc, user="李审查")
    out = tmp_path / "record.docx"
    desk.ok("audit", "record", doc, "--out", str(out), user="赵检查")
    import docx

    record = docx.Document(str(out))
    section = record.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert record.styles["Normal"].font.name == "仿宋_GB2312"
    assert record.styles["Title"].font.name == "方正小标宋简体"
    paragraphs = [p.text for p in record.paragraphs]
    history = paragraphs[paragraphs.index("办理经过") + 1 : paragraphs.index("签字")]
    assert history
    assert all("submit" not in line and "approve" not in line for line in history)
    assert any("李审查（审查人）审查通过（待审查 → 审查通过）" in line for line in history)
    assert any(
        "申请审查通过，被拒绝：张拟稿 无权审查通过，需要审查人角色" in line for line in history
    )
    for signer in ("拟稿人：", "审查人：", "审核人："):
        assert any(line.startswith(signer) and "日期" in line for line in paragraphs)
    created = record.core_properties.created
    assert created is not None
    assert abs((created.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 300


# -- item 16: the demo's revision removes what was flagged ----------------------------------------
def test_the_demo_revision_really_removes_the_personal_data(scanner, tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from review_flow.extract import extract_file
    from review_flow.extract.limits import Limits

    before = scanner.scan(extract_file(str(PERSONAL), Limits()))
    after = scanner.scan(extract_file(str(module.personal_data_redacted(tmp_path)), Limits()))
    assert {f.kind for f in before.findings} >= {"id_card", "mobile", "bank_card", "address"}
    assert after.findings == ()
    assert str(after.verdict) == "clear"
    # the demo's revision of 03 is made by `redact` now (issue 16: tests/redact/test_flow.py)
    assert '"redact", personal' in (SAMPLES / "demo.py").read_text(encoding="utf-8")


# -- item 14: people ------------------------------------------------------------------------------
def test_users_revoke_and_deactivate_are_audited_and_refused_everywhere(
    desk: Desk, tmp_path: Path
) -> None:
    desk.ok("users", "add", "孙临时", "--role", "clerk", "--role", "reviewer", user="admin")
    assert desk.ok("users", "revoke", "孙临时", "--role", "reviewer", user="admin").strip() == (
        "孙临时: clerk")  # fmt: skip
    assert desk.run("users", "revoke", "孙临时", "--role", "boss", user="admin")[0] == 2
    assert desk.run("users", "revoke", "admin", "--role", "admin", user="admin")[0] == 1
    assert desk.run("queue", user="孙临时")[0] == 0
    desk.ok("users", "deactivate", "孙临时", user="admin")
    code, _, err = desk.run("queue", user="孙临时")
    assert code == 1
    assert "deactivated" in err
    assert desk.run("submit", str(variant(CLEAN, tmp_path)), user="孙临时")[0] == 1
    assert "孙临时\tclerk\tinactive" in desk.ok("users", "list", user="admin")
    out = tmp_path / "audit.csv"
    desk.ok("audit", "export", "--out", str(out), user="赵检查")
    with out.open(encoding="utf-8-sig") as handle:
        mine = [r for r in csv.DictReader(handle) if "孙临时" in r["details"]]
    actions = [(r["action"], json.loads(r["details"]).get("revoked")) for r in mine]
    assert ("user_roles", "reviewer") in actions
    assert ("user_deactivate", None) in actions


# -- item 15: housekeeping ------------------------------------------------------------------------
def test_init_without_admin_makes_the_login_admin_in_an_owner_only_file(tmp_path: Path) -> None:
    import os
    import stat
    import subprocess
    import sys

    db = tmp_path / "office.db"
    env = {**os.environ, "REVIEW_FLOW_DB": str(db), "REVIEW_FLOW_HOME": str(tmp_path / "keys")}
    env.pop("REVIEW_FLOW_USER", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "review_flow", *args], capture_output=True,
                              text=True, env=env, timeout=120, check=False)  # fmt: skip

    done = cli("init", "--demo")
    assert done.returncode == 0, done.stderr
    assert "no --admin given: the admin is " in done.stdout
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    login = done.stdout.split("the admin is ")[1].split()[0]
    listed = cli("users", "list", "--as", login)  # --as after the command
    assert listed.returncode == 0, listed.stderr
    assert f"{login}\tadmin\tactive" in listed.stdout
    version = cli("--version")
    assert version.stdout.startswith("review-flow ")
    assert "the default" in cli("push", "--help").stdout


# -- item 13: long work shows progress ------------------------------------------------------------
def test_a_folder_scan_lists_skipped_files_names_files_and_sums_up(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.extract.pdf_fixtures import build, image

    folder = tmp_path / "来文"
    folder.mkdir()
    (folder / "通知.docx").write_bytes(CLEAN.read_bytes())
    (folder / "扫描件.pdf").write_bytes(build(image()))
    (folder / "照片.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    argv = [sys.executable, "-m", "review_flow", "-v", "scan", str(folder), "--format", "json"]
    env = {k: v for k, v in os.environ.items() if k != "REVIEW_FLOW_DB"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)["summary"]
    skipped = [str(folder / "照片.png")]
    assert summary == {"files": 2, "block": 0, "review": 1, "clear": 1, "unreadable_files": 0,
                       "with_unreadable_pages": 1, "skipped": skipped}  # fmt: skip
    assert f"skipped (unsupported format): {folder / '照片.png'}" in done.stderr
    assert f"scanned {folder / '通知.docx'}: clear" in done.stderr
    assert "scanning" not in done.stderr  # no progress bar when stderr is not a terminal
    assert "review_flow.scan:" not in done.stderr  # its lines name content hashes, not files
