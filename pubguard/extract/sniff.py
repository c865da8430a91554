"""Format detection by content (magic bytes), never by extension, plus the zip-bomb guard.

A `.pdf` that is really a Word file is read as Word; a `.docx` that is a renamed `.doc` gets a
clear "unsupported" error instead of a parser traceback.
"""

from __future__ import annotations

import io
import re
import zipfile

from pubguard.config import Limits
from pubguard.errors import CorruptFile, DecompressionBomb, EmptyFile, EncryptedFile, UnsupportedFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIB_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}
_PDF_LATE_RE = re.compile(rb"%PDF-[12]\.\d")


def sniff_format(data: bytes, name: str = "") -> str:
    """Return one of pdf, docx, xlsx, png, jpeg, tiff, gif, bmp, webp, html, txt, csv.
    Raises a `PubGuardError` for empty, encrypted or unsupported content."""
    if not data or not data.strip():
        raise EmptyFile("文件为空，没有可检查的内容。")
    head = data[:16]
    if data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    # "BM" alone also starts plain text ("BMI 指数..."): require a known DIB header size.
    if head[:2] == b"BM" and len(data) > 26 and int.from_bytes(data[14:18], "little") in _DIB_HEADER_SIZES:
        return "bmp"
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole2(data)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormat("暂不支持 RTF 格式，请另存为 DOCX 或 PDF 后再上传。")
    # Acrobat accepts a PDF header anywhere in the first 1024 bytes (mail gateways prepend
    # junk); checked only after the container formats, so a zip that stores a PDF as its first
    # member is not read as a PDF.
    if _PDF_LATE_RE.search(data[:1024]):
        return "pdf"
    return _sniff_text(data, name)


def _sniff_ole2(data: bytes) -> str:
    # Encrypted OOXML (password-protected .docx/.xlsx) is stored in an OLE2 container with an
    # "EncryptedPackage" stream (UTF-16 name).
    if (
        "EncryptedPackage".encode("utf-16-le") in data[:1_000_000]
        or "EncryptedPackage".encode("utf-16-le") in data
    ):
        raise EncryptedFile("文件已加密（设置了打开密码），无法检查。请取消密码后再上传。")
    if "WordDocument".encode("utf-16-le") in data:
        raise UnsupportedFormat("暂不支持旧版 Word（.doc）或 WPS 格式，请另存为 DOCX 后再上传。")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        raise UnsupportedFormat("暂不支持旧版 Excel（.xls）格式，请另存为 XLSX 后再上传。")
    raise UnsupportedFormat("暂不支持该 Office 旧版格式（.doc/.xls/.ppt/.wps），请另存为新版格式后再上传。")


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise CorruptFile("文件已损坏：压缩包结构无法读取。") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise UnsupportedFormat("暂不支持 Excel 二进制工作簿（.xlsb），请另存为 XLSX 后再上传。")
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        raise UnsupportedFormat("暂不支持 OFD 版式文件，请转换为 PDF 后再上传。")
    if "ppt/presentation.xml" in names:
        raise UnsupportedFormat("暂不支持 PPTX 演示文稿，请转换为 PDF 后再上传。")
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFormat("暂不支持 ODF（.odt/.ods）格式，请另存为 DOCX/XLSX 后再上传。")
    raise UnsupportedFormat("这是一个普通压缩包（zip），请解压后逐个上传其中的文件。")


def _sniff_text(data: bytes, name: str) -> str:
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 text (Notepad "Unicode"): look for markup in the decoded characters.
        enc = "utf-16-le" if sample.startswith(b"\xff\xfe") else "utf-16-be"
        sample = sample[2 : 2 + (len(sample) - 2) // 2 * 2].decode(enc, "replace").encode("utf-8", "replace")
    elif b"\x00" in sample:
        raise UnsupportedFormat("无法识别的文件格式（不是 PDF、DOCX、XLSX、图片、网页或文本）。")
    lower = sample.lower().lstrip()
    if lower.startswith(b"\xef\xbb\xbf"):
        lower = lower[3:].lstrip()
    if (
        lower.startswith((b"<!doctype html", b"<html"))
        or b"<html" in lower[:1024]
        or (b"<body" in lower and b"</" in lower)
    ):
        return "html"
    # CMS exports are often fragments ("<p>...</p>" without <html>/<body>): trust the extension
    # only when the content does look like markup.
    if name.lower().endswith((".html", ".htm", ".shtml", ".xhtml")) and re.search(rb"<[a-z!/][^>]*>", lower):
        return "html"
    if name.lower().endswith((".csv", ".tsv")):
        return "csv"
    return "txt"


def check_zip_limits(data: bytes, limits: Limits) -> None:
    """Refuse zip containers whose declared expansion is a decompression bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise CorruptFile("文件已损坏：压缩包结构无法读取。") from exc
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > limits.max_zip_uncompressed or (total > 10_000_000 and total / packed > limits.max_zip_ratio):
        raise DecompressionBomb(
            f"文件解压后体积异常（{total // (1024 * 1024)} MB，压缩比 {total / packed:.0f}:1），疑似压缩炸弹，已拒绝处理。"
        )
