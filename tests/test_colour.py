"""pubguard.colour: one rule for red, white and text a reader cannot see, in every format."""

from __future__ import annotations

import numpy as np
import pytest

from pubguard.colour import contrast_ratio, indistinguishable, is_red, red_mask
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
