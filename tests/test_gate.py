"""The gate (issue 13, items 1 and 6): content no machine read must be read by a person before
approval, and the record names who read what; password-protected Word files are named as such.

Through the real CLI, on SQLite and (when configured) PostgreSQL, one database per backend.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review_flow.extract import extract_file
from review_flow.extract.limits import Limits
from tests.dbkit import BACKENDS, Bench, module_bench
from tests.desk import Desk, warm_scanner
from tests.extract.ooxml import build_docx, p
from tests.extract.pdf_fixtures import build, image, lines

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
CM = 360000


def picture(width_cm: float, height_cm: float) -> str:
    """A body paragraph holding one inline picture of this size."""
    return (
        f'<w:p><w:r><w:drawing><wp:inline xmlns:wp="{WP}"><wp:extent cx="{int(width_cm * CM)}" '
        f'cy="{int(height_cm * CM)}"/><a:graphic xmlns:a="{A}"><a:graphicData><a:blip '
        'r:embed="rId99"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
    )


@pytest.fixture(scope="module", params=BACKENDS)
def bench(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    warm_scanner()
    yield from module_bench(request, tmp_path_factory, "gate")


@pytest.fixture
def desk(bench: Bench, tmp_path: Path) -> Desk:
    return Desk(bench, tmp_path)


def numbered(desk: Desk, doc: str) -> list[dict]:
    return desk.json("findings", doc, user="李审查")


def test_scanned_pages_must_be_read_by_a_person_before_approval(desk: Desk, tmp_path: Path) -> None:
    scanned = tmp_path / "扫描件.pdf"
    scanned.write_bytes(build(image(), lines("第二页也是扫描"), image()))
    doc = desk.ok("submit", str(scanned), user="张拟稿").strip()

    rows = numbered(desk, doc)
    unread = [r for r in rows if r["category"] == "unreadable"]
    assert [(r["kind"], r["page"]) for r in unread] == [("page", 1), ("page", 3)]
    assert all(r["severity"] == "warn" and r["disposition"] is None for r in unread)
    text = desk.ok("findings", doc, user="李审查")
    assert "第1页无可识别文字" in text
    assert "未处理" in text

    refused = desk.run("approve", doc, user="李审查")
    assert refused.returncode == 1
    assert "2 block/warn finding(s)" in refused.stderr
    numbers = [str(r["number"]) for r in unread]
    dismiss = desk.run("dispose", doc, numbers[0], "--dismiss", "--reason", "x", user="李审查")
    assert dismiss.returncode == 1
    assert "must be read by a person" in dismiss.stderr
    no_note = desk.run("dispose", doc, *numbers, "--read", user="李审查")
    assert no_note.returncode == 1
    assert "reason is required" in no_note.stderr
    own = desk.run("dispose", doc, *numbers, "--read", "--reason", "读过", user="张拟稿")
    assert own.returncode == 1

    desk.ok("dispose", doc, *numbers, "--read", "--reason", "人工逐页阅读，无涉密内容",
             user="李审查")  # fmt: skip
    desk.ok("approve", doc, user="李审查")
    desk.ok("attribute", doc, "主动公开", user="王公开")
    desk.ok("publish", doc, user="王公开")

    out = tmp_path / "record.docx"
    desk.ok("audit", "record", doc, "--out", str(out), user="赵检查")
    import docx

    record = "\n".join(par.text for par in docx.Document(str(out)).paragraphs)
    assert "扫描未发现需处理事项" not in record
    assert "第1页：李审查 于 " in record
    assert "人工阅读（人工逐页阅读，无涉密内容）" in record
    assert "第3页：李审查" in record


def test_page_sized_pictures_in_a_docx_are_unreadable_items_but_a_seal_is_not(
    desk: Desk, tmp_path: Path
) -> None:
    body = p("关于报送材料的通知") + picture(16, 22) + picture(4.2, 4.2) + p("附件照片如上")
    path = tmp_path / "带图片.docx"
    path.write_bytes(build_docx(body))
    extracted = extract_file(str(path), Limits())
    assert [u.page for u in extracted.unreadable_pages] == [1]

    doc = desk.ok("submit", str(path), user="张拟稿").strip()
    unread = [r for r in numbered(desk, doc) if r["category"] == "unreadable"]
    assert [(r["kind"], r["where"]) for r in unread] == [("picture", "picture 1")]
    assert desk.run("approve", doc, user="李审查").returncode == 1
    desk.ok("dispose", doc, str(unread[0]["number"]), "--read", "--reason", "图片为现场照片",
             user="李审查")  # fmt: skip
    desk.ok("approve", doc, user="李审查")


def test_a_password_protected_word_file_is_named_as_such(desk: Desk, tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    locked = tmp_path / "加密通知.docx"
    locked.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048)
    result = desk.run("submit", str(locked), user="张拟稿")
    assert result.returncode == 2, result.stderr
    assert "password-protected" in result.stderr
    assert "加密通知.docx" in result.stderr
    assert "/tmp/review-flow-" not in result.stderr  # the user's file, not the sandbox copy
    assert "old binary" not in result.stderr
    assert "remove the password" in result.stderr
    scan = desk.run("scan", str(locked))
    assert scan.returncode == 2
    assert "password-protected" in scan.stderr
