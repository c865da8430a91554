"""Clean copies of formats PubGuard cannot write back: .doc/.wps/.rtf -> DOCX, .xls -> XLSX (via
LibreOffice), OFD -> PDF (drawn from the OFD layout)."""

from __future__ import annotations

from pathlib import Path

from lo_files import needs_libreoffice

from pubguard.clean.core import clean_bytes
from pubguard.config import ScanConfig
from pubguard.extract.sniff import sniff_format
from pubguard.scan import scan_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CONFIG = ScanConfig(ocr=False)


def _rules(data: bytes, name: str) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in scan_bytes(data, name, CONFIG).findings}


@needs_libreoffice
def test_doc_clean_copy_is_docx_without_header_and_seal() -> None:
    data = (SAMPLES / "draft_tracked.doc").read_bytes()
    result = clean_bytes(data, "draft_tracked.doc", CONFIG)
    assert sniff_format(result.data, "out.docx") == "docx"
    assert "LibreOffice" in result.report.notes[0]
    left = _rules(result.data, "out.docx")
    assert not {"red_header/red_header", "seal/official_seal", "hidden_content/comment"} & left


def test_ofd_clean_copy_is_pdf_without_electronic_seal() -> None:
    data = (SAMPLES / "ofd_red_header_seal.ofd").read_bytes()
    before = _rules(data, "a.ofd")
    assert "seal/electronic_seal" in before
    result = clean_bytes(data, "ofd_red_header_seal.ofd", CONFIG)
    assert sniff_format(result.data, "out.pdf") == "pdf"
    assert any("OFD" in n and "电子签章" in n for n in result.report.notes)
    left = _rules(result.data, "out.pdf")
    assert not {"seal/electronic_seal", "seal/official_seal", "red_header/red_header"} & left
