"""`make demo`: the story of review-flow on samples/, told with the real commands.

A fresh SQLite database in a temporary folder; every step prints the command it runs, so a new
user can type the same thing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = [sys.executable, "-m", "review_flow"]
SAMPLES = sorted(p for p in HERE.iterdir() if p.suffix in {".docx", ".pdf", ".txt"})


def run(
    *args: str, user: str | None = None, quiet: bool = False
) -> subprocess.CompletedProcess[str]:
    argv = [*(["--as", user] if user else []), *args]
    shown = " ".join(a if " " not in a else repr(a) for a in argv)
    print(f"\n$ review-flow {shown}", flush=True)
    result = subprocess.run([*CLI, *argv], capture_output=True, text=True, check=False)
    if not quiet:
        sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode:
        print(f"(exit status {result.returncode})")
    return result


def section(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def extraction_summary() -> None:
    section("1. Extraction: everything a reader could recover, and where it came from")
    result = run("extract", "--format", "json", *(rel(p) for p in SAMPLES), quiet=True)
    for doc in json.loads(result.stdout)["documents"]:
        name = Path(doc["path"]).name
        wheres = Counter(seg["where"] for seg in doc["segments"])
        parts = ", ".join(f"{w} {n}" for w, n in sorted(wheres.items()))
        print(f"  {name:26} {doc['format']:5} {len(doc['text']):5} chars  segments: {parts}")


def scanning() -> None:
    section("2. Scanning (no database): verdict first, then findings, personal data masked")
    run("scan", *(rel(p) for p in SAMPLES))
    run("rules", "test")


def ids(doc: str, user: str, severities: tuple[str, ...] = ("block", "warn")) -> list[str]:
    """The numbers (1…n, as `findings` shows them) of a document's findings to decide."""
    result = run("findings", doc, "--format", "json", user=user, quiet=True)
    return [str(f["number"]) for f in json.loads(result.stdout) if f["severity"] in severities]


def workflow() -> None:
    section("3. The review: 先审查、后公开, four eyes, every flag decided")
    run(
        "init",
        "--admin",
        "管理员",
        "--demo",
        "--org-code",
        "11310113MB2F12345X",
        "--publisher-org",
        "上海市宝山区人民政府",
    )
    for name, role in (("张拟稿", "clerk"), ("李审查", "reviewer"), ("王公开", "publisher"),
                       ("赵检查", "inspector")):  # fmt: skip
        run("users", "add", name, "--role", role, user="管理员")
    docs = {}
    for sample in SAMPLES:
        docs[sample.stem] = run("submit", rel(sample), user="张拟稿").stdout.strip()
    clean, secret, personal = docs["01_clean_notice"], docs["02_secret_header"], docs[
        "03_personal_data"]  # fmt: skip
    party, plan, joint = docs["04_party_committee"], docs["05_work_plan"], docs["06_joint_notice"]

    print("\n-- the author may not review their own document (four-eyes rule)")
    run("approve", clean, user="张拟稿")
    print("\n-- 01: nothing to decide; approve, 主动公开, publish")
    run("approve", clean, user="李审查")
    run("attribute", clean, "主动公开", user="王公开")
    run("publish", clean, user="王公开")

    print("\n-- 02: 机密★5年 in the page header; approval needs every flag decided")
    run("findings", secret, user="李审查")
    run("approve", secret, user="李审查")
    run("dispose", secret, *ids(secret, "李审查"), "--confirm", "--reason", "页眉标注密级",
        user="李审查")  # fmt: skip
    run("approve", secret, user="李审查")
    run("attribute", secret, "主动公开", user="王公开")
    run("attribute", secret, "不予公开", "--reason", "国家秘密", user="王公开")
    run("withhold", secret, user="王公开")

    print("\n-- 03: personal data in a table, a comment and a tracked deletion")
    run("findings", personal, user="李审查")
    print("\n-- the same file again is not a revision")
    run("revise", personal, rel(HERE / "03_personal_data.docx"), user="张拟稿")
    print("\n-- the reviewer confirms the personal data; the clerk redacts (脱敏): a new version")
    run("dispose", personal, *ids(personal, "李审查"), "--confirm", user="李审查")
    run("redact", personal, user="张拟稿")
    print("\n-- the redacted version is scanned and reviewed again (一事一审)")
    run("findings", personal, user="李审查")
    remaining = ids(personal, "李审查")
    if remaining:
        run("dispose", personal, *remaining, "--dismiss", "--reason", "已脱敏：地址仅保留至区",
            user="李审查")  # fmt: skip
    run("approve", personal, user="李审查")
    run("attribute", personal, "主动公开", user="王公开")
    run("publish", personal, user="王公开")

    print("\n-- 04: a party-committee document never goes out through the government channel")
    run("dispose", party, *ids(party, "李审查"), "--confirm", "--reason", "党委文件",
        user="李审查")  # fmt: skip
    run("approve", party, user="李审查")
    run("attribute", party, "withheld", "--reason", "党委公文", user="王公开")
    run("withhold", party, user="王公开")

    print("\n-- 05 and 06: a clean PDF, and a joint notice a person decides on")
    run("approve", plan, user="李审查")
    run("attribute", plan, "public", user="王公开")
    run("publish", plan, user="王公开")
    run("dispose", joint, *ids(joint, "李审查"), "--dismiss", "--reason",
        "联合发文，经审核属政府信息，可以公开", user="李审查")  # fmt: skip
    run("approve", joint, user="李审查")
    run("attribute", joint, "public", user="王公开")
    run("publish", joint, user="王公开")

    section("4. Filing with the OA system: published and 依申请公开 documents, nothing else")
    run("push", "--status", user="王公开")
    run("push", user="王公开")
    drop = Path(os.environ["REVIEW_FLOW_OA_DIR"])
    for record in sorted(drop.glob("*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        print(f"  {record.name}: {data['索引号']} {data['公开属性']} 《{data['标题']}》")

    section("5. Where everything stands, and the audit trail an inspector can verify")
    run("queue", user="李审查")
    run("list", user="赵检查")
    run("show", personal, user="赵检查")
    run("audit", "verify", user="赵检查")
    record = Path(os.environ["REVIEW_FLOW_HOME"]).parent / f"保密审查记录-{personal}.docx"
    run("audit", "record", personal, "--out", str(record), user="赵检查")
    run("extract", str(record))
    out = Path(os.environ["REVIEW_FLOW_HOME"]).parent / "audit.csv"
    run("audit", "export", "--out", str(out), user="赵检查")
    run("audit", "verify", "--file", str(out), "--public-key",
        str(Path(os.environ["REVIEW_FLOW_HOME"]) / "audit-signing.pub"))  # fmt: skip


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="review-flow-demo-") as tmp:
        os.environ["REVIEW_FLOW_DB"] = str(Path(tmp) / "demo.db")
        os.environ["REVIEW_FLOW_HOME"] = str(Path(tmp) / "keys")
        os.environ["REVIEW_FLOW_OA_DIR"] = str(Path(tmp) / "oa-drop")
        os.environ.pop("REVIEW_FLOW_OA_URL", None)
        os.environ.pop("REVIEW_FLOW_USER", None)
        print(f"demo database: {os.environ['REVIEW_FLOW_DB']} (removed at the end)")
        extraction_summary()
        scanning()
        workflow()
