"""Clean copy of a Word file: edit the WordprocessingML in place, so formatting, tables and
pictures that are fine stay exactly as the drafter made them.

The document is read with `trace_docx`, which keeps for every character of `Document.text` the
XML element it came from. Findings point at text offsets, so masking replaces characters inside
the very `w:t` elements that hold the match (also when it spans several runs), and deletions cut
exactly the flagged characters. Everything the page does not show but the file still carries —
comments, tracked changes, hidden runs, document properties, macros — is removed from the
package. The result is re-scanned by the caller.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from posixpath import basename, dirname, join, normpath

from lxml import etree

from pubguard.clean.common import (
    LEAK_RULES,
    MARK_RULES,
    block_where,
    masked_targets,
    squash,
    text_range,
)
from pubguard.clean.options import DROP_COLUMN_RULES, MASK_KINDS, CleanOptions, mask_chars
from pubguard.clean.report import CleanAction
from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, is_red, is_white, rgb_from_hex
from pubguard.errors import CorruptFile
from pubguard.extract.docx import (
    DCTERMS,
    EP,
    MC,
    PKG_REL,
    DocxTrace,
    R,
    V,
    W,
    trace_docx,
    w,
)
from pubguard.finding import Finding
from pubguard.lexicon.fold import HALF_TO_FULL as FULL_WIDTH
from pubguard.masking import MaskingConfig
from pubguard.scan import FileResult, scan_document
from pubguard.targets import RedHeaderTarget
from pubguard.thresholds import DEFAULT as DEFAULT_THRESHOLDS

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# First visible paragraphs of the 版头 zone (份号, marks): the red_header detector's zone.
HEADER_ZONE = DEFAULT_THRESHOLDS.red_header.docx_mark_paragraphs
MAX_MARK_LINE = 40
COMMENT_REL_TYPES = ("comments", "commentsExtended", "commentsIds", "commentsExtensible", "people")
PROPERTY_CHANGES = (
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "tblPrExChange",
    "numberingChange",
)
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_FENHAO = re.compile(r"^(?:份号[:：]?)?[0-9]{6}$")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_pis=False)


def prepare_docx(data: bytes, name: str, config: ScanConfig) -> tuple[FileResult, DocxTrace]:
    """Scan through the traced reader, so finding offsets and XML back-references agree."""
    doc, trace = trace_docx(data, name, config)
    result = scan_document(doc, config, name)
    result.document = doc
    return result, trace  # errors are turned into a FileResult by the caller


def clean_docx(
    data: bytes,
    name: str,
    config: ScanConfig,
    options: CleanOptions,
    masking: MaskingConfig,
    result: FileResult | None = None,
    trace: DocxTrace | None = None,
) -> tuple[bytes, list[CleanAction]]:
    """One clean pass: returns the new file and what was changed."""
    if result is None or trace is None or result.document is None:
        result, trace = prepare_docx(data, name, config)
    assert result.document is not None
    cleaner = _DocxCleaner(data, result.document, trace, options, masking)
    return cleaner.run(result.findings), cleaner.actions


# -- small XML helpers ------------------------------------------------------------------------
def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    idx = parent.index(el)
    for child in list(el):
        parent.insert(idx, child)
        idx += 1
    parent.remove(el)


def _ancestor(el: etree._Element, tag: str) -> etree._Element | None:
    for anc in el.iterancestors(tag):
        return anc
    return None


def _run_child(el: etree._Element) -> etree._Element:
    """The direct child of the enclosing w:r (w:drawing, w:pict, mc:AlternateContent ...)."""
    node = el
    for anc in el.iterancestors():
        if anc.tag == w("r"):
            return node
        node = anc
    return el


def _has_text(p: etree._Element) -> bool:
    return any((t.text or "").strip() for t in p.iter(w("t"), w("delText")))


def _has_content(p: etree._Element) -> bool:
    if _has_text(p):
        return True
    return any(True for _ in p.iter(w("drawing"), w("pict"), w("object"), w("tab"), w("sym")))


def _clear_paragraph(p: etree._Element) -> None:
    for child in list(p):
        if child.tag != w("pPr"):
            p.remove(child)


def _drop_paragraph(p: etree._Element) -> None:
    """Remove a paragraph; where the schema needs a last paragraph (cell, text box, note) or it
    carries the section properties, empty it instead."""
    parent = p.getparent()
    if parent is None:
        return
    if p.find(f"{w('pPr')}/{w('sectPr')}") is not None:
        _clear_paragraph(p)
        return
    blocks = [c for c in parent if c.tag in (w("p"), w("tbl"), w("sdt"))]
    if parent.tag != w("body") and blocks and blocks[-1] is p:
        _clear_paragraph(p)
        return
    parent.remove(p)


def _color_of(value: str | None) -> tuple[int, int, int] | None:
    if not value:
        return None
    value = value.strip().split()[0]
    if value.lower() == "red":
        return (255, 0, 0)
    return rgb_from_hex(value)


def _red_graphic(el: etree._Element) -> bool:
    """A drawing that is a red shape/line/WordArt, not a picture and not a text box with text."""
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        q = etree.QName(node)
        if q.localname in ("blip", "imagedata"):
            return False
        if q.localname == "txbxContent" and _has_text(node):
            return False
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        q = etree.QName(node)
        if q.namespace == A and q.localname == "srgbClr":
            col = rgb_from_hex(node.get("val"))
            if col is not None and is_red(col):
                return True
        if q.namespace == V:
            for attr in ("strokecolor", "fillcolor", "color"):
                col = _color_of(node.get(attr))
                if col is not None and is_red(col):
                    return True
    return False


def _blip_ids(el: etree._Element) -> set[str]:
    out: set[str] = set()
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        q = etree.QName(node)
        if q.localname == "blip":
            out.update(v for v in (node.get(f"{{{R}}}embed"), node.get(f"{{{R}}}link")) if v)
        elif q.localname == "imagedata":
            out.update(v for v in (node.get(f"{{{R}}}id"), node.get(f"{{{R}}}pict")) if v)
    return out


def _set_black(r: etree._Element) -> None:
    rpr = r.find(w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(r, w("rPr"))
        r.remove(rpr)
        r.insert(0, rpr)
    color = rpr.find(w("color"))
    if color is None:
        color = etree.SubElement(rpr, w("color"))
        _order_rpr(rpr)
    for attr in list(color.attrib):
        del color.attrib[attr]
    color.set(w("val"), "000000")


# w:rPr children in schema order (CT_RPr); unknown ones keep their place at the end.
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]  # fmt: skip


def _order_rpr(rpr: etree._Element) -> None:
    rank = {name: i for i, name in enumerate(_RPR_ORDER)}
    children = [c for c in rpr if isinstance(c.tag, str)]
    children.sort(key=lambda c: rank.get(_local(c), len(rank)))
    for c in children:
        rpr.remove(c)
        rpr.append(c)


# -- text edits -------------------------------------------------------------------------------
class _TextEdits:
    """Character edits collected per element and applied at once, so offsets stay valid while
    findings are processed."""

    def __init__(self) -> None:
        self.chars: dict[etree._Element, list[str]] = {}
        self.deleted: dict[etree._Element, set[int]] = {}
        self.drop_elements: set[etree._Element] = set()

    def _chars(self, el: etree._Element) -> list[str]:
        if el not in self.chars:
            self.chars[el] = list(el.text or "")
        return self.chars[el]

    def replace(self, el: etree._Element, i: int, ch: str) -> None:
        chars = self._chars(el)
        if 0 <= i < len(chars):
            chars[i] = ch

    def delete(self, el: etree._Element, lo: int, hi: int) -> None:
        if el.tag in (w("t"), w("delText")):
            self._chars(el)
            self.deleted.setdefault(el, set()).update(range(lo, hi))
        else:  # a tab, break or symbol standing for one character
            self.drop_elements.add(el)

    def touched(self) -> set[etree._Element]:
        return set(self.chars) | self.drop_elements

    def apply(self) -> None:
        for el, chars in self.chars.items():
            gone = self.deleted.get(el, set())
            el.text = "".join(c for i, c in enumerate(chars) if i not in gone)
            el.set(XML_SPACE, "preserve")
        for el in self.drop_elements:
            _remove(el)


@dataclass
class _Piece:
    start: int  # offset in doc.text
    length: int
    el: etree._Element
    part: str
    block: int


@dataclass
class _Package:
    """The zip package: original entries, parts to replace, parts to drop."""

    data: bytes
    zf: zipfile.ZipFile = field(init=False)
    replaced: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    xml_cache: dict[str, etree._Element] = field(default_factory=dict)
    dirty_xml: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(self.data))
        except zipfile.BadZipFile as exc:
            raise CorruptFile("文件已损坏：Word 文档的压缩包结构无法读取。") from exc
        self.names = [i.filename for i in self.zf.infolist()]

    def exists(self, name: str) -> bool:
        return name in self.names and name not in self.removed

    def xml(self, name: str) -> etree._Element | None:
        if name in self.xml_cache:
            return self.xml_cache[name]
        if not self.exists(name):
            return None
        raw = self.zf.read(name)
        if b"<!ENTITY" in raw:
            return None
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError:
            return None
        self.xml_cache[name] = root
        return root

    def touch(self, name: str) -> None:
        self.dirty_xml.add(name)

    def remove(self, name: str) -> None:
        self.removed.add(name)

    def read(self, name: str) -> bytes:
        if name in self.replaced:
            return self.replaced[name]
        if name in self.dirty_xml and name in self.xml_cache:
            return _serialise(self.xml_cache[name])
        return self.zf.read(name)

    def build(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in self.zf.infolist():
                if info.filename in self.removed:
                    continue
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zi, self.read(info.filename))
        return out.getvalue()


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    return join(dirname(part), "_rels", basename(part) + ".rels")


def _rel_target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return normpath(join(dirname(source), target))


class _DocxCleaner:
    def __init__(
        self, data: bytes, doc: Document, trace: DocxTrace, options: CleanOptions, masking: MaskingConfig
    ) -> None:
        self.doc = doc
        self.trace = trace
        self.options = options
        self.masking = masking
        self.pkg = _Package(data)
        self.edits = _TextEdits()
        self.actions: list[CleanAction] = []
        self.pieces = sorted(
            (
                _Piece(doc.blocks[bi].start + off, n, el, part, bi)
                for bi, off, n, el, part in trace.pieces
                if bi < len(doc.blocks)
            ),
            key=lambda p: p.start,
        )
        self._starts = [p.start for p in self.pieces]
        self.dirty_parts: set[str] = set()
        self.replacements: dict[str, str] = {}  # raw personal value -> its mask (for the sweep)
        self.drop_paragraphs: list[etree._Element] = []
        self.maybe_empty: list[etree._Element] = []
        self.remove_runs: set[etree._Element] = set()
        self.remove_graphics: set[etree._Element] = set()
        self.recolour: set[etree._Element] = set()
        main_paras = [
            pid
            for pid, (part, p) in sorted(trace.paragraphs.items())
            if part == self._main_part()
            and _ancestor(p, w("tbl")) is None
            and _ancestor(p, f"{{{W}}}txbxContent") is None
        ]
        self.ordinals = {pid: i + 1 for i, pid in enumerate(main_paras)}

    # -- entry ------------------------------------------------------------------------------
    def run(self, findings: list[Finding]) -> bytes:
        by_cat: dict[str, list[Finding]] = {}
        for f in findings:
            by_cat.setdefault(str(f.category), []).append(f)
        self.mask_personal(masked_targets(findings))
        for f in by_cat.get("leader_annotation", []):
            self.delete_range(f, "removed", "领导批示")
        for f in by_cat.get("classification_mark", []):
            if f.rule in MARK_RULES:
                self.remove_mark(f)
        hidden_rules = {f.rule for f in by_cat.get("hidden_content", [])}
        for f in by_cat.get("hidden_content", []):
            if f.rule == "white_text":
                self.remove_white(f)
            elif f.rule == "fake_redaction":
                self.delete_range(f, "removed", "被遮盖的文字")
        self.remove_hidden_runs()
        for f in by_cat.get("red_header", []):
            if f.rule == "red_header":
                self.remove_red_header(f, any(str(x.category) == "classification_mark" for x in findings))
        for f in by_cat.get("seal", []):
            self.remove_seal(f)
        if self.options.drop_columns:
            self.drop_columns([f for f in findings if str(f.category) == "personal_data"])
        for f in by_cat.get("proofreading", []):
            if f.rule == "mixed_punctuation":
                self.full_width_punctuation(f)
        # -- apply: characters first, then structure ------------------------------------------
        touched = self.edits.touched() | self.remove_runs | self.remove_graphics | set(self.drop_paragraphs)
        touched |= set(self.maybe_empty)
        self.drop_stale_fallbacks(touched)  # before removals: they need the ancestors
        self.edits.apply()
        for r in self.remove_runs:
            _remove(r)
        for g in self.remove_graphics:
            holder = _ancestor(g, w("p"))
            _remove(g)
            if holder is not None:
                self.maybe_empty.append(holder)
        for r in self.recolour:
            _set_black(r)
        for p in self.maybe_empty:
            if p.getparent() is not None and not _has_content(p):
                _drop_paragraph(p)
        for p in self.drop_paragraphs:
            _drop_paragraph(p)
        self.revisions()
        self.comments()
        if "embedded_file" in hidden_rules:
            self.embedded_objects()
        self.macros()
        self.properties(hidden_rules)
        self.settings()
        self.sweep()
        for part in self.trace.parts:
            if part in self.dirty_parts or part in self.trace.parts:
                self.pkg.xml_cache[part] = self.trace.parts[part]
                self.pkg.touch(part)
        self.garbage_collect()
        return self.pkg.build()

    # -- helpers ----------------------------------------------------------------------------
    def _main_part(self) -> str:
        return next(iter(self.trace.parts), "word/document.xml")

    def where(self, start: int | None) -> str:
        block = self.doc.block_at(start) if start is not None else None
        return block_where(self.doc, block, self.ordinals)

    def overlapping(self, s: int, e: int) -> Iterable[tuple[_Piece, int, int]]:
        import bisect

        i = max(bisect.bisect_right(self._starts, s) - 1, 0)
        while i < len(self.pieces) and self.pieces[i].start < e:
            p = self.pieces[i]
            lo, hi = max(s, p.start), min(e, p.start + p.length)
            if hi > lo:
                yield p, lo - p.start, hi - p.start
            i += 1

    def paragraph_of(self, el: etree._Element) -> etree._Element | None:
        return el if el.tag == w("p") else _ancestor(el, w("p"))

    def act(
        self, f: Finding | None, action: str, where: str, detail: str = "", count: int = 1, **kw: str
    ) -> None:
        self.actions.append(
            CleanAction(
                action=action,
                category=kw.get("category") or (str(f.category) if f else "hidden_content"),
                rule=kw.get("rule") or (f.rule if f else ""),
                where=where,
                detail=detail,
                count=count,
                fingerprint=f.fingerprint if f else None,
            )
        )

    # -- personal data ------------------------------------------------------------------------
    def mask_personal(self, findings: list[Finding]) -> None:
        for f in findings:
            s, e = text_range(f) or (0, 0)
            block = self.doc.block_at(s)
            if block is not None and block.kind in (BlockKind.COMMENT, BlockKind.METADATA):
                continue  # comments and properties are removed as a whole
            raw = self.doc.text[s:e]
            plan = mask_chars(raw, MASK_KINDS.get(f.rule, "default"), self.masking)
            if f.rule in LEAK_RULES and len(raw.strip()) >= 7:
                self.replacements[raw.strip()] = plan.masked.strip()
            hidden = set(plan.hidden)
            done = False
            for piece, lo, hi in self.overlapping(s, e):
                if piece.el.tag not in (w("t"), w("delText")):
                    continue
                for k in range(lo, hi):
                    i = piece.start + k - s
                    if i in hidden:
                        self.edits.replace(piece.el, k, plan.masked[i])
                        done = True
            if done:
                self.act(f, "masked", self.where(s), f"改为“{plan.masked.strip()}”")

    def drop_columns(self, findings: list[Finding]) -> None:
        cols: dict[int, set[int]] = {}
        for f in findings:
            if f.rule not in DROP_COLUMN_RULES or text_range(f) is None:
                continue
            block = self.doc.block_at(f.location.start or 0)
            if (
                block is None
                or block.kind != BlockKind.TABLE_CELL
                or block.table is None
                or block.col is None
            ):
                continue
            cols.setdefault(block.table, set()).add(block.col)
        for table, columns in cols.items():
            tbl = self.trace.tables.get(table)
            if tbl is None:
                continue
            headers = self._header_texts(table)
            for col in sorted(columns, reverse=True):
                if _grid_width(tbl) <= 1:
                    break
                _drop_grid_column(tbl, col)
                label = headers.get(col, "")
                self.act(
                    None,
                    "dropped_column",
                    f"表格{table + 1}第{col + 1}列" + (f"（{label}）" if label else ""),
                    "名单中的证件号、账号或电话整列删除",
                    category="personal_data",
                    rule="roster",
                )

    def _header_texts(self, table: int) -> dict[int, str]:
        out: dict[int, str] = {}
        for b in self.doc.blocks:
            if b.kind == BlockKind.TABLE_CELL and b.table == table and b.row == 0 and b.col is not None:
                out[b.col] = out.get(b.col, "") + b.text
        return {k: squash(v)[:12] for k, v in out.items()}

    # -- text removal -----------------------------------------------------------------------
    def delete_range(self, f: Finding, action: str, what: str) -> None:
        rng = text_range(f)
        if rng is None:
            return
        s, e = rng
        n = 0
        for piece, lo, hi in self.overlapping(s, e):
            self.edits.delete(piece.el, lo, hi)
            p = self.paragraph_of(piece.el)
            if p is not None:
                self.maybe_empty.append(p)
            n += 1
        if n:
            self.act(f, action, self.where(s), f"{what}“{f.evidence}”")

    def full_width_punctuation(self, f: Finding) -> None:
        """Each half-width mark the finding lists (its `locations`, else its `location`) becomes
        its full-width form in the run that holds it; other characters are never touched."""
        done = 0
        first: int | None = None
        for loc in f.locations or [f.location]:
            if loc.start is None or loc.end is None or loc.end != loc.start + 1:
                continue
            full = FULL_WIDTH.get(self.doc.text[loc.start : loc.end])
            if full is None:
                continue
            for piece, lo, _hi in self.overlapping(loc.start, loc.end):
                if piece.el.tag != w("t"):
                    continue
                self.edits.replace(piece.el, lo, full)
                done += 1
                first = loc.start if first is None else first
        if done:
            self.act(f, "replaced", self.where(first), "半角标点改为全角", count=done)

    def remove_mark(self, f: Finding) -> None:
        """A 密级/内部资料/紧急程度 line: the whole short line goes, a mark inside a longer line
        loses only its own characters."""
        rng = text_range(f)
        if rng is None:
            return
        s, e = rng
        paras = {}
        for piece, _lo, _hi in self.overlapping(s, e):
            p = self.paragraph_of(piece.el)
            if p is not None:
                paras[id(p)] = p
        short = [p for p in paras.values() if len(squash(_para_text(p))) <= MAX_MARK_LINE]
        if paras and len(short) == len(paras):
            self.drop_paragraphs.extend(paras.values())
            self.act(f, "removed", self.where(s), f"标识行“{f.evidence}”")
        else:
            self.delete_range(f, "removed", "标识")
        if (f.details or {}).get("fen_hao"):
            self.drop_fenhao(f)

    def drop_fenhao(self, f: Finding) -> None:
        """份号 (six digits at the top of page 1) goes with the 密级 it accompanies."""
        seen = sorted({b.paragraph for b in self.doc.visible_blocks() if b.text.strip() and b.paragraph >= 0})
        for pid in seen[:HEADER_ZONE]:
            text = squash("".join(b.text for b in self.doc.blocks if b.paragraph == pid))
            p = self._para(pid)
            if p is not None and _FENHAO.match(text) and p not in self.drop_paragraphs:
                self.drop_paragraphs.append(p)
                self.act(f, "removed", self.where_paragraph(pid), "份号")

    def remove_white(self, f: Finding) -> None:
        rng = text_range(f)
        if rng is None:
            return
        s, e = rng
        n = 0
        for piece, _lo, _hi in self.overlapping(s, e):
            block = self.doc.blocks[piece.block]
            if block.color is not None and is_white(block.color):
                r = _ancestor(piece.el, w("r"))
                if r is not None:
                    self.remove_runs.add(r)
                    n += 1
        if n:
            self.act(f, "removed", self.where(s), "白色文字")

    def remove_hidden_runs(self) -> None:
        """Every run hidden by w:vanish (directly or through styles), finding or not."""
        runs: dict[etree._Element, int] = {}
        for piece in self.pieces:
            block = self.doc.blocks[piece.block]
            if not block.hidden or block.kind in (BlockKind.COMMENT, BlockKind.METADATA):
                continue
            r = _ancestor(piece.el, w("r"))
            if r is not None:
                runs.setdefault(r, piece.start)
        if not runs:
            return
        self.remove_runs.update(runs)
        for r in runs:
            p = _ancestor(r, w("p"))
            if p is not None:
                self.maybe_empty.append(p)
        first = min(runs.values())
        self.act(None, "removed", self.where(first), "隐藏文字", count=len(runs), rule="hidden_text")

    # -- 版头 ---------------------------------------------------------------------------------
    def remove_red_header(self, f: Finding, has_marks: bool) -> None:
        doc = self.doc
        zone_kinds = (BlockKind.BODY, BlockKind.TEXT_BOX, BlockKind.TABLE_CELL)
        paras: dict[int, list] = {}
        for b in doc.visible_blocks():
            if b.text.strip() and b.paragraph >= 0 and b.kind in zone_kinds:
                paras.setdefault(b.paragraph, []).append(b)
        header_paras: dict[int, list] = {}
        for b in doc.visible_blocks():
            if b.text.strip() and b.paragraph >= 0 and b.kind == BlockKind.HEADER:
                header_paras.setdefault(b.paragraph, []).append(b)
        order = sorted(paras)
        # The paragraphs the red_header detector judged (its typed target): no detection here.
        target = f.target if isinstance(f.target, RedHeaderTarget) else RedHeaderTarget()
        organ = [pid for pid in target.organ_paragraphs if pid in paras or pid in header_paras]
        number = target.number_paragraph if target.number_paragraph in paras else None
        anchors = organ + ([number] if number is not None else [])
        if not anchors:
            return
        last = max(anchors)
        after = [pid for pid in order if pid > last]
        title = after[0] if after else None
        limit = (title - 1) if title is not None else last + 2
        first = order[0] if order else 0
        where = "首页版头"
        for pid in organ:
            p = self._para(pid)
            if p is None:
                continue
            text = squash("".join(b.text for b in (paras.get(pid) or header_paras.get(pid, []))))
            if self.options.keep_header_text:
                self.recolour.update(p.iter(w("r")))
                self.act(f, "recoloured", where, f"发文机关标志“{text}”")
            else:
                self.drop_paragraphs.append(p)
                self.act(f, "removed", where, f"红色发文机关标志“{text}”")
        # The 发文字号 line is part of the 版头 the suggestion says to remove (kept as black text
        # only with keep_header_text); the 标题 stays, as plain black text.
        kept_lines = [title]
        p = self._para(number)
        if number is not None and p is not None:
            if self.options.keep_header_text:
                kept_lines.insert(0, number)
            elif p not in self.drop_paragraphs:
                self.drop_paragraphs.append(p)
                text = squash("".join(b.text for b in paras[number]))
                self.act(f, "removed", where, f"发文字号“{text}”")
        for kept in kept_lines:
            p = self._para(kept) if kept is not None else None
            if p is None or kept is None:
                continue
            if any(b.is_red for b in paras.get(kept, [])):
                self.recolour.update(p.iter(w("r")))
                label = "发文字号" if kept == number else "标题"
                self.act(f, "recoloured", where, f"{label}改为黑色")
        if has_marks or organ:
            for pid in order[:HEADER_ZONE]:
                if pid >= (title if title is not None else limit + 1):
                    break
                text = squash("".join(b.text for b in paras[pid]))
                if _FENHAO.match(text):
                    p = self._para(pid)
                    if p is not None and p not in self.drop_paragraphs:
                        self.drop_paragraphs.append(p)
                        self.act(f, "removed", where, "份号")
        # Red rules: paragraph borders and drawn lines/shapes between the top and the title.
        rules = 0
        for d in doc.drawings:
            if not (first - 2 <= d.paragraph <= limit):
                continue
            red = (d.stroke is not None and is_red(d.stroke)) or (d.fill is not None and is_red(d.fill))
            if not red:
                continue
            p = self._para(d.paragraph)
            if p is None:
                continue
            if d.kind == "border":
                side = (d.source or "w:pBdr:bottom").split(":")[2]
                _kill_border(p, side)
                self.dirty_parts.add(self.trace.paragraphs[d.paragraph][0])
                rules += 1
            else:
                for g in _graphics(p):
                    if _red_graphic(g):
                        self.remove_graphics.add(_run_child(g))
                        rules += 1
        if rules:
            self.act(f, "removed", where, "红色分隔线")
        # A 红头 pasted as a wide picture at the top.
        sources = (f.details or {}).get("sources", {})
        if "image" in sources.values():
            for im in doc.images:
                if im.paragraph < 0 or im.paragraph > limit or not (im.width and im.height):
                    continue
                if im.width >= 2 * im.height and self._remove_image(im.paragraph, im.name):
                    self.act(f, "removed", where, "红头图片")

    def _para(self, pid: int | None) -> etree._Element | None:
        if pid is None or pid not in self.trace.paragraphs:
            return None
        return self.trace.paragraphs[pid][1]

    # -- seals & signatures ---------------------------------------------------------------
    def remove_seal(self, f: Finding) -> None:
        details = f.details or {}
        pid = details.get("paragraph")
        label = {"official_seal": "公章", "personal_seal": "个人名章", "signature": "签名图片"}.get(
            f.rule, "印章"
        )
        where = self.where_paragraph(pid)
        if details.get("source") == "vector":
            n = 0
            for q in range(int(pid or 0) - 3, int(pid or 0) + 4):
                p = self._para(q)
                if p is None:
                    continue
                for g in _graphics(p):
                    if _red_graphic(g):
                        self.remove_graphics.add(_run_child(g))
                        n += 1
            if n:
                self.act(f, "removed", where, f"{label}（红色图形）")
            return
        rid = details.get("image")
        if rid and self._remove_image(pid, rid):
            self.act(f, "removed", where, f"{label}图片")
        elif not rid and isinstance(pid, int) and pid in self.trace.paragraphs:
            # The detector could not say which picture: every picture of that paragraph goes.
            pictures = [g for g in _graphics(self.trace.paragraphs[pid][1]) if _blip_ids(g)]
            self.remove_graphics.update(_run_child(g) for g in pictures)
            if pictures:
                self.act(f, "removed", where, f"{label}所在段落的图片", count=len(pictures))

    def where_paragraph(self, pid: object) -> str:
        if isinstance(pid, int) and pid in self.ordinals:
            return f"正文第{self.ordinals[pid]}段"
        return "文档中"

    def _remove_image(self, pid: object, rid: str) -> bool:
        """Remove the drawing(s) showing relationship `rid` in paragraph `pid` (or anywhere in
        the part when the paragraph is unknown)."""
        scopes: list[etree._Element] = []
        if isinstance(pid, int) and pid in self.trace.paragraphs:
            scopes.append(self.trace.paragraphs[pid][1])
        else:
            scopes.append(self.trace.parts.get(self._main_part()))  # type: ignore[arg-type]
        found = False
        for scope in scopes:
            if scope is None:
                continue
            for g in _graphics(scope):
                if rid in _blip_ids(g):
                    self.remove_graphics.add(_run_child(g))
                    found = True
        return found

    # -- after the edits ----------------------------------------------------------------------
    def drop_stale_fallbacks(self, touched: set[etree._Element]) -> None:
        """mc:Fallback holds a second copy (VML) of an edited text box: drop it, or the old text
        would survive in the file."""
        for el in touched:
            for choice in el.iterancestors(f"{{{MC}}}Choice"):
                alt = choice.getparent()
                if alt is None:
                    continue
                for fb in alt.findall(f"{{{MC}}}Fallback"):
                    alt.remove(fb)

    def revisions(self) -> None:
        accept = self.options.revisions == "accept"
        n = 0
        for part, root in self.trace.parts.items():
            if part.endswith("comments.xml"):
                continue
            n += _resolve_revisions(root, accept)
        if n:
            label = (
                "接受全部修订（删除的文字已从文件中去除）" if accept else "拒绝全部修订（插入的文字已去除）"
            )
            self.act(None, "revisions", "全文", label, count=n, rule="tracked_change")

    def comments(self) -> None:
        n = 0
        for part, root in self.trace.parts.items():
            for tag in ("commentRangeStart", "commentRangeEnd"):
                for el in list(root.iter(w(tag))):
                    _remove(el)
            for ref in list(root.iter(w("commentReference"))):
                r = ref.getparent()
                _remove(ref)
                if r is not None and r.tag == w("r") and not [c for c in r if c.tag != w("rPr")]:
                    _remove(r)
            if part.endswith("comments.xml"):
                n = len(root.findall(w("comment")))
        removed = self.drop_related(self._main_part(), COMMENT_REL_TYPES)
        for part in removed:
            self.trace.parts.pop(part, None)
        if n or removed:
            self.act(None, "removed", "批注", "全部批注", count=max(n, 1), rule="comment")

    def drop_related(self, source: str, types: Iterable[str]) -> list[str]:
        """Remove relationships of `types` from `source` and the parts they point to."""
        rels_name = _rels_name(source)
        rels = self.pkg.xml(rels_name)
        removed: list[str] = []
        if rels is None:
            return removed
        types = tuple(types)
        for rel in list(rels.iter(f"{{{PKG_REL}}}Relationship")):
            typ = rel.get("Type", "").rsplit("/", 1)[-1]
            if typ in types:
                if rel.get("TargetMode") != "External":
                    target = _rel_target(source, rel.get("Target", ""))
                    self.remove_part(target)
                    removed.append(target)
                rels.remove(rel)
                self.pkg.touch(rels_name)
        return removed

    def remove_part(self, name: str) -> None:
        if not self.pkg.exists(name):
            return
        self.pkg.remove(name)
        rels = _rels_name(name)
        if self.pkg.exists(rels):
            self.pkg.remove(rels)
        ct = self.pkg.xml("[Content_Types].xml")
        if ct is not None:
            for o in list(ct.iter(f"{{{CT}}}Override")):
                if o.get("PartName", "").lstrip("/") == name:
                    ct.remove(o)
                    self.pkg.touch("[Content_Types].xml")

    def embedded_objects(self) -> None:
        n = 0
        for root in self.trace.parts.values():
            for obj in list(root.iter(w("object"))):
                _remove(_run_child(obj))
                n += 1
        for name in list(self.pkg.names):
            if name.lower().startswith("word/embeddings/") and self.pkg.exists(name):
                self.remove_part(name)
                n += 1
        if n:
            self.act(None, "removed", "文档中", "嵌入的文件/对象", count=n, rule="embedded_file")

    def macros(self) -> None:
        main = self._main_part()
        removed = self.drop_related(main, ("vbaProject", "wordVbaData", "keyMapCustomizations"))
        ct = self.pkg.xml("[Content_Types].xml")
        if ct is not None:
            for o in ct.iter(f"{{{CT}}}Override"):
                if o.get("ContentType") == MACRO_MAIN:
                    o.set("ContentType", DOCX_MAIN)
                    self.pkg.touch("[Content_Types].xml")
                    removed.append("main")
        if removed:
            self.act(None, "removed", "文档中", "宏代码（VBA）", rule="javascript")

    def properties(self, hidden_rules: set[str]) -> None:
        """Core, extended and custom properties: only creation/modification dates survive."""
        cleared = 0
        core = self.pkg.xml("docProps/core.xml")
        if core is not None:
            keep = {f"{{{DCTERMS}}}created", f"{{{DCTERMS}}}modified"}
            for child in list(core):
                if isinstance(child.tag, str) and child.tag not in keep:
                    core.remove(child)
                    cleared += 1
            self.pkg.touch("docProps/core.xml")
        app = self.pkg.xml("docProps/app.xml")
        if app is not None:
            for tag in ("Company", "Manager", "Template", "HyperlinkBase"):
                for el in app.findall(f"{{{EP}}}{tag}"):
                    app.remove(el)
                    cleared += 1
            self.pkg.touch("docProps/app.xml")
        if self.drop_related("", ("custom-properties",)):
            cleared += 1
        if self.drop_related("", ("thumbnail",)):  # a picture of page 1: 红头, seal and all
            cleared += 1
        if cleared or "metadata_person" in hidden_rules:
            self.act(
                None,
                "cleared",
                "文档属性",
                "作者、最后修改者、公司等属性",
                count=max(cleared, 1),
                rule="metadata_person",
            )

    def settings(self) -> None:
        """The attached template path often holds a user name (C:\\Users\\张三\\...)."""
        main = self._main_part()
        rels = self.pkg.xml(_rels_name(main))
        if rels is None:
            return
        for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/settings"):
                name = _rel_target(main, rel.get("Target", ""))
                settings = self.pkg.xml(name)
                if settings is None:
                    continue
                for el in list(settings.iter(w("attachedTemplate"))):
                    _remove(el)
                    self.pkg.touch(name)
                self.drop_related(name, ("attachedTemplate",))

    def sweep(self) -> None:
        """The same numbers may also sit where no run text is: field codes (HYPERLINK
        "mailto:…"), picture descriptions, tooltips, hyperlink targets. Replace them there too."""
        if not self.replacements:
            return
        values = sorted(self.replacements, key=len, reverse=True)

        def fix(text: str | None) -> str | None:
            if not text:
                return text
            for v in values:
                if v in text:
                    text = text.replace(v, self.replacements[v])
            return text

        roots = list(self.trace.parts.values())
        for name in self.pkg.names:
            if name.endswith(".rels") and self.pkg.exists(name):
                rels = self.pkg.xml(name)
                if rels is not None:
                    roots.append(rels)
                    self.pkg.touch(name)
        for root in roots:
            for el in root.iter():
                if isinstance(el.tag, str):
                    el.text, el.tail = fix(el.text), fix(el.tail)
                    for key, value in el.attrib.items():
                        new = fix(value)
                        if new != value:
                            el.set(key, new or "")

    def garbage_collect(self) -> None:
        """Drop relationships to pictures/objects no longer referenced and the parts behind them
        (a removed seal must not stay inside word/media/)."""
        referenced: set[str] = set()
        candidates: set[str] = set()
        for rels_name in [n for n in self.pkg.names if n.endswith(".rels") and self.pkg.exists(n)]:
            folder = dirname(dirname(rels_name))
            source = (
                join(folder, basename(rels_name)[: -len(".rels")]) if folder else basename(rels_name)[:-5]
            )
            if rels_name == "_rels/.rels":
                source = ""
            rels = self.pkg.xml(rels_name)
            if rels is None:
                continue
            body = self.pkg.read(source) if source and self.pkg.exists(source) else b""
            for rel in list(rels.iter(f"{{{PKG_REL}}}Relationship")):
                if rel.get("TargetMode") == "External":
                    continue
                target = (
                    _rel_target(source or "x", rel.get("Target", "")) if source else rel.get("Target", "")
                )
                typ = rel.get("Type", "").rsplit("/", 1)[-1]
                if typ in ("image", "oleObject", "package", "hdphoto") and source:
                    rid = rel.get("Id", "")
                    if f'"{rid}"'.encode() not in body:
                        rels.remove(rel)
                        self.pkg.touch(rels_name)
                        candidates.add(target)
                        continue
                referenced.add(target)
        for target in candidates - referenced:
            self.remove_part(target)


# -- module helpers -----------------------------------------------------------------------------
def _para_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def _graphics(scope: etree._Element) -> list[etree._Element]:
    """Drawings and VML pictures in `scope`, outermost only."""
    out = []
    for el in scope.iter(w("drawing"), w("pict")):
        if any(a.tag in (w("drawing"), w("pict")) for a in el.iterancestors()):
            continue
        out.append(el)
    return out


# w:pPr children in schema order (CT_PPr).
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]  # fmt: skip


def _kill_border(p: etree._Element, side: str) -> None:
    """Switch one paragraph border off (w:val="nil" also overrides a border from the style)."""
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        p.insert(0, ppr)
    pbdr = ppr.find(w("pBdr"))
    if pbdr is None:
        pbdr = etree.Element(w("pBdr"))
        rank = {name: i for i, name in enumerate(_PPR_ORDER)}
        mine = rank["pBdr"]
        later = [c for c in ppr if isinstance(c.tag, str) and rank.get(_local(c), -1) > mine]
        if later:
            later[0].addprevious(pbdr)
        else:
            ppr.append(pbdr)
    el = pbdr.find(w(side))
    if el is None:
        el = etree.SubElement(pbdr, w(side))
    for attr in list(el.attrib):
        del el.attrib[attr]
    el.set(w("val"), "nil")
    order = {
        name: i for i, name in enumerate(("top", "left", "start", "bottom", "right", "end", "between", "bar"))
    }
    for child in sorted(pbdr, key=lambda c: order.get(_local(c), 99)):
        pbdr.append(child)


def _grid_width(tbl: etree._Element) -> int:
    grid = tbl.find(w("tblGrid"))
    return len(grid.findall(w("gridCol"))) if grid is not None else 0


def _drop_grid_column(tbl: etree._Element, col: int) -> None:
    """Remove grid column `col`: its w:gridCol, and in every row the cell covering it (or one
    unit of a merged cell's span)."""
    grid = tbl.find(w("tblGrid"))
    if grid is not None:
        cols = grid.findall(w("gridCol"))
        if col < len(cols):
            grid.remove(cols[col])
    for tr in tbl.iter(w("tr")):
        if _ancestor(tr, w("tbl")) is not tbl:
            continue
        c = 0
        before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
        if before is not None:
            c = int(before.get(w("val"), "0") or 0)
        cells = [tc for tc in tr.iter(w("tc")) if _ancestor(tc, w("tr")) is tr]
        for tc in cells:
            span_el = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
            span = int(span_el.get(w("val"), "1") or 1) if span_el is not None else 1
            if c <= col < c + span:
                if span > 1 and span_el is not None:
                    span_el.set(w("val"), str(span - 1))
                elif len(cells) > 1:
                    _remove(tc)
                break
            c += span


def _resolve_revisions(root: etree._Element, accept: bool) -> int:
    """Accept (drop deletions, keep insertions) or reject (the reverse) every tracked change."""
    n = 0
    gone, keep = (
        (("del", "moveFrom"), ("ins", "moveTo")) if accept else (("ins", "moveTo"), ("del", "moveFrom"))
    )
    for el in list(root.iter(w("trPr"))):
        for _mark in el.findall(w(gone[0])):
            tr = el.getparent()
            if tr is not None:
                _remove(tr)
                n += 1
        for mark in el.findall(w(keep[0])):
            el.remove(mark)
            n += 1
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for el in list(root.iter(w(tag))):
            _remove(el)
    for el in list(root.iter(*(w(t) for t in gone))):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == w("rPr"):  # a paragraph mark or run marked as deleted/inserted
            parent.remove(el)
        else:
            parent.remove(el)
        n += 1
    for el in list(root.iter(*(w(t) for t in keep))):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == w("rPr"):
            parent.remove(el)
            continue
        if not accept:
            for t in el.iter(w("delText")):
                t.tag = w("t")
            for t in el.iter(w("delInstrText")):
                t.tag = w("instrText")
        _unwrap(el)
        n += 1
    for tag in PROPERTY_CHANGES:
        for el in list(root.iter(w(tag))):
            parent = el.getparent()
            if parent is None:
                continue
            if not accept and tag in ("rPrChange", "pPrChange"):
                old = el.find(w("rPr") if tag == "rPrChange" else w("pPr"))
                for child in [c for c in parent if c is not el and c.tag not in (w("rPr"), w("sectPr"))]:
                    parent.remove(child)
                if old is not None:
                    for i, child in enumerate(list(old)):
                        parent.insert(i, child)
            parent.remove(el)
            n += 1
    for tag in ("cellIns", "cellDel", "cellMerge"):
        for el in list(root.iter(w(tag))):
            _remove(el)
    return n


__all__ = ["clean_docx", "prepare_docx"]
