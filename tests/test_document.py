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
