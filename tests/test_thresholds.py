"""pubguard.thresholds: zones and confidence weights in one documented place, overridable per site."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.scan import scan_bytes
from pubguard.thresholds import DEFAULT, ThresholdError, Thresholds, describe

NOTICE = "\n".join(
    [
        "某某县财政局",
        "关于做好2024年防汛工作的通知",
        "各乡镇：",
        "现将有关事项通知如下。",
        "内部资料",
        "一、提高认识。",
    ]
).encode("utf-8")


def _rules(config: ScanConfig) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in scan_bytes(NOTICE, "notice.txt", config).findings}


def test_site_override_changes_the_zone(tmp_path: Path) -> None:
    assert "classification_mark/internal_marking" in _rules(ScanConfig())  # line 5 of 8 "top" lines
    cfg = tmp_path / "pubguard.toml"
    cfg.write_text("[thresholds.classification_mark]\ntop_lines = 3\n", encoding="utf-8")
    site = ScanConfig.load(cfg)
    assert site.thresholds.classification_mark.top_lines == 3
    assert "classification_mark/internal_marking" not in _rules(site)


def test_defaults_are_documented() -> None:
    rows = describe()
    assert ("thresholds.red_header.top_fraction", 0.45, "发文机关标志的中心须在首页上部这一比例内") in rows
    assert all(desc for _key, _value, desc in rows)
    assert Thresholds.from_table(None) == DEFAULT


@pytest.mark.parametrize(
    ("table", "fault"),
    [
        ({"red_header": {"top_frac": 0.5}}, "thresholds.red_header.top_frac：未知的阈值"),
        ({"red_header": {"rule_zone": 1.5}}, "thresholds.red_header.rule_zone：取值 1.5 超出范围"),
        ({"classification_mark": {"top_lines": 2.5}}, "thresholds.classification_mark.top_lines：应为整数"),
        ({"leader_annotation": {"weights": {"margin": "high"}}}, "weights.margin：应为数值"),
        ({"seal": {}}, "thresholds.seal：未知的阈值"),
    ],
)
def test_bad_overrides_are_refused(table: dict, fault: str) -> None:
    with pytest.raises(ThresholdError) as info:
        Thresholds.from_table(table)
    assert fault in info.value.message


def test_nested_override_keeps_other_defaults() -> None:
    t = Thresholds.from_table({"leader_annotation": {"weights": {"margin": 0.3}}})
    assert t.leader_annotation.weights.margin == 0.3
    assert t.leader_annotation.weights.comment == DEFAULT.leader_annotation.weights.comment
    assert t.red_header == DEFAULT.red_header
