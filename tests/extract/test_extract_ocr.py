"""Shared OCR module: post-processing without the engine, plus one real recognition."""

from __future__ import annotations

import io

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pubguard.document import is_red
from pubguard.extract import ocr


def _boxes(n: int) -> list[tuple[float, float, float, float]]:
    return [(10.0 * i, 0.0, 10.0 * i + 9, 20.0) for i in range(n)]


def test_spaces_next_to_chinese_are_dropped_with_their_boxes() -> None:
    text = "身份 证 号码 110101 ABC DEF"
    boxes = _boxes(len(text))
    out, out_boxes = ocr._strip_cjk_spaces(text, boxes)
    assert out == "身份证号码110101 ABC DEF"
    assert len(out_boxes) == len(out)
    # Box of "证" (index 3 in the input) follows the box of "份" (index 1).
    assert out_boxes[2] == boxes[3] and out_boxes[1] == boxes[1]


def test_full_width_punctuation_counts_as_cjk_and_edges_are_trimmed() -> None:
    out, out_boxes = ocr._strip_cjk_spaces(" 联系人： 张三 ", _boxes(8))
    assert out == "联系人：张三" and len(out_boxes) == 6


def test_split_box_covers_the_line_evenly() -> None:
    parts = ocr._split_box((0.0, 5.0, 40.0, 25.0), 4)
    assert parts[0] == (0.0, 5.0, 10.0, 25.0) and parts[-1] == (30.0, 5.0, 40.0, 25.0)
    assert ocr._split_box((0, 0, 1, 1), 0) == []


def test_ink_colour_is_the_text_not_the_paper() -> None:
    arr = np.full((40, 200, 3), 250, dtype=np.uint8)
    arr[10:30, 20:180:3] = (200, 10, 30)  # thin red strokes on white paper
    color = ocr._ink_color(arr, (0, 0, 200, 40))
    assert color is not None and is_red(color)
    blank = np.full((40, 200, 3), 250, dtype=np.uint8)
    assert ocr._ink_color(blank, (0, 0, 200, 40)) is None


def test_to_rgb_puts_transparency_on_white_and_scales_16_bit() -> None:
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert ocr.to_rgb(rgba).getpixel((0, 0)) == (255, 255, 255)
    grey16 = Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.uint16))
    out = ocr.to_rgb(grey16)
    assert out.mode == "RGB" and out.getpixel((1, 1)) == (255, 255, 255) and out.getpixel((0, 0)) == (0, 0, 0)


@pytest.mark.ocr
def test_ocr_image_reads_chinese_with_character_boxes() -> None:
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), 32)
    img = Image.new("RGB", (700, 90), "white")
    ImageDraw.Draw(img).text((20, 25), "身份证号码 20240315", font=font, fill="black")
    lines = ocr.ocr_image(img)
    assert ocr.get_engine() is ocr.get_engine()  # one cached engine per process
    from rapidocr_onnxruntime.utils import infer_engine

    # The arena hook is only wrapped while the engine is built.
    assert infer_engine.OrtInferSession._init_sess_opts.__name__ == "_init_sess_opts"
    text = "".join(line.text for line in lines)
    assert "身份证号码" in text and "20240315" in text
    assert " " not in text.split("20240315")[0]  # no space invented inside the Chinese
    for line in lines:
        assert len(line.char_boxes) == len(line.text)
        assert 0.5 <= line.confidence <= 1.0
        xs = [b[0] for b in line.char_boxes]
        assert xs == sorted(xs)
        x0, y0, x1, y1 = line.bbox
        assert all(x0 - 2 <= b[0] and b[2] <= x1 + 2 and y0 - 2 <= b[1] for b in line.char_boxes)


@pytest.mark.ocr
def test_rapidocr_3_engine_reads_chinese_with_our_detection_sizing() -> None:
    """The engine `pip install 'pubguard[ocr]'` brings (rapidocr 3.x): same call shape and
    character boxes through the adapter, and detection runs at most _DET_MAX_SIDE_V3 on the long
    side (a 1240x1755 page is shrunk, a 700x90 strip is enlarged to the minimum only)."""
    pytest.importorskip("rapidocr")
    engine = ocr._create_engine_v3()
    prep = engine.text_det.get_preprocess()
    page = np.zeros((1755, 1240, 3), dtype=np.uint8)
    assert max(prep.resize(page).shape[:2]) <= ocr._DET_MAX_SIDE_V3 + 32
    strip = np.zeros((90, 700, 3), dtype=np.uint8)
    assert min(prep.resize(strip).shape[:2]) == pytest.approx(ocr._DET_MIN_SIDE, abs=32)
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), 32)
    img = Image.new("RGB", (700, 90), "white")
    ImageDraw.Draw(img).text((20, 25), "身份证号码 20240315", font=font, fill="black")
    bgr = np.ascontiguousarray(np.asarray(img)[:, :, ::-1])
    items, _ = ocr._RapidOcr3(engine)(bgr)
    text = "".join(str(item[1]) for item in items)
    assert "身份证号码" in text and "20240315" in text
    for _quad, line, _score, chars in items:  # boxes for the spaces too (3.x gives none)
        assert chars is not None and len(chars) == len(line)
        lefts = [min(p[0] for p in q) for q in chars]
        assert lefts == sorted(lefts)


def test_space_boxes_line_up_with_the_text() -> None:
    box = lambda x: [[x, 0], [x + 9, 0], [x + 9, 20], [x, 20]]  # noqa: E731
    out = ocr._with_space_boxes("ab c", [box(0), box(10), box(30)])
    assert out is not None and len(out) == 4 and out[2][0][0] == 19 and out[3] == box(30)
    assert ocr._with_space_boxes("abc", [box(0)]) is None  # counts differ: caller splits evenly
