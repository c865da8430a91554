"""密级与内部标识: hand-built Documents (DOCX-like without layout, PDF-like A4 595 x 842 pt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors import load_all
from pubguard.detectors.base import ScanContext
from pubguard.detectors.classification_mark import ClassificationMarkDetector, load_words
from pubguard.document import RGB, BBox, BlockKind, Document, Page, TextBlock
from pubguard.finding import Severity

RED: RGB = (230, 0, 18)

BODY = [
    "关于做好2024年度防汛抗旱工作的通知",
    "各县（区）人民政府，市直各有关单位：",
    "为切实做好今年防汛抗旱工作，确保人民群众生命财产安全，现就有关事项通知如下。",
    "一、压实防汛责任。各地要严格落实以行政首长负责制为核心的防汛责任制。",
    "二、加强监测预警。气象、水利部门要密切监视雨情水情。",
    "三、做好应急准备。各地要储备必要的防汛物资。",
    "某某市人民政府办公室",
    "2024年5月6日",
]


def docx(lines: list[str | tuple[str, BlockKind]], color: RGB | None = None) -> Document:
    """DOCX-like: one page, no bboxes, one paragraph per line."""
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595.3, 841.9)])
    for i, item in enumerate(lines):
        text, kind = item if isinstance(item, tuple) else (item, BlockKind.BODY)
        doc.blocks.append(TextBlock(text, 1, kind=kind, color=color, paragraph=i))
    return doc.finalize()


def pdf(lines: list[tuple[str, int, BBox]], pages: int = 1, colors: dict[int, RGB] | None = None) -> Document:
    """PDF-like: (text, page, bbox) per line."""
    doc = Document(name="t.pdf", format="pdf", pages=[Page(n, 595, 842) for n in range(1, pages + 1)])
    for i, (text, page, bbox) in enumerate(lines):
        color = (colors or {}).get(i)
        doc.blocks.append(TextBlock(text, page, bbox=bbox, color=color, font_size=16, paragraph=i))
    return doc.finalize()


def body_pdf_lines(texts: list[str], page: int, top: float) -> list[tuple[str, int, BBox]]:
    return [(t, page, (79.0, top + 28 * i, 516.0, top + 28 * i + 16)) for i, t in enumerate(texts)]


def detect(doc: Document, config: ScanConfig | None = None):
    return list(ClassificationMarkDetector().detect(doc, ScanContext(config=config or ScanConfig())))


def rules(doc: Document) -> list[str]:
    return [f.rule for f in detect(doc)]


def test_registered() -> None:
    assert load_all()["classification_mark"] is ClassificationMarkDetector


@pytest.mark.parametrize(
    ("mark", "level", "term"),
    [
        ("秘密★1年", "秘密", "1年"),
        ("机密★5年", "机密", "5年"),
        ("绝密★长期", "绝密", "长期"),
        ("秘密 ★ 一年", "秘密", "一年"),
        ("机密＊10年", "机密", "10年"),
        ("秘密☆6个月", "秘密", "6个月"),
        ("机 密 * 5 年", "机密", "5年"),
        ("密级：机密", "机密", None),
        ("机密", "机密", None),
        ("秘密★", "秘密", None),
    ],
)
def test_secret_level_variants(mark: str, level: str, term: str | None) -> None:
    (f,) = detect(docx([mark, *BODY]))
    assert f.rule == "secret_level" and f.severity == Severity.BLOCKER
    assert f.details.level == level and f.details.term == term
    assert f.details.position == "top"
    assert f.location.start == 0


def test_fen_hao_line_and_emergency() -> None:
    doc = docx(["000123", "机密★5年", "特急", "某某市人民政府文件", *BODY])
    found = {f.rule: f for f in detect(doc)}
    assert set(found) == {"secret_level", "emergency"}
    assert found["secret_level"].details.fen_hao is True
    assert found["emergency"].severity == Severity.INFO
    assert found["secret_level"].confidence > 0.97


def test_fen_hao_on_the_same_line() -> None:
    (f,) = detect(docx(["000045  秘密★1年", *BODY]))
    assert f.details.fen_hao is True


def test_level_alone_must_be_near_the_top() -> None:
    lines = BODY[:6] + ["附件：", "材料目录", "机密", *BODY[6:]]
    assert rules(docx(lines)) == []


def test_star_form_alone_deep_in_text_is_high_not_blocker() -> None:
    # A 保密 training text showing the format as an example line.
    lines = [*BODY[:6], "密级标志的标注示例如下：", "汇报材料", "秘密★10年", *BODY[6:]]
    (f,) = detect(docx(lines))
    assert f.severity == Severity.HIGH and f.confidence < 0.7
    assert f.details.position is None


@pytest.mark.parametrize(
    "sentence",
    [
        "涉及国家秘密的信息不予公开。",
        "严格执行保密制度，不得泄露工作秘密。",
        "依法保护国家秘密",
        "机密文件管理办法",
        "绝密级档案",
        "对标注“秘密★1年”的文件，应当按规定管理。",
        "商业秘密",
        "内部文件管理规定",
        "三、注意保密",
        "国办发明电〔2020〕5号",
        "明电的报头包括发电单位、签批盘号、等级等要素。",
        "特急件应当随到随办。",
        "加急办理",
    ],
)
def test_sentences_are_not_marks(sentence: str) -> None:
    assert rules(docx([sentence, *BODY])) == []


@pytest.mark.parametrize(
    "mark",
    [
        "内部资料",
        "内部资料  注意保存",
        "内部文件",
        "内部参考",
        "注意保管",
        "注意保密",
        "不得外传",
        "工作秘密",
        "内部明电",
        "（内部资料，请勿外传）",
    ],
)
def test_internal_marking(mark: str) -> None:
    (f,) = detect(docx([mark, *BODY]))
    assert f.rule == "internal_marking" and f.severity == Severity.HIGH
    assert f.suggestion and "条例" in f.basis


def test_internal_marking_only_in_mark_positions() -> None:
    lines = [*BODY[:6], "参考资料", "附表一", "注意保存", *BODY[6:]]
    assert rules(docx(lines)) == []
    # ... but in the page header it counts, wherever the header block sits in the text.
    lines_with_header = [*BODY, ("内部资料 注意保存", BlockKind.HEADER)]
    (f,) = detect(docx(lines_with_header))
    assert f.rule == "internal_marking" and f.details.position == "header"


def test_red_standalone_mark_anywhere() -> None:
    lines = body_pdf_lines(BODY, 1, 200) + [("注意保密", 1, (79, 500, 143, 516))]
    doc = pdf(lines, colors={len(lines) - 1: RED})
    (f,) = detect(doc)
    assert f.details.position == "red"


def test_pdf_top_fraction_and_running_header_dedup() -> None:
    lines = [("秘密★1年", 1, (79, 60, 160, 76))]
    lines += body_pdf_lines(BODY[:4], 1, 200)
    lines += [("秘密★1年", 2, (79, 60, 160, 76))]  # repeated at the top of page 2
    lines += body_pdf_lines(BODY[4:], 2, 120)
    (f,) = detect(pdf(lines, pages=2))
    assert f.details.pages == (1, 2) and f.details.occurrences == 2
    assert f.location.page == 1 and f.location.bbox is not None


def test_pdf_mark_low_on_page_one_is_not_a_mark() -> None:
    lines = body_pdf_lines([*BODY[:6], "第一部分", "附录", "第二部分"], 1, 200)
    lines.append(("机密", 1, (79, 600, 111, 616)))
    assert rules(pdf(lines)) == []


def test_telegram_word_red() -> None:
    doc = pdf([("明  电", 1, (250, 60, 345, 100))] + body_pdf_lines(BODY, 1, 200), colors={0: RED})
    (f,) = detect(doc)
    assert f.rule == "telegram_header" and f.severity == Severity.BLOCKER
    assert f.details.word == "明电" and f.details.red is True
    assert f.confidence >= 0.95


def test_telegram_fields_without_the_word() -> None:
    lines = [
        "发电单位：某某省人民政府办公厅",
        "签批盘号：张某某",
        "等级：特急",
        "某政办明电〔2024〕12号",
        *BODY,
    ]
    (f,) = detect(docx(lines))
    assert f.rule == "telegram_header"
    assert f.details.fields == ("发电单位", "签批盘号", "等级")


def test_telegram_table_cells() -> None:
    cells = ["密码电报", "发电单位", "某某市人民政府", "电报编号", "某字第12号"]
    doc = docx([(c, BlockKind.TABLE_CELL) for c in cells] + BODY)
    (f,) = detect(doc)
    assert f.rule == "telegram_header"
    assert f.details.word == "密码电报" and set(f.details.fields) == {"发电单位", "电报编号"}


def test_telegram_attached_behind_a_cover_page() -> None:
    lines = body_pdf_lines(BODY, 1, 200)
    lines.append(("明 电", 2, (252, 74, 396, 117)))
    lines.append(("发电单位：某某市人民政府办公室", 2, (79, 157, 274, 173)))
    lines.append(("等级：特急", 2, (380, 157, 445, 173)))
    lines.append(("签批盘号：2024-0317", 2, (79, 182, 261, 198)))
    lines += body_pdf_lines(BODY[2:5], 2, 230)
    (f,) = detect(pdf(lines, pages=2, colors={len(BODY): RED}))
    assert f.rule == "telegram_header" and f.location.page == 2
    assert f.details.word == "明电" and set(f.details.fields) == {"发电单位", "等级", "签批盘号"}


def test_telegram_fields_low_on_a_page_are_prose_tables() -> None:
    lines = body_pdf_lines(BODY, 1, 200)
    lines.append(("发电单位：某某市人民政府办公室", 1, (79, 600, 274, 616)))
    lines.append(("签批盘号：2024-0317", 1, (79, 630, 261, 646)))
    assert rules(pdf(lines)) == []


def test_emergency_column_in_a_table_is_not_a_mark() -> None:
    cells = ["序号", "事项", "紧急程度", "1", "防汛物资调拨", "特急"]
    assert rules(docx([(c, BlockKind.TABLE_CELL) for c in cells] + BODY)) == []


def test_single_weak_field_is_not_a_telegram() -> None:
    # 签发人 belongs on every 上行文 (请示, 报告): alone it says nothing about telegrams.
    lines = ["某某县人民政府文件", "某政发〔2024〕3号  签发人：王某某", "关于某某事项的请示", *BODY[1:]]
    assert rules(docx(lines)) == []


def test_user_word_list_extends_internal_marks(tmp_path: Path) -> None:
    extra = tmp_path / "site.toml"
    extra.write_text('[classification_marks]\ninternal_marks = ["内部审阅稿"]\n', encoding="utf-8")
    load_words.cache_clear()
    cfg = ScanConfig(wordlists=[extra])
    (f,) = detect(docx(["内部审阅稿", *BODY]), cfg)
    assert f.rule == "internal_marking"
    assert detect(docx(["内部审阅稿", *BODY])) == []


def test_clean_document() -> None:
    assert detect(docx(BODY)) == []
    assert detect(pdf(body_pdf_lines(BODY, 1, 200))) == []
