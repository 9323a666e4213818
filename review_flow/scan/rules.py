"""Rules as data: load `rules/*.toml`, validate everything at load time, name file and rule id.

A site adds or overrides rules with its own directory (`--rules DIR`): a rule with the same id
replaces the shipped one; `enabled = false` switches one off.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review_flow.errors import RulesError
from review_flow.scan.location import default_rules_dir
from review_flow.scan.model import Category, Severity

__all__ = ["Examples", "Mention", "Rule", "RuleSet", "default_rules_dir", "load_rules"]

RULES_VERSION = 1
RECOGNIZERS = (
    "keyword",
    "pattern",
    "column",
    "marking",
    "party_head",
    "head_field",
    "joined",
    "person",
    "name_column",
    "address",
    "ocr_id",
)
WHERES = ("anywhere", "head", "body", "position")
MASKS = ("none", "id", "phone", "card", "email", "name", "address", "passport")


@dataclass(frozen=True, slots=True)
class Examples:
    hit: tuple[str, ...] = ()
    miss: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what it matches, where it applies, how severe a hit is, and its examples."""

    id: str
    category: Category
    kind: str
    recognizer: str
    severity: Severity
    message: str
    where: str = "anywhere"
    keywords: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    validator: str = ""
    context: tuple[str, ...] = ()
    context_required: bool = False
    context_window: int = 24
    headers: tuple[str, ...] = ()  # column recognizer: table column headers
    downgrade_context: tuple[str, ...] = ()  # words that make a hit `info` (office contact)
    mentions: bool = True  # keyword hits in a sentence that is a mention are dropped
    mask: str = "none"
    params: dict[str, str] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    examples: Examples = Examples()
    file: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """A sentence pattern that talks ABOUT secrecy (a law, a duty, a statistics label)."""

    id: str
    regex: re.Pattern[str]
    description: str = ""
    examples: Examples = Examples()


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    mentions: tuple[Mention, ...]
    userdict: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = ()  # where the rules came from (data files such as divisions.txt)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise RulesError(f"no rule with id {rule_id!r}")


def load_rules(*dirs: Path) -> RuleSet:
    """Load the rule files of each directory in turn; later directories override earlier ones."""
    from review_flow.scan.validators import VALIDATORS

    rules: dict[str, Rule] = {}
    mentions: dict[str, Mention] = {}
    userdicts: list[Path] = []
    for folder in dirs or (default_rules_dir(),):
        if not folder.is_dir():
            raise RulesError(f"rules directory {folder} does not exist")
        for path in sorted(folder.glob("*.toml")):
            data = _read(path)
            for raw in data.get("mention", []):
                mention = _mention(path, raw)
                mentions[mention.id] = mention
            for raw in data.get("rule", []):
                if raw.get("enabled", True) is False:
                    rules.pop(str(raw.get("id")), None)
                    continue
                rule = _rule(path, raw, data.get("category"))
                if rule.validator and rule.validator not in VALIDATORS:
                    raise RulesError(
                        f"{path.name}: rule {rule.id}: unknown validator {rule.validator!r} "
                        f"(known: {', '.join(sorted(VALIDATORS))})"
                    )
                rules[rule.id] = rule
        userdicts.extend(sorted(folder.glob("*.dict.txt")))
    folders = tuple(dirs or (default_rules_dir(),))
    return RuleSet(tuple(rules.values()), tuple(mentions.values()), tuple(userdicts), folders)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from exc
    version = data.get("version", RULES_VERSION)
    if version != RULES_VERSION:
        raise RulesError(f"{path.name}: rules version {version} (this build reads {RULES_VERSION})")
    return data


def _str_tuple(path: Path, rule_id: str, raw: dict[str, object], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{path.name}: rule {rule_id}: {key} must be a list of strings")
    return tuple(value)


def _compile(path: Path, rule_id: str, pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RulesError(f"{path.name}: rule {rule_id}: regex must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RulesError(f"{path.name}: rule {rule_id}: bad regex: {exc}") from exc


def _examples(path: Path, rule_id: str, raw: dict[str, object]) -> Examples:
    examples = raw.get("examples", {})
    if not isinstance(examples, dict):
        raise RulesError(f"{path.name}: rule {rule_id}: examples must be a table")
    return Examples(
        _str_tuple(path, rule_id, examples, "hit"), _str_tuple(path, rule_id, examples, "miss")
    )


def _choice(path: Path, rule_id: str, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RulesError(
            f"{path.name}: rule {rule_id}: {key} {value!r} is not one of {', '.join(allowed)}"
        )
    return str(value)


def _rule(path: Path, raw: dict[str, object], file_category: object) -> Rule:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RulesError(f"{path.name}: a rule without an id")
    category = raw.get("category", file_category)
    try:
        cat, sev = Category(str(category)), Severity(str(raw.get("severity")))
    except ValueError as exc:
        raise RulesError(f"{path.name}: rule {rule_id}: {exc}") from exc
    known = set(Rule.__slots__) | {"enabled", "params"}
    unknown = set(raw) - known
    if unknown:
        raise RulesError(f"{path.name}: rule {rule_id}: unknown keys {sorted(unknown)}")
    recognizer = _choice(path, rule_id, "recognizer", raw.get("recognizer"), RECOGNIZERS)
    regex = _compile(path, rule_id, raw["regex"]) if "regex" in raw else None
    keywords = _str_tuple(path, rule_id, raw, "keywords")
    if recognizer == "joined" and not raw.get("validator"):
        raise RulesError(f"{path.name}: rule {rule_id}: a joined rule needs a validator")
    if recognizer in ("pattern", "column", "address") and regex is None:
        raise RulesError(f"{path.name}: rule {rule_id}: a {recognizer} rule needs a regex")
    if recognizer == "keyword" and not keywords:
        raise RulesError(f"{path.name}: rule {rule_id}: a keyword rule needs keywords")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise RulesError(f"{path.name}: rule {rule_id}: params must be a table")
    for key, value in params.items():
        if key.endswith("regex"):
            _compile(path, rule_id, value)
    return Rule(
        id=rule_id,
        category=cat,
        kind=str(raw.get("kind", "keyword")),
        recognizer=recognizer,
        severity=sev,
        message=str(raw.get("message", "")),
        where=_choice(path, rule_id, "where", raw.get("where", "anywhere"), WHERES),
        keywords=keywords,
        regex=regex,
        validator=str(raw.get("validator", "")),
        context=_str_tuple(path, rule_id, raw, "context"),
        context_required=bool(raw.get("context_required", False)),
        context_window=int(raw.get("context_window", 24)),  # type: ignore[call-overload]
        headers=_str_tuple(path, rule_id, raw, "headers"),
        downgrade_context=_str_tuple(path, rule_id, raw, "downgrade_context"),
        mentions=bool(raw.get("mentions", True)),
        mask=_choice(path, rule_id, "mask", raw.get("mask", "none"), MASKS),
        params={str(k): str(v) for k, v in params.items()},
        description=str(raw.get("description", "")),
        source=str(raw.get("source", "")),
        examples=_examples(path, rule_id, raw),
        file=path.name,
    )


def _mention(path: Path, raw: dict[str, object]) -> Mention:
    mention_id = raw.get("id")
    if not isinstance(mention_id, str) or not mention_id:
        raise RulesError(f"{path.name}: a mention without an id")
    return Mention(
        mention_id,
        _compile(path, mention_id, raw.get("regex")),
        str(raw.get("description", "")),
        _examples(path, mention_id, raw),
    )
