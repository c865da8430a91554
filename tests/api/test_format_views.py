"""Review views of the new formats: OFD pages are drawn (page images with boxes), converted
Word files get the text view like DOCX, archives show their member list."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from lo_files import needs_libreoffice

from pubguard.api.documents import DocumentViews, boxes_for_page
from pubguard.config import ScanConfig
from pubguard.scan import scan_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _layout(tmp_path, name: str, data: bytes) -> dict:
    views = DocumentViews(tmp_path, ScanConfig(ocr=False), dpi=50)
    return views.layout(hashlib.sha256(data).hexdigest(), name, lambda: data)


def test_ofd_pages_are_images_with_the_seal_boxed(tmp_path) -> None:
    data = (SAMPLES / "ofd_red_header_seal.ofd").read_bytes()
    meta = _layout(tmp_path, "公文.ofd", data)
    assert meta["error"] is None and meta["format"] == "ofd"
    page = meta["pages"][0]
    assert page["image"] and page["image"]["width"] > 100
    findings = [
        dict(f.to_dict(), id=i, status="open") for i, f in enumerate(scan_bytes(data, "公文.ofd").findings)
    ]
    boxes = boxes_for_page(page, findings)
    seal = next(b for b in boxes if b["rule"] == "electronic_seal")
    assert 50 < seal["left"] < 70 and 60 < seal["top"] < 75  # the stamp at (118, 195) mm on A4


@needs_libreoffice
def test_doc_gets_the_docx_text_view(tmp_path) -> None:
    meta = _layout(tmp_path, "通知.doc", (SAMPLES / "draft_tracked.doc").read_bytes())
    assert meta["error"] is None and meta["format"] == "docx"
    assert "关于下达2024年度就业补助资金的通知" in meta["text"]


def test_archive_shows_its_members(tmp_path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("名单.csv", "姓名\n张三\n".encode())
    meta = _layout(tmp_path, "附件.zip", buf.getvalue())
    assert meta["error"] is None and "名单.csv" in meta["text"]


def test_member_findings_are_not_placed_on_the_archive_listing() -> None:
    from pubguard.api.documents import highlighted_text

    finding = {"id": 1, "status": "open", "severity": "high", "category": "personal_data", "message": "m"}
    finding["location"] = {"page": 1, "bbox": [0, 0, 10, 10], "start": 0, "end": 3, "member": "名单.csv"}
    page = {"number": 1, "width": 100, "height": 100}
    assert boxes_for_page(page, [finding]) == []
    assert "<mark" not in highlighted_text("附件.zip 共 1 个文件", [finding])
    finding["location"].pop("member")
    assert boxes_for_page(page, [finding]) and "<mark" in highlighted_text("附件.zip 共 1 个文件", [finding])


def test_pptx_slides_are_drawn_with_the_seal_boxed(tmp_path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extract"))
    from test_pptx import _deck

    data = _deck()
    meta = _layout(tmp_path, "汇报.pptx", data)
    page = meta["pages"][0]
    assert meta["format"] == "pptx" and page["image"] and page["image"]["width"] > page["image"]["height"]
    findings = [
        dict(f.to_dict(), id=i, status="open") for i, f in enumerate(scan_bytes(data, "汇报.pptx").findings)
    ]
    seal = next(b for b in boxes_for_page(page, findings) if b["rule"] == "official_seal")
    assert seal["left"] > 60 and seal["top"] > 55  # the picture at (480, 330) pt on a 720 x 540 slide
