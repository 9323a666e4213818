"""GB/T 9704-2012 structure of an official document (公文): its head (版头) and tail (版记).

Works on Extracted text only: it finds where the head ends (the title), and reads 份号, 密级和
保密期限, 紧急程度, 发文机关标志, 发文字号, 签发人, 标题, 主送机关, 成文日期, 附注, 署名 and
印发机关和印发日期, each with its span in the text, so findings can point at them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from review_flow.extract.model import Extracted, Where
from review_flow.lines import Line, LineIndex, Span

HEAD_MAX_LINES = 14  # GB/T 9704 版头 + 标题 fit on the first page: a few lines, not pages
TAIL_LINES = 16
PAGE_TOP_LINES = 3  # a PDF repeats a page header on the first lines of each page


class Cue:
    """A regex and the literals one of which every match holds.

    NOTE: most lines hold none of them, and `in` runs in C: the head parse asks ~50 questions
    of each short document (measured on the bench's single 公文: 89 → 74 µs each).
    """

    __slots__ = ("needs", "regex")

    def __init__(self, pattern: str, needs: tuple[str, ...]) -> None:
        self.regex = re.compile(pattern)
        self.needs = needs

    def may_match(self, text: str) -> bool:
        for literal in self.needs:  # NOTE: any() over a generator costs more than the regex
            if literal in text:
                return True
        return not self.needs

    def search(self, text: str) -> re.Match[str] | None:
        # NOTE: the literal test written out: a call to may_match() cost as much as the test
        # itself, and search() runs ~40 times per document.
        for literal in self.needs:
            if literal in text:
                return self.regex.search(text)
        return None if self.needs else self.regex.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self.regex.match(text) if self.may_match(text) else None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.regex.fullmatch(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())


DIGIT = "0-9０-９"
STAR = "★☆*＊"
LEVELS = ("绝密", "机密", "秘密")
MAX_TERM_YEARS = {"绝密": 30, "机密": 20, "秘密": 10}

MARKING_RE = Cue(
    rf"(?P<level>绝\s{{0,2}}密|机\s{{0,2}}密|秘\s{{0,2}}密|[×xX□○Ｘ]密)\s*(?P<star>[{STAR}])\s*"
    rf"(?P<term>长期|启用前|解密条件[^\n，。；]{{0,30}}|"
    rf"(?P<date>[{DIGIT}]{{4}}\s*年\s*[{DIGIT}]{{1,2}}\s*月\s*[{DIGIT}]{{1,2}}\s*日)|"
    rf"(?P<years>[{DIGIT}]{{1,3}}|[×xX]{{1,2}}|[一二三四五六七八九十半]{{1,3}})\s*年)?",
    needs=("密",),
)
LEVEL_FIELD_RE = Cue(
    r"(?:密\s*级|机密等级|保密等级|密级等级)\s*[：:]\s*(?P<level>绝密|机密|秘密)(?:\s*[★☆*＊])?",
    needs=("密",),
)
BARE_LEVEL_RE = Cue(
    r"^\s*(?P<level>绝密|机密|秘密)\s*$",
    needs=("密",),
)
COPY_NUMBER_RE = Cue(
    rf"^\s*(?:(?:份号|编号)\s*[：:]?\s*|第)?(?P<num>[{DIGIT}]{{6}})(?:号)?\s*$",
    needs=(),
)
URGENCY_RE = Cue(
    r"(?<![\u4e00-\u9fff])(?P<u>特\s*急|加\s*急|特\s*提|平\s*急)(?![\u4e00-\u9fff])",
    needs=("急", "提"),
)
DOC_NUMBER_RE = Cue(
    rf"(?P<code>[\u4e00-\u9fff]{{1,12}}?)\s*[〔\[［(（【]\s*(?P<year>[{DIGIT}]{{4}}|[{DIGIT}×xX]{{2}}[×xX]{{2}})\s*"
    rf"[〕\]］)）】]\s*(?P<first>第)?\s*(?P<serial>[{DIGIT}]{{1,5}}|[×xX]{{1,3}})?\s*号",
    needs=("号",),
)
SIGNER_RE = Cue(
    r"签\s*发\s*人[：:]\s*(?P<name>[\u4e00-\u9fff·]{2,8}(?:\s+[\u4e00-\u9fff·]{2,8})*)",
    needs=("签",),
)
RECIPIENT_RE = Cue(
    r"^[\u4e00-\u9fff、，,（）()\s]{2,80}[：:]\s*$",
    needs=("：", ":"),
)
TITLE_KINDS = (
    "通知", "通告", "公告", "决定", "决议", "意见", "报告", "请示", "批复", "函", "纪要", "方案",
    "办法", "规定", "细则", "规划", "计划", "要点", "命令", "令", "议案", "公报", "指引", "预算",
    "决算", "说明", "公示", "通报", "决定书", "答复书", "告知书",
)  # fmt: skip
TITLE_RE = Cue(
    rf"(关于|的)[^\n]{{0,80}}({'|'.join(TITLE_KINDS)})$",
    needs=("关于", "的"),
)


class DateCue(Cue):
    """A Cue for 成文日期, whose match starts 4 characters (and any spaces) before its 年.

    NOTE: a search tries the regex at every position of a line; trying it once per 年, where
    a match would start, finds the same first match at a fraction of the cost (an 80-character
    body line that mentions a year: 6.8 → ~1 µs).
    """

    __slots__ = ()

    def search(self, text: str) -> re.Match[str] | None:
        at = text.find("年")
        while at >= 0:
            start = len(text[:at].rstrip()) - 4  # the year's 4 characters are not spaces
            m = self.regex.match(text, start) if start >= 0 else None
            if m:
                return m
            at = text.find("年", at + 1)
        return None


CN_DATE_RE = DateCue(
    rf"(?P<y>[{DIGIT}]{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*"
    rf"(?P<m>[{DIGIT}]{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*"
    rf"(?P<d>[{DIGIT}]{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日",
    needs=("年",),
)
NOTE_RE = Cue(
    r"[（(]\s*此件(?P<what>公开发布|主动公开|依申请公开|不予公开|不公开|"
    r"发至(?:[^（）()]|[（(][^（）()]*[）)]){1,24})\s*[）)]",
    needs=("此件",),
)
PRINTED_RE = Cue(
    r"(?P<organ>[\u4e00-\u9fff（）()]{2,40})\s+(?P<date>.{6,16}?)\s*印发",
    needs=("印发",),
)
ISSUER_MARK_RE = Cue(
    r"^\s*(?P<organ>[\u4e00-\u9fff（）()、\s]{2,60}?)\s*文\s*件\s*$",
    needs=("件",),
)

CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


@dataclass(frozen=True, slots=True)
class Marking:
    """密级和保密期限 as written: level, term, and what is wrong with it (if anything)."""

    level: str
    term: str
    span: Span
    in_position: bool  # head region, page header/footer, or a line of its own
    is_placeholder: bool = False
    problem: str = ""


@dataclass(frozen=True, slots=True)
class DocNumber:
    """发文字号: 机关代字, 年份, 发文顺序号, and whether its form is the standard one."""

    code: str
    year: str
    serial: str
    span: Span
    standard_form: bool


@dataclass(frozen=True, slots=True)
class OfficialDocument:
    """The parsed head and tail; every field is optional because many files are not 公文."""

    head_end: int = 0  # text offset where the head region ends (start of the title line)
    copy_number: Span | None = None
    markings: tuple[Marking, ...] = ()
    urgency: Span | None = None
    issuer_marks: tuple[Span, ...] = ()
    doc_number: DocNumber | None = None
    signer: Span | None = None
    title: Span | None = None
    recipients: Span | None = None
    signatures: tuple[Span, ...] = ()
    date: Span | None = None
    note: Span | None = None
    printed: Span | None = None
    head_lines: tuple[Line, ...] = field(default=(), repr=False)
    running_lines: tuple[Line, ...] = field(default=(), repr=False)

    def to_json(self, written: Callable[[Span], str] | None = None) -> dict[str, object]:
        """The head fields; `written` gives a span's text as the file has it, when the parse
        read a normalised copy."""
        text = written or _span_value

        def val(span: Span | None) -> str | None:
            return text(span) if span else None

        return {
            "doc_number": text(self.doc_number.span) if self.doc_number else None,
            "issuer": list(dict.fromkeys(map(text, self.issuer_marks))) or None,
            "title": val(self.title),
            "date": val(self.date),
            "marking": text(self.markings[0].span) if self.markings else None,
            "copy_number": val(self.copy_number),
            "urgency": val(self.urgency),
            "signer": val(self.signer),
            "recipients": val(self.recipients),
            "signatures": list(dict.fromkeys(map(text, self.signatures))) or None,
            "note": val(self.note),
            "printed": val(self.printed),
        }


def _span_value(span: Span) -> str:
    return span.value


FLOW = (Where.BODY, Where.TABLE, Where.TEXTBOX, Where.PAGE, Where.INVISIBLE)
RUNNING = (Where.HEADER, Where.FOOTER)
FLOW_FIRST = HEAD_MAX_LINES + 4  # the head window, and the 主送机关 lines under its title
FLOW_LAST = TAIL_LINES * 2  # 附注 is looked for this far up from the end


def parse(extracted: Extracted, lines: LineIndex | None = None) -> OfficialDocument:
    """Read the GB/T 9704 head and tail of an extracted document (`lines`: its LineIndex)."""
    lines = LineIndex(extracted) if lines is None else lines
    flow = _flow(lines)
    head, title_lines = _head_region(flow)
    title = _join(title_lines)
    head_end = title.start if title else (head[-1].end if head else 0)
    running = _running(lines)
    markings = _markings(lines, head, running)
    doc_number = _doc_number(head)
    tail = flow[-TAIL_LINES:] if len(flow) > len(head) else []
    text = lines.text
    date_span = _last([ln for ln in tail if "印发" not in ln.text], CN_DATE_RE, text)
    top = [ln for ln in running if ln.container == Where.HEADER] + head
    return OfficialDocument(
        head_end=head_end,
        copy_number=_first(top, COPY_NUMBER_RE, "num"),
        markings=markings,
        urgency=_first(top + running, URGENCY_RE, "u"),
        issuer_marks=tuple(_issuer_marks(head)),
        doc_number=doc_number,
        signer=_first(head, SIGNER_RE, "name"),
        title=title,
        recipients=_recipients(flow, title_lines[-1] if title_lines else None),
        signatures=tuple(_signatures(tail)),
        date=date_span,
        note=_last(flow[-TAIL_LINES * 2 :], NOTE_RE, text),
        printed=_last(tail, PRINTED_RE, text),
        head_lines=tuple(head),
        running_lines=tuple(running),
    )


def _flow(lines: LineIndex) -> list[Line]:
    """The running-text lines parse() reads: all of them, or the first and the last ones.

    A long document's middle is left out: the head, the title, the 主送机关 and the tail
    are all within FLOW_FIRST lines of the start or FLOW_LAST lines of the end.
    """
    first: list[Line] = []
    for line in lines.forward():
        if line.container in FLOW:
            first.append(line)
            if len(first) == FLOW_FIRST:
                break
    else:
        return first
    last: list[Line] = []
    for line in lines.backward():
        if line.start <= first[-1].start:
            break  # NOTE: a short document's last lines are among its first ones
        if line.container in FLOW:
            last.append(line)
            if len(last) == FLOW_LAST:
                break
    last.reverse()
    return first + last


def _head_region(flow: list[Line]) -> tuple[list[Line], list[Line]]:
    """Lines of the 版头 and the lines of the title (a title often spans two or three lines).

    The title is the first title-like line near the top together with the lines between it and
    the 发文字号. Without a title the head runs to the 发文字号, or over the leading lines that
    are head elements (份号, 密级, 紧急程度, 发文机关标志, 签发人). Plain text has no head.
    """
    window = flow[:HEAD_MAX_LINES]
    for i, line in enumerate(window):
        text = line.text.strip()
        # NOTE: TITLE_RE ends with a kind of 公文 at the end of the line; asking that first
        # spares the regex most lines (it backtracks over up to 80 characters per 关于 or 的).
        if (
            len(text) <= 60
            and text.endswith(TITLE_KINDS)
            and TITLE_RE.search(text)
            and not DOC_NUMBER_RE.search(text)
        ):
            before = window[:i]
            if not all(len(ln.text.strip()) <= 40 for ln in before):  # 版头 lines are short
                return _leading_head(before), [line]
            first = _title_start(before, text)
            return before[:first], [*before[first:], line]
    for i, line in enumerate(window):
        if DOC_NUMBER_RE.search(line.text) and len(line.text.strip()) <= 40:
            return window[: i + 1], window[i + 1 : i + 2]
    return _leading_head(window), []


def _title_start(before: list[Line], title_end: str) -> int:
    """Index in `before` where the title begins: after the 发文字号 (or 签发人), at most 3 up."""
    numbers = [i for i, ln in enumerate(before) if DOC_NUMBER_RE.search(ln.text)]
    if not numbers:  # no 版头: the lines above continue a title that did not start with 关于
        start = len(before)
        if title_end.startswith("关于"):
            return start
        while start > 0 and len(before) - start < 2 and _is_title_part(before[start - 1].text):
            start -= 1
        return start
    last = max(i for i, ln in enumerate(before) if i >= numbers[-1] and _is_head_element(ln.text))
    return last + 1 if len(before) - last - 1 <= 3 else len(before)


WEN_JIAN_RE = Cue(
    r"^\s*文\s*件\s*$",
    needs=("件",),
)
HEAD_ELEMENTS = (
    COPY_NUMBER_RE,
    LEVEL_FIELD_RE,
    BARE_LEVEL_RE,
    ISSUER_MARK_RE,
    SIGNER_RE,
    DOC_NUMBER_RE,
    WEN_JIAN_RE,
)


def _is_head_element(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) > 40:
        return False
    if MARKING_RE.search(stripped) or any(r.search(stripped) for r in HEAD_ELEMENTS):
        return True
    return bool(URGENCY_RE.fullmatch(stripped))


def _is_title_part(text: str) -> bool:
    stripped = text.strip()
    return (
        0 < len(stripped) <= 40
        and not _is_head_element(stripped)
        and not _looks_like_organ(stripped)
        and stripped[-1] not in "。：:；;，,"
    )


def _leading_head(lines: list[Line]) -> list[Line]:
    head = []
    for line in lines:
        if not (_is_head_element(line.text) or _looks_like_organ(line.text)):
            break
        head.append(line)
    return head


def _join(lines: list[Line]) -> Span | None:
    """One span over consecutive lines; its value drops the line breaks."""
    if not lines:
        return None
    value = "".join(ln.text.strip() for ln in lines)
    return Span(value, lines[0].start + lines[0].text.index(lines[0].text.strip()), lines[-1].end)


def _running(lines: LineIndex) -> list[Line]:
    """Page header/footer lines, and the first lines of each PDF page."""
    if lines.paged:
        return lines.page_tops(PAGE_TOP_LINES, RUNNING)
    out: list[Line] = []
    seen: set[int] = set()
    for seg in [s for s in lines.segments if s.container in RUNNING]:
        start = lines.text.rfind("\n", 0, seg.start) + 1
        for ln in lines.forward(start):
            if ln.start >= seg.end:
                break
            if ln.container in RUNNING and ln.start not in seen:
                seen.add(ln.start)
                out.append(ln)
    return out


def _markings(lines: LineIndex, head: list[Line], running: list[Line]) -> tuple[Marking, ...]:
    """Every 密级 marking in the text, with whether it stands where a marking stands."""
    position = {ln.start for ln in head} | {ln.start for ln in running}
    found: list[Marking] = []

    def may_hold(raw: str, start: int) -> bool:  # a cheap test before a Line is built
        return start in position or len(raw) <= 40 or any(star in raw for star in STAR)

    for line in lines.holding("密", may_hold):  # every marking form holds 密
        if line.container in (Where.PROPERTY, Where.COMMENT, Where.DELETED):
            continue
        in_position = line.start in position
        for m in MARKING_RE.finditer(line.text):
            own_line = not line.text[: m.start()].strip(" \t　") or _is_head_cell(line, m)
            found.append(_marking(line, m, in_position or own_line))
        if in_position or len(line.text.strip()) <= 12:
            for regex in (LEVEL_FIELD_RE, BARE_LEVEL_RE):
                field_match = regex.search(line.text)
                if field_match and not MARKING_RE.search(line.text):
                    span = line.span(field_match)
                    found.append(Marking(field_match.group("level"), "", span, in_position))
    return tuple(found)


def _is_head_cell(line: Line, m: re.Match[str]) -> bool:
    """A marking at the start of a table cell (layout tables in red-header templates)."""
    before = line.text[: m.start()]
    return before.endswith("\t") or before.rstrip(" 　").endswith("\t")


def _marking(line: Line, m: re.Match[str], in_position: bool) -> Marking:
    level, term = re.sub(r"\s", "", m.group("level")), (m.group("term") or "").strip()
    placeholder = level not in LEVELS or bool(term and re.search(r"[×xX]", term))
    problem = ""
    years = m.group("years")
    if years and not placeholder and years.translate(FULLWIDTH_DIGITS).isdigit():
        n = int(years.translate(FULLWIDTH_DIGITS))
        if n == 0 or n > MAX_TERM_YEARS[level]:
            limit = MAX_TERM_YEARS[level]
            problem = f"保密期限 {n} 年 is impossible for {level} (legal maximum {limit} 年)"
    if not m.group("term") and m.group("star"):
        term = ""
    return Marking(level, term, line.span(m), in_position, placeholder, problem)


FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _doc_number(head: list[Line]) -> DocNumber | None:
    for line in head:
        m = DOC_NUMBER_RE.search(line.text)
        if m:
            bracket = line.text[m.end("code") : m.start("year")].strip()
            standard = bracket.startswith("〔") and not m.group("first")
            return DocNumber(
                m.group("code"), m.group("year"), m.group("serial") or "", line.span(m), standard
            )
    return None


def _issuer_marks(head: list[Line]) -> list[Span]:
    """发文机关标志: a line ending in 文件, or an organ line above the 发文字号/title."""
    marks: list[Span] = []
    for line in head:
        m = ISSUER_MARK_RE.match(line.text)
        if m:
            marks += _organs(line.span(m, "organ"))
        elif _looks_like_organ(line.text) and not DOC_NUMBER_RE.search(line.text):
            stripped = line.text.strip()
            offset = line.text.index(stripped)
            span = Span(stripped, line.start + offset, line.start + offset + len(stripped))
            marks += _organs(span)
    return marks


ORGAN_PART_RE = re.compile(r"[^\s、]+")


def _organs(span: Span) -> list[Span]:
    """The organs of one mark line: joint issuers share a line (区委办公室 区政府办公室)."""
    parts = [(m.start(), m.end()) for m in ORGAN_PART_RE.finditer(span.value)]
    if len(parts) < 2 or not all(_looks_like_organ(span.value[a:b]) for a, b in parts):
        return [span]
    return [Span(span.value[a:b], span.start + a, span.start + b) for a, b in parts]


ORGAN_ENDS = (
    "委员会", "人民政府", "政府", "办公室", "办公厅", "局", "厅", "委", "部", "院", "署", "会",
    "党组", "党委", "纪委", "中心", "公司", "分公司",
)  # fmt: skip


def _looks_like_organ(text: str) -> bool:
    # NOTE: endswith(), not a regex search with $: the same answer (no line break is left at
    # the end), without the search trying each 局, 会, 部 ... of the line.
    stripped = text.strip().replace(" ", "").replace("　", "")
    return 4 <= len(stripped) <= 40 and stripped.endswith(ORGAN_ENDS) and "\t" not in text


def _recipients(flow: list[Line], title: Line | None) -> Span | None:
    if title is None:
        return None
    idx = next((i for i, ln in enumerate(flow) if ln is title), None)
    for line in flow[idx + 1 : idx + 4] if idx is not None else []:
        if RECIPIENT_RE.match(line.text):
            stripped = line.text.strip().rstrip("：:")
            offset = line.text.index(stripped)
            return Span(stripped, line.start + offset, line.start + offset + len(stripped))
    return None


def _signatures(tail: list[Line]) -> list[Span]:
    """署名: organ lines right above the 成文日期 at the end of the body."""
    spans = []
    dated = [i for i, line in enumerate(tail) if "年" in line.text]  # NOTE: as CN_DATE_RE.needs
    for i in dated:
        line = tail[i]
        if CN_DATE_RE.search(line.text) and not PRINTED_RE.search(line.text):
            for above in tail[max(0, i - 3) : i]:
                if _looks_like_organ(above.text):
                    stripped = above.text.strip()
                    offset = above.text.index(stripped)
                    spans.append(
                        Span(stripped, above.start + offset, above.start + offset + len(stripped))
                    )
    return spans


def _first(lines: list[Line], regex: Cue, group: str | int = 0) -> Span | None:
    for line in lines:
        m = regex.search(line.text)
        if m:
            return line.span(m, group)
    return None


def _last(lines: list[Line], regex: Cue, text: str) -> Span | None:
    """The last match in `lines` of `text`.

    NOTE: one look at the stretch of text the lines cover rules out most regexes (附注 and
    印发 are rare), without a question per line.
    """
    if not lines or not regex.may_match(text[lines[0].start : lines[-1].end]):
        return None
    for line in reversed(lines):
        matches = list(regex.finditer(line.text))
        if matches:
            return line.span(matches[-1])
    return None


def parse_cn_date(value: str) -> date | None:
    """成文日期 in Arabic or Chinese numerals (二〇二四年三月十五日) → date, or None."""
    m = CN_DATE_RE.search(value)
    if not m:
        return None
    try:
        return date(_cn_int(m.group("y")), _cn_int(m.group("m")), _cn_int(m.group("d")))
    except ValueError:
        return None


def _cn_int(raw: str) -> int:
    raw = raw.translate(FULLWIDTH_DIGITS)
    if raw.isdigit():
        return int(raw)
    if len(raw) == 4:  # 二〇二四: digit by digit
        return int("".join(str(CN_NUM[c]) for c in raw))
    if raw.startswith("十"):  # 十, 十五
        return 10 + (CN_NUM[raw[1]] if len(raw) > 1 else 0)
    if "十" in raw:  # 二十, 二十五
        tens, _, ones = raw.partition("十")
        return CN_NUM[tens] * 10 + (CN_NUM[ones] if ones else 0)
    return CN_NUM[raw]
