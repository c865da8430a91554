"""红头 (GB/T 9704-2012 版头): a published document must not carry the red header format
(网站群管理办法: 政府网站群发布的非涉密公文……不得带有红头和密码电报报头格式).

A 版头 is three things at the top of page 1: the 发文机关标志 (the organ's name, optionally plus
文件, large and red), the 发文字号 (`某政办发〔2022〕3号`) and a red separator rule as wide as the
text area. Each one alone occurs in ordinary documents (a red title, a cited document number, a
decorative line), so a finding needs two of the three. The evidence comes from text and vector
graphics when the file has them (PDF, DOCX), from pixels for scans and images, and from a wide
picture at the top of page 1 (templates often paste the 红头 as an image).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

from pubguard import layout, lexicon
from pubguard.details import RedHeaderDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.detectors.vision import (
    Raster,
    find_red_header,
    image_raster,
    is_scan_page,
    page_raster,
    render_raster,
)
from pubguard.document import BBox, BlockKind, Document, Drawing, Page, TextBlock, is_red, union_bbox
from pubguard.finding import Category, Finding, Severity
from pubguard.targets import RedHeaderTarget
from pubguard.thresholds import DEFAULT as DEFAULT_THRESHOLDS

BASIS = (
    "网站群管理办法：政府网站群发布的非涉密公文“不得带有红头和密码电报报头格式”；"
    "GB/T 9704-2012《党政机关公文格式》7.2（版头：发文机关标志、发文字号、分隔线）"
)
SUGGESTION = (
    "发布前去除红头版头（红色发文机关标志、红色分隔线及发文字号），使用无红头的公开版本或转为网页正文发布。"
)

# 发文字号 (pubguard/lexicon/doc_number.toml): organ code, year in brackets (〔〕 is right; [] () 【】
# and OCR variants occur), number, 号.
DOC_NUMBER = lexicon.pattern("doc_number", "doc_number")
TITLE_WORDS = (
    "通知", "意见", "决定", "办法", "方案", "规定", "报告", "请示", "批复", "通报", "公告", "通告",
    "函", "规划", "细则", "要点", "总结", "讲话", "决议", "命令", "议案", "条例", "规则", "标准", "指南",
)  # fmt: skip
ORGAN_ENDINGS = lexicon.words("organs", "organ_endings")
ORGAN_WORDS = ("人民政府", "委员会", "办公室", "办公厅", "党委", "中共", "中国共产党")
PUNCT = set("，。；：！？、,.;:!?（）()《》“”\"'…")
SEPARATORS = re.compile(r"[\s\u3000·•]+")

# Zones: pubguard.thresholds.RedHeaderZones (defaults below; a site overrides [thresholds.red_header]).
TOP_FRACTION = DEFAULT_THRESHOLDS.red_header.top_fraction  # organ mark centre within the top ~45% of page 1
RULE_ZONE = DEFAULT_THRESHOLDS.red_header.rule_zone  # the red separator sits in the top half


def organ_mark_text(text: str) -> bool:
    """Does a line read as a 发文机关标志 (an organ's name, maybe + 文件), not as a title?"""
    t = SEPARATORS.sub("", text)
    if not 2 <= len(t) <= 40 or any(c in PUNCT for c in t):
        return False
    if t == "文件":  # the big 文件 beside stacked names of a joint document
        return True
    if t.startswith("关于") or "的" in t:
        return False
    core = t[:-2] if t.endswith("文件") else t
    if core.endswith("纪要"):  # 会议纪要 版头: 某某市人民政府常务会议纪要
        return "会议" in core and any(w in core for w in (*ORGAN_WORDS, "常务", "办公"))
    if any(core.endswith(w) for w in TITLE_WORDS):
        return False
    if len(core) < 2:
        return False
    return t.endswith("文件") or core.endswith(ORGAN_ENDINGS) or any(w in core for w in ORGAN_WORDS)


def _html_organ_name(text: str) -> bool:
    """On web pages the mark must *be* an organ's name (ending in 文件 or an organ ending), not
    merely contain one: "某某市人民政府门户网站" is the site's banner."""
    t = SEPARATORS.sub("", text)
    return t.endswith("文件") or t.endswith(ORGAN_ENDINGS)


def find_doc_number(text: str) -> re.Match[str] | None:
    """A 发文字号 standing on its own line (possibly with 签发人), not cited inside a sentence."""
    t = text.strip()
    for m in DOC_NUMBER.finditer(t):
        before = t[: m.start()]
        if before.endswith(("（", "(", "《", "【")) or "《" in before:
            continue
        if len(SEPARATORS.sub("", t)) - len(SEPARATORS.sub("", m.group(0))) > 16:
            continue  # a sentence that cites a document
        return m
    return None


@dataclass
class _Signal:
    kind: str  # "organ_mark" | "red_rule" | "doc_number"
    page: int
    bbox: BBox | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None
    source: str = "text"  # "text" | "vector" | "pixels" | "ocr" | "image"


@dataclass
class _Evidence:
    page: int = 1
    signals: dict[str, _Signal] = field(default_factory=dict)
    target: RedHeaderTarget | None = None  # DOCX: the paragraphs the signals came from

    def add(self, sig: _Signal) -> None:
        self.signals.setdefault(sig.kind, sig)


@register
class RedHeaderDetector(Detector):
    name = "red_header"
    category = Category.RED_HEADER
    rules = {
        "red_header": "首页带有红头版头（红色发文机关标志、红色分隔线、发文字号中至少两项）",
        "red_organ_mark": "首页顶部有红色大字发文机关标志（未见分隔线和发文字号，提示核对）",
    }
    uses_pixels = True
    zones = DEFAULT_THRESHOLDS.red_header

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        self.zones = ctx.config.thresholds.red_header
        page = doc.page(1)
        if page is None:
            return []
        ev = _Evidence(page=1)
        if is_scan_page(doc, page):
            self._from_pixels(doc, page, ev)
        elif doc.format == "pdf" or (page.unit == "pt" and page.height > 0 and _has_bboxes(doc)):
            self._from_pdf(doc, page, ev)
            self._from_top_image(doc, page, ev)
        elif doc.format == "docx":
            self._from_docx(doc, page, ev)
            self._from_top_image(doc, page, ev)
        elif doc.format == "html":
            self._from_html(doc, ev)
        else:
            return []
        finding = self._finding(doc, ctx, ev)
        return [finding] if finding else []

    # -- PDF --------------------------------------------------------------------------------
    def _from_pdf(self, doc: Document, page: Page, ev: _Evidence) -> None:
        blocks = [b for b in doc.visible_blocks() if b.page == 1 and b.bbox is not None and b.text.strip()]
        body = _body_size(blocks)
        lines = _lines(blocks)
        marks: list[_Signal] = []
        for line in lines:
            red_big = [b for b in line if b.is_red and _big(b, body)]
            if not red_big:
                continue
            box = union_bbox(b.bbox for b in red_big)
            assert box is not None
            if (box[1] + box[3]) / 2 > self.zones.top_fraction * page.height:
                continue
            text = "".join(b.text for b in red_big)
            if organ_mark_text(text):
                marks.append(_Signal("organ_mark", 1, box, text.strip(), red_big[0].start, red_big[-1].end))
        if not marks:
            marks = _spread_marks(blocks, body, page, self.zones.top_fraction)
        organ_boxes = tuple(m.bbox for m in marks if m.bbox is not None)
        if marks:
            sig = marks[0]
            sig.bbox = union_bbox(m.bbox for m in marks)
            sig.text = " ".join(m.text for m in marks)
            ev.add(sig)
        for line in lines:
            box = union_bbox(b.bbox for b in line)
            if box is None or (box[1] + box[3]) / 2 > self.zones.rule_zone * page.height:
                continue
            text = "".join(b.text for b in line)
            m = find_doc_number(text)
            if m:
                start = line[0].start + text.find(m.group(0))
                ev.add(_Signal("doc_number", 1, box, m.group(0), start, start + len(m.group(0))))
                break
        number = ev.signals.get("doc_number")
        ev.target = RedHeaderTarget(organ_boxes=organ_boxes, number_box=number.bbox if number else None)
        rule = _pdf_rule(doc.drawings, page, ev.signals.get("organ_mark"), self.zones.rule_zone)
        if rule is not None:
            ev.add(_Signal("red_rule", 1, rule, source="vector"))
        if "organ_mark" not in ev.signals:
            self._from_outlined_text(doc, page, ev)

    def _from_outlined_text(self, doc: Document, page: Page, ev: _Evidence) -> None:
        """The organ mark converted to curves (WordArt, some templates): many small red filled
        paths at the top of page 1. Render the page once and read the pixels."""
        glyphs = [
            d
            for d in doc.drawings
            if d.page == 1
            and d.fill is not None
            and is_red(d.fill)
            and (d.bbox[1] + d.bbox[3]) / 2 <= self.zones.top_fraction * page.height
            and 4 <= d.bbox[3] - d.bbox[1] <= 120
        ]
        if len(glyphs) < 4 or page.renderer is None:
            return
        raster = render_raster(page)
        if raster is None:
            return
        found = find_red_header(raster.red(), top_frac=self.zones.top_fraction)
        if found.mark is not None:
            ev.add(_Signal("organ_mark", 1, raster.page_bbox(found.mark), source="vector-render"))
        if found.line is not None:
            ev.add(_Signal("red_rule", 1, raster.page_bbox(found.line), source="vector-render"))

    # -- DOCX -------------------------------------------------------------------------------
    def _from_docx(self, doc: Document, page: Page, ev: _Evidence) -> None:
        blocks = [b for b in doc.visible_blocks() if b.text.strip()]
        paras = layout.paragraphs(doc, layout.ZONE_KINDS)  # the shared layout view
        order = sorted(paras)
        body = _body_size(blocks)
        mark_zone = set(order[: self.zones.docx_mark_paragraphs])
        marks: list[tuple[int, _Signal]] = []
        header_paras = layout.paragraphs(doc, (BlockKind.HEADER,))
        candidates = [(p, paras[p]) for p in order if p in mark_zone]
        candidates += [(p, bl) for p, bl in header_paras.items() if bl and bl[0].page <= 1]
        for pid, para in candidates:
            red_big = [
                b for b in para if b.is_red and (_big(b, body) or (b.font_size is None and _centred(b)))
            ]
            if not red_big:
                continue
            text = "".join(b.text for b in red_big)
            if organ_mark_text(text):
                marks.append(
                    (pid, _Signal("organ_mark", 1, None, text.strip(), red_big[0].start, red_big[-1].end))
                )
        if marks:
            pid, sig = marks[0]
            sig.text = " ".join(s.text for _, s in marks)
            ev.add(sig)
        number_para: int | None = None
        for pid in order[: self.zones.docx_number_paragraphs]:
            para = paras[pid]
            text = "".join(b.text for b in para)
            m = find_doc_number(text)
            if m:
                start = para[0].start + text.find(m.group(0))
                ev.add(_Signal("doc_number", 1, None, m.group(0), start, start + len(m.group(0))))
                number_para = pid
                break
        ev.target = RedHeaderTarget(tuple(p for p, _ in marks), number_para)
        # The rule sits just below the body paragraphs of the 版头 (a mark in the page header
        # part has an id outside the body order: then the first paragraphs are the zone).
        anchors = [p for p, _ in marks if p in mark_zone] + ([number_para] if number_para is not None else [])
        if marks or anchors:
            limit = (
                max(anchors) + 4
                if anchors
                else (order[min(len(order), self.zones.docx_mark_paragraphs) - 1] if order else 0)
            )
            first = order[0] if order else 0
            x0, _, x1, _ = page.text_area
            for d in doc.drawings:
                if d.page not in (0, 1) or not _red_stroke_or_fill(d):
                    continue
                if d.kind not in ("border", "line", "shape", "rect", "path"):
                    continue
                if not first - 2 <= d.paragraph <= limit:
                    continue
                width = d.bbox[2] - d.bbox[0]
                height = d.bbox[3] - d.bbox[1]
                if d.kind != "border" and width > 0 and (width < 0.6 * (x1 - x0) or height > 12):
                    continue
                ev.add(_Signal("red_rule", 1, None, source=f"docx:{d.kind}"))
                break

    # -- HTML ------------------------------------------------------------------------------
    def _from_html(self, doc: Document, ev: _Evidence) -> None:
        """A web page has no "top of page 1": the article sits below the site's banner and
        menus. So the 版头 is looked for as a unit: a red, large organ mark (colour and size
        from the computed style, stylesheet classes included), and within the next
        `html_window` paragraphs the 发文字号 or a red rule (an `<hr>` or a red bottom border)."""
        zone_kinds = (BlockKind.BODY, BlockKind.TABLE_CELL)
        blocks = [
            b for b in doc.visible_blocks() if b.text.strip() and b.kind in zone_kinds and b.paragraph >= 0
        ]
        paras: dict[int, list[TextBlock]] = {}
        for b in blocks:
            paras.setdefault(b.paragraph, []).append(b)
        order = sorted(paras)
        body = _body_size(blocks)
        rules = sorted(d.paragraph for d in doc.drawings if d.kind == "border" and _red_stroke_or_fill(d))
        for idx, pid in enumerate(order):
            red_big = [b for b in paras[pid] if b.is_red and _big(b, body)]
            text = "".join(b.text for b in red_big)
            if not red_big or not organ_mark_text(text) or not _html_organ_name(text):
                continue
            window = order[idx : idx + self.zones.html_window + 1]
            number: _Signal | None = None
            for q in window:
                line = "".join(b.text for b in paras[q])
                m = find_doc_number(line)
                if m:
                    start = paras[q][0].start + line.find(m.group(0))
                    number = _Signal("doc_number", 1, None, m.group(0), start, start + len(m.group(0)))
                    break
            # A site banner shows the organ's name in red above a red line too; a 版头's mark is
            # centred (GB/T 9704 7.2.4), so a rule counts only under a centred mark.
            rule = any(pid <= r <= window[-1] + 1 for r in rules) and all(_centred(b) for b in red_big)
            if number is None and not rule:
                continue  # a red organ name alone (a site banner, a red title): not a 版头
            ev.add(_Signal("organ_mark", 1, None, text.strip(), red_big[0].start, red_big[-1].end))
            if number is not None:
                ev.add(number)
            if rule:
                ev.add(_Signal("red_rule", 1, None, source="html:border"))
            return

    # -- pictures of the 红头 (templates paste it as an image) ------------------------------
    def _from_top_image(self, doc: Document, page: Page, ev: _Evidence) -> None:
        if "organ_mark" in ev.signals and "red_rule" in ev.signals:
            return
        first_paras = sorted({b.paragraph for b in doc.blocks if b.paragraph >= 0 and b.page <= 1})[:4]
        for im in doc.images:
            if im.page not in (0, 1) or im.kind == "page_scan" or im.loader is None:
                continue
            if im.width and im.height and im.width < 2.0 * im.height:
                continue  # a 红头 picture is a wide band
            if im.bbox is not None and page.height:
                if im.bbox[1] > self.zones.top_fraction * page.height:
                    continue
                x0, _, x1, _ = page.text_area
                if im.bbox[2] - im.bbox[0] < 0.5 * (x1 - x0):
                    continue
            elif im.paragraph < 0 or (first_paras and im.paragraph > first_paras[-1]):
                continue  # no position, or not among the first paragraphs
            raster = image_raster(im, page)
            if raster is None:
                continue
            found = find_red_header(raster.red(), top_frac=1.0, min_line_frac=0.55)
            if found.mark is not None:
                ev.add(_Signal("organ_mark", 1, _map(raster, found.mark, im.bbox), source="image"))
            if found.line is not None:
                ev.add(_Signal("red_rule", 1, _map(raster, found.line, im.bbox), source="image"))
            if found.mark is not None or found.line is not None:
                break

    # -- scans ------------------------------------------------------------------------------
    def _from_pixels(self, doc: Document, page: Page, ev: _Evidence) -> None:
        raster = page_raster(doc, page)
        # OCR lines, or the invisible text layer a scanner put over the page.
        ocr = [
            b
            for b in doc.blocks
            if b.page == 1
            and b.bbox is not None
            and b.kind in (BlockKind.OCR, BlockKind.BODY)
            and b.text.strip()
        ]
        top = self.zones.top_fraction * page.height if page.height else None
        organ_ocr: list[TextBlock] = []
        title_ocr: list[TextBlock] = []
        for b in ocr:
            assert b.bbox is not None  # filtered above
            if top is not None and b.bbox[1] > top:
                continue
            if organ_mark_text(b.text):
                organ_ocr.append(b)
            elif SEPARATORS.sub("", b.text).startswith("关于") or any(
                SEPARATORS.sub("", b.text).endswith(w) for w in TITLE_WORDS
            ):
                title_ocr.append(b)
            m = find_doc_number(b.text)
            if m and top is not None and b.bbox[1] <= self.zones.rule_zone * page.height:
                i = b.text.find(m.group(0))
                ev.add(
                    _Signal(
                        "doc_number", 1, b.bbox, m.group(0), b.start + i, b.start + i + len(m.group(0)), "ocr"
                    )
                )
        if raster is None:
            return
        found = find_red_header(raster.red(), top_frac=self.zones.top_fraction)
        if found.mark is not None:
            box = raster.page_bbox(found.mark)
            named = [b for b in organ_ocr if _overlaps(b.bbox, box)]
            titled = [b for b in title_ocr if _overlaps(b.bbox, box)]
            if not (titled and not named):  # OCR reads a red title, not an organ's name
                text = " ".join(b.text.strip() for b in named)
                start = named[0].start if named else None
                end = named[-1].end if named else None
                ev.add(_Signal("organ_mark", 1, box, text, start, end, "pixels"))
        if found.line is not None:
            ev.add(_Signal("red_rule", 1, raster.page_bbox(found.line), source="pixels"))

    # -- finding ----------------------------------------------------------------------------
    def _finding(self, doc: Document, ctx: ScanContext, ev: _Evidence) -> Finding | None:
        sig = ev.signals
        kinds = [k for k in ("organ_mark", "red_rule", "doc_number") if k in sig]
        if len(kinds) < 2 and not (kinds == ["organ_mark"] and sig["organ_mark"].text):
            return None  # one signal alone is ordinary (a red title, a cited number, a line)
        labels = {"organ_mark": "红色发文机关标志", "red_rule": "红色分隔线", "doc_number": "发文字号"}
        seen = "、".join(labels[k] for k in kinds)
        organ = sig.get("organ_mark")
        number = sig.get("doc_number")
        anchor = (
            organ
            if organ and organ.start is not None
            else number
            if number and number.start is not None
            else None
        )
        ev_parts = [s for s in (organ.text if organ else "", number.text if number else "") if s]
        if "red_rule" in sig:
            ev_parts.append("红色分隔线")
        evidence = " / ".join(ev_parts) or seen
        details = RedHeaderDetails(
            signals=tuple(kinds),
            sources={k: sig[k].source for k in kinds},
            organ_mark=organ.text if organ and organ.text else None,
            doc_number=number.text if number else None,
        )
        bbox = union_bbox(sig[k].bbox for k in kinds)
        if len(kinds) == 1:  # the red organ mark alone: worth a look, not a blocker
            return ctx.finding(
                doc,
                category=self.category,
                rule="red_organ_mark",
                severity=Severity.INFO,
                message=f"首页顶部有红色大字“{organ.text if organ and organ.text else '发文机关标志'}”，"
                "未见红色分隔线和发文字号，请核对是否为红头文件。",
                raw=f"red_organ_mark|{organ.text if organ else ''}",
                evidence=evidence,
                start=anchor.start if anchor else None,
                end=anchor.end if anchor else None,
                page=1,
                bbox=bbox,
                suggestion=SUGGESTION,
                basis=BASIS,
                confidence=0.4,
                details=details,
            )
        confidence = 0.95 if len(kinds) == 3 else 0.8
        finding = ctx.finding(
            doc,
            category=self.category,
            rule="red_header",
            severity=Severity.BLOCKER,
            message=f"首页带有红头版头（检测到{seen}）。非涉密公文在网站发布时不得带有红头格式。",
            raw="red_header|" + "|".join(sorted(s for s in ev_parts if s != "红色分隔线")) + f"|{len(kinds)}",
            evidence=evidence,
            start=anchor.start if anchor else None,
            end=anchor.end if anchor else None,
            page=1,
            bbox=bbox,
            suggestion=SUGGESTION,
            basis=BASIS,
            confidence=confidence,
            details=details,
        )
        # The paragraphs / lines the signals came from, whether one was a picture, and their box.
        finding.target = replace(
            ev.target or RedHeaderTarget(),
            picture=details.picture,
            box=finding.location.bbox,
        )
        return finding


# -- helpers -------------------------------------------------------------------------------------
def _bb(b: TextBlock) -> BBox:
    """The box of a block known to have one (filtered by the caller)."""
    assert b.bbox is not None
    return b.bbox


def _has_bboxes(doc: Document) -> bool:
    return any(b.bbox is not None for b in doc.blocks[:50])


def _body_size(blocks: list[TextBlock]) -> float | None:
    sizes: list[float] = []
    for b in blocks:
        if b.font_size and b.kind in (BlockKind.BODY, BlockKind.TABLE_CELL, BlockKind.TEXT_BOX):
            sizes.extend([b.font_size] * min(len(b.text), 200))
    return median(sizes) if sizes else None


def _big(b: TextBlock, body: float | None) -> bool:
    if b.font_size is None:
        return False
    if b.font_size >= 18:
        return True
    return body is not None and b.font_size >= 14 and b.font_size >= 1.35 * body


def _centred(b: TextBlock) -> bool:
    return (b.alignment or "") in ("center", "distribute")


def _lines(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """Blocks grouped into lines: same paragraph id (one per PDF line), else same baseline."""
    out: dict[tuple[Any, ...], list[TextBlock]] = {}
    for b in blocks:
        assert b.bbox is not None
        key = (b.kind, b.paragraph) if b.paragraph >= 0 else (b.kind, round(b.bbox[3] / 4))
        out.setdefault(key, []).append(b)
    lines = [sorted(v, key=lambda b: b.bbox[0] if b.bbox else 0) for v in out.values()]
    lines.sort(key=lambda ln: min(b.bbox[1] for b in ln if b.bbox))
    return lines


def _spread_marks(
    blocks: list[TextBlock], body: float | None, page: Page, top_fraction: float
) -> list[_Signal]:
    """An organ mark set with 分散对齐 (one glyph every few centimetres across the text area):
    PDF producers write each glyph as a line of its own, so the mark is read per visual row of
    large red glyphs at the top of page 1."""
    top = [
        b
        for b in blocks
        if b.is_red and _big(b, body) and (_bb(b)[1] + _bb(b)[3]) / 2 <= top_fraction * page.height
    ]
    rows: list[list[TextBlock]] = []
    for b in sorted(top, key=lambda b: (_bb(b)[1] + _bb(b)[3]) / 2):
        cy, hgt = (_bb(b)[1] + _bb(b)[3]) / 2, _bb(b)[3] - _bb(b)[1]
        if rows:
            r0 = _bb(rows[-1][0])
            if abs(cy - (r0[1] + r0[3]) / 2) <= 0.5 * max(hgt, r0[3] - r0[1]):
                rows[-1].append(b)
                continue
        rows.append([b])
    out = []
    for row in rows:
        if len(row) < 2:
            continue
        row.sort(key=lambda b: _bb(b)[0])
        text = "".join(b.text for b in row)
        if organ_mark_text(text):
            box = union_bbox(b.bbox for b in row)
            out.append(_Signal("organ_mark", 1, box, SEPARATORS.sub("", text), row[0].start, row[-1].end))
    return out


def _red_stroke_or_fill(d: Drawing) -> bool:
    return (d.stroke is not None and is_red(d.stroke)) or (
        d.fill is not None and is_red(d.fill) and d.fill_opacity > 0.2
    )


def _pdf_rule(
    drawings: list[Drawing], page: Page, organ: _Signal | None, rule_zone: float = RULE_ZONE
) -> BBox | None:
    """A red horizontal rule near the text-area width in the top half of page 1; segments at
    the same height (split by the party star) are merged."""
    x0, _, x1, _ = page.text_area
    text_w = x1 - x0
    segs: list[BBox] = []
    for d in drawings:
        if d.page != 1 or not _red_stroke_or_fill(d):
            continue
        bx0, by0, bx1, by1 = d.bbox
        if by1 - by0 > max(6.0, 2.5 * (d.width or 0)) or bx1 - bx0 < 0.15 * text_w:
            continue
        if (by0 + by1) / 2 > rule_zone * page.height:
            continue
        if organ is not None and organ.bbox is not None and (by0 + by1) / 2 < organ.bbox[1]:
            continue  # the separator is under the organ mark
        segs.append(d.bbox)
    segs.sort(key=lambda b: (b[1] + b[3]) / 2)
    groups: list[list[BBox]] = []
    for s in segs:
        if groups and abs((s[1] + s[3]) / 2 - (groups[-1][0][1] + groups[-1][0][3]) / 2) <= 4:
            groups[-1].append(s)
        else:
            groups.append([s])
    for g in groups:
        box = union_bbox(g)
        assert box is not None
        covered = sum(b[2] - b[0] for b in g)
        if box[2] - box[0] >= 0.7 * text_w and covered >= 0.75 * (box[2] - box[0]):
            return box
    return None


def _map(raster: Raster, box: tuple[int, int, int, int], bbox: BBox | None) -> BBox | None:
    return raster.page_bbox(box) if bbox is not None else None


def _overlaps(a: BBox | None, b: BBox | None) -> bool:
    if a is None or b is None:
        return False
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
