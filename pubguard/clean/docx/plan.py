"""The state of one clean pass (`CleanPlan`) and the lookups every stage needs: which run text
overlaps a text range, which w:p a paragraph id is, where a finding sits in words, and how an
action is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from pubguard.clean.common import block_where
from pubguard.clean.docx.edits import Piece, TextEdits
from pubguard.clean.docx.package import Package
from pubguard.clean.docx.tree import ancestor, blip_ids, graphics, run_child
from pubguard.clean.options import CleanOptions
from pubguard.clean.report import CleanAction
from pubguard.document import Document
from pubguard.extract.docx import DocxTrace, W, w
from pubguard.finding import Finding
from pubguard.masking import MaskingConfig


class CleanPlan:
    """What one clean pass will do to one file: the traced document, the edits and removals
    collected by the stages, and the actions reported. Stages (personal, text, header, seal,
    parts) add to it; `clean_docx` applies it."""

    def __init__(
        self, data: bytes, doc: Document, trace: DocxTrace, options: CleanOptions, masking: MaskingConfig
    ) -> None:
        self.doc = doc
        self.trace = trace
        self.options = options
        self.masking = masking
        self.pkg = Package(data)
        self.edits = TextEdits()
        self.actions: list[CleanAction] = []
        self.pieces = sorted(
            (
                Piece(doc.blocks[bi].start + off, n, el, part, bi)
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
            if part == self.main_part()
            and ancestor(p, w("tbl")) is None
            and ancestor(p, f"{{{W}}}txbxContent") is None
        ]
        self.ordinals = {pid: i + 1 for i, pid in enumerate(main_paras)}

    def main_part(self) -> str:
        return next(iter(self.trace.parts), "word/document.xml")

    def where(self, start: int | None) -> str:
        block = self.doc.block_at(start) if start is not None else None
        return block_where(self.doc, block, self.ordinals)

    def overlapping(self, s: int, e: int) -> Iterable[tuple[Piece, int, int]]:
        import bisect

        i = max(bisect.bisect_right(self._starts, s) - 1, 0)
        while i < len(self.pieces) and self.pieces[i].start < e:
            p = self.pieces[i]
            lo, hi = max(s, p.start), min(e, p.start + p.length)
            if hi > lo:
                yield p, lo - p.start, hi - p.start
            i += 1

    def paragraph_of(self, el: etree._Element) -> etree._Element | None:
        return el if el.tag == w("p") else ancestor(el, w("p"))

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

    def paragraph_element(self, pid: int | None) -> etree._Element | None:
        """The w:p of paragraph id `pid` (None when unknown)."""
        if pid is None or pid not in self.trace.paragraphs:
            return None
        return self.trace.paragraphs[pid][1]

    def where_paragraph(self, pid: int | None) -> str:
        if isinstance(pid, int) and pid in self.ordinals:
            return f"正文第{self.ordinals[pid]}段"
        return "文档中"

    def remove_image(self, pid: int | None, rid: str) -> bool:
        """Remove the drawing(s) showing relationship `rid` in paragraph `pid` (or anywhere in
        the part when the paragraph is unknown)."""
        scopes: list[etree._Element] = []
        if isinstance(pid, int) and pid in self.trace.paragraphs:
            scopes.append(self.trace.paragraphs[pid][1])
        else:
            scopes.append(self.trace.parts.get(self.main_part()))  # type: ignore[arg-type]
        found = False
        for scope in scopes:
            if scope is None:
                continue
            for g in graphics(scope):
                if rid in blip_ids(g):
                    self.remove_graphics.add(run_child(g))
                    found = True
        return found
