"""What reviewers look at: page images (PNG, rendered once per stored file and cached on disk),
the text view with findings highlighted (formats without fixed layout, e.g. DOCX), and the text
diff between two versions.

Everything is keyed by the file's sha256: stored versions never change, so the cache never
goes stale. Extraction here runs without OCR (the scan already did it); it is only for layout
and text.

The cache is not a second copy of the personal data: its text has every personal value masked
in place, and its page images have the boxes of personal values painted over (`MASK_RGB`) —
both those the `personal_data` detector finds in the file's text layer and those the version's
stored findings locate (e.g. OCR of a scan). The managed original stays in the file store only.
The cache lives only as long as a version that needs it: `sweep()` removes the entries of files
that no longer belong to a live (not archived) draft, and every entry older than
`max_age_days` (rebuilt from the original on the next view)."""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import html
import io
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pubguard.config import ScanConfig
from pubguard.finding import Category

MAX_IMAGE_SIDE = 1600  # px: scans are shown scaled; boxes are placed in percent
LAYOUT_VERSION = "m4"  # m1: the cached text has personal values masked; m2: and the page images;
# m3: pages say text_layer (the version diff reads pages without one by OCR); m4: blocks (tables
# and document properties, for the text view) and people in document properties masked
MASK_RGB = (38, 38, 38)  # the colour painted over a personal value in a cached page image
MASK_PAD = 1.5  # page units around a box
SWEEP_EVERY_SECONDS = 3600.0
PERSONAL_CATEGORY = str(Category.PERSONAL_DATA)
Boxes = dict[int, list[tuple[float, float, float, float]]]  # page number → bboxes (page units)


def personal_findings(doc: Any, config: ScanConfig) -> list[Any] | None:
    """What the `personal_data` detector finds in the document (None: it failed)."""
    from pubguard.detectors import ScanContext, detectors_for

    try:
        return [
            f
            for det in detectors_for({PERSONAL_CATEGORY})
            for f in det.detect(doc, ScanContext(config=config))
        ]
    except Exception:
        return None


def _locations(f: Any) -> list[Any]:
    return list(f.locations) if f.count > 1 else [f.location]


def personal_boxes(found: Iterable[Any]) -> Boxes:
    """Page boxes of personal values (findings or their dicts), archive members excluded."""
    out: Boxes = {}
    for f in found:
        if isinstance(f, dict):
            locs = [f.get("location") or {}, *(f.get("locations") or [])]
            items = [(lo.get("page"), lo.get("bbox"), lo.get("member")) for lo in locs]
        else:
            items = [(lo.page, lo.bbox, getattr(lo, "member", None)) for lo in _locations(f)]
        for page, bbox, member in items:
            if page is None or not bbox or member or len(bbox) != 4:
                continue
            box = tuple(round(float(v), 1) for v in bbox)
            if box not in out.setdefault(int(page), []):
                out[int(page)].append(box)  # type: ignore[arg-type]
    return out


def paint_boxes(img: Any, page_width: float, page_height: float, boxes: Sequence[tuple[float, ...]]) -> None:
    """Paint `boxes` (page units) over the rendered page image, in place."""
    from PIL import ImageDraw

    if not boxes or page_width <= 0 or page_height <= 0:
        return
    sx, sy = img.width / float(page_width), img.height / float(page_height)
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(
            (
                max(0, int((x0 - MASK_PAD) * sx)),
                max(0, int((y0 - MASK_PAD) * sy)),
                min(img.width - 1, int((x1 + MASK_PAD) * sx + 1)),
                min(img.height - 1, int((y1 + MASK_PAD) * sy + 1)),
            ),
            fill=MASK_RGB,
        )


def masked_text(doc: Any, config: ScanConfig, found: list[Any] | None = None) -> str:
    """The document text with every personal value the `personal_data` detector finds masked
    in place, length kept (so finding offsets still point at the right characters): the text
    view, the version diff and the DOCX draft view — and the cache they are read from — never
    hold a full ID number, mobile or bank card. The managed original stays in the file store."""
    text = doc.text
    chars = list(text)
    if found is None:
        found = personal_findings(doc, config)
    if found is None:  # never show unmasked text because the detector failed: mask all digits
        chars = ["*" if ch.isdigit() else ch for ch in text]
        mask_property_people(doc, chars)
        return "".join(chars)
    values: set[int] = set()  # characters of single values (masked below, last digits kept)
    for f in found:
        if getattr(f, "rule", None) != "roster":
            for loc in _locations(f):
                if loc.start is not None and loc.end is not None:
                    values.update(range(loc.start, loc.end))
    for f in found:
        for loc in _locations(f):
            s, e = loc.start, loc.end
            if s is None or e is None or not (0 <= s < e <= len(text)) or getattr(loc, "member", None):
                continue
            if getattr(f, "rule", None) == "roster":
                # the whole table: its values are masked one by one (their own findings); here
                # every other number in it, so the table's headings and names stay readable
                for i in range(s, e):
                    if chars[i].isdigit() and i not in values:
                        chars[i] = "*"
                continue
            keep = 4 if e - s > 6 else 1
            for i in range(s, e - keep):
                if not chars[i].isspace():
                    chars[i] = "*"
    mask_property_people(doc, chars)
    return "".join(chars)


def mask_property_people(doc: Any, chars: list[str]) -> None:
    """People named in document properties (作者, 最后修改者, 经理 … and custom fields like
    审核人) masked in place like a name, surname kept (a value the hidden_content detector would
    call a person: 2–4 Han characters with a surname, a Latin "Given Family"): the properties
    panel of the text view does not show a person's name in full."""
    from pubguard.detectors.hidden_content import CUSTOM_PERSON_HINT, PERSON_FIELDS, looks_like_person
    from pubguard.document import BlockKind
    from pubguard.masking import mask_name

    for b in doc.blocks:
        key = (b.field_name or "").lower()
        if b.kind != BlockKind.METADATA or not (
            key in PERSON_FIELDS or (key.startswith("custom:") and CUSTOM_PERSON_HINT.search(key[7:]))
        ):
            continue
        if key == "creator" and doc.format == "pdf":
            continue  # PDF "Creator" is the authoring application
        value = "".join(chars[b.start : b.end])
        if not looks_like_person(value):  # 南宁市应急管理局, Administrator: not a person
            continue
        masked = mask_name(value.strip())
        lead = len(value) - len(value.lstrip())
        for i, ch in enumerate(masked):
            if b.start + lead + i < b.end and not chars[b.start + lead + i].isspace():
                chars[b.start + lead + i] = ch


def layout_blocks(doc: Any) -> list[list[Any]]:
    """The blocks the text view lays out apart from the running text: table cells
    `[start, end, "cell", table, row, col]`, sheet names `[…, "sheet", table]` and document
    properties `[start, end, "meta", field]` (offsets into the text)."""
    from pubguard.document import BlockKind

    out: list[list[Any]] = []
    for b in doc.blocks:
        if b.end <= b.start:
            continue
        if b.kind == BlockKind.METADATA:
            out.append([b.start, b.end, "meta", b.field_name or ""])
        elif b.kind == BlockKind.TABLE_CELL and b.table is not None and b.row is not None:
            out.append([b.start, b.end, "cell", b.table, b.row, b.col or 0])
        elif b.field_name == "sheet_name" and b.table is not None:
            out.append([b.start, b.end, "sheet", b.table])
    return out


class DocumentViews:
    def __init__(
        self,
        cache_dir: Path,
        scan_config: ScanConfig,
        dpi: int = 110,
        max_pages: int = 60,
        *,
        max_age_days: float = 30.0,
        live: Callable[[], set[str]] | None = None,
    ):
        self.cache_dir = Path(cache_dir)
        self.config = dataclasses.replace(scan_config, ocr=False)
        self.ocr_config = scan_config  # for the text of scans in the version diff
        self.dpi = dpi
        self.max_pages = max_pages
        self.max_age_days = max_age_days
        self.live = live  # sha256 of every file a live version needs (None: keep all)
        self._last_sweep = 0.0
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, sha: str) -> threading.Lock:
        with self._guard:
            if len(self._locks) > 1000:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(sha, threading.Lock())

    def _dir(self, sha: str) -> Path:
        return self.cache_dir / sha[:2] / sha

    def _meta_path(self, sha: str) -> Path:
        return self._dir(sha) / f"layout-{LAYOUT_VERSION}-{self.dpi}.json"

    def _cached(self, sha: str, mask: Boxes | None) -> dict[str, Any] | None:
        path = self._meta_path(sha)
        if not path.is_file():
            return None
        meta = json.loads(path.read_text(encoding="utf-8"))
        painted = {(int(k), tuple(b)) for k, v in (meta.get("masked") or {}).items() for b in v}
        wanted = {(p, tuple(b)) for p, v in (mask or {}).items() for b in v}
        return meta if wanted <= painted else None  # a box not painted yet: render again

    def layout(
        self, sha: str, filename: str, load: Callable[[], bytes], mask: Boxes | None = None
    ) -> dict[str, Any]:
        """`{format, pages: [{number, width, height, unit, image}], text, error, masked}`; page
        images are rendered in the same pass (bounded by `max_pages`), personal values painted
        over — those found here and the boxes in `mask` (the version's stored findings)."""
        self.maybe_sweep()
        for old in (
            f"layout-{self.dpi}.json",
            f"layout-m1-{self.dpi}.json",
            f"layout-m2-{self.dpi}.json",
            f"layout-m3-{self.dpi}.json",
        ):
            # unmasked text / images; no text_layer
            (self._dir(sha) / old).unlink(missing_ok=True)
        meta = self._cached(sha, mask)
        if meta is not None:
            return meta
        with self._lock(sha):
            meta = self._cached(sha, mask)
            if meta is not None:
                return meta
            meta = self._build(sha, filename, load(), mask or {})
            meta_path = self._meta_path(sha)
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = meta_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            tmp.replace(meta_path)
            return meta

    def _build(self, sha: str, filename: str, data: bytes, mask: Boxes) -> dict[str, Any]:
        from pubguard.errors import PubGuardError
        from pubguard.extract import extract

        try:
            doc = extract(data, filename, self.config)
        except PubGuardError as exc:
            return {"format": None, "pages": [], "text": "", "error": exc.message, "masked": {}}
        except Exception as exc:  # a broken file must still show its page with the error
            return {
                "format": None,
                "pages": [],
                "text": "",
                "error": f"无法读取文件（{type(exc).__name__}）。",
                "masked": {},
            }
        found = personal_findings(doc, self.config)
        boxes = personal_boxes(found or [])
        for page_no, extra in mask.items():
            boxes.setdefault(page_no, [])
            boxes[page_no] += [b for b in extra if b not in boxes[page_no]]
        pages = []
        for page in doc.pages:
            image = None
            # a failed detector: no page image at all (the masked text view shows the page)
            if page.renderer is not None and page.number <= self.max_pages and found is not None:
                try:
                    img = page.render(self.dpi).convert("RGB")
                    if max(img.size) > MAX_IMAGE_SIDE:
                        img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                    paint_boxes(img, page.width, page.height, boxes.get(page.number, []))
                    buf = io.BytesIO()
                    img.save(buf, "PNG", optimize=False)
                    out = self._dir(sha) / f"p{page.number}-{self.dpi}.png"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    tmp = out.with_suffix(".tmp")
                    tmp.write_bytes(buf.getvalue())
                    tmp.replace(out)
                    image = {"width": img.width, "height": img.height}
                except Exception:  # one unrenderable page shows as text only
                    image = None
            pages.append(
                {
                    "number": page.number,
                    "width": page.width,
                    "height": page.height,
                    "unit": page.unit,
                    "image": image,
                    "text_layer": page.has_text_layer,
                }
            )
        return {
            "format": doc.format,
            "pages": pages,
            "text": masked_text(doc, self.config, found),
            "blocks": layout_blocks(doc),
            "error": None,
            "masked": {str(k): [list(b) for b in v] for k, v in boxes.items() if v},
        }

    def diff_text(
        self, sha: str, filename: str, load: Callable[[], bytes], mask: Boxes | None = None
    ) -> dict[str, Any]:
        """The text the version diff compares: `{text, source}`. The layout text, unless a page
        has no text layer (a scan, a PNG): then the text read by OCR, as the scan read it
        (source "ocr"; masked like the layout text and cached next to it), or, without an OCR
        engine, the layout text with source "ocr_missing" so the diff can say it could not
        compare the pictures' words."""
        meta = self.layout(sha, filename, load, mask)
        if not any(p.get("text_layer") is False for p in meta["pages"]):
            return {"text": meta["text"], "source": "text"}
        from pubguard.extract.ocr import ocr_available

        if not self.ocr_config.ocr or not ocr_available():
            return {"text": meta["text"], "source": "ocr_missing"}
        path = self._dir(sha) / f"ocr-text-{LAYOUT_VERSION}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        with self._lock(sha):
            if path.is_file():
                return json.loads(path.read_text(encoding="utf-8"))
            from pubguard.extract import extract

            try:
                doc = extract(load(), filename, self.ocr_config)
            except Exception:  # the layout already showed why the file cannot be read
                return {"text": meta["text"], "source": "ocr_missing"}
            out = {"text": masked_text(doc, self.ocr_config), "source": "ocr"}
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
            return out

    def page_png(
        self, sha: str, filename: str, load: Callable[[], bytes], number: int, mask: Boxes | None = None
    ) -> bytes | None:
        meta = self.layout(sha, filename, load, mask)
        page = next((p for p in meta["pages"] if p["number"] == number), None)
        if page is None or page["image"] is None:
            return None
        path = self._dir(sha) / f"p{number}-{self.dpi}.png"
        try:
            return path.read_bytes()
        except FileNotFoundError:  # cache cleaned under us: rebuild once
            self._meta_path(sha).unlink(missing_ok=True)
            self.layout(sha, filename, load, mask)
            return path.read_bytes() if path.is_file() else None

    def drop(self, sha: str) -> None:
        """Remove everything cached for one file."""
        with self._lock(sha):
            shutil.rmtree(self._dir(sha), ignore_errors=True)

    def maybe_sweep(self) -> None:
        if time.monotonic() - self._last_sweep >= SWEEP_EVERY_SECONDS:
            self.sweep()

    def sweep(self, now: float | None = None) -> list[str]:
        """Remove the entries of files no live version needs, and those older than
        `max_age_days` (by the time they were built). Returns the removed sha256s."""
        self._last_sweep = time.monotonic()
        if not self.cache_dir.is_dir():
            return []
        live = self.live() if self.live is not None else None
        cutoff = (now if now is not None else time.time()) - self.max_age_days * 86400
        removed = []
        for entry in self.cache_dir.glob("??/*"):
            if not entry.is_dir():
                continue
            try:
                built = max((p.stat().st_mtime for p in entry.glob("layout-*.json")), default=None)
                if built is None:  # being built (or a leftover): judged by the folder's age
                    built = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if (live is not None and entry.name not in live) or built < cutoff:
                self.drop(entry.name)
                removed.append(entry.name)
        return removed


def boxes_for_page(page: dict[str, Any], findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Findings located on `page` with their bbox as percentages of the page (for overlays)."""
    out: list[dict[str, Any]] = []
    w, h = float(page.get("width") or 0), float(page.get("height") or 0)
    if w <= 0 or h <= 0:
        return out
    for n, f in enumerate(findings, 1):
        loc = f.get("location") or {}
        bbox = loc.get("bbox")
        if f.get("status") == "fixed" or loc.get("page") != page["number"] or not bbox or loc.get("member"):
            continue  # (a finding inside an archive member is placed on the member's pages)
        x0, y0, x1, y1 = (float(v) for v in bbox)
        pad = 2.0
        out.append(
            dict(
                f,
                index=n,
                left=max(0.0, (x0 - pad) / w * 100),
                top=max(0.0, (y0 - pad) / h * 100),
                width=min(100.0, (x1 - x0 + 2 * pad) / w * 100),
                height=min(100.0, (y1 - y0 + 2 * pad) / h * 100),
            )
        )
    return out


# Labels of document properties in the text view's panel (people's fields from the detector).
PROPERTY_LABELS = {
    "title": "标题", "subject": "主题", "keywords": "关键词", "comments": "备注", "description": "备注",
    "category": "类别", "content_status": "状态", "created": "创建时间", "modified": "修改时间",
    "last_printed": "上次打印", "revision": "修订号", "company": "单位", "template": "模板",
    "application": "编辑软件", "app_version": "软件版本", "producer": "生成软件",
}  # fmt: skip


Span = tuple[int, int, int, Mapping[str, Any]]  # start, end, finding number, finding


def _located(text: str, findings: Sequence[Mapping[str, Any]]) -> list[Span]:
    out = []
    for n, f in enumerate(findings, 1):
        loc = f.get("location") or {}
        s, e = loc.get("start"), loc.get("end")
        if f.get("status") == "fixed" or s is None or e is None or not (0 <= s < e <= len(text)):
            continue
        if loc.get("member"):  # offsets into an archive member's text, not this one
            continue
        out.append((s, e, n, f))
    return out


def _spans(text: str, findings: Sequence[Mapping[str, Any]]) -> list[Span]:
    """Marks of the running text: in order, a span overlapping an earlier one left out (the
    list beside the text still shows it)."""
    kept: list[Span] = []
    for sp in sorted(_located(text, findings), key=lambda t: (t[0], -t[1])):
        if not kept or sp[0] >= kept[-1][1]:
            kept.append(sp)
    return kept


def _inner_spans(text: str, findings: Sequence[Mapping[str, Any]]) -> tuple[list[Span], list[Span]]:
    """(marks, outer) for the laid-out view: shortest first, so a finding over a whole table (a
    roster) does not hide the values inside it; a span holding other marks is `outer` (the
    table it covers is outlined instead)."""
    starts: list[int] = []  # the kept marks never overlap: sorted by start, ends sorted too
    kept: list[Span] = []
    outer: list[Span] = []
    for sp in sorted(_located(text, findings), key=lambda t: (t[1] - t[0], t[0])):
        s, e = sp[0], sp[1]
        i = bisect.bisect_left(starts, s)
        if i < len(kept) and kept[i][0] < e:  # a kept mark starts inside: holds it or overlaps
            if kept[i][1] <= e:
                outer.append(sp)
            continue
        if i > 0 and kept[i - 1][1] > s:  # overlaps the mark before
            continue
        starts.insert(i, s)
        kept.insert(i, sp)
    return kept, outer


def _first_ending_after(spans: list[Span], a: int) -> int:
    """Index of the first span ending after `a` (spans sorted, non-overlapping)."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= a:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _marked(text: str, spans: list[Span], a: int, b: int) -> str:
    """text[a:b] as HTML, the spans that reach into it marked (a span cut by a table cell or a
    property is marked in each piece; its number and id go with the piece where it starts)."""
    parts: list[str] = []
    pos = a
    i = _first_ending_after(spans, a)
    while i < len(spans):
        s, e, n, f = spans[i]
        i += 1
        if s >= b:
            break
        lo, hi = max(s, a), min(e, b)
        parts.append(html.escape(text[pos:lo]))
        first = s >= a
        parts.append(
            f'<mark class="hl sev-{html.escape(f["severity"])}"'
            + (f' id="hl-{f["id"]}"' if first else "")
            + f' data-finding="{f["id"]}" data-category="{html.escape(f["category"])}"'
            f' title="{html.escape(f["message"])}">'
            + (f'<sup class="hl-n">{n}</sup>' if first else "")
            + f"{html.escape(text[lo:hi])}</mark>"
        )
        pos = hi
    parts.append(html.escape(text[pos:b]))
    return "".join(parts)


def _property_label(field: str) -> str:
    from pubguard.detectors.hidden_content import PERSON_FIELD_LABELS

    key = field.lower()
    if key.startswith("custom:"):
        return f"自定义属性「{field[7:]}」"
    return PERSON_FIELD_LABELS.get(key) or PROPERTY_LABELS.get(key) or field


def highlighted_text(
    text: str, findings: Sequence[Mapping[str, Any]], blocks: list[list[Any]] | None = None
) -> str:
    """The document text as HTML with each located finding wrapped in a <mark>. With the
    layout's `blocks` (DOCX, XLSX …): table cells as HTML tables, each sheet under its name, and
    the document properties in their own panel instead of the running text."""
    if not blocks:
        return _marked(text, _spans(text, findings), 0, len(text))
    spans, outer = _inner_spans(text, findings)
    body: list[str] = []
    props: list[str] = []
    pos = 0

    def running(a: int, b: int) -> None:
        chunk = text[a:b]
        lo, hi = a + (len(chunk) - len(chunk.lstrip("\n"))), b - (len(chunk) - len(chunk.rstrip("\n")))
        if hi > lo:
            body.append(f'<div class="tv-text">{_marked(text, spans, lo, hi)}</div>')

    items = sorted(blocks, key=lambda x: x[0])
    i = 0
    while i < len(items):
        item = items[i]
        start, end, kind = item[0], item[1], item[2]
        if start < pos:
            i += 1
            continue
        running(pos, start)
        if kind == "meta":
            props.append(
                f"<dt>{html.escape(_property_label(str(item[3])))}</dt><dd>{_marked(text, spans, start, end)}</dd>"
            )
            pos, i = end, i + 1
            continue
        if kind == "sheet":
            body.append(f'<h3 class="tv-sheet">工作表：{_marked(text, spans, start, end)}</h3>')
            pos, i = end, i + 1
            continue
        # a run of cells of one table, with nothing but line breaks between them
        table = item[3]
        cells: dict[int, dict[int, list[str]]] = {}
        last = end
        while (
            i < len(items)
            and items[i][2] == "cell"
            and items[i][3] == table
            and not text[last : items[i][0]].strip()
        ):
            s0, e0, _k, _t, row, col = items[i]
            cells.setdefault(int(row), {}).setdefault(int(col), []).append(_marked(text, spans, s0, e0))
            last = e0
            i += 1
        cols = sorted({c for r in cells.values() for c in r})
        rows = []
        for r in sorted(cells):
            tds = "".join(f"<td>{'<br>'.join(cells[r].get(c, []))}</td>" for c in cols)
            rows.append(f"<tr>{tds}</tr>")
        whole = [sp for sp in outer if sp[0] <= start + 1 and sp[1] >= last - 1]  # a roster over the table
        attrs = ""
        if whole:
            s0, _e, n, f = whole[0]
            attrs = (
                f' data-finding="{f["id"]}" id="hl-{f["id"]}" title="{n}. {html.escape(f["message"])}"'
                f' data-category="{html.escape(f["category"])}"'
            )
        cls = (
            f"tv-table-wrap hl-table sev-{html.escape(whole[0][3]['severity'])}" if whole else "tv-table-wrap"
        )
        tag = f'<span class="hl-n">{whole[0][2]}</span>' if whole else ""
        body.append(f'<div class="{cls}"{attrs}>{tag}<table class="tv-table">{"".join(rows)}</table></div>')
        pos = last
    running(pos, len(text))
    out = "".join(body)
    if props:
        out = (
            '<aside class="tv-props" aria-label="文档属性"><h3>文档属性 <small class="muted">'
            "（文件中保存的属性，发布前一般应清除；人名已遮盖）</small></h3>"
            f"<dl>{''.join(props)}</dl></aside>" + out
        )
    return out


def text_diff(a: str, b: str, a_label: str, b_label: str, context: int = 3) -> dict[str, Any]:
    """Line diff between two versions' texts: unified text plus rows for the HTML view."""
    a_lines, b_lines = a.splitlines(), b.splitlines()
    unified = "\n".join(
        difflib.unified_diff(a_lines, b_lines, fromfile=a_label, tofile=b_label, n=context, lineterm="")
    )
    rows: list[dict[str, Any]] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        rows.append({"kind": "hunk", "text": f"第 {group[0][1] + 1} 行起 / 第 {group[0][3] + 1} 行起"})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    {"kind": "same", "a": i + 1, "b": j1 + k + 1, "text": a_lines[i]}
                    for k, i in enumerate(range(i1, i2))
                ]
                continue
            for i in range(i1, i2):
                rows.append({"kind": "del", "a": i + 1, "b": None, "text": a_lines[i]})
                removed += 1
            for j in range(j1, j2):
                rows.append({"kind": "add", "a": None, "b": j + 1, "text": b_lines[j]})
                added += 1
    return {"unified": unified, "rows": rows, "added": added, "removed": removed}
