"""pubguard.segment: jieba segmentation with the person-name tag read from jieba's dictionary
(jieba.posseg is never loaded)."""

from __future__ import annotations

import subprocess
import sys

from pubguard import segment


def _names(text: str) -> list[str]:
    return [w.word for w in segment.words(text) if w.name_like]


def test_person_names_before_numbers_are_name_like() -> None:
    assert _names("经审核，王建国 身份证 110101198503121234 手机 13812345678") == ["王建国"]
    assert "朱秀艳" in _names("联系人：朱秀艳，身份证号：")


def test_ordinary_words_starting_with_a_surname_are_not() -> None:
    for text in ("各单位要高度重视", "林业局马上报送", "许多群众反映", "黄金周期间", "王国维护"):
        assert not [w for w in _names(text) if w in ("高度", "林业局", "马上", "许多", "黄金", "王国")], text


def test_offsets_cover_the_text() -> None:
    text = "申请人徐刚杰(110101197105276177),联系电话15236405622。"
    words = segment.words(text)
    assert "".join(w.word for w in words) == text
    assert all(text[w.start : w.start + len(w.word)] == w.word for w in words)


def test_single_chars_of_a_doubled_character() -> None:
    assert {2, 3} <= segment.single_chars("研究的的问题")  # 的|的: both single, a typo
    assert 1 not in segment.single_chars("现在在建项目")  # 现在|在建: each 在 belongs to a word


def test_posseg_is_not_loaded() -> None:
    code = "from pubguard import segment; segment.words('联系人王建国'); import sys; print('jieba.posseg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out.strip() == "False"
