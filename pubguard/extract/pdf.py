"""PDF -> `Document` with PyMuPDF: spans with style, hidden text, vector graphics, images,
annotations, attachments, JavaScript and metadata; scanned pages go through OCR.

Annotations are read from the original page, but text, drawings and images are read from a
copy of the page with its annotations removed: MuPDF otherwise mixes annotation appearances
(the red cross of a Redact annot, a FreeText box) into the page content, where a red-line or
hidden-text check would mistake them for the document itself.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pubguard.colour import is_dark
from pubguard.config import ScanConfig
from pubguard.document import (
    RGB,
    Attachment,
    BBox,
    BlockKind,
    Document,
    Drawing,
    ImageItem,
    Link,
    Page,
    TextBlock,
    rgb_from_int,
)
from pubguard.errors import CorruptFile, DecompressionBomb, EncryptedFile, TooLarge
from pubguard.progress import report_pages

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

# No TEXT_MEDIABOX_CLIP: text placed outside the visible page is exactly what we look for.
_TEXT_FLAGS = 1 | 2 | 128  # preserve ligatures, preserve whitespace, CID for unknown unicode
_CHAR_FILLED, _CHAR_STROKED, _CHAR_BOLD = 16, 32, 8
_FONT_BOLD = 16
_BOLD_FONT_RE = re.compile(r"bold|black|heavy|semibold|demibold|,b$|-b$|_b$", re.IGNORECASE)

_META_FIELDS = ("title", "author", "subject", "keywords", "creator", "producer", "creationDate", "modDate")
_STANDARD_INFO_KEYS = {
    "Title",
    "Author",
    "Subject",
    "Keywords",
    "Creator",
    "Producer",
    "CreationDate",
    "ModDate",
    "Trapped",
}
_COMMENT_ANNOTS = {"Text", "FreeText"}
_SHAPE_ANNOTS = {
    "Square": "rect",
    "Circle": "ellipse",
    "Line": "line",
    "Ink": "path",
    "Polygon": "path",
    "PolyLine": "path",
    "Stamp": "rect",
}
_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|et|wps|pptx?|zip|rar|7z|ofd|csv|txt)(?:$|[?#])", re.I)

_MIN_TEXT_CHARS = 20  # fewer visible characters than this on an image page = a scan
_SCAN_IMAGE_COVERAGE = 0.5  # share of the page covered by images
_OUTLINED_TEXT_PATHS = 200  # many paths and no text: text converted to curves
_MAX_DRAWINGS_PER_PAGE = 5000
_MAX_IMAGES_PER_PAGE = 500
_MAX_OCR_SIDE_PX = 4000
_MAX_SCRIPT_CHARS = 4000
_MAX_XREFS_SCANNED = 500_000


def _pymupdf() -> Any:
    import pymupdf

    # MuPDF prints parser complaints to stderr; we collect them into doc.warnings instead.
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return pymupdf


def extract_pdf(data: bytes, name: str, config: ScanConfig) -> Document:
    """Extract a finalized `Document`; raises CorruptFile / EncryptedFile / TooLarge."""
    pymupdf = _pymupdf()
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # FileDataError, EmptyFileError, RuntimeError ...
        raise CorruptFile("PDF 文件已损坏或不完整，无法打开。") from exc
    if pdf.needs_pass:
        raise EncryptedFile("PDF 文件已加密，需要密码才能打开，无法检查。请提供未加密的文件。")
    if pdf.page_count == 0:
        raise CorruptFile("PDF 文件已损坏或不完整：没有可读取的页面。")
    if pdf.page_count > config.limits.max_pages:
        raise TooLarge(f"PDF 共 {pdf.page_count} 页，超过页数上限 {config.limits.max_pages} 页。")
    return _PdfBuilder(pymupdf, pdf, data, name, config).build()


# -- helpers -------------------------------------------------------------------------------


def _rgb(color: Any) -> RGB | None:
    """PyMuPDF colour tuples (gray, RGB or CMYK floats 0..1) -> RGB ints."""
    if not color:
        return None
    c = [float(v) for v in color]
    if len(c) == 1:
        g = round(c[0] * 255)
        return (g, g, g)
    if len(c) == 3:
        return (round(c[0] * 255), round(c[1] * 255), round(c[2] * 255))
    if len(c) == 4:
        k = c[3]
        return tuple(round(255 * (1 - v) * (1 - k)) for v in c[:3])  # type: ignore[return-value]
    return None


def _fix_pdf_string(value: str) -> str:
    """Undo mojibake from tools that write UTF-8 or GBK bytes into PDFDocEncoding strings."""
    if not value or all(ord(ch) < 128 for ch in value):
        return value
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    # gb2312 (both bytes >= 0xA1) rather than gb18030, which would turn Latin-1 "Müller"
    # into Chinese.
    for enc in ("utf-8", "gb2312"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return value


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _clip(b: BBox, w: float, h: float) -> BBox:
    return (max(0.0, b[0]), max(0.0, b[1]), min(w, b[2]), min(h, b[3]))


def _center_in(b: BBox, boxes: list[BBox]) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return any(o[0] <= cx <= o[2] and o[1] <= cy <= o[3] for o in boxes)


def _overlaps(b: BBox, boxes: list[BBox], min_share: float = 0.5) -> bool:
    a = _area(b)
    for o in boxes:
        inter = _area((max(b[0], o[0]), max(b[1], o[1]), min(b[2], o[2]), min(b[3], o[3])))
        if a > 0 and inter / a >= min_share:
            return True
    return False


def _png_from_pil(img: PILImage.Image) -> bytes:
    bio = io.BytesIO()
    img.save(bio, "PNG")
    return bio.getvalue()


class _PdfBuilder:
    """Walks the pages once; keeps the PyMuPDF document alive for lazy loaders/renderers."""

    def __init__(self, pymupdf: Any, pdf: Any, data: bytes, name: str, config: ScanConfig):
        self.m = pymupdf
        self.pdf = pdf
        self.data = data
        self.config = config
        self.doc = Document(name=name, format="pdf")
        self.lock = threading.Lock()  # PyMuPDF documents are not thread-safe
        self.paragraph = 0
        self._content_pdf: Any = None
        self.ocr_done = 0
        self.ocr_skipped: list[int] = []
        self.not_ocred: list[int] = []
        self.failed_pages: list[int] = []
        self.truncated_drawings: list[int] = []

    def next_paragraph(self) -> int:
        self.paragraph += 1
        return self.paragraph - 1

    # -- document level -------------------------------------------------------------------
    def build(self) -> Document:
        total = self.pdf.page_count
        report_pages(0, total)
        for index in range(total):
            try:
                self._page(index)
            except Exception:  # one broken page must not lose the rest of the file
                self.failed_pages.append(index + 1)
                if len(self.doc.pages) == index:
                    self.doc.pages.append(Page(number=index + 1, width=0.0, height=0.0, has_text_layer=False))
            report_pages(index + 1, total)
        if self._content_pdf is not None:
            self._content_pdf.close()
            self._content_pdf = None
        self._embedded_files()
        self._scripts()
        self._metadata()
        self._warnings()
        return self.doc.finalize()

    def _warnings(self) -> None:
        w = self.doc.warnings
        if self.failed_pages:
            w.append(f"第 {_pages(self.failed_pages)} 页内容解析失败，已跳过，检查结果可能不完整。")
        if self.truncated_drawings:
            w.append(
                f"第 {_pages(self.truncated_drawings)} 页矢量图形过多，仅检查了前 {_MAX_DRAWINGS_PER_PAGE} 个。"
            )
        if self.not_ocred:
            w.append(
                f"第 {_pages(self.not_ocred)} 页没有文字层（扫描件或图片），未启用 OCR，"
                "这些页面的文字内容未被检查。"
            )
        if self.ocr_skipped:
            w.append(
                f"第 {_pages(self.ocr_skipped)} 页没有文字层，超过 OCR 页数上限 "
                f"{self.config.limits.max_ocr_pages} 页，未识别，这些页面的文字内容未被检查。"
            )
        if getattr(self.pdf, "is_repaired", False):
            w.append("PDF 文件结构损坏（可能不完整或被截断），已自动修复后检查，部分内容可能缺失。")
        raw = self.m.TOOLS.mupdf_warnings(reset=True) or ""
        lines = list(dict.fromkeys(line.strip() for line in raw.splitlines() if line.strip()))
        if lines:
            sample = "；".join(lines[:3])
            w.append(
                f"PDF 解析器报告 {len(lines)} 类问题，文件可能不规范，部分内容可能未能读取（{sample}）。"
            )

    def _metadata(self) -> None:
        doc = self.doc
        md = self.pdf.metadata or {}
        fields: dict[str, str] = {}
        for key in _META_FIELDS:
            value = _fix_pdf_string(str(md.get(key) or "")).strip()
            if value:
                fields[key] = value
        # Custom Info keys (Office writes /Company, /SourceModified ...): who made the file.
        try:
            kind, ref = self.pdf.xref_get_key(-1, "Info")
            if kind == "xref":
                info_xref = int(ref.split()[0])
                for key in self.pdf.xref_get_keys(info_xref):
                    if key in _STANDARD_INFO_KEYS:
                        continue
                    vkind, value = self.pdf.xref_get_key(info_xref, key)
                    if vkind in ("string", "name", "int", "float") and str(value).strip():
                        fields[key[:1].lower() + key[1:]] = _fix_pdf_string(str(value)).strip()
        except Exception:
            pass
        for key, value in _xmp_fields(self.pdf).items():
            if value not in fields.values():
                fields[key] = value
        for key, value in fields.items():
            doc.metadata[key] = value
            doc.blocks.append(
                TextBlock(
                    text=value,
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=self.next_paragraph(),
                    source="pdf:metadata",
                )
            )

    def _embedded_files(self) -> None:
        try:
            for name in self.pdf.embfile_names():
                try:
                    info = self.pdf.embfile_info(name)
                    fname = info.get("filename") or info.get("ufilename") or name
                except Exception:
                    fname = name
                fixed = _fix_pdf_string(str(fname))
                if fixed not in self.doc.embedded_files:
                    self.doc.embedded_files.append(fixed)
                    size = -1
                    with contextlib.suppress(Exception):
                        size = int(self.pdf.embfile_info(name).get("size") or -1)
                    self.doc.attachments.append(
                        Attachment(
                            fixed, size, functools.partial(self.pdf.embfile_get, name), "pdf:embedded_file"
                        )
                    )
        except Exception:
            pass

    def _scripts(self) -> None:
        """Every object with a /JS entry (document-level names, OpenAction, link and field
        actions). The name tree itself only points to these, so it is not listed twice."""
        pdf = self.pdf
        try:
            n = min(pdf.xref_length(), _MAX_XREFS_SCANNED)
        except Exception:
            return
        js_key = re.compile(r"/JS(?![A-Za-z])")
        if not _JS_NAME_RAW.search(self.data) and not _OBJSTM_RAW.search(self.data):
            # Every object is in the file as written (no object streams) and none has a /JS
            # key (also spelled with #-escapes): nothing to read object by object (~20 us each,
            # 1.3 s on a 2,000-page PDF).
            return
        for xref in range(1, n):
            try:
                source = pdf.xref_object(xref, compressed=True)
            except Exception:
                continue
            if "/JS" not in source or not js_key.search(source):
                continue
            code = ""
            try:
                kind, value = pdf.xref_get_key(xref, "JS")
                if kind == "string":
                    code = value
                elif kind == "xref":
                    code = pdf.xref_stream(int(value.split()[0])).decode("utf-8", "replace")
            except Exception:
                code = ""
            if not code:  # nested action dictionary: keep the raw object text
                code = source
            self.doc.scripts.append(code[:_MAX_SCRIPT_CHARS])

    # -- pages ----------------------------------------------------------------------------
    def _content_page(self, index: int, page: Any) -> Any:
        """The page without annotations (see module docstring)."""
        if page.first_annot is None:
            return page
        if self._content_pdf is None:
            self._content_pdf = self.m.open(stream=self.data, filetype="pdf")
        cpage = self._content_pdf[index]
        for xref in [a.xref for a in cpage.annots()]:
            annot = cpage.load_annot(xref)
            if annot is not None:
                cpage.delete_annot(annot)
        return cpage

    def _page(self, index: int) -> None:
        m = self.m
        number = index + 1
        page = self.pdf[index]
        rect = page.rect
        width, height = float(rect.width), float(rect.height)
        matrix = page.rotation_matrix if page.rotation else None

        def tr(b: Any) -> BBox:
            if matrix is None and type(b) is tuple and len(b) == 4:
                # Rect(b).normalize() without building a Rect: one call per span adds up.
                x0, y0, x1, y1 = float(b[0]), float(b[1]), float(b[2]), float(b[3])
                if x1 < x0:
                    x0, x1 = x1, x0
                if y1 < y0:
                    y0, y1 = y1, y0
                return (x0, y0, x1, y1)
            r = m.Rect(b)
            if matrix is not None:
                r = r * matrix
            r.normalize()
            return (float(r.x0), float(r.y0), float(r.x1), float(r.y1))

        pg = Page(number=number, width=width, height=height, unit="pt", renderer=self._renderer(index))
        self.doc.pages.append(pg)
        cpage = self._content_page(index, page)

        contents = _contents(cpage)
        images = self._images(index, number, cpage, tr, width, height, contents)
        image_boxes = [im.bbox for im in images if im.bbox is not None]
        coverage = min(
            1.0, sum(_area(_clip(b, width, height)) for b in image_boxes) / max(width * height, 1.0)
        )
        drawings = self._drawings(number, cpage, tr) if _may_draw(contents) else []

        scan_like_images = coverage >= _SCAN_IMAGE_COVERAGE
        blocks, visible_chars = self._text(
            number, cpage, tr, width, height, image_boxes if scan_like_images else []
        )
        if drawings and blocks:
            self._boxes_under_dark_fills(cpage, tr, blocks, drawings)
        self.doc.blocks.extend(blocks)

        outlined = len(drawings) >= _OUTLINED_TEXT_PATHS
        ocr_layer = any(b.source == "pdf:ocr_text_layer" for b in blocks)
        needs_ocr = visible_chars < _MIN_TEXT_CHARS and not ocr_layer and (scan_like_images or outlined)
        pg.has_text_layer = visible_chars > 0 and not needs_ocr
        if needs_ocr:
            covering = [im for im in images if im.bbox and _area(im.bbox) >= 0.2 * width * height]
            for im in covering:
                im.kind = "page_scan"
            if not covering:
                images.append(
                    ImageItem(
                        page=number,
                        bbox=(0.0, 0.0, width, height),
                        width=round(width * self.config.ocr_dpi / 72),
                        height=round(height * self.config.ocr_dpi / 72),
                        name=f"page{number}",
                        kind="page_scan",
                        loader=self._page_png_loader(index),
                    )
                )
            self._ocr(index, pg)
        self.doc.images.extend(images)
        self.doc.drawings.extend(drawings)
        self._annotations(number, page, tr)
        self._links(number, page, tr)

    def _renderer(self, index: int) -> Callable[[int], PILImage.Image]:
        def render(dpi: int = 150) -> PILImage.Image:
            return self._render(index, dpi, annots=True)

        return render

    def _render(self, index: int, dpi: int, annots: bool, max_side: int | None = None) -> PILImage.Image:
        from PIL import Image

        with self.lock:
            page = self.pdf[index]
            w, h = float(page.rect.width), float(page.rect.height)
            dpi_eff = float(dpi)
            max_px = float(self.config.limits.max_image_pixels)
            if w * h > 0:
                dpi_eff = min(dpi_eff, 72.0 * math.sqrt(max_px / (w * h)))
                if max_side:
                    dpi_eff = min(dpi_eff, 72.0 * max_side / max(w, h))
            pix = page.get_pixmap(
                matrix=self.m.Matrix(dpi_eff / 72, dpi_eff / 72), alpha=False, annots=annots
            )
            if pix.n != 3:
                pix = self.m.Pixmap(self.m.csRGB, pix)
            img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
        img.info["dpi"] = (dpi_eff, dpi_eff)
        return img

    def _page_png_loader(self, index: int) -> Callable[[], bytes]:
        def load() -> bytes:
            return _png_from_pil(self._render(index, self.config.ocr_dpi, annots=False))

        return load

    def _ocr(self, index: int, pg: Page) -> None:
        if not self.config.ocr:
            self.not_ocred.append(pg.number)
            return
        from pubguard.extract.ocr import OCR_MISSING, ocr_available

        if not ocr_available():
            if OCR_MISSING not in self.doc.warnings:
                self.doc.warnings.append(OCR_MISSING)
            return
        if self.ocr_done >= self.config.limits.max_ocr_pages:
            self.ocr_skipped.append(pg.number)
            return
        from pubguard.extract.ocr import ocr_blocks

        img = self._render(index, self.config.ocr_dpi, annots=False, max_side=_MAX_OCR_SIDE_PX)
        scale_x = pg.width / img.width if img.width else 1.0
        blocks = ocr_blocks(img, pg.number, scale=scale_x, first_paragraph=self.paragraph)
        self.paragraph += len(blocks)
        self.doc.blocks.extend(blocks)
        self.ocr_done += 1
        pg.ocr_applied = True

    def _invisible_boxes(self, cpage: Any, tr: Callable[[Any], BBox]) -> list[BBox]:
        """Text drawn with render mode 3 or fully transparent, from the text trace. Only
        needed when spans lack `char_flags` (PyMuPDF < 1.25): the span flags say the same
        thing per span, without an O(spans x traces) overlap test."""
        boxes: list[BBox] = []
        try:
            for span in cpage.get_texttrace():
                if span.get("type") == 3 or span.get("opacity", 1.0) == 0:
                    boxes.append(tr(span["bbox"]))
        except Exception:
            pass
        return boxes

    def _text(
        self,
        number: int,
        cpage: Any,
        tr: Callable[[Any], BBox],
        width: float,
        height: float,
        scan_images: list[BBox],
    ) -> tuple[list[TextBlock], int]:
        blocks: list[TextBlock] = []
        visible_chars = 0
        invisible: list[BBox] | None = None
        body = BlockKind.BODY
        hidden_of = self._hidden
        # An infinite clip keeps text placed outside the page (it is not displayed).
        data = cpage.get_text("dict", flags=_TEXT_FLAGS, sort=True, clip=self.m.INFINITE_RECT())
        for block in data.get("blocks", []):
            for line in block.get("lines", []):
                spans = [s for s in line.get("spans", []) if s.get("text")]
                if not spans:
                    continue
                if len(spans) == 1:
                    if not spans[0]["text"].strip():
                        continue
                elif not "".join(s["text"] for s in spans).strip():
                    continue
                line_box = tr(line["bbox"])
                alignment = _alignment(line_box, width)
                paragraph = self.paragraph
                self.paragraph += 1
                for span in spans:
                    bbox = tr(span["bbox"])
                    if invisible is None:
                        invisible = [] if "char_flags" in span else self._invisible_boxes(cpage, tr)
                    size = span.get("size", 0.0)
                    char_flags = span.get("char_flags")
                    if (
                        char_flags is not None
                        and char_flags & (_CHAR_FILLED | _CHAR_STROKED)
                        and not invisible
                        and span.get("alpha", 255) != 0
                        and bbox[2] > 0
                        and bbox[3] > 0
                        and bbox[0] < width
                        and bbox[1] < height
                        and float(span.get("size", 1.0)) >= 1.0
                    ):
                        hidden, reason = False, None  # what _hidden answers for plain ink
                    else:
                        hidden, reason = hidden_of(span, bbox, width, height, invisible)
                        if (
                            hidden
                            and reason == "pdf:render_mode_3"
                            and scan_images
                            and _center_in(bbox, scan_images)
                        ):
                            # The invisible OCR layer of a searchable scan: it repeats what the
                            # page image shows, so it is not concealed content.
                            hidden, reason = False, "pdf:ocr_text_layer"
                    bold = bool(
                        span.get("flags", 0) & _FONT_BOLD
                        or (char_flags or 0) & _CHAR_BOLD
                        or _bold_font(str(span.get("font", "")))
                    )
                    text = span["text"]
                    if not hidden:
                        visible_chars += len(text.strip())
                    blocks.append(
                        TextBlock(
                            text,
                            number,
                            body,
                            bbox,
                            _font_size(size),
                            _colour(int(span.get("color", 0))),
                            bold,
                            hidden,
                            alignment,
                            paragraph,
                            source=reason,
                        )
                    )
        return blocks, visible_chars

    def _boxes_under_dark_fills(
        self, cpage: Any, tr: Callable[[Any], BBox], blocks: list[TextBlock], drawings: list[Drawing]
    ) -> None:
        """Exact character boxes for spans that meet a dark filled area (a possible redaction
        box): whether the box hides a character is then measured, not estimated from the span's
        width (proportional fonts let an estimate drift several characters into a box that
        only touches the end of the line). One rawdict pass, only on pages that need it."""
        dark = [
            d.bbox
            for d in drawings
            if d.fill is not None and d.fill_opacity >= 0.85 and is_dark(d.fill, 80) and d.kind != "line"
        ]
        if not dark:
            return
        touching = {
            k
            for k, b in enumerate(blocks)
            if b.bbox is not None
            and not b.hidden
            and any(
                min(b.bbox[2], r[2]) > max(b.bbox[0], r[0]) and min(b.bbox[3], r[3]) > max(b.bbox[1], r[1])
                for r in dark
            )
        }
        if not touching:
            return
        try:
            raw = cpage.get_text("rawdict", flags=_TEXT_FLAGS, sort=True, clip=self.m.INFINITE_RECT())
        except Exception:
            return
        spans: list[list[dict[str, Any]]] = []
        for block in raw.get("blocks", []):
            for line in block.get("lines", []):
                chars_of = [s.get("chars", []) for s in line.get("spans", [])]
                chars_of = [c for c in chars_of if c]
                if not chars_of or not "".join(ch["c"] for c in chars_of for ch in c).strip():
                    continue
                spans.extend(chars_of)
        if len(spans) != len(blocks):
            return  # not the same span sequence: keep the estimates
        painted = _paint_order(cpage)
        for k in touching:
            chars = spans[k]
            if "".join(ch["c"] for ch in chars) == blocks[k].text:
                blocks[k].char_boxes = [tr(tuple(ch["bbox"])) for ch in chars]
            keys = [key for ch in chars if (key := _origin_key(ch.get("origin"))) is not None]
            orders = [painted[key] for key in keys if key in painted]
            if orders:
                blocks[k].order = min(orders)  # the earliest: if any of it is under a box, so is the span

    @staticmethod
    def _hidden(
        span: dict[str, Any], bbox: BBox, width: float, height: float, invisible: list[BBox]
    ) -> tuple[bool, str | None]:
        char_flags = span.get("char_flags")
        if char_flags is not None and not char_flags & (_CHAR_FILLED | _CHAR_STROKED):
            return True, "pdf:render_mode_3"
        if invisible and _overlaps(bbox, invisible):
            return True, "pdf:render_mode_3"
        if span.get("alpha", 255) == 0:
            return True, "pdf:opacity_0"
        if bbox[2] <= 0 or bbox[3] <= 0 or bbox[0] >= width or bbox[1] >= height:
            return True, "pdf:off_page"
        if float(span.get("size", 1.0)) < 1.0:
            return True, "pdf:tiny_font"
        return False, None

    def _images(
        self,
        index: int,
        number: int,
        cpage: Any,
        tr: Callable[[Any], BBox],
        width: float,
        height: float,
        contents: bytes | None,
    ) -> list[ImageItem]:
        items: list[ImageItem] = []
        # get_image_info builds a second text page (~40% of extraction time on text-only PDFs):
        # skip it when the page references no image XObject and has no inline image (BI ... EI).
        try:
            if contents is not None and not cpage.get_images(full=False) and b"BI" not in contents:
                return items
        except Exception:
            pass
        try:
            infos = cpage.get_image_info(xrefs=True)
        except Exception:
            return items
        for info in infos[:_MAX_IMAGES_PER_PAGE]:
            bbox = tr(info["bbox"])
            if _area(_clip(bbox, width, height)) <= 0:
                continue
            xref = int(info.get("xref") or 0)
            w, h = int(info.get("width") or 0), int(info.get("height") or 0)
            items.append(
                ImageItem(
                    page=number,
                    bbox=bbox,
                    width=w,
                    height=h,
                    name=f"image-xref{xref}" if xref else f"inline-image-p{number}-{info.get('number', 0)}",
                    kind="embedded",
                    loader=self._image_loader(index, xref, w, h, info["bbox"]),
                    xref=xref or None,
                )
            )
        return items

    def _image_loader(self, index: int, xref: int, w: int, h: int, raw_bbox: Any) -> Callable[[], bytes]:
        """PNG/JPEG bytes of an image; soft masks are flattened onto white so a transparent
        seal stays red on white instead of red on black."""
        m = self.m
        limit = self.config.limits.max_image_pixels

        def load() -> bytes:
            if w * h > limit:
                raise DecompressionBomb(f"PDF 中的图片尺寸过大（{w}×{h} 像素），超过安全上限，未解码。")
            from pubguard.extract.ocr import to_rgb

            with self.lock:
                if xref <= 0:  # inline image: render its area of the page
                    pix = self.pdf[index].get_pixmap(
                        dpi=150, clip=m.Rect(raw_bbox), alpha=False, annots=False
                    )
                    return pix.tobytes("png")
                info = self.pdf.extract_image(xref) or {}
                smask = int(info.get("smask") or 0)
                if (
                    info.get("ext") in ("png", "jpeg", "jpg")
                    and not smask
                    and info.get("colorspace", 3) in (1, 3)
                ):
                    return info["image"]
                pix = m.Pixmap(self.pdf, xref)
                if pix.colorspace is not None and pix.colorspace.n not in (1, 3):
                    pix = m.Pixmap(m.csRGB, pix)
                if smask:
                    with contextlib.suppress(Exception):
                        pix = m.Pixmap(pix, m.Pixmap(self.pdf, smask))
                png = pix.tobytes("png")
            if smask:
                from PIL import Image

                return _png_from_pil(to_rgb(Image.open(io.BytesIO(png))))
            return png

        return load

    def _drawings(self, number: int, cpage: Any, tr: Callable[[Any], BBox]) -> list[Drawing]:
        out: list[Drawing] = []
        try:
            entries = cpage.get_drawings(extended=True)
        except Exception:
            return out
        paths = _clipped_paths(entries, tr)
        if len(paths) > _MAX_DRAWINGS_PER_PAGE:
            self.truncated_drawings.append(number)
            paths = paths[:_MAX_DRAWINGS_PER_PAGE]
        for path, painted in paths:
            kind_ops = str(path.get("type") or "")
            items = [_plain_item(it, tr) for it in path.get("items", [])]
            stroke = _rgb(path.get("color")) if "s" in kind_ops else None
            fill = _rgb(path.get("fill")) if "f" in kind_ops else None
            opacity = path.get("fill_opacity") if fill is not None else path.get("stroke_opacity")
            out.append(
                Drawing(
                    page=number,
                    kind=_drawing_kind(path.get("items", []), bool(path.get("closePath"))),
                    bbox=painted,
                    stroke=stroke,
                    fill=fill,
                    width=float(path.get("width") or 0.0),
                    fill_opacity=float(1.0 if opacity is None else opacity),
                    items=items,
                    source="pdf:path",
                    order=int(path.get("seqno", -1)),
                )
            )
        return out

    def _annotations(self, number: int, page: Any, tr: Callable[[Any], BBox]) -> None:
        doc = self.doc
        for annot in page.annots():
            try:
                atype = annot.type[1]
                info = annot.info or {}
                bbox = tr(annot.rect)
                colors = annot.colors or {}
                stroke = _rgb(colors.get("stroke"))
                fill = _rgb(colors.get("fill"))
            except Exception:
                continue
            content = _fix_pdf_string(str(info.get("content") or "")).strip()
            author = _fix_pdf_string(str(info.get("title") or "")).strip() or None
            date = str(info.get("modDate") or info.get("creationDate") or "") or None
            if atype == "Popup":
                continue  # its text is the parent's content
            if atype == "Redact":
                doc.drawings.append(
                    Drawing(
                        page=number, kind="rect", bbox=bbox, stroke=stroke, fill=fill, source="annot:redact"
                    )
                )
            elif atype in _SHAPE_ANNOTS:
                width = 0.0
                with contextlib.suppress(Exception):
                    width = float((annot.border or {}).get("width") or 0.0)
                doc.drawings.append(
                    Drawing(
                        page=number,
                        kind=_SHAPE_ANNOTS[atype],
                        bbox=bbox,
                        stroke=stroke,
                        fill=fill,
                        width=max(width, 0.0),
                        fill_opacity=_annot_opacity(annot),
                        source=f"annot:{atype.lower()}",
                    )
                )
                if atype == "Stamp":  # a stamp's appearance can be a scanned seal
                    doc.images.append(
                        ImageItem(
                            page=number,
                            bbox=bbox,
                            width=round((bbox[2] - bbox[0]) * 150 / 72),
                            height=round((bbox[3] - bbox[1]) * 150 / 72),
                            name=f"annot-stamp-xref{annot.xref}",
                            kind="annotation",
                            loader=self._annot_loader(number - 1, annot.xref),
                            xref=annot.xref,
                        )
                    )
            elif atype == "FileAttachment":
                try:
                    fname = _fix_pdf_string(str(annot.file_info.get("filename") or ""))
                except Exception:
                    fname = ""
                if fname and fname not in doc.embedded_files:
                    doc.embedded_files.append(fname)
            if not content and atype == "Stamp":
                # Judged without rendering: a stamp annotation is reported from its type, icon
                # name, author and rectangle even when its appearance cannot be drawn.
                content = _stamp_label(annot)
            if not content:
                continue
            doc.blocks.append(
                TextBlock(
                    text=content,
                    page=number,
                    kind=BlockKind.COMMENT if atype in _COMMENT_ANNOTS else BlockKind.ANNOTATION,
                    bbox=bbox,
                    color=stroke,
                    author=author,
                    date=date,
                    paragraph=self.next_paragraph(),
                    source=f"annot:{atype}",
                )
            )

    def _annot_loader(self, index: int, xref: int) -> Callable[[], bytes]:
        def load() -> bytes:
            with self.lock:
                # Keep the page referenced while its annotation renders: an annotation whose
                # page object was already freed is unbound, and MuPDF segfaults rendering it
                # (the Stamp of pdfplumber's annotations.pdf). Native steps still run in the
                # supervised child (pubguard.isolate), so any other crash is one file's error.
                page = self.pdf[index]
                annot = page.load_annot(xref)
                if annot is None:
                    raise ValueError("annotation not found")
                return annot.get_pixmap(dpi=150, alpha=False).tobytes("png")

        return load

    def _links(self, number: int, page: Any, tr: Callable[[Any], BBox]) -> None:
        try:
            links = page.get_links()
        except Exception:
            return
        words: list[Any] | None = None
        for link in links:
            url = link.get("uri") or link.get("file") or ""
            if not url:
                continue
            if words is None:
                # One word list per page: get_textbox() walks every character of the page per
                # call (in Python): 32 of 44 s on a 15-page Federal Register issue with 35 links.
                words = []
                with contextlib.suppress(Exception):
                    words = page.get_text("words")
            text = _words_in(words, link["from"])
            is_attachment = bool(link.get("file")) or bool(_ATTACHMENT_EXT.search(url))
            self.doc.links.append(Link(url=url, text=text, page=number, is_attachment=is_attachment))


def _words_in(words: list[Any], rect: Any) -> str:
    """The text of PyMuPDF "words" tuples inside `rect`: lines overlapping it by half their
    height, and of each word the characters whose centre lies inside (a CJK run is one "word",
    a link may cover only part of it; widths are taken as even)."""
    rx0, ry0, rx1, ry1 = float(rect[0]), float(rect[1]), float(rect[2]), float(rect[3])
    out = []
    for x0, y0, x1, y1, word, *_ in words:
        if min(y1, ry1) - max(y0, ry0) < 0.5 * (y1 - y0) or x1 <= rx0 or x0 >= rx1 or not word:
            continue
        step = (x1 - x0) / len(word)
        part = "".join(ch for i, ch in enumerate(word) if rx0 <= x0 + (i + 0.5) * step <= rx1)
        if part:
            out.append(part)
    return " ".join(out).strip()


def _stamp_label(annot: Any) -> str:
    """Text standing for a Stamp annotation without contents: its icon name (/Name, e.g.
    Approved, Confidential) or subject when set."""
    name = ""
    with contextlib.suppress(Exception):
        info = annot.info or {}
        name = _fix_pdf_string(str(info.get("name") or info.get("subject") or "")).strip()
    return f"图章注释：{name}" if name else "图章注释"


# /JS as a PDF name in raw file bytes, with any of its letters written as #-escapes.
_JS_NAME_RAW = re.compile(rb"/(?:J|#4[aA])(?:S|#53)(?![A-Za-z0-9#])")
_OBJSTM_RAW = re.compile(rb"/(?:O|#4[fF])(?:b|#62)(?:j|#6[aA])(?:S|#53)(?:t|#74)(?:m|#6[dD])")
# Operators that paint or may paint paths (construction m/re, shading sh, XObjects Do): a
# content stream with none of them has no drawings, and get_drawings (which interprets the
# whole page again) is skipped. A false alarm (the letters inside a string) only costs the call.
# The delimiter before the operator leads the pattern (a character-set prefix the regex engine
# scans for, ~3.5x faster on text-only pages than `(?:^|[...])`); an operator opening the
# stream is matched on its own.
_PATH_OPS = re.compile(rb"[\s\])>](?:m|re|sh|Do)(?![^\s\[(/<%])")
_PATH_OPS_FIRST = re.compile(rb"(?:m|re|sh|Do)(?![^\s\[(/<%])")


def _origin_key(origin: Any) -> tuple[int, int] | None:
    if not origin or len(origin) < 2:
        return None
    return (round(float(origin[0]) * 10), round(float(origin[1]) * 10))


def _paint_order(cpage: Any) -> dict[tuple[int, int], int]:
    """Glyph origin (0.1 pt) -> the sequence number of the text operation that painted it, from
    the page's text trace (the same numbering as the drawings' seqno). Empty when the trace
    cannot be read: the order stays unknown and nothing changes."""
    out: dict[tuple[int, int], int] = {}
    try:
        trace = cpage.get_texttrace()
    except Exception:
        return out
    for span in trace:
        seqno = span.get("seqno")
        if seqno is None:
            continue
        for ch in span.get("chars", ()):
            key = _origin_key(ch[2] if len(ch) > 2 else None)
            if key is not None:
                out.setdefault(key, int(seqno))
    return out


def _clipped_paths(
    entries: list[dict[str, Any]], tr: Callable[[Any], BBox]
) -> list[tuple[dict[str, Any], BBox]]:
    """The painted paths of `get_drawings(extended=True)`, each with the part of its box that
    the clips in force let through (a white fill clipped to below a blue title band does not
    lie under the band's white title). Clip and group entries open a level; a path at level L
    is cut by the open clips of lower levels. A path clipped away entirely paints nothing and
    is dropped."""
    out: list[tuple[dict[str, Any], BBox]] = []
    clips: list[tuple[int, BBox | None]] = []  # (level, rectangle) of the open clips
    for e in entries:
        level = int(e.get("level") or 0)
        while clips and clips[-1][0] >= level:
            clips.pop()
        kind = e.get("type")
        if kind in ("clip", "group"):
            rect = e.get("scissor") if kind == "clip" else None
            clips.append((level, tr(rect) if rect is not None else None))
            continue
        if "rect" not in e:
            continue
        x0, y0, x1, y1 = tr(e["rect"])
        for _, c in clips:
            if c is not None:
                x0, y0, x1, y1 = max(x0, c[0]), max(y0, c[1]), min(x1, c[2]), min(y1, c[3])
        if x1 < x0 or y1 < y0:
            continue
        out.append((e, (x0, y0, x1, y1)))
    return out


def _contents(page: Any) -> bytes | None:
    """The page's content streams, decompressed (None when they cannot be read)."""
    try:
        doc = page.parent
        return b"\n".join(doc.xref_stream(x) or b"" for x in page.get_contents())
    except Exception:
        return None


def _may_draw(contents: bytes | None) -> bool:
    return (
        contents is None
        or _PATH_OPS.search(contents) is not None
        or _PATH_OPS_FIRST.match(contents) is not None
    )


@functools.lru_cache(maxsize=1024)
def _bold_font(font: str) -> bool:
    """Font names repeat on every span of a document: the name test runs once per name."""
    return _BOLD_FONT_RE.search(font) is not None


@functools.lru_cache(maxsize=4096)
def _colour(value: int) -> RGB:
    return rgb_from_int(value)


@functools.lru_cache(maxsize=4096)
def _font_size(size: float) -> float:
    """round(size, 2), one float object per size (a document has a few dozen): 24 bytes less
    per span."""
    return round(float(size), 2)


def _annot_opacity(annot: Any) -> float:
    try:
        value = float(annot.opacity)
    except Exception:
        return 1.0
    return value if 0.0 <= value <= 1.0 else 1.0


def _pages(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:10])
    return shown + (f" 等 {len(numbers)} " if len(numbers) > 10 else "")


def _alignment(box: BBox, page_width: float) -> str | None:
    """Centred or right-aligned lines (titles, 落款) from the geometry; None = unknown/left."""
    if page_width <= 0:
        return None
    x0, _, x1, _ = box
    line_w = x1 - x0
    if line_w < 0.75 * page_width and abs((x0 + x1) / 2 - page_width / 2) < 0.03 * page_width:
        return "center"
    if x0 > page_width * 0.5 and x1 > page_width * 0.7:
        return "right"
    return None


def _plain_item(item: Any, tr: Callable[[Any], BBox]) -> tuple[Any, ...]:
    """Path items with plain tuples (no PyMuPDF objects), in page coordinates."""
    op = item[0]
    out: list[Any] = [op]
    for arg in item[1:]:
        if hasattr(arg, "x0") and hasattr(arg, "y1"):  # Rect
            out.append(tr(arg))
        elif hasattr(arg, "ul"):  # Quad
            out.append(tuple((float(p.x), float(p.y)) for p in (arg.ul, arg.ur, arg.ll, arg.lr)))
        elif hasattr(arg, "x") and hasattr(arg, "y"):  # Point
            b = tr((arg.x, arg.y, arg.x, arg.y))
            out.append((b[0], b[1]))
        else:
            out.append(arg)
    return tuple(out)


def _drawing_kind(items: list[Any], close_path: bool) -> str:
    ops = [it[0] for it in items]
    if not ops:
        return "path"
    if ops == ["l"]:
        return "line"
    if ops in (["re"], ["qu"]):
        return "rect"
    if all(op == "c" for op in ops) and len(ops) % 4 == 0:
        start, end = items[0][1], items[-1][-1]
        if abs(start.x - end.x) < 0.5 and abs(start.y - end.y) < 0.5:
            return "ellipse"
    if all(op == "l" for op in ops) and len(ops) in (3, 4):
        pts = [(it[1], it[2]) for it in items]
        axis = all(abs(a.x - b.x) < 0.5 or abs(a.y - b.y) < 0.5 for a, b in pts)
        closed = close_path or (
            abs(pts[0][0].x - pts[-1][1].x) < 0.5 and abs(pts[0][0].y - pts[-1][1].y) < 0.5
        )
        if axis and closed:
            return "rect"
    return "path"


def _xmp_fields(pdf: Any) -> dict[str, str]:
    """A few XMP entries that reveal who produced the file (often differ from /Info)."""
    try:
        xml = pdf.get_xml_metadata() or ""
    except Exception:
        return {}
    if not xml:
        return {}
    out: dict[str, str] = {}
    patterns = {
        "xmp_creator": r"<dc:creator>.*?<rdf:li[^>]*>(.*?)</rdf:li>",
        "xmp_title": r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>",
        "xmp_creator_tool": r"<xmp:CreatorTool>(.*?)</xmp:CreatorTool>",
    }
    for key, pattern in patterns.items():
        found = re.search(pattern, xml, re.S)
        if found and found.group(1).strip():
            import html

            out[key] = html.unescape(found.group(1).strip())
    return out


__all__ = ["extract_pdf"]
