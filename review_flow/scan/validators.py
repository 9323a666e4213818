"""Checksum and format validators for matched strings, looked up by name from rules (VALIDATORS)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date

from review_flow.scan.location import default_rules_dir

# GB 11643-1999 (ISO 7064 MOD 11-2): weight i is 2**(17-i) mod 11, never 0 mod 11, so changing any
# single digit always changes the check character.
_ID18_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID18_CHECK = "10X98765432"
# GB/T 2260 province-level prefixes, plus 71 台湾, 81 香港, 82 澳门, 83 (港澳台居民居住证) and
# 91 (2023 外国人永久居留身份证).
_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66)]
)
_PROVINCES |= {71, 81, 82, 83, 91}
_EARLIEST_BIRTH = date(1900, 1, 1)

# NOTE: [0-9], never \d: \d (and str.isdigit, int()) accept fullwidth digits (U+FF10-FF19).
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 010 and 02x have 8-digit local numbers; 0[3-9]xx have 7 or 8. Local numbers never start with
# 0 or 1, which is also what keeps a mobile number (or 0 + mobile) from passing as a landline.
_LANDLINE = re.compile(r"0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}")
# Ordinary passports: E/G + 8 digits, and since the E-series ran out E + letter + 7 digits (the
# letters I and O are not issued, being confusable with 1 and 0). Public-affairs (P), service (S)
# and diplomatic (D) passports: letter + 7 digits. Upper case only, as printed.
_PASSPORT = re.compile(r"[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[PSD][0-9]{7}")
_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# Issuer prefixes of cards seen in China: 62 银联, 4 Visa, 5 Mastercard, 35 JCB, 9 (some domestic
# debit cards). Amex (34/37, 15 digits) and Diners (36, 14 digits) fall outside 16-19 digits anyway.
_CARD_PREFIXES = ("62", "4", "5", "35", "9")
_PHONE_PREFIXES = ("+86", "0086", "86")


def _is_digits(text: str) -> bool:
    """Whether text is non-empty and made of ASCII digits only (isdigit admits full-width ones)."""
    return text.isascii() and text.isdigit()


def _without(text: str, chars: str) -> str:
    """Text with every character in chars removed."""
    for ch in chars:
        if ch in text:
            text = text.replace(ch, "")
    return text


def _birth_date(yyyymmdd: str) -> date | None:
    """The calendar date spelled by eight ASCII digits, or None if there is no such day."""
    if len(yyyymmdd) != 8 or not _is_digits(yyyymmdd):
        return None
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def _has_province(number: str) -> bool:
    """Whether the first two digits are a province-level code."""
    return _is_digits(number[:2]) and int(number[:2]) in _PROVINCES


def id18_check_char(body17: str) -> str:
    """The GB 11643-1999 check character for 17 ASCII digits (raises ValueError otherwise)."""
    if len(body17) != 17 or not _is_digits(body17):
        raise ValueError("expected 17 ASCII digits")
    total = sum(map(operator.mul, map(int, body17), _ID18_WEIGHTS))  # 17 of each: checked above
    return _ID18_CHECK[total % 11]


def cn_id18(value: str, today: date | None = None) -> bool:
    """Whether value is an 18-character resident ID: province, real birth date, check character."""
    # NOTE: stdnum.cn.ric also demands that the county code existed in the birth year; real and
    # planted IDs fail that, so only the province is checked here.
    number = _without(value, " -")
    if len(number) != 18 or not _is_digits(number[:17]) or number[17] not in "0123456789Xx":
        return False
    birth = _birth_date(number[6:14])
    latest = today or date.today()
    if birth is None or not _EARLIEST_BIRTH <= birth <= latest:
        return False
    return _has_province(number) and id18_check_char(number[:17]) == number[17].upper()


def cn_id15(value: str) -> bool:
    """Whether value is a legacy 15-digit resident ID: province, real 19YYMMDD birth date."""
    number = _without(value, " -")
    if len(number) != 15 or not _is_digits(number):
        return False
    # The 15-digit form (issued until 1999) has no check digit and a two-digit year in the 1900s.
    return _has_province(number) and _birth_date("19" + number[6:12]) is not None


def _luhn_sum(digits: str) -> int:
    """The Luhn sum, doubling every second digit from the right."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total


def luhn_check_digit(body: str) -> str:
    """The digit that makes body + digit pass the Luhn check (raises ValueError on non-digits)."""
    if not _is_digits(body):
        raise ValueError("expected ASCII digits")
    return str(-_luhn_sum(body + "0") % 10)


def luhn(value: str) -> bool:
    """Whether value is 16-19 digits (spaces/hyphens ignored) passing the Luhn check."""
    number = _without(value, " -")
    if not 16 <= len(number) <= 19 or not _is_digits(number):
        return False
    # A run of one digit (0000…, 5555…) is a placeholder, whatever its checksum says.
    return len(set(number)) > 1 and _luhn_sum(number) % 10 == 0


def bank_card(value: str) -> bool:
    """Whether value passes luhn and starts with an issuer prefix common in China."""
    return _without(value, " -").startswith(_CARD_PREFIXES) and luhn(value)


def _phone_digits(value: str) -> str:
    """Value without separators and parentheses, ASCII or fullwidth."""
    return _without(value, " -()（）")


def cn_mobile(value: str) -> bool:
    """Whether value is an 11-digit mainland mobile number, optionally after +86/0086/86."""
    number = _phone_digits(value)
    for prefix in _PHONE_PREFIXES:
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    return _MOBILE.fullmatch(number) is not None


def cn_landline(value: str) -> bool:
    """Whether value is a fixed-line number: 0 + area code + 7-8 digit local number."""
    number = _phone_digits(value)
    # From abroad the trunk 0 is dropped: +86 21 5678 1234 is 021 5678 1234.
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = "0" + number[len(prefix) :]
            break
    return _LANDLINE.fullmatch(number) is not None


def cn_uscc(value: str) -> bool:
    """Whether value is a valid 统一社会信用代码 (GB 32100-2015 check character)."""
    # NOTE: imported at the first code to check: stdnum brings ssl and socket along, ~20 ms of
    # every start-up.
    from stdnum.cn import uscc

    # NOTE: stdnum maps fullwidth characters to ASCII before checking; we want them rejected.
    return value.isascii() and bool(uscc.is_valid(value))


def cn_passport(value: str) -> bool:
    """Whether value has the shape of a PRC passport number (E/G/P/S/D series)."""
    return _PASSPORT.fullmatch(value) is not None


def email(value: str) -> bool:
    """Whether value looks like local@domain.tld with an alphabetic TLD of two or more letters."""
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None


# -- names and addresses (context-found values: the rules supply the context) -------------------
def _surnames() -> tuple[frozenset[str], tuple[str, ...]]:
    """Single and compound surnames from rules/surnames.txt (its header cites the source)."""
    single: set[str] = set()
    compound: list[str] = []
    in_compound = False
    for line in (default_rules_dir() / "surnames.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# compound"):
            in_compound = True
        elif line.strip() and not line.startswith("#"):
            if in_compound:
                compound.append(line.strip())
            else:
                single.update(line.strip())
    return frozenset(single), tuple(compound)


SURNAMES, COMPOUND_SURNAMES = _surnames()
_NOT_NAMES = ("某", "×", "X", "x", "＊", "*", "○", "□")
_NAME_WORDS = {
    "合计",
    "小计",
    "总计",
    "共计",
    "备注",
    "单位",
    "部门",
    "科室",
    "同志",
    "先生",
    "女士",
}


# A place, an organ or a role, not a person: 杨行镇, 申请人, 宝山区, 审计局.
_NOT_NAME_ENDS = tuple("镇乡村区县市省州路街道局委办厅处科室站所院校馆队人者员等们")


def person_name(value: str) -> bool:
    """2-4 Chinese characters starting with a known surname; not a placeholder (张某, ×××)."""
    name = value.strip()
    if not 2 <= len(name) <= 4 or any(c in name for c in _NOT_NAMES) or name in _NAME_WORDS:
        return False
    if name.endswith(_NOT_NAME_ENDS):
        return False
    if not all("\u4e00" <= c <= "\u9fff" for c in name):
        return False
    if name.startswith(COMPOUND_SURNAMES):
        return len(name) >= 3
    return name[0] in SURNAMES


_ADDRESS_UNITS = re.compile(r"[省市区县镇乡村路街道巷弄号室栋幢楼组屯]|小区|社区|胡同")
_ADDRESS_PLACEHOLDERS = ("略", "不详", "无", "×", "某")


def address(value: str) -> bool:
    """A place with at least two address units (市…路…号), not a placeholder (略, 不详)."""
    text = value.strip()
    if len(text) < 4 or any(text.startswith(p) for p in _ADDRESS_PLACEHOLDERS):
        return False
    return len(_ADDRESS_UNITS.findall(text)) >= 2


_NAME_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def person_names(value: str) -> bool:
    """A list of people (李修订、王批注): at least one item is a person's name."""
    return any(person_name(part) for part in _NAME_LIST_SEPARATORS.split(value) if part)


def corporate_account(value: str) -> bool:
    """A 9-25 digit account that is not a personal card (company accounts are not Luhn numbers)."""
    digits = _without(value, " -")
    return _is_digits(digits) and 9 <= len(digits) <= 25 and not bank_card(digits)


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "cn_id18": cn_id18,
    "cn_id15": cn_id15,
    "luhn": luhn,
    "bank_card": bank_card,
    "cn_mobile": cn_mobile,
    "cn_landline": cn_landline,
    "cn_uscc": cn_uscc,
    "cn_passport": cn_passport,
    "email": email,
    "person_name": person_name,
    "address": address,
    "corporate_account": corporate_account,
    "person_names": person_names,
}
