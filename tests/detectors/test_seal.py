"""Seal / signature detector. Seals are drawn here with PIL (ring, star, rim text in the built-in
CJK font), rotated, noised and overprinted with black text; PDFs are built with PyMuPDF and
read through the real extractor; DOCX with python-docx."""

from __future__ import annotations

import io
import math

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.seal import SealDetector
from pubguard.document import Document, ImageItem, Page
from pubguard.extract import extract
from pubguard.finding import Severity

RED = (215, 30, 35)
RED_F = (0.85, 0.1, 0.1)
_FONT = pymupdf.Font("china-s").buffer
NO_OCR = ScanConfig(ocr=False)


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_FONT), size)


def star_points(cx: float, cy: float, r: float, rot: float = -90) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = math.radians(rot + i * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def draw_seal(img: Image.Image, cx: float, cy: float, d: float, text: str = "某某市人民政府办公室", *,
              color=RED, oval: float = 1.0, star: bool = True) -> None:  # fmt: skip
    """An official seal: thin ring, five-point star, organ name along the upper rim."""
    draw = ImageDraw.Draw(img)
    rx, ry = d / 2 * oval, d / 2
    ring_w = max(2, int(d * 0.035))
    draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], outline=color, width=ring_w)
    if star:
        draw.polygon(star_points(cx, cy, d * 0.17), fill=color)
    fs = int(d * 0.14)
    f = font(fs)
    for i, ch in enumerate(text):
        ang = -90 - 125 + 250 * (i + 0.5) / len(text)
        a = math.radians(ang)
        r = d / 2 - ring_w - fs * 0.65
        px, py = cx + r * math.cos(a) * oval, cy + r * math.sin(a)
        tile = Image.new("RGBA", (fs * 2, fs * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((fs, fs), ch, font=f, fill=(*color, 255), anchor="mm")
        tile = tile.rotate(-(ang + 90), resample=Image.BICUBIC)
        img.paste(tile, (int(px - fs), int(py - fs)), tile)


def seal_png(d: int = 240, *, oval: float = 1.0, rotate: float = 0, star: bool = True,
             text: str = "某某市财政局") -> Image.Image:  # fmt: skip
    img = Image.new("RGBA", (int(d * oval) + 30, d + 30), (0, 0, 0, 0))
    draw_seal(img, img.width / 2, img.height / 2, d, text, oval=oval, star=star)
    return img.rotate(rotate, resample=Image.BICUBIC, expand=True) if rotate else img


def personal_seal(side: int = 100, *, white: bool = False, text: str = "张三之印") -> Image.Image:
    img = Image.new("RGB", (side + 40, side + 40), "white")
    d = ImageDraw.Draw(img)
    box = [20, 20, 20 + side, 20 + side]
    if white:  # 白文印: red ground, white glyphs
        d.rectangle(box, fill=RED)
    else:  # 朱文印: red frame, red glyphs
        d.rectangle(box, outline=RED, width=max(3, side // 14))
    f = font(int(side * 0.38))
    for ci, col in enumerate((text[:2], text[2:])):
        for ri, ch in enumerate(col):
            xy = (20 + side * (0.72 if ci == 0 else 0.28), 20 + side * (0.28 + 0.44 * ri))
            d.text(xy, ch, font=f, fill="white" if white else RED, anchor="mm")
    return img


def noisy(img: Image.Image, sigma: float = 8, seed: int = 0) -> Image.Image:
    arr = np.asarray(img.convert("RGB")).astype(np.int16)
    arr = arr + np.random.default_rng(seed).normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def scanned_page(stamp: Image.Image | None, at: tuple[int, int] = (700, 1250), *, overprint: bool = True,
                 noise: float = 8) -> Image.Image:  # fmt: skip
    """An A4 page at 150 dpi: body text, signature block, a stamp pressed over it."""
    img = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(img)
    f = font(30)
    for i, t in enumerate(["根据有关规定，现将有关事项通知如下。", "一、各单位要高度重视，认真组织实施。",
                           "二、请于本月底前报送工作情况。"]):  # fmt: skip
        d.text((160, 300 + i * 60), t, font=f, fill="black")
    if stamp is not None:
        mask = stamp if stamp.mode == "RGBA" else None
        img.paste(stamp, at, mask)
    if overprint:  # printed signature block over the seal
        d.text((620, 1330), "某某市人民政府办公室", font=f, fill="black")
        d.text((680, 1380), "2023年5月6日", font=f, fill="black")
    return noisy(img, noise) if noise else img


def image_doc(img: Image.Image, fmt: str = "png") -> Document:
    """A Document as the image extractor makes it: one px page + its page_scan image."""
    w, h = img.size
    page = Page(1, w, h, unit="px", has_text_layer=False, renderer=lambda dpi: img.convert("RGB"))
    doc = Document(name=f"scan.{fmt}", format=fmt, pages=[page])
    doc.images.append(ImageItem(page=1, bbox=(0, 0, w, h), width=w, height=h, kind="page_scan",
                                loader=lambda: png(img)))  # fmt: skip
    return doc.finalize()


def run(doc: Document) -> list:
    return list(SealDetector().detect(doc, ScanContext(config=NO_OCR)))


# -- scans ----------------------------------------------------------------------------------------
def test_scanned_seal_rotated_noisy_under_black_text():
    stamp = seal_png(236, rotate=6, text="某某市人民政府办公室")
    found = run(image_doc(scanned_page(stamp)))
    assert [f.rule for f in found] == ["official_seal"]
    f = found[0]
    assert f.severity == Severity.BLOCKER and f.category == "seal"
    assert f.details.star and f.details.rim_text and f.details.source == "scan"
    x0, y0, x1, y1 = f.location.bbox
    assert 690 <= x0 <= 740 and 1240 <= y0 <= 1290 and 230 <= x1 - x0 <= 270
    assert 35 <= f.details.diameter_mm <= 50
    assert "公章" in f.message and "单位公章" in f.basis and "GB/T 9704" in f.basis


@pytest.mark.parametrize("variant", ["oval", "faded", "no_star"])
def test_scanned_seal_variants(variant):
    if variant == "oval":  # 财务专用章 style: oval, no star
        stamp = seal_png(190, oval=1.5, star=False, text="某某市财政局财务专用章")
    elif variant == "faded":
        stamp = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
        draw_seal(stamp, 140, 140, 236, color=(235, 120, 120))
    else:
        stamp = seal_png(236, star=False)
    found = run(image_doc(scanned_page(stamp, overprint=variant != "oval")))
    assert [f.rule for f in found] == ["official_seal"]


def test_scanned_personal_seal():
    found = run(image_doc(scanned_page(personal_seal(100), at=(900, 1400), overprint=False)))
    assert [f.rule for f in found] == ["personal_seal"]
    assert found[0].severity == Severity.HIGH
    assert 10 <= found[0].details.side_mm <= 25


@pytest.mark.parametrize(
    "name",
    ["pie", "pie_colours", "donut", "bar", "logo", "ring_only", "red_paragraph", "red_table", "flag",
     "red_header", "title_with_box_glyphs"],
)  # fmt: skip
def test_red_things_that_are_not_seals(name):
    img = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(img)
    if name in ("pie", "pie_colours"):
        colours = [RED, (240, 80, 80), (190, 0, 0)] if name == "pie" else [RED, (30, 60, 200), (40, 160, 60)]
        start = 0.0
        for i, frac in enumerate((0.5, 0.3, 0.2)):
            d.pieslice(
                [300, 600, 560, 860], start, start + frac * 360, fill=colours[i], outline="white", width=2
            )
            start += frac * 360
    elif name == "donut":
        d.ellipse([300, 600, 560, 860], outline=RED, width=40)
        d.text((430, 730), "75%", font=font(36), fill=RED, anchor="mm")
    elif name == "bar":
        d.line([200, 500, 200, 900, 900, 900], fill="black", width=2)
        for i, v in enumerate((120, 300, 90, 250, 160)):
            d.rectangle([240 + i * 120, 900 - v, 300 + i * 120, 899], fill=RED)
    elif name == "logo":  # small red emblem
        d.ellipse([100, 80, 150, 130], fill=RED)
        d.polygon(star_points(125, 105, 15), fill=(250, 220, 0))
    elif name == "ring_only":  # a reviewer's red circle around a word
        d.ellipse([400, 700, 640, 940], outline=RED, width=6)
        d.text((520, 820), "重点", font=font(40), fill="black", anchor="mm")
    elif name == "red_paragraph":
        for i, t in enumerate(["各区县人民政府，市政府各部门：", "现将《安全生产工作要点》印发给你们，",
                               "请结合实际认真贯彻执行。", "某某市人民政府办公室"]):  # fmt: skip
            d.text((160, 600 + i * 52), t, font=font(30), fill=RED)
    elif name == "red_table":
        d.rectangle([160, 600, 1080, 650], fill=RED)
        for i, t in enumerate(["序号", "项目名称", "责任单位", "完成时限"]):
            d.text((180 + i * 220, 625), t, font=font(24), fill="white", anchor="lm")
        for r in range(5):
            d.line([160, 650 + r * 45, 1080, 650 + r * 45], fill="black")
    elif name == "flag":
        d.rectangle([300, 600, 420, 680], fill=RED)
        d.polygon(star_points(330, 630, 14), fill=(250, 220, 0))
    elif name == "red_header":
        d.text((620, 250), "某某市人民政府文件", font=font(90), fill=RED, anchor="mm")
        d.line([160, 400, 1080, 400], fill=RED, width=5)
    else:  # large red title whose glyphs are boxes (国, 回, 图): not personal seals
        d.text((620, 250), "国图回田园困", font=font(110), fill=RED, anchor="mm")
    assert run(image_doc(noisy(img, 5))) == []


def test_no_red_page_is_fast_and_empty():
    doc = image_doc(scanned_page(None, overprint=True))
    assert run(doc) == []


# -- PDF: vector seals ----------------------------------------------------------------------------
def _pdf_page(doc: pymupdf.Document) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)
    page.insert_text((79, 120), "关于做好2023年安全生产工作的通知", fontname="china-s", fontsize=20)
    for i in range(6):
        page.insert_text(
            (79, 170 + i * 26),
            "各区县人民政府，市政府各部门：请认真贯彻执行。",
            fontname="china-s",
            fontsize=15,
        )
    page.insert_text((330, 690), "某某市人民政府办公室", fontname="china-s", fontsize=15)
    return page


def _extract(doc: pymupdf.Document, name: str = "t.pdf") -> Document:
    return extract(doc.tobytes(), name, NO_OCR)


def test_pdf_vector_seal_circle_and_star():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_circle((420, 690), 60, color=RED_F, width=2.5)
    page.draw_polyline(
        [pymupdf.Point(p) for p in star_points(420, 690, 18)], color=RED_F, fill=RED_F, closePath=True
    )
    found = run(_extract(pdf))
    assert [f.rule for f in found] == ["official_seal"]
    f = found[0]
    assert f.details.source == "vector" and f.details.star
    assert f.location.page == 1 and f.location.bbox == pytest.approx((360, 630, 480, 750), abs=3)


def test_pdf_vector_seal_with_red_rim_text_and_no_star():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_circle((420, 690), 60, color=RED_F, width=2.5)
    page.insert_text((385, 665), "某某市财政局", fontname="china-s", fontsize=12, color=RED_F)
    found = run(_extract(pdf))
    assert [f.rule for f in found] == ["official_seal"] and found[0].details.rim_text


def test_pdf_red_circle_alone_is_not_a_seal():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_circle((420, 690), 60, color=RED_F, width=2.5)  # someone circled the signature
    assert run(_extract(pdf)) == []


def test_pdf_red_chart_and_header_rule_are_not_seals():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_line((79, 100), (516, 100), color=RED_F, width=2)
    # a vector pie chart: red sectors filled solid
    page.draw_sector((300, 500), (380, 500), 120, color=None, fill=RED_F)
    page.draw_sector((300, 500), (220, 500), 100, color=None, fill=(0.95, 0.4, 0.4))
    assert run(_extract(pdf)) == []


def test_pdf_star_drawn_with_curves_is_found_by_rendering():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_circle((420, 690), 60, color=RED_F, width=2.5)
    shape = page.new_shape()
    pts = [pymupdf.Point(p) for p in star_points(420, 690, 18)]
    for a, b in zip(pts, pts[1:] + pts[:1], strict=True):  # straight edges written as Bézier curves
        shape.draw_bezier(a, a + (b - a) * 0.3, a + (b - a) * 0.7, b)
    shape.finish(color=RED_F, fill=RED_F, closePath=True)
    shape.commit()
    found = run(_extract(pdf))
    assert [(f.rule, f.details.source) for f in found] == [("official_seal", "render")]
    assert found[0].location.bbox == pytest.approx((360, 630, 480, 750), abs=6)


def test_pdf_vector_personal_seal():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.draw_rect(pymupdf.Rect(450, 700, 500, 750), color=RED_F, width=2)
    page.insert_text((458, 722), "张三", fontname="china-s", fontsize=15, color=RED_F)
    page.insert_text((458, 742), "之印", fontname="china-s", fontsize=15, color=RED_F)
    found = run(_extract(pdf))
    assert [f.rule for f in found] == ["personal_seal"]


# -- PDF: images ----------------------------------------------------------------------------------
def test_pdf_embedded_seal_image_maps_into_page():
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.insert_image(pymupdf.Rect(350, 620, 470, 740), stream=png(seal_png(240)))
    found = run(_extract(pdf))
    assert [f.rule for f in found] == ["official_seal"]
    f = found[0]
    assert f.details.source == "image" and f.details.image
    # The seal fills the picture minus a 15 px transparent border of 270 px.
    assert f.location.bbox == pytest.approx((356.7, 626.7, 463.3, 733.3), abs=2.5)
    assert f.details.image_pixel_bbox[0] == pytest.approx(15, abs=3)


def test_pdf_scanned_page_seal_in_points():
    pdf = pymupdf.open()
    first = pdf.new_page(width=595, height=842)
    first.insert_text((79, 120), "附件：工作方案（扫描件见下页）", fontname="china-s", fontsize=16)
    scan = pdf.new_page(width=595, height=842)
    scan.insert_image(scan.rect, stream=png(scanned_page(seal_png(236, rotate=4)), "JPEG"))
    doc = _extract(pdf)
    found = run(doc)
    assert [(f.rule, f.location.page) for f in found] == [("official_seal", 2)]
    x0, y0, x1, y1 = found[0].location.bbox
    # 700 px at 150 dpi = 336 pt
    assert 330 <= x0 <= 360 and 100 <= x1 - x0 <= 130


def test_repeated_header_emblem_is_a_logo_not_a_seal():
    pdf = pymupdf.open()
    logo = png(seal_png(240))
    for _ in range(3):
        page = _pdf_page(pdf)
        page.insert_image(pymupdf.Rect(79, 20, 119, 60), stream=logo)  # in the top margin
    assert run(_extract(pdf)) == []


def test_pie_chart_image_is_not_a_seal():
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    start = 0.0
    for frac, col in ((0.5, RED), (0.3, (240, 90, 90)), (0.2, (170, 0, 0))):
        d.pieslice([20, 20, 280, 280], start, start + frac * 360, fill=col, outline="white", width=2)
        start += frac * 360
    pdf = pymupdf.open()
    page = _pdf_page(pdf)
    page.insert_image(pymupdf.Rect(150, 400, 350, 600), stream=png(img))
    assert run(_extract(pdf)) == []


# -- signatures -----------------------------------------------------------------------------------
def signature(color=(20, 40, 160), seed: int = 1) -> Image.Image:
    img = Image.new("RGB", (420, 150), "white")
    d = ImageDraw.Draw(img)
    rng = np.random.default_rng(seed)
    x = 30.0
    for _ in range(3):
        amp, freq, length = rng.uniform(20, 40), rng.uniform(2.5, 4.5), rng.uniform(90, 130)
        y = 75 + rng.uniform(-15, 15)
        pts = [
            (
                x + t * length + 12 * math.sin(t * freq * 2 * math.pi + 1),
                y + amp * math.sin(t * freq * math.pi) * (1 - 0.4 * t) + 8 * math.cos(t * 9),
            )
            for t in (i / 59 for i in range(60))
        ]
        d.line(pts, fill=color, width=3, joint="curve")
        x += length + 10
    return img


def _pdf_with_picture(picture: Image.Image, pages: int, on_page: int) -> Document:
    pdf = pymupdf.open()
    for n in range(1, pages + 1):
        page = _pdf_page(pdf)
        if n == on_page:
            page.insert_image(pymupdf.Rect(380, 700, 520, 750), stream=png(picture))
    return _extract(pdf)


def test_signature_image_at_the_end():
    found = run(_pdf_with_picture(signature(), pages=2, on_page=2))
    assert [f.rule for f in found] == ["signature"]
    f = found[0]
    assert f.severity == Severity.HIGH and f.confidence < 0.9 and f.location.page == 2
    assert f.details.ink == "blue"
    x0, y0, x1, y1 = f.location.bbox
    assert x0 >= 380 and x1 <= 520 and y0 >= 700 and y1 <= 750


def test_signature_heuristic_negatives():
    # the same picture at the start of a long document is not where signatures go
    assert run(_pdf_with_picture(signature(), pages=3, on_page=1)) == []
    # a printed name, a printed title line
    for text in ("张三", "关于做好防汛工作的通知"):
        img = Image.new("RGB", (60 + 45 * len(text), 80), "white")
        ImageDraw.Draw(img).text((10, 40), text, font=font(40), fill="black", anchor="lm")
        assert run(_pdf_with_picture(img, pages=1, on_page=1)) == []


# -- DOCX -----------------------------------------------------------------------------------------
def test_docx_inline_seal_picture_has_page_and_pixel_box():
    import docx
    from docx.shared import Mm

    d = docx.Document()
    d.add_paragraph("现将有关事项通知如下，请认真贯彻执行。")
    d.add_paragraph("某某市人民政府办公室")
    d.add_picture(io.BytesIO(png(seal_png(240))), width=Mm(42))
    d.add_paragraph("2023年5月6日")
    buf = io.BytesIO()
    d.save(buf)
    found = run(extract(buf.getvalue(), "t.docx", NO_OCR))
    assert [f.rule for f in found] == ["official_seal"]
    f = found[0]
    assert f.location.page == 1 and f.details.image and len(f.details.image_pixel_bbox) == 4
