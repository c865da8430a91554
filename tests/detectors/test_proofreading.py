"""proofreading detector: 发文字号 format, paired punctuation, half-width marks, repeats, confusions."""

from __future__ import annotations

import pytest

from pubguard.detectors.base import ScanContext
from pubguard.detectors.proofreading import MAX_PER_RULE, ProofreadingDetector, load_confusions
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.finding import Finding, Severity


def prose(*paragraphs: str, kind: BlockKind = BlockKind.BODY) -> Document:
    doc = Document(name="t.txt", format="txt", pages=[Page(1, 595, 842)])
    for i, text in enumerate(paragraphs):
        doc.blocks.append(TextBlock(text, 1, kind=kind, paragraph=i))
    return doc.finalize()


def scan(doc: Document) -> list[Finding]:
    return list(ProofreadingDetector().detect(doc, ScanContext()))


def of_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def located(doc: Document, f: Finding) -> str:
    return doc.text[f.location.start : f.location.end]


# --- 发文字号 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wrong", "fixed"),
    [
        ("依据桂政办发[2023]15号文件精神", "桂政办发[2023]15号", "桂政办发〔2023〕15号"),
        ("国办发（2023）5号", "国办发（2023）5号", "国办发〔2023〕5号"),
        ("京政发【2022】12号", "京政发【2022】12号", "京政发〔2022〕12号"),
        ("闽政办［2021］8号", "闽政办［2021］8号", "闽政办〔2021〕8号"),
        ("南府发(2020)3号", "南府发(2020)3号", "南府发〔2020〕3号"),
        ("闽政〔23〕5号", "闽政〔23〕5号", "闽政〔2023〕5号"),
        ("国发〔2023〕第5号", "国发〔2023〕第5号", "国发〔2023〕5号"),
        ("财预〔2023〕03号", "财预〔2023〕03号", "财预〔2023〕3号"),
        ("桂政函〔２０２３〕１２号", "桂政函〔２０２３〕１２号", "桂政函〔2023〕12号"),
    ],
)
def test_doc_number_errors(text: str, wrong: str, fixed: str) -> None:
    doc = prose(text)
    found = of_rule(scan(doc), "doc_number_format")
    assert len(found) == 1
    f = found[0]
    assert located(doc, f) == wrong and f.evidence == wrong
    assert f"“{fixed}”" in f.suggestion and f.details.corrected == fixed
    assert f.severity == Severity.MEDIUM and "GB/T 9704-2012" in f.basis


def test_doc_number_message_lists_every_problem() -> None:
    f = of_rule(scan(prose("某政发[23]第05号")), "doc_number_format")[0]
    assert "六角括号" in f.message and "四位" in f.message and "第" in f.message and "虚位" in f.message


@pytest.mark.parametrize(
    "text",
    [
        "南府办〔2023〕15号",
        "根据《国务院办公厅关于印发有关措施的通知》（国办发〔2023〕5号）要求",
        "（2023）桂01民初123号民事判决书",
        "《南宁市国民经济和社会发展第十四个五年规划（2021—2025年）》",
        "根据[2023]年度工作安排",
        "南宁市人民政府2023年第5号公告",
        "国务院令第708号",
    ],
)
def test_doc_number_negatives(text: str) -> None:
    assert of_rule(scan(prose(text)), "doc_number_format") == []


# --- paired punctuation ------------------------------------------------------------------------


def test_unclosed_bracket_is_located() -> None:
    doc = prose("一、通报2023年全市安全生产形势（由市应急管理局负责。")
    found = of_rule(scan(doc), "unmatched_pair")
    assert len(found) == 1
    assert located(doc, found[0]) == "（" and "“）”" in found[0].message


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("推行“一网通办，提升服务效能。", "“"),
        ("依据《条例》》规定", "》"),
        ("1）加强组织领导", "）"),
        ("【重要通知】】", "】"),
        ("（“一网通办）”", "“”"),  # crossed pairs: both quotes reported
    ],
)
def test_unmatched_pairs(text: str, bad: str) -> None:
    doc = prose(text)
    found = of_rule(scan(doc), "unmatched_pair")
    assert [located(doc, f) for f in found] == list(bad)


@pytest.mark.parametrize(
    "text",
    [
        "根据《中华人民共和国政府信息公开条例》（国务院令第711号）第十五条规定。",
        "推行“《条例》进机关”活动，做到“应公开尽公开”。",
        "The policy doesn’t apply to foreign-invested enterprises (FIEs).",
        "（一）加强组织领导。（二）强化督促检查。",
    ],
)
def test_balanced_pairs(text: str) -> None:
    assert of_rule(scan(prose(text)), "unmatched_pair") == []


def test_quotation_over_several_paragraphs_opens_each_paragraph() -> None:
    doc = prose("他在讲话中指出：“第一，要提高站位。", "“第二，要压实责任。”")
    assert of_rule(scan(doc), "unmatched_pair") == []


def test_pdf_lines_of_one_paragraph_are_joined() -> None:
    """A bracket opened at the end of a wrapped PDF line and closed on the next is fine."""
    doc = Document(name="t.pdf", format="pdf", pages=[Page(1, 595, 842)])
    lines = [
        ("各县（市、区）人民政府，市政府各部门：为进一步规范政府信息公开工作（以下", (90, 100, 505, 116)),
        ("简称公开工作），现将有关事项通知如下。", (90, 120, 380, 136)),
        ("一、请于5月10日前报送材料（逾期不予受理。", (90, 140, 400, 156)),
    ]
    for i, (text, bbox) in enumerate(lines):
        doc.blocks.append(TextBlock(text, 1, bbox=bbox, paragraph=i))
    doc.finalize()
    found = of_rule(scan(doc), "unmatched_pair")
    assert len(found) == 1
    assert found[0].location.start == doc.text.index("（逾期")
    assert found[0].location.page == 1 and found[0].location.bbox is not None


# --- half-width punctuation ---------------------------------------------------------------------


def test_half_width_between_chinese() -> None:
    doc = prose("各单位要高度重视,认真落实;确保实效。详见附件(一)。")
    (found,) = of_rule(scan(doc), "mixed_punctuation")  # one finding per document
    assert [doc.text[loc.start : loc.end] for loc in found.locations] == [",", ";", "(", ")"]
    assert found.count == 4 and found.locations[0] == found.location
    assert "，" in found.suggestion and "（" in found.suggestion and "全文共 4 处" in found.message
    assert found.details.marks == {",": 1, ";": 1, "(": 1, ")": 1}


def test_one_half_width_mark_is_reported_as_before() -> None:
    doc = prose("各单位要高度重视,认真落实。")
    (found,) = of_rule(scan(doc), "mixed_punctuation")
    assert located(doc, found) == "," and found.count == 1 and found.locations == []
    assert found.message == "中文之间使用了半角标点“,”。" and found.suggestion == "改为全角“，”。"


def test_thousands_of_half_width_marks_make_one_small_finding() -> None:
    lines = ["各单位要高度重视,认真落实:确保实效。"] * 3000 + ["工作要求(一)落实。"]
    doc = prose(*lines)
    (found,) = of_rule(scan(doc), "mixed_punctuation")
    assert found.count == 6002 == len(found.locations)
    assert {doc.text[loc.start : loc.end] for loc in found.locations} == {",", ":", "(", ")"}
    starts = [loc.start for loc in found.locations]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "text",
    [
        "详见http://www.nanning.gov.cn/xxgk/zcwj/t123(1).html",
        "Guangxi Zhuang Autonomous Region, Nanning (2023): Notice on Business Environment.",
        "补助标准为每人每月1,234元，时间:2023年5月1日。",
        "比例为1:2，温度为20℃。",
    ],
)
def test_half_width_negatives(text: str) -> None:
    assert of_rule(scan(prose(text)), "mixed_punctuation") == []


# --- repeated characters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("会议的的主要内容如下", "的的"),
        ("各地区在在推进改革", "在在"),
        ("已经完成了了全部任务", "了了"),
        ("全面是是落实责任", "是是"),
    ],
)
def test_accidental_repeats(text: str, pair: str) -> None:
    doc = prose(text)
    found = of_rule(scan(doc), "repeated_char")
    assert [located(doc, f) for f in found] == [pair]


@pytest.mark.parametrize(
    "text",
    [
        "这是实现目的的重要手段",
        "我们现在在做的工作",
        "问题不能不了了之",
        "好好学习，天天向上",
        "常常深入基层，人人有责",
        "实实在在、认认真真地做好工作",
        "请大家看看，谈谈体会",
        "年年有余，步步为营，层层落实",
        "这个问题是是否问题的关键",
    ],
)
def test_legitimate_reduplications(text: str) -> None:
    assert of_rule(scan(prose(text)), "repeated_char") == []


# --- confusion list --------------------------------------------------------------------------------


def test_confusion_list_is_data_with_examples() -> None:
    entries = load_confusions().entries
    assert len(entries) >= 30
    assert all(e.match and e.no_match and e.note and e.wrong != e.right for e in entries)


@pytest.mark.parametrize("entry", load_confusions().entries, ids=lambda e: e.wrong)
def test_confusion_examples(entry) -> None:  # noqa: ANN001 - pytest param
    for sentence in entry.match:
        doc = prose(sentence)
        found = [f for f in of_rule(scan(doc), "confusion") if f.details.right == entry.right]
        assert found, sentence
        assert located(doc, found[0]) == entry.wrong
        assert f"“{entry.right}”" in found[0].suggestion
    for sentence in entry.no_match:
        assert [
            f for f in of_rule(scan(prose(sentence)), "confusion") if f.details.wrong == entry.wrong
        ] == []


def test_style_entries_are_info() -> None:
    found = of_rule(scan(prose("其它事项另行通知。")), "confusion")
    assert len(found) == 1 and found[0].severity == Severity.INFO
    assert of_rule(scan(prose("认真布署。")), "confusion")[0].severity == Severity.LOW


# --- scope, caps, privacy ----------------------------------------------------------------------


def test_only_visible_text_is_checked() -> None:
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595, 842)])
    doc.blocks += [
        TextBlock("会议的的主要内容", 1, kind=BlockKind.COMMENT, paragraph=0),
        TextBlock("桂政办发[2023]15号", 0, kind=BlockKind.METADATA, paragraph=1),
        TextBlock("（删去的内容", 1, kind=BlockKind.REVISION_DELETE, paragraph=2),
        TextBlock("隐藏,文字", 1, hidden=True, paragraph=3),
        TextBlock("正文内容完整。", 1, paragraph=4),
    ]
    doc.finalize()
    assert scan(doc) == []


def test_ocr_text_gets_the_confusion_list_only() -> None:
    doc = prose("桂政办发[2023]15号（认真布署,落实的的", kind=BlockKind.OCR)
    assert sorted(f.rule for f in scan(doc)) == ["confusion"]


def test_one_repeated_problem_is_one_finding_with_every_location() -> None:
    doc = prose(*["会议的的内容如下。"] * 3000, "落实的的要求。")
    (found,) = of_rule(scan(doc), "repeated_char")
    assert found.count == 3001 == len(found.locations)
    assert all(doc.text[loc.start : loc.end] == "的的" for loc in found.locations)
    confusions = of_rule(scan(prose(*["认真布署落实。"] * 200, "做好布署。")), "confusion")
    assert len(confusions) == 1 and confusions[0].count == 201


def test_many_different_issues_are_capped_with_a_summary() -> None:
    doc = prose(*[f"依据桂政办发[2023]{n}号文件。" for n in range(1, MAX_PER_RULE + 11)])
    found = of_rule(scan(doc), "doc_number_format")
    assert len(found) == MAX_PER_RULE + 1
    assert "另有10处" in found[-1].message and found[-1].details.count == 10


def test_evidence_masks_long_numbers() -> None:
    found = scan(prose("申请人（身份证号110101199003077774"))
    assert len(found) == 1 and found[0].rule == "unmatched_pair"
    assert "110101199003077774" not in found[0].evidence and "7774" in found[0].evidence


NOTICE = [
    "南宁市人民政府办公室关于进一步做好政府信息公开工作的通知",
    "南府办〔2023〕15号",
    "各县（市、区）人民政府，市政府各组成部门、各直属机构：",
    "为贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》），推行“一网通办”，"
    "经市人民政府同意，现将有关事项通知如下。",
    "一、截至目前，全市已公开政策文件1,234件，详见市政府门户网站（http://www.nanning.gov.cn）。",
    "二、各单位要常常深入基层，认认真真、实实在在地做好工作，确保人人知晓、天天更新。",
    "三、依据《南宁市国民经济和社会发展第十四个五年规划（2021—2025年）》及国办发〔2022〕8号文件作出部署。",
    "Contact: Office of Government Affairs, Nanning (Tel: 0771-12345).",
    "南宁市人民政府办公室",
    "2023年9月28日",
]


def test_realistic_notice_has_no_findings() -> None:
    assert scan(prose(*NOTICE)) == []


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("根据《关于印发〈方案〉的通知》（“三审三校”）【重要】执行。", 0),
        ("他说：“‘一网通办’已经上线。”", 0),
        ("（一）加强领导）。", 1),
        ("“既要”又要“", 1),
        ("英文 it’s 与‘引号', 混用。", 1),  # ’ between ASCII letters is an apostrophe
    ],
)
def test_pair_check_fast_path_agrees(text: str, bad: int) -> None:
    assert len(of_rule(scan(prose(text)), "unmatched_pair")) == bad


def test_paragraphs_without_boxes_match_the_layout_walk() -> None:
    """Text formats take a one-pass path: same paragraphs, pieces and offsets as the walk
    that joins wrapped PDF lines (which never joins blocks without boxes)."""
    from pubguard.detectors.proofreading import _paragraphs_with_layout, _paragraphs_without_layout

    doc = Document(name="t.html", format="html", pages=[Page(1, 0, 0)])
    parts = [
        ("各单位：", 0, BlockKind.BODY, False),
        ("为做好", 1, BlockKind.BODY, False),
        ("", 1, BlockKind.BODY, False),
        ("（隐藏）", 1, BlockKind.BODY, True),
        ("政务公开工作", 1, BlockKind.BODY, False),
        ("页眉文字", 2, BlockKind.HEADER, False),
        ("识别文字", -1, BlockKind.OCR, False),
        ("另一段", -1, BlockKind.BODY, False),
        ("同段续写", 3, BlockKind.BODY, False),
        ("同段再续", 3, BlockKind.BODY, False),
    ]
    for text, par, kind, hidden in parts:
        doc.blocks.append(TextBlock(text, 1, kind=kind, paragraph=par, hidden=hidden))
    doc.finalize()
    fast, walk = _paragraphs_without_layout(doc), _paragraphs_with_layout(doc)
    assert [(p.text, p.offsets, p.starts, p.ocr, p.kind) for p in fast] == [
        (p.text, p.offsets, p.starts, p.ocr, p.kind) for p in walk
    ]
    texts = [p.text for p in fast]
    assert "为做好政务公开工作" in texts and "同段续写同段再续" in texts and "（隐藏）" not in "".join(texts)
    joined = next(p for p in fast if p.text == "为做好政务公开工作")
    assert len(joined.offsets) == 2  # the hidden block breaks the run: two pieces
    assert doc.text[joined.to_doc(4)] == joined.text[4]


def test_whole_text_passes_pick_the_paragraphs_and_hits_of_the_per_paragraph_checks() -> None:
    """The joined-paragraph passes (pairs reduced together, mixed punctuation, the doc-number
    trigger) against the per-paragraph functions they replace, on random prose-like strings."""
    import random

    from pubguard.detectors import proofreading as pr

    rng = random.Random(14)
    alphabet = (
        list("各单位要落实国办函发号第年")
        + list("“”‘’（）《》【】〔〕[]()")
        + list(",;:?!。，、 ")
        + list("0123456789０１２３")
    )
    for _ in range(300):
        texts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 8))
        ]
        texts = [t for t in texts if t] or ["各单位"]
        joined = "\n".join(texts)
        starts = [sum(len(t) + 1 for t in texts[:k]) for k in range(len(texts))]
        marks = ["".join(pr._PAIR_CHARS.findall(t)) for t in texts]
        expected_pairs = {k for k, m in enumerate(marks) if "’" in m or not pr._balanced(m)}
        assert pr._unbalanced_paras(joined, len(texts)) == expected_pairs, texts
        expected_mixed = [(k, i, ch) for k, t in enumerate(texts) for i, ch in pr.mixed_hits(t)]
        assert pr._mixed_by_para(joined, starts) == expected_mixed, texts
        with_docno = {k for k, t in enumerate(texts) if list(pr.check_doc_numbers(t))}
        assert with_docno <= pr._paras_with(pr._DOCNO_RAW, joined, starts), texts
    assert pr._unbalanced_paras("（一\n二）", 3) is None  # a paragraph holding a newline
    assert pr._mixed_by_para("工作,要求\n落实(任务)\n好", [0, 6, 13]) == [
        (0, 2, ","),
        (1, 2, "("),
        (1, 5, ")"),
    ]
    assert pr._paras_with(pr._DOCNO_RAW, "见（公告）\n某发〔２０２２〕３号", [0, 6]) == {1}


def test_doc_numbers_with_full_width_digits_are_still_checked_on_joined_paragraphs() -> None:
    doc = prose("各单位：", "按照某政办发〔２０２２〕０３号文件执行。", "落实(任务)要求。")
    found = scan(doc)
    docno = of_rule(found, "doc_number_format")
    assert [located(doc, f) for f in docno] == ["某政办发〔２０２２〕０３号"]
    assert [f.count for f in of_rule(found, "mixed_punctuation")] == [2]
    assert not of_rule(scan(prose("按照某政办发〔2022〕3号文件执行。")), "doc_number_format")


def test_doubled_characters_across_numpy_pieces_as_finditer_finds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pairs and runs (哈哈哈) straddling the cut between two numpy pieces are found once."""
    import random

    from pubguard.detectors import proofreading as pr

    rng = random.Random(11)
    alphabet = list("的的哈哈哈人") + ["\U00020000", "a", "\n"]
    for chunk in (1, 2, 3, 7, 64):
        monkeypatch.setattr(pr, "_DOUBLED_CHUNK", chunk)
        for _ in range(30):
            joined = "".join(rng.choice(alphabet) for _ in range(rng.randint(4100, 4400)))
            texts = joined.split("\n")
            starts = [0]
            for t in texts[:-1]:
                starts.append(starts[-1] + len(t) + 1)
            expected = {k: [m.start() for m in pr.RE_DOUBLE.finditer(t)] for k, t in enumerate(texts)}
            assert pr._doubled(joined, starts) == {k: v for k, v in expected.items() if v}


def test_doubled_characters_found_for_all_paragraphs_as_finditer_finds_them_in_each() -> None:
    import random

    from pubguard.detectors import proofreading as pr

    rng = random.Random(7)
    alphabet = list("的的在哈哈一人民主") + ["\U00020000", "a", "1", "，", " "]
    for size in (3, 200):  # joined text under and over the numpy threshold
        for _ in range(40):
            texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(size)]
            joined = "\n".join(texts)
            starts = [0]
            for t in texts[:-1]:
                starts.append(starts[-1] + len(t) + 1)
            expected = {k: [m.start() for m in pr.RE_DOUBLE.finditer(t)] for k, t in enumerate(texts)}
            assert pr._doubled(joined, starts) == {k: v for k, v in expected.items() if v}
    assert pr._doubled("哈哈哈\n的的", [0, 4]) == {0: [0], 1: [0]}
    text = "研究的的问题"
    assert (
        [i.start for i in pr.check_repeats(text, at=[2])] == [i.start for i in pr.check_repeats(text)] == [2]
    )
