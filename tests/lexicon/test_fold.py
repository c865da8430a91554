"""Full-width folding has one home (pubguard/lexicon/fold.py) shared by personal_data,
proofreading and textnorm; it never changes the length of a text."""

from __future__ import annotations

import pytest

from pubguard import lexicon, textnorm
from pubguard.lexicon.fold import digit_table, fold_width


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("电话：１３８１２３４５６７８", "电话:13812345678"),
        ("ＩＤ　１１０１０１", "ID 110101"),
        ("138\u20091234\u20095678", "138 1234 5678"),  # thin spaces (a typeset phone number)
        ("138\u20131234\u22125678", "138-1234-5678"),  # en dash, minus sign
        ("无需折叠的中文。", "无需折叠的中文。"),
    ],
)
def test_fold_width(raw: str, folded: str) -> None:
    assert fold_width(raw) == folded
    long = raw * 1000  # the numpy path for long texts gives the same result
    assert fold_width(long) == folded * 1000


def test_personal_patterns_see_folded_numbers() -> None:
    mobile = lexicon.pattern("personal", "mobile")
    assert mobile.search(fold_width("电话138\u20091234\u20095678"))
    assert not mobile.search("电话138\u20091234\u20095678")


def test_digit_table_folds_only_digits() -> None:
    assert "〔２０２２〕３号（）".translate(digit_table()) == "〔2022〕3号（）"


def test_textnorm_keeps_sentence_punctuation_and_lowercases() -> None:
    assert textnorm.FOLD_TABLE[ord("Ａ")] == "a"
    assert ord("，") not in textnorm.FOLD_TABLE and ord("（") not in textnorm.FOLD_TABLE
