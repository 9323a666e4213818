"""The workflow table and its guards, without a database: review_flow.workflow is pure."""

from __future__ import annotations

import itertools

import pytest

from review_flow.errors import TransitionRefused
from review_flow.workflow import (
    BLOCKING_CATEGORIES,
    TRANSITIONS,
    WITHHOLD_REASONS,
    Attribute,
    Case,
    Stage,
    advance,
    allowed,
)

# The "Workflow" table of /work/shared/DESIGN.md, written out independently of TRANSITIONS:
# trigger -> (sources, destination).
DESIGN_TABLE: dict[str, tuple[set[Stage], Stage]] = {
    "submit": ({Stage.NEW}, Stage.DRAFTED),
    "approve": ({Stage.DRAFTED}, Stage.SECRECY_CHECKED),
    "reject": ({Stage.DRAFTED}, Stage.RETURNED),
    "revise": ({Stage.DRAFTED, Stage.RETURNED}, Stage.DRAFTED),
    "redact": ({Stage.DRAFTED, Stage.RETURNED}, Stage.DRAFTED),
    "set_attribute": ({Stage.SECRECY_CHECKED}, Stage.ATTRIBUTE_SET),
    "publish": ({Stage.ATTRIBUTE_SET}, Stage.PUBLISHED),
    "push": ({Stage.PUBLISHED, Stage.ATTRIBUTE_SET}, Stage.PUSHED_TO_OA),
    "withhold": ({Stage.ATTRIBUTE_SET}, Stage.WITHHELD),
    "withdraw": ({Stage.SECRECY_CHECKED, Stage.ATTRIBUTE_SET}, Stage.RETURNED),
    "reattribute": ({Stage.ATTRIBUTE_SET}, Stage.SECRECY_CHECKED),
    "retract": ({Stage.PUBLISHED, Stage.PUSHED_TO_OA}, Stage.RETRACTED),
}
TRIGGERS = sorted({t for t, *_ in TRANSITIONS})
PAIRS = list(itertools.product(list(Stage), TRIGGERS))


def _sources(source: Stage | list[Stage]) -> set[Stage]:
    return set(source) if isinstance(source, list) else {source}


def passing_case(stage: Stage, trigger: str) -> Case:
    """A case on which every guard of `trigger` passes (from a stage the table allows)."""
    attribute = {
        "set_attribute": Attribute.PUBLIC,
        "publish": Attribute.PUBLIC,
        "withhold": Attribute.WITHHELD,
        "push": Attribute.PUBLIC if stage is Stage.PUBLISHED else Attribute.ON_REQUEST,
    }.get(trigger)
    return Case(
        stage,
        actor="李审查",
        submitter="张拟稿",
        undisposed=0,
        bytes_ok=True,
        reviewed_bytes_ok=True,
        reason="第3页有身份证号",
        attribute=attribute,
        confirmed=(),
        acknowledged=True,
    )


def refusal(case: Case, trigger: str) -> str:
    before = case.state
    with pytest.raises(TransitionRefused) as info:
        advance(case, trigger)
    assert Stage(case.state) is Stage(before), "a refused trigger must not move the case"
    return str(info.value)


# -- the table -------------------------------------------------------------------------------------
def test_transitions_table_matches_the_design_table() -> None:
    table = {t: (_sources(s), Stage(d)) for t, s, d, _ in TRANSITIONS}
    assert table == DESIGN_TABLE
    assert len(TRANSITIONS) == len(table), "a trigger is listed twice"


@pytest.mark.parametrize(("stage", "trigger"), PAIRS, ids=[f"{s}-{t}" for s, t in PAIRS])
def test_advance_succeeds_exactly_when_the_table_lists_the_source(
    stage: Stage, trigger: str
) -> None:
    sources, dest = DESIGN_TABLE[trigger]
    case = passing_case(stage, trigger)
    if stage in sources:
        assert advance(case, trigger) is dest
        assert Stage(case.state) is dest
    else:
        assert refusal(case, trigger) == f"cannot {trigger} a document in state {stage}"


@pytest.mark.parametrize("stage", list(Stage))
def test_allowed_agrees_with_the_table(stage: Stage) -> None:
    expected = [t for t, _, _, _ in TRANSITIONS if stage in DESIGN_TABLE[t][0]]
    assert allowed(stage) == expected
    assert set(allowed(stage)) == {t for t in TRIGGERS if stage in DESIGN_TABLE[t][0]}


def test_terminal_stages_allow_nothing() -> None:
    assert allowed(Stage.RETRACTED) == []
    assert allowed(Stage.WITHHELD) == []
    assert allowed(Stage.PUSHED_TO_OA) == ["retract"]


def test_unknown_trigger_is_refused() -> None:
    assert refusal(passing_case(Stage.DRAFTED, "approve"), "bless") == "unknown trigger 'bless'"


# -- guards: approve and publish -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "trigger", "attribute"),
    [
        (Stage.DRAFTED, "approve", None),
        (Stage.ATTRIBUTE_SET, "publish", Attribute.PUBLIC),
    ],
)
def test_four_eyes_rule(stage: Stage, trigger: str, attribute: Attribute | None) -> None:
    case = Case(stage, actor="周全能", submitter="周全能", attribute=attribute)
    assert refusal(case, trigger) == "four-eyes rule: 周全能 submitted this version"


def test_approve_refused_while_findings_are_undisposed() -> None:
    case = Case(Stage.DRAFTED, actor="李审查", submitter="张拟稿", undisposed=3)
    assert refusal(case, "approve") == "3 block/warn finding(s) have no disposition"


def test_approve_refused_when_the_stored_bytes_changed() -> None:
    case = Case(Stage.DRAFTED, actor="李审查", submitter="张拟稿", bytes_ok=False)
    assert refusal(case, "approve") == "stored file no longer matches its sha256"


def test_publish_refused_when_the_bytes_are_not_the_reviewed_ones() -> None:
    case = Case(
        Stage.ATTRIBUTE_SET,
        actor="王公开",
        submitter="张拟稿",
        attribute=Attribute.PUBLIC,
        reviewed_bytes_ok=False,
    )
    assert refusal(case, "publish") == "the file to publish is not the version that was reviewed"


@pytest.mark.parametrize("attribute", [Attribute.ON_REQUEST, Attribute.WITHHELD, None])
def test_publish_refused_for_a_document_that_is_not_proactive(
    attribute: Attribute | None,
) -> None:
    case = Case(Stage.ATTRIBUTE_SET, actor="王公开", submitter="张拟稿", attribute=attribute)
    message = refusal(case, "publish")
    assert message.startswith("only 主动公开 documents are published")
    assert str(attribute) in message


# -- guards: reject --------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_reject_needs_a_reason(reason: str) -> None:
    case = Case(Stage.DRAFTED, actor="李审查", submitter="张拟稿", reason=reason)
    assert refusal(case, "reject") == "a reason is required"


# -- guards: set_attribute -------------------------------------------------------------------------
def attribute_case(attribute: Attribute | None, confirmed=(), reason: str = "") -> Case:
    return Case(
        Stage.SECRECY_CHECKED,
        actor="王公开",
        submitter="张拟稿",
        attribute=attribute,
        confirmed=tuple(confirmed),
        reason=reason,
    )


def test_set_attribute_needs_an_attribute() -> None:
    assert refusal(attribute_case(None), "set_attribute") == "no disclosure attribute given"


@pytest.mark.parametrize("category", BLOCKING_CATEGORIES)
def test_public_refused_with_a_confirmed_blocking_finding(category: str) -> None:
    case = attribute_case(Attribute.PUBLIC, [category])
    assert refusal(case, "set_attribute") == f"主动公开 refused: confirmed {category} finding"


def test_public_refusal_names_every_confirmed_blocking_category() -> None:
    case = attribute_case(Attribute.PUBLIC, ["work_secret", "personal_data", "state_secret"])
    assert (
        refusal(case, "set_attribute")
        == "主动公开 refused: confirmed state_secret, work_secret finding"
    )


def test_public_refused_with_confirmed_personal_data() -> None:
    message = refusal(attribute_case(Attribute.PUBLIC, ["personal_data"]), "set_attribute")
    assert message.startswith("主动公开 refused")
    assert "unredacted" in message


@pytest.mark.parametrize("reason", ["", "领导不同意", "国家"])
def test_withheld_needs_a_legal_reason(reason: str) -> None:
    message = refusal(attribute_case(Attribute.WITHHELD, reason=reason), "set_attribute")
    assert message.startswith("不予公开 needs a legal reason")
    assert all(r in message for r in WITHHOLD_REASONS)


@pytest.mark.parametrize("reason", WITHHOLD_REASONS)
def test_withheld_with_a_listed_reason_is_set(reason: str) -> None:
    case = attribute_case(Attribute.WITHHELD, ["state_secret"], reason=reason)
    assert advance(case, "set_attribute") is Stage.ATTRIBUTE_SET


@pytest.mark.parametrize("attribute", [Attribute.ON_REQUEST, Attribute.WITHHELD])
@pytest.mark.parametrize("category", [*BLOCKING_CATEGORIES, "personal_data"])
def test_only_public_is_limited_by_confirmed_findings(attribute: Attribute, category: str) -> None:
    case = attribute_case(attribute, [category], reason="国家秘密")
    assert advance(case, "set_attribute") is Stage.ATTRIBUTE_SET


@pytest.mark.parametrize("confirmed", [(), ("commercial_secret",)])
def test_public_without_blocking_or_personal_findings_is_set(confirmed: tuple[str, ...]) -> None:
    assert advance(attribute_case(Attribute.PUBLIC, confirmed), "set_attribute") is (
        Stage.ATTRIBUTE_SET
    )


# -- guards: withhold ------------------------------------------------------------------------------
@pytest.mark.parametrize("attribute", [Attribute.PUBLIC, Attribute.ON_REQUEST, None])
def test_withhold_refused_for_a_document_that_is_not_withheld(
    attribute: Attribute | None,
) -> None:
    case = Case(Stage.ATTRIBUTE_SET, actor="王公开", submitter="张拟稿", attribute=attribute)
    message = refusal(case, "withhold")
    assert message.startswith("only 不予公开 documents are withheld")
    assert str(attribute) in message


# -- guards: push ----------------------------------------------------------------------------------
def push_case(stage: Stage, attribute: Attribute | None, confirmed=(), ack: bool = True) -> Case:
    return Case(
        stage,
        actor="system",
        submitter="张拟稿",
        attribute=attribute,
        confirmed=tuple(confirmed),
        acknowledged=ack,
    )


def test_push_on_request_document_from_attribute_set() -> None:
    assert advance(push_case(Stage.ATTRIBUTE_SET, Attribute.ON_REQUEST), "push") is (
        Stage.PUSHED_TO_OA
    )


def test_push_published_document() -> None:
    assert advance(push_case(Stage.PUBLISHED, Attribute.PUBLIC), "push") is Stage.PUSHED_TO_OA


@pytest.mark.parametrize("attribute", [Attribute.PUBLIC, Attribute.WITHHELD, None])
def test_push_from_attribute_set_only_for_on_request(attribute: Attribute | None) -> None:
    message = refusal(push_case(Stage.ATTRIBUTE_SET, attribute), "push")
    assert message == "only published or 依申请公开 documents go to the OA system"


def test_withheld_document_is_never_pushed() -> None:
    assert refusal(push_case(Stage.WITHHELD, Attribute.WITHHELD), "push") == (
        "cannot push a document in state withheld"
    )
    # even a published row that somehow carries 不予公开
    assert refusal(push_case(Stage.PUBLISHED, Attribute.WITHHELD), "push") == (
        "never pushed: 不予公开"
    )


@pytest.mark.parametrize("category", BLOCKING_CATEGORIES)
@pytest.mark.parametrize(
    ("stage", "attribute"),
    [(Stage.PUBLISHED, Attribute.PUBLIC), (Stage.ATTRIBUTE_SET, Attribute.ON_REQUEST)],
)
def test_confirmed_secret_is_never_pushed(
    stage: Stage, attribute: Attribute, category: str
) -> None:
    message = refusal(push_case(stage, attribute, [category]), "push")
    assert message == f"never pushed: {category}"


@pytest.mark.parametrize(
    ("stage", "attribute"),
    [(Stage.PUBLISHED, Attribute.PUBLIC), (Stage.ATTRIBUTE_SET, Attribute.ON_REQUEST)],
)
def test_push_refused_until_acknowledged(stage: Stage, attribute: Attribute) -> None:
    message = refusal(push_case(stage, attribute, ack=False), "push")
    assert message == "the OA system has not acknowledged delivery"


# -- the case itself -------------------------------------------------------------------------------
def test_a_refused_case_can_advance_once_the_guard_passes() -> None:
    case = Case(Stage.DRAFTED, actor="李审查", submitter="张拟稿", undisposed=1)
    refusal(case, "approve")
    case.undisposed = 0
    assert advance(case, "approve") is Stage.SECRECY_CHECKED


def test_a_whole_path_to_the_oa_system() -> None:
    case = passing_case(Stage.DRAFTED, "approve")
    assert advance(case, "approve") is Stage.SECRECY_CHECKED
    case.attribute = Attribute.PUBLIC
    assert advance(case, "set_attribute") is Stage.ATTRIBUTE_SET
    assert advance(case, "publish") is Stage.PUBLISHED
    assert advance(case, "push") is Stage.PUSHED_TO_OA
    assert refusal(case, "revise") == "cannot revise a document in state pushed_to_oa"
