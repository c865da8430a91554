"""Excel 97-2003 (.xls) read natively with xlrd; the workbooks are saved as .xls by LibreOffice."""

from __future__ import annotations

import io

import openpyxl
import pytest
from lo_files import lo_convert, needs_libreoffice, sample_as
from openpyxl.comments import Comment
from openpyxl.styles import Font

from pubguard.document import BlockKind
from pubguard.extract import extract
from pubguard.scan import scan_bytes

pytestmark = needs_libreoffice


def _rules(result) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in result.findings}


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放名单"
    ws.append(["序号", "姓名", "联系电话", "金额"])
    ws.append([1, "张建国", "13912345678", 1200])
    ws.append([2, "李秀英", "13800001111", 800])
    ws.append([3, "王小明", "13700002222", 600])
    ws.row_dimensions[4].hidden = True
    ws["E2"] = "备用号码 13611112222"
    ws["E2"].font = Font(color="FFFFFF")
    ws["B3"].comment = Comment("低保户，勿公开", "经办人")
    ws.oddHeader.center.text = "内部资料"
    secret = wb.create_sheet("核对底表")
    secret.append(["姓名", "身份证号"])
    secret.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def xls() -> bytes:
    return lo_convert(_workbook(), ".xlsx", "xls")


def test_cells_hidden_content_comments_and_header(xls: bytes) -> None:
    doc = extract(xls, "名单.xls")
    assert doc.format == "xls" and len(doc.pages) == 2
    cells = {(b.row, b.col): b for b in doc.blocks if b.kind == BlockKind.TABLE_CELL and b.page == 1}
    assert cells[(2, 2)].text == "张建国" and cells[(2, 2)].field_name == "姓名"
    assert cells[(2, 4)].text == "1200"  # integers without ".0"
    assert cells[(4, 2)].hidden and cells[(4, 2)].source == "xlsx:hidden_row"
    assert cells[(2, 5)].source == "xlsx:white_text"
    assert not cells[(3, 2)].hidden
    comments = [b for b in doc.blocks if b.kind == BlockKind.COMMENT]
    assert comments and comments[0].text == "低保户，勿公开" and (comments[0].row, comments[0].col) == (3, 2)
    assert any(b.kind == BlockKind.HEADER and b.text == "内部资料" for b in doc.blocks)
    sheet2 = [b for b in doc.blocks if b.field_name == "sheet_name" and b.page == 2]
    assert sheet2[0].hidden and sheet2[0].source == "xlsx:hidden_sheet"


def test_roster_found_as_in_xlsx() -> None:
    original = scan_bytes(sample_as("subsidy_roster.xlsx", "xlsx"), "名单.xlsx")
    legacy = scan_bytes(sample_as("subsidy_roster.xlsx", "xls"), "名单.xls")
    assert legacy.status == "ok" and legacy.format == "xls"
    expected = {r for r in _rules(original) if r.startswith("personal_data/")}
    assert "personal_data/roster" in expected
    assert expected <= _rules(legacy)


def test_plain_table_has_no_personal_data() -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "金额（万元）"])
    wb.active.append(["道路维修", 120])
    wb.active.append(["绿化养护", 35.5])
    buf = io.BytesIO()
    wb.save(buf)
    result = scan_bytes(lo_convert(buf.getvalue(), ".xlsx", "xls"), "预算.xls")
    assert result.status == "ok"
    assert not [f for f in result.findings if f.category == "personal_data"]
    assert any(b.text == "35.5" for b in extract(lo_convert(buf.getvalue(), ".xlsx", "xls"), "a.xls").blocks)


def test_kingsoft_et_is_read_like_xls(xls: bytes) -> None:
    # WPS 表格 writes BIFF8 and stamps a KSOProductBuildVer property: same reader, format "et".
    result = scan_bytes(xls + "KSOProductBuildVer".encode("utf-16-le"), "名单.et")
    assert result.status == "ok" and result.format == "et"
    assert "personal_data/mobile" in _rules(result)


def test_what_xlrd_cannot_read_goes_through_libreoffice(xls: bytes, monkeypatch) -> None:
    import xlrd

    def refuse(*args, **kwargs):
        raise xlrd.XLRDError("Unsupported format, or corrupt file")

    monkeypatch.setattr(xlrd, "open_workbook", refuse)
    doc = extract(xls, "名单.xls")
    assert doc.format == "xlsx" and doc.source_format == "xls" and doc.converted_by
    assert any(b.text == "张建国" for b in doc.blocks)
