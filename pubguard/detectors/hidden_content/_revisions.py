"""Check: tracked changes not accepted (rule tracked_change)."""

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
    group_consecutive,
    substantive,
)
from pubguard.document import (
    BlockKind,
    Document,
)
from pubguard.finding import Finding, Severity


# -- tracked changes ---------------------------------------------------------------------
def revisions(doc: Document, ctx: ScanContext) -> list[Finding]:
    out: list[Finding] = []
    for kind, label, severity in (
        (BlockKind.REVISION_DELETE, "删除", Severity.HIGH),
        (BlockKind.REVISION_INSERT, "插入", Severity.MEDIUM),
    ):
        idx = [i for i, b in enumerate(doc.blocks) if b.kind == kind and b.text.strip()]
        groups = group_consecutive(
            doc, idx, lambda a, b: (a.author, a.date, a.paragraph) == (b.author, b.date, b.paragraph)
        )
        groups = [g for g in groups if substantive(g.text) or kind == BlockKind.REVISION_DELETE]
        deleted = kind == BlockKind.REVISION_DELETE

        def item(
            g: Group, severity: Severity = severity, label: str = label, deleted: bool = deleted
        ) -> _Item:
            block = g.first
            when = f"，{block.date[:10]}" if block.date else ""
            if deleted:
                msg = (
                    f"修订痕迹：被删除的文字仍保存在文件中（修订人：{_author(block.author, ctx)}{when}），"
                    "打开修订显示或解析文件即可看到。"
                )
            else:
                msg = f"修订痕迹：插入的文字尚未接受（修订人：{_author(block.author, ctx)}{when}）。"
            return _Item(
                severity, msg, label, HiddenContentDetails(revision="delete" if deleted else "insert")
            )

        out += _per_group(
            doc,
            ctx,
            groups,
            item,
            rule="tracked_change",
            suggestion=SUGGEST_DRAFT,
            basis=BASIS_DRAFT_TRACES,
            summary_severity=severity,
            summary=f"文档含有 {{n}} 处未处理的修订（{label}，修订人：{{authors}}），"
            + ("被删除的文字仍保存在文件中。" if deleted else "修订尚未接受。"),
        )
    return out
