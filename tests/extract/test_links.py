"""External targets: which are remote, and what of them a finding may show."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest
from lxml import etree

from review_flow.extract.links import MAX_NOTES, cut, external_items, field_items, is_remote
from review_flow.extract.package import Relationship

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize(
    ("target", "remote"),
    [
        ("https://templates.example.com/a.dotm", True),
        ("\\\\fileserver\\share\\a.dotx", True),
        ("file://fileserver/share/a.dotx", True),
        ("file:///D:\\模板\\甘审办发.dot", False),
        ("D:\\模板\\a.dotx", False),
        ("/opt/kingsoft/wps-office/office6/mui/zh_CN/templates/a.dotx", False),
        ("Normal.dotm", False),
    ],
)
def test_template_is_remote_only_on_another_machine(target: str, remote: bool) -> None:
    assert is_remote(target) is remote


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("https://user:secret@www.gov.cn/a/b.html?token=1#top", "https://www.gov.cn/a/b.html"),
        ("http://198.51.100.7:8080/t.png?doc=42", "http://198.51.100.7:8080/t.png"),
        ("\\\\fs01\\公文\\底稿.docx?x=1", "\\\\fs01\\公文\\底稿.docx"),
    ],
)
def test_shown_target_drops_query_fragment_and_password(target: str, shown: str) -> None:
    assert cut(target) == shown


def _link(target: str) -> Relationship:
    return Relationship("word/document.xml", "rId1", "hyperlink", target, external=True)


def test_web_and_mail_links_are_notes_and_mail_addresses_are_masked() -> None:
    items, notes = external_items(
        [_link("https://www.gov.cn/"), _link("mailto:zhang.san@example.com"),
         _link("javascript:alert(1)"), _link("../内部/名单.xlsx")]
    )  # fmt: skip

    assert notes == ["external hyperlink (not fetched): https://www.gov.cn/",
                     "e-mail link: mailto:***@example.com"]  # fmt: skip
    assert [i.detail for i in items] == [
        "hyperlink to a non-web target: javascript:alert(1)",
        "hyperlink to a non-web target: ../内部/名单.xlsx",
    ]


def test_many_web_links_give_a_bounded_list_of_notes() -> None:
    links = [_link(f"https://www.gov.cn/{i}.html") for i in range(50)] * 2

    _, notes = external_items(links)

    assert len(notes) == MAX_NOTES + 1
    assert notes[-1] == f"… and {50 - MAX_NOTES} more links"


@pytest.mark.parametrize(
    ("instruction", "kind", "detail"),
    [
        (
            'LINK Excel.Sheet.12 "D:\\\\数据\\\\名单.xlsx" "Sheet1!R1C1" \\a',
            "field_link",
            "LINK field: D:\\数据\\名单.xlsx",
        ),
        (
            "INCLUDEPICTURE http://img.example.com/a.png?sid=1 \\d",
            "field_includepicture",
            "INCLUDEPICTURE field: http://img.example.com/a.png",
        ),
        (" ddeauto Excel data", "field_ddeauto", "DDEAUTO field: Excel"),
    ],
)
def test_field_codes_that_fetch_name_their_target(instruction: str, kind: str, detail: str) -> None:
    instr = quoteattr(instruction)
    xml = (
        f'<w:p xmlns:w="{W_NS}"><w:fldSimple w:instr={instr}/>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )

    items = field_items("word/footer1.xml", etree.fromstring(xml))

    assert [(i.kind, i.where, i.detail) for i in items] == [(kind, "word/footer1.xml", detail)]
