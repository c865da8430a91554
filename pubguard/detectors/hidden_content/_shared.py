"""Shared by the checks: limits, wording of basis/suggestions, name and personal-data patterns, the masked preview, grouping of blocks, and the per-group/summary finding builders."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from pubguard import lexicon
from pubguard.detectors.base import ScanContext
from pubguard.document import (
    RGB,
    BlockKind,
    Document,
    TextBlock,
)
from pubguard.finding import Category, Finding, Severity
from pubguard.masking import MaskingConfig, mask_email, mask_name, mask_value

CATEGORY = Category.HIDDEN_CONTENT

# More items than this of one rule are reported as one summary finding, not a flood.
MAX_INDIVIDUAL = 20
PREVIEW_CHARS = 10

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
# An organisation's line for help ("请致电0591-62623959", 咨询电话 ...): public, not a person's.
SERVICE_CALL_WORDS = (*lexicon.words("context", "official_phone_words"), "致电", "拨打")


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


class _Item(NamedTuple):
    """What one group's finding says; rule, suggestion, basis and the evidence shape are shared
    by the section (see HiddenContentDetector._per_group)."""

    severity: Severity
    message: str
    label: str  # evidence reads: {label}：“{preview}”
    details: dict | None = None
    rule: str | None = None  # only when it differs from the section's rule


# -- helpers ----------------------------------------------------------------------------
def _author(author: str | None, ctx: ScanContext) -> str:
    if not author:
        return "未署名"
    if looks_like_person(author):
        return mask_name(author.strip(), ctx.config.masking.name_style)
    return preview(author, ctx.config.masking, 16)


def _summary(
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
    authors = sorted({_author(g.first.author, ctx) for g in groups if g.first.author})
    first = groups[0]
    shown = "；".join(preview(g.text, ctx.config.masking) for g in groups[:3])
    evidence = f"共 {len(groups)} 处，例如：{shown}"
    return ctx.finding(
        doc,
        category=CATEGORY,
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
            _summary(
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
                category=CATEGORY,
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


def _visible_key(doc: Document) -> str:
    """What the page shows anyway (visible text, title and description), keyed by `_dup_key`,
    one line per block so no match runs across two blocks."""

    def build() -> str:
        parts = [
            _dup_key(b.text)
            for b in doc.blocks
            if b.text.strip()
            and (
                (b.kind in VISIBLE_TEXT_KINDS and not b.hidden)
                or (b.kind == BlockKind.METADATA and b.field_name in ("title", "description", "articletitle"))
            )
        ]
        return "\n".join(p for p in parts if p)

    return doc.cached(("hidden_content.visible_key", len(doc.blocks)), build)


_DUP_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def _dup_key(text: str) -> str:
    """Letters, digits and Han only, case-folded: how text is compared with the visible page."""
    return _DUP_KEEP.sub("", unicodedata.normalize("NFKC", text).lower())
