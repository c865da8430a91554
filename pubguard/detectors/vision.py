"""Pixel helpers shared by the layout detectors (red header, seals, signatures).

Seals and red headers are visual facts: colour, shape and position, not words. Everything here
works on RGB numpy arrays at a modest resolution (~120 dpi equivalent) so that the pixel path
costs a fraction of rendering the page, and it exits early when a page has (almost) no red.

Conventions: masks are uint8 arrays with 0/255, boxes in pixels are (x0, y0, x1, y1) with the
end exclusive.
"""

from __future__ import annotations

import io
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pubguard.colour import RED_INK, hsv_pixels, paper_balanced, with_faint_red
from pubguard.colour import red_mask as colour_red_mask
from pubguard.details import SealDetails, SignatureDetails
from pubguard.document import BBox, Document, ImageItem, Page
from pubguard.lazy import lazy_import

cv2 = lazy_import("cv2")  # OpenCV loads on first use: most scans never touch pixels

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

PxBox = tuple[int, int, int, int]

# ~120 dpi: a 40 mm seal is ~190 px across, a 2 mm stroke ~9 px; plenty for shape tests.
WORK_DPI = 120
WORK_PX_PER_MM = WORK_DPI / 25.4
# Images sharper than this (~165 dpi) are downscaled to WORK_PX_PER_MM before analysis.
MAX_PX_PER_MM = 6.5
SCAN_RENDER_DPI = 150
MAX_SIDE_UNKNOWN = 1600  # longest side when the physical size of an image is unknown
IMAGE_FORMATS = frozenset({"png", "jpeg", "tiff", "gif", "bmp", "webp"})

# HSV thresholds of red pixels: pubguard.colour.RED_INK (one home with the cleaner).
RED_H_LOW, RED_H_HIGH, RED_S_MIN, RED_V_MIN = RED_INK.h_low, RED_INK.h_high, RED_INK.s_min, RED_INK.v_min
DARK_V_MAX = 110


# -- conversion ----------------------------------------------------------------------------------
def to_rgb(img: PILImage.Image) -> np.ndarray:
    """PIL image -> RGB uint8 array; transparency is composited on white (seal PNGs are usually
    transparent, and transparent black must not read as ink)."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        bg.alpha_composite(rgba)
        img = bg
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img, dtype=np.uint8)


def resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1.0) < 0.02:
        return rgb
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interp)


def work_factor(px_per_mm: float | None, shape: tuple[int, ...]) -> float:
    """Downscale factor that brings an image to the working resolution (never upscales)."""
    if px_per_mm:
        return min(1.0, WORK_PX_PER_MM / px_per_mm) if px_per_mm > MAX_PX_PER_MM else 1.0
    return min(1.0, MAX_SIDE_UNKNOWN / max(shape[0], shape[1], 1))


# -- masks ---------------------------------------------------------------------------------------
hsv_of = hsv_pixels
red_mask = colour_red_mask  # pubguard.colour.red_mask


def red_mask_fast(rgb: np.ndarray, min_hits: int = 12) -> np.ndarray:
    """`red_mask` at a fraction of the cost: look at every other pixel first, then compute the
    full-resolution mask only around the red found there. Every red mark that matters (a rule
    >= 2 px thick, glyphs, seals) hits the half-resolution grid; most pages have no red at all."""
    h, w = rgb.shape[:2]
    if h < 64 or w < 64:
        return red_mask(rgb)
    small = red_mask(cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST))
    if int(np.count_nonzero(small)) < min_hits:
        return np.zeros((h, w), np.uint8)
    # Bands of rows with red (a 红头 at the top, a seal at the bottom), each with its columns.
    rows = np.flatnonzero(small.max(axis=1))
    boxes = []
    area = 0
    for run in np.split(rows, np.flatnonzero(np.diff(rows) > 12) + 1):
        ys0, ys1 = int(run[0]), int(run[-1]) + 1
        cols = np.flatnonzero(small[ys0:ys1].max(axis=0))
        x0, y0 = max(0, 2 * int(cols[0]) - 4), max(0, 2 * ys0 - 4)
        x1, y1 = min(w, 2 * int(cols[-1]) + 6), min(h, 2 * ys1 + 4)
        boxes.append((x0, y0, x1, y1))
        area += (x1 - x0) * (y1 - y0)
    if area > 0.5 * h * w:
        return red_mask(rgb)
    out = np.zeros((h, w), np.uint8)
    for x0, y0, x1, y1 in boxes:
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        out[y0:y1, x0:x1] |= red_mask(crop)
    return out


def dark_mask(rgb: np.ndarray, hsv: np.ndarray | None = None) -> np.ndarray:
    """Black/grey ink (printed text): low value whatever the hue."""
    hsv = hsv_of(rgb) if hsv is None else hsv
    return cv2.inRange(hsv, (0, 0, 0), (180, 255, DARK_V_MAX - 1))


def colour_mask(rgb: np.ndarray, hsv: np.ndarray | None = None) -> np.ndarray:
    """Saturated colours other than red (blue, green, yellow ...): charts and logos have them,
    seals do not."""
    hsv = hsv_of(rgb) if hsv is None else hsv
    sat = cv2.inRange(hsv, (0, 90, 90), (180, 255, 255))
    return cv2.bitwise_and(sat, cv2.bitwise_not(red_mask(rgb, hsv)))


def blue_ink_mask(rgb: np.ndarray, hsv: np.ndarray | None = None) -> np.ndarray:
    """Blue ballpoint / fountain-pen ink."""
    hsv = hsv_of(rgb) if hsv is None else hsv
    return cv2.inRange(hsv, (95, 60, 40), (135, 255, 255))


def bridge_dark(red: np.ndarray, dark: np.ndarray, radius: int = 2) -> np.ndarray:
    """Treat dark pixels right next to red as red: black text printed over a seal cuts the ring
    and the glyphs; on scans the seal is pressed over the signature line."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    near = cv2.dilate(red, k)
    return cv2.bitwise_or(red, cv2.bitwise_and(dark, near))


def disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


# -- components and shapes -----------------------------------------------------------------------
@dataclass(slots=True)
class Component:
    label: int
    box: PxBox
    area: int

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def components(mask: np.ndarray, min_area: int = 1) -> tuple[np.ndarray, list[Component]]:
    """8-connected components with their boxes (labels array, components with area>=min_area)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, a = (int(v) for v in stats[i])
        if a >= min_area:
            out.append(Component(i, (x, y, x + w, y + h), a))
    return labels, out


def circularity(contour: np.ndarray) -> float:
    """4*pi*A/P^2: 1 for a disk, ~0.78 for a square, small for lines and stars."""
    perimeter = cv2.arcLength(contour, True)
    if perimeter <= 0:
        return 0.0
    return float(4 * math.pi * cv2.contourArea(contour) / (perimeter * perimeter))


STAR_ASPECT = (0.78, 1.3)


def star_score(contour: np.ndarray) -> float:
    """How star-like a filled shape is (0..1): a five-pointed star has solidity ~0.47 (area over
    convex hull) and five deep concavities between its points."""
    area = cv2.contourArea(contour)
    if area < 12 or len(contour) < 8:
        return 0.0
    hull_pts = cv2.convexHull(contour)
    hull_area = cv2.contourArea(hull_pts)
    if hull_area <= 0:
        return 0.0
    solidity = area / hull_area
    if not 0.3 <= solidity <= 0.72:
        return 0.0
    x, y, w, h = cv2.boundingRect(contour)
    # An upright five-point star is 1.05 times as wide as it is tall and stays within 0.95-1.05
    # whatever its rotation; the margin is for perspective and uneven ink. Glyphs are narrower.
    if not STAR_ASPECT[0] <= w / max(h, 1) <= STAR_ASPECT[1]:
        return 0.0
    size = max(w, h)
    try:
        hull_idx = cv2.convexHull(contour, returnPoints=False)
        defects = cv2.convexityDefects(contour, hull_idx)
    except cv2.error:
        return 0.0
    if defects is None:
        return 0.0
    depths = defects.reshape(-1, 4)[:, 3] / 256.0
    deep = int(np.sum(depths >= 0.12 * size))
    # Five points: the hull is a pentagon (a cross or an asterisk has 8+ corners).
    corners = len(cv2.approxPolyDP(hull_pts, 0.015 * cv2.arcLength(hull_pts, True), True))
    if 4 <= deep <= 6 and 4 <= corners <= 6:
        return 1.0 if deep == 5 and 0.38 <= solidity <= 0.62 else 0.7
    return 0.0


def ellipse_grid(shape: tuple[int, int], ellipse: Any) -> tuple[np.ndarray, np.ndarray]:
    """Normalised elliptic radius rho (1 on the fitted ellipse) and angle for every pixel."""
    (cx, cy), (d1, d2), angle = ellipse
    a, b = max(d1 / 2.0, 1.0), max(d2 / 2.0, 1.0)
    t = math.radians(angle)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xs - cx, ys - cy
    u = (dx * math.cos(t) + dy * math.sin(t)) / a
    v = (-dx * math.sin(t) + dy * math.cos(t)) / b
    return np.sqrt(u * u + v * v), np.arctan2(v, u)


def angular_coverage(theta: np.ndarray, bins: int = 72) -> float:
    if theta.size == 0:
        return 0.0
    idx = ((theta + math.pi) / (2 * math.pi) * bins).astype(np.int32) % bins
    return float(np.unique(idx).size) / bins


# -- lines and text rows (red header) ------------------------------------------------------------
def horizontal_lines(mask: np.ndarray, min_len: int, max_thick: int) -> list[PxBox]:
    """Long thin horizontal strokes; segments on the same height (a separator split by the party
    star) are merged. Returns boxes sorted top to bottom."""
    h, w = mask.shape
    if h == 0 or w == 0:
        return []
    klen = max(9, min(min_len // 3, w // 6)) | 1  # odd: a centred kernel does not shift the result
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (klen, 1)))
    _, comps = components(opened, min_area=klen)
    segs = sorted((c.box for c in comps if c.height <= max_thick * 2), key=lambda b: (b[1] + b[3]) / 2)
    groups: list[list[PxBox]] = []
    for box in segs:
        cy = (box[1] + box[3]) / 2
        if groups and abs(cy - (groups[-1][-1][1] + groups[-1][-1][3]) / 2) <= max(2, max_thick):
            groups[-1].append(box)
        else:
            groups.append([box])
    out = []
    for g in groups:
        x0, y0 = min(b[0] for b in g), min(b[1] for b in g)
        x1, y1 = max(b[2] for b in g), max(b[3] for b in g)
        covered = sum(b[2] - b[0] for b in g)
        thick = max(b[3] - b[1] for b in g)
        if x1 - x0 >= min_len and covered >= 0.75 * (x1 - x0) and thick <= max_thick:
            out.append((x0, y0, x1, y1))
    return out


@dataclass(slots=True)
class TextRow:
    box: PxBox
    density: float
    glyphs: int  # connected components of at least a few pixels
    solid: float = 0.0  # share of the red in solid blocks (bars, fills), not strokes


def text_rows(mask: np.ndarray, min_height: int, max_height: int, min_width: int) -> list[TextRow]:
    """Rows of red glyphs (large title-like text): horizontal bands of red with many separate
    components, stroke-like density (not solid bars)."""
    h, w = mask.shape
    if h == 0 or w == 0:
        return []
    counts = np.count_nonzero(mask, axis=1)
    on = counts >= 2
    rows: list[tuple[int, int]] = []
    gap = max(2, min_height // 4)
    y = 0
    while y < h:
        if not on[y]:
            y += 1
            continue
        y0 = y
        last = y
        while y < h and (on[y] or y - last <= gap):
            if on[y]:
                last = y
            y += 1
        rows.append((y0, last + 1))
    out = []
    for y0, y1 in rows:
        if not min_height <= y1 - y0 <= max_height:
            continue
        band = mask[y0:y1]
        cols = np.flatnonzero(np.count_nonzero(band, axis=0))
        if cols.size == 0:
            continue
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        if x1 - x0 < min_width:
            continue
        _, comps = components(band[:, x0:x1], min_area=4)
        area = (y1 - y0) * (x1 - x0)
        ink = int(np.count_nonzero(band[:, x0:x1]))
        density = float(ink) / max(area, 1)
        # Solid blocks: filled boxes wider and taller than a stroke (bars), not glyph strokes.
        stroke = max(3, (y1 - y0) // 6)
        solid = sum(
            c.area for c in comps if c.area >= 0.85 * c.width * c.height and min(c.width, c.height) > stroke
        )
        out.append(TextRow((x0, y0, x1, y1), density, len(comps), solid / max(ink, 1)))
    return out


@dataclass(slots=True)
class HeaderPixels:
    """What the pixels say about a 红头: the long red separator and a row of large red glyphs
    above it (the 发文机关标志)."""

    line: PxBox | None = None
    mark: PxBox | None = None
    mark_glyphs: int = 0


def find_red_header(red: np.ndarray, top_frac: float = 0.45, min_line_frac: float = 0.6) -> HeaderPixels:
    h, w = red.shape
    band_h = max(1, int(h * top_frac))
    band = red[:band_h]
    res = HeaderPixels()
    if np.count_nonzero(band) < max(40, band.size // 5000):
        return res
    # Sizes follow the width (a page or a picture of the 版头 alone): the rule is at most ~3.5 mm
    # thick, the organ mark 4-60 mm tall on a 210 mm wide page.
    lines = horizontal_lines(band, min_len=int(w * min_line_frac), max_thick=max(3, int(w * 0.017)))
    if lines:
        res.line = lines[-1] if len(lines) == 1 else max(lines, key=lambda b: b[2] - b[0])
    glyphs = band.copy()
    for lb in lines:  # the rule must not count as text
        glyphs[max(0, lb[1] - 2) : lb[3] + 2, lb[0] : lb[2]] = 0
    rows = text_rows(
        glyphs, min_height=max(6, int(w * 0.02)), max_height=int(w * 0.3), min_width=int(w * 0.2)
    )
    best: TextRow | None = None
    for row in rows:
        cx = (row.box[0] + row.box[2]) / 2
        if row.glyphs < 3 or not 0.06 <= row.density <= 0.7 or row.solid > 0.4 or abs(cx - w / 2) > 0.25 * w:
            continue
        if res.line is not None and row.box[3] > res.line[1] + 2:
            continue  # the organ mark sits above the separator
        if best is None or (row.box[3] - row.box[1]) > (best.box[3] - best.box[1]):
            best = row
    if best is not None:
        res.mark, res.mark_glyphs = best.box, best.glyphs
    return res


# -- seals ---------------------------------------------------------------------------------------
@dataclass
class SealHit:
    kind: str  # "official" | "personal"
    box: PxBox
    confidence: float
    details: SealDetails = field(default_factory=SealDetails)  # source and position: set by seal.py


def find_seals(
    rgb: np.ndarray,
    px_per_mm: float | None = None,
    red: np.ndarray | None = None,
    hsv: np.ndarray | None = None,
) -> list[SealHit]:
    """Round/oval official seals (thin red ring, hollow inside, star and/or rim text) and small
    square personal seals (red frame with dense red strokes). `px_per_mm` enables the physical
    size checks; without it only shape is judged."""
    if red is None:
        red = red_mask(rgb, hsv)
    h, w = red.shape
    if int(np.count_nonzero(red)) < max(60, (h * w) // 20000):
        return []  # cheap exit: (almost) no red on this page
    ppm = px_per_mm
    unit = ppm or WORK_PX_PER_MM
    # Without a physical size, a seal is still not a speck: at least 12% of the picture's side.
    min_px = 8.0 * ppm if ppm else max(28.0, 0.12 * min(h, w))
    # A colourful picture (photo, chart) gets the strict test: ring, star AND rim text.
    small = cv2.resize(rgb, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_NEAREST)
    strict = float(np.count_nonzero(colour_mask(small))) > 0.08 * small.shape[0] * small.shape[1]
    # Coarse pass at 1/4 resolution: where is red at all? The expensive steps then run only on
    # those windows, not on the whole page.
    f = 4
    coarse = cv2.resize(cv2.dilate(red, np.ones((f, f), np.uint8)), (max(1, w // f), max(1, h // f)),
                        interpolation=cv2.INTER_NEAREST)  # fmt: skip
    coarse = cv2.dilate(coarse, disk(max(1, round(unit * 1.5 / f))))
    _, windows = components(coarse, min_area=1)
    hits: list[SealHit] = []
    margin = max(4, round(unit * 2))
    for win in windows:
        if max(win.width, win.height) * f < min_px:
            continue
        x0 = max(0, win.box[0] * f - margin)
        y0 = max(0, win.box[1] * f - margin)
        x1 = min(w, win.box[2] * f + margin)
        y1 = min(h, win.box[3] * f + margin)
        sub_hsv = hsv[y0:y1, x0:x1] if hsv is not None else None
        for hit in _seals_in(rgb[y0:y1, x0:x1], red[y0:y1, x0:x1], sub_hsv, ppm, min_px, strict):
            bx0, by0, bx1, by1 = hit.box
            hit.box = (bx0 + x0, by0 + y0, bx1 + x0, by1 + y0)
            if not any(_inside(hit.box, other.box) for other in hits):
                hits.append(hit)
    personal = [hit for hit in hits if hit.kind == "personal"]
    if personal:
        # A boxy glyph (国, 回, 图 ...) of a large red title is not a seal; the round seals found
        # beside a personal seal are not text around it.
        others = red
        official = [hit.box for hit in hits if hit.kind == "official"]
        if official:
            others = red.copy()
            for bx0, by0, bx1, by1 in official:
                others[by0:by1, bx0:bx1] = 0
        hits = [hit for hit in hits if hit.kind != "personal" or not _in_text_row(others, hit.box)]
    return hits


def _in_text_row(red: np.ndarray, box: PxBox) -> bool:
    """True when red ink continues left or right of the box on the same line: seals stand
    alone, glyphs of red text have neighbours."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0)
    gap = max(2, side // 10)
    h, w = red.shape
    # Only ink that fits in the line counts: the ring of a round seal stamped beside a personal
    # seal reaches far above and below it, a neighbouring glyph does not.
    slack = int(0.35 * side)
    by0, by1 = max(0, y0 - side), min(h, y1 + side)
    for a, b in (
        (max(0, x0 - int(1.3 * side)), max(0, x0 - gap)),
        (min(w, x1 + gap), min(w, x1 + int(1.3 * side))),
    ):
        if b - a < side // 4:
            continue
        labels, comps = components(np.ascontiguousarray(red[by0:by1, a:b]))
        tall = [
            c.label
            for c in comps
            if c.height > 1.3 * (y1 - y0) or c.box[1] + by0 < y0 - slack or c.box[3] + by0 > y1 + slack
        ]
        strip = labels[y0 - by0 + (y1 - y0) // 6 : y1 - by0 - (y1 - y0) // 6]
        if strip.size == 0:
            continue
        ink = np.count_nonzero(strip) - (np.count_nonzero(np.isin(strip, tall)) if tall else 0)
        if ink > 0.06 * strip.size:
            return True
    return False


def _seals_in(
    rgb: np.ndarray,
    red: np.ndarray,
    hsv: np.ndarray | None,
    ppm: float | None,
    min_px: float,
    strict: bool = False,
) -> list[SealHit]:
    hsv = hsv_of(np.ascontiguousarray(rgb)) if hsv is None else hsv
    strong = red
    red = with_faint_red(rgb, red, hsv)
    unit = ppm or WORK_PX_PER_MM
    bridged = bridge_dark(red, dark_mask(rgb, hsv), radius=max(1, round(unit * 0.4)) + 1)
    group = cv2.dilate(bridged, disk(max(2, round(unit * 1.2))))
    labels, groups = components(group, min_area=16)
    hits: list[SealHit] = []
    colours: np.ndarray | None = None
    groups.sort(key=lambda c: -(c.width * c.height))
    for g in groups:
        gw, gh = g.width, g.height
        if max(gw, gh) < min_px or min(gw, gh) < 0.4 * min_px:
            continue
        if ppm and max(gw, gh) > 85 * ppm:
            continue
        if any(_inside(g.box, hit.box) for hit in hits):
            continue  # the star or the text inside a seal already found
        x0, y0, x1, y1 = g.box
        own = np.where(labels[y0:y1, x0:x1] == g.label, 255, 0).astype(np.uint8)
        # A closed ring separates its inside (star, text) from it: fill the outline.
        outline, _ = cv2.findContours(own, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(own, outline, -1, 255, thickness=cv2.FILLED)
        region = cv2.bitwise_and(bridged[y0:y1, x0:x1], own)
        if np.count_nonzero(region) < 40:
            continue
        if colours is None:
            colours = colour_mask(rgb, hsv)
        if np.count_nonzero(colours[y0:y1, x0:x1]) > 0.04 * gw * gh:
            continue  # multi-coloured: chart, logo, photo
        raw = cv2.bitwise_and(red[y0:y1, x0:x1], own)
        hit = _official_seal(region, raw, ppm, strict)
        if hit is None and not strict:
            # The faint-ink halo (JPEG bleed, pink fringes) thickens the strokes of a small
            # seal until frame and glyphs run together: judge it on the strong ink as well.
            hit = _personal_seal(region, ppm) or _personal_seal(
                cv2.bitwise_and(strong[y0:y1, x0:x1], own), ppm
            )
        found = [hit] if hit is not None else _split_seals(region, raw, ppm, strict, min_px)
        for hit in found:
            bx0, by0, bx1, by1 = hit.box
            hit.box = (bx0 + x0, by0 + y0, bx1 + x0, by1 + y0)
            hits.append(hit)
    if not hits and len(groups) > 1:
        # A broken ring falls apart into arcs, star and glyphs: the window's ink as one whole.
        h, w = red.shape
        if max(h, w) >= min_px and min(h, w) >= 0.4 * min_px and not (ppm and max(h, w) > 85 * ppm):
            if colours is None:
                colours = colour_mask(rgb, hsv)
            if np.count_nonzero(colours) <= 0.04 * h * w:
                hit = _official_seal(bridged, red, ppm, strict)
                if hit is not None:
                    hits.append(hit)
    return hits


# A seal that touches other red ink is judged once more without it: long straight strokes (the red
# rules of an invoice or a table it is stamped over) are taken out, and seals stamped over each
# other are cut apart along the circles the ink draws.
SPLIT_MIN_SIDE = 1.4  # only groups this many times the smallest seal size are split
SPLIT_MAX_CIRCLES = 4


def _split_seals(
    region: np.ndarray, raw: np.ndarray, ppm: float | None, strict: bool, min_px: float
) -> list[SealHit]:
    h, w = region.shape
    if max(h, w) < SPLIT_MIN_SIDE * min_px:
        return []
    hits: list[SealHit] = []
    # 1. Without long straight strokes.
    k = max(15, round(1.1 * min_px)) | 1
    lines = cv2.bitwise_or(
        cv2.morphologyEx(region, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))),
        cv2.morphologyEx(region, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k))),
    )
    lines = _without_ring_flats(region, lines)
    if np.count_nonzero(lines):
        lines = cv2.dilate(lines, disk(1))
        keep = cv2.bitwise_and(region, cv2.bitwise_not(lines))
        keep_raw = cv2.bitwise_and(raw, cv2.bitwise_not(lines))
        unit = ppm or WORK_PX_PER_MM
        # Grouped on the red alone: black text printed along the rules would glue them again.
        labels, groups = components(cv2.dilate(keep_raw, disk(max(2, round(unit * 1.2)))), min_area=16)
        for g in groups:
            if max(g.width, g.height) < min_px or min(g.width, g.height) < 0.4 * min_px:
                continue
            gx0, gy0, gx1, gy1 = g.box
            own = np.where(labels[gy0:gy1, gx0:gx1] == g.label, 255, 0).astype(np.uint8)
            outline, _ = cv2.findContours(own, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(own, outline, -1, 255, thickness=cv2.FILLED)
            sub = cv2.bitwise_and(keep[gy0:gy1, gx0:gx1], own)
            sub_raw = cv2.bitwise_and(keep_raw[gy0:gy1, gx0:gx1], own)
            hit = _official_seal(sub, sub_raw, ppm, strict)
            if hit is not None:
                bx0, by0, bx1, by1 = hit.box
                hit.box = (bx0 + gx0, by0 + gy0, bx1 + gx0, by1 + gy0)
                hits.append(hit)
        if not hits:
            hits = _ring_cuts(region, raw, keep_raw, ppm, strict, min_px)
    else:
        hits = _ring_cuts(region, raw, raw, ppm, strict, min_px)
    if hits:
        return hits
    # 2. Overlapping round seals: circles found by the Hough transform on the ink.
    r_min = max(8, round(min_px / 2))
    r_max = max(r_min + 2, round(min(max(h, w) * 0.6, (80 * ppm / 2) if ppm else max(h, w))))
    blurred = cv2.GaussianBlur(region, (5, 5), 1.5)
    circles = cv2.HoughCircles(
        blurred, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=r_min, param1=300, param2=0.75,
        minRadius=r_min, maxRadius=r_max,
    )  # fmt: skip
    if circles is None:
        return []
    for cx, cy, r in circles[0][:SPLIT_MAX_CIRCLES]:
        cut = np.zeros_like(region)
        cv2.circle(cut, (round(float(cx)), round(float(cy))), round(float(r) * 1.1), 255, thickness=-1)
        hit = _official_seal(cv2.bitwise_and(region, cut), cv2.bitwise_and(raw, cut), ppm, strict)
        if hit is not None and not any(_inside(hit.box, o.box) or _inside(o.box, hit.box) for o in hits):
            hits.append(hit)
    return hits


# A thick ring (a prohibition sign's, ~0.15 of its radius) has flat stretches at top, bottom and
# sides long enough to pass the straight-stroke test; cutting them out leaves four arcs at one
# radius that pass as rim text. A straight piece that lies wholly in the outer band of the ink's
# own ellipse is that ring, not a rule crossing a seal (a rule runs through the inside or beyond).
RING_FLAT_MIN_RHO = 0.65
RING_FLAT_MIN_THICKNESS = 0.1  # ink across the flat stretch, in radii (seal rings: ~0.05)


def _without_ring_flats(region: np.ndarray, lines: np.ndarray) -> np.ndarray:
    if not np.count_nonzero(lines):
        return lines
    pts = cv2.findNonZero(region)
    if pts is None or len(pts) < 5:
        return lines
    hull = cv2.convexHull(pts)
    if len(hull) < 5:
        return lines
    ellipse = cv2.fitEllipse(hull)
    if min(ellipse[1]) < 10:
        return lines
    rho, _ = ellipse_grid(region.shape, ellipse)
    labels, pieces = components(lines)
    radius = min(ellipse[1]) / 2
    flats = [
        p.label
        for p in pieces
        if float(rho[labels == p.label].min()) >= RING_FLAT_MIN_RHO
        and _stroke_across(region, labels == p.label, p.width >= p.height) >= RING_FLAT_MIN_THICKNESS * radius
    ]
    if not flats:
        return lines
    return np.where(np.isin(labels, flats), 0, lines).astype(np.uint8)


def _stroke_across(region: np.ndarray, piece: np.ndarray, horizontal: bool) -> int:
    """Length of the run of ink through the middle of a straight piece, across it."""
    ys, xs = np.nonzero(piece)
    i = int(np.argsort(xs if horizontal else ys)[len(xs) // 2])
    x, y = int(xs[i]), int(ys[i])
    line = region[:, x] if horizontal else region[y, :]
    at = y if horizontal else x
    lo = hi = at
    while lo > 0 and line[lo - 1]:
        lo -= 1
    while hi < len(line) - 1 and line[hi + 1]:
        hi += 1
    return hi - lo + 1


RING_FIT_TOLERANCE = 0.12  # |rho - 1| of a ring's own pixels on its fitted ellipse
RING_FIT_SHARE = 0.75
RING_CUT_MAX_THICKNESS = 0.15  # mean thickness of a ring cut out on its own, in radii


def _ring_cuts(
    region: np.ndarray, raw: np.ndarray, rings: np.ndarray, ppm: float | None, strict: bool, min_px: float
) -> list[SealHit]:
    """Seals whose ring is one connected stroke but whose inside touches other red (labels printed
    next to an invoice seal): every ring-shaped component is cut out along its own ellipse."""
    hits: list[SealHit] = []
    labels, comps = components(rings, min_area=max(30, round(min_px)))
    comps.sort(key=lambda c: -c.area)
    # Each large stroke on its own, then the two largest together (a ring broken in two arcs).
    candidates = [[c] for c in comps[: SPLIT_MAX_CIRCLES * 2]] + ([comps[:2]] if len(comps) >= 2 else [])
    for group in candidates:
        gx0, gy0 = min(c.box[0] for c in group), min(c.box[1] for c in group)
        gx1, gy1 = max(c.box[2] for c in group), max(c.box[3] for c in group)
        if max(gx1 - gx0, gy1 - gy0) < min_px or min(gx1 - gx0, gy1 - gy0) < 0.4 * min_px:
            continue
        ys, xs = np.nonzero(np.isin(labels[gy0:gy1, gx0:gx1], [c.label for c in group]))
        if len(xs) < 20:
            continue
        pts = np.stack([xs + gx0, ys + gy0], axis=1).astype(np.float32)
        (cx, cy), (d1, d2), ang = cv2.fitEllipse(pts)
        if min(d1, d2) < 10 or max(d1, d2) / min(d1, d2) > 1.75:
            continue
        t = math.radians(ang)
        dx, dy = pts[:, 0] - cx, pts[:, 1] - cy
        u = (dx * math.cos(t) + dy * math.sin(t)) / (d1 / 2)
        v = (-dx * math.sin(t) + dy * math.cos(t)) / (d2 / 2)
        if float(np.mean(np.abs(np.sqrt(u * u + v * v) - 1) <= RING_FIT_TOLERANCE)) < RING_FIT_SHARE:
            continue  # not a ring: a glyph, a bar, a label
        a, b = d1 / 2, d2 / 2
        perimeter = math.pi * (3 * (a + b) - math.sqrt((3 * a + b) * (a + 3 * b)))
        if len(xs) / perimeter >= RING_CUT_MAX_THICKNESS * min(a, b):
            continue  # a band, not a seal's ring: a prohibition sign's ring is a fifth of its radius
        cut = np.zeros_like(region)
        cv2.ellipse(cut, ((cx, cy), (d1 * 1.08, d2 * 1.08), ang), 255, thickness=-1)
        # Judged on the ring's own ellipse: a seal cut by the edge of the picture has a truncated
        # outline, but its ring still draws the whole ellipse.
        hit = _official_seal(
            cv2.bitwise_and(region, cut), cv2.bitwise_and(raw, cut), ppm, strict, ((cx, cy), (d1, d2), ang)
        )
        if hit is not None and not any(_inside(hit.box, o.box) for o in hits):
            hits.append(hit)
    return hits


def _inside(inner: PxBox, outer: PxBox, slack: int = 4) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


RING_MAX_ARCS = 8
RING_ARC_SHARE = 0.2
RING_BINS = 72
VISIBLE_MIN_SHARE = 0.6  # a seal cut by the picture's edge keeps at least this much of its ring


def _visible_bins(shape: tuple[int, ...], ellipse: Any) -> set[int]:
    """Angular bins (as `ellipse_grid` measures angles) whose point on the ellipse lies inside
    an array of this shape."""
    (cx, cy), (d1, d2), angle = ellipse
    t = math.radians(angle)
    phi = -math.pi + (np.arange(RING_BINS) + 0.5) * (2 * math.pi / RING_BINS)
    u, v = np.cos(phi) * d1 / 2, np.sin(phi) * d2 / 2
    xs = cx + u * math.cos(t) - v * math.sin(t)
    ys = cy + u * math.sin(t) + v * math.cos(t)
    h, w = shape[:2]
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    return set(np.flatnonzero(inside).tolist())


def _official_seal(
    region: np.ndarray, raw: np.ndarray, ppm: float | None, strict: bool = False, ring: Any = None
) -> SealHit | None:
    """`ring`: the ellipse of the seal's ring when it is known (fitted to the ring stroke itself);
    otherwise the ellipse is fitted to the outline of all the ink."""
    pts = cv2.findNonZero(region)
    if pts is None or len(pts) < 40:
        return None
    hull = cv2.convexHull(pts)
    if len(hull) < 5:
        return None
    ellipse = ring if ring is not None else cv2.fitEllipse(hull)
    (cx, cy), (d1, d2), _ = ellipse
    major, minor = max(d1, d2), min(d1, d2)
    if minor < 10 or major / minor > 1.75:
        return None
    if ppm and not (18 * ppm <= major <= 80 * ppm and minor >= 13 * ppm):
        return None
    if ring is None:
        hull_area = cv2.contourArea(hull)
        ell_area = math.pi * d1 * d2 / 4
        if not 0.8 <= hull_area / ell_area <= 1.15:
            return None  # the outline is not an ellipse (rectangles, text blocks, bars)
    visible = _visible_bins(region.shape, ellipse)
    if len(visible) < VISIBLE_MIN_SHARE * RING_BINS:
        return None  # most of the ring would lie outside the picture
    rho, theta = ellipse_grid(region.shape, ellipse)
    on = region > 0
    rim_sel = (rho >= 0.86) & (rho <= 1.08)
    rim_on = on & rim_sel
    # Ring: the rim is drawn all the way round, by long arcs (not by many text fragments); a worn
    # or broken ring is a handful of arcs, each a fair share of the longest.
    _, rim_comps = components(np.where(rim_on, 255, 0).astype(np.uint8), min_area=3)
    rim_comps.sort(key=lambda c: -c.area)
    big = (
        [c for c in rim_comps[:RING_MAX_ARCS] if c.area >= RING_ARC_SHARE * rim_comps[0].area]
        if rim_comps
        else []
    )
    if not big:
        return None
    rim_labels, _ = components(np.where(rim_on, 255, 0).astype(np.uint8))
    keep = np.isin(rim_labels, [c.label for c in big])
    # Coverage of the part of the ring that lies inside the picture (all of it, unless the seal
    # is cut by the picture's edge).
    drawn = ((theta[keep] + math.pi) / (2 * math.pi) * RING_BINS).astype(np.int32) % RING_BINS
    ring_cov = len(set(np.unique(drawn).tolist()) & visible) / len(visible)
    if ring_cov < 0.72:
        return None
    mid_sel = (rho >= 0.6) & (rho < 0.8)
    core_sel = rho < 0.5
    mid = float(np.count_nonzero(on & mid_sel)) / max(1, int(np.count_nonzero(mid_sel)))
    core = float(np.count_nonzero(on & core_sel)) / max(1, int(np.count_nonzero(core_sel)))
    rim_density = float(np.count_nonzero(rim_on)) / max(1, int(np.count_nonzero(rim_sel)))
    if core > 0.5 or mid > 0.62 or rim_density < 0.15:
        return None  # filled: pie chart, dot, donut, flag
    # Star: a star-shaped component near the centre (on the raw red mask too, because the
    # bridged one glues black text printed over the star to it).
    star = 0.0
    parts: list[tuple[float, float]] = []  # (angle, rho) of glyph-sized parts inside the ring
    # The raw mask once more, thinned by a pixel: uneven ink and JPEG fringes glue the star to a
    # glyph beside it.
    # ... or a light streak (fold, scratch) cuts it in two: closed by two pixels.
    thin = cv2.erode(raw, disk(1))
    closed = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, disk(2))
    for mask_i, src in enumerate((region, raw, thin, closed)):
        inner = np.where((src > 0) & (rho < 0.86), 255, 0).astype(np.uint8)
        contours, _ = cv2.findContours(inner, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for c in contours:
            bx, by, bw, bh = cv2.boundingRect(c)
            px, py = min(bx + bw // 2, rho.shape[1] - 1), min(by + bh // 2, rho.shape[0] - 1)
            r_here = float(rho[py, px])
            if r_here < 0.3 and max(bw, bh) >= 0.12 * minor:
                score = star_score(c)
                # The thinned and closed masks are second chances: only a clean star counts there.
                star = max(star, score if mask_i < 2 or score >= 1.0 else 0.0)
            elif mask_i == 0 and 0.4 <= r_here < 0.86 and 0.04 * major <= max(bw, bh) <= 0.4 * major:
                parts.append((float(theta[py, px]), r_here))
        if star >= 0.5:
            break
    # Rim text: glyphs spread along an arc at one distance from the centre.
    rim_text = False
    if len(parts) >= 4:
        arr = np.asarray(parts, dtype=np.float32)
        rim_text = angular_coverage(arr[:, 0], bins=24) >= 0.25 and float(arr[:, 1].std()) <= 0.12
    if not rim_text:
        rim_text = _arc_text(on, rho, theta)
    if (star < 0.5 and not rim_text) or (strict and not (star >= 0.5 and rim_text)):
        return None
    conf = 0.55 + 0.25 * (star >= 0.5) + 0.15 * rim_text + 0.05 * (ring_cov >= 0.9)
    x, y, bw, bh = cv2.boundingRect(hull)
    details = SealDetails(
        shape="round" if major / minor < 1.2 else "oval",
        ring_coverage=round(float(ring_cov), 2),
        star=bool(star >= 0.5),
        rim_text=bool(rim_text),
        diameter_px=round(float(major), 1),
        diameter_mm=round(float(major / ppm), 1) if ppm else None,
    )
    return SealHit("official", (x, y, x + bw, y + bh), round(min(float(conf), 0.98), 2), details)


# Rim text whose glyphs run together (small or worn seals, dense names): ink spread round the
# band just inside the ring, neither solid nor a few bars. A prohibition sign's slash covers two
# narrow sectors of that band, a donut chart fills it.
ARC_TEXT_BAND = (0.55, 0.84)
ARC_TEXT_MIN_COVERAGE = 0.45
ARC_TEXT_DENSITY = (0.08, 0.55)
ARC_TEXT_MIN_PIECES = 4
ARC_TEXT_MIN_GLYPH_RHO = 0.1  # radial extent of a glyph piece, in radii (the band is 0.29)


def _arc_text(on: np.ndarray, rho: np.ndarray, theta: np.ndarray) -> bool:
    band = (rho >= ARC_TEXT_BAND[0]) & (rho < ARC_TEXT_BAND[1])
    ink = on & band
    n_band = int(np.count_nonzero(band))
    if n_band == 0:
        return False
    density = float(np.count_nonzero(ink)) / n_band
    if not ARC_TEXT_DENSITY[0] <= density <= ARC_TEXT_DENSITY[1]:
        return False
    if angular_coverage(theta[ink], bins=36) < ARC_TEXT_MIN_COVERAGE:
        return False
    labels, pieces = components(np.where(ink, 255, 0).astype(np.uint8), min_area=4)
    # A glyph stands across the band; the inner edge of a thick ring (a prohibition sign's,
    # reaching into the band) is a thin sliver along it, broken into pieces in a small picture.
    upright = 0
    for piece in pieces:
        r = rho[labels == piece.label]
        if float(r.max() - r.min()) >= ARC_TEXT_MIN_GLYPH_RHO:
            upright += 1
    return upright >= ARC_TEXT_MIN_PIECES


FRAME_LINE_COVER = 0.8
UNFRAMED_MAX_RATIO = 1.2
UNFRAMED_MIN_FILL = 0.9
UNFRAMED_DENSITY = (0.3, 0.75)
UNFRAMED_EDGE_INK = 0.25


# A 白文 seal has two to four white glyphs on red: many separate white strokes. An icon has one.
WHITE_GLYPH_MIN_PARTS = 5


def _white_parts(inner: np.ndarray, area: int) -> int:
    white = np.where(inner, 0, 255).astype(np.uint8)
    _, parts = components(white, min_area=max(4, round(0.002 * area)))
    return len(parts)


def _personal_seal(region: np.ndarray, ppm: float | None) -> SealHit | None:
    pts = cv2.findNonZero(region)
    if pts is None or len(pts) < 30:
        return None
    hull = cv2.convexHull(pts)
    (rcx, rcy), (rw, rh), angle = cv2.minAreaRect(hull)
    side_max, side_min = max(rw, rh), min(rw, rh)
    if side_min < 10 or side_max / side_min > 1.45:
        return None
    if ppm and not (7 * ppm <= side_max <= 32 * ppm):
        return None
    if cv2.contourArea(hull) < 0.88 * rw * rh:
        return None
    # Straighten the seal so that frame and strokes can be measured on the axes.
    if abs(angle) > 1 and abs(angle - 90) > 1:
        rot = cv2.getRotationMatrix2D((rcx, rcy), angle, 1.0)
        straight = cv2.warpAffine(region, rot, (region.shape[1], region.shape[0]), flags=cv2.INTER_NEAREST)
        pts2 = cv2.findNonZero(straight)
        if pts2 is None:
            return None
        x, y, bw, bh = cv2.boundingRect(pts2)
        sq = straight[y : y + bh, x : x + bw] > 0
    else:
        x, y, bw, bh = cv2.boundingRect(pts)
        sq = region[y : y + bh, x : x + bw] > 0
    hh, ww = sq.shape
    if hh < 10 or ww < 10:
        return None
    density = float(sq.mean())
    if density > 0.9:
        return None  # solid block: bar, table fill, flag
    m = max(2, round(0.1 * min(hh, ww)))
    strips = [sq[:m].mean(), sq[-m:].mean(), sq[:, :m].mean(), sq[:, -m:].mean()]
    # A frame is a line along each side: some row (column) near the edge inked nearly end to end,
    # however thick the frame and however wide the gap to the glyphs.
    lines = [sq[:m].mean(axis=1).max(), sq[-m:].mean(axis=1).max(), sq[:, :m].mean(axis=0).max(),
             sq[:, -m:].mean(axis=0).max()]  # fmt: skip
    framed = min(strips) >= 0.45 or min(lines) >= FRAME_LINE_COVER
    inner = sq[m:-m, m:-m]
    if inner.size == 0:
        return None
    inner_density = float(inner.mean())
    row_tr = float(np.abs(np.diff(inner.astype(np.int8), axis=1)).sum(axis=1).mean())
    col_tr = float(np.abs(np.diff(inner.astype(np.int8), axis=0)).sum(axis=0).mean())
    strokes = row_tr >= 2.0 and col_tr >= 2.0
    white_text = density >= 0.45 and strokes  # 白文印: red ground, white glyphs
    # 朱文 art seals without a frame: dense strokes filling a square to all four sides.
    unframed = (
        side_max / side_min <= UNFRAMED_MAX_RATIO
        and cv2.contourArea(hull) >= UNFRAMED_MIN_FILL * rw * rh
        and UNFRAMED_DENSITY[0] <= density <= UNFRAMED_DENSITY[1]
        and min(strips) >= UNFRAMED_EDGE_INK
    )
    if not strokes or not (0.12 <= inner_density <= 0.85) or not (framed or white_text or unframed):
        return None
    if density >= 0.45 and _white_parts(inner, hh * ww) < WHITE_GLYPH_MIN_PARTS:
        return None  # red ground with one white sign on it: an app icon or a badge, not 白文 glyphs
    bx, by, bw2, bh2 = cv2.boundingRect(hull)
    details = SealDetails(
        shape="square" if side_max / side_min < 1.15 else "rectangle",
        framed=bool(framed),
        side_px=round(float(side_max), 1),
        side_mm=round(float(side_max / ppm), 1) if ppm else None,
    )
    conf = 0.8 if framed else 0.7 if white_text else 0.6
    return SealHit("personal", (bx, by, bx + bw2, by + bh2), conf, details)


# -- signatures ----------------------------------------------------------------------------------
@dataclass
class SignatureHit:
    box: PxBox
    confidence: float
    details: SignatureDetails = field(default_factory=SignatureDetails)


def find_signature(rgb: np.ndarray) -> SignatureHit | None:
    """A handwritten signature picture: light background, a little dark or blue ink in a few
    long, thin, curved strokes laid out wide. Printed text (many small components, straight
    strokes), charts, photos and QR codes fail one of the tests."""
    h, w = rgb.shape[:2]
    if h < 20 or w < 40:
        return None
    hsv = hsv_of(rgb)
    v = hsv[:, :, 2]
    light = float(np.count_nonzero((v >= 200) & (hsv[:, :, 1] < 60))) / v.size
    if light < 0.75:
        return None
    blue = blue_ink_mask(rgb, hsv)
    ink = cv2.bitwise_or(dark_mask(rgb, hsv), blue)
    ink_frac = float(np.count_nonzero(ink)) / ink.size
    if not 0.004 <= ink_frac <= 0.18:
        return None
    if np.count_nonzero(cv2.bitwise_and(colour_mask(rgb, hsv), cv2.bitwise_not(blue))) > 0.01 * v.size:
        return None  # other colours: chart, logo, photo
    if np.count_nonzero(red_mask(rgb, hsv)) > 0.3 * np.count_nonzero(ink):
        return None  # red: a seal, handled elsewhere
    pts = cv2.findNonZero(ink)
    x, y, bw, bh = cv2.boundingRect(pts)
    if bw < 1.3 * bh or bh < 8:
        return None
    crop = ink[y : y + bh, x : x + bw]
    _, comps = components(crop, min_area=max(3, (bw * bh) // 4000))
    if not 1 <= len(comps) <= 30:
        return None
    biggest = max(comps, key=lambda c: c.width)
    if biggest.width < 0.2 * bw:
        return None  # no long connected stroke: printed glyphs
    # Stroke width: ink area over half the contour length (thin pen lines).
    contours, _ = cv2.findContours(crop, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perim = sum(cv2.arcLength(c, True) for c in contours)
    stroke_w = 2.0 * float(np.count_nonzero(crop)) / max(perim, 1.0)
    if stroke_w > max(3.5, 0.12 * bh):
        return None
    # Straightness: printed glyphs and tables are made of horizontal/vertical runs.
    k = max(7, bh // 5)
    horiz = cv2.morphologyEx(crop, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vert = cv2.morphologyEx(crop, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    straight = float(np.count_nonzero(horiz | vert)) / max(1, int(np.count_nonzero(crop)))
    if straight > 0.35:
        return None
    blue_frac = float(np.count_nonzero(blue[y : y + bh, x : x + bw])) / max(1, int(np.count_nonzero(crop)))
    conf = 0.6 if blue_frac > 0.5 else 0.5
    details = SignatureDetails(
        ink="blue" if blue_frac > 0.5 else "dark",
        strokes=len(comps),
        stroke_px=round(float(stroke_w), 1),
        straight_fraction=round(float(straight), 2),
    )
    return SignatureHit((x, y, x + bw, y + bh), conf, details)


# -- rasters: pages and images at working resolution ---------------------------------------------
@dataclass
class Raster:
    """Pixels of a page or an image, with the map back to page units."""

    rgb: np.ndarray
    page: int
    scale_x: float  # page units per pixel
    scale_y: float
    offset: tuple[float, float] = (0.0, 0.0)  # page position of pixel (0, 0)
    px_per_mm: float | None = None
    _red: np.ndarray | None = field(default=None, repr=False)
    _hsv: np.ndarray | None = field(default=None, repr=False)
    _balanced: np.ndarray | None = field(default=None, repr=False)

    def balanced(self) -> np.ndarray:
        """The pixels with a paper colour cast removed (see `paper_balanced`)."""
        if self._balanced is None:
            self._balanced = paper_balanced(self.rgb)
        return self._balanced

    def hsv(self) -> np.ndarray:
        if self._hsv is None:
            self._hsv = hsv_of(self.balanced())
        return self._hsv

    def red(self) -> np.ndarray:
        if self._red is None:
            self._red = red_mask_fast(self.balanced())
        return self._red

    def seals(self) -> list[SealHit]:
        return find_seals(self.balanced(), self.px_per_mm, self.red())

    def page_bbox(self, box: PxBox) -> BBox:
        ox, oy = self.offset
        return (
            round(ox + box[0] * self.scale_x, 2),
            round(oy + box[1] * self.scale_y, 2),
            round(ox + box[2] * self.scale_x, 2),
            round(oy + box[3] * self.scale_y, 2),
        )


def is_scan_page(doc: Document, page: Page) -> bool:
    """Pages whose content is pixels: image files, OCR'd pages, PDF pages that are one scan."""
    if doc.format in IMAGE_FORMATS or page.ocr_applied:
        return True
    return any(im.kind == "page_scan" and im.page == page.number for im in doc.images)


# A picture is taken for a photographed/scanned sheet (and its scale guessed from A4) only when it
# has the proportions of a sheet and enough pixels for one: a seal cropped out of a page, a photo
# of three stamps or an invoice strip has no known scale, and only shape is judged there.
# A4/A3 are 1.414; camera pictures are 4:3 (1.333) or 3:2 (1.5) whatever they show, so those
# proportions say nothing about scale.
SHEET_ASPECT = (1.37, 1.47)
SHEET_MIN_SHORT_PX = 500  # ~60 dpi across an A4 short side


def sheet_px_per_mm(img_w: int, img_h: int) -> float | None:
    """Assumed scale of a pixel picture that looks like a whole sheet of paper, else None."""
    short, long_ = sorted((img_w, img_h))
    if short < SHEET_MIN_SHORT_PX or not SHEET_ASPECT[0] <= long_ / max(short, 1) <= SHEET_ASPECT[1]:
        return None
    return (short / 210.0 + long_ / 297.0) / 2.0


def page_px_per_mm(page: Page, img_w: int, img_h: int) -> float | None:
    """Pixels per mm of a rendered page: exact for pt pages, assumed A4-like for pixel pages that
    look like a sheet, unknown (None) for other pictures."""
    if page.unit == "pt" and page.width > 0:
        return img_w / (page.width / 72.0 * 25.4)
    return sheet_px_per_mm(img_w, img_h)


_CACHE: OrderedDict[tuple[int, int, str], tuple[weakref.ref, Raster | None]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 3


def _cached(doc: Document, key: tuple[int, str], build: Any) -> Raster | None:
    """Tiny per-document cache: red_header and seal both look at page 1 of a scan."""
    full = (id(doc), key[0], key[1])
    with _CACHE_LOCK:
        hit = _CACHE.get(full)
        if hit is not None and hit[0]() is doc:
            _CACHE.move_to_end(full)
            return hit[1]
    raster = build()
    with _CACHE_LOCK:
        _CACHE[full] = (weakref.ref(doc), raster)
        _CACHE.move_to_end(full)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return raster


def page_raster(doc: Document, page: Page) -> Raster | None:
    """The page at working resolution: rendered when the page can render itself, else its
    page_scan image. None when there are no pixels."""

    def build() -> Raster | None:
        if page.renderer is not None:
            # 150 dpi: the usual scan resolution, so MuPDF blits the image instead of resampling
            # it (cheaper than rendering at 120 dpi), and the same dpi OCR uses.
            dpi = SCAN_RENDER_DPI if page.unit == "pt" else 72
            try:
                img = page.render(dpi)
            except Exception:  # noqa: BLE001 - a page that cannot render has no pixel evidence
                img = None
            if img is not None:
                rgb = to_rgb(img)
                ppm = page_px_per_mm(page, rgb.shape[1], rgb.shape[0])
                f = work_factor(ppm, rgb.shape)
                rgb = resize(rgb, f)
                sx = page.width / rgb.shape[1] if page.width else 1.0 / f
                sy = page.height / rgb.shape[0] if page.height else 1.0 / f
                return Raster(rgb, page.number, sx, sy, (0.0, 0.0), ppm * f if ppm else None)
        scans = [im for im in doc.images if im.page == page.number and im.kind == "page_scan"]
        if scans:
            return image_raster(scans[0], page)
        return None

    return _cached(doc, (page.number, "page"), build)


def load_image_rgb(item: ImageItem, target_px_per_mm: float | None = None) -> tuple[np.ndarray, float] | None:
    """Decode an image (JPEG decoded at reduced size when it is much larger than needed).
    Returns (rgb, factor applied to the original pixel size)."""
    from PIL import Image

    try:
        data = item.load_bytes()
        img = Image.open(io.BytesIO(data))
        w0, h0 = img.size
        if img.format == "JPEG" and target_px_per_mm and item.width:
            want = max(1, int(w0 * target_px_per_mm))
            img.draft("RGB", (want, max(1, int(h0 * target_px_per_mm))))
        img.load()
        if getattr(img, "n_frames", 1) > 1:
            img.seek(0)
    except Exception:  # noqa: BLE001 - undecodable image: nothing to see
        return None
    rgb = to_rgb(img)
    return rgb, rgb.shape[1] / max(w0, 1)


def image_px_per_mm(item: ImageItem, page: Page | None) -> float | None:
    """Physical resolution of an image as placed on its page (None without a placement)."""
    if item.bbox is None or page is None or item.width <= 0:
        return None
    bw = item.bbox[2] - item.bbox[0]
    if bw <= 0:
        return None
    if page.unit == "pt":
        return item.width / (bw / 72.0 * 25.4)
    if page.unit == "px" and page.width > 0:
        # A scan: assume the page is A4-ish.
        page_ppm = page_px_per_mm(page, int(page.width), int(page.height))
        return item.width / (bw / page_ppm) if page_ppm else None
    return None


def image_raster(item: ImageItem, page: Page | None) -> Raster | None:
    """An embedded image (or a page scan) at working resolution, mapped into its bbox."""
    ppm = image_px_per_mm(item, page)
    if ppm is None and item.kind == "page_scan" and page is not None and page.unit == "px":
        ppm = page_px_per_mm(page, item.width or int(page.width), item.height or int(page.height))
    f_wanted = work_factor(ppm, (item.height or 1, item.width or 1))
    loaded = load_image_rgb(item, f_wanted if f_wanted < 1 else None)
    if loaded is None:
        return None
    rgb, f_decoded = loaded
    h_dec, w_dec = rgb.shape[:2]
    w_orig = max(1, round(w_dec / f_decoded))
    f_more = work_factor(ppm * f_decoded if ppm else None, rgb.shape)
    rgb = resize(rgb, f_more)
    f_total = rgb.shape[1] / w_orig
    page_no = item.page or 1
    if item.bbox is not None:
        x0, y0, x1, y1 = item.bbox
        sx = (x1 - x0) / rgb.shape[1]
        sy = (y1 - y0) / rgb.shape[0]
        offset = (x0, y0)
    elif page is not None and page.unit == "px" and item.kind == "page_scan" and page.width:
        sx, sy, offset = page.width / rgb.shape[1], page.height / rgb.shape[0], (0.0, 0.0)
    else:
        sx = sy = 1.0 / f_total  # original image pixels
        offset = (0.0, 0.0)
    return Raster(rgb, page_no, sx, sy, offset, ppm * f_total if ppm else None)


def render_raster(page: Page, dpi: int = WORK_DPI) -> Raster | None:
    """Render a vector page (PDF) at working resolution (fallback for vector seals)."""
    if page.renderer is None:
        return None
    try:
        rgb = to_rgb(page.render(dpi))
    except Exception:  # noqa: BLE001
        return None
    sx = page.width / rgb.shape[1] if page.width else 72.0 / dpi
    sy = page.height / rgb.shape[0] if page.height else 72.0 / dpi
    return Raster(rgb, page.number, sx, sy, (0.0, 0.0), page_px_per_mm(page, rgb.shape[1], rgb.shape[0]))


__all__ = [
    "Component",
    "HeaderPixels",
    "Raster",
    "SealHit",
    "SignatureHit",
    "WORK_DPI",
    "angular_coverage",
    "bridge_dark",
    "circularity",
    "colour_mask",
    "components",
    "dark_mask",
    "find_red_header",
    "find_seals",
    "find_signature",
    "horizontal_lines",
    "image_raster",
    "is_scan_page",
    "page_raster",
    "red_mask",
    "render_raster",
    "star_score",
    "text_rows",
    "to_rgb",
]
