"""One layout view over a `Document`, built once per document and shared by detectors and the
cleaner: its lines, its paragraphs, and the top zone of the first page.

- `lines`: the non-blank lines of `Document.text` with the blocks printing each
  (`Document.text_lines`);
- `paragraphs`: visible, non-blank blocks grouped by paragraph id (formats that have paragraph
  ids: DOCX, HTML, OFD ...), in document order, optionally only of some block kinds;
- `top_paragraphs`: the ids of the first `n` such paragraphs — the 版头 zone of a flowing
  document, where the 发文机关标志, 份号 and marks sit.

Values come from `Document.cached`, so they are read-only for callers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pubguard.document import BlockKind, Document, TextBlock, TextLine

# Where the 版头 of a flowing document can be: body text, a text box, a layout table's cells.
ZONE_KINDS: tuple[BlockKind, ...] = (BlockKind.BODY, BlockKind.TEXT_BOX, BlockKind.TABLE_CELL)


def lines(doc: Document) -> list[TextLine]:
    return doc.text_lines()


def paragraphs(
    doc: Document, kinds: tuple[BlockKind, ...] | None = None
) -> Mapping[int, Sequence[TextBlock]]:
    """Paragraph id -> its visible, non-blank blocks (of `kinds`, or of every visible kind)."""

    def build() -> dict[int, list[TextBlock]]:
        out: dict[int, list[TextBlock]] = {}
        for b in doc.visible_blocks():
            if b.paragraph >= 0 and b.text.strip() and (kinds is None or b.kind in kinds):
                out.setdefault(b.paragraph, []).append(b)
        return out

    value: dict[int, list[TextBlock]] = doc.cached(("layout.paragraphs", kinds), build)
    return value


def top_paragraphs(doc: Document, n: int, kinds: tuple[BlockKind, ...] | None = ZONE_KINDS) -> list[int]:
    """The ids of the first `n` visible, non-blank paragraphs (of `kinds`)."""
    return sorted(paragraphs(doc, kinds))[:n]


__all__ = ["ZONE_KINDS", "lines", "paragraphs", "top_paragraphs"]
