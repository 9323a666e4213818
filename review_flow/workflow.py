"""The review workflow as a table of transitions with guards; pure: no database, no scanner.

`advance(case, trigger)` returns the next stage or raises TransitionRefused saying why. Every
state change of a document goes through it, its creation (`submit`) included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from transitions import Machine, MachineError

from review_flow.errors import TransitionRefused


class Stage(StrEnum):
    NEW = "new"  # not stored yet: the source of `submit`, never a document's state
    DRAFTED = "drafted"  # submitted, scanned, awaiting the secrecy review
    RETURNED = "returned"
    SECRECY_CHECKED = "secrecy_checked"
    ATTRIBUTE_SET = "attribute_set"
    PUBLISHED = "published"
    PUSHED_TO_OA = "pushed_to_oa"
    WITHHELD = "withheld"
    RETRACTED = "retracted"  # 撤稿: published, then withdrawn; the 索引号 is kept, marked withdrawn


class Attribute(StrEnum):
    """公开属性."""

    PUBLIC = "主动公开"
    ON_REQUEST = "依申请公开"
    WITHHELD = "不予公开"


ATTRIBUTE_ALIASES = {
    "public": Attribute.PUBLIC,
    "on-request": Attribute.ON_REQUEST,
    "withheld": Attribute.WITHHELD,
    **{a.value: a for a in Attribute},
}

# 《政府信息公开条例》第十四至十六条 and the party-document exclusion: lawful reasons for 不予公开.
WITHHOLD_REASONS = (
    "国家秘密",
    "法律法规禁止",
    "危及安全稳定",
    "商业秘密",
    "个人隐私",
    "内部事务信息",
    "过程性信息",
    "行政执法案卷",
    "党委公文",
    "非政府信息",
)

BLOCKING_CATEGORIES = ("state_secret", "work_secret", "party_document")

TRANSITIONS = [
    # trigger         source                                  dest                guards
    ("submit",        Stage.NEW,                              Stage.DRAFTED,      ["is_scanned"]),
    ("approve",       Stage.DRAFTED,                          Stage.SECRECY_CHECKED,
     ["is_not_submitter", "all_findings_disposed", "bytes_unchanged"]),
    ("reject",        Stage.DRAFTED,                          Stage.RETURNED,
     ["is_not_submitter", "has_reason"]),
    ("revise",        [Stage.DRAFTED, Stage.RETURNED],        Stage.DRAFTED,      []),
    # redaction (issue 16): a new version through the revise path, made by review-flow itself
    ("redact",        [Stage.DRAFTED, Stage.RETURNED],        Stage.DRAFTED,      []),
    ("set_attribute", Stage.SECRECY_CHECKED,                  Stage.ATTRIBUTE_SET,
     ["is_not_submitter", "attribute_is_lawful"]),
    ("publish",       Stage.ATTRIBUTE_SET,                    Stage.PUBLISHED,
     ["is_proactive", "is_not_submitter", "bytes_match_review"]),
    ("withhold",      Stage.ATTRIBUTE_SET,                    Stage.WITHHELD,     ["is_withheld"]),
    ("push",          [Stage.PUBLISHED, Stage.ATTRIBUTE_SET], Stage.PUSHED_TO_OA,
     ["may_leave_agency", "is_acknowledged"]),
    # correcting course (issue 13): each needs a person other than the submitter
    ("withdraw",      [Stage.SECRECY_CHECKED, Stage.ATTRIBUTE_SET], Stage.RETURNED,
     ["has_reason", "is_not_submitter"]),
    ("reattribute",   Stage.ATTRIBUTE_SET,                    Stage.SECRECY_CHECKED,
     ["is_not_submitter", "is_not_pushed"]),
    ("retract",       [Stage.PUBLISHED, Stage.PUSHED_TO_OA],  Stage.RETRACTED,
     ["has_reason", "is_not_submitter"]),
]  # fmt: skip


def four_eyes(actor: str, submitter: str) -> str:
    """Why `actor` may not decide on a version `submitter` submitted ('' when they may).

    The one statement of the four-eyes rule: the guards use it, and so does every decision
    that is not a transition (a disposition of a finding).
    """
    return f"four-eyes rule: {actor} submitted this version" if actor == submitter else ""


@dataclass
class Case:
    """What the guards need to know about one document at the moment of a trigger."""

    state: Stage
    actor: str
    submitter: str
    undisposed: int = 0
    bytes_ok: bool = True
    reviewed_bytes_ok: bool = True
    reason: str = ""
    attribute: Attribute | None = None
    confirmed: tuple[str, ...] = ()  # categories of confirmed findings of the current version
    acknowledged: bool = False
    scanned: bool = True  # the file was read and scanned; the report is stored with it
    pushed: bool = False  # an OA delivery of this document was acknowledged or is on the wire
    refusal: str = field(default="", init=False)

    def _refuse(self, why: str) -> bool:
        self.refusal = why
        return False

    # -- guards: each returns True or records why it refuses --------------------------------
    def is_scanned(self) -> bool:
        return self.scanned or self._refuse("the file could not be scanned")

    def is_not_submitter(self) -> bool:
        why = four_eyes(self.actor, self.submitter)
        return not why or self._refuse(why)

    def all_findings_disposed(self) -> bool:
        if self.undisposed:
            return self._refuse(f"{self.undisposed} block/warn finding(s) have no disposition")
        return True

    def bytes_unchanged(self) -> bool:
        return self.bytes_ok or self._refuse("stored file no longer matches its sha256")

    def bytes_match_review(self) -> bool:
        return self.reviewed_bytes_ok or self._refuse(
            "the file to publish is not the version that was reviewed"
        )

    def has_reason(self) -> bool:
        return bool(self.reason.strip()) or self._refuse("a reason is required")

    def attribute_is_lawful(self) -> bool:
        if self.attribute is None:
            return self._refuse("no disclosure attribute given")
        if self.attribute is Attribute.PUBLIC:
            blocking = sorted(set(self.confirmed) & set(BLOCKING_CATEGORIES))
            if blocking:
                return self._refuse(f"主动公开 refused: confirmed {', '.join(blocking)} finding")
            if "personal_data" in self.confirmed:
                return self._refuse(
                    "主动公开 refused: confirmed personal data is unredacted "
                    "(redact or revise the file)"
                )
        if self.attribute is Attribute.WITHHELD and self.reason not in WITHHOLD_REASONS:
            return self._refuse(
                f"不予公开 needs a legal reason: one of {'、'.join(WITHHOLD_REASONS)}"
            )
        return True

    def is_proactive(self) -> bool:
        if self.attribute is not Attribute.PUBLIC:
            return self._refuse(f"only 主动公开 documents are published (this is {self.attribute})")
        return True

    def is_withheld(self) -> bool:
        if self.attribute is not Attribute.WITHHELD:
            return self._refuse(f"only 不予公开 documents are withheld (this is {self.attribute})")
        return True

    def may_leave_agency(self) -> bool:
        if self.state is Stage.ATTRIBUTE_SET and self.attribute is not Attribute.ON_REQUEST:
            return self._refuse("only published or 依申请公开 documents go to the OA system")
        blocking = sorted(set(self.confirmed) & set(BLOCKING_CATEGORIES))
        if blocking or self.attribute is Attribute.WITHHELD:
            return self._refuse(f"never pushed: {', '.join(blocking) or '不予公开'}")
        return True

    def is_not_pushed(self) -> bool:
        return not self.pushed or self._refuse(
            "already delivered to (or being sent to) the OA system: retract it instead"
        )

    def is_acknowledged(self) -> bool:
        return self.acknowledged or self._refuse("the OA system has not acknowledged delivery")


def advance(case: Case, trigger: str) -> Stage:
    """Fire `trigger` on the case; the new stage, or TransitionRefused with the reason."""
    machine = Machine(
        model=case,
        states=list(Stage),
        transitions=[
            {"trigger": t, "source": s, "dest": d, "conditions": g} for t, s, d, g in TRANSITIONS
        ],
        initial=case.state,
        auto_transitions=False,
        model_attribute="state",
    )
    try:
        moved = machine.events[trigger].trigger(case) if trigger in machine.events else None
    except MachineError:
        moved = None
        case.refusal = f"cannot {trigger} a document in state {case.state}"
    if moved is None and not case.refusal:
        case.refusal = f"unknown trigger {trigger!r}"
    if not moved:
        raise TransitionRefused(case.refusal or f"cannot {trigger} now")
    return Stage(case.state)


def may_owe_push(case: Case) -> None:
    """Refuse unless the `push` row's guards pass, all but the OA's acknowledgement.

    What the outbox asks before it owes a delivery: a secret, party or withheld document is
    refused here by the very guard that refuses its push.
    """
    (guards,) = [g for t, _, _, g in TRANSITIONS if t == "push"]
    for name in guards:
        if name != "is_acknowledged" and not getattr(case, name)():
            raise TransitionRefused(case.refusal)


def allowed(state: Stage) -> list[str]:
    """Triggers that the table allows from a stage (guards not evaluated)."""
    out = []
    for trigger, source, _, _ in TRANSITIONS:
        sources = source if isinstance(source, list) else [source]
        if state in sources:
            out.append(trigger)
    return out


# What a Chinese reader is shown; the English identifiers stay in JSON and in the database.
STAGE_NAMES = {
    Stage.DRAFTED: "待审查",
    Stage.RETURNED: "已退回",
    Stage.SECRECY_CHECKED: "审查通过",
    Stage.ATTRIBUTE_SET: "已定公开属性",
    Stage.PUBLISHED: "已发布",
    Stage.PUSHED_TO_OA: "已报送OA",
    Stage.WITHHELD: "不予公开",
    Stage.RETRACTED: "已撤回",
}
ACTION_NAMES = {
    "init": "初始化", "user_roles": "设置用户角色", "submit": "提交审查", "dispose": "处理审查发现",
    "reveal": "查看未遮蔽信息", "approve": "审查通过", "reject": "退回", "revise": "修改重报",
    "redact": "脱敏重报",
    "attribute": "认定公开属性", "publish": "发布", "withhold": "不予公开",
    "outbox": "列入报送队列",
    "push_delivered": "报送OA成功", "push_failed": "报送OA失败", "push_retry": "重新报送",
    "withdraw": "撤回", "reattribute": "重新认定公开属性", "retract": "撤稿",
    "refused": "操作被拒绝", "user_deactivate": "停用用户", "audit_verify": "校验审计日志",
    "audit_export": "导出审计日志",
}  # fmt: skip
ROLE_NAMES = {
    "clerk": "拟稿人", "reviewer": "审查人", "publisher": "信息公开专员", "inspector": "检查人员",
    "admin": "管理员",
}  # fmt: skip
DECISION_NAMES = {
    "confirmed": "确认属实", "dismissed": "排除", "read": "已人工阅读", "redact": "确认并脱敏",
}  # fmt: skip


def stage_name(state: str | None) -> str:
    """待审查 … for a stage identifier; an unknown one is shown as it is."""
    names = {str(k): v for k, v in STAGE_NAMES.items()}
    return names.get(state or "", state or "—")
