"""The page-layout cache and the text views (text view, diff, DOCX draft view) never hold a
personal value in full: the cached text is masked in place, offsets kept; the cached page
images have personal values painted over; the cache goes with the draft (archive) and after
its retention."""

from __future__ import annotations

import io
import os
import re
import time

import pymupdf
import pytest
from PIL import Image

from api.conftest import auth, run_jobs, upload
from pubguard.api.documents import MASK_RGB, DocumentViews, highlighted_text, text_diff
from pubguard.config import ScanConfig

MOBILE = "13912345678"


def test_cached_text_is_masked_and_keeps_offsets(tmp_path, id_number):
    text = f"关于开展春季农业生产检查的通知\n联系人：王先生，手机 {MOBILE}，身份证号 {id_number}。\n请各单位按时报送。\n"
    data = text.encode("utf-8")
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    lay = views.layout("a" * 64, "notice.txt", lambda: data)
    assert MOBILE not in lay["text"] and id_number not in lay["text"]
    assert "5678" in lay["text"] and id_number[-4:] in lay["text"]
    assert "请各单位按时报送" in lay["text"]  # ordinary text untouched
    on_disk = "".join(p.read_text("utf-8") for p in (tmp_path / "cache").rglob("*.json"))
    assert MOBILE not in on_disk and id_number not in on_disk
    start = text.index(MOBILE)
    assert lay["text"][start + len(MOBILE) - 4 : start + len(MOBILE)] == "5678"  # offsets still valid
    # the views built from it
    html = highlighted_text(lay["text"], [])
    assert MOBILE not in html
    d = text_diff(lay["text"], lay["text"] + "补充。\n", "第1版", "第2版")
    assert MOBILE not in d["unified"] and all(MOBILE not in r.get("text", "") for r in d["rows"])


def test_an_old_unmasked_cache_file_is_dropped(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    old = tmp_path / "cache" / "bb" / ("b" * 64) / "layout-110.json"
    old.parent.mkdir(parents=True)
    old.write_text('{"text": "手机 13912345678"}', "utf-8")
    lay = views.layout("b" * 64, "n.txt", lambda: f"手机 {MOBILE}\n".encode())
    assert not old.exists() and MOBILE not in lay["text"]


# ---------------------------------------------------------------- page images and cache lifetime


def _pdf(lines: list[str]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, line in enumerate(lines):
        page.insert_text((80, 120 + 30 * i), line, fontname="china-s", fontsize=14)
    return doc.tobytes()


def _mask_share(png: bytes, page: dict, bbox: list[float]) -> float:
    """Share of the pixels inside `bbox` (page units) that are the mask colour."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    sx, sy = img.width / page["width"], img.height / page["height"]
    x0, y0, x1, y1 = (
        int(bbox[0] * sx) + 1,
        int(bbox[1] * sy) + 1,
        int(bbox[2] * sx) - 1,
        int(bbox[3] * sy) - 1,
    )
    pixels = [img.getpixel((x, y)) for x in range(x0, x1) for y in range(y0, y1)]
    return sum(1 for p in pixels if p == MASK_RGB) / max(1, len(pixels))


def test_cached_page_images_have_personal_values_painted_over(tmp_path, id_number):
    data = _pdf(
        ["关于临时救助对象的公示", f"联系人手机 {MOBILE}", f"身份证号 {id_number}", "请各单位按时报送。"]
    )
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    lay = views.layout("c" * 64, "notice.pdf", lambda: data)
    page = lay["pages"][0]
    boxes = lay["masked"]["1"]
    assert len(boxes) >= 2  # the mobile and the ID number
    png = views.page_png("c" * 64, "notice.pdf", lambda: data, 1)
    assert png is not None
    assert all(_mask_share(png, page, b) > 0.97 for b in boxes)
    # the rest of the page is untouched (title line), and an unmasked render shows the number
    assert _mask_share(png, page, [80, 105, 240, 122]) < 0.05
    raw = pymupdf.open(stream=data).load_page(0).get_pixmap(dpi=110).tobytes("png")
    assert all(_mask_share(raw, page, b) < 0.05 for b in boxes)
    # the cached file itself: no full number in any cached image's text layer (PNG has none) or JSON
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert MOBILE.encode() not in cached and id_number.encode() not in cached


def test_boxes_located_by_the_stored_scan_are_painted_and_rebuild_the_cache(tmp_path):
    data = _pdf(["关于临时救助对象的公示", "请各单位按时报送。"])
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    first = views.layout("d" * 64, "n.pdf", lambda: data)
    assert first["masked"] == {}
    box = (80.0, 105.0, 240.0, 122.0)  # as if OCR had located a value on the title line
    lay = views.layout("d" * 64, "n.pdf", lambda: data, {1: [box]})
    assert lay["masked"] == {"1": [list(box)]}
    png = views.page_png("d" * 64, "n.pdf", lambda: data, 1, {1: [box]})
    assert _mask_share(png, lay["pages"][0], list(box)) > 0.97


def test_sweep_removes_entries_no_live_version_needs_and_old_ones(tmp_path):
    data = f"手机 {MOBILE}\n".encode()
    live = {"e" * 64, "f" * 64}
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False), max_age_days=30, live=lambda: set(live))
    for sha in ("e" * 64, "f" * 64, "0" * 64):
        views.layout(sha, "n.txt", lambda: data)
    old = tmp_path / "cache" / "ff" / ("f" * 64)
    long_ago = time.time() - 31 * 86400
    for p in old.iterdir():
        os.utime(p, (long_ago, long_ago))
    assert sorted(views.sweep()) == ["0" * 64, "f" * 64]
    assert (tmp_path / "cache" / "ee" / ("e" * 64)).is_dir()
    assert not old.exists() and not (tmp_path / "cache" / "00").joinpath("0" * 64).exists()
    assert views.sweep() == []


def test_archiving_a_draft_drops_its_cached_pages(app, client, id_number):
    ed = auth(app, "ed")
    body = upload(client, ed, filename="n.pdf", data=_pdf(["公示", f"身份证号 {id_number}"]))
    run_jobs(app)
    vid, did = body["version"]["id"], body["draft"]["id"]
    assert client.get(f"/api/v1/versions/{vid}/pages/1.png", headers=ed).status_code == 200
    sha = client.get(f"/api/v1/versions/{vid}", headers=ed).json()["sha256"]
    entry = app.state.views._dir(sha)
    assert entry.is_dir()
    r = client.post(f"/api/v1/drafts/{did}/archive", json={"comment": "不再发布"}, headers=auth(app, "pub"))
    assert r.status_code == 200, r.text
    assert not entry.exists()


def notice_png(with_header: bool) -> bytes:
    """A scanned notice: a red 版头 (organ name and rule) over black body lines, or the same
    page with the 版头 cut away."""
    import io

    import pymupdf
    from PIL import Image, ImageDraw, ImageFont

    font = io.BytesIO(pymupdf.Font("china-s").buffer)
    big, body = ImageFont.truetype(font, 54), ImageFont.truetype(io.BytesIO(font.getvalue()), 28)
    img = Image.new("RGB", (900, 640), "white")
    draw = ImageDraw.Draw(img)
    if with_header:
        draw.text((190, 40), "南宁市人民政府文件", font=big, fill=(200, 20, 30))
        draw.rectangle((60, 130, 840, 134), fill=(200, 20, 30))
    for i, line in enumerate(["关于开展春季植树活动的通知", "各县区人民政府：", "请认真组织实施。"]):
        draw.text((80, 220 + 70 * i), line, font=body, fill=(20, 20, 20))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_diff_text_of_a_text_file_is_its_layout_text(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig())
    got = views.diff_text("c" * 64, "n.txt", lambda: "第一行\n第二行\n".encode())
    assert got == {"text": "第一行\n第二行", "source": "text"}


def test_diff_text_of_a_picture_without_ocr_says_so(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    got = views.diff_text("d" * 64, "scan.png", lambda: notice_png(True))
    assert got["source"] == "ocr_missing"


@pytest.mark.ocr
def test_diff_text_of_a_picture_is_its_ocr_text_cached(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig())
    calls = []

    def load() -> bytes:
        calls.append(1)
        return notice_png(True)

    got = views.diff_text("e" * 64, "scan.png", load)
    assert got["source"] == "ocr" and "南宁市人民政府文件" in got["text"] and "植树活动" in got["text"]
    n = len(calls)
    assert views.diff_text("e" * 64, "scan.png", load) == got and len(calls) == n  # cached
    without = views.diff_text("f" * 64, "scan2.png", lambda: notice_png(False))
    d = text_diff(got["text"], without["text"], "第1版", "第2版")
    assert d["removed"] >= 1 and any(
        "南宁市人民政府文件" in r["text"] for r in d["rows"] if r["kind"] == "del"
    )
    assert not any(r["kind"] == "add" for r in d["rows"])


def docx_with_table_and_author() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.author = "王建国"
    d.core_properties.last_modified_by = "南宁市民政局"
    d.add_paragraph("关于2024年度临时救助对象的公示")
    table = d.add_table(rows=3, cols=3)
    for i, row in enumerate(
        [["姓名", "救助金额（元）", "乡镇"], ["张伟民", "1200", "石埠街道"], ["李秀兰", "900", "心圩街道"]]
    ):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    d.add_paragraph("公示期：2024年4月1日至4月7日。")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_text_view_lays_out_tables_and_properties_apart(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    lay = views.layout("9" * 64, "gs.docx", docx_with_table_and_author)
    assert "王建国" not in lay["text"] and "王**" in lay["text"]  # a person in the properties: masked
    assert "南宁市民政局" in lay["text"]  # an organ is not a person
    start = lay["text"].index("石埠街道")
    finding = {"id": 7, "severity": "low", "category": "proofreading", "message": "m", "status": "open",
               "location": {"start": start, "end": start + 4}}  # fmt: skip
    out = highlighted_text(lay["text"], [finding], lay["blocks"])
    props, body = out.split("</aside>", 1)
    assert 'class="tv-props"' in props and "<dt>作者</dt><dd>王**</dd>" in props
    assert "<dt>最后修改者</dt><dd>南宁市民政局</dd>" in props
    assert "王**" not in body and "南宁市民政局" not in body  # properties no longer in the running text
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    assert len(rows) == 3 and [re.findall(r"<td>(.*?)</td>", r) for r in rows][0] == [
        "姓名",
        "救助金额（元）",
        "乡镇",
    ]
    assert re.findall(r"<td>(.*?)</td>", rows[1])[2].startswith('<mark class="hl sev-low" id="hl-7"')
    assert body.index("关于2024年度临时救助对象的公示") < body.index("<table") < body.index("公示期")
    # without blocks (an old cache entry): the plain highlighted text as before
    assert "<table" not in highlighted_text(lay["text"], [finding])
    # a finding over the whole table (a roster) outlines the table; the values inside keep their marks
    first, last = lay["text"].index("姓名"), lay["text"].index("心圩街道") + 4
    roster = dict(
        finding, id=8, severity="high", category="personal_data", location={"start": first, "end": last}
    )
    out = highlighted_text(lay["text"], [roster, finding], lay["blocks"])
    assert re.search(r'<div class="tv-table-wrap hl-table sev-high" data-finding="8" id="hl-8"', out)
    assert 'id="hl-7"' in out and out.count('data-finding="8"') == 1


def test_a_roster_keeps_its_headings_and_masks_each_value(tmp_path):
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "samples" / "subsidy_roster.xlsx").read_bytes()
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    lay = views.layout("8" * 64, "roster.xlsx", lambda: data)
    lines = lay["text"].splitlines()
    assert lines[:8] == [
        "覃**",
        "发放名单",
        "序号",
        "姓名",
        "身份证号",
        "联系电话",
        "银行卡号",
        "补贴金额（元）",
    ]
    assert lines[8:14] == ["*", "**民", "*" * 14 + "2130", "*******0456", "*" * 15 + "4522", "****"]
    assert not re.search(r"\d{5}", lay["text"])
