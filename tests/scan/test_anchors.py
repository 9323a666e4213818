"""Anchored rules find exactly what a finditer over the whole text finds, on every rule."""

from __future__ import annotations

import re

import pytest

from review_flow.scan import Scanner
from review_flow.scan.anchors import (
    anchored_matches,
    literal_prefixes,
    required_literal,
    split_by_prefix,
    top_level_branches,
    usable,
)
from tests.scan.labelled import generate


@pytest.mark.parametrize(
    ("pattern", "flags", "want"),
    [
        (r"(?:家庭住址|现住址|住址)\s*[：:]", 0, {"家庭住址", "现住址", "住址"}),
        (r"姓\s*名|申请人", 0, {"姓", "申请人"}),
        (r"[（(]\s*此件", 0, {"（", "("}),
        (r"(?<![0-9])本(?:文件|通知)属于", 0, {"本文件", "本通知"}),
        (r"开户(?:银)?行", 0, {"开户"}),  # an optional part ends the prefix
        (r"(?m)^作者：", 0, {"作者："}),
        (r"[1-9](?<![0-9][1-9])[0-9]{17}", 0, set("123456789")),
        (r"\s*住址", 0, None),  # starts with anything at all
        (r"[^\n]住址", 0, None),
        (r"(?:住址|)：", 0, None),  # one branch may be empty
        (r"abc", re.IGNORECASE, None),
    ],
)
def test_literal_prefixes(pattern, flags, want):
    got = literal_prefixes(re.compile(pattern, flags))
    assert (None if got is None else set(got)) == want


def test_prefixes_that_are_everywhere_are_not_used():
    assert not usable(literal_prefixes(re.compile(r"[0-9]{11}")))
    assert not usable(literal_prefixes(re.compile(r"[EG][0-9]{8}")))
    assert not usable(None)
    assert usable(literal_prefixes(re.compile(r"[（(]\s*此件")))


def test_the_shipped_literal_led_rules_are_anchored(scanner: Scanner):
    anchored = scanner.keywords.anchored_rules
    assert {
        "personal_data.name",
        "personal_data.address",
        "work_secret.note_not_public",
    } <= anchored
    assert "personal_data.id_card" not in anchored  # led by a digit: run over the whole text


def _texts(scanner: Scanner) -> list[str]:
    examples = [
        text for rule in scanner.rules.rules for text in (*rule.examples.hit, *rule.examples.miss)
    ]
    labelled = [d.text for d in generate(300, 20261126)]
    return [*examples, *labelled, "\n".join(labelled[:40])]


def test_anchored_matching_equals_finditer_for_every_anchored_rule(scanner: Scanner):
    rules = [r for r in scanner.rules.rules if r.id in scanner.keywords.anchored_rules]
    compared = 0
    for text in _texts(scanner):
        anchors = scanner.keywords.find(text).anchors
        for rule in rules:
            assert rule.regex is not None
            want = [m.span() for m in rule.regex.finditer(text)]
            got = [m.span() for m in anchored_matches(rule.regex, text, anchors[rule.id])]
            assert got == want, (rule.id, text[:80])
            compared += len(want)
    assert compared > 200  # the texts exercise the rules (355 matches when written)


def test_overlapping_prefixes_are_skipped_as_finditer_skips_them():
    regex = re.compile(r"申请人[：:]\S+")
    text = "申请人：申请人：张三"
    starts = [0, 4]
    assert [m.span() for m in anchored_matches(regex, text, starts)] == [
        m.span() for m in regex.finditer(text)
    ]


def test_pivoted_matching_equals_finditer_for_every_rule_with_a_pivot(scanner: Scanner):
    from review_flow.scan.recognizers import _pivoted

    rules = [r for r in scanner.rules.rules if "pivot" in r.params]
    assert rules, "the e-mail rule searches only lines holding an @"
    hostile = [
        "a@b.cn c@d.cn\ne@f.cn",  # several on one line, one on the next
        "@@@x@y.cn",
        "\n@a.cn\nzhang@ex.cn\n",
        "x" * 70 + "@example.cn",  # a local part longer than 64 characters: not an address
        "前文" + "y" * 63 + "@example.cn 后文",
        "邮箱：lisi@126.com。联系人：王五@某单位",
    ]
    compared = 0
    for text in [*_texts(scanner), *hostile]:
        for rule in rules:
            assert rule.regex is not None
            want = [m.span() for m in rule.regex.finditer(text)]
            reach = int(rule.params["reach"])
            got = [m.span() for m in _pivoted(rule.regex, text, rule.params["pivot"], reach)]
            assert got == want, (rule.id, text[:80])
            compared += len(want)
    assert compared > 50


@pytest.mark.parametrize(
    ("pattern", "want"),
    [
        ("a|b", ["a", "b"]),
        ("a(b|c)|d", ["a(b|c)", "d"]),
        (r"[|]x|\|y|z", ["[|]x", r"\|y", "z"]),
        (r"[]|]x|y", ["[]|]x", "y"]),
        (r"[^]|]x|(?:p|q)", ["[^]|]x", "(?:p|q)"]),
        ("abc", ["abc"]),
    ],
)
def test_top_level_branches_split_only_outside_groups_and_classes(
    pattern: str, want: list[str]
) -> None:
    assert top_level_branches(pattern) == want


def test_a_cue_pattern_splits_into_anchored_and_scanned_alternatives() -> None:
    split = split_by_prefix(r"负责|同志|[，,]\s*手机|[0-9](?<=[ \t][0-9])[0-9]{10}")
    assert split.anchored is not None
    assert split.anchored.pattern == "负责|同志"
    assert split.prefixes == {"负责", "同志"}
    # a lone comma or digit stands everywhere: the regex engine's own scan is cheaper
    assert [r.pattern for r in split.rest] == [r"[，,]\s*手机", r"[0-9](?<=[ \t][0-9])[0-9]{10}"]


def test_cue_matches_are_the_matches_of_the_whole_pattern(scanner: Scanner) -> None:
    from review_flow.scan.document import ScannedDocument
    from review_flow.scan.normalise import normalise
    from review_flow.scan.people import CUES, cue_matches
    from tests.scan.test_active import _extracted

    rules = [r for r in scanner.rules.rules if r.recognizer == "person"]
    assert rules
    compared = 0
    for text in _texts(scanner):
        doc = ScannedDocument(_extracted(text, ()), scanner.rules.mentions, normalise(text))
        doc.anchors = scanner.keywords.find(doc.text).anchors
        for rule in rules:
            for key in [k for k, _ in CUES] + ["roll_regex"]:
                pattern = rule.params.get(key)
                if not pattern:
                    continue
                want = {m.span() for m in re.finditer(pattern, doc.text)}
                got = [m.span() for m in cue_matches(rule, doc, key)]
                assert got == sorted(got)  # in order of their start, as finditer gives them
                assert want <= set(got), (rule.id, key, doc.text[:80])
                compared += len(want)
    assert compared > 100


@pytest.mark.parametrize(
    ("pattern", "want"),
    [
        (r"(?:本|此)[^。]{0,16}?属于[^。]{0,12}?商业秘密|商业秘密[^。]{0,8}?不得公开", "商业秘密"),
        (r"[（(]此件不(?:公开|予公开)[）)]", "此件不"),
        (r"(?:甲方|乙方)签字", "签字"),
        (r"(?:abc)+x", "abc"),
        (r"(?:abc)?x", None),  # an optional group may be absent
        (r"甲|乙", None),
        (r"(?i)secret", None),
        (r"(?=商业秘密)商", None),  # a lookahead consumes nothing: 商 alone is too short
    ],
)
def test_required_literal_is_in_every_match(pattern: str, want: str | None) -> None:
    assert required_literal(re.compile(pattern)) == want


def test_a_rule_whose_required_literal_is_absent_is_not_run(scanner: Scanner) -> None:
    rules = [r for r in scanner.rules.rules if r.regex is not None and required_literal(r.regex)]
    assert rules, "the commercial-secret statement needs 商业秘密 in the text"
    for text in _texts(scanner):
        for rule in rules:
            assert rule.regex is not None
            literal = required_literal(rule.regex)
            assert literal is not None
            for m in rule.regex.finditer(text):
                assert literal in m.group(), (rule.id, m.group())
