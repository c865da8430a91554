"""sensitive_term: lexicon hits on hand-built Documents, user lists, allow-list, exceptions and
realistic government prose that must stay clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors import load_all
from pubguard.detectors.base import ScanContext
from pubguard.detectors.sensitive_term import SensitiveTermDetector, build_matcher, get_ruleset
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.finding import Category, Finding, Severity


def make_doc(*lines: str | tuple[str, BlockKind]) -> Document:
    doc = Document(name="t.pdf", format="pdf", pages=[Page(1, 595, 842)])
    for i, line in enumerate(lines):
        text, kind = (line, BlockKind.BODY) if isinstance(line, str) else line
        page = 0 if kind is BlockKind.METADATA else 1
        bbox = None if kind is BlockKind.METADATA else (79.0, 100.0 + 30 * i, 516.0, 120.0 + 30 * i)
        doc.blocks.append(
            TextBlock(
                text=text,
                page=page,
                kind=kind,
                bbox=bbox,
                paragraph=i,
                field_name="title" if page == 0 else None,
            )
        )
    return doc.finalize()


def detect(doc: Document, config: ScanConfig | None = None) -> list[Finding]:
    return list(SensitiveTermDetector().detect(doc, ScanContext(config=config or ScanConfig())))


def test_registered() -> None:
    reg = load_all()
    assert reg["sensitive_term"] is SensitiveTermDetector
    assert SensitiveTermDetector.category == Category.SENSITIVE_TERM
    assert {"internal_term", "process_draft", "ad_superlative", "norm_expression", "custom_term"} <= set(
        SensitiveTermDetector.rules
    )


def test_traditional_characters_point_at_original_text() -> None:
    doc = make_doc("關於做好防汛工作的通知", "本件為內部資料，請妥善處理。")
    (f,) = detect(doc)
    assert f.rule == "internal_term"
    assert f.details.rule_id == "confidential.internal-material"
    assert f.severity is Severity.MEDIUM
    assert f.evidence == "內部資料"
    assert doc.text[f.location.start : f.location.end] == "內部資料"
    assert f.location.page == 1 and f.location.bbox is not None
    assert f.block_kind == "body"
    assert "內部資料" in f.message and f.basis and f.suggestion


@pytest.mark.parametrize(
    "spaced", ["内 部 资 料", "内-部-资-料", "内\u200b部\u200b资\u200b料", "内·部·资·料", "内部\u3000资料"]
)
def test_evasion_is_seen_through(spaced: str) -> None:
    doc = make_doc("通知", f"此件系{spaced}，仅限本单位。")
    findings = detect(doc)
    assert [f.details.rule_id for f in findings] == ["confidential.internal-material"]
    f = findings[0]
    assert f.evidence == spaced
    assert doc.text[f.location.start : f.location.end] == spaced


def test_metadata_hits_report_block_kind() -> None:
    doc = make_doc(("内部资料", BlockKind.METADATA), "关于开展安全生产检查的通知")
    (f,) = detect(doc)
    assert f.block_kind == "metadata"
    assert f.rule == "internal_term"


def test_hidden_text_is_scanned_and_flagged() -> None:
    doc = Document(name="t.html", format="html", pages=[Page(1, 0, 0, unit="px")])
    doc.blocks.append(TextBlock(text="2024年第一季度城镇低保对象公示", page=1, paragraph=0))
    doc.blocks.append(TextBlock(text="内部资料 仅供审核", page=1, paragraph=1, hidden=True))
    (f,) = detect(doc.finalize())
    assert f.details.hidden is True
    assert f.evidence == "内部资料"


def test_longest_match_without_overlap() -> None:
    doc = make_doc("本材料仅供内部参考。")
    findings = detect(doc)
    assert [f.evidence for f in findings] == ["仅供内部参考"]


def test_norm_typo_reports_replacement() -> None:
    doc = make_doc("根据《中华人民共合国政府信息公开条例》，现就有关事项通知如下。")
    (f,) = detect(doc)
    assert (f.rule, f.details.rule_id) == ("norm_expression", "norms.state-name-typo")
    assert f.severity is Severity.HIGH
    assert f.details.replacement == "中华人民共和国"
    assert f.evidence == "中华人民共合国"


def test_user_txt_list_and_cache_follows_edits(tmp_path: Path) -> None:
    lst = tmp_path / "project_codes.txt"
    lst.write_text("# 本单位项目代号\n#! severity: high\n星火甲项目\n", encoding="utf-8")
    cfg = ScanConfig(wordlists=[lst])
    doc = make_doc("关于星火甲项目进展情况的报告", "近期启动蓝海乙项目。")
    findings = detect(doc, cfg)
    assert [(f.evidence, f.severity) for f in findings] == [("星火甲项目", Severity.HIGH)]
    assert findings[0].rule == "custom_term"
    assert findings[0].details.rule_id == "user-project_codes.terms"
    assert get_ruleset([lst]) is get_ruleset([lst])  # built once

    lst.write_text("星火甲项目\n蓝海乙项目\n", encoding="utf-8")
    st = lst.stat()
    os.utime(lst, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    findings = detect(doc, cfg)
    assert sorted(f.evidence for f in findings) == ["星火甲项目", "蓝海乙项目"]
    assert all(f.severity is Severity.MEDIUM for f in findings)  # default severity of .txt lists


def test_user_toml_list_with_exceptions(tmp_path: Path) -> None:
    lst = tmp_path / "local.toml"
    lst.write_text(
        """
[meta]
name = "local"
label = "本地词表"
[[rules]]
id = "codename"
title = "项目代号"
terms = ["蓝鲸工程"]
severity = "high"
message = "出现项目代号“{term}”。"
exceptions = ["蓝鲸工程师"]
""",
        encoding="utf-8",
    )
    doc = make_doc("蓝鲸工程进展顺利。", "招聘蓝鲸工程师两名。")
    findings = detect(doc, ScanConfig(wordlists=[lst]))
    assert [(f.rule, f.details.rule_id, f.location.start) for f in findings] == [
        ("custom_term", "local.codename", 0)
    ]
    assert findings[0].message == "出现项目代号“蓝鲸工程”。"


def test_same_term_in_two_lists_reports_once_with_highest_severity(tmp_path: Path) -> None:
    lst = tmp_path / "strict.txt"
    lst.write_text("#! severity: high\n内部资料\n", encoding="utf-8")
    findings = detect(make_doc("本件为内部资料。"), ScanConfig(wordlists=[lst]))
    assert len(findings) == 1
    assert findings[0].severity is Severity.HIGH


def test_allow_terms_exact_and_covering() -> None:
    doc = make_doc("本品为顶级工艺。", "我区获评国家级旅游度假区，打造最佳投资地。")
    base = {f.evidence for f in detect(doc)}
    assert {"顶级", "最佳"} <= base
    allowed = detect(doc, ScanConfig(allow_terms={"顶级", "最佳投资地"}))
    assert {f.evidence for f in allowed} == base - {"顶级", "最佳"}


def test_quoted_and_talked_about_marks_are_ignored() -> None:
    doc = make_doc(
        "政府网站发布的非涉密公文，不得带有“内部资料”“注意保存”等字样。",
        "对标注“内部文件”的材料，发布前应严格审核。",
    )
    assert detect(doc) == []


def test_standalone_marks_are_found() -> None:
    doc = make_doc("内部资料　注意保存", "工作秘密", "关于调整部分岗位职责的通知（讨论稿）", "各科室：")
    rules = sorted(f.details.rule_id for f in detect(doc))
    assert rules == sorted(
        [
            "confidential.internal-material",
            "confidential.keep-notice",
            "confidential.work-secret-mark",
            "drafts.draft-bracketed",
        ]
    )


REGULATION = """中华人民共和国政府信息公开条例
第十四条　依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开。
第十五条　涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开。但是，第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的，予以公开。
第十六条　行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面的信息，可以不予公开。
行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息以及行政执法案卷信息，可以不予公开。法律、法规、规章规定上述信息应当公开的，从其规定。"""

CONSULTATION = """关于《XX市城市绿化管理条例（草案）》公开征求意见的公告
为增强立法的公开性和透明度，提高立法质量，现将《XX市城市绿化管理条例（草案）》全文公布，向社会公开征求意见。
社会各界可在2024年3月31日前通过信函、电子邮件等方式提出意见。
附件：XX市城市绿化管理条例（草案）
XX市城市绿化管理条例（草案）
第一章　总则
第一条　为了促进城市绿化事业发展，改善生态环境，根据有关法律、法规，结合本市实际，制定本条例。"""

DEV_ZONE = """XX国家级经济技术开发区2023年工作总结
XX国家级经济技术开发区是1992年经国务院批准设立的国家级开发区。
全年新增国家级企业技术中心3家、国家级科技企业孵化器2家，区内XX剪纸入选国家级非物质文化遗产代表性项目名录。
在国家级经开区综合发展水平考核评价中位列中部地区前列，启动防汛四级应急响应，以最佳状态迎接省级检查。
起草组经多次修改形成送审稿，报管委会主任办公会议审议通过。"""


@pytest.mark.parametrize(
    "prose", [REGULATION, CONSULTATION, DEV_ZONE], ids=["regulation", "consultation", "devzone"]
)
def test_realistic_government_prose_is_clean(prose: str) -> None:
    doc = make_doc(*prose.split("\n"))
    findings = detect(doc)
    assert findings == [], [(f.details.rule_id, f.evidence) for f in findings]


def test_positive_inside_realistic_prose() -> None:
    lines = DEV_ZONE.split("\n")
    lines.insert(2, "开发区是企业投资的首选之地，拥有国家级品质的营商环境。")
    findings = detect(make_doc(*lines))
    assert sorted((f.details.rule_id, f.evidence) for f in findings) == [
        ("advertising.superlative-ad", "首选"),
        ("advertising.superlative-statutory", "国家级"),
    ]
    assert {f.rule for f in findings} == {"ad_superlative"}
    assert all(f.severity is Severity.LOW for f in findings)


def test_draft_outside_consultation_is_found() -> None:
    doc = make_doc(
        "XX市城市绿化管理条例（草案）", "第一章　总则", "第一条　为了促进城市绿化事业发展，制定本条例。"
    )
    (f,) = detect(doc)
    assert (f.rule, f.details.rule_id) == ("process_draft", "drafts.bill-draft")
    assert f.evidence == "草案"


def test_build_matcher_scan_text_offsets() -> None:
    m = build_matcher(["内部资料", "內部", "最佳"])
    text = "甲：內 部 資 料，乙：最\u200b佳。"
    hits = m.scan_text(text)
    assert [text[h.start : h.end] for h in hits] == ["內 部 資 料", "最\u200b佳"]
    assert [h.term for h in hits] == ["内部资料", "最佳"]  # longest match wins, 內部 is not repeated
    assert build_matcher([]).scan_text("任何文本") == []


def test_empty_document() -> None:
    assert detect(Document(name="e.txt", format="txt").finalize()) == []


def test_policy_draft_with_consultation_draft_marker_and_superlatives() -> None:
    """A 征求意见稿 that is *not* a public-consultation notice is a process draft."""
    doc = make_doc(
        "南宁市促进民营经济发展若干措施（征求意见稿）",
        "一、打造全国最佳营商环境，力争成为全区第一品牌城市。",
        "二、支持国家级经济技术开发区建设民营经济示范园区。",
    )
    found = sorted((f.rule, f.evidence) for f in detect(doc))
    assert found == [
        ("ad_superlative", "最佳"),
        ("ad_superlative", "第一品牌"),
        ("process_draft", "征求意见稿"),
    ]


# -- a regulation *about* internal publications is not marked 内部资料 -------------------------
REGULATION = (
    "内部资料性出版物管理规定",
    "第二条　本规定所称内部资料性出版物（以下简称内部资料），是指在本行业、本系统、本单位内部，"
    "用于指导工作、交流信息的非卖性单本成册或连续性折页、单页出版物。",
    "第三条　对内部资料的编印，实行核发《内部资料性出版物准印证》管理。",
    "第六条　申请编印内部资料，应当具备下列条件：有确定的、不与已有内部资料重复的名称。",
    "第十三条　内部资料不得在境内外公开发行，不得标价、销售或征订发行。",
)


def test_regulation_about_internal_publications_gives_no_internal_term() -> None:
    assert [f for f in detect(make_doc(*REGULATION)) if f.rule == "internal_term"] == []


def test_internal_material_mark_in_an_ordinary_notice_is_still_found() -> None:
    doc = make_doc(
        "关于2024年度财政资金分配情况的通报",
        "本通报为内部资料，请勿转发，仅供各单位领导参阅。",
        "各单位要严格执行预算，按时报送资金使用情况。",
    )
    assert [f.rule for f in detect(doc)].count("internal_term") == 1


def test_regulation_text_keeps_the_disclosure_attribute() -> None:
    from pubguard.scan import scan_bytes

    result = scan_bytes("\n".join(REGULATION).encode(), "guiding.txt", ScanConfig(ocr=False))
    assert result.disclosure is not None and result.disclosure.suggested == "主动公开"
    assert not [f for f in result.findings if f.severity.at_least("medium")]
