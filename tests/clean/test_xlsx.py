"""Roster workbooks: cells masked in place or ID/phone/bank columns removed; comments, properties
and hidden sheets gone; the copy re-scanned."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from clean.conftest import PEOPLE, rules, sample
from pubguard.clean import CleanOptions, clean_bytes
from pubguard.scan import scan_bytes


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def roster() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "发放名单"
    ws.append(["序号", "姓名", "身份证号", "联系电话", "补贴金额（元）"])
    for i, (name, pid, mobile) in enumerate(PEOPLE, start=1):
        ws.append([i, name, pid, int(mobile), 1200])
    ws["C2"].font = Font(bold=True, color="FF0000")
    ws["B3"].comment = Comment("低保户，电话已核实", "王建国")
    hidden = wb.create_sheet("核对表")
    hidden.append(["姓名", "身份证号"])
    hidden.append([PEOPLE[0][0], PEOPLE[0][1]])
    hidden.sheet_state = "hidden"
    wb.properties.creator = "覃桂芳"
    wb.properties.lastModifiedBy = "王建国"
    return workbook_bytes(wb)


def values(data: bytes) -> dict[str, list[list[object]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_roster_masked_in_place(config):
    data = roster()
    assert {"personal_data/id_card", "personal_data/mobile", "personal_data/roster"} <= rules(
        scan_bytes(data, "r.xlsx", config).findings
    )
    result = clean_bytes(data, "r.xlsx", config, CleanOptions(mask_preset="id6-4"))
    report = result.report
    assert not [f for f in report.findings_after if f["category"] == "personal_data"]
    assert report.releasable and report.leak_check["leaks"] == 0
    sheets = values(result.data)
    assert list(sheets) == ["发放名单"]  # the hidden sheet with the raw ID is gone
    rows = sheets["发放名单"]
    assert rows[0] == ["序号", "姓名", "身份证号", "联系电话", "补贴金额（元）"]
    name, pid, mobile = PEOPLE[0]
    assert rows[1] == [1, "张**", pid[:6] + "*" * 8 + pid[-4:], mobile[:3] + "****" + mobile[-4:], 1200]
    wb = load_workbook(io.BytesIO(result.data))
    ws = wb["发放名单"]
    assert ws["C2"].font.bold  # formatting kept
    assert all(c.comment is None for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        core = zf.read("docProps/core.xml").decode()
        assert not [n for n in zf.namelist() if "comments" in n]
    assert "覃桂芳" not in core and "王建国" not in core


def test_roster_columns_dropped(config):
    result = clean_bytes(roster(), "r.xlsx", config, CleanOptions(drop_columns=True))
    rows = values(result.data)["发放名单"]
    assert rows[0] == ["序号", "姓名", "补贴金额（元）"]
    assert [r[1] for r in rows[1:]] == ["张**", "李**", "黄**", "覃**"]
    assert result.report.findings_after == []
    assert sum(1 for a in result.report.actions if a.action == "dropped_column") == 2


def test_sample_roster(config):
    result = clean_bytes(sample("subsidy_roster.xlsx"), "subsidy_roster.xlsx", config)
    assert not [
        f for f in result.report.findings_after if f["category"] in ("personal_data", "hidden_content")
    ]
    flat = str(values(result.data))
    for _name, pid, mobile in PEOPLE:
        assert pid not in flat and mobile not in flat
