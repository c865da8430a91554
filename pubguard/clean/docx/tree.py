"""Small WordprocessingML tree edits the cleaner stages share: removing and unwrapping
elements, emptying or dropping a paragraph where the schema allows, finding graphics and the
pictures they show, recolouring runs, switching a paragraph border off, table grid columns.
"""

from __future__ import annotations

from lxml import etree

from pubguard.document import is_red, rgb_from_hex
from pubguard.extract.docx import MC, A, R, V, w


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    idx = parent.index(el)
    for child in list(el):
        parent.insert(idx, child)
        idx += 1
    parent.remove(el)


def ancestor(el: etree._Element, tag: str) -> etree._Element | None:
    for anc in el.iterancestors(tag):
        return anc
    return None


def run_child(el: etree._Element) -> etree._Element:
    """The direct child of the enclosing w:r (w:drawing, w:pict, mc:AlternateContent ...)."""
    node = el
    for anc in el.iterancestors():
        if anc.tag == w("r"):
            return node
        node = anc
    return el


def has_text(p: etree._Element) -> bool:
    return any((t.text or "").strip() for t in p.iter(w("t"), w("delText")))


def has_content(p: etree._Element) -> bool:
    if has_text(p):
        return True
    return any(True for _ in p.iter(w("drawing"), w("pict"), w("object"), w("tab"), w("sym")))


def clear_paragraph(p: etree._Element) -> None:
    for child in list(p):
        if child.tag != w("pPr"):
            p.remove(child)


def drop_paragraph(p: etree._Element) -> None:
    """Remove a paragraph; where the schema needs a last paragraph (cell, text box, note) or it
    carries the section properties, empty it instead."""
    parent = p.getparent()
    if parent is None:
        return
    if p.find(f"{w('pPr')}/{w('sectPr')}") is not None:
        clear_paragraph(p)
        return
    blocks = [c for c in parent if c.tag in (w("p"), w("tbl"), w("sdt"))]
    if parent.tag != w("body") and blocks and blocks[-1] is p:
        clear_paragraph(p)
        return
    parent.remove(p)


def color_of(value: str | None) -> tuple[int, int, int] | None:
    if not value:
        return None
    value = value.strip().split()[0]
    if value.lower() == "red":
        return (255, 0, 0)
    return rgb_from_hex(value)


def red_graphic(el: etree._Element) -> bool:
    """A drawing that is a red shape/line/WordArt, not a picture and not a text box with text."""
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        q = etree.QName(node)
        if q.localname in ("blip", "imagedata"):
            return False
        if q.localname == "txbxContent" and has_text(node):
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
                col = color_of(node.get(attr))
                if col is not None and is_red(col):
                    return True
    return False


def blip_ids(el: etree._Element) -> set[str]:
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


def para_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def graphics(scope: etree._Element) -> list[etree._Element]:
    """Drawings and VML pictures in `scope`, outermost only."""
    out = []
    for el in scope.iter(w("drawing"), w("pict")):
        if any(a.tag in (w("drawing"), w("pict")) for a in el.iterancestors()):
            continue
        out.append(el)
    return out


def set_black(r: etree._Element) -> None:
    rpr = r.find(w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(r, w("rPr"))
        r.remove(rpr)
        r.insert(0, rpr)
    color = rpr.find(w("color"))
    if color is None:
        color = etree.SubElement(rpr, w("color"))
        order_rpr(rpr)
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


def order_rpr(rpr: etree._Element) -> None:
    rank = {name: i for i, name in enumerate(_RPR_ORDER)}
    children = [c for c in rpr if isinstance(c.tag, str)]
    children.sort(key=lambda c: rank.get(local(c), len(rank)))
    for c in children:
        rpr.remove(c)
        rpr.append(c)


# w:pPr children in schema order (CT_PPr).
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]  # fmt: skip


def kill_border(p: etree._Element, side: str) -> None:
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
        later = [c for c in ppr if isinstance(c.tag, str) and rank.get(local(c), -1) > mine]
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
    for child in sorted(pbdr, key=lambda c: order.get(local(c), 99)):
        pbdr.append(child)


def grid_width(tbl: etree._Element) -> int:
    grid = tbl.find(w("tblGrid"))
    return len(grid.findall(w("gridCol"))) if grid is not None else 0


def drop_grid_column(tbl: etree._Element, col: int) -> None:
    """Remove grid column `col`: its w:gridCol, and in every row the cell covering it (or one
    unit of a merged cell's span)."""
    grid = tbl.find(w("tblGrid"))
    if grid is not None:
        cols = grid.findall(w("gridCol"))
        if col < len(cols):
            grid.remove(cols[col])
    for tr in tbl.iter(w("tr")):
        if ancestor(tr, w("tbl")) is not tbl:
            continue
        c = 0
        before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
        if before is not None:
            c = int(before.get(w("val"), "0") or 0)
        cells = [tc for tc in tr.iter(w("tc")) if ancestor(tc, w("tr")) is tr]
        for tc in cells:
            span_el = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
            span = int(span_el.get(w("val"), "1") or 1) if span_el is not None else 1
            if c <= col < c + span:
                if span > 1 and span_el is not None:
                    span_el.set(w("val"), str(span - 1))
                elif len(cells) > 1:
                    remove(tc)
                break
            c += span


def drop_stale_fallbacks(touched: set[etree._Element]) -> None:
    """mc:Fallback holds a second copy (VML) of an edited text box: drop it, or the old text
    would survive in the file."""
    for el in touched:
        for choice in el.iterancestors(f"{{{MC}}}Choice"):
            alt = choice.getparent()
            if alt is None:
                continue
            for fb in alt.findall(f"{{{MC}}}Fallback"):
                alt.remove(fb)
