"""`pubguard clean` / `pubguard annotate` commands and the JSON clean report (no raw personal
data, re-scan verdict, releasable)."""

from __future__ import annotations

import json

import docx
import pytest
from typer.testing import CliRunner

from clean.conftest import PEOPLE, docx_bytes, sample
from pubguard.clean import CleanFailed, clean_bytes
from pubguard.clean.cli import app
from pubguard.errors import UnsupportedFormat

runner = CliRunner()


def roster_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于2024年度临时救助对象的公示")
    table = d.add_table(rows=len(PEOPLE) + 1, cols=3)
    for j, head in enumerate(["姓名", "身份证号", "联系电话"]):
        table.cell(0, j).text = head
    for i, row in enumerate(PEOPLE, start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    return docx_bytes(d)


def test_report_json_has_no_raw_personal_data(config):
    result = clean_bytes(roster_docx(), "roster.docx", config)
    text = result.report.to_json()
    data = json.loads(text)
    assert data["schema"] == "pubguard.clean/1" and data["releasable"] is True
    assert data["rescan"]["status"] == "ok" and data["rescan"]["findings"] == []
    assert {a["rule"] for a in data["actions"]} >= {"id_card", "mobile", "person_name"}
    assert len(data["findings_before"]) > len(PEOPLE)
    for name, pid, mobile in PEOPLE:
        assert pid not in text and mobile not in text and name not in text
    assert data["leak_check"] == {"values_checked": 2 * len(PEOPLE), "leaks": 0}
    assert "结论：可以提交发布审核。" in result.report.summary()


def test_cli_clean_writes_copy_and_report(tmp_path):
    src = tmp_path / "roster.docx"
    src.write_bytes(roster_docx())
    out = tmp_path / "public.docx"
    result = runner.invoke(
        app, ["clean", str(src), "-o", str(out), "--mask-preset", "last4", "--drop-columns", "--no-ocr"]
    )
    assert result.exit_code == 0, result.output
    table = docx.Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["姓名"]
    report = json.loads((tmp_path / "public.docx.report.json").read_text(encoding="utf-8"))
    assert report["options"]["mask_preset"] == "last4" and report["options"]["drop_columns"] is True
    assert "清理报告" in result.output


def test_cli_clean_exit_code_when_a_blocker_is_left(tmp_path):
    src = tmp_path / "telegram.pdf"
    src.write_bytes(sample("secret_telegram.pdf"))
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "out.pdf"), "--report", str(report)])
    assert result.exit_code == 1
    assert json.loads(report.read_text(encoding="utf-8"))["releasable"] is False
    assert "不可直接发布" in result.output


def test_cli_annotate_docx_and_errors(tmp_path):
    src = tmp_path / "draft.docx"
    src.write_bytes(sample("draft_tracked.docx"))
    out = tmp_path / "draft_批注.docx"
    result = runner.invoke(app, ["annotate", str(src), "-o", str(out), "--no-ocr"])
    assert result.exit_code == 0, result.output
    assert sum(1 for c in docx.Document(str(out)).comments if c.author == "PubGuard") >= 5
    bad = tmp_path / "notes.txt"
    bad.write_text("关于召开会议的通知", encoding="utf-8")
    assert runner.invoke(app, ["annotate", str(bad), "-o", str(tmp_path / "x.docx")]).exit_code == 2
    assert (
        runner.invoke(app, ["clean", str(tmp_path / "missing.pdf"), "-o", str(tmp_path / "y.pdf")]).exit_code
        == 2
    )


def test_unsupported_and_broken_inputs(config):
    with pytest.raises(UnsupportedFormat):
        clean_bytes(sample("policy_draft.txt"), "policy_draft.txt", config)
    with pytest.raises(CleanFailed):
        clean_bytes(b"%PDF-1.7\n" + b"\x00" * 100, "broken.pdf", config)
