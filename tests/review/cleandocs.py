"""Documents for the clean-copy tests (imported as `review.cleandocs`), built in code: a Word
draft with a red 版头, an official seal picture and an ID number, and a PDF 明电 whose telegram
header the clean copy cannot remove."""

from __future__ import annotations

import io
import math

import docx
import pymupdf
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from factories import make_id_number
from PIL import Image, ImageDraw, ImageFont

SEAL_RED = (210, 20, 25, 235)
ID_NUMBER = make_id_number("450102", "19680415", "213")


def seal_png(text: str = "南宁市财政局", size: int = 360) -> bytes:
    """A round official seal: red ring, star, the organ's name along the rim."""
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    c, r = size / 2, size / 2 - 8
    d.ellipse([c - r, c - r, c + r, c + r], outline=SEAL_RED, width=12)
    star = []
    for k in range(10):
        rad = r * (0.28 if k % 2 == 0 else 0.11)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    d.polygon(star, fill=SEAL_RED)
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), size // 9)
    for i, ch in enumerate(text):
        a = math.radians(-150 + i * 300 / max(len(text) - 1, 1))
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((0, 0), ch, font=font, fill=SEAL_RED)
        glyph = glyph.rotate(-math.degrees(a), expand=True)
        gx = c + r * 0.74 * math.cos(a - math.pi / 2) - glyph.width / 2
        gy = c + r * 0.74 * math.sin(a - math.pi / 2) - glyph.height / 2
        img.alpha_composite(glyph, (int(gx), int(gy)))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def red_header_docx(id_number: str = ID_NUMBER) -> bytes:
    """红头 (red organ name + red rule under 发文字号), a body line with an ID number, a seal."""
    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("南宁市财政局文件")
    run.font.size, run.font.bold = Pt(32), True
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("南财发〔2024〕21号").font.size = Pt(16)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "18", "w:space": "1", "w:color": "E60012"}.items():
        bottom.set(qn(k), v)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("关于下达2024年度临时救助资金的通知").font.size = Pt(22)
    d.add_paragraph("各县（区）民政局：")
    d.add_paragraph(f"经审核，救助对象身份证号：{id_number}，请按规定及时拨付救助资金。")
    d.add_paragraph("南宁市财政局").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_picture(io.BytesIO(seal_png()), width=Mm(42))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def telegram_pdf() -> bytes:
    """A 明电 with its red telegram header (发电单位, 签批盘号, 等级) and a short body."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    title = "明  电"
    x = (595 - pymupdf.Font("china-s").text_length(title, fontsize=36)) / 2
    page.insert_text((x, 110), title, fontname="china-s", fontsize=36, color=(0.8, 0, 0))
    page.insert_text((80, 170), "发电单位：南宁市人民政府办公室", fontname="china-s", fontsize=13)
    page.insert_text((80, 195), "签批盘号：2024-0317", fontname="china-s", fontsize=13)
    page.insert_text((380, 170), "等级：特急", fontname="china-s", fontsize=13)
    page.draw_line((80, 210), (515, 210), color=(0.8, 0, 0), width=1.5)
    page.insert_text((80, 240), "关于做好防汛工作的通知", fontname="china-s", fontsize=13)
    page.insert_text(
        (80, 264), "各县（区）人民政府：请认真做好防汛准备工作。", fontname="china-s", fontsize=12.5
    )
    return doc.tobytes()
