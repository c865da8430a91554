"""Clean copies of Word files: 版头, seals, revisions, comments, hidden text, properties removed;
personal data masked in place (runs, formatting and tables kept); the copy re-scanned."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from clean.conftest import PEOPLE, docx_bytes, rules, sample
from pubguard.clean import CleanOptions, clean_bytes
from pubguard.clean.common import CLEANABLE
from pubguard.scan import scan_bytes

CLEANED = set(CLEANABLE) - {"classification_mark"}


def xml_text(data: bytes) -> str:
    """All XML of the package, tags stripped, as one string (what a determined reader sees)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                out.append(re.sub(r"<[^>]+>", "", zf.read(name).decode("utf-8", "ignore")))
    return "".join(out)


def test_sample_draft_round_trip(config):
    data = sample("draft_tracked.docx")
    before = scan_bytes(data, "draft_tracked.docx", config)
    assert {"red_header/red_header", "seal/official_seal", "hidden_content/comment"} <= rules(before.findings)
    result = clean_bytes(data, "draft_tracked.docx", config)
    report = result.report
    assert report.rescan_status == "ok"
    assert not [f for f in report.findings_after if f["category"] in CLEANED]
    assert report.releasable and report.remaining_blockers == 0
    out = docx.Document(io.BytesIO(result.data))
    texts = [p.text for p in out.paragraphs if p.text]
    # 版头: the organ's name and the 发文字号 go (as the finding's suggestion says), the title stays.
    assert "南宁市财政局文件" not in texts and "南财发〔2024〕21号" not in texts
    assert texts[0] == "关于下达2024年度就业补助资金的通知"
    assert "资金分配情况见附件。" in texts
    src = docx.Document(io.BytesIO(data))
    assert (
        len(texts) == len([p.text for p in src.paragraphs if p.text]) - 3
    )  # organ mark, number, hidden line
    everything = xml_text(result.data)
    for gone in ("其中青秀区因审计问题", "内部掌握", "此段请核实金额", "王建国", "刘晓红", "13877120456"):
        assert gone not in everything
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("word/media/")]  # the seal picture is gone
        assert "word/comments.xml" not in names
        assert "docProps/thumbnail.jpeg" not in names
        document = zf.read("word/document.xml").decode()
    assert "w:del " not in document and "<w:del>" not in document and "commentReference" not in document
    assert not out.core_properties.author and not out.core_properties.last_modified_by
    actions = {(a.category, a.rule, a.action) for a in report.actions}
    assert ("red_header", "red_header", "removed") in actions
    assert ("seal", "official_seal", "removed") in actions
    assert [a.detail for a in report.actions if a.rule == "red_header" and "发文字号" in a.detail] == [
        "发文字号“南财发〔2024〕21号”"
    ]


def roster_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于2024年度临时救助对象的公示")
    name, pid, mobile = PEOPLE[0]
    p = d.add_paragraph("救助对象：")
    p.add_run(name)
    p.add_run("，身份证号：" + pid[:8])
    bold = p.add_run(pid[8:14])
    bold.bold = True
    p.add_run(pid[14:] + "，联系电话：" + mobile[:5])
    p.add_run(mobile[5:])
    table = d.add_table(rows=len(PEOPLE) + 1, cols=4)
    for j, head in enumerate(["姓名", "身份证号", "联系电话", "救助金额（元）"]):
        table.cell(0, j).text = head
    for i, (n, pid2, m) in enumerate(PEOPLE, start=1):
        for j, v in enumerate([n, pid2, m, "1200"]):
            table.cell(i, j).text = v
    d.add_paragraph("公示期：2024年4月1日至4月7日。")
    return docx_bytes(d)


def test_masks_in_place_across_runs_keeping_formatting_and_table(config):
    data = roster_docx()
    result = clean_bytes(data, "roster.docx", config, CleanOptions(mask_preset="id6-4"))
    assert result.report.releasable
    assert not [f for f in result.report.findings_after if f["category"] == "personal_data"]
    src, out = docx.Document(io.BytesIO(data)), docx.Document(io.BytesIO(result.data))
    assert len(out.paragraphs) == len(src.paragraphs)
    assert len(out.tables) == 1
    assert (len(out.tables[0].rows), len(out.tables[0].columns)) == (len(PEOPLE) + 1, 4)
    runs_src, runs_out = src.paragraphs[1].runs, out.paragraphs[1].runs
    assert [len(r.text) for r in runs_out] == [len(r.text) for r in runs_src]  # same runs, same lengths
    assert [r.bold for r in runs_out] == [r.bold for r in runs_src]
    assert runs_out[3].text == "******" and runs_out[3].bold  # the bold middle of the ID number
    line = out.paragraphs[1].text
    _name, pid, mobile = PEOPLE[0]
    assert pid[:6] + "*" * 8 + pid[-4:] in line
    assert mobile[:3] + "****" + mobile[-4:] in line
    cells = [[c.text for c in row.cells] for row in out.tables[0].rows]
    assert cells[0] == ["姓名", "身份证号", "联系电话", "救助金额（元）"]
    assert cells[1] == ["张**", PEOPLE[0][1][:6] + "*" * 8 + PEOPLE[0][1][-4:], "138****0456", "1200"]
    everything = xml_text(result.data)
    assert not any(v in everything for _n, p, m in PEOPLE for v in (p, m))
    assert result.report.leak_check == {"values_checked": 2 * len(PEOPLE), "leaks": 0}


def test_drop_columns_removes_id_and_phone_columns(config):
    options = CleanOptions(drop_columns=True, name_style="first_last")
    result = clean_bytes(roster_docx(), "roster.docx", config, options)
    table = docx.Document(io.BytesIO(result.data)).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["姓名", "救助金额（元）"]
    assert [r[0] for r in rows[1:]] == ["张*民", "李*兰", "黄*强", "覃*芳"]
    dropped = [a for a in result.report.actions if a.action == "dropped_column"]
    assert len(dropped) == 2 and all("表格1" in a.where for a in dropped)


def tracked_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于调整办公用房的通知")
    p = d.add_paragraph("会议地点改为")
    ins = OxmlElement("w:ins")
    dele = OxmlElement("w:del")
    for el, text, tag in ((ins, "三楼会议室", "w:t"), (dele, "二楼会议室", "w:delText")):
        el.set(qn("w:id"), "1" if el is ins else "2")
        el.set(qn("w:author"), "刘晓红")
        el.set(qn("w:date"), "2024-03-10T09:00:00Z")
        r = OxmlElement("w:r")
        t = OxmlElement(tag)
        t.text = text
        r.append(t)
        el.append(r)
        p._p.append(el)
    p.add_run("。")
    return docx_bytes(d)


def test_revisions_accept_and_reject(config):
    data = tracked_docx()
    accepted = clean_bytes(data, "t.docx", config, CleanOptions(revisions="accept"))
    rejected = clean_bytes(data, "t.docx", config, CleanOptions(revisions="reject"))
    assert docx.Document(io.BytesIO(accepted.data)).paragraphs[1].text == "会议地点改为三楼会议室。"
    assert docx.Document(io.BytesIO(rejected.data)).paragraphs[1].text == "会议地点改为二楼会议室。"
    for result in (accepted, rejected):
        assert "tracked_change" not in {f["rule"] for f in result.report.findings_after}
        body = zipfile.ZipFile(io.BytesIO(result.data)).read("word/document.xml").decode()
        assert "<w:ins" not in body and "<w:del " not in body and "delText" not in body
    assert "二楼会议室" not in xml_text(accepted.data)
    assert "三楼会议室" not in xml_text(rejected.data)


def red_header_docx() -> bytes:
    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("南宁市民政局文件")
    run.font.size, run.font.color.rgb = Pt(30), RGBColor(0xC0, 0x00, 0x00)
    number = d.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.add_run("南民发〔2024〕8号").font.size = Pt(16)
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "18", "w:space": "1", "w:color": "C00000"}.items():
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    number._p.get_or_add_pPr().append(pbdr)
    title = d.add_paragraph().add_run("关于开展2024年度社会组织年度检查工作的通知")
    title.font.size, title.font.color.rgb = Pt(22), RGBColor(0xC0, 0x00, 0x00)
    d.add_paragraph("各县（区）民政局：")
    d.add_paragraph("现就做好2024年度社会组织年度检查工作通知如下。")
    return docx_bytes(d)


def test_keep_header_text_turns_the_header_black(config):
    data = red_header_docx()
    assert "red_header/red_header" in rules(scan_bytes(data, "h.docx", config).findings)
    cleaned = clean_bytes(data, "h.docx", config).data
    removed = docx.Document(io.BytesIO(cleaned))
    # the organ mark and the 发文字号 are gone: the title opens the copy
    assert removed.paragraphs[0].text == "关于开展2024年度社会组织年度检查工作的通知"
    assert "南民发〔2024〕8号" not in xml_text(cleaned)
    kept_result = clean_bytes(data, "h.docx", config, CleanOptions(keep_header_text=True))
    kept = docx.Document(io.BytesIO(kept_result.data))
    assert [p.text for p in kept.paragraphs[:2]] == ["南宁市民政局文件", "南民发〔2024〕8号"]
    for p in kept.paragraphs[:3]:  # organ name, number and title: all plain black now
        assert all(r.font.color.rgb in (None, RGBColor(0, 0, 0)) for r in p.runs)
    assert "red_header" not in {f["category"] for f in kept_result.report.findings_after}
    assert (
        '<w:bottom w:val="nil"/>'
        in zipfile.ZipFile(io.BytesIO(kept_result.data)).read("word/document.xml").decode()
    )


TEXT_BOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
    '<wp:inline><wp:extent cx="2000000" cy="500000"/><wp:docPr id="5" name="Text Box 5"/><a:graphic>'
    '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:spPr><a:prstGeom prst="rect"/></wps:spPr><wps:txbx><w:txbxContent><w:p><w:r>'
    "<w:t>经办人电话：{mobile}</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
    "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice><mc:Fallback><w:pict>"
    '<v:shape style="width:150pt;height:40pt"><v:textbox><w:txbxContent><w:p><w:r>'
    "<w:t>经办人电话：{mobile}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r>"
)


def test_text_box_header_footer_and_hidden_copies(config):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "内部资料 注意保存"
    d.sections[0].footer.paragraphs[0].text = f"家庭电话：{PEOPLE[2][2]}"
    d.add_paragraph("关于做好2024年度防汛值班工作的通知")
    p = d.add_paragraph("请各单位做好值班安排。")
    p._p.append(parse_xml(TEXT_BOX.format(mobile=PEOPLE[1][2])))
    hidden = d.add_paragraph().add_run("审核人手机号另行通知")
    hidden.font.hidden = True
    data = docx_bytes(d)
    before = rules(scan_bytes(data, "t.docx", config).findings)
    assert {"classification_mark/internal_marking", "personal_data/mobile"} <= before
    result = clean_bytes(data, "t.docx", config)
    assert not [f for f in result.report.findings_after if f["category"] in CLEANABLE]
    everything = xml_text(result.data)
    # The VML fallback copy of the text box would otherwise keep the number.
    assert PEOPLE[1][2] not in everything and PEOPLE[2][2] not in everything
    assert "内部资料" not in everything and "审核人手机号" not in everything
    assert "请各单位做好值班安排。" in everything


def test_mark_line_and_leader_note_removed_but_not_releasable(config):
    d = docx.Document()
    d.add_paragraph("000123")
    d.add_paragraph("秘密★1年")
    note = d.add_paragraph().add_run("拟同意，请李市长审定。王建国 3.5")
    note.font.color.rgb = RGBColor(0x10, 0x30, 0xC0)
    for line in (
        "关于调整城区道路维修计划的请示",
        "市人民政府：",
        "为保障道路安全畅通，我局拟对主干道路面进行维修。",
    ):
        d.add_paragraph(line)
    result = clean_bytes(docx_bytes(d), "s.docx", config)
    texts = [p.text for p in docx.Document(io.BytesIO(result.data)).paragraphs]
    assert texts == [
        "关于调整城区道路维修计划的请示",
        "市人民政府：",
        "为保障道路安全畅通，我局拟对主干道路面进行维修。",
    ]
    assert result.report.findings_after == []
    # Removing a 密级 mark is not declassification: the copy is never offered for release.
    assert result.report.needs_declassification and not result.report.releasable


def test_clean_document_stays_as_it_was(config):
    data = sample("clean_policy.docx")
    result = clean_bytes(data, "clean_policy.docx", config)
    src, out = docx.Document(io.BytesIO(data)), docx.Document(io.BytesIO(result.data))
    assert [p.text for p in out.paragraphs] == [p.text for p in src.paragraphs]
    assert [[c.text for c in r.cells] for r in out.tables[0].rows] == [
        [c.text for c in r.cells] for r in src.tables[0].rows
    ]
    assert result.report.releasable
    assert {a.rule for a in result.report.actions} <= {"metadata_person"}


def test_numbers_outside_run_text_are_replaced_too(config):
    """A mailto: hyperlink keeps the address in the relationship target and a picture
    description can repeat a number: the sweep masks them as well."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    d = docx.Document()
    d.add_paragraph("关于征集2024年度优秀志愿服务案例的通知")
    p = d.add_paragraph("案例材料请发送至经办人张伟民个人邮箱：")
    address = "zhangweimin1968@163.com"
    rid = d.part.relate_to(f"mailto:{address}", RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = address
    run.append(text)
    link.append(run)
    p._p.append(link)
    data = docx_bytes(d)
    assert "personal_data/email" in rules(scan_bytes(data, "m.docx", config).findings)
    result = clean_bytes(data, "m.docx", config)
    assert address not in xml_text(result.data)
    assert result.report.leak_check["leaks"] == 0
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode()
    assert "mailto:z**************@163.com" in rels


def test_half_width_punctuation_in_chinese_becomes_full_width(config):
    d = docx.Document()
    d.add_paragraph("各单位要高度重视,认真落实;确保实效。")
    p = d.add_paragraph()
    p.add_run("详见附件(一")
    p.add_run(")。时间:2023年5月1日,比例为1:2。")  # the mark sits at a run boundary
    d.add_paragraph("Guangxi, Nanning (2023): Notice.")  # English keeps its punctuation
    for _ in range(50):
        d.add_paragraph("请各单位认真落实,确保实效。")
    data = docx_bytes(d)
    before = scan_bytes(data, "p.docx", config)
    (mixed,) = [f for f in before.findings if f.rule == "mixed_punctuation"]
    assert mixed.count == 55
    result = clean_bytes(data, "p.docx", config)
    texts = [q.text for q in docx.Document(io.BytesIO(result.data)).paragraphs]
    assert texts[0] == "各单位要高度重视，认真落实；确保实效。"
    assert texts[1] == "详见附件（一）。时间:2023年5月1日，比例为1:2。"  # 时间:2023 and 1:2 stay
    assert texts[2] == "Guangxi, Nanning (2023): Notice."
    assert texts[3:] == ["请各单位认真落实，确保实效。"] * 50
    assert "proofreading/mixed_punctuation" not in rules(result.report.findings_after)
    (action,) = [a for a in result.report.actions if a.rule == "mixed_punctuation"]
    assert action.action == "replaced" and action.count == 55


def test_red_header_is_removed_by_its_target_not_re_detected(config):
    """clean/ acts on the paragraphs the red_header finding names (Finding.target): with the
    target emptied, the cleaner leaves the organ mark alone instead of finding it again."""
    import dataclasses

    from pubguard.clean.docx import clean_docx, prepare_docx
    from pubguard.targets import RedHeaderTarget

    data = red_header_docx()
    result, trace = prepare_docx(data, "h.docx", config)
    (header,) = [f for f in result.findings if f.rule == "red_header"]
    assert header.target == RedHeaderTarget(organ_paragraphs=(0,), number_paragraph=1)
    opts = CleanOptions()
    out, actions = clean_docx(data, "h.docx", config, opts, opts.masking(config), result=result, trace=trace)
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "关于开展2024年度社会组织年度检查工作的通知"
    result, trace = prepare_docx(data, "h.docx", config)
    for i, f in enumerate(result.findings):
        if f.rule == "red_header":
            result.findings[i] = dataclasses.replace(f, target=RedHeaderTarget())
    out, actions = clean_docx(data, "h.docx", config, opts, opts.masking(config), result=result, trace=trace)
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "南宁市民政局文件"
    assert not [a for a in actions if a.rule == "red_header" and "发文机关标志" in a.detail]
