"""SARIF 2.1.0 output, validated against the SARIF 2.1.0 JSON schema (vendored in schemas/)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_id_number
from sarif_check import validate_sarif as validate

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pubguard.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=180
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small mirror: a PDF with a red header and seal, a page with an inline allow, a page with
    personal data, a corrupt PDF and a clean text."""
    root = tmp_path_factory.mktemp("site")
    shutil.copy(SAMPLES / "red_header_seal.pdf", root / "通知 红头.pdf")
    (root / "news").mkdir()
    idn = make_id_number()
    (root / "news" / "allowed.html").write_text(
        "<html><body><!-- pubguard:allow personal_data -->"
        f"<p>联系人：王建国，身份证号：{idn}，电话：13912345678。</p></body></html>",
        encoding="utf-8",
    )
    (root / "news" / "roster.html").write_text(
        f"<html><body><p>联系人：李明，身份证号：{idn}。</p></body></html>", encoding="utf-8"
    )
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    (root / "clean.txt").write_text("关于做好冬季供暖工作的通知。各单位要按时供暖。\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sarif(site: Path) -> dict:
    proc = run_cli("scan", ".", "--format", "sarif", "--no-ocr", "--workers", "1", cwd=site)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_log_is_valid_sarif_2_1_0(sarif: dict) -> None:
    validate(sarif)
    assert sarif["version"] == "2.1.0"


def test_rules_carry_help_and_default_level(sarif: dict) -> None:
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"red_header/red_header", "seal/official_seal", "personal_data/id_card"} <= set(rules)
    seal = rules["seal/official_seal"]
    assert seal["help"]["text"].startswith("印章与签名：") and seal["help"]["markdown"]
    assert seal["defaultConfiguration"]["level"] == "error"
    for res in run["results"]:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_layout_locations_and_fingerprints(sarif: dict) -> None:
    run = sarif["runs"][0]
    seals = [r for r in run["results"] if r["ruleId"] == "seal/official_seal"]
    assert seals
    loc = seals[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "通知%20红头.pdf"
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    art = run["artifacts"][loc["artifactLocation"]["index"]]
    assert art["location"]["uri"] == loc["artifactLocation"]["uri"]
    props = loc["region"]["properties"]
    assert props["page"] == 1 and len(props["bbox"]) == 4
    fps = {r["fingerprints"]["pubguard/v1"] for r in run["results"]}
    assert len(fps) == len(run["results"])  # one identity per result


def test_inline_allow_is_a_suppression_not_a_silent_drop(sarif: dict) -> None:
    run = sarif["runs"][0]
    by_file: dict[str, list[dict]] = {}
    for r in run["results"]:
        by_file.setdefault(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], []).append(r)
    allowed = by_file["news/allowed.html"]
    assert allowed and all(r["suppressions"][0]["kind"] == "inSource" for r in allowed)
    roster = by_file["news/roster.html"]
    assert roster and all("suppressions" not in r for r in roster)


def test_unreadable_file_is_a_notification_and_no_pii_in_full(sarif: dict) -> None:
    inv = sarif["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    uris = [
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for n in inv["toolExecutionNotifications"]
    ]
    assert "broken.pdf" in uris
    text = json.dumps(sarif, ensure_ascii=False)
    assert make_id_number() not in text and "13912345678" not in text


def test_baseline_findings_are_external_suppressions(site: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    first = run_cli("scan", ".", "--no-ocr", "--write-baseline", str(base), "--format", "json", cwd=site)
    assert first.returncode in (1, 3), first.stderr
    proc = run_cli("scan", ".", "--no-ocr", "--baseline", str(base), "--format", "sarif", cwd=site)
    log = json.loads(proc.stdout)
    validate(log)
    results = log["runs"][0]["results"]
    assert results and all(r.get("suppressions") for r in results)
    assert {s["kind"] for r in results for s in r["suppressions"]} <= {"external", "inSource"}
    assert any(s["kind"] == "external" for r in results for s in r["suppressions"])
    assert proc.returncode == 3  # nothing new at or above --fail-on, one unreadable file
    assert log["runs"][0]["invocations"][0]["exitCode"] == 3


def test_schema_rejects_a_broken_log() -> None:
    """The validator is not vacuous: a log missing a result message fails."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "a"}]}]}
    with pytest.raises(AssertionError):
        validate(bad)
