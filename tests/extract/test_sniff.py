"""Format sniffing: magic bytes beat the extension; clear errors for what we cannot read."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pymupdf
import pytest
from lo_files import lo_convert, needs_libreoffice
from PIL import Image

from pubguard.config import Limits, ScanConfig
from pubguard.errors import CorruptFile, DecompressionBomb, EmptyFile, EncryptedFile, UnsupportedFormat
from pubguard.extract import extract
from pubguard.extract.sniff import OLE2_MAGIC, check_zip_limits, ole_kind, sniff_format


def _pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "关于印发工作方案的通知", fontname="china-s")
    return doc.tobytes()


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于开展安全生产大检查的通知")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "金额"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _ole2(*stream_names: str) -> bytes:
    """An OLE2 compound file as far as the sniffer looks: magic + directory entry names."""
    body = b"".join(name.encode("utf-16-le") + b"\x00" * 16 for name in stream_names)
    return OLE2_MAGIC + b"\x00" * 504 + body + b"\x00" * 512


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buf, fmt)
    return buf.getvalue()


def test_pdf_named_docx_is_pdf() -> None:
    assert sniff_format(_pdf(), "通知.docx") == "pdf"


def test_docx_named_pdf_is_docx() -> None:
    assert sniff_format(_docx(), "通知.pdf") == "docx"


def test_xlsx_named_csv_is_xlsx() -> None:
    assert sniff_format(_xlsx(), "名单.csv") == "xlsx"


def test_pdf_with_junk_before_the_header() -> None:
    assert sniff_format(b"\r\n<junk from a mail gateway>\r\n" + _pdf(), "a.bin") == "pdf"


def test_zip_storing_a_pdf_is_not_a_pdf() -> None:
    # a stored (uncompressed) zip has "%PDF-1.x" within its first 1024 bytes
    data = _zip({"附件1.pdf": _pdf()}, zipfile.ZIP_STORED)
    assert b"%PDF-" in data[:1024]
    assert sniff_format(data, "附件.pdf") == "zip"


def test_ole2_kinds_by_stream_names() -> None:
    assert ole_kind({"WordDocument", "1Table", "\x05SummaryInformation"}) == "doc"
    assert ole_kind({"Workbook"}) == "xls"
    assert ole_kind({"Book"}) == "xls"  # BIFF5
    assert ole_kind({"PowerPoint Document", "Current User"}) == "ppt"
    kingsoft = b"\x00" * 64 + "KSOProductBuildVer".encode("utf-16-le")
    assert ole_kind({"WordDocument", "1Table"}, kingsoft) == "wps"
    assert ole_kind({"Workbook"}, kingsoft) == "et"
    assert ole_kind({"CONTENTS", "SPELLING"}) == "wps"  # Microsoft Works
    with pytest.raises(UnsupportedFormat) as exc:
        ole_kind({"VisioDocument"})
    assert "Office" in exc.value.message


def test_ole2_without_readable_directory_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        sniff_format(_ole2("Root Entry", "WordDocument", "1Table"), "通知.docx")


@needs_libreoffice
def test_real_ole2_files_by_directory() -> None:
    # files written by LibreOffice: their directories are read with olefile, names misleading
    assert sniff_format(lo_convert(_docx(), ".docx", "doc"), "通知.xls") == "doc"
    assert sniff_format(lo_convert(_xlsx(), ".xlsx", "xls"), "名单.doc") == "xls"


def test_encrypted_ooxml_is_encrypted() -> None:
    data = _ole2("Root Entry", "EncryptionInfo", "EncryptedPackage")
    with pytest.raises(EncryptedFile) as exc:
        sniff_format(data, "名单.xlsx")
    assert "密码" in exc.value.message


def test_containers_by_content() -> None:
    assert (
        sniff_format(_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}), "a.zip")
        == "ofd"
    )
    assert sniff_format(_zip({"ppt/presentation.xml": b"<p/>"}), "汇报.zip") == "pptx"
    assert sniff_format(_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "a.zip") == "odt"
    assert sniff_format(_zip({"readme.txt": b"hello"}), "a.docx") == "zip"
    assert sniff_format(b"{\\rtf1\\ansi\\ansicpg936 \\par}", "a.txt") == "rtf"
    assert sniff_format(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32, "a.zip") == "rar"
    assert sniff_format(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 32, "a.zip") == "7z"
    assert sniff_format(b"\x1f\x8b\x08\x00" + b"\x00" * 32, "a.tar.gz") == "gzip"
    tar = b"a.txt".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 300
    assert sniff_format(tar, "a.tgz") == "tar"


def test_other_containers_are_unsupported() -> None:
    with pytest.raises(UnsupportedFormat):
        sniff_format(_zip({"xl/workbook.bin": b"\x00"}), "名单.xlsb")
    with pytest.raises(UnsupportedFormat):
        sniff_format(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "a.exe")


def test_broken_zip_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        sniff_format(b"PK\x03\x04" + b"\x14\x00garbage" * 20, "a.docx")


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  "])
def test_empty_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFile):
        sniff_format(data, "空.txt")
    with pytest.raises(EmptyFile):
        extract(data, "空.txt")


def test_zip_bomb_with_small_limits() -> None:
    data = _zip({"word/document.xml": b"<w:document/>", "xl/big.xml": b"0" * 3_000_000})
    assert len(data) < 50_000
    with pytest.raises(DecompressionBomb) as exc:
        check_zip_limits(data, Limits(max_zip_uncompressed=1_000_000))
    assert "压缩炸弹" in exc.value.message
    check_zip_limits(data, Limits())  # 3 MB is fine under the defaults


def test_zip_bomb_by_ratio_through_extract() -> None:
    data = _zip({"word/document.xml": b"<w:document/>", "word/media/a.xml": b"\x00" * 12_000_000})
    config = ScanConfig(limits=Limits(max_zip_ratio=100.0))
    with pytest.raises(DecompressionBomb):
        extract(data, "通知.docx", config)


@pytest.mark.parametrize(
    ("fmt", "expected"), [("PNG", "png"), ("JPEG", "jpeg"), ("BMP", "bmp"), ("GIF", "gif")]
)
def test_images_by_magic(fmt: str, expected: str) -> None:
    assert sniff_format(_image(fmt), "scan.pdf") == expected


def test_text_starting_with_bm_is_text() -> None:
    assert sniff_format("BMI（体质指数）统计表说明：本表数据来源于体检。".encode(), "说明.txt") == "txt"


def test_html_detection() -> None:
    page = "<!DOCTYPE html><html><body><p>通知</p></body></html>"
    assert sniff_format(page.encode(), "a.txt") == "html"
    assert sniff_format(b"\xef\xbb\xbf" + page.encode(), "a") == "html"
    assert sniff_format(("\ufeff" + page).encode("utf-16-le"), "a") == "html"  # Notepad "Unicode"
    fragment = "<p>关于开展安全生产检查的通知</p>".encode()
    assert sniff_format(fragment, "content.html") == "html"
    assert sniff_format(fragment, "content.txt") == "txt"


def test_text_and_csv() -> None:
    text = "关于开展安全生产检查的通知\n各乡镇人民政府：".encode("gb18030")
    assert sniff_format(text, "通知.txt") == "txt"
    assert sniff_format("姓名,金额\n张三,100\n".encode(), "名单.CSV") == "csv"
    assert sniff_format("姓名\t金额\n".encode(), "名单.tsv") == "csv"
    assert sniff_format(("\ufeff" + "通知").encode("utf-16-le"), "通知.txt") == "txt"


def test_binary_without_magic_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormat):
        sniff_format(b"\x00\x01\x02\x03" * 100, "data.txt")
