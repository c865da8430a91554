"""hidden_content: DOCX through the real extractor; PDF and HTML documents built by hand."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import RGBColor

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content import HiddenContentDetector, looks_like_person, mask_personal, preview
from pubguard.document import BlockKind, Document, Drawing, ImageItem, Page, TextBlock
from pubguard.extract.docx import extract_docx
from pubguard.finding import Finding

W_NS = nsdecls("w")
NOTICE = [
    "关于做好2024年防汛救灾工作的通知",
    "各县（区）人民政府，市直各有关单位：",
    "为切实做好今年防汛救灾工作，确保人民群众生命财产安全，现将有关事项通知如下。",
    "各单位要严格落实值班制度，发布信息前应删除批注、接受修订，隐藏内容须一并检查。",
    "南宁市应急管理局",
    "2024年5月20日",
]


def run(doc: Document) -> list[Finding]:
    return list(HiddenContentDetector().detect(doc, ScanContext(config=ScanConfig())))


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def dump(findings: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False)


def docx_bytes(d: docx.document.Document, app_company: str | None = None, extra: dict | None = None) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    if not extra:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        for name, blob in extra.items():
            dst.writestr(name, blob)
    return out.getvalue()


def from_docx(d: docx.document.Document, **kw) -> Document:
    return extract_docx(docx_bytes(d, **kw), "draft.docx", ScanConfig())


def raw_paragraph(d: docx.document.Document, inner: str) -> None:
    d.element.body.sectPr.addprevious(parse_xml(f"<w:p {W_NS}>{inner}</w:p>"))


def clean_notice(author: str = "南宁市应急管理局") -> docx.document.Document:
    d = docx.Document()
    for line in NOTICE:
        d.add_paragraph(line)
    d.core_properties.author = author
    d.core_properties.last_modified_by = "Administrator"
    return d


# -- DOCX -------------------------------------------------------------------------------------
def test_draft_docx_comment_revision_hidden_and_author():
    d = clean_notice(author="王建国")
    body = d.paragraphs[2]
    d.add_comment(body.runs, text="此段请核实，联系人张伟民13877120456", author="王建国", initials="WJG")
    raw_paragraph(
        d,
        "<w:r><w:t>资金分配情况见附件。</w:t></w:r>"
        '<w:del w:id="11" w:author="刘晓红" w:date="2024-03-10T09:00:00Z"><w:r>'
        "<w:delText>其中青秀区因审计问题暂缓拨付。</w:delText></w:r></w:del>"
        '<w:ins w:id="12" w:author="刘晓红" w:date="2024-03-10T09:01:00Z"><w:r><w:t>请按时拨付。</w:t></w:r></w:ins>',
    )
    d.add_paragraph().add_run("内部掌握：本资金分配方案暂不对外公布。").font.hidden = True
    doc = from_docx(d)
    found = run(doc)
    assert rules(found) == ["comment", "hidden_text", "metadata_person", "tracked_change", "tracked_change"]
    by_rule = {(f.rule, f.details.get("revision")): f for f in found}

    comment = by_rule[("comment", None)]
    assert comment.severity == "high" and comment.block_kind == "comment"
    assert "王*" in comment.message and "王建国" not in comment.message
    assert comment.evidence.endswith("…”") and comment.evidence.startswith("批注：“此段请核实")
    anchor = comment.details.anchor
    assert doc.text[anchor[0] : anchor[1]] == NOTICE[2]

    deletion = by_rule[("tracked_change", "delete")]
    assert deletion.severity == "high" and "刘*" in deletion.message and "2024-03-10" in deletion.message
    assert deletion.block_kind == "revision_delete"
    assert doc.text[deletion.location.start : deletion.location.end] == "其中青秀区因审计问题暂缓拨付。"
    assert by_rule[("tracked_change", "insert")].severity == "medium"

    hidden = by_rule[("hidden_text", None)]
    assert hidden.severity == "high" and "Word 隐藏文字" in hidden.message
    assert doc.text[hidden.location.start : hidden.location.end] == "内部掌握：本资金分配方案暂不对外公布。"

    person = by_rule[("metadata_person", None)]
    assert person.severity == "medium" and person.evidence == "作者：王**"
    # personal data never leaves in full
    text = dump(found)
    assert (
        "13877120456" not in text and "张伟民" not in text and "王建国" not in text and "刘晓红" not in text
    )


def test_clean_notice_with_organ_author_is_silent():
    d = clean_notice(author="南宁市应急管理局")
    table = d.add_table(rows=2, cols=2)
    for (r, c), v in {(0, 0): "事项", (0, 1): "责任单位", (1, 0): "值班值守", (1, 1): "办公室"}.items():
        table.cell(r, c).text = v
    assert run(from_docx(d)) == []


@pytest.mark.parametrize(
    "author", ["微软用户", "Administrator", "南宁市财政局", "市委办公室", "User", "综合科"]
)
def test_generic_or_organ_metadata_is_not_a_person(author):
    d = clean_notice(author=author)
    assert [f for f in run(from_docx(d)) if f.rule == "metadata_person"] == []


def test_many_tracked_changes_are_aggregated():
    d = clean_notice()
    for i in range(25):
        raw_paragraph(
            d,
            f"<w:r><w:t>第{i + 1}条保留。</w:t></w:r>"
            f'<w:del w:id="{100 + i}" w:author="李四" w:date="2024-04-01T08:00:00Z">'
            f"<w:r><w:delText>第{i + 1}条删除的旧表述。</w:delText></w:r></w:del>",
        )
    found = [f for f in run(from_docx(d)) if f.rule == "tracked_change"]
    assert len(found) == 1
    assert found[0].details.count == 25 and found[0].severity == "high"
    assert "25" in found[0].message and "李*" in found[0].message


def test_docx_white_text_and_shading_fake_redaction():
    d = clean_notice()
    d.add_paragraph("正文结束。").add_run("白色的备注文字").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    # white text on a black table header is ordinary layout
    t = d.add_table(rows=1, cols=2)
    for j, v in enumerate(["姓名", "补助金额"]):
        cell = t.cell(0, j)
        cell.text = ""
        cell.paragraphs[0].add_run(v).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        cell._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:shd {W_NS} w:val="clear" w:color="auto" w:fill="000000"/>')
        )
    raw_paragraph(
        d,
        "<w:r><w:t>身份证号：</w:t></w:r>"
        '<w:r><w:rPr><w:color w:val="000000"/><w:highlight w:val="black"/></w:rPr><w:t>450102196804152130</w:t></w:r>',
    )
    # automatic colour on black shading renders white in Word: visible
    raw_paragraph(
        d, '<w:r><w:rPr><w:shd w:val="clear" w:fill="000000"/></w:rPr><w:t>黑底自动色标题</w:t></w:r>'
    )
    found = run(from_docx(d))
    assert rules(found) == ["fake_redaction", "white_text"]
    white = next(f for f in found if f.rule == "white_text")
    assert white.severity == "high" and "白色的备注文字" in white.evidence
    fake = next(f for f in found if f.rule == "fake_redaction")
    assert fake.severity == "blocker" and "450102196804152130" not in dump(found)
    assert fake.evidence.endswith("2130")


def test_docx_macro_and_embedded_object():
    d = clean_notice()
    data = docx_bytes(
        d,
        extra={
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": b"PK",
        },
    )
    found = run(extract_docx(data, "macro.docm", ScanConfig()))
    assert rules(found) == ["embedded_file", "javascript"]
    macro = next(f for f in found if f.rule == "javascript")
    assert "宏" in macro.message and macro.severity == "medium"
    assert "Microsoft_Excel_Worksheet.xlsx" in next(f for f in found if f.rule == "embedded_file").evidence


# -- PDF (built by hand) -----------------------------------------------------------------------
def pdf_doc(blocks: list[TextBlock], drawings=(), images=(), metadata=None) -> Document:
    doc = Document(name="t.pdf", format="pdf", pages=[Page(1, 595.0, 842.0)])
    doc.blocks = blocks
    doc.drawings = list(drawings)
    doc.images = list(images)
    doc.metadata = dict(metadata or {})
    for key, value in doc.metadata.items():
        doc.blocks.append(TextBlock(value, page=0, kind=BlockKind.METADATA, field_name=key, paragraph=900))
    return doc.finalize()


def span(
    text: str, x0: float, y0: float, x1: float, *, para: int, color=(0, 0, 0), size=12.0, **kw
) -> TextBlock:
    return TextBlock(
        text, page=1, bbox=(x0, y0, x1, y0 + size * 1.2), font_size=size, color=color, paragraph=para, **kw
    )


def test_pdf_black_box_over_id_number_is_fake_redaction():
    # 14 full-width chars (12 pt each) then 18 digits (~6.6 pt each): the box covers the digits only.
    line = "救助对象：张伟民，身份证号：450102196804152130，联系电话：13877120456"
    blocks = [
        span("关于临时救助情况的公示", 150, 100, 420, para=0, size=18),
        span(line, 79, 192, 512, para=1),
    ]
    box = Drawing(page=1, kind="rect", bbox=(246.0, 191.0, 367.0, 208.0), fill=(0, 0, 0), fill_opacity=1.0)
    doc = pdf_doc(blocks, [box])
    found = run(doc)
    assert rules(found) == ["fake_redaction"]
    f = found[0]
    assert f.severity == "blocker" and f.location.page == 1 and f.location.bbox == box.bbox
    assert doc.text[f.location.start : f.location.end] == "450102196804152130"
    assert f.evidence == "被遮盖文字：**************2130"


def test_pdf_char_boxes_are_used_when_present():
    text = "联系人：李秀兰"
    boxes = [(100 + 12 * i, 300, 112 + 12 * i, 314) for i in range(len(text))]
    blk = span(text, 100, 300, 184, para=0, char_boxes=boxes)
    box = Drawing(page=1, kind="rect", bbox=(147.0, 299.0, 185.0, 315.0), fill=(20, 20, 20))
    doc = pdf_doc([blk], [box])
    found = run(doc)
    assert [doc.text[f.location.start : f.location.end] for f in found] == ["李秀兰"]


def test_pdf_dark_table_header_with_white_text_is_not_flagged():
    header = [("序号", 80, 130), ("项目名称", 130, 300), ("责任单位", 300, 450)]
    blocks, drawings = [], []
    for k, (label, x0, x1) in enumerate(header):
        drawings.append(Drawing(page=1, kind="rect", bbox=(x0, 200.0, x1, 222.0), fill=(0, 0, 0)))
        blocks.append(span(label, x0 + 4, 204, x0 + 4 + 12 * len(label), para=k, color=(255, 255, 255)))
    blocks.append(span("城区排水管网改造", 134, 228, 230, para=10))
    doc = pdf_doc(blocks, drawings, metadata={"author": "南宁市人民政府办公室", "creator": "王小明"})
    assert run(doc) == []


def test_pdf_underline_bar_and_light_box_are_not_redactions():
    blk = span("本通知自印发之日起施行。", 80, 300, 224, para=0)  # y 300..314.4
    underline = Drawing(page=1, kind="rect", bbox=(80.0, 313.0, 224.0, 314.4), fill=(0, 0, 0))
    light = Drawing(page=1, kind="rect", bbox=(78.0, 298.0, 226.0, 316.0), fill=(230, 230, 230))
    assert run(pdf_doc([blk], [underline, light])) == []


def test_pdf_pending_redact_annotation_is_reported():
    blk = span("联系电话：13877120456", 80, 300, 200, para=0)
    annot = Drawing(
        page=1, kind="rect", bbox=(139.0, 299.0, 201.0, 316.0), stroke=(255, 0, 0), source="annot:redact"
    )
    found = run(pdf_doc([blk], [annot]))
    assert rules(found) == ["fake_redaction"] and "密文" in found[0].message
    assert "13877120456" not in dump(found)


def test_pdf_invisible_text_white_text_notes_and_metadata():
    blocks = [
        span("关于开展安全生产检查的通知", 150, 100, 420, para=0, size=18),
        span("内部掌握，不对外公开", 80, 700, 200, para=1, hidden=True, source="pdf:render_mode_3"),
        span("审核人电话 0771-5512345", 80, 760, 240, para=2, color=(255, 255, 255)),
        TextBlock("请改为5月底前完成", page=1, kind=BlockKind.COMMENT, author="陈立新", paragraph=3),
    ]
    meta = {"author": "陈立新", "creator": "Microsoft Word", "producer": "Adobe PDF Library"}
    found = run(pdf_doc(blocks, metadata=meta))
    assert rules(found) == ["comment", "hidden_text", "metadata_person", "white_text"]
    hidden = next(f for f in found if f.rule == "hidden_text")
    assert "渲染模式 3" in hidden.message and hidden.location.bbox is not None
    assert next(f for f in found if f.rule == "comment").evidence == "批注：“请改为5月底前完成”"
    assert "0771-5512345" not in dump(found) and "陈立新" not in dump(found)


def test_pdf_invisible_text_over_scan_image_is_ocr_layer():
    scan = ImageItem(page=1, bbox=(0, 0, 595, 842), width=1240, height=1754, kind="page_scan")
    blocks = [
        span("关于开展安全生产检查的通知", 150, 100, 420, para=0, hidden=True, source="pdf:render_mode_3")
    ]
    assert run(pdf_doc(blocks, images=[scan])) == []


def test_pdf_javascript_and_attachment():
    doc = pdf_doc([span("正文", 80, 100, 104, para=0)])
    doc.scripts = ["app.alert('hello');"]
    doc.embedded_files = ["名单.xlsx"]
    found = run(doc)
    assert rules(found) == ["embedded_file", "javascript"]
    assert all(f.severity == "medium" for f in found)


# -- HTML (built by hand) ----------------------------------------------------------------------
def html_doc(blocks: list[TextBlock], scripts=()) -> Document:
    doc = Document(name="page.html", format="html", pages=[Page(1, 0, 0, unit="px")])
    doc.blocks = blocks
    doc.scripts = list(scripts)
    return doc.finalize()


def test_html_hidden_div_and_draft_comment():
    blocks = [
        TextBlock("2024年第一季度城镇低保对象公示", page=1, paragraph=0),
        TextBlock(
            "机构概况 领导信息 内设机构 政策文件",
            page=1,
            paragraph=1,
            hidden=True,
            source="html:display:none",
        ),
        TextBlock(
            "内部资料 注意保存 审核人：黄志强 18977165502",
            page=1,
            paragraph=2,
            hidden=True,
            source="html:display:none",
        ),
        TextBlock("公示期：2024年4月1日至4月7日。", page=1, paragraph=3),
        TextBlock(
            "初稿由覃桂芳整理，联系电话 15907781234，定稿前删除", page=1, kind=BlockKind.COMMENT, paragraph=4
        ),
        TextBlock("头部开始", page=1, kind=BlockKind.COMMENT, paragraph=5),
        TextBlock("end .nav", page=1, kind=BlockKind.COMMENT, paragraph=6),
        TextBlock(
            "[if lt IE 9]><script src=html5shiv.js></script><![endif]",
            page=1,
            kind=BlockKind.COMMENT,
            paragraph=7,
        ),
    ]
    found = run(html_doc(blocks, scripts=["var _hmt = _hmt || [];"]))
    assert rules(found) == ["hidden_text", "html_comment"]
    hidden = next(f for f in found if f.rule == "hidden_text")
    assert hidden.severity == "high" and "display:none" in hidden.message
    assert hidden.evidence == "隐藏文字：“内部资料 注意保存 …”"
    comment = next(f for f in found if f.rule == "html_comment")
    assert comment.severity == "high" and comment.evidence == "注释：“初稿由覃**整理，联…”"
    text = dump(found)
    assert "18977165502" not in text and "15907781234" not in text and "覃桂芳" not in text


def test_html_white_text_reported_as_white_text():
    blocks = [
        TextBlock("政务公开", page=1, paragraph=0),
        TextBlock(
            "内部测试数据，请勿公开",
            page=1,
            paragraph=1,
            hidden=True,
            color=(255, 255, 255),
            source="html:white_text",
        ),
    ]
    assert rules(run(html_doc(blocks))) == ["white_text"]


def test_html_clean_page_is_silent():
    blocks = [
        TextBlock("关于开展政府网站内容保障工作的通知", page=1, paragraph=0),
        TextBlock(
            "各单位要落实“先审后发”和“三审三校”制度，坚持涉密不上网、上网不涉密。", page=1, paragraph=1
        ),
        TextBlock("首页 政务公开 互动交流", page=1, paragraph=2, hidden=True, source="html:display:none"),
        TextBlock("页脚 版权信息", page=1, kind=BlockKind.COMMENT, paragraph=3),
    ]
    assert run(html_doc(blocks, scripts=["document.write('x')"])) == []


# -- helpers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("王建国", True),
        ("欧阳娜娜", True),
        ("Zhang Wei", True),
        ("John Smith", True),
        ("微软用户", False),
        ("Administrator", False),
        ("Microsoft Office User", False),
        ("南宁市司法局", False),
        ("财政局", False),
        ("办公室", False),
        ("信息中心", False),
        ("市政府", False),
        ("Caleb McDaniel", True),  # lastModifiedBy of pandoc's links.docx
        ("Zhang, Wei", True),  # "Surname, Given" as Outlook / Active Directory write it
        ("Zhang, Xiao-Ming", True),
        ("王, 伟", True),
        ("欧阳，明", True),
        ("Beijing, China", False),
        ("User, Admin", False),
        ("办公室, 综合", False),
        ("北京, 上海", False),
        ("python-docx", False),
        ("WPS", False),
    ],
)
def test_looks_like_person(value, expected):
    assert looks_like_person(value) is expected


def test_preview_masks_personal_data_before_cutting():
    assert mask_personal("联系人张伟民13877120456") == "联系人张**138****0456"
    assert preview("身份证450102196804152130请核对", limit=30) == "身份证45************2130请核对"
    assert preview("短评") == "短评"
    assert preview("一二三四五六七八九十十一") == "一二三四五六七八九十…"


def test_preview_masks_a_name_before_a_form_of_address() -> None:
    from pubguard.detectors.hidden_content import preview

    shown = preview("郭敏明同志意见：此段删去", limit=40)
    assert "郭敏明" not in shown and shown.startswith("郭**同志")


# -- tracked paragraph marks: a paragraph split or joined, no text changed ----------------------
def _mark_paragraph(d, text: str, tag: str, author: str = "刘晓红") -> None:
    raw_paragraph(
        d,
        f'<w:pPr><w:rPr><w:{tag} w:id="31" w:author="{author}" w:date="2024-03-11T08:30:00Z"/></w:rPr></w:pPr>'
        f"<w:r><w:t>{text}</w:t></w:r>",
    )


@pytest.mark.parametrize("tag", ["del", "ins"])
def test_tracked_paragraph_mark_alone_is_a_tracked_change(tag):
    d = clean_notice(author="市财政局")
    _mark_paragraph(d, "请各单位于3月底前报送资金使用情况。", tag)
    found = [f for f in run(from_docx(d)) if f.rule == "tracked_change"]
    assert len(found) == 1
    assert found[0].details.revision == ("delete" if tag == "del" else "insert")
    assert "段落标记" in found[0].evidence and "刘*" in found[0].message


def test_whole_inserted_paragraph_with_its_mark_is_one_finding():
    d = clean_notice(author="市财政局")
    raw_paragraph(
        d,
        '<w:pPr><w:rPr><w:ins w:id="41" w:author="刘晓红" w:date="2024-03-11T08:30:00Z"/></w:rPr></w:pPr>'
        '<w:ins w:id="42" w:author="刘晓红" w:date="2024-03-11T08:30:00Z"><w:r><w:t>新增一段：资金按季度拨付。</w:t>'
        "</w:r></w:ins>",
    )
    found = [f for f in run(from_docx(d)) if f.rule == "tracked_change"]
    assert len(found) == 1 and "新增一段" in found[0].evidence


def test_paragraph_properties_without_a_tracked_mark_are_no_revision():
    d = clean_notice(author="市财政局")
    raw_paragraph(
        d, '<w:pPr><w:rPr><w:b/><w:color w:val="000000"/></w:rPr></w:pPr><w:r><w:t>普通段落。</w:t></w:r>'
    )
    assert [f for f in run(from_docx(d)) if f.rule == "tracked_change"] == []


def test_author_in_surname_given_form_is_a_person():
    found = [f for f in run(from_docx(clean_notice(author="Zhang, Wei"))) if f.rule == "metadata_person"]
    assert len(found) == 1 and "Zhang, Wei" not in found[0].evidence + found[0].message
    assert [
        f for f in run(from_docx(clean_notice(author="Beijing, China"))) if f.rule == "metadata_person"
    ] == []


# -- a proper redaction: only the tool's label is left under/on the box -----------------------
@pytest.mark.parametrize("label", ["已删除", "（涉及个人隐私）", "REDACTED", "(b)(6)"])
def test_box_over_only_a_redaction_label_is_not_a_fake_redaction(label):
    # 张伟民's number was removed from the file; the tool printed its label in black at the
    # spot, then drew the box: the label is extractable, the personal data is gone.
    x1 = 176 + 12 * len(label)
    blocks = [
        span("救助对象：张伟民，身份证号：", 8, 192, 176, para=1),
        span(label, 176, 192, x1, para=1),
        span("，已核实。", x1, 192, x1 + 60, para=1),
    ]
    box = Drawing(page=1, kind="rect", bbox=(175.0, 191.0, x1 + 1.0, 208.0), fill=(0, 0, 0))
    assert [f for f in run(pdf_doc(blocks, [box])) if f.rule == "fake_redaction"] == []


def test_box_over_a_label_and_leftover_digits_is_still_a_fake_redaction():
    blocks = [span("身份证号：已删除450102196804152130", 80, 192, 330, para=1)]
    box = Drawing(page=1, kind="rect", bbox=(139.0, 191.0, 331.0, 208.0), fill=(0, 0, 0))
    found = [f for f in run(pdf_doc(blocks, [box])) if f.rule == "fake_redaction"]
    assert len(found) == 1 and "450102196804152130" not in dump(found)


# -- white text check: the topmost fill under each character counts --------------------------
RED_BANNER = (204, 26, 26)


def test_red_text_on_a_white_label_over_a_red_banner_is_visible():
    # the white label is lower than the line's box (ascender/descender space), so it covers
    # less than 60 % of the box but lies under every character's centre
    blocks = [span("关于开展安全生产大检查的通知", 90, 100, 370, para=0, size=20, color=RED_BANNER)]
    banner = Drawing(page=1, kind="rect", bbox=(50.0, 50.0, 545.0, 200.0), fill=RED_BANNER)
    label = Drawing(page=1, kind="rect", bbox=(80.0, 104.0, 400.0, 118.0), fill=(255, 255, 255))
    assert run(pdf_doc(blocks, [banner, label])) == []


def test_red_text_on_the_red_banner_itself_is_hidden():
    blocks = [span("内部掌握：暂缓拨付青秀区资金", 90, 100, 370, para=0, size=20, color=RED_BANNER)]
    banner = Drawing(page=1, kind="rect", bbox=(50.0, 50.0, 545.0, 200.0), fill=RED_BANNER)
    # a white label elsewhere on the banner does not change what lies under this line
    label = Drawing(page=1, kind="rect", bbox=(80.0, 150.0, 400.0, 180.0), fill=(255, 255, 255))
    assert rules(run(pdf_doc(blocks, [banner, label]))) == ["white_text"]


def test_white_label_drawn_under_the_banner_does_not_make_text_visible():
    blocks = [span("内部掌握：暂缓拨付青秀区资金", 90, 100, 370, para=0, size=20, color=RED_BANNER)]
    label = Drawing(page=1, kind="rect", bbox=(80.0, 104.0, 400.0, 118.0), fill=(255, 255, 255))
    banner = Drawing(page=1, kind="rect", bbox=(50.0, 50.0, 545.0, 200.0), fill=RED_BANNER)
    assert rules(run(pdf_doc(blocks, [label, banner]))) == ["white_text"]  # banner is on top


def test_multi_rectangle_redaction_path_is_judged_box_by_box():
    # one filled path of two rectangles (the end of one line and the start of the next, as
    # Acrobat draws a multi-line redaction); the visible words beside them are not covered
    top = span("Plaintiff relies on the declaration of", 90, 100, 300, para=0)
    bottom = span("at 24:14-18, attached hereto as Ex. A.", 90, 114, 300, para=1)
    path = Drawing(
        page=1, kind="path", bbox=(90.0, 99.0, 560.0, 129.0), fill=(0, 0, 0),
        items=[("re", (310.0, 99.0, 560.0, 114.0)), ("re", (90.0, 114.0, 88.0 + 0.5, 129.0))],
    )  # fmt: skip
    assert [f for f in run(pdf_doc([top, bottom], [path])) if f.rule == "fake_redaction"] == []
    covered = span("联系电话：13877120456", 320, 100, 440, para=2)
    found = [f for f in run(pdf_doc([top, covered], [path])) if f.rule == "fake_redaction"]
    assert len(found) == 1 and "13877120456" not in dump(found)


# -- real PDFs: a box (with or without a label plate on it) over text that was not removed -----
def _boxed_pdf(plate: bool) -> Document:
    """Black box over 张伟民's mobile number; with `plate`, the redaction tool's white label
    plate is painted on the box with a black label word on it (the word sits *on* the box)."""
    import pymupdf

    from pubguard.extract import extract

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text(
        (72, 200), "申请人张伟民，联系电话：13877120456，已核实。", fontname="china-s", fontsize=12
    )
    box = pymupdf.Rect(200, 188, 290, 204)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    if plate:
        page.draw_rect(pymupdf.Rect(205, 190, 285, 202), color=None, fill=(1, 1, 1))
        page.insert_text((208, 200), "已 删 除", fontname="china-s", fontsize=10)
    return extract(pdf.tobytes(), "boxed.pdf", ScanConfig(ocr=False))


def test_solid_black_box_over_extractable_number_is_a_fake_redaction():
    found = [f for f in run(_boxed_pdf(plate=False)) if f.rule == "fake_redaction"]
    assert len(found) == 1 and "13877120456" not in dump(found)


def test_label_plate_on_a_box_over_unremoved_text_is_still_a_fake_redaction():
    # the rendered box is not one flat colour (white plate, black label word), but the number
    # was never removed: it is extractable under box and plate
    found = [f for f in run(_boxed_pdf(plate=True)) if f.rule == "fake_redaction"]
    assert len(found) == 1 and "13877120456" not in dump(found)


# -- frames: one fill path with an outer and an inner outline paints a ring, not a box ---------
def _framed_pdf(frame: bool, colour=(0, 0, 0), text_colour=(0, 0, 0)) -> Document:
    """Text inside a box drawn as one fill path: with `frame`, the path has an inner outline too
    (even-odd fill: a 1 pt frame, how producers draw borders and stamp outlines: x-ray's "JS-6"
    box, a red double frame around red "Filed on ..."); without, the box is solid."""
    import pymupdf

    from pubguard.extract import extract

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((214, 200), "JS-6 Filed 13877120456", fontsize=11, color=text_colour)
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(200, 186, 360, 206))
    if frame:
        shape.draw_rect(pymupdf.Rect(201, 187, 359, 205))
    shape.finish(color=None, fill=colour, even_odd=True)
    shape.commit()
    return extract(pdf.tobytes(), "framed.pdf", ScanConfig(ocr=False))


def test_text_inside_a_frame_is_not_under_a_box():
    assert [f.rule for f in run(_framed_pdf(frame=True))] == []
    red = (1, 0, 0)
    assert [f.rule for f in run(_framed_pdf(frame=True, colour=red, text_colour=red))] == []


def test_text_under_a_solid_one_path_box_is_still_found():
    assert "fake_redaction" in rules(run(_framed_pdf(frame=False)))
    red = (1, 0, 0)  # red text on a solid red box: hidden by its colour
    assert "white_text" in rules(run(_framed_pdf(frame=False, colour=red, text_colour=red)))


# -- exact character boxes where a line meets a dark box ---------------------------------------
def _line_meeting_box(cover_last_word: bool) -> Document:
    """A proportional-font line of narrow letters (the estimate, 0.55 em a letter, runs past its end) with a black box that
    starts where the line ends (x-ray's whitespace_redactions_2: the box blacks out the empty
    rest of the line) or over its last word."""
    import pymupdf

    from pubguard.extract import extract

    pdf = pymupdf.open()
    page = pdf.new_page()
    text = "iiiiiiiiiiiiiiiiiiiiiiiiiiiiii llll 1111 fiji ill at 17, 22"
    page.insert_text((72, 200), text, fontname="tiro", fontsize=12)
    end = 72 + pymupdf.get_text_length(text, fontname="tiro", fontsize=12)
    start = (
        end - pymupdf.get_text_length("22", fontname="tiro", fontsize=12) - 1
        if cover_last_word
        else end - 0.9
    )
    page.draw_rect(pymupdf.Rect(start, 189, 560, 203), color=None, fill=(0, 0, 0))
    return extract(pdf.tobytes(), "line.pdf", ScanConfig(ocr=False))


def test_box_after_the_end_of_a_line_hides_nothing():
    assert "fake_redaction" not in rules(run(_line_meeting_box(cover_last_word=False)))


def test_box_over_the_last_word_of_a_line_is_found():
    found = [f for f in run(_line_meeting_box(cover_last_word=True)) if f.rule == "fake_redaction"]
    assert len(found) == 1 and found[0].details.ranges
