"""One guard for every spreadsheet cell PubGuard writes (CSV and XLSX exports).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by
Excel/WPS for a formula (CSV/formula injection: `=HYPERLINK(...)` in a file name or a comment
runs on the reviewer's machine). Such values get a leading single quote, shown as text.
Numbers stay numbers. Used by `report.to_csv`, the review CSV (`api/reports.py`), the site
XLSX report (`site/sitereport.py`) and the register exports (`review/sheets.py`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that Excel never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, out: Any, **kw: Any):
        self._w = csv.writer(out, **kw)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
