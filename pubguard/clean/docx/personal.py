"""Personal data in the clean copy: masked in place in the runs that hold it, and whole roster
columns of ID / account / phone numbers dropped from their tables.
"""

from __future__ import annotations

from pubguard.clean.common import LEAK_RULES, personal_span, personal_target, squash
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.tree import drop_grid_column, grid_width
from pubguard.clean.options import DROP_COLUMN_RULES, MASK_KINDS, mask_chars
from pubguard.document import BlockKind
from pubguard.extract.docx import w
from pubguard.finding import Finding


def mask_personal(plan: CleanPlan, findings: list[Finding]) -> None:
    for f in findings:
        s, e = personal_span(f) or (0, 0)
        block = plan.doc.block_at(s)
        if block is not None and block.kind in (BlockKind.COMMENT, BlockKind.METADATA):
            continue  # comments and properties are removed as a whole
        raw = plan.doc.text[s:e]
        mask_plan = mask_chars(raw, MASK_KINDS.get(f.rule, "default"), plan.masking)
        if f.rule in LEAK_RULES and len(raw.strip()) >= 7:
            plan.replacements[raw.strip()] = mask_plan.masked.strip()
        hidden = set(mask_plan.hidden)
        done = False
        for piece, lo, hi in plan.overlapping(s, e):
            if piece.el.tag not in (w("t"), w("delText")):
                continue
            for k in range(lo, hi):
                i = piece.start + k - s
                if i in hidden:
                    plan.edits.replace(piece.el, k, mask_plan.masked[i])
                    done = True
        if done:
            plan.act(f, "masked", plan.where(s), f"改为“{mask_plan.masked.strip()}”")


def drop_columns(plan: CleanPlan, findings: list[Finding]) -> None:
    cols: dict[int, set[int]] = {}
    for f in findings:
        target = personal_target(f)  # the table cell the value sits in, from the detector
        if f.rule not in DROP_COLUMN_RULES or target.span is None or target.cell is None:
            continue
        cols.setdefault(target.cell.table, set()).add(target.cell.col)
    for table, columns in cols.items():
        tbl = plan.trace.tables.get(table)
        if tbl is None:
            continue
        headers = header_texts(plan, table)
        for col in sorted(columns, reverse=True):
            if grid_width(tbl) <= 1:
                break
            drop_grid_column(tbl, col)
            label = headers.get(col, "")
            plan.act(
                None,
                "dropped_column",
                f"表格{table + 1}第{col + 1}列" + (f"（{label}）" if label else ""),
                "名单中的证件号、账号或电话整列删除",
                category="personal_data",
                rule="roster",
            )


def header_texts(plan: CleanPlan, table: int) -> dict[int, str]:
    out: dict[int, str] = {}
    for b in plan.doc.blocks:
        if b.kind == BlockKind.TABLE_CELL and b.table == table and b.row == 0 and b.col is not None:
            out[b.col] = out.get(b.col, "") + b.text
    return {k: squash(v)[:12] for k, v in out.items()}
