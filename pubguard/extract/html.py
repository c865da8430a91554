"""HTML (site pages) -> `Document`, with the lexbor parser (lenient: malformed HTML never raises).

What a reviewer must see is what a visitor of the page sees *and* what the page carries without
showing: text hidden by CSS, white-on-white text, commented-out old content (a roster left in
`<!-- -->` is still published), alt/title texts, attachments linked from the page.

Layout of the result:
- visible text: one paragraph per block element (`<p>`, `<div>`, `<li>` ...) and per `<br>`;
  inline elements join their paragraph (several blocks, same paragraph id, when the style
  changes inside it);
- tables: TABLE_CELL blocks with table (0-based, document order), row and col (0-based, grid
  position with colspan/rowspan) and field_name = the column header (`<th>` row, or a first
  row of mostly non-numeric text), or the `<th>` to the left in key/value rows;
- hidden text: hidden=True and source="html:<reason>" (display:none, visibility:hidden,
  hidden_attr, font-size:0, opacity:0, white_text, same_as_background, transparent_text,
  offscreen, zero_size) from the computed style: inline styles, the `hidden` attribute and
  the page's `<style>` sheets (and, in a folder or site scan, the local files its
  `<link rel="stylesheet">` name, read inside the scanned root only: pubguard.extract.local), parsed by tinycss2 and matched by lexbor's selector engine, in
  cascade order (!important, specificity, source order; colours and visibility inherited).
  aria-hidden is an accessibility hint, not concealment, and is ignored;
- red rules: an `<hr>` or a block with a red top/bottom border -> a Drawing (kind "border",
  paragraph = the element's paragraph), like a DOCX paragraph border, for the 红头 detector;
- comments: COMMENT blocks, one per line; commented-out markup is reduced to its text;
  IE conditional comments are skipped;
- alt/title attributes: ALT_TEXT blocks (field_name "alt"/"title"); `<img>` -> ImageItem
  anchored to its paragraph;
- `<title>` and meta description/keywords/author (+ the 政府网站 metadata such as ArticleTitle,
  PubDate, ContentSource) -> METADATA blocks (page 0) and doc.metadata;
- links -> doc.links (absolute when the page URL or `<base href>` is known);
- inline `<script>` text -> doc.scripts; `<style>`, `<noscript>`, `<template>` are not text;
- navigation menus (`<nav>`, role="navigation"): plain short link labels are links only, not
  page text (see `_menu_label`); anything else inside a menu stays text.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

import cssselect2
import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pubguard.colour import indistinguishable
from pubguard.config import ScanConfig
from pubguard.document import (
    RGB,
    BlockKind,
    Document,
    Drawing,
    ImageItem,
    Link,
    Page,
    TextBlock,
    is_red,
    is_white,
)
from pubguard.extract.local import LocalFiles
from pubguard.extract.text import decode_text

_BLOCK_TAG_NAMES = """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody thead tfoot tr td th ul option
    optgroup select textarea"""
BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
# Never rendered as text: scripts, styles, fallback content and inert templates.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "link", "base", "object", "iframe"})
HEADING_PT = {"h1": 24.0, "h2": 18.0, "h3": 14.0, "h4": 12.0, "h5": 10.0, "h6": 8.0}
FONT_SIZE_ATTR_PT = {1: 7.5, 2: 10.0, 3: 12.0, 4: 13.5, 5: 18.0, 6: 24.0, 7: 36.0}
DEFAULT_PT = 12.0

# 政府网站 metadata (《政府网站发展指引》) and the usual meta names; keys are lower-cased.
META_NAMES = (
    "description",
    "keywords",
    "author",
    "articletitle",
    "pubdate",
    "contentsource",
    "columnname",
    "sitename",
)

ATTACHMENT_EXTS = "pdf|docx?|xlsx?|xlsm|wps|et|dps|zip|rar|7z|ofd|csv|pptx?|txt"
_ATTACH_URL_RE = re.compile(rf"\.(?:{ATTACHMENT_EXTS})(?:$|[?#&;])", re.I)
_ATTACH_TEXT_RE = re.compile(rf"\.(?:{ATTACHMENT_EXTS})(?![a-z0-9])", re.I)

_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENC_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_ASCII_WS = " \t\n\r\f"
_WS_RUN_RE = re.compile(r"[ \t\n\r\f]+")
_MARKUP_RE = re.compile(r"<[A-Za-z/!]")

UNKNOWN_BG: RGB = (-1, -1, -1)  # background image or unparsable: colour comparison impossible
WHITE: RGB = (255, 255, 255)
TRANSPARENT = "transparent"

NAMED_COLORS: dict[str, RGB] = {
    "white": WHITE,
    "snow": (255, 250, 250),
    "whitesmoke": (245, 245, 245),
    "ivory": (255, 255, 240),
    "ghostwhite": (248, 248, 255),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "darkred": (139, 0, 0),
    "crimson": (220, 20, 60),
    "maroon": (128, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "navy": (0, 0, 128),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "yellow": (255, 255, 0),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
}


# -- CSS ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compound:
    """An enclosing element (tag, id, classes), kept on the context for structural checks."""

    tag: str | None
    id: str | None
    classes: frozenset[str]


_TRACKED_NAMES = """display visibility font-size opacity color background background-color background-image
    text-indent left top position height width overflow font-weight text-align
    border border-top border-bottom border-color border-top-color border-bottom-color"""
_TRACKED = frozenset(_TRACKED_NAMES.split())
# Selectors that never match what a visitor sees by default: user-action states and
# pseudo-elements (generated content is not page text).
_STATEFUL_RE = re.compile(
    r"::|:(?:hover|focus|focus-within|focus-visible|active|visited|target|before|after|"
    r"first-line|first-letter|selection|placeholder|marker)\b",
    re.I,
)


def _declarations(content: list | str) -> list[tuple[str, str, bool]]:
    """(property, value, important) of the tracked properties, in source order (tinycss2)."""
    out = []
    for d in tinycss2.parse_declaration_list(content, skip_whitespace=True, skip_comments=True):
        if d.type == "declaration" and d.lower_name in _TRACKED:
            out.append((d.lower_name, tinycss2.serialize(d.value).strip().lower(), d.important))
    return out


@dataclass(frozen=True, slots=True)
class _SheetRule:
    selector: str  # one selector of a selector list, as lexbor will match it
    specificity: tuple[int, int, int]
    decls: tuple[tuple[str, str, bool], ...]


def _split_selectors(prelude: list) -> list[str]:
    parts: list[list] = [[]]
    for tok in prelude:
        if tok.type == "literal" and tok.value == ",":
            parts.append([])
        else:
            parts[-1].append(tok)
    return [tinycss2.serialize(p).strip() for p in parts]


@lru_cache(maxsize=512)
def parse_css(css: str) -> tuple[_SheetRule, ...]:
    """Style rules of a stylesheet (tinycss2), one per selector, with their specificity
    (cssselect2). @-rules (media queries, imports) are skipped because a rule that hides text
    on small screens or in print is not concealment. Cached: a site repeats its styles."""
    rules: list[_SheetRule] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        decls = tuple(_declarations(rule.content))
        if not decls:
            continue
        for text in _split_selectors(rule.prelude):
            if not text or _STATEFUL_RE.search(text):
                continue
            try:
                compiled = cssselect2.compile_selector_list(text)
            except cssselect2.SelectorError:
                continue
            if compiled:
                rules.append(_SheetRule(text, compiled[0].specificity, decls))
    return tuple(rules)


class _StyleSheet:
    """The cascade of a page's `<style>` sheets: each selector matched by lexbor's own selector
    engine (in C) over the parsed page; per element the declarations in cascade order —
    normal before !important, then specificity, then source order. Inline styles are merged
    by `declarations` (inline normal beats sheet normal, sheet !important beats inline normal)."""

    def __init__(self, parser: LexborHTMLParser | None = None, sheets: list[str] | None = None):
        self.normal: dict[int, dict[str, str]] = {}
        self.important: dict[int, dict[str, str]] = {}
        if parser is None or not sheets:
            return
        matched: dict[int, list[tuple[tuple, str, str, bool]]] = {}
        order = 0
        for css in sheets:
            for rule in parse_css(css):
                order += 1
                try:
                    nodes = parser.css(rule.selector)
                except Exception:  # a selector lexbor does not support: no element matches
                    continue
                for node in nodes:
                    entries = matched.setdefault(node.mem_id, [])
                    for name, value, imp in rule.decls:
                        entries.append(((rule.specificity, order), name, value, imp))
        for key, entries in matched.items():
            entries.sort(key=lambda e: e[0])
            normal = {n: v for _, n, v, imp in entries if not imp}
            important = {n: v for _, n, v, imp in entries if imp}
            if normal:
                self.normal[key] = normal
            if important:
                self.important[key] = important

    def declarations(self, node: LexborNode, style: str | None) -> dict[str, str]:
        key = node.mem_id
        sheet_normal = self.normal.get(key)
        sheet_important = self.important.get(key)
        if not style and sheet_important is None:
            return sheet_normal or {}
        inline_normal: dict[str, str] = {}
        inline_important: dict[str, str] = {}
        if style:
            for name, value, imp in _declarations(style):
                (inline_important if imp else inline_normal)[name] = value
        return {**(sheet_normal or {}), **inline_normal, **(sheet_important or {}), **inline_important}


@dataclass(frozen=True, slots=True)
class _Ancestors:
    """Linked list of enclosing elements, innermost first: O(1) to extend, so deeply nested
    markup stays linear (a tuple copied per level would be quadratic)."""

    compound: _Compound
    parent: _Ancestors | None

    def __iter__(self):  # noqa: ANN204
        node: _Ancestors | None = self
        while node is not None:
            yield node.compound
            node = node.parent


def parse_color(value: str | None) -> RGB | str | None:
    """CSS/HTML colour -> RGB, TRANSPARENT, or None when absent/unknown."""
    if not value:
        return None
    v = value.strip().lower()
    if v in NAMED_COLORS:
        return NAMED_COLORS[v]
    if v == "transparent":
        return TRANSPARENT
    if v.startswith("#") or re.fullmatch(r"[0-9a-f]{6}", v):
        h = v.lstrip("#")
        if len(h) in (4, 8):  # with alpha
            alpha = h[-1:] if len(h) == 4 else h[-2:]
            if int(alpha, 16) == 0:
                return TRANSPARENT
            h = h[:-1] if len(h) == 4 else h[:-2]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        if len(h) == 6:
            try:
                return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
            except ValueError:
                return None
        return None
    m = re.match(
        r"rgba?\(\s*([\d.]+)%?\s*[, ]\s*([\d.]+)%?\s*[, ]\s*([\d.]+)%?\s*(?:[,/]\s*([\d.]+%?))?\s*\)", v
    )
    if m:
        if m.group(4) is not None:
            a = m.group(4)
            opacity = float(a[:-1]) / 100 if a.endswith("%") else float(a)
            if opacity <= 0.01:
                return TRANSPARENT
        try:
            r, g, b = (min(255, int(float(m.group(k)))) for k in (1, 2, 3))
        except ValueError:
            return None
        return (r, g, b)
    return None


def _background(decls: dict[str, str]) -> RGB | str | None:
    value = decls.get("background-color") or decls.get("background")
    if decls.get("background-image", "none") not in ("", "none") or (value and "url(" in value):
        return UNKNOWN_BG
    if not value:
        return None
    for token in re.split(r"\s+(?![^(]*\))", value):
        c = parse_color(token)
        if c is not None:
            return c
    return None


_NO_BORDER_RE = re.compile(r"(?:^|\s)(?:none|hidden|0+(?:\.0+)?(?:px|pt|em)?)(?:\s|$)")


def _border_colour(value: str | None) -> RGB | None:
    """The colour in a border shorthand or colour value (`2px solid #c00`); None when the border
    is not drawn (none/hidden style, zero width) or names no colour."""
    if not value or _NO_BORDER_RE.search(value.strip()):
        return None
    for token in re.split(r"\s+(?![^(]*\))", value.strip()):
        c = parse_color(token)
        if isinstance(c, tuple):
            return c
    return None


def red_rule_colour(tag: str, attrs: dict, decls: dict[str, str]) -> RGB | None:
    """A red horizontal rule drawn by this element: an `<hr>` coloured red (border, background,
    `color` attribute) or a block with a red top or bottom border (the 红头's 分隔线 set by a
    stylesheet class). A full box border is a frame, not a rule."""
    candidates: list[RGB | str | None] = []
    if tag == "hr":
        props = (
            "border-top",
            "border-bottom",
            "border",
            "border-top-color",
            "border-bottom-color",
            "border-color",
        )
        candidates += [_border_colour(decls.get(prop)) for prop in props]
        candidates += [_background(decls), parse_color(attrs.get("color")), parse_color(decls.get("color"))]
    else:
        for side in ("border-bottom", "border-top"):
            value = decls.get(side)
            if not value or _NO_BORDER_RE.search(value):
                continue
            candidates.append(
                _border_colour(value)
                or _border_colour(decls.get(f"{side}-color") or decls.get("border-color"))
            )
    for c in candidates:
        if isinstance(c, tuple) and c != UNKNOWN_BG and is_red(c):
            return c
    return None


def _length_px(value: str, parent_pt: float) -> float | None:
    """CSS length in px (pt * 4/3); None if not a simple length."""
    m = re.match(r"^(-?[\d.]+)\s*(px|pt|em|rem|%|)$", value.strip())
    if not m:
        return None
    try:
        num = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2)
    if unit == "pt":
        return num * 4 / 3
    if unit == "em":
        return num * parent_pt * 4 / 3
    if unit == "rem":
        return num * DEFAULT_PT * 4 / 3
    if unit == "%":
        return num / 100 * parent_pt * 4 / 3
    return num


# -- walking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    table: int
    row: int
    col: int
    field_name: str | None


@dataclass(frozen=True, slots=True)
class _Ctx:
    hidden: str | None = None
    color: RGB | str | None = None
    bg: RGB | str | None = None
    font_pt: float | None = None
    bold: bool = False
    align: str | None = None
    cell: _Cell | None = None
    pre: bool = False
    ancestors: _Ancestors | None = None
    nav: bool = False  # inside <nav> / role="navigation"
    region: int = -1  # the display:none element this text is hidden by (see `reveal_main_content`)


@dataclass(slots=True)
class _Seg:
    text: str
    ctx: _Ctx
    hidden: str | None


@dataclass
class _Table:
    index: int
    row: int = -1
    cursor: int = 0
    occupied: set[tuple[int, int]] = field(default_factory=set)
    headers: dict[int, str] = field(default_factory=dict)
    has_th: bool = False
    row_cells: list[tuple[int, int, str, bool]] = field(default_factory=list)  # col, span, text, th
    row_th_text: str | None = None


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and not ("\uac00" <= ch <= "\ud7af")


def collapse_segments(texts: list[str]) -> list[str]:
    """Collapse runs of ASCII whitespace to one space across inline pieces, trim the ends, and
    drop a source line break next to a CJK character instead of turning it into a space
    (Chinese has no inter-word spaces: "公\\n示" must read "公示")."""
    owners: list[int] = []
    chars: list[str] = []
    for k, t in enumerate(texts):
        chars.extend(t)
        owners.extend([k] * len(t))
    out: list[list[str]] = [[] for _ in texts]
    last: str | None = None
    i, n = 0, len(chars)
    while i < n:
        c = chars[i]
        if c in _ASCII_WS:
            j = i
            while j < n and chars[j] in _ASCII_WS:
                j += 1
            nxt = chars[j] if j < n else None
            if last is not None and nxt is not None:
                has_break = any(chars[m] in "\n\r" for m in range(i, j))
                if not (has_break and (_is_wide(last) or _is_wide(nxt))):
                    out[owners[i]].append(" ")
                    last = " "
            i = j
            continue
        out[owners[i]].append(c)
        last = c
        i += 1
    return ["".join(o) for o in out]


def collapse(text: str) -> str:
    return collapse_segments([text])[0]


def _is_numeric_like(text: str) -> bool:
    return bool(re.fullmatch(r"[\s\d.,:/\-+%¥￥元]*\d[\s\d.,:/\-+%¥￥元xX]*", text))


class _Walker:
    def __init__(self, doc: Document, sheet: _StyleSheet, base: str | None, next_par: int = 0):
        self.doc = doc
        self.sheet = sheet
        self.base = base
        self.next_par = next_par
        self.last_par = -1
        self.segs: list[_Seg] = []
        self.deferred: list[TextBlock] = []
        self.pending_images: list[ImageItem] = []
        self.tables: list[_Table] = []
        self.table_count = 0
        self.main_title = ""  # the article's title, whitespace removed (see `reveal_main_content`)
        self.region_count = 0
        self.regions: dict[int, list[TextBlock]] = {}  # display:none element -> its text blocks

    # -- paragraphs --
    def _new_par(self) -> int:
        pid = self.next_par
        self.next_par += 1
        self.last_par = pid
        return pid

    def flush(self) -> None:
        texts = collapse_segments([s.text for s in self.segs]) if self.segs else []
        pieces = [(t, s) for t, s in zip(texts, self.segs, strict=True) if t]
        par_id: int | None = None
        if pieces:
            par_id = self._new_par()
            prev: TextBlock | None = None
            prev_key: tuple | None = None
            for text, seg in pieces:
                key = (seg.hidden, seg.ctx.color, seg.ctx.bg, seg.ctx.font_pt, seg.ctx.bold, seg.ctx.cell)
                if prev is not None and key == prev_key:
                    prev.text += text
                    continue
                prev = self._block(text, seg.ctx, seg.hidden, par_id)
                prev_key = key
                self.doc.blocks.append(prev)
        self.segs = []
        anchor = par_id
        for block in self.deferred:
            block.paragraph = self._new_par()
            if anchor is None and block.kind == BlockKind.ALT_TEXT:
                anchor = block.paragraph
            self.doc.blocks.append(block)
        self.deferred = []
        for img in self.pending_images:
            img.paragraph = anchor if anchor is not None else max(self.last_par, 0)
        self.pending_images = []

    def reveal_main_content(self) -> None:
        """A page whose article is shown by its scripts: the wrapper holding the article is
        display:none in the stylesheet (`#contentwrap{display:none}` + `$(".contentwrap").show()`,
        often twice: the normal and the 长者/elder-mode copy), and the article's title is nowhere
        visible. Like an anti-flicker `body{display:none}`, every visitor sees that text, so it
        is not concealed: a display:none element holding the title and a whole article
        (>= MAIN_CONTENT_CHARS) is shown. A hidden old version or list next to a visible article
        stays hidden (the title is visible), and so does a hidden block without the title."""
        title = self.main_title
        if not title or not self.regions:
            return
        visible = "".join(
            _squash_ws(b.text)
            for b in self.doc.blocks
            if not b.hidden and b.kind in (BlockKind.BODY, BlockKind.TABLE_CELL)
        )
        if title in visible:
            return
        for blocks in self.regions.values():
            text = "".join(_squash_ws(b.text) for b in blocks)
            if title in text and len(text) >= MAIN_CONTENT_CHARS:
                for b in blocks:
                    if b.source == "html:display:none":
                        b.hidden, b.source = False, None

    def _block(self, text: str, ctx: _Ctx, hidden: str | None, par: int) -> TextBlock:
        block = self._make_block(text, ctx, hidden, par)
        if hidden == "display:none" and ctx.region >= 0:
            self.regions.setdefault(ctx.region, []).append(block)
        return block

    def _make_block(self, text: str, ctx: _Ctx, hidden: str | None, par: int) -> TextBlock:
        cell = ctx.cell
        color = ctx.color if isinstance(ctx.color, tuple) else None
        bg = ctx.bg if isinstance(ctx.bg, tuple) and ctx.bg != UNKNOWN_BG else None
        return TextBlock(
            text=text,
            page=1,
            kind=BlockKind.TABLE_CELL if cell else BlockKind.BODY,
            font_size=ctx.font_pt,
            color=color,
            bold=ctx.bold,
            hidden=hidden is not None,
            alignment=ctx.align,
            paragraph=par,
            field_name=cell.field_name if cell else None,
            row=cell.row if cell else None,
            col=cell.col if cell else None,
            table=cell.table if cell else None,
            highlight=bg if bg and bg != WHITE else None,
            source=f"html:{hidden}" if hidden else None,
        )

    def add_text(self, text: str, ctx: _Ctx) -> None:
        hidden = ctx.hidden or _color_hidden(ctx)
        if ctx.pre:
            lines = text.replace("\r\n", "\n").split("\n")
            for k, line in enumerate(lines):
                if k:
                    self.flush()
                if line.strip():
                    self.segs.append(_Seg(line.replace(" ", "\u00a0").replace("\t", "\u00a0"), ctx, hidden))
            return
        self.segs.append(_Seg(text, ctx, hidden))

    def defer(self, text: str, kind: BlockKind, ctx: _Ctx | None, field_name: str, source: str) -> None:
        text = collapse(text)
        if not text:
            return
        hidden = (ctx.hidden or None) if ctx else None
        self.deferred.append(
            TextBlock(
                text=text,
                page=1,
                kind=kind,
                hidden=hidden is not None,
                field_name=field_name,
                source=f"html:{hidden}" if hidden else source,
            )
        )

    # -- the tree --
    def walk(self, root: LexborNode, ctx: _Ctx) -> None:
        # Iterative: deeply nested broken markup must not hit Python's recursion limit.
        stack: list[tuple[bool, LexborNode, _Ctx, object]] = [(True, root, ctx, None)]
        while stack:
            entering, node, pctx, info = stack.pop()
            if not entering:
                self._exit(node, pctx, info)
                continue
            if node.is_text_node:
                text = node.text_content
                if text:
                    self.add_text(text, pctx)
                continue
            if node.is_comment_node:
                self._comment(node.comment_content or "")
                continue
            tag = (node.tag or "").lower()
            if not tag or tag.startswith(("-", "#")):
                continue
            result = self._enter(node, tag, pctx)
            if result is None:
                continue
            cctx, exit_info = result
            stack.append((False, node, cctx, exit_info))
            children = list(node.iter(include_text=True))
            for child in reversed(children):
                stack.append((True, child, cctx, None))

    def _enter(self, node: LexborNode, tag: str, ctx: _Ctx) -> tuple[_Ctx, object] | None:
        attrs = node.attributes
        if tag == "script":
            code = (node.text(deep=True) or "").strip()
            if code:
                self.doc.scripts.append(code)
            return None
        if tag == "title":  # the document title; an <svg><title> tooltip is not page text
            if not self.doc.metadata.get("title") and not any(a.tag == "svg" for a in ctx.ancestors or ()):
                self._metadata("title", node.text(deep=True) or "")
            return None
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or "").strip().lower()
            if key in META_NAMES:
                self._metadata(key, attrs.get("content") or "")
            return None
        if tag in SKIP_TAGS:
            if tag in ("iframe", "object"):
                self._link(attrs.get("src") or attrs.get("data"), attrs.get("title") or "")
            return None
        if tag == "input":
            if (attrs.get("type") or "").lower() == "image" and attrs.get("alt"):
                self.defer(attrs.get("alt") or "", BlockKind.ALT_TEXT, ctx, "alt", "html:input")
            return None

        el_id = attrs.get("id") or None
        classes = frozenset((attrs.get("class") or "").split())
        decls = self.sheet.declarations(node, attrs.get("style"))
        cctx = self._derive(ctx, tag, attrs, decls)
        cctx = replace(cctx, ancestors=_Ancestors(_Compound(tag, el_id, classes), ctx.ancestors))

        title = attrs.get("title")
        if title and title.strip() and collapse(title) != collapse(node.text(deep=True) or ""):
            self.defer(title, BlockKind.ALT_TEXT, cctx, "title", f"html:{tag}@title")

        if tag == "br":
            self.flush()
            return None
        if tag == "img":
            self._image(attrs, cctx)
            return None
        if tag == "nav" or (attrs.get("role") or "").strip().lower() == "navigation":
            cctx = replace(cctx, nav=True)
        if tag in ("a", "area"):
            href = attrs.get("href")
            if href:
                self._link(href, node.text(deep=True) or attrs.get("alt") or "")
            if tag == "a" and cctx.nav and _menu_label(node, cctx):
                return None  # a menu entry: kept as a link, not as page text
            if tag == "area":
                if attrs.get("alt"):
                    self.defer(attrs.get("alt") or "", BlockKind.ALT_TEXT, cctx, "alt", "html:area")
                return None
        if tag == "embed":
            self._link(attrs.get("src"), "")
            return None

        exit_info: object = None
        if tag == "table":
            self.flush()
            self.tables.append(_Table(index=self.table_count))
            self.table_count += 1
            exit_info = "table"
        elif tag == "tr" and self.tables:
            self.flush()
            t = self.tables[-1]
            t.row += 1
            t.cursor = 0
            t.row_cells = []
            t.row_th_text = None
            exit_info = "tr"
        elif tag in ("td", "th") and self.tables:
            self.flush()
            cctx = self._cell(node, tag, attrs, cctx)
            exit_info = "cell"
        elif tag in BLOCK_TAGS:
            self.flush()
            exit_info = "block"
        if cctx.hidden is None and (tag == "hr" or decls):
            rule = red_rule_colour(tag, attrs, decls)
            if rule is not None:  # paragraph: the element's own text (hr: the one after it)
                self.doc.drawings.append(
                    Drawing(page=1, kind="border", bbox=(0.0, 0.0, 0.0, 0.0), stroke=rule,
                            paragraph=self.next_par, source=f"html:{tag}")
                )  # fmt: skip
        return cctx, exit_info

    def _exit(self, node: LexborNode, ctx: _Ctx, info: object) -> None:
        if info is None:
            return
        self.flush()
        if info == "table" and self.tables:
            self.tables.pop()
        elif info == "tr" and self.tables:
            self._end_row(self.tables[-1])

    def _derive(self, ctx: _Ctx, tag: str, attrs: dict, decls: dict[str, str]) -> _Ctx:
        hidden = ctx.hidden
        if hidden == "visibility:hidden" and decls.get("visibility") == "visible":
            hidden = None  # visibility is inherited and a child may turn it back on (display may not)
        if hidden is None and tag in ("html", "body"):
            # The whole page hidden until its scripts reveal it (anti-flicker `body{display:none}`
            # of a page component): every visitor sees the page, so its text is not concealed.
            pass
        elif hidden is None:
            if "hidden" in attrs:
                hidden = "hidden_attr"
            elif decls.get("display", "").startswith("none"):
                hidden = "display:none"
            elif decls.get("visibility") in ("hidden", "collapse"):
                hidden = "visibility:hidden"
            elif _opacity_zero(decls.get("opacity")):
                hidden = "opacity:0"
            elif _offscreen(decls, ctx.font_pt or DEFAULT_PT):
                hidden = "offscreen"
            elif _zero_size(decls, ctx.font_pt or DEFAULT_PT):
                hidden = "zero_size"
        font_pt = ctx.font_pt
        if tag in HEADING_PT:
            font_pt = HEADING_PT[tag]
        if tag == "font" and attrs.get("size"):
            m = re.match(r"^\s*([+-]?)(\d)", attrs.get("size") or "")
            if m:
                size = int(m.group(2))
                if m.group(1) == "+":
                    size = 3 + size
                elif m.group(1) == "-":
                    size = 3 - size
                font_pt = FONT_SIZE_ATTR_PT[max(1, min(7, size))]
        if "font-size" in decls:
            px = _length_px(decls["font-size"], ctx.font_pt or DEFAULT_PT)
            if px is not None:
                if px <= 1 and hidden is None:  # 0 or a 1px "dot": unreadable on purpose
                    hidden = "font-size:0"
                elif px > 1 and hidden == "font-size:0":
                    # A container's font-size:0 (the inline-block gap trick, body{font-size:0})
                    # hides nothing its children give a readable size again.
                    hidden = None
                font_pt = round(max(px, 0) * 0.75, 2)
        color = ctx.color
        font_color = attrs.get("color") if tag == "font" else attrs.get("text") if tag == "body" else None
        new_color = parse_color(decls.get("color")) or parse_color(font_color)
        if new_color is not None:
            color = new_color
        bg = ctx.bg
        new_bg = _background(decls)
        if new_bg is None and attrs.get("bgcolor"):
            new_bg = parse_color(attrs.get("bgcolor"))
        if new_bg is not None and new_bg != TRANSPARENT:
            bg = new_bg
        bold = ctx.bold or tag in ("b", "strong", "th") or tag in HEADING_PT
        weight = decls.get("font-weight")
        if weight:
            if weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600):
                bold = True
            elif weight in ("normal", "lighter") or (weight.isdigit() and int(weight) < 600):
                bold = False
        align = ctx.align
        a = (
            decls.get("text-align")
            or (attrs.get("align") or "").lower()
            or ("center" if tag == "center" else "")
        )
        if a in ("left", "center", "right", "justify"):
            align = a
        elif a in ("start", "end"):
            align = "left" if a == "start" else "right"
        pre = ctx.pre or tag in ("pre", "textarea", "listing", "xmp")
        region = ctx.region
        if hidden == "display:none" and ctx.hidden is None:
            region = self.region_count
            self.region_count += 1
        return replace(
            ctx,
            hidden=hidden,
            color=color,
            bg=bg,
            font_pt=font_pt,
            bold=bold,
            align=align,
            pre=pre,
            region=region,
        )

    # -- tables --
    def _cell(self, node: LexborNode, tag: str, attrs: dict, ctx: _Ctx) -> _Ctx:
        t = self.tables[-1]
        if t.row < 0:  # a cell outside any <tr> (lexbor normally inserts one)
            t.row = 0
        col = t.cursor
        while (t.row, col) in t.occupied:
            col += 1
        colspan = _span(attrs.get("colspan"))
        rowspan = _span(attrs.get("rowspan"))
        for dr in range(1, min(rowspan, 1000)):
            for dc in range(colspan):
                t.occupied.add((t.row + dr, col + dc))
        t.cursor = col + colspan
        text = collapse(node.text(deep=True) or "")
        is_th = tag == "th"
        if is_th:
            t.has_th = True
            t.row_th_text = text or t.row_th_text
        t.row_cells.append((col, colspan, text, is_th))
        field_name = None
        if not is_th:
            field_name = t.headers.get(col) or t.row_th_text
        return replace(ctx, cell=_Cell(t.index, t.row, col, field_name))

    def _end_row(self, t: _Table) -> None:
        cells = t.row_cells
        if not cells:
            return
        all_th = all(th for *_, th in cells)
        texts = [text for _, _, text, _ in cells if text]
        header = False
        if all_th and texts:
            header = True
        elif t.row == 0 and not t.has_th and len(texts) >= 2:
            textual = sum(1 for x in texts if not _is_numeric_like(x))
            header = textual >= 0.6 * len(texts) and len(set(texts)) == len(texts)
        if header:
            for col, span, text, _ in cells:
                if text:
                    for dc in range(span):
                        t.headers[col + dc] = text
        t.row_cells = []

    # -- other items --
    def _comment(self, content: str) -> None:
        stripped = content.strip()
        if not stripped or stripped.startswith(("[if", "<![endif]", "[endif]", "<!")):
            return
        if _MARKUP_RE.search(stripped):
            lines = _markup_lines(stripped)
        else:
            lines = [collapse(line) for line in stripped.splitlines()]
        for line in lines:
            if line:
                self.deferred.append(
                    TextBlock(text=line, page=1, kind=BlockKind.COMMENT, source="html:comment")
                )

    def _metadata(self, key: str, value: str) -> None:
        value = collapse(value)
        if not value:
            return
        self.doc.metadata[key] = value
        self.doc.blocks.append(
            TextBlock(
                text=value,
                page=0,
                kind=BlockKind.METADATA,
                field_name=key,
                paragraph=self._new_par(),
                source="html:title" if key == "title" else "html:meta",
            )
        )

    def _link(self, href: str | None, text: str) -> None:
        if not href:
            return
        href = href.strip()
        low = href.lower()
        if not href or low.startswith(("javascript:", "#", "data:")):
            return
        url = urljoin(self.base, href) if self.base else href
        text = collapse(text)
        parts = urlsplit(url)  # path and query only: "www.gov.et" is a host, not a WPS sheet
        target = unquote(parts.path + ("?" + parts.query if parts.query else ""))
        attach = bool(_ATTACH_URL_RE.search(target) or _ATTACH_TEXT_RE.search(text))
        self.doc.links.append(Link(url=url, text=text, page=1, is_attachment=attach))

    def _image(self, attrs: dict, ctx: _Ctx) -> None:
        alt = attrs.get("alt") or ""
        if alt.strip():
            self.defer(alt, BlockKind.ALT_TEXT, ctx, "alt", "html:img")
        src = (attrs.get("src") or attrs.get("data-src") or "").strip()
        loader = _data_uri_loader(src) if src.startswith("data:") else None
        name = src if not src.startswith("data:") else "data-uri"
        if name and self.base and not src.startswith("data:"):
            name = urljoin(self.base, src)
        img = ImageItem(
            page=1,
            bbox=None,
            width=_int_attr(attrs.get("width")),
            height=_int_attr(attrs.get("height")),
            name=name,
            kind="inline",
            loader=loader,
            description=collapse(alt) or None,
        )
        self.doc.images.append(img)
        self.pending_images.append(img)


def _color_hidden(ctx: _Ctx) -> str | None:
    """Text whose colour equals what is behind it: white on the default white page, or any
    colour on the same background colour."""
    color = ctx.color
    if color is None:
        return None
    if color == TRANSPARENT:
        return "transparent_text"
    if not isinstance(color, tuple):
        return None
    bg = ctx.bg
    if bg == UNKNOWN_BG:
        return None
    if bg is None or bg == TRANSPARENT:
        bg = WHITE
    assert isinstance(bg, tuple)
    if indistinguishable(color, bg):  # pubguard.colour: the same rule as DOCX and PDF text
        return "white_text" if is_white(color, 240) else "same_as_background"
    return None


# Navigation menus repeat on every page and push the page's own first lines (where 内部资料 or a
# 密级 mark sits) out of "the top". Only plain short menu labels are dropped: no markup, comments
# or hidden/white text inside, no digits (phone or ID numbers stay page text).
MENU_LABEL_MAX = 16
_DIGIT_RE = re.compile(r"[0-9０-９]")


def _menu_label(node: LexborNode, ctx: _Ctx) -> bool:
    if ctx.hidden is not None or _color_hidden(ctx) is not None or ctx.cell is not None or ctx.pre:
        return False
    if any(not child.is_text_node for child in node.iter(include_text=True)):
        return False
    label = collapse(node.text(deep=True) or "")
    return len(label) <= MENU_LABEL_MAX and not _DIGIT_RE.search(label)


def _opacity_zero(value: str | None) -> bool:
    if not value:
        return False
    try:
        v = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return False
    return v <= 0.01


def _offscreen(decls: dict[str, str], parent_pt: float) -> bool:
    """text-indent:-9999px, or an absolutely positioned box pushed far off the page."""
    indent = _length_px(decls.get("text-indent", ""), parent_pt)
    if indent is not None and indent <= -500:
        return True
    if decls.get("position") in ("absolute", "fixed"):
        for prop in ("left", "top"):
            v = _length_px(decls.get(prop, ""), parent_pt)
            if v is not None and v <= -500:
                return True
    return False


def _zero_size(decls: dict[str, str], parent_pt: float) -> bool:
    if decls.get("overflow") not in ("hidden", "clip"):
        return False
    for prop in ("height", "width"):
        v = _length_px(decls.get(prop, ""), parent_pt)
        if v is not None and v <= 0:
            return True
    return False


def _span(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip()), 1000))
    except ValueError:
        return 1


def _int_attr(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 0


def _data_uri_loader(src: str):  # noqa: ANN202 - returns a closure
    header, _, payload = src.partition(",")
    if ";base64" not in header.lower():
        return None

    def load() -> bytes:
        return base64.b64decode(payload + "=" * (-len(payload) % 4))

    return load


def _markup_lines(markup: str) -> list[str]:
    """Commented-out markup -> its text lines (one per block element), via the same walker."""
    sub = Document(name="", format="html")
    if re.search(r"<t[rdh][\s>]", markup, re.I) and not re.search(r"<table[\s>]", markup, re.I):
        markup = f"<table>{markup}</table>"  # rows cut out of their table would lose their cells
    body = LexborHTMLParser(markup).body
    if body is None:
        return []
    walker = _Walker(sub, _StyleSheet(), None)
    walker.walk(body, _Ctx())
    walker.flush()
    lines: dict[int, str] = {}
    for b in sub.blocks:
        if b.kind in (BlockKind.BODY, BlockKind.TABLE_CELL, BlockKind.ALT_TEXT):
            lines[b.paragraph] = lines.get(b.paragraph, "") + b.text
    return [line for _, line in sorted(lines.items())]


_SCREEN_MEDIA = {"", "all", "screen"}


def _screen_media(media: str | None) -> bool:
    """A `<style media=...>` sheet applies on screen: no media, all, screen (possibly with a
    condition, e.g. "screen and (max-width: 680px)", which, like @media rules, is skipped).
    A print sheet hiding the navigation when printing is not concealment."""
    if media is None:
        return True
    kinds = [q.strip().lower() for q in media.split(",")]
    return any(k in _SCREEN_MEDIA for k in kinds)


MAIN_CONTENT_CHARS = 200  # a wrapper hidden until scripts show it holds a whole article
MIN_TITLE_CHARS = 10  # shorter <title> parts are site names (某某市人民政府), not articles
_TITLE_SPLIT_RE = re.compile(r"\s*(?:[-_|—–]+|\s{2,})\s*")


def _squash_ws(text: str) -> str:
    return "".join(text.split())


def _article_title(parser: LexborHTMLParser) -> str:
    """The article's title (meta ArticleTitle, else the first part of <title> before the site
    name), whitespace removed; "" when too short to identify an article (a site name)."""
    meta = parser.css_first('meta[name="ArticleTitle"], meta[name="articletitle"]')
    title = (meta.attributes.get("content") or "") if meta is not None else ""
    if not title.strip():
        node = parser.css_first("title")
        parts = _TITLE_SPLIT_RE.split((node.text() or "").strip()) if node is not None else []
        title = parts[0] if parts else ""
    title = _squash_ws(title)
    return title if len(title) >= MIN_TITLE_CHARS else ""


def _sheets(parser: LexborHTMLParser, local: LocalFiles | None) -> list[str]:
    """The page's screen style sheets in document order: `<style>` elements and, when the page
    is scanned in a folder (`local`), the local files its `<link rel="stylesheet">` name."""
    sheets = []
    for node in parser.css("style, link") if local is not None else parser.css("style"):
        attrs = node.attributes
        if not _screen_media(attrs.get("media")):
            continue
        if node.tag == "style":
            sheets.append(node.text(deep=True) or "")
            continue
        rel = (attrs.get("rel") or "").lower().split()
        if "stylesheet" not in rel or "alternate" in rel or "disabled" in attrs or local is None:
            continue
        css = local.stylesheet(attrs.get("href") or "")
        if css is not None:
            sheets.append(css)
    return sheets


def sniff_charset(data: bytes) -> str | None:
    """The charset a page declares (`<meta charset>`, http-equiv, XML declaration)."""
    head = data[:4096]
    m = _XML_ENC_RE.match(head) or _CHARSET_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def extract_html(data: bytes, name: str, config: ScanConfig, local: LocalFiles | None = None) -> Document:
    """Site page -> Document (see the module docstring for the layout). With `local` (a folder
    or site scan), linked local stylesheets join the cascade (pubguard.extract.local)."""
    text, encoding = decode_text(data, declared=sniff_charset(data))
    doc = Document(name=name, format="html")
    doc.pages.append(Page(number=1, width=0, height=0, unit="px"))
    doc.metadata["encoding"] = encoding
    parser = LexborHTMLParser(text, scripting=True)

    base = name if re.match(r"^https?://", name or "", re.I) else None
    base_node = parser.css_first("base[href]")
    if base_node is not None:
        href = (base_node.attributes.get("href") or "").strip()
        if href:
            base = urljoin(base, href) if base else (href if re.match(r"^https?://", href, re.I) else base)

    sheets = _sheets(parser, local)
    walker = _Walker(doc, _StyleSheet(parser, sheets), base)
    walker.main_title = _article_title(parser)
    root = parser.root
    if root is not None:
        # Comments before <html> hang off the document node, not the root element.
        doc_node = root.parent if root.parent is not None else root
        for child in list(doc_node.iter(include_text=True)) if doc_node is not root else [root]:
            walker.walk(child, _Ctx())
    walker.flush()
    walker.reveal_main_content()
    return doc.finalize()
