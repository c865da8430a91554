"""Page images with the findings boxed (`pubguard scan --annotate DIR`), for humans to check."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from pubguard.config import ScanConfig
from pubguard.document import Document, Page
from pubguard.finding import SEVERITY_COLOURS as _HEX
from pubguard.finding import Finding
from pubguard.scan import FileResult

SEVERITY_COLOURS = {  # the UI's colours (pubguard.finding.SEVERITY_COLOURS) as RGB
    sev: (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16)) for sev, hex_ in _HEX.items()
}


@lru_cache(maxsize=4)
def cjk_font(size: int = 14):
    """PyMuPDF ships a CJK font; PIL can use it, so labels need no system fonts."""
    import pymupdf
    from PIL import ImageFont

    try:
        return ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), size)
    except Exception:  # pragma: no cover - font missing from a PyMuPDF build
        return ImageFont.load_default()


def page_scale(page: Page, image_width: int) -> float:
    """Pixels per page unit for a rendered page."""
    return image_width / page.width if page.width else 1.0


def draw_findings(image, page: Page, findings: list[Finding]):
    """Return a copy of `image` with each finding's bbox outlined and labelled."""
    from PIL import ImageDraw

    img = image.convert("RGB").copy()
    draw = ImageDraw.Draw(img)
    scale = page_scale(page, img.width)
    font = cjk_font(max(12, img.width // 70))
    for n, f in enumerate(findings, start=1):
        if not f.location.bbox:
            continue
        x0, y0, x1, y1 = (v * scale for v in f.location.bbox)
        colour = SEVERITY_COLOURS[f.severity]
        draw.rectangle([x0 - 2, y0 - 2, x1 + 2, y1 + 2], outline=colour, width=3)
        draw.text((x0, max(y0 - font.size - 4, 0)), f"{n}.{f.rule}", fill=colour, font=font)
    return img


def annotate_document(
    doc: Document, findings: list[Finding], out_dir: Path, stem: str, dpi: int = 100
) -> int:
    by_page: dict[int, list[Finding]] = {}
    for f in findings:
        if f.location.page and f.location.bbox:
            by_page.setdefault(f.location.page, []).append(f)
    written = 0
    for number, page_findings in sorted(by_page.items()):
        page = doc.page(number)
        if page is None or page.renderer is None:
            continue
        img = draw_findings(page.render(dpi), page, page_findings)
        img.save(out_dir / f"{stem}_p{number}.png")
        written += 1
    return written


def write_annotated_pages(results: list[FileResult], out_dir: Path, config: ScanConfig) -> int:
    """Re-open each file with located findings and write its boxed pages as PNG."""
    from pubguard.extract import extract

    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for r in results:
        if r.status != "ok" or not any(f.location.bbox for f in r.findings):
            continue
        try:
            doc = r.document or extract(Path(r.path).read_bytes(), r.path, config)
        except Exception:  # the report already holds the findings; pictures are a bonus
            continue
        stem = re.sub(r"[^\w.-]+", "_", r.path).strip("_")
        written += annotate_document(doc, r.findings, out_dir, stem)
    return written
