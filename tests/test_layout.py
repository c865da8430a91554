"""pubguard.layout: one view of a Document's paragraphs and top zone, built once, shared."""

from __future__ import annotations

from pubguard import layout
from pubguard.document import BlockKind, Document, TextBlock


def _doc() -> Document:
    doc = Document(name="t.docx", format="docx")
    doc.blocks = [
        TextBlock(text="南宁市", page=1, kind=BlockKind.BODY, paragraph=0),
        TextBlock(text="民政局文件", page=1, kind=BlockKind.BODY, paragraph=0),
        TextBlock(text="   ", page=1, kind=BlockKind.BODY, paragraph=1),  # blank: no paragraph
        TextBlock(text="隐藏", page=1, kind=BlockKind.BODY, paragraph=2, hidden=True),
        TextBlock(text="南财发〔2024〕21号", page=1, kind=BlockKind.TABLE_CELL, paragraph=3),
        TextBlock(text="批注", page=1, kind=BlockKind.COMMENT, paragraph=4),  # not visible
        TextBlock(text="页眉", page=1, kind=BlockKind.HEADER, paragraph=5),
        TextBlock(text="无段落", page=1, kind=BlockKind.BODY),
    ]
    return doc.finalize()


def test_paragraphs_group_visible_non_blank_blocks_by_id_and_kind():
    doc = _doc()
    zone = layout.paragraphs(doc, layout.ZONE_KINDS)
    assert {pid: "".join(b.text for b in bl) for pid, bl in zone.items()} == {
        0: "南宁市民政局文件",
        3: "南财发〔2024〕21号",
    }
    assert list(layout.paragraphs(doc, (BlockKind.HEADER,))) == [5]
    assert list(layout.paragraphs(doc)) == [0, 3, 5]
    assert layout.top_paragraphs(doc, 1) == [0]
    assert layout.top_paragraphs(doc, 9, kinds=None) == [0, 3, 5]


def test_built_once_and_rebuilt_when_the_document_changes():
    doc = _doc()
    assert layout.paragraphs(doc) is layout.paragraphs(doc)
    doc.blocks.append(TextBlock(text="附件", page=1, kind=BlockKind.BODY, paragraph=9))
    doc.finalize()
    assert 9 in layout.paragraphs(doc)
    assert layout.lines(doc) is doc.text_lines()
