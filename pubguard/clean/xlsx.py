"""Clean copy of a roster workbook (XLSX) with openpyxl: cells masked in place (styles kept),
or — "remove the column" mode — the ID/bank/phone columns dropped entirely; comments, document
properties, hidden sheets and hidden cell content removed.

openpyxl rewrites the package: pictures and charts it does not model are not carried over, which
suits a published roster (a pasted seal or photo would be dropped anyway)."""

from __future__ import annotations

import io
import warnings
from typing import Any

from pubguard.clean.common import (
    MARK_RULES,
    annotation_target,
    hidden_target,
    mark_target,
    masked_targets,
    personal_span,
)
from pubguard.clean.options import DROP_COLUMN_RULES, CleanOptions, mask_chars
from pubguard.clean.report import CleanAction
from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, TextBlock
from pubguard.errors import CorruptFile
from pubguard.finding import Finding
from pubguard.masking import MaskingConfig
from pubguard.scan import FileResult


def prepare_xlsx(data: bytes, name: str, config: ScanConfig) -> FileResult:
    from pubguard.scan import scan_bytes

    return scan_bytes(data, name, config, keep_document=True)


def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def clean_xlsx(
    data: bytes,
    name: str,
    config: ScanConfig,
    options: CleanOptions,
    masking: MaskingConfig,
    result: FileResult | None = None,
) -> tuple[bytes, list[CleanAction]]:
    from openpyxl import load_workbook

    if result is None or result.document is None:
        result = prepare_xlsx(data, name, config)
    doc = result.document
    assert doc is not None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False)
    except Exception as exc:
        raise CorruptFile("Excel 文件无法读取，不能生成清理稿。") from exc
    cleaner = _XlsxCleaner(wb, doc, options, masking)
    cleaner.run(result.findings)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), cleaner.actions


class _XlsxCleaner:
    def __init__(self, wb: Any, doc: Document, options: CleanOptions, masking: MaskingConfig) -> None:
        self.wb = wb
        self.doc = doc
        self.options = options
        self.masking = masking
        self.sheets = list(wb.worksheets)
        self.actions: list[CleanAction] = []
        self.values: dict[tuple[int, int, int], list[str]] = {}  # (sheet, row, col) -> chars

    def act(
        self, f: Finding | None, action: str, where: str, detail: str = "", count: int = 1, **kw: str
    ) -> None:
        self.actions.append(
            CleanAction(
                action,
                kw.get("category") or (str(f.category) if f else "hidden_content"),
                kw.get("rule") or (f.rule if f else ""),
                where,
                detail,
                count,
                f.fingerprint if f else None,
            )
        )

    def where(self, b: TextBlock) -> str:
        sheet = self.sheets[b.table or 0].title if (b.table or 0) < len(self.sheets) else ""
        if b.row is None or b.col is None:
            return f"工作表“{sheet}”"
        return f"工作表“{sheet}”{_col_letter(b.col)}{b.row}单元格"

    def cell(self, b: TextBlock) -> Any | None:
        if b.kind != BlockKind.TABLE_CELL or b.table is None or b.row is None or b.col is None:
            return None
        if b.table >= len(self.sheets):
            return None
        return self.sheets[b.table].cell(row=b.row, column=b.col)

    def run(self, findings: list[Finding]) -> None:
        drop: dict[int, set[int]] = {}
        for f in masked_targets(findings):
            s, e = personal_span(f) or (0, 0)
            plan = mask_chars(self.doc.text[s:e], f.rule, self.masking)
            hidden = {s + i for i in plan.hidden}
            for b in self.doc.blocks_in(s, e):
                if self.cell(b) is None:
                    continue
                key = (b.table or 0, b.row or 0, b.col or 0)
                chars = self.values.setdefault(key, list(b.text))
                for pos in range(max(s, b.start), min(e, b.end)):
                    if pos in hidden:
                        chars[pos - b.start] = plan.masked[pos - s]
                if self.options.drop_columns and f.rule in DROP_COLUMN_RULES:
                    drop.setdefault(b.table or 0, set()).add(b.col or 0)
                self.act(f, "masked", self.where(b), f"改为“{plan.masked.strip()}”")
        for (sheet, row, col), chars in self.values.items():
            self.sheets[sheet].cell(row=row, column=col).value = "".join(chars)
        hidden_sheets: set[int] = set()
        for f in findings:
            cat = str(f.category)
            if cat == "hidden_content" and f.rule in ("hidden_text", "white_text"):
                concealed = hidden_target(f)
                if concealed.span is None:
                    continue
                for s, e in concealed.ranges:
                    for b in self.doc.blocks_in(s, e):
                        if b.source == "xlsx:hidden_sheet" and b.field_name == "sheet_name":
                            hidden_sheets.add(b.table or 0)
                        elif (b.hidden or f.rule == "white_text") and (cell := self.cell(b)) is not None:
                            cell.value = None
                            self.act(f, "cleared", self.where(b), "隐藏或白色的单元格内容")
            elif (cat == "classification_mark" and f.rule in MARK_RULES) or cat == "leader_annotation":
                rng = annotation_target(f).span if cat == "leader_annotation" else mark_target(f).span
                if rng is None:
                    continue
                for b in self.doc.blocks_in(*rng):
                    if (cell := self.cell(b)) is not None:
                        cell.value = None
                        self.act(f, "cleared", self.where(b), f"“{f.evidence}”")
                    elif b.kind in (BlockKind.HEADER, BlockKind.FOOTER):
                        self._clear_header_footer(b.table or 0)
                        self.act(f, "cleared", self.where(b), "页眉页脚中的标识")
        for sheet, cols in drop.items():
            if sheet in hidden_sheets:
                continue  # the whole sheet goes
            ws = self.sheets[sheet]
            for col in sorted(cols, reverse=True):
                header = self._header(ws, col)
                ws.delete_cols(col)
                self.act(
                    None,
                    "dropped_column",
                    f"工作表“{ws.title}”{_col_letter(col)}列" + (f"（{header}）" if header else ""),
                    "名单中的证件号、账号或电话整列删除",
                    category="personal_data",
                    rule="roster",
                )
        visible = [
            i for i, ws in enumerate(self.sheets) if ws.sheet_state == "visible" and i not in hidden_sheets
        ]
        for i in sorted(hidden_sheets, reverse=True):
            if visible:
                title = self.sheets[i].title
                self.wb.remove(self.sheets[i])
                self.act(None, "removed", f"工作表“{title}”", "隐藏的工作表", rule="hidden_text")
        self._comments()
        self._properties()

    @staticmethod
    def _header(ws: Any, col: int) -> str:
        for row in range(1, 6):
            v = ws.cell(row=row, column=col).value
            if isinstance(v, str) and v.strip() and len(v.strip()) <= 12:
                return v.strip()
        return ""

    def _clear_header_footer(self, sheet: int) -> None:
        ws = self.sheets[sheet]
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            for part in (hf.left, hf.center, hf.right):
                part.text = None

    def _comments(self) -> None:
        n = 0
        for ws in self.wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.comment is not None:
                        c.comment = None
                        n += 1
        if n:
            self.act(None, "removed", "全部工作表", "单元格批注", count=n, rule="comment")

    def _properties(self) -> None:
        from openpyxl.packaging.custom import CustomPropertyList

        props = self.wb.properties
        fields = (
            "creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category",
            "contentStatus", "identifier", "language", "version", "revision", "lastPrinted",
        )  # fmt: skip
        had = [f for f in fields if getattr(props, f, None)]
        for f in fields:
            setattr(props, f, None)
        if len(self.wb.custom_doc_props):
            had.append("custom")
            self.wb.custom_doc_props = CustomPropertyList()
        if had:
            self.act(
                None, "cleared", "文档属性", "作者、最后修改者等属性", count=len(had), rule="metadata_person"
            )


__all__ = ["clean_xlsx", "prepare_xlsx"]
