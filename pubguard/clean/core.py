"""clean_bytes: scan -> clean -> re-scan (-> clean what is left), and the proof that it worked.

The clean copy is never trusted on its own: it is scanned again with the same configuration,
every personal number that was masked is searched for in the whole output file (all package
parts, decompressed PDF streams, extracted text), and only a copy with no blocker left, no leak
and no 密级 mark taken off is `releasable`."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pubguard.clean.common import cleanable, count_leaks, leak_values
from pubguard.clean.options import CleanOptions
from pubguard.clean.report import CleanReport, finding_dicts
from pubguard.config import ScanConfig
from pubguard.errors import PubGuardError, UnsupportedFormat
from pubguard.extract.sniff import sniff_format
from pubguard.finding import Finding, Severity
from pubguard.scan import FileResult

IMAGE_FORMATS = ("png", "jpeg", "tiff", "gif", "bmp", "webp")
SUPPORTED = ("docx", "pdf", "xlsx", *IMAGE_FORMATS)
_TAGS = re.compile(rb"<[^>]{0,2000}>")


class CleanFailed(PubGuardError):
    """The original could not be read, so no clean copy can be made."""

    code = "clean_failed"


@dataclass
class CleanResult:
    data: bytes
    report: CleanReport


def _prepare(fmt: str, data: bytes, name: str, config: ScanConfig) -> tuple[FileResult, Any]:
    if fmt == "docx":
        from pubguard.clean.docx import prepare_docx

        try:
            return prepare_docx(data, name, config)
        except PubGuardError as exc:
            return FileResult(path=name, status="error", error=exc.message, error_code=exc.code), None
        except Exception as exc:  # a parser bug must not look like a clean result
            error = f"文件无法解析（{type(exc).__name__}），可能已损坏或格式不规范。"
            return FileResult(path=name, status="error", error=error, error_code="corrupt"), None
    from pubguard.scan import scan_bytes

    return scan_bytes(data, name, config, keep_document=True), None


# Formats cleaned through a format we can write: Word-like -> DOCX (LibreOffice), Excel-like ->
# XLSX (LibreOffice), OFD -> PDF (drawn from the OFD layout by pubguard.extract.ofd).
_VIA = {
    "doc": "docx",
    "wps": "docx",
    "rtf": "docx",
    "odt": "docx",
    "xls": "xlsx",
    "et": "xlsx",
    "ods": "xlsx",
}


def _convertible(data: bytes, fmt: str, name: str, config: ScanConfig) -> tuple[bytes, str, str | None]:
    """(bytes, format, note) of what the clean copy is made from."""
    if fmt in _VIA:
        from pubguard.extract.legacy import LABELS, converted

        target = _VIA[fmt]
        try:
            out = converted(data, fmt, target, config)
        except PubGuardError as exc:
            raise CleanFailed(exc.message) from exc
        note = f"原文件为{LABELS[fmt]}，已由 LibreOffice 转换为 {target.upper()} 后生成清理稿，请以 {target.upper()} 格式发布。"
        return out, target, note
    if fmt == "ofd":
        from pubguard.extract.ofd import extract_ofd, render_pdf

        try:
            doc = extract_ofd(data, name, config)
        except PubGuardError as exc:
            raise CleanFailed(exc.message) from exc
        note = (
            "原文件为 OFD 版式文件，清理稿按其版面重新绘制为 PDF（字体以内置宋体代替）；"
            + ("原文件中的电子签章记录不会带入清理稿。" if doc.signatures else "")
            + "请核对版式后以 PDF 格式发布。"
        )
        return render_pdf(doc), "pdf", note
    return data, fmt, None


def _cleaner(fmt: str) -> Callable[..., tuple[bytes, list]]:
    if fmt == "docx":
        from pubguard.clean.docx import clean_docx

        return clean_docx
    if fmt == "pdf":
        from pubguard.clean.pdf import clean_pdf

        return clean_pdf
    if fmt == "xlsx":
        from pubguard.clean.xlsx import clean_xlsx

        return clean_xlsx
    from pubguard.clean.image import clean_image

    return clean_image


def _key(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(str(f.category), f.rule, f.evidence_hash) for f in findings if cleanable(f)}


def clean_bytes(
    data: bytes,
    name: str,
    config: ScanConfig | None = None,
    options: CleanOptions | None = None,
    output_name: str | None = None,
) -> CleanResult:
    """Make the publishable copy of one file. Raises UnsupportedFormat / CleanFailed."""
    config = config or ScanConfig()
    options = options or CleanOptions()
    fmt = sniff_format(data, name)
    data, fmt, converted_note = _convertible(data, fmt, name, config)
    if fmt not in SUPPORTED:
        raise UnsupportedFormat(f"暂不支持为 {fmt} 格式生成清理稿（支持 Word、PDF、Excel 和图片）。")
    masking = options.masking(config)
    first, trace = _prepare(fmt, data, name, config)
    if first.status != "ok" or first.document is None:
        raise CleanFailed(first.error or "文件无法读取，不能生成清理稿。")
    report = CleanReport(source=name, format=fmt, output=output_name, options=options.to_dict())
    report.findings_before = finding_dicts(first.findings)
    leaks = leak_values(first.document, first.findings)
    clean = _cleaner(fmt)
    current, state, state_trace = data, first, trace
    previous: set[tuple[str, str, str]] | None = None
    for i in range(max(options.max_passes, 1)):
        kwargs: dict[str, Any] = {"result": state}
        if fmt == "docx":
            kwargs["trace"] = state_trace
        current, actions = clean(current, name, config, options, masking, **kwargs)
        report.actions += actions
        report.passes = i + 1
        state, state_trace = _prepare(fmt, current, name, config)
        if state.status != "ok":
            break
        left = _key(state.findings)
        if not left or left == previous:
            break
        previous = left
    report.rescan_status = state.status
    report.rescan_error = state.error
    report.findings_after = finding_dicts(state.findings)
    report.leak_check = {
        "values_checked": len(leaks),
        "leaks": count_leaks(leaks, _haystacks(fmt, current, state)),
    }
    _notes(report, first, config, fmt)
    if converted_note:
        report.notes.insert(0, converted_note)
    return CleanResult(current, report)


def clean_path(
    path: Path | str,
    output: Path | str,
    config: ScanConfig | None = None,
    options: CleanOptions | None = None,
) -> CleanReport:
    path, output = Path(path), Path(output)
    result = clean_bytes(path.read_bytes(), path.name, config, options, output_name=str(output))
    output.write_bytes(result.data)
    return result.report


def _haystacks(fmt: str, data: bytes, state: FileResult) -> list[str]:
    """Everything a reader of the output file could get at, as text."""
    out: list[str] = []
    if state.document is not None:
        out.append(state.document.text)
    if fmt in ("docx", "xlsx"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                for info in zf.infolist():
                    raw = zf.read(info.filename)
                    out.append(raw.decode("utf-8", "ignore"))
                    if info.filename.endswith((".xml", ".rels", ".vml")):
                        out.append(_TAGS.sub(b"", raw).decode("utf-8", "ignore"))
        except zipfile.BadZipFile:
            pass
    elif fmt == "pdf":
        from pubguard.clean.pdf import open_pdf

        pdf = open_pdf(data)
        import pymupdf

        for page in pdf:
            out.append(page.get_text(clip=pymupdf.INFINITE_RECT()))
            out += [str(link.get("uri", "")) for link in page.get_links()]
        for xref in range(1, pdf.xref_length()):
            try:
                out.append(pdf.xref_object(xref, compressed=False))
                if pdf.xref_is_stream(xref) and pdf.xref_get_key(xref, "Subtype")[1] != "/Image":
                    out.append((pdf.xref_stream(xref) or b"").decode("latin-1"))
            except Exception:  # a broken object is not a leak
                continue
    return out


def _notes(report: CleanReport, first: FileResult, config: ScanConfig, fmt: str) -> None:
    secret = [
        f for f in first.findings if str(f.category) == "classification_mark" and f.rule == "secret_level"
    ]
    if any(f.severity == Severity.BLOCKER for f in secret):
        report.needs_declassification = True
        report.notes.append(
            "原文件标有密级标志，清理稿虽已删除该标志，但删除标志不等于解密：须取得定密机关的书面解密意见后方可公开，"
            "本清理稿不能直接发布（《中华人民共和国保守国家秘密法》）。"
        )
    if any(f.rule == "telegram_header" for f in first.findings):
        report.notes.append("电报报头未自动处理：明电须按普通公文格式重新排版后再发布，密码电报不得上网。")
    if fmt in IMAGE_FORMATS and not config.ocr:
        report.notes.append("未启用文字识别：图片中的个人信息和批示无法定位，复查结果不含这些内容。")
    if fmt == "xlsx":
        report.notes.append("Excel 清理稿由 openpyxl 重写：工作表中的图片、图表不会保留，请核对版式。")
    if report.leak_check.get("leaks"):
        report.notes.append("清理稿中仍能找到已脱敏号码的原文（可能位于文件的其他部件中），请人工核查。")


__all__ = ["clean_bytes", "clean_path", "CleanResult", "CleanFailed", "SUPPORTED"]
