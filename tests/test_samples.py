"""The labelled corpus as a data-driven test: one case per file of samples/manifest.json.

A new detector case is a file in samples/ plus its manifest entry (rules it must report,
optionally the disclosure suggestion); nothing here changes. A case fails when the scan misses
an expected rule, reports a rule the manifest does not expect, cannot read the file, or suggests
another disclosure attribute than the label."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.eval import load_manifest, main, problems, unlabelled_files
from pubguard.scan import FileResult, scan_path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENTRIES = load_manifest(SAMPLES)
_OCR = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def _case(entry: dict):
    marks = [pytest.mark.ocr] if Path(entry["file"]).suffix.lower() in _OCR else []
    return pytest.param(entry, id=entry["file"], marks=marks)


@pytest.mark.parametrize("entry", [_case(e) for e in ENTRIES])
def test_sample_as_labelled(entry: dict) -> None:
    result = scan_path(SAMPLES / entry["file"], ScanConfig(), display=entry["file"])
    assert problems(entry, result) == [], entry.get("note", "")


def test_every_sample_is_labelled() -> None:
    assert unlabelled_files(SAMPLES) == []


def test_problems_names_misses_extras_and_disclosure() -> None:
    """The checker itself can fail: a scan with the wrong rules is reported, rule by rule."""
    from pubguard.finding import Finding, Severity
    from pubguard.scan import Disclosure

    entry = {"file": "x.txt", "expect": ["seal/official_seal"], "disclosure": "不予公开"}
    result = FileResult(
        path="x.txt",
        findings=[
            Finding("red_header", "red_header", Severity.HIGH, "m", "e"),
            Finding("proofreading", "typo", Severity.INFO, "m", "e"),  # info: never labelled
        ],
        disclosure=Disclosure(suggested="主动公开"),
    )
    assert problems(entry, result) == [
        "漏报 seal/official_seal",
        "多报 red_header/red_header",
        "公开属性 主动公开 ≠ 不予公开",
    ]


def test_eval_exits_nonzero_on_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notice.txt").write_text(
        "关于做好防汛工作的通知\n各单位：请做好防汛准备。\n", encoding="utf-8"
    )
    (tmp_path / "manifest.json").write_text(
        '{"files": [{"file": "notice.txt", "expect": ["seal/official_seal"]}]}', encoding="utf-8"
    )
    assert main([str(tmp_path)]) == 1
    assert "漏报 notice.txt: seal/official_seal" in capsys.readouterr().out
    (tmp_path / "manifest.json").write_text(
        '{"files": [{"file": "notice.txt", "expect": []}]}', encoding="utf-8"
    )
    assert main([str(tmp_path)]) == 0
    (tmp_path / "extra.txt").write_text("未标注的文件\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 1
