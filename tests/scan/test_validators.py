from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from review_flow.scan.validators import (
    VALIDATORS,
    bank_card,
    cn_id15,
    cn_id18,
    id18_check_char,
    luhn,
    luhn_check_digit,
)

PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, *range(31, 38), *range(41, 47), *range(50, 55)]
PROVINCES += [61, 62, 63, 64, 65, 71, 81, 82, 83, 91]
# Fullwidth digits (U+FF10-FF19) and letters, built here rather than typed: they look like ASCII.
FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ELX"}


def wide(text: str) -> str:
    return text.translate(FULLWIDTH)


def id18(body17: str) -> str:
    return body17 + id18_check_char(body17)


def card(body: str) -> str:
    return body + luhn_check_digit(body)


# (validator, text, expected)
CASES = [
    # resident ID, 18 characters
    ("cn_id18", "11010519491231002X", True),
    ("cn_id18", "11010519491231002x", True),
    ("cn_id18", id18("31011319900307123"), True),
    ("cn_id18", id18("91011320000229123"), True),  # 2000 is a leap year; 91 = permanent residence
    ("cn_id18", "110105 19491231 002X", True),
    ("cn_id18", "110105194912310021", False),  # wrong check character
    ("cn_id18", "11010519491231002Y", False),
    ("cn_id18", id18("31011319900230123"), False),  # 30 February
    ("cn_id18", id18("31011319000229123"), False),  # 1900 was not a leap year
    ("cn_id18", id18("31011318991231123"), False),  # born before 1900
    ("cn_id18", id18("10011319900307123"), False),  # no province 10
    ("cn_id18", id18("39011319900307123"), False),  # no province 39
    ("cn_id18", "100000000000000000", False),  # an 18-digit amount
    ("cn_id18", "123456789012345678", False),
    ("cn_id18", "202401011234567890", False),  # starts with a date
    ("cn_id18", wide(id18("31011319900307123")), False),
    ("cn_id18", "3301" + wide("02") + "19900307123", False),
    ("cn_id18", "宝审〔2024〕9号", False),
    ("cn_id18", "20240101", False),
    ("cn_id18", "1101051949123100", False),
    ("cn_id18", "", False),
    # resident ID, legacy 15 digits
    ("cn_id15", "310113900307123", True),
    ("cn_id15", "110105491231002", True),
    ("cn_id15", "310113900230123", False),  # 30 February 1990
    ("cn_id15", "100113900307123", False),  # no province 10
    ("cn_id15", "31011390030712X", False),
    ("cn_id15", wide("310113900307123"), False),
    ("cn_id15", "2024010100158", False),
    ("cn_id15", "", False),
    # Luhn
    ("luhn", "4111111111111111", True),
    ("luhn", "4111-1111-1111-1111", True),
    ("luhn", card("622202123456789012"), True),
    ("luhn", "4111111111111112", False),
    ("luhn", "0000000000000000", False),  # passes the checksum, but a placeholder
    ("luhn", "411111111111111", False),  # 15 digits
    ("luhn", "41111111111111111111", False),  # 20 digits
    ("luhn", wide("4111111111111111"), False),
    ("luhn", "", False),
    # bank cards
    ("bank_card", card("622202123456789012"), True),
    ("bank_card", "6222 0212 3456 7890 128", True),
    ("bank_card", "5500 0000 0000 0004", True),
    ("bank_card", card("352800000000000"), True),  # JCB
    ("bank_card", card("950000000000000000"), True),
    ("bank_card", card("310113202401019999"), False),  # Luhn-valid, but no issuer starts 31
    ("bank_card", card("100000000000000000"), False),
    ("bank_card", "6222 0212 3456 7890 123", False),
    # mobile numbers
    ("cn_mobile", "13812345678", True),
    ("cn_mobile", "138-1234-5678", True),
    ("cn_mobile", "138 1234 5678", True),
    ("cn_mobile", "+86 138 1234 5678", True),
    ("cn_mobile", "+86-13812345678", True),
    ("cn_mobile", "(+86)13812345678", True),
    ("cn_mobile", "0086 13812345678", True),
    ("cn_mobile", "8613812345678", True),
    ("cn_mobile", "19912345678", True),
    ("cn_mobile", "12812345678", False),  # no 12x block
    ("cn_mobile", "1381234567", False),
    ("cn_mobile", "138123456789", False),
    ("cn_mobile", wide("13812345678"), False),
    ("cn_mobile", "021-56781234", False),
    ("cn_mobile", "", False),
    # landlines
    ("cn_landline", "021-56781234", True),
    ("cn_landline", "02156781234", True),
    ("cn_landline", "(021)56781234", True),
    ("cn_landline", "（021）5678 1234", True),
    ("cn_landline", "010-62345678", True),
    ("cn_landline", "0571-8765432", True),
    ("cn_landline", "0571-87654321", True),
    ("cn_landline", "+86 21 5678 1234", True),
    ("cn_landline", "021-5678123", False),  # 2-digit areas have 8-digit numbers
    ("cn_landline", "021-06781234", False),  # local numbers never start with 0
    ("cn_landline", "13812345678", False),  # a mobile
    ("cn_landline", "013812345678", False),  # 0 + mobile
    ("cn_landline", wide("021") + "-56781234", False),
    ("cn_landline", "", False),
    # 统一社会信用代码
    ("cn_uscc", "91110000600037341L", True),
    ("cn_uscc", "91110000600037341M", False),
    ("cn_uscc", wide("9") + "1110000600037341L", False),
    ("cn_uscc", "", False),
    # passports
    ("cn_passport", "E12345678", True),
    ("cn_passport", "G12345678", True),
    ("cn_passport", "EA1234567", True),
    ("cn_passport", "P1234567", True),
    ("cn_passport", "D1234567", True),
    ("cn_passport", "EI1234567", False),  # I is not issued
    ("cn_passport", "e12345678", False),
    ("cn_passport", "E1234567", False),
    ("cn_passport", "A12345678", False),
    ("cn_passport", wide("E") + "12345678", False),
    ("cn_passport", "", False),
    # email
    ("email", "zhangsan1988@163.com", True),
    ("email", "li.na+gov@sina.com.cn", True),
    ("email", "bsqsj@shbs.gov.cn", True),
    ("email", "a..b@163.com", False),
    ("email", ".a@163.com", False),
    ("email", "a@163", False),
    ("email", "a@163.c", False),
    ("email", "a@163.c0m", False),
    ("email", "a@-163.com", False),
    ("email", "张三@163.com", False),
    ("email", "a@b@163.com", False),
    ("email", "", False),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(CASES)],
)
def test_validator_table(name, text, expected):
    assert VALIDATORS[name](text) is expected


def test_each_validator_in_the_table_has_a_positive_and_a_negative_case():
    for name in {case[0] for case in CASES}:
        outcomes = {expected for case_name, _, expected in CASES if case_name == name}
        assert outcomes == {True, False}, name


def test_birth_date_after_today_is_rejected():
    number = id18("31011320240615123")
    assert cn_id18(number, today=date(2024, 6, 15))
    assert not cn_id18(number, today=date(2024, 6, 14))


provinces = st.sampled_from(PROVINCES)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def id18_numbers(draw):
    area = f"{draw(provinces):02d}{draw(st.integers(0, 9999)):04d}"
    body = f"{area}{draw(birth_dates):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return id18(body)


@given(id18_numbers())
def test_generated_id18_numbers_are_accepted(number):
    assert cn_id18(number)


# Weight i is 2**(17-i) mod 11, a unit mod 11, and a changed digit moves the sum by weight * delta
# with 0 < |delta| < 11, so the check character always changes: every single substitution fails.
@given(id18_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_id18_with_one_character_changed_is_rejected(number, position, replacement):
    assume(number[position] != replacement)
    assume(position == 17 or replacement != "X")
    mutated = number[:position] + replacement + number[position + 1 :]
    assert not cn_id18(mutated)


@given(provinces, st.integers(0, 9999), st.dates(date(1900, 1, 1), date(1999, 12, 31)))
def test_generated_id15_numbers_are_accepted(province, area, birth):
    assert cn_id15(f"{province:02d}{area:04d}{birth:%y%m%d}123")


card_bodies = st.text(alphabet="0123456789", min_size=15, max_size=18)


@given(card_bodies)
def test_luhn_accepts_generated_numbers(body):
    number = card(body)
    assume(len(set(number)) > 1)
    assert luhn(number)


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_unionpay_cards_with_computed_check_digit_are_bank_cards(body):
    assert bank_card(card("62" + body))


# Doubling maps 0-9 onto 0-9 one to one, so a single changed digit always moves the sum mod 10.
@given(card_bodies, st.data())
def test_luhn_with_one_digit_changed_is_rejected(body, data):
    number = card(body)
    position = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(digits.filter(lambda d: d != number[position]))
    assert not luhn(number[:position] + replacement + number[position + 1 :])


junk = st.one_of(
    st.text(),
    st.text(alphabet="0123456789" + wide("0123456789X") + "Xx+-() （）@.", max_size=24),
)


@pytest.mark.parametrize("name", sorted(VALIDATORS))
@given(text=junk)
def test_validators_never_raise(name, text):
    assert VALIDATORS[name](text) in (True, False)
