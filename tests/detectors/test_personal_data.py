"""personal_data detector: validated numbers with context, names in rosters, precision on real prose."""

from __future__ import annotations

import json

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.personal_data import PersonalDataDetector
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.finding import Finding, Severity

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(first17: str) -> str:
    """Independent GB 11643 check-character oracle for building test numbers."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def make_card(prefix: str, length: int = 19) -> str:
    body = prefix.ljust(length - 1, "3")
    return next(body + str(c) for c in range(10) if luhn_ok(body + str(c)))


def wrong_check(number: str) -> str:
    """Same number with a wrong check character."""
    return number[:17] + ("1" if number[17] != "1" else "2")


ID_A = make_id("11010119900307777")  # Beijing, born 1990-03-07
ID_B = make_id("45010219680415213")
ID_C = make_id("32058319851231002")
ID_X = next(
    make_id(f"4401061979052100{d}") for d in range(10) if make_id(f"4401061979052100{d}").endswith("X")
)
CARD = make_card("622202123456789")  # UnionPay, Luhn-valid


def prose(*paragraphs: str, kind: BlockKind = BlockKind.BODY, hidden: bool = False) -> Document:
    doc = Document(name="t.txt", format="txt", pages=[Page(1, 595, 842)])
    for i, text in enumerate(paragraphs):
        doc.blocks.append(TextBlock(text, 1, kind=kind, paragraph=i, hidden=hidden))
    return doc.finalize()


def table(rows: list[list[str]], *, field_names: bool = False, before: str = "") -> Document:
    """A DOCX/HTML-like table (header row 0), or XLSX-like cells carrying field_name."""
    doc = Document(name="t.docx", format="docx", pages=[Page(1, 595, 842)])
    par = 0
    if before:
        doc.blocks.append(TextBlock(before, 1, paragraph=par))
        par += 1
    header = rows[0]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            doc.blocks.append(
                TextBlock(
                    text,
                    1,
                    kind=BlockKind.TABLE_CELL,
                    paragraph=par,
                    table=0,
                    row=r,
                    col=c,
                    field_name=header[c] if field_names and r > 0 else None,
                )
            )
            par += 1
    return doc.finalize()


def scan(doc: Document, config: ScanConfig | None = None) -> list[Finding]:
    return list(PersonalDataDetector().detect(doc, ScanContext(config=config or ScanConfig())))


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def assert_no_raw(findings: list[Finding], *raws: str) -> None:
    dumped = json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
    for raw in raws:
        assert raw not in dumped


# --- ID numbers -----------------------------------------------------------------------------


def test_id_card_with_context_is_high_and_masked() -> None:
    doc = prose(f"经审核，申请人身份证号：{ID_A}，符合条件。")
    found = [f for f in scan(doc) if f.rule == "id_card"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == Severity.HIGH
    assert f.evidence == ID_A[:2] + "*" * 12 + ID_A[-4:]
    assert doc.text[f.location.start : f.location.end] == ID_A
    assert "校验位正确" in f.message and "身份证号" in f.message
    assert "个人信息保护法" in f.basis and f.suggestion
    assert_no_raw(found, ID_A, ID_A[6:14])


def test_id_card_without_context_still_found_when_fully_valid() -> None:
    assert rules(scan(prose(f"{ID_B} 城镇低保"))) == ["id_card"]


def test_id_card_lowercase_x_separators_and_full_width() -> None:
    spaced = f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}"
    full = ID_C.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    doc = prose(f"身份证：{ID_X.lower()}", f"身份证号 {spaced}", f"公民身份号码：{full}。")
    found = [f for f in scan(doc) if f.rule == "id_card"]
    assert len(found) == 3
    spans = [doc.text[f.location.start : f.location.end] for f in found]
    assert spans == [ID_X.lower(), spaced, full]
    assert found[0].evidence.endswith(ID_X[-4:].upper())
    assert found[2].evidence == ID_C[:2] + "*" * 12 + ID_C[-4:]  # masked in ASCII form


def test_invalid_checksum_needs_a_strong_label() -> None:
    bad = wrong_check(ID_A)
    labelled = scan(prose(f"身份证号码：{bad}"))
    assert rules(labelled) == ["id_card"]
    assert labelled[0].severity == Severity.MEDIUM
    assert "疑似身份证号（校验位不符）" in labelled[0].message
    assert scan(prose(f"流水号{bad}已登记。", f"系统编码 {bad}")) == []


@pytest.mark.parametrize(
    "number",
    [
        make_id("99010119900307777"),  # no such province
        make_id("11010120991307777"),  # month 13
        make_id("11010118890307777"),  # before 1900
        make_id("11010121990307777"),  # born in the future
    ],
)
def test_structurally_impossible_ids_are_ignored(number: str) -> None:
    assert [f for f in scan(prose(f"身份证号：{number}")) if f.rule == "id_card"] == []


def test_unknown_area_code_is_not_rejected() -> None:
    # Province 45 exists; the county part 9999 is not in any table but must not be rejected.
    assert rules(scan(prose(f"身份证号：{make_id('45999919800101123')}"))) == ["id_card"]


def test_legacy_15_digit_needs_context() -> None:
    old = "110101900307123"
    assert rules(scan(prose(f"原身份证号：{old}"))) == ["id_card"]
    assert scan(prose(f"项目序号{old}", f"共计 {old} 条")) == []
    roster = table([["姓名", "身份证号码"], ["张建国", old]])
    assert "id_card" in rules(scan(roster))


def test_id_first_even_when_it_passes_luhn() -> None:
    candidates = (make_id(f"32010219850101{n:03d}") for n in range(1000))
    number = next(n for n in candidates if n.isdigit() and luhn_ok(n))
    assert rules(scan(prose(f"银行卡号：{number}"))) == ["id_card"]


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "联系电话：13812345678",
        "手机 +86 138 1234 5678",
        "电话86-13812345678",
        "tel:138-1234-5678",
        "13812345678（本人）",
        "联系人手机：13812345678-王老师",  # a dash then a name, not more digits: still a mobile
    ],
)
def test_mobile_formats(text: str) -> None:
    found = scan(prose(text))
    assert rules(found) == ["mobile"]
    assert found[0].evidence == "138****5678"
    assert found[0].severity == Severity.HIGH


@pytest.mark.parametrize(
    "text",
    [
        "订单号213812345678",
        "编号1381234567890",
        "流水号13812345678",
        "0.13812345678",
        "安全等级保护备案证明13812345678-17001",  # one segment of a hyphenated record number
    ],
)
def test_mobile_not_inside_longer_numbers_or_serials(text: str) -> None:
    assert scan(prose(text)) == []


def test_landline_personal_vs_office() -> None:
    personal = scan(prose("家庭电话：0771-5551234"))
    assert rules(personal) == ["landline"] and personal[0].severity == Severity.HIGH
    assert personal[0].evidence.endswith("1234") and "5551234" not in personal[0].evidence
    office = prose(
        "联系电话：0771-5551234。",
        "监督电话：0771-2805678，咨询电话：（0771）2801234。",
        "市政务服务中心办公室电话：0771-5559876，传真：0771-5559877。",
    )
    assert scan(office) == []


def test_landline_in_roster_row_with_id_is_high_but_contacts_table_is_not_reported() -> None:
    roster = table([["姓名", "身份证号", "联系电话"], ["张建国", ID_A, "0771-5551234"]])
    land = [f for f in scan(roster) if f.rule == "landline"]
    assert len(land) == 1 and land[0].severity == Severity.HIGH
    contacts = table([["单位", "联系人", "电话"], ["市财政局", "办公室", "0771-5551234"]])
    assert [f for f in scan(contacts) if f.rule == "landline"] == []


# --- bank cards, credit codes, e-mail, travel documents --------------------------------------


def test_bank_card_with_context_and_unionpay_prefix() -> None:
    found = scan(prose(f"开户行：中国农业银行，卡号：{CARD}"))
    assert rules(found) == ["bank_card"] and found[0].severity == Severity.HIGH
    assert found[0].evidence == "*" * 15 + CARD[-4:]
    spaced = " ".join(CARD[i : i + 4] for i in range(0, 19, 4))
    assert rules(scan(prose(f"银行账号 {spaced}"))) == ["bank_card"]
    bare = scan(prose(f"{CARD}"))
    assert rules(bare) == ["bank_card"] and bare[0].severity == Severity.MEDIUM


def test_long_serials_failing_luhn_or_without_context_are_ignored() -> None:
    not_luhn = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    other = make_card("4123456789", 16)  # Luhn-valid but not UnionPay and no context
    assert scan(prose(f"卡号：{not_luhn}", f"合同编号：{CARD}", f"订单号{other}")) == []


def test_credit_codes_identify_organisations() -> None:
    doc = prose(
        "统一社会信用代码：91350100M000100Y43",
        "统一社会信用代码 913501001234567890",
        "供应商（91350100M000100Y43）已完成登记。",
    )
    assert scan(doc) == []


def test_email_personal_vs_official() -> None:
    found = scan(
        prose(
            "个人邮箱：zhangsan1990@163.com", "来信请寄 zfxxgk@nanning.gov.cn 或政务信箱 xxgk@example.org.cn"
        )
    )
    assert rules(found) == ["email"]
    assert found[0].evidence == "z***********@163.com"


def test_travel_documents_only_with_context() -> None:
    found = scan(prose("护照号码：E12345678", "往来港澳通行证：C98765432", "军官证号：南字第12345678号"))
    assert rules(found) == ["passport", "passport", "passport"]
    assert all("12345678" not in f.evidence and "98765432" not in f.evidence for f in found)
    assert scan(prose("型号E12345678", "批次C98765432", "南字第12345678号")) == []


# --- names and rosters ----------------------------------------------------------------------

ROSTER = [
    ["序号", "姓名", "身份证号", "联系电话", "救助类别"],
    ["1", "张伟民", ID_A, "13812345678", "城镇低保"],
    ["2", "李秀兰", ID_B, "13912345678", "城镇低保"],
    ["3", "欧阳娜娜", ID_C, "15012345678", "农村低保"],
]


@pytest.mark.parametrize("field_names", [False, True])
def test_roster_table_names_and_summary(field_names: bool) -> None:
    doc = table(ROSTER, field_names=field_names, before="2024年第一季度城镇低保对象公示")
    found = scan(doc)
    assert rules(found).count("id_card") == 3 and rules(found).count("mobile") == 3
    names = [f for f in found if f.rule == "person_name"]
    assert sorted(f.evidence for f in names) == ["张**", "李**", "欧***"]
    assert all(f.severity == Severity.MEDIUM for f in names)
    roster = [f for f in found if f.rule == "roster"]
    assert len(roster) == 1 and roster[0].severity == Severity.HIGH
    assert "3行含身份证号" in roster[0].message and "3处姓名" in roster[0].message
    cells = [b for b in doc.blocks if b.kind == BlockKind.TABLE_CELL]
    assert (roster[0].location.start, roster[0].location.end) == (cells[0].start, cells[-1].end)
    assert_no_raw(found, ID_A, ID_B, ID_C, "13812345678", "张伟民", "欧阳娜娜")


def test_two_rows_are_no_roster_and_headerless_rows_still_give_names() -> None:
    doc = table([["1", "张伟民", ID_A, "男"], ["2", "李秀兰", ID_B, "女"]])
    found = scan(doc)
    assert "roster" not in rules(found)
    assert sorted(f.evidence for f in found if f.rule == "person_name") == ["张**", "李**"]


def test_award_list_without_numbers_gives_low_names_only() -> None:
    doc = table(
        [["姓名", "工作单位", "职务"], ["王建华", "市教育局", "科员"], ["刘芳", "市财政局", "副科长"]]
    )
    found = scan(doc)
    assert rules(found) == ["person_name", "person_name"]
    assert all(f.severity == Severity.LOW for f in found)


def test_form_style_table_labels_sit_left_of_values() -> None:
    doc = table(
        [["姓名", "陈建国", "性别", "男"], ["身份证号", wrong_check(ID_A), "联系电话", "13812345678"]]
    )
    found = scan(doc)
    assert rules(found) == ["id_card", "mobile", "person_name"]
    suspect = next(f for f in found if f.rule == "id_card")
    assert (
        suspect.severity == Severity.MEDIUM and "校验位不符" in suspect.message
    )  # label gives strong context
    assert next(f for f in found if f.rule == "person_name").evidence == "陈**"


def test_numbers_inside_urls_are_ignored() -> None:
    doc = prose(
        "详见 http://www.nanning.gov.cn/zwgk/2023-10/13812345678.htm 及 www.gxzf.gov.cn/a/6222021234567890128"
    )
    assert scan(doc) == []


def test_names_next_to_numbers_in_prose() -> None:
    doc = prose(
        f"张三，身份证号{ID_A}，现住城关镇。",
        f"申请人李四华身份证号：{ID_B}。",
        "联系人：王某某，手机13812345678。",
    )
    names = [f for f in scan(doc) if f.rule == "person_name"]
    assert [doc.text[f.location.start : f.location.end] for f in names] == ["张三", "李四华", "王某某"]
    assert [f.evidence for f in names] == ["张*", "李**", "王**"]


def test_masking_config_is_applied() -> None:
    cfg = ScanConfig()
    cfg.masking.name_style = "first_last"
    doc = prose(f"申请人李四华身份证号：{ID_B}。")
    names = [f for f in scan(doc, cfg) if f.rule == "person_name"]
    assert [f.evidence for f in names] == ["李*华"]


def test_data_in_comments_and_hidden_text_is_reported_with_location_note() -> None:
    found = scan(prose("初稿由覃桂芳整理，联系电话 15907781234，定稿前删除", kind=BlockKind.COMMENT))
    assert "mobile" in rules(found)
    assert "批注" in next(f for f in found if f.rule == "mobile").message
    hidden = scan(prose("审核人：黄志强 18977165502", hidden=True))
    assert "（位于隐藏文字中）" in next(f for f in hidden if f.rule == "mobile").message


# --- precision on real government prose ------------------------------------------------------

NOTICE = [
    "南宁市人民政府办公室关于印发南宁市优化营商环境若干措施的通知",
    "南府办〔2023〕15号",
    "各县（市、区）人民政府，市政府各组成部门、各直属机构：",
    "根据《中华人民共和国政府信息公开条例》第十五条和《广西壮族自治区政务服务管理办法》第二十三条规定，"
    "经市人民政府同意，现将有关事项通知如下。",
    "一、本措施自2023年10月1日起施行，有效期至2025年12月31日。",
    "二、市财政安排专项资金1234567890.12元，项目编码为450100202310010012。",
    "三、申请材料中的身份证号码、手机号码等个人信息应当脱敏处理后方可公开。",
    "四、采购合同编号：GXZC2023-G3-001234-ZBZX，订单号202310010000123456789。",
    "五、承办单位统一社会信用代码：91350100M000100Y43。",
    "政务服务便民热线：12345，监督电话：0771-12345，咨询电话：0771-5551234。",
    "来信请寄：政务公开办公室，邮箱 zwgk@nanning.gov.cn。",
    "南宁市人民政府办公室",
    "2023年9月28日",
]


def test_realistic_notice_has_no_findings() -> None:
    assert scan(prose(*NOTICE)) == []


def test_unlabelled_18_digit_number_with_bad_checksum_is_ignored() -> None:
    assert scan(prose(f"附件{wrong_check(ID_A)}份")) == []


# --- performance ----------------------------------------------------------------------------


def test_two_megabytes_of_text_completes() -> None:
    filler = (
        "各地区各部门要高度重视，认真贯彻落实，确保各项工作落到实处。合同编号20230001234567890，金额88.50元。"
    )
    paragraphs = [filler * 20 for _ in range(2_000_000 // (len(filler) * 20) + 1)]
    paragraphs[len(paragraphs) // 2] += f"联系人：张三，身份证号{ID_A}。"
    paragraphs.append("1" * 200_000 + "a" * 100_000 + "@")  # pathological runs
    doc = prose(*paragraphs)
    assert len(doc.text) >= 2_000_000
    found = scan(doc)
    assert rules(found) == ["id_card", "person_name"]


def test_form_word_after_contact_label_is_not_a_name() -> None:
    """ "联系人手机：…" — the number is personal data, 手机 is not a person's name."""
    from pubguard.config import ScanConfig
    from pubguard.detectors import ScanContext
    from pubguard.detectors.personal_data import PersonalDataDetector
    from pubguard.extract import extract

    doc = extract("关于组织开展义务植树活动的通知\n联系人手机：13877120456\n".encode(), "n.txt", ScanConfig())
    rules = [f.rule for f in PersonalDataDetector().detect(doc, ScanContext())]
    assert rules == ["mobile"]
    named = extract("联系人张伟民手机：13877120456\n".encode(), "n.txt", ScanConfig())
    assert "person_name" in {f.rule for f in PersonalDataDetector().detect(named, ScanContext())}


# -- numbers wrapped across two PDF lines, amounts, organisations' hotlines --------------------
def _pdf_paragraph(text: str, width: float = 228.0) -> Document:
    """One paragraph set in a narrow column by PyMuPDF, read back by the real extractor."""
    import pymupdf

    from pubguard.extract import extract

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 72 + width, 400), text, fontname="china-s", fontsize=12)
    return extract(pdf.tobytes(), "wrap.pdf", ScanConfig(ocr=False))


def test_mobile_and_id_wrapped_across_two_pdf_lines_are_found() -> None:
    doc = _pdf_paragraph(f"申请人王某某，联系电话：18988403856，身份证号码：{ID_B}，现居住于某某小区。")
    assert "1898840\n3856" in doc.text and "\n" in doc.text.split("身份证号码：")[1][:18]  # both wrapped
    found = [f for f in scan(doc) if f.rule in ("mobile", "id_card")]
    assert sorted(f.rule for f in found) == ["id_card", "mobile"]
    assert {f.evidence for f in found} == {"189****3856", "45" + "*" * 12 + ID_B[-4:]}
    assert all("换行" in f.message for f in found)
    assert_no_raw(found, "18988403856", ID_B)


def test_numbers_on_separate_short_lines_are_not_joined() -> None:
    # a short line ending in digits (not filled up to the column's edge) and a number on the
    # next line: two values, not one wrapped number
    doc = _pdf_paragraph("第一批：1898840\n3856户已完成登记，其余正在审核中，请各单位抓紧办理相关手续。")
    assert [f for f in scan(doc) if f.rule == "mobile"] == []


def test_amount_of_eleven_digits_is_not_a_mobile() -> None:
    doc = prose(
        "全年共安排城乡低保资金13856000000元，惠及困难群众12万人。",
        "省级财政下达补助资金￥13912345678，分两批拨付。",
        "经办人联系电话：13856000000，请于工作日联系。",
    )
    found = [f for f in scan(doc) if f.rule == "mobile"]
    assert len(found) == 1 and found[0].evidence == "138****0000"


def test_organisations_hotline_in_a_footer_is_low_at_most() -> None:
    doc = prose(
        "关于开展2024年度城乡居民医保缴费工作的通知",
        "客服电话：13907710000　服务热线：13807712345",
        kind=BlockKind.FOOTER,
    )
    found = [f for f in scan(doc) if f.rule == "mobile"]
    assert found and all(f.severity == Severity.LOW for f in found)
    personal = prose("申请人家庭电话：13907710000，请核实。")
    assert [f.severity for f in scan(personal) if f.rule == "mobile"] == [Severity.HIGH]


def test_label_words_after_a_role_are_not_a_name() -> None:
    doc = prose("申请人联系电话：13812345678，联系人家庭住址：城东路5号。")
    assert [f for f in scan(doc) if f.rule == "person_name"] == []
    named = prose("申请人王小明联系电话：13812345678。")
    assert [f.evidence for f in scan(named) if f.rule == "person_name"] == ["王**"]
