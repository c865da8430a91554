"""Plain text: encoding detection (UTF-8/BOM, UTF-16, GB18030/GBK, Big5) and line blocks."""

from __future__ import annotations

import pytest

from pubguard.config import ScanConfig
from pubguard.document import BlockKind
from pubguard.errors import CorruptFile
from pubguard.extract import extract
from pubguard.extract.text import decode_text, extract_text

NOTICE = (
    "关于2024年度城乡居民医疗救助资金发放情况的公示\n"
    "\n"
    "根据《中华人民共和国政府信息公开条例》第二十条规定，现将有关情况公示如下：\n"
    "一、救助对象：低保户、特困供养人员。\n"
    "二、公示期为7个工作日，如有异议请向县民政局反映。\n"
)

BIG5_NOTICE = (
    "關於2024年度社會救助金發放情況的公告\n依據政府資訊公開法規定，公告期間為七日。\n臺北市政府社會局\n"
)


def _check_offsets(doc) -> None:
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text


def test_utf8_without_bom_one_block_per_line() -> None:
    doc = extract_text(NOTICE.encode("utf-8"), "notice.txt", ScanConfig())
    assert doc.metadata["encoding"] == "utf-8"
    assert doc.format == "txt" and doc.page_count == 1
    texts = [b.text for b in doc.blocks]
    assert texts == [line for line in NOTICE.splitlines() if line]  # blank line dropped
    assert all(b.kind == BlockKind.BODY and b.page == 1 for b in doc.blocks)
    pars = [b.paragraph for b in doc.blocks]
    assert pars == sorted(set(pars)) and pars[1] == 2  # line numbers, unique and increasing
    assert doc.text.splitlines() == texts
    _check_offsets(doc)


def test_utf8_with_bom_strips_bom() -> None:
    doc = extract_text(b"\xef\xbb\xbf" + NOTICE.encode("utf-8"), "notice.txt", ScanConfig())
    assert doc.metadata["encoding"] == "utf-8-sig"
    assert doc.blocks[0].text.startswith("关于2024年度")
    assert "\ufeff" not in doc.text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    raw = NOTICE.encode(codec)
    if codec != "utf-16":  # explicit-endian codecs write no BOM: add it like Notepad does
        raw = ("\ufeff" + NOTICE).encode(codec)
    doc = extract_text(raw, "notice.txt", ScanConfig())
    assert doc.metadata["encoding"] == "utf-16"
    assert doc.blocks[0].text == "关于2024年度城乡居民医疗救助资金发放情况的公示"


def test_gbk_file_is_reported_as_gb18030() -> None:
    doc = extract_text(NOTICE.encode("gbk"), "notice.txt", ScanConfig())
    assert doc.metadata["encoding"] == "gb18030"
    assert doc.text.splitlines()[0] == "关于2024年度城乡居民医疗救助资金发放情况的公示"


def test_gb18030_only_characters() -> None:
    # 䶮 (CJK Ext-A, a surname/given-name character) exists in GB18030 but not in GBK.
    text = "获奖人员名单\n王䶮，男，县第一中学教师\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    doc = extract_text(text.encode("gb18030"), "名单.txt", ScanConfig())
    assert doc.metadata["encoding"] == "gb18030"
    assert doc.blocks[1].text == "王䶮，男，县第一中学教师"


def test_big5_traditional_text() -> None:
    doc = extract_text(BIG5_NOTICE.encode("big5"), "公告.txt", ScanConfig())
    assert doc.metadata["encoding"] == "big5"
    assert [b.text for b in doc.blocks] == BIG5_NOTICE.splitlines()


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("特此公告", "gbk", "gb18030"),
        ("特此公告", "big5", "big5"),
        ("公示", "gbk", "gb18030"),  # also valid Big5 ("鼠豢"): mainland GB wins the tie
        ("臺北", "gbk", "gb18030"),  # traditional characters saved as GBK
        ("張三", "big5", "big5"),
    ],
)
def test_short_chinese_strings(text: str, codec: str, expected: str) -> None:
    decoded, encoding = decode_text(text.encode(codec))
    assert (decoded, encoding) == (text, expected)


def test_utf8_wins_over_a_wrong_declared_charset() -> None:
    decoded, encoding = decode_text("补贴发放名单".encode(), declared="gb2312")
    assert (decoded, encoding) == ("补贴发放名单", "utf-8")


def test_declared_charset_used_for_non_utf8() -> None:
    decoded, encoding = decode_text("补贴发放名单".encode("gbk"), declared="GB2312")
    assert (decoded, encoding) == ("补贴发放名单", "gb18030")


def test_undecodable_bytes_raise_corrupt_file_in_chinese() -> None:
    junk = bytes(range(1, 256)) * 40
    with pytest.raises(CorruptFile) as exc:
        extract_text(junk, "x.txt", ScanConfig())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_truncated_utf16_raises_corrupt_file() -> None:
    raw = b"\xff\xfe" + "公示名单".encode("utf-16-le") + b"\x00\xd8"  # lone high surrogate
    with pytest.raises(CorruptFile):
        extract_text(raw, "x.txt", ScanConfig())


def test_dispatch_through_extract() -> None:
    doc = extract(NOTICE.encode("gb18030"), "公示.txt")
    assert doc.format == "txt"
    assert doc.metadata["encoding"] == "gb18030"
    assert "公示期为7个工作日" in doc.text


def test_western_declared_charset_does_not_override_chinese_bytes() -> None:
    decoded, encoding = decode_text("各乡镇人民政府、县直各单位：".encode("gbk"), declared="iso-8859-1")
    assert (decoded, encoding) == ("各乡镇人民政府、县直各单位：", "gb18030")
    decoded, encoding = decode_text("Préfecture de la région".encode("latin-1"), declared="iso-8859-1")
    assert (decoded, encoding) == ("Préfecture de la région", "iso8859-1")
