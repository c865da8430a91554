"""Generate the sample drafts in `samples/` (deterministic; run `make samples`).

Each problem category appears in several formats, next to clean documents written like real
government prose that *mention* 国家秘密, 公章 and 批示 in passing. `manifest.json` states, for
every file, which rules a correct scan must report (`expect`) — `make eval` measures recall and
false positives against it. All personal data here is synthetic (valid checksums, made-up people).
"""

from __future__ import annotations

import io
import json
import math
import random
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent
RED = (0.78, 0.0, 0.0)
BLUE = (0.05, 0.15, 0.75)
FONT = "china-s"
A4 = (595, 842)
LEFT, RIGHT, TOP = 79.0, 516.0, 105.0  # GB/T 9704 text area on A4 in points

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(area: str, birth: str, seq: str) -> str:
    body = area + birth + seq
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            n -= 9 if n > 9 else 0
        total += n
    return digits + str((10 - total % 10) % 10)


RNG = random.Random(20241122)
PEOPLE = [
    ("张伟民", id_number("450102", "19680415", "213"), "13877120456", luhn_complete("622848", 19, RNG)),
    ("李秀兰", id_number("450103", "19751102", "128"), "13607713389", luhn_complete("621700", 19, RNG)),
    ("黄志强", id_number("450105", "19820923", "357"), "18977165502", luhn_complete("622202", 19, RNG)),
    ("覃桂芳", id_number("450107", "19590617", "046"), "15907781234", luhn_complete("622700", 19, RNG)),
]

BODY = [
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能，",
    "经市人民政府同意，现就做好2024年度政务服务事项清单动态调整工作通知如下。",
    "一、各县（区）人民政府、市直各部门要严格执行保密制度，涉及国家秘密的事项不得公开。",
    "二、对外发布的文件一律使用电子版本，不得在网站上发布加盖公章的扫描件。",
    "三、各单位要认真落实领导批示精神，按时报送调整情况。",
]
CLEAN_NOTICE = [
    "关于做好2024年度政务服务事项清单动态调整工作的通知",
    "各县（区）人民政府，市直各部门：",
    *BODY,
    "联系人：市政务服务监督管理局办公室，咨询电话：0771-5512345。",
    "（此件公开发布）",
]


# -- drawing helpers ---------------------------------------------------------------------------
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(pymupdf.Font(FONT).buffer), size)


def text_width(text: str, size: float) -> float:
    return pymupdf.Font(FONT).text_length(text, fontsize=size)


def centred(page: pymupdf.Page, y: float, text: str, size: float, color=(0, 0, 0)) -> None:
    x = (A4[0] - text_width(text, size)) / 2
    page.insert_text((x, y), text, fontname=FONT, fontsize=size, color=color)


def body_lines(page: pymupdf.Page, y: float, lines: list[str], size: float = 14, gap: float = 26) -> float:
    for line in lines:
        page.insert_text((LEFT, y), line, fontname=FONT, fontsize=size)
        y += gap
    return y


def red_header(
    page: pymupdf.Page, organ: str = "南宁市人民政府办公室文件", number: str = "南府办发〔2024〕15号"
) -> float:
    centred(page, 190, organ, 30, RED)
    centred(page, 245, number, 15)
    page.draw_line((LEFT, 262), (RIGHT, 262), color=RED, width=2.2)
    return 310


def seal_image(text: str = "南宁市人民政府办公室", size: int = 360, rotate: float = 0.0) -> Image.Image:
    """A round official seal: red ring, star, organ name along the rim, slightly worn."""
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    red = (210, 20, 25, 235)
    c, r = size / 2, size / 2 - 8
    d.ellipse([c - r, c - r, c + r, c + r], outline=red, width=max(size // 30, 6))
    star = []
    for k in range(10):
        rad = (r * 0.28) if k % 2 == 0 else (r * 0.11)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    d.polygon(star, fill=red)
    font = cjk_font(size // 9)
    n = len(text)
    for i, ch in enumerate(text):
        a = math.radians(-150 + i * 300 / max(n - 1, 1))
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((0, 0), ch, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(a), expand=True)
        gx = c + (r * 0.74) * math.cos(a - math.pi / 2) - glyph.width / 2
        gy = c + (r * 0.74) * math.sin(a - math.pi / 2) - glyph.height / 2
        img.alpha_composite(glyph, (int(gx), int(gy)))
    if rotate:
        img = img.rotate(rotate, expand=False)
    return img


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def vector_seal(page: pymupdf.Page, cx: float, cy: float, r: float = 60) -> None:
    page.draw_circle((cx, cy), r, color=RED, width=3)
    pts = []
    for k in range(10):
        rad = r * 0.3 if k % 2 == 0 else r * 0.12
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    page.draw_polyline(pts + [pts[0]], color=RED, fill=RED, width=0.5, closePath=True)
    text = "南宁市人民政府办公室"
    for i, ch in enumerate(text):
        a = math.radians(-140 + i * 280 / (len(text) - 1)) - math.pi / 2
        px, py = cx + r * 0.72 * math.cos(a), cy + r * 0.72 * math.sin(a)
        mat = pymupdf.Matrix(math.degrees(a) + 90)
        page.insert_text(
            (px - 5, py + 5), ch, fontname=FONT, fontsize=11, color=RED, morph=(pymupdf.Point(px, py), mat)
        )


def new_pdf() -> tuple[pymupdf.Document, pymupdf.Page]:
    doc = pymupdf.open()
    return doc, doc.new_page(width=A4[0], height=A4[1])


def save_pdf(doc: pymupdf.Document, name: str, author: str = "南宁市人民政府办公室") -> Path:
    stamp = "D:20240315090000+08'00'"
    doc.set_metadata(
        {
            "author": author,
            "title": name,
            "creator": "PubGuard samples",
            "creationDate": stamp,
            "modDate": stamp,
        }
    )
    path = OUT / name
    doc.save(path, garbage=3, deflate=True, no_new_id=True)  # byte-stable across runs
    return path


def scanned(page_png: bytes, rotate: float = 1.2, seed: int = 3) -> Image.Image:
    """Make a rendered page look scanned: slight rotation, blur and noise, JPEG-ish grey."""
    import numpy as np

    img = Image.open(io.BytesIO(page_png)).convert("RGB")
    img = img.rotate(rotate, expand=False, fillcolor=(250, 250, 248), resample=Image.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    arr = np.asarray(img).astype("int16")
    noise = np.random.default_rng(seed).normal(0, 7, arr.shape).astype("int16")
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype("uint8"))


# -- the samples -------------------------------------------------------------------------------
def pdf_clean_notice() -> dict:
    doc, page = new_pdf()
    centred(page, 130, CLEAN_NOTICE[0], 18)
    body_lines(page, 180, CLEAN_NOTICE[1:], size=12.5, gap=24)
    save_pdf(doc, "clean_notice.pdf")
    return {
        "file": "clean_notice.pdf",
        "expect": [],
        "note": "通知，提及国家秘密、公章、领导批示但不含任何标志",
    }


def pdf_red_header_seal() -> dict:
    doc, page = new_pdf()
    y = red_header(page)
    centred(page, y, "关于做好2024年度政务服务事项清单动态调整工作的通知", 18)
    y = body_lines(page, y + 45, CLEAN_NOTICE[1:6], size=12.5, gap=24)
    page.insert_text((360, 640), "南宁市人民政府办公室", fontname=FONT, fontsize=14)
    page.insert_text((375, 664), "2024年3月15日", fontname=FONT, fontsize=14)
    page.insert_image(pymupdf.Rect(350, 560, 480, 690), stream=png_bytes(seal_image()), overlay=True)
    save_pdf(doc, "red_header_seal.pdf")
    return {"file": "red_header_seal.pdf", "expect": ["red_header/red_header", "seal/official_seal"]}


def pdf_vector_seal() -> dict:
    doc, page = new_pdf()
    centred(page, 130, "关于公布2024年第一批市级示范家庭农场名单的通知", 17)
    body_lines(page, 180, BODY[:3], size=12.5, gap=24)
    page.insert_text((360, 620), "南宁市农业农村局", fontname=FONT, fontsize=14)
    page.insert_text((372, 644), "2024年4月2日", fontname=FONT, fontsize=14)
    vector_seal(page, 420, 620)
    save_pdf(doc, "vector_seal.pdf")
    return {"file": "vector_seal.pdf", "expect": ["seal/official_seal"]}


def pdf_secret_telegram() -> dict:
    doc, page = new_pdf()
    page.insert_text((LEFT, 95), "000123", fontname=FONT, fontsize=14)
    page.insert_text((LEFT, 118), "机密★5年", fontname=FONT, fontsize=15)
    page.insert_text((LEFT, 141), "特急", fontname=FONT, fontsize=15)
    centred(page, 200, "关于做好重点时段安全稳定工作的通知", 18)
    body_lines(page, 250, BODY[:2], size=12.5, gap=24)
    page2 = doc.new_page(width=A4[0], height=A4[1])
    centred(page2, 110, "明  电", 36, RED)
    page2.insert_text((LEFT, 170), "发电单位：南宁市人民政府办公室", fontname=FONT, fontsize=13)
    page2.insert_text((LEFT, 195), "签批盘号：2024-0317", fontname=FONT, fontsize=13)
    page2.insert_text((380, 170), "等级：特急", fontname=FONT, fontsize=13)
    page2.draw_line((LEFT, 210), (RIGHT, 210), color=RED, width=1.5)
    body_lines(page2, 240, BODY[2:4], size=12.5, gap=24)
    save_pdf(doc, "secret_telegram.pdf")
    return {
        "file": "secret_telegram.pdf",
        "expect": ["classification_mark/secret_level", "classification_mark/telegram_header"],
    }


def pdf_leader_annotation() -> dict:
    doc, page = new_pdf()
    page.insert_text((330, 52), "请张伟同志阅处。", fontname=FONT, fontsize=15, color=BLUE)
    page.insert_text((400, 76), "李明 3.5", fontname=FONT, fontsize=14, color=BLUE)
    centred(page, 140, "关于申请拨付2024年城区道路维修资金的请示", 18)
    body_lines(
        page,
        190,
        [
            "市人民政府：",
            "为保障城区道路安全畅通，我局拟对主干道路面进行维修，所需资金480万元。",
            "妥否，请批示。",
        ],
        12.5,
        24,
    )
    page.insert_text((380, 330), "南宁市住房和城乡建设局", fontname=FONT, fontsize=13)
    page.insert_text((392, 354), "2024年3月1日", fontname=FONT, fontsize=13)
    save_pdf(doc, "leader_annotation.pdf")
    return {
        "file": "leader_annotation.pdf",
        "expect": ["leader_annotation/instruction"],
        "disclosure": "不予公开",
    }


def pdf_fake_redaction() -> dict:
    doc, page = new_pdf()
    centred(page, 130, "关于2024年度困难群众临时救助情况的公示", 18)
    y = body_lines(page, 180, ["根据《社会救助暂行办法》，现将临时救助对象公示如下："], 12.5, 24)
    who, pid, mobile, _ = PEOPLE[0]
    line = f"救助对象：{who}，身份证号：{pid}，联系电话：{mobile}"
    page.insert_text((LEFT, y), line, fontname=FONT, fontsize=12)
    x0 = LEFT + text_width("救助对象：张伟民，身份证号：", 12)
    page.draw_rect(
        pymupdf.Rect(x0 - 1, y - 12, x0 + text_width(pid, 12) + 1, y + 4), color=(0, 0, 0), fill=(0, 0, 0)
    )
    save_pdf(doc, "fake_redaction.pdf")
    return {
        "file": "fake_redaction.pdf",
        "expect": ["hidden_content/fake_redaction", "personal_data/id_card", "personal_data/mobile"],
    }


def scanned_red_header_png() -> dict:
    doc, page = new_pdf()
    y = red_header(page, "南宁市民政局文件", "南民发〔2024〕8号")
    centred(page, y, "关于开展2024年度社会组织年度检查工作的通知", 17)
    body_lines(page, y + 45, BODY[:3], 12.5, 24)
    page.insert_text((380, 640), "南宁市民政局", fontname=FONT, fontsize=14)
    page.insert_text((372, 664), "2024年5月6日", fontname=FONT, fontsize=14)
    page.insert_image(
        pymupdf.Rect(350, 570, 480, 700), stream=png_bytes(seal_image("南宁市民政局")), overlay=True
    )
    png = page.get_pixmap(dpi=150).tobytes("png")
    scanned(png).save(OUT / "scan_red_header_seal.jpg", quality=80)
    return {"file": "scan_red_header_seal.jpg", "expect": ["red_header/red_header", "seal/official_seal"]}


def scanned_clean_png() -> dict:
    doc, page = new_pdf()
    centred(page, 130, "关于开展全民健身日系列活动的通知", 18)
    body_lines(
        page,
        180,
        [
            "各县（区）文化广电体育局：",
            "为丰富群众体育文化生活，定于8月8日在市体育中心举办全民健身日活动。",
            "活动免费向市民开放，欢迎广大群众积极参与。",
        ],
        12.5,
        24,
    )
    png = page.get_pixmap(dpi=150).tobytes("png")
    scanned(png, rotate=-0.8, seed=5).save(OUT / "scan_clean_notice.jpg", quality=80)
    return {"file": "scan_clean_notice.jpg", "expect": []}


def stable_zip(path: Path) -> None:
    """Rewrite an OOXML zip with fixed entry timestamps so regenerated samples are byte-stable."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 15, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, data)


def fixed_dates(d) -> None:
    from datetime import datetime

    d.core_properties.created = d.core_properties.modified = datetime(2024, 3, 15, 9, 0, 0)


def docx_problems() -> dict:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    fixed_dates(d)
    d.core_properties.author = "王建国"
    d.core_properties.last_modified_by = "刘晓红"
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("南宁市财政局文件")
    run.font.size, run.font.bold = Pt(32), True
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("南财发〔2024〕21号").font.size = Pt(16)
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "18", "w:space": "1", "w:color": "E60012"}.items():
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    p._p.get_or_add_pPr().append(pbdr)
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("关于下达2024年度就业补助资金的通知").font.size = Pt(22)
    d.add_paragraph("各县（区）财政局：")
    body = d.add_paragraph("现将2024年度就业补助资金下达给你们，请按规定及时拨付。")
    d.add_comment(body.runs, text="此段请核实金额，联系人张伟民13877120456", author="王建国", initials="WJG")
    para = d.add_paragraph("资金分配情况见附件。")
    # tracked deletion: the removed sentence is still inside the file
    dele = OxmlElement("w:del")
    dele.set(qn("w:id"), "11")
    dele.set(qn("w:author"), "刘晓红")
    dele.set(qn("w:date"), "2024-03-10T09:00:00Z")
    r = OxmlElement("w:r")
    t = OxmlElement("w:delText")
    t.text = "其中青秀区因审计问题暂缓拨付。"
    t.set(qn("xml:space"), "preserve")
    r.append(t)
    dele.append(r)
    para._p.append(dele)
    hidden = d.add_paragraph().add_run("内部掌握：本资金分配方案暂不对外公布。")
    hidden.font.hidden = True
    d.add_paragraph("南宁市财政局").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("2024年3月12日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_picture(io.BytesIO(png_bytes(seal_image("南宁市财政局", rotate=8))), width=Mm(42))
    d.save(OUT / "draft_tracked.docx")
    stable_zip(OUT / "draft_tracked.docx")
    return {
        "file": "draft_tracked.docx",
        "expect": [
            "red_header/red_header",
            "seal/official_seal",
            "hidden_content/comment",
            "hidden_content/tracked_change",
            "hidden_content/hidden_text",
            "hidden_content/metadata_person",
            "personal_data/mobile",  # inside the Word comment
            "personal_data/person_name",
        ],
    }


def docx_clean_policy() -> dict:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = docx.Document()
    fixed_dates(d)
    d.core_properties.author = "南宁市司法局"
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t.add_run("南宁市政府信息公开保密审查办法").font.size = Pt(22)
    for line in [
        "第一条 为规范政府信息公开保密审查工作，根据《中华人民共和国保守国家秘密法》《中华人民共和国政府信息公开条例》，制定本办法。",
        "第二条 行政机关应当建立健全政府信息公开审查机制，坚持“先审查、后公开”和“一事一审”原则。",
        "第三条 行政机关不得公开涉及国家秘密、商业秘密、个人隐私的政府信息。不得泄露或传播领导同志对有关信件的批示。",
        "第四条 对外公开的公文应当使用不带公章的电子文本，不得上传盖有公章的扫描件。",
        "第五条 本办法自2024年6月1日起施行。",
    ]:
        d.add_paragraph(line)
    table = d.add_table(rows=3, cols=3)
    for i, row in enumerate(
        [
            ("事项", "责任单位", "办理时限"),
            ("保密审查", "各业务科室", "5个工作日"),
            ("信息发布", "办公室", "3个工作日"),
        ]
    ):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    d.save(OUT / "clean_policy.docx")
    stable_zip(OUT / "clean_policy.docx")
    return {"file": "clean_policy.docx", "expect": []}


def xlsx_roster() -> dict:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "发放名单"
    ws.append(["序号", "姓名", "身份证号", "联系电话", "银行卡号", "补贴金额（元）"])
    for i, (name, pid, mobile, card) in enumerate(PEOPLE, start=1):
        ws.append([i, name, pid, mobile, card, 1200 + i * 100])
    wb.properties.creator = "覃桂芳"
    from datetime import datetime

    wb.properties.created = wb.properties.modified = datetime(2024, 3, 15, 9, 0, 0)
    wb.save(OUT / "subsidy_roster.xlsx")
    stable_zip(OUT / "subsidy_roster.xlsx")
    return {
        "file": "subsidy_roster.xlsx",
        "expect": [
            "personal_data/id_card",
            "personal_data/mobile",
            "personal_data/bank_card",
            "personal_data/person_name",
            "personal_data/roster",
            "hidden_content/metadata_person",
        ],
        "disclosure": "依申请公开",
    }


def html_pages() -> list[dict]:
    nav = '<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a></div>'
    rows = "".join(f"<tr><td>{n}</td><td>{p}</td><td>城镇低保</td></tr>" for n, p, _, _ in PEOPLE[:3])
    leak = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>2024年第一季度城镇低保对象公示</title></head>
<body>{nav}
<h1>2024年第一季度城镇低保对象公示</h1>
<p>根据《社会救助暂行办法》有关规定，现将2024年第一季度新增城镇低保对象予以公示。</p>
<table><tr><th>姓名</th><th>身份证号</th><th>救助类别</th></tr>{rows}</table>
<div style="display:none">内部资料 注意保存 审核人：黄志强 18977165502</div>
<!-- 初稿由覃桂芳整理，联系电话 15907781234，定稿前删除 -->
<p>公示期：2024年4月1日至4月7日。监督电话：0771-12345。</p>
<p>附件：<a href="/files/2024q1_dibao.xlsx">低保对象名单.xlsx</a></p>
</body></html>"""
    (OUT / "dibao_notice.html").write_text(leak, encoding="utf-8")
    clean = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于开展政府网站内容保障工作的通知</title></head>
<body>{nav}
<h1>关于开展政府网站内容保障工作的通知</h1>
<p>各单位要落实“先审后发”和“三审三校”制度，坚持涉密不上网、上网不涉密。</p>
<p>发布的公文不得带有单位公章、红头和领导批示内容，涉及个人信息的应当依法脱敏。</p>
<table><tr><th>工作事项</th><th>责任单位</th></tr><tr><td>内容审核</td><td>各业务科室</td></tr><tr><td>技术保障</td><td>市大数据发展局</td></tr></table>
<p>咨询电话：0771-5512345。</p>
</body></html>"""
    (OUT / "clean_page.html").write_text(clean, encoding="utf-8")
    return [
        {
            "file": "dibao_notice.html",
            "expect": [
                "personal_data/id_card",
                "personal_data/person_name",
                "personal_data/mobile",
                "personal_data/roster",
                "hidden_content/hidden_text",
                "hidden_content/html_comment",
                "sensitive_term/internal_term",
            ],
            "disclosure": "依申请公开",
        },
        {"file": "clean_page.html", "expect": []},
    ]


def text_drafts() -> list[dict]:
    request = """关于申请召开全市安全生产工作会议的请示
南安委〔2024〕3号

市人民政府：
根据[2023]年度工作安排，我委拟于2024年4月召开全市安全生产工作会议，会议的的主要内容如下：
一、通报2023年全市安全生产形势（由市应急管理局负责。
二、部署2024年安全生产重点工作。
依据桂政办发[2023]15号文件精神，会议规模控制在200人以内。
妥否，请批示。

南宁市安全生产委员会
2024年3月5日
"""
    (OUT / "meeting_request.txt").write_text(request, encoding="utf-8")
    draft = """南宁市促进民营经济发展若干措施（征求意见稿）
一、打造全国最佳营商环境，力争成为全区第一品牌城市。
二、支持国家级经济技术开发区建设民营经济示范园区。
三、优化政务服务，推行“一网通办”。
"""
    (OUT / "policy_draft.txt").write_text(draft, encoding="utf-8")
    gbk = "关于2024年春节期间烟花爆竹燃放管理的通告\n为保障人民群众生命财产安全，现就春节期间烟花爆竹燃放管理有关事项通告如下。\n"
    (OUT / "gbk_notice.txt").write_bytes(gbk.encode("gb18030"))
    return [
        {
            "file": "meeting_request.txt",
            "expect": [
                "proofreading/doc_number_format",
                "proofreading/repeated_char",
                "proofreading/unmatched_pair",
            ],
            "disclosure": "不予公开",
        },
        {
            "file": "policy_draft.txt",
            "expect": ["sensitive_term/process_draft", "sensitive_term/ad_superlative"],
        },
        {"file": "gbk_notice.txt", "expect": []},
    ]


def pdf_charts_negative() -> dict:
    """Red that is not a 红头 or a seal: a red chart title, a red pie chart, red bars, red emphasis."""
    doc, page = new_pdf()
    centred(page, 110, "2024年上半年全市经济运行情况分析", 18)
    body_lines(page, 150, ["上半年，全市地区生产总值同比增长5.2%，规模以上工业增加值增长6.1%。"], 12.5, 24)
    page.insert_text((LEFT, 200), "重点提示：", fontname=FONT, fontsize=12.5, color=RED)
    page.insert_text(
        (LEFT + 65, 200), "固定资产投资增速回落，需加大项目建设力度。", fontname=FONT, fontsize=12.5
    )
    centred(page, 250, "图1 三次产业结构（%）", 14, RED)
    cx, cy, r = 200, 370, 80
    start = 0.0
    for share, colour in [(0.55, (0.85, 0.1, 0.1)), (0.3, (0.95, 0.5, 0.5)), (0.15, (0.6, 0.0, 0.0))]:
        end = start + share * 2 * math.pi
        pts = [(cx, cy)] + [
            (
                cx + r * math.cos(start + (end - start) * k / 24),
                cy + r * math.sin(start + (end - start) * k / 24),
            )
            for k in range(25)
        ]
        page.draw_polyline(pts + [(cx, cy)], color=(1, 1, 1), fill=colour, width=0.8, closePath=True)
        start = end
    for i, h in enumerate([60, 95, 120, 80]):
        page.draw_rect(
            pymupdf.Rect(330 + i * 40, 450 - h, 360 + i * 40, 450), color=None, fill=(0.8, 0.05, 0.05)
        )
    page.draw_line((320, 450), (500, 450), color=(0, 0, 0), width=0.8)
    body_lines(page, 520, ["下一步，各部门要落实领导批示要求，抓好稳增长各项政策落地。"], 12.5, 24)
    save_pdf(doc, "chart_report.pdf")
    return {
        "file": "chart_report.pdf",
        "expect": [],
        "note": "红色图表标题、饼图、柱状图和正文强调，不是红头或印章",
    }


def personal_seal_image(text: str = "李明之印", size: int = 150) -> Image.Image:
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    red = (205, 25, 30, 240)
    d.rectangle([6, 6, size - 6, size - 6], outline=red, width=9)
    font = cjk_font(size // 2 - 18)
    cells = [
        (size // 2 + 2, 14),
        (size // 2 + 2, size // 2 - 2),
        (16, 14),
        (16, size // 2 - 2),
    ]  # read right to left
    for ch, (x, y) in zip(text, cells, strict=True):
        d.text((x, y), ch, font=font, fill=red)
    return img


def pdf_personal_seal() -> dict:
    doc, page = new_pdf()
    centred(page, 130, "授权委托书", 20)
    body_lines(
        page,
        190,
        [
            "兹委托本单位办公室工作人员办理2024年度政府信息公开年度报告报送事宜。",
            "委托期限自2024年1月1日至2024年12月31日。",
        ],
        12.5,
        24,
    )
    page.insert_text((360, 330), "委托人：李明", fontname=FONT, fontsize=13)
    page.insert_image(pymupdf.Rect(440, 300, 490, 350), stream=png_bytes(personal_seal_image()), overlay=True)
    save_pdf(doc, "personal_seal.pdf")
    return {"file": "personal_seal.pdf", "expect": ["seal/personal_seal"]}


def scanned_leader_note() -> dict:
    doc, page = new_pdf()
    page.insert_text((300, 55), "拟同意，请王市长审定。", fontname=FONT, fontsize=17, color=BLUE)
    page.insert_text((420, 82), "陈刚 4.8", fontname=FONT, fontsize=16, color=BLUE)
    centred(page, 140, "关于调整城区公交线路的报告", 18)
    body_lines(
        page,
        190,
        [
            "市人民政府：",
            "为方便群众出行，市交通运输局拟对城区12条公交线路进行优化调整。",
            "以上报告，请审阅。",
        ],
        12.5,
        24,
    )
    png = page.get_pixmap(dpi=150).tobytes("png")
    scanned(png, rotate=0.7, seed=9).save(OUT / "scan_leader_note.jpg", quality=80)
    return {
        "file": "scan_leader_note.jpg",
        "expect": ["leader_annotation/instruction"],
        "disclosure": "不予公开",
    }


def docx_red_emphasis() -> dict:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    fixed_dates(d)
    d.core_properties.author = "南宁市应急管理局"
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = t.add_run("关于做好2024年汛期安全防范工作的提示")
    run.font.size, run.font.bold = Pt(22), True
    p = d.add_paragraph("入汛以来，我市降雨偏多。")
    warn = p.add_run("请广大市民注意防范强降雨引发的城市内涝和地质灾害。")
    warn.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    warn.font.bold = True
    d.add_paragraph("如遇险情，请拨打119或12345求助。")
    d.save(OUT / "flood_notice.docx")
    stable_zip(OUT / "flood_notice.docx")
    return {"file": "flood_notice.docx", "expect": [], "note": "正文红色强调与黑色加粗标题"}


def prose_negatives() -> list[dict]:
    """Realistic prose that talks about secrets, seals, instructions and numbers: must stay clean."""
    texts = {
        "baomi_xuanchuan.txt": """关于开展2024年度保密宣传教育月活动的通知
各县（区）保密委员会，市直各单位：
为深入学习贯彻《中华人民共和国保守国家秘密法》，增强干部职工保密意识，经研究，决定在全市开展保密宣传教育月活动。
一、活动内容。组织学习保密法律法规，开展涉密载体管理、机密文件管理和绝密级档案管理专题培训。
二、工作要求。各单位要严格执行“涉密不上网、上网不涉密”规定，不得在互联网上传输国家秘密、工作秘密，不得泄露或传播领导同志对有关信件的批示。
三、对外发布的文件一律使用不带公章的电子文本，不得上传加盖印章的扫描件。
联系电话：0771-2801234（市保密局办公室）。
（此件公开发布）
""",
        "caigou_gonggao.html": """<!DOCTYPE html><html><head><meta charset="utf-8"><title>南宁市政务服务中心办公设备采购项目中标结果公告</title></head><body>
<h1>南宁市政务服务中心办公设备采购项目中标结果公告</h1>
<p>项目编号：NNZC2024-G1-000123-GXZC</p>
<table><tr><th>中标供应商</th><th>统一社会信用代码</th><th>中标金额（元）</th></tr>
<tr><td>广西某某科技有限公司</td><td>91450100MA5K12345X</td><td>1,286,500.00</td></tr></table>
<p>采购人：南宁市政务服务监督管理局，联系电话：0771-5512345。</p>
<p>采购代理机构：广西某某招标有限公司，地址：南宁市青秀区民族大道100号，联系电话：0771-5678901。</p>
<p>依据南府办发〔2023〕28号文件，本项目采用公开招标方式。公告期限为1个工作日。</p>
</body></html>""",
        "pifu.txt": """南宁市人民政府关于同意设立南宁市青秀区长塘镇的批复
南府复〔2024〕12号

青秀区人民政府：
你区《关于申请撤销长塘乡设立长塘镇的请示》收悉。经研究，现批复如下：
一、同意撤销长塘乡，设立长塘镇，以原长塘乡的行政区域为长塘镇的行政区域。
二、长塘镇人民政府驻地不变。
三、你区要认真落实市领导批示精神，做好相关工作。

南宁市人民政府
2024年5月20日
（此件公开发布）
""",
        "gongkai_nianbao.txt": """南宁市民政局2023年政府信息公开工作年度报告
本报告根据《中华人民共和国政府信息公开条例》第五十条规定编制。
一、总体情况。2023年，我局主动公开政府信息1286条，其中规范性文件12件。
二、收到和处理政府信息公开申请情况。本年新收申请35件，其中予以公开21件，不予公开2件（属于国家秘密1件、其他法律行政法规禁止公开1件）。
三、政府信息公开行政复议、行政诉讼情况。本年度未发生行政复议和行政诉讼。
四、存在的主要问题及改进情况。个别栏目更新不及时，下一步将严格落实“三审三校”制度。
""",
    }
    entries = []
    for name, text in texts.items():
        (OUT / name).write_text(text, encoding="utf-8")
        entries.append({"file": name, "expect": []})
    entries[0]["disclosure"] = "主动公开"
    entries[2]["disclosure"] = "主动公开"
    return entries


# -- OFD (GB/T 33190-2016): written directly as zip + XML ----------------------------------------
OFD_NS = "http://www.ofdspec.org/2016"


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ofd_package(
    lines: list[tuple[float, float, str, float, tuple[int, int, int] | None]],
    *,
    red_line_y: float | None = None,
    seal_png: bytes | None = None,
    seal_box: tuple[float, float, float, float] = (120, 200, 42, 42),
    signed: bool = False,
    title: str = "",
    author: str = "",
) -> bytes:
    """A one-page A4 OFD: `lines` = (x mm, baseline y mm, text, size mm, RGB or None); an
    optional red separator line, a seal picture (ImageObject) and an electronic signature in
    Signs/ with a StampAnnot over the seal (SignedValue is a placeholder: nothing verifies it)."""
    import zipfile

    objects, oid = [], 10
    for x, y, text, size, color in lines:
        oid += 1
        width = size * len(text) + 1
        fill = f'<ofd:FillColor Value="{color[0]} {color[1]} {color[2]}"/>' if color else ""
        deltas = " ".join([f"{size:g}"] * (len(text) - 1))
        objects.append(
            f'<ofd:TextObject ID="{oid}" Boundary="{x:g} {y - size:g} {width:g} {size * 1.4:g}" Font="3" Size="{size:g}">'
            f'{fill}<ofd:TextCode X="0" Y="{size:g}" DeltaX="{deltas}">{_x(text)}</ofd:TextCode></ofd:TextObject>'
        )
    if red_line_y is not None:
        oid += 1
        objects.append(
            f'<ofd:PathObject ID="{oid}" Boundary="27 {red_line_y:g} 156 1" LineWidth="0.6">'
            '<ofd:StrokeColor Value="200 0 0"/><ofd:AbbreviatedData>M 0 0.5 L 156 0.5</ofd:AbbreviatedData></ofd:PathObject>'
        )
    media = ""
    if seal_png is not None:
        oid += 1
        x, y, w, h = seal_box
        objects.append(
            f'<ofd:ImageObject ID="{oid}" Boundary="{x:g} {y:g} {w:g} {h:g}" CTM="{w:g} 0 0 {h:g} 0 0" ResourceID="4"/>'
        )
        media = '<ofd:MultiMedias><ofd:MultiMedia ID="4" Type="Image"><ofd:MediaFile>seal.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias>'
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content><ofd:Layer ID="2">'
        + "".join(objects)
        + "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    info = (
        f"<ofd:DocID>pubguard-sample</ofd:DocID><ofd:Title>{_x(title)}</ofd:Title>"
        if title
        else "<ofd:DocID>pubguard-sample</ofd:DocID>"
    )
    if author:
        info += f"<ofd:Author>{_x(author)}</ofd:Author>"
    info += "<ofd:CreationDate>2024-03-15</ofd:CreationDate><ofd:Creator>PubGuard samples</ofd:Creator>"
    sigs = "<ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures>" if signed else ""
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>{info}</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{sigs}</ofd:DocBody></ofd:OFD>',
        "Doc_0/Document.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>{oid + 10}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        "Doc_0/PublicRes.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/></ofd:Fonts>{media}</ofd:Res>',
        "Doc_0/Pages/Page_0/Content.xml": content,
    }
    if seal_png is not None:
        files["Doc_0/Res/seal.png"] = seal_png
    if signed:
        x, y, w, h = seal_box
        files["Doc_0/Signs/Signatures.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="{OFD_NS}"><ofd:MaxSignId>1</ofd:MaxSignId>'
            '<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/></ofd:Signatures>'
        )
        files["Doc_0/Signs/Sign_0/Signature.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="{OFD_NS}"><ofd:SignedInfo>'
            '<ofd:Provider ProviderName="PubGuard sample signer" Company="PubGuard" Version="1.0"/>'
            "<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod>"
            "<ofd:SignatureDateTime>2024-03-15 09:00:00</ofd:SignatureDateTime>"
            f'<ofd:StampAnnot ID="1" PageRef="1" Boundary="{x:g} {y:g} {w:g} {h:g}"/>'
            "<ofd:Seal><ofd:BaseLoc>Seal.esl</ofd:BaseLoc></ofd:Seal>"
            "</ofd:SignedInfo><ofd:SignedValue>SignedValue.dat</ofd:SignedValue></ofd:Signature>"
        )
        files["Doc_0/Signs/Sign_0/Seal.esl"] = "ES-SAMPLE 南宁市财政局公章".encode()
        files["Doc_0/Signs/Sign_0/SignedValue.dat"] = b"placeholder, not a signature"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name, date_time=(2024, 3, 15, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


OFD_RED = (200, 0, 0)


def ofd_red_header_seal() -> dict:
    data = ofd_package(
        [
            (38, 60, "南宁市财政局文件", 11, OFD_RED),
            (78, 80, "南财发〔2024〕21号", 5.5, None),
            (45, 105, "关于下达2024年度就业补助资金的通知", 7.5, None),
            (27, 125, "各县（区）财政局：", 5.5, None),
            (38, 136, "现将2024年度就业补助资金下达给你们，请按规定及时拨付。", 5.5, None),
            (130, 215, "南宁市财政局", 5.5, None),
            (126, 226, "2024年3月12日", 5.5, None),
        ],
        red_line_y=86,
        seal_png=png_bytes(seal_image("南宁市财政局", rotate=6)),
        seal_box=(118, 195, 42, 42),
        signed=True,
        title="关于下达2024年度就业补助资金的通知",
        author="王建国",
    )
    (OUT / "ofd_red_header_seal.ofd").write_bytes(data)
    return {
        "file": "ofd_red_header_seal.ofd",
        # the seal picture under the StampAnnot is the same seal: reported once, as electronic_seal
        "expect": ["red_header/red_header", "seal/electronic_seal", "hidden_content/metadata_person"],
        "note": "OFD 红头公文：红色发文机关标志、红色分隔线、印章图片和 Signs/ 中的电子签章",
    }


def ofd_clean_notice() -> dict:
    data = ofd_package(
        [
            (40, 50, "关于做好2024年春季森林防火工作的通知", 7.5, None),
            (27, 70, "各乡镇人民政府，县直各单位：", 5.5, None),
            (38, 81, "当前正值春季森林防火关键期，请各单位落实责任，加强巡查。", 5.5, None),
            (38, 92, "对涉及国家秘密的材料，按有关规定管理，不得上网发布。", 5.5, None),
            (130, 130, "县应急管理局", 5.5, None),
            (126, 141, "2024年3月1日", 5.5, None),
        ],
    )
    (OUT / "ofd_clean_notice.ofd").write_bytes(data)
    return {
        "file": "ofd_clean_notice.ofd",
        "expect": [],
        "note": "OFD 通知，黑色正文，无红头、无印章、无签章",
    }


def legacy_office_samples() -> list[dict]:
    """.doc / .wps / .rtf / .xls / .ppt saved by the real LibreOffice from the DOCX/XLSX/PPTX
    samples (the same converter PubGuard uses); skipped with a note when LibreOffice is missing."""
    import sys

    sys.path.insert(0, str(OUT.parent))
    from pubguard.extract import convert

    if not convert.available():
        print("LibreOffice missing: legacy Office samples not regenerated (sh scripts/ensure-libreoffice.sh)")
        return [e for e in json.loads((OUT / "manifest.json").read_text("utf-8"))["files"] if e.get("legacy")]
    out = []

    def save(
        src: str, target: str, name: str, expect: list[str], note: str, data: bytes | None = None
    ) -> None:
        raw = data if data is not None else (OUT / src).read_bytes()
        (OUT / name).write_bytes(convert.convert(raw, Path(src).suffix, target))
        out.append({"file": name, "expect": expect, "note": note, "legacy": True})

    tracked = [
        "red_header/red_header",
        "seal/official_seal",
        "hidden_content/comment",
        "hidden_content/tracked_change",
        "hidden_content/hidden_text",
        "hidden_content/metadata_person",
        "personal_data/mobile",
        "personal_data/person_name",
    ]
    save(
        "draft_tracked.docx",
        "doc",
        "draft_tracked.doc",
        tracked,
        "LibreOffice 由 draft_tracked.docx 另存的 Word 97-2003 文件：红头、印章、批注、修订仍在",
    )
    save("clean_policy.docx", "doc", "clean_policy.doc", [], "LibreOffice 另存的干净 .doc")
    save("draft_tracked.docx", "rtf", "draft_tracked.rtf", tracked, "LibreOffice 另存的 RTF 版本")
    roster = [
        e
        for e in json.loads((OUT / "manifest.json").read_text("utf-8"))["files"]
        if e["file"] == "subsidy_roster.xlsx"
    ]
    save(
        "subsidy_roster.xlsx",
        "xls",
        "subsidy_roster.xls",
        [r for r in roster[0]["expect"]] if roster else [],
        "LibreOffice 另存的 Excel 97-2003 名单",
    )
    out[-1]["disclosure"] = "依申请公开"
    return out


def main() -> None:
    entries = [
        pdf_clean_notice(),
        pdf_red_header_seal(),
        pdf_vector_seal(),
        pdf_secret_telegram(),
        pdf_leader_annotation(),
        pdf_fake_redaction(),
        scanned_red_header_png(),
        scanned_clean_png(),
        docx_problems(),
        docx_clean_policy(),
        xlsx_roster(),
        *html_pages(),
        *text_drafts(),
        pdf_charts_negative(),
        pdf_personal_seal(),
        scanned_leader_note(),
        docx_red_emphasis(),
        *prose_negatives(),
        ofd_red_header_seal(),
        ofd_clean_notice(),
        *legacy_office_samples(),
    ]
    manifest = {
        "description": "Expected rules per sample (category/rule). Empty = clean document.",
        "files": entries,
    }
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(entries)} samples to {OUT}")


if __name__ == "__main__":
    main()
