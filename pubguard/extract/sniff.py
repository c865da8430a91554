"""Format detection by content (magic bytes), never by extension, plus the zip-bomb guard.

A `.pdf` that is really a Word file is read as Word; a `.docx` that is a renamed `.doc` is read
as the Word 97-2003 file it is (OLE2 files are told apart by their stream names).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from pubguard.config import Limits
from pubguard.errors import CorruptFile, DecompressionBomb, EmptyFile, EncryptedFile, UnsupportedFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIB_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}
_PDF_LATE_RE = re.compile(rb"%PDF-[12]\.\d")


def sniff_format(data: bytes, name: str = "") -> str:
    """Return one of pdf, docx, xlsx, pptx, ofd, odt, ods, odp, doc, wps, xls, et, ppt, dps, rtf,
    zip, rar, 7z, tar, gzip, bzip2, xz, png, jpeg, tiff, gif, bmp, webp, html, txt, csv.
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
        return "rtf"
    archive = _sniff_archive(data)
    if archive:
        return archive
    # Acrobat accepts a PDF header anywhere in the first 1024 bytes (mail gateways prepend
    # junk); checked only after the container formats, so a zip that stores a PDF as its first
    # member is not read as a PDF.
    if _PDF_LATE_RE.search(data[:1024]):
        return "pdf"
    return _sniff_text(data, name)


# OLE2 compound files (Word 97-2003, Excel 97-2003, PowerPoint 97-2003 and Kingsoft WPS Office,
# which writes the same binary formats) are told apart by the names of their streams.
_OLE_KINDS = (
    ("WordDocument", "doc"),
    ("Workbook", "xls"),  # BIFF8 (Excel 97-2003)
    ("Book", "xls"),  # BIFF5 (Excel 5.0/95)
    ("PowerPoint Document", "ppt"),
)
# Kingsoft WPS Office stamps its files with this custom property (DocumentSummaryInformation).
_KINGSOFT_MARK = "KSOProductBuildVer"
_KINGSOFT_NAMES = {"doc": "wps", "xls": "et", "ppt": "dps"}


def ole_stream_names(data: bytes) -> set[str] | None:
    """Top-level and nested stream/storage names of an OLE2 file (olefile), or None when the
    directory cannot be read (truncated file)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises OSError / struct errors / IndexError on broken files
        return None


def _sniff_ole2(data: bytes) -> str:
    """doc / xls / ppt, or wps / et / dps for Kingsoft WPS Office files, from the stream names."""
    # Encrypted OOXML (password-protected .docx/.xlsx) is stored in an OLE2 container with an
    # "EncryptedPackage" stream.
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise EncryptedFile("文件已加密（设置了打开密码），无法检查。请取消密码后再上传。")
    names = ole_stream_names(data)
    if names is None:
        raise CorruptFile("文件已损坏：Office 旧版文件（OLE2）的目录结构无法读取，文件可能不完整。")
    return ole_kind(names, data)


def ole_kind(names: set[str], data: bytes = b"") -> str:
    """The format of an OLE2 file with these stream names ("a/b" for nested ones)."""
    top = {n.split("/")[0] for n in names}
    for stream, kind in _OLE_KINDS:
        if stream in top:
            if _KINGSOFT_MARK.encode("utf-16-le") in data or _KINGSOFT_MARK.encode() in data:
                return _KINGSOFT_NAMES[kind]
            return kind
    if "CONTENTS" in top and "SPELLING" in top:
        return "wps"  # Microsoft Works word processor (.wps)
    if any(n.startswith("__substg1.0_") for n in top):
        raise UnsupportedFormat("暂不支持 Outlook 邮件（.msg）格式，请将正文和附件另存后再上传。")
    raise UnsupportedFormat(
        "无法识别的 Office 旧版文件（既不是 Word、Excel，也不是 PowerPoint），请另存为新版格式后再上传。"
    )


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        if isinstance(exc, (RuntimeError, NotImplementedError)):  # encrypted mimetype member
            return "zip"
        raise CorruptFile("文件已损坏：压缩包结构无法读取。") from exc
    except zlib.error as exc:
        raise CorruptFile("文件已损坏：压缩包结构无法读取。") from exc
    if "word/document.xml" in names:
        return "docx"  # also .docm / .dotx / .dotm
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise UnsupportedFormat("暂不支持 Excel 二进制工作簿（.xlsb），请另存为 XLSX 后再上传。")
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    if mimetype.startswith(b"application/vnd.oasis.opendocument."):
        kind = mimetype.split(b".")[-1].split(b"-")[0]
        odf = {b"text": "odt", b"spreadsheet": "ods", b"presentation": "odp"}.get(kind)
        if odf:
            return odf
        raise UnsupportedFormat("暂不支持该 ODF 文件类型，请另存为 DOCX/XLSX/PDF 后再上传。")
    return "zip"


def _sniff_archive(data: bytes) -> str | None:
    """Archive containers other than zip, by magic bytes."""
    if data.startswith((b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")):
        return "rar"
    if data.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"BZh") and data[3:4].isdigit() and data[4:10] == b"1AY&SY":
        return "bzip2"
    if data.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(data) >= 512 and data[257:262] == b"ustar":
        return "tar"
    return None


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
