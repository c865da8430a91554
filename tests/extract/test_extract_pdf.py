"""PDF extraction: every input is built here with PyMuPDF."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, is_red, is_white
from pubguard.errors import CorruptFile, EncryptedFile, TooLarge
from pubguard.extract import extract
from pubguard.extract.pdf import extract_pdf

A4 = (595, 842)


def _pdf(build) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    build(doc, page)
    return doc.tobytes()


def _read(data: bytes, **cfg) -> Document:
    config = ScanConfig()
    for key, value in cfg.items():
        if hasattr(config.limits, key):
            setattr(config.limits, key, value)
        else:
            setattr(config, key, value)
    return extract_pdf(data, "t.pdf", config)


def _block(doc: Document, text: str):
    found = [b for b in doc.blocks if text in b.text]
    assert found, f"no block contains {text!r}: {[b.text for b in doc.blocks]}"
    return found[0]


def _png(img: Image.Image) -> bytes:
    bio = io.BytesIO()
    img.save(bio, "PNG")
    return bio.getvalue()


def _scan_image(lines: list[str], size=(1240, 1754), font_px=40) -> Image.Image:
    """A white 'scanned' A4 page at 150 dpi with black Chinese lines."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), font_px)
    for i, line in enumerate(lines):
        draw.text((150, 200 + i * font_px * 2), line, font=font, fill=(0, 0, 0))
    return img


# -- text ----------------------------------------------------------------------------------


def test_spans_keep_colour_size_bold_and_offsets_locate_back() -> None:
    def build(doc, page):
        page.insert_text(
            (90, 80), "北京市人民政府文件", fontname="china-s", fontsize=26, color=(0.9, 0, 0.07)
        )
        page.insert_text((90, 140), "各区人民政府：现将有关事项通知如下。", fontname="china-s", fontsize=16)
        page.insert_text((90, 180), "Bold heading", fontname="hebo", fontsize=12)

    doc = _read(_pdf(build))
    title = _block(doc, "北京市人民政府文件")
    assert title.kind is BlockKind.BODY
    assert title.color is not None and is_red(title.color)
    assert title.font_size == pytest.approx(26)
    assert not title.bold
    body = _block(doc, "现将有关事项")
    assert body.color == (0, 0, 0) and body.font_size == pytest.approx(16)
    assert _block(doc, "Bold heading").bold

    start = doc.text.index("有关事项")
    page, bbox = doc.locate(start, start + 4)
    assert page == 1 and bbox is not None
    # "有关事项" starts at character 9 of a 16 pt line starting at x=90, baseline y=140.
    assert 90 + 16 * 8 < bbox[0] < 90 + 16 * 10
    assert 120 < bbox[1] < 140 < bbox[3] < 150
    assert doc.pages[0].width == A4[0] and doc.pages[0].unit == "pt"
    assert doc.pages[0].has_text_layer and not doc.pages[0].ocr_applied


def test_each_line_is_its_own_paragraph_and_spans_of_a_line_join() -> None:
    def build(doc, page):
        page.insert_text((90, 100), "联系人：", fontname="china-s", fontsize=16)
        page.insert_text((90 + 4 * 16, 100), "王小明", fontname="china-s", fontsize=16, color=(1, 0, 0))
        page.insert_text((90, 140), "第二行文字", fontname="china-s", fontsize=16)

    doc = _read(_pdf(build))
    assert "联系人：王小明\n第二行文字" in doc.text
    name = _block(doc, "王小明")
    label = _block(doc, "联系人")
    assert name is not label and name.paragraph == label.paragraph
    assert _block(doc, "第二行").paragraph != name.paragraph


def test_hidden_text_render_mode_3_off_page_and_white_text() -> None:
    def build(doc, page):
        page.insert_text((90, 100), "公开正文内容", fontname="china-s", fontsize=16)
        page.insert_text((90, 140), "内部掌握不得外传", fontname="china-s", fontsize=12, render_mode=3)
        page.insert_text((90, 180), "白色文字备注", fontname="china-s", fontsize=12, color=(1, 1, 1))
        page.insert_text((90, 900), "页面以外的文字", fontname="china-s", fontsize=12)

    doc = _read(_pdf(build))
    assert not _block(doc, "公开正文").hidden
    invisible = _block(doc, "内部掌握")
    assert invisible.hidden and invisible.source == "pdf:render_mode_3"
    white = _block(doc, "白色文字")
    assert not white.hidden and white.color is not None and is_white(white.color)
    off = _block(doc, "页面以外")
    assert off.hidden and off.source == "pdf:off_page"
    assert {b.text for b in doc.visible_blocks()} == {"公开正文内容", "白色文字备注"}


def test_text_trace_fallback_finds_render_mode_3_boxes() -> None:
    """Used when spans lack char_flags (older PyMuPDF): the trace marks the same text."""
    from pubguard.extract.pdf import _PdfBuilder

    def build(doc, page):
        page.insert_text((90, 100), "可见文字", fontname="china-s", fontsize=12)
        page.insert_text((90, 140), "不可见文字", fontname="china-s", fontsize=12, render_mode=3)

    page = pymupdf.open(stream=_pdf(build), filetype="pdf")[0]
    boxes = _PdfBuilder._invisible_boxes(None, page, lambda b: tuple(b))  # type: ignore[arg-type]
    assert len(boxes) == 1 and 125 < boxes[0][1] < 140 < boxes[0][3]
    span = {"text": "不可见文字", "size": 12.0, "alpha": 255}  # no char_flags
    assert _PdfBuilder._hidden(span, (90, 128, 150, 142), 595, 842, boxes) == (True, "pdf:render_mode_3")
    assert _PdfBuilder._hidden(span, (90, 88, 150, 102), 595, 842, boxes) == (False, None)


def test_invisible_ocr_layer_over_a_scan_is_not_hidden_content() -> None:
    """Searchable scans put render-mode-3 text over the page image: not concealment."""
    scan = _png(_scan_image(["关于开展安全检查的通知"]))

    def build(doc, page):
        page.insert_image(page.rect, stream=scan)
        page.insert_text((72, 110), "关于开展安全检查的通知", fontname="china-s", fontsize=19, render_mode=3)

    doc = _read(_pdf(build), ocr=False)
    layer = _block(doc, "安全检查")
    assert not layer.hidden and layer.source == "pdf:ocr_text_layer"
    assert doc.pages[0].has_text_layer and not doc.warnings


# -- graphics ------------------------------------------------------------------------------


def test_drawings_line_rect_ellipse_with_colours() -> None:
    def build(doc, page):
        page.draw_line((80, 200), (515, 200), color=(0.9, 0, 0), width=2)
        page.draw_rect((100, 300, 300, 340), color=(0, 0, 1), fill=(1, 1, 1), fill_opacity=0.5)
        page.draw_circle((400, 500), 60, color=(1, 0, 0), width=3)

    doc = _read(_pdf(build))
    by_kind = {d.kind: d for d in doc.drawings}
    line = by_kind["line"]
    assert line.stroke is not None and is_red(line.stroke) and line.fill is None
    assert line.width == pytest.approx(2) and line.bbox == pytest.approx((80, 200, 515, 200))
    rect = by_kind["rect"]
    assert rect.fill == (255, 255, 255) and rect.stroke == (0, 0, 255)
    assert rect.fill_opacity == pytest.approx(0.5)
    circle = by_kind["ellipse"]
    assert circle.bbox == pytest.approx((340, 440, 460, 560))
    assert circle.stroke is not None and is_red(circle.stroke)
    assert all(d.page == 1 and d.source == "pdf:path" for d in doc.drawings)
    assert isinstance(line.items[0][1], tuple)  # plain tuples, no PyMuPDF objects


def test_images_have_bbox_xref_and_lazy_loader() -> None:
    seal = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((5, 5, 115, 115), outline=(230, 0, 18, 255), width=8)

    def build(doc, page):
        page.insert_image(pymupdf.Rect(380, 600, 500, 720), stream=_png(seal))

    doc = _read(_pdf(build))
    assert len(doc.images) == 1
    item = doc.images[0]
    assert item.kind == "embedded" and item.xref and item.page == 1
    assert item.bbox == pytest.approx((380, 600, 500, 720))
    assert (item.width, item.height) == (120, 120)
    img = item.load().convert("RGB")
    assert img.size == (120, 120)
    # The transparent background comes back white (soft mask flattened), the ring red.
    assert img.getpixel((60, 60)) == (255, 255, 255)
    assert is_red(img.getpixel((60, 8)))


def test_page_renderer_returns_pil_image() -> None:
    doc = _read(_pdf(lambda d, p: p.insert_text((90, 100), "正文", fontname="china-s", fontsize=16)))
    img = doc.pages[0].render(72)
    assert img.size == A4 and img.mode == "RGB"


def test_rotated_page_boxes_follow_the_displayed_page() -> None:
    def build(doc, page):
        page.insert_text((90, 100), "横向页面", fontname="china-s", fontsize=16)
        page.set_rotation(90)

    doc = _read(_pdf(build))
    pg = doc.pages[0]
    assert (pg.width, pg.height) == (A4[1], A4[0])
    b = _block(doc, "横向页面").bbox
    assert b is not None and 0 <= b[0] < b[2] <= pg.width and 0 <= b[1] < b[3] <= pg.height


# -- annotations, attachments, scripts, metadata ------------------------------------------


def test_annotations_become_comment_and_annotation_blocks_and_redactions() -> None:
    def build(doc, page):
        page.insert_text((90, 100), "正文第一段", fontname="china-s", fontsize=16)
        note = page.add_text_annot((450, 90), "此段需领导审定后再发")
        note.set_info(title="张处长")
        note.update()
        page.add_freetext_annot((300, 500, 500, 540), "free text note", fontname="helv").update()
        hl = page.add_highlight_annot(pymupdf.Rect(88, 84, 170, 104))
        hl.set_info(content="核实数据")
        hl.update()
        page.add_redact_annot(pymupdf.Rect(90, 650, 300, 670), fill=(0, 0, 0)).update()

    doc = _read(_pdf(build))
    comment = _block(doc, "领导审定")
    assert comment.kind is BlockKind.COMMENT and comment.author == "张处长" and comment.page == 1
    assert _block(doc, "free text note").kind is BlockKind.COMMENT
    assert _block(doc, "核实数据").kind is BlockKind.ANNOTATION
    # Annotation appearances are not mistaken for page content.
    assert [b.text for b in doc.blocks if b.kind is BlockKind.BODY] == ["正文第一段"]
    assert [d.source for d in doc.drawings] == ["annot:redact"]
    assert doc.drawings[0].bbox == pytest.approx((90, 650, 300, 670))
    assert doc.drawings[0].kind == "rect"


def test_metadata_embedded_files_links_and_javascript() -> None:
    def build(doc, page):
        page.insert_text((90, 100), "附件下载", fontname="china-s", fontsize=16)
        page.insert_link(
            {
                "kind": pymupdf.LINK_URI,
                "from": pymupdf.Rect(88, 84, 160, 104),
                "uri": "http://www.example.gov.cn/f/mingdan.xlsx",
            }
        )
        doc.set_metadata({"author": "李科员", "title": "征求意见稿", "creator": "WPS 文字"})
        doc.embfile_add("人员名单.xlsx", b"PK\x03\x04 fake", filename="人员名单.xlsx")
        xref = doc.get_new_xref()
        doc.update_object(xref, "<< /S /JavaScript /JS (app.alert\\('hi'\\);) >>")
        doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{xref} 0 R")

    doc = _read(_pdf(build))
    assert doc.metadata["author"] == "李科员" and doc.metadata["title"] == "征求意见稿"
    meta = [b for b in doc.blocks if b.kind is BlockKind.METADATA]
    assert {(b.field_name, b.text) for b in meta} >= {("author", "李科员"), ("creator", "WPS 文字")}
    assert all(b.page == 0 for b in meta)
    assert doc.text.startswith("附件下载")  # metadata does not precede the body
    assert doc.embedded_files == ["人员名单.xlsx"]
    assert doc.scripts == ["app.alert('hi');"]
    assert len(doc.links) == 1 and doc.links[0].is_attachment and doc.links[0].text == "附件下载"


# -- errors and limits ---------------------------------------------------------------------


def _simple_pdf() -> bytes:
    return _pdf(lambda d, p: p.insert_text((90, 100), "正文内容" * 5, fontname="china-s", fontsize=16))


def test_encrypted_pdf_raises_encrypted_file() -> None:
    doc = pymupdf.open(stream=_simple_pdf(), filetype="pdf")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(EncryptedFile) as err:
        _read(data)
    assert "加密" in err.value.message


def test_garbage_and_cut_off_pdf_raise_corrupt_file() -> None:
    data = _simple_pdf()
    with pytest.raises(CorruptFile) as err:
        _read(data[:40])
    assert "损坏" in err.value.message
    with pytest.raises(CorruptFile):
        _read(b"%PDF-1.7\n" + b"\x00garbage" * 50)


def test_truncated_but_repairable_pdf_is_read_with_a_warning(capfd) -> None:
    data = _simple_pdf()
    doc = _read(data[: int(len(data) * 0.9)])
    assert "正文内容" in doc.text
    assert any("修复" in w for w in doc.warnings)
    out, err = capfd.readouterr()
    assert "MuPDF" not in out + err  # parser noise is collected, not printed


def test_page_limit_raises_too_large() -> None:
    doc = pymupdf.open()
    for _ in range(3):
        doc.new_page()
    with pytest.raises(TooLarge):
        _read(doc.tobytes(), max_pages=2)


def test_extract_dispatches_pdf() -> None:
    doc = extract(_simple_pdf(), "draft.pdf", ScanConfig())
    assert doc.format == "pdf" and "正文内容" in doc.text


# -- scanned pages -------------------------------------------------------------------------


def _scanned_pdf(pages: int = 1) -> bytes:
    scan = _png(_scan_image(["关于开展安全生产检查的通知", "联系电话：12345678"]))
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=scan)
    return doc.tobytes()


def test_scanned_page_without_ocr_warns_and_marks_page_scan() -> None:
    doc = _read(_scanned_pdf(), ocr=False)
    assert not doc.pages[0].has_text_layer and not doc.pages[0].ocr_applied
    assert [im.kind for im in doc.images] == ["page_scan"]
    assert not [b for b in doc.blocks if b.kind is BlockKind.OCR]
    assert any("没有文字层" in w and "OCR" in w for w in doc.warnings)


def test_ocr_page_limit_is_respected() -> None:
    doc = _read(_scanned_pdf(pages=2), max_ocr_pages=0)
    assert not any(p.ocr_applied for p in doc.pages)
    assert any("OCR 页数上限" in w for w in doc.warnings)


@pytest.mark.ocr
def test_scanned_page_is_ocred_into_blocks_in_points() -> None:
    doc = _read(_scanned_pdf(), ocr_dpi=100)
    pg = doc.pages[0]
    assert pg.ocr_applied and not pg.has_text_layer
    ocr = [b for b in doc.blocks if b.kind is BlockKind.OCR]
    assert any("安全生产检查" in b.text for b in ocr)
    line = next(b for b in ocr if "安全生产检查" in b.text)
    assert line.char_boxes is not None and len(line.char_boxes) == len(line.text)
    # The line was drawn at x=150, y=200 px of a 150 dpi page: 72 pt, 96 pt.
    assert line.bbox is not None
    assert 60 < line.bbox[0] < 85 and 85 < line.bbox[1] < 105 and line.bbox[2] <= A4[0]
    assert line.confidence is not None and 0.5 <= line.confidence <= 1.0
    start = doc.text.index("安全生产检查")
    page, bbox = doc.locate(start, start + 6)
    assert page == 1 and bbox is not None and line.bbox[0] < bbox[0] < bbox[2] < line.bbox[2]


def test_mojibake_strings_are_repaired_but_latin_text_is_kept() -> None:
    from pubguard.extract.pdf import _fix_pdf_string

    assert _fix_pdf_string("人员名单".encode().decode("latin-1")) == "人员名单"
    assert _fix_pdf_string("人员名单".encode("gbk").decode("latin-1")) == "人员名单"
    assert _fix_pdf_string("Müller") == "Müller"
    assert _fix_pdf_string("Microsoft® Word 2016") == "Microsoft® Word 2016"


def test_drawings_read_only_where_the_content_can_paint(tmp_path) -> None:
    """Pages whose content stream has no path, shading or XObject operator skip get_drawings;
    a rule drawn on another page is still found, and a PDF with JavaScript is still read."""
    import pymupdf

    from pubguard.config import ScanConfig
    from pubguard.extract import pdf as pdfmod
    from pubguard.extract.pdf import extract_pdf

    doc = pymupdf.open()
    text_only = doc.new_page()
    text_only.insert_text((72, 100), "关于做好防汛工作的通知", fontname="china-s", fontsize=12)
    ruled = doc.new_page()
    ruled.insert_text((72, 100), "二、工作要求", fontname="china-s", fontsize=12)
    ruled.draw_line((72, 120), (520, 120), color=(1, 0, 0), width=2)
    for page in doc:
        page.clean_contents()
    assert not pdfmod._may_draw(pdfmod._contents(doc[0]))
    assert pdfmod._may_draw(pdfmod._contents(doc[1]))
    out = extract_pdf(doc.tobytes(), "t.pdf", ScanConfig(ocr=False))
    assert [d.page for d in out.drawings if d.kind == "line"] == [2]
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", "<</S/JavaScript/JS(app.alert\\(1\\))>>")
    assert extract_pdf(doc.tobytes(), "js.pdf", ScanConfig(ocr=False)).scripts
    assert pdfmod._JS_NAME_RAW.search(b"<</S/JavaScript/J#53(x)>>")
    assert not pdfmod._JS_NAME_RAW.search(b"<</S/JSON>> /JSX")


def test_path_operators_found_at_the_start_middle_and_end_of_a_stream() -> None:
    from pubguard.extract import pdf as pdfmod

    paints = [
        b"m 0 0 l S",
        b"0 0 m 10 0 l S",
        b"q 0 0 10 10 re f Q",
        b"/Sh0 sh",
        b"/Im1 Do",
        b"[1 2]0 d\n1 1 m",
        b"x\nre",
    ]
    for stream in paints:
        assert pdfmod._may_draw(stream), stream
    quiet = [
        b"BT /F1 12 Tf 1 0 0 1 79 100 Tm <4E2D> Tj ET",
        b"",
        b"/Form1 Dox",
        b"Tm",
        b"are",
        b"msh",
    ]
    for stream in quiet:
        assert not pdfmod._may_draw(stream), stream
    assert pdfmod._may_draw(None)


def test_link_text_is_the_part_of_the_line_under_the_link() -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 100), "请点击附件下载查看详细名单", fontname="china-s", fontsize=12)
    page.insert_text((72, 130), "See https://www.example.gov.cn/notice.pdf for the text.", fontsize=10)
    page.insert_link(
        {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(108, 88, 156, 104), "uri": "http://x.gov.cn/a.xlsx"}
    )
    w = pymupdf.get_text_length("See ", fontsize=10)
    end = w + pymupdf.get_text_length("https://www.example.gov.cn/notice.pdf", fontsize=10)
    page.insert_link(
        {
            "kind": pymupdf.LINK_URI,
            "from": pymupdf.Rect(72 + w, 120, 72 + end, 133),
            "uri": "https://www.example.gov.cn/notice.pdf",
        }
    )
    doc = extract(pdf.tobytes(), "links.pdf", ScanConfig(ocr=False))
    assert [link.text for link in doc.links] == ["附件下载", "https://www.example.gov.cn/notice.pdf"]
