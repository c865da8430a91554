"""红头 detector: PDFs built with PyMuPDF and read by the real extractor, DOCX with
python-docx, scans drawn with PIL. Positives need two of organ mark / red rule / 发文字号."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.red_header import RedHeaderDetector, find_doc_number, organ_mark_text
from pubguard.document import BlockKind, Document, ImageItem, Page, TextBlock
from pubguard.extract import extract
from pubguard.finding import Severity

RED = (215, 30, 35)
RED_F = (0.85, 0.1, 0.1)
NO_OCR = ScanConfig(ocr=False)
_FONT = pymupdf.Font("china-s").buffer
BODY = "各区县人民政府，市政府各部门：现将有关事项通知如下，请结合实际认真贯彻执行。"


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_FONT), size)


def run(doc: Document) -> list:
    return list(RedHeaderDetector().detect(doc, ScanContext(config=NO_OCR)))


def _centred(page: pymupdf.Page, y: float, text: str, size: float, color=(0, 0, 0)) -> None:
    w = pymupdf.get_text_length(text, fontname="china-s", fontsize=size)
    page.insert_text(((595 - w) / 2, y), text, fontname="china-s", fontsize=size, color=color)


def header_pdf(
    organ: str | None = "某某市人民政府文件",
    number: str | None = "某政发〔2023〕5号",
    line: str | None = "line",
    organ_color=RED_F,
    title: str = "关于做好2023年安全生产工作的通知",
    title_color=(0, 0, 0),
    extra=None,
) -> Document:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    if organ:
        _centred(page, 200, organ, 36, organ_color)
    if number:
        _centred(page, 262, number, 16)
    if line == "line":
        page.draw_line((79, 280), (516, 280), color=RED_F, width=2)
    elif line == "split":  # party organs: a star in the middle of the rule
        page.draw_line((79, 280), (283, 280), color=RED_F, width=2)
        page.draw_line((312, 280), (516, 280), color=RED_F, width=2)
    elif line == "rect":  # a thin filled rectangle instead of a stroked line
        page.draw_rect(pymupdf.Rect(79, 279, 516, 281), color=None, fill=RED_F)
    _centred(page, 330, title, 22, title_color)
    for i in range(10):
        page.insert_text((79, 380 + i * 28), BODY[: 28 + (i % 3)], fontname="china-s", fontsize=16)
    if extra:
        extra(page)
    return extract(pdf.tobytes(), "t.pdf", NO_OCR)


# -- text / vector evidence (PDF) -----------------------------------------------------------------
def test_pdf_full_red_header():
    doc = header_pdf()
    found = run(doc)
    assert [f.rule for f in found] == ["red_header"]
    f = found[0]
    assert f.severity == Severity.BLOCKER and f.category == "red_header" and f.confidence >= 0.9
    assert f.details.signals == ("organ_mark", "red_rule", "doc_number")
    assert f.details.organ_mark == "某某市人民政府文件" and f.details.doc_number == "某政发〔2023〕5号"
    assert doc.text[f.location.start : f.location.end] == "某某市人民政府文件"
    x0, y0, x1, y1 = f.location.bbox
    assert x0 <= 80 and x1 >= 515 and y0 < 200 and y1 >= 279
    assert "红头" in f.message and "GB/T 9704" in f.basis and f.suggestion


@pytest.mark.parametrize(
    "organ,number,line,expected",
    [
        ("某某市人民政府文件", None, "line", ["organ_mark", "red_rule"]),
        ("某某县教育局", "某教发〔2022〕12号", None, ["organ_mark", "doc_number"]),
        (None, "某政办发[2022]3号", "line", ["red_rule", "doc_number"]),
        ("中共某某市委办公室", None, "split", ["organ_mark", "red_rule"]),
        ("某某市卫生健康委员会", None, "rect", ["organ_mark", "red_rule"]),
    ],
)
def test_pdf_two_of_three(organ, number, line, expected):
    found = run(header_pdf(organ=organ, number=number, line=line))
    assert [f.rule for f in found] == ["red_header"]
    assert found[0].details.signals == tuple(expected)
    assert found[0].severity == Severity.BLOCKER


def test_pdf_red_title_with_number_is_not_a_header():
    # A red title is emphasis, not an organ mark; the number alone is ordinary.
    doc = header_pdf(organ="关于做好2023年防汛工作的通知", line=None)
    assert run(doc) == []


def test_pdf_black_organ_name_with_number_is_not_a_red_header():
    assert run(header_pdf(organ_color=(0, 0, 0), line=None)) == []


def test_pdf_red_organ_mark_alone_is_only_a_hint():
    found = run(header_pdf(number=None, line=None))
    assert [(f.rule, f.severity) for f in found] == [("red_organ_mark", Severity.INFO)]


def test_pdf_red_things_in_the_body_are_not_a_header():
    def body_red(page: pymupdf.Page) -> None:
        page.insert_text((200, 560), "图1 各区县任务完成情况", fontname="china-s", fontsize=20, color=RED_F)
        page.draw_rect(pymupdf.Rect(79, 600, 516, 630), color=None, fill=RED_F)  # red table header
        page.insert_text(
            (90, 620), "序号  项目名称  责任单位", fontname="china-s", fontsize=14, color=(1, 1, 1)
        )
        page.insert_text((79, 700), "某某市人民政府办公室", fontname="china-s", fontsize=24, color=RED_F)
        page.draw_line((79, 720), (516, 720), color=RED_F, width=1)  # 版记 style rule at the bottom

    assert run(header_pdf(organ=None, number=None, line=None, extra=body_red)) == []


def test_pdf_organ_mark_with_a_short_red_underline_is_only_a_hint():
    def underline(page: pymupdf.Page) -> None:
        page.draw_line((220, 290), (375, 290), color=RED_F, width=2)

    found = run(header_pdf(number=None, line=None, extra=underline))
    assert [f.rule for f in found] == ["red_organ_mark"]


def test_pdf_short_red_underline_and_cited_number_are_not_a_header():
    def citing(page: pymupdf.Page) -> None:
        page.draw_line((230, 340), (360, 340), color=RED_F, width=1.5)  # underline under a phrase

    doc = header_pdf(
        organ=None,
        number="根据《关于加强安全生产的通知》（某政发〔2022〕3号）精神，结合我市实际制定本方案。",
        line=None,
        extra=citing,
    )
    assert run(doc) == []


def test_pdf_header_pasted_as_picture_plus_text_number():
    def picture(page: pymupdf.Page) -> None:
        page.insert_image(pymupdf.Rect(79, 120, 516, 226), stream=_header_picture())

    found = run(header_pdf(organ=None, number="某政发〔2023〕5号", line=None, extra=picture))
    assert [f.rule for f in found] == ["red_header"]
    assert found[0].details.signals == ("organ_mark", "red_rule", "doc_number")
    assert found[0].details.sources["organ_mark"] == "image"


def _pseudo_glyphs(page: pymupdf.Page) -> None:
    """An organ mark converted to curves: a row of red filled outlines, no text."""
    for i in range(8):
        x = 110 + i * 48
        for rect in (
            (x, 150, x + 36, 156),
            (x, 167, x + 36, 173),
            (x, 184, x + 36, 190),
            (x + 15, 150, x + 21, 190),
        ):
            page.draw_rect(pymupdf.Rect(*rect), color=None, fill=RED_F)


def test_pdf_organ_mark_as_outlines_is_read_from_pixels():
    found = run(header_pdf(organ=None, line=None, extra=_pseudo_glyphs))
    assert [f.details.signals for f in found] == [("organ_mark", "doc_number")]
    assert found[0].details.sources["organ_mark"] == "vector-render"


def test_pdf_red_bar_chart_at_the_top_is_not_an_organ_mark():
    def bars(page: pymupdf.Page) -> None:
        for i, v in enumerate((40, 70, 55, 90, 30, 65)):
            page.draw_rect(pymupdf.Rect(150 + i * 50, 220 - v, 180 + i * 50, 220), color=None, fill=RED_F)

    assert run(header_pdf(organ=None, line=None, extra=bars)) == []


def _spread_pdf(organ: str = "某某市人民政府", color=RED_F, rule: bool = True, y: float = 180) -> Document:
    """分散对齐 organ mark as real templates write it: each glyph its own text line, spread
    across the text area, then a red rule (and a placeholder number that is no 发文字号)."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    step = (516 - 79 - 30) / max(1, len(organ) - 1)
    for i, ch in enumerate(organ):
        page.insert_text((79 + i * step, y), ch, fontname="china-s", fontsize=26, color=color)
    page.insert_text((240, y + 34), "XX发〔202X〕X号", fontname="china-s", fontsize=15)
    if rule:
        page.draw_line((79, y + 70), (516, y + 70), color=RED_F, width=1.5)
    _centred(page, y + 130, "关于印发《公文格式示例》的通知", 22)
    for i in range(8):
        page.insert_text((79, y + 180 + i * 28), BODY[: 28 + (i % 3)], fontname="china-s", fontsize=16)
    return extract(pdf.tobytes(), "t.pdf", NO_OCR)


def test_pdf_spread_organ_mark_one_glyph_per_line():
    found = run(_spread_pdf())
    assert [f.rule for f in found] == ["red_header"]
    assert found[0].details.organ_mark == "某某市人民政府"
    assert found[0].details.signals == ("organ_mark", "red_rule")


@pytest.mark.parametrize(
    "kwargs",
    [{"color": (0, 0, 0)}, {"organ": "关于开展安全检查的通知"}, {"rule": False}, {"y": 600}],
    ids=["black", "red_title", "no_rule", "low_on_page"],
)
def test_pdf_spread_glyphs_that_are_no_red_header(kwargs):
    assert [f.rule for f in run(_spread_pdf(**kwargs)) if f.severity != Severity.INFO] == []


# -- DOCX -----------------------------------------------------------------------------------------
def _docx(
    organ_color: str | None = "FF0000", organ: str = "某某市教育局文件", border: bool = True
) -> Document:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(organ)
    r.font.size = Pt(36)
    if organ_color:
        r.font.color.rgb = RGBColor.from_string(organ_color)
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("某教发〔2023〕8号").font.size = Pt(16)
    if border:
        p._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="18" w:space="4" w:color="FF0000"/></w:pBdr>'
            )
        )
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t.add_run("关于开展校园安全检查的通知").font.size = Pt(22)
    for _ in range(5):
        d.add_paragraph(BODY).runs[0].font.size = Pt(16)
    buf = io.BytesIO()
    d.save(buf)
    return extract(buf.getvalue(), "t.docx", NO_OCR)


def test_docx_red_header_with_paragraph_border():
    doc = _docx()
    found = run(doc)
    assert [f.rule for f in found] == ["red_header"]
    f = found[0]
    assert f.details.signals == ("organ_mark", "red_rule", "doc_number")
    assert doc.text[f.location.start : f.location.end] == "某某市教育局文件"
    assert f.location.bbox is None and f.location.page == 1


def _docx_table_rule(colour: str = "C8102E") -> Document:
    """The rule under the 版头 drawn as the bottom border of a one-row, one-cell table."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run("某某县人民政府办公室")
    r.font.size = Pt(30)
    r.font.color.rgb = RGBColor.from_string("C8102E")
    d.add_paragraph("张三").alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = d.add_table(rows=1, cols=1)
    table._tbl.tblPr.append(
        parse_xml(
            f'<w:tblBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="0" w:color="{colour}"/>'
            "</w:tblBorders>"
        )
    )
    d.add_paragraph("关于开展校园安全检查的通知").runs[0].font.size = Pt(22)
    for _ in range(5):
        d.add_paragraph(BODY).runs[0].font.size = Pt(16)
    buf = io.BytesIO()
    d.save(buf)
    return extract(buf.getvalue(), "t.docx", NO_OCR)


def test_docx_rule_as_red_table_border():
    found = run(_docx_table_rule())
    assert [f.rule for f in found] == ["red_header"]
    assert found[0].details.signals == ("organ_mark", "red_rule")
    assert found[0].details.sources["red_rule"] == "docx:border"


def test_docx_black_table_border_is_no_red_rule():
    assert [f.rule for f in run(_docx_table_rule("000000"))] == ["red_organ_mark"]


def test_docx_black_organ_and_no_border_is_clean():
    assert run(_docx(organ_color=None, border=False)) == []


def test_docx_red_title_with_red_border_is_not_a_header():
    # organ mark replaced by a red title; the number + red border still make two signals
    found = run(_docx(organ="关于开展校园安全检查的通知"))
    assert [f.details.signals for f in found] == [("red_rule", "doc_number")]
    assert run(_docx(organ="关于开展校园安全检查的通知", border=False)) == []


def _header_picture() -> bytes:
    img = Image.new("RGB", (1240, 300), "white")
    d = ImageDraw.Draw(img)
    d.text((620, 110), "某某市人民政府文件", font=font(100), fill=RED, anchor="mm")
    d.line([40, 270, 1200, 270], fill=RED, width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("at_top", [True, False])
def test_docx_header_picture_counts_only_at_the_top(at_top):
    import docx
    from docx.shared import Mm

    d = docx.Document()
    if at_top:
        d.add_picture(io.BytesIO(_header_picture()), width=Mm(156))
    d.add_paragraph("某政发〔2023〕5号")
    d.add_paragraph("关于开展校园安全检查的通知")
    for _ in range(8):
        d.add_paragraph(BODY)
    if not at_top:
        d.add_picture(io.BytesIO(_header_picture()), width=Mm(156))
    buf = io.BytesIO()
    d.save(buf)
    found = run(extract(buf.getvalue(), "t.docx", NO_OCR))
    if at_top:
        assert [f.details.signals for f in found] == [("organ_mark", "red_rule", "doc_number")]
    else:
        assert found == []


# -- pixels (scans) -------------------------------------------------------------------------------
def scan_doc(img: Image.Image, ocr: list[tuple[str, tuple[float, float, float, float]]] = ()) -> Document:
    w, h = img.size
    page = Page(1, w, h, unit="px", has_text_layer=False, ocr_applied=bool(ocr), renderer=lambda dpi: img)
    doc = Document(name="scan.png", format="png", pages=[page])
    doc.images.append(ImageItem(page=1, bbox=(0, 0, w, h), width=w, height=h, kind="page_scan"))
    for i, (text, box) in enumerate(ocr):
        doc.blocks.append(TextBlock(text, 1, BlockKind.OCR, bbox=box, paragraph=i, confidence=0.9))
    return doc.finalize()


def scan_page(
    mark: str | None = "某某市人民政府文件", line: bool = True, number: bool = True, body_lines: int = 12
) -> Image.Image:
    img = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(img)
    if mark:
        d.text((620, 300), mark, font=font(84 if len(mark) < 12 else 56), fill=RED, anchor="mm")
    if number:
        d.text((620, 450), "某政发〔2023〕5号", font=font(32), fill="black", anchor="mm")
    if line:
        d.line([160, 500, 1080, 500], fill=RED, width=5)
    for i in range(body_lines):
        d.text((160, 620 + i * 60), BODY[:26], font=font(30), fill="black")
    return img


def test_scan_red_header_from_pixels():
    found = run(scan_doc(scan_page()))
    assert [f.rule for f in found] == ["red_header"]
    f = found[0]
    assert f.details.signals == ("organ_mark", "red_rule")
    assert f.details.sources == {"organ_mark": "pixels", "red_rule": "pixels"}
    x0, y0, x1, y1 = f.location.bbox
    assert x0 <= 260 and x1 >= 1000 and 230 <= y0 <= 300 and 495 <= y1 <= 510


def test_scan_rule_plus_ocr_number():
    ocr = [("某政发〔2023〕5号", (470.0, 430.0, 770.0, 470.0))]
    found = run(scan_doc(scan_page(mark=None), ocr))
    assert [f.details.signals for f in found] == [("red_rule", "doc_number")]
    assert found[0].details.sources["doc_number"] == "ocr"


def test_scan_red_title_read_by_ocr_is_not_an_organ_mark():
    title = "关于做好2023年防汛工作的通知"
    ocr = [(title, (200.0, 270.0, 1040.0, 330.0))]
    assert run(scan_doc(scan_page(mark=title, number=False), ocr)) == []


def test_scan_without_red_top_is_clean():
    img = scan_page(mark=None, line=False)
    d = ImageDraw.Draw(img)
    d.rectangle([160, 1200, 1080, 1250], fill=RED)  # red table header low on the page
    d.ellipse([800, 1400, 1040, 1640], outline=RED, width=8)
    assert run(scan_doc(img)) == []


# -- reading helpers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,ok",
    [
        ("某某市人民政府文件", True),
        ("某 某 市 人 民 政 府", True),
        ("中共某某市委办公室", True),
        ("某某市教育局", True),
        ("文件", True),
        ("某某市人民政府常务会议纪要", True),
        ("关于做好2023年防汛工作的通知", False),
        ("某某市人民政府办公室关于印发实施方案的通知", False),
        ("图1 各区县任务完成情况", False),
        ("各区县人民政府，市政府各部门：", False),
        ("2023年工作要点", False),
        ("某某市人民政府工作报告", False),  # a red report cover title
        ("关于调整某某市人民政府领导分工", False),
    ],
)
def test_organ_mark_text(text, ok):
    assert organ_mark_text(text) is ok


@pytest.mark.parametrize(
    "text,number",
    [
        ("某政办发〔2022〕3号", "某政办发〔2022〕3号"),
        ("国办函〔2021〕105号", "国办函〔2021〕105号"),
        ("某政发[2022]3号", "某政发[2022]3号"),
        ("某政发(2022)第3号", "某政发(2022)第3号"),
        ("某政发〔2023〕5号                签发人：张某", "某政发〔2023〕5号"),
        ("根据《关于加强安全生产的通知》（某政发〔2022〕3号）精神，结合实际制定本方案。", None),
        ("按照某政发〔2022〕3号文件要求，各单位要认真组织开展自查自纠工作。", None),
        ("2022年3号楼", None),
        ("《某某市安全生产条例》（某政发〔2022〕3号）", None),
    ],
)
def test_find_doc_number(text, number):
    m = find_doc_number(text)
    assert (m.group(0) if m else None) == number


@pytest.mark.ocr
def test_scan_through_the_image_extractor_with_ocr():
    buf = io.BytesIO()
    scan_page(body_lines=1).save(buf, "PNG")  # few lines: OCR time grows with text
    doc = extract(buf.getvalue(), "scan.png", ScanConfig(ocr=True))
    found = run(doc)
    assert [f.rule for f in found] == ["red_header"]
    f = found[0]
    assert f.details.signals == ("organ_mark", "red_rule", "doc_number")
    assert f.details.sources["doc_number"] == "ocr"
    assert f.details.organ_mark == "某某市人民政府文件"  # the OCR line over the red glyph row
    assert f.location.start is not None and f.block_kind == "ocr"


# -- HTML: colours and rules from the computed style (stylesheet classes) ----------------------

_SITE_TOP = (
    '<div class="banner"><span class="site">某某市人民政府门户网站</span></div>'
    '<div class="crumb">首页 > 政务公开 > 政策文件</div>'
)
_ARTICLE = (
    f"<p>关于印发某某市防汛应急预案的通知</p><p>{BODY}</p><p>某某市人民政府办公室</p><p>2024年5月6日</p>"
)


def html_doc(style: str, top: str) -> Document:
    page = f"<html><head><style>{style}</style></head><body>{_SITE_TOP}{top}{_ARTICLE}</body></html>"
    return extract(page.encode(), "notice.html", NO_OCR)


def test_html_red_header_from_css_classes() -> None:
    doc = html_doc(
        ".wh{color:#e60012;font-size:30px;text-align:center} .no{text-align:center}"
        " .rule{border-bottom:3px solid #e60012}",
        '<div class="wh">某某市人民政府办公室文件</div><div class="no rule">某政办发〔2024〕12号</div>',
    )
    (f,) = run(doc)
    assert f.rule == "red_header" and f.severity == Severity.BLOCKER
    assert set(f.details.signals) == {"organ_mark", "red_rule", "doc_number"}


def test_html_red_header_with_an_hr_rule_and_no_number() -> None:
    doc = html_doc(
        "h1.red{color:rgb(204,0,0);text-align:center} hr.sep{border:none;border-top:2px solid #c00}",
        '<h1 class="red">中共某某县委办公室</h1><hr class="sep">',
    )
    (f,) = run(doc)
    assert f.rule == "red_header" and set(f.details.signals) == {"organ_mark", "red_rule"}


def test_html_red_site_banner_and_black_title_are_not_a_red_header() -> None:
    # A government site's red banner with the organ's name, a red menu line, and an article
    # whose 发文字号 stands in a black metadata line far below: no 版头.
    doc = html_doc(
        ".site{color:#c00;font-size:28px} .banner{border-bottom:4px solid #c00}"
        " .title{font-size:24px;color:#222}",
        '<p class="title">某某市人民政府办公室关于做好汛期安全工作的通知</p>'
        "<p>索引号：11440100-2024-00012</p><p>发布机构：市政府办公室</p><p>成文日期：2024-05-06</p>"
        "<p>主题分类：综合政务</p><p>文号：某政办函〔2024〕8号</p>",
    )
    assert [f for f in run(doc) if f.rule == "red_header"] == []
    # the same banner without "门户网站", left-aligned above its red line: still no 版头
    doc = html_doc(
        ".site{color:#c00;font-size:28px} .banner{border-bottom:4px solid #c00}",
        "<p>市政府办公室关于做好汛期安全工作的通知</p>",
    )
    for b in doc.blocks:
        if b.text == "某某市人民政府门户网站":
            b.text = "某某市人民政府"
    assert run(doc) == []


def test_html_red_title_with_a_decorative_rule_is_not_a_red_header() -> None:
    doc = html_doc(
        ".hl{color:#e60012;font-size:26px} .u{border-bottom:2px solid #e60012}",
        '<div class="hl u">关于开展2024年防汛演练的通知</div>',
    )
    assert run(doc) == []
