"""What reviewers look at: page images (PNG, rendered once per stored file and cached on disk),
the text view with findings highlighted (formats without fixed layout, e.g. DOCX), and the text
diff between two versions.

Everything is keyed by the file's sha256: stored versions never change, so the cache never
goes stale. Extraction here runs without OCR (the scan already did it); it is only for layout
and text."""

from __future__ import annotations

import dataclasses
import difflib
import html
import io
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pubguard.config import ScanConfig

MAX_IMAGE_SIDE = 1600  # px: scans are shown scaled; boxes are placed in percent
LAYOUT_VERSION = "m1"  # m1: the cached text has personal values masked


def masked_text(doc: Any, config: ScanConfig) -> str:
    """The document text with every personal value the `personal_data` detector finds masked
    in place, length kept (so finding offsets still point at the right characters): the text
    view, the version diff and the DOCX draft view — and the cache they are read from — never
    hold a full ID number, mobile or bank card. The managed original stays in the file store."""
    from pubguard.detectors import ScanContext, detectors_for

    text = doc.text
    chars = list(text)
    try:
        found = [
            f for det in detectors_for({"personal_data"}) for f in det.detect(doc, ScanContext(config=config))
        ]
    except Exception:  # never show unmasked text because the detector failed: mask all digits
        return "".join("*" if ch.isdigit() else ch for ch in text)
    for f in found:
        locs = f.locations if f.count > 1 else [f.location]
        for loc in locs:
            s, e = loc.start, loc.end
            if s is None or e is None or not (0 <= s < e <= len(text)) or getattr(loc, "member", None):
                continue
            keep = 4 if e - s > 6 else 1
            for i in range(s, e - keep):
                if not chars[i].isspace():
                    chars[i] = "*"
    return "".join(chars)


class DocumentViews:
    def __init__(self, cache_dir: Path, scan_config: ScanConfig, dpi: int = 110, max_pages: int = 60):
        self.cache_dir = Path(cache_dir)
        self.config = dataclasses.replace(scan_config, ocr=False)
        self.dpi = dpi
        self.max_pages = max_pages
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, sha: str) -> threading.Lock:
        with self._guard:
            if len(self._locks) > 1000:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(sha, threading.Lock())

    def _dir(self, sha: str) -> Path:
        return self.cache_dir / sha[:2] / sha

    def layout(self, sha: str, filename: str, load: Callable[[], bytes]) -> dict[str, Any]:
        """`{format, pages: [{number, width, height, unit, image}], text, error}`; page images
        are rendered in the same pass (bounded by `max_pages`)."""
        meta_path = self._dir(sha) / f"layout-{LAYOUT_VERSION}-{self.dpi}.json"
        (self._dir(sha) / f"layout-{self.dpi}.json").unlink(missing_ok=True)  # old, unmasked text
        if meta_path.is_file():
            return json.loads(meta_path.read_text(encoding="utf-8"))
        with self._lock(sha):
            if meta_path.is_file():
                return json.loads(meta_path.read_text(encoding="utf-8"))
            meta = self._build(sha, filename, load())
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = meta_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            tmp.replace(meta_path)
            return meta

    def _build(self, sha: str, filename: str, data: bytes) -> dict[str, Any]:
        from pubguard.errors import PubGuardError
        from pubguard.extract import extract

        try:
            doc = extract(data, filename, self.config)
        except PubGuardError as exc:
            return {"format": None, "pages": [], "text": "", "error": exc.message}
        except Exception as exc:  # a broken file must still show its page with the error
            return {
                "format": None,
                "pages": [],
                "text": "",
                "error": f"无法读取文件（{type(exc).__name__}）。",
            }
        pages = []
        for page in doc.pages:
            image = None
            if page.renderer is not None and page.number <= self.max_pages:
                try:
                    img = page.render(self.dpi).convert("RGB")
                    if max(img.size) > MAX_IMAGE_SIDE:
                        img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
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
                }
            )
        return {"format": doc.format, "pages": pages, "text": masked_text(doc, self.config), "error": None}

    def page_png(self, sha: str, filename: str, load: Callable[[], bytes], number: int) -> bytes | None:
        meta = self.layout(sha, filename, load)
        page = next((p for p in meta["pages"] if p["number"] == number), None)
        if page is None or page["image"] is None:
            return None
        path = self._dir(sha) / f"p{number}-{self.dpi}.png"
        try:
            return path.read_bytes()
        except FileNotFoundError:  # cache cleaned under us: rebuild once
            (self._dir(sha) / f"layout-{LAYOUT_VERSION}-{self.dpi}.json").unlink(missing_ok=True)
            self.layout(sha, filename, load)
            return path.read_bytes() if path.is_file() else None


def boxes_for_page(page: dict[str, Any], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings located on `page` with their bbox as percentages of the page (for overlays)."""
    out = []
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


def highlighted_text(text: str, findings: list[dict[str, Any]]) -> str:
    """The document text as HTML with each located finding wrapped in a <mark>."""
    spans = []
    for n, f in enumerate(findings, 1):
        loc = f.get("location") or {}
        s, e = loc.get("start"), loc.get("end")
        if f.get("status") == "fixed" or s is None or e is None or not (0 <= s < e <= len(text)):
            continue
        if loc.get("member"):  # offsets into an archive member's text, not this one
            continue
        spans.append((s, e, n, f))
    spans.sort(key=lambda t: (t[0], -t[1]))
    parts: list[str] = []
    pos = 0
    for s, e, n, f in spans:
        if s < pos:  # overlaps an earlier mark: the list beside the text still shows it
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(
            f'<mark class="hl sev-{html.escape(f["severity"])}" id="hl-{f["id"]}" data-finding="{f["id"]}" '
            f'data-category="{html.escape(f["category"])}" title="{html.escape(f["message"])}">'
            f'<sup class="hl-n">{n}</sup>{html.escape(text[s:e])}</mark>'
        )
        pos = e
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


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
