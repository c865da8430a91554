"""Check: HTML source comments that say something (rule html_comment)."""

from __future__ import annotations

from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._html_text import _html_comment_severity
from pubguard.detectors.hidden_content._shared import (
    BASIS_HTML_COMMENT,
    SUGGEST_HTML_COMMENT,
    _Item,
    _per_group,
    _visible_key,
    group_consecutive,
)
from pubguard.document import (
    BlockKind,
    Document,
)
from pubguard.finding import Finding, Severity


# -- HTML comments ----------------------------------------------------------------------------
def html_comments(doc: Document, ctx: ScanContext) -> list[Finding]:
    if doc.format != "html":
        return []
    idx = [i for i, b in enumerate(doc.blocks) if b.kind == BlockKind.COMMENT and b.text.strip()]
    visible = _visible_key(doc)
    severities: dict[int, Severity] = {}
    groups = []
    for g in group_consecutive(doc, idx, lambda a, b: a.paragraph == b.paragraph):
        severity = _html_comment_severity(g.text, visible)
        if severity is not None:
            groups.append(g)
            severities[id(g)] = severity
    if not groups:
        return []
    return _per_group(
        doc,
        ctx,
        groups,
        lambda g: _Item(
            severities[id(g)],
            "网页源代码注释中含有文字说明，页面不显示，但查看源代码即可看到。",
            "注释",
        ),
        rule="html_comment",
        suggestion=SUGGEST_HTML_COMMENT,
        basis=BASIS_HTML_COMMENT,
        summary_severity=max(severities.values(), key=lambda s: s.rank),
        summary="网页源代码中有 {n} 条含文字说明的注释，任何人查看源代码即可看到。",
    )
