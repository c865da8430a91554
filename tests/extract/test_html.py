"""HTML site pages: structure, tables with header field names, hidden text, comments, links."""

from __future__ import annotations

import base64

import pytest
from factories import make_id_number

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document
from pubguard.extract import extract
from pubguard.extract.html import collapse, extract_html, parse_color

ID_A = make_id_number("110101", "19630512", "023")
ID_B = make_id_number("110105", "19580217", "046")
ID_C = make_id_number("110108", "19711103", "101")

NOTICE = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于2024年第三季度城乡居民最低生活保障
补贴发放名单的公示</title>
<meta name="description" content="县民政局公示2024年第三季度低保补贴发放名单">
<meta name="keywords" content="低保,补贴,公示">
<meta name="author" content="县民政局 刘晓明">
<meta name="ArticleTitle" content="补贴发放名单公示">
<style type="text/css">
  .hide {{ display: none }}
  #note {{ color: #FFFFFF }}
  .content .draft {{ visibility: hidden }}
  .banner {{ color: #fff; background-color: #c00000 }}
  @media print {{ .noprint {{ display: none }} }}
</style>
<script type="text/javascript">var _hmt = _hmt || []; // 统计代码</script>
</head>
<body>
<!--[if lt IE 9]><p>请升级您的浏览器</p><![endif]-->
<div class="banner">XX县人民政府门户网站</div>
<div class="content">
<h1 align="center">关于2024年第三季度城乡居民最低生活保障
补贴发放名单的公示</h1>
<p>根据《城乡居民最低生活保障办法》有关规定，经个人申请、村（居）委会评议、乡镇审核、县民政局
审批，现将2024年第三季度低保补贴发放名单公示如下：</p>
<table border="1" cellspacing="0">
  <tr><th>序号</th><th>姓名</th><th>身份证号</th><th>金额（元）</th></tr>
  <tr><td>1</td><td>张建国</td><td>{ID_A}</td><td>1,260.00</td></tr>
  <tr><td>2</td><td>李秀兰</td><td>{ID_B}</td><td>980.50</td></tr>
</table>
<div class="hide">内部掌握：名单尚未经分管领导审定</div>
<p id="note">此件不公开</p>
<p class="draft">征求意见稿</p>
<p class="noprint">打印时不显示的导航文字</p>
<p aria-hidden="true">无障碍隐藏的装饰文字</p>
<!-- <tr><td>3</td><td>王五</td><td>{ID_C}</td><td>700.00</td></tr> -->
<!-- 待分管领导审定后再发布 -->
<p>附件：<a href="/attach/2024/dibao_q3.xlsx">2024年第三季度低保名单</a>
<a href="download.jsp?fileid=8831" title="下载">低保政策解读.pdf</a>
<a href="https://www.gov.cn/zhengce/">中国政府网政策</a>
<a href="javascript:void(0)">打印本页</a>
<a href="https://www.gov.et/">埃塞俄比亚政府网</a>
<a href="/servlet/Download?file=%E6%8A%A5%E5%90%8D%E8%A1%A8.docx&amp;t=1">报名表</a></p>
<p>公示期为7天，第<span style="font-size:0">零</span>三季度<span style="display:none">草稿</span>。<br>
监督电话：<img src="tel.png" alt="监督电话图片" width="120" height="20">0371-12345678</p>
<noscript>您的浏览器不支持脚本</noscript>
</div>
</body>
</html>
"""

URL = "http://www.example.gov.cn/col/col123/art/2024/art_456.html"


class _Quiet(Document):
    """The page's Document with a short repr: a failing test must not print the roster."""

    def __repr__(self) -> str:
        return f"<Document {self.name} ({len(self.blocks)} blocks)>"


@pytest.fixture(scope="module")
def notice() -> Document:
    doc = extract_html(NOTICE.encode("gb18030"), URL, ScanConfig())
    doc.__class__ = _Quiet
    return doc


def _same(a: str, b: str) -> bool:
    """Compare without letting pytest print personal data on failure."""
    return a == b


def _has(doc: Document, text: str) -> bool:
    return text in doc.text


def _block(doc: Document, text: str, kind: BlockKind | None = None):
    found = [b for b in doc.blocks if b.text == text and (kind is None or b.kind == kind)]
    assert found, f"no block {text!r}"
    return found[0]


def test_decoding_and_offsets(notice: Document) -> None:
    assert notice.metadata["encoding"] == "gb18030"  # declared gb2312, decoded with the superset
    assert notice.format == "html"
    assert len(notice.pages) == 1 and notice.pages[0].unit == "px"
    offsets_ok = all(notice.text[b.start : b.end] == b.text for b in notice.blocks)
    assert offsets_ok


def test_metadata_blocks(notice: Document) -> None:
    title = "关于2024年第三季度城乡居民最低生活保障补贴发放名单的公示"
    assert notice.metadata["title"] == title
    assert notice.metadata["author"] == "县民政局 刘晓明"
    assert notice.metadata["keywords"] == "低保,补贴,公示"
    assert notice.metadata["articletitle"] == "补贴发放名单公示"
    meta = {b.field_name: b for b in notice.blocks if b.kind == BlockKind.METADATA}
    assert set(meta) >= {"title", "description", "keywords", "author"}
    assert meta["title"].text == title and meta["title"].page == 0


def test_no_spaces_between_cjk_from_source_line_breaks(notice: Document) -> None:
    heading = _block(notice, "关于2024年第三季度城乡居民最低生活保障补贴发放名单的公示", BlockKind.BODY)
    assert heading.bold and heading.alignment == "center"
    assert _has(notice, "县民政局审批，现将")
    assert not _has(notice, "保障 补贴") and not _has(notice, "保障\n补贴")


def test_table_cells_with_header_field_names(notice: Document) -> None:
    cells = [b for b in notice.blocks if b.kind == BlockKind.TABLE_CELL]
    assert [c.text for c in cells[:4]] == ["序号", "姓名", "身份证号", "金额（元）"]
    assert all(c.field_name is None and c.row == 0 for c in cells[:4])
    id_cells = [c for c in cells if c.field_name == "身份证号"]
    assert len(id_cells) == 2
    ids_kept = _same(id_cells[0].text, ID_A) and _same(id_cells[1].text, ID_B)
    assert ids_kept
    assert [(c.table, c.row, c.col) for c in id_cells] == [(0, 1, 2), (0, 2, 2)]
    name = _block(notice, "李秀兰")
    assert (name.field_name, name.row, name.col) == ("姓名", 2, 1)
    assert _block(notice, "980.50").field_name == "金额（元）"
    # each cell its own line in doc.text
    assert _has(notice, "\n张建国\n")
    assert len({c.paragraph for c in cells}) == len(cells)


def test_hidden_text_is_kept_and_flagged(notice: Document) -> None:
    assert _block(notice, "内部掌握：名单尚未经分管领导审定").source == "html:display:none"
    white = _block(notice, "此件不公开")
    assert white.hidden and white.source == "html:white_text" and white.color == (255, 255, 255)
    assert _block(notice, "征求意见稿").source == "html:visibility:hidden"  # descendant selector
    zero = _block(notice, "零")
    assert zero.hidden and zero.source == "html:font-size:0"
    draft = _block(notice, "草稿")
    assert draft.hidden and draft.source == "html:display:none"
    # hidden pieces stay in their paragraph: offsets read like the source
    assert _has(notice, "第零三季度草稿。")
    assert zero.paragraph == draft.paragraph == _block(notice, "三季度").paragraph


def test_visible_text_is_not_flagged(notice: Document) -> None:
    for text in ("XX县人民政府门户网站", "打印时不显示的导航文字", "无障碍隐藏的装饰文字", "三季度"):
        block = _block(notice, text)
        assert not block.hidden, text  # white on red banner, print-only rule, aria-hidden
    hidden = {b.text for b in notice.blocks if b.hidden}
    assert hidden == {"内部掌握：名单尚未经分管领导审定", "此件不公开", "征求意见稿", "零", "草稿"}


def test_comments(notice: Document) -> None:
    comments = [b for b in notice.blocks if b.kind == BlockKind.COMMENT]
    texts = [c.text for c in comments]
    assert "待分管领导审定后再发布" in texts
    assert not any("浏览器" in t for t in texts)  # conditional comment skipped
    # the commented-out table row is reduced to its cell texts, one line per cell
    start = texts.index("王五")
    assert texts[start - 1] == "3" and texts[start + 2] == "700.00"
    has_id = _same(texts[start + 1], ID_C)
    assert has_id
    assert not any("<td" in t for t in texts)
    assert all(c.source == "html:comment" for c in comments)


def test_links_and_attachments(notice: Document) -> None:
    links = {link.text: link for link in notice.links}
    xlsx = links["2024年第三季度低保名单"]
    assert xlsx.url == "http://www.example.gov.cn/attach/2024/dibao_q3.xlsx" and xlsx.is_attachment
    pdf = links["低保政策解读.pdf"]  # attachment recognised from the link text
    assert pdf.url == "http://www.example.gov.cn/col/col123/art/2024/download.jsp?fileid=8831"
    assert pdf.is_attachment
    assert not links["中国政府网政策"].is_attachment
    assert not links["埃塞俄比亚政府网"].is_attachment  # ".et" in the host is not a WPS sheet
    assert links["报名表"].is_attachment  # ?file=....docx
    assert "打印本页" not in links  # javascript: pseudo-links are not links


def test_alt_and_title_text_and_images(notice: Document) -> None:
    alt = _block(notice, "监督电话图片", BlockKind.ALT_TEXT)
    assert alt.field_name == "alt"
    title = _block(notice, "下载", BlockKind.ALT_TEXT)
    assert title.field_name == "title"
    (img,) = notice.images
    assert img.description == "监督电话图片" and (img.width, img.height) == (120, 20)
    assert img.name == "http://www.example.gov.cn/col/col123/art/2024/tel.png"
    phone_par = _block(notice, "监督电话：0371-12345678").paragraph
    assert img.paragraph == phone_par


def test_br_starts_a_new_paragraph(notice: Document) -> None:
    first = _block(notice, "公示期为7天，第")
    second = _block(notice, "监督电话：0371-12345678")
    assert second.paragraph > first.paragraph
    assert _has(notice, "。\n监督电话")


def test_script_style_noscript_are_not_text(notice: Document) -> None:
    assert not _has(notice, "_hmt") and not _has(notice, "display")
    assert not _has(notice, "您的浏览器不支持脚本")
    assert any("_hmt" in s for s in notice.scripts)


def test_raw_href_without_base_and_base_element() -> None:
    page = '<html><body><p><a href="files/名单.xls">名单</a></p></body></html>'
    doc = extract_html(page.encode(), "page.html", ScanConfig())
    assert doc.links[0].url == "files/名单.xls" and doc.links[0].is_attachment
    based = page.replace("<body>", '<body><base href="https://www.example.gov.cn/zwgk/">')
    doc = extract_html(based.encode(), "page.html", ScanConfig())
    assert doc.links[0].url == "https://www.example.gov.cn/zwgk/files/名单.xls"


def test_colours_and_inline_styles() -> None:
    page = """<html><body>
    <p><font color="#ffffff">白色字体标签</font></p>
    <div style="background:#1f4e78"><span style="color:white">深色底白字</span></div>
    <table bgcolor="#ffff00"><tr><td><font color="yellow">黄底黄字</font></td></tr></table>
    <p style="color: rgba(0,0,0,0)">透明文字</p>
    <p style="opacity:0">透明度为零</p>
    <p style="position:absolute;left:-9999px">移出屏幕</p>
    <p hidden>隐藏属性</p>
    <p style="color:#c00000;font-size:16px;font-weight:bold">红色标题</p>
    </body></html>"""
    doc = extract_html(page.encode(), "p.html", ScanConfig())
    sources = {b.text: b.source for b in doc.blocks}
    assert sources["白色字体标签"] == "html:white_text"
    assert sources["深色底白字"] is None
    assert sources["黄底黄字"] == "html:same_as_background"
    assert sources["透明文字"] == "html:transparent_text"
    assert sources["透明度为零"] == "html:opacity:0"
    assert sources["移出屏幕"] == "html:offscreen"
    assert sources["隐藏属性"] == "html:hidden_attr"
    red = next(b for b in doc.blocks if b.text == "红色标题")
    assert red.is_red and red.bold and red.font_size == 12.0 and not red.hidden


def test_rowspan_colspan_and_first_row_header_without_th() -> None:
    page = """<table>
    <tr><td>乡镇</td><td>姓名</td><td>金额</td></tr>
    <tr><td rowspan="2">城关镇</td><td>赵一</td><td>300</td></tr>
    <tr><td>钱二</td><td>450</td></tr>
    <tr><td colspan="2">合计</td><td>750</td></tr>
    </table>"""
    doc = extract_html(f"<html><body>{page}</body></html>".encode(), "t.html", ScanConfig())
    pos = {b.text: (b.row, b.col, b.field_name) for b in doc.blocks if b.kind == BlockKind.TABLE_CELL}
    assert pos["乡镇"] == (0, 0, None)
    assert pos["钱二"] == (2, 1, "姓名")  # shifted right by the rowspan above
    assert pos["450"] == (2, 2, "金额")
    assert pos["750"] == (3, 2, "金额")  # after a colspan=2 cell


def test_key_value_rows_use_the_row_header() -> None:
    page = "<table><tr><th>姓名</th><td>孙三</td></tr><tr><th>联系电话</th><td>13800001111</td></tr></table>"
    doc = extract_html(f"<html><body>{page}</body></html>".encode(), "t.html", ScanConfig())
    phone = next(b for b in doc.blocks if b.text == "13800001111")
    assert phone.field_name == "联系电话" and phone.kind == BlockKind.TABLE_CELL


def test_numeric_first_row_is_not_a_header() -> None:
    page = "<table><tr><td>1</td><td>周四</td></tr><tr><td>2</td><td>吴五</td></tr></table>"
    doc = extract_html(f"<html><body>{page}</body></html>".encode(), "t.html", ScanConfig())
    assert all(b.field_name is None for b in doc.blocks if b.kind == BlockKind.TABLE_CELL)


def test_malformed_html_never_raises() -> None:
    broken = "<html><body><div><p>未闭合<table><tr><td>单元格<b>粗体</i></span></div></p><!-- 未闭合注释"
    doc = extract_html(broken.encode(), "bad.html", ScanConfig())
    assert "单元格粗体" in doc.text
    deep = "<div>" * 5000 + "深层嵌套" + "</div>" * 10
    doc = extract_html(deep.encode(), "deep.html", ScanConfig())
    assert "深层嵌套" in doc.text


def test_utf8_page_with_stale_gb2312_meta() -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>网站迁移后的页面</p></body></html>'
    doc = extract_html(page.encode("utf-8"), "p.html", ScanConfig())
    assert doc.metadata["encoding"] == "utf-8" and "网站迁移后的页面" in doc.text


def test_pre_keeps_lines_and_spaces() -> None:
    page = "<html><body><pre>编号  姓名\n001   陈六</pre></body></html>"
    doc = extract_html(page.encode(), "p.html", ScanConfig())
    lines = [b.text for b in doc.blocks]
    assert lines == ["编号\u00a0\u00a0姓名", "001\u00a0\u00a0\u00a0陈六"]


def test_data_uri_image_loads() -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4b90000000049454e44ae426082"
    )
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    doc = extract_html(f'<html><body><p><img src="{src}"></p></body></html>'.encode(), "p.html", ScanConfig())
    assert doc.images[0].load_bytes() == png
    assert doc.images[0].load().size == (1, 1)


def test_collapse_and_colour_helpers() -> None:
    assert collapse("  公\n  示 \t名单\n ") == "公示 名单"
    assert collapse("Notice\n of the\tcounty") == "Notice of the county"
    assert collapse("共\n100人") == "共100人"
    assert parse_color("#FFF") == (255, 255, 255)
    assert parse_color("rgb(255, 0, 0)") == (255, 0, 0)
    assert parse_color("#00000000") == "transparent"
    assert parse_color("inherit") is None


def test_dispatch_through_extract_sniffs_html_fragment_by_extension() -> None:
    fragment = "<p>关于开展安全生产检查的通知</p>\n<p>各乡镇人民政府：</p>"
    doc = extract(fragment.encode(), "content.htm")
    assert doc.format == "html"
    assert doc.text == "关于开展安全生产检查的通知\n各乡镇人民政府："


# -- computed style: the cascade of <style> sheets (tinycss2 + lexbor selectors) ---------------


def _page(style: str, body: str) -> Document:
    html = f"<html><head><style>{style}</style></head><body>{body}</body></html>"
    return extract_html(html.encode(), "p.html", ScanConfig())


def test_important_in_a_sheet_beats_a_more_specific_rule_and_inline_style() -> None:
    doc = _page(
        ".a{display:none !important} #x{display:block}",
        '<p class="a" id="x">内部联系人名单另附</p><p class="a" style="display:block">第二段隐藏说明</p>'
        '<p id="x2">正文第三段照常显示</p>',
    )
    assert _block(doc, "内部联系人名单另附").hidden
    assert _block(doc, "第二段隐藏说明").hidden
    assert not _block(doc, "正文第三段照常显示").hidden


def test_specificity_and_source_order() -> None:
    doc = _page(
        "#notice p{display:block} .tip{display:none} div .tip{display:block} p.old{display:none}"
        " p.old{display:block}",
        '<div id="notice"><p class="tip">温馨提示：请携带身份证原件</p></div>'
        '<p class="tip">隐藏的提示文字</p><p class="old">后写的规则生效</p>',
    )
    assert not _block(doc, "温馨提示：请携带身份证原件").hidden  # #notice p (1,0,1) > .tip
    assert _block(doc, "隐藏的提示文字").hidden
    assert not _block(doc, "后写的规则生效").hidden


def test_inline_important_wins_and_inline_beats_sheet_normal() -> None:
    doc = _page(
        ".c{display:none !important} .d{display:none}",
        '<p class="c" style="display:block !important">行内重要声明优先</p>'
        '<p class="d" style="display:block">行内样式优先于样式表</p>',
    )
    assert not _block(doc, "行内重要声明优先").hidden
    assert not _block(doc, "行内样式优先于样式表").hidden


def test_colour_and_visibility_are_inherited_from_class_rules() -> None:
    doc = _page(
        ".hd{color:#d40000} .box{visibility:hidden} .box .again{visibility:visible}",
        '<div class="hd"><span>某某县人民政府</span></div><div class="box"><span>看不见的备注</span>'
        '<span class="again">重新可见的文字</span></div>',
    )
    assert _block(doc, "某某县人民政府").color == (212, 0, 0)
    assert _block(doc, "看不见的备注").hidden
    assert not _block(doc, "重新可见的文字").hidden


def test_hover_and_print_rules_do_not_hide_text() -> None:
    doc = _page(
        "a:hover{display:none} p::before{display:none} @media print{.nav{display:none}}",
        '<p class="nav">栏目导航文字</p><p><a href="/x">链接文字</a></p>',
    )
    assert not _block(doc, "栏目导航文字").hidden and not _block(doc, "链接文字").hidden


def test_red_rules_from_classes_become_border_drawings() -> None:
    doc = _page(
        ".line{border-bottom:2px solid #e60012} .box{border:1px solid red}"
        " .grey{border-bottom:1px solid #ccc} hr.red{border:0;border-top:2px solid rgb(230, 0, 18)}"
        " .gone{border-bottom:none}",
        '<div class="line">某政办发〔2024〕3号</div><div class="box">带边框的提示框</div>'
        '<div class="grey">灰色分隔</div><hr class="red"><p>正文</p><div class="gone">无边框</div>',
    )
    rules = [d for d in doc.drawings if d.kind == "border"]
    assert [d.source for d in rules] == ["html:div", "html:hr"]
    assert rules[0].paragraph == _block(doc, "某政办发〔2024〕3号").paragraph
    assert rules[1].paragraph == _block(doc, "正文").paragraph
