"""Fixed-layout geometry: boxes, character boxes, the index of opaque fills behind text, redaction
boxes and frames."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import replace

from pubguard.colour import indistinguishable
from pubguard.document import (
    RGB,
    BBox,
    Document,
    Drawing,
    TextBlock,
    is_dark,
)

# A character counts as covered when this share of its box lies under the dark box.
COVER_SHARE = 0.6
# Text painted after a dark fill lies on it (PDF paint order). In a colour close to the fill it
# is still unreadable: a box laid over the words (x-ray rectangles_yes: black words on a black
# box), so a fake redaction. On a large dark panel (a cover page's lower half, a banner) whose
# area the covered characters fill less than this share of, it is a label printed on the panel
# (a court's "Exh. B - 4" on a brochure cover, x-ray no_bad_redactions.5.5), not a redaction.
ON_PANEL_SHARE = 0.05


# -- geometry ---------------------------------------------------------------------------------
def _area(b: BBox) -> float:
    return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)


def _intersection(a: BBox, b: BBox) -> float:
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0.0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)


def _contains(b: BBox, x: float, y: float) -> bool:
    return b[0] <= x <= b[2] and b[1] <= y <= b[3]


def _image_boxes(doc: Document) -> dict[int, list[BBox]]:
    """Picture boxes per page (text blocks ask for their own page only)."""
    out: dict[int, list[BBox]] = {}
    for img in doc.images:
        if img.bbox is not None:
            out.setdefault(img.page, []).append(img.bbox)
    return out


class _FillIndex:
    """Opaque filled drawings that can lie behind text, per page and per horizontal band.

    Asking every block about every drawing was quadratic (a 30-page table PDF: 4,500 blocks x
    4,500 cell rectangles, 0.45 s). A drawing can only cover part of a block if their vertical
    extents overlap, so each drawing is filed under the bands its extent touches; tall ones
    (and odd coordinates) are checked for every block of the page."""

    BAND = 64.0
    MAX_BANDS = 32

    def __init__(self, doc: Document) -> None:
        self.bands: dict[int, dict[int, list[tuple[int, Drawing]]]] = {}
        self.always: dict[int, list[tuple[int, Drawing]]] = {}
        self.fills: dict[int, set[RGB]] = {}  # fill colours filed per page
        for i, d in enumerate(doc.drawings):
            if d.fill is None or d.fill_opacity < 0.5 or d.kind in ("border", "line") or _is_frame(d):
                continue
            self.fills.setdefault(d.page, set()).add(d.fill)
            span = self._band_span(d.bbox[1], d.bbox[3])
            if span is None or span[1] - span[0] > self.MAX_BANDS:
                self.always.setdefault(d.page, []).append((i, d))
                continue
            page = self.bands.setdefault(d.page, {})
            for b in range(span[0], span[1] + 1):
                page.setdefault(b, []).append((i, d))

    def _band_span(self, y0: float, y1: float) -> tuple[int, int] | None:
        lo, hi = min(y0, y1), max(y0, y1)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        return math.floor(lo / self.BAND), math.floor(hi / self.BAND)

    def may_hide(self, page: int, color: RGB) -> bool:
        """Whether `color` is indistinguishable from white or from a fill filed on `page`: the
        only backgrounds `_background` can find for a block without highlight there."""
        return any(indistinguishable(color, bg) for bg in ((255, 255, 255), *self.fills.get(page, ())))

    def candidates(self, page: int, bbox: BBox) -> list[Drawing]:
        """Drawings that may overlap `bbox`, in reverse drawing order (topmost first), the
        order in which the original loop over reversed(doc.drawings) met them."""
        found: dict[int, Drawing] = dict(self.always.get(page, ()))
        bands = self.bands.get(page)
        span = self._band_span(bbox[1], bbox[3])
        if bands and span is not None and span[1] - span[0] <= 4 * self.MAX_BANDS:
            for b in range(span[0], span[1] + 1):
                found.update(bands.get(b, ()))
        elif bands:  # a block of odd size: every drawing of the page
            for items in bands.values():
                found.update(items)
        return [found[i] for i in sorted(found, reverse=True)]


def _char_weight(ch: str) -> float:
    if ch.isspace():
        return 0.3
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def char_boxes(block: TextBlock) -> list[BBox]:
    """Per-character boxes: exact when the extractor gave them, else estimated from the font
    size (full-width Han = 1 em, Latin/digits ≈ 0.55 em) — scaled to the span's width when the
    estimate agrees with it, unscaled when the span box is clipped at the page edge."""
    assert block.bbox is not None
    n = len(block.text)
    if block.char_boxes and len(block.char_boxes) == n:
        return list(block.char_boxes)
    x0, y0, x1, y1 = block.bbox
    weights = [_char_weight(ch) for ch in block.text]
    total = sum(weights) or 1.0
    width = x1 - x0
    unit = width / total
    if block.font_size:
        estimated = total * block.font_size
        if not 0.8 * width <= estimated <= 1.25 * width:
            unit = block.font_size
    boxes: list[BBox] = []
    x = x0
    for w in weights:
        boxes.append((x, y0, x + w * unit, y1))
        x += w * unit
    return boxes


# -- hidden text -------------------------------------------------------------------------
def _on_image(doc: Document, block: TextBlock) -> bool:
    """Invisible text over a picture is the OCR layer of a searchable scan."""
    if block.bbox is None:
        return False
    cx, cy = (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2
    boxes = doc.cached(("hidden_content.image_boxes", len(doc.images)), lambda: _image_boxes(doc))
    return any(_contains(bbox, cx, cy) for bbox in boxes.get(block.page, ()))


def _subpath_boxes(d: Drawing) -> list[BBox]:
    """Bounding boxes of a path's closed parts: each rectangle/quad, and each run of connected
    line/curve segments (a new run starts where a segment does not begin at the last end)."""
    out: list[BBox] = []
    pts: list[tuple[float, float]] = []
    last: tuple[float, float] | None = None

    def close() -> None:
        if len(pts) >= 3:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out.append((min(xs), min(ys), max(xs), max(ys)))
        pts.clear()

    for it in d.items:
        if not it:
            continue
        op = it[0]
        if op == "re" and len(it) > 1 and len(it[1]) == 4:
            close()
            out.append(tuple(float(v) for v in it[1]))  # type: ignore[arg-type]
            last = None
        elif op == "qu" and len(it) > 1:
            close()
            xs, ys = [p[0] for p in it[1]], [p[1] for p in it[1]]
            out.append((min(xs), min(ys), max(xs), max(ys)))
            last = None
        elif op in ("l", "c") and len(it) >= 3:
            start, end = it[1], it[-1]
            if last is None or abs(start[0] - last[0]) > 0.01 or abs(start[1] - last[1]) > 0.01:
                close()
                pts.append(start)
            pts.append(end)
            last = end
    close()
    return out


def _is_frame(d: Drawing) -> bool:
    """A fill path whose parts nest (an outer outline and an inner one taking up most of it)
    paints a frame: the inside is a hole, as PDF producers draw borders and stamp outlines
    (a 0.4 pt box around "JS-6", a red double frame around "Filed on ..."). Text inside sits on
    the page, not on the fill."""
    if d.fill is None or len(d.items) < 2:
        return False
    parts = _subpath_boxes(d)
    if len(parts) < 2:
        return False
    for outer in parts:
        for inner in parts:
            if inner is outer:
                continue
            inside = (
                inner[0] > outer[0] + 0.05
                and inner[1] > outer[1] + 0.05
                and inner[2] < outer[2] - 0.05
                and inner[3] < outer[3] - 0.05
            )
            if inside and _area(inner) >= 0.5 * _area(outer):
                return True
    return False


def _boxes(d: Drawing) -> list[Drawing]:
    """A path made of several rectangles (one fill for the boxes of a multi-line redaction)
    as its rectangles: their union box would also cover the visible text beside them. A frame
    (nested outlines) covers no text."""
    if _is_frame(d):
        return []
    rects = [it[1] for it in d.items if it and it[0] == "re" and len(it) > 1 and len(it[1]) == 4]
    if len(rects) < 2 or len(rects) != len(d.items):
        return [d]
    # d.bbox is the painted area (cut to the clip in PDF): each rectangle is cut to it as well.
    x0, y0, x1, y1 = d.bbox
    cut = [
        (max(float(r[0]), x0), max(float(r[1]), y0), min(float(r[2]), x1), min(float(r[3]), y1))
        for r in rects
    ]
    return [replace(d, bbox=c, items=[]) for c in cut if c[2] > c[0] and c[3] > c[1]]


def _is_redaction_box(d: Drawing) -> bool:
    if d.fill is None or d.fill_opacity < 0.85 or not is_dark(d.fill, 80):
        return False
    if d.kind in ("line", "border"):
        return False
    w, h = d.bbox[2] - d.bbox[0], d.bbox[3] - d.bbox[1]
    return w >= 3 and h >= 4


def _ranges(offsets: list[int]) -> list[tuple[int, int]]:
    """Contiguous [start, end) ranges from sorted character offsets (small gaps such as a
    space or a span boundary are bridged)."""
    out: list[tuple[int, int]] = []
    for off in sorted(set(offsets)):
        if out and off <= out[-1][1] + 1:
            out[-1] = (out[-1][0], off + 1)
        else:
            out.append((off, off + 1))
    return out
