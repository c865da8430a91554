"""The single entry point for scanning: bytes (+ name) -> Document -> Findings (+ disclosure).

The CLI, API jobs, site scans and the clean-copy re-scan all call `scan_bytes` / `scan_path`, so
limits, timeouts and per-file errors are handled in exactly one place.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pubguard.config import ScanConfig
from pubguard.detectors import ScanContext, detectors_for
from pubguard.document import Document
from pubguard.errors import PubGuardError
from pubguard.finding import Finding, Severity, aggregate_repeats, assign_fingerprints
from pubguard.infoclass import InfoClass, suggest_info_class
from pubguard.progress import page_progress

if TYPE_CHECKING:
    from pubguard.extract.local import LocalFiles

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
    # Archive members and embedded files scanned as part of this file (their findings are in
    # `findings`, each with location.member): [{path, status, error, error_code, format, pages, findings}]
    members: list[dict[str, Any]] = field(default_factory=list)
    suppressed_findings: list[SuppressedFinding] = field(default_factory=list, repr=False)
    # Folder/site scans: local stylesheets the page read (path -> sha256), so the site cache can
    # tell when a changed sheet makes its cached result stale. Internal, like block_hashes.
    stylesheets: dict[str, str] = field(default_factory=dict, repr=False)

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
        if self.members:
            d["members"] = self.members
        if self.suppressed or self.unused_suppressions:
            d["suppressed"] = self.suppressed
            d["unused_suppressions"] = self.unused_suppressions
        return d

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


# Text length from which the heap is trimmed after each detector (`_release_freed_heap`).
_TRIM_FROM_CHARS = 1 << 18


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none (musl, macOS, Windows)."""
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        fn = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except (OSError, AttributeError):
        return None
    if fn is None:
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return cast("Callable[[int], int]", fn)


def _release_freed_heap() -> None:
    """Hand the pages a detector freed back to the system. A detector's multi-MB numpy and
    string temporaries are freed into glibc's heap (its dynamic mmap threshold keeps them off
    mmap once one has been freed), where they stay resident and the next detector's temporaries
    pile on top: on a 2,000-page PDF the peak RSS was set that way. Memory contents and
    results are unchanged."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def run_detectors(doc: Document, config: ScanConfig, identity: str) -> list[Finding]:
    ctx = ScanContext(config=config)
    findings: list[Finding] = []
    trim = len(doc.text) >= _TRIM_FROM_CHARS
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
        if trim:
            _release_freed_heap()
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


_gc_lock = threading.Lock()
_gc_holders = 0  # scans running with the cyclic collector paused (threads share one collector)
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a file is extracted and detectors run. They
    allocate hundreds of thousands of short-lived, acyclic objects (matches, lines, spans), and
    each gen-0/1/2 pass walks every live container: ~15 % of a large text scan's CPU, and 0.6
    of 3.5 s on a 2,000-page PDF, whose blocks and boxes the heap grows by during extraction. Reference counting still
    frees them; whatever cycles they leave are collected once the last scan ends (the
    collector is restarted, never forced). Nested and concurrent scans share the pause."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def scan_document(doc: Document, config: ScanConfig | None = None, identity: str | None = None) -> FileResult:
    config = config or ScanConfig()
    identity = identity or doc.name
    from pubguard.disclosure import suggest_disclosure

    with gc_paused():
        findings = run_detectors(doc, config, identity)
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
    _budget: Any = None,
    _depth: int = 0,
    local: LocalFiles | None = None,
) -> FileResult:
    """Scan one file's bytes. Never raises for bad input: errors become `status: error`.

    Archives (.zip/.rar/.7z/.tar ...) and files embedded in PDF/Office/OFD files are scanned
    member by member under one shared budget (`pubguard.extract.archive`); their findings join
    this file's, each naming its member in `location.member`. `local` (folder and site scans):
    where the file lives, so a page's linked local stylesheets are read (inside that root)."""
    import hashlib

    from pubguard.extract import extract
    from pubguard.extract.archive import ARCHIVE_FORMATS, Budget
    from pubguard.extract.sniff import sniff_format

    config = config or ScanConfig()
    inject_fault(name)
    t0 = time.perf_counter()
    sha = hashlib.sha256(data).hexdigest()
    budget = _budget if _budget is not None else Budget(config.limits)
    try:
        fmt = sniff_format(data, name) if data and data.strip() else None
        if fmt in ARCHIVE_FORMATS:
            result = _scan_archive(data, name, fmt, config, identity or name, budget, _depth)
        else:
            with gc_paused():  # extraction too: its blocks and boxes are what the heap grows by
                doc = extract(data, name, config, local)
                result = scan_document(doc, config, identity or name)
            result.path = name
            if doc.attachments or fmt in ("docx", "xlsx", "pptx"):
                _scan_embedded(data, doc, fmt, result, config, identity or name, budget, _depth)
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


_DISCLOSURE_RANK = {"主动公开": 0, "依申请公开": 1, "不予公开": 2}


def _scan_members(
    result: FileResult,
    outer: str,
    members: list[Any],
    config: ScanConfig,
    identity: str,
    budget: Any,
    depth: int,
) -> None:
    """Scan `members` (archive.Member) into `result`: findings with location.member, one
    summary row per member, member errors as warnings naming the member."""
    from pubguard.errors import DecompressionBomb, EncryptedFile

    head, sep, tail = outer.partition("!/")
    label = head.replace("\\", "/").rsplit("/", 1)[-1] + sep + tail  # "附件.zip", "附件.zip!/内.zip"
    if depth + 1 > config.limits.max_archive_depth:
        result.warnings.append(
            f"{label}：压缩包/嵌入文件嵌套超过 {config.limits.max_archive_depth} 层，更深层的内容未检查。"
        )
        return
    stopped = False
    for m in members:
        path = f"{label}!/{m.name}"
        row: dict[str, Any] = {
            "path": m.name,
            "status": "ok",
            "error": None,
            "format": None,
            "pages": 0,
            "findings": 0,
        }
        if stopped:
            break
        error = m.error
        if error is None and m.encrypted:
            error = EncryptedFile(
                "该成员已加密（设置了密码），未检查；PubGuard 不会尝试猜测密码，请解密后单独上传。"
            )
        if error is None:
            error = budget.take(m.size)
            if isinstance(error, DecompressionBomb) and "其余" in error.message:
                stopped = True
        if error is not None:
            row.update(status="error", error=error.message, error_code=error.code)
            result.members.append(row)
            result.warnings.append(f"{path}：{error.message}")
            continue
        try:
            data = m.loader() if m.loader else b""
        except PubGuardError as exc:
            row.update(status="error", error=exc.message, error_code=exc.code)
            result.members.append(row)
            result.warnings.append(f"{path}：{exc.message}")
            continue
        if m.size < 0:  # size unknown until unpacked (.gz): count it now
            budget.bytes += len(data)
        with page_progress(None):  # a member's pages are not the outer file's pages
            sub = scan_bytes(
                data, path, config, identity=f"{identity}!/{m.name}", _budget=budget, _depth=depth + 1
            )
        row.update(
            status=sub.status, error=sub.error, format=sub.format, pages=sub.pages, findings=len(sub.findings)
        )
        if sub.error_code:
            row["error_code"] = sub.error_code
        result.members.append(row)
        for child in sub.members:  # nested members keep their full path
            result.members.append({**child, "path": f"{m.name}!/{child['path']}"})
        if sub.status == "error":
            result.warnings.append(f"{path}：{sub.error}")
        for w in sub.warnings:
            result.warnings.append(w if w.startswith(path) else f"{path}：{w}")
        for f in sub.findings:
            for loc in {id(x): x for x in (f.location, *f.locations)}.values():
                loc.member = f"{m.name}!/{loc.member}" if loc.member else m.name
            if not f.message.startswith(path):
                f.message = f"{path}：{f.message}"
            result.findings.append(f)
        result.pages += sub.pages
        if sub.disclosure is not None:
            if result.disclosure is None or _DISCLOSURE_RANK.get(
                sub.disclosure.suggested, 0
            ) > _DISCLOSURE_RANK.get(result.disclosure.suggested, 0):
                result.disclosure = Disclosure(sub.disclosure.suggested, [], [])
            if sub.disclosure.suggested == result.disclosure.suggested:
                result.disclosure.reasons += [f"{m.name}：{r}" for r in sub.disclosure.reasons]
                result.disclosure.basis += [
                    b for b in sub.disclosure.basis if b not in result.disclosure.basis
                ]
    result.findings.sort(key=lambda f: -f.severity.rank)  # stable: member order kept per severity


def _scan_archive(
    data: bytes, name: str, fmt: str, config: ScanConfig, identity: str, budget: Any, depth: int
) -> FileResult:
    from pubguard.extract.archive import list_members

    members = list_members(data, fmt, name, config.limits)
    result = FileResult(path=name, format=fmt, disclosure=Disclosure())
    if not members:
        result.warnings.append("压缩包中没有文件。")
    _scan_members(result, name, members, config, identity, budget, depth)
    if result.members and all(r["status"] == "error" for r in result.members):
        first = result.members[0]
        result.status, result.error = (
            "error",
            f"压缩包中的文件均无法检查（{first['path']}：{first['error']}）",
        )
        result.error_code = first.get("error_code") or "corrupt"
    return result


def _scan_embedded(
    data: bytes,
    doc: Document,
    fmt: str | None,
    result: FileResult,
    config: ScanConfig,
    identity: str,
    budget: Any,
    depth: int,
) -> None:
    """Files inside the document (PDF attachments, OFD attachments, OLE objects and packages
    embedded in DOCX/XLSX/PPTX) are scanned as members with the archive limits."""
    from pubguard.extract.archive import Member, office_embeddings

    members = [Member(a.name, a.size, -1, a.loader) for a in doc.attachments]
    if fmt in ("docx", "xlsx", "pptx") and doc.source_format is None:
        members += office_embeddings(data)
    if members:
        _scan_members(result, result.path or doc.name, members, config, identity, budget, depth)


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
