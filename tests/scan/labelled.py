"""Seeded synthetic 公文 with planted findings and hard negatives; a scorer of scanner output."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from review_flow.scan.validators import VALIDATORS, id18_check_char, luhn_check_digit

BLOCKING = frozenset({"state_secret", "work_secret", "party_document"})
# Short strings a scanner may report for a planted value of the category. The scorer matches text,
# not offsets, so a trigger elsewhere in the same document (秘密 in 国家秘密 while 秘密★1年 is
# planted) could be credited as a recall; the generator never puts one outside a planted value.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "state_secret": ("机密", "秘密", "绝密", "★"),
    "work_secret": ("工作秘密", "秘密", "内部", "注意保存", "明电", "此件不公开", "不公开"),
    "party_document": ("中共", "党委", "区委", "党组", "委员会", "委发", "委办"),
    "commercial_secret": ("商业秘密", "技术秘密", "秘密", "报价", "成本构成", "技术参数"),
    "personal_data": (),
}


@dataclass(frozen=True, slots=True)
class Planted:
    """A value the scanner should find, with the category and kind it should report."""

    category: str
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class LabelledDoc:
    """One synthetic document, what was planted in it and the hard negatives mixed in."""

    text: str
    planted: tuple[Planted, ...]
    negatives: tuple[str, ...]
    expect_verdict: str


@dataclass(frozen=True, slots=True)
class _Piece:
    """A sentence or line, with what it plants; own_line pieces become their own paragraph."""

    text: str
    planted: tuple[Planted, ...] = ()
    negatives: tuple[str, ...] = ()
    own_line: bool = False


_GOV_ISSUERS = [  # (organ, code, printing office)
    ("上海市宝山区审计局", "宝审", "上海市宝山区审计局办公室"),
    ("上海市宝山区人民政府", "宝府", "上海市宝山区人民政府办公室"),
    ("上海市宝山区人民政府办公室", "宝府办", "上海市宝山区人民政府办公室"),
    ("上海市宝山区财政局", "宝财", "上海市宝山区财政局办公室"),
    ("上海市宝山区卫生健康委员会", "宝卫健委", "上海市宝山区卫生健康委员会办公室"),
]
_PARTY_ISSUERS = [
    ("中共上海市宝山区委员会", "宝委发"),
    ("中共上海市宝山区委办公室", "宝委办"),
    ("中共上海市宝山区审计局党组", "宝审党组"),
]
_GOV_TITLES = [
    "关于开展{year}年度区属国有企业财务收支审计工作的通知",
    "关于做好政府投资项目跟踪审计工作的通知",
    "关于印发《宝山区区级专项资金管理办法》的通知",
    "关于{year}年度区级预算执行情况的报告",
    "关于进一步加强政府采购管理的实施意见",
]
_PARTY_TITLES = [
    "关于进一步加强全区干部队伍建设的意见",
    "关于深化作风建设推动高质量发展的实施方案",
    "关于开展调查研究工作的通知",
]
_RECIPIENTS = [
    "各街道办事处、镇人民政府，区政府各委、办、局：",
    "区属各有关单位：",
    "各镇、街道，区各有关单位：",
]
_FILLER = [
    "为进一步规范区属国有企业财务管理，提高财政资金使用效益，现就有关事项通知如下。",
    "一、工作目标。坚持问题导向，聚焦重点领域和关键环节，推动审计发现问题整改落实到位。",
    "二、主要任务。各单位要对照年度预算执行情况开展自查，重点检查专项资金管理使用、"
    "政府采购执行和资产管理等方面情况。",
    "三、工作要求。各单位要高度重视，明确责任分工，按时报送自查报告和相关材料。",
    "四、时间安排。自查阶段为4月1日至4月30日，重点抽查阶段为5月1日至6月30日。",
    "全区共完成审计项目36个，查出主要问题金额1.2亿元，促进增收节支3600万元。",
    "各单位要建立健全问题整改台账，逐项明确整改责任人和完成时限。",
    "对整改不力、敷衍整改的，将按照有关规定严肃追责问责。",
    "财政部门要加强预算绩效管理，将审计结果作为安排下年度预算的重要依据。",
    "请各单位于每月5日前将工作进展情况报送区审计局。",
    "各街道、镇要结合实际，制定具体实施方案，确保各项工作有序推进。",
    "要坚持依法依规，严格执行中央八项规定精神，厉行节约，反对浪费。",
    "对审计中发现的重大违纪违法问题线索，按规定移送有关部门处理。",
    "本通知自印发之日起施行。",
]
# (the hard negative as recorded, the sentence carrying it)
_NEGATIVES = [
    ("飞机密封件", "区审计局对区属企业飞机密封件生产线技术改造项目资金使用情况开展专项审计。"),
    ("密封胶", "经抽查，该项目所用密封胶等辅材采购价格与市场价格基本一致。"),
    (
        "《中华人民共和国保守国家秘密法》",
        "根据《中华人民共和国保守国家秘密法》等规定，做好信息发布工作。",
    ),
    (
        "依法对拟公开的信息进行保密审查，防止泄露国家秘密、工作秘密",
        "各单位要依法对拟公开的信息进行保密审查，防止泄露国家秘密、工作秘密。",
    ),
    ("加强对个人隐私和商业秘密的保护", "在信息公开工作中，要加强对个人隐私和商业秘密的保护。"),
    ("除涉密和党委公文外", "除涉密和党委公文外，本机关制发的规范性文件均应主动公开。"),
    ("区委、区政府", "在区委、区政府的坚强领导下，全区审计工作取得新成效。"),
    (
        "联系电话：021-56781234，电子邮箱：bsqsj@shbs.gov.cn",
        "如有疑问，请与区审计局办公室联系（联系电话：021-56781234，电子邮箱：bsqsj@shbs.gov.cn）。",
    ),
    (
        "宝审〔2024〕9号",
        "根据《关于开展2024年度区属国有企业财务收支审计工作的通知》（宝审〔2024〕9号）要求，"
        "现将有关情况报告如下。",
    ),
    ("本办法所称机密级文件", "本办法所称机密级文件，是指依法确定为机密级的国家秘密载体。"),
]
_TABLE_NEGATIVE = "不予公开\t属于国家秘密\t0"
_GOV_CC = "抄送：区委办公室"
_WORK = "work_secret"
_COMPANIES = [
    "上海宝联机械制造有限公司",
    "上海罗泾环保科技有限公司",
    "上海月浦新材料股份有限公司",
    "上海淞南建设工程有限公司",
]
_COMMERCIAL = [  # (keyword, sentence with {company})
    ("投标报价", "经评审，{company}的投标报价为人民币3,456,000.00元。"),
    ("报价明细", "{company}提交的报价明细载明了各分项单价和数量。"),
    ("成本构成", "{company}提供的项目成本构成显示，人工成本占比为42%。"),
    ("技术秘密", "该生产工艺系{company}的技术秘密，评审专家应履行保密义务。"),
    ("核心技术参数", "{company}提交的设备核心技术参数详见附件3。"),
    ("商业秘密", "{company}已将上述投标文件标注为商业秘密。"),
]
_AREAS = ["310113", "310115", "310101", "310104", "320102", "330106", "370102", "420106", "110105"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
_GIVEN += ["秀英", "桂英", "建国", "志强", "海燕", "晓东", "雪梅", "立新", "俊杰", "婷婷"]
_PINYIN = ["zhangsan", "lisi", "wangfang", "liuyang", "chenjing", "zhaolei", "wangwei", "sunli"]
_ROADS = ["友谊路", "牡丹江路", "淞滨路", "同济路", "泰和路", "共和新路", "长江西路", "呼兰路"]
_MOBILE_PREFIXES = ["133", "135", "138", "139", "150", "158", "177", "180", "186", "189", "199"]
_CARD_BINS = ["622202", "622848", "621700", "622588", "621226"]


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of needle in text."""
    return [m.start() for m in re.finditer(f"(?={re.escape(needle)})", text)]


def stray_triggers(
    text: str, planted: Iterable[Planted], categories: Iterable[str] | None = None
) -> list[tuple[str, int]]:
    """Triggers of the planted categories that lie outside every occurrence of a planted value."""
    planted = list(planted)
    wanted = {p.category for p in planted} if categories is None else set(categories)
    strays = []
    for category in sorted(wanted):
        spans = [
            (start, start + len(p.value))
            for p in planted
            if p.category == category
            for start in _occurrences(text, p.value)
        ]
        for trigger in TRIGGERS[category]:
            strays += [
                (trigger, i)
                for i in _occurrences(text, trigger)
                if not any(s <= i and i + len(trigger) <= e for s, e in spans)
            ]
    return strays


def _fits(pieces: Sequence[_Piece]) -> bool:
    """Whether no piece has a trigger of a planted category outside its own planted values."""
    categories = {p.category for piece in pieces for p in piece.planted}
    return not any(stray_triggers(piece.text, piece.planted, categories) for piece in pieces)


def _id18(rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
    body = f"{rng.choice(_AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id18_check_char(body)


def _id15(rng: random.Random) -> str:
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    return f"{rng.choice(_AREAS)}{birth:%y%m%d}{rng.randrange(1000):03d}"


def _mobile(rng: random.Random) -> str:
    m = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    a, b, c = m[:3], m[3:7], m[7:]
    forms = [m, f"{a}-{b}-{c}", f"{a} {b} {c}", f"+86 {m}", f"+86-{a}-{b}-{c}", f"+86{m}"]
    return rng.choice([*forms, f"0086 {m}", f"+86 {a} {b} {c}"])


def _bank_card(rng: random.Random) -> str:
    body = rng.choice(_CARD_BINS) + f"{rng.randrange(10**12):012d}"
    number = body + luhn_check_digit(body)
    groups = [number[i : i + 4] for i in range(0, 19, 4)]
    return " ".join(groups) if rng.random() < 0.35 else number


def _email(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"{rng.randrange(10**7, 3 * 10**9)}@qq.com"
    domain = rng.choice(["163.com", "126.com", "sina.com", "139.com"])
    return f"{rng.choice(_PINYIN)}{rng.randint(1965, 2002)}@{domain}"


def _address(rng: random.Random) -> str:
    road = f"上海市宝山区{rng.choice(_ROADS)}"
    room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
    if rng.random() < 0.5:
        return f"{road}{rng.randint(1, 999)}弄{rng.randint(1, 60)}号{room}"
    return f"{road}{rng.randint(1, 2999)}号{room}"


def _personal(rng: random.Random) -> _Piece:
    """One sentence naming a person with some of their data, as in a 处罚决定 or a 申请."""
    kinds = rng.sample(
        ["name", "id_card", "mobile", "bank_card", "email", "address"], rng.randint(1, 4)
    )
    label = rng.choice(["姓名：", "申请人：", "当事人："])
    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    fragments: list[tuple[str, str, str]] = []  # (label, kind, value)
    if "name" in kinds:
        fragments.append((label, "name", name))
    if "id_card" in kinds:
        if rng.random() < 0.25:
            fragments.append(("身份证号：", "id_card", _id15(rng)))
        else:
            id_label = rng.choice(["身份证号码：", "公民身份号码：", "身份证号："])
            fragments.append((id_label, "id_card", _id18(rng)))
    if "mobile" in kinds:
        fragments.append(
            (rng.choice(["联系电话：", "手机号码：", "联系方式："]), "mobile", _mobile(rng))
        )
    if "bank_card" in kinds:
        fragments.append(("银行账号：", "bank_card", _bank_card(rng)))
    if "email" in kinds:
        # A personal mailbox always sits next to 申请人 or 联系人.
        mail_label = "电子邮箱：" if "name" in kinds and label == "申请人：" else "联系人电子邮箱："
        fragments.append((mail_label, "email", _email(rng)))
    if "address" in kinds:
        fragments.append((rng.choice(["家庭住址：", "住址："]), "address", _address(rng)))
    text = "，".join(lab + value for lab, _, value in fragments) + "。"
    return _Piece(
        text, tuple(Planted("personal_data", kind, value) for _, kind, value in fragments)
    )


def _commercial(rng: random.Random) -> _Piece:
    keyword, sentence = rng.choice(_COMMERCIAL)
    text = sentence.format(company=rng.choice(_COMPANIES))
    return _Piece(text, (Planted("commercial_secret", "keyword", keyword),))


_NEGATIVE_SORTS = len(_NEGATIVES) + 3


def _negative(rng: random.Random, choice: int) -> _Piece:
    """Hard negative of sort `choice`: a mention, a citation, a published contact, a bad number."""
    if choice < len(_NEGATIVES):
        key, sentence = _NEGATIVES[choice]
        return _Piece(sentence, negatives=(key,))
    if choice == len(_NEGATIVES):
        return _Piece(
            f"予以公开\t{rng.randint(5, 40)}\n{_TABLE_NEGATIVE}", (), (_TABLE_NEGATIVE,), True
        )
    if choice == len(_NEGATIVES) + 1:
        number = f"20240101{rng.randrange(10**5):05d}"
        return _Piece(f"档案编号：{number}。", negatives=(number,))
    while True:  # an ID-shaped 18-digit serial whose check character is wrong
        body = f"{rng.choice(_AREAS)}{rng.randint(2015, 2023)}0101{rng.randrange(1000):03d}"
        right = id18_check_char(body).replace("X", "10")
        serial = body + str((int(right) + 1) % 10)  # any other digit is wrong
        if not any(VALIDATORS[name](serial) for name in ("cn_id18", "cn_id15", "luhn")):
            return _Piece(f"本批次资金拨付流水号为{serial}。", negatives=(serial,))


def _marking(rng: random.Random, issued: date) -> str:
    """A 密级和保密期限 in one of the forms GB/T 9704 and the 保密法 allow."""
    level = rng.choice(["绝密", "机密", "秘密"])
    years = rng.randint(1, 30)
    until = issued + timedelta(days=rng.randint(200, 3000))
    forms = [
        f"{level}★{years}年",
        f"{level} ★ {years} 年",
        f"{level}★{until.year}年{until.month}月{until.day}日",
        f"{level}★长期",
        f"{level}★启用前",
        level,
    ]
    return rng.choice(forms)


def _work_secret(rng: random.Random) -> tuple[_Piece | None, _Piece | None, _Piece | None]:
    """A work-secret mark as (head line, body sentence, 附注); exactly one is set."""
    keeping = (Planted(_WORK, "keyword", "内部资料"), Planted(_WORK, "keyword", "注意保存"))
    choice = rng.randrange(6)
    if choice == 0:
        return _Piece("内部资料　注意保存", keeping), None, None
    if choice in (1, 2):
        word = "工作秘密" if choice == 1 else "内部明电"
        return _Piece(word, (Planted(_WORK, "keyword", word),)), None, None
    if choice == 3:
        return None, _Piece("本材料属内部资料，请注意保存，不得翻印、外传。", keeping), None
    if choice == 4:
        planted = (Planted(_WORK, "keyword", "工作秘密"),)
        return None, _Piece("本文件属于工作秘密，未经批准不得对外提供。", planted), None
    return None, None, _Piece("（此件不公开）", (Planted(_WORK, "keyword", "此件不公开"),))


@dataclass(frozen=True, slots=True)
class _Frame:
    """The GB/T 9704 parts around the body: 版头, 主送机关, 署名, 成文日期, 附注, 版记."""

    head: tuple[_Piece, ...]  # 份号, 密级和保密期限, 紧急程度
    mark: _Piece  # 发文机关标志
    numbered: _Piece  # 发文字号
    title: _Piece
    recipients: _Piece
    signature: _Piece
    on: str
    note: _Piece | None
    cc: _Piece
    printed: _Piece  # 印发机关和印发日期

    def pieces(self) -> list[_Piece]:
        parts = [self.mark, self.numbered, self.title, self.recipients, self.signature, self.cc]
        return [*self.head, *parts, self.printed, *([self.note] if self.note else [])]

    def render(self, paragraphs: Sequence[Sequence[_Piece]]) -> str:
        lines = [*(p.text for p in self.head), "", self.mark.text, "", self.numbered.text, ""]
        lines += [self.title.text, "", self.recipients.text]
        for paragraph in paragraphs:
            indent = "" if paragraph[0].own_line else "　　"
            lines.append(indent + "".join(p.text for p in paragraph))
        lines += ["", self.signature.text, self.on]
        lines += ["", self.note.text] if self.note else []
        lines += ["", self.cc.text, self.printed.text]
        return "\n".join(lines) + "\n"


def _issuer(rng: random.Random, is_party: bool, issued: date) -> dict[str, _Piece]:
    """发文机关标志, 发文字号, 标题, 署名, 抄送 and 印发 for a party or a government issuer."""
    on = f"{issued.year}年{issued.month}月{issued.day}日"
    number = rng.randint(1, 60)
    if is_party:
        organ, code = rng.choice(_PARTY_ISSUERS)
        # NOTE: the organ name, not "…文件", is planted: it recurs in 署名 and 印发机关, which a
        # scanner may flag too. (A real 区委 document is printed by 区委办; we reuse the organ.)
        header = (Planted("party_document", "header", organ),)
        doc_number = f"{code}〔{issued.year}〕{number}号"
        return {
            "mark": _Piece(f"{organ}文件", header),
            "numbered": _Piece(doc_number, (Planted("party_document", "doc_number", doc_number),)),
            "title": _Piece(rng.choice(_PARTY_TITLES)),
            "signature": _Piece(organ, header),
            "cc": _Piece("抄送：区人大常委会办公室，区政府办公室。"),
            "printed": _Piece(f"{organ}　　{on}印发", header),
        }
    organ, code, printer = rng.choice(_GOV_ISSUERS)
    return {
        # A government 委员会 is not a party organ.
        "mark": _Piece(f"{organ}文件", (), (f"{organ}文件",) if "委员会" in organ else ()),
        "numbered": _Piece(f"{code}〔{issued.year}〕{number}号"),
        "title": _Piece(rng.choice(_GOV_TITLES).format(year=issued.year)),
        "signature": _Piece(organ),
        "cc": _Piece("抄送：区委办公室，区人大常委会办公室，区政协办公室。", (), (_GOV_CC,)),
        "printed": _Piece(f"{printer}　　{on}印发"),
    }


def _frame(rng: random.Random, verdict: str) -> tuple[_Frame, _Piece | None]:
    """The frame of a document with the given verdict, and a body sentence it still needs."""
    feature = (
        rng.choice(["marking", "work", "party", "party_marking"]) if verdict == "block" else ""
    )
    issued = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
    head: list[_Piece] = []
    if rng.random() < (0.8 if "marking" in feature else 0.2):
        head.append(_Piece(f"{rng.randrange(1, 1000):06d}"))
    if "marking" in feature:
        marking = _marking(rng, issued)
        head.append(_Piece(marking, (Planted("state_secret", "marking", marking),)))
    work_head, work_body, note = _work_secret(rng) if feature == "work" else (None, None, None)
    head += [work_head] if work_head else []
    if rng.random() < 0.4:
        head.append(_Piece(rng.choice(["特急", "加急"])))
    if note is None and verdict != "block" and rng.random() < 0.6:
        note = _Piece("（此件公开发布）")
    parts = _issuer(rng, feature.startswith("party"), issued)
    on = f"{issued.year}年{issued.month}月{issued.day}日"
    recipients = _Piece(rng.choice(_RECIPIENTS))
    return _Frame(tuple(head), recipients=recipients, on=on, note=note, **parts), work_body


def _document(rng: random.Random) -> LabelledDoc:
    verdict = rng.choices(["block", "review", "clear"], weights=[4, 4, 3])[0]
    frame, work_body = _frame(rng, verdict)
    paragraphs: list[list[_Piece]] = []
    # Filler keeps its pool order, so 一、二、三 stay in sequence and nothing repeats.
    for i in sorted(rng.sample(range(len(_FILLER)), rng.randint(4, 10))):
        if not paragraphs or rng.random() < 0.5:
            paragraphs.append([])
        paragraphs[-1].append(_Piece(_FILLER[i]))
    extras = [work_body] if work_body else []
    if verdict != "clear":
        wanted = rng.randint(1, 3) if verdict == "review" else rng.randint(0, 2)
        extras += [(_personal if rng.random() < 0.6 else _commercial)(rng) for _ in range(wanted)]
    low, high = (3, 7) if verdict == "clear" else (0, 3)
    sorts = rng.sample(range(_NEGATIVE_SORTS), rng.randint(low, high))
    extras += [_negative(rng, sort) for sort in sorts]

    placed = [*frame.pieces(), *(piece for paragraph in paragraphs for piece in paragraph)]
    for piece in extras:
        # NOTE: a piece that would put a trigger outside the planted values is left out, so the
        # text-only scorer cannot credit a mention as a recall (see TRIGGERS).
        if not _fits([*placed, piece]):
            continue
        placed.append(piece)
        if piece.own_line:
            paragraphs.insert(rng.randint(0, len(paragraphs)), [piece])
        else:
            paragraph = rng.choice(paragraphs)
            paragraph.insert(rng.randint(0, len(paragraph)), piece)

    planted = tuple(dict.fromkeys(p for piece in placed for p in piece.planted))
    negatives = tuple(dict.fromkeys(n for piece in placed for n in piece.negatives))
    categories = {p.category for p in planted}
    expect = "block" if categories & BLOCKING else "review" if categories else "clear"
    return LabelledDoc(frame.render(paragraphs), planted, negatives, expect)


def generate(n: int, seed: int) -> list[LabelledDoc]:
    """N synthetic documents, the same for the same seed."""
    rng = random.Random(seed)
    return [_document(rng) for _ in range(n)]


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """Counts for one category; precision and recall are 1.0 when there is nothing to count."""

    planted: int = 0
    recalled: int = 0
    found: int = 0
    false_positives: int = 0

    @property
    def precision(self) -> float:
        return 1.0 if not self.found else (self.found - self.false_positives) / self.found

    @property
    def recall(self) -> float:
        return 1.0 if not self.planted else self.recalled / self.planted

    def __add__(self, other: CategoryScore) -> CategoryScore:
        pairs = zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
        return CategoryScore(*(a + b for a, b in pairs))


def _compact(text: str) -> str:
    return re.sub(r"[\s\-－]", "", text)


def _overlaps(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def score(
    planted: Iterable[Planted], found: Iterable[tuple[str, str, str]]
) -> dict[str, CategoryScore]:
    """Per-category counts for one document: found items are (category, kind, matched text).

    A planted value is recalled when a found item of its category contains it or is contained in
    it (spaces and hyphens ignored); a found item matching no planted value is a false positive.
    Call it per document (text, not offsets, is compared) and add the results up with combine().
    """
    planted, found = list(planted), list(found)
    result = {}
    for category in sorted({p.category for p in planted} | {f[0] for f in found}):
        values = [_compact(p.value) for p in planted if p.category == category]
        texts = [_compact(text) for cat, _, text in found if cat == category]
        result[category] = CategoryScore(
            planted=len(values),
            recalled=sum(any(_overlaps(v, t) for t in texts) for v in values),
            found=len(texts),
            false_positives=sum(not any(_overlaps(v, t) for v in values) for t in texts),
        )
    return result


def combine(scores: Iterable[dict[str, CategoryScore]]) -> dict[str, CategoryScore]:
    """Per-document scores added up by category."""
    total: dict[str, CategoryScore] = {}
    for per_doc in scores:
        for category, counts in per_doc.items():
            total[category] = total.get(category, CategoryScore()) + counts
    return dict(sorted(total.items()))
