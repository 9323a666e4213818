"""Names and home addresses wherever a person appears: next to a cue word (王建国同志,
我叫李明, 张三的电话), in a table column whose cells are names, and addresses built of
administrative divisions and road/弄/号/室 structure.

Part-of-speech tags (jieba `nr`) are a signal, checked against the surname list: jieba also
tags 杜绝 as a name. Masked values (王某某) and placeholders are never names.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from review_flow.extract.model import Where
from review_flow.scan.anchors import anchored_matches, split_by_prefix
from review_flow.scan.document import Cell, ScannedDocument
from review_flow.scan.hits import Hit, severity_at
from review_flow.scan.rules import Rule
from review_flow.scan.segmenter import Tagger, may_start_a_name
from review_flow.scan.validators import address, person_name

NAME_REACH = 6  # characters of text tagged on the far side of a cue
COLUMN_SHARE = 0.6  # a column is a names column when this share of its cells are names
COLUMN_MIN = 2


CUES = (("after_regex", "before"), ("strong_after_regex", "before"), ("before_regex", "after"))
CUE_PARAMS = (*(key for key, _ in CUES), "roll_regex")


def cue_anchor(rule_id: str, key: str) -> str:
    """The anchor name under which the keyword automaton reports a cue pattern's prefixes."""
    return f"{rule_id}:{key}"


def cue_matches(rule: Rule, doc: ScannedDocument, key: str) -> Iterator[re.Match[str]]:
    """The matches of the rule's cue pattern `key`, in order of their start.

    Its literal-led alternatives are tried only where the keyword automaton saw their prefixes
    (anchors.split_by_prefix); the others by a finditer of their own.
    """
    pattern, text = rule.params[key], doc.text
    starts = doc.anchors.get(cue_anchor(rule.id, key))
    if starts is None:
        return _compiled(pattern).finditer(text)
    split = split_by_prefix(pattern)
    parts: list[Iterator[re.Match[str]]] = []
    if split.anchored is not None:
        parts.append(anchored_matches(split.anchored, text, starts))
    parts.extend(regex.finditer(text) for regex in split.rest)
    if len(parts) == 1:
        return parts[0]
    # NOTE: a stable sort of all the matches orders them as heapq.merge does (ties keep the
    # parts' order) at a third of its cost: merge pays a Python step per match.
    return iter(sorted(itertools.chain.from_iterable(parts), key=_match_start))


def _match_start(m: re.Match[str]) -> int:
    return m.start()


def person_hits(rule: Rule, doc: ScannedDocument) -> Iterator[Hit]:
    """A name standing right before an `after` cue or right after a `before` cue."""
    text, tagger = doc.text, doc.tagger
    if tagger is None:
        return
    for key, side in CUES:
        if not rule.params.get(key):
            continue
        for m in cue_matches(rule, doc, key):
            if side == "before":
                end = m.start()
                while end > 0 and text[end - 1] in " \t":
                    end -= 1  # 王小明 男, 王小明\t310113…: the name ends before the gap
                span = _valid(text, tagger.name_before(text, end))
            else:
                span = _valid(text, tagger.name_after(text, m.end()))
            if span is None or doc.container_at(span[0]) is Where.PROPERTY:
                continue  # a file's authors are personal_data.property_author's
            yield Hit(rule, span[0], span[1], rule.severity, rule.message, (_cue(m.group()),))
    listed = rule.params.get("list_regex")
    if listed:
        yield from _listed(rule, doc, tagger, _compiled(listed))
    if rule.params.get("roll_regex"):
        yield from _roll(rule, doc, cue_matches(rule, doc, "roll_regex"))


def _valid(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    return span if span is not None and person_name(text[span[0] : span[1]]) else None


NAME_ITEM = re.compile(r"[\u4e00-\u9fff]{2,4}")
ROLL_STOP = re.compile(r"[。；;\n]")


def _roll(rule: Rule, doc: ScannedDocument, cues: Iterator[re.Match[str]]) -> Iterator[Hit]:
    """A roll of names after a cue (参会人员：钱军、段勇、皇甫瑶): every item that is a name."""
    text = doc.text
    for m in cues:
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
    """A list of names (张伟、王芳、李娜): every item must be a name, the first ending at its
    mark and the last starting after one; one item that is not (侍中、侍郎郭攸之、费祎) and the
    chain is prose, not a list of people."""
    text = doc.text
    for marks in _chains(text, joiner):
        # NOTE: cheap tests first: every later item opens with a surname, the middle ones are
        # 2-4 characters long; most chains in a 公文 (工作目标、主要任务) fail here.
        if not all(may_start_a_name(text, m + 1) for m in marks):
            continue
        if any(not 2 <= b - a - 1 <= 4 for a, b in itertools.pairwise(marks)):
            continue
        if doc.container_at(marks[0]) is Where.PROPERTY:
            continue
        first = tagger.name_before(text, marks[0])
        last = tagger.name_after(text, marks[-1] + 1) if first is not None else None
        if first is None or last is None:
            continue  # NOTE: the ends are asked first: most chains are lists of things
        spans = [
            first,
            *(_whole_item(text, tagger, a + 1, b) for a, b in itertools.pairwise(marks)),
        ]
        spans.append(last)
        if all(s is not None and person_name(text[s[0] : s[1]]) for s in spans):
            for span in spans:
                assert span is not None
                yield Hit(rule, span[0], span[1], rule.severity, rule.message, ("、",))


def _chains(text: str, joiner: re.Pattern[str]) -> Iterator[list[int]]:
    """The list marks of each chain of Han items (甲、乙、丙): marks with only Han between."""
    chain: list[int] = []
    for m in joiner.finditer(text):
        at = m.start()
        if chain and not _all_han(text, chain[-1] + 1, at):
            yield chain
            chain = []
        chain.append(at)
    if chain:
        yield chain


def _all_han(text: str, start: int, end: int) -> bool:
    return end > start and _HAN_ONLY.fullmatch(text, start, end) is not None


_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")


def _whole_item(text: str, tagger: Tagger, start: int, end: int) -> tuple[int, int] | None:
    """A middle item of a list, if the whole of it is a name."""
    value = text[start:end]
    return (start, end) if 2 <= len(value) <= 4 and tagger.is_name(value) else None


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
    for m in _address_matches(rule.regex, text):
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
    if rule.params.get("wrap") == "true" and doc.extracted.format == "pdf":
        yield from _wrapped_addresses(rule, doc, places)  # narrow columns are a PDF's


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


_NUMBERED = re.compile(r"[0-9一二三四五六七八九十百零\u3007](?:号|弄|栋|幢|座)")
ADDRESS_REACH = 60
_DIVISION_MARK = re.compile(r"[省市区县旗镇乡]|街道")


def _address_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The regex's matches, searched only in a window before each numbered unit (12号, 5弄,
    3栋): every address holds one, and the divisions stand at most ADDRESS_REACH before it."""
    done = 0
    for unit in _NUMBERED.finditer(text):
        # NOTE: the line's start is looked for only within reach: a table printed as one long
        # line made rfind over the whole line the costliest step (12 µs a unit).
        lo = max(done, unit.start() - ADDRESS_REACH)
        start = max(lo, text.rfind("\n", lo, unit.start()) + 1)
        end = text.find("\n", unit.end())
        end = len(text) if end < 0 else min(end, unit.end() + ADDRESS_REACH)
        if not _DIVISION_MARK.search(text, start, unit.start()):
            continue  # no 省/市/区/县/镇/乡/街道 before the number: a 文号 or a count
        for m in regex.finditer(text, start, end):
            if m.start() >= done:
                done = m.end()
                yield m


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
