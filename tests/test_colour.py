"""pubguard.colour: one rule for red, white and text a reader cannot see, in every format."""

from __future__ import annotations

import numpy as np
import pytest

from pubguard.colour import (
    contrast_ratio,
    hsv_pixels,
    indistinguishable,
    is_red,
    paper_balanced,
    red_mask,
    with_faint_red,
)
from pubguard.config import ScanConfig
from pubguard.extract.html import extract_html


@pytest.mark.parametrize("hexa", ["C00000", "E60012", "FF0000", "D9001B"])
def test_official_reds_are_red(hexa: str) -> None:
    assert is_red(tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4)))  # type: ignore[arg-type]


@pytest.mark.parametrize("rgb", [(0, 0, 0), (31, 78, 121), (150, 100, 100), (96, 20, 20), (255, 192, 0)])
def test_not_red(rgb: tuple[int, int, int]) -> None:
    assert not is_red(rgb)


@pytest.mark.parametrize(
    ("text", "background", "hidden"),
    [
        ((255, 255, 255), (255, 255, 255), True),
        ((0xEB, 0xEB, 0xEB), (255, 255, 255), True),  # contrast 1.19: vanishes on white paper
        ((0xCC, 0xCC, 0xCC), (255, 255, 255), False),  # faint but readable
        ((0, 0, 0), (10, 10, 10), True),
        ((255, 255, 255), (31, 78, 121), False),  # white on a dark blue banner
        ((200, 0, 0), (0, 0, 0), False),
    ],
)
def test_indistinguishable(text, background, hidden: bool) -> None:
    assert indistinguishable(text, background) is hidden
    assert contrast_ratio(text, background) == pytest.approx(contrast_ratio(background, text))


def test_html_ebebeb_text_is_hidden_as_in_docx_and_pdf() -> None:
    """The disagreement of issue 12: #EBEBEB on white was hidden in DOCX/PDF but visible in HTML."""
    page = (
        "<html><body><p>关于做好防汛工作的通知</p>"
        '<p style="color:#EBEBEB">内部掌握名单尚未审定</p>'
        '<p style="color:#CCCCCC">浅灰色的正文说明</p></body></html>'
    ).encode()
    doc = extract_html(page, "notice.html", ScanConfig())
    by_text = {b.text.strip(): b for b in doc.blocks if b.text.strip()}
    assert by_text["内部掌握名单尚未审定"].hidden
    assert by_text["内部掌握名单尚未审定"].source == "html:same_as_background"
    assert not by_text["浅灰色的正文说明"].hidden
    assert not by_text["关于做好防汛工作的通知"].hidden


def test_red_mask_finds_seal_ink_not_black_text() -> None:
    img = np.full((10, 30, 3), 255, np.uint8)
    img[:, :10] = (200, 30, 40)  # seal red
    img[:, 10:20] = (230, 120, 130)  # faded, pinkish ink still counts
    img[:, 20:] = (20, 20, 20)  # black text
    mask = red_mask(img) > 0
    assert mask[:, :20].all() and not mask[:, 20:].any()


def _paper(colour: tuple[int, int, int], ink: tuple[int, int, int]) -> np.ndarray:
    img = np.full((120, 160, 3), colour, np.uint8)
    img[50:70, 40:120] = ink  # a stroke of seal ink
    return img


def test_paper_cast_is_divided_out_so_faded_ink_reads_red_again() -> None:
    # bluish phone photo: paper (135, 145, 179), seal ink (150, 95, 140) reads purple as it stands
    photo = _paper((135, 145, 179), (150, 95, 140))
    assert not red_mask(photo)[60, 80]
    balanced = paper_balanced(photo)
    assert balanced[5, 5].min() >= 235  # the paper became white
    assert red_mask(balanced)[60, 80]


def test_white_paper_and_pictures_without_paper_are_left_alone() -> None:
    white = _paper((250, 250, 248), (200, 30, 40))
    assert paper_balanced(white) is white
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)  # no uniform background
    assert paper_balanced(photo) is photo


def test_faint_ink_counts_only_beside_strong_red() -> None:
    img = np.full((60, 120, 3), 255, np.uint8)
    img[10:20, 10:50] = (205, 35, 40)  # well-inked ring
    img[40:50, 10:50] = (240, 176, 182)  # faded pink glyphs of the same seal (S below RED_INK)
    img[40:50, 70:110] = (200, 200, 205)  # grey print
    hsv = hsv_pixels(img)
    red = red_mask(img, hsv)
    assert not red[45, 30]
    both = with_faint_red(img, red, hsv)
    assert both[15, 30] and both[45, 30] and not both[45, 90]
    alone = np.zeros_like(red)
    assert not with_faint_red(img, alone, hsv).any()  # no strong red, no faint red
