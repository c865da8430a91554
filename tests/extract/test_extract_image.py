"""Image extraction (PNG/JPEG/TIFF ...): inputs are built here with Pillow."""

from __future__ import annotations

import io
import struct
import zlib

import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, is_red
from pubguard.errors import CorruptFile, DecompressionBomb, TooLarge
from pubguard.extract import extract
from pubguard.extract.image import extract_image


def _read(data: bytes, name: str = "scan.png", **cfg) -> Document:
    config = ScanConfig()
    for key, value in cfg.items():
        if hasattr(config.limits, key):
            setattr(config.limits, key, value)
        else:
            setattr(config, key, value)
    return extract_image(data, name, config)


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    bio = io.BytesIO()
    img.save(bio, fmt, **kw)
    return bio.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims a huge size: decoding it would need gigabytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def test_png_page_in_pixels_with_page_scan_item() -> None:
    data = _encode(Image.new("RGB", (300, 200), "white"), "PNG")
    doc = _read(data, ocr=False)
    assert doc.format == "png" and doc.page_count == 1
    pg = doc.pages[0]
    assert (pg.width, pg.height, pg.unit) == (300, 200, "px")
    assert not pg.has_text_layer and not pg.ocr_applied
    assert pg.render().size == (300, 200)
    (item,) = doc.images
    assert item.kind == "page_scan" and item.bbox == (0, 0, 300, 200)
    assert item.load_bytes() == data  # untouched single-frame PNG is handed over as is
    assert any("OCR" in w for w in doc.warnings)


def test_decompression_bomb_header_is_rejected() -> None:
    with pytest.raises(DecompressionBomb) as err:
        _read(_png_header_claiming(100_000, 100_000))
    assert "像素" in err.value.message


@pytest.mark.parametrize("size", [(20, 20), (40, 40)])  # Pillow warning range and error range
def test_image_over_configured_pixel_limit_is_a_bomb(size) -> None:
    data = _encode(Image.new("L", size, 255), "PNG")
    with pytest.raises(DecompressionBomb):
        _read(data, max_image_pixels=300)


def test_corrupt_and_truncated_images_raise_corrupt_file() -> None:
    with pytest.raises(CorruptFile):
        _read(b"\x89PNG\r\n\x1a\n" + b"\x00not a png" * 20)
    noisy = Image.effect_noise((400, 400), 60).convert("RGB")
    jpeg = _encode(noisy, "JPEG", quality=90)
    with pytest.raises(CorruptFile) as err:
        _read(jpeg[: len(jpeg) // 2], name="cut.jpg")
    assert "损坏" in err.value.message


def test_multipage_tiff_gives_one_page_per_frame() -> None:
    frames = [Image.new("RGB", (120 + 10 * i, 80), (255, 255, 255)) for i in range(3)]
    bio = io.BytesIO()
    frames[0].save(bio, "TIFF", save_all=True, append_images=frames[1:])
    doc = _read(bio.getvalue(), name="fax.tif", ocr=False)
    assert doc.format == "tiff"
    assert [(p.number, p.width) for p in doc.pages] == [(1, 120), (2, 130), (3, 140)]
    assert [im.page for im in doc.images] == [1, 2, 3]
    assert Image.open(io.BytesIO(doc.images[2].load_bytes())).size == (140, 80)
    assert doc.pages[1].render().size == (130, 80)


def test_frame_count_over_page_limit_is_too_large() -> None:
    frames = [Image.new("L", (10, 10), 255) for _ in range(3)]
    bio = io.BytesIO()
    frames[0].save(bio, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooLarge):
        _read(bio.getvalue(), max_pages=2)


def test_multipage_tiff_respects_ocr_page_limit() -> None:
    frames = [Image.new("RGB", (50, 50), "white") for _ in range(2)]
    bio = io.BytesIO()
    frames[0].save(bio, "TIFF", save_all=True, append_images=frames[1:])
    doc = _read(bio.getvalue(), max_ocr_pages=0)
    assert not any(p.ocr_applied for p in doc.pages)
    assert any("OCR 页数上限" in w for w in doc.warnings)


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (200, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    data = _encode(img, "JPEG", exif=exif.tobytes())
    doc = _read(data, name="photo.jpg", ocr=False)
    assert doc.format == "jpeg"
    assert (doc.pages[0].width, doc.pages[0].height) == (100, 200)
    assert Image.open(io.BytesIO(doc.images[0].load_bytes())).size == (100, 200)


def test_transparent_png_renders_on_white() -> None:
    img = Image.new("RGBA", (60, 30), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 9, 9), fill=(0, 0, 0, 255))
    doc = _read(_encode(img, "PNG"), ocr=False)
    page = doc.pages[0].render()
    assert page.mode == "RGB"
    assert page.getpixel((40, 20)) == (255, 255, 255) and page.getpixel((2, 2)) == (0, 0, 0)


def test_extract_dispatches_images() -> None:
    data = _encode(Image.new("RGB", (30, 30), "white"), "GIF")
    doc = extract(data, "a.gif", ScanConfig(ocr=False))
    assert doc.format == "gif" and doc.page_count == 1


@pytest.mark.ocr
def test_ocr_blocks_from_a_red_chinese_line(id_number: str) -> None:
    font = ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), 36)
    img = Image.new("RGB", (1100, 200), "white")
    draw = ImageDraw.Draw(img)
    draw.text((40, 30), "北京市人民政府办公厅", font=font, fill=(220, 0, 20))
    draw.text((40, 110), f"身份证号码{id_number}", font=font, fill=(0, 0, 0))
    doc = _read(_encode(img, "PNG"))
    assert doc.pages[0].ocr_applied and not doc.warnings
    ocr = [b for b in doc.blocks if b.kind is BlockKind.OCR]
    assert all(b.char_boxes is not None and len(b.char_boxes) == len(b.text) for b in ocr)
    header = next(b for b in ocr if "人民政府" in b.text)
    assert header.color is not None and is_red(header.color)
    found = id_number in doc.text  # never print the number itself
    assert found, "ID number not recognised"
    start = doc.text.index(id_number)
    page, bbox = doc.locate(start, start + len(id_number))
    assert page == 1 and bbox is not None and 100 < bbox[1] < 150 and bbox[0] > 200
