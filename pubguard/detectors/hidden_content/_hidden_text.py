"""Check: hidden text (Word vanish, invisible PDF text, hidden HTML elements, tiny fonts) (rules
hidden_text, white_text)."""

from __future__ import annotations

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._geometry import _on_image
from pubguard.detectors.hidden_content._html_text import _html_hidden_severity
from pubguard.detectors.hidden_content._shared import (
    BASIS_HIDDEN,
    SUGGEST_HIDDEN,
    Group,
    _Item,
    _per_group,
    _visible_key,
    group_consecutive,
    substantive,
)
from pubguard.document import (
    BlockKind,
    Document,
    TextBlock,
)
from pubguard.finding import Finding, Severity

HIDDEN_SKIP_KINDS = frozenset(
    {BlockKind.METADATA, BlockKind.COMMENT, BlockKind.ANNOTATION, BlockKind.REVISION_DELETE, BlockKind.OCR}
)


def hidden_text(doc: Document, ctx: ScanContext) -> list[Finding]:
    idx = []
    reasons: dict[int, str] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind in HIDDEN_SKIP_KINDS or not b.text.strip():
            continue
        if b.hidden:
            if doc.format == "pdf" and _on_image(doc, b):
                continue
            idx.append(i)
            reasons[id(b)] = _hidden_reason(doc, b)
        elif b.font_size is not None and 0 < b.font_size < 2 and substantive(b.text):
            idx.append(i)
            reasons[id(b)] = f"字号仅 {b.font_size:g} 磅"
    # HTML: one group per element (a hidden menu next to a hidden note stays apart);
    # DOCX/PDF: a run of hidden paragraphs is one hidden passage.
    groups = group_consecutive(
        doc,
        idx,
        lambda a, b: (
            _colour_hidden(a) == _colour_hidden(b) and (doc.format != "html" or a.paragraph == b.paragraph)
        ),
    )
    kept: list[Group] = []
    severities: dict[int, Severity] = {}
    for g in groups:
        if not substantive(g.text):
            continue
        severity = Severity.HIGH
        if doc.format == "html":
            severity_or_none = _html_hidden_severity(g.text, _visible_key(doc))
            if severity_or_none is None:
                continue
            severity = severity_or_none
        kept.append(g)
        severities[id(g)] = severity
    if not kept:
        return []

    def item(g: Group) -> _Item:
        reason = reasons.get(id(g.first), "隐藏格式")
        white = _colour_hidden(g.first)
        label = "与背景同色的文字" if white else "隐藏文字"
        return _Item(
            severities[id(g)],
            f"{label}（{reason}）：页面上看不到，但文件中仍可复制、检索。",
            label,
            HiddenContentDetails(reason=reason),
            rule="white_text" if white else "hidden_text",
        )

    return _per_group(
        doc,
        ctx,
        kept,
        item,
        rule="hidden_text",
        suggestion=SUGGEST_HIDDEN,
        basis=BASIS_HIDDEN,
        summary_severity=max(severities.values(), key=lambda s: s.rank),
        summary="文档含有 {n} 处隐藏文字，页面上看不到，但文件中仍可复制、检索。",
    )


# -- module helpers ---------------------------------------------------------------------------
PDF_HIDDEN_REASONS = {
    "pdf:render_mode_3": "PDF 不可见文字，渲染模式 3",
    "pdf:opacity_0": "PDF 全透明文字",
    "pdf:off_page": "位于页面可见区域之外",
    "pdf:tiny_font": "字号极小",
}
# HTML text hidden by its colour is white text, not hidden markup.
HTML_COLOUR_REASONS = {"html:white_text", "html:same_as_background", "html:transparent_text"}


def _colour_hidden(block: TextBlock) -> bool:
    return block.source in HTML_COLOUR_REASONS


def _hidden_reason(doc: Document, block: TextBlock) -> str:
    src = block.source or ""
    if src.startswith("html:"):
        return f"网页隐藏元素 {src[5:]}"
    if src in PDF_HIDDEN_REASONS:
        return PDF_HIDDEN_REASONS[src]
    if doc.format == "docx":
        return "Word 隐藏文字格式"
    if doc.format == "pdf":
        return "PDF 不可见文字"
    return "隐藏格式"
