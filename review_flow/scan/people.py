"""Names and home addresses wherever a person appears: next to a cue word (王建国同志,
我叫李明, 张三的电话), in a table column whose cells are names, and addresses built of
administrative divisions and road/弄/号/室 structure.

Part-of-speech tags (jieba `nr`) are a signal, checked against the surname list: jieba also
tags 杜绝 as a name. Masked values (王某某) and placeholders are never names.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from review_flow.scan.document import Cell, ScannedDocument
from review_flow.scan.hits import Hit, severity_at
from review_flow.scan.rules import Rule
from review_flow.scan.segmenter import Tagger
from review_flow.scan.validators import address, person_name

NAME_REACH = 6  # characters of text tagged on the far side of a cue
COLUMN_SHARE = 0.6  # a column is a names column when this share of its cells are names
COLUMN_MIN = 2


def person_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """A name standing right before an `after` cue or right after a `before` cue.

    jieba's tag decides by default; beside a strong cue (`strong_after_regex`, and every
    `before` cue: 申请人, 我叫) a surname-led run is taken when jieba has no tag for it
    (马秀英|女士, 我叫|皇甫宁), as a cue that strong leaves no other reading.
    """
    text, tagger = doc.text, doc.tagger
    if tagger is None:
        return
    cues = (
        ("after_regex", "before", False),
        ("strong_after_regex", "before", True),
        ("before_regex", "after", True),
    )
    for key, side, strong in cues:
        pattern = rule.params.get(key)
        if not pattern:
            continue
        for m in _compiled(pattern).finditer(text):
            if side == "before":
                span = _valid(text, tagger.name_before(text, m.start()))
                if span is None and strong:
                    span = _valid(text, tagger.guess_before(text, m.start()))
            else:
                span = _valid(text, tagger.name_after(text, m.end()))
                if span is None and strong:
                    span = _valid(text, tagger.guess_after(text, m.end()))
            if span is None:
                continue
            yield Hit(rule, span[0], span[1], rule.severity, rule.message, (_cue(m.group()),))
    listed = rule.params.get("list_regex")
    if listed:
        yield from _listed(rule, doc, tagger, _compiled(listed))
    roll = rule.params.get("roll_regex")
    if roll:
        yield from _roll(rule, doc, _compiled(roll))


def _valid(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    return span if span is not None and person_name(text[span[0] : span[1]]) else None


NAME_ITEM = re.compile(r"[\u4e00-\u9fff]{2,4}")
ROLL_STOP = re.compile(r"[。；;\n]")


def _roll(rule: Rule, doc: ScannedDocument, cue: re.Pattern[str]) -> Iterator[Hit]:
    """A roll of names after a cue (参会人员：钱军、段勇、皇甫瑶): every item that is a name."""
    text = doc.text
    for m in cue.finditer(text):
        stop = ROLL_STOP.search(text, m.end())
        end = stop.start() if stop else len(text)
        pos = m.end()
        for item in re.finditer(r"[^、，,\s]+", text[pos:end]):
            value = item.group()
            if NAME_ITEM.fullmatch(value) and person_name(value):
                start = pos + item.start()
                yield Hit(rule, start, start + len(value), rule.severity, rule.message,
                          (_cue(m.group()),))  # fmt: skip


def _listed(
    rule: Rule, doc: ScannedDocument, tagger: Tagger, joiner: re.Pattern[str]
) -> Iterator[Hit]:
    """Names joined by 、/和: both sides must be names (郭攸之、费祎 in prose is not a list)."""
    text = doc.text
    for m in joiner.finditer(text):
        left, right = tagger.name_before(text, m.start()), tagger.name_after(text, m.end())
        if left is None or right is None:
            continue
        if person_name(text[left[0] : left[1]]) and person_name(text[right[0] : right[1]]):
            for start, end in (left, right):
                yield Hit(rule, start, end, rule.severity, rule.message, (m.group(),))


def _cue(text: str) -> str:
    """The cue as shown to a reviewer: its words, never the number beside a name."""
    return _DIGITS.sub("*", text.strip()) or "(gap)"


_DIGITS = re.compile(r"[0-9]")


def name_column_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """Cells of a column whose cells are mostly names, whatever its header says."""
    tagger = doc.tagger
    if tagger is None:
        return
    columns: dict[tuple[int, str], list[Cell]] = defaultdict(list)
    for cell in doc.cells():
        columns[(cell.column, cell.header)].append(cell)
    for (_, header), cells in columns.items():
        values = [doc.text[c.start : c.end].strip() for c in cells]
        named = [
            c for c, v in zip(cells, values, strict=True) if person_name(v) and tagger.is_name(v)
        ]
        if len(named) < COLUMN_MIN or len(named) < COLUMN_SHARE * len(cells):
            continue
        for cell in named:
            lead = len(doc.text[cell.start : cell.end]) - len(
                doc.text[cell.start : cell.end].lstrip()
            )
            value = doc.text[cell.start : cell.end].strip()
            start = cell.start + lead
            yield Hit(rule, start, start + len(value), rule.severity, rule.message, (header,))


def address_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """A home address: divisions, then road/弄/号/室, with a home cue or down to the flat."""
    assert rule.regex is not None
    places = divisions(tuple(doc.userdicts_dirs))
    home = _compiled(rule.params.get("home_regex", "住"))
    flat = _compiled(rule.params.get("flat_regex", "室"))
    office = _compiled(rule.params.get("office_regex", "办公"))
    text = doc.text
    for m in rule.regex.finditer(text):
        start, end = m.span("value")
        at = _first_place(text[start:end], places)
        if at is None:
            continue
        start += at  # the cue words the lazy prefix took (现居住在…) stay outside the value
        value = text[start:end]
        if not address(value):
            continue
        before = text[max(0, start - int(rule.params.get("reach", "12"))) : start]
        before = before[before.rfind("\n") + 1 :]  # cues on the line before are another matter
        if office.search(before) or not (home.search(before) or flat.search(value)):
            continue  # an agency's or a project's address: not a person's
        context: tuple[str, ...] = ()
        yield Hit(rule, start, end, severity_at(rule, doc, start, end, context), rule.message)
    if rule.params.get("wrap") == "true":
        yield from _wrapped_addresses(rule, doc, places)


_HEAD_PART = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:省|市|区|县|旗)[\u4e00-\u9fff]*(?=[0-9 \t]*$)", re.M
)
_TAIL_PART = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff0-9A-Za-z-]*[0-9](?:室|户|号)")


def _wrapped_addresses(rule: Rule, doc: ScannedDocument, places: frozenset[str]) -> Iterator[Hit]:
    """An address wrapped in a narrow PDF column: its head ends a line (other cells' numbers may
    follow it), its tail stands on the next line after other cells' text. Joined, it must read as
    a whole address (the rule's regex over all of it, divisions, down to the flat)."""
    assert rule.regex is not None
    text = doc.text
    flat = _compiled(rule.params.get("flat_regex", "室"))
    for head in _HEAD_PART.finditer(text):
        line_end = text.find("\n", head.end())
        if line_end < 0:
            continue
        next_end = text.find("\n", line_end + 1)
        next_end = len(text) if next_end < 0 else next_end
        tail = _TAIL_PART.search(text, line_end + 1, next_end)
        if tail is None:
            continue
        joined = head.group() + tail.group()
        m = rule.regex.fullmatch(joined)
        at = _first_place(joined, places)
        if m is None or at is None or not address(joined) or not flat.search(joined):
            continue
        message = f"{rule.message}（表格中折行，两段合为一个地址）"
        severity = rule.severity
        yield Hit(rule, head.start() + at, head.end(), severity, message, (), joined[at:])
        yield Hit(rule, tail.start(), tail.end(), severity, message, (), joined[at:])


def _first_place(value: str, places: frozenset[str]) -> int | None:
    """Where the first division name (上海市, 宝山区, 洪泽区) starts in the value, if any."""
    for i in range(len(value) - 1):
        for size in (2, 3, 4, 5, 6, 7):
            if value[i : i + size] in places:
                return i
    return None


@functools.lru_cache(maxsize=8)
def divisions(dirs: tuple[Path, ...]) -> frozenset[str]:
    """Division names from every `divisions.txt` in the rules folders (the gazetteer)."""
    names: set[str] = set()
    for folder in dirs:
        path = folder / "divisions.txt"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    names.add(line.strip())
    return frozenset(names)


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
