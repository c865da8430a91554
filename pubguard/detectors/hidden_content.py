"""隐藏内容检测：批注、修订痕迹、隐藏/白色文字、假涂黑、元数据中的个人姓名、嵌入文件与脚本、网页注释。

What a reader does not see on the page still travels with the file: Word comments and tracked
deletions, w:vanish text, white text, black boxes drawn over text that can still be copied, the
author's name in the properties. The detector works on the `Document` model only, so DOCX, PDF
and HTML are covered by the same rules; what differs per format is read from block kinds,
colours, bboxes and drawings, never by reopening the file.

Precision choices:
- invisible PDF text lying on an image is an OCR text layer (searchable scan), not hidden text;
- HTML hides menus and tabs all the time, so hidden HTML text is reported only when it carries
  draft/internal wording, contact numbers or whole sentences;
- white text counts only when nothing dark lies under it (a black table header with white text
  is ordinary layout), and DOCX "automatic" colour is never white text (Word adapts it);
- a dark box is a fake redaction only when it covers >= 60 % of characters' boxes, is opaque,
  and the text under it is dark too (white-on-black labels are visible).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from pubguard import lexicon
from pubguard.colour import contrast_ratio, indistinguishable
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.document import (
    RGB,
    BBox,
    BlockKind,
    Document,
    Drawing,
    TextBlock,
    is_dark,
    is_white,
)
from pubguard.finding import Category, Finding, Severity
from pubguard.masking import MaskingConfig, mask_email, mask_name, mask_value

# More items than this of one rule are reported as one summary finding, not a flood.
MAX_INDIVIDUAL = 20
PREVIEW_CHARS = 10
# A character counts as covered when this share of its box lies under the dark box.
COVER_SHARE = 0.6

VISIBLE_TEXT_KINDS = frozenset(
    {
        BlockKind.BODY,
        BlockKind.TABLE_CELL,
        BlockKind.HEADER,
        BlockKind.FOOTER,
        BlockKind.TEXT_BOX,
        BlockKind.REVISION_INSERT,
    }
)
HIDDEN_SKIP_KINDS = frozenset(
    {BlockKind.METADATA, BlockKind.COMMENT, BlockKind.ANNOTATION, BlockKind.REVISION_DELETE, BlockKind.OCR}
)

BASIS_DRAFT_TRACES = (
    "网站群管理办法：信息发布实行“先审查、后发布”，发布稿应为定稿，不得带有批注、修订等过程痕迹；"
    "《中华人民共和国政府信息公开条例》第十六条（讨论记录、过程稿等过程性信息可以不予公开）。"
)
BASIS_HIDDEN = (
    "保密规定“涉密不上网、上网不涉密”：隐藏或与底色同色的文字在网页和下载文件中仍可被复制、检索；"
    "《中华人民共和国政府信息公开条例》第十四条、第十五条。"
)
BASIS_REDACTION = (
    "《中华人民共和国个人信息保护法》第五十一条（采取去标识化等安全技术措施）；"
    "《中华人民共和国政府信息公开条例》第十五条（个人隐私不予公开）；遮盖不等于删除，被遮挡文字仍可复制。"
)
BASIS_METADATA = "《中华人民共和国个人信息保护法》第六条（最小必要）；网站群管理办法：发布文件应清除作者等文档属性中的个人信息。"
BASIS_ACTIVE = (
    "网站群管理办法：发布的文件应为普通文档，不得夹带附件以外的嵌入文件或可执行脚本；"
    "保密规定：嵌入对象须与正文一并审查，“上网不涉密”。"
)
BASIS_HTML_COMMENT = (
    "网站群管理办法“先审查、后发布”：网页源代码中的注释随页面公开，任何人可通过“查看源代码”看到；"
    "《中华人民共和国政府信息公开条例》第十五条。"
)

SUGGEST_DRAFT = "在 Word 中“审阅”→接受或拒绝全部修订并删除全部批注（或用“检查文档”清除），另存后重新上传。"
SUGGEST_HIDDEN = "删除隐藏或白色文字（Word：“检查文档”→“隐藏文字”；网页：删除隐藏元素），确认无误后重新上传。"
SUGGEST_REDACTION = (
    "不要用黑框或涂色遮盖：在原文中删除或替换该内容后重新生成 PDF，或用 PDF 工具的“应用密文/编校”真正删除。"
)
SUGGEST_METADATA = "在“文件”→“信息”→“检查文档”中删除文档属性和个人信息，或将作者改为单位名称后重新上传。"
SUGGEST_EMBEDDED = "删除嵌入的对象/附件，确需公开的附件单独审查后作为独立文件发布。"
SUGGEST_SCRIPT = "另存为不含宏/脚本的格式（DOCX 或普通 PDF）后重新上传。"
SUGGEST_HTML_COMMENT = "删除网页源代码中的注释（尤其是草稿说明、联系人、电话等），重新发布页面。"

# -- personal names in metadata -------------------------------------------------------------
SURNAMES = lexicon.chars("names", "surnames")
COMPOUND_SURNAMES = lexicon.words("names", "compound_surnames")
# Values Office, WPS and ghost images write when nobody typed a name.
GENERIC_AUTHORS = {
    "administrator", "admin", "user", "owner", "author", "unknown", "default", "guest", "pc", "test",
    "microsoft", "microsoft office user", "microsoft office 用户", "windows user", "windows 用户",
    "微软用户", "微软中国", "用户", "管理员", "系统管理员", "作者", "未知", "匿名", "匿名用户", "佚名",
    "雨林木风", "番茄花园", "深度", "电脑", "个人用户", "本机", "我", "无", "暂无", "python-docx",
}  # fmt: skip
GENERIC_TOKENS = (
    "用户", "管理", "电脑", "计算机", "系统", "微软", "办公", "文档", "作者", "未知", "匿名", "科室", "单位",
    "部门", "测试", "模板", "公司", "集团", "政府", "中心", "人民", "委员", "工作", "项目", "小组",
)  # fmt: skip
ORGAN_SUFFIXES = (*lexicon.words("organs", "organ_endings"), *lexicon.words("organs", "place_endings"))
LATIN_GENERIC_WORDS = {
    "microsoft", "office", "user", "users", "windows", "admin", "administrator", "owner", "author", "word",
    "pc", "computer", "lenovo", "dell", "hp", "thinkpad", "unknown", "default", "python", "docx", "apache",
    "poi", "adobe", "acrobat", "wps", "kingsoft", "china", "government", "bureau", "department", "company",
    "ltd", "inc", "team", "group", "center", "centre", "library", "reportlab", "generated", "pdf", "the",
}  # fmt: skip
PERSON_FIELDS = ("author", "last_modified_by", "lastmodifiedby", "modified_by", "manager", "creator", "owner")
PERSON_FIELD_LABELS = {
    "author": "作者",
    "last_modified_by": "最后修改者",
    "lastmodifiedby": "最后修改者",
    "modified_by": "修改者",
    "manager": "经理",
    "creator": "创建者",
    "owner": "所有者",
}
CUSTOM_PERSON_HINT = re.compile(r"人|者|author|owner|editor|review|check|by", re.IGNORECASE)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# The label a redaction tool prints on (or under) its box (pubguard/lexicon/redaction.toml).
REDACTION_LABEL = lexicon.pattern("redaction", "redaction_label")
ONLY_HAN_2_4 = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,4}")
# Given Family, the family name possibly with an inner capital (McDaniel, MacLeod, DeWitt).
LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:[ .\-][A-Z][a-z]+(?:[A-Z][a-z]+)?){1,2}")
# "Surname, Given" (how Outlook/Active Directory and many Word installs write authors):
# "Zhang, Wei", "Zhang, Xiao-Ming", "王, 伟", "欧阳，明".
SURNAME_FIRST = re.compile(
    r"(?P<family>[A-Z][a-z]+|[\u3400-\u4dbf\u4e00-\u9fff]{1,2})\s*[,，]\s*"
    r"(?P<given>[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff]{1,2})"
)

# -- masking inside previews ----------------------------------------------------------------
# The personal-data patterns of pubguard/lexicon/personal.toml (one home with personal_data).
ID_RE = lexicon.pattern("personal", "id18")
DIGITS_RE = re.compile(r"(?<![0-9])[0-9](?:[0-9]|[ \-](?=[0-9])){6,}(?![0-9])")
MOBILE_RE = lexicon.pattern("personal", "mobile")
EMAIL_RE = lexicon.pattern("personal", "email")
RE_BANK_CARD = lexicon.pattern("personal", "bank_card")
LABELLED_NAME_RE = re.compile(
    r"(?P<label>联系人|经办人|审核人|负责人|申请人|填报人|起草人|承办人|整理人|姓名|由)[:：\s]*"
    r"(?P<name>[\u4e00-\u9fff]{2,3}?)(?=[，,。；;：:\s（(]|[0-9]|同志|整理|起草|核|$)"
)

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
# Hidden notices a page's scripts show when needed (an old browser, leaving the site).
HIDDEN_NOTICE_WORDS = ("浏览器", "插件", "即将离开", "跳转", "链接", "登录", "注册")
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


def _rgb(color: RGB | None) -> RGB:
    return color if color is not None else (0, 0, 0)


def _hex(c: RGB) -> str:
    return "#" + "".join(f"{v:02X}" for v in c)


def substantive(text: str) -> bool:
    """At least two letters, digits or Han characters (not just spaces, dots, tabs)."""
    return sum(1 for ch in text if ch.isalnum()) >= 2


def mask_personal(text: str, config: MaskingConfig | None = None) -> str:
    """Mask ID numbers, long digit runs (phones, cards), e-mails and labelled names in a snippet."""
    text = ID_RE.sub(lambda m: mask_value(m.group(0), "id_card", config), text)

    def digits(m: re.Match[str]) -> str:
        raw = m.group(0)
        plain = re.sub(r"[ \-]", "", raw)
        if "*" in raw:
            return raw
        kind = "mobile" if MOBILE_RE.fullmatch(plain) else "default"
        return mask_value(raw, kind, config)

    text = DIGITS_RE.sub(digits, text)
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    style = config.name_style if config else "surname"
    text = LABELLED_NAME_RE.sub(lambda m: m.group("label") + mask_name(m.group("name"), style), text)
    # "郭敏明同志意见…": a name before a form of address is a person, whatever the label.
    return ADDRESSED_NAME_RE.sub(lambda m: mask_name(m.group("name"), style) + m.group("title"), text)


ADDRESSED_NAME_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,3})(?P<title>同志|先生|女士|老师)")


def preview(text: str, config: MaskingConfig | None = None, limit: int = PREVIEW_CHARS) -> str:
    """Short masked preview: whitespace collapsed, personal data masked, first `limit` chars + …"""
    flat = re.sub(r"\s+", " ", text).strip()
    masked = mask_personal(flat, config)
    return masked if len(masked) <= limit else masked[:limit] + "…"


def looks_like_person(value: str) -> bool:
    """2–4 Han characters starting with a surname, or a capitalised Latin "Given Family" name,
    also written "Family, Given" ("Zhang, Wei", "王, 伟"); never generic values (Administrator, 微软用户) or organ names (…局, …办公室, …政府)."""
    v = value.strip()
    if not v or v.lower() in GENERIC_AUTHORS:
        return False
    m = SURNAME_FIRST.fullmatch(v)
    if m:  # "Surname, Given": judged as the name it stands for
        family, given = m["family"], m["given"]
        if family.isascii() != given.isascii():
            return False
        return looks_like_person(f"{given} {family}" if family.isascii() else family + given)
    if ONLY_HAN_2_4.fullmatch(v):
        if any(tok in v for tok in GENERIC_TOKENS) or v.endswith(ORGAN_SUFFIXES):
            return False
        if len(v) >= 3 and v[:2] in COMPOUND_SURNAMES:
            return True
        return v[0] in SURNAMES
    if LATIN_NAME.fullmatch(v):
        words = re.split(r"[ .\-]", v.lower())
        return not any(word in LATIN_GENERIC_WORDS for word in words)
    return False


# -- grouping ---------------------------------------------------------------------------------
@dataclass
class Group:
    blocks: list[TextBlock] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts: list[str] = []
        prev: TextBlock | None = None
        for b in self.blocks:
            if prev is not None and (b.paragraph != prev.paragraph or b.paragraph < 0):
                parts.append("\n")
            parts.append(b.text)
            prev = b
        return "".join(parts)

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def end(self) -> int:
        return self.blocks[-1].end

    @property
    def first(self) -> TextBlock:
        return self.blocks[0]


def _comment_key(block: TextBlock) -> tuple:
    if block.source and block.source.startswith("w:comment;"):
        return ("docx", block.source.split(";", 2)[1])
    return ("note", block.page, block.paragraph, block.author)


def _source_info(source: str | None) -> dict[str, str]:
    if not source:
        return {}
    return dict(part.split("=", 1) for part in source.split(";") if "=" in part)


def group_consecutive(
    doc: Document, wanted: Sequence[int], same: Callable[[TextBlock, TextBlock], bool] | None = None
) -> list[Group]:
    """Group block indices that follow each other in `doc.blocks` (optionally also requiring
    `same(prev, block)`)."""
    groups: list[Group] = []
    prev_i = -2
    for i in wanted:
        block = doc.blocks[i]
        if groups and i == prev_i + 1 and (same is None or same(groups[-1].blocks[-1], block)):
            groups[-1].blocks.append(block)
        else:
            groups.append(Group([block]))
        prev_i = i
    return groups


# -- geometry ---------------------------------------------------------------------------------
def _area(b: BBox) -> float:
    return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)


def _intersection(a: BBox, b: BBox) -> float:
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0.0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)


def _contains(b: BBox, x: float, y: float) -> bool:
    return b[0] <= x <= b[2] and b[1] <= y <= b[3]


def _image_boxes(doc: Document) -> dict[int, list[BBox]]:
    """Picture boxes per page (text blocks ask for their own page only)."""
    out: dict[int, list[BBox]] = {}
    for img in doc.images:
        if img.bbox is not None:
            out.setdefault(img.page, []).append(img.bbox)
    return out


class _Item(NamedTuple):
    """What one group's finding says; rule, suggestion, basis and the evidence shape are shared
    by the section (see HiddenContentDetector._per_group)."""

    severity: Severity
    message: str
    label: str  # evidence reads: {label}：“{preview}”
    details: dict | None = None
    rule: str | None = None  # only when it differs from the section's rule


class _FillIndex:
    """Opaque filled drawings that can lie behind text, per page and per horizontal band.

    Asking every block about every drawing was quadratic (a 30-page table PDF: 4,500 blocks x
    4,500 cell rectangles, 0.45 s). A drawing can only cover part of a block if their vertical
    extents overlap, so each drawing is filed under the bands its extent touches; tall ones
    (and odd coordinates) are checked for every block of the page."""

    BAND = 64.0
    MAX_BANDS = 32

    def __init__(self, doc: Document) -> None:
        self.bands: dict[int, dict[int, list[tuple[int, Drawing]]]] = {}
        self.always: dict[int, list[tuple[int, Drawing]]] = {}
        self.fills: dict[int, set[RGB]] = {}  # fill colours filed per page
        for i, d in enumerate(doc.drawings):
            if d.fill is None or d.fill_opacity < 0.5 or d.kind in ("border", "line") or _is_frame(d):
                continue
            self.fills.setdefault(d.page, set()).add(d.fill)
            span = self._band_span(d.bbox[1], d.bbox[3])
            if span is None or span[1] - span[0] > self.MAX_BANDS:
                self.always.setdefault(d.page, []).append((i, d))
                continue
            page = self.bands.setdefault(d.page, {})
            for b in range(span[0], span[1] + 1):
                page.setdefault(b, []).append((i, d))

    def _band_span(self, y0: float, y1: float) -> tuple[int, int] | None:
        lo, hi = min(y0, y1), max(y0, y1)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        return math.floor(lo / self.BAND), math.floor(hi / self.BAND)

    def may_hide(self, page: int, color: RGB) -> bool:
        """Whether `color` is indistinguishable from white or from a fill filed on `page`: the
        only backgrounds `_background` can find for a block without highlight there."""
        return any(indistinguishable(color, bg) for bg in ((255, 255, 255), *self.fills.get(page, ())))

    def candidates(self, page: int, bbox: BBox) -> list[Drawing]:
        """Drawings that may overlap `bbox`, in reverse drawing order (topmost first), the
        order in which the original loop over reversed(doc.drawings) met them."""
        found: dict[int, Drawing] = dict(self.always.get(page, ()))
        bands = self.bands.get(page)
        span = self._band_span(bbox[1], bbox[3])
        if bands and span is not None and span[1] - span[0] <= 4 * self.MAX_BANDS:
            for b in range(span[0], span[1] + 1):
                found.update(bands.get(b, ()))
        elif bands:  # a block of odd size: every drawing of the page
            for items in bands.values():
                found.update(items)
        return [found[i] for i in sorted(found, reverse=True)]


def _char_weight(ch: str) -> float:
    if ch.isspace():
        return 0.3
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def char_boxes(block: TextBlock) -> list[BBox]:
    """Per-character boxes: exact when the extractor gave them, else estimated from the font
    size (full-width Han = 1 em, Latin/digits ≈ 0.55 em) — scaled to the span's width when the
    estimate agrees with it, unscaled when the span box is clipped at the page edge."""
    assert block.bbox is not None
    n = len(block.text)
    if block.char_boxes and len(block.char_boxes) == n:
        return list(block.char_boxes)
    x0, y0, x1, y1 = block.bbox
    weights = [_char_weight(ch) for ch in block.text]
    total = sum(weights) or 1.0
    width = x1 - x0
    unit = width / total
    if block.font_size:
        estimated = total * block.font_size
        if not 0.8 * width <= estimated <= 1.25 * width:
            unit = block.font_size
    boxes: list[BBox] = []
    x = x0
    for w in weights:
        boxes.append((x, y0, x + w * unit, y1))
        x += w * unit
    return boxes


# -- the detector -------------------------------------------------------------------------------
@register
class HiddenContentDetector(Detector):
    name = "hidden_content"
    category = Category.HIDDEN_CONTENT
    rules = {
        "comment": "批注/注释：Word 批注或 PDF 注释随文件公开，常含审稿意见、联系人等过程信息",
        "tracked_change": "修订痕迹：未接受的修订，被删除的文字仍保存在文件中",
        "hidden_text": "隐藏文字：Word 隐藏格式、PDF 不可见文字、网页隐藏元素中的文字",
        "white_text": "白色文字：与背景同色、肉眼看不见但可复制检索的文字",
        "fake_redaction": "假涂黑：用黑框或底纹遮盖的文字仍可复制提取",
        "metadata_person": "文档属性含个人姓名（作者、最后修改者等）",
        "embedded_file": "嵌入文件/对象：文件中夹带的附件或 OLE 对象",
        "javascript": "脚本或宏：PDF JavaScript、Office 宏代码",
        "html_comment": "网页源代码注释中含有说明、联系人等文字",
    }

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        findings: list[Finding] = []
        findings += self.comments(doc, ctx)
        findings += self.revisions(doc, ctx)
        findings += self.hidden_text(doc, ctx)
        findings += self.white_text(doc, ctx)
        findings += self.fake_redactions(doc, ctx)
        findings += self.metadata_people(doc, ctx)
        findings += self.embedded(doc, ctx)
        findings += self.scripts(doc, ctx)
        findings += self.html_comments(doc, ctx)
        return findings

    # -- helpers ----------------------------------------------------------------------------
    def _author(self, author: str | None, ctx: ScanContext) -> str:
        if not author:
            return "未署名"
        if looks_like_person(author):
            return mask_name(author.strip(), ctx.config.masking.name_style)
        return preview(author, ctx.config.masking, 16)

    def _summary(
        self,
        doc: Document,
        ctx: ScanContext,
        groups: list[Group],
        *,
        rule: str,
        severity: Severity,
        message: str,
        suggestion: str,
        basis: str,
    ) -> Finding:
        authors = sorted({self._author(g.first.author, ctx) for g in groups if g.first.author})
        first = groups[0]
        shown = "；".join(preview(g.text, ctx.config.masking) for g in groups[:3])
        evidence = f"共 {len(groups)} 处，例如：{shown}"
        return ctx.finding(
            doc,
            category=self.category,
            rule=rule,
            severity=severity,
            message=message.format(n=len(groups), authors="、".join(authors[:5]) or "未署名"),
            raw="\n".join(g.text for g in groups),
            start=first.start,
            end=first.end,
            suggestion=suggestion,
            basis=basis,
            evidence=evidence,
            details={"count": len(groups), "offsets": [[g.start, g.end] for g in groups[:100]]},
        )

    def _per_group(
        self,
        doc: Document,
        ctx: ScanContext,
        groups: list[Group],
        item: Callable[[Group], _Item],
        *,
        rule: str,
        suggestion: str,
        basis: str,
        summary_severity: Severity,
        summary: str,
    ) -> list[Finding]:
        """One finding per group; past MAX_INDIVIDUAL one summary finding instead, so a draft
        full of comments or hidden runs yields one actionable line, not hundreds."""
        if len(groups) > MAX_INDIVIDUAL:
            return [
                self._summary(
                    doc,
                    ctx,
                    groups,
                    rule=rule,
                    severity=summary_severity,
                    message=summary,
                    suggestion=suggestion,
                    basis=basis,
                )
            ]
        out = []
        for g in groups:
            it = item(g)
            out.append(
                ctx.finding(
                    doc,
                    category=self.category,
                    rule=it.rule or rule,
                    severity=it.severity,
                    message=it.message,
                    raw=g.text,
                    start=g.start,
                    end=g.end,
                    suggestion=suggestion,
                    basis=basis,
                    evidence=f"{it.label}：“{preview(g.text, ctx.config.masking)}”",
                    details=it.details,
                )
            )
        return out

    # -- comments ---------------------------------------------------------------------------
    def comments(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        kinds = {BlockKind.ANNOTATION} if doc.format == "html" else {BlockKind.COMMENT, BlockKind.ANNOTATION}
        groups: dict[tuple, Group] = {}
        for block in doc.blocks:
            if block.kind in kinds and block.text.strip():
                groups.setdefault((block.kind, *_comment_key(block)), Group()).blocks.append(block)
        items = [g for g in groups.values() if substantive(g.text)]

        def item(g: Group) -> _Item:
            block = g.first
            what = (
                " PDF 注释"
                if block.kind == BlockKind.ANNOTATION or doc.format == "pdf"
                else (" Word 批注" if doc.format == "docx" else "批注/注释")
            )
            when = f"，{block.date[:10]}" if block.date else ""
            details: dict = {}
            info = _source_info(block.source)
            if "range" in info:
                a, _, b = info["range"].partition("-")
                if a.isdigit() and b.isdigit():
                    details["anchor"] = [int(a), int(b)]
            return _Item(
                Severity.HIGH,
                f"文档含有{what}（作者：{self._author(block.author, ctx)}{when}），"
                "批注内容在下载文件中可见，可能泄露审稿意见或联系人信息。",
                "批注",
                details,
            )

        return self._per_group(
            doc,
            ctx,
            items,
            item,
            rule="comment",
            suggestion=SUGGEST_DRAFT,
            basis=BASIS_DRAFT_TRACES,
            summary_severity=Severity.HIGH,
            summary="文档含有 {n} 条批注/注释（作者：{authors}），批注内容随文件一并公开。",
        )

    # -- tracked changes ---------------------------------------------------------------------
    def revisions(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        out: list[Finding] = []
        for kind, label, severity in (
            (BlockKind.REVISION_DELETE, "删除", Severity.HIGH),
            (BlockKind.REVISION_INSERT, "插入", Severity.MEDIUM),
        ):
            idx = [i for i, b in enumerate(doc.blocks) if b.kind == kind and b.text.strip()]
            groups = group_consecutive(
                doc, idx, lambda a, b: (a.author, a.date, a.paragraph) == (b.author, b.date, b.paragraph)
            )
            groups = [g for g in groups if substantive(g.text) or kind == BlockKind.REVISION_DELETE]
            deleted = kind == BlockKind.REVISION_DELETE

            def item(
                g: Group, severity: Severity = severity, label: str = label, deleted: bool = deleted
            ) -> _Item:
                block = g.first
                when = f"，{block.date[:10]}" if block.date else ""
                if deleted:
                    msg = (
                        f"修订痕迹：被删除的文字仍保存在文件中（修订人：{self._author(block.author, ctx)}{when}），"
                        "打开修订显示或解析文件即可看到。"
                    )
                else:
                    msg = f"修订痕迹：插入的文字尚未接受（修订人：{self._author(block.author, ctx)}{when}）。"
                return _Item(severity, msg, label, {"revision": "delete" if deleted else "insert"})

            out += self._per_group(
                doc,
                ctx,
                groups,
                item,
                rule="tracked_change",
                suggestion=SUGGEST_DRAFT,
                basis=BASIS_DRAFT_TRACES,
                summary_severity=severity,
                summary=f"文档含有 {{n}} 处未处理的修订（{label}，修订人：{{authors}}），"
                + ("被删除的文字仍保存在文件中。" if deleted else "修订尚未接受。"),
            )
        return out

    # -- hidden text -------------------------------------------------------------------------
    def _on_image(self, doc: Document, block: TextBlock) -> bool:
        """Invisible text over a picture is the OCR layer of a searchable scan."""
        if block.bbox is None:
            return False
        cx, cy = (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2
        boxes = doc.cached(("hidden_content.image_boxes", len(doc.images)), lambda: _image_boxes(doc))
        return any(_contains(bbox, cx, cy) for bbox in boxes.get(block.page, ()))

    def hidden_text(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        idx = []
        reasons: dict[int, str] = {}
        for i, b in enumerate(doc.blocks):
            if b.kind in HIDDEN_SKIP_KINDS or not b.text.strip():
                continue
            if b.hidden:
                if doc.format == "pdf" and self._on_image(doc, b):
                    continue
                idx.append(i)
                reasons[id(b)] = _hidden_reason(doc, b)
            elif b.font_size is not None and 0 < b.font_size < 2 and substantive(b.text):
                idx.append(i)
                reasons[id(b)] = f"字号仅 {b.font_size:g} 磅"
        # HTML: one group per element (a hidden menu next to a hidden note stays apart);
        # DOCX/PDF: a run of hidden paragraphs is one hidden passage.
        groups = group_consecutive(
            doc,
            idx,
            lambda a, b: (
                _colour_hidden(a) == _colour_hidden(b)
                and (doc.format != "html" or a.paragraph == b.paragraph)
            ),
        )
        kept: list[Group] = []
        severities: dict[int, Severity] = {}
        for g in groups:
            if not substantive(g.text):
                continue
            severity = Severity.HIGH
            if doc.format == "html":
                severity_or_none = _html_hidden_severity(g.text, self._visible_key(doc))
                if severity_or_none is None:
                    continue
                severity = severity_or_none
            kept.append(g)
            severities[id(g)] = severity
        if not kept:
            return []

        def item(g: Group) -> _Item:
            reason = reasons.get(id(g.first), "隐藏格式")
            white = _colour_hidden(g.first)
            label = "与背景同色的文字" if white else "隐藏文字"
            return _Item(
                severities[id(g)],
                f"{label}（{reason}）：页面上看不到，但文件中仍可复制、检索。",
                label,
                {"reason": reason},
                rule="white_text" if white else "hidden_text",
            )

        return self._per_group(
            doc,
            ctx,
            kept,
            item,
            rule="hidden_text",
            suggestion=SUGGEST_HIDDEN,
            basis=BASIS_HIDDEN,
            summary_severity=max(severities.values(), key=lambda s: s.rank),
            summary="文档含有 {n} 处隐藏文字，页面上看不到，但文件中仍可复制、检索。",
        )

    # -- white text ------------------------------------------------------------------------------
    def _background(self, doc: Document, block: TextBlock) -> RGB | None:
        """Colour behind a block as a reader sees it: its highlight/shading, else the white
        page or the fills drawn under its characters (fixed layout); None when a picture lies
        under it. Judged per character: the topmost opaque fill under each character's centre
        counts (red text on a white label drawn over a red banner is on white, even where the
        label is smaller than the line's box). The block's background is the one under most of
        its characters that hides them, if those are at least COVER_SHARE of its characters."""
        if block.highlight is not None:
            return block.highlight
        if block.bbox is None or _area(block.bbox) <= 0:
            return (255, 255, 255)
        if self._on_image(doc, block):
            return None
        fills = doc.cached(("hidden_content.fills", len(doc.drawings)), lambda: _FillIndex(doc))
        under = [d for d in fills.candidates(block.page, block.bbox) if _intersection(block.bbox, d.bbox) > 0]
        color = block.color
        if not under:
            return (255, 255, 255)
        if color is None or not any(
            indistinguishable(color, bg) for bg in [(255, 255, 255), *(d.fill for d in under if d.fill)]
        ):
            return under[0].fill  # nothing under it could hide it: skip the per-character work
        hiding: dict[RGB, int] = {}
        counted = 0
        for ch, (x0, y0, x1, y1) in zip(block.text, char_boxes(block), strict=True):
            if ch.isspace():
                continue
            counted += 1
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            bg = next((d.fill for d in under if d.fill and _contains(d.bbox, cx, cy)), (255, 255, 255))
            if indistinguishable(color, bg):
                hiding[bg] = hiding.get(bg, 0) + 1
        if counted and hiding:
            bg, n = max(hiding.items(), key=lambda kv: kv[1])
            if sum(hiding.values()) >= COVER_SHARE * counted:
                return bg
        return next(
            (d.fill for d in under if d.fill and not indistinguishable(color, d.fill)), (255, 255, 255)
        )

    def white_text(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        idx: list[int] = []
        redacted: list[int] = []
        backgrounds: dict[int, RGB] = {}
        if doc.format == "html":
            # The HTML reader judged colours with the cascade (a background image or an unknown
            # background is not "white"): colour-hidden text arrives as hidden blocks.
            return []
        fills = doc.cached(("hidden_content.fills", len(doc.drawings)), lambda: _FillIndex(doc))
        may_hide: dict[tuple[RGB, int], bool] = {}  # (colour, page): most pages print one ink
        for i, b in enumerate(doc.blocks):
            if b.hidden or b.kind not in VISIBLE_TEXT_KINDS or b.color is None or not b.text.strip():
                continue
            if b.highlight is None:  # then the background is white, a page fill or a picture
                key = (b.color, b.page)
                hit = may_hide.get(key)
                if hit is None:
                    hit = may_hide[key] = fills.may_hide(b.page, b.color)
                if not hit:
                    continue
            bg = self._background(doc, b)
            if bg is None or not indistinguishable(b.color, bg):
                continue
            if b.bbox is not None and b.highlight is None and is_dark(bg, 80):
                continue  # dark text under a dark box: the fake_redaction check's case
            if doc.format == "docx" and b.highlight is not None and is_dark(b.highlight, 80):
                redacted.append(i)  # explicit dark text on dark shading: Word's "涂黑"
            else:
                idx.append(i)
            backgrounds[id(b)] = bg
        groups = [g for g in group_consecutive(doc, idx) if substantive(g.text)]

        def item(g: Group) -> _Item:
            color = g.first.color
            what = "白色文字" if color is not None and is_white(color) else "与背景同色的文字"
            return _Item(
                Severity.HIGH,
                f"{what}：颜色与底色几乎相同，页面上看不见，但仍可复制、检索。",
                what,
                {
                    "color": _hex(_rgb(color)),
                    "background": _hex(backgrounds.get(id(g.first), (255, 255, 255))),
                },
            )

        out = self._per_group(
            doc,
            ctx,
            groups,
            item,
            rule="white_text",
            suggestion=SUGGEST_HIDDEN,
            basis=BASIS_HIDDEN,
            summary_severity=Severity.HIGH,
            summary="文档含有 {n} 处与背景同色的文字（如白底白字），肉眼看不见但可复制、检索。",
        )
        for g in group_consecutive(doc, redacted)[:MAX_INDIVIDUAL]:
            if not substantive(g.text):
                continue
            out.append(
                ctx.finding(
                    doc,
                    category=self.category,
                    rule="fake_redaction",
                    severity=Severity.BLOCKER,
                    message="假涂黑：文字被设置为黑色底纹/突出显示遮盖，但文字本身仍在文件中，可复制提取。",
                    raw=g.text,
                    start=g.start,
                    end=g.end,
                    suggestion=SUGGEST_REDACTION,
                    basis=BASIS_REDACTION,
                    evidence=f"被遮盖文字：{mask_value(g.text.strip(), 'default', ctx.config.masking)}",
                    details={"method": "shading"},
                )
            )
        return out

    # -- fake redaction (fixed layout) ------------------------------------------------------------
    def fake_redactions(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        by_page: dict[int, list[TextBlock]] = {}
        for b in doc.blocks:
            if b.bbox is not None and not b.hidden and b.kind in VISIBLE_TEXT_KINDS and b.text.strip():
                by_page.setdefault(b.page, []).append(b)
        out: list[Finding] = []
        seen: set[tuple[int, int]] = set()
        for d in (box for drawing in doc.drawings for box in _boxes(drawing)):
            pending = d.source == "annot:redact"
            if not pending and not _is_redaction_box(d):
                continue
            covered = self._covered(by_page.get(d.page, []), d, check_colour=not pending)
            ranges = _ranges(covered)
            if not ranges:
                continue
            start, end = ranges[0][0], ranges[-1][1]
            if (start, end) in seen:
                continue
            seen.add((start, end))
            raw = "".join(doc.text[s:e] for s, e in ranges)
            if not substantive(raw):
                continue
            if REDACTION_LABEL.search(raw.strip()):
                continue  # only the tool's label (已删除, REDACTED, (b)(6)) is there: text really removed
            if pending:
                message = "文档含有尚未应用的“密文/编校”标记：标记下的文字仍在文件中，可复制提取。"
            else:
                message = "假涂黑：黑色色块遮盖的文字仍保留在文件中，选中、复制或检索即可看到原文。"
            out.append(
                ctx.finding(
                    doc,
                    category=self.category,
                    rule="fake_redaction",
                    severity=Severity.BLOCKER,
                    message=message,
                    raw=raw,
                    start=start,
                    end=end,
                    page=d.page,
                    bbox=d.bbox,
                    suggestion=SUGGEST_REDACTION,
                    basis=BASIS_REDACTION,
                    evidence=f"被遮盖文字：{mask_value(raw.strip(), 'default', ctx.config.masking)}",
                    details={
                        "method": "annot:redact" if pending else "dark_box",
                        "ranges": [list(r) for r in ranges],
                    },
                )
            )
        return out

    def _covered(self, blocks: list[TextBlock], d: Drawing, *, check_colour: bool) -> list[int]:
        """Offsets (in doc.text) of the characters hidden under the drawing: >= 60 % of an exact
        character box; for estimated boxes (no per-character geometry) the character's centre
        column inside the box and >= 60 % of its height covered, which tolerates the estimate's
        drift of a fraction of a character."""
        offsets: list[int] = []
        for b in blocks:
            assert b.bbox is not None
            if _intersection(b.bbox, d.bbox) <= 0:
                continue
            if check_colour and d.fill is not None and contrast_ratio(_rgb(b.color), d.fill) >= 3.0:
                continue  # light text on the dark box: a visible label (table header), not hidden
            exact = bool(b.char_boxes) and len(b.char_boxes or []) == len(b.text)
            for k, box in enumerate(char_boxes(b)):
                if b.text[k].isspace() or _area(box) <= 0:
                    continue
                if exact:
                    hit = _intersection(box, d.bbox) >= COVER_SHARE * _area(box)
                else:
                    cx = (box[0] + box[2]) / 2
                    v_overlap = max(min(box[3], d.bbox[3]) - max(box[1], d.bbox[1]), 0.0)
                    hit = d.bbox[0] <= cx <= d.bbox[2] and v_overlap >= COVER_SHARE * (box[3] - box[1])
                if hit:
                    offsets.append(b.start + k)
        return offsets

    # -- metadata ---------------------------------------------------------------------------------
    def metadata_people(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        fields_by_name: dict[str, list[str]] = {}
        for key, value in doc.metadata.items():
            k = key.lower()
            if k == "creator" and doc.format == "pdf":
                continue  # PDF "Creator" is the authoring application
            is_person_field = k in PERSON_FIELDS or (
                k.startswith("custom:") and CUSTOM_PERSON_HINT.search(k[7:])
            )
            if not is_person_field or not value or not looks_like_person(value):
                continue
            if doc.format == "html" and _dup_key(value) in self._visible_key(doc):
                continue  # a page's author shown on the page (责任编辑：…): published, not hidden
            fields_by_name.setdefault(value.strip(), []).append(key)
        out = []
        for name, keys in fields_by_name.items():
            block = next(
                (
                    b
                    for b in doc.blocks
                    if b.kind == BlockKind.METADATA and b.field_name in keys and b.text.strip() == name
                ),
                None,
            )
            labels = "、".join(PERSON_FIELD_LABELS.get(k.lower(), k.removeprefix("custom:")) for k in keys)
            masked = mask_name(name, ctx.config.masking.name_style)
            out.append(
                ctx.finding(
                    doc,
                    category=self.category,
                    rule="metadata_person",
                    severity=Severity.MEDIUM,
                    message=f"文档属性（{labels}）中含有个人姓名，下载者在“文件属性”中即可看到。",
                    raw=name,
                    start=block.start if block else None,
                    end=block.end if block else None,
                    suggestion=SUGGEST_METADATA,
                    basis=BASIS_METADATA,
                    evidence=f"{labels}：{masked}",
                    details={"fields": keys},
                )
            )
        return out

    # -- embedded files, scripts ------------------------------------------------------------------
    def embedded(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        names = [n for n in dict.fromkeys(doc.embedded_files) if n]
        if not names:
            return []
        shown = [n.rsplit("/", 1)[-1] for n in names]
        if len(names) > MAX_INDIVIDUAL:
            return [
                ctx.finding(
                    doc,
                    category=self.category,
                    rule="embedded_file",
                    severity=Severity.MEDIUM,
                    message=f"文件中嵌入了 {len(names)} 个文件/对象，内容未经本次检查。",
                    raw="\n".join(names),
                    suggestion=SUGGEST_EMBEDDED,
                    basis=BASIS_ACTIVE,
                    evidence="、".join(shown[:5]) + " 等",
                    details={"count": len(names)},
                )
            ]
        return [
            ctx.finding(
                doc,
                category=self.category,
                rule="embedded_file",
                severity=Severity.MEDIUM,
                message="文件中嵌入了其他文件或对象（如附件、OLE 对象），其内容随文件公开但未经本次检查。",
                raw=name,
                suggestion=SUGGEST_EMBEDDED,
                basis=BASIS_ACTIVE,
                evidence=f"嵌入文件：{preview(label, ctx.config.masking, 40)}",
            )
            for name, label in zip(names, shown, strict=True)
        ]

    def scripts(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        if doc.format == "html":
            return []  # every web page has scripts; the page itself is checked, not its JS
        entries = [s for s in dict.fromkeys(doc.scripts) if s and s.strip()]
        out = []
        for script in entries[:MAX_INDIVIDUAL]:
            macro = script.startswith("[VBA]")
            what = "Office 宏（VBA）代码" if macro else "JavaScript 脚本"
            out.append(
                ctx.finding(
                    doc,
                    category=self.category,
                    rule="javascript",
                    severity=Severity.MEDIUM,
                    message=f"文件中含有{what}，打开时可能自动执行，不应出现在公开发布的文件中。",
                    raw=script,
                    suggestion=SUGGEST_SCRIPT,
                    basis=BASIS_ACTIVE,
                    evidence=what if macro else f"脚本：{preview(script, ctx.config.masking, 30)}",
                    details={"kind": "vba" if macro else "javascript", "count": len(entries)},
                )
            )
        return out

    # -- HTML comments ----------------------------------------------------------------------------
    def html_comments(self, doc: Document, ctx: ScanContext) -> list[Finding]:
        if doc.format != "html":
            return []
        idx = [i for i, b in enumerate(doc.blocks) if b.kind == BlockKind.COMMENT and b.text.strip()]
        visible = self._visible_key(doc)
        severities: dict[int, Severity] = {}
        groups = []
        for g in group_consecutive(doc, idx, lambda a, b: a.paragraph == b.paragraph):
            severity = _html_comment_severity(g.text, visible)
            if severity is not None:
                groups.append(g)
                severities[id(g)] = severity
        if not groups:
            return []
        return self._per_group(
            doc,
            ctx,
            groups,
            lambda g: _Item(
                severities[id(g)],
                "网页源代码注释中含有文字说明，页面不显示，但查看源代码即可看到。",
                "注释",
            ),
            rule="html_comment",
            suggestion=SUGGEST_HTML_COMMENT,
            basis=BASIS_HTML_COMMENT,
            summary_severity=max(severities.values(), key=lambda s: s.rank),
            summary="网页源代码中有 {n} 条含文字说明的注释，任何人查看源代码即可看到。",
        )

    def _visible_key(self, doc: Document) -> str:
        """What the page shows anyway (visible text, title and description), keyed by `_dup_key`,
        one line per block so no match runs across two blocks."""

        def build() -> str:
            parts = [
                _dup_key(b.text)
                for b in doc.blocks
                if b.text.strip()
                and (
                    (b.kind in VISIBLE_TEXT_KINDS and not b.hidden)
                    or (
                        b.kind == BlockKind.METADATA
                        and b.field_name in ("title", "description", "articletitle")
                    )
                )
            ]
            return "\n".join(p for p in parts if p)

        return doc.cached(("hidden_content.visible_key", len(doc.blocks)), build)


# -- module helpers ---------------------------------------------------------------------------
PDF_HIDDEN_REASONS = {
    "pdf:render_mode_3": "PDF 不可见文字，渲染模式 3",
    "pdf:opacity_0": "PDF 全透明文字",
    "pdf:off_page": "位于页面可见区域之外",
    "pdf:tiny_font": "字号极小",
}
# HTML text hidden by its colour is white text, not hidden markup.
HTML_COLOUR_REASONS = {"html:white_text", "html:same_as_background", "html:transparent_text"}


def _colour_hidden(block: TextBlock) -> bool:
    return block.source in HTML_COLOUR_REASONS


def _hidden_reason(doc: Document, block: TextBlock) -> str:
    src = block.source or ""
    if src.startswith("html:"):
        return f"网页隐藏元素 {src[5:]}"
    if src in PDF_HIDDEN_REASONS:
        return PDF_HIDDEN_REASONS[src]
    if doc.format == "docx":
        return "Word 隐藏文字格式"
    if doc.format == "pdf":
        return "PDF 不可见文字"
    return "隐藏格式"


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
    low = SECRECY_ORGAN_RE.sub("", text.lower())
    return (
        any(h in low for h in SENSITIVE_HINTS)
        or bool(LABEL_HINTS.search(text))
        or _contact_number(text)
        or bool(EMAIL_RE.search(text))
    )


def _technical(text: str) -> bool:
    return any(w in text for w in TECH_WORDS) or bool(TECH_TOKEN_RE.search(text))


_DUP_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def _dup_key(text: str) -> str:
    """Letters, digits and Han only, case-folded: how text is compared with the visible page."""
    return _DUP_KEEP.sub("", unicodedata.normalize("NFKC", text).lower())


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
    word such as 修改/删除 in a non-technical comment). Low: a label or title without a sentence, or
    a developer's note about the code. Medium: other sentences."""
    if CONDITIONAL_COMMENT.search(text):
        return None
    if _sensitive(text):
        return Severity.HIGH
    if shown_elsewhere(text, visible):
        return None
    technical = _technical(text) or any(w in text for w in CODE_PLACEMENT_WORDS)
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


def _subpath_boxes(d: Drawing) -> list[BBox]:
    """Bounding boxes of a path's closed parts: each rectangle/quad, and each run of connected
    line/curve segments (a new run starts where a segment does not begin at the last end)."""
    out: list[BBox] = []
    pts: list[tuple[float, float]] = []
    last: tuple[float, float] | None = None

    def close() -> None:
        if len(pts) >= 3:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out.append((min(xs), min(ys), max(xs), max(ys)))
        pts.clear()

    for it in d.items:
        if not it:
            continue
        op = it[0]
        if op == "re" and len(it) > 1 and len(it[1]) == 4:
            close()
            out.append(tuple(float(v) for v in it[1]))  # type: ignore[arg-type]
            last = None
        elif op == "qu" and len(it) > 1:
            close()
            xs, ys = [p[0] for p in it[1]], [p[1] for p in it[1]]
            out.append((min(xs), min(ys), max(xs), max(ys)))
            last = None
        elif op in ("l", "c") and len(it) >= 3:
            start, end = it[1], it[-1]
            if last is None or abs(start[0] - last[0]) > 0.01 or abs(start[1] - last[1]) > 0.01:
                close()
                pts.append(start)
            pts.append(end)
            last = end
    close()
    return out


def _is_frame(d: Drawing) -> bool:
    """A fill path whose parts nest (an outer outline and an inner one taking up most of it)
    paints a frame: the inside is a hole, as PDF producers draw borders and stamp outlines
    (a 0.4 pt box around "JS-6", a red double frame around "Filed on ..."). Text inside sits on
    the page, not on the fill."""
    if d.fill is None or len(d.items) < 2:
        return False
    parts = _subpath_boxes(d)
    if len(parts) < 2:
        return False
    for outer in parts:
        for inner in parts:
            if inner is outer:
                continue
            inside = (
                inner[0] > outer[0] + 0.05
                and inner[1] > outer[1] + 0.05
                and inner[2] < outer[2] - 0.05
                and inner[3] < outer[3] - 0.05
            )
            if inside and _area(inner) >= 0.5 * _area(outer):
                return True
    return False


def _boxes(d: Drawing) -> list[Drawing]:
    """A path made of several rectangles (one fill for the boxes of a multi-line redaction)
    as its rectangles: their union box would also cover the visible text beside them. A frame
    (nested outlines) covers no text."""
    if _is_frame(d):
        return []
    rects = [it[1] for it in d.items if it and it[0] == "re" and len(it) > 1 and len(it[1]) == 4]
    if len(rects) < 2 or len(rects) != len(d.items):
        return [d]
    return [replace(d, bbox=(float(r[0]), float(r[1]), float(r[2]), float(r[3])), items=[]) for r in rects]


def _is_redaction_box(d: Drawing) -> bool:
    if d.fill is None or d.fill_opacity < 0.85 or not is_dark(d.fill, 80):
        return False
    if d.kind in ("line", "border"):
        return False
    w, h = d.bbox[2] - d.bbox[0], d.bbox[3] - d.bbox[1]
    return w >= 3 and h >= 4


def _ranges(offsets: list[int]) -> list[tuple[int, int]]:
    """Contiguous [start, end) ranges from sorted character offsets (small gaps such as a
    space or a span boundary are bridged)."""
    out: list[tuple[int, int]] = []
    for off in sorted(set(offsets)):
        if out and off <= out[-1][1] + 1:
            out[-1] = (out[-1][0], off + 1)
        else:
            out.append((off, off + 1))
    return out


__all__ = ["HiddenContentDetector", "looks_like_person", "mask_personal", "preview"]
