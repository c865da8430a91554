"""Spreadsheets: XLSX rosters (IDs as text and as numbers, hidden parts, comments) and CSV."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from factories import make_id_number
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document
from pubguard.errors import CorruptFile
from pubguard.extract import extract, sheet
from pubguard.extract.sheet import extract_csv, extract_xlsx

IDS = [make_id_number("410102", f"19{60 + i}0{i + 1}1{i}", f"{i:03d}") for i in range(3)]


class _Quiet(Document):
    """Short repr so that a failing assert never prints the roster."""

    def __repr__(self) -> str:
        return f"<Document {self.name} ({len(self.blocks)} blocks)>"


def _quiet(doc: Document) -> Document:
    doc.__class__ = _Quiet
    return doc


def _roster_bytes() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放名单"
    ws.append(["2024年度耕地地力保护补贴发放名单"])  # merged title row, not a header
    ws.merge_cells("A1:F1")
    ws.append(["序号", "姓名", "身份证号", "身份证号码（数值）", "补贴金额", "村组"])
    amounts = [1260.5, 980, 0.1 + 0.2]
    for i, (idn, amount) in enumerate(zip(IDS, amounts, strict=True)):
        # column C typed as text (correct), column D typed as a number (precision lost)
        ws.append(
            [i + 1, ["张建国", "李秀兰", "王桂芳"][i], idn, int(idn[:17] + "0"), amount, f"城关镇第{i + 1}村"]
        )
    ws["C3"].comment = Comment("身份证号待核实", "王科长")
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["F"].hidden = True
    ws["H3"] = "白色字体备注：低保户"
    ws["H3"].font = Font(color="FFFFFF")
    ws["I3"] = "隐藏格式内容"
    ws["I3"].number_format = ";;;"
    ws["J2"] = "备注"
    ws["J2"].font = Font(color="FFFFFF", bold=True)
    ws["J2"].fill = PatternFill("solid", fgColor="1F4E78")  # white on dark blue: visible
    ws.oddHeader.center.text = "内部资料 注意保存"
    ws.oddFooter.right.text = "第 &P 页"
    hidden = wb.create_sheet("测算底稿")
    hidden.sheet_state = "hidden"
    hidden.append(["内部测算，不对外公开"])
    wb.properties.creator = "县农业农村局 张科员"
    wb.properties.lastModifiedBy = "李审核"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def roster() -> Document:
    return _quiet(extract_xlsx(_roster_bytes(), "发放名单.xlsx", ScanConfig()))


def _cells(doc: Document, page: int = 1) -> dict[tuple[int, int], object]:
    return {(b.row, b.col): b for b in doc.blocks if b.kind == BlockKind.TABLE_CELL and b.page == page}


def test_pages_and_sheet_names(roster: Document) -> None:
    assert roster.format == "xlsx" and roster.page_count == 2
    names = [b for b in roster.blocks if b.field_name == "sheet_name"]
    assert [(b.text, b.page, b.hidden) for b in names] == [("发放名单", 1, False), ("测算底稿", 2, True)]
    offsets_ok = all(roster.text[b.start : b.end] == b.text for b in roster.blocks)
    assert offsets_ok


def test_header_row_detection_and_field_names(roster: Document) -> None:
    cells = _cells(roster)
    assert cells[(1, 1)].text == "2024年度耕地地力保护补贴发放名单" and cells[(1, 1)].field_name is None
    assert cells[(2, 3)].text == "身份证号" and cells[(2, 3)].field_name is None  # the header itself
    assert cells[(3, 2)].field_name == "姓名" and cells[(3, 2)].text == "张建国"
    assert cells[(3, 3)].field_name == "身份证号"
    assert cells[(4, 4)].field_name == "身份证号码（数值）"
    assert all(b.table == 0 for b in cells.values())
    assert len({b.paragraph for b in cells.values()}) == len(cells)  # each cell its own line


def test_id_as_text_kept_exactly(roster: Document) -> None:
    cells = _cells(roster)
    kept = [cells[(r, 3)].text for r in (3, 4, 5)] == IDS
    assert kept
    assert cells[(3, 3)].source is None


def test_id_as_number_loses_digits_and_is_reported(roster: Document) -> None:
    cells = _cells(roster)
    shown = cells[(3, 4)].text
    # Excel keeps 15 significant digits: what the file holds ends in zeros, no float noise
    assert len(shown) == 18 and shown.isdigit() and shown.endswith("000")
    same_prefix = shown[:15] == IDS[0][:15]
    assert same_prefix
    assert cells[(3, 4)].source == "xlsx:number_precision_lost"
    (warning,) = roster.warnings
    assert "发放名单" in warning and "D 列" in warning and "15 位" in warning
    assert not any(idn[:15] in warning for idn in IDS)  # no personal data in warnings


def test_number_rendering(roster: Document) -> None:
    cells = _cells(roster)
    assert cells[(3, 1)].text == "1"  # int, no ".0"
    assert cells[(3, 5)].text == "1260.5"
    assert cells[(4, 5)].text == "980"
    assert cells[(5, 5)].text == "0.3"  # 0.30000000000000004 shown as Excel does


def test_hidden_parts(roster: Document) -> None:
    cells = _cells(roster)
    assert cells[(5, 2)].hidden and cells[(5, 2)].source == "xlsx:hidden_row"
    assert cells[(3, 6)].hidden and cells[(3, 6)].source == "xlsx:hidden_col"
    assert cells[(3, 8)].hidden and cells[(3, 8)].source == "xlsx:white_text"
    assert cells[(3, 9)].hidden and cells[(3, 9)].source == "xlsx:hidden_format"
    assert not cells[(2, 10)].hidden  # white text on a dark fill is visible
    assert not cells[(3, 2)].hidden and not cells[(4, 3)].hidden
    other = _cells(roster, page=2)
    assert other[(1, 1)].text == "内部测算，不对外公开"
    assert other[(1, 1)].hidden and other[(1, 1)].source == "xlsx:hidden_sheet"
    assert other[(1, 1)].table == 1


def test_comments_headers_and_metadata(roster: Document) -> None:
    (comment,) = [b for b in roster.blocks if b.kind == BlockKind.COMMENT]
    assert comment.author == "王科长" and "身份证号待核实" in comment.text
    assert (comment.row, comment.col, comment.page) == (3, 3, 1)
    headers = [b.text for b in roster.blocks if b.kind == BlockKind.HEADER]
    footers = [b.text for b in roster.blocks if b.kind == BlockKind.FOOTER]
    assert headers == ["内部资料 注意保存"] and footers == ["第  页"]
    assert roster.metadata["author"] == "县农业农村局 张科员"
    assert roster.metadata["last_modified_by"] == "李审核"
    meta = {b.field_name: b.text for b in roster.blocks if b.kind == BlockKind.METADATA}
    assert meta["author"] == "县农业农村局 张科员" and meta["last_modified_by"] == "李审核"


def test_two_level_header_uses_the_lower_row() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["基本信息", None, "补贴信息"])
    ws.append(["姓名", "身份证号", "金额", "发放日期"])
    ws.append(["赵六", IDS[0], 500, "2024-07-01"])
    buf = io.BytesIO()
    wb.save(buf)
    doc = _quiet(extract_xlsx(buf.getvalue(), "x.xlsx", ScanConfig()))
    cells = _cells(doc)
    assert cells[(3, 2)].field_name == "身份证号" and cells[(3, 4)].field_name == "发放日期"


def test_no_header_when_first_rows_are_data() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(3):
        ws.append([i + 1, 20240700 + i, 300.5])
    buf = io.BytesIO()
    wb.save(buf)
    doc = extract_xlsx(buf.getvalue(), "x.xlsx", ScanConfig())
    assert all(b.field_name is None for b in doc.blocks if b.kind == BlockKind.TABLE_CELL)


def test_corrupt_xlsx_raises_corrupt_file() -> None:
    good = _roster_bytes()
    src = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]  # truncated XML
            out.writestr(item, data)
    with pytest.raises(CorruptFile) as exc:
        extract_xlsx(buf.getvalue(), "坏.xlsx", ScanConfig())
    assert "损坏" in exc.value.message
    with pytest.raises(CorruptFile):
        extract(good[: len(good) // 2], "截断.xlsx")  # broken zip directory


def test_cell_cap_warns_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet, "MAX_CELLS", 10)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(20):
        ws.append([f"人员{i}", i])
    buf = io.BytesIO()
    wb.save(buf)
    doc = extract_xlsx(buf.getvalue(), "big.xlsx", ScanConfig())
    cells = [b for b in doc.blocks if b.kind == BlockKind.TABLE_CELL]
    assert 10 <= len(cells) < 40
    assert any("过大" in w for w in doc.warnings)


def test_xlsx_dispatch_through_extract() -> None:
    doc = extract(_roster_bytes(), "名单.docx")  # content wins over the extension
    assert doc.format == "xlsx"


# -- CSV ----------------------------------------------------------------------------------------

CSV_ROSTER = "序号,姓名,身份证号,金额（元）,备注\n" + "".join(
    f"{i + 1},{name},{idn},{amount},{note}\n"
    for i, (name, idn, amount, note) in enumerate(
        zip(
            ["张建国", "李秀兰", "王桂芳"], IDS, ["1,260.00", "980", "450.5"], ["", "五保户", ""], strict=True
        )
    )
).replace("1,260.00", '"1,260.00"')


def test_csv_roster_utf8_bom() -> None:
    doc = _quiet(extract_csv(b"\xef\xbb\xbf" + CSV_ROSTER.encode(), "名单.csv", ScanConfig()))
    assert doc.format == "csv" and doc.page_count == 1
    assert doc.metadata["encoding"] == "utf-8-sig" and doc.metadata["delimiter"] == ","
    cells = _cells(doc)
    assert cells[(1, 1)].text == "序号" and cells[(1, 1)].field_name is None
    assert cells[(2, 2)].text == "张建国" and cells[(2, 2)].field_name == "姓名"
    ids_ok = [cells[(r, 3)].text for r in (2, 3, 4)] == IDS
    assert ids_ok
    assert all(cells[(r, 3)].field_name == "身份证号" for r in (2, 3, 4))
    assert cells[(2, 4)].text == "1,260.00" and cells[(2, 4)].field_name == "金额（元）"
    assert (3, 5) in cells and (2, 5) not in cells  # empty cells are not blocks
    assert doc.text.split("\n")[:2] == ["序号", "姓名"]
    assert not doc.warnings


def test_csv_gbk_and_tab_separated() -> None:
    tsv = CSV_ROSTER.replace('"1,260.00"', "1260.00").replace(",", "\t")
    doc = _quiet(extract_csv(tsv.encode("gbk"), "名单.tsv", ScanConfig()))
    assert doc.metadata["encoding"] == "gb18030" and doc.metadata["delimiter"] == "\t"
    assert _cells(doc)[(3, 2)].text == "李秀兰" and _cells(doc)[(3, 2)].field_name == "姓名"


def test_csv_scientific_notation_ids_are_reported() -> None:
    data = "姓名,身份证号\n张建国,4.10102E+17\n李秀兰,4.10103E+17\n"
    doc = extract_csv(data.encode("gb18030"), "导出.csv", ScanConfig())
    (warning,) = doc.warnings
    assert "科学计数法" in warning and "身份证号" in warning


def test_csv_dispatch_through_extract() -> None:
    doc = _quiet(extract(CSV_ROSTER.encode("gb18030"), "名单.csv"))
    assert doc.format == "csv"
    assert any(b.field_name == "身份证号" for b in doc.blocks)
