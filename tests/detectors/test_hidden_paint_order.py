"""hidden_content on real PDFs built with PyMuPDF: what is painted later lies on top (paint order)
and a fill paints only inside its clip. Look-alikes of x-ray's no_bad_redactions.5.5 (a court's
"Exh. B - 4" label painted on a brochure's dark cover panel; white "ARTICLE I" on a blue band
with a white fill clipped to below the band) and 6.2 (white shadows under dark menu text)."""

from __future__ import annotations

import pymupdf

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content import HiddenContentDetector
from pubguard.document import Document
from pubguard.extract import extract

NUMBER = "联系电话：13877120456"
NAVY = (0.094, 0.086, 0.149)


def rules(doc: Document) -> list[str]:
    return sorted(f.rule for f in HiddenContentDetector().detect(doc, ScanContext(config=ScanConfig())))


def _read(pdf: pymupdf.Document) -> Document:
    return extract(pdf.tobytes(), "order.pdf", ScanConfig(ocr=False))


def _panel_and_label(label_first: bool, panel: pymupdf.Rect) -> Document:
    """A dark filled area and black text inside it, the text painted before (under) or after
    (on) the fill."""
    pdf = pymupdf.open()
    page = pdf.new_page()
    if label_first:
        page.insert_text((462, 818), NUMBER, fontname="china-s", fontsize=10)
    page.draw_rect(panel, color=None, fill=NAVY)
    if not label_first:
        page.insert_text((462, 818), NUMBER, fontname="china-s", fontsize=10)
    return _read(pdf)


COVER_PANEL = pymupdf.Rect(0, 628, 596, 842)  # the lower part of a cover page
FITTED_BOX = pymupdf.Rect(460, 806, 580, 822)  # a box laid over the words


def test_text_painted_before_a_dark_panel_is_a_fake_redaction():
    assert "fake_redaction" in rules(_panel_and_label(label_first=True, panel=COVER_PANEL))
    assert "fake_redaction" in rules(_panel_and_label(label_first=True, panel=FITTED_BOX))


def test_dark_label_painted_on_a_large_dark_panel_is_no_redaction():
    assert rules(_panel_and_label(label_first=False, panel=COVER_PANEL)) == []


def test_dark_words_painted_on_a_box_fitted_to_them_are_still_a_fake_redaction():
    # x-ray rectangles_yes: the box is drawn first and the black words on it; black on black
    # is as unreadable as under the box
    assert "fake_redaction" in rules(_panel_and_label(label_first=False, panel=FITTED_BOX))


def _band_page(clip_white_fill: bool) -> Document:
    """A blue band over the whole page, a white fill over it (clipped to below the band, or
    not), then a white title in the band area."""
    pdf = pymupdf.open()
    page = pdf.new_page()  # 595 x 842; PDF y runs upwards
    clip = b"0 0 595 762 re W n " if clip_white_fill else b""
    art = b"q 0.067 0.522 0.851 rg 0 0 595 842 re f Q q " + clip + b"1 1 1 rg -100 0 800 842 re f Q"
    xref = pdf.get_new_xref()
    pdf.update_object(xref, "<<>>")
    pdf.update_stream(xref, art)
    page.insert_text((210, 50), "ARTICLE I 会员章程", fontname="china-s", fontsize=20, color=(1, 1, 1))
    pdf.xref_set_key(page.xref, "Contents", f"[{xref} 0 R {page.get_contents()[0]} 0 R]")
    return _read(pdf)


def test_white_title_on_a_band_above_a_clipped_white_fill_is_visible():
    assert rules(_band_page(clip_white_fill=True)) == []


def test_white_title_on_an_unclipped_white_fill_is_white_text():
    assert rules(_band_page(clip_white_fill=False)) == ["white_text"]


def _menu(shadow: bool) -> Document:
    """Menu entries, each drawn as a half-transparent white copy (a shadow) and then in dark
    grey at the same place; without `shadow`, only the white copies."""
    pdf = pymupdf.open()
    page = pdf.new_page()
    for k, entry in enumerate(["社区守则：请勿发布他人住址", "如何举报骚扰信息", "账号隐私设置说明"]):
        y = 120 + 22 * k
        page.insert_text((118, y), entry, fontname="china-s", fontsize=9, color=(1, 1, 1), fill_opacity=0.5)
        if shadow:
            page.insert_text((118, y), entry, fontname="china-s", fontsize=9, color=(0.149, 0.149, 0.149))
    return _read(pdf)


def test_white_shadow_under_the_same_dark_words_is_not_hidden_text():
    assert rules(_menu(shadow=True)) == []


def test_white_words_alone_are_still_white_text():
    assert "white_text" in rules(_menu(shadow=False))
