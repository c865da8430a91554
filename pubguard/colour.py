"""Colour, one home: what counts as red, white, dark, and as text a reader cannot see.

Two kinds of input, one set of rules:

* declared colours (a DOCX run's w:color, a PDF span's fill colour, an HTML `color:`): `is_red`,
  `is_white`, `is_dark`, `indistinguishable(text, background)`;
* pixels (scans, pictures, rendered pages): `red_mask` (OpenCV HSV), tolerant of pink and faded
  ink, used by the vision code of the detectors and by the cleaner that erases red seals/版头.

Every threshold is named here (`RED_TEXT`, `RED_INK`, `HIDDEN_TEXT`) with the reason for its value.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pubguard.lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np

cv2 = lazy_import("cv2")  # OpenCV loads on first use: most scans never touch pixels

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class RedText:
    """Declared text/line colours: 公文 red is C00000, E60012, FF0000, D9001B ... (by hue, not FF0000)."""

    hue_max: float = 20.0  # degrees: 0..20 and 340..360 are red
    hue_min_wrap: float = 340.0
    saturation_min: float = 0.55  # 0..1: pinkish grey is not red
    value_min: float = 0.45  # 0..1: dark brown is not red


@dataclass(frozen=True)
class RedInk:
    """Pixels, OpenCV HSV units (H 0..180, S/V 0..255). Scanned seal ink is often pinkish or faded,
    so saturation is lower than for declared colours."""

    h_low: int = 10  # 0..20 degrees
    h_high: int = 165  # 330..360 degrees
    s_min: int = 70
    v_min: int = 80


@dataclass(frozen=True)
class HiddenText:
    """Text a reader cannot see on its background: almost the same luminance *and* hue. #EBEBEB
    on white (contrast 1.19) is hidden, #CCCCCC (1.6) is faint but readable."""

    contrast_max: float = 1.25  # WCAG contrast ratio below which text vanishes
    channel_diff_max: int = 48  # and no channel differs by more than this
    white_min: int = 245  # every channel at least this: "white" (the word used in messages)
    dark_max: int = 60


@dataclass(frozen=True)
class PaperCast:
    """Paper under a colour cast (phone photos under lamp or daylight, yellowed scans): the paper's
    own colour is divided out before red is judged, so faded ink on bluish paper reads as red."""

    white_tolerance: int = 20  # paper whose channels differ by less than this is left alone
    max_spread: int = 28  # std of the brightest half of the picture: above it there is no paper
    min_level: int = 90  # darker "paper" is a dark picture, not paper in bad light
    target: float = 245.0  # the paper's channels are scaled to this
    gain_range: tuple[float, float] = (0.8, 2.5)


@dataclass(frozen=True)
class FaintInk:
    """Faded seal ink (light pink glyphs beside a well-inked ring): inside a window that already
    has red, pixels of a red hue with less saturation count when they are at least `share` as red
    (R - max(G, B)) as the strong red there."""

    s_min: int = 35
    v_min: int = 60
    min_redness: int = 18
    share: float = 0.35
    hue_margin: tuple[int, int] = (2, 5)  # widening of RED_INK's hue range (low end, high end)


RED_TEXT = RedText()
RED_INK = RedInk()
HIDDEN_TEXT = HiddenText()
PAPER_CAST = PaperCast()
FAINT_INK = FaintInk()


def hsv(color: RGB) -> tuple[float, float, float]:
    """Hue in degrees, saturation and value in 0..1."""
    h, s, v = colorsys.rgb_to_hsv(color[0] / 255, color[1] / 255, color[2] / 255)
    return h * 360.0, s, v


_RED_CACHE: dict[Any, bool] = {}


def is_red(color: RGB) -> bool:
    """Red by hue (see `RedText`). Memoised per colour: documents use a handful of colours on
    thousands of blocks."""
    try:
        return _RED_CACHE[color]
    except (KeyError, TypeError):
        pass
    h, s, v = hsv(color)
    t = RED_TEXT
    red = (h <= t.hue_max or h >= t.hue_min_wrap) and s >= t.saturation_min and v >= t.value_min
    if isinstance(color, tuple) and len(_RED_CACHE) < 4096:
        _RED_CACHE[color] = red
    return red


def is_white(color: RGB, threshold: int = HIDDEN_TEXT.white_min) -> bool:
    return all(c >= threshold for c in color)


def is_dark(color: RGB, threshold: int = HIDDEN_TEXT.dark_max) -> bool:
    return all(c <= threshold for c in color)


_LUMINANCE: dict[RGB, float] = {}


def luminance(c: RGB) -> float:
    """WCAG relative luminance (0 = black, 1 = white)."""
    try:
        return _LUMINANCE[c]
    except (KeyError, TypeError):
        pass

    def lin(v: int) -> float:
        x = v / 255.0
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    value = 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    if isinstance(c, tuple) and len(_LUMINANCE) < 4096:
        _LUMINANCE[c] = value  # a document has a handful of colours on thousands of blocks
    return value


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio (1 = identical, 21 = black on white)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def indistinguishable(text: RGB, background: RGB) -> bool:
    """Text a reader cannot see on its background (see `HiddenText`): DOCX, PDF and HTML alike."""
    return (
        contrast_ratio(text, background) < HIDDEN_TEXT.contrast_max
        and max(abs(x - y) for x, y in zip(text, background, strict=True)) <= HIDDEN_TEXT.channel_diff_max
    )


def hsv_pixels(rgb: np.ndarray) -> np.ndarray:
    """RGB uint8 image -> OpenCV HSV."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)


def red_mask(rgb: np.ndarray, hsv: np.ndarray | None = None) -> np.ndarray:
    """Red pixels by hue (seal ink, 红头 red), tolerant of pink and faded scans (see `RedInk`):
    uint8 mask, 255 where red."""
    hsv = hsv_pixels(rgb) if hsv is None else hsv
    t = RED_INK
    low = cv2.inRange(hsv, (0, t.s_min, t.v_min), (t.h_low, 255, 255))
    high = cv2.inRange(hsv, (t.h_high, t.s_min, t.v_min), (180, 255, 255))
    return cv2.bitwise_or(low, high)


def paper_balanced(rgb: np.ndarray) -> np.ndarray:
    """The picture with its paper colour divided out (white balance on the paper, see
    `PaperCast`), or the same array when the paper is already white or there is no paper-like
    background."""
    import numpy as np

    t = PAPER_CAST
    h, w = rgb.shape[:2]
    if h < 16 or w < 16:
        return rgb
    sample = rgb[:: max(1, h // 200), :: max(1, w // 200)].reshape(-1, 3).astype(np.float32)
    lum = sample.mean(axis=1)
    bright = sample[lum >= np.median(lum)]
    paper = np.median(bright, axis=0)
    if float(paper.max() - paper.min()) < t.white_tolerance or float(paper.mean()) < t.min_level:
        return rgb
    if float(bright.std(axis=0).max()) > t.max_spread:
        return rgb
    gain = np.clip(t.target / np.maximum(paper, 1.0), *t.gain_range).astype(np.float32)
    return np.clip(rgb.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def with_faint_red(rgb: np.ndarray, red: np.ndarray, hsv: np.ndarray) -> np.ndarray:
    """`red` (a `red_mask`) plus the faint ink of the same hue in this window (see `FaintInk`)."""
    import numpy as np

    strong = red > 0
    if not strong.any():
        return red
    t, ink = FAINT_INK, RED_INK
    c = rgb.astype(np.int16)
    redness = c[:, :, 0] - np.maximum(c[:, :, 1], c[:, :, 2])
    level = max(t.min_redness, t.share * float(np.median(redness[strong])))
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    faint = (hue <= ink.h_low + t.hue_margin[0]) | (hue >= ink.h_high - t.hue_margin[1])
    faint &= (sat >= t.s_min) & (val >= t.v_min) & (redness >= level)
    return np.where(strong | faint, 255, 0).astype(np.uint8)


__all__ = [
    "FAINT_INK",
    "PAPER_CAST",
    "paper_balanced",
    "with_faint_red",
    "HIDDEN_TEXT",
    "RED_INK",
    "RED_TEXT",
    "RGB",
    "contrast_ratio",
    "hsv",
    "hsv_pixels",
    "indistinguishable",
    "is_dark",
    "is_red",
    "is_white",
    "luminance",
    "red_mask",
]
