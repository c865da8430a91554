"""DOCX (and DOCM/DOTX) -> `Document`.

The package is read with `zipfile` + a hardened lxml parser rather than through python-docx's
object model: python-docx refuses macro-enabled files (content type check), repeats merged table
cells, hides text boxes, revisions, comment anchors and style inheritance of w:vanish / w:jc /
w:pBdr — exactly what a publication check needs. So we walk the WordprocessingML ourselves, in
document order, and resolve styles (docDefaults -> paragraph style chain -> character style
chain -> direct formatting) the way Word does for the properties we report.

Block order in `Document.blocks`: body (tables in place, text boxes right after the paragraph
that anchors them), footnotes/endnotes, headers, footers, comments, metadata.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from posixpath import dirname, join, normpath

from lxml import etree

from pubguard.config import ScanConfig
from pubguard.document import RGB, BlockKind, Document, Drawing, ImageItem, Page, TextBlock, rgb_from_hex
from pubguard.errors import CorruptFile, DecompressionBomb
from pubguard.extract.sniff import check_zip_limits

# -- namespaces -----------------------------------------------------------------------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V = "urn:schemas-microsoft-com:vml"
VO = "urn:schemas-microsoft-com:office:office"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# ISO/IEC 29500 "strict" namespaces -> transitional, so one walker reads both.
_STRICT = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": W.encode(),
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": R.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": WP.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/main": A.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/picture": PIC.encode(),
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


EMU_PER_PT = 12700.0
# Stands for a paragraph mark whose insertion/deletion is tracked (no text of its own).
PARAGRAPH_MARK_TEXT = "（段落标记）"
TWIPS_PER_PT = 20.0
A4 = (595.3, 841.9)

HIGHLIGHT_COLORS: dict[str, RGB] = {
    "black": (0, 0, 0),
    "blue": (0, 0, 255),
    "cyan": (0, 255, 255),
    "green": (0, 255, 0),
    "magenta": (255, 0, 255),
    "red": (255, 0, 0),
    "yellow": (255, 255, 0),
    "white": (255, 255, 255),
    "darkBlue": (0, 0, 139),
    "darkCyan": (0, 139, 139),
    "darkGreen": (0, 100, 0),
    "darkMagenta": (139, 0, 139),
    "darkRed": (139, 0, 0),
    "darkYellow": (128, 128, 0),
    "darkGray": (169, 169, 169),
    "lightGray": (211, 211, 211),
}

# VML / DrawingML preset colour names seen in real files.
NAMED_COLORS: dict[str, RGB] = {
    **{k.lower(): v for k, v in HIGHLIGHT_COLORS.items()},
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "maroon": (128, 0, 0),
    "navy": (0, 0, 128),
    "olive": (128, 128, 0),
    "purple": (128, 0, 128),
    "silver": (192, 192, 192),
    "teal": (0, 128, 128),
    "lime": (0, 255, 0),
    "fuchsia": (255, 0, 255),
    "aqua": (0, 255, 255),
    "windowtext": (0, 0, 0),
}

THEME_ALIASES = {
    "text1": "dk1",
    "background1": "lt1",
    "text2": "dk2",
    "background2": "lt2",
    "dark1": "dk1",
    "light1": "lt1",
    "dark2": "dk2",
    "light2": "lt2",
    "tx1": "dk1",
    "bg1": "lt1",
    "tx2": "dk2",
    "bg2": "lt2",
    "hyperlink": "hlink",
    "followedHyperlink": "folHlink",
}
DEFAULT_THEME: dict[str, RGB] = {
    "dk1": (0, 0, 0),
    "lt1": (255, 255, 255),
    "dk2": (0x44, 0x54, 0x6A),
    "lt2": (0xE7, 0xE6, 0xE6),
    "accent1": (0x44, 0x72, 0xC4),
    "accent2": (0xED, 0x7D, 0x31),
    "accent3": (0xA5, 0xA5, 0xA5),
    "accent4": (0xFF, 0xC0, 0x00),
    "accent5": (0x5B, 0x9B, 0xD5),
    "accent6": (0x70, 0xAD, 0x47),
    "hlink": (0x05, 0x63, 0xC1),
    "folHlink": (0x95, 0x4F, 0x72),
}

JC_MAP = {
    "left": "left",
    "start": "left",
    "center": "center",
    "right": "right",
    "end": "right",
    "both": "justify",
    "distribute": "justify",
    "justify": "justify",
    "thaiDistribute": "justify",
    "lowKashida": "justify",
    "mediumKashida": "justify",
    "highKashida": "justify",
}

LINE_GEOMETRIES = {"line", "straightConnector1", "bentConnector2", "bentConnector3", "curvedConnector3"}

# Fields that are technical noise: kept in `doc.metadata`, no METADATA text block.
_NO_BLOCK_FIELDS = {
    "created",
    "modified",
    "last_printed",
    "revision",
    "application",
    "app_version",
    "template",
}

_ENTITY_DECL = b"<!ENTITY"


# -- small helpers --------------------------------------------------------------------------
def _on(el: etree._Element | None) -> bool | None:
    """OOXML toggle: <w:b/> is on, w:val="0|false|off|none" is off; None when absent."""
    if el is None:
        return None
    val = el.get(w("val"))
    return val is None or val.lower() not in {"0", "false", "off", "none"}


def _tint(color: RGB, tint: str | None, shade: str | None) -> RGB:
    """Word's themeTint / themeShade (hex 00-FF), linear approximation of its HSL maths."""
    r, g, b = color
    try:
        if tint:
            t = int(tint, 16) / 255.0
            r, g, b = (round(c * t + 255 * (1 - t)) for c in (r, g, b))
        if shade:
            s = int(shade, 16) / 255.0
            r, g, b = (round(c * s) for c in (r, g, b))
    except ValueError:
        pass
    return (r, g, b)


def _parse_length(value: str | None) -> float | None:
    """VML length ("12pt", "1in", "2.5cm", "10mm", "20px", plain EMU-less number = px) -> pt."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(-?[0-9.]+)\s*(pt|in|cm|mm|px|pc|emu)?\s*", value)
    if not m:
        return None
    try:
        num = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2) or "px"
    factor = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, "pc": 12.0}.get(unit)
    if unit == "emu":
        return num / EMU_PER_PT
    return num * (factor or 1.0)


def _vml_color(value: str | None) -> RGB | None:
    if not value:
        return None
    value = value.strip().split()[0]  # "#ff0000 [3213]" -> "#ff0000"
    if value.startswith("#"):
        return rgb_from_hex(value)
    return NAMED_COLORS.get(value.lower())


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(float(value)) if value is not None else default
    except ValueError:
        return default


# -- run / paragraph properties -------------------------------------------------------------
@dataclass(slots=True)
class RunProps:
    color: RGB | None = None
    color_set: bool = False
    size: float | None = None
    bold: bool | None = None
    hidden: bool | None = None
    highlight: RGB | None = None
    highlight_set: bool = False
    shading: RGB | None = None
    shading_set: bool = False

    def merged(self, other: RunProps) -> RunProps:
        out = replace(self)
        if other.color_set:
            out.color, out.color_set = other.color, True
        if other.size is not None:
            out.size = other.size
        if other.bold is not None:
            out.bold = other.bold
        if other.hidden is not None:
            out.hidden = other.hidden
        if other.highlight_set:
            out.highlight, out.highlight_set = other.highlight, True
        if other.shading_set:
            out.shading, out.shading_set = other.shading, True
        return out


@dataclass(slots=True)
class Border:
    side: str
    style: str
    color: RGB | None
    width: float  # pt


@dataclass(slots=True)
class ParaProps:
    jc: str | None = None
    borders: dict[str, Border | None] = field(default_factory=dict)  # None = explicitly removed
    shading: RGB | None = None
    shading_set: bool = False

    def merged(self, other: ParaProps) -> ParaProps:
        out = ParaProps(self.jc, dict(self.borders), self.shading, self.shading_set)
        if other.jc is not None:
            out.jc = other.jc
        out.borders.update(other.borders)
        if other.shading_set:
            out.shading, out.shading_set = other.shading, True
        return out


@dataclass
class Style:
    type: str
    based_on: str | None
    ppr: ParaProps
    rpr: RunProps
    link: str | None = None


@dataclass
class Part:
    """One XML part of the package with its own relationships (images of a header resolve
    against the header's rels, not the document's)."""

    name: str
    root: etree._Element
    rels: dict[str, tuple[str, str, bool]]  # rId -> (type, target part name, external)


@dataclass(slots=True)
class Ctx:
    part: Part
    kind: BlockKind = BlockKind.BODY
    table: int | None = None
    row: int | None = None
    col: int | None = None
    cell_shading: RGB | None = None
    revision: str | None = None  # "ins" | "del"
    rev_author: str | None = None
    rev_date: str | None = None
    rev_source: str | None = None
    source: str | None = None


@dataclass
class DocxTrace:
    """Optional back-references from the `Document` to the XML it was read from, for tools that
    edit the file (pubguard.clean: masking in place, Word comments at the exact run). Filled only
    by `trace_docx`; a plain scan never pays for it. The elements belong to the parsed trees in
    `parts`, so a caller may edit those trees and serialise them back."""

    parts: dict[str, etree._Element] = field(default_factory=dict)  # part name -> parsed root
    paragraphs: dict[int, tuple[str, etree._Element]] = field(default_factory=dict)  # id -> (part, w:p)
    tables: dict[int, etree._Element] = field(default_factory=dict)  # table index -> w:tbl
    # One entry per piece of run text: (block index, offset in block.text, length, element, part).
    # The element is the w:t / w:delText / w:tab / w:br ... that produced those characters.
    pieces: list[tuple[int, int, int, etree._Element, str]] = field(default_factory=list)


@dataclass
class _CommentAnchor:
    paragraph: int = -1
    end_paragraph: int = -1
    start_pos: tuple[int, int] | None = None  # (block index, char offset in that block)
    end_pos: tuple[int, int] | None = None


class _Reader:
    def __init__(self, data: bytes, name: str, config: ScanConfig):
        self.config = config
        self.name = name
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFile("文件已损坏：Word 文档的压缩包结构无法读取。") from exc
        self.doc = Document(name=name, format="docx")
        self.para = -1
        self.table_count = -1
        self.styles: dict[str, Style] = {}
        self.default_pstyle: str | None = None
        self.default_cstyle: str | None = None
        self.doc_rpr = RunProps()
        self.doc_ppr = ParaProps()
        self.theme: dict[str, RGB] = dict(DEFAULT_THEME)
        self.comment_anchors: dict[str, _CommentAnchor] = {}
        self.open_comments: set[str] = set()
        self.sect_prs: list[etree._Element] = []
        self.text_width = A4[0] - 2 * 90.0
        self._media_sizes: dict[str, tuple[int, int]] = {}
        self._seen_txbx: set[etree._Element] = set()
        self.main: Part | None = None
        self.trace: DocxTrace | None = None

    # -- package access -------------------------------------------------------------------
    def read(self, part_name: str) -> bytes | None:
        part_name = part_name.lstrip("/")
        if part_name not in self.names:
            return None
        try:
            return self.zf.read(part_name)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError) as exc:
            raise CorruptFile(f"文件已损坏：无法解压文档部件 {part_name}。") from exc

    def parse(self, part_name: str, *, required: bool = False) -> etree._Element | None:
        raw = self.read(part_name)
        if raw is None:
            if required:
                raise CorruptFile("文件已损坏：缺少 Word 正文部件（word/document.xml）。")
            return None
        return self.parse_bytes(raw, part_name, required=required)

    def parse_bytes(self, raw: bytes, part_name: str, *, required: bool = False) -> etree._Element | None:
        if _ENTITY_DECL in raw:
            raise DecompressionBomb(f"文档部件 {part_name} 含有 XML 实体声明（疑似 XML 炸弹），已拒绝处理。")
        for strict, transitional in _STRICT.items():
            if strict in raw:
                raw = raw.replace(strict, transitional)
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            return etree.fromstring(raw, parser)
        except etree.XMLSyntaxError as exc:
            if required:
                raise CorruptFile(f"文件已损坏：{part_name} 不是有效的 XML。") from exc
            self.doc.warnings.append(f"文档部件 {part_name} 已损坏，已跳过其中内容。")
            return None

    def rels_for(self, part_name: str) -> dict[str, tuple[str, str, bool]]:
        base = dirname(part_name)
        rels_name = join(base, "_rels", part_name.rsplit("/", 1)[-1] + ".rels")
        root = self.parse(rels_name)
        out: dict[str, tuple[str, str, bool]] = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            rid, target = rel.get("Id"), rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if not rid:
                continue
            if not external:
                target = target.lstrip("/") if target.startswith("/") else normpath(join(base, target))
            out[rid] = (rel.get("Type", "").rsplit("/", 1)[-1], target, external)
        return out

    def load_part(self, part_name: str, *, required: bool = False) -> Part | None:
        root = self.parse(part_name, required=required)
        if root is None:
            return None
        if self.trace is not None:
            self.trace.parts[part_name] = root
        return Part(part_name, root, self.rels_for(part_name))

    def main_part_name(self) -> str:
        for _rid, (typ, target, external) in self.rels_for("").items():
            if typ == "officeDocument" and not external and target in self.names:
                return target
        return "word/document.xml"

    # -- styles & theme ---------------------------------------------------------------------
    def read_run_props(self, rpr: etree._Element | None) -> RunProps:
        props = RunProps()
        if rpr is None:
            return props
        color = rpr.find(w("color"))
        if color is not None:
            props.color_set = True
            props.color = rgb_from_hex(color.get(w("val")))
            theme = color.get(w("themeColor"))
            if props.color is None and theme:
                props.color = self.theme_color(theme, color.get(w("themeTint")), color.get(w("themeShade")))
        sz = rpr.find(w("sz"))
        if sz is not None and sz.get(w("val")):
            with contextlib.suppress(ValueError):
                props.size = float(sz.get(w("val"), "0")) / 2.0
        props.bold = _on(rpr.find(w("b")))
        hidden = _on(rpr.find(w("vanish")))
        spec = _on(rpr.find(w("specVanish")))
        props.hidden = hidden if hidden is not None else spec
        hl = rpr.find(w("highlight"))
        if hl is not None:
            props.highlight_set = True
            props.highlight = HIGHLIGHT_COLORS.get(hl.get(w("val"), "none"))
        shd = rpr.find(w("shd"))
        if shd is not None:
            props.shading_set = True
            props.shading = self.shading_color(shd)
        return props

    def shading_color(self, shd: etree._Element) -> RGB | None:
        val = shd.get(w("val"), "clear")
        if val == "nil":
            return None
        if val == "solid":  # 100 % pattern: the foreground colour covers everything
            fg = rgb_from_hex(shd.get(w("color")))
            if fg is not None:
                return fg
        fill = rgb_from_hex(shd.get(w("fill")))
        if fill is None and shd.get(w("themeFill")):
            fill = self.theme_color(
                shd.get(w("themeFill"), ""), shd.get(w("themeFillTint")), shd.get(w("themeFillShade"))
            )
        return fill

    def read_para_props(self, ppr: etree._Element | None) -> ParaProps:
        props = ParaProps()
        if ppr is None:
            return props
        jc = ppr.find(w("jc"))
        if jc is not None:
            props.jc = JC_MAP.get(jc.get(w("val"), ""))
        pbdr = ppr.find(w("pBdr"))
        if pbdr is not None:
            for side_el in pbdr:
                if not isinstance(side_el.tag, str):
                    continue
                side = etree.QName(side_el).localname
                style = side_el.get(w("val"), "single")
                if style in {"nil", "none"}:
                    props.borders[side] = None
                    continue
                color = rgb_from_hex(side_el.get(w("color")))
                if color is None and side_el.get(w("themeColor")):
                    color = self.theme_color(
                        side_el.get(w("themeColor"), ""),
                        side_el.get(w("themeTint")),
                        side_el.get(w("themeShade")),
                    )
                props.borders[side] = Border(side, style, color, _int(side_el.get(w("sz")), 4) / 8.0)
        shd = ppr.find(w("shd"))
        if shd is not None:
            props.shading_set = True
            props.shading = self.shading_color(shd)
        return props

    def theme_color(self, name: str, tint: str | None = None, shade: str | None = None) -> RGB | None:
        key = THEME_ALIASES.get(name, name)
        base = self.theme.get(key)
        if base is None:
            return None
        return _tint(base, tint, shade)

    def load_theme(self, main: Part) -> None:
        for typ, target, external in main.rels.values():
            if typ == "theme" and not external:
                root = self.parse(target)
                if root is None:
                    return
                scheme = root.find(f".//{{{A}}}clrScheme")
                if scheme is None:
                    return
                for el in scheme:
                    if not isinstance(el.tag, str):
                        continue
                    key = etree.QName(el).localname
                    srgb = el.find(f"{{{A}}}srgbClr")
                    sys = el.find(f"{{{A}}}sysClr")
                    col = rgb_from_hex(srgb.get("val")) if srgb is not None else None
                    if col is None and sys is not None:
                        col = rgb_from_hex(sys.get("lastClr"))
                    if col is not None:
                        self.theme[key] = col
                return

    def load_styles(self, main: Part) -> None:
        target = next(
            (t for typ, t, ext in main.rels.values() if typ == "styles" and not ext), "word/styles.xml"
        )
        root = self.parse(target)
        if root is None:
            return
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            self.doc_rpr = self.read_run_props(defaults.find(f"{w('rPrDefault')}/{w('rPr')}"))
            self.doc_ppr = self.read_para_props(defaults.find(f"{w('pPrDefault')}/{w('pPr')}"))
        for st in root.iter(w("style")):
            sid = st.get(w("styleId"))
            if not sid:
                continue
            typ = st.get(w("type"), "paragraph")
            based = st.find(w("basedOn"))
            link = st.find(w("link"))
            self.styles[sid] = Style(
                type=typ,
                based_on=based.get(w("val")) if based is not None else None,
                ppr=self.read_para_props(st.find(w("pPr"))),
                rpr=self.read_run_props(st.find(w("rPr"))),
                link=link.get(w("val")) if link is not None else None,
            )
            if st.get(w("default")) in {"1", "true", "on"}:
                if typ == "paragraph":
                    self.default_pstyle = sid
                elif typ == "character":
                    self.default_cstyle = sid

    def style_chain(self, sid: str | None) -> list[Style]:
        """The style and its ancestors, root first (so later entries override)."""
        chain: list[Style] = []
        seen: set[str] = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            chain.append(self.styles[sid])
            sid = self.styles[sid].based_on
        return chain[::-1]

    def para_style_props(self, ppr_el: etree._Element | None) -> tuple[ParaProps, RunProps]:
        sid = None
        if ppr_el is not None:
            ps = ppr_el.find(w("pStyle"))
            sid = ps.get(w("val")) if ps is not None else None
        sid = sid or self.default_pstyle
        pprops, rprops = self.doc_ppr, self.doc_rpr
        for st in self.style_chain(sid):
            pprops = pprops.merged(st.ppr)
            rprops = rprops.merged(st.rpr)
        pprops = pprops.merged(self.read_para_props(ppr_el))
        return pprops, rprops

    def run_props(self, para_rprops: RunProps, rpr_el: etree._Element | None) -> RunProps:
        props = para_rprops
        sid = None
        if rpr_el is not None:
            rs = rpr_el.find(w("rStyle"))
            sid = rs.get(w("val")) if rs is not None else None
        for st in self.style_chain(sid):
            props = props.merged(st.rpr)
        return props.merged(self.read_run_props(rpr_el))

    # -- emission ---------------------------------------------------------------------------
    def new_paragraph(self) -> int:
        self.para += 1
        return self.para

    def emit(
        self, text: str, ctx: Ctx, rprops: RunProps, pprops: ParaProps, para: int, page: int = 1
    ) -> None:
        if not text:
            return
        kind = ctx.kind
        author, date, source = None, None, ctx.source
        if ctx.revision == "del":
            kind = BlockKind.REVISION_DELETE
        elif ctx.revision == "ins":
            kind = BlockKind.REVISION_INSERT
        if ctx.revision:
            author, date = ctx.rev_author, ctx.rev_date
            source = ctx.rev_source if ctx.source is None else f"{ctx.source};{ctx.rev_source}"
        highlight = rprops.highlight or rprops.shading or pprops.shading or ctx.cell_shading
        block = TextBlock(
            text=text,
            page=page,
            kind=kind,
            font_size=rprops.size,
            color=rprops.color,
            bold=bool(rprops.bold),
            hidden=bool(rprops.hidden),
            alignment=pprops.jc,
            paragraph=para,
            author=author,
            date=date,
            row=ctx.row,
            col=ctx.col,
            table=ctx.table,
            highlight=highlight,
            source=source,
        )
        blocks = self.doc.blocks
        if blocks:
            prev = blocks[-1]
            if (
                prev.paragraph == para
                and prev.kind == block.kind
                and prev.page == page
                and (prev.font_size, prev.color, prev.bold, prev.hidden, prev.highlight)
                == (block.font_size, block.color, block.bold, block.hidden, block.highlight)
                and (prev.author, prev.date, prev.source, prev.row, prev.col)
                == (block.author, block.date, block.source, block.row, block.col)
            ):
                prev.text += text
                return
        blocks.append(block)

    def position(self) -> tuple[int, int]:
        if not self.doc.blocks:
            return (-1, 0)
        return (len(self.doc.blocks) - 1, len(self.doc.blocks[-1].text))

    # -- body walk --------------------------------------------------------------------------
    def walk_blocks(self, parent: etree._Element, ctx: Ctx) -> None:
        """Block-level content (paragraphs, tables, sdt, customXml) in document order."""
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == w("p"):
                self.paragraph(child, ctx)
            elif tag == w("tbl"):
                self.table(child, ctx)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.walk_blocks(content, ctx)
            elif tag in (
                w("customXml"),
                w("ins"),
                w("del"),
                w("moveFrom"),
                w("moveTo"),
                f"{{{MC}}}AlternateContent",
            ):
                if tag == f"{{{MC}}}AlternateContent":
                    branch = self.alternate_branch(child)
                    if branch is not None:
                        self.walk_blocks(branch, ctx)
                else:
                    self.walk_blocks(child, self.revision_ctx(child, ctx))
            elif tag == w("sectPr"):
                self.sect_prs.append(child)
            elif tag in (w("commentRangeStart"), w("commentRangeEnd")):
                self.comment_mark(child)

    def revision_ctx(self, el: etree._Element, ctx: Ctx) -> Ctx:
        tag = etree.QName(el).localname
        if tag not in {"ins", "del", "moveFrom", "moveTo"}:
            return ctx
        rev = "del" if tag in {"del", "moveFrom"} else "ins"
        return replace(
            ctx,
            revision=rev,
            rev_author=el.get(w("author")) or None,
            rev_date=el.get(w("date")) or None,
            rev_source=f"w:{tag}",
        )

    def alternate_branch(self, alt: etree._Element) -> etree._Element | None:
        """One branch of mc:AlternateContent: the first Choice (Word writes the modern wps/wpg
        form there and a VML copy in Fallback), Fallback only when there is no Choice — never
        both, or every text box would be read twice."""
        choice = alt.find(f"{{{MC}}}Choice")
        if choice is not None:
            return choice
        return alt.find(f"{{{MC}}}Fallback")

    def paragraph(self, p: etree._Element, ctx: Ctx) -> None:
        para = self.new_paragraph()
        if self.trace is not None:
            self.trace.paragraphs[para] = (ctx.part.name, p)
        ppr_el = p.find(w("pPr"))
        pprops, para_rprops = self.para_style_props(ppr_el)
        if ppr_el is not None:
            sect = ppr_el.find(w("sectPr"))
            if sect is not None:
                self.sect_prs.append(sect)
        for side in ("top", "bottom", "left", "right", "between"):
            border = pprops.borders.get(side)
            if border is not None:
                self.doc.drawings.append(
                    Drawing(
                        page=1,
                        kind="border",
                        bbox=(0.0, 0.0, self.text_width, 0.0),
                        stroke=border.color,
                        width=border.width,
                        source=f"w:pBdr:{side}:{border.style}",
                        paragraph=para,
                    )
                )
        # Text boxes and WordArt anchored in this paragraph are read after it, so the
        # paragraph's own runs stay contiguous and paragraph ids keep increasing.
        pending: list[Callable[[], None]] = []
        self.inline(p, ctx, pprops, para_rprops, para, pending)
        self.paragraph_mark_revision(ppr_el, ctx, pprops, para_rprops, para)
        for job in pending:
            job()

    def paragraph_mark_revision(
        self, ppr_el: etree._Element | None, ctx: Ctx, pprops: ParaProps, para_rprops: RunProps, para: int
    ) -> None:
        """A tracked change of the paragraph mark alone (w:pPr/w:rPr/w:ins|w:del): a paragraph
        split or two paragraphs joined. No text changed, but the revision (author, date) is in
        the file and the document is not final: a REVISION block stands for the mark."""
        rpr = ppr_el.find(w("rPr")) if ppr_el is not None else None
        if rpr is None:
            return
        for tag in ("del", "ins", "moveFrom", "moveTo"):
            mark = rpr.find(w(tag))
            if mark is not None:
                rctx = self.revision_ctx(mark, ctx)
                rctx = replace(rctx, rev_source=f"w:pPr/w:rPr/w:{tag}")
                self.emit(PARAGRAPH_MARK_TEXT, rctx, para_rprops, pprops, para)
                return

    def inline(
        self,
        parent: etree._Element,
        ctx: Ctx,
        pprops: ParaProps,
        para_rprops: RunProps,
        para: int,
        pending: list[Callable[[], None]],
    ) -> None:
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == w("r"):
                self.run(child, ctx, pprops, para_rprops, para, pending)
            elif tag in (w("ins"), w("del"), w("moveFrom"), w("moveTo")):
                self.inline(child, self.revision_ctx(child, ctx), pprops, para_rprops, para, pending)
            elif tag in (w("hyperlink"), w("smartTag"), w("customXml"), w("fldSimple"), w("bdo"), w("dir")):
                self.inline(child, ctx, pprops, para_rprops, para, pending)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.inline(content, ctx, pprops, para_rprops, para, pending)
            elif tag == f"{{{MC}}}AlternateContent":
                branch = self.alternate_branch(child)
                if branch is not None:
                    self.inline(branch, ctx, pprops, para_rprops, para, pending)
            elif tag in (w("commentRangeStart"), w("commentRangeEnd")):
                self.comment_mark(child)
            elif tag in (f"{{{M}}}oMath", f"{{{M}}}oMathPara"):
                text = "".join(t.text or "" for t in child.iter(f"{{{M}}}t"))
                self.emit(text, ctx, para_rprops, pprops, para)

    def run(
        self,
        r: etree._Element,
        ctx: Ctx,
        pprops: ParaProps,
        para_rprops: RunProps,
        para: int,
        pending: list[Callable[[], None]],
    ) -> None:
        rprops = self.run_props(para_rprops, r.find(w("rPr")))
        buf: list[str] = []
        traced: list[tuple[etree._Element, int]] = []

        def flush() -> None:
            if buf:
                text = "".join(buf)
                self.emit(text, ctx, rprops, pprops, para)
                if self.trace is not None and text:
                    self.record_pieces(text, traced, ctx.part.name)
                buf.clear()
                traced.clear()

        for el in r:
            if not isinstance(el.tag, str):
                continue
            if self.trace is not None:
                before = len(buf)
                self.run_element(el, buf, para, ctx, pending, flush)
                if len(buf) > before:
                    traced.append((el, len(buf[-1])))
            else:
                self.run_element(el, buf, para, ctx, pending, flush)
        flush()

    def record_pieces(self, text: str, traced: list[tuple[etree._Element, int]], part: str) -> None:
        """`emit` put `text` at the end of the last block: note which element gave which chars."""
        assert self.trace is not None
        index = len(self.doc.blocks) - 1
        offset = len(self.doc.blocks[index].text) - len(text)
        for el, n in traced:
            if n:
                self.trace.pieces.append((index, offset, n, el, part))
            offset += n

    def run_element(
        self,
        el: etree._Element,
        buf: list[str],
        para: int,
        ctx: Ctx,
        pending: list[Callable[[], None]],
        flush: Callable[[], None],
    ) -> None:
        """One child of a w:r: text goes into `buf`, graphics flush the text first."""
        tag = el.tag
        if tag in (w("t"), w("delText")):
            buf.append(el.text or "")
        elif tag in (w("tab"), w("ptab")):
            buf.append("\t")
        elif tag in (w("br"), w("cr")):
            buf.append("\n")
        elif tag == w("noBreakHyphen"):
            buf.append("-")
        elif tag == w("sym"):
            code = _int_hex(el.get(w("char")))
            if code is not None and not 0xE000 <= code <= 0xF8FF:
                buf.append(chr(code))
        elif tag == w("commentReference"):
            cid = el.get(w("id"))
            if cid is not None and cid not in self.comment_anchors:
                self.comment_anchors[cid] = _CommentAnchor(para, para, self.position(), self.position())
        elif tag in (w("drawing"), w("pict"), w("object"), f"{{{MC}}}AlternateContent"):
            flush()
            self.graphics(el, ctx, para, pending)

    def comment_mark(self, el: etree._Element) -> None:
        cid = el.get(w("id"))
        if cid is None:
            return
        if el.tag == w("commentRangeStart"):
            self.comment_anchors[cid] = _CommentAnchor(self.para, self.para, self.position(), None)
            self.open_comments.add(cid)
        else:
            anchor = self.comment_anchors.setdefault(
                cid, _CommentAnchor(self.para, self.para, self.position())
            )
            anchor.end_paragraph = self.para
            anchor.end_pos = self.position()
            self.open_comments.discard(cid)

    # -- tables -----------------------------------------------------------------------------
    def table_borders(self, tbl: etree._Element, first_para: int) -> None:
        """Top and bottom borders of a whole table (w:tblBorders): templates draw the red rule
        under the 版头 as the bottom border of a one-row table as often as a paragraph border."""
        borders = tbl.find(f"{w('tblPr')}/{w('tblBorders')}")
        if borders is None:
            return
        for side in ("top", "bottom"):
            el = borders.find(w(side))
            if el is None or el.get(w("val"), "single") in {"nil", "none"}:
                continue
            color = rgb_from_hex(el.get(w("color")))
            if color is None and el.get(w("themeColor")):
                color = self.theme_color(
                    el.get(w("themeColor"), ""), el.get(w("themeTint")), el.get(w("themeShade"))
                )
            self.doc.drawings.append(
                Drawing(
                    page=1,
                    kind="border",
                    bbox=(0.0, 0.0, self.text_width, 0.0),
                    stroke=color,
                    width=_int(el.get(w("sz")), 4) / 8.0,
                    source=f"w:tblBorders:{side}:{el.get(w('val'), 'single')}",
                    paragraph=first_para if side == "top" else max(first_para, self.para),
                )
            )

    def table(self, tbl: etree._Element, ctx: Ctx) -> None:
        self.table_count += 1
        index = self.table_count
        if self.trace is not None:
            self.trace.tables[index] = tbl
        cell_kind = BlockKind.TABLE_CELL if ctx.kind in (BlockKind.BODY, BlockKind.TABLE_CELL) else ctx.kind
        first_para = self.para + 1
        for r_i, tr in enumerate(_children(tbl, "tr")):
            row_ctx = ctx
            trpr = tr.find(w("trPr"))
            if trpr is not None:
                for tag in ("ins", "del"):
                    mark = trpr.find(w(tag))
                    if mark is not None:
                        row_ctx = self.revision_ctx(mark, ctx)
            col = 0
            trpr_grid_before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
            if trpr_grid_before is not None:
                col = _int(trpr_grid_before.get(w("val")))
            for tc in _cells(tr):
                tcpr = tc.find(w("tcPr"))
                span = 1
                shading = None
                continuation = False
                if tcpr is not None:
                    gs = tcpr.find(w("gridSpan"))
                    if gs is not None:
                        span = max(_int(gs.get(w("val")), 1), 1)
                    vm = tcpr.find(w("vMerge"))
                    if vm is not None and vm.get(w("val"), "continue") != "restart":
                        continuation = True
                    hm = tcpr.find(w("hMerge"))
                    if hm is not None and hm.get(w("val"), "continue") != "restart":
                        continuation = True
                    shd = tcpr.find(w("shd"))
                    if shd is not None:
                        shading = self.shading_color(shd)
                if not continuation:  # a merged cell is read once, from its first grid cell
                    cctx = replace(
                        row_ctx, kind=cell_kind, table=index, row=r_i, col=col, cell_shading=shading
                    )
                    self.walk_blocks(tc, cctx)
                col += span

        # -- graphics ---------------------------------------------------------------------------
        self.table_borders(tbl, first_para)

    def graphics(self, el: etree._Element, ctx: Ctx, para: int, pending: list[Callable[[], None]]) -> None:
        """Images, shapes and text boxes inside a run (w:drawing, w:pict, w:object, mc:*)."""
        if el.tag == f"{{{MC}}}AlternateContent":
            branch = self.alternate_branch(el)
            if branch is not None:
                for child in branch:
                    if isinstance(child.tag, str):
                        self.graphics(child, ctx, para, pending)
            return
        if el.tag == w("drawing"):
            for holder in el:
                if isinstance(holder.tag, str) and holder.tag in (f"{{{WP}}}inline", f"{{{WP}}}anchor"):
                    self.dml_object(holder, ctx, para, pending)
            return
        # VML (w:pict / w:object): shapes, text boxes, watermark text paths, image data.
        for node in _own_nodes(el):
            q = etree.QName(node)
            if q.namespace == W and q.localname == "txbxContent":
                self.queue_txbx(node, ctx, pending)
            elif q.namespace == V and q.localname in {
                "line",
                "rect",
                "oval",
                "roundrect",
                "shape",
                "polyline",
            }:
                self.vml_shape(node, ctx, para, pending)
            elif q.namespace == V and q.localname == "imagedata":
                rid = node.get(f"{{{R}}}id") or node.get(f"{{{R}}}pict")
                if rid:
                    shape = node.getparent()
                    alt = shape.get("alt") if shape is not None else None
                    self.add_image(
                        ctx,
                        rid,
                        para,
                        kind="inline",
                        bbox=None,
                        description=node.get(f"{{{VO}}}title") or alt,
                    )
            elif q.namespace == VO and q.localname == "OLEObject":
                rid = node.get(f"{{{R}}}id")
                target = ctx.part.rels.get(rid or "", ("", "", False))[1]
                label = target or node.get("ProgID") or "OLE"
                if label not in self.doc.embedded_files:
                    self.doc.embedded_files.append(label)

    def queue_txbx(self, node: etree._Element, ctx: Ctx, pending: list[Callable[[], None]]) -> None:
        if node in self._seen_txbx:
            return
        self._seen_txbx.add(node)
        # The box's fill is the background behind its text (white text on a dark box is visible).
        background = self.txbx_fill(node)
        tctx = replace(
            ctx,
            kind=_txbx_kind(ctx.kind),
            source="w:txbxContent",
            revision=None,
            cell_shading=background if background is not None else ctx.cell_shading,
        )
        pending.append(lambda: self.walk_blocks(node, tctx))

    def txbx_fill(self, node: etree._Element) -> RGB | None:
        """Fill of the shape holding a text box (wps:wsp or VML), None when unknown/none."""
        for anc in node.iterancestors():
            if anc.tag == f"{{{WPS}}}wsp":
                return self.dml_shape_style(anc)[2]
            if isinstance(anc.tag, str) and etree.QName(anc).namespace == V and anc.tag != f"{{{V}}}textbox":
                if anc.get("filled", "t").lower() in {"f", "false"}:
                    return None
                fill = _vml_color(anc.get("fillcolor"))
                if fill is None:
                    fill_el = anc.find(f"{{{V}}}fill")
                    fill = _vml_color(fill_el.get("color")) if fill_el is not None else None
                return fill
            if anc.tag in (w("p"), w("body")):
                return None
        return None

    def dml_object(
        self, holder: etree._Element, ctx: Ctx, para: int, pending: list[Callable[[], None]]
    ) -> None:
        anchored = holder.tag == f"{{{WP}}}anchor"
        extent = holder.find(f"{{{WP}}}extent")
        cx = _int(extent.get("cx")) / EMU_PER_PT if extent is not None else 0.0
        cy = _int(extent.get("cy")) / EMU_PER_PT if extent is not None else 0.0
        bbox = None
        if anchored:
            x = self.anchor_offset(holder.find(f"{{{WP}}}positionH"), cx, horizontal=True)
            y = self.anchor_offset(holder.find(f"{{{WP}}}positionV"), cy, horizontal=False)
            bbox = (x, y, x + cx, y + cy)
        docpr = holder.find(f"{{{WP}}}docPr")
        description = None
        if docpr is not None:
            description = docpr.get("descr") or docpr.get("title") or None
        # Content of a text box inside this object (its own pictures, nested boxes) is read
        # when that text box is walked, so only this object's own nodes are looked at here.
        for node in _own_nodes(holder):
            if node.tag == f"{{{A}}}blip":
                rid = node.get(f"{{{R}}}embed") or node.get(f"{{{R}}}link")
                if rid:
                    kind = "anchored" if anchored else "inline"
                    self.add_image(ctx, rid, para, kind=kind, bbox=bbox, description=description)
            elif node.tag == f"{{{WPS}}}wsp":
                self.dml_shape(node, para, bbox or (0.0, 0.0, cx, cy), anchored)
            elif node.tag == w("txbxContent"):
                self.queue_txbx(node, ctx, pending)

    def anchor_offset(self, pos: etree._Element | None, size: float, *, horizontal: bool) -> float:
        if pos is None:
            return 0.0
        page = self.doc.pages[0] if self.doc.pages else None
        margins = page.margins if page and page.margins else (90.0, 72.0, 90.0, 72.0)
        page_size = (page.width, page.height) if page else A4
        rel = pos.get("relativeFrom", "")
        if horizontal:
            base, span = (
                (margins[0], page_size[0] - margins[0] - margins[2])
                if rel in {"margin", "column", "character", "insideMargin"}
                else (0.0, page_size[0])
            )
        else:
            base, span = (
                (margins[1], page_size[1] - margins[1] - margins[3])
                if rel in {"margin", "topMargin"}
                else (0.0, page_size[1])
            )
        off = pos.find(f"{{{WP}}}posOffset")
        if off is not None and off.text:
            return base + _int(off.text.strip()) / EMU_PER_PT
        align = pos.find(f"{{{WP}}}align")
        where = (align.text or "").strip() if align is not None else ""
        if where == "center":
            return base + (span - size) / 2
        if where in {"right", "bottom", "outside"}:
            return base + span - size
        return base

    def dml_shape_style(self, wsp: etree._Element) -> tuple[str | None, RGB | None, RGB | None, float]:
        """(geometry, stroke, fill, stroke width) of a wps:wsp: spPr first, then wps:style refs."""
        sppr = wsp.find(f"{{{WPS}}}spPr")
        geom = None
        stroke: RGB | None = None
        fill: RGB | None = None
        width = 0.75
        stroke_set = fill_set = False
        if sppr is not None:
            prst = sppr.find(f"{{{A}}}prstGeom")
            geom = (
                prst.get("prst")
                if prst is not None
                else ("custom" if sppr.find(f"{{{A}}}custGeom") is not None else None)
            )
            if sppr.find(f"{{{A}}}noFill") is not None:
                fill_set = True
            solid = sppr.find(f"{{{A}}}solidFill")
            if solid is not None:
                fill, fill_set = self.dml_color(solid), True
            ln = sppr.find(f"{{{A}}}ln")
            if ln is not None:
                if ln.get("w"):
                    width = _int(ln.get("w")) / EMU_PER_PT
                if ln.find(f"{{{A}}}noFill") is not None:
                    stroke_set = True
                lsolid = ln.find(f"{{{A}}}solidFill")
                if lsolid is not None:
                    stroke, stroke_set = self.dml_color(lsolid), True
        style = wsp.find(f"{{{WPS}}}style")
        if style is not None:
            ln_ref = style.find(f"{{{A}}}lnRef")
            if not stroke_set and ln_ref is not None and _int(ln_ref.get("idx")) > 0:
                stroke = self.dml_color(ln_ref)
            fill_ref = style.find(f"{{{A}}}fillRef")
            if not fill_set and fill_ref is not None and _int(fill_ref.get("idx")) > 0:
                fill = self.dml_color(fill_ref)
        return geom, stroke, fill, width

    def dml_shape(
        self, wsp: etree._Element, para: int, bbox: tuple[float, float, float, float], anchored: bool
    ) -> None:
        geom, stroke, fill, width = self.dml_shape_style(wsp)
        if wsp.find(f"{{{WPS}}}txbx") is not None and geom is None:
            geom = "rect"
        kind = "line" if geom in LINE_GEOMETRIES else "shape"
        self.doc.drawings.append(
            Drawing(
                page=1,
                kind=kind,
                bbox=bbox,
                stroke=stroke,
                fill=fill,
                width=width,
                source=f"wps:wsp:{geom or 'shape'}" + (":anchored" if anchored else ":inline"),
                paragraph=para,
            )
        )

    def dml_color(self, holder: etree._Element) -> RGB | None:
        for el in holder:
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            col: RGB | None = None
            if name == "srgbClr":
                col = rgb_from_hex(el.get("val"))
            elif name == "schemeClr":
                col = self.theme_color(el.get("val", ""))
            elif name == "sysClr":
                col = rgb_from_hex(el.get("lastClr"))
            elif name == "prstClr":
                col = NAMED_COLORS.get((el.get("val") or "").lower())
            if col is None:
                continue
            for mod in el:
                if not isinstance(mod.tag, str):
                    continue
                mname, val = etree.QName(mod).localname, _int(mod.get("val"), 100000) / 100000.0
                if mname == "lumMod":
                    col = (round(col[0] * val), round(col[1] * val), round(col[2] * val))
                elif mname == "lumOff":
                    col = tuple(min(255, round(c + 255 * val)) for c in col)  # type: ignore[assignment]
                elif mname == "shade":
                    col = (round(col[0] * val), round(col[1] * val), round(col[2] * val))
                elif mname == "tint":
                    col = tuple(round(c * val + 255 * (1 - val)) for c in col)  # type: ignore[assignment]
            return col
        return None

    def vml_shape(self, node: etree._Element, ctx: Ctx, para: int, pending: list[Callable[[], None]]) -> None:
        name = etree.QName(node).localname
        style = _css(node.get("style", ""))
        textpath = node.find(f"{{{V}}}textpath")
        if textpath is not None and textpath.get("string"):
            # WordArt, e.g. the "内部资料 注意保密" watermark in a header: its own paragraph.
            text = textpath.get("string", "")
            color = _vml_color(node.get("fillcolor"))
            tctx = replace(ctx, kind=_txbx_kind(ctx.kind), source="v:textpath", revision=None)
            props = RunProps(color=color, color_set=True)
            pending.append(lambda: self.emit(text, tctx, props, ParaProps(), self.new_paragraph()))
            return
        if (
            name == "shape"
            and node.find(f"{{{V}}}imagedata") is not None
            and node.find(f"{{{V}}}textbox") is None
        ):
            return  # a picture frame: the image is reported by v:imagedata
        stroked = node.get("stroked", "t").lower() not in {"f", "false"}
        filled = node.get("filled", "t" if name != "line" else "f").lower() not in {"f", "false"}
        stroke = _vml_color(node.get("strokecolor")) if stroked else None
        if stroked and stroke is None:
            stroke_el = node.find(f"{{{V}}}stroke")
            stroke = _vml_color(stroke_el.get("color")) if stroke_el is not None else None
            if stroke is None:
                stroke = (0, 0, 0)
        fill = _vml_color(node.get("fillcolor")) if filled else None
        if filled and fill is None:
            fill_el = node.find(f"{{{V}}}fill")
            fill = _vml_color(fill_el.get("color")) if fill_el is not None else (255, 255, 255)
        width = _parse_length(node.get("strokeweight")) or 0.75
        x = _parse_length(style.get("margin-left") or style.get("left")) or 0.0
        y = _parse_length(style.get("margin-top") or style.get("top")) or 0.0
        wdt = _parse_length(style.get("width")) or 0.0
        hgt = _parse_length(style.get("height")) or 0.0
        if name == "line":
            p0 = [_parse_length(v) or 0.0 for v in (node.get("from", "0,0").split(",") + ["0"])[:2]]
            p1 = [_parse_length(v) or 0.0 for v in (node.get("to", "0,0").split(",") + ["0"])[:2]]
            bbox = (
                min(p0[0], p1[0]) + x,
                min(p0[1], p1[1]) + y,
                max(p0[0], p1[0]) + x,
                max(p0[1], p1[1]) + y,
            )
            kind = "line"
        else:
            bbox = (x, y, x + wdt, y + hgt)
            kind = "shape"
        self.doc.drawings.append(
            Drawing(
                page=1,
                kind=kind,
                bbox=bbox,
                stroke=stroke,
                fill=fill,
                width=width,
                source=f"v:{name}",
                paragraph=para,
            )
        )

    def add_image(
        self,
        ctx: Ctx,
        rid: str,
        para: int,
        *,
        kind: str,
        bbox: tuple[float, float, float, float] | None,
        description: str | None,
    ) -> None:
        rel = ctx.part.rels.get(rid)
        if rel is None:
            return
        _typ, target, external = rel
        loader: Callable[[], bytes] | None = None
        width = height = 0
        if not external and target in self.names:
            loader = _loader(self.zf, target)
            width, height = self.media_size(target)
        self.doc.images.append(
            ImageItem(
                page=1,
                bbox=bbox,
                width=width,
                height=height,
                name=rid,
                kind=kind,
                loader=loader,
                description=description,
                paragraph=para,
            )
        )

    def media_size(self, target: str) -> tuple[int, int]:
        if target not in self._media_sizes:
            size = (0, 0)
            try:
                from PIL import Image

                with Image.open(io.BytesIO(self.read(target) or b"")) as img:
                    size = img.size
            except Exception:  # EMF/WMF/SVG or a broken picture: size unknown, not fatal
                size = (0, 0)
            self._media_sizes[target] = size
        return self._media_sizes[target]

    # -- other parts ------------------------------------------------------------------------
    def page_setup(self, body: etree._Element) -> None:
        first = None
        for el in body.iter(w("sectPr")):
            first = el
            break
        width, height = A4
        margins = None
        if first is not None:
            pgsz = first.find(w("pgSz"))
            if pgsz is not None:
                width = _int(pgsz.get(w("w")), round(A4[0] * 20)) / TWIPS_PER_PT
                height = _int(pgsz.get(w("h")), round(A4[1] * 20)) / TWIPS_PER_PT
            mar = first.find(w("pgMar"))
            if mar is not None:
                margins = (
                    (_int(mar.get(w("left"))) + _int(mar.get(w("gutter")))) / TWIPS_PER_PT,
                    abs(_int(mar.get(w("top")))) / TWIPS_PER_PT,
                    _int(mar.get(w("right"))) / TWIPS_PER_PT,
                    abs(_int(mar.get(w("bottom")))) / TWIPS_PER_PT,
                )
        page = Page(number=1, width=width, height=height, unit="pt", margins=margins)
        self.doc.pages.append(page)
        x0, _y0, x1, _y1 = page.text_area
        self.text_width = max(x1 - x0, 0.0)

    def headers_footers(self) -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for kind in ("header", "footer"):
            for sect in self.sect_prs:
                for ref in sect.findall(w(f"{kind}Reference")):
                    rid = ref.get(f"{{{R}}}id")
                    rel = self.main.rels.get(rid or "") if self.main is not None else None
                    if rel is None or rel[2] or rel[1] in seen:
                        continue
                    seen.add(rel[1])
                    yield kind, rel[1]

    def notes(self) -> None:
        for typ, target, external in self.main.rels.values() if self.main is not None else ():
            if typ not in {"footnotes", "endnotes"} or external:
                continue
            part = self.load_part(target)
            if part is None:
                continue
            for note in part.root:
                if not isinstance(note.tag, str) or note.get(w("type")) in {
                    "separator",
                    "continuationSeparator",
                    "continuationNotice",
                }:
                    continue
                self.walk_blocks(note, Ctx(part=part, kind=BlockKind.BODY, source=f"w:{typ[:-1]}"))

    def comments(self) -> None:
        rels = self.main.rels.values() if self.main is not None else ()
        target = next((t for typ, t, ext in rels if typ == "comments" and not ext), None)
        part = self.load_part(target) if target else None
        if part is None:
            return
        for com in part.root.iter(w("comment")):
            cid = com.get(w("id"), "")
            anchor = self.comment_anchors.get(cid)
            info = [f"w:comment;id={cid}"]
            if anchor is not None:
                info.append(f"paragraph={anchor.paragraph}")
                if anchor.end_paragraph != anchor.paragraph:
                    info.append(f"end_paragraph={anchor.end_paragraph}")
            initials = com.get(w("initials"))
            if initials:
                info.append(f"initials={initials}")
            source = ";".join(info)
            ctx = Ctx(
                part=part,
                kind=BlockKind.COMMENT,
                source=source,
            )
            first = len(self.doc.blocks)
            self.walk_blocks(com, ctx)
            for block in self.doc.blocks[first:]:
                block.author = com.get(w("author")) or None
                block.date = com.get(w("date")) or None
                if block.kind == BlockKind.COMMENT:
                    block.source = source

    def metadata(self) -> None:
        meta: dict[str, str] = {}
        core = self.parse("docProps/core.xml")
        if core is not None:
            for tag, key in (
                (f"{{{DC}}}creator", "author"),
                (f"{{{CP}}}lastModifiedBy", "last_modified_by"),
                (f"{{{DC}}}title", "title"),
                (f"{{{DC}}}subject", "subject"),
                (f"{{{CP}}}keywords", "keywords"),
                (f"{{{DC}}}description", "comments"),
                (f"{{{CP}}}category", "category"),
                (f"{{{CP}}}contentStatus", "content_status"),
                (f"{{{DCTERMS}}}created", "created"),
                (f"{{{DCTERMS}}}modified", "modified"),
                (f"{{{CP}}}lastPrinted", "last_printed"),
                (f"{{{CP}}}revision", "revision"),
            ):
                el = core.find(tag)
                if el is not None and (el.text or "").strip():
                    meta[key] = el.text.strip()
        app = self.parse("docProps/app.xml")
        if app is not None:
            for tag, key in (
                ("Company", "company"),
                ("Manager", "manager"),
                ("Template", "template"),
                ("Application", "application"),
                ("AppVersion", "app_version"),
            ):
                el = app.find(f"{{{EP}}}{tag}")
                if el is not None and (el.text or "").strip():
                    meta[key] = el.text.strip()
        custom = self.parse("docProps/custom.xml")
        if custom is not None:
            for prop in custom.iter(f"{{{CUSTOM}}}property"):
                pname = prop.get("name")
                values = [c for c in prop if isinstance(c.tag, str)]
                if not pname or len(values) != 1 or len(values[0]) or not (values[0].text or "").strip():
                    continue  # only simple scalar values (lpwstr, i4, bool, filetime ...)
                meta[f"custom:{pname}"] = values[0].text.strip()
        self.doc.metadata.update(meta)
        for key, value in meta.items():
            if key in _NO_BLOCK_FIELDS:
                continue
            para = self.new_paragraph()
            self.doc.blocks.append(
                TextBlock(
                    text=value,
                    page=0,
                    kind=BlockKind.METADATA,
                    field_name=key,
                    paragraph=para,
                    source="docProps",
                )
            )

    def package_extras(self) -> None:
        for name in sorted(self.names):
            low = name.lower()
            if low.startswith("word/embeddings/") and not low.endswith("/"):
                if name not in self.doc.embedded_files:
                    self.doc.embedded_files.append(name)
            elif low.endswith("vbaproject.bin"):
                self.doc.scripts.append(f"[VBA] {name}")

    # -- entry ------------------------------------------------------------------------------
    def run_all(self) -> Document:
        main_name = self.main_part_name()
        if main_name not in self.names:
            raise CorruptFile("文件已损坏：缺少 Word 正文部件（word/document.xml）。")
        main = self.load_part(main_name, required=True)
        assert main is not None
        self.main = main
        body = main.root.find(w("body"))
        if body is None:
            raise CorruptFile("文件已损坏：Word 正文部件中没有 w:body。")
        self.load_theme(main)
        self.load_styles(main)
        self.page_setup(body)
        self.walk_blocks(body, Ctx(part=main))
        self.notes()
        for kind, target in self.headers_footers():
            part = self.load_part(target)
            if part is None:
                continue
            block_kind = BlockKind.HEADER if kind == "header" else BlockKind.FOOTER
            self.walk_blocks(part.root, Ctx(part=part, kind=block_kind, source=f"w:{kind}:{target}"))
        n_blocks_before_comments = len(self.doc.blocks)
        self.comments()
        self.metadata()
        self.package_extras()
        self.doc.finalize()
        self.anchor_ranges(n_blocks_before_comments)
        return self.doc

    def anchor_ranges(self, first_comment_block: int) -> None:
        """Now that offsets exist, record each comment's anchored text range in its blocks'
        `source` ("range=start-end" in `doc.text`), so detectors can point at the commented
        passage without re-reading the XML."""
        blocks = self.doc.blocks

        def offset(pos: tuple[int, int] | None, *, is_start: bool) -> int | None:
            if pos is None:
                return None
            idx, ch = pos
            if idx < 0:
                return blocks[0].start if blocks else 0
            block = blocks[idx]
            if is_start and ch >= len(block.text) and idx + 1 < len(blocks):
                return blocks[idx + 1].start
            return block.start + ch

        ranges: dict[str, str] = {}
        for cid, anchor in self.comment_anchors.items():
            start = offset(anchor.start_pos, is_start=True)
            end = offset(anchor.end_pos, is_start=False)
            if start is not None and end is not None and end >= start:
                ranges[cid] = f"range={start}-{end}"
        for block in blocks[first_comment_block:]:
            if block.kind != BlockKind.COMMENT or not block.source:
                continue
            m = re.match(r"w:comment;id=([^;]*)", block.source)
            if m and m.group(1) in ranges:
                block.source += ";" + ranges[m.group(1)]


def _txbx_kind(kind: BlockKind) -> BlockKind:
    """Text boxes in a header stay HEADER text (watermarks, running heads drawn as boxes)."""
    return kind if kind in (BlockKind.HEADER, BlockKind.FOOTER, BlockKind.COMMENT) else BlockKind.TEXT_BOX


def _children(el: etree._Element, local: str) -> Iterator[etree._Element]:
    """Direct children named w:<local>, looking through sdt/customXml wrappers."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == w(local):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from _children(content, local)


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    yield from _children(tr, "tc")


def _own_nodes(root: etree._Element) -> Iterator[etree._Element]:
    """Descendants of `root` in document order, not descending into w:txbxContent (yielded
    itself, its content belongs to the text box) nor into the unused branch of
    mc:AlternateContent."""
    for child in root:
        if not isinstance(child.tag, str):
            continue
        yield child
        if child.tag == w("txbxContent"):
            continue
        if child.tag == f"{{{MC}}}AlternateContent":
            choice = child.find(f"{{{MC}}}Choice")
            branch = choice if choice is not None else child.find(f"{{{MC}}}Fallback")
            if branch is not None:
                yield from _own_nodes(branch)
            continue
        yield from _own_nodes(child)


def _css(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        if ":" in part:
            k, _, v = part.partition(":")
            out[k.strip().lower()] = v.strip()
    return out


def _int_hex(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


def _loader(zf: zipfile.ZipFile, target: str) -> Callable[[], bytes]:
    def load() -> bytes:
        return zf.read(target)

    return load


def extract_docx(data: bytes, name: str, config: ScanConfig) -> Document:
    """Read a DOCX/DOCM/DOTX package into a finalized `Document` (see module docstring)."""
    check_zip_limits(data, config.limits)
    return _Reader(data, name, config).run_all()


def trace_docx(data: bytes, name: str, config: ScanConfig) -> tuple[Document, DocxTrace]:
    """`extract_docx` plus the back-references of `DocxTrace` (for pubguard.clean)."""
    check_zip_limits(data, config.limits)
    reader = _Reader(data, name, config)
    reader.trace = DocxTrace()
    doc = reader.run_all()
    return doc, reader.trace


__all__ = ["extract_docx", "trace_docx", "DocxTrace"]
