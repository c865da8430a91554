"""Check: Word comments and PDF/HTML annotations (rule comment)."""

from __future__ import annotations

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._shared import (
    BASIS_DRAFT_TRACES,
    SUGGEST_DRAFT,
    Group,
    _author,
    _Item,
    _per_group,
    substantive,
)
from pubguard.document import (
    BlockKind,
    Document,
    TextBlock,
)
from pubguard.finding import Finding, Severity


def _comment_key(block: TextBlock) -> tuple:
    if block.source and block.source.startswith("w:comment;"):
        return ("docx", block.source.split(";", 2)[1])
    return ("note", block.page, block.paragraph, block.author)


def _source_info(source: str | None) -> dict[str, str]:
    if not source:
        return {}
    return dict(part.split("=", 1) for part in source.split(";") if "=" in part)


# -- comments ---------------------------------------------------------------------------
def comments(doc: Document, ctx: ScanContext) -> list[Finding]:
    kinds = {BlockKind.ANNOTATION} if doc.format == "html" else {BlockKind.COMMENT, BlockKind.ANNOTATION}
    groups: dict[tuple, Group] = {}
    for block in doc.blocks:
        if block.kind in kinds and block.text.strip():
            groups.setdefault((block.kind, *_comment_key(block)), Group()).blocks.append(block)
    items = [g for g in groups.values() if substantive(g.text)]

    def item(g: Group) -> _Item:
        block = g.first
        what = (
            " PDF 注释"
            if block.kind == BlockKind.ANNOTATION or doc.format == "pdf"
            else (" Word 批注" if doc.format == "docx" else "批注/注释")
        )
        when = f"，{block.date[:10]}" if block.date else ""
        anchor: tuple[int, int] | None = None
        info = _source_info(block.source)
        if "range" in info:
            a, _, b = info["range"].partition("-")
            if a.isdigit() and b.isdigit():
                anchor = (int(a), int(b))
        return _Item(
            Severity.HIGH,
            f"文档含有{what}（作者：{_author(block.author, ctx)}{when}），"
            "批注内容在下载文件中可见，可能泄露审稿意见或联系人信息。",
            "批注",
            HiddenContentDetails(anchor=anchor),
        )

    return _per_group(
        doc,
        ctx,
        items,
        item,
        rule="comment",
        suggestion=SUGGEST_DRAFT,
        basis=BASIS_DRAFT_TRACES,
        summary_severity=Severity.HIGH,
        summary="文档含有 {n} 条批注/注释（作者：{authors}），批注内容随文件一并公开。",
    )
