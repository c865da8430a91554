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


def test_the_dictionary_index_segments_exactly_as_jieba_with_its_whole_dictionary() -> None:
    import jieba as real_jieba

    jb = segment.jieba()
    assert isinstance(jb.dt.FREQ, segment.DiskFreq)
    whole = real_jieba.Tokenizer()  # jieba's own loading: the marshalled prefix dictionary
    whole.initialize()
    assert jb.dt.total == whole.total
    texts = [
        "经审核，王建国 身份证 110101198503121234 手机 13812345678 符合补助条件。",
        "持续整治形式主义、官僚主义，切实转变工作作风，坚持人民民主专政，各地要一一对应抓好落实。",
        "研究的的问题现在在建项目，林业局马上报送，许多群众反映黄金周期间王国维护。",
        "申请人徐刚杰(110101197105276177),联系电话15236405622。",
    ]
    for text in texts:
        assert list(jb.tokenize(text)) == list(whole.tokenize(text)), text
        assert list(jb.tokenize(text, HMM=False)) == list(whole.tokenize(text, HMM=False)), text
    for word in ("工作", "工作作", "王建国", "的", "不存在的词语组合", "人民民"):
        assert jb.dt.FREQ.get(word) == whole.FREQ.get(word)
        assert (word in jb.dt.FREQ) == (word in whole.FREQ)
    persons = segment.person_words()
    assert [w.person for w in segment.words("联系人王建国同志")] == [
        w.word in persons for w in segment.words("联系人王建国同志")
    ]
    assert any(w.person for w in segment.words("联系人王建国同志"))


def test_jieba_loads_without_unmarshalling_its_prefix_dictionary() -> None:
    code = (
        "import marshal, sys; calls = []; real = marshal.load\n"
        "marshal.load = lambda f: calls.append(1) or real(f)\n"
        "from pubguard import segment; segment.single_chars('研究的的问题')\n"
        "print(len(calls), isinstance(segment.jieba().dt.FREQ, dict))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out.split() == ["0", "False"]


def test_without_an_index_jieba_loads_its_whole_dictionary_and_segments_the_same() -> None:
    code = (
        "from pubguard import segment\n"
        "def fail(jb): raise OSError('read-only')\n"
        "segment.DiskFreq.open = fail\n"
        "jb = segment.jieba(); print(isinstance(jb.dt.FREQ, dict), sorted(segment.single_chars('研究的的问题')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out.strip() == f"True {sorted(segment.single_chars('研究的的问题'))}"
