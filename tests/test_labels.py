"""Every code a user can see has its Chinese label in pubguard.labels (one table per kind),
and the texts that show codes (CLI reports, help, usage errors) show the labels instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubguard import labels
from pubguard.cli import app
from pubguard.document import BlockKind
from pubguard.finding import Category, Severity

ROOT = Path(__file__).resolve().parents[1] / "pubguard"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _source() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in ROOT.rglob("*.py")}


def _chinese(text: str) -> bool:
    return bool(CJK.search(text))


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("severity", list(Severity)),
        ("category", list(Category)),
        ("block_kind", list(BlockKind)),
    ],
)
def test_every_enum_value_has_a_chinese_label(kind, codes):
    for code in codes:
        assert code in labels.TABLES[kind], (kind, code)
        assert _chinese(labels.label(kind, code)), (kind, code)


def test_review_enums_have_labels():
    from pubguard.review.foi import FoiStatus
    from pubguard.review.interaction import MessageStatus
    from pubguard.review.interpretation import REVIEW_CATEGORY
    from pubguard.review.states import DraftStatus, FindingStatus
    from pubguard.review.workflow import ROLES

    for kind, enum in (("draft_status", DraftStatus), ("decision", FindingStatus),
                       ("foi_status", FoiStatus), ("message_status", MessageStatus)):  # fmt: skip
        for code in enum:
            assert _chinese(labels.label(kind, code)), (kind, code)
    assert ROLES is labels.ROLE and all(_chinese(v) for v in ROLES.values())
    assert _chinese(labels.label("category", REVIEW_CATEGORY))


def test_every_audit_action_written_anywhere_has_a_label():
    found: set[str] = set()
    for text in _source().values():
        found |= set(re.findall(r'_audit\(\s*\w+,\s*[\w.]+,\s*"([a-z_.]+)"', text))
        found |= set(re.findall(r'\baction="([a-z_]+\.[a-z_.]+)"', text))
    assert len(found) > 30  # the walk finds the calls (not vacuous)
    missing = sorted(a for a in found if a not in labels.AUDIT_ACTION)
    assert not missing, missing


def test_every_draft_action_has_a_label():
    views = (ROOT / "review" / "views.py").read_text(encoding="utf-8")
    body = views[views.index("def _actions(") : views.index("def list_drafts(")]
    found = set(re.findall(r'acts\.append\("(\w+)"\)', body))
    for group in re.findall(r"acts \+= \[([^\]]+)\]", body):
        found |= set(re.findall(r'"(\w+)"', group))
    assert {"upload", "clean", "submit", "approve", "release"} <= found
    assert not sorted(found - set(labels.DRAFT_ACTION))


def test_every_detector_rule_has_a_short_chinese_name():
    from pubguard.detectors import load_all

    for cls in load_all().values():
        for rule_id in cls.rules:
            name = labels.rule_label(rule_id)
            assert name != rule_id and _chinese(name) and len(name) <= 30, (rule_id, name)
    assert labels.rule_label("hidden_text") == "隐藏文字"
    assert labels.rule_label("official_seal") == "带有单位公章"
    assert labels.rule_label("no_such_rule") == "no_such_rule"  # unknown: shown as it is


def test_clean_actions_have_labels():
    src = "\n".join(_source().values())
    used = set(re.findall(r'CleanAction\(\s*"(\w+)"', src))
    assert {"removed", "redacted"} <= used
    assert not sorted(used - set(labels.CLEAN_ACTION) - set(labels.AUDIT_ACTION))


def test_label_filter_and_unknown_codes():
    assert labels.label("block_kind", "revision_delete") == "修订（删除的文字）"
    assert labels.label("block_kind", BlockKind.OCR).startswith("图片识别文字")
    assert labels.label("severity", None) == ""
    assert labels.labels("draft_action", ["upload", "clean"]) == ["上传新版本", "生成清理稿"]


# ---------------------------------------------------------------- CLI texts

runner = CliRunner()
ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "Show this message", "[required]", "[default:",
           "Error", "Invalid value", "Missing argument", "No such option", "Try '")  # fmt: skip


def test_rules_listing_heads_each_detector_with_its_chinese_category():
    out = runner.invoke(app, ["rules"]).stdout
    assert "classification_mark（classification_mark）" not in out
    assert "密级与内部标识（检测器 classification_mark）" in out
    assert "（规则 secret_level）" in out


def test_help_is_chinese_and_not_cut():
    for args in (["--help"], ["scan", "--help"], ["review", "--help"], ["review", "show", "--help"]):
        out = runner.invoke(app, args, terminal_width=80).stdout
        assert "用法：" in out and "选项：" in out, args
        assert "…" not in out, args  # nothing truncated
        for en in ENGLISH:
            assert en not in out, (args, en)
    scan = runner.invoke(app, ["scan", "--help"], terminal_width=80).stdout
    assert "显示本帮助并退出。" in scan and "［默认：text］" in scan and "［必填］" in scan
    assert "--no-default-ignore" in scan and "不使用默认忽略清单" in scan
    wide = runner.invoke(app, ["scan", "--help"], terminal_width=160).stdout
    assert max(len(line) for line in wide.splitlines()) > 80  # a wide terminal gets wide help


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scan"], "错误：缺少参数"),
        (["scan", "--format", "foo", "x"], "的值无效：“foo”不是可选值之一"),
        (["scan", "-j", "abc", "x"], "的值无效：应为整数。"),
        (["scan", "--bogus", "x"], "错误：没有这个选项：--bogus"),
        (["nosuch"], "错误：没有这个命令：nosuch"),
    ],
)
def test_usage_errors_are_chinese(args, expected):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert expected in r.stderr and "用法：" in r.stderr and "查看帮助：" in r.stderr
    for en in ENGLISH:
        assert en not in r.stderr, en
