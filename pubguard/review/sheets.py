"""Spreadsheet exports of the registers (statistics, annual-report tables).

Every text cell goes through `safe_cell`: a value that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return would be taken by Excel/WPS for a formula (CSV/formula injection), so it gets a
leading apostrophe-free guard: a single quote character, shown as text. Numbers stay numbers."""

from __future__ import annotations

import io
from typing import Any

from pubguard.report.cells import FORMULA_PREFIXES, safe_cell  # one home for the guard

__all__ = ["FORMULA_PREFIXES", "safe_cell", "xlsx_bytes"]


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, bold_rows: int = 1) -> bytes:
    """A workbook with one sheet per entry (rows of cells); the first `bold_rows` rows bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title[:31])
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        for r in range(1, min(bold_rows, len(rows)) + 1):
            for cell in ws[r]:
                cell.font = Font(bold=True)
        for col in ws.columns:
            width = max((len(str(c.value or "")) for c in col), default=4)
            ws.column_dimensions[col[0].column_letter].width = min(max(8, width * 2 + 2), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
