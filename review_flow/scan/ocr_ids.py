"""18-character runs in OCR text that are nearly a 居民身份证号 → `id_card_uncertain` (warn).

An ID misread by one character fails its check digit, and the id_card rule drops it silently.
In text OCR read, a run of 18 digits (or look-alike letters: O/0, l/I/1, S/5, B/8) whose
province and birth date hold is kept when, as read, it is not a valid ID: a person reads it on
the scan. Only OCR segments are searched: typed text says what it says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from review_flow.extract.model import Where
from review_flow.scan.document import ScannedDocument
from review_flow.scan.hits import Hit, context_seen
from review_flow.scan.rules import Rule
from review_flow.scan.validators import cn_id18, id18_check_char

# What engines print for a digit: letters of the same shape.
LOOK_ALIKES = str.maketrans("OoDQlIi|SsBZ", "000011115582")
_CHARS = "0-9OoDQlIi|SsBZ"
_RUN = re.compile(rf"(?<![0-9A-Za-z|])[{_CHARS}]{{17}}[{_CHARS}Xx](?![0-9A-Za-z|])")
MIN_DIGITS = 14  # a run with fewer real digits is a word, not a misread number


def near_valid_id(read: str) -> bool:
    """Whether `read` is one character or a few look-alikes away from a valid ID, and not one."""
    if cn_id18(read) or sum(c.isdigit() for c in read) < MIN_DIGITS:
        return False
    value = read.translate(LOOK_ALIKES)
    body = value[:17]
    if not body.isdigit() or value[17] not in "0123456789Xx":
        return False
    return cn_id18(body + id18_check_char(body))  # province and birth date hold


def ocr_id_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    if Where.OCR not in doc.wheres():
        return  # NOTE: most documents hold no OCR text: 42 ms of 630 over the bench texts
    for m in _RUN.finditer(doc.text):
        start, end = m.span()
        if doc.where_at(start)[0] != "ocr" or not near_valid_id(m.group()):
            continue
        context = context_seen(rule, doc, start, end)
        if context is not None:
            yield Hit(rule, start, end, rule.severity, rule.message, context)
