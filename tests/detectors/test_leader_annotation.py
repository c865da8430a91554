"""领导批示: hand-built Documents (A4 pages 595 x 842 pt) so layout evidence is exact."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pubguard.detectors import load_all
from pubguard.detectors.base import ScanContext
from pubguard.detectors.leader_annotation import LeaderAnnotationDetector
from pubguard.document import RGB, BBox, BlockKind, Document, Page, TextBlock
from pubguard.finding import Severity

BLUE: RGB = (20, 60, 200)
BLACK: RGB = (0, 0, 0)


@dataclass
class L:
    """One line to place on the page."""

    text: str
    bbox: BBox | None = None
    color: RGB | None = None
    kind: BlockKind = BlockKind.BODY
    page: int = 1


def body_lines(texts: list[str], top: float = 200.0, left: float = 79.0, page: int = 1) -> list[L]:
    """Body text in the GB/T 9704 column: 16 pt lines, 28 pt apart."""
    out = []
    for i, t in enumerate(texts):
        y = top + 28 * i
        out.append(L(t, (left, y, min(left + 16 * len(t), 516.0), y + 16), page=page))
    return out


def make_doc(lines: list[L], pages: int = 1, fmt: str = "pdf", has_text_layer: bool = True) -> Document:
    doc = Document(name=f"t.{fmt}", format=fmt)
    doc.pages = [Page(n, 595, 842, has_text_layer=has_text_layer) for n in range(1, pages + 1)]
    for i, ln in enumerate(lines):
        doc.blocks.append(
            TextBlock(ln.text, ln.page, kind=ln.kind, bbox=ln.bbox, color=ln.color, font_size=16, paragraph=i)
        )
    return doc.finalize()


def detect(doc: Document):
    return list(LeaderAnnotationDetector().detect(doc, ScanContext()))


REQUEST_BODY = [
    "某某县民政局关于调整城乡低保标准的请示",
    "县人民政府：",
    "为保障困难群众基本生活，根据省、市有关文件精神，",
    "拟将我县城乡低保标准提高至每人每月800元。",
    "妥否，请批示。",
    "某某县民政局",
    "2023年4月6日",
]


def test_registered() -> None:
    assert load_all()["leader_annotation"] is LeaderAnnotationDetector


def test_top_margin_note_on_printed_request() -> None:
    note = L("请张某某同志阅处", (300, 40, 428, 56))  # above the 37 mm 天头
    doc = make_doc([note, *body_lines(REQUEST_BODY)])
    (f,) = detect(doc)
    assert f.rule == "instruction" and f.severity == Severity.HIGH
    assert "margin" in f.details.evidence
    assert f.evidence.startswith("请张某某同志阅处")
    assert f.location.page == 1 and f.location.bbox is not None and f.location.bbox[3] <= 56


def test_side_margin_note_signed() -> None:
    note = L("拟同意，请李市长审定。王某 4.8", (10, 300, 70, 316))
    doc = make_doc([*body_lines(REQUEST_BODY), note])
    (f,) = detect(doc)
    assert set(f.details.evidence) >= {"margin", "signed"}
    assert f.details.form == "拟同意"
    assert f.details.signer == "王某"
    assert f.confidence > 0.9


def test_blue_ink_inside_the_column() -> None:
    lines = body_lines(REQUEST_BODY)
    # Written into the blank space after the request, inside the body column, in blue pen.
    lines.insert(5, L("同意。", (300, 330, 348, 346), color=BLUE))
    doc = make_doc(lines)
    (f,) = detect(doc)
    assert f.details.evidence == ("ink",)
    assert f.evidence == "同意。"


def test_handwriting_ocr_over_text_layer() -> None:
    lines = body_lines(REQUEST_BODY)
    lines.append(L("请王局长阅示", (300, 420, 396, 436), kind=BlockKind.OCR))
    doc = make_doc(lines)
    (f,) = detect(doc)
    assert "handwriting" in f.details.evidence


def test_ocr_on_a_pure_scan_is_not_handwriting_evidence() -> None:
    # Every line is OCR (a scanned printed page): OCR alone says nothing about the pen.
    lines = [L(x.text, x.bbox, kind=BlockKind.OCR) for x in body_lines([*REQUEST_BODY, "请王局长阅示"])]
    doc = make_doc(lines, has_text_layer=False)
    assert detect(doc) == []


def test_word_comment_with_instruction() -> None:
    lines = [L(t) for t in REQUEST_BODY] + [L("同意", kind=BlockKind.COMMENT)]
    doc = make_doc(lines, fmt="docx")
    (f,) = detect(doc)
    assert f.details.evidence == ("comment",)
    assert f.block_kind == "comment"


def test_strict_signed_line_without_layout() -> None:
    doc = make_doc([L("拟同意。王某某 2023.4.8"), *[L(t) for t in REQUEST_BODY]], fmt="docx")
    (f,) = detect(doc)
    assert f.details.evidence == ("signed",)
    assert f.confidence >= 0.8


def test_label_block_signed_on_next_line() -> None:
    lines = [
        L("领导批示：请市住建局牵头，会同市财政局研究办理。"),
        L("李某某 2021年4月8日"),
        *[L(t) for t in REQUEST_BODY],
    ]
    doc = make_doc(lines, fmt="docx")
    (f,) = detect(doc)
    assert f.details.form == "label"
    assert f.details.signer == "李某某"
    assert "2021年4月8日" in f.evidence  # the span covers the signature line


def test_processing_form_cell() -> None:
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595, 842)])
    cells = [("来文单位", 0, 0), ("某某县民政局", 0, 1), ("领导批示", 1, 0), ("同意。王某 3.5", 1, 1)]
    for i, (t, r, c) in enumerate(cells):
        doc.blocks.append(TextBlock(t, 1, kind=BlockKind.TABLE_CELL, row=r, col=c, table=0, paragraph=i))
    doc.finalize()
    (f,) = detect(doc)
    assert "signed" in f.details.evidence
    assert f.evidence.startswith("同意")


def test_empty_processing_form_is_not_reported() -> None:
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595, 842)])
    for i, t in enumerate(["领导批示", "拟办意见", "办理结果"]):
        doc.blocks.append(TextBlock(t, 1, kind=BlockKind.TABLE_CELL, row=i, col=0, table=0, paragraph=i))
    doc.finalize()
    assert detect(doc) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "妥否，请批示。",
        "以上请示妥否，请领导审定。",
        "不得泄露或传播领导同志对有关信件的批示。",
        "各级党组织要认真落实习近平总书记重要指示批示精神。",
        "按照领导批示要求，我局立即组织力量开展排查。",
        "请各单位认真研究办理，并于5月10日前报送结果。",
        "请你单位研究办理。",
        "现将有关事项通知如下，请认真阅读。",
    ],
)
def test_prose_is_not_an_annotation(sentence: str) -> None:
    # Even in blue and in the margin, prose about instructions is not an instruction.
    lines = [*body_lines(REQUEST_BODY), L(sentence, (79, 60, 516, 76), color=BLUE)]
    assert detect(make_doc(lines)) == []


def test_reply_body_is_not_an_annotation() -> None:
    reply = [
        "某某市人民政府关于同意设立某某经济开发区的批复",
        "某某县人民政府：",
        "你县《关于设立某某经济开发区的请示》收悉。经研究，同意你县设立某某经济开发区。",
        "同意某某县发展和改革局提出的规划范围意见。",
        "此复。",
        "某某市人民政府",
        "2023年4月8日",
    ]
    assert detect(make_doc(body_lines(reply))) == []


def test_printed_request_ending_is_not_an_annotation() -> None:
    assert detect(make_doc(body_lines(REQUEST_BODY))) == []


def test_instruction_shape_without_evidence_is_not_reported() -> None:
    # Same words, printed in the column in body ink with no signature: not enough.
    lines = body_lines([*REQUEST_BODY[:4], "请张局长阅示", *REQUEST_BODY[4:]])
    assert detect(make_doc(lines)) == []


def test_narrow_margins_do_not_make_body_a_margin_note() -> None:
    # A Word export with 72 pt margins: body starts above the GB/T 9704 text area.
    texts = ["请王局长阅示", "关于召开全市安全生产工作会议的通知", "各县（区）人民政府："]
    doc = make_doc(body_lines(texts, top=72, left=72))
    assert detect(doc) == []


def test_grey_text_is_not_another_ink() -> None:
    lines = body_lines(REQUEST_BODY)
    lines.insert(5, L("同意。", (300, 330, 348, 346), color=(90, 90, 90)))
    assert detect(make_doc(lines)) == []


def test_floating_text_box_note() -> None:
    lines = [L(t) for t in REQUEST_BODY] + [L("请王局长阅示", kind=BlockKind.TEXT_BOX)]
    (f,) = detect(make_doc(lines, fmt="docx"))
    assert f.details.evidence == ("text_box",)
