"""The scanner's suggested information class (分级审批), from realistic 公文 text."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pubguard.infoclass import suggest_from_lines
from pubguard.scan import scan_bytes

SCHEMA = json.loads((Path(__file__).parents[1] / "pubguard/report/schema.json").read_text(encoding="utf-8"))


def lines(text: str) -> list[str]:
    return ["".join(ln.split()) for ln in text.splitlines() if ln.strip()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某某市人民政府\n关于元旦春节期间禁止燃放烟花爆竹的通告\n为保障公共安全，现通告如下：", "major"),
        ("某某市人民政府公告\n（第3号）\n根据有关规定，现将……公告如下：", "major"),
        ("某某市2025年国民经济和社会发展统计公报\n某某市统计局\n2026年3月10日", "major"),
        ("2026年1—6月全市经济运行情况\n上半年，全市经济总体平稳。", "major"),
        (
            "某某市人民政府办公室\n某政办规〔2026〕2号\n关于印发《某某市城市绿化管理办法》的通知\n各区人民政府：",
            "policy",
        ),
        ("某某市促进民营经济发展若干措施\n某政规〔2026〕5号\n第一条 为……", "policy"),
        (
            "关于做好春季农业生产工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。\n（此件公开发布）",
            "public_release",
        ),
    ],
)
def test_suggests_the_class(text: str, expected: str) -> None:
    got = suggest_from_lines(lines(text))
    assert got.suggested == expected, got.reasons
    assert got.reasons and got.basis
    assert (got.policy is not None) == (expected == "policy")


@pytest.mark.parametrize(
    "text",
    [
        "关于做好春季农业生产工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。",
        # the closing formula and a sentence that announces are not titles
        "关于调整公交线路的通知\n各有关单位：\n现将调整事项公告如下：\n特此公告。",
        # a cited 通告 and a cited policy with its number inside a sentence
        "关于转发通知的说明\n请认真执行《某某市人民政府关于禁止燃放烟花爆竹的通告》。",
        "关于开展绿化检查的通知\n根据《某某市城市绿化管理办法》（某政规〔2020〕1号）的规定，开展检查。",
        # a policy word without a 发文字号 (a draft for comment) is not a policy release yet
        "某某市城市绿化管理办法（征求意见稿）\n第一条 为了加强城市绿化管理……",
        "（此件主动公开）\n关于做好防汛工作的通知",
    ],
)
def test_does_not_suggest_a_class_without_reason(text: str) -> None:
    got = suggest_from_lines(lines(text))
    assert got.suggested == "general", got.reasons
    assert got.policy is None


def test_strictest_class_wins_and_lists_every_reason() -> None:
    got = suggest_from_lines(lines("某某市人民政府关于禁止燃放烟花爆竹的通告\n内容……\n（此件公开发布）"))
    assert got.suggested == "major"
    assert [r.split("：")[0] for r in got.reasons] == ["重大信息", "此件公开发布"]


def test_scan_report_carries_the_suggestion_next_to_disclosure() -> None:
    text = "某某市人民政府\n关于元旦春节期间禁止燃放烟花爆竹的通告\n为保障公共安全，现通告如下。\n"
    result = scan_bytes(text.encode(), "通告.txt")
    d = result.to_dict()
    assert list(d).index("info_class") == list(d).index("disclosure") + 1
    assert d["info_class"]["suggested"] == "major"
    assert d["disclosure"]["suggested"] == "主动公开"  # unchanged
    report = {
        "schema": "pubguard.report/1",
        "files": [d],
        "summary": {"files": 1, "errors": 0, "findings": {}},
    }
    jsonschema.validate(report, SCHEMA)
