"""What the readers produce and share while walking: the `Document` under construction, the
paragraph counter, comment anchors, section properties — and `emit`, the one place a run of
text becomes a `TextBlock`.

The body, drawing and parts readers all write through one `Output`, so paragraph ids increase in
document order whichever reader saw the paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pubguard.document import RGB, BlockKind, Document, TextBlock
from pubguard.extract.docx.ns import A4
from pubguard.extract.docx.package import Part
from pubguard.extract.docx.styles import ParaProps, RunProps


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
class CommentAnchor:
    paragraph: int = -1
    end_paragraph: int = -1
    start_pos: tuple[int, int] | None = None  # (block index, char offset in that block)
    end_pos: tuple[int, int] | None = None


class Output:
    """The document being built and the reading state the readers share."""

    def __init__(self, doc: Document, trace: DocxTrace | None) -> None:
        self.doc = doc
        self.trace = trace
        self.para = -1
        self.table_count = -1
        self.comment_anchors: dict[str, CommentAnchor] = {}
        self.open_comments: set[str] = set()
        self.sect_prs: list[etree._Element] = []
        self.text_width = A4[0] - 2 * 90.0

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

    def record_pieces(self, text: str, traced: list[tuple[etree._Element, int]], part: str) -> None:
        """`emit` put `text` at the end of the last block: note which element gave which chars."""
        assert self.trace is not None
        index = len(self.doc.blocks) - 1
        offset = len(self.doc.blocks[index].text) - len(text)
        for el, n in traced:
            if n:
                self.trace.pieces.append((index, offset, n, el, part))
            offset += n
