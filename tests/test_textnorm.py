"""Normalisation with an offset map: every normalised character points at its original."""

from __future__ import annotations

import numpy as np
import pytest

from pubguard import textnorm
from pubguard.textnorm import fold, normalize, normalize_term


def _back(original: str, norm_text: str, target: str) -> str:
    n = normalize(original)
    assert n.text == norm_text
    i = n.text.index(target)
    s, e = n.span(i, i + len(target))
    return original[s:e]


def test_traditional_to_simplified_keeps_offsets() -> None:
    n = normalize("附件：內部資料，請勿外傳")
    assert n.text == "附件：内部资料，请勿外传"
    assert list(n.offsets) == list(range(len(n.text)))
    assert _back("附件：內部資料，請勿外傳", n.text, "内部资料") == "內部資料"


@pytest.mark.parametrize(
    ("original", "expected_back"),
    [
        ("这是内 部 资 料。", "内 部 资 料"),
        ("这是内-部-资-料。", "内-部-资-料"),
        ("这是内.部.资.料。", "内.部.资.料"),
        ("这是内*部*资*料。", "内*部*资*料"),
        ("这是内\u200b部\u200c资\u200d料。", "内\u200b部\u200c资\u200d料"),
        ("这是内\u3000部\u3000资\u3000料。", "内\u3000部\u3000资\u3000料"),
        ("这是内部\n资料。", "内部\n资料"),
        ("这是內 部－資 料。", "內 部－資 料"),
    ],
)
def test_evasion_removed_and_mapped_back(original: str, expected_back: str) -> None:
    n = normalize(original)
    assert "内部资料" in n.text
    i = n.text.index("内部资料")
    s, e = n.span(i, i + 4)
    assert original[s:e] == expected_back


def test_fullwidth_ascii_folded_chinese_punctuation_kept() -> None:
    n = normalize("ＰＤＦ版本２０２４，某政办发〔２０２２〕３号（草案）；《条例》")
    assert n.text == "pdf版本2024，某政办发〔2022〕3号（草案）；《条例》"
    assert len(n.text) == len(n.original)


def test_kangxi_radicals_and_compatibility_ideographs() -> None:
    # ⼯ (U+2F2F KANGXI RADICAL WORK) is what some PDF text layers emit for 工.
    assert normalize("⼯作秘密").text == "工作秘密"
    assert fold("\uf900") == "\u8c48"  # CJK compatibility ideograph -> unified 豈
    assert normalize("\uf900").text == "岂"  # ... then 繁→简


def test_real_enumerations_and_mixed_spacing_are_not_joined() -> None:
    assert normalize("省、市、县三级").text == "省、市、县三级"
    assert normalize("2024 年 GDP 增长").text == "2024 年 gdp 增长"
    # Separators between multi-character words are not evasion.
    assert normalize("国家-省级-市级").text == "国家-省级-市级"
    # A line break after punctuation stays; between two Han characters it is a layout wrap.
    assert normalize("第一条。\n第二条").text == "第一条。\n第二条"
    assert normalize("内部资\n料").text == "内部资料"


def test_fold_is_length_preserving() -> None:
    s = "ＡＢｃ　１２３－＿／〔〕（）"
    assert len(fold(s)) == len(s)
    assert fold(s) == "abc 123-_/〔〕（）"


def test_length_changing_conversion_falls_back_per_character(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenCC may convert a phrase to a different length: lines that changed length are
    converted character by character so every character still maps back."""

    def fake_t2s(s: str) -> str:
        return s.replace("內", "内内").replace("資", "资")

    monkeypatch.setattr(textnorm, "t2s", fake_t2s)
    original = "第一行。\n內部資料。\n第三行"
    n = normalize(original)
    assert n.text == "第一行。\n内内部资料。\n第三行"
    assert len(n.offsets) == len(n.text)
    i = n.text.index("部资料")
    s, e = n.span(i, i + 3)
    assert original[s:e] == "部資料"
    i = n.text.index("内内")
    assert n.span(i, i + 2) == (5, 6)
    i = n.text.index("第三行")
    s, e = n.span(i, i + 3)
    assert original[s:e] == "第三行"


def test_span_of_empty_range_and_terms() -> None:
    n = normalize("内部资料")
    assert n.span(2, 2) == (2, 2)
    assert n.span(4, 4) == (4, 4)
    assert normalize_term("  內部 資料 ") == "内部资料"


def test_normalize_terms_batch_equals_one_by_one() -> None:
    from pubguard import textnorm

    terms = [
        "內部資料",
        " 内 部 ",
        "ＡＢＣ１２",
        "內-部-資-料",
        "中\u200b国",
        "a b",
        "發展",
        "臺灣",
        "\u3000秘密\u3000",
        "",
    ]
    terms += ["机密★一年", "内部资料 注意保存", "頭髮", "后台", "乾隆", "內部資料"]  # repeats too
    one_by_one = [textnorm.normalize(t.strip()).text for t in terms]
    textnorm._TERM_CACHE.clear()
    assert textnorm.normalize_terms(terms) == one_by_one
    assert [textnorm.normalize_term(t) for t in terms] == one_by_one


def test_long_text_in_pieces_normalises_like_one_piece() -> None:
    """fold() and OpenCC work in pieces on long texts (cut after a newline for OpenCC): the same
    text and offsets as the whole-text pass; offsets are int32 below 2**31 characters."""
    import opencc

    from pubguard import textnorm

    whole = textnorm._opencc_t2s()
    trad = opencc.OpenCC("s2t").convert("关于进一步加强政务公开工作的通知，各单位要高度重视。\n" * 6000)
    assert len(trad) > 2 * textnorm._T2S_CHUNK
    assert textnorm.t2s(trad) == whole(trad) != trad
    spaced = ("内 部 资 料\u200b，注意保存。" * 9000) + "\n"
    n = textnorm.normalize(spaced)
    assert n.offsets.dtype == np.int32 and len(n.offsets) == len(n.text)
    assert n.text.startswith("内部资料，注意保存。") and "\u200b" not in n.text
    assert all(spaced[int(n.offsets[i])] == n.text[i] for i in range(0, len(n.text), 997))
    assert textnorm.fold("Ａ" * 70000 + "\n") == textnorm.fold("Ａ" * 5000) * 14 + "\n" == "a" * 70000 + "\n"


def test_evasion_characters_found_the_same_across_numpy_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Separator runs, their Han neighbours and astral characters cut by a piece boundary give
    the same text and offsets as one piece over the whole text."""
    import random

    rng = random.Random(3)
    alphabet = list("内部资料內資的 \n\t-.*\u200b\u3000Ａa，") + ["\U00020000", "\u2f2f"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(300)]
    whole = [(n.text, list(n.offsets)) for n in map(normalize, texts)]
    assert any(len(t) < len(s) for (t, _), s in zip(whole, texts, strict=True))
    for chunk in (1, 2, 5, 17):
        monkeypatch.setattr(textnorm, "_MASK_CHUNK", chunk)
        assert [(n.text, list(n.offsets)) for n in map(normalize, texts)] == whole
