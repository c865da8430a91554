"""Clean copy of a PDF: true redaction with PyMuPDF, not black boxes over text that stays.

Every removal is a redaction annotation applied with `apply_redactions`, so the characters,
pictures and vector paths under it are taken out of the content streams. Masked personal data
keeps the characters that stay visible; each hidden character is removed and a `*` is drawn in
its place. Seals are removed as pictures (the whole seal picture) or vector paths, without
touching the black 署名/日期 text printed under them; on scanned pages the red pixels are
whitened in the page image itself. Annotations, attachments, JavaScript and metadata are removed
from the file.

Offsets of findings are mapped back to exact character boxes: each extracted `TextBlock` is
matched to the PyMuPDF span it came from (same text, same box), whose `rawdict` characters carry
their own boxes; OCR blocks have per-character boxes already.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from pubguard.clean.common import (
    MARK_RULES,
    annotation_target,
    hidden_target,
    mark_target,
    masked_targets,
    personal_span,
    red_header_target,
    seal_target,
    squash,
)
from pubguard.clean.options import CleanOptions, mask_chars
from pubguard.clean.pixels import erase_red
from pubguard.clean.report import CleanAction
from pubguard.config import ScanConfig
from pubguard.document import BBox, BlockKind, Document, Page, TextBlock, is_red, is_white, rgb_from_int
from pubguard.errors import CorruptFile, EncryptedFile
from pubguard.finding import Finding
from pubguard.masking import MaskingConfig
from pubguard.scan import FileResult
from pubguard.targets import overlaps
from pubguard.thresholds import DEFAULT as DEFAULT_THRESHOLDS
from pubguard.thresholds import RedHeaderZones

_TEXT_FLAGS = 1 | 2 | 128  # as the extractor: ligatures, whitespace, CID for unknown unicode
MAX_MARK_LINE = 40
_FENHAO_LEN = 6


def _m() -> Any:
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return pymupdf


def open_pdf(data: bytes) -> Any:
    m = _m()
    try:
        pdf = m.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise CorruptFile("PDF 文件已损坏或不完整，无法打开。") from exc
    if pdf.needs_pass:
        raise EncryptedFile("PDF 文件已加密，需要密码才能打开，无法清理。")
    return pdf


@dataclass
class Char:
    page: int
    rect: Any  # pymupdf.Rect in unrotated page coordinates
    char: str
    size: float
    origin: tuple[float, float] | None
    color: int | None = None
    ocr: bool = False


@dataclass
class _Span:
    display: BBox
    text: str
    size: float
    color: int
    chars: list[dict[str, Any]]
    line: int


class PdfText:
    """Maps text offsets of the extracted `Document` to character boxes of the PDF."""

    def __init__(self, pdf: Any, doc: Document) -> None:
        self.m = _m()
        self.pdf = pdf
        self.doc = doc
        self._spans: dict[int, list[_Span]] = {}

    def spans(self, number: int) -> list[_Span]:
        if number not in self._spans:
            out: list[_Span] = []
            if 1 <= number <= self.pdf.page_count:
                page = self.pdf[number - 1]
                mat = page.rotation_matrix
                data = page.get_text("rawdict", flags=_TEXT_FLAGS, sort=True, clip=self.m.INFINITE_RECT())
                line_no = 0
                for block in data.get("blocks", []):
                    for line in block.get("lines", []):
                        line_no += 1
                        for s in line.get("spans", []):
                            chars = s.get("chars", [])
                            text = "".join(c["c"] for c in chars)
                            if not text:
                                continue
                            r = self.m.Rect(s["bbox"]) * mat
                            r.normalize()
                            out.append(
                                _Span(
                                    (r.x0, r.y0, r.x1, r.y1),
                                    text,
                                    float(s.get("size", 0)),
                                    int(s.get("color", 0)),
                                    chars,
                                    line_no,
                                )
                            )
            self._spans[number] = out
        return self._spans[number]

    def derotate(self, number: int, bbox: BBox) -> Any:
        page = self.pdf[number - 1]
        r = self.m.Rect(bbox)
        if page.rotation:
            r = r * page.derotation_matrix
            r.normalize()
        return r

    def match(self, block: TextBlock) -> _Span | None:
        if block.bbox is None:
            return None
        best, best_d = None, 3.0
        for s in self.spans(block.page):
            if s.text != block.text:
                continue
            d = max(abs(a - b) for a, b in zip(s.display, block.bbox, strict=True))
            if d < best_d:
                best, best_d = s, d
        return best

    def chars(self, start: int, end: int, blocks: Iterable[TextBlock] | None = None) -> list[Char]:
        """Character boxes of doc.text[start:end] (only characters on a page)."""
        out: list[Char] = []
        for block in blocks if blocks is not None else self.doc.blocks_in(start, end):
            if (
                block.page < 1
                or block.bbox is None
                or block.kind in (BlockKind.COMMENT, BlockKind.ANNOTATION)
            ):
                continue
            lo, hi = max(start, block.start) - block.start, min(end, block.end) - block.start
            if hi <= lo:
                continue
            if block.char_boxes and len(block.char_boxes) == len(block.text):
                h = block.bbox[3] - block.bbox[1]
                for i in range(lo, hi):
                    out.append(
                        Char(
                            block.page,
                            self.derotate(block.page, block.char_boxes[i]),
                            block.text[i],
                            h,
                            None,
                            ocr=True,
                        )
                    )
                continue
            span = self.match(block)
            if span is not None and len(span.chars) == len(block.text):
                for i in range(lo, hi):
                    c = span.chars[i]
                    out.append(
                        Char(
                            block.page,
                            self.m.Rect(c["bbox"]),
                            c["c"],
                            span.size,
                            tuple(c["origin"]),
                            span.color,
                        )
                    )
                continue
            # Unknown layout: proportional boxes along the block (better than nothing).
            x0, y0, x1, y1 = block.bbox
            n = max(len(block.text), 1)
            for i in range(lo, hi):
                box = (x0 + (x1 - x0) * i / n, y0, x0 + (x1 - x0) * (i + 1) / n, y1)
                out.append(
                    Char(
                        block.page,
                        self.derotate(block.page, box),
                        block.text[i],
                        block.font_size or (y1 - y0),
                        None,
                    )
                )
        return out


@dataclass
class _PageOps:
    text_remove: list[Any] = field(default_factory=list)
    stars: list[tuple[Any, float, tuple[float, float] | None]] = field(default_factory=list)
    remove_images: list[Any] = field(default_factory=list)
    graphics: list[Any] = field(default_factory=list)
    touch: list[Any] = field(default_factory=list)  # tiny rects on curved seal paths (IF_TOUCHED)
    seal_text: list[Any] = field(default_factory=list)  # red rim text of vector seals
    pixel_boxes: list[Any] = field(default_factory=list)
    erase: list[tuple[Any, bool]] = field(default_factory=list)  # (unrotated rect, to_black)
    reinsert: list[tuple[tuple[float, float], str, float]] = field(default_factory=list)
    covered: list[Any] = field(default_factory=list)  # fake-redaction boxes: no stars drawn there


def prepare_pdf(data: bytes, name: str, config: ScanConfig) -> FileResult:
    from pubguard.scan import scan_bytes

    return scan_bytes(data, name, config, keep_document=True)


def clean_pdf(
    data: bytes,
    name: str,
    config: ScanConfig,
    options: CleanOptions,
    masking: MaskingConfig,
    result: FileResult | None = None,
) -> tuple[bytes, list[CleanAction]]:
    if result is None or result.document is None:
        result = prepare_pdf(data, name, config)
    assert result.document is not None
    cleaner = _PdfCleaner(data, result.document, options, masking)
    cleaner.zones = config.thresholds.red_header  # the zones the red_header detector judged by
    return cleaner.run(result.findings), cleaner.actions


class _PdfCleaner:
    zones: RedHeaderZones = DEFAULT_THRESHOLDS.red_header

    def __init__(self, data: bytes, doc: Document, options: CleanOptions, masking: MaskingConfig) -> None:
        self.m = _m()
        self.pdf = open_pdf(data)
        self.doc = doc
        self.options = options
        self.masking = masking
        self.text = PdfText(self.pdf, doc)
        self.ops: dict[int, _PageOps] = {}
        self.actions: list[CleanAction] = []
        self.raw_values: set[str] = set()  # masked numbers/e-mails, to find them in link targets

    def op(self, number: int) -> _PageOps:
        return self.ops.setdefault(number, _PageOps())

    def act(
        self, f: Finding | None, action: str, where: str, detail: str = "", count: int = 1, rule: str = ""
    ) -> None:
        self.actions.append(
            CleanAction(
                action=action,
                category=str(f.category) if f else "hidden_content",
                rule=rule or (f.rule if f else ""),
                where=where,
                detail=detail,
                count=count,
                fingerprint=f.fingerprint if f else None,
            )
        )

    def is_scan(self, number: int) -> bool:
        page = self.doc.page(number)
        return page is not None and (not page.has_text_layer or page.ocr_applied)

    # -- entry ------------------------------------------------------------------------------
    def run(self, findings: list[Finding]) -> bytes:
        marks = any(str(f.category) == "classification_mark" for f in findings)
        for f in findings:
            cat = str(f.category)
            if cat == "hidden_content" and f.rule == "fake_redaction":
                self.fake_redaction(f)
        for f in masked_targets(findings):
            self.mask(f)
        for f in findings:
            cat = str(f.category)
            if cat == "leader_annotation":
                self.remove_text(f, "领导批示")
            elif cat == "classification_mark" and f.rule in MARK_RULES:
                self.remove_mark(f)
            elif cat == "hidden_content" and f.rule in ("hidden_text", "white_text"):
                self.remove_hidden(f)
            elif cat == "seal":
                self.seal(f)
            elif cat == "red_header" and f.rule == "red_header":
                self.red_header(f, marks)
        for number, ops in sorted(self.ops.items()):
            self.apply(number, ops)
        self.file_level(findings)
        return self.pdf.tobytes(garbage=4, deflate=True, clean=True)

    # -- planning -----------------------------------------------------------------------------
    def mask(self, f: Finding) -> None:
        s, e = personal_span(f) or (0, 0)
        raw = self.doc.text[s:e]
        plan = mask_chars(raw, f.rule if f.rule != "roster" else "default", self.masking)
        if len(squash(raw)) >= 7:
            self.raw_values.add(squash(raw).upper())
        hidden = set(plan.hidden)
        chars = self.text.chars(s, e)
        # chars come in text order, one per character of the located blocks
        positions = self._positions(s, e)
        n = 0
        for ch, pos in zip(chars, positions, strict=False):
            if pos - s not in hidden or not ch.char.strip():
                continue
            ops = self.op(ch.page)
            if ch.ocr or self.is_scan(ch.page):
                ops.pixel_boxes.append(ch.rect)
            else:
                ops.text_remove.append(ch.rect)
            if not any(_inside(ch.rect, c) for c in ops.covered):
                ops.stars.append((ch.rect, ch.size, ch.origin))
            n += 1
        if n:
            self.act(f, "masked", self._where(f), f"改为“{plan.masked.strip()}”")

    def _positions(self, s: int, e: int) -> list[int]:
        out: list[int] = []
        for block in self.doc.blocks_in(s, e):
            if (
                block.page < 1
                or block.bbox is None
                or block.kind in (BlockKind.COMMENT, BlockKind.ANNOTATION)
            ):
                continue
            lo, hi = max(s, block.start), min(e, block.end)
            out.extend(range(lo, hi))
        return out

    def _where(self, f: Finding) -> str:
        return f"第{f.location.page}页" if f.location.page else "文档中"

    def _remove_chars(self, chars: list[Char]) -> int:
        n = 0
        for ch in chars:
            if not ch.char.strip():
                continue
            ops = self.op(ch.page)
            if ch.ocr or self.is_scan(ch.page):
                ops.pixel_boxes.append(ch.rect)
            else:
                ops.text_remove.append(ch.rect)
            n += 1
        return n

    def remove_text(self, f: Finding, what: str) -> None:
        target = annotation_target(f)
        rng = target.span
        if rng is None:
            if target.page and target.box:  # a note known only by its box
                self.op(target.page).pixel_boxes.append(self.text.derotate(target.page, target.box))
                self.act(f, "redacted", self._where(f), what)
            return
        if self._remove_chars(self.text.chars(*rng)):
            self.act(f, "redacted", self._where(f), f"{what}“{f.evidence}”")

    def remove_mark(self, f: Finding) -> None:
        """The whole mark line when it is short (a 密级 line), else only the mark."""
        target = mark_target(f)
        rng = target.span
        if rng is None:
            return
        blocks = self.doc.blocks_in(*rng)
        line: list[TextBlock] = []
        for b in blocks:
            if b.paragraph >= 0:
                line += [x for x in self.doc.blocks if x.paragraph == b.paragraph and x.page == b.page]
        text = squash("".join(b.text for b in line))
        if line and len(text) <= MAX_MARK_LINE:
            chars = self.text.chars(min(b.start for b in line), max(b.end for b in line), line)
        else:
            chars = self.text.chars(*rng)
        if self._remove_chars(chars):
            self.act(f, "redacted", self._where(f), f"标识“{f.evidence}”")
        if target.fen_hao:
            self._fenhao()

    def _fenhao(self) -> None:
        page = self.doc.page(1)
        if page is None:
            return
        for s in self.text.spans(1):
            if s.display[1] > 0.3 * page.height:
                continue
            if len(squash(s.text)) == _FENHAO_LEN and squash(s.text).isdigit():
                self.op(1).text_remove.extend(self.m.Rect(c["bbox"]) for c in s.chars)
                self.actions.append(
                    CleanAction("redacted", "classification_mark", "secret_level", "第1页", "份号")
                )

    def remove_hidden(self, f: Finding) -> None:
        ranges = hidden_target(f).ranges
        n = 0
        for s, e in ranges:
            blocks = [
                b
                for b in self.doc.blocks_in(s, e)
                if (b.hidden if f.rule == "hidden_text" else (b.color is not None and is_white(b.color)))
            ]
            for ch in self.text.chars(s, e, blocks):
                if ch.char.strip() and not ch.ocr:
                    self.op(ch.page).text_remove.append(ch.rect)
                    n += 1
        if n:
            label = "隐藏文字" if f.rule == "hidden_text" else "白色文字"
            self.act(f, "removed", self._where(f), label, count=len(ranges))

    def fake_redaction(self, f: Finding) -> None:
        """Text under a black box: remove it and keep the box."""
        target = hidden_target(f)
        if not (target.page and target.box):
            return
        number = target.page
        box = self.text.derotate(number, target.box)
        ops = self.op(number)
        ops.covered.append(box)
        n = 0
        for s in self.text.spans(number):
            for c in s.chars:
                r = self.m.Rect(c["bbox"])
                if c["c"].strip() and _inside(r, box):
                    ops.text_remove.append(r)
                    n += 1
        if n:
            self.act(f, "removed", self._where(f), "黑框下仍可复制的文字")

    def seal(self, f: Finding) -> None:
        target = seal_target(f)
        number, bbox = target.page, target.box
        label = {"official_seal": "公章", "personal_seal": "个人名章", "signature": "签名"}.get(
            f.rule, "印章"
        )
        if not number or not bbox:
            return
        rect = self.text.derotate(number, bbox)
        ops = self.op(number)
        page = self.pdf[number - 1]
        source = target.source
        if self.is_scan(number) or source == "scan":
            ops.erase.append((rect, False))
            self.act(f, "removed", self._where(f), f"{label}（扫描图像中的红色印迹）")
            return
        images = [
            self.m.Rect(i["bbox"]) for i in page.get_image_info() if self.m.Rect(i["bbox"]).intersects(rect)
        ]
        big = [r for r in images if r.get_area() > 4 * max(rect.get_area(), 1.0)]
        if images and not big:
            ops.remove_images.append(rect)
        elif big:
            ops.erase.append((rect, False))
        grown = self.m.Rect(rect.x0 - 4, rect.y0 - 4, rect.x1 + 4, rect.y1 + 4)
        ops.graphics.append(grown)
        self._seal_paths(page, grown, ops)
        # Red text set along the rim of a vector seal.
        for s in self.text.spans(number):
            if is_red(rgb_from_int(s.color)):
                for c in s.chars:
                    r = self.m.Rect(c["bbox"])
                    if c["c"].strip() and _inside(r, grown):
                        ops.seal_text.append(_dot(self.m, r))
        self.act(f, "removed", self._where(f), f"{label}（{'图片' if source == 'image' else '图形'}）")

    def _seal_paths(self, page: Any, area: Any, ops: _PageOps) -> None:
        """MuPDF removes covered lines and polygons but not curves (the seal's ring), and its
        "touched" mode looks at path bounding boxes. So each red path inside the seal gets a tiny
        rect on a point of its own outline that lies in no other path's bounding box."""
        drawings = page.get_drawings()
        targets: list[Any] = []
        others: list[Any] = []
        for d in drawings:
            col = d.get("color") or d.get("fill")
            red = bool(col) and len(col) == 3 and is_red(tuple(round(v * 255) for v in col))  # type: ignore[arg-type]
            r = self.m.Rect(d["rect"])
            (targets if red and area.contains(r) else others).append((d, r))
        for d, _r in targets:
            if not any(item[0] == "c" for item in d["items"]):
                continue  # lines and polygons go with the covered-graphics pass
            for pt in _outline_points(d["items"]):
                if not any(
                    self.m.Rect(o.x0 - 1, o.y0 - 1, o.x1 + 1, o.y1 + 1).contains(pt) for _d, o in others
                ):
                    ops.touch.append(self.m.Rect(pt.x - 0.2, pt.y - 0.2, pt.x + 0.2, pt.y + 0.2))
                    break

    def red_header(self, f: Finding, marks: bool) -> None:
        page = self.doc.page(1)
        if page is None:
            return
        ops = self.op(1)
        # The lines the red_header detector judged (its typed target): no detection here.
        target = red_header_target(f)
        if self.is_scan(1):
            if target.box:
                x0, y0, x1, y1 = target.box
                box = self.text.derotate(1, (x0 - 6, y0 - 6, x1 + 6, y1 + 6))
                ops.erase.append((box, self.options.keep_header_text))
                what = "红头改为黑色" if self.options.keep_header_text else "红色发文机关标志和分隔线"
                self.act(f, "recoloured" if self.options.keep_header_text else "removed", "第1页", what)
            return
        spans = self.text.spans(1)
        body = median([s.size for s in spans]) if spans else 12.0
        lines: dict[int, list[_Span]] = {}
        for s in spans:
            lines.setdefault(s.line, []).append(s)
        ordered = sorted(lines.values(), key=lambda ln: min(s.display[1] for s in ln))
        organ_found = False
        number_line: list[_Span] | None = None
        for ln in ordered:
            red = [
                s
                for s in ln
                if is_red(rgb_from_int(s.color))
                and (s.size >= 18 or (s.size >= 14 and s.size >= 1.35 * body))
                and any(overlaps(s.display, box) for box in target.organ_boxes)
            ]
            if red:
                organ_found = True
                self._recolour_or_remove(red, self.options.keep_header_text)
                text = squash("".join(s.text for s in red))
                if self.options.keep_header_text:
                    self.act(f, "recoloured", "第1页", f"发文机关标志“{text}”改为黑色")
                else:
                    self.act(f, "removed", "第1页", f"红色发文机关标志“{text}”")
                continue
            if (
                number_line is None
                and target.number_box is not None
                and any(overlaps(s.display, target.number_box) for s in ln if s.text.strip())
            ):
                number_line = ln
        follow: list[list[_Span]] = []
        if number_line is not None:
            # The 发文字号 line is part of the 版头 the suggestion says to remove (kept as black
            # text only with keep_header_text); the title under it stays, in black.
            if self.options.keep_header_text:
                follow.append(number_line)
            else:
                self._recolour_or_remove(number_line, False)
                self.act(f, "removed", "第1页", f"发文字号“{squash(''.join(s.text for s in number_line))}”")
            below = [
                ln for ln in ordered if min(s.display[1] for s in ln) > max(s.display[3] for s in number_line)
            ]
            if below:
                follow.append(below[0])
        for ln in follow:
            red = [s for s in ln if is_red(rgb_from_int(s.color))]
            if red:
                self._recolour_or_remove(red, True)
                self.act(f, "recoloured", "第1页", "发文字号/标题改为黑色")
        if organ_found or marks:
            for ln in ordered:
                text = squash("".join(s.text for s in ln))
                if (
                    min(s.display[1] for s in ln) <= 0.3 * page.height
                    and len(text) == _FENHAO_LEN
                    and text.isdigit()
                ):
                    self._recolour_or_remove(ln, False)
                    self.act(f, "removed", "第1页", "份号")
        rules = self._red_rules(page)
        for r in rules:
            ops.graphics.append(r)
        if rules:
            self.act(f, "removed", "第1页", "红色分隔线")

    def _recolour_or_remove(self, spans: list[_Span], black: bool) -> None:
        ops = self.op(1)
        for s in spans:
            for c in s.chars:
                if not c["c"].strip():
                    continue
                ops.text_remove.append(self.m.Rect(c["bbox"]))
                if black:
                    ops.reinsert.append((tuple(c["origin"]), c["c"], s.size))

    def _red_rules(self, page: Page) -> list[Any]:
        """Red horizontal rules in the top half of page 1 (with the party star between them)."""
        pdf_page = self.pdf[0]
        x0, _, x1, _ = page.text_area
        width = x1 - x0
        out: list[Any] = []
        reds = []
        for d in pdf_page.get_drawings():
            col = d.get("color") or d.get("fill")
            if not col or len(col) != 3 or not is_red(tuple(round(v * 255) for v in col)):  # type: ignore[arg-type]
                continue
            r = self.m.Rect(d["rect"])
            reds.append(r)
        for r in reds:
            disp = r * pdf_page.rotation_matrix
            disp.normalize()
            if (
                disp.height <= 6
                and disp.width >= 0.3 * width
                and (disp.y0 + disp.y1) / 2 <= self.zones.rule_zone * page.height
            ):
                out.append(self.m.Rect(r.x0 - 2, r.y0 - 3, r.x1 + 2, r.y1 + 3))
        for r in reds:  # the star between two rule segments
            if any(abs((r.y0 + r.y1) / 2 - (o.y0 + o.y1) / 2) <= 12 and r.width < 40 for o in out):
                out.append(self.m.Rect(r.x0 - 1, r.y0 - 1, r.x1 + 1, r.y1 + 1))
        return out

    # -- applying -----------------------------------------------------------------------------
    def apply(self, number: int, ops: _PageOps) -> None:
        m = self.m
        page = self.pdf[number - 1]
        if ops.erase:
            ops.pixel_boxes.extend(self._erase_pixels(page, ops.erase))
        none_img, none_art = m.PDF_REDACT_IMAGE_NONE, m.PDF_REDACT_LINE_ART_NONE
        covered, keep_text = m.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED, m.PDF_REDACT_TEXT_NONE
        remove_text = m.PDF_REDACT_TEXT_REMOVE
        passes = (
            (ops.remove_images, m.PDF_REDACT_IMAGE_REMOVE, covered, keep_text, False),
            (ops.graphics, none_img, covered, keep_text, False),
            (ops.touch, none_img, m.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED, keep_text, False),
            (ops.seal_text, none_img, none_art, remove_text, False),
            (ops.pixel_boxes, m.PDF_REDACT_IMAGE_PIXELS, none_art, remove_text, (1, 1, 1)),
            (ops.text_remove, none_img, none_art, remove_text, False),
        )
        for rects, images, graphics, text, fill in passes:
            if not rects:
                continue
            before = _span_glyphs(page) if rects is ops.seal_text and not page.rotation else None
            for r in rects:
                page.add_redact_annot(r, fill=fill)
            page.apply_redactions(images=images, graphics=graphics, text=text)
            if before is not None:
                self._restore(page, before)
        for rect, size, origin in ops.stars:
            self._star(page, rect, size, origin)
        for origin, ch, size in ops.reinsert:
            page.insert_text(origin, ch, fontname="china-s", fontsize=size, color=(0, 0, 0))

    def _restore(self, page: Any, before: list[_Glyphs]) -> None:
        """Redaction removes every glyph it touches, so black 署名/日期 text under a vector seal's
        red rim letters can lose a character: such a span is written again as a whole (in
        reading order, same origin, size, colour and width)."""
        from collections import Counter

        m = self.m
        now = Counter(g for span in _span_glyphs(page) for g in span.keys)
        damaged = []
        for span in before:
            if is_red(rgb_from_int(span.color)):
                continue
            if Counter(span.keys) - now:
                damaged.append(span)
        if not damaged:
            return
        for span in damaged:
            for key, rect in zip(span.keys, span.rects, strict=True):
                if now[key]:
                    page.add_redact_annot(_dot(m, rect), fill=False)
        page.apply_redactions(images=0, graphics=0, text=0)
        for span in damaged:
            text = "".join(k[0] for k in span.keys)
            origin = m.Point(span.keys[0][1])
            natural = m.get_text_length(text, fontname="china-s", fontsize=span.size) or 1.0
            scale = max(0.5, min(2.0, (span.rects[-1].x1 - origin.x) / natural))
            colour = tuple(v / 255 for v in rgb_from_int(span.color))
            page.insert_text(
                origin,
                text,
                fontname="china-s",
                fontsize=span.size,
                color=colour,
                morph=(origin, m.Matrix(scale, 0, 0, 1, 0, 0)),
            )

    def _star(self, page: Any, rect: Any, size: float, origin: tuple[float, float] | None) -> None:
        """Draw `*` centred in the character box of a removed character."""
        size = max(min(size, rect.height * 1.2), 4.0)
        fs = size * 1.25
        w = self.m.get_text_length("*", fontname="helv", fontsize=fs)
        x = rect.x0 + (rect.width - w) / 2
        y = rect.y0 + rect.height * 0.5 + fs * 0.42
        if page.rotation:
            page.add_redact_annot(rect, text="*", fontname="helv", fontsize=size, align=1, fill=False)
            page.apply_redactions(images=0, graphics=0, text=1)
            return
        page.insert_text((x, y), "*", fontname="helv", fontsize=fs, color=(0, 0, 0))

    def _erase_pixels(self, page: Any, boxes: list[tuple[Any, bool]]) -> list[Any]:
        """Whiten red pixels under each rect in the page images it overlaps (scans); each image
        is edited once with all its boxes. Returns the rects no image could take (painted over
        by a white redaction instead)."""
        import numpy as np

        m = self.m
        left = [rect for rect, _black in boxes]
        for info in page.get_image_info(xrefs=True):
            xref = info.get("xref") or 0
            ibox = m.Rect(info["bbox"])
            mine = [(r, b) for r, b in boxes if ibox.intersects(r)]
            if not xref or not mine:
                continue
            t = info.get("transform") or (1, 0, 0, 1, 0, 0)
            if abs(t[1]) > 1e-6 or abs(t[2]) > 1e-6 or ibox.width <= 0 or ibox.height <= 0:
                continue  # rotated placement: fall back to a white box
            try:
                pix = m.Pixmap(self.pdf, xref)
                if pix.alpha or pix.n != 3:
                    pix = m.Pixmap(m.csRGB, pix) if pix.n - pix.alpha != 3 else m.Pixmap(pix, 0)
            except Exception:
                continue
            arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3).copy()
            sx, sy = pix.width / ibox.width, pix.height / ibox.height
            changed = 0
            for rect, black in mine:
                y0, y1 = (rect.y0 - ibox.y0) * sy, (rect.y1 - ibox.y0) * sy
                if t[3] < 0:  # image placed upside down
                    y0, y1 = pix.height - y1, pix.height - y0
                box = (int((rect.x0 - ibox.x0) * sx), int(y0), int((rect.x1 - ibox.x0) * sx) + 1, int(y1) + 1)
                changed += erase_red(arr, box, to_black=black)
                left = [r for r in left if r is not rect]
            if changed:
                page.replace_image(xref, stream=_encode_like(self.pdf, xref, arr))
        return left

    def file_level(self, findings: list[Finding]) -> None:
        pdf = self.pdf
        n_annots = 0
        for page in pdf:
            xrefs = [a.xref for a in page.annots()]
            for xref in xrefs:
                annot = page.load_annot(xref)
                if annot is not None:
                    page.delete_annot(annot)
                    n_annots += 1
        if n_annots:
            self.act(None, "removed", "全文", "注释/批注", count=n_annots, rule="comment")
        n_links = 0
        for page in pdf:
            for link in page.get_links():
                target = squash(str(link.get("uri") or "")).upper()
                if target and any(v in target for v in self.raw_values):
                    page.delete_link(link)
                    n_links += 1
        if n_links:
            self.actions.append(
                CleanAction("removed", "personal_data", "email", "文档中", "含个人信息的链接", n_links)
            )
        names = list(pdf.embfile_names())
        for name in names:
            pdf.embfile_del(name)
        if names:
            self.act(None, "removed", "文档中", "附件（嵌入文件）", count=len(names), rule="embedded_file")
        info_keys = (
            "title",
            "author",
            "subject",
            "keywords",
            "creator",
            "producer",
            "creationDate",
            "modDate",
        )
        had_meta = any((pdf.metadata or {}).get(k) for k in info_keys) or bool(pdf.get_xml_metadata())
        pdf.set_metadata({})
        pdf.del_xml_metadata()
        scripts = any(str(f.category) == "hidden_content" and f.rule == "javascript" for f in findings)
        pdf.scrub(
            attached_files=True,
            clean_pages=True,
            embedded_files=True,
            hidden_text=False,
            javascript=True,
            metadata=True,
            redactions=True,
            redact_images=0,
            remove_links=False,
            reset_fields=True,
            reset_responses=True,
            thumbnails=True,
            xml_metadata=True,
        )
        if scripts:
            self.act(None, "removed", "文档中", "JavaScript 脚本", rule="javascript")
        if had_meta:
            self.act(None, "cleared", "文档属性", "作者、标题等元数据", rule="metadata_person")


@dataclass
class _Glyphs:
    keys: list[tuple[str, tuple[float, float]]]
    rects: list[Any]
    size: float
    color: int


def _span_glyphs(page: Any) -> list[_Glyphs]:
    m = _m()
    data = page.get_text("rawdict", flags=_TEXT_FLAGS, clip=m.INFINITE_RECT())
    out = []
    for block in data.get("blocks", []):
        for line in block.get("lines", []):
            for s in line.get("spans", []):
                chars = [c for c in s.get("chars", []) if c["c"].strip()]
                if chars:
                    out.append(
                        _Glyphs(
                            [(c["c"], (round(c["origin"][0], 1), round(c["origin"][1], 1))) for c in chars],
                            [m.Rect(c["bbox"]) for c in chars],
                            float(s["size"]),
                            int(s["color"]),
                        )
                    )
    return out


def _dot(m: Any, r: Any) -> Any:
    """A tiny rect at a glyph's centre: removes that glyph and hardly ever a neighbour."""
    cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
    return m.Rect(cx - 0.3, cy - 0.3, cx + 0.3, cy + 0.3)


def _outline_points(items: list[Any]) -> list[Any]:
    """Points on a path's outline: item end points and curve midpoints."""
    pts = []
    for item in items:
        if item[0] == "c":
            p0, c1, c2, p3 = item[1], item[2], item[3], item[4]
            pts.append(p0 * 0.125 + c1 * 0.375 + c2 * 0.375 + p3 * 0.125)  # Bezier at t = 0.5
            pts.append(p0)
        elif item[0] == "l":
            pts.append(item[1])
    return pts


def _encode_like(pdf: Any, xref: int, arr: Any) -> bytes:
    """Re-encode an edited scan the way it was stored (JPEG stays JPEG: a page image stored
    raw would grow the file tenfold)."""
    import io

    from PIL import Image

    try:
        ext = (pdf.extract_image(xref) or {}).get("ext", "png")
    except Exception:
        ext = "png"
    buf = io.BytesIO()
    img = Image.fromarray(arr)
    if ext in ("jpeg", "jpg", "jpx"):
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _inside(r: Any, box: Any) -> bool:
    cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
    return box.x0 <= cx <= box.x1 and box.y0 <= cy <= box.y1


__all__ = ["clean_pdf", "prepare_pdf", "PdfText", "open_pdf", "Char"]
