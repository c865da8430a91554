"""Shared by the checks: limits, wording of basis/suggestions, grouping of blocks, the
per-group/summary finding builders and the page's visible text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._masker import preview
from pubguard.detectors.hidden_content._person import looks_like_person
from pubguard.document import (
    RGB,
    BlockKind,
    Document,
    TextBlock,
)
from pubguard.finding import Category, Finding, Severity
from pubguard.masking import mask_name

CATEGORY = Category.HIDDEN_CONTENT

# More items than this of one rule are reported as one summary finding, not a flood.
MAX_INDIVIDUAL = 20

VISIBLE_TEXT_KINDS = frozenset(
    {
        BlockKind.BODY,
        BlockKind.TABLE_CELL,
        BlockKind.HEADER,
        BlockKind.FOOTER,
        BlockKind.TEXT_BOX,
        BlockKind.REVISION_INSERT,
    }
)

BASIS_DRAFT_TRACES = (
    "网站群管理办法：信息发布实行“先审查、后发布”，发布稿应为定稿，不得带有批注、修订等过程痕迹；"
    "《中华人民共和国政府信息公开条例》第十六条（讨论记录、过程稿等过程性信息可以不予公开）。"
)
BASIS_HIDDEN = (
    "保密规定“涉密不上网、上网不涉密”：隐藏或与底色同色的文字在网页和下载文件中仍可被复制、检索；"
    "《中华人民共和国政府信息公开条例》第十四条、第十五条。"
)
BASIS_REDACTION = (
    "《中华人民共和国个人信息保护法》第五十一条（采取去标识化等安全技术措施）；"
    "《中华人民共和国政府信息公开条例》第十五条（个人隐私不予公开）；遮盖不等于删除，被遮挡文字仍可复制。"
)
BASIS_METADATA = "《中华人民共和国个人信息保护法》第六条（最小必要）；网站群管理办法：发布文件应清除作者等文档属性中的个人信息。"
BASIS_ACTIVE = (
    "网站群管理办法：发布的文件应为普通文档，不得夹带附件以外的嵌入文件或可执行脚本；"
    "保密规定：嵌入对象须与正文一并审查，“上网不涉密”。"
)
BASIS_HTML_COMMENT = (
    "网站群管理办法“先审查、后发布”：网页源代码中的注释随页面公开，任何人可通过“查看源代码”看到；"
    "《中华人民共和国政府信息公开条例》第十五条。"
)

SUGGEST_DRAFT = "在 Word 中“审阅”→接受或拒绝全部修订并删除全部批注（或用“检查文档”清除），另存后重新上传。"
SUGGEST_HIDDEN = "删除隐藏或白色文字（Word：“检查文档”→“隐藏文字”；网页：删除隐藏元素），确认无误后重新上传。"
SUGGEST_REDACTION = (
    "不要用黑框或涂色遮盖：在原文中删除或替换该内容后重新生成 PDF，或用 PDF 工具的“应用密文/编校”真正删除。"
)
SUGGEST_METADATA = "在“文件”→“信息”→“检查文档”中删除文档属性和个人信息，或将作者改为单位名称后重新上传。"
SUGGEST_EMBEDDED = "删除嵌入的对象/附件，确需公开的附件单独审查后作为独立文件发布。"
SUGGEST_SCRIPT = "另存为不含宏/脚本的格式（DOCX 或普通 PDF）后重新上传。"
SUGGEST_HTML_COMMENT = "删除网页源代码中的注释（尤其是草稿说明、联系人、电话等），重新发布页面。"

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _rgb(color: RGB | None) -> RGB:
    return color if color is not None else (0, 0, 0)


def _hex(c: RGB) -> str:
    return "#" + "".join(f"{v:02X}" for v in c)


def substantive(text: str) -> bool:
    """At least two letters, digits or Han characters (not just spaces, dots, tabs)."""
    return sum(1 for ch in text if ch.isalnum()) >= 2


# -- grouping ---------------------------------------------------------------------------------
@dataclass
class Group:
    blocks: list[TextBlock] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts: list[str] = []
        prev: TextBlock | None = None
        for b in self.blocks:
            if prev is not None and (b.paragraph != prev.paragraph or b.paragraph < 0):
                parts.append("\n")
            parts.append(b.text)
            prev = b
        return "".join(parts)

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def end(self) -> int:
        return self.blocks[-1].end

    @property
    def first(self) -> TextBlock:
        return self.blocks[0]


def group_consecutive(
    doc: Document, wanted: Sequence[int], same: Callable[[TextBlock, TextBlock], bool] | None = None
) -> list[Group]:
    """Group block indices that follow each other in `doc.blocks` (optionally also requiring
    `same(prev, block)`)."""
    groups: list[Group] = []
    prev_i = -2
    for i in wanted:
        block = doc.blocks[i]
        if groups and i == prev_i + 1 and (same is None or same(groups[-1].blocks[-1], block)):
            groups[-1].blocks.append(block)
        else:
            groups.append(Group([block]))
        prev_i = i
    return groups


class _Item(NamedTuple):
    """What one group's finding says; rule, suggestion, basis and the evidence shape are shared
    by the section (see HiddenContentDetector._per_group)."""

    severity: Severity
    message: str
    label: str  # evidence reads: {label}：“{preview}”
    details: HiddenContentDetails | None = None
    rule: str | None = None  # only when it differs from the section's rule


# -- helpers ----------------------------------------------------------------------------
def _author(author: str | None, ctx: ScanContext) -> str:
    if not author:
        return "未署名"
    if looks_like_person(author):
        return mask_name(author.strip(), ctx.config.masking.name_style)
    return preview(author, ctx.config.masking, 16)


def _summary(
    doc: Document,
    ctx: ScanContext,
    groups: list[Group],
    *,
    rule: str,
    severity: Severity,
    message: str,
    suggestion: str,
    basis: str,
) -> Finding:
    authors = sorted({_author(g.first.author, ctx) for g in groups if g.first.author})
    first = groups[0]
    shown = "；".join(preview(g.text, ctx.config.masking) for g in groups[:3])
    evidence = f"共 {len(groups)} 处，例如：{shown}"
    return ctx.finding(
        doc,
        category=CATEGORY,
        rule=rule,
        severity=severity,
        message=message.format(n=len(groups), authors="、".join(authors[:5]) or "未署名"),
        raw="\n".join(g.text for g in groups),
        start=first.start,
        end=first.end,
        suggestion=suggestion,
        basis=basis,
        evidence=evidence,
        details=HiddenContentDetails(
            count=len(groups), offsets=tuple((g.start, g.end) for g in groups[:100])
        ),
    )


def _per_group(
    doc: Document,
    ctx: ScanContext,
    groups: list[Group],
    item: Callable[[Group], _Item],
    *,
    rule: str,
    suggestion: str,
    basis: str,
    summary_severity: Severity,
    summary: str,
) -> list[Finding]:
    """One finding per group; past MAX_INDIVIDUAL one summary finding instead, so a draft
    full of comments or hidden runs yields one actionable line, not hundreds."""
    if len(groups) > MAX_INDIVIDUAL:
        return [
            _summary(
                doc,
                ctx,
                groups,
                rule=rule,
                severity=summary_severity,
                message=summary,
                suggestion=suggestion,
                basis=basis,
            )
        ]
    out = []
    for g in groups:
        it = item(g)
        out.append(
            ctx.finding(
                doc,
                category=CATEGORY,
                rule=it.rule or rule,
                severity=it.severity,
                message=it.message,
                raw=g.text,
                start=g.start,
                end=g.end,
                suggestion=suggestion,
                basis=basis,
                evidence=f"{it.label}：“{preview(g.text, ctx.config.masking)}”",
                details=it.details,
            )
        )
    return out


def _visible_key(doc: Document) -> str:
    """What the page shows anyway (visible text, title and description), keyed by `_dup_key`,
    one line per block so no match runs across two blocks."""

    def build() -> str:
        parts = [
            _dup_key(b.text)
            for b in doc.blocks
            if b.text.strip()
            and (
                (b.kind in VISIBLE_TEXT_KINDS and not b.hidden)
                or (b.kind == BlockKind.METADATA and b.field_name in ("title", "description", "articletitle"))
            )
        ]
        return "\n".join(p for p in parts if p)

    return doc.cached(("hidden_content.visible_key", len(doc.blocks)), build)


_DUP_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def _dup_key(text: str) -> str:
    """Letters, digits and Han only, case-folded: how text is compared with the visible page."""
    return _DUP_KEEP.sub("", unicodedata.normalize("NFKC", text).lower())
