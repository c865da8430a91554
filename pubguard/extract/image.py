"""Raster images (PNG, JPEG, TIFF incl. multi-page, GIF, BMP, WEBP) -> `Document` via Pillow.

One `Page` per frame in pixels, one `ImageItem(kind="page_scan")` per page, and OCR lines as
`BlockKind.OCR` blocks. Frames are decoded again on demand by the renderer/loader instead of
being kept in memory: a 50-page fax TIFF would otherwise hold hundreds of MB.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from pubguard.config import ScanConfig
from pubguard.document import Document, ImageItem, Page
from pubguard.errors import CorruptFile, DecompressionBomb, TooLarge
from pubguard.extract.ocr import OCR_MISSING, ocr_available

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

_FORMATS = {
    "PNG": "png",
    "JPEG": "jpeg",
    "MPO": "jpeg",
    "TIFF": "tiff",
    "GIF": "gif",
    "BMP": "bmp",
    "WEBP": "webp",
}


def _bomb(width: int, height: int, limit: int) -> DecompressionBomb:
    return DecompressionBomb(
        f"图片尺寸过大（{width}×{height} 像素，超过上限 {limit} 像素），可能是解压炸弹，已拒绝处理。"
    )


def _open(data: bytes, limit: int) -> PILImage.Image:
    """Open lazily with Pillow's bomb guard set from our limit; its warning is an error too."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DecompressionBomb(
                f"图片尺寸过大，超过上限 {limit} 像素，可能是解压炸弹，已拒绝处理。"
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise CorruptFile("图片文件已损坏或格式无法识别，无法读取。") from exc
    return img


def _frame(data: bytes, index: int, limit: int) -> PILImage.Image:
    """Decode frame `index` upright (EXIF orientation applied) as RGB on white."""
    from PIL import Image, ImageOps

    from pubguard.extract.ocr import to_rgb

    img = _open(data, limit)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            if index:
                img.seek(index)
            if img.width * img.height > limit:
                raise _bomb(img.width, img.height, limit)
            img.load()
            upright = ImageOps.exif_transpose(img) or img
            return to_rgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(img.width, img.height, limit) from exc
        except DecompressionBomb:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise CorruptFile("图片文件已损坏或不完整（数据被截断），无法读取。") from exc


def _png(img: PILImage.Image) -> bytes:
    bio = io.BytesIO()
    img.save(bio, "PNG")
    return bio.getvalue()


def extract_image(data: bytes, name: str, config: ScanConfig) -> Document:
    """Extract a finalized `Document`; raises CorruptFile / DecompressionBomb / TooLarge."""
    limit = config.limits.max_image_pixels
    img = _open(data, limit)
    fmt = _FORMATS.get(str(img.format), str(img.format or "").lower())
    try:
        n_frames = int(getattr(img, "n_frames", 1) or 1)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFile("图片文件已损坏或不完整，无法读取全部页面。") from exc
    if n_frames > config.limits.max_pages:
        raise TooLarge(f"图片共 {n_frames} 帧/页，超过页数上限 {config.limits.max_pages} 页。")
    orientation = 1
    with contextlib.suppress(Exception):
        orientation = int(img.getexif().get(0x0112, 1) or 1)
    original_ok = n_frames == 1 and fmt in ("png", "jpeg") and orientation == 1

    doc = Document(name=name, format=fmt)
    paragraph = 0
    ocr_done = 0
    not_ocred: list[int] = []
    over_limit: list[int] = []
    for index in range(n_frames):
        frame = _frame(data, index, limit)
        number = index + 1
        width, height = frame.size
        doc.pages.append(
            Page(
                number=number,
                width=float(width),
                height=float(height),
                unit="px",
                has_text_layer=False,
                renderer=_renderer(data, index, limit),
            )
        )
        doc.images.append(
            ImageItem(
                page=number,
                bbox=(0.0, 0.0, float(width), float(height)),
                width=width,
                height=height,
                name=f"{name}#{number}" if n_frames > 1 else name,
                kind="page_scan",
                loader=(lambda: data) if original_ok else _loader(data, index, limit),
            )
        )
        if not config.ocr:
            not_ocred.append(number)
        elif not ocr_available():
            if OCR_MISSING not in doc.warnings:
                doc.warnings.append(OCR_MISSING)
        elif ocr_done >= config.limits.max_ocr_pages:
            over_limit.append(number)
        else:
            from pubguard.extract.ocr import ocr_blocks

            blocks = ocr_blocks(frame, number, scale=1.0, first_paragraph=paragraph)
            paragraph += len(blocks)
            doc.blocks.extend(blocks)
            doc.pages[-1].ocr_applied = True
            ocr_done += 1
        del frame
    if not_ocred:
        doc.warnings.append("图片文件未启用 OCR，图片中的文字内容未被检查。")
    if over_limit:
        doc.warnings.append(
            f"图片共 {n_frames} 页，超过 OCR 页数上限 {config.limits.max_ocr_pages} 页，"
            f"第 {over_limit[0]} 页起未识别，这些页面的文字内容未被检查。"
        )
    return doc.finalize()


def _renderer(data: bytes, index: int, limit: int) -> Callable[[int], PILImage.Image]:
    def render(dpi: int = 150) -> PILImage.Image:  # pixels are pixels: dpi does not apply
        return _frame(data, index, limit)

    return render


def _loader(data: bytes, index: int, limit: int) -> Callable[[], bytes]:
    def load() -> bytes:
        return _png(_frame(data, index, limit))

    return load


__all__ = ["extract_image"]
