"""Formula injection: every CSV/XLSX exporter guards cells that start with = + - @ tab CR."""

from __future__ import annotations

import csv
import io

import pytest

from pubguard.finding import Finding, Location, Severity
from pubguard.report import to_csv
from pubguard.report.cells import FORMULA_PREFIXES, safe_cell
from pubguard.scan import FileResult

EVIL = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def result(text: str) -> FileResult:
    f = Finding(
        category="proofreading",
        rule="typo",
        severity=Severity.LOW,
        message=text,
        evidence=text,
        location=Location(page=1),
        suggestion=text,
    )
    return FileResult(path=text + ".txt", format="txt", pages=1, findings=[f])


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_guards_every_formula_prefix(value):
    assert safe_cell(value) == "'" + value
    assert value.startswith(FORMULA_PREFIXES)


def test_safe_cell_leaves_ordinary_values_alone():
    for ok in ("关于做好春季农业生产工作的通知", "a=b", "2026-03-02", 3, 1.5, None, ""):
        assert safe_cell(ok) == ok


@pytest.mark.parametrize("value", EVIL)
def test_scan_csv_has_no_cell_excel_would_evaluate(value):
    rows = list(csv.reader(io.StringIO(to_csv([result(value)]).lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert cells and not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert "'" + value in cells  # kept, as text


@pytest.mark.parametrize("value", EVIL)
def test_site_xlsx_has_no_formula_cell(value):
    from openpyxl import load_workbook

    from pubguard.site.sitereport import to_xlsx

    wb = load_workbook(io.BytesIO(to_xlsx([result(value)])))
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
