import re
from collections import Counter

import pytest

from review_flow.scan.validators import VALIDATORS, bank_card, cn_id15, cn_id18, cn_mobile, email
from tests.scan.labelled import (
    BLOCKING,
    TRIGGERS,
    CategoryScore,
    Planted,
    combine,
    generate,
    score,
    stray_triggers,
)

DOCS = generate(300, seed=20240101)
ALL_PLANTED = [p for doc in DOCS for p in doc.planted]


def compact(text):
    return re.sub(r"[\s\-]", "", text)


def test_same_seed_gives_the_same_documents():
    assert generate(25, seed=7) == generate(25, seed=7)


def test_different_seeds_give_different_documents():
    assert generate(25, seed=7) != generate(25, seed=8)


def test_planted_values_appear_literally_in_the_text():
    for doc in DOCS:
        for planted in doc.planted:
            assert planted.value in doc.text, planted


def test_negatives_appear_literally_in_the_text():
    for doc in DOCS:
        for negative in doc.negatives:
            assert negative in doc.text, negative


def test_verdicts_cover_block_review_and_clear():
    counts = Counter(doc.expect_verdict for doc in DOCS)
    assert set(counts) == {"block", "review", "clear"}
    assert min(counts.values()) >= len(DOCS) // 6


def test_verdict_follows_the_planted_categories():
    for doc in DOCS:
        categories = {p.category for p in doc.planted}
        if doc.expect_verdict == "block":
            assert categories & BLOCKING
        elif doc.expect_verdict == "review":
            assert categories
            assert not categories & BLOCKING
        else:
            assert not categories


def test_clear_documents_carry_several_hard_negatives():
    clear = [doc for doc in DOCS if doc.expect_verdict == "clear"]
    assert all(len(doc.negatives) >= 2 for doc in clear)


def test_every_listed_category_and_kind_is_planted():
    pairs = {(p.category, p.kind) for p in ALL_PLANTED}
    assert pairs == {
        ("state_secret", "marking"),
        ("work_secret", "keyword"),
        ("party_document", "header"),
        ("party_document", "doc_number"),
        ("commercial_secret", "keyword"),
        *(
            ("personal_data", kind)
            for kind in ("id_card", "mobile", "bank_card", "email", "name", "address")
        ),
    }


@pytest.mark.parametrize(
    "value",
    [
        "内部资料",
        "注意保存",
        "工作秘密",
        "内部明电",
        "此件不公开",
        "投标报价",
        "报价明细",
        "成本构成",
        "技术秘密",
        "核心技术参数",
        "商业秘密",
    ],
)
def test_every_keyword_is_planted(value):
    assert value in {p.value for p in ALL_PLANTED}


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(绝密|机密|秘密)★[0-9]+年$",
        r"^.. ★ [0-9]+ 年$",
        r"★[0-9]{4}年[0-9]+月[0-9]+日$",
        "★长期$",
        "★启用前$",
        r"^(绝密|机密|秘密)$",
    ],
)
def test_every_marking_form_is_planted(pattern):
    markings = [p.value for p in ALL_PLANTED if p.kind == "marking"]
    assert any(re.search(pattern, value) for value in markings)


def test_hard_negatives_of_every_sort_appear():
    negatives = {n for doc in DOCS for n in doc.negatives}
    for expected in ["飞机密封件", "本办法所称机密级文件", "区委、区政府", "宝审〔2024〕9号"]:
        assert expected in negatives
    assert "不予公开\t属于国家秘密\t0" in negatives
    assert "上海市宝山区卫生健康委员会文件" in negatives
    assert any(re.fullmatch("20240101[0-9]{5}", n) for n in negatives)
    assert any(re.fullmatch("[0-9]{18}", n) for n in negatives)


def test_planted_identity_numbers_pass_their_validators():
    ids = [compact(p.value) for p in ALL_PLANTED if p.kind == "id_card"]
    assert all(cn_id18(i) for i in ids if len(i) == 18)
    assert all(cn_id15(i) for i in ids if len(i) == 15)
    assert {len(i) for i in ids} == {15, 18}


@pytest.mark.parametrize(
    ("kind", "check"),
    [("mobile", cn_mobile), ("bank_card", bank_card), ("email", email)],
)
def test_planted_personal_data_passes_its_validator(kind, check):
    values = [p.value for p in ALL_PLANTED if p.kind == kind]
    assert values
    assert all(check(value) for value in values)


def test_mobile_numbers_come_with_prefixes_and_separators():
    mobiles = [p.value for p in ALL_PLANTED if p.kind == "mobile"]
    assert any(m.startswith("+86") for m in mobiles)
    assert any(m.startswith("0086") for m in mobiles)
    assert any(" " in m for m in mobiles)
    assert any("-" in m for m in mobiles)
    assert any(re.fullmatch("[0-9]{11}", m) for m in mobiles)


def test_bank_cards_are_unionpay_19_digits():
    cards = [compact(p.value) for p in ALL_PLANTED if p.kind == "bank_card"]
    assert all(len(c) == 19 and c.startswith("62") for c in cards)


PERSONAL_NUMBER_CHECKS = ("cn_id18", "cn_id15", "luhn", "bank_card", "cn_mobile", "cn_passport")


def test_numeric_negatives_fail_every_personal_number_validator():
    numbers = [n for doc in DOCS for n in doc.negatives if n.isdigit()]
    assert numbers
    for number in numbers:
        assert not any(VALIDATORS[name](number) for name in PERSONAL_NUMBER_CHECKS), number


def test_personal_email_sits_next_to_an_applicant_or_contact():
    for doc in DOCS:
        for p in doc.planted:
            if p.kind == "email":
                before = doc.text[: doc.text.index(p.value)]
                sentence = re.split("[。\n]", before)[-1].lstrip("\u3000")
                assert sentence.endswith("联系人电子邮箱：") or (
                    sentence.startswith("申请人：") and sentence.endswith("电子邮箱：")
                )


def test_no_trigger_word_lies_outside_a_planted_value():
    for doc in DOCS:
        assert stray_triggers(doc.text, doc.planted) == []


def test_no_negative_holds_a_trigger_of_a_planted_category():
    for doc in DOCS:
        for negative in doc.negatives:
            for p in doc.planted:
                assert p.value not in negative
                assert not any(t in negative for t in TRIGGERS[p.category]), (negative, p)


def test_every_document_has_a_head_and_a_tail():
    for doc in DOCS:
        assert re.search(r"〔20[0-9]{2}〕[0-9]+号\n", doc.text)
        assert re.search(r"20[0-9]{2}年[0-9]+月[0-9]+日印发\n$", doc.text)


ID = "310113199003071236"


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        pytest.param([], CategoryScore(planted=1), id="nothing-found"),
        pytest.param([("personal_data", "id_card", ID)], CategoryScore(1, 1, 1, 0), id="exact"),
        pytest.param(
            [("personal_data", "id_card", f"身份证号码：{ID}")],
            CategoryScore(1, 1, 1, 0),
            id="wider",
        ),
        pytest.param(
            [("personal_data", "id_card", "310113 19900307 1236")],
            CategoryScore(1, 1, 1, 0),
            id="separators-ignored",
        ),
        pytest.param(
            [("personal_data", "id_card", ID[:10])], CategoryScore(1, 1, 1, 0), id="narrower"
        ),
        pytest.param(
            [("personal_data", "mobile", "021-56781234"), ("personal_data", "id_card", ID)],
            CategoryScore(1, 1, 2, 1),
            id="one-false-positive",
        ),
        pytest.param(
            [("state_secret", "marking", ID)], CategoryScore(planted=1), id="other-category"
        ),
    ],
)
def test_score_matches_by_category_and_overlapping_text(found, expected):
    result = score([Planted("personal_data", "id_card", ID)], found)
    assert result["personal_data"] == expected


def test_score_counts_found_items_of_unplanted_categories_as_false_positives():
    result = score([], [("state_secret", "marking", "机密")])
    assert result == {"state_secret": CategoryScore(found=1, false_positives=1)}
    assert result["state_secret"].precision == 0.0
    assert result["state_secret"].recall == 1.0


def test_combine_adds_per_document_scores():
    one = score([Planted("personal_data", "name", "王伟")], [("personal_data", "name", "王伟")])
    two = score([Planted("personal_data", "name", "李娜")], [])
    total = combine([one, two])
    assert total["personal_data"] == CategoryScore(planted=2, recalled=1, found=1)
    assert total["personal_data"].recall == 0.5
    assert total["personal_data"].precision == 1.0
