"""Formatting as Word resolves it: theme colours, the style chain and run / paragraph properties.

docDefaults -> paragraph style chain -> character style chain -> direct formatting, for the
properties a publication check reports (colour, size, bold, vanish, highlight, shading, jc,
paragraph borders). The colour tables for named, highlight and theme colours live here too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

from lxml import etree

from pubguard.document import RGB, rgb_from_hex
from pubguard.extract.docx.ns import A, to_int, w
from pubguard.extract.docx.package import Package, Part

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


def toggle(el: etree._Element | None) -> bool | None:
    """OOXML toggle: <w:b/> is on, w:val="0|false|off|none" is off; None when absent."""
    if el is None:
        return None
    val = el.get(w("val"))
    return val is None or val.lower() not in {"0", "false", "off", "none"}


def apply_tint(color: RGB, tint: str | None, shade: str | None) -> RGB:
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


class Styles:
    """The theme and style definitions of one document, and property resolution over them."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.styles: dict[str, Style] = {}
        self.default_pstyle: str | None = None
        self.default_cstyle: str | None = None
        self.doc_rpr = RunProps()
        self.doc_ppr = ParaProps()
        self.theme: dict[str, RGB] = dict(DEFAULT_THEME)

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
        props.bold = toggle(rpr.find(w("b")))
        hidden = toggle(rpr.find(w("vanish")))
        spec = toggle(rpr.find(w("specVanish")))
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
                props.borders[side] = Border(side, style, color, to_int(side_el.get(w("sz")), 4) / 8.0)
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
        return apply_tint(base, tint, shade)

    def load_theme(self, main: Part) -> None:
        for typ, target, external in main.rels.values():
            if typ == "theme" and not external:
                root = self.pkg.parse(target)
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
        root = self.pkg.parse(target)
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
