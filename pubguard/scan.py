"""The single entry point for scanning: bytes (+ name) -> Document -> Findings (+ disclosure).

The CLI, API jobs, site scans and the clean-copy re-scan all call `scan_bytes` / `scan_path`, so
limits, timeouts and per-file errors are handled in exactly one place.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubguard.config import ScanConfig
from pubguard.detectors import ScanContext, detectors_for
from pubguard.document import Document
from pubguard.errors import PubGuardError
from pubguard.finding import Finding, Severity, aggregate_repeats, assign_fingerprints
from pubguard.infoclass import InfoClass, suggest_info_class

log = logging.getLogger("pubguard.scan")


@dataclass
class Disclosure:
    suggested: str = "主动公开"  # 主动公开 | 依申请公开 | 不予公开
    reasons: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"suggested": self.suggested, "reasons": self.reasons, "basis": self.basis}


@dataclass(frozen=True)
class SuppressedFinding:
    """A finding silenced by an inline `pubguard:allow` (kind "inSource") or a baseline
    ("external"). Kept so SARIF can list it as suppressed; not part of the JSON report."""

    finding: Finding
    kind: str
    justification: str


@dataclass
class FileResult:
    path: str
    status: str = "ok"  # "ok" | "error"
    error: str | None = None
    error_code: str | None = None
    format: str | None = None
    pages: int = 0
    disclosure: Disclosure | None = None
    # Suggested information class for 分级审批 (`pubguard.infoclass`), next to the disclosure.
    info_class: InfoClass | None = None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str | None = None
    seconds: float = 0.0
    suppressed: int = 0  # findings removed by inline `pubguard:allow` comments
    unused_suppressions: list[str] = field(default_factory=list)
    document: Document | None = field(default=None, repr=False)  # kept only when asked
    # Site scans: finding fingerprint -> hash of the normalised text of the HTML block(s) holding
    # it, so template text repeated on many pages is reported once (pubguard.site.boilerplate).
    # Internal: not part of to_dict() / the report contract.
    block_hashes: dict[str, str] = field(default_factory=dict, repr=False)
    suppressed_findings: list[SuppressedFinding] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "format": self.format,
            "pages": self.pages,
            "disclosure": self.disclosure.to_dict() if self.disclosure else None,
            "info_class": self.info_class.to_dict() if self.info_class else None,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error_code:
            d["error_code"] = self.error_code
        if self.warnings:
            d["warnings"] = self.warnings
        if self.sha256:
            d["sha256"] = self.sha256
        if self.suppressed or self.unused_suppressions:
            d["suppressed"] = self.suppressed
            d["unused_suppressions"] = self.unused_suppressions
        return d

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


def run_detectors(doc: Document, config: ScanConfig, identity: str) -> list[Finding]:
    ctx = ScanContext(config=config)
    findings: list[Finding] = []
    for det in detectors_for(None):
        if not config.detector_enabled(det.name):
            continue
        try:
            findings.extend(det.detect(doc, ctx))
        except PubGuardError:
            raise
        except Exception as exc:  # one broken detector must not hide the others' findings
            log.exception("detector %s failed on %s", det.name, identity)
            doc.warnings.append(f"检测器 {det.name} 运行出错（{type(exc).__name__}），该项结果可能不完整。")
    min_rank = Severity(config.min_severity).rank
    findings = [f for f in findings if f.severity.rank >= min_rank]
    findings = drop_shadowed(findings)
    findings.sort(key=lambda f: (-f.severity.rank, f.location.page or 0, f.location.start or 0, f.rule))
    findings = aggregate_repeats(findings)
    for f in findings:
        if f.count > 1 and "全文共" not in f.message:
            f.message += f"（全文共 {f.count} 处）"
    assign_fingerprints(findings, identity)
    return findings


# A position-aware mark outranks a plain term hit on the same text: "内部资料" standing alone at
# the top of page 1 is one problem (classification_mark), not two.
SHADOWING = {"classification_mark": {"sensitive_term"}}


def drop_shadowed(findings: list[Finding]) -> list[Finding]:
    spans = [
        (f.location.start, f.location.end, str(f.category))
        for f in findings
        if str(f.category) in SHADOWING and f.location.start is not None and f.location.end is not None
    ]
    if not spans:
        return findings
    kept = []
    for f in findings:
        cat, s0, s1 = str(f.category), f.location.start, f.location.end
        shadowed = (
            s0 is not None
            and s1 is not None
            and any(cat in SHADOWING[c] and s0 < e and s < s1 for s, e, c in spans)
        )
        if not shadowed:
            kept.append(f)
    return kept


def scan_document(doc: Document, config: ScanConfig | None = None, identity: str | None = None) -> FileResult:
    config = config or ScanConfig()
    identity = identity or doc.name
    findings = run_detectors(doc, config, identity)
    from pubguard.disclosure import suggest_disclosure

    return FileResult(
        path=doc.name,
        format=doc.source_format or doc.format,
        pages=doc.page_count,
        findings=findings,
        disclosure=suggest_disclosure(doc, findings),
        info_class=suggest_info_class(doc),
        warnings=list(doc.warnings),
    )


FAULT_INJECT_ENV = "PUBGUARD_FAULT_INJECT"


def inject_fault(name: str) -> None:
    """Test hook for crash isolation: `PUBGUARD_FAULT_INJECT=abort:NAME` (or `segv:NAME`) kills
    this process when a file whose name contains NAME is scanned, as a native crash would."""
    spec = os.environ.get(FAULT_INJECT_ENV)
    if not spec:
        return
    how, _, needle = spec.partition(":")
    if needle and needle in name:
        if how == "segv":
            import signal

            os.kill(os.getpid(), signal.SIGSEGV)
        os.abort()


def scan_bytes(
    data: bytes,
    name: str,
    config: ScanConfig | None = None,
    identity: str | None = None,
    keep_document: bool = False,
) -> FileResult:
    """Scan one file's bytes. Never raises for bad input: errors become `status: error`."""
    import hashlib

    from pubguard.extract import extract

    config = config or ScanConfig()
    inject_fault(name)
    t0 = time.perf_counter()
    sha = hashlib.sha256(data).hexdigest()
    try:
        doc = extract(data, name, config)
        result = scan_document(doc, config, identity or name)
        result.path = name
        if keep_document:
            result.document = doc
    except PubGuardError as exc:
        result = FileResult(path=name, status="error", error=exc.message, error_code=exc.code)
    except MemoryError:
        result = FileResult(
            path=name, status="error", error="文件过大，内存不足，无法完成检查。", error_code="too_large"
        )
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.warning("unexpected %s while scanning %s", type(exc).__name__, name)
        result = FileResult(
            path=name,
            status="error",
            error=f"文件无法解析（{type(exc).__name__}），可能已损坏或格式不规范。",
            error_code="corrupt",
        )
    result.sha256 = sha
    result.seconds = time.perf_counter() - t0
    return result


def scan_path(path: Path | str, config: ScanConfig | None = None, display: str | None = None) -> FileResult:
    path = Path(path)
    config = config or ScanConfig()
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > config.limits.max_file_bytes:
            return FileResult(
                path=name,
                status="error",
                error=f"文件过大（{size // (1024 * 1024)} MB），超过上限 {config.limits.max_file_bytes // (1024 * 1024)} MB。",
                error_code="too_large",
            )
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(
            path=name, status="error", error=f"无法读取文件：{exc.strerror or exc}", error_code="io"
        )
    return scan_bytes(data, name, config)
