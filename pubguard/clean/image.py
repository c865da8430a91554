"""Clean copy of a scan saved as an image (PNG, JPEG, TIFF ...): seals and red headers lose their
red pixels, leader annotations and marks are painted white, hidden digits of personal data are
painted white with a `*` drawn in. Saved in the same format, without EXIF/metadata."""

from __future__ import annotations

import io

import numpy as np

from pubguard.clean.common import (
    MARK_RULES,
    annotation_target,
    mark_target,
    masked_targets,
    personal_span,
    red_header_target,
    seal_target,
)
from pubguard.clean.options import CleanOptions, mask_chars
from pubguard.clean.pixels import draw_mask_chars, erase_red, fill_white, to_pixels
from pubguard.clean.report import CleanAction
from pubguard.config import ScanConfig
from pubguard.document import BBox, Document, TextBlock
from pubguard.errors import CorruptFile
from pubguard.finding import Finding
from pubguard.masking import MaskingConfig
from pubguard.scan import FileResult

SAVE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "gif": "GIF", "bmp": "BMP", "webp": "WEBP"}


def prepare_image(data: bytes, name: str, config: ScanConfig) -> FileResult:
    from pubguard.scan import scan_bytes

    return scan_bytes(data, name, config, keep_document=True)


def char_boxes(doc: Document, start: int, end: int) -> list[tuple[int, BBox, str, int]]:
    """(page, box, char, offset) for the characters of doc.text[start:end] on a page."""
    out: list[tuple[int, BBox, str, int]] = []
    for b in doc.blocks_in(start, end):
        if b.page < 1 or b.bbox is None:
            continue
        lo, hi = max(start, b.start) - b.start, min(end, b.end) - b.start
        for i in range(lo, hi):
            out.append((b.page, _box(b, i), b.text[i], b.start + i))
    return out


def _box(b: TextBlock, i: int) -> BBox:
    assert b.bbox is not None
    if b.char_boxes and len(b.char_boxes) == len(b.text):
        return b.char_boxes[i]
    x0, y0, x1, y1 = b.bbox
    n = max(len(b.text), 1)
    return (x0 + (x1 - x0) * i / n, y0, x0 + (x1 - x0) * (i + 1) / n, y1)


def clean_image(
    data: bytes,
    name: str,
    config: ScanConfig,
    options: CleanOptions,
    masking: MaskingConfig,
    result: FileResult | None = None,
) -> tuple[bytes, list[CleanAction]]:
    from PIL import Image

    if result is None or result.document is None:
        result = prepare_image(data, name, config)
    doc = result.document
    assert doc is not None
    try:
        fmt = SAVE_FORMATS.get(doc.format, "PNG")
        frames = [np.asarray(p.render(72).convert("RGB")).copy() for p in doc.pages]
    except Exception as exc:
        raise CorruptFile("图片无法读取，不能生成清理稿。") from exc
    actions: list[CleanAction] = []
    stars: dict[int, list[tuple[int, int, int, int]]] = {}

    def act(f: Finding, action: str, detail: str) -> None:
        where = f"第{f.location.page}页" if f.location.page and len(frames) > 1 else "图片中"
        actions.append(CleanAction(action, str(f.category), f.rule, where, detail, 1, f.fingerprint))

    def frame(page: int | None) -> np.ndarray | None:
        return frames[page - 1] if page and 1 <= page <= len(frames) else None

    for f in masked_targets(result.findings):
        s, e = personal_span(f) or (0, 0)
        plan = mask_chars(doc.text[s:e], f.rule, masking)
        hidden = {s + i for i in plan.hidden}
        n = 0
        for page, box, ch, pos in char_boxes(doc, s, e):
            arr = frame(page)
            if arr is None or pos not in hidden or not ch.strip():
                continue
            px = to_pixels(box, pad=1)
            fill_white(arr, px)
            stars.setdefault(page, []).append(px)
            n += 1
        if n:
            act(f, "masked", f"改为“{plan.masked.strip()}”")
    for f in result.findings:
        cat = str(f.category)
        seal = seal_target(f)
        header = red_header_target(f)  # page 1
        if cat == "seal" and (seal_frame := frame(seal.page)) is not None and seal.box:
            if erase_red(seal_frame, to_pixels(seal.box, pad=8)):
                act(f, "removed", "印章红色印迹")
            else:
                fill_white(seal_frame, to_pixels(seal.box, pad=4))
                act(f, "removed", "印章区域涂白")
        elif (
            cat == "red_header" and f.rule == "red_header" and (first := frame(1)) is not None and header.box
        ):
            if erase_red(first, to_pixels(header.box, pad=10), to_black=options.keep_header_text):
                act(f, "recoloured" if options.keep_header_text else "removed", "红头（红色文字和分隔线）")
        elif cat == "leader_annotation" or (cat == "classification_mark" and f.rule in MARK_RULES):
            if cat == "leader_annotation":
                note = annotation_target(f)
                rng, at_page, at_box = note.span, note.page, note.box
            else:
                mark = mark_target(f)
                rng, at_page, at_box = mark.span, mark.page, mark.box
            boxes = char_boxes(doc, *rng) if rng else []
            fallback = frame(at_page)
            if not boxes and at_box and fallback is not None:
                fill_white(fallback, to_pixels(at_box, pad=3))
                act(f, "redacted", f.evidence)
                continue
            for page, box, _ch, _pos in boxes:
                a = frame(page)
                if a is not None:
                    fill_white(a, to_pixels(box, pad=2))
            if boxes:
                act(f, "redacted", f.evidence)
    images = []
    for i, arr in enumerate(frames):
        img = Image.fromarray(arr)
        if stars.get(i + 1):
            draw_mask_chars(img, stars[i + 1])
        images.append(img)
    out = io.BytesIO()
    if fmt == "JPEG":
        images[0].save(out, "JPEG", quality=92)
    elif fmt == "TIFF":
        images[0].save(
            out, "TIFF", save_all=len(images) > 1, append_images=images[1:], compression="tiff_lzw"
        )
    elif fmt == "GIF":
        images[0].save(out, "GIF", save_all=len(images) > 1, append_images=images[1:])
    else:
        images[0].save(out, fmt)
    return out.getvalue(), actions


__all__ = ["clean_image", "prepare_image", "char_boxes"]
