"""Check: embedded files and OLE objects (rule embedded_file)."""

from __future__ import annotations

from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._masker import preview
from pubguard.detectors.hidden_content._shared import BASIS_ACTIVE, CATEGORY, MAX_INDIVIDUAL, SUGGEST_EMBEDDED
from pubguard.document import Document
from pubguard.finding import Finding, Severity


# -- embedded files, scripts ------------------------------------------------------------------
def embedded(doc: Document, ctx: ScanContext) -> list[Finding]:
    names = [n for n in dict.fromkeys(doc.embedded_files) if n]
    if not names:
        return []
    shown = [n.rsplit("/", 1)[-1] for n in names]
    if len(names) > MAX_INDIVIDUAL:
        return [
            ctx.finding(
                doc,
                category=CATEGORY,
                rule="embedded_file",
                severity=Severity.MEDIUM,
                message=f"文件中嵌入了 {len(names)} 个文件/对象，内容未经本次检查。",
                raw="\n".join(names),
                suggestion=SUGGEST_EMBEDDED,
                basis=BASIS_ACTIVE,
                evidence="、".join(shown[:5]) + " 等",
                details=HiddenContentDetails(count=len(names)),
            )
        ]
    return [
        ctx.finding(
            doc,
            category=CATEGORY,
            rule="embedded_file",
            severity=Severity.MEDIUM,
            message="文件中嵌入了其他文件或对象（如附件、OLE 对象），其内容随文件公开但未经本次检查。",
            raw=name,
            suggestion=SUGGEST_EMBEDDED,
            basis=BASIS_ACTIVE,
            evidence=f"嵌入文件：{preview(label, ctx.config.masking, 40)}",
        )
        for name, label in zip(names, shown, strict=True)
    ]
