"""Rules as data: every shipped rule's examples are run against the full shipped rule set, and
the list files themselves are checked (ids, Chinese texts, examples present, typo terms that do
not normalise to the correct form)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pubguard.detectors.sensitive_term import RuleSet, get_ruleset
from pubguard.finding import Severity
from pubguard.textnorm import normalize_term
from pubguard.wordlists import (
    Rule,
    WordlistError,
    load_toml,
    load_wordlist,
    load_wordlists,
    shipped_paths,
)

SHIPPED = load_wordlists(shipped_paths())
RULES: list[Rule] = [r for wl in SHIPPED for r in wl.rules]
HAN = re.compile(r"[\u4e00-\u9fff]")


def _cases(kind: str) -> list:
    out = []
    for r in RULES:
        examples = r.examples_match if kind == "match" else r.examples_no_match
        for i, ex in enumerate(examples):
            out.append(pytest.param(r.full_id, ex, id=f"{r.full_id}-{kind}{i}"))
    return out


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return get_ruleset()


@pytest.mark.parametrize(("rule_id", "example"), _cases("match"))
def test_example_matches(ruleset: RuleSet, rule_id: str, example: str) -> None:
    hits = ruleset.scan(example)
    assert any(h.rule.full_id == rule_id for h in hits), [(h.rule.full_id, h.text) for h in hits]
    for h in hits:  # offsets point at the original example text
        assert example[h.start : h.end] == h.text
        assert normalize_term(h.text) == h.term


@pytest.mark.parametrize(("rule_id", "example"), _cases("no_match"))
def test_example_does_not_match(ruleset: RuleSet, rule_id: str, example: str) -> None:
    hits = ruleset.scan(example)
    assert not any(h.rule.full_id == rule_id for h in hits), [(h.rule.full_id, h.text) for h in hits]


def test_shipped_lists_present() -> None:
    names = {wl.name for wl in SHIPPED}
    assert {"confidential", "drafts", "advertising", "norms"} <= names
    assert len(RULES) >= 15


@pytest.mark.parametrize("rule", RULES, ids=[r.full_id for r in RULES])
def test_rule_is_complete(rule: Rule) -> None:
    assert rule.examples_match and rule.examples_no_match, "every rule ships both kinds of example"
    for text in (rule.message, rule.suggestion, rule.basis, rule.title, rule.label):
        assert text and HAN.search(text), "user-facing texts are Chinese"
    assert rule.severity in {Severity.HIGH, Severity.MEDIUM, Severity.LOW}
    for term in rule.terms:
        assert normalize_term(term), term
    if rule.replacement:
        # A typo entry must never normalise to the correct form (it would flag correct text).
        correct = normalize_term(rule.replacement)
        assert correct not in {normalize_term(t) for t in rule.terms}


def test_finding_rules_per_list() -> None:
    rules = {wl.name: wl.rule for wl in SHIPPED if wl.rules}
    assert rules["confidential"] == "internal_term"
    assert rules["drafts"] == "process_draft"
    assert rules["advertising"] == "ad_superlative"
    assert rules["norms"] == "norm_expression"
    assert all(r.finding_rule == rules[r.list_name] for r in RULES)


def test_rule_ids_unique() -> None:
    ids = [r.full_id for r in RULES]
    assert len(ids) == len(set(ids))


def test_replacement_text_is_clean(ruleset: RuleSet) -> None:
    """The correct form suggested by a rule does not itself trigger that rule."""
    for r in RULES:
        if r.replacement:
            assert not any(h.rule.full_id == r.full_id for h in ruleset.scan(r.replacement)), r.full_id


def test_txt_list_with_directives(tmp_path: Path) -> None:
    p = tmp_path / "本单位词表.txt"
    p.write_text(
        "\ufeff# 本单位敏感项目代号\n#! severity: high\n#! label: 项目代号\n\n星火计划甲  # 代号\n内部代号乙\n星火计划甲\n",
        encoding="utf-8",
    )
    wl = load_wordlist(p)
    assert wl.label == "项目代号"
    (rule,) = wl.rules
    assert rule.terms == ("星火计划甲", "内部代号乙")
    assert rule.severity is Severity.HIGH
    assert "项目代号" in rule.render_message("星火计划甲")
    assert rule.full_id.startswith("user-")
    assert rule.finding_rule == "custom_term"


def test_toml_errors_are_chinese(tmp_path: Path) -> None:
    bad_sev = tmp_path / "bad.toml"
    bad_sev.write_text(
        '[meta]\nname = "bad"\n[[rules]]\nid = "x"\nterms = ["甲乙"]\nseverity = "huge"\n', encoding="utf-8"
    )
    with pytest.raises(WordlistError, match="严重程度"):
        load_toml(bad_sev)
    dup = tmp_path / "dup.toml"
    dup.write_text(
        '[[rules]]\nid = "x"\nterms = ["甲乙"]\n[[rules]]\nid = "x"\nterms = ["丙丁"]\n', encoding="utf-8"
    )
    with pytest.raises(WordlistError, match="重复"):
        load_toml(dup)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rules]\n", encoding="utf-8")
    with pytest.raises(WordlistError, match="TOML"):
        load_toml(broken)
    with pytest.raises(WordlistError, match="找不到"):
        load_wordlist(tmp_path / "missing.txt")


def test_toml_without_rules_and_non_ascii_names(tmp_path: Path) -> None:
    """Site TOML files may hold only other detectors' tables; names never break rule ids."""
    other = tmp_path / "站点词表.toml"
    other.write_text('[classification_marks]\ninternal_marks = ["内部资料"]\n', encoding="utf-8")
    wl = load_wordlist(other)
    assert wl.rules == []
    a = tmp_path / "本单位词表.txt"
    b = tmp_path / "项目代号.txt"
    a.write_text("甲乙丙\n", encoding="utf-8")
    b.write_text("丁戊己\n", encoding="utf-8")
    ids = {load_wordlist(a).rules[0].full_id, load_wordlist(b).rules[0].full_id}
    assert len(ids) == 2
    assert all(re.fullmatch(r"user-[a-z0-9_-]+\.terms", i) for i in ids)


def test_terms_from_takes_words_from_the_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[meta]\nname = "site"\n[[rules]]\nid = "marks"\nterms_from = ["marks.work_secret"]\nterms = ["内部审阅稿"]\n',
        encoding="utf-8",
    )
    (rule,) = load_toml(path).rules
    assert rule.terms == ("工作秘密", "内部审阅稿")


def test_terms_from_refuses_an_unknown_entry(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[meta]\nname = "site"\n[[rules]]\nid = "x"\nterms_from = ["marks.nothing"]\n', encoding="utf-8"
    )
    with pytest.raises(WordlistError, match="terms_from“marks.nothing”无效"):
        load_toml(path)
