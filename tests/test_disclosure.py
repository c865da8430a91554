"""公开属性建议: realistic 公文 texts, findings from the real mark detector or shaped like the
personal_data / sensitive_term detectors' output."""

from __future__ import annotations

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.classification_mark import ClassificationMarkDetector
from pubguard.disclosure import suggest_disclosure
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.finding import Category, Finding, Severity
from pubguard.scan import Disclosure, scan_document

NOTICE = [
    "某某市人民政府办公室关于做好2024年度防汛抗旱工作的通知",
    "各县（区）人民政府，市直各有关单位：",
    "为切实做好今年防汛抗旱工作，确保人民群众生命财产安全，现就有关事项通知如下。",
    "一、压实防汛责任。各地要严格落实以行政首长负责制为核心的防汛责任制。",
    "二、加强监测预警。气象、水利部门要密切监视雨情水情，及时发布预警信息。",
    "某某市人民政府办公室",
    "2024年5月6日",
]

REQUEST = [
    "某某县民政局关于调整城乡低保标准的请示",
    "县人民政府：",
    "为保障困难群众基本生活，根据省、市有关文件精神，结合我县实际，",
    "拟将我县城乡低保标准提高至每人每月800元，所需资金由县财政统筹安排。",
    "妥否，请批示。",
    "某某县民政局",
    "2024年4月6日",
]

REPORT = [
    "某某县应急管理局关于2024年一季度安全生产工作情况的报告",
    "县人民政府：",
    "今年以来，我局认真贯彻落实上级关于安全生产工作的决策部署，现将有关情况报告如下。",
    "一季度全县未发生较大以上生产安全事故，事故起数和死亡人数同比均有下降。",
    "以上报告，请审阅。",
    "某某县应急管理局",
    "2024年4月10日",
]

REPLY = [
    "某某市人民政府关于同意设立某某经济开发区的批复",
    "某某县人民政府：",
    "你县《关于设立某某经济开发区的请示》收悉。经研究，同意你县设立某某经济开发区。",
    "此复。",
    "某某市人民政府",
    "2024年3月1日",
    "（此件公开发布）",
]


def docx(lines: list[str]) -> Document:
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595.3, 841.9)])
    for i, text in enumerate(lines):
        doc.blocks.append(TextBlock(text, 1, kind=BlockKind.BODY, paragraph=i))
    return doc.finalize()


def marks(doc: Document) -> list[Finding]:
    return list(ClassificationMarkDetector().detect(doc, ScanContext()))


def finding(category: str, rule: str, severity: Severity = Severity.HIGH, **details: object) -> Finding:
    return Finding(
        category=category, rule=rule, severity=severity, message="", evidence="", details=dict(details)
    )


def test_plain_notice_is_active() -> None:
    d = suggest_disclosure(docx(NOTICE), [])
    assert isinstance(d, Disclosure)
    assert d.suggested == "主动公开"
    assert d.reasons == ["主动公开：未发现不予公开或依申请公开的情形。"]


def test_note_says_published_and_nothing_against_it() -> None:
    d = suggest_disclosure(docx(REPLY), [])
    assert d.suggested == "主动公开"
    assert any("此件公开发布" in r for r in d.reasons)
    # A 批复 quoting 《关于…的请示》 is not itself a 请示.
    assert not any("请示" in r and "不予公开" in r for r in d.reasons)


def test_secret_mark_is_withheld_under_article_14() -> None:
    doc = docx(["000123", "机密★5年", *NOTICE])
    d = suggest_disclosure(doc, marks(doc))
    assert d.suggested == "不予公开"
    assert d.reasons[0].startswith("不予公开：") and "机密★5年" in d.reasons[0]
    assert any("第十四条" in b for b in d.basis)


def test_telegram_header_is_withheld() -> None:
    doc = docx(["明电", "发电单位：某某市人民政府办公室", "签批盘号：张某某", *NOTICE])
    d = suggest_disclosure(doc, marks(doc))
    assert d.suggested == "不予公开"
    assert any("明电" in r for r in d.reasons)


def test_internal_material_is_on_request() -> None:
    doc = docx(["内部资料  注意保存", *NOTICE])
    d = suggest_disclosure(doc, marks(doc))
    assert d.suggested == "依申请公开"
    assert any("第十六条" in b for b in d.basis)


def test_work_secret_is_withheld() -> None:
    doc = docx(["工作秘密", *NOTICE])
    d = suggest_disclosure(doc, marks(doc))
    assert d.suggested == "不予公开"


def test_request_title_is_withheld() -> None:
    d = suggest_disclosure(docx(REQUEST), [])
    assert d.suggested == "不予公开"
    assert "请示" in d.reasons[0] and "第十六条" in d.basis[0]


def test_wrapped_request_title() -> None:
    lines = ["某某县民政局关于调整城乡低保标准", "的请示", *REQUEST[1:]]
    assert suggest_disclosure(docx(lines), []).suggested == "不予公开"


def test_report_to_superior_is_withheld_by_its_ending() -> None:
    d = suggest_disclosure(docx(REPORT), [])
    assert d.suggested == "不予公开"
    assert any("以上报告，请审阅" in r for r in d.reasons)


def test_public_annual_report_is_active() -> None:
    lines = [
        "某某市人民政府2023年政府信息公开工作年度报告",
        "本报告根据《中华人民共和国政府信息公开条例》要求编制。",
        "一、总体情况",
        "2023年，我市持续深化政务公开，主动公开政府信息12000余条。",
    ]
    assert suggest_disclosure(docx(lines), []).suggested == "主动公开"


def test_notes_set_the_attribute() -> None:
    assert suggest_disclosure(docx([*NOTICE, "（此件依申请公开）"]), []).suggested == "依申请公开"
    assert suggest_disclosure(docx([*NOTICE, "（此件不予公开）"]), []).suggested == "不予公开"
    assert suggest_disclosure(docx([*NOTICE, "(此件主动公开)"]), []).suggested == "主动公开"


def test_personal_data_is_on_request_unless_masked() -> None:
    findings = [
        finding(Category.PERSONAL_DATA, "id_card"),
        finding(Category.PERSONAL_DATA, "id_card"),
        finding(Category.PERSONAL_DATA, "roster"),
    ]
    d = suggest_disclosure(docx(NOTICE), findings)
    assert d.suggested == "依申请公开"
    assert any("身份证号2处" in r and "人员名单1处" in r for r in d.reasons)
    assert any("第十五条" in b for b in d.basis)
    masked = [finding(Category.PERSONAL_DATA, "id_card", masked=True)]
    assert suggest_disclosure(docx(NOTICE), masked).suggested == "主动公开"
    low = [finding(Category.PERSONAL_DATA, "person_name", Severity.LOW)]
    assert suggest_disclosure(docx(NOTICE), low).suggested == "主动公开"


def test_process_draft_is_on_request() -> None:
    f = finding(
        Category.SENSITIVE_TERM, "drafts.draft-bracketed", Severity.MEDIUM, list="drafts", term="讨论稿"
    )
    d = suggest_disclosure(docx(["关于进一步优化营商环境的若干措施（讨论稿）", *NOTICE[1:]]), [f])
    assert d.suggested == "依申请公开"
    assert any("讨论稿" in r and "过程" in r for r in d.reasons)


def test_strongest_wins_and_all_reasons_are_listed() -> None:
    doc = docx(["秘密★1年", *NOTICE, "（此件公开发布）"])
    findings = [*marks(doc), finding(Category.PERSONAL_DATA, "mobile")]
    d = suggest_disclosure(doc, findings)
    assert d.suggested == "不予公开"
    outcomes = [r.split("：", 1)[0] for r in d.reasons]
    assert outcomes == sorted(outcomes, key=["不予公开", "依申请公开", "主动公开"].index)
    assert {"不予公开", "依申请公开", "主动公开"} <= set(outcomes)
    # The 附注 promised 主动公开: the conflict is spelled out.
    assert any("附注标为主动公开" in r for r in d.reasons)


def test_scan_document_attaches_the_suggestion() -> None:
    doc = docx(["内部资料", *NOTICE])
    result = scan_document(doc, ScanConfig(enabled={"classification_mark"}))
    assert result.disclosure is not None and result.disclosure.suggested == "依申请公开"
    assert result.to_dict()["disclosure"]["suggested"] == "依申请公开"


def test_body_lines_of_plain_text_drop_every_whitespace_but_newlines() -> None:
    import random
    import re

    from pubguard.disclosure import _build_body_lines

    rng = random.Random(5)
    pieces = [" ", "\t", "\u3000", "\xa0", "\r", "\u2028", "\x85", "各", "单位", "a1", "（一）"]
    for _ in range(300):
        doc = Document(name="t.txt", format="txt", pages=[Page(1, 0, 0)])
        for i in range(rng.randint(1, 6)):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
            doc.blocks.append(TextBlock(text, 1, kind=BlockKind.BODY, paragraph=i))
        doc.finalize()
        expected = [ln for ln in re.sub(r"[^\S\n]+", "", doc.text).split("\n") if ln]
        assert _build_body_lines(doc) == expected, doc.text
