"""How much hidden HTML text and HTML comments say: draft wording, contact data, sentences, copies
of the visible page."""

from __future__ import annotations

import re

from pubguard import lexicon
from pubguard.detectors.hidden_content._masker import DIGITS_RE, EMAIL_RE, ID_RE, MOBILE_RE, RE_BANK_CARD
from pubguard.detectors.hidden_content._shared import HAN, _dup_key
from pubguard.finding import Severity

# -- HTML comments ----------------------------------------------------------------------------
HTML_LAYOUT_WORDS = (
    "头部", "尾部", "底部", "顶部", "页头", "页脚", "页眉", "导航", "开始", "结束", "左侧", "右侧", "左边", "右边",
    "栏目", "内容", "正文", "版权", "列表", "分页", "搜索", "菜单", "图片", "轮播", "链接", "友情", "样式", "脚本",
    "统计", "代码", "模块", "区域", "主体", "侧边", "浮动", "弹窗", "登录", "新闻", "通知", "公告", "当前位置",
    "位置", "标题", "日期", "更多", "首页", "二维码", "无障碍", "适老化", "分享", "打印", "关闭", "窗口", "信息",
)  # fmt: skip
SENSITIVE_HINTS = (
    "内部", "保密", "秘密", "注意保存", "注意保管", "审核", "审定", "草稿", "初稿", "定稿", "不公开", "不予公开",
    "暂不", "批示", "电话", "身份证", "联系人", "待定", "待核", "核实", "敏感",
)  # fmt: skip
# Words that are draft traces in prose but a developer's change note next to code
# ("20180408修改js", "修改公共部分需要重新构建所有页面"): they count only outside technical comments.
WEAK_HINTS = ("修改", "删除", "todo", "fixme")
# Labels that name a value, not UI furniture: 手机号/手机： is a contact, 手机版/手机导航/手机APP are
# page parts; 密码：/账号： give a credential, 用户名密码登录/忘记密码 are a login form.
LABEL_HINTS = re.compile(
    r"手机(?:号|[:：])|(?:密码|账号|帐号|口令)\s*(?:[:：=]|是|为)|password\s*[:=]", re.IGNORECASE
)
# Comments about how the page is built (code markers, components, plugins, tracking): a developer's
# note next to the code, not content of the page.
TECH_WORDS = (
    "插件", "组件", "控件", "浏览器", "校验", "兼容", "适配", "构建", "加载", "调用", "引用", "引入",
    "跳转", "采集", "日志", "埋点", "标识", "模板", "样式", "脚本", "代码", "竖屏", "横屏", "域名", "用户行为",
    "页面", "网页", "点击量", "访问量", "字段", "采编", "嵌入", "维护", "显示", "链接",
)  # fmt: skip
# Notes on how browsers and devices treat the page (the <meta> viewport / format-detection tags,
# iPhone private tags, IE document modes): "禁止数字自动识别为电话号码" names what a browser detects,
# it gives no number. In such a note those words do not count; a value (a mobile, an ID, an address,
# a credential) still does, and so does draft wording.
BROWSER_NOTE_RE = lexicon.pattern("context", "browser_note")
BROWSER_DETECTS_RE = lexicon.pattern("context", "browser_detected_words")
# Hidden notices a page's scripts show when needed (an old browser, leaving the site).
# A QR-code prompt ("扫描二维码，体验响应式网站") is a popup shown on hover.
HIDDEN_NOTICE_WORDS = ("浏览器", "插件", "即将离开", "跳转", "链接", "登录", "注册", "二维码")
# An organisation's line for help ("请致电0591-62623959", 咨询电话 ...): public, not a person's.
SERVICE_CALL_WORDS = (*lexicon.words("context", "official_phone_words"), "致电", "拨打")
# A comment about where its code goes ("这部分内容一定要放在网站最底部"): a developer's note.
CODE_PLACEMENT_WORDS = ("这部分", "此部分", "该部分", "放在", "放到", "放前面", "放后面")
# 保密 in the name of an organ or a field of work (国家保密局, 保密办, 保密工作) is no mark.
SECRECY_ORGAN_RE = re.compile(r"保密(?:局|办公室|办|委员会|委|工作|技术|法|协会|管理|宣传|教育|知识)")
TECH_TOKEN_RE = re.compile(
    r"(?<![A-Za-z])(?:start|end|begin|beg|js|css|html5?|div|nav|wap|label\w*|include|ie\d*|jquery|"
    r"release|plugin|widget|header|footer|banner|api|sdk)(?![A-Za-z])"
    r"|(?:^|\s)[.#][A-Za-z][\w-]+|\bv\d+(?:\.\d+)+|[A-Za-z]+_[A-Za-z0-9_]+|\{\*|\*\}",
    re.IGNORECASE,
)
# A sentence: what a note or commented-out paragraph has, a label or a title has not.
SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?]")
# Dates and times (2024-07-02 08:16, 20240408, 20240728090500095 stamps) are not contact numbers.
DATE_PREFIX_RE = re.compile(r"^(?:19|20)[0-9]{2}[-/.]?(?:0[1-9]|1[0-2])[-/.]?(?:0[1-9]|[12][0-9]|3[01])")
# A number right after a contact word (within a few characters on the same line).
CONTACT_WORDS = (
    *lexicon.words("context", "mobile_words"),
    *lexicon.words("context", "id_words"),
    *lexicon.words("context", "bank_words"),
    "联系",
    "座机",
    "固话",
)
CONDITIONAL_COMMENT = re.compile(r"^\s*\[if\b|<!\[endif\]|^\s*\[endif\]", re.IGNORECASE)


def _contact_number(text: str) -> bool:
    """A number a person can be reached or identified by: a mobile, an ID or bank card number, a
    landline with its area code, or a 7+ digit number right after a contact word. Page furniture
    numbers are not: dates and time stamps, article ids in URLs and element ids, ICP/公网安备 and
    网站标识码 registration numbers (no contact word before them), hashes (digits inside a word)."""
    from pubguard.detectors.personal_data import RE_LANDLINE

    if MOBILE_RE.search(text) or ID_RE.search(text):
        return True
    for m in RE_LANDLINE.finditer(text):
        window = text[max(0, m.start() - 8) : m.start()]
        if not any(w in window for w in SERVICE_CALL_WORDS):
            return True
    for m in DIGITS_RE.finditer(text):
        run = m.group()
        before = text[max(0, m.start() - 1) : m.start()]
        after = text[m.end() : m.end() + 1]
        if (before and (before.isascii() and (before.isalpha() or before in "_./=#%"))) or (
            after and after.isascii() and (after.isalpha() or after == "_")
        ):
            continue  # part of an identifier, a file name or a URL
        if DATE_PREFIX_RE.match(run.replace(" ", "")):
            continue
        digits = sum(ch.isdigit() for ch in run)
        window = text[max(0, m.start() - 8) : m.start()].split("\n")[-1]
        if any(w in window for w in CONTACT_WORDS) or (15 <= digits <= 19 and RE_BANK_CARD.search(run)):
            return True
    return False


def _sensitive(text: str) -> bool:
    """Draft/internal wording, credentials or contact data."""
    return _sensitive_words(text) or _sensitive_value(text)


def _sensitive_words(text: str) -> bool:
    """Draft/internal wording and value labels (内部, 审定, 电话, 手机号：, 密码：)."""
    low = SECRECY_ORGAN_RE.sub("", text.lower())
    return any(h in low for h in SENSITIVE_HINTS) or _label_with_value(text)


def _label_with_value(text: str) -> bool:
    """A value label (手机号：, 密码：) followed by something: a bare label of a hidden form
    ("联系手机：" and nothing after it) gives no value."""
    return any(text[m.end() :].strip("码碼:：=是为 \u3000") for m in LABEL_HINTS.finditer(text))


def _sensitive_value(text: str) -> bool:
    """A value itself: a contact or ID number, an e-mail address."""
    return _contact_number(text) or bool(EMAIL_RE.search(text))


def _browser_note(text: str) -> bool:
    return BROWSER_NOTE_RE.search(text) is not None


# A publishing system's stamp: two or more ASCII `Key=value` pairs
# ("App=融媒体分发系统 3.1.5,CostTime=3,PublishDate=2023-04-07 10:14:14").
KEY_VALUE_STAMP_RE = re.compile(r"(?<![\w=])[A-Za-z]\w*=[^=]*?[,;\s]\s*[A-Za-z]\w*=")


def _technical(text: str) -> bool:
    return (
        any(w in text for w in TECH_WORDS)
        or bool(TECH_TOKEN_RE.search(text))
        or bool(KEY_VALUE_STAMP_RE.search(text))
    )


def shown_elsewhere(text: str, visible: str, share: float = 0.9) -> bool:
    """True when at least `share` of the text's letters/digits/Han occur on the page in runs of at
    least 4 characters (`visible` = the page's visible text and title, keyed by `_dup_key`): a
    hidden copy of the title or article (share buttons, read-aloud plugins, mobile layouts) or a
    commented-out copy of a menu shown elsewhere publishes nothing new. Greedy longest match,
    grown by doubling then bisection (a few substring searches per run)."""
    key = _dup_key(text)
    if len(key) < 4 or not visible:
        return False
    covered = i = 0
    n = len(key)
    while i < n:
        if key[i : i + 4] not in visible:
            i += 1
            continue
        lo, step = i + 4, 4  # key[i:lo] is on the page
        while lo < n and key[i : min(n, lo + step)] in visible:
            lo = min(n, lo + step)
            step *= 2
        hi = min(n, lo + step)  # key[i:hi] is not (or hi == n)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if key[i:mid] in visible:
                lo = mid
            else:
                hi = mid
        if hi == n and key[i:n] in visible:
            lo = n
        covered += lo - i
        i = lo
    return covered >= share * n


def _html_hidden_severity(text: str, visible: str = "") -> Severity | None:
    """Hidden HTML is reported when it carries draft/internal wording or contact data (high) or
    whole sentences (medium); hidden menus, tabs and dropdowns are ordinary page furniture, and a
    hidden copy of what the page shows anyway (title, summary, article) publishes nothing new."""
    sensitive = _sensitive(text)
    if shown_elsewhere(text, visible) and (not sensitive or len(_dup_key(text)) >= 12):
        return None
    technical = _technical(text)
    if sensitive or (not technical and any(h in text.lower() for h in WEAK_HINTS)):
        return Severity.HIGH
    if any(w in text for w in HIDDEN_NOTICE_WORDS):
        return None  # a notice about the browser, the page or a link (shown by scripts when needed)
    han = len(HAN.findall(text))
    if han >= 20 and re.search(r"[，。；！？]", text):
        return Severity.MEDIUM
    return None


def _html_comment_worth(text: str) -> bool:
    return _html_comment_severity(text) is not None


def _html_comment_severity(text: str, visible: str = "") -> Severity | None:
    """Comments that say something. Not: conditional comments, layout markers such as
    <!-- 头部开始 -->, comments without any Han characters or words, commented-out copies of what
    the page shows anyway. High: draft/internal wording, credentials, contact data (and a change
    word such as 修改/删除 in a non-technical comment); in a note about browsers and devices (<meta>
    viewport/format-detection, iPhone tags) the words for what a browser detects (电话号码) are no
    hint, values still are. Low: a label or title without a sentence, or a developer's note about
    the code or the browser. Medium: other sentences."""
    if CONDITIONAL_COMMENT.search(text):
        return None
    browser = _browser_note(text)
    words = BROWSER_DETECTS_RE.sub("", text) if browser else text
    if _sensitive_value(text) or _sensitive_words(words):
        return Severity.HIGH
    if shown_elsewhere(text, visible):
        return None
    technical = browser or _technical(text) or any(w in text for w in CODE_PLACEMENT_WORDS)
    low = text.lower()
    if not technical and any(h in low for h in WEAK_HINTS):
        return Severity.HIGH
    rest = text
    for word in (*HTML_LAYOUT_WORDS, *TECH_WORDS):
        rest = rest.replace(word, "")
    if len(HAN.findall(rest)) < 6:
        return None
    if technical or not SENTENCE_PUNCT.search(text):
        return Severity.LOW
    return Severity.MEDIUM
