"""Graphics inside runs: DrawingML and VML pictures, shapes, lines, WordArt and text boxes.

Seals are pictures, 红头 rules are lines or shapes, watermarks are WordArt: this module turns
them into `Document.images` / `Document.drawings`, and queues text-box content to be read by the
body reader right after the paragraph that anchors it (through the `BlockWalker` protocol, so
the two readers do not import each other).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from lxml import etree

from pubguard.document import RGB, BlockKind, Drawing, ImageItem, rgb_from_hex
from pubguard.extract.docx.ns import (
    A4,
    EMU_PER_PT,
    MC,
    VO,
    WP,
    WPS,
    A,
    R,
    V,
    W,
    alternate_branch,
    own_nodes,
    to_int,
    w,
)
from pubguard.extract.docx.output import Ctx, Output
from pubguard.extract.docx.package import Package
from pubguard.extract.docx.styles import NAMED_COLORS, ParaProps, RunProps, Styles

LINE_GEOMETRIES = {"line", "straightConnector1", "bentConnector2", "bentConnector3", "curvedConnector3"}


class BlockWalker(Protocol):
    """Reads block-level content (a text box's w:txbxContent) into the shared `Output`."""

    def walk_blocks(self, parent: etree._Element, ctx: Ctx) -> None: ...


class DrawingReader:
    def __init__(self, pkg: Package, styles: Styles, out: Output, walker: BlockWalker) -> None:
        self.pkg = pkg
        self.styles = styles
        self.out = out
        self.walker = walker
        self._seen_txbx: set[etree._Element] = set()

    def graphics(self, el: etree._Element, ctx: Ctx, para: int, pending: list[Callable[[], None]]) -> None:
        """Images, shapes and text boxes inside a run (w:drawing, w:pict, w:object, mc:*)."""
        if el.tag == f"{{{MC}}}AlternateContent":
            branch = alternate_branch(el)
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
        for node in own_nodes(el):
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
                if label not in self.out.doc.embedded_files:
                    self.out.doc.embedded_files.append(label)

    def queue_txbx(self, node: etree._Element, ctx: Ctx, pending: list[Callable[[], None]]) -> None:
        if node in self._seen_txbx:
            return
        self._seen_txbx.add(node)
        # The box's fill is the background behind its text (white text on a dark box is visible).
        background = self.txbx_fill(node)
        tctx = replace(
            ctx,
            kind=txbx_kind(ctx.kind),
            source="w:txbxContent",
            revision=None,
            cell_shading=background if background is not None else ctx.cell_shading,
        )
        pending.append(lambda: self.walker.walk_blocks(node, tctx))

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
        cx = to_int(extent.get("cx")) / EMU_PER_PT if extent is not None else 0.0
        cy = to_int(extent.get("cy")) / EMU_PER_PT if extent is not None else 0.0
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
        for node in own_nodes(holder):
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
        page = self.out.doc.pages[0] if self.out.doc.pages else None
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
            return base + to_int(off.text.strip()) / EMU_PER_PT
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
                    width = to_int(ln.get("w")) / EMU_PER_PT
                if ln.find(f"{{{A}}}noFill") is not None:
                    stroke_set = True
                lsolid = ln.find(f"{{{A}}}solidFill")
                if lsolid is not None:
                    stroke, stroke_set = self.dml_color(lsolid), True
        style = wsp.find(f"{{{WPS}}}style")
        if style is not None:
            ln_ref = style.find(f"{{{A}}}lnRef")
            if not stroke_set and ln_ref is not None and to_int(ln_ref.get("idx")) > 0:
                stroke = self.dml_color(ln_ref)
            fill_ref = style.find(f"{{{A}}}fillRef")
            if not fill_set and fill_ref is not None and to_int(fill_ref.get("idx")) > 0:
                fill = self.dml_color(fill_ref)
        return geom, stroke, fill, width

    def dml_shape(
        self, wsp: etree._Element, para: int, bbox: tuple[float, float, float, float], anchored: bool
    ) -> None:
        geom, stroke, fill, width = self.dml_shape_style(wsp)
        if wsp.find(f"{{{WPS}}}txbx") is not None and geom is None:
            geom = "rect"
        kind = "line" if geom in LINE_GEOMETRIES else "shape"
        self.out.doc.drawings.append(
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
                col = self.styles.theme_color(el.get("val", ""))
            elif name == "sysClr":
                col = rgb_from_hex(el.get("lastClr"))
            elif name == "prstClr":
                col = NAMED_COLORS.get((el.get("val") or "").lower())
            if col is None:
                continue
            for mod in el:
                if not isinstance(mod.tag, str):
                    continue
                mname, val = etree.QName(mod).localname, to_int(mod.get("val"), 100000) / 100000.0
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
            tctx = replace(ctx, kind=txbx_kind(ctx.kind), source="v:textpath", revision=None)
            props = RunProps(color=color, color_set=True)
            pending.append(lambda: self.out.emit(text, tctx, props, ParaProps(), self.out.new_paragraph()))
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
        self.out.doc.drawings.append(
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
        if not external and target in self.pkg.names:
            loader = self.pkg.loader(target)
            width, height = self.pkg.media_size(target)
        self.out.doc.images.append(
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


def txbx_kind(kind: BlockKind) -> BlockKind:
    """Text boxes in a header stay HEADER text (watermarks, running heads drawn as boxes)."""
    return kind if kind in (BlockKind.HEADER, BlockKind.FOOTER, BlockKind.COMMENT) else BlockKind.TEXT_BOX


def _css(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        if ":" in part:
            k, _, v = part.partition(":")
            out[k.strip().lower()] = v.strip()
    return out
