"""Microsoft Presidio set up offline for Chinese, as a user would, for bench/cli.py to compare.

spaCy's blank Chinese pipeline with its jieba segmenter (no model to download) is handed to
Presidio's spaCy engine already loaded, and the analyzer holds only three pattern recognizers:
18-digit resident ID, mainland mobile and bank card, with the patterns and checks review_flow's
rules use (rules/personal_data.toml, review_flow/scan/validators.py), written out here afresh
rather than imported, as a Presidio user would write them. Nothing from review_flow is imported.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

LANGUAGE = "zh"
# Presidio entity -> the kind review_flow reports for the same value.
KINDS = {"CN_RESIDENT_ID": "id_card", "CN_MOBILE": "mobile", "CN_BANK_CARD": "bank_card"}

ID18 = (
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
MOBILE = (
    r"(?<![0-9A-Za-z+])(?:\+86[ -]?|0086[ -]?|86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
    r"(?![0-9A-Za-z])"
)
CARD = r"(?<![0-9A-Za-z])(?:[0-9]{16,19}|[0-9]{4}(?: [0-9]{4}){3}(?: [0-9]{1,3})?)(?![0-9A-Za-z])"

ID_CONTEXT = ["身份证", "证件号", "公民身份号码", "身份号码"]
MOBILE_CONTEXT = ["手机", "电话", "联系方式", "联系人"]
CARD_CONTEXT = [
    "卡号",
    "银行卡",
    "账号",
    "帐号",
    "账户",
    "开户",
    "银行",
    "信用卡",
    "借记卡",
    "储蓄卡",
]
CARD_CONTEXT += ["转入", "汇入", "汇至", "打入"]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
    91,
}
CARD_PREFIXES = ("62", "4", "5", "35", "9")


def _digits(text: str, drop: str) -> str:
    return "".join(ch for ch in text if ch not in drop)


def valid_id18(text: str) -> bool:
    """Province code, a real birth date from 1900 to today, and the GB 11643 check character."""
    number = _digits(text, " -").upper()
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()):
        return False
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= birth <= dt.date.today() or int(number[:2]) not in PROVINCES:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17]


def valid_mobile(text: str) -> bool:
    """Eleven digits 1[3-9]…, after an optional +86, 0086 or 86."""
    number = _digits(text, " -()（）")
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    is_digits = number.isascii() and number.isdigit()
    return len(number) == 11 and is_digits and number[0] == "1" and number[1] in "3456789"


def valid_card(text: str) -> bool:
    """16-19 digits, an issuer prefix seen in China, not one digit repeated, and Luhn."""
    number = _digits(text, " -")
    if not 16 <= len(number) <= 19 or not (number.isascii() and number.isdigit()):
        return False
    if not number.startswith(CARD_PREFIXES) or len(set(number)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


class _Checked(PatternRecognizer):
    """A pattern recognizer whose matches must pass a check (Presidio drops those that fail)."""

    def __init__(self, entity: str, regex: str, context: list[str], check: Any) -> None:
        super().__init__(
            supported_entity=entity,
            name=f"{entity.lower()}_recognizer",
            supported_language=LANGUAGE,
            patterns=[Pattern(entity.lower(), regex, 0.5)],
            context=context,
        )
        self._check = check

    def validate_result(self, pattern_text: str) -> bool:
        return bool(self._check(pattern_text))


def analyzer() -> AnalyzerEngine:
    """An AnalyzerEngine for language "zh" built offline: nothing is downloaded."""
    import spacy

    nlp = spacy.blank(LANGUAGE, config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # NOTE: SpacyNlpEngine.load() would spacy.load() (and download) a named model; an engine
    # whose pipelines are already set counts as loaded, so AnalyzerEngine uses this one as is.
    engine = SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "blank_zh_jieba"}])
    engine.nlp = {LANGUAGE: nlp}
    registry = RecognizerRegistry(
        recognizers=[
            _Checked("CN_RESIDENT_ID", ID18, ID_CONTEXT, valid_id18),
            _Checked("CN_MOBILE", MOBILE, MOBILE_CONTEXT, valid_mobile),
            _Checked("CN_BANK_CARD", CARD, CARD_CONTEXT, valid_card),
        ],
        supported_languages=[LANGUAGE],
    )
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=[LANGUAGE])


def versions() -> str:
    """presidio-analyzer and spaCy versions, for the table."""
    from importlib.metadata import version

    return f"presidio-analyzer {version('presidio-analyzer')}, spaCy {version('spacy')}"
