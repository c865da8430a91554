"""DOCX extraction: every input is built here with python-docx plus raw XML edits."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from PIL import Image

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document
from pubguard.errors import CorruptFile, DecompressionBomb
from pubguard.extract import extract
from pubguard.extract.docx import extract_docx

NS = " ".join(
    [
        nsdecls("w", "wp", "a", "pic", "r"),
        'xmlns:v="urn:schemas-microsoft-com:vml"',
        'xmlns:o="urn:schemas-microsoft-com:office:office"',
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"',
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"',
    ]
)


def _bytes(d: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _read(d: docx.document.Document | bytes) -> Document:
    data = d if isinstance(d, bytes) else _bytes(d)
    return extract_docx(data, "t.docx", ScanConfig())


def _rewrite(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing (or with None dropping) members and adding new ones."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                continue
            dst.writestr(info, src.read(info.filename))
        for name, blob in replace.items():
            if blob is not None:
                dst.writestr(name, blob)
    return out.getvalue()


def _raw_paragraph(d: docx.document.Document, inner_xml: str) -> None:
    """Append a <w:p> with raw inner XML before the body's final sectPr."""
    p = parse_xml(f"<w:p {NS}>{inner_xml}</w:p>")
    d.element.body.sectPr.addprevious(p)


def _blocks(doc: Document, kind: BlockKind) -> list:
    return [b for b in doc.blocks if b.kind == kind]


def _png(color: tuple[int, int, int] = (200, 0, 0), size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


# -- runs and paragraphs --------------------------------------------------------------------
def test_run_colour_size_bold_alignment_and_theme_colour():
    d = docx.Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run("某某市人民政府文件")
    r.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    r.font.size = Pt(26)
    r.bold = True
    _raw_paragraph(d, '<w:r><w:rPr><w:color w:themeColor="accent2"/></w:rPr><w:t>主题色文字</w:t></w:r>')
    _raw_paragraph(
        d, '<w:r><w:rPr><w:color w:val="auto"/><w:sz w:val="32"/></w:rPr><w:t>三号正文</w:t></w:r>'
    )
    doc = _read(d)
    red, theme, plain = doc.blocks[0], doc.blocks[1], doc.blocks[2]
    assert (red.text, red.color, red.font_size, red.bold, red.alignment) == (
        "某某市人民政府文件",
        (0xE6, 0x00, 0x12),
        26.0,
        True,
        "center",
    )
    assert red.is_red
    assert theme.color == (0xC0, 0x50, 0x4D)  # accent2 of the package's own theme1.xml
    assert plain.color is None and plain.font_size == 16.0 and not plain.bold
    assert doc.text.startswith("某某市人民政府文件\n主题色文字\n三号正文")


def test_hidden_text_direct_and_through_styles():
    d = docx.Document()
    cstyle = d.styles.add_style("SecretChar", WD_STYLE_TYPE.CHARACTER)
    cstyle.font.hidden = True
    pstyle = d.styles.add_style("SecretPara", WD_STYLE_TYPE.PARAGRAPH)
    pstyle.font.hidden = True
    p = d.add_paragraph("可见文字")
    p.add_run("直接隐藏").font.hidden = True
    p.add_run("样式隐藏", style="SecretChar")
    d.add_paragraph("整段隐藏", style="SecretPara")
    d.add_paragraph("普通段落")
    doc = _read(d)
    hidden = {b.text: b.hidden for b in doc.blocks if b.kind == BlockKind.BODY}
    # Adjacent runs with the same effective format become one block: the run hidden through its
    # character style merges with the directly hidden one only if both resolve to hidden.
    assert hidden == {"可见文字": False, "直接隐藏样式隐藏": True, "整段隐藏": True, "普通段落": False}
    # runs of one paragraph join with no separator
    assert "可见文字直接隐藏样式隐藏\n整段隐藏" in doc.text


def test_alignment_inherited_from_paragraph_style_and_highlight_shading():
    d = docx.Document()
    title = d.styles.add_style("CenteredTitle", WD_STYLE_TYPE.PARAGRAPH)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("关于做好2024年防汛工作的通知", style="CenteredTitle")
    _raw_paragraph(d, '<w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t>高亮</w:t></w:r>')
    _raw_paragraph(
        d,
        '<w:r><w:rPr><w:color w:val="FFFFFF"/><w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:rPr>'
        "<w:t>黑底白字</w:t></w:r>",
    )
    _raw_paragraph(
        d,
        '<w:pPr><w:jc w:val="right"/><w:shd w:val="clear" w:fill="FFFFFF"/></w:pPr>'
        '<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>白底白字</w:t></w:r>',
    )
    doc = _read(d)
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["关于做好2024年防汛工作的通知"].alignment == "center"
    assert by_text["高亮"].highlight == (255, 255, 0)
    assert by_text["黑底白字"].highlight == (0, 0, 0) and by_text["黑底白字"].color == (255, 255, 255)
    assert by_text["白底白字"].highlight == (255, 255, 255)
    assert by_text["白底白字"].alignment == "right"


# -- order, tables --------------------------------------------------------------------------
def test_body_order_tables_in_place_and_merged_cells_once():
    d = docx.Document()
    d.add_paragraph("表前段落")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "横向合并"
    t.cell(0, 2).text = "C1"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "纵向合并"
    t.cell(1, 1).text = "B2"
    t.cell(1, 2).text = "C2"
    t.cell(2, 1).text = "B3"
    t.cell(2, 2).text = "C3"
    tc = t.cell(1, 2)._tc
    tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {NS} w:val="clear" w:color="auto" w:fill="1F1F1F"/>'))
    d.add_paragraph("表后段落")
    doc = _read(d)
    texts = [b.text for b in doc.blocks if b.kind in (BlockKind.BODY, BlockKind.TABLE_CELL)]
    assert texts == ["表前段落", "横向合并", "C1", "纵向合并", "B2", "C2", "B3", "C3", "表后段落"]
    paras = [b.paragraph for b in doc.blocks if b.kind in (BlockKind.BODY, BlockKind.TABLE_CELL)]
    assert paras == sorted(paras) and len(set(paras)) == len(paras)
    cells = {b.text: (b.table, b.row, b.col) for b in _blocks(doc, BlockKind.TABLE_CELL)}
    assert cells["横向合并"] == (0, 0, 0)
    assert cells["C1"] == (0, 0, 2)  # grid column, not cell index
    assert cells["纵向合并"] == (0, 1, 0)
    assert cells["B3"] == (0, 2, 1)
    shaded = next(b for b in doc.blocks if b.text == "C2")
    assert shaded.highlight == (0x1F, 0x1F, 0x1F)
    assert doc.text.count("纵向合并") == 1


def test_headers_and_footers_of_all_sections():
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "第一节页眉"
    d.sections[0].footer.paragraphs[0].text = "第一节页脚"
    d.add_paragraph("第一节正文")
    sec = d.add_section()
    sec.header.is_linked_to_previous = False
    sec.header.paragraphs[0].text = "第二节页眉"
    d.add_paragraph("第二节正文")
    doc = _read(d)
    assert [b.text for b in _blocks(doc, BlockKind.HEADER)] == ["第一节页眉", "第二节页眉"]
    assert [b.text for b in _blocks(doc, BlockKind.FOOTER)] == ["第一节页脚"]
    body_end = max(b.end for b in _blocks(doc, BlockKind.BODY))
    assert all(b.start > body_end for b in _blocks(doc, BlockKind.HEADER))


# -- text boxes, shapes, borders ----------------------------------------------------------
TEXTBOX_RUN = """
<w:r><mc:AlternateContent>
 <mc:Choice Requires="wps"><w:drawing>
  <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0"
     locked="0" layoutInCell="1" allowOverlap="1">
   <wp:simplePos x="0" y="0"/>
   <wp:positionH relativeFrom="page"><wp:posOffset>1270000</wp:posOffset></wp:positionH>
   <wp:positionV relativeFrom="page"><wp:posOffset>635000</wp:posOffset></wp:positionV>
   <wp:extent cx="2540000" cy="508000"/><wp:wrapNone/>
   <wp:docPr id="5" name="文本框 5"/>
   <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
    <wps:wsp><wps:spPr><a:prstGeom prst="rect"/><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>
      <a:ln w="12700"><a:solidFill><a:srgbClr val="FF0000"/></a:solidFill></a:ln></wps:spPr>
     <wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框里的批示</w:t></w:r></w:p></w:txbxContent></wps:txbx>
     <wps:bodyPr/></wps:wsp>
   </a:graphicData></a:graphic>
  </wp:anchor></w:drawing></mc:Choice>
 <mc:Fallback><w:pict><v:rect style="position:absolute;margin-left:100pt;margin-top:50pt;width:200pt;height:40pt"
    strokecolor="red"><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框里的批示</w:t></w:r></w:p>
    </w:txbxContent></v:textbox></v:rect></w:pict></mc:Fallback>
</mc:AlternateContent></w:r>
"""


def test_text_box_read_once_after_its_paragraph_with_shape():
    d = docx.Document()
    _raw_paragraph(d, f"<w:r><w:t>锚点段落前半</w:t></w:r>{TEXTBOX_RUN}<w:r><w:t>后半</w:t></w:r>")
    d.add_paragraph("下一段")
    doc = _read(d)
    assert doc.text.count("文本框里的批示") == 1
    assert doc.text.startswith("锚点段落前半后半\n文本框里的批示\n下一段")
    box = next(b for b in doc.blocks if b.text == "文本框里的批示")
    assert box.kind == BlockKind.TEXT_BOX and box.source == "w:txbxContent"
    assert box.highlight == (255, 255, 255)  # the box's fill is the background of its text
    anchor_para = doc.blocks[0].paragraph
    assert box.paragraph > anchor_para
    shapes = [dr for dr in doc.drawings if dr.source and dr.source.startswith("wps:wsp")]
    assert len(shapes) == 1  # the VML fallback copy is not read
    shape = shapes[0]
    assert shape.kind == "shape" and shape.stroke == (255, 0, 0) and shape.fill == (255, 255, 255)
    assert shape.paragraph == anchor_para
    assert shape.bbox == pytest.approx((100.0, 50.0, 300.0, 90.0))
    assert shape.width == pytest.approx(1.0)


def test_vml_line_oval_and_watermark_textpath_in_header():
    d = docx.Document()
    d.add_paragraph("正文")
    _raw_paragraph(
        d,
        '<w:r><w:pict><v:line from="0,0" to="442pt,0" strokecolor="#FF0000" strokeweight="1.5pt"/></w:pict></w:r>'
        '<w:r><w:pict><v:oval style="position:absolute;margin-left:300pt;margin-top:600pt;width:120pt;'
        'height:120pt" strokecolor="#E60012" filled="f"/></w:pict></w:r>',
    )
    hdr = d.sections[0].header.paragraphs[0]._p
    hdr.append(
        parse_xml(
            f'<w:r {NS}><w:pict><v:shape type="#_x0000_t136" fillcolor="silver" '
            'style="position:absolute;width:400pt;height:100pt">'
            '<v:textpath style="font-family:宋体" string="内部资料 注意保密"/></v:shape></w:pict></w:r>'
        )
    )
    doc = _read(d)
    line = next(dr for dr in doc.drawings if dr.source == "v:line")
    assert line.kind == "line" and line.stroke == (255, 0, 0) and line.width == pytest.approx(1.5)
    assert line.bbox == pytest.approx((0.0, 0.0, 442.0, 0.0))
    oval = next(dr for dr in doc.drawings if dr.source == "v:oval")
    assert oval.stroke == (0xE6, 0, 0x12) and oval.fill is None
    assert oval.bbox == pytest.approx((300.0, 600.0, 420.0, 720.0))
    wm = next(b for b in doc.blocks if b.source == "v:textpath")
    assert wm.text == "内部资料 注意保密" and wm.kind == BlockKind.HEADER
    assert wm.color == (192, 192, 192)


def test_paragraph_borders_direct_and_from_style():
    d = docx.Document()
    sep = d.styles.add_style("RedRule", WD_STYLE_TYPE.PARAGRAPH)
    sep._element.get_or_add_pPr().append(
        parse_xml(f'<w:pBdr {NS}><w:bottom w:val="single" w:sz="24" w:space="1" w:color="FF0000"/></w:pBdr>')
    )
    d.add_paragraph("某政办发〔2024〕3号", style="RedRule")
    _raw_paragraph(
        d,
        '<w:pPr><w:pBdr><w:top w:val="double" w:sz="8" w:color="000000"/></w:pBdr></w:pPr>'
        "<w:r><w:t>抄送：市委办公室</w:t></w:r>",
    )
    d.add_paragraph("无边框")
    doc = _read(d)
    borders = [dr for dr in doc.drawings if dr.kind == "border"]
    assert len(borders) == 2
    red, top = borders
    assert (
        red.stroke == (255, 0, 0) and red.width == pytest.approx(3.0) and red.source == "w:pBdr:bottom:single"
    )
    assert red.paragraph == next(b.paragraph for b in doc.blocks if b.text.startswith("某政办发"))
    assert red.bbox[2] > 300  # spans the text width
    assert top.source == "w:pBdr:top:double" and top.stroke == (0, 0, 0)


# -- images -----------------------------------------------------------------------------------
def test_inline_and_anchored_images_with_loader_and_position():
    d = docx.Document()
    png = _png()
    d.add_paragraph("图片前")
    d.add_picture(io.BytesIO(png), width=Mm(20))
    inline = d.inline_shapes[0]._inline
    inline.docPr.set("descr", "单位公章")
    # Turn a second picture into a floating one: same graphic inside wp:anchor.
    d.add_picture(io.BytesIO(_png((0, 0, 255), (10, 10))), width=Mm(10))
    second = d.inline_shapes[1]._inline
    graphic = second.find(qn("a:graphic"))
    drawing = second.getparent()
    anchor = parse_xml(
        f'<wp:anchor {NS} distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" '
        'behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="page"><wp:posOffset>3810000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="page"><wp:posOffset>8890000</wp:posOffset></wp:positionV>'
        '<wp:extent cx="1524000" cy="1524000"/><wp:wrapNone/><wp:docPr id="9" name="印章" descr="电子印章"/>'
        "</wp:anchor>"
    )
    anchor.append(graphic)
    drawing.remove(second)
    drawing.append(anchor)
    doc = _read(d)
    assert len(doc.images) == 2
    first, floating = doc.images
    assert first.kind == "inline" and first.bbox is None and first.description == "单位公章"
    assert first.load_bytes() == png and (first.width, first.height) == (40, 30)
    assert first.paragraph > doc.blocks[0].paragraph
    assert floating.kind == "anchored" and floating.description == "电子印章"
    assert floating.bbox == pytest.approx((300.0, 700.0, 420.0, 820.0))
    assert floating.load().getpixel((5, 5)) == (0, 0, 255)


# -- comments, revisions ----------------------------------------------------------------------
def test_comments_with_author_initials_date_and_anchor_range():
    d = docx.Document()
    d.add_paragraph("第一段。")
    p = d.add_paragraph("请办公室核实")
    p.add_run("该项数据")
    d.add_comment(p.runs[1], text="数据有误，需要和财政局再核对", author="王五", initials="WW")
    d.add_paragraph("第三段。")
    doc = _read(d)
    comments = _blocks(doc, BlockKind.COMMENT)
    assert len(comments) == 1
    c = comments[0]
    assert c.text == "数据有误，需要和财政局再核对" and c.author == "王五" and c.date
    info = dict(part.split("=", 1) for part in c.source.split(";")[1:])
    assert info["initials"] == "WW"
    assert int(info["paragraph"]) == p_id(doc, "请办公室核实")
    start, end = (int(v) for v in info["range"].split("-"))
    assert doc.text[start:end] == "该项数据"
    assert c.start > max(b.end for b in _blocks(doc, BlockKind.BODY))  # comments after the body


def p_id(doc: Document, prefix: str) -> int:
    return next(b.paragraph for b in doc.blocks if b.text.startswith(prefix))


def test_tracked_insertions_deletions_and_moves():
    d = docx.Document()
    _raw_paragraph(
        d,
        "<w:r><w:t>本通知自</w:t></w:r>"
        '<w:del w:id="1" w:author="张三" w:date="2024-03-01T10:00:00Z"><w:r><w:delText>2023年</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="李四" w:date="2024-03-02T11:00:00Z"><w:r><w:t>2024年</w:t></w:r></w:ins>'
        "<w:r><w:t>起施行。</w:t></w:r>",
    )
    _raw_paragraph(
        d,
        '<w:moveFrom w:id="3" w:author="张三" w:date="2024-03-03T09:00:00Z"><w:r><w:t>移走的句子</w:t></w:r>'
        "</w:moveFrom>",
    )
    doc = _read(d)
    dels = _blocks(doc, BlockKind.REVISION_DELETE)
    ins = _blocks(doc, BlockKind.REVISION_INSERT)
    assert [(b.text, b.author, b.date) for b in dels] == [
        ("2023年", "张三", "2024-03-01T10:00:00Z"),
        ("移走的句子", "张三", "2024-03-03T09:00:00Z"),
    ]
    assert dels[1].source == "w:moveFrom"
    assert [(b.text, b.author) for b in ins] == [("2024年", "李四")]
    assert len({b.paragraph for b in doc.blocks[:4]}) == 1  # one paragraph, four blocks
    assert doc.text.startswith("本通知自\n2023年\n2024年\n起施行。")


# -- metadata, page, package extras --------------------------------------------------------------
def test_core_app_and_custom_properties():
    d = docx.Document()
    d.add_paragraph("正文")
    cp = d.core_properties
    cp.author, cp.last_modified_by, cp.title = "赵六", "孙七", "关于某事项的请示"
    cp.subject, cp.keywords, cp.comments, cp.category = "主题", "防汛;值班", "内部讨论稿", "请示"
    data = _bytes(d)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        app = zf.read("docProps/app.xml").replace(
            b"<Company/>", "<Company>某某市应急管理局</Company>".encode()
        )
    custom = (
        '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
        'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        '2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="审核人">'
        "<vt:lpwstr>周八</vt:lpwstr></property></Properties>"
    ).encode()
    doc = _read(_rewrite(data, {"docProps/app.xml": app, "docProps/custom.xml": custom}))
    m = doc.metadata
    assert (m["author"], m["last_modified_by"], m["title"], m["company"]) == (
        "赵六",
        "孙七",
        "关于某事项的请示",
        "某某市应急管理局",
    )
    assert (m["subject"], m["keywords"], m["comments"], m["category"]) == (
        "主题",
        "防汛;值班",
        "内部讨论稿",
        "请示",
    )
    assert m["custom:审核人"] == "周八"
    meta_blocks = {b.field_name: b for b in _blocks(doc, BlockKind.METADATA)}
    assert meta_blocks["author"].text == "赵六" and meta_blocks["author"].page == 0
    assert meta_blocks["company"].text == "某某市应急管理局"
    assert "created" in m and "created" not in meta_blocks


def test_page_size_and_margins_from_first_section():
    d = docx.Document()
    s = d.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    d.add_paragraph("正文")
    doc = _read(d)
    page = doc.pages[0]
    assert page.unit == "pt" and len(doc.pages) == 1
    assert page.width == pytest.approx(595.3, abs=0.2) and page.height == pytest.approx(841.9, abs=0.2)
    assert page.margins == pytest.approx((79.4, 104.9, 73.7, 99.2), abs=0.2)


def test_docm_with_macros_and_embedded_object_still_extracted():
    d = docx.Document()
    d.add_paragraph("宏文档正文")
    data = _bytes(d)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        ct = zf.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml",
        )
    data = _rewrite(
        data,
        {
            "[Content_Types].xml": ct,
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0fake",
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0ole",
        },
    )
    doc = extract(data, "宏.docm", ScanConfig())
    assert doc.format == "docx" and "宏文档正文" in doc.text
    assert doc.scripts == ["[VBA] word/vbaProject.bin"]
    assert doc.embedded_files == ["word/embeddings/oleObject1.bin"]


def test_footnotes_are_read_after_body():
    d = docx.Document()
    d.add_paragraph("正文带脚注")
    data = _bytes(d)
    notes = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>脚注内容</w:t></w:r></w:p></w:footnote></w:footnotes>'
    ).encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = zf.read("word/_rels/document.xml.rels").replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
        )
    doc = _read(_rewrite(data, {"word/footnotes.xml": notes, "word/_rels/document.xml.rels": rels}))
    note = next(b for b in doc.blocks if b.text == "脚注内容")
    assert note.kind == BlockKind.BODY and note.source == "w:footnote"


# -- bad input --------------------------------------------------------------------------------
def test_corrupt_zip_and_missing_document_xml():
    good = _bytes(docx.Document())
    with pytest.raises(CorruptFile):
        extract_docx(good[: len(good) // 2], "x.docx", ScanConfig())
    with pytest.raises(CorruptFile):
        extract_docx(_rewrite(good, {"word/document.xml": None}), "x.docx", ScanConfig())
    with pytest.raises(CorruptFile):
        extract_docx(_rewrite(good, {"word/document.xml": b"<w:document><w:body>"}), "x.docx", ScanConfig())


def test_xml_entity_bomb_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = _rewrite(_bytes(docx.Document()), {"word/document.xml": bomb})
    with pytest.raises(DecompressionBomb):
        extract_docx(data, "bomb.docx", ScanConfig())


def test_dispatch_through_extract_sniffs_docx_regardless_of_name():
    d = docx.Document()
    d.add_paragraph("按内容识别格式")
    doc = extract(_bytes(d), "misnamed.pdf", ScanConfig())
    assert doc.format == "docx" and doc.text.startswith("按内容识别格式")
