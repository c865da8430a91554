"""Document queries: locate_many is locate for many ascending spans at once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.extract import extract

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize("name", ["red_header_seal.pdf", "flood_notice.docx", "caigou_gonggao.html"])
def test_locate_many_equals_locate(name: str) -> None:
    doc = extract((SAMPLES / name).read_bytes(), name, ScanConfig(ocr=False))
    rng = random.Random(7)
    n = len(doc.text)
    spans = sorted((s, s + rng.randint(1, 4)) for s in (rng.randrange(n) for _ in range(500)))
    assert doc.locate_many(spans) == [doc.locate(s, e) for s, e in spans]
    assert any(box is not None for _, box in doc.locate_many(spans)) == (doc.format == "pdf")
    unordered = list(reversed(spans))
    assert doc.locate_many(unordered) == [doc.locate(s, e) for s, e in unordered]


def test_indexes_matching_finds_each_text_once_in_order() -> None:
    import re

    from pubguard.document import indexes_matching

    texts = ["请阅", "无", "", "同意，同意", "x请", "末"]
    assert indexes_matching(re.compile("请|同意"), texts) == [0, 3, 4]
    assert indexes_matching(re.compile("末"), texts) == [5]
    assert indexes_matching(re.compile("无匹配"), texts) == []
    assert indexes_matching(re.compile("a"), []) == []


def _lines(lines: list) -> list:
    return [(ln.start, ln.end, ln.text, [id(b) for b in ln.blocks]) for ln in lines]


def _walked(doc) -> list:
    """text_lines() by the generic walk over text.split('\\n') (no runs from finalize)."""
    runs, doc._runs = doc._runs, None
    try:
        return _lines(doc._build_text_lines())
    finally:
        doc._runs = runs


def test_text_lines_from_block_runs_equal_the_line_walk() -> None:
    from pubguard.document import BlockKind, Document, TextBlock

    blocks = [
        TextBlock("关于做好", 1, paragraph=0, bbox=(0, 0, 40, 10)),
        TextBlock("", 1, paragraph=0),  # empty block inside a line: not among its blocks
        TextBlock("防汛工作的通知", 1, paragraph=0, bbox=(40, 0, 110, 10)),
        TextBlock("   ", 1, paragraph=1),  # a blank line
        TextBlock("", 1, paragraph=2),  # an empty line
        TextBlock("各单位：", 1),  # no paragraph id: a line of its own
        TextBlock("批注", 1, paragraph=3, kind=BlockKind.COMMENT),
        TextBlock("正文", 1, paragraph=3),  # same id, other kind: a new line
        TextBlock("作者", 0, kind=BlockKind.METADATA, paragraph=4),
    ]
    doc = Document(name="t.pdf", format="pdf", blocks=blocks).finalize()
    assert doc._runs is not None
    got = _lines(doc.text_lines())
    assert got == _walked(doc)
    assert [t for _, _, t, _ in got] == ["关于做好防汛工作的通知", "各单位：", "批注", "正文", "作者"]
    assert got[0][3] == [id(blocks[0]), id(blocks[2])]


def test_text_lines_with_a_newline_inside_a_block_take_the_line_walk() -> None:
    from pubguard.document import Document, TextBlock

    blocks = [
        TextBlock("第一行\n第二行", 1, paragraph=0),
        TextBlock("续", 1, paragraph=0),
        TextBlock("下段", 1),
    ]
    doc = Document(name="t.txt", format="txt", blocks=blocks).finalize()
    assert doc._runs is None
    assert [ln.text for ln in doc.text_lines()] == ["第一行", "第二行续", "下段"]
    doc2 = Document(name="t.txt", format="txt", blocks=[TextBlock("a", 1)]).finalize()
    doc2.blocks.append(TextBlock("b", 1))  # blocks added after finalize: runs are stale, not used
    assert _lines(doc2.text_lines()) == _walked(doc2)


@pytest.mark.parametrize("name", ["red_header_seal.pdf", "flood_notice.docx", "caigou_gonggao.html"])
def test_text_lines_of_real_files_equal_the_line_walk(name: str) -> None:
    doc = extract((SAMPLES / name).read_bytes(), name, ScanConfig(ocr=False))
    assert _lines(doc.text_lines()) == _walked(doc)
