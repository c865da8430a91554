"""hidden_content on real-style government pages (look-alikes of the published pages in
realworld/manifest.json, written here: the real pages are not committed).

Real pages carry page furniture that is not concealment: hidden copies of the title and the
article for share buttons and read-aloud plugins, hidden article ids and dates, mobile-layout
footers with ICP numbers, a hidden login form, comments that label components or note how the
page is built, white links on a footer whose background is a picture, the editor named in the
<meta name="author"> field and on the page. Each rule is tested with a leak next to it."""

from __future__ import annotations

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content import HiddenContentDetector, shown_elsewhere
from pubguard.extract.html import extract_html
from pubguard.finding import Finding

ARTICLE = (
    "9月14日，从全市“服务企业活动月”推进会上获悉，为全面落实优化营商环境有关部署，"
    "经市政府研究决定，将每年9月作为全市“服务企业活动月”。"
)


def page(body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>某市开展服务企业活动月系列活动 - 某省人民政府网站</title>
<meta name="ArticleTitle" content="某市开展服务企业活动月系列活动">
<meta name="PubDate" content="2024-09-15 10:10">
<link rel="stylesheet" href="static/css/main.css">{head}</head><body>
<h1>某市开展服务企业活动月系列活动</h1>
<p>发布时间：2024-09-15 来源：某市政务网</p>
<div class="article"><p>{ARTICLE}</p></div>
<p>责任编辑：贺茜</p>
{body}
</body></html>"""


def scan(html: str) -> list[Finding]:
    doc = extract_html(html.encode("utf-8"), "page.html", ScanConfig())
    return list(HiddenContentDetector().detect(doc, ScanContext(config=ScanConfig())))


def medium_up(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule, str(f.severity)) for f in findings if f.severity.rank >= 2)


# -- hidden elements -------------------------------------------------------------------------
FURNITURE = """
<div style="display:none">某市开展服务企业活动月系列活动</div>
<div id="share-summary" style="display:none">9月14日，从全市“服务企业活动月”推进会上获悉，为全面落实...</div>
<div id="NewsArticleID" style="display:none;">18993630</div>
<span style="display:none">2024-07-02 08:16来源：某市新闻网</span>
<div style="display:none">网站标识码：1301000003 冀ICP备20013865号 冀公网安备 13010202001704号</div>
<a style="display:none" href="./t20230608_2213652_app.shtml">./t20230608_2213652_app.shtml</a>
<div style="display:none">手机APP</div><div style="display:none">用户名密码登录</div>
"""


def test_hidden_page_furniture_is_not_reported():
    assert medium_up(scan(page(FURNITURE))) == []


@pytest.mark.parametrize(
    "leak",
    [
        "联系电话：0771-5512345",  # a landline with its area code
        "经办人手机 13907712345",
        "手机号：请向办公室索取",  # a labelled contact, no number yet
        "系统账号：admin 密码：Abc12345",
        "联系人王建国 电话 5512345",  # a 7-digit number after a contact word
        "此稿待修改后再发",  # a change word in a non-technical note
        "内部资料 注意保存",
        # a sentence the page does not show anywhere else
        "经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布，请各单位知悉。",
    ],
)
def test_hidden_leak_next_to_furniture_is_reported(leak):
    found = medium_up(scan(page(FURNITURE + f'<div style="display:none">{leak}</div>')))
    assert [r for r, _ in found] == ["hidden_text"]


def test_hidden_copy_must_really_be_on_the_page():
    visible = "某市开展服务企业活动月系列活动\n9月14日从全市服务企业活动月推进会上获悉"
    assert shown_elsewhere("某市开展服务企业活动月系列活动", visible)
    assert shown_elsewhere("9月14日，从全市“服务企业活动月”推进会上获悉...", visible)
    # the same words in another order with new ones between them: not a copy
    assert not shown_elsewhere("服务企业活动月暂停，某市另行通知各企业", visible)
    assert not shown_elsewhere("某市", visible)  # too short to judge


# -- comments --------------------------------------------------------------------------------
FURNITURE_COMMENTS = """
<!-- 党政机关标识 --><!-- /党政机关标识 --><!-- 专题归档组件 --><!-- 专题归档组件-end -->
<!-- 语音播报插件 Start --><!-- 用来校验该浏览器是否支持HTML5 --><!-- 集约化日志分析采集 -->
<!-- 非本域名链接跳转弹窗 --><!-- 手机导航 --><!-- 手机端 - -->
<!-- StartLabelHtml_linkList_d8009aad94076df97a932821434b02a3 -->
<!-- 194ddb4d1afc42b9929d5379188318ed: 某市开展服务企业活动月系列活动 -->
<!-- <h1>某市开展服务企业活动月系列活动</h1> -->
<!-- 修改公共部分需要重新构建所有页面，所以动态添加头部 -->
<!-- 20180408修改js去掉新华微博 -->
<!-- {*中央部门网站BEG*} --><!-- 各区政府市政府部门各省区市 -->
"""


def test_component_and_developer_comments_are_not_medium():
    found = scan(page(FURNITURE_COMMENTS))
    assert medium_up(found) == []
    low = {f.evidence for f in found if f.rule == "html_comment"}
    # developer notes and labels are still listed, at low
    assert any("构建" in e or "修改公共" in e for e in low)


@pytest.mark.parametrize(
    ("comment", "severity"),
    [
        ("原联系人：陈志强，手机 13907712345", "high"),
        ("此段待修改", "high"),
        ("待分管领导审定后再发布", "high"),
        ("<p>经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布。</p>", "medium"),
    ],
)
def test_comment_leaks_next_to_furniture_are_reported(comment, severity):
    found = medium_up(scan(page(FURNITURE_COMMENTS + f"<!-- {comment} -->")))
    assert found == [("html_comment", severity)]


# -- white text, author ------------------------------------------------------------------------
def test_white_links_on_a_footer_picture_are_not_white_text():
    footer = """<style>.footer-site{color:#fff} .footer-site{background:url(static/images/footerbg.png)}</style>
<div class="footer-site"><a href="/map.shtml">网站地图</a><a href="/lxwm.shtml">联系我们</a>
主办单位：某市人民政府</div>"""
    assert medium_up(scan(page(footer))) == []


def test_white_text_on_the_white_page_is_still_reported():
    leak = '<style>.note{color:#fff}</style><p class="note">内部测试数据，请勿公开</p>'
    assert [r for r, _ in medium_up(scan(page(leak)))] == ["white_text"]


def test_page_author_shown_on_the_page_is_not_metadata_leak():
    assert medium_up(scan(page("", head='<meta name="author" content="贺茜">'))) == []
    hidden_author = medium_up(scan(page("", head='<meta name="author" content="谢沂楠">')))
    assert hidden_author == [("metadata_person", "medium")]


# -- the second set of real pages (measured untouched first, then fixed) ------------------------
def test_page_hidden_until_scripts_reveal_it_is_not_hidden_text():
    # a page component's stylesheet says body{display:none}; the page's script shows it
    reveal = "<style>body{display:none}</style>"
    found = scan(page(reveal + "<p>闭幕式上，产业发展蓝皮书正式发布，全面呈现产业发展现状和未来方向。</p>"))
    assert medium_up(found) == []
    leak = '<div style="display:none">经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布。</div>'
    assert [r for r, _ in medium_up(scan(page(reveal + leak)))] == ["hidden_text"]


def test_print_style_sheet_is_not_screen_concealment():
    nav = '<div class="navInfo">当前位置：首页 > 新闻中心 > 区县动态，欢迎访问本网站，祝您浏览愉快。</div>'
    printed = '<style media="print">.navInfo{display:none}</style>'
    assert medium_up(scan(page(printed + nav))) == []
    for media in ("", ' media="screen"', ' media="all"'):
        hiding = f"<style{media}>.navInfo{{display:none}}</style>"
        assert [r for r, _ in medium_up(scan(page(hiding + nav)))] == ["hidden_text"], media


def test_secrecy_bureau_in_a_hidden_site_list_is_no_mark():
    menu = (
        '<ul style="display:none"><li>国家保密局</li></ul><div style="display:none">国家保密局 保密工作</div>'
    )
    assert medium_up(scan(page(menu))) == []
    assert medium_up(scan(page('<div style="display:none">此件保密，注意保管</div>'))) == [
        ("hidden_text", "high")
    ]


def test_hidden_browser_and_link_notices_are_furniture():
    notices = (
        '<div style="display:none">当前浏览器版本过低，可能会有安全风险且无法正常显示。建议您升级或使用其他浏览器。</div>'
        '<div style="display:none">您访问的链接即将离开“某市人民政府”门户网站，是否继续？</div>'
    )
    assert medium_up(scan(page(notices))) == []


def test_comment_about_where_code_goes_is_low():
    note = "<!-- 无障碍内容，这部分内容一定要放在网站最底部才能将整个网站内容进行无障碍处理 -->"
    found = [f for f in scan(page(note)) if f.rule == "html_comment"]
    assert [str(f.severity) for f in found] == ["low"]
    prose = "<!-- 经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布。 -->"
    assert [str(f.severity) for f in scan(page(prose)) if f.rule == "html_comment"] == ["medium"]


def test_publishing_system_key_value_stamp_is_low():
    stamp = "<!-- App=某某内容发布系统(某某发布系统) 2.4.1,CostTime=5,PublishDate=2024-09-15 10:10:00 -->"
    found = [f for f in scan(page(stamp)) if f.rule == "html_comment"]
    assert [str(f.severity) for f in found] in ([], ["low"])
    # one `=` in a sentence is no stamp: still medium
    prose = "<!-- 经研究，名单中第三名暂缓公示，status=待补齐材料后另行发布，请勿外传前先核对。 -->"
    assert medium_up(scan(page(prose))) == [("html_comment", "medium")]


def test_hidden_login_help_with_the_sites_help_line_is_furniture():
    help_box = (
        '<div style="display:none">用户在首次登录时，需注册账号方可使用。完成账号注册后，按页面提示登录系统即可。</div>'
        '<div style="display:none">若有注册、登录问题，请致电0591-62623959，感谢您的理解与支持。</div>'
    )
    assert medium_up(scan(page(help_box))) == []
    # a person's line, or a mobile even after 请致电, is still contact data
    for leak in ("值班人员王建国家中电话0591-62623959", "如有问题请致电13907712345"):
        found = medium_up(scan(page(f'<div style="display:none">{leak}</div>')))
        assert found == [("hidden_text", "high")], leak


META_NOTES = """
<meta http-equiv=X-UA-Compatible content="IE=edge">
<!--主要是强制让文档的宽度与设备宽度保持1:1，最大宽度1.0，禁止屏幕缩放。-->
<meta content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=no" name=viewport>
<!--这个也是iphone私有标签，允许全屏浏览。-->
<meta content=yes name=apple-mobile-web-app-capable>
<!--禁止数字自动识别为电话号码，这个比较有用，因为一串数字在iphone上会显示成蓝色，样式加成别的颜色也是不生效的。-->
<meta content="telephone=no" name=format-detection>
<!--禁止手机号和邮箱地址自动识别-->
<meta content="email=no" name=format-detection>
"""


def test_developer_notes_on_meta_tags_are_low():
    """Notes next to <meta> viewport / format-detection tags (a real 文明网 page): 电话号码 is what
    the browser is told not to detect, not a number on the page."""
    found = [f for f in scan(page("", head=META_NOTES)) if f.rule == "html_comment"]
    assert medium_up(found) == []
    assert found and all(str(f.severity) == "low" for f in found)


@pytest.mark.parametrize(
    "note",
    [
        # a real leak in a browser note: a name and a mobile
        "<!--禁止数字自动识别为电话，测试时联系王建国13907712345-->",
        "<!--iphone 适配问题请联系李明，邮箱 liming1979@163.com-->",
        # draft wording stays a draft trace, browser words or not
        "<!--iphone 版此栏目暂不公开，待领导审定后再上线-->",
    ],
)
def test_a_leak_in_a_browser_note_stays_high(note: str):
    assert medium_up(scan(page("", head=note))) == [("html_comment", "high")]


def test_telephone_word_outside_a_browser_note_stays_high():
    """Without a browser/device cue, 电话 in a comment is still a contact hint."""
    note = "<!--办公室电话待核实后再补上，先不要显示-->"
    assert medium_up(scan(page("", head=note))) == [("html_comment", "high")]


# -- real site stylesheets (read in folder scans): container rules that hide nothing -----------
def script_shown_page(wrapper_css: str, extra: str = "") -> str:
    """A 四川-style article page: the whole article wrapper is display:none in the site's sheet
    and its scripts show it (`$(".contentwrap").show()`); an elder-mode copy likewise."""
    article = f"<h1>某市开展服务企业活动月系列活动</h1><p>{ARTICLE}</p><p>{ARTICLE}</p><p>{ARTICLE}</p>"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>某市开展服务企业活动月系列活动_某省人民政府网站</title>
<meta name="ArticleTitle" content="某市开展服务企业活动月系列活动">
<style>{wrapper_css}</style></head><body>
<div class="head">某省人民政府网站 首页 政务公开</div>
<div id="contentwrap" class="contentwrap">{article}</div>
<div id="eldercontentwrap" class="contentwrap2">{article}</div>
{extra}
<script>$(".contentwrap").show();</script></body></html>"""


def test_article_wrapper_shown_by_scripts_is_not_hidden_text():
    css = "#contentwrap,#eldercontentwrap{display:none}"
    assert medium_up(scan(script_shown_page(css))) == []


def test_hidden_block_without_the_title_stays_hidden_on_a_script_shown_page():
    css = "#contentwrap,#eldercontentwrap{display:none} .old{display:none}"
    leak = '<div class="old">经研究，拟将王建国同志调整为二级调研员，此件暂不公开，请注意保密。</div>'
    assert ("hidden_text", "high") in medium_up(scan(script_shown_page(css, leak)))


def test_hidden_old_version_next_to_a_visible_article_stays_hidden():
    """The title is visible: a display:none copy with other wording is an old version."""
    old = (
        '<div style="display:none"><h2>某市开展服务企业活动月系列活动</h2>'
        "<p>（初稿）经市政府研究决定，拟将每年9月作为全市服务企业活动月，具体方案待领导审定后印发。"
        "各区县要提前摸排重点企业诉求，形成问题清单，报市发改委汇总，请勿对外公开。</p>"
        + "<p>各有关部门要按照职责分工抓好落实，确保各项措施落地见效，重要情况及时报告。</p>" * 3
        + "</div>"
    )
    assert ("hidden_text", "high") in medium_up(scan(page(old)))


def test_font_size_zero_container_hides_nothing_its_children_resize():
    """body{font-size:0} (the inline-block gap trick) with the article at 16px: readable."""
    css = "<style>body{font-size:0} h1,p,.detail{font-size:16px}</style>"
    shown = scan(
        page(
            '<div class="detail"><p>经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布。</p></div>',
            head=css,
        )
    )
    assert medium_up(shown) == []
    # text the page leaves at size 0 is still unreadable on purpose
    hidden = scan(
        page(
            '<div class="gap"><span>经研究，上述名单中第三名因材料不全暂缓公示，待补齐后另行发布。</span></div>',
            head="<style>.gap{font-size:0}</style>",
        )
    )
    assert medium_up(hidden) == [("hidden_text", "medium")]


def test_hidden_qr_prompt_and_bare_form_labels_are_furniture():
    furniture = (
        '<div style="display:none">扫描二维码,体验响应式网站，随时随地获取某市文化广电旅游体育局最新信息。</div>'
        '<form style="display:none"><p>联系手机：</p><p>验证码：</p></form>'
    )
    assert medium_up(scan(page(furniture))) == []
    # a label with its value is contact data
    leak = '<form style="display:none"><label>联系手机：13907712345</label></form>'
    assert medium_up(scan(page(leak))) == [("hidden_text", "high")]
