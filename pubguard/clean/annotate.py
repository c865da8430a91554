"""Findings back into the draft, the way proofreaders already work: every finding becomes a Word
comment (批注) anchored at exactly the matched characters, which are highlighted; in a PDF a
highlight plus a note annotation. Comment texts carry the message, suggestion and basis with the
detectors' masked evidence only.

Word can anchor a comment only on whole runs, so runs are split at the match boundaries first
(on the traced XML, see `trace_docx`); python-docx (`Document.add_comment`) then writes the
comments part and the range marks."""

from __future__ import annotations

import bisect
import copy
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pubguard.clean.common import text_range
from pubguard.config import ScanConfig
from pubguard.details import HiddenContentDetails, SealDetails, SignatureDetails
from pubguard.document import BlockKind, Document
from pubguard.errors import CorruptFile, UnsupportedFormat
from pubguard.extract.docx import DocxTrace, trace_docx, w
from pubguard.extract.sniff import sniff_format
from pubguard.finding import SEVERITY_LABELS, Finding
from pubguard.scan import scan_document

AUTHOR, INITIALS = "PubGuard", "PG"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MAX_HIGHLIGHT = 300  # a whole roster is commented, not painted yellow
NOT_ANCHORABLE = (BlockKind.COMMENT, BlockKind.METADATA)


@dataclass
class AnnotateResult:
    data: bytes
    format: str
    findings: list[Finding] = field(default_factory=list)
    annotated: int = 0  # comments / notes written (one per finding)


def comment_text(f: Finding) -> str:
    parts = [f"[{SEVERITY_LABELS.get(f.severity, str(f.severity))}] {f.message}"]
    if f.evidence:
        parts.append(f"证据：{f.evidence}")
    if f.suggestion:
        parts.append(f"建议：{f.suggestion}")
    if f.basis:
        parts.append(f"依据：{f.basis}")
    return "\n".join(parts)


def annotate_bytes(data: bytes, name: str, config: ScanConfig | None = None) -> AnnotateResult:
    """Scan and return the draft with the findings inside (DOCX -> DOCX, PDF -> PDF)."""
    config = config or ScanConfig()
    fmt = sniff_format(data, name)
    if fmt == "docx":
        return annotate_docx(data, name, config)
    if fmt == "pdf":
        return annotate_pdf(data, name, config)
    raise UnsupportedFormat(f"批注稿只支持 Word（.docx）和 PDF 文件，当前文件为 {fmt} 格式。")


# -- DOCX ---------------------------------------------------------------------------------------
class _Splitter:
    """Text pieces of the main part, kept sorted by offset while runs are split."""

    def __init__(self, doc: Document, trace: DocxTrace, part: str) -> None:
        items = []
        for bi, off, n, el, p in trace.pieces:
            if p == part and bi < len(doc.blocks) and doc.blocks[bi].kind not in NOT_ANCHORABLE:
                items.append([doc.blocks[bi].start + off, n, el])
        items.sort(key=lambda it: it[0])
        self.items = items
        self.starts = [it[0] for it in items]

    def _find(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and self.items[i][0] <= pos < self.items[i][0] + self.items[i][1]:
            return i
        return None

    def boundary(self, pos: int) -> None:
        """Make `pos` a run boundary."""
        i = self._find(pos)
        if i is None:
            return
        start, n, el = self.items[i]
        if pos == start:
            _split_before(el)
            return
        if el.tag not in (w("t"), w("delText")):
            return
        k = pos - start
        text = el.text or ""
        tail = etree.Element(el.tag)
        tail.text = text[k:]
        el.text = text[:k]
        for t in (el, tail):
            t.set(XML_SPACE, "preserve")
        el.addnext(tail)
        self.items[i] = [start, k, el]
        self.items.insert(i + 1, [pos, n - k, tail])
        self.starts.insert(i + 1, pos)
        _split_before(tail)

    def runs(self, s: int, e: int) -> list[etree._Element]:
        out: list[etree._Element] = []
        i = max(bisect.bisect_right(self.starts, s) - 1, 0)
        while i < len(self.items) and self.items[i][0] < e:
            start, n, el = self.items[i]
            if start >= s and start + n <= e:
                r = el.getparent()
                if r is not None and r.tag == w("r") and (not out or out[-1] is not r):
                    out.append(r)
            i += 1
        return out


def _split_before(el: etree._Element) -> None:
    """Move `el` and everything after it in its run into a new run with the same properties."""
    run = el.getparent()
    if run is None or run.tag != w("r"):
        return
    content = [c for c in run if c.tag != w("rPr")]
    if not content or content[0] is el:
        return
    new = etree.Element(w("r"), attrib=dict(run.attrib))
    rpr = run.find(w("rPr"))
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    moving = False
    for child in list(run):
        if child is el:
            moving = True
        if moving:
            new.append(child)
    run.addnext(new)


@dataclass
class _Anchor:
    finding: Finding
    runs: list[etree._Element]
    highlight: bool


def annotate_docx(data: bytes, name: str, config: ScanConfig) -> AnnotateResult:
    import docx
    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    doc, trace = trace_docx(data, name, config)
    findings = scan_document(doc, config, name).findings
    main = next(iter(trace.parts), "word/document.xml")
    root = trace.parts.get(main)
    if root is None:
        raise CorruptFile("文件已损坏：缺少 Word 正文部件。")
    split = _Splitter(doc, trace, main)
    ranges: list[tuple[Finding, tuple[int, int] | None, bool]] = []
    for f in findings:
        rng, exact = _finding_range(doc, f)
        if rng is not None:
            split.boundary(rng[0])
            split.boundary(rng[1])
        ranges.append((f, rng, exact))
    anchors: list[_Anchor] = []
    for f, rng, exact in ranges:
        runs = split.runs(*rng) if rng is not None else []
        highlight = exact and bool(runs) and rng is not None and rng[1] - rng[0] <= MAX_HIGHLIGHT
        if not runs:
            runs = _paragraph_runs(trace, main, f, doc) or _first_runs(root)
        anchors.append(_Anchor(f, runs, highlight))
    # python-docx works on its own parse of the bytes: find our runs again by their position.
    order = {r: i for i, r in enumerate(root.iter(w("r")))}
    marks = [([order[r] for r in a.runs if r in order], a) for a in anchors]
    package = _replace_part(
        data, main, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    )
    try:
        document = docx.Document(io.BytesIO(package))
    except Exception as exc:
        raise CorruptFile(
            f"python-docx 无法打开该 Word 文件（{type(exc).__name__}），不能生成批注稿。"
        ) from exc
    body = document.element
    all_runs = list(body.iter(w("r")))
    count = 0
    for idx, anchor in marks:
        elems = [all_runs[i] for i in idx if i < len(all_runs)]
        if not elems:
            elems = [_ensure_run(document)]
        runs = [Run(r, Paragraph(_para(r), document._body)) for r in elems]
        if anchor.highlight:
            for run in runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        document.add_comment(
            [runs[0], runs[-1]], text=comment_text(anchor.finding), author=AUTHOR, initials=INITIALS
        )
        _out_of_revision(runs[-1]._r)
        count += 1
    out = io.BytesIO()
    document.save(out)
    return AnnotateResult(out.getvalue(), "docx", findings, count)


def _out_of_revision(last: Any) -> None:
    """python-docx puts the range end and the reference run right after the last run; inside a
    tracked deletion/insertion that would make the comment itself part of the revision."""
    parent = last.getparent()
    if parent is None or parent.tag not in (w("del"), w("ins"), w("moveFrom"), w("moveTo")):
        return
    end = last.getnext()
    ref = end.getnext() if end is not None else None
    anchor = parent
    for el in (end, ref):
        if el is not None and el.tag in (w("commentRangeEnd"), w("r")):
            anchor.addnext(el)
            anchor = el


def _finding_range(doc: Document, f: Finding) -> tuple[tuple[int, int] | None, bool]:
    """The text a comment covers: the match itself, or the passage a Word comment is anchored
    to (findings about that comment)."""
    rng = text_range(f)
    if rng is not None:
        block = doc.block_at(rng[0])
        if block is not None and block.kind not in NOT_ANCHORABLE:
            return rng, True
    anchor = f.details.anchor if isinstance(f.details, HiddenContentDetails) else None
    if anchor is not None and anchor[1] > anchor[0]:
        return anchor, False
    return None, False


def _paragraph_runs(trace: DocxTrace, main: str, f: Finding, doc: Document) -> list[etree._Element]:
    pid = f.details.paragraph if isinstance(f.details, (SealDetails, SignatureDetails)) else None
    if pid is None:
        rng = text_range(f)
        block = doc.block_at(rng[0]) if rng else None
        pid = block.paragraph if block is not None and block.kind not in NOT_ANCHORABLE else None
    if pid is None or pid not in trace.paragraphs:
        return []
    part, p = trace.paragraphs[pid]
    if part != main:
        return []
    return [r for r in p.iter(w("r")) if _para_of(r) is p]


def _para_of(r: etree._Element) -> etree._Element | None:
    for anc in r.iterancestors(w("p")):
        return anc
    return None


def _first_runs(root: etree._Element) -> list[etree._Element]:
    body = root.find(w("body"))
    if body is None:
        return []
    for p in body.iter(w("p")):
        runs = [r for r in p.iter(w("r")) if _para_of(r) is p and r.find(w("t")) is not None]
        if runs:
            return runs[:1]
    return []


def _para(r: Any) -> Any:
    for anc in r.iterancestors(w("p")):
        return anc
    return r.getparent()


def _ensure_run(document: Any) -> Any:
    """A document without a single run: add one to the first paragraph to hold the comment."""
    paragraphs = document.paragraphs
    p = paragraphs[0] if paragraphs else document.add_paragraph()
    return p.add_run("")._r


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, content if info.filename == name else zin.read(info.filename))
    return out.getvalue()


# -- PDF ----------------------------------------------------------------------------------------
def annotate_pdf(data: bytes, name: str, config: ScanConfig) -> AnnotateResult:
    from pubguard.clean.pdf import PdfText, open_pdf
    from pubguard.scan import scan_bytes

    result = scan_bytes(data, name, config, keep_document=True)
    if result.status != "ok" or result.document is None:
        raise CorruptFile(result.error or "PDF 文件无法读取，不能生成批注稿。")
    doc = result.document
    pdf = open_pdf(data)
    text = PdfText(pdf, doc)
    m = text.m
    loose = 0
    count = 0
    for f in result.findings:
        content = comment_text(f)
        by_page: dict[int, list[Any]] = {}
        rng = text_range(f)
        if rng is not None:
            for ch in text.chars(*rng):
                if ch.char.strip():
                    by_page.setdefault(ch.page, []).append(ch.rect)
        if not by_page and f.location.page and f.location.bbox and f.location.page <= pdf.page_count:
            by_page[f.location.page] = [text.derotate(f.location.page, f.location.bbox)]
        if not by_page:  # metadata, attachments, scripts: a note in the top margin of page 1
            page = pdf[(f.location.page or 1) - 1 if (f.location.page or 1) <= pdf.page_count else 0]
            _note(page, m.Point(12, 14 + 18 * loose), content, f)
            loose += 1
            count += 1
            continue
        first = True
        for number, rects in sorted(by_page.items()):
            page = pdf[number - 1]
            lines = _merge_lines(m, rects)
            annot = page.add_highlight_annot([r.quad for r in lines])
            annot.set_colors(stroke=(1, 0.93, 0.2))
            annot.set_info(title=AUTHOR, subject=f"{f.category}/{f.rule}", content=content)
            annot.update()
            if first:
                top = lines[0]
                x = min(top.x1 + 2, page.rect.width - 22)
                _note(page, m.Point(x, max(top.y0 - 2, 2)), content, f)
                first = False
        count += 1
    return AnnotateResult(pdf.tobytes(garbage=3, deflate=True), "pdf", result.findings, count)


def _note(page: Any, point: Any, content: str, f: Finding) -> None:
    annot = page.add_text_annot(point, content, icon="Comment")
    annot.set_info(title=AUTHOR, subject=f"{f.category}/{f.rule}", content=content)
    annot.update()


def _merge_lines(m: Any, rects: list[Any]) -> list[Any]:
    """Character boxes -> one box per line (highlight quads)."""
    out: list[Any] = []
    for r in rects:
        if out and abs(out[-1].y0 - r.y0) < 0.5 * max(r.height, 1) and r.x0 <= out[-1].x1 + r.width * 1.5:
            out[-1] = out[-1] | r
        else:
            out.append(m.Rect(r))
    return out


__all__ = ["annotate_bytes", "annotate_docx", "annotate_pdf", "comment_text", "AnnotateResult"]
