"""Word 97-2003 / WPS / RTF / ODT read through LibreOffice into the DOCX layout model.

The inputs are the DOCX samples saved by the real LibreOffice as .doc / .rtf / .odt: what the
detectors find in the original must still be found after the round trip."""

from __future__ import annotations

import struct

import olefile
import pytest
from lo_files import lo_convert, needs_libreoffice, sample_as

from pubguard.extract import convert, extract
from pubguard.extract.legacy import word_binary_text
from pubguard.scan import scan_bytes

pytestmark = needs_libreoffice


def _rules(result) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in result.findings}


@pytest.mark.parametrize("target", ["doc", "rtf", "odt"])
def test_red_header_and_seal_survive_conversion(target: str) -> None:
    data = sample_as("draft_tracked.docx", target)
    result = scan_bytes(data, f"通知.{target}")
    assert result.status == "ok", result.error
    assert result.format == target
    rules = _rules(result)
    assert {"red_header/red_header", "seal/official_seal"} <= rules
    if target != "rtf":  # RTF keeps comments and revisions too, but not all of the metadata
        assert {"hidden_content/comment", "hidden_content/tracked_change"} <= rules


def test_doc_document_records_the_conversion() -> None:
    doc = extract(sample_as("draft_tracked.docx", "doc"), "通知.doc")
    assert doc.format == "docx" and doc.source_format == "doc"
    assert doc.converted_by and doc.converted_by.startswith("LibreOffice")
    assert "南财发〔2024〕21号" in doc.text
    red = [b for b in doc.blocks if b.is_red and "南宁市财政局" in b.text]
    assert red and (red[0].font_size or 0) >= 20


def test_clean_doc_stays_clean() -> None:
    result = scan_bytes(sample_as("clean_policy.docx", "doc"), "政策.doc")
    assert result.status == "ok"
    assert not [f for f in result.findings if f.severity.rank >= 3]


def test_kingsoft_wps_is_read_as_word() -> None:
    # WPS Office writes Word's binary format and stamps it with a KSOProductBuildVer property;
    # appended to a real .doc, the property's name is what the sniffer looks for.
    data = sample_as("draft_tracked.docx", "doc") + "KSOProductBuildVer".encode("utf-16-le")
    result = scan_bytes(data, "通知.wps")
    assert result.status == "ok", result.error
    assert result.format == "wps"
    assert "red_header/red_header" in _rules(result)


def _patched(data: bytes, tmp_path, change) -> bytes:
    """`data` with its WordDocument stream replaced by change(stream) (same size)."""
    path = tmp_path / "f.doc"
    path.write_bytes(data)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        ole.write_stream("WordDocument", change(ole.openstream("WordDocument").read()))
    return path.read_bytes()


def test_truncated_doc_is_a_clear_error() -> None:
    data = sample_as("draft_tracked.docx", "doc")
    result = scan_bytes(data[: len(data) // 3], "坏文件.doc")
    assert result.status == "error"
    assert result.error_code in {"corrupt", "conversion_failed"}
    assert "损坏" in (result.error or "")


def test_encrypted_doc_flag_is_reported(tmp_path) -> None:
    def encrypt(stream: bytes) -> bytes:
        out = bytearray(stream)
        struct.pack_into("<H", out, 10, struct.unpack_from("<H", out, 10)[0] | 0x0100)  # fEncrypted
        return bytes(out)

    result = scan_bytes(_patched(sample_as("clean_policy.docx", "doc"), tmp_path, encrypt), "加密.doc")
    assert result.status == "error" and result.error_code == "encrypted"


def test_without_libreoffice_doc_gives_text_and_says_layout_was_not_checked(monkeypatch) -> None:
    data = sample_as("draft_tracked.docx", "doc")
    rtf = sample_as("draft_tracked.docx", "rtf")
    monkeypatch.setenv("PUBGUARD_SOFFICE", "")
    convert.shutdown()
    try:
        result = scan_bytes(data, "通知.doc")
        assert result.status == "ok" and result.format == "doc"
        assert any("红头" in w and "LibreOffice" in w and "apt-get" in w for w in result.warnings)
        doc = extract(data, "通知.doc")
        assert "关于下达2024年度就业补助资金的通知" in doc.text
        missing = scan_bytes(rtf, "通知.rtf")
        assert missing.status == "error" and missing.error_code == "converter_missing"
        assert "LibreOffice" in (missing.error or "") and "ensure-libreoffice" in (missing.error or "")
    finally:
        monkeypatch.delenv("PUBGUARD_SOFFICE")
        convert.shutdown()


def test_word_binary_text_reads_the_piece_table() -> None:
    text = word_binary_text(lo_convert(b"{\\rtf1\\ansi \\uc1 \\u20844?\\u24320? abc\\par}", ".rtf", "doc"))
    assert "公开 abc" in text
