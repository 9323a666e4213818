"""Value generators shared by build.py and pii_cases.py.

Everything here is written from the public standards, not from the scanner:
GB 11643-1999 (citizen ID, ISO 7064 MOD 11-2 check), ISO/IEC 7812 (Luhn),
GB 32100-2015 (unified social credit code, MOD 31 check).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

# real county-level division codes (GB/T 2260), used only as prefixes
REGIONS = [
    "310113",
    "310115",
    "310107",
    "310104",
    "310112",
    "320813",
    "320803",
    "110105",
    "110108",
    "440305",
    "330106",
    "460100",
    "420106",
    "510107",
    "370202",
    "350203",
    "320106",
    "610113",
    "230102",
    "410105",
]

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛"
    "段雷侯龙史陶贺顾毛郝龚邵万钱严覃戴莫孔向汤"
)
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "端木", "尉迟"]
GIVEN1 = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚琳燕晨鹏辉宁斌蕾倩岚凯瑶璐")
GIVEN2 = [
    "建国",
    "志刚",
    "海燕",
    "晓东",
    "雪梅",
    "文博",
    "思远",
    "子涵",
    "雨萱",
    "浩然",
    "欣怡",
    "梓轩",
    "佳怡",
    "俊杰",
    "嘉怡",
    "宇航",
    "丽华",
    "秀英",
    "桂兰",
    "国强",
    "玉珍",
    "红梅",
    "春生",
    "立新",
    "振华",
    "淑芬",
    "德明",
    "永康",
    "慧敏",
    "婷婷",
    "一鸣",
    "晓燕",
    "建华",
    "卫东",
    "美玲",
    "少波",
    "亚楠",
    "雅琴",
    "晨曦",
    "蒲丽",
]

MOBILE_PREFIX = [
    "138",
    "139",
    "136",
    "137",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "135",
    "177",
    "199",
    "181",
    "133",
    "153",
    "189",
    "166",
]
CARD_BIN = [
    ("622848", 19),
    ("621700", 19),
    ("622202", 19),
    ("621483", 16),
    ("622588", 16),
    ("625965", 16),
    ("436742", 16),
    ("622609", 16),
    ("623668", 19),
    ("621226", 19),
]

DISTRICTS = [
    (
        "上海市",
        "宝山区",
        ["友谊路街道", "吴淞街道", "张庙街道", "淞南镇", "大场镇", "顾村镇", "罗店镇"],
        ["牡丹江路", "友谊路", "长江南路", "淞滨路", "永清路", "共和新路", "盘古路", "殷高西路"],
    ),
    (
        "上海市",
        "普陀区",
        ["长寿路街道", "曹杨新村街道", "真如镇街道"],
        ["兰溪路", "枣阳路", "梅岭北路", "武宁路"],
    ),
    (
        "江苏省淮安市",
        "洪泽区",
        ["高良涧街道", "朱坝街道", "黄集街道"],
        ["东风路", "洪泽湖大道", "人民北路"],
    ),
    ("海南省海口市", "美兰区", ["白龙街道", "海甸街道"], ["人民大道", "和平大道"]),
    ("浙江省杭州市", "西湖区", ["文新街道", "翠苑街道"], ["文三路", "古墩路"]),
    ("北京市", "海淀区", ["中关村街道", "学院路街道"], ["学院路", "知春路"]),
]
ESTATES = [
    "阳光花苑",
    "绿地新都会",
    "春申景城",
    "锦秋花园",
    "保利叶语",
    "泰和新城",
    "金地格林",
    "翠湖小区",
    "康桥半岛",
    "和平新村",
]
PINYIN = [
    "zhangli",
    "wangwei",
    "liuyang",
    "chenjing",
    "lihua",
    "zhaolei",
    "sunmin",
    "zhoujie",
    "wuqiang",
    "xuyan",
    "huangtao",
    "linlin",
    "heping",
    "guoxin",
    "maqiang",
    "zhuming",
]
MAIL_DOMAINS = [
    "163.com",
    "126.com",
    "qq.com",
    "sina.com",
    "gmail.com",
    "foxmail.com",
    "hotmail.com",
    "yeah.net",
]


def stable_split(key: str) -> str:
    return "held" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def id_check(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=False)) % 11]


def id_valid(s: str) -> bool:
    return len(s) == 18 and s[:17].isdigit() and id_check(s[:17]) == s[17].upper()


def rand_birth(rng: random.Random, lo: int = 1950, hi: int = 2004) -> _dt.date:
    start = _dt.date(lo, 1, 1).toordinal()
    end = _dt.date(hi, 12, 28).toordinal()
    return _dt.date.fromordinal(rng.randint(start, end))


def id18(rng: random.Random, want_x: bool | None = None) -> str:
    for _ in range(500):
        first = (
            rng.choice(REGIONS) + rand_birth(rng).strftime("%Y%m%d") + f"{rng.randint(1, 999):03d}"
        )
        full = first + id_check(first)
        if want_x is None and full[-1] != "X":
            return full
        if want_x is not None and (full[-1] == "X") == want_x:
            return full
    raise RuntimeError("id18")


def id18_bad_check(rng: random.Random) -> str:
    good = id18(rng)
    wrong = [c for c in "0123456789" if c != good[-1]]
    return good[:17] + rng.choice(wrong)


def id15(rng: random.Random) -> str:
    b = rand_birth(rng, 1940, 1983)
    return rng.choice(REGIONS) + b.strftime("%y%m%d") + f"{rng.randint(1, 999):03d}"


def luhn_ok(s: str) -> bool:
    tot = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError


def card(rng: random.Random, length: int | None = None) -> str:
    bin_, n = rng.choice(CARD_BIN)
    n = length or n
    body = bin_ + "".join(rng.choice("0123456789") for _ in range(n - len(bin_) - 1))
    return body + luhn_digit(body)


def card_bad(rng: random.Random, length: int | None = None) -> str:
    good = card(rng, length)
    last = int(good[-1])
    return good[:-1] + str((last + rng.randint(1, 9)) % 10)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIX) + "".join(rng.choice("0123456789") for _ in range(8))


def passport(rng: random.Random) -> str:
    return rng.choice("EEEG") + "".join(rng.choice("0123456789") for _ in range(8))


def name(rng: random.Random, compound: bool = False) -> str:
    sur = rng.choice(COMPOUND) if compound else rng.choice(SURNAMES)
    given = rng.choice(GIVEN1) if rng.random() < 0.45 else rng.choice(GIVEN2)
    return sur + given


def email(rng: random.Random) -> str:
    return (
        rng.choice(PINYIN)
        + str(rng.choice([1975, 1982, 1990, 88, 2008, 666, 520, 1314]))
        + "@"
        + rng.choice(MAIL_DOMAINS)
    )


def home_address(rng: random.Random, full: bool = True) -> str:
    prov, dist, towns, roads = rng.choice(DISTRICTS)
    road = rng.choice(roads)
    kind = rng.randint(0, 3)
    if kind == 0:
        tail = f"{road}{rng.randint(10, 1999)}弄{rng.randint(1, 120)}号{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
    elif kind == 1:
        tail = f"{rng.choice(towns)}{rng.choice(ESTATES)}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    elif kind == 2:
        tail = f"{road}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    else:
        tail = f"{rng.choice(towns)}{road}{rng.randint(100, 1500)}弄{rng.randint(1, 99)}号{rng.randint(1, 6)}0{rng.randint(1, 3)}室"
    return (prov + dist + tail) if full else (dist + tail)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(rng: random.Random) -> str:
    body = (
        "91"
        + rng.choice(["310113", "310107", "320813", "460100"])
        + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    )
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_W, strict=False))
    return body + USCC_CHARS[(31 - s % 31) % 31]


FW_TABLE = {
    ord(c): ord(c) + 0xFEE0
    for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz@.-"
}


def fullwidth(s: str) -> str:
    return s.translate(FW_TABLE)


def group(s: str, sizes: list[int], sep: str = " ") -> str:
    out, i = [], 0
    for n in sizes:
        out.append(s[i : i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(out)


def masked_mobile(rng: random.Random) -> str:
    m = mobile(rng)
    return m[:3] + "****" + m[-4:]


def masked_id(rng: random.Random) -> str:
    i = id18(rng)
    return i[:6] + "********" + i[-4:]
