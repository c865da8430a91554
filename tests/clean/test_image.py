"""Clean copies of scans: red seals and headers lose their red pixels (black text kept), hidden
digits are painted out; the same format comes back; scanned PDF pages are edited in place."""

from __future__ import annotations

import io

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from clean.conftest import PEOPLE, rules, sample
from pubguard.clean import clean_bytes
from pubguard.clean.pixels import red_mask
from pubguard.config import ScanConfig
from pubguard.scan import scan_bytes


def red_pixels(img: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    arr = np.asarray(img.convert("RGB"))
    if box:
        arr = arr[box[1] : box[3], box[0] : box[2]]
    return int(red_mask(arr).sum())


def test_scan_jpeg_seal_and_header_removed(config):
    data = sample("scan_red_header_seal.jpg")
    before = scan_bytes(data, "scan.jpg", config)
    assert {"seal/official_seal", "red_header/red_header"} <= rules(before.findings)
    result = clean_bytes(data, "scan.jpg", config)
    assert rules(result.report.findings_after).isdisjoint({"seal/official_seal", "red_header/red_header"})
    assert result.report.releasable
    src, out = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(result.data))
    assert out.format == "JPEG" and out.size == src.size
    assert red_pixels(src) > 5000 and red_pixels(out) < 50
    # Black text printed beside the seal and the 发文字号 under the header survive.
    seal = next(f for f in before.findings if f.rule == "official_seal").location.bbox
    x0, y0, x1, y1 = (int(v) for v in seal)
    dark = np.asarray(out.convert("L"))[y0:y1, x0:x1] < 100
    assert dark.sum() > 500


def test_png_round_trip_keeps_format():
    img = Image.open(io.BytesIO(sample("scan_red_header_seal.jpg")))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    result = clean_bytes(buf.getvalue(), "scan.png", ScanConfig(ocr=False))
    assert Image.open(io.BytesIO(result.data)).format == "PNG"
    assert "seal/official_seal" not in rules(result.report.findings_after)


def test_scanned_pdf_page_edited_in_place(config):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=sample("scan_red_header_seal.jpg"))
    data = doc.tobytes()
    result = clean_bytes(data, "scan.pdf", config)
    assert result.report.findings_after == [] and result.report.passes == 1
    out = pymupdf.open(stream=result.data, filetype="pdf")
    assert len(out[0].get_images()) == 1  # still one page image, now without red
    pix = out[0].get_pixmap(dpi=60)
    assert red_pixels(Image.frombytes("RGB", (pix.width, pix.height), pix.samples)) < 30
    assert len(result.data) < 2 * len(data)  # re-encoded as JPEG, not stored raw


@pytest.mark.ocr
def test_ocr_scan_personal_data_painted_out():
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), 28)
    img = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(img)
    draw.text((20, 30), "救助对象联系电话：" + PEOPLE[0][2], fill="black", font=font)
    draw.text((20, 90), "请于4月7日前领取补助资金。", fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    config = ScanConfig(ocr=True)
    assert "personal_data/mobile" in rules(scan_bytes(buf.getvalue(), "s.png", config).findings)
    result = clean_bytes(buf.getvalue(), "s.png", config)
    assert "personal_data/mobile" not in rules(result.report.findings_after)
    assert any(a.rule == "mobile" and a.action == "masked" for a in result.report.actions)
    assert PEOPLE[0][2] not in (result.report.to_json())
