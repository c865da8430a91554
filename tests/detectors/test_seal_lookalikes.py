"""Seal detector on look-alikes of real seals (drawn here, because the real pictures in
realworld/external/seals/ may not be committed): tight "electronic seal" crops with worn or
broken rims, text-only rims, oval 财务专用章, faint ink, phone photos (perspective, shadow, colour
cast), seals stamped over each other or over red table rules, transparent PNGs in DOCX and PDF;
and red things that are not seals (prohibition signs, pie charts, badges, emblem artwork, red
headers, red text). Pictures stay small: each is a few hundred pixels."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.seal import SealDetector
from pubguard.extract import extract
from pubguard.finding import Severity

RED = (205, 35, 40)
NO_OCR = ScanConfig(ocr=False)
_FONT = pymupdf.Font("china-s").buffer
MEDIUM_UP = (Severity.MEDIUM, Severity.HIGH, Severity.BLOCKER)


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_FONT), size)


def star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    return [
        (cx + (r if i % 2 == 0 else r * 0.382) * math.cos(math.radians(-90 + 36 * i)),
         cy + (r if i % 2 == 0 else r * 0.382) * math.sin(math.radians(-90 + 36 * i)))
        for i in range(10)
    ]  # fmt: skip


def seal(d: int = 220, *, oval: float = 1.0, ring: float = 0.035, with_star: bool = True,
         rim: str = "某某市某某区人民政府办公室", middle: str = "", colour=RED,
         size: tuple[int, int] | None = None) -> Image.Image:  # fmt: skip
    """An official seal on a transparent tile: ring, optional star, rim text along the upper arc,
    optional horizontal text (财务专用章 / 合同专用章) under the centre."""
    w, h = size or (int(d * oval) + 24, d + 24)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    dr = ImageDraw.Draw(img)
    cx, cy, rx, ry = w / 2, h / 2, d / 2 * oval, d / 2
    rw = max(2, round(d * ring))
    dr.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], outline=(*colour, 255), width=rw)
    if with_star:
        dr.polygon(star(cx, cy - (d * 0.04 if middle else 0), d * 0.16), fill=(*colour, 255))
    fs = max(8, int(d * 0.13))
    f = font(fs)
    for i, ch in enumerate(rim):
        ang = math.radians(-90 - 120 + 240 * (i + 0.5) / len(rim))
        r = 1 - (rw + fs * 0.7) / ry
        px, py = cx + rx * r * math.cos(ang), cy + ry * r * math.sin(ang)
        tile = Image.new("RGBA", (fs * 2, fs * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((fs, fs), ch, font=f, fill=(*colour, 255), anchor="mm")
        tile = tile.rotate(-(math.degrees(ang) + 90), resample=Image.BICUBIC)
        img.alpha_composite(tile, (int(px - fs), int(py - fs)))
    if middle:
        dr.text((cx, cy + d * 0.22), middle, font=font(int(d * 0.11)), fill=(*colour, 255), anchor="mm")
    return img


def worn(
    img: Image.Image, seed: int = 3, erase: float = 0.3, gaps: int = 3, gap_deg: float = 10
) -> Image.Image:
    """Uneven ink: blotchy alpha, specks missing, a few arcs of the rim not inked at all."""
    rng = np.random.default_rng(seed)
    a = np.asarray(img).copy()
    h, w = a.shape[:2]
    blotch = cv2.resize(
        rng.uniform(0.35, 1.0, (8, 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    alpha = a[:, :, 3].astype(np.float32) * np.clip(blotch, 0, 1)
    alpha[rng.random((h, w)) < erase] = 0
    yy, xx = np.mgrid[0:h, 0:w]
    ang = np.degrees(np.arctan2(yy - h / 2, xx - w / 2)) % 360
    for g in rng.uniform(0, 360, gaps):
        alpha[((ang - g) % 360 < gap_deg) & (np.hypot(yy - h / 2, xx - w / 2) > 0.4 * min(h, w))] = 0
    a[:, :, 3] = alpha.astype(np.uint8)
    return Image.fromarray(a)


def on_white(img: Image.Image) -> Image.Image:
    bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
    bg.alpha_composite(img)
    return bg.convert("RGB")


def png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return buf.getvalue()


def photo(img: Image.Image, *, cast=(0.82, 0.9, 1.12), seed: int = 5) -> Image.Image:
    """A phone photo of paper: perspective, a shadow across it, a bluish cast, sensor noise, JPEG."""
    a = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = a.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * 0.06, h * 0.04], [w * 0.97, 0], [w * 0.92, h * 0.97], [0, h * 0.9]])
    a = cv2.warpPerspective(a, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=(255, 255, 255))
    shade = np.linspace(0.62, 1.0, w, dtype=np.float32)[None, :, None]
    a = a * shade * np.float32(cast)
    a += np.random.default_rng(seed).normal(0, 6, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return Image.open(io.BytesIO(png(out, "JPEG")))


def paper(size=(800, 600), lines: int = 5) -> Image.Image:
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    for i in range(lines):
        d.text(
            (40, 40 + i * 44),
            "根据有关规定，现将有关事项通知如下，请认真贯彻执行。",
            font=font(24),
            fill=(30, 30, 30),
        )
    return img


def image_findings(img: Image.Image, fmt: str = "PNG") -> list:
    doc = extract(png(img, fmt), f"t.{fmt.lower()}", NO_OCR)
    return list(SealDetector().detect(doc, ScanContext(config=NO_OCR)))


def rules(findings: list) -> set[str]:
    return {f.rule for f in findings if f.severity in MEDIUM_UP}


# -- positives ------------------------------------------------------------------------------------
def _overlapping() -> Image.Image:
    img = paper((700, 420), lines=3)
    a, b = seal(220, rim="某某市教育局"), seal(220, rim="某某市教师培训中心")
    img.paste(on_white(a), (120, 150), a)
    img.paste(on_white(b), (290, 160), b)
    ImageDraw.Draw(img).text((200, 300), "2023年10月20日", font=font(30), fill="black")
    return img


def _over_red_rules() -> Image.Image:
    img = Image.new("RGB", (900, 420), "white")
    d = ImageDraw.Draw(img)
    dark_red = (150, 60, 50)
    for y in (40, 130, 300, 380):
        d.line([20, y, 880, y], fill=dark_red, width=2)
    for x in (20, 120, 560, 880):
        d.line([x, 40, x, 380], fill=dark_red, width=2)
    d.text((140, 320), "销售方：某某贸易有限公司", font=font(22), fill="black")
    s = seal(150, oval=1.45, with_star=False, rim="某某贸易有限公司", middle="发票专用章")
    img.paste(on_white(s), (640, 250), s)
    return img


def _three_stamps() -> Image.Image:
    img = Image.new("RGB", (930, 440), (250, 250, 248))
    a = seal(230, rim="北京某某科技有限公司")
    b = seal(180, rim="北京某某科技有限公司", middle="财务专用章")
    img.paste(on_white(a), (60, 90), a)
    img.paste(on_white(b), (380, 110), b)
    sq = Image.new("RGBA", (110, 110), (0, 0, 0, 0))
    dq = ImageDraw.Draw(sq)
    dq.rectangle([2, 2, 107, 107], outline=(*RED, 255), width=7)
    for i, ch in enumerate("李庆国印"):
        dq.text((80 - 50 * (i // 2), 32 + 46 * (i % 2)), ch, font=font(40), fill=(*RED, 255), anchor="mm")
    img.paste(on_white(sq), (680, 170), sq)
    return photo(img, cast=(1.0, 0.97, 0.93))


POSITIVES = {
    "clean_crop": lambda: on_white(seal()),
    "worn_crop": lambda: on_white(worn(seal(rim="某某县供销合作社第一门市部"))),
    "broken_thin_ring": lambda: on_white(worn(seal(ring=0.02), erase=0.05, gaps=3, seed=6)),
    "text_only_rim": lambda: on_white(seal(with_star=False, rim="某某市建设工程有限公司", middle="合同专用章")),
    "oval_finance_seal": lambda: on_white(seal(180, oval=1.5, with_star=False, rim="某某市某某有限责任公司",
                                               middle="财务专用章")),
    "faint_pink_ink": lambda: on_white(seal(colour=(232, 140, 155))),
    "small_crop": lambda: on_white(seal(110, rim="某某街道办事处")),
    "photo_on_paper": lambda: photo(Image.alpha_composite(paper().convert("RGBA"),
                                                          _placed(seal(230), (800, 600), (430, 260)))),
    "overlapping_seals": _overlapping,
    "over_red_table_rules": _over_red_rules,
    # icon size with a ring 0.2 of the radius thick: the ring's flat stretches are kept as ring
    # for signs (below), and a worn seal with such a ring and a star is still a seal
    "small_worn_thick_ring": lambda: on_white(worn(seal(ring=0.1))).convert("RGB").resize((75, 75), Image.LANCZOS),
    "icon_worn_seal": lambda: on_white(worn(seal())).convert("RGB").resize((75, 75), Image.LANCZOS),
}  # fmt: skip


def _placed(tile: Image.Image, size: tuple[int, int], at: tuple[int, int]) -> Image.Image:
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    canvas.alpha_composite(tile, at)
    return canvas


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_lookalike_seal_is_found(name):
    found = image_findings(POSITIVES[name]())
    assert "official_seal" in rules(found), [(f.rule, f.details) for f in found]
    assert all(f.severity == Severity.BLOCKER for f in found if f.rule == "official_seal")


def _cut(img: Image.Image, left: float) -> Image.Image:
    """The picture cropped through the seal, as a careless screenshot or scan crop does."""
    return img.crop((round(img.width * left), 0, img.width, img.height))


@pytest.mark.parametrize("left", [0.15, 0.3])
def test_seal_cut_by_the_picture_edge_is_found(left):
    found = image_findings(_cut(on_white(seal(240, rim="某某省人民政府")), left))
    assert "official_seal" in rules(found), [(f.rule, f.details) for f in found]


def test_sign_or_ring_logo_cut_by_the_edge_is_still_no_seal():
    assert rules(image_findings(_cut(_sign("no_parking"), 0.3))) == set()
    assert rules(image_findings(_cut(_ring_logo(), 0.3))) == set()


def test_three_stamps_photo_gives_official_and_personal_seal():
    found = image_findings(_three_stamps(), "JPEG")
    assert rules(found) == {"official_seal", "personal_seal"}
    assert sum(f.rule == "official_seal" for f in found) == 2


def test_crop_scale_is_unknown_but_a4_scan_keeps_its_size_check():
    """A tight crop has no physical size; a page-shaped scan keeps the mm checks (a 6-mm red
    ring on an A4 scan is no seal)."""
    found = image_findings(on_white(seal()))
    assert found[0].details.diameter_mm is None
    page = Image.new("RGB", (827, 1169), "white")  # A4 at 100 dpi
    tiny = seal(24, rim="某某局")
    page.paste(on_white(tiny), (500, 900), tiny)
    assert image_findings(page) == []
    big = seal(170)  # 43 mm at 100 dpi
    page.paste(on_white(big), (450, 800), big)
    found = image_findings(page)
    assert rules(found) == {"official_seal"} and 38 <= found[0].details.diameter_mm <= 48


def _square_seal(side: int = 200, *, frame: float = 0.06, gap: float = 0.06, framed: bool = True,
                 text: str = "王書之印", white: bool = False) -> Image.Image:  # fmt: skip
    """A personal seal: a thick frame with a gap before the glyphs (朱文), no frame at all (art
    seals whose glyphs reach the edges), or red ground with white glyphs (白文)."""
    img = Image.new("RGB", (side + 40, side + 40), "white")
    d = ImageDraw.Draw(img)
    box = [20, 20, 20 + side, 20 + side]
    fw = max(3, round(side * frame))
    if white:
        d.rectangle(box, fill=RED)
    elif framed:
        d.rectangle(box, outline=RED, width=fw)
    inset = (fw + round(side * gap)) if framed else 0
    cell = (side - 2 * inset) / 2
    f = font(round(cell * 1.05))
    for i, ch in enumerate(text):  # read right column first, top to bottom
        cx = 20 + inset + cell * (1.5 if i < 2 else 0.5)
        cy = 20 + inset + cell * (0.5 if i % 2 == 0 else 1.5)
        d.text((cx, cy), ch, font=f, fill="white" if white else RED, anchor="mm", stroke_width=max(1, side // 60),
               stroke_fill="white" if white else RED)  # fmt: skip
    return img


@pytest.mark.parametrize(
    "variant", ["thick_frame_with_gap", "thin_frame", "no_frame_art_seal", "white_text"]
)  # fmt: skip
def test_square_personal_seal_crop_is_found(variant):
    img = {
        "thick_frame_with_gap": lambda: _square_seal(frame=0.07, gap=0.08),
        "thin_frame": lambda: _square_seal(frame=0.025, gap=0.03),
        "no_frame_art_seal": lambda: _square_seal(framed=False, text="为情所助"),
        "white_text": lambda: _square_seal(white=True, text="长江三峡"),
    }[variant]()
    found = image_findings(img, "JPEG")
    assert rules(found) == {"personal_seal"}, [(f.rule, f.details) for f in found]
    assert all(f.severity == Severity.HIGH for f in found)


def _contract_photo_with_name_seal(blur: float) -> Image.Image:
    """A phone photo of a contract (look-alike of a real one, realworld holdout5): a small framed
    name seal whose ink bleeds (a pink fringe that the faint-ink mask takes in, so frame and glyphs
    run together) beside 法定代表人签署, and the company's round seal."""
    img = paper((440, 560), lines=0)
    d = ImageDraw.Draw(img)
    for i, label in enumerate(["甲方（名称）：某某投资置业有限公司", "法定代表人签署：", "甲方盖章："]):
        d.text((20, 40 + 120 * i), label, font=font(16), fill=(40, 40, 40))
    name = _square_seal(56, frame=0.07, gap=0.04, text="王国爱印").crop((16, 16, 80, 80))
    img.paste(name.filter(ImageFilter.GaussianBlur(blur)), (200, 120))
    ring = seal(110, rim="某某投资置业有限公司", middle="合同专用章")
    img.paste(on_white(ring), (80, 300), ring)
    return photo(img, cast=(1.0, 0.96, 0.92))


def test_small_name_seal_with_bleeding_ink_on_a_contract_photo_is_found():
    found = image_findings(_contract_photo_with_name_seal(0.6), "JPEG")
    assert rules(found) == {"official_seal", "personal_seal"}, [(f.rule, f.details) for f in found]


# -- electronic seals embedded in DOCX and PDF ----------------------------------------------------
def _transparent_on_black(img: Image.Image) -> bytes:
    """An electronic-seal PNG as some tools write it: transparent pixels are black underneath."""
    a = np.asarray(img).copy()
    a[a[:, :, 3] == 0, :3] = 0
    return png(Image.fromarray(a))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("variant", ["alpha_black_under", "worn_jpeg"])
def test_embedded_electronic_seal_reaches_the_detector(fmt, variant):
    tile = worn(seal(rim="某某市某某局"), seed=11, erase=0.15) if variant == "worn_jpeg" else seal()
    data = _transparent_on_black(tile) if variant == "alpha_black_under" else png(on_white(tile), "JPEG")
    if fmt == "docx":
        import docx
        from docx.shared import Mm

        d = docx.Document()
        d.add_paragraph("现将有关事项通知如下，请认真贯彻执行。")
        d.add_paragraph("某某市某某局")
        d.add_picture(io.BytesIO(data), width=Mm(40))
        buf = io.BytesIO()
        d.save(buf)
        raw = buf.getvalue()
    else:
        pdf = pymupdf.open()
        page = pdf.new_page()
        page.insert_text((72, 100), "现将有关事项通知如下，请认真贯彻执行。", fontname="china-s", fontsize=12)
        page.insert_image(pymupdf.Rect(360, 600, 474, 714), stream=data)
        raw = pdf.tobytes()
    doc = extract(raw, f"t.{fmt}", NO_OCR)
    found = list(SealDetector().detect(doc, ScanContext(config=NO_OCR)))
    assert [f.rule for f in found] == ["official_seal"]
    assert found[0].details.source == "image"


# -- negatives ------------------------------------------------------------------------------------
def _sign(kind: str) -> Image.Image:
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    if kind == "no_entry":
        d.ellipse([30, 30, 270, 270], fill=RED)
        d.rectangle([60, 130, 240, 170], fill="white")
    else:  # prohibition: thick red ring, black pictogram, red slash
        d.ellipse([30, 30, 270, 270], outline=RED, width=26)
        d.text((150, 150), "P" if kind == "no_parking" else "⇧", font=font(150), fill="black", anchor="mm")
        d.line([70, 70, 230, 230], fill=RED, width=26)
    return img


def _gb_icon(
    picto: str, *, slash: bool = True, supersample: int = 1, insets: tuple[int, int, int] = (2, 3, 9)
) -> Image.Image:
    """A road-sign web icon as GB 5768 pictures draw it (75x67 GIFs): a thin red border, a white
    line, a thick red ring (0.2 of the radius with the border), a black pictogram, a red slash."""
    sc = supersample
    img = Image.new("RGB", (75 * sc, 67 * sc), "white")
    d = ImageDraw.Draw(img)
    red, black = (239, 36, 61), (30, 30, 33)
    x0, y0, x1, y1 = 5 * sc, 0, 70 * sc, 66 * sc
    # insets of the white line, the ring and the inside: border 2 px, line 1 px, ring 6 px
    for inset, fill in zip((0, *insets), (red, "white", red, "white"), strict=True):
        i = inset * sc
        d.ellipse([x0 + i, y0 + i, x1 - i, y1 - i], fill=fill)
    if picto == "truck":
        d.rectangle([20 * sc, 28 * sc, 52 * sc, 40 * sc], fill=black)
        d.ellipse([22 * sc, 38 * sc, 30 * sc, 46 * sc], fill=black)
        d.ellipse([42 * sc, 38 * sc, 50 * sc, 46 * sc], fill=black)
    else:
        d.text((img.width // 2, img.height // 2), picto, font=font(26 * sc), fill=black, anchor="mm")
    if slash:
        d.line([17 * sc, 10 * sc, 57 * sc, 55 * sc], fill=red, width=6 * sc)
    return img.resize((75, 67), Image.LANCZOS) if sc > 1 else img


def _limit_sign(text: str) -> Image.Image:
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    d.ellipse([10, 10, 290, 290], outline=RED, width=34)
    d.ellipse([22, 22, 278, 278], outline=(243, 120, 134), width=4)
    d.text((150, 150), text, font=font(140), fill=(30, 30, 33), anchor="mm")
    return img


def _ring_only() -> Image.Image:
    img = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(img).ellipse([30, 30, 270, 270], outline=RED, width=26)
    return img


def _pie(colours) -> Image.Image:
    img = Image.new("RGB", (520, 360), "white")
    d = ImageDraw.Draw(img)
    start = 0.0
    for frac, c in zip((0.45, 0.3, 0.25), colours, strict=True):
        d.pieslice([60, 40, 340, 320], start, start + frac * 360, fill=c, outline="white", width=2)
        start += frac * 360
    for i, t in enumerate(("一季度", "二季度", "三季度")):
        d.rectangle([380, 100 + i * 40, 400, 120 + i * 40], fill=colours[i])
        d.text((410, 110 + i * 40), t, font=font(18), fill="black", anchor="lm")
    return img


def _badge() -> Image.Image:
    img = Image.new("RGB", (160, 160), "white")
    d = ImageDraw.Draw(img)
    d.ellipse([10, 10, 150, 150], fill=RED)
    d.text((80, 80), "12", font=font(70), fill="white", anchor="mm")
    return img


def _emblem(kind: str) -> Image.Image:
    """Emblem artwork: red ground with gold figures (党徽-like), or a gold-rimmed red disk with gold
    stars (国徽-like)."""
    gold = (250, 200, 40)
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    if kind == "party":
        d.rectangle([40, 40, 260, 260], fill=RED)
        d.arc([80, 80, 220, 220], 200, 470, fill=gold, width=22)
        d.line([100, 210, 200, 110], fill=gold, width=22)
        d.rectangle([175, 90, 225, 125], fill=gold)
    else:
        d.ellipse([20, 20, 280, 280], fill=RED, outline=gold, width=18)
        d.polygon(star(150, 120, 45), fill=gold)
        for k in range(4):
            a = math.radians(-150 + 40 * k)
            d.polygon(star(150 + 85 * math.cos(a), 120 + 85 * math.sin(a), 16), fill=gold)
        d.rectangle([80, 200, 220, 240], fill=gold)
    return img.filter(ImageFilter.GaussianBlur(0.6))


def _ring_logo() -> Image.Image:
    img = Image.new("RGB", (300, 300), "white")
    d = ImageDraw.Draw(img)
    d.ellipse([30, 30, 270, 270], outline=RED, width=10)
    d.text((150, 150), "融媒体", font=font(60), fill=RED, anchor="mm")
    return img


def _red_header() -> Image.Image:
    img = Image.new("RGB", (827, 400), "white")
    d = ImageDraw.Draw(img)
    d.text((413, 120), "某某市人民政府文件", font=font(70), fill=RED, anchor="mm")
    d.text((413, 230), "某政发〔2023〕5号", font=font(26), fill="black", anchor="mm")
    d.line([60, 280, 767, 280], fill=RED, width=4)
    return img


def _red_square_icon() -> Image.Image:
    """An app icon: a rounded red square with one white glyph (not a seal: one glyph, round corners)."""
    img = Image.new("RGB", (200, 200), "white")
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([20, 20, 180, 180], radius=36, fill=RED)
    d.text((100, 100), "网", font=font(110), fill="white", anchor="mm")
    return img


def _red_text() -> Image.Image:
    img = Image.new("RGB", (827, 400), "white")
    d = ImageDraw.Draw(img)
    for i, t in enumerate(
        ["特别提醒：请于本月底前报送材料，", "逾期不予受理。联系电话见附件。", "国回图园团困"]
    ):
        d.text((60, 60 + i * 90), t, font=font(56), fill=RED)
    return img


NEGATIVES = {
    "no_entry_sign": lambda: _sign("no_entry"),
    "no_parking_sign": lambda: _sign("no_parking"),
    "no_straight_sign": lambda: _sign("no_straight"),
    "pie_chart_colours": lambda: _pie([RED, (40, 90, 200), (60, 170, 80)]),
    "pie_chart_reds": lambda: _pie([RED, (240, 110, 110), (160, 20, 20)]),
    "red_round_badge": _badge,
    "party_emblem_artwork": lambda: _emblem("party"),
    "national_emblem_artwork": lambda: _emblem("national"),
    "red_ring_logo_with_word": _ring_logo,
    "red_header": _red_header,
    "red_text": _red_text,
    "red_square_app_icon": _red_square_icon,
    "sign_photo": lambda: photo(_sign("no_parking").resize((600, 600))),
    # web icon size (75 px, as road-sign pages show them): the thick ring's inner edge, broken
    # into slivers by the small raster, is no rim text
    "small_no_parking_sign": lambda: _sign("no_parking").resize((75, 75), Image.LANCZOS),
    "small_no_straight_sign": lambda: _sign("no_straight").resize((75, 75), Image.LANCZOS),
    "small_plain_red_ring": lambda: _ring_only().resize((75, 75), Image.LANCZOS),
    # GB 5768 icons: the thick ring's flat top, bottom and sides are no red rules to cut out
    # (cut out, the ring fell into four arcs at one radius that passed as rim text)
    "icon_no_tractors_sign": lambda: _gb_icon("truck"),
    "icon_no_parking_sign_antialiased": lambda: _gb_icon("P", supersample=4),
    "icon_width_limit_sign": lambda: _gb_icon("3m", slash=False),
    "icon_plain_ring_sign": lambda: _gb_icon("", slash=False),
    "icon_sign_wide_border": lambda: _gb_icon("P", insets=(3, 5, 11)),
    # a thick ring kept whole is no seal ring either (cut out on its own ellipse, its inner edge
    # fell into slivers at one radius)
    "small_width_limit_sign": lambda: _limit_sign("3m").resize((75, 67), Image.LANCZOS),
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_red_lookalike_is_not_a_seal(name):
    found = image_findings(NEGATIVES[name]())
    assert rules(found) == set(), [(f.rule, f.confidence, f.details) for f in found]
