"""Every rule passes its own examples; malformed rule files fail at load time, naming the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from review_flow.errors import RulesError
from review_flow.scan import Scanner
from review_flow.scan.examples import rule_fires
from review_flow.scan.rules import default_rules_dir, load_rules

RULES = load_rules(default_rules_dir())
CASES = [
    pytest.param(rule, text, want, id=f"{rule.id}-{kind}{i}")
    for rule in RULES.rules
    for kind, want in (("hit", True), ("miss", False))
    for i, text in enumerate(getattr(rule.examples, kind))
]
MENTION_CASES = [
    pytest.param(mention, text, want, id=f"{mention.id}-{kind}{i}")
    for mention in RULES.mentions
    for kind, want in (("hit", True), ("miss", False))
    for i, text in enumerate(getattr(mention.examples, kind))
]


@pytest.mark.parametrize(("rule", "text", "want"), CASES)
def test_rule_examples(rule, text, want, scanner: Scanner):
    assert rule_fires(scanner, rule, text) is want


@pytest.mark.parametrize(("mention", "text", "want"), MENTION_CASES)
def test_mention_examples(mention, text, want):
    assert bool(mention.regex.search(text)) is want


def test_every_rule_has_hit_and_miss_examples():
    for rule in RULES.rules:
        assert rule.examples.hit, rule.id
        assert rule.examples.miss, rule.id
        assert rule.description, rule.id
        assert rule.source, rule.id


def test_rule_ids_are_namespaced_by_category():
    for rule in RULES.rules:
        assert rule.id.startswith(f"{rule.category}."), rule.id


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "site.toml").write_text("version = 1\n" + body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[rule]]\nid = "x.a"\ncategory = "nope"\nseverity = "warn"\nrecognizer = "keyword"\n'
         'keywords = ["甲"]\n', "x.a"),
        ('[[rule]]\nid = "personal_data.a"\nseverity = "warn"\nrecognizer = "pattern"\n'
         'category = "personal_data"\nregex = "("\n', "bad regex"),
        ('[[rule]]\nid = "personal_data.b"\nseverity = "warn"\nrecognizer = "pattern"\n'
         'category = "personal_data"\nregex = "x"\nvalidator = "nope"\n', "unknown validator"),
        ('[[rule]]\nid = "personal_data.c"\nseverity = "warn"\nrecognizer = "magic"\n'
         'category = "personal_data"\n', "recognizer"),
        ('[[rule]]\nid = "personal_data.d"\nseverity = "warn"\nrecognizer = "keyword"\n'
         'category = "personal_data"\nkeywrods = ["甲"]\n', "unknown keys"),
        ("[[rule\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_malformed_rules_fail_at_load_time(tmp_path, body, message):
    with pytest.raises(RulesError, match=message) as info:
        load_rules(default_rules_dir(), write(tmp_path, body))
    assert "site.toml" in str(info.value)


def test_a_site_rule_overrides_and_disables(tmp_path):
    site = write(
        tmp_path,
        '[[rule]]\nid = "personal_data.landline"\nenabled = false\n'
        '[[rule]]\nid = "commercial_secret.keyword"\ncategory = "commercial_secret"\n'
        'severity = "block"\nrecognizer = "keyword"\nkeywords = ["标底"]\nmessage = "标底"\n',
    )
    rules = load_rules(default_rules_dir(), site)
    ids = {r.id for r in rules.rules}
    assert "personal_data.landline" not in ids
    assert rules.by_id("commercial_secret.keyword").keywords == ("标底",)
