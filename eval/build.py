"""Build the independent evaluation set: python eval/build.py OUTDIR

Writes ~180 GB/T 9704-style documents (.docx and .pdf) into OUTDIR and OUTDIR/labels.json.
Deterministic: fixed seed, no network, fixed document dates. Written without reading the
scanner (see eval/README.md).
"""

from __future__ import annotations

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen
from render import write_docx, write_pdf

SEED = 9704

GOV = [
    ("上海市宝山区审计局", "宝审", "bssjj@shbsq.gov.cn", "上海市宝山区密山路5号", "201900"),
    (
        "上海市宝山区人民政府办公室",
        "宝府办发",
        "bsqzfb@shbsq.gov.cn",
        "上海市宝山区密山路5号",
        "201900",
    ),
    ("上海市宝山区教育局", "宝教", "bsjyj@shbsq.gov.cn", "上海市宝山区淞宝路155号", "201900"),
    ("上海市宝山区民政局", "宝民", "bsmzj@shbsq.gov.cn", "上海市宝山区友谊路1号", "201900"),
    (
        "上海市宝山区市场监督管理局",
        "宝市监",
        "bsscjg@shbsq.gov.cn",
        "上海市宝山区淞滨路28号",
        "201900",
    ),
    ("上海市宝山区财政局", "宝财", "bscz@shbsq.gov.cn", "上海市宝山区密山路5号", "201900"),
    ("上海市普陀区商务委员会", "普商", "ptswj@shpt.gov.cn", "上海市普陀区大渡河路1668号", "200333"),
    (
        "淮安市洪泽区人民政府办公室",
        "洪政办发",
        "hzqzfb@hongze.gov.cn",
        "江苏省淮安市洪泽区东风路56号",
        "223100",
    ),
    ("海南省农业农村厅", "琼农", "hnnyt@hainan.gov.cn", "海南省海口市美兰区海府路89号", "570203"),
    (
        "上海市宝山区农业农村委员会",
        "宝农委",
        "bsnw@shbsq.gov.cn",
        "上海市宝山区罗店镇罗溪路123号",
        "201908",
    ),
]
TOPICS = [
    "2024年度区级部门预算执行情况审计",
    "安全生产大检查",
    "城乡居民医疗保险参保缴费",
    "农机购置与应用补贴资金发放",
    "政府信息公开工作年度报告编制",
    "老旧小区综合改造",
    "困难群众春节走访慰问",
    "食品安全专项整治",
    "防汛防台工作",
    "耕地保护督察整改",
    "营商环境优化提升",
    "第五次全国经济普查",
    "消防安全隐患排查整治",
    "义务教育阶段招生入学",
    "高龄老人营养补贴发放",
    "行政执法案卷评查",
    "政务服务“一网通办”",
    "垃圾分类实效提升",
]
FILLER = [
    "为深入贯彻落实党中央、国务院决策部署，进一步提升工作质效，结合本区实际，现就有关事项通知如下。",
    "各单位要高度重视，明确分管领导和具体责任人，细化工作措施，确保各项任务按时保质完成。",
    "请各单位于规定时间前将工作开展情况书面报送至牵头部门，逾期未报的视为无异议。",
    "坚持问题导向和目标导向，建立健全工作台账，实行销号管理，做到底数清、情况明。",
    "加强部门间协作配合，形成工作合力，及时研究解决推进过程中遇到的困难和问题。",
    "各街镇要加强宣传引导，充分利用政务新媒体等渠道，提高群众知晓率和参与度。",
    "对工作中发现的违法违规问题，依法依规严肃处理，并将有关情况向社会公开。",
    "本通知自印发之日起施行，有效期至2026年12月31日。",
    "工作经费按照现行财政管理体制分级负担，专款专用，不得挤占挪用。",
    "各牵头部门要加强督促检查，定期通报工作进展，确保各项措施落地见效。",
    "现将有关情况报告如下：一是完善制度机制；二是强化督查考核；三是推进数字化转型。",
    "经区政府同意，现将《实施方案》印发给你们，请认真抓好贯彻落实。",
]
RECIPIENTS = [
    "区各委、办、局，各街道办事处、镇人民政府：",
    "各街镇、园区，区各有关部门：",
    "区人民政府：",
    "各市、县、自治县农业农村局、财政局：",
    "各有关单位：",
]
MONTHS = [
    (2024, m, d)
    for m, d in [
        (1, 8),
        (2, 26),
        (3, 15),
        (4, 2),
        (5, 20),
        (6, 11),
        (7, 1),
        (8, 30),
        (9, 12),
        (10, 18),
        (11, 5),
        (12, 9),
    ]
]
HANZI_NUM = "〇一二三四五六七八九"


class Spec:
    def __init__(self, did: str, fmt: str, group: str):
        self.id, self.fmt, self.group = did, fmt, group
        self.blocks: list = []
        self.header: list[str] = []
        self.footer: list[str] = []
        self.props: dict = {}
        self.items: list[dict] = []
        self.negs: list[dict] = []
        self.protect: list[str] = []
        self.party_alone = False

    def p(self, *runs, align=None):
        self.blocks.append(("p", list(runs), align))

    def table(self, rows, widths):
        self.blocks.append(("table", rows, widths))

    def item(self, category, kind, value, where, phen, shown=None):
        self.items.append(
            {
                "category": category,
                "kind": kind,
                "value": value,
                "where_hint": where,
                "phenomenon": phen,
            }
        )
        if shown:
            self.protect.append(shown)
        elif isinstance(value, str):
            self.protect.append(value)

    def neg(self, value, why, phen):
        self.negs.append({"value": value, "why": why, "phenomenon": phen})
        self.protect.append(value)

    def verdict(self) -> str:
        cats = {(i["category"], i["kind"]) for i in self.items}
        if any(c in ("state_secret", "work_secret") for c, _ in cats) or self.party_alone:
            return "block"
        if cats:
            return "review"
        return "clear"


def landline(rng, agency=None):
    area = "021"
    if agency and "淮安" in agency[3]:
        area = "0517"
    elif agency and "海南" in agency[3]:
        area = "0898"
    return area + "-" + rng.choice("56") + "".join(rng.choice("0123456789") for _ in range(7))


def date_cn(y, m, d):
    return f"{y}年{m}月{d}日"


# ------------------------------------------------------------------ head and tail


def head(
    s: Spec,
    rng,
    agency,
    *,
    marking=None,
    urgency=None,
    copyno=False,
    mark_text=None,
    number=None,
    title=None,
    party_split=None,
    signer=None,
):
    """marking: list of runs-lists for the 密级 position (already labelled by caller)."""
    if copyno:
        s.p(f"{rng.randint(1, 300):06d}")
    if marking:
        for runs in marking:
            s.p(*runs)
    if urgency:
        s.p(urgency)
    if party_split:
        for line in party_split:
            s.p(("red", line), align="center")
    else:
        s.p(("red", mark_text or agency[0] + "文件"), align="center")
    if signer:
        s.p(number, "　　　　签发人：" + signer)
        s.neg(signer, "签发人: an official acting in role", "signer")
    else:
        s.p(number, align="center")
    s.p(("bold", title), align="center")


def tail(s: Spec, rng, agency, ymd, *, note=None, contact=True):
    s.p(agency[0], align="right")
    s.p(date_cn(*ymd), align="right")
    if note:
        s.p(note)
    elif contact:
        tel = landline(rng, agency)
        s.p(f"（联系单位：{agency[0]}办公室，联系电话：{tel}）")
        s.neg(tel, "office landline in 附注", "office_landline")
    s.p("抄送：区委办公室，区人大常委会办公室，区政协办公室。")
    s.p(f"{agency[0]}办公室　　　　　　{date_cn(*ymd)}印发")


def doc_number(agency, rng):
    return f"{agency[1]}〔2024〕{rng.randint(1, 60)}号"


# ------------------------------------------------------------------ hard negatives


def neg_sentences(s: Spec, rng, agency, k):
    pool = list(range(19))
    rng.shuffle(pool)
    for n in pool[:k]:
        if n == 0:
            tel = landline(rng, agency)
            s.p(f"咨询电话：{tel}（{agency[0]}综合科，工作日9:00-17:00）。")
            s.neg(tel, "office landline", "office_landline")
        elif n == 1:
            s.p("群众如有意见建议，可拨打12345市民服务热线反映。")
            s.neg("12345", "government hotline", "hotline")
        elif n == 2:
            s.p(f"意见建议请发送至电子邮箱：{agency[2]}。")
            s.neg(agency[2], "agency mailbox on gov.cn / agency domain", "gov_mailbox")
        elif n == 3:
            s.p(f"通信地址：{agency[3]}，邮政编码：{agency[4]}。")
            s.neg(agency[3], "agency street address", "agency_address")
            s.neg(agency[4], "postcode", "postcode")
        elif n == 4:
            mm = gen.masked_mobile(rng)
            s.p(f"经核查，举报人王某某（联系电话{mm}）反映的问题部分属实。")
            s.neg("王某某", "masked name", "masked")
            s.neg(mm, "masked mobile", "masked")
        elif n == 5:
            mi = gen.masked_id(rng)
            s.p(f"当事人李某（身份证号码{mi}）已于2024年4月2日主动缴纳罚款。")
            s.neg(mi, "masked ID number", "masked")
            s.neg("李某", "masked name", "masked")
        elif n == 6:
            u = gen.uscc(rng)
            s.p(
                f"上海宏达飞机密封件有限公司（统一社会信用代码：{u}，住所：上海市宝山区富联路1288号）"
                f"承担项目实施。"
            )
            s.neg(u, "USCC: a company's published registration data", "uscc")
            s.neg("飞机密封件", "飞机密封件 holds no 机密", "secrecy_substring")
        elif n == 7:
            s.p(
                "各单位要依法对拟公开的政府信息进行保密审查，防止泄露国家秘密、工作秘密，"
                "严格执行《中华人民共和国保守国家秘密法》。"
            )
            s.neg(
                "防止泄露国家秘密、工作秘密",
                "talks about secrecy, not a marking",
                "secrecy_mention",
            )
            s.neg("《中华人民共和国保守国家秘密法》", "cites the secrecy law", "secrecy_mention")
        elif n == 8:
            serial = "2024" + "".join(rng.choice("0123456789") for _ in range(14))
            while gen.luhn_ok(serial):
                serial = serial[:-1] + str((int(serial[-1]) + 1) % 10)
            s.p(f"项目已在平台完成登记，业务流水号：{serial}，合同金额人民币3,456,789.00元。")
            s.neg(
                serial,
                "18-digit business serial number, not an ID (no valid birth date)",
                "serial_number",
            )
            s.neg("3,456,789.00", "amount", "amount")
        elif n == 9:
            bad = gen.card_bad(rng, 19)
            s.p(f"采购订单号{bad}对应的货款已于{date_cn(2024, 5, 20)}支付。")
            s.neg(bad, "order number, Luhn-invalid, not a card", "luhn_invalid")
        elif n == 10:
            bad = gen.id18_bad_check(rng)
            s.p(f"档案编号：{bad}（按年度顺序号编制）。")
            s.neg(bad, "archive number with invalid GB 11643 check digit", "id_bad_check")
        elif n == 11:
            num = f"宝委发〔2023〕{rng.randint(1, 30)}号"
            s.p(
                f"根据《中共上海市宝山区委关于加强基层治理体系建设的实施意见》（{num}）精神，制定本方案。"
            )
            s.neg(
                num,
                "a party document cited by a government document, not issued by it",
                "party_citation",
            )
        elif n == 12:
            s.p("做好新闻宣传和舆论引导工作，加强保密意识教育，密切配合上级部门开展督查。")
            s.neg("保密意识", "ordinary word", "secrecy_substring")
        elif n == 13:
            s.p("依法保护企业商业秘密和个人隐私，对涉及的内容作区分处理后予以公开。")
            s.neg(
                "依法保护企业商业秘密", "mentions commercial secrets in general", "secrecy_mention"
            )
        elif n == 14:
            fax = landline(rng, agency)
            s.p(f"传真：{fax}；投诉举报电话：12315。")
            s.neg(fax, "office fax", "office_landline")
            s.neg("12315", "government hotline", "hotline")
        elif n == 16:
            s.p("杨行镇、顾村镇、庙行镇和张庙街道要于月底前完成自查，罗店镇牵头做好汇总。")
            s.neg("杨行镇", "town name (surname-like)", "place_name")
            s.neg("张庙街道", "street office name (surname-like)", "place_name")
        elif n == 17:
            room = f"{agency[3]}{rng.randint(1, 5)}号楼{rng.randint(1, 4)}0{rng.randint(1, 9)}室"
            s.p(f"现场受理地点：{room}（{agency[0]}信访接待室）。")
            s.neg(room, "agency office address with 号楼/室", "agency_address")
        elif n == 18:
            tel = rng.choice("56") + "".join(rng.choice("0123456789") for _ in range(7))
            s.p(f"值班电话：{tel}（24小时）。")
            s.neg(tel, "office landline written without area code", "office_landline")
        elif n == 15:
            s.p(
                "揭开基层治理“最后一公里”的秘密，关键在于把群众的事当作自己的事，"
                "本期共安排资金1,280万元。"
            )
            s.neg("的秘密", "秘密 as an ordinary word", "secrecy_substring")


# ------------------------------------------------------------------ planted personal data (ordinary docs)


def personal(s: Spec, rng, kind: str, fmt: str):
    where = "page 1" if fmt == "pdf" else "body"
    if kind == "name":
        v = rng.randint(0, 6)
        nm = gen.name(rng, compound=(rng.random() < 0.2))
        if v == 0:
            s.p(f"申请人{nm}于{date_cn(2024, 3, 4)}通过网上平台提交政府信息公开申请。")
            s.item("personal_data", "name", nm, where, "name_cue")
        elif v == 1:
            s.p(f"被处罚人：{nm}，男，汉族，户籍所在地上海市宝山区。")
            s.item("personal_data", "name", nm, where, "name_cue")
        elif v == 2:
            s.p(f"经办人：{nm}")
            s.item("personal_data", "name", nm, where, "name_cue")
        elif v == 3:
            s.p(f"对{nm}同志在防汛防台工作中的突出表现予以通报表扬。")
            s.item("personal_data", "name", nm, where, "name_cue")
        elif v == 4:
            nm2 = gen.name(rng)
            s.p(f"参加人员：{nm}、{nm2}。")
            s.item("personal_data", "name", nm, where, "name_list")
            s.item("personal_data", "name", nm2, where, "name_list")
        elif v == 5:
            sex = rng.choice(["先生", "女士"])
            s.p(f"来信人{nm}{sex}反映小区电梯长期停运问题，区房管局已现场核实。")
            s.item("personal_data", "name", nm, where, "name_cue")
        else:
            s.p(f"当事人：{nm}")
            s.item("personal_data", "name", nm, where, "name_cue")
    elif kind == "id_card":
        v = rng.randint(0, 4)
        if v == 0:
            i = gen.id18(rng)
            s.p(f"申请人身份证号码：{i}。")
            s.item("personal_data", "id_card", i, where, "plain")
        elif v == 1:
            i = gen.id18(rng, want_x=True)
            s.p(f"公民身份号码{i}，已核验。")
            s.item("personal_data", "id_card", i, where, "id_x_check")
        elif v == 2:
            i = gen.id18(rng)
            g = gen.group(i, [6, 8, 4], " ")
            s.p(f"身份证：{g}")
            s.item("personal_data", "id_card", i, where, "grouped_digits", shown=g)
        elif v == 3:
            i = gen.id15(rng)
            s.p(f"原登记证件号码（15位）：{i}")
            s.item("personal_data", "id_card", i, where, "id_15")
        else:
            i = gen.id18(rng)
            g = gen.group(i, [6, 8, 4], "-")
            s.p(f"证件号：{g}")
            s.item("personal_data", "id_card", i, where, "grouped_digits", shown=g)
    elif kind == "mobile":
        m = gen.mobile(rng)
        v = rng.randint(0, 3)
        if v == 0:
            s.p(f"联系方式：{m}。")
            s.item("personal_data", "mobile", m, where, "plain")
        elif v == 1:
            g = gen.group(m, [3, 4, 4], "-")
            s.p(f"本人手机：{g}")
            s.item("personal_data", "mobile", m, where, "grouped_digits", shown=g)
        elif v == 2:
            g = "+86 " + gen.group(m, [3, 4, 4], " ")
            s.p(f"境外联系电话：{g}")
            s.item("personal_data", "mobile", m, where, "grouped_digits", shown=g)
        else:
            s.p(f"如有疑问请联系社区网格员，手机{m}。")
            s.item("personal_data", "mobile", m, where, "plain")
    elif kind == "bank_card":
        c = gen.card(rng)
        if rng.random() < 0.5:
            s.p(f"补贴资金发放至本人社保卡银行账户，卡号{c}。")
            s.item("personal_data", "bank_card", c, where, "plain")
        else:
            g = gen.group(c, [4, 4, 4, 4], " ")
            s.p(f"收款账号：{g}（中国农业银行宝山支行）")
            s.item("personal_data", "bank_card", c, where, "grouped_digits", shown=g)
    elif kind == "passport":
        pp = gen.passport(rng)
        s.p(f"外籍配偶因私出境，护照号码：{pp}。")
        s.item("personal_data", "passport", pp, where, "plain")
    elif kind == "email":
        e = gen.email(rng)
        s.p(f"申请人预留的电子邮箱为{e}，答复书已通过邮件送达。")
        s.item("personal_data", "email", e, where, "personal_email")
    elif kind == "address":
        a = gen.home_address(rng)
        cue = rng.choice(["家庭住址：", "现住", "户籍地址：", "居住地："])
        s.p(f"{cue}{a}。")
        s.item("personal_data", "address", a, where, "home_address")
    elif kind == "table":
        # a short list in an attachment table: name column + ID + mobile
        rows = [["序号", "姓名", "公民身份号码", "联系电话", "补贴金额（元）"]]
        for k in range(rng.randint(1, 2)):
            nm, i, m = gen.name(rng), gen.id18(rng), gen.mobile(rng)
            rows.append([str(k + 1), nm, i, m, f"{rng.randint(3, 30) * 100}.00"])
            tw = "page 1 table" if fmt == "pdf" else "table"
            s.item("personal_data", "name", nm, tw, "name_table_column")
            s.item("personal_data", "id_card", i, tw, "table_cell")
            s.item("personal_data", "mobile", m, tw, "table_cell")
        s.p("附件：2024年度高龄老人营养补贴发放名单")
        s.table([[[c] for c in r] for r in rows], [700, 1300, 2600, 1800, 1600])


# ------------------------------------------------------------------ ordinary documents

STATE_MARKINGS = [
    ("秘密★1年", "plain"),
    ("机密★5年", "plain"),
    ("绝密★长期", "plain"),
    ("秘密★10年", "plain"),
    ("机密★3年", "plain"),
    ("秘 密 ★ 5 年", "loose_marking"),
    ("机密 ★ 2年", "loose_marking"),
    ("机　密", "marking_alone"),
    ("秘　密", "marking_alone"),
    ("机密★１０年", "fullwidth"),
    ("秘密＊６个月", "fullwidth"),
    ("绝密★启用前", "plain"),
    ("机密★5年", "marking_in_header"),
    ("秘密★2年", "plain"),
    ("秘  密★1年", "loose_marking"),
]
WORK_MARKINGS = [
    ("内部资料", "work_secret_variant"),
    ("内 部 资 料", "loose_marking"),
    ("内部明电", "work_secret_variant"),
    ("内部 明电", "work_secret_variant"),
    ("内部参阅", "work_secret_variant"),
    ("内部资料 请勿外传", "work_secret_variant"),
    ("内部文件 注意保管", "work_secret_variant"),
    ("（此件不公开）", "note_not_public"),
    ("（此件不公开）", "note_not_public"),
    ("内部资料　注意保存", "work_secret_variant"),
    ("内部明电", "work_secret_variant"),
    ("内部参阅", "work_secret_variant"),
]
# (mark lines, number template, split?, label phenomenon)
PARTY = [
    (["中共上海市", "宝山区委员会文件"], "宝委发〔2024〕{n}号", "party_header_split"),
    (["中共上海市宝山区委员会文件"], "宝委发〔2024〕{n}号", "party_doc_number"),
    (["中共上海市宝山区委办公室文件"], "宝委办〔2024〕{n}号", "party_doc_number"),
    (["中共上海市宝山区委办公室", "文件"], "宝委办发〔2024〕{n}号", "party_header_split"),
    (["中共上海市宝山区审计局党组文件"], "宝审党组〔2024〕{n}号", "party_doc_number"),
    (["中共上海市宝山区委组织部文件"], "宝组发〔2024〕{n}号", "party_doc_number"),
    (["中共淮安市洪泽区", "委员会文件"], "洪委发〔2024〕{n}号", "party_header_split"),
    (["中共上海市宝山区", "委员会"], "区委〔2024〕{n}号", "party_header_split"),
    (["中共上海市宝山区纪律检查委员会文件"], "宝纪发〔2024〕{n}号", "party_doc_number"),
    (["中共上海市宝山区民政局党组"], "宝民党组〔2024〕{n}号", "party_doc_number"),
    (["中共上海市普陀区委员会文件"], "普委发〔2024〕{n}号", "party_doc_number"),
    (["中共上海市", "宝山区委员会文件"], "宝委〔2024〕{n}号", "party_header_split"),
]
JOINT = [
    (["中共上海市宝山区委办公室", "上海市宝山区人民政府办公室"], "宝委办发〔2024〕{n}号"),
    (["中共上海市宝山区委办公室", "上海市宝山区人民政府办公室"], "宝府办发〔2024〕{n}号"),
    (["中共上海市宝山区委员会", "上海市宝山区人民政府"], "宝委发〔2024〕{n}号"),
    (["中共淮安市洪泽区委办公室", "淮安市洪泽区人民政府办公室"], "洪委办发〔2024〕{n}号"),
    (["中共上海市宝山区委办公室", "上海市宝山区人民政府办公室"], "宝委办〔2024〕{n}号"),
    (["中共上海市普陀区委办公室", "上海市普陀区人民政府办公室"], "普府办发〔2024〕{n}号"),
]
COMMERCIAL = [
    ("body", "以下内容属于投标人商业秘密，未经书面同意不得公开。"),
    (
        "body",
        "申报单位声明：本申报材料所附技术方案及成本测算属于本公司商业秘密，未经本公司书面同意，不得向第三方披露。",
    ),
    ("body", "上海宏达精密机械有限公司声明：附件3所列工艺参数为本公司商业秘密，请予保密。"),
    ("body", "本投标文件第五章涉及投标人商业秘密，申请不予公开。"),
    ("header", "上海宏达精密机械有限公司　商业秘密　未经许可不得复制或外传"),
    ("header", "本页内容属于投标人商业秘密，未经书面同意不得公开"),
    ("header", "XX科技股份有限公司商业秘密　严禁外传"),
    ("body", "特别声明：以下报价明细属于我公司商业秘密，仅供评审使用，未经书面同意不得公开。"),
]
PERSONAL_KINDS = [
    "name",
    "name",
    "id_card",
    "id_card",
    "mobile",
    "mobile",
    "bank_card",
    "passport",
    "email",
    "address",
    "address",
    "table",
]


def ordinary(idx: int, rng: random.Random, plan: dict) -> Spec:
    fmt = plan["fmt"]
    s = Spec(f"doc{idx:03d}", fmt, "ordinary")
    agency = rng.choice(GOV)
    ymd = rng.choice(MONTHS)
    topic = rng.choice(TOPICS)
    title = f"关于{rng.choice(['开展', '做好', '印发', '加强'])}{topic}工作的{rng.choice(['通知', '通知', '报告', '意见'])}"
    s.props = {
        "author": rng.choice(["Administrator", "user", agency[0], "办公室"]),
        "last_modified_by": rng.choice(["Administrator", "user", "办公室"]),
        "title": title,
    }
    marking, urgency, copyno, note = None, None, False, None
    number = doc_number(agency, rng)
    mark_text, party_split = None, None
    if plan.get("state"):
        text, phen = plan["state"]
        copyno = rng.random() < 0.7
        if phen == "marking_alone":
            marking = [[text]]
            urgency = rng.choice(["特急", "加急"])
        elif phen == "marking_in_header" and fmt == "docx":
            s.header.append(f"{rng.randint(1, 300):06d}　{text}")
        else:
            marking = [[text]]
            urgency = rng.choice([None, "特急", "加急"])
        where = (
            "header"
            if (phen == "marking_in_header" and fmt == "docx")
            else ("page 1" if fmt == "pdf" else "body")
        )
        s.item(
            "state_secret",
            "marking",
            text,
            where,
            phen if phen != "marking_in_header" or fmt == "docx" else "plain",
        )
    if plan.get("work"):
        text, phen = plan["work"]
        if phen == "note_not_public":
            note = text
        else:
            marking = [[text]]
        s.item("work_secret", "marking", text, "page 1" if fmt == "pdf" else "body", phen)
    if plan.get("party"):
        lines, numt, phen = plan["party"]
        number = numt.format(n=rng.randint(1, 40))
        party_split = lines
        s.party_alone = True
        agency = ("".join(lines).replace("文件", ""), *agency[1:])
        s.item("party_document", "header", "".join(lines), "body", phen)
        s.item("party_document", "doc_number", number, "body", "party_doc_number")
    if plan.get("joint"):
        lines, numt = plan["joint"]
        number = numt.format(n=rng.randint(1, 40))
        party_split = [*lines, "文件"]
        agency = (lines[0] + " " + lines[1], *agency[1:])
        s.item("party_document", "joint", lines[0], "body", "joint_party_gov")
    signer = gen.name(rng) if (rng.random() < 0.12 and not plan.get("party")) else None
    head(
        s,
        rng,
        agency,
        marking=marking,
        urgency=urgency,
        copyno=copyno,
        mark_text=mark_text,
        number=number,
        title=title,
        party_split=party_split,
        signer=signer,
    )
    s.p(rng.choice(RECIPIENTS))
    fill = rng.sample(FILLER, 3)
    s.p("　　" + fill[0])
    if plan.get("joint"):
        s.p("　　经区委、区政府同意，现将有关事项通知如下。")
    neg_sentences(s, rng, agency, plan["negs"])
    s.p("　　" + fill[1])
    if plan.get("commercial"):
        where, text = plan["commercial"]
        if where == "header" and fmt == "docx":
            s.header.append(text)
            s.item("commercial_secret", "statement", text, "header", "commercial_header")
        else:
            s.p("　　" + text)
            s.item(
                "commercial_secret",
                "statement",
                text,
                "page 1" if fmt == "pdf" else "body",
                "commercial_body",
            )
    for kind in plan["personal"]:
        personal(s, rng, kind, fmt)
    s.p("　　" + fill[2])
    tail(s, rng, agency, ymd, note=note, contact=rng.random() < 0.6)
    if rng.random() < 0.3 and fmt == "docx":
        s.footer.append("— 1 —")
    return s


def ordinary_plans(rng: random.Random) -> list[dict]:
    plans: list[dict] = []
    for m in STATE_MARKINGS:
        plans.append({"state": m})
    for m in WORK_MARKINGS:
        plans.append({"work": m})
    for p in PARTY:
        plans.append({"party": p})
    for j in JOINT:
        plans.append({"joint": j})
    for c in COMMERCIAL:
        plans.append({"commercial": c})
    n_special = len(plans)
    for _ in range(30):
        plans.append({})
    while len(plans) < 150:
        plans.append({"personal_only": True})
    for i, pl in enumerate(plans):
        if pl.get("personal_only"):
            k = rng.choice([1, 1, 2, 2, 3])
            pl["personal"] = rng.sample(PERSONAL_KINDS, k)
        elif i < n_special:
            pl["personal"] = rng.sample(PERSONAL_KINDS, 1) if rng.random() < 0.3 else []
        else:
            pl["personal"] = []
        pl["negs"] = rng.randint(2, 5)
        pl["fmt"] = "pdf" if rng.random() < 0.25 else "docx"
    rng.shuffle(plans)
    return plans


# ------------------------------------------------------------------ values hidden by formatting


def zw_insert(value: str, ch: str, at: list[int]) -> str:
    out = value
    for k in sorted(at, reverse=True):
        out = out[:k] + ch + out[k:]
    return out


def hidden_docs(rng: random.Random) -> list[Spec]:
    docs: list[Spec] = []

    def base(n, fmt="docx", title=None):
        s = Spec(f"fmt{n:02d}", fmt, "formatting")
        agency = rng.choice(GOV)
        s.props = {
            "author": "Administrator",
            "last_modified_by": "user",
            "title": title or "关于核发补贴资金的通知",
        }
        head(
            s,
            rng,
            agency,
            number=doc_number(agency, rng),
            title=title or f"关于{rng.choice(TOPICS)}有关事项的通知",
        )
        s.p(rng.choice(RECIPIENTS))
        s.p("　　" + rng.choice(FILLER))
        return s, agency

    def end(s, agency):
        s.p("　　" + rng.choice(FILLER))
        tail(s, rng, agency, rng.choice(MONTHS), contact=rng.random() < 0.5)
        docs.append(s)

    n = 0
    # 1-2: w:br inside an ID / a card in body
    for _ in range(2):
        n += 1
        s, ag = base(n)
        i, c = gen.id18(rng), gen.card(rng, 19)
        nm = gen.name(rng)
        s.p(
            f"申请人：{nm}，身份证号码：{i[:10]}",
            ("br",),
            f"{i[10:]}，收款卡号：{c[:12]}",
            ("br",),
            c[12:] + "。",
        )
        s.item("personal_data", "name", nm, "body", "name_cue")
        s.item("personal_data", "id_card", i, "body", "linebreak_br")
        s.item("personal_data", "bank_card", c, "body", "linebreak_br")
        end(s, ag)
    # 3-4: paragraph break inside a table cell
    for _ in range(2):
        n += 1
        s, ag = base(n)
        rows = [[["姓名"], ["身份证号码"], ["银行卡号"], ["家庭住址"]]]
        for _r in range(2):
            nm, i, c, a = gen.name(rng), gen.id18(rng), gen.card(rng, 16), gen.home_address(rng)
            rows.append([[[nm]], [[i[:12]], [i[12:]]], [[c[:8]], [c[8:]]], [[a]]])
            s.item("personal_data", "name", nm, "table", "name_table_column")
            s.item("personal_data", "id_card", i, "table", "para_break_cell")
            s.item("personal_data", "bank_card", c, "table", "para_break_cell")
            s.item("personal_data", "address", a, "table", "home_address")
        s.p("附件：困难家庭临时救助对象名单")
        s.table(rows, [1200, 2200, 2200, 3000])
        end(s, ag)
    # 5: paragraph break in a body line
    n += 1
    s, ag = base(n)
    m, i = gen.mobile(rng), gen.id18(rng)
    s.p(f"　　经核实，投诉人联系电话{m[:7]}")
    s.p(f"{m[7:]}，身份证号{i[:9]}")
    s.p(f"{i[9:]}，现予登记。")
    s.item("personal_data", "mobile", m, "body", "para_break_body")
    s.item("personal_data", "id_card", i, "body", "para_break_body")
    end(s, ag)
    # 6-7: complex field with a result
    for _ in range(2):
        n += 1
        s, ag = base(n)
        nm, i, m = gen.name(rng), gen.id18(rng), gen.mobile(rng)
        s.p(
            "申请人：",
            ("fld", "MERGEFIELD 姓名", nm),
            "，身份证号码：",
            ("fld", "MERGEFIELD 身份证号", i),
            "，联系电话：",
            ("fld", "MERGEFIELD 手机 \\* MERGEFORMAT", m),
        )
        s.item("personal_data", "name", nm, "body field", "field_result")
        s.item("personal_data", "id_card", i, "body field", "field_result")
        s.item("personal_data", "mobile", m, "body field", "field_result")
        end(s, ag)
    # 8-9: text box with VML fallback
    for _ in range(2):
        n += 1
        s, ag = base(n)
        nm, m, i = gen.name(rng), gen.mobile(rng), gen.id18(rng)
        s.p(("txbx", [f"联系人：{nm}", f"手机：{m}", f"身份证：{i}"]))
        s.item("personal_data", "name", nm, "textbox", "text_box")
        s.item("personal_data", "mobile", m, "textbox", "text_box")
        s.item("personal_data", "id_card", i, "textbox", "text_box")
        end(s, ag)
    # 10-12: zero-width and other Cf characters inside a run
    for ch in ["\u200b", "\u2060", "\ufeff"]:
        n += 1
        s, ag = base(n)
        i, m = gen.id18(rng), gen.mobile(rng)
        iz, mz = zw_insert(i, ch, [6, 14]), zw_insert(m, ch, [3, 7])
        s.p(f"　　当事人身份证号码{iz}，手机号码{mz}。")
        s.item("personal_data", "id_card", i, "body", "zero_width", shown=iz)
        s.item("personal_data", "mobile", m, "body", "zero_width", shown=mz)
        end(s, ag)
    n += 1
    s, ag = base(n)
    c, nm = gen.card(rng, 16), gen.name(rng)
    cz = zw_insert(c, "\u00ad", [4, 8, 12])
    nz = nm[0] + "\u200b" + nm[1:]
    s.p(f"　　补贴发放至户主{nz}名下银行卡{cz}。")
    s.item("personal_data", "bank_card", c, "body", "zero_width", shown=cz)
    s.item("personal_data", "name", nm, "body", "zero_width", shown=nz)
    end(s, ag)
    # 14: one run per character
    n += 1
    s, ag = base(n)
    i, nm = gen.id18(rng), gen.name(rng)
    s.p("　　经办人：", ("chars", nm), "，身份证号码：", ("chars", i), "。")
    s.item("personal_data", "name", nm, "body", "run_per_char")
    s.item("personal_data", "id_card", i, "body", "run_per_char")
    end(s, ag)
    # 15: values split across runs with different formatting
    n += 1
    s, ag = base(n)
    m, c = gen.mobile(rng), gen.card(rng, 19)
    s.p(
        "　　联系电话：",
        ("split", [m[:4], m[4:9], m[9:]]),
        "，开户账号：",
        ("split", [c[:6], c[6:13], c[13:]]),
        "。",
    )
    s.item("personal_data", "mobile", m, "body", "split_runs")
    s.item("personal_data", "bank_card", c, "body", "split_runs")
    end(s, ag)
    # 16-17: full-width digits and letters
    for _ in range(2):
        n += 1
        s, ag = base(n)
        i, m, pp = gen.id18(rng), gen.mobile(rng), gen.passport(rng)
        s.p(
            f"　　申请人身份证号码：{gen.fullwidth(i)}，手机：{gen.fullwidth(m)}，护照号码：{gen.fullwidth(pp)}。"
        )
        s.item("personal_data", "id_card", i, "body", "fullwidth", shown=gen.fullwidth(i))
        s.item("personal_data", "mobile", m, "body", "fullwidth", shown=gen.fullwidth(m))
        s.item("personal_data", "passport", pp, "body", "fullwidth", shown=gen.fullwidth(pp))
        end(s, ag)
    # 18: U+3000 and spaces inside values
    n += 1
    s, ag = base(n)
    i, m = gen.id18(rng), gen.mobile(rng)
    iw, mw = gen.group(i, [6, 8, 4], "\u3000"), gen.group(m, [3, 4, 4], "\u3000")
    s.p(f"　　身份证号码：{iw}　联系电话：{mw}")
    s.item("personal_data", "id_card", i, "body", "space_u3000", shown=iw)
    s.item("personal_data", "mobile", m, "body", "space_u3000", shown=mw)
    end(s, ag)
    # 19-20: grouped digits in a table
    for _ in range(2):
        n += 1
        s, ag = base(n)
        rows = [[["户主姓名"], ["身份证号"], ["手机"], ["银行卡号"]]]
        nm, i, m, c = gen.name(rng), gen.id18(rng), gen.mobile(rng), gen.card(rng, 16)
        ig, mg, cg = (
            gen.group(i, [6, 4, 4, 4], " "),
            gen.group(m, [3, 4, 4], "-"),
            gen.group(c, [4, 4, 4, 4], "-"),
        )
        rows.append([[[nm]], [[ig]], [[mg]], [[cg]]])
        s.table(rows, [1400, 2600, 1800, 2600])
        s.item("personal_data", "name", nm, "table", "name_table_column")
        s.item("personal_data", "id_card", i, "table", "grouped_digits", shown=ig)
        s.item("personal_data", "mobile", m, "table", "grouped_digits", shown=mg)
        s.item("personal_data", "bank_card", c, "table", "grouped_digits", shown=cg)
        end(s, ag)
    # 21: hidden text
    n += 1
    s, ag = base(n)
    nm, i = gen.name(rng), gen.id18(rng)
    s.p("　　现将有关情况通报如下。", ("hid", f"（内部备注：投诉人{nm}，身份证{i}）"))
    s.item("personal_data", "name", nm, "hidden", "hidden_text")
    s.item("personal_data", "id_card", i, "hidden", "hidden_text")
    end(s, ag)
    # 22-23: comments and their authors
    for _ in range(2):
        n += 1
        s, ag = base(n)
        author, nm, m = gen.name(rng), gen.name(rng), gen.mobile(rng)
        s.blocks.append(
            (
                "comment",
                "　　请各单位按时报送材料。",
                f"已电话联系{nm}，手机{m}，同意延期。",
                author,
            )
        )
        s.item("personal_data", "name", author, "comment author", "comment_author")
        s.item("personal_data", "name", nm, "comment", "comment")
        s.item("personal_data", "mobile", m, "comment", "comment")
        end(s, ag)
    # 24-25: tracked changes
    for _ in range(2):
        n += 1
        s, ag = base(n)
        author, nm, i = gen.name(rng), gen.name(rng), gen.id18(rng)
        s.p(
            "　　经审核，",
            ("del", f"申请人{nm}（身份证号{i}）", author),
            ("ins", "申请人", author),
            "符合补助条件。",
        )
        s.item("personal_data", "name", nm, "deleted", "tracked_del")
        s.item("personal_data", "id_card", i, "deleted", "tracked_del")
        s.item("personal_data", "name", author, "revision author", "tracked_author")
        end(s, ag)
    # 26: tracked insertion with a mobile
    n += 1
    s, ag = base(n)
    author, m = gen.name(rng), gen.mobile(rng)
    s.p("　　联系人：区民政局社会救助科", ("ins", f"（具体经办：手机{m}）", author), "。")
    s.item("personal_data", "mobile", m, "inserted", "tracked_ins")
    s.item("personal_data", "name", author, "revision author", "tracked_author")
    end(s, ag)
    # 27: header and footer
    n += 1
    s, ag = base(n)
    nm, m = gen.name(rng), gen.mobile(rng)
    s.header.append(f"承办人：{nm}")
    s.footer.append(f"承办人手机：{m}")
    s.item("personal_data", "name", nm, "header", "header_footer")
    s.item("personal_data", "mobile", m, "footer", "header_footer")
    end(s, ag)
    # 28: document properties
    n += 1
    s, ag = base(n)
    author, lm, m = gen.name(rng), gen.name(rng), gen.mobile(rng)
    s.props.update({"author": author, "last_modified_by": lm, "keywords": f"经办人手机{m}"})
    s.item("personal_data", "name", author, "property author", "doc_property")
    s.item("personal_data", "name", lm, "property last_modified_by", "doc_property")
    s.item("personal_data", "mobile", m, "property keywords", "doc_property")
    end(s, ag)
    # 29-31: narrow PDF table columns: ID / card wrapped on two lines of the same column
    for _k in range(3):
        n += 1
        s = Spec(f"fmt{n:02d}", "pdf", "formatting")
        ag = rng.choice(GOV)
        s.props = {"author": ag[0], "title": "补贴发放名单"}
        head(
            s,
            rng,
            ag,
            number=doc_number(ag, rng),
            title="关于公布2024年度耕地地力保护补贴发放名单的通知",
        )
        s.p(rng.choice(RECIPIENTS))
        s.p("　　现将补贴发放名单公布如下，公示期5个工作日。")
        rows = [[["序号"], ["姓名"], ["身份证号码"], ["银行卡号"], ["家庭住址"], ["金额"]]]
        for r in range(2):
            nm, i, c, a = (
                gen.name(rng),
                gen.id18(rng),
                gen.card(rng, 19 if r else 16),
                gen.home_address(rng),
            )
            si = rng.choice([10, 12, 9])
            sc = rng.choice([10, 8, 12])
            rows.append(
                [
                    [str(r + 1)],
                    [nm],
                    [i[:si], ("br",), i[si:]],
                    [c[:sc], ("br",), c[sc:]],
                    [a[: len(a) // 2], ("br",), a[len(a) // 2 :]],
                    [f"{rng.randint(5, 40) * 100}"],
                ]
            )
            s.item("personal_data", "name", nm, "page 1 table", "name_table_column")
            s.item("personal_data", "id_card", i, "page 1 table", "pdf_narrow_column")
            s.item("personal_data", "bank_card", c, "page 1 table", "pdf_narrow_column")
            s.item("personal_data", "address", a, "page 1 table", "pdf_narrow_column")
        s.table(rows, [500, 800, 1300, 1300, 2400, 700])
        s.p("　　" + rng.choice(FILLER))
        tail(s, rng, ag, rng.choice(MONTHS))
        docs.append(s)
    # 32: PDF with full-width and grouped values in body
    n += 1
    s = Spec(f"fmt{n:02d}", "pdf", "formatting")
    ag = rng.choice(GOV)
    s.props = {"author": ag[0], "title": "行政处罚决定书"}
    head(s, rng, ag, number=doc_number(ag, rng), title="行政处罚决定书")
    nm, i, m = gen.name(rng), gen.id18(rng), gen.mobile(rng)
    s.p(
        f"　　当事人：{nm}，公民身份号码：{gen.fullwidth(i)}，联系电话：{gen.group(m, [3, 4, 4], ' ')}。"
    )
    s.item("personal_data", "name", nm, "page 1", "name_cue")
    s.item("personal_data", "id_card", i, "page 1", "fullwidth", shown=gen.fullwidth(i))
    s.item(
        "personal_data", "mobile", m, "page 1", "grouped_digits", shown=gen.group(m, [3, 4, 4], " ")
    )
    s.p("　　" + rng.choice(FILLER))
    tail(s, rng, ag, rng.choice(MONTHS))
    docs.append(s)
    # 33: text box holding a secrecy marking (the 版头 drawn as a shape)
    n += 1
    s = Spec(f"fmt{n:02d}", "docx", "formatting")
    ag = rng.choice(GOV)
    s.props = {"author": "Administrator", "title": "情况通报"}
    s.p(("txbx", ["000087", "机密★10年", "特急"]))
    s.item("state_secret", "marking", "机密★10年", "textbox", "text_box")
    head(s, rng, ag, number=doc_number(ag, rng), title="关于近期有关情况的通报")
    s.p("　　" + rng.choice(FILLER))
    end(s, ag)
    return docs


def build(outdir: str) -> list[dict]:
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(SEED)
    specs: list[Spec] = []
    for k, plan in enumerate(ordinary_plans(rng)):
        specs.append(ordinary(k + 1, rng, plan))
    specs.extend(hidden_docs(rng))
    labels = []
    for s in specs:
        fname = f"{s.id}.{s.fmt}"
        path = os.path.join(outdir, fname)
        if s.fmt == "docx":
            write_docx(s, path)
        else:
            write_pdf(s, path, s.protect)
        labels.append(
            {
                "id": s.id,
                "file": fname,
                "group": s.group,
                "split": gen.stable_split(s.id),
                "expected_verdict": s.verdict(),
                "items": s.items,
                "negatives": s.negs,
            }
        )
    with open(os.path.join(outdir, "labels.json"), "w", encoding="utf-8") as f:
        json.dump({"seed": SEED, "documents": labels}, f, ensure_ascii=False, indent=1)
    return labels


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python eval/build.py OUTDIR")
    labs = build(sys.argv[1])
    print(f"{len(labs)} documents written to {sys.argv[1]}")
