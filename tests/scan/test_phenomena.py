"""Phenomena seen in real submissions, each planted in a real .docx or .pdf written to disk.

Every case goes the way a user's file goes: bytes on disk → `extract_file` (the same call the
`review-flow scan` worker makes) → `Scanner.scan(..., reveal=True)` → the report's JSON. A few
cases run the CLI itself (`review-flow scan` / `review-flow extract`) to pin the offsets
contract: a finding's start/end slice the text `review-flow extract` prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor
from typer.testing import CliRunner

from review_flow.cli import app
from review_flow.extract import Limits, extract_file
from review_flow.scan import Scanner
from tests.extract import pdf_fixtures
from tests.extract.ooxml import build_docx, p, part

ID = "310113198503142411"  # GB 11643 check digit valid
ID_X = "11010519491231002X"
CARD = "6222021234567890128"  # Luhn valid
MOBILE = "13812345678"
FULL_WIDTH_ID = "３１０１１３１９８５０３１４２４１１"
ZERO_WIDTH = {"zwsp": "\u200b", "word_joiner": "\u2060", "bom": "\ufeff", "soft_hyphen": "\u00ad"}

RUNNER = CliRunner()


# -- building files ---------------------------------------------------------------------------
def write_docx(
    tmp_path: Path,
    *paragraphs: str,
    header: str | None = None,
    red: int = 0,
    table: list[list[str]] | None = None,
    name: str = "doc.docx",
) -> Path:
    """A .docx written by python-docx: paragraphs (the first `red` in red), a table, a header."""
    document = docx.Document()
    for i, text in enumerate(paragraphs):
        run = document.add_paragraph().add_run(text)
        if i < red:
            run.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    path = tmp_path / name
    document.save(str(path))
    return path


def write_raw_docx(
    tmp_path: Path, body: str, parts: dict[str, tuple[str, str]] | None = None
) -> Path:
    """A .docx from raw WordprocessingML (w:body inner XML), for what python-docx cannot write."""
    path = tmp_path / "raw.docx"
    path.write_bytes(build_docx(body, parts))
    return path


def write_pdf(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return path


# -- scanning them ----------------------------------------------------------------------------
def scan(scanner: Scanner, path: Path) -> dict:
    """The JSON document `review-flow scan PATH --format json --reveal` prints for one file."""
    return scanner.scan(extract_file(str(path), Limits()), reveal=True).to_json()


def cli_scan(path: Path) -> dict:
    result = RUNNER.invoke(app, ["scan", str(path), "--format", "json", "--reveal", "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["documents"][0]


def cli_extract_text(path: Path) -> str:
    result = RUNNER.invoke(app, ["extract", str(path), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return result.stdout


def personal(report: dict, kind: str | None = None) -> list[dict]:
    return [
        f
        for f in report["findings"]
        if f["category"] == "personal_data" and (kind is None or f["kind"] == kind)
    ]


def in_category(report: dict, category: str) -> list[dict]:
    return [f for f in report["findings"] if f["category"] == category]


def digits(text: str) -> str:
    """ASCII digits (and X) of `text`, full-width folded, everything else dropped."""
    folded = text.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return "".join(ch for ch in folded if ch.isascii() and (ch.isdigit() or ch in "Xx"))


def summary(report: dict) -> list[tuple[str, str, str]]:
    """(rule, where, value) of every finding: what an assertion message should show."""
    return [(f["rule"], f["where"], f["value"]) for f in report["findings"]]


# -- 1. full-width digits ---------------------------------------------------------------------
def test_full_width_id_in_docx_is_found_and_offsets_slice_the_extract_text(tmp_path):
    path = write_docx(tmp_path, f"身份证号：{FULL_WIDTH_ID}")
    report = cli_scan(path)
    text = cli_extract_text(path)
    ids = personal(report, "id_card")
    assert ids, summary(report)
    assert [text[f["start"] : f["end"]] for f in ids] == [FULL_WIDTH_ID]
    assert ids[0]["value"] == FULL_WIDTH_ID


# -- 2. zero-width characters -----------------------------------------------------------------
@pytest.mark.parametrize("char", ZERO_WIDTH.values(), ids=ZERO_WIDTH.keys())
@pytest.mark.parametrize(
    ("label", "value", "kind"),
    [("身份证号：", ID, "id_card"), ("手机：", MOBILE, "mobile")],
    ids=["id_card", "mobile"],
)
def test_zero_width_char_inside_value_is_found_with_offsets_into_extract_text(
    tmp_path, scanner, char, label, value, kind
):
    spoiled = value[:6] + char + value[6:]
    path = write_docx(tmp_path, f"{label}{spoiled}")
    text = extract_file(str(path), Limits()).text
    assert spoiled in text  # the extractor kept the character: the test plants what it says
    found = personal(scan(scanner, path), kind)
    slices = [text[f["start"] : f["end"]] for f in found]
    assert any(char in s and s.replace(char, "") == value for s in slices), slices


# -- 3. grouped digits ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "written", "kind", "value"),
    [
        ("身份证号：", "310113 19850314 2411", "id_card", ID),
        ("身份证号：", "310113-19850314-2411", "id_card", ID),
        ("身份证号：", "110105 19491231 002X", "id_card", ID_X),
        ("银行卡号：", "6222 0212 3456 7890 128", "bank_card", CARD),
        ("手机：", "138-1234-5678", "mobile", MOBILE),
        ("手机：", "+86 138 1234 5678", "mobile", MOBILE),
    ],
    ids=[
        "id-spaces",
        "id-hyphens",
        "id-x-spaces",
        "card-spaces",
        "mobile-hyphens",
        "mobile-plus86",
    ],
)
def test_grouped_digits_are_found_with_the_right_kind(
    tmp_path, scanner, label, written, kind, value
):
    report = scan(scanner, write_docx(tmp_path, f"{label}{written}"))
    found = personal(report, kind)
    assert any(digits(f["value"]).endswith(value) for f in found), summary(report)


@pytest.mark.parametrize(
    "sentence",
    ["合同号 310113 2024", "2024 1234 5678"],
    ids=["contract-number-and-year", "year-and-two-groups"],
)
def test_unrelated_numbers_side_by_side_are_not_personal_data(tmp_path, scanner, sentence):
    report = scan(scanner, write_docx(tmp_path, sentence))
    assert personal(report) == [], summary(report)


# -- 4. breaks inside a value in a .docx -------------------------------------------------------
def test_id_split_by_line_break_inside_a_run_is_found(tmp_path, scanner):
    body = (
        '<w:p><w:r><w:t xml:space="preserve">身份证号：</w:t></w:r>'
        "<w:r><w:t>3101131985</w:t><w:br/><w:t>03142411</w:t></w:r></w:p>"
    )
    report = scan(scanner, write_raw_docx(tmp_path, body))
    found = personal(report, "id_card")
    assert any(digits(f["value"]) == ID for f in found), summary(report)


def test_id_split_by_paragraph_break_in_a_table_cell_is_found(tmp_path, scanner):
    body = (
        "<w:tbl>"
        "<w:tr><w:tc>" + p("姓名") + "</w:tc><w:tc>" + p("身份证号") + "</w:tc></w:tr>"
        "<w:tr><w:tc>" + p("张三") + "</w:tc><w:tc>" + p("3101131985") + p("03142411")
        + "</w:tc></w:tr></w:tbl>"
    )  # fmt: skip
    report = scan(scanner, write_raw_docx(tmp_path, body))
    found = personal(report, "id_card")
    assert any(digits(f["value"]) == ID for f in found), summary(report)


# -- 5. a narrow PDF table column -------------------------------------------------------------
def test_id_wrapped_in_a_narrow_pdf_table_column_is_found(tmp_path, scanner):
    columns = (72, 100, 150, 240)

    def draw(canvas) -> None:
        for x, text in zip(columns, ("序号", "姓名", "身份证号", "家庭住址"), strict=True):
            canvas.drawString(x, 760, text)
        for x, text in zip(columns, ("1", "张三", "3101131985", "宝山区友谊路"), strict=True):
            canvas.drawString(x, 740, text)
        canvas.drawString(columns[2], 726, "03142411")
        canvas.drawString(columns[3], 726, "100弄")

    report = scan(scanner, write_pdf(tmp_path, pdf_fixtures.build(draw)))
    found = personal(report, "id_card")
    assert any(ID in digits(f["value"]) for f in found), summary(report)


# -- 6. loose secrecy markings in the head ----------------------------------------------------
TITLE = "关于做好2024年防汛工作的通知"
BODY_TEXT = "各街道、镇，区政府各委、办、局：现将有关事项通知如下。"


@pytest.mark.parametrize(
    ("head", "category"),
    [
        (["秘 密 ★ 5 年"], "state_secret"),
        (["机\u3000密", "特急"], "state_secret"),
        (["内 部 资 料"], "work_secret"),
        (["内部 明电"], "work_secret"),
        (["内部参阅"], "work_secret"),
        (["内部资料 请勿外传"], "work_secret"),
        (["内部文件 注意保管"], "work_secret"),
    ],
    ids=[
        "spaced-mimi-5-years",
        "ideographic-space-jimi-then-teji",
        "spaced-neibuziliao",
        "neibu-mingdian",
        "neibu-canyue",
        "neibuziliao-do-not-pass-on",
        "neibuwenjian-keep-safe",
    ],
)
def test_loose_marking_alone_in_the_head_blocks(tmp_path, scanner, head, category):
    report = scan(scanner, write_docx(tmp_path, *head, TITLE, BODY_TEXT))
    assert report["verdict"] == "block", summary(report)
    assert any(f["severity"] == "block" for f in in_category(report, category)), summary(report)


@pytest.mark.parametrize(
    "sentence",
    ["依法对拟公开的信息进行保密审查，防止泄露国家秘密、工作秘密。", "本次采购飞机密封件一批。"],
    ids=["review-duty-sentence", "aircraft-seals"],
)
def test_secrecy_words_in_a_body_sentence_are_clear(tmp_path, scanner, sentence):
    report = scan(scanner, write_docx(tmp_path, TITLE, BODY_TEXT, sentence))
    assert report["verdict"] == "clear", summary(report)


# -- 7. party document issuer marks -----------------------------------------------------------
def test_party_issuer_mark_over_two_red_paragraphs_blocks(tmp_path, scanner):
    path = write_docx(
        tmp_path, "中共上海市", "宝山区委员会文件", "宝委发〔2024〕3号", TITLE, BODY_TEXT, red=2
    )
    report = scan(scanner, path)
    assert report["verdict"] == "block", summary(report)
    assert any(f["severity"] == "block" for f in in_category(report, "party_document")), summary(
        report
    )


def test_joint_party_and_government_offices_number_is_review_with_a_warning(tmp_path, scanner):
    path = write_docx(tmp_path, "区委办公室 区政府办公室", "宝委办〔2024〕12号", TITLE, BODY_TEXT)
    report = scan(scanner, path)
    assert report["verdict"] == "review", summary(report)
    assert any(f["severity"] == "warn" for f in in_category(report, "party_document")), summary(
        report
    )


# -- 8. an enterprise's commercial-secret statement -------------------------------------------
STATEMENT = "以下内容属于投标人商业秘密，未经书面同意不得公开"


@pytest.mark.parametrize("place", ["body", "header"])
def test_commercial_secret_statement_is_found_and_asks_for_review(tmp_path, scanner, place):
    if place == "body":
        path = write_docx(tmp_path, "投标文件", STATEMENT, "一、公司简介")
    else:
        path = write_docx(tmp_path, "投标文件", "一、公司简介", header=STATEMENT)
    report = scan(scanner, path)
    found = in_category(report, "commercial_secret")
    assert any(f["where"] == place for f in found), summary(report)
    assert report["verdict"] == "review", summary(report)


# -- 9. personal names ------------------------------------------------------------------------
def names(report: dict) -> set[str]:
    return {f["value"] for f in personal(report, "name")}


@pytest.mark.parametrize(
    "sentence",
    ["联系人：王建国", "任命王建国同志为局长"],
    ids=["contact-person-cue", "appointment"],
)
def test_name_in_body_sentence_is_found(tmp_path, scanner, sentence):
    report = scan(scanner, write_docx(tmp_path, TITLE, sentence))
    assert "王建国" in names(report), summary(report)


def test_names_in_a_prize_winner_column_are_found(tmp_path, scanner):
    table = [["序号", "获奖者"], ["1", "王小明"], ["2", "李春华"], ["3", "赵国强"]]
    report = scan(scanner, write_docx(tmp_path, "2024年度先进个人名单", table=table))
    assert {"王小明", "李春华", "赵国强"} <= names(report), summary(report)


def test_name_in_a_comment_is_found(tmp_path, scanner):
    comments = part(
        "comments", '<w:comment w:id="0" w:author="审核">' + p("联系人：王建国") + "</w:comment>"
    )
    path = write_raw_docx(
        tmp_path, p(TITLE) + p(BODY_TEXT), {"word/comments.xml": ("comments", comments)}
    )
    report = scan(scanner, path)
    assert any(
        f["value"] == "王建国" and f["where"] == "comment" for f in personal(report, "name")
    ), summary(report)


def test_name_in_the_page_header_is_found(tmp_path, scanner):
    report = scan(scanner, write_docx(tmp_path, TITLE, BODY_TEXT, header="联系人：王建国"))
    assert any(
        f["value"] == "王建国" and f["where"] == "header" for f in personal(report, "name")
    ), summary(report)


@pytest.mark.parametrize(
    ("paragraphs", "not_names"),
    [
        ([TITLE, "经查，王某某于2024年3月提出申请。"], {"王某某", "王某"}),
        (
            ["上海市宝山区人民政府文件", "宝府发〔2024〕5号", "签发人：张明", TITLE, BODY_TEXT],
            {"张明"},
        ),
        ([TITLE, "杨行镇、顾村镇和张庙街道要加强巡查。"], {"杨行", "顾村", "张庙", "杨行镇"}),
    ],
    ids=["masked-wang-mou-mou", "signer-in-head", "town-names"],
)
def test_no_name_finding_for_placeholders_signers_and_places(
    tmp_path, scanner, paragraphs, not_names
):
    report = scan(scanner, write_docx(tmp_path, *paragraphs))
    flagged = {v for v in names(report) for bad in not_names if bad in v or v in bad}
    assert flagged == set(), summary(report)


# -- 10. addresses ----------------------------------------------------------------------------
def test_home_address_is_found(tmp_path, scanner):
    report = scan(
        scanner, write_docx(tmp_path, TITLE, "申请人家住上海市宝山区友谊路100弄5号302室。")
    )
    found = personal(report, "address")
    assert any("友谊路100弄5号302室" in f["value"] for f in found), summary(report)


def test_agency_office_address_is_not_personal_data(tmp_path, scanner):
    report = scan(scanner, write_docx(tmp_path, TITLE, "办公地址：上海市宝山区密山路5号"))
    assert personal(report, "address") == [], summary(report)


# -- 11. public contact points ----------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    ["咨询电话：021-56781234", "邮箱：xxgk@bsq.gov.cn", "政务服务热线12345"],
    ids=["agency-landline", "agency-mailbox", "hotline-12345"],
)
def test_public_contact_points_are_not_personal_data(tmp_path, scanner, sentence):
    report = scan(scanner, write_docx(tmp_path, TITLE, BODY_TEXT, sentence))
    assert personal(report) == [], summary(report)


# -- 12. masked values ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    ["联系电话：138****5609", "身份证号：310113********071X", "申请人：王某某"],
    ids=["masked-mobile", "masked-id", "masked-name"],
)
def test_masked_values_are_not_personal_data(tmp_path, scanner, sentence):
    report = scan(scanner, write_docx(tmp_path, TITLE, sentence))
    assert personal(report) == [], summary(report)
