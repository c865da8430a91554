"""Extraction: bytes -> `Document`, one module per format, dispatched by content sniffing."""

from __future__ import annotations

import importlib

from pubguard.config import ScanConfig
from pubguard.document import Document
from pubguard.errors import EmptyFile, TooLarge, UnsupportedFormat
from pubguard.extract.local import LocalFiles
from pubguard.extract.sniff import check_zip_limits, sniff_format

# format -> (module, function). Each function: (data: bytes, name: str, config: ScanConfig) -> Document
EXTRACTORS: dict[str, tuple[str, str]] = {
    "pdf": ("pubguard.extract.pdf", "extract_pdf"),
    "docx": ("pubguard.extract.docx", "extract_docx"),
    "xlsx": ("pubguard.extract.sheet", "extract_xlsx"),
    "csv": ("pubguard.extract.sheet", "extract_csv"),
    "html": ("pubguard.extract.html", "extract_html"),
    "txt": ("pubguard.extract.text", "extract_text"),
    "png": ("pubguard.extract.image", "extract_image"),
    "jpeg": ("pubguard.extract.image", "extract_image"),
    "tiff": ("pubguard.extract.image", "extract_image"),
    "gif": ("pubguard.extract.image", "extract_image"),
    "bmp": ("pubguard.extract.image", "extract_image"),
    "webp": ("pubguard.extract.image", "extract_image"),
    "pptx": ("pubguard.extract.pptx", "extract_pptx"),
    "ofd": ("pubguard.extract.ofd", "extract_ofd"),
    # Archives: scanned member by member in pubguard.scan; extract() gives the member list.
    **{
        fmt: ("pubguard.extract.archive", "extract_listing")
        for fmt in ("zip", "rar", "7z", "tar", "gzip", "bzip2", "xz")
    },
    # Converted by LibreOffice into DOCX / PPTX / XLSX and read by those readers.
    "doc": ("pubguard.extract.legacy", "extract_word_legacy"),
    "wps": ("pubguard.extract.legacy", "extract_word_legacy"),
    "rtf": ("pubguard.extract.legacy", "extract_word_legacy"),
    "odt": ("pubguard.extract.legacy", "extract_word_legacy"),
    "ppt": ("pubguard.extract.legacy", "extract_ppt"),
    "dps": ("pubguard.extract.legacy", "extract_ppt"),
    "odp": ("pubguard.extract.legacy", "extract_ppt"),
    "ods": ("pubguard.extract.legacy", "extract_sheet_legacy"),
    "xls": ("pubguard.extract.xls", "extract_xls"),
    "et": ("pubguard.extract.xls", "extract_xls"),
}

# Zip-based formats whose declared expansion is checked before reading.
ZIP_FORMATS = frozenset({"docx", "xlsx", "pptx", "ofd", "odt", "ods", "odp"})


def extract(
    data: bytes, name: str = "", config: ScanConfig | None = None, local: LocalFiles | None = None
) -> Document:
    """Detect the format from the bytes and extract a finalized `Document`. `local`: where a
    page scanned in a folder lives, so its linked local stylesheets can be read (HTML only)."""
    config = config or ScanConfig()
    if len(data) > config.limits.max_file_bytes:
        raise TooLarge(
            f"文件过大（{len(data) // (1024 * 1024)} MB），超过上限 {config.limits.max_file_bytes // (1024 * 1024)} MB。"
        )
    if not data:
        raise EmptyFile("文件为空，没有可检查的内容。")
    fmt = sniff_format(data, name)
    if fmt in ZIP_FORMATS:
        check_zip_limits(data, config.limits)
    module_name, func_name = EXTRACTORS.get(fmt, (None, None))
    if module_name is None or func_name is None:
        raise UnsupportedFormat(f"暂不支持 {fmt} 格式。")
    func = getattr(importlib.import_module(module_name), func_name)
    doc: Document = (
        func(data, name, config, local=local) if fmt == "html" and local else func(data, name, config)
    )
    doc.format = doc.format or fmt
    if not doc.text:
        doc.finalize()
    return doc


__all__ = ["extract", "sniff_format", "EXTRACTORS"]
