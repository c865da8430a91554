"""Seals and signatures: a non-secret document published on a government site must not carry
the organ's seal or a leader's personal seal or signature (网站群管理办法: 非涉密公文不得带有单位公章
和领导个人签章).

Evidence is visual. Official seals are red rings (round, or oval up to ~1.7:1) with a star and/or
text along the rim; personal seals are small red squares with a frame and dense strokes. They are
found in embedded pictures, in scanned pages, and in PDF vector graphics (a red circle with a red
star); a PDF page with red curves that do not resolve as vectors is rendered as a fallback.
Signatures are a weaker heuristic (thin, curved dark/blue strokes in a wide picture near the end).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pubguard.details import ElectronicSealDetails, SealDetails, SignatureDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.detectors.vision import (
    IMAGE_FORMATS,
    Raster,
    SealHit,
    SignatureHit,
    find_signature,
    image_raster,
    is_scan_page,
    load_image_rgb,
    page_raster,
    render_raster,
    resize,
)
from pubguard.document import BBox, BlockKind, Document, Drawing, ImageItem, Page, TextBlock, is_red
from pubguard.finding import Category, Finding, Severity
from pubguard.lazy import lazy_import

cv2 = lazy_import("cv2")  # OpenCV loads on first use: most scans never touch pixels

BASIS = (
    "网站群管理办法：政府网站群发布的非涉密公文“不得带有单位公章和领导个人签章”；"
    "GB/T 9704-2012《党政机关公文格式》7.3.5（印章）"
)
SUGGEST_SEAL = "使用无印章版本发布（由起草单位提供未盖章的电子稿），或删除印章图片后重新生成文件。"
SUGGEST_SIGNATURE = "使用不含手写签名的版本发布，或删除签名图片后重新生成文件。"

MAX_IMAGES = 300  # embedded pictures analysed per document (time bound)
MAX_FALLBACK_RENDERS = 20  # vector pages rendered to check ambiguous red curves
MIN_IMAGE_PX = 24
SIGNATURE_MAX_SIDE = 900
SIGNATURE_WORDS = ("签名", "签字", "手签", "签章", "signature", "sign")

SHAPE_LABELS = {"round": "圆形", "oval": "椭圆形", "square": "方形", "rectangle": "长方形"}


@dataclass
class _Hit:
    rule: str
    page: int | None  # None: an electronic signature not tied to a page
    bbox: BBox | None
    confidence: float
    source: str  # "image" | "scan" | "vector" | "render"
    key: str  # stable identity for the evidence hash
    details: SealDetails | SignatureDetails | ElectronicSealDetails = field(default_factory=SealDetails)


@register
class SealDetector(Detector):
    name = "seal"
    category = Category.SEAL
    rules = {
        "official_seal": "带有单位公章（红色圆形/椭圆形印章，含五角星或环形单位名称）",
        "personal_seal": "带有个人名章（红色方形小印章，如“某某之印”）",
        "signature": "带有疑似手写签名图片",
        "electronic_seal": "带有电子印章或数字签名（OFD 签章等，文件结构中的签章记录）",
    }
    uses_pixels = True

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        hits: list[_Hit] = list(self._electronic(doc))
        hits.extend(self._scan_pages(doc))
        hits.extend(self._images(doc))
        hits.extend(self._vectors(doc, hits))
        return [self._finding(doc, ctx, h) for h in _dedupe(hits)]

    # -- sources ----------------------------------------------------------------------------
    def _electronic(self, doc: Document) -> Iterator[_Hit]:
        """Electronic seals and signatures the file itself records (OFD Signs/): certain."""
        for n, sig in enumerate(doc.signatures):
            details = ElectronicSealDetails(
                kind=sig.kind,
                signature_source=sig.source,
                provider=sig.provider or None,
                signed_at=sig.signed_at or None,
                seal_name=sig.seal_name or None,
            )
            key = f"electronic|{sig.source}|{sig.page}|{n}"
            yield _Hit("electronic_seal", sig.page, sig.bbox, 1.0, "electronic", key, details)

    def _scan_pages(self, doc: Document) -> Iterator[_Hit]:
        """Scanned pages and image files: the seal sits in the page pixels."""
        for page in doc.pages:
            if not is_scan_page(doc, page):
                continue
            raster = page_raster(doc, page)
            if raster is None:
                continue
            try:
                seals = raster.seals()
            except (cv2.error, ValueError):
                continue
            for seal in seals:
                box = raster.page_bbox(seal.box)
                rel = _relative_key(box, page)
                yield _Hit(
                    _RULE[seal.kind],
                    page.number,
                    box,
                    seal.confidence,
                    "scan",
                    f"scan|{page.number}|{rel}",
                    replace(seal.details, pixel_bbox=tuple(seal.box)),
                )

    def _images(self, doc: Document) -> Iterator[_Hit]:
        """Embedded pictures (PDF images, DOCX inline/anchored pictures)."""
        if doc.format in IMAGE_FORMATS:
            return
        candidates = [im for im in doc.images if im.kind != "page_scan" and im.loader is not None]
        pages_of: dict[str, set[int]] = {}
        counts: Counter[str] = Counter()
        for im in candidates:
            pages_of.setdefault(_image_key(im), set()).add(im.page)
            counts[_image_key(im)] += 1
        cache: dict[str, _Analysis | None] = {}
        end_zone = _end_zone(doc)
        for im in candidates[:MAX_IMAGES]:
            if im.width and im.height and min(im.width, im.height) < MIN_IMAGE_PX:
                continue
            page = doc.page(im.page) if im.page else None
            key = _image_key(im)
            if len(pages_of.get(key, ())) >= 2 and page is not None and _in_margin(im.bbox, page):
                continue  # a logo repeated in the running head/foot
            if key not in cache:
                try:
                    cache[key] = _analyse_image(
                        im, page, want_signature=counts[key] == 1 and _near_end(im, doc, end_zone)
                    )
                except (cv2.error, ValueError, OSError):  # one odd picture must not stop the rest
                    cache[key] = None
            found = cache[key]
            if found is None:
                continue
            for seal in found.seals:
                yield _Hit(
                    _RULE[seal.kind],
                    im.page or 1,
                    _map_box(seal.box, found.shape, im.bbox),
                    seal.confidence,
                    "image",
                    f"image|{found.digest}|{seal.box[0] // 10},{seal.box[1] // 10}",
                    _at_picture(seal.details, im, found, seal.box),
                )
            sig = found.signature
            if sig is not None and not found.seals and _signature_sized(im, page):
                conf = sig.confidence + (0.2 if _mentions_signature(im) else 0.0)
                yield _Hit(
                    "signature",
                    im.page or 1,
                    _map_box(sig.box, found.shape, im.bbox),
                    round(min(conf, 0.9), 2),
                    "image",
                    f"signature|{found.digest}",
                    _at_picture(sig.details, im, found, sig.box),
                )

    def _vectors(self, doc: Document, found: list[_Hit]) -> Iterator[_Hit]:
        """PDF vector graphics: a red ring with a red star (and red text along the rim)."""
        if doc.format == "docx":
            yield from _docx_shape_seals(doc)
            return
        if doc.format != "pdf":
            return
        by_page: dict[int, list[Drawing]] = {}
        for d in doc.drawings:
            if _red_drawing(d):
                by_page.setdefault(d.page, []).append(d)
        if not by_page:
            return
        red_text: dict[int, list[TextBlock]] = {}
        for b in doc.visible_blocks():
            if b.bbox is not None and b.is_red and b.text.strip():
                red_text.setdefault(b.page, []).append(b)
        renders = 0
        for number, drawings in sorted(by_page.items()):
            page = doc.page(number)
            if page is None or is_scan_page(doc, page):
                continue
            vector_hits, ambiguous = _vector_seals(drawings, red_text.get(number, []), page)
            yield from vector_hits
            if not ambiguous or renders >= MAX_FALLBACK_RENDERS:
                continue
            known = [h.bbox for h in [*found, *vector_hits] if h.page == number and h.bbox]
            if all(any(_overlap(a, k) > 0.5 for k in known) for a in ambiguous):
                continue
            raster = render_raster(page)
            renders += 1
            if raster is None:
                continue
            yield from _render_hits(raster, page, known)

    # -- findings ---------------------------------------------------------------------------
    def _finding(self, doc: Document, ctx: ScanContext, h: _Hit) -> Finding:
        # DOCX/HTML have no fixed pages: "第1页" would mislead there.
        fixed = doc.format == "pdf" or doc.format in IMAGE_FORMATS
        where = f"第{h.page}页" if h.page and fixed else "文档"
        if h.source == "image":
            where += "的图片"
        elif h.source == "vector":
            where += "的矢量图形"
        d = h.details
        shape = SHAPE_LABELS.get(str(d.shape), "") if isinstance(d, SealDetails) else ""
        if isinstance(d, ElectronicSealDetails):
            what = "电子印章" if d.kind == "seal" else "数字签名"
            name = f"“{d.seal_name}”" if d.seal_name else ""
            at = f"第{h.page}页" if h.page else "文件中"
            when = f"，签署时间 {d.signed_at}" if d.signed_at else ""
            message = (
                f"{at}带有{what}{name}（OFD 签章记录{when}）。"
                "非涉密公文在网站发布时不得带有单位公章或领导个人签章，电子签章同样适用。"
            )
            evidence = f"{what}{name}"
            severity, suggestion = Severity.BLOCKER, SUGGEST_SEAL
        elif h.rule == "official_seal":
            star, rim = (d.star, d.rim_text) if isinstance(d, SealDetails) else (None, None)
            parts = [p for p, ok in (("五角星", star), ("环形文字", rim)) if ok]
            extra = f"（含{'、'.join(parts)}）" if parts else ""
            message = f"{where}中检测到红色{shape}公章{extra}。非涉密公文在网站发布时不得带有单位公章。"
            evidence = f"红色{shape}印章{extra}"
            severity, suggestion = Severity.BLOCKER, SUGGEST_SEAL
        elif h.rule == "personal_seal":
            message = f"{where}中检测到红色{shape}个人名章。网站发布的公文不得带有领导个人签章。"
            evidence = f"红色{shape}小印章"
            severity, suggestion = Severity.HIGH, SUGGEST_SEAL
        else:
            ink = "蓝色" if isinstance(d, SignatureDetails) and d.ink == "blue" else "深色"
            message = f"{where}中疑似有手写签名（{ink}细笔画），网站发布的公文不得带有领导个人签章或签名，请人工确认。"
            evidence = f"疑似手写签名图片（{ink}笔迹）"
            severity, suggestion = Severity.HIGH, SUGGEST_SIGNATURE
        details = replace(d, source=h.source)
        return ctx.finding(
            doc,
            category=self.category,
            rule=h.rule,
            severity=severity,
            message=message,
            raw=f"{h.rule}|{h.key}",
            evidence=evidence,
            page=h.page,
            bbox=h.bbox,
            suggestion=suggestion,
            basis=BASIS,
            confidence=h.confidence,
            details=details,
        )


_RULE = {"official": "official_seal", "personal": "personal_seal"}


@dataclass
class _Analysis:
    seals: list[SealHit]
    signature: SignatureHit | None
    shape: tuple[int, int]  # analysed (height, width)
    scale: float  # analysed pixels per original image pixel
    digest: str


def _analyse_image(im: ImageItem, page: Page | None, want_signature: bool) -> _Analysis | None:
    raster = image_raster(im, page)
    if raster is None:
        return None
    h, w = raster.rgb.shape[:2]
    scale = w / im.width if im.width else 1.0
    seals = raster.seals()
    sig = None
    if want_signature and not seals:
        # Pen strokes are thin: judge them near the picture's own resolution, not at 120 dpi.
        loaded = load_image_rgb(im)
        if loaded is not None:
            rgb = loaded[0]
            f = min(1.0, SIGNATURE_MAX_SIDE / max(rgb.shape[:2]))
            rgb = resize(rgb, f)
            sig = find_signature(rgb)
            if sig is not None:  # express its box in the seal raster's pixels
                k = w / rgb.shape[1]
                sig.box = tuple(round(v * k) for v in sig.box)  # type: ignore[assignment]
    return _Analysis(seals, sig, (h, w), scale, _digest(im))


def _map_box(box: tuple[int, int, int, int], shape: tuple[int, int], bbox: BBox | None) -> BBox | None:
    """Pixel box inside the analysed image -> page units through the image's placement."""
    if bbox is None:
        return None
    h, w = shape
    sx, sy = (bbox[2] - bbox[0]) / w, (bbox[3] - bbox[1]) / h
    return (
        round(bbox[0] + box[0] * sx, 2),
        round(bbox[1] + box[1] * sy, 2),
        round(bbox[0] + box[2] * sx, 2),
        round(bbox[1] + box[3] * sy, 2),
    )


# -- vector seals --------------------------------------------------------------------------------
def _red(c: Any) -> bool:
    return c is not None and is_red(c)


def _red_drawing(d: Drawing) -> bool:
    return _red(d.stroke) or (_red(d.fill) and d.fill_opacity > 0.2)


def _ops(d: Drawing) -> list[str]:
    """Operator names of the raw path items ("l", "c", "re", "qu")."""
    out = []
    for item in d.items or ():
        if isinstance(item, (tuple, list)) and item and isinstance(item[0], str):
            out.append(item[0])
        elif isinstance(item, dict) and isinstance(op := item.get("op") or item.get("type"), str):
            out.append(op)
    return out


def _mm(page: Page, length: float) -> float:
    return length / 72.0 * 25.4 if page.unit == "pt" else length


def _ring_like(d: Drawing, page: Page) -> bool | None:
    """True for a red circle/ellipse of seal size; None when the items are not known."""
    x0, y0, x1, y1 = d.bbox
    w, h = x1 - x0, y1 - y0
    if min(w, h) <= 0 or max(w, h) / min(w, h) > 1.75:
        return False
    if not 18 <= _mm(page, max(w, h)) <= 80:
        return False
    ops = _ops(d)
    curves = ops.count("c")
    if d.kind == "ellipse" and not ops:
        return _red(d.stroke) and not _red(d.fill)
    if not ops:
        return None
    if curves < 4 or curves < 0.6 * len(ops):
        # A circle approximated by many straight segments (some producers write those).
        return ops.count("l") >= 16 and _on_ellipse(d) and _red(d.stroke) and not _red(d.fill)
    if _red(d.fill) and d.fill_opacity > 0.2:
        return curves >= 8  # a filled annulus (two sub-paths), not a filled disk
    return _red(d.stroke)


def _points(d: Drawing) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for item in d.items or ():
        if not isinstance(item, (tuple, list)) or not item or item[0] not in ("l", "c"):
            continue
        for p in item[1:]:
            if isinstance(p, (tuple, list)) and len(p) == 2:
                pts.append((float(p[0]), float(p[1])))
            elif hasattr(p, "x") and hasattr(p, "y"):
                pts.append((float(p.x), float(p.y)))
    return pts


def _on_ellipse(d: Drawing) -> bool:
    """All path points lie on the ellipse inscribed in the bbox (within 8%)."""
    pts = _points(d)
    x0, y0, x1, y1 = d.bbox
    a, b = (x1 - x0) / 2, (y1 - y0) / 2
    if len(pts) < 12 or a <= 0 or b <= 0:
        return False
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return all(abs(math.hypot((x - cx) / a, (y - cy) / b) - 1) <= 0.08 for x, y in pts)


def _star_like(d: Drawing) -> bool | None:
    ops = _ops(d)
    x0, y0, x1, y1 = d.bbox
    w, h = x1 - x0, y1 - y0
    if min(w, h) <= 0 or not 0.7 <= w / h <= 1.4:
        return False
    if not ops:
        return None
    lines = ops.count("l")
    return 4 <= lines <= 12 and ops.count("c") <= 1 and ops.count("re") == 0


def _vector_seals(drawings: list[Drawing], red_text: list[Any], page: Page) -> tuple[list[_Hit], list[BBox]]:
    hits: list[_Hit] = []
    ambiguous: list[BBox] = []
    for ring in drawings:
        verdict = _ring_like(ring, page)
        if verdict is False:
            continue
        x0, y0, x1, y1 = ring.bbox
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        a, b = (x1 - x0) / 2, (y1 - y0) / 2
        major = max(a, b) * 2
        star = None
        for d in drawings:
            if d is ring:
                continue
            sx0, sy0, sx1, sy1 = d.bbox
            size = max(sx1 - sx0, sy1 - sy0)
            dist = math.hypot((sx0 + sx1) / 2 - cx, (sy0 + sy1) / 2 - cy)
            if dist <= 0.2 * major and 0.1 * major <= size <= 0.55 * major and _star_like(d) is not False:
                star = d
                break
        chars = 0
        for blk in red_text:
            bx0, by0, bx1, by1 = blk.bbox
            rho = math.hypot(((bx0 + bx1) / 2 - cx) / a, ((by0 + by1) / 2 - cy) / b)
            if rho < 1.0:
                chars += len(blk.text.strip())
        if verdict is None or (star is None and chars < 2):
            ambiguous.append(ring.bbox)
            continue
        star_ok = star is not None and _star_like(star) is True
        details = SealDetails(
            shape="round" if max(a, b) / max(min(a, b), 1e-6) < 1.2 else "oval",
            star=star_ok,
            rim_text=chars >= 2,
            diameter_mm=round(_mm(page, major), 1),
        )
        conf = 0.6 + 0.25 * star_ok + 0.1 * (chars >= 2)
        hits.append(
            _Hit(
                "official_seal",
                page.number,
                (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)),
                round(min(conf, 0.95), 2),
                "vector",
                f"vector|{page.number}|{round(_mm(page, major))}",
                details,
            )
        )
    # Personal seal drawn as a red square with red 某某之印 inside.
    for d in drawings:
        if not _red(d.stroke) or not (d.kind == "rect" or "re" in _ops(d)):
            continue
        x0, y0, x1, y1 = d.bbox
        w, h = x1 - x0, y1 - y0
        if min(w, h) <= 0 or max(w, h) / min(w, h) > 1.45 or not 7 <= _mm(page, max(w, h)) <= 32:
            continue
        inside = "".join(
            blk.text.strip()
            for blk in red_text
            if x0 <= (blk.bbox[0] + blk.bbox[2]) / 2 <= x1 and y0 <= (blk.bbox[1] + blk.bbox[3]) / 2 <= y1
        )
        if len(inside) >= 2 and ("印" in inside or "章" in inside):
            hits.append(
                _Hit(
                    "personal_seal",
                    page.number,
                    (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)),
                    0.8,
                    "vector",
                    f"vector-personal|{page.number}|{round(_mm(page, max(w, h)))}",
                    SealDetails(
                        shape="square" if max(w, h) / min(w, h) < 1.15 else "rectangle",
                        side_mm=round(_mm(page, max(w, h)), 1),
                    ),
                )
            )
    return hits, ambiguous


def _docx_shape_seals(doc: Document) -> Iterator[_Hit]:
    """Word "electronic seals" drawn with shapes: a red ellipse and a red five-point star (plus
    WordArt text) anchored in nearby paragraphs."""
    shapes = [d for d in doc.drawings if _red_drawing(d) and d.source]
    rings = [d for d in shapes if _red(d.stroke) and re.search(r"(?::ellipse|v:oval)(?::|$)", d.source or "")]
    stars = [d for d in shapes if re.search(r"star\d*|t12", d.source or "")]
    for ring in rings:
        x0, y0, x1, y1 = ring.bbox
        w, h = x1 - x0, y1 - y0
        sized = w > 0 and h > 0
        if sized and (max(w, h) / min(w, h) > 1.75 or not 18 <= max(w, h) / 72 * 25.4 <= 80):
            continue
        star = next((s for s in stars if abs(s.paragraph - ring.paragraph) <= 3), None)
        if star is None:
            continue
        if sized and star.bbox[2] > star.bbox[0]:
            cx, cy = (star.bbox[0] + star.bbox[2]) / 2, (star.bbox[1] + star.bbox[3]) / 2
            if not (x0 <= cx <= x1 and y0 <= cy <= y1):
                continue
        yield _Hit(
            "official_seal",
            1,
            None,
            0.8,
            "vector",
            f"docx-shape|{ring.paragraph}",
            SealDetails(
                shape="round" if not sized or max(w, h) / min(w, h) < 1.2 else "oval",
                star=True,
                rim_text=False,
                paragraph=ring.paragraph,
            ),
        )


def _render_hits(raster: Raster, page: Page, known: list[BBox]) -> Iterator[_Hit]:
    for seal in raster.seals():
        box = raster.page_bbox(seal.box)
        if any(_overlap(box, k) > 0.5 for k in known):
            continue
        yield _Hit(
            _RULE[seal.kind],
            page.number,
            box,
            round(seal.confidence * 0.95, 2),
            "render",
            f"render|{page.number}|{_relative_key(box, page)}",
            seal.details,
        )


# -- helpers -------------------------------------------------------------------------------------
def _image_key(im: ImageItem) -> str:
    if im.xref:
        return f"x{im.xref}"
    return im.name or f"{im.page}:{im.paragraph}:{im.width}x{im.height}"


def _digest(im: ImageItem) -> str:
    try:
        return hashlib.sha256(im.load_bytes()).hexdigest()[:16]
    except Exception:  # noqa: BLE001 - identity only
        return _image_key(im)


_PictureMark = TypeVar("_PictureMark", SealDetails, SignatureDetails)


def _at_picture(
    details: _PictureMark, im: ImageItem, found: _Analysis, box: tuple[int, int, int, int]
) -> _PictureMark:
    """`details` with where the mark is: the picture (its name, its DOCX paragraph) and the box
    inside it, in the picture's own pixels."""
    f = found.scale or 1.0
    return replace(
        details,
        image_pixel_bbox=tuple(round(v / f) for v in box),
        image=im.name or None,
        paragraph=im.paragraph if im.paragraph >= 0 else None,
    )


def _relative_key(box: BBox, page: Page) -> str:
    if not page.width or not page.height:
        return f"{round(box[0])},{round(box[1])}"
    return f"{int(10 * box[0] / page.width)},{int(10 * box[1] / page.height)}"


def _in_margin(bbox: BBox | None, page: Page) -> bool:
    """Inside the top or bottom margin (running head / foot)."""
    if bbox is None or not page.height:
        return False
    _, top, _, bottom = page.text_area
    return bbox[3] <= top + 0.03 * page.height or bbox[1] >= bottom - 0.03 * page.height


def _end_zone(doc: Document) -> int:
    """Paragraph id from which a DOCX/HTML picture counts as being at the end."""
    ids = sorted({b.paragraph for b in doc.blocks if b.paragraph >= 0 and b.kind == BlockKind.BODY})
    if not ids:
        return 0
    return ids[max(0, min(int(len(ids) * 0.6), len(ids) - 12))]


def _near_end(im: ImageItem, doc: Document, end_zone: int) -> bool:
    if _mentions_signature(im):
        return True
    if im.bbox is not None and doc.page_count:
        return im.page >= max(1, doc.page_count - 1)
    if im.paragraph >= 0:
        return im.paragraph >= end_zone
    return False


def _signature_sized(im: ImageItem, page: Page | None) -> bool:
    if im.width and im.height and im.width < 1.2 * im.height:
        return False
    if im.bbox is None or page is None or not page.width:
        return True
    w, h = im.bbox[2] - im.bbox[0], im.bbox[3] - im.bbox[1]
    return w <= 0.6 * page.width and h <= 0.2 * page.height


def _mentions_signature(im: ImageItem) -> bool:
    text = f"{im.description or ''} {im.name or ''}".lower()
    return any(w in text for w in SIGNATURE_WORDS)


def _overlap(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / small if small > 0 else 0.0


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    """One finding per seal: the same seal can be seen as a vector, an image and a render."""
    out: list[_Hit] = []
    for h in sorted(hits, key=lambda x: -x.confidence):
        if h.bbox is not None and any(
            o.page == h.page and o.bbox is not None and _overlap(o.bbox, h.bbox) > 0.5 for o in out
        ):
            continue
        out.append(h)
    return out
