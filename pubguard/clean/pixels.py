"""Pixel edits shared by scanned PDF pages and image files: take a red seal or a red 版头 off the
scan while the black text printed under it stays, paint boxes white, draw the mask character."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import numpy as np

BBox = tuple[float, float, float, float]


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Seal/header red as a boolean mask: pubguard.colour.red_mask, the rule the detectors found the
    seal with (dark text printed under the seal is not red and is kept)."""
    from pubguard.colour import red_mask as colour_red_mask

    return colour_red_mask(np.ascontiguousarray(rgb)) > 0


def erase_red(rgb: np.ndarray, box: tuple[int, int, int, int], to_black: bool = False) -> int:
    """Inside `box` (pixel x0, y0, x1, y1), turn red pixels white (or black, keeping the header
    text), and the pinkish fringe a scanner blurs around them white. Returns pixels changed."""
    import cv2

    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return 0
    region = rgb[y0:y1, x0:x1]
    strong = red_mask(region)
    if not strong.any():
        return 0
    arr = region.astype(np.int16)
    redness = arr[..., 0] - np.maximum(arr[..., 1], arr[..., 2])
    near = cv2.dilate(strong.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    # Fringe: slightly reddish, or light, close to the red strokes; dark text strokes stay.
    fringe = near & ~strong & ((redness > 8) | (region.min(axis=2) > 150))
    paper = background(region, near)
    region[fringe] = paper
    region[strong] = (35, 35, 35) if to_black else paper
    return int(strong.sum())


def background(region: np.ndarray, exclude: np.ndarray | None = None) -> tuple[int, int, int]:
    """The paper colour of a scan around the edit (a grey-ish 245, not pure white), so painted
    areas do not show up as bright shapes."""
    light = region.min(axis=2) > 170
    if exclude is not None:
        light &= ~exclude
    if light.sum() < 50:
        return (255, 255, 255)
    med = np.median(region[light], axis=0)
    return (int(med[0]), int(med[1]), int(med[2]))


def fill_white(rgb: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Paint a box in the paper colour of its surroundings."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 > x0 and y1 > y0:
        pad = 12
        around = rgb[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
        rgb[y0:y1, x0:x1] = background(around)


@lru_cache(maxsize=8)
def _font(size: int) -> Any:
    import pymupdf
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), size)


def draw_mask_chars(img: Any, boxes: list[tuple[int, int, int, int]], char: str = "*") -> None:
    """Draw the mask character centred in each (already whitened) character box."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in boxes:
        size = max(8, int((y1 - y0) * 1.1))
        font = _font(size)
        tw = draw.textlength(char, font=font)
        draw.text(
            (x0 + (x1 - x0 - tw) / 2, y0 + (y1 - y0) * 0.5 - size * 0.3), char, fill=(20, 20, 20), font=font
        )


def to_pixels(
    box: BBox, scale_x: float = 1.0, scale_y: float = 1.0, pad: int = 0
) -> tuple[int, int, int, int]:
    return (
        int(box[0] * scale_x) - pad,
        int(box[1] * scale_y) - pad,
        int(round(box[2] * scale_x)) + pad,
        int(round(box[3] * scale_y)) + pad,
    )
