"""Real OFD files other producers wrote (tests/fixtures/ofd, see its README): what each reveals,
and `review-flow extract`/`scan` on them through the CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review_flow.cli import app
from review_flow.extract import Extracted, Where, extract_file
from review_flow.scan.model import Category, Verdict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofd"
NAMES = sorted(p.name for p in FIXTURES.glob("*.ofd"))


@cache
def read(name: str) -> Extracted:
    return extract_file(str(FIXTURES / name))


def lines(extracted: Extracted) -> list[str]:
    return extracted.text.split("\n")


def wheres(extracted: Extracted, needle: str) -> set[Where]:
    """The labels of the segments holding `needle` (each occurrence's first character)."""
    found, at = set(), extracted.text.find(needle)
    while at >= 0:
        seg = extracted.segment_at(at)
        assert seg is not None
        found.add(seg.where)
        at = extracted.text.find(needle, at + 1)
    return found


def test_every_fixture_is_listed_in_the_readme() -> None:
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    assert len(NAMES) == 7
    assert all(f"`{name}`" in readme for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_real_file_reads_as_ofd_with_segments_inside_its_text(name: str) -> None:
    extracted = read(name)
    assert extracted.format == "ofd"
    assert extracted.pages
    assert extracted.segments
    assert all(0 <= s.start < s.end <= len(extracted.text) for s in extracted.segments)
    assert [s.start for s in extracted.segments] == sorted(s.start for s in extracted.segments)


def test_the_red_header_notice_reads_as_a_gongwen_head_in_page_order(scanner) -> None:
    extracted = read("iofd_redhead_notice.ofd")
    assert lines(extracted)[:3] == [
        "测试符路桥区卫生局文件",
        "路卫发〔2011〕76号",
        "关于同意张阿三同志辞职的批复",
    ]
    assert extracted.text.index("— 1 —") < extracted.text.index("2011年3月10日印发")
    assert any(n.startswith("signed: 1 electronic signature(s)") for n in extracted.notes)
    report = scanner.scan(extracted)
    assert report.head["doc_number"] == "路卫发〔2011〕76号"
    assert report.head["issuer"] == ["测试符路桥区卫生局"]
    names = [f for f in report.findings if f.kind == "name"]
    assert names
    assert all("张阿三" not in f.excerpt for f in names)
    assert report.verdict is Verdict.REVIEW


def test_the_signed_invoice_reads_template_labels_beside_their_values_and_its_attachment() -> None:
    extracted = read("suwell_invoice_signed.ofd")
    # the label is the template's, the value the page's: read together, on one line
    assert any(ln.startswith("纳税人识别号：91320115MA202UKD7X") for ln in lines(extracted))
    assert Where.TEMPLATE in wheres(extracted, "纳税人识别号：")
    assert wheres(extracted, "江苏京利华新材料有限公司") == {Where.PAGE, Where.ATTACHMENT}
    assert "购买方纳税人识别号：91320115MA202UKD7X" in lines(extracted)  # CustomData
    assert any("original_invoice is marked not visible" in n for n in extracted.notes)


def test_a_rotated_watermark_reads_as_one_piece_and_an_off_page_copy_as_invisible() -> None:
    extracted = read("suwell_invoice_watermark.ofd")
    assert wheres(extracted, "下载次数：1") == {Where.ANNOTATION}
    assert wheres(extracted, "于俪") == {Where.PAGE, Where.INVISIBLE}


def test_surread_parts_in_non_standard_folders_are_found() -> None:
    extracted = read("surread_case_form.ofd")
    assert extracted.pages == 2
    assert not [n for n in extracted.notes if "not in the package" in n]
    assert not extracted.active_content  # every part, KingGridTPLS/ too, was reached
    assert {"案件名称测试数据AJMC", "案件编号测试数据AJBH"} <= set(lines(extracted))
    assert "元数据名称_2：立案决定书" in lines(extracted)
    assert wheres(extracted, "gz-SIGNNAME-liucheng") >= {Where.INVISIBLE}


def test_a_non_standard_namespace_and_outlines_are_read() -> None:
    extracted = read("suwell_maker_outlines.ofd")
    assert extracted.pages == 4
    assert "书签：1、一对一" in lines(extracted)
    assert "标题：11.4 字型变换" in lines(extracted)
    assert not extracted.active_content  # Goto jumps stay inside the document


def test_an_unlisted_page_part_and_an_xbrl_attachment_are_read(scanner) -> None:
    extracted = read("nuonuo_invoice_xbrl.ofd")
    assert wheres(extracted, "销售货物或者提供应税劳务、服务清单") == {Where.UNREFERENCED}
    assert wheres(extracted, "杭州融运科技有限公司") >= {Where.ATTACHMENT}
    kinds = {a.kind for a in extracted.active_content}
    assert kinds == {"unreferenced_part"}
    report = scanner.scan(extracted)
    assert any(f.category is Category.ACTIVE_CONTENT for f in report.findings)


def test_the_ofdrw_watermark_annotation_is_read_as_an_annotation_on_page_one() -> None:
    extracted = read("ofdrw_watermark.ofd")
    start = extracted.text.index("保密资料")
    seg = extracted.segment_at(start)
    assert seg is not None
    assert (seg.where, seg.page) == (Where.ANNOTATION, 1)


# -- through the CLI ---------------------------------------------------------------------------
def test_extract_and_scan_read_ofd_through_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "来文"
    folder.mkdir()
    notice = folder / "通知.ofd"
    notice.write_bytes((FIXTURES / "iofd_redhead_notice.ofd").read_bytes())
    runner = CliRunner()
    extracted = runner.invoke(app, ["extract", str(notice), "--format", "json", "-j", "1"])
    assert extracted.exit_code == 0, extracted.output
    (doc,) = json.loads(extracted.stdout)["documents"]
    assert doc["format"] == "ofd"
    assert doc["text"].startswith("测试符路桥区卫生局文件\n")
    scanned = runner.invoke(app, ["scan", str(folder), "--format", "json", "-j", "1"])
    assert scanned.exit_code == 1, scanned.output
    (report,) = json.loads(scanned.stdout)["documents"]
    assert report["path"] == str(notice)
    assert report["verdict"] == "review"
    assert "skipped" not in scanned.stderr
