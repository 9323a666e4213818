"""Generate eval/pii_cases.jsonl: short PII cases in the spirit of other PII projects' test suites.

python eval/pii_cases.py [OUT]   (default eval/pii_cases.jsonl)

Own text, deterministic (fixed seed). The kinds of case (value with and without a cue word,
spaced or grouped digits, X check digit, 15-digit IDs, compound surnames, name lists, masked
values, look-alike numbers with a wrong check digit, order numbers in an ID-shaped context) follow
what a Presidio-based Chinese recognizer test (Presidio: MIT), neednlab/cn_pii_anonymization (MIT)
and hutool DesensitizedUtil examples (Mulan PSL v2) cover; no case text was copied (see README.md).
Each line: {"id","text","expect":[{"kind","value"}],"negative","split"}; value is a substring of text.
"""

from __future__ import annotations

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen

SEED = 623


def build() -> list[dict]:
    rng = random.Random(SEED)
    cases: list[dict] = []

    def add(text, expect=()):
        for e in expect:
            assert e[1] in text, (text, e)
        cid = f"pii{len(cases):04d}"
        cases.append(
            {
                "id": cid,
                "text": text,
                "expect": [{"kind": k, "value": v} for k, v in expect],
                "negative": not expect,
                "split": gen.stable_split(cid),
            }
        )

    # ---------------- names (positive)
    name_t = [
        "联系人：{n}",
        "申请人{n}于昨日提交了材料。",
        "当事人：{n}，女，1979年出生。",
        "被处罚人{n}对处罚决定无异议。",
        "经办人：{n}",
        "{n}同志任区民政局副局长。",
        "{n}先生来电咨询补贴政策。",
        "{n}女士反映噪声扰民问题。",
        "姓名：{n}",
        "我叫{n}，今年四十二岁。",
        "{n}今天上午去了区行政服务中心。",
        "这份材料由{n}负责整理。",
        "感谢{n}对本次活动的支持。",
        "投诉人{n}称其多次拨打电话未果。",
        "承租人{n}已按期缴纳租金。",
    ]
    for k in range(60):
        nm = gen.name(rng, compound=(k % 6 == 0))
        add(name_t[k % len(name_t)].format(n=nm), [("name", nm)])
    for _ in range(8):
        a, b, c = gen.name(rng), gen.name(rng), gen.name(rng, compound=True)
        add(f"参会人员：{a}、{b}、{c}", [("name", a), ("name", b), ("name", c)])
    # ---------------- addresses (positive)
    addr_t = [
        "家庭住址：{a}",
        "现住{a}。",
        "户籍地址为{a}",
        "居住地：{a}",
        "{a}",
        "请将材料寄至{a}，收件人本人签收。",
        "他家住在{a}，离学校不远。",
    ]
    for k in range(45):
        a = gen.home_address(rng, full=(k % 4 != 3))
        add(addr_t[k % len(addr_t)].format(a=a), [("address", a)])
    # ---------------- ID numbers
    for k in range(55):
        v = k % 9
        if v == 0:
            i = gen.id18(rng)
            add(f"身份证号：{i}", [("id_card", i)])
        elif v == 1:
            i = gen.id18(rng, want_x=True)
            add(f"公民身份号码{i}", [("id_card", i)])
        elif v == 2:
            i = gen.id18(rng, want_x=True)
            i2 = i[:-1] + "x"
            add(f"证件号码：{i2}（小写x）", [("id_card", i2)])
        elif v == 3:
            i = gen.id18(rng)
            add(i, [("id_card", i)])
        elif v == 4:
            i = gen.id15(rng)
            add(f"老身份证号码：{i}", [("id_card", i)])
        elif v == 5:
            i = gen.id18(rng)
            g = gen.group(i, [6, 8, 4], " ")
            add(f"身份证 {g}", [("id_card", g)])
        elif v == 6:
            i = gen.id18(rng)
            f = gen.fullwidth(i)
            add(f"身份证号码：{f}", [("id_card", f)])
        elif v == 7:
            nm, i = gen.name(rng), gen.id18(rng)
            add(f"{nm}，身份证号{i}，现住本区。", [("name", nm), ("id_card", i)])
        else:
            i = gen.id18(rng)
            g = gen.group(i, [6, 8, 4], "-")
            add(f"ID：{g}", [("id_card", g)])
    # ---------------- mobiles
    for k in range(50):
        m = gen.mobile(rng)
        v = k % 7
        if v == 0:
            add(f"手机：{m}", [("mobile", m)])
        elif v == 1:
            add(f"请拨打{m}联系我。", [("mobile", m)])
        elif v == 2:
            g = gen.group(m, [3, 4, 4], "-")
            add(f"联系电话 {g}", [("mobile", g)])
        elif v == 3:
            g = "+86 " + gen.group(m, [3, 4, 4], " ")
            add(f"Tel: {g}", [("mobile", g)])
        elif v == 4:
            g = "+86-" + m
            add(f"联系方式{g}", [("mobile", g)])
        elif v == 5:
            add(m, [("mobile", m)])
        else:
            nm = gen.name(rng)
            add(f"{nm}的手机号是{m}", [("name", nm), ("mobile", m)])
    # ---------------- bank cards
    for k in range(45):
        v = k % 5
        c = gen.card(rng, 16 if k % 2 else 19)
        if v == 0:
            add(f"银行卡号：{c}", [("bank_card", c)])
        elif v == 1:
            g = gen.group(c, [4, 4, 4, 4], " ")
            add(f"卡号 {g}", [("bank_card", g)])
        elif v == 2:
            add(f"请将款项转入{c}（工商银行）", [("bank_card", c)])
        elif v == 3:
            add(f"收款账号{c}，户名本人。", [("bank_card", c)])
        else:
            g = gen.group(c, [4, 4, 4, 4], "-")
            add(f"信用卡：{g}", [("bank_card", g)])
    # ---------------- passports
    for k in range(30):
        p = gen.passport(rng)
        t = [
            "护照号码：{p}",
            "持{p}号护照入境",
            "Passport No. {p}",
            "护照：{p}，有效期至2031年",
            "{p}",
        ][k % 5]
        add(t.format(p=p), [("passport", p)])
    # ---------------- e-mail
    for k in range(35):
        e = gen.email(rng)
        t = ["邮箱：{e}", "请发送至{e}", "E-mail: {e}", "个人邮箱{e}，请勿外传", "联系人邮箱 {e}"][
            k % 5
        ]
        add(t.format(e=e), [("email", e)])

    # ================= negatives
    for k in range(30):
        v = k % 5
        if v == 0:
            add(f"举报人王某某，联系电话{gen.masked_mobile(rng)}")
        elif v == 1:
            add(f"身份证号码：{gen.masked_id(rng)}")
        elif v == 2:
            c = gen.card(rng, 16)
            add(f"银行卡号：{c[:4]} **** **** {c[-4:]}")
        elif v == 3:
            add(f"当事人{rng.choice(gen.SURNAMES)}某，男，1980年出生。")
        else:
            add(f"申请人{rng.choice(gen.SURNAMES)}**，已受理。")
    areas = [
        ("021", "上海市宝山区审计局办公室"),
        ("0517", "洪泽区政府办"),
        ("0898", "海南省农业农村厅"),
        ("010", "信访接待室"),
        ("021", "区市场监管局投诉科"),
    ]
    for k in range(30):
        ac, who = areas[k % 5]
        num = f"{ac}-{rng.choice('56')}{''.join(rng.choice('0123456789') for _ in range(7))}"
        t = [
            "联系电话：{n}（{w}）",
            "{w}电话：{n}",
            "传真：{n}",
            "咨询电话{n}，工作日受理。",
            "{w}值班电话 {n}",
        ][k % 5]
        add(t.format(n=num, w=who))
    for t in [
        "拨打12345市民服务热线",
        "消费投诉请拨12315",
        "报警电话110",
        "火警119，急救120",
        "客服热线95588",
        "政务服务便民热线：12345",
        "价格举报电话12358",
        "环保举报热线12369",
        "全国统一咨询电话12366",
        "客服电话：400-820-8820",
        "服务热线800-810-1234",
        "中国移动客服10086",
        "社保咨询12333",
        "交通服务热线12328",
        "反诈专线96110",
    ]:
        add(t)
    gov_mail = [
        "bsaudit@shbsq.gov.cn",
        "zwgk@hainan.gov.cn",
        "xxgk@huaian.gov.cn",
        "bsmzj@shbsq.gov.cn",
        "hzqzfb@hongze.gov.cn",
        "ptswj@shpt.gov.cn",
        "office@moa.gov.cn",
        "gk@shanghai.gov.cn",
        "xfb@shbsq.gov.cn",
        "zfxxgk@beijing.gov.cn",
    ]
    for k in range(20):
        m = gov_mail[k % len(gov_mail)]
        add(
            [
                "政府信息公开申请可发送至{m}",
                "邮箱：{m}",
                "意见请反馈至电子邮箱{m}。",
                "来信请寄{m}",
            ][k % 4].format(m=m)
        )
    agency = [
        ("上海市宝山区密山路5号", "201900"),
        ("上海市普陀区大渡河路1668号", "200333"),
        ("江苏省淮安市洪泽区东风路56号", "223100"),
        ("海南省海口市美兰区海府路89号", "570203"),
        ("北京市东城区东四西大街1号", "100010"),
    ]
    for k in range(20):
        a, pc = agency[k % 5]
        add(
            [
                "地址：{a}（区政府大楼）",
                "通信地址：{a}，邮编：{p}",
                "办公地点：{a}3楼",
                "邮政编码{p}",
                "受理窗口设在{a}区行政服务中心一楼",
            ][k % 5].format(a=a, p=pc)
        )
    for _ in range(20):
        add(f"档案编号：{gen.id18_bad_check(rng)}")
    for _ in range(10):
        add(f"订单号：{gen.card_bad(rng, 19)}")
    for _ in range(12):
        add(f"交易流水号{gen.card_bad(rng, 16)}")
    for _ in range(10):
        add(f"快递单号：SF{''.join(rng.choice('0123456789') for _ in range(12))}")
    for _ in range(8):
        add(f"设备序列号 SN{''.join(rng.choice('0123456789ABCDEF') for _ in range(14))}")
    for _ in range(15):
        add(f"上海宏达密封件有限公司，统一社会信用代码{gen.uscc(rng)}")
    for t in [
        "宝审〔2024〕9号",
        "沪商规〔2024〕3号",
        "2024年3月15日",
        "合计人民币1,234,567.89元",
        "共计3400.00元",
        "第20240315号",
        "版本号V2.3.1",
        "GB/T 9704-2012",
        "ISBN 978-7-5086-1234-5",
        "邮编200333",
        "项目编号：BS-2024-0315-012",
        "会议室B203",
        "沪A·12345",
        "2024-03-15 09:30:00",
        "12.5%",
    ]:
        add(t)
    for t in [
        "王府井大街游人如织",
        "张贴公告于小区门口",
        "李子园地铁站",
        "高质量发展是首要任务",
        "周年庆活动圆满结束",
        "黄金周旅游收入增长",
        "马上就办，办就办好",
        "林业站开展巡查",
        "江河湖泊治理",
        "方案已经印发",
        "白皮书正式发布",
        "金融机构要加强监管",
        "石油价格上涨",
        "钱塘江大潮",
        "严格执行有关规定",
        "万家灯火",
        "宋体字号三号",
        "程序正义",
        "田间管理",
        "许可事项清单",
        "何时召开会议",
        "朱家角古镇",
        "胡同改造",
        "郭公庄站",
        "孙子兵法讲座",
        "常委会会议",
        "车辆管理所",
        "董事会决议",
        "彭浦新村街道",
        "曹杨新村街道办事处",
        "叶榭镇人民政府",
        "宝山区",
        "上海市普陀区",
        "淞南镇",
        "洪泽湖大道",
        "上海市",
        "长江南路沿线",
        "牡丹江路改造工程",
        "友谊路街道办事处",
        "海南省农业农村厅",
        "各位同志，大家好",
        "杨行镇人民政府",
        "顾村镇社区事务受理服务中心",
        "庙行镇",
        "张庙街道",
        "高境镇",
        "月浦镇",
        "请各位先生、女士入座",
        "申请人应当提交身份证明",
        "经办人签字栏",
    ]:
        add(t)
    for k in range(10):
        nm = gen.name(rng)
        add(["签发人：{n}", "签发人：{n}　　　宝府〔2024〕3号"][k % 2].format(n=nm))
    return cases


def main() -> None:
    out = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.path.join(os.path.dirname(os.path.abspath(__file__)), "pii_cases.jsonl")
    )
    cases = build()
    with open(out, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    neg = sum(c["negative"] for c in cases)
    print(f"{len(cases)} cases ({len(cases) - neg} positive, {neg} negative) -> {out}")


if __name__ == "__main__":
    main()
