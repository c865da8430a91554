"""Block and run level WordprocessingML in document order: paragraphs, runs, tracked changes,
tables (merged cells read once), content controls, comment range marks and paragraph / table
borders.

`BodyReader.walk_blocks` is the one walker for every story (body, notes, headers, footers,
comments, text boxes); graphics inside runs go to `DrawingReader`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from lxml import etree

from pubguard.document import BlockKind, Drawing, rgb_from_hex
from pubguard.extract.docx.drawing import DrawingReader
from pubguard.extract.docx.ns import MC, PARAGRAPH_MARK_TEXT, M, alternate_branch, to_int, w
from pubguard.extract.docx.output import CommentAnchor, Ctx, Output
from pubguard.extract.docx.package import Package
from pubguard.extract.docx.styles import ParaProps, RunProps, Styles


class BodyReader:
    def __init__(self, pkg: Package, styles: Styles, out: Output) -> None:
        self.styles = styles
        self.out = out
        self.drawing = DrawingReader(pkg, styles, out, self)

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
                    branch = alternate_branch(child)
                    if branch is not None:
                        self.walk_blocks(branch, ctx)
                else:
                    self.walk_blocks(child, self.revision_ctx(child, ctx))
            elif tag == w("sectPr"):
                self.out.sect_prs.append(child)
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

    def paragraph(self, p: etree._Element, ctx: Ctx) -> None:
        para = self.out.new_paragraph()
        if self.out.trace is not None:
            self.out.trace.paragraphs[para] = (ctx.part.name, p)
        ppr_el = p.find(w("pPr"))
        pprops, para_rprops = self.styles.para_style_props(ppr_el)
        if ppr_el is not None:
            sect = ppr_el.find(w("sectPr"))
            if sect is not None:
                self.out.sect_prs.append(sect)
        for side in ("top", "bottom", "left", "right", "between"):
            border = pprops.borders.get(side)
            if border is not None:
                self.out.doc.drawings.append(
                    Drawing(
                        page=1,
                        kind="border",
                        bbox=(0.0, 0.0, self.out.text_width, 0.0),
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
                self.out.emit(PARAGRAPH_MARK_TEXT, rctx, para_rprops, pprops, para)
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
                branch = alternate_branch(child)
                if branch is not None:
                    self.inline(branch, ctx, pprops, para_rprops, para, pending)
            elif tag in (w("commentRangeStart"), w("commentRangeEnd")):
                self.comment_mark(child)
            elif tag in (f"{{{M}}}oMath", f"{{{M}}}oMathPara"):
                text = "".join(t.text or "" for t in child.iter(f"{{{M}}}t"))
                self.out.emit(text, ctx, para_rprops, pprops, para)

    def run(
        self,
        r: etree._Element,
        ctx: Ctx,
        pprops: ParaProps,
        para_rprops: RunProps,
        para: int,
        pending: list[Callable[[], None]],
    ) -> None:
        rprops = self.styles.run_props(para_rprops, r.find(w("rPr")))
        buf: list[str] = []
        traced: list[tuple[etree._Element, int]] = []

        def flush() -> None:
            if buf:
                text = "".join(buf)
                self.out.emit(text, ctx, rprops, pprops, para)
                if self.out.trace is not None and text:
                    self.out.record_pieces(text, traced, ctx.part.name)
                buf.clear()
                traced.clear()

        for el in r:
            if not isinstance(el.tag, str):
                continue
            if self.out.trace is not None:
                before = len(buf)
                self.run_element(el, buf, para, ctx, pending, flush)
                if len(buf) > before:
                    traced.append((el, len(buf[-1])))
            else:
                self.run_element(el, buf, para, ctx, pending, flush)
        flush()

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
            if cid is not None and cid not in self.out.comment_anchors:
                self.out.comment_anchors[cid] = CommentAnchor(
                    para, para, self.out.position(), self.out.position()
                )
        elif tag in (w("drawing"), w("pict"), w("object"), f"{{{MC}}}AlternateContent"):
            flush()
            self.drawing.graphics(el, ctx, para, pending)

    def comment_mark(self, el: etree._Element) -> None:
        cid = el.get(w("id"))
        if cid is None:
            return
        if el.tag == w("commentRangeStart"):
            self.out.comment_anchors[cid] = CommentAnchor(
                self.out.para, self.out.para, self.out.position(), None
            )
            self.out.open_comments.add(cid)
        else:
            anchor = self.out.comment_anchors.setdefault(
                cid, CommentAnchor(self.out.para, self.out.para, self.out.position())
            )
            anchor.end_paragraph = self.out.para
            anchor.end_pos = self.out.position()
            self.out.open_comments.discard(cid)

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
                color = self.styles.theme_color(
                    el.get(w("themeColor"), ""), el.get(w("themeTint")), el.get(w("themeShade"))
                )
            self.out.doc.drawings.append(
                Drawing(
                    page=1,
                    kind="border",
                    bbox=(0.0, 0.0, self.out.text_width, 0.0),
                    stroke=color,
                    width=to_int(el.get(w("sz")), 4) / 8.0,
                    source=f"w:tblBorders:{side}:{el.get(w('val'), 'single')}",
                    paragraph=first_para if side == "top" else max(first_para, self.out.para),
                )
            )

    def table(self, tbl: etree._Element, ctx: Ctx) -> None:
        self.out.table_count += 1
        index = self.out.table_count
        if self.out.trace is not None:
            self.out.trace.tables[index] = tbl
        cell_kind = BlockKind.TABLE_CELL if ctx.kind in (BlockKind.BODY, BlockKind.TABLE_CELL) else ctx.kind
        first_para = self.out.para + 1
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
                col = to_int(trpr_grid_before.get(w("val")))
            for tc in _cells(tr):
                tcpr = tc.find(w("tcPr"))
                span = 1
                shading = None
                continuation = False
                if tcpr is not None:
                    gs = tcpr.find(w("gridSpan"))
                    if gs is not None:
                        span = max(to_int(gs.get(w("val")), 1), 1)
                    vm = tcpr.find(w("vMerge"))
                    if vm is not None and vm.get(w("val"), "continue") != "restart":
                        continuation = True
                    hm = tcpr.find(w("hMerge"))
                    if hm is not None and hm.get(w("val"), "continue") != "restart":
                        continuation = True
                    shd = tcpr.find(w("shd"))
                    if shd is not None:
                        shading = self.styles.shading_color(shd)
                if not continuation:  # a merged cell is read once, from its first grid cell
                    cctx = replace(
                        row_ctx, kind=cell_kind, table=index, row=r_i, col=col, cell_shading=shading
                    )
                    self.walk_blocks(tc, cctx)
                col += span

        self.table_borders(tbl, first_para)


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


def _int_hex(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None
