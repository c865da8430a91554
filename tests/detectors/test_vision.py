"""Pixel helpers: masks, shapes, lines, seals, signatures, rasters. Inputs are drawn here."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from pubguard.detectors import vision as V
from pubguard.document import Document, ImageItem, Page

RED = (215, 30, 35)


def _star(cx: float, cy: float, r: float, rot: float = -90) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = math.radians(rot + i * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def _contour(img: Image.Image) -> np.ndarray:
    mask = V.red_mask(V.to_rgb(img))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(contours, key=cv2.contourArea)


def _png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


# -- masks ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "colour,expected",
    [
        ((255, 0, 0), True),
        ((192, 0, 0), True),  # C00000, Word's dark red
        ((230, 0, 18), True),  # E60012
        ((255, 150, 150), True),  # pale scanned seal ink
        ((200, 30, 90), True),  # crimson
        ((0, 0, 0), False),
        ((255, 255, 255), False),
        ((224, 172, 105), False),  # skin / paper tone
        ((255, 165, 0), False),  # orange
        ((30, 60, 200), False),
        ((128, 128, 128), False),
    ],
)
def test_red_mask_by_hue(colour, expected):
    img = np.full((4, 4, 3), colour, dtype=np.uint8)
    assert bool(V.red_mask(img).all()) is expected


def test_to_rgb_composites_transparency_on_white():
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle([0, 0, 4, 9], fill=(255, 0, 0, 255))
    rgb = V.to_rgb(img)
    assert tuple(rgb[5, 8]) == (255, 255, 255)  # transparent black is paper, not ink
    assert tuple(rgb[5, 2]) == (255, 0, 0)


def test_bridge_dark_fills_black_text_crossing_red_only_nearby():
    red = np.zeros((20, 60), np.uint8)
    red[8:12, 0:28] = 255
    red[8:12, 32:60] = 255
    dark = np.zeros_like(red)
    dark[0:20, 28:32] = 255  # a black stroke crossing the red bar
    dark[0:3, 50:55] = 255  # black ink away from the red
    out = V.bridge_dark(red, dark, radius=2)
    assert out[10, 30] == 255
    assert out[1, 52] == 0


# -- shapes ---------------------------------------------------------------------------------------
def test_star_score_tells_a_star_from_other_shapes():
    star = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(star).polygon(_star(100, 100, 60, rot=-80), fill=RED)
    disk = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(disk).ellipse([40, 40, 160, 160], fill=RED)
    square = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(square).rectangle([40, 40, 160, 160], fill=RED)
    cross = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(cross).rectangle([90, 30, 110, 170], fill=RED)
    ImageDraw.Draw(cross).rectangle([30, 90, 170, 110], fill=RED)
    assert V.star_score(_contour(star)) >= 0.7
    for shape in (disk, square, cross):
        assert V.star_score(_contour(shape)) == 0.0


def test_circularity():
    disk = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(disk).ellipse([20, 20, 180, 180], fill=RED)
    bar = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(bar).rectangle([10, 90, 190, 100], fill=RED)
    assert V.circularity(_contour(disk)) > 0.85
    assert V.circularity(_contour(bar)) < 0.3


def test_horizontal_lines_merge_a_rule_split_by_the_star():
    mask = np.zeros((200, 1000), np.uint8)
    mask[100:104, 80:480] = 255
    mask[100:104, 520:920] = 255  # the party star leaves a gap in the middle
    mask[150:153, 400:600] = 255  # a short underline
    mask[20:60, 100:140] = 255  # a thick block is not a line
    lines = V.horizontal_lines(mask, min_len=600, max_thick=6)
    assert lines == [(80, 100, 920, 104)]


def test_text_rows_finds_a_row_of_glyphs_not_a_solid_bar():
    mask = np.zeros((300, 1000), np.uint8)
    for i in range(8):  # eight "glyphs" made of strokes
        x = 150 + i * 90
        mask[50:110, x : x + 8] = 255
        mask[75:80, x : x + 60] = 255
        mask[50:110, x + 52 : x + 60] = 255
    mask[200:260, 100:900] = 255  # a solid bar
    rows = V.text_rows(mask, min_height=20, max_height=100, min_width=200)
    glyph_rows = [r for r in rows if r.glyphs >= 3 and r.density <= 0.7]
    assert [r.box[1] for r in glyph_rows] == [50]


# -- red header pixels ----------------------------------------------------------------------------
def _header_image(line: bool = True, mark: bool = True) -> np.ndarray:
    img = Image.new("RGB", (1000, 1400), "white")
    d = ImageDraw.Draw(img)
    if mark:
        for i in range(7):  # big red glyph-like shapes in one centred row
            x = 200 + i * 90
            d.rectangle([x, 150, x + 60, 230], outline=RED, width=7)
            d.line([x, 190, x + 60, 190], fill=RED, width=7)
    if line:
        d.line([120, 330, 880, 330], fill=RED, width=4)
    d.text((120, 500), "body", fill="black")
    return V.to_rgb(img)


def test_find_red_header_sees_mark_and_rule():
    found = V.find_red_header(V.red_mask(_header_image()))
    assert found.line is not None and found.line[2] - found.line[0] >= 700
    assert found.mark is not None and found.mark[3] <= found.line[1]


def test_find_red_header_nothing_without_red():
    found = V.find_red_header(V.red_mask(_header_image(line=False, mark=False)))
    assert found.line is None and found.mark is None


def test_find_red_header_ignores_a_rule_in_the_lower_half():
    img = Image.new("RGB", (1000, 1400), "white")
    ImageDraw.Draw(img).line([120, 1000, 880, 1000], fill=RED, width=4)
    assert V.find_red_header(V.red_mask(V.to_rgb(img))).line is None


# -- seals (shapes only; full seals with text are in test_seal.py) --------------------------------
def _ring_with_star(size: int = 300, star: bool = True, fill: bool = False) -> np.ndarray:
    img = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(img)
    if fill:
        d.ellipse([20, 20, size - 20, size - 20], fill=RED)
    else:
        d.ellipse([20, 20, size - 20, size - 20], outline=RED, width=9)
    if star:
        d.polygon(_star(size / 2, size / 2, size * 0.17), fill=RED)
    return V.to_rgb(img)


def test_find_seals_ring_with_star():
    hits = V.find_seals(_ring_with_star())
    assert [h.kind for h in hits] == ["official"]
    assert hits[0].details.star is True
    x0, y0, x1, y1 = hits[0].box
    assert abs(x0 - 20) <= 3 and abs(x1 - 280) <= 3


def test_find_seals_rejects_ring_without_content_and_filled_disk():
    assert V.find_seals(_ring_with_star(star=False)) == []
    assert V.find_seals(_ring_with_star(fill=True)) == []


def test_find_seals_rejects_a_filled_badge_with_a_star():
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    d.ellipse([20, 20, 280, 280], fill=RED)
    d.polygon(_star(150, 150, 60), fill=RED, outline="white", width=4)  # star cut out by a white edge
    assert V.find_seals(V.to_rgb(img)) == []


def test_find_seals_physical_size_check():
    # 260 px across at 5.9 px/mm is 44 mm: a seal. At 1 px/mm it would be 26 cm: not a seal.
    assert V.find_seals(_ring_with_star(), px_per_mm=5.9)
    assert V.find_seals(_ring_with_star(), px_per_mm=1.0) == []


def test_find_seals_exits_early_without_red():
    img = np.full((800, 600, 3), 255, np.uint8)
    img[100:110, 100:500] = 0
    assert V.find_seals(img) == []


# -- signatures -----------------------------------------------------------------------------------
def _signature(color=(20, 40, 160)) -> np.ndarray:
    img = Image.new("RGB", (420, 150), "white")
    d = ImageDraw.Draw(img)
    rng = np.random.default_rng(1)
    x = 30.0
    for _ in range(3):
        amp, freq, length = rng.uniform(20, 40), rng.uniform(2.5, 4.5), rng.uniform(90, 130)
        y = 75 + rng.uniform(-15, 15)
        pts = []
        for i in range(60):
            t = i / 59
            pts.append(
                (
                    x + t * length + 12 * math.sin(t * freq * 2 * math.pi + 1),
                    y + amp * math.sin(t * freq * math.pi) * (1 - 0.4 * t) + 8 * math.cos(t * 9),
                )
            )
        d.line(pts, fill=color, width=3, joint="curve")
        x += length + 10
    return V.to_rgb(img)


def test_find_signature_positive_blue_and_black():
    blue = V.find_signature(_signature())
    assert blue is not None and blue.details.ink == "blue"
    assert V.find_signature(_signature(color=(15, 15, 15))) is not None


def test_find_signature_rejects_blank_and_qr():
    assert V.find_signature(np.full((150, 420, 3), 255, np.uint8)) is None
    rng = np.random.default_rng(3)
    qr = np.kron((rng.random((29, 29)) > 0.5).astype(np.uint8) * 255, np.ones((6, 6), np.uint8))
    assert V.find_signature(np.dstack([qr, qr, qr])) is None


# -- rasters --------------------------------------------------------------------------------------
def test_image_raster_maps_pixels_into_the_image_bbox():
    img = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle([100, 50, 199, 149], fill=(255, 0, 0, 255))
    item = ImageItem(
        page=1, bbox=(100.0, 300.0, 300.0, 400.0), width=400, height=200, loader=lambda: _png(img)
    )
    page = Page(1, 595, 842)
    raster = V.image_raster(item, page)
    assert raster is not None
    # 400 px over 200 pt (70.6 mm) = 5.67 px/mm: kept at full size.
    assert raster.rgb.shape[:2] == (200, 400)
    ys, xs = np.nonzero(raster.red())
    box = raster.page_bbox((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    assert box == pytest.approx((150.0, 325.0, 200.0, 375.0), abs=0.6)


def test_image_raster_downscales_sharp_jpegs():
    img = Image.new("RGB", (2400, 1200), "white")
    item = ImageItem(
        page=1, bbox=(0.0, 0.0, 300.0, 150.0), width=2400, height=1200, loader=lambda: _png(img, "JPEG")
    )
    raster = V.image_raster(item, Page(1, 595, 842))
    assert raster is not None
    # 2400 px over 300 pt (105.8 mm) = 22.7 px/mm, brought down to at most ~165 dpi
    assert raster.px_per_mm is not None and raster.px_per_mm <= V.MAX_PX_PER_MM
    assert raster.rgb.shape[1] <= 700 and raster.rgb.shape[1] / raster.rgb.shape[0] == pytest.approx(
        2.0, rel=0.02
    )
    assert raster.page_bbox((0, 0, raster.rgb.shape[1], raster.rgb.shape[0])) == pytest.approx(
        (0, 0, 300, 150)
    )


def test_page_raster_is_cached_per_document():
    calls = []

    def render(dpi: int) -> Image.Image:
        calls.append(dpi)
        return Image.new("RGB", (620, 877), "white")

    doc = Document(name="scan.png", format="png", pages=[Page(1, 620, 877, unit="px", renderer=render)])
    a = V.page_raster(doc, doc.pages[0])
    b = V.page_raster(doc, doc.pages[0])
    assert a is b and len(calls) == 1
    other = Document(name="other.png", format="png", pages=[Page(1, 620, 877, unit="px", renderer=render)])
    V.page_raster(other, other.pages[0])
    assert len(calls) == 2


def test_is_scan_page():
    pdf = Document(name="a.pdf", format="pdf", pages=[Page(1, 595, 842), Page(2, 595, 842)])
    pdf.images.append(ImageItem(page=2, bbox=(0, 0, 595, 842), width=10, height=10, kind="page_scan"))
    assert not V.is_scan_page(pdf, pdf.pages[0])
    assert V.is_scan_page(pdf, pdf.pages[1])
    png = Document(name="a.png", format="png", pages=[Page(1, 100, 100, unit="px")])
    assert V.is_scan_page(png, png.pages[0])


def _busy_picture(seed: int = 0) -> Image.Image:
    """A photo-like picture: hundreds of coloured shapes, among them red rings with clutter."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (1600, 1200), (120, 110, 100))
    d = ImageDraw.Draw(img)
    for i in range(500):
        x, y, r = int(rng.integers(0, 1600)), int(rng.integers(0, 1200)), int(rng.integers(5, 80))
        if i % 2:
            col = tuple(int(c) for c in rng.integers(0, 256, 3))
        else:
            col = (int(rng.integers(150, 255)), int(rng.integers(0, 60)), int(rng.integers(0, 60)))
        if i % 3 == 0:
            d.ellipse([x, y, x + r, y + r], outline=col, width=int(rng.integers(1, 6)))
        else:
            d.rectangle([x, y, x + r, y + r * 0.6], fill=col)
    return img


def test_find_seals_ignores_red_rings_in_a_busy_picture():
    assert V.find_seals(V.to_rgb(_busy_picture())) == []


def test_find_seals_still_finds_a_full_seal_on_a_busy_picture():
    import pymupdf
    from PIL import ImageFont

    img = _busy_picture(1)
    d = ImageDraw.Draw(img)
    d.rectangle([500, 300, 900, 700], fill="white")
    d.ellipse([560, 360, 840, 640], outline=RED, width=9)
    d.polygon(_star(700, 500, 48), fill=RED)
    f = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), 36)
    for i, ch in enumerate("某某市人民政府"):
        a = math.radians(-200 + 220 * (i + 0.5) / 7)
        d.text((700 + 100 * math.cos(a), 500 + 100 * math.sin(a)), ch, font=f, fill=RED, anchor="mm")
    hits = V.find_seals(V.to_rgb(img))
    assert [(h.kind, h.details.star, h.details.rim_text) for h in hits] == [("official", True, True)]
