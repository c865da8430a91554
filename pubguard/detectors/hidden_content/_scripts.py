"""Check: PDF JavaScript and Office macros (rule javascript)."""

from __future__ import annotations

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._masker import preview
from pubguard.detectors.hidden_content._shared import BASIS_ACTIVE, CATEGORY, MAX_INDIVIDUAL, SUGGEST_SCRIPT
from pubguard.document import Document
from pubguard.finding import Finding, Severity


def scripts(doc: Document, ctx: ScanContext) -> list[Finding]:
    if doc.format == "html":
        return []  # every web page has scripts; the page itself is checked, not its JS
    entries = [s for s in dict.fromkeys(doc.scripts) if s and s.strip()]
    out = []
    for script in entries[:MAX_INDIVIDUAL]:
        macro = script.startswith("[VBA]")
        what = "Office 宏（VBA）代码" if macro else "JavaScript 脚本"
        out.append(
            ctx.finding(
                doc,
                category=CATEGORY,
                rule="javascript",
                severity=Severity.MEDIUM,
                message=f"文件中含有{what}，打开时可能自动执行，不应出现在公开发布的文件中。",
                raw=script,
                suggestion=SUGGEST_SCRIPT,
                basis=BASIS_ACTIVE,
                evidence=what if macro else f"脚本：{preview(script, ctx.config.masking, 30)}",
                details=HiddenContentDetails(kind="vba" if macro else "javascript", count=len(entries)),
            )
        )
    return out
