"""Whether a value (an author, a property) is a person's name: surname lists, Latin names, never
generic accounts or organ names."""

from __future__ import annotations

import re

from pubguard import lexicon

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
ONLY_HAN_2_4 = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,4}")
# Given Family, the family name possibly with an inner capital (McDaniel, MacLeod, DeWitt).
LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:[ .\-][A-Z][a-z]+(?:[A-Z][a-z]+)?){1,2}")
# "Surname, Given" (how Outlook/Active Directory and many Word installs write authors):
# "Zhang, Wei", "Zhang, Xiao-Ming", "王, 伟", "欧阳，明".
SURNAME_FIRST = re.compile(
    r"(?P<family>[A-Z][a-z]+|[\u3400-\u4dbf\u4e00-\u9fff]{1,2})\s*[,，]\s*"
    r"(?P<given>[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff]{1,2})"
)


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
