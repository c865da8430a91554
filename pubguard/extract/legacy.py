"""Word 97-2003 / WPS / RTF / ODF text documents and PowerPoint 97-2003 / ODF presentations.

They are converted by LibreOffice (`pubguard.extract.convert`) into DOCX / PPTX and read by the
native readers, so the detectors see the same layout model (colours, sizes, borders, images,
comments, revisions): `Document.format` is the model ("docx" / "pptx"), `source_format` the
file's own format ("doc", "wps", "rtf" ...), `converted_by` says it was converted.

Without LibreOffice, Word binary files (.doc and Kingsoft .wps) still give their text through
the piece table of the WordDocument stream (olefile), with a warning that layout checks (红头,
印章) were not possible and how to install LibreOffice; every other format fails with that
install hint (`ConverterMissing`).
"""

from __future__ import annotations

import io
import struct

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.errors import CorruptFile, EncryptedFile
from pubguard.extract import convert
from pubguard.extract.sniff import sniff_format

# Sniffed format -> the name LibreOffice's type detection expects for the bytes. Kingsoft WPS
# Office writes the Microsoft binary formats, so .wps / .et / .dps are handed over as such.
SUFFIX = {
    "doc": ".doc",
    "wps": ".doc",
    "rtf": ".rtf",
    "odt": ".odt",
    "ppt": ".ppt",
    "dps": ".ppt",
    "odp": ".odp",
    "xls": ".xls",
    "et": ".xls",
    "ods": ".ods",
}
WORKS_WPS = ".wps"  # Microsoft Works word processor, same extension as Kingsoft's

LABELS = {
    "doc": "Word 97-2003 文档（.doc）",
    "wps": "WPS 文字文档（.wps）",
    "rtf": "RTF 文档",
    "odt": "ODF 文本文档（.odt）",
    "ppt": "PowerPoint 97-2003 演示文稿（.ppt）",
    "dps": "WPS 演示文稿（.dps）",
    "odp": "ODF 演示文稿（.odp）",
    "xls": "Excel 97-2003 工作簿（.xls）",
    "et": "WPS 表格（.et）",
    "ods": "ODF 电子表格（.ods）",
}


def _suffix(fmt: str, data: bytes) -> str:
    if fmt == "wps" and b"WordDocument".decode().encode("utf-16-le") not in data:
        return WORKS_WPS
    return SUFFIX[fmt]


def converted(data: bytes, fmt: str, target: str, config: ScanConfig, *, pdf: bool = False) -> bytes:
    """`data` of sniffed format `fmt` converted by LibreOffice into `target` (docx/xlsx/pptx)."""
    return convert.convert(
        data, _suffix(fmt, data), target, timeout=config.limits.convert_timeout_seconds, pdf=pdf
    )


def _mark(doc: Document, fmt: str) -> Document:
    doc.source_format = fmt
    doc.converted_by = f"LibreOffice ({convert.engine().kind})"
    return doc


def _encrypted_word(data: bytes) -> bool:
    """FIB flag fEncrypted (bit 8 of the flags word at offset 10 of the WordDocument stream)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("WordDocument"):
                return False
            head = ole.openstream("WordDocument").read(12)
    except Exception:  # broken container: LibreOffice will say so
        return False
    # wIdent 0xA5EC marks a Word 97+ FIB; anything else is left to LibreOffice to judge.
    return (
        len(head) >= 12
        and struct.unpack_from("<H", head, 0)[0] == 0xA5EC
        and bool(struct.unpack_from("<H", head, 10)[0] & 0x0100)
    )


def extract_word_legacy(data: bytes, name: str, config: ScanConfig) -> Document:
    """.doc / .wps / .rtf / .odt -> DOCX (LibreOffice) -> the DOCX reader."""
    from pubguard.extract.docx import extract_docx

    fmt = sniff_format(data, name)
    if fmt in ("doc", "wps") and _encrypted_word(data):
        raise EncryptedFile("文件已加密（设置了打开密码），无法检查。请取消密码后再上传。")
    try:
        docx = converted(data, fmt, "docx", config)
    except convert.ConverterMissing:
        if fmt in ("doc", "wps"):
            return word_text_fallback(data, name, fmt)
        raise
    doc = extract_docx(docx, name, config)
    return _mark(doc, fmt)


def extract_ppt(data: bytes, name: str, config: ScanConfig) -> Document:
    """.ppt / .dps / .odp -> PPTX (LibreOffice) -> the PPTX reader."""
    from pubguard.extract.pptx import extract_pptx

    fmt = sniff_format(data, name)
    pptx = converted(data, fmt, "pptx", config)
    doc = extract_pptx(pptx, name, config)
    return _mark(doc, fmt)


def extract_sheet_legacy(data: bytes, name: str, config: ScanConfig, fmt: str | None = None) -> Document:
    """.ods (and .xls / .et that xlrd cannot read) -> XLSX (LibreOffice) -> the XLSX reader."""
    from pubguard.extract.sheet import extract_xlsx

    fmt = fmt or sniff_format(data, name)
    xlsx = converted(data, fmt, "xlsx", config)
    return _mark(extract_xlsx(xlsx, name, config), fmt)


# -- text-only fallback for Word binary files -------------------------------------------------


def word_binary_text(data: bytes) -> str:
    """The main text of a Word 97-2003 file from its piece table ([MS-DOC] 2.4.1)."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFile("Word 文件已损坏：OLE 结构无法读取。") from exc
    with ole:
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x01AA:
            raise CorruptFile("Word 文件已损坏：文件头不完整。")
        flags = struct.unpack_from("<H", word, 10)[0]
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise CorruptFile("Word 文件已损坏：缺少表流。")
        table = ole.openstream(table_name).read()
    ccp_text = struct.unpack_from("<i", word, 0x004C)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise CorruptFile("Word 文件已损坏：找不到文字分段表。")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts: list[str] = []
    for i in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = cps[i + 1] - cps[i]
        if fc & 0x40000000:
            start = (fc & ~0x40000000) // 2
            parts.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            parts.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    text = "".join(parts)[: max(ccp_text, 0)]
    # Field codes (\x13 code \x14 result \x15): keep the result; cell/row marks end paragraphs.
    out, depth_code = [], []
    for ch in text:
        if ch == "\x13":
            depth_code.append(True)
        elif ch == "\x14":
            if depth_code:
                depth_code[-1] = False
        elif ch == "\x15":
            if depth_code:
                depth_code.pop()
        elif not (depth_code and depth_code[-1]):
            out.append(ch)
    return "".join(out).replace("\x07", "\r").replace("\x0b", "\n").replace("\x0c", "\r")


def word_text_fallback(data: bytes, name: str, fmt: str) -> Document:
    text = word_binary_text(data)
    doc = Document(name=name, format="txt")
    doc.source_format = fmt
    doc.pages.append(Page(number=1, width=0, height=0, unit="px"))
    for para in text.split("\r"):
        para = "".join(ch for ch in para if ch >= " " or ch in "\t\n")
        if para.strip():
            doc.blocks.append(TextBlock(text=para, page=1, kind=BlockKind.BODY, paragraph=len(doc.blocks)))
    doc.warnings.append(
        f"{LABELS[fmt]}仅提取了文字：红头、印章、批注、修订等版式与隐藏内容检查未能进行。"
        + convert.INSTALL_HINT
    )
    return doc.finalize()
