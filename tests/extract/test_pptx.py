"""PPTX read with python-pptx; .ppt made from it by LibreOffice goes the same way."""

from __future__ import annotations

import io

import pytest
from lo_files import generate, lo_convert, needs_libreoffice
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Pt

from pubguard.document import BlockKind
from pubguard.extract import extract
from pubguard.scan import scan_bytes


def _rules(result) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in result.findings}


def _deck(seal: bool = True, notes: str = "内部讨论稿，联系人张建国 13912345678") -> bytes:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    box = slide.shapes.add_textbox(Pt(60), Pt(40), Pt(600), Pt(60))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = "南宁市人民政府办公室文件"
    run.font.size = Pt(32)
    run.font.color.rgb = RGBColor(0xC8, 0x00, 0x00)
    body = slide.shapes.add_textbox(Pt(60), Pt(140), Pt(600), Pt(200))
    body.text_frame.text = "关于2024年防汛工作的汇报"
    body.text_frame.add_paragraph().text = "一、总体情况"
    if seal:
        png = generate().png_bytes(generate().seal_image())
        slide.shapes.add_picture(io.BytesIO(png), Pt(480), Pt(330), Pt(150), Pt(150))
    if notes:
        slide.notes_slide.notes_text_frame.text = notes
    hidden = prs.slides.add_slide(prs.slide_layouts[6])
    hidden._element.set("show", "0")
    hidden.shapes.add_textbox(Pt(60), Pt(60), Pt(400), Pt(40)).text_frame.text = "备用页：暂不公开的数据"
    prs.core_properties.author = "李秀英"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def test_slide_layout_text_images_notes() -> None:
    doc = extract(_deck(), "汇报.pptx")
    assert doc.format == "pptx" and len(doc.pages) == 2
    assert doc.pages[0].unit == "pt" and doc.pages[0].width == pytest.approx(720)
    title = next(b for b in doc.blocks if "南宁市人民政府办公室文件" in b.text)
    assert title.is_red and title.font_size == 32 and title.bbox is not None
    assert title.bbox[1] == pytest.approx(40)
    lines = [b for b in doc.blocks if b.text in ("关于2024年防汛工作的汇报", "一、总体情况")]
    assert lines[0].bbox[1] < lines[1].bbox[1]  # each paragraph gets its own line of the box
    assert doc.images and doc.images[0].bbox == pytest.approx((480, 330, 630, 480))
    notes = [b for b in doc.blocks if b.source == "pptx:notes"]
    assert notes and notes[0].kind == BlockKind.COMMENT
    hidden = [b for b in doc.blocks if b.page == 2 and b.kind != BlockKind.METADATA]
    assert hidden and all(b.hidden and b.source == "pptx:hidden_slide" for b in hidden)
    assert doc.metadata["author"] == "李秀英"


def test_seal_and_red_header_in_a_slide_are_found() -> None:
    result = scan_bytes(_deck(), "汇报.pptx")
    assert result.status == "ok", result.error
    rules = _rules(result)
    assert "seal/official_seal" in rules
    assert "personal_data/mobile" in rules  # in the speaker notes


def test_clean_deck_has_no_blockers() -> None:
    result = scan_bytes(_deck(seal=False, notes=""), "汇报.pptx")
    assert result.status == "ok"
    assert "seal/official_seal" not in _rules(result)


@needs_libreoffice
def test_ppt_made_by_libreoffice_keeps_the_seal_and_notes() -> None:
    ppt = lo_convert(_deck(), ".pptx", "ppt")
    result = scan_bytes(ppt, "汇报.ppt")
    assert result.status == "ok", result.error
    assert result.format == "ppt"
    assert {"seal/official_seal", "personal_data/mobile"} <= _rules(result)
    doc = extract(ppt, "汇报.ppt")
    assert doc.source_format == "ppt" and doc.converted_by
