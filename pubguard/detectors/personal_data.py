"""Personal data (个人信息): ID numbers, phones, bank cards, e-mail, travel documents, names, rosters.

Built like Presidio recognizers: every rule declares its patterns, the context words that raise
or lower confidence, a validation step (checksum, date, Luhn ...) and a base confidence, and each
finding says which of these fired. Precision comes from validation plus context: government prose
is full of long numbers (发文字号, 统一社会信用代码, amounts, order and contract numbers) and of
officials' public contact numbers, none of which are personal data.

Numbers are matched on a normalised copy of `doc.text` (full-width -> ASCII, same length, so
offsets stay valid). Raw values never leave this module unmasked: evidence goes through
`ctx.finding(mask_kind=...)`, messages describe the checks, not the digits.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pubguard import lexicon
from pubguard.details import PersonalDataDetails, RosterDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.document import BlockKind, Document, TextBlock
from pubguard.finding import Category, Finding, Severity
from pubguard.lexicon.fold import fold_width
from pubguard.nlp import NlpEngine

# --- constants ------------------------------------------------------------------------------

BASIS = (
    "《中华人民共和国个人信息保护法》第二十八条（敏感个人信息）、第五十一条；"
    "《中华人民共和国政府信息公开条例》第十五条（涉及个人隐私的信息不予公开）；网站群管理办法关于个人信息脱敏的规定"
)
SUGGESTION = "删除或按规定脱敏（如仅保留后4位）后再发布；确需公示的，只公开必要字段并对号码作部分遮盖。"

# GB 11643: first two digits of the area code (province level). Finer codes change over time and
# are deliberately not checked.
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# GB 32100 (统一社会信用代码): alphabet without I O S V Z, weights 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Full-width ASCII, odd spaces and dash variants -> ASCII, 1:1 so offsets survive (pubguard/lexicon/fold.py).
normalise = fold_width


CONTEXT_WINDOW = 16  # characters before a match searched for context words (same line only)
MAX_NAME_LOOKUPS = 400  # jieba calls per document (names near numbers in prose)
ROSTER_MIN_ROWS = 3

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"

# Context words. Order does not matter; the word closest to the match wins.
# Context words (pubguard/lexicon/context.toml).
ID_WORDS = lexicon.words("context", "id_words")
MOBILE_WORDS = lexicon.words("context", "mobile_words")
BANK_WORDS = lexicon.words("context", "bank_words")
LANDLINE_WORDS = ("电话", "座机", "固话", "联系方式", "宅电", "tel", "TEL", "Tel")
PASSPORT_WORDS = ("护照",)
HKMO_WORDS = ("港澳通行证", "往来港澳", "港澳居民来往", "回乡证")
OFFICER_WORDS = ("军官证", "士兵证", "文职干部证")
NEGATIVE_WORDS = lexicon.words("context", "negative_words")
# Landline labels of an office: meant to be public, not reported.
OFFICIAL_PHONE_WORDS = lexicon.words("context", "official_phone_words")
# Right after the digits: an amount or quantity, not a number (13856000000元).
AMOUNT_UNITS = lexicon.words("context", "amount_units")
PERSONAL_PHONE_WORDS = (
    "家庭电话",
    "住宅电话",
    "宅电",
    "家庭联系电话",
    "本人电话",
    "个人电话",
    "家庭住址",
    "户主电话",
)
# A free-mail address an office publishes as its own (pubguard/lexicon/context.toml).
OFFICE_MAIL_LEADS = lexicon.words("context", "office_mail_leads")
PERSONAL_MAIL_LEADS = lexicon.words("context", "personal_mail_leads")
PAGE_FURNITURE = lexicon.words("context", "page_furniture")
PAGE_CONTACT_LABELS = lexicon.words("context", "page_contact_labels")
ROSTER_WORDS = lexicon.words("context", "roster_words")
FREE_MAIL = (
    "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "139.com", "189.cn",
    "foxmail.com", "gmail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com", "aliyun.com", "wo.cn",
)  # fmt: skip


FREE_MAIL_PERSONAL = "个人免费邮箱域名"
FREE_MAIL_OFFICE = "免费邮箱域名"


def _words(text: str) -> frozenset[str]:
    """Space-separated word list -> set (keeps long Chinese lists readable)."""
    return frozenset(text.split())


NAME_HEADERS = _words(
    "姓名 名字 户主 户主姓名 申请人 申请人姓名 联系人 联系人姓名 监护人 监护人姓名 家长姓名 学生姓名 "
    "收款人 领款人 受助人 救助对象 补助对象 本人姓名 患者姓名 持卡人 开户人 户名 账户名 被征收人 权利人 "
    "代理人 法定监护人 死者姓名 当事人 被申请人 举报人 投诉人 职工姓名 人员姓名 获得者 受益人"
)
ID_HEADER_WORDS = ("身份证", "公民身份号码", "身份号码", "证件号")
PHONE_HEADER_WORDS = ("电话", "手机", "联系方式", "联系号码")
BANK_HEADER_WORDS = ("银行卡", "卡号", "账号", "帐号", "开户", "存折", "社保卡")
HEADER_HINTS = NAME_HEADERS | {
    "序号",
    "性别",
    "民族",
    "住址",
    "家庭住址",
    "地址",
    "备注",
    "金额",
    "人数",
    "年龄",
    "出生日期",
}
NOT_NAMES = _words(
    "合计 小计 总计 备注 无 空 略 以下空白 本人 配偶 长子 长女 次子 次女 儿子 女儿 父亲 母亲 户主 同上 "
    "申请人 联系人 负责人 当事人 同志 先生 女士 未婚 已婚 男 女 汉族 是 否 有 暂无 待定 不详 其他 "
    "城镇低保 农村低保 特困 五保 "
    "联系 家庭 住址 地址 单位 工作 签字 签名"  # 申请人联系电话 / 联系人家庭住址: a label, no name
)
# jieba tags some form words as names ("银行卡" -> nr): a token holding one of these is no name.
NAME_BLOCKERS = ("银行", "卡", "证", "号", "手机", "电话", "身份", "账", "帐", "码", "邮箱", "护照", "户口")
ORGAN_ENDINGS = lexicon.words("organs", "organ_endings")
ORG_SUFFIXES = (
    *lexicon.words("organs", "organ_endings"),
    *lexicon.words("organs", "place_endings"),
    *lexicon.words("names", "non_name_endings"),
)

# Single-character surnames (most common ~300) and compound surnames, for names without a header.
SURNAMES = lexicon.chars("names", "surnames")
COMPOUND_SURNAMES = frozenset(lexicon.words("names", "compound_surnames"))

log = logging.getLogger("pubguard.detectors.personal_data")

# --- patterns (compiled once; every quantifier bounded, every match anchored at a run start) ---

_S = r"[ \-]"  # one separator allowed between digit groups
_NUM_START = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_NUM_END = r"(?![0-9A-Za-z])(?!\.[0-9])"
# Every pattern starts with a plain character class, and the run-start lookbehinds come right
# after it (so they span that character): the same matches as `_NUM_START` + pattern, but the
# regex engine skips ahead by that class instead of trying the lookbehinds at every position
# (≈5x faster on prose with few digits).
_D = r"[0-9](?<![0-9A-Za-z][0-9])(?<![0-9]\.[0-9])"  # = _NUM_START + [0-9]

RE_ID18 = lexicon.pattern("personal", "id18")
RE_ID15 = lexicon.pattern("personal", "id15")
RE_MOBILE = lexicon.pattern("personal", "mobile")
RE_BANK = lexicon.pattern("personal", "bank_card")
# (?<![0-9A-Za-z])(?:\(0[1-9][0-9]{1,2}\) ?|0[1-9][0-9]{1,2}[ \-]?)[2-9][0-9]{6,7}…
RE_LANDLINE = re.compile(
    r"[(0](?<![0-9A-Za-z][(0])(?:(?<=\()0[1-9][0-9]{1,2}\) ?|(?<=0)[1-9][0-9]{1,2}[ \-]?)[2-9][0-9]{6,7}"
    r"(?:[ \-]?(?:转|-|ext\.?)[0-9]{1,5})?" + _NUM_END
)
RE_EMAIL = lexicon.pattern("personal", "email")
# (?<![0-9A-Za-z])(?:[EeGgPpDdSs][0-9]{8}|E[A-Za-z][0-9]{7})(?![0-9A-Za-z])
RE_PASSPORT = re.compile(
    r"[EeGgPpDdSs](?<![0-9A-Za-z][EeGgPpDdSs])(?:[0-9]{8}|(?<=E)[A-Za-z][0-9]{7})(?![0-9A-Za-z])"
)
# (?<![0-9A-Za-z])(?:[CcWw][0-9]{8}|C[A-Za-z][0-9]{7}|[HhMm][0-9]{8,10})(?![0-9A-Za-z])
RE_HKMO = re.compile(
    r"[CcWwHhMm](?<![0-9A-Za-z][CcWwHhMm])"
    r"(?:(?<=[CcWw])[0-9]{8}|(?<=C)[A-Za-z][0-9]{7}|(?<=[HhMm])[0-9]{8,10})(?![0-9A-Za-z])"
)
RE_OFFICER = re.compile(rf"[{_CJK}]字第[0-9]{{6,8}}号")
_OFFICER_ANCHOR = re.compile("字第")
_U = "[0-9A-HJ-NPQRTUWXY]"
RE_USCC = re.compile(rf"{_U}(?<![0-9A-Za-z]{_U}){_U}[0-9]{{6}}{_U}{{10}}(?![0-9A-Za-z])")
RE_LABEL_NAME = re.compile(
    rf"(?:姓名|户主|申请人|联系人|当事人|监护人|患者)[:：]?\s?"
    rf"([{_CJK}]{{2,4}}?|[{_CJK}]{{1,8}}[·•][{_CJK}]{{1,10}})"
    rf"(?=[，,、;；\s（(：:)）]|$|身份|手机|电话|性别|男|女|住|家|证件|银行|联系|[0-9])"
)
RE_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]{1,2000}")
RE_STRONG_ID_LABEL = re.compile(r"(?:身份证|身份号码|证件号|公民身份)[号码]{0,2}(?:为|是)?[:：\s]{0,3}$")
# The mailbox label right before an address ("电子邮箱：", "E-mail:", "投稿信箱为").
RE_MAIL_LABEL = re.compile(
    r"(?:电子邮箱|电子信箱|电子邮件|邮箱地址|邮箱|信箱|邮件|e-?mail)(?:地址)?(?:为|是)?[ ]{0,2}[:：]?[ ]{0,2}$",
    re.IGNORECASE,
)
RE_LEAD_CUT = re.compile(r"[\s,，。;；:：、()（）|｜/]")
RE_TITLED_NAME = re.compile(rf"[{_CJK}](?:老师|先生|女士|同志)")
MAIL_LINE_BEFORE = 40  # characters of the address's line searched for a person's name
FURNITURE_LINES = 2  # lines either side of an address searched for page furniture
FURNITURE_REACH = 160  # ... within this many characters
MAX_ROW_CELLS = 40  # cells of a table row looked at for a person's name
RE_NAME_CELL = re.compile(rf"^(?:[{_CJK}]{{2,4}}|[{_CJK}]{{1,8}}[·•.．][{_CJK}]{{1,10}})$")


def _finditer(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """`pattern.finditer(text)`. RE_OFFICER starts with any ideograph, so the engine would try
    it at almost every position: its matches are looked for from the literal 字第 instead."""
    if pattern is not RE_OFFICER:
        yield from pattern.finditer(text)
        return
    end = 0
    for anchor in _OFFICER_ANCHOR.finditer(text):
        pos = anchor.start() - 1
        if pos < end:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            end = m.end()
            yield m


# --- validation -----------------------------------------------------------------------------


def digits_of(value: str) -> str:
    """The number without separators, check character upper-cased."""
    return "".join(c for c in value if c not in " -").upper()


def valid_date(year: int, month: int, day: int) -> bool:
    try:
        born = _dt.date(year, month, day)
    except ValueError:
        return False
    return year >= 1900 and born <= _dt.date.today()


def id18_checks(number: str) -> tuple[bool, bool, bool]:
    """(area ok, birth date ok, check character ok) for an 18-character ID number."""
    area = int(number[:2]) in PROVINCES
    date = valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return area, date, ID_CHECK[total % 11] == number[17]


def id15_valid(number: str) -> bool:
    """Legacy 15-digit ID: province + YYMMDD (19YY); it has no check digit."""
    return (
        int(number[:2]) in PROVINCES
        and number.isdigit()
        and valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    )


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def uscc_valid(code: str) -> bool:
    """GB 32100 check character of a 统一社会信用代码."""
    code = code.upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


# --- context --------------------------------------------------------------------------------

CellKey = tuple[int, int, int, int]  # (page, table, row, col)
TableKey = tuple[int, int]


@dataclass(slots=True)
class Tables:
    """Table cells grouped per table, with the header text of each column (for rosters)."""

    cells: dict[CellKey, tuple[int, int]] = field(default_factory=dict)  # -> (start, end)
    headers: dict[TableKey, dict[int, str]] = field(default_factory=dict)
    header_rows: dict[TableKey, int] = field(default_factory=dict)
    field_names: dict[CellKey, str] = field(default_factory=dict)
    extent: dict[TableKey, tuple[int, int]] = field(default_factory=dict)
    texts: dict[CellKey, str] = field(default_factory=dict)  # squashed cell text
    forms: set[TableKey] = field(default_factory=set)  # label | value tables (申请表, 登记表)

    @classmethod
    def build(cls, doc: Document) -> Tables:
        t = cls()
        for b in doc.blocks:
            if b.kind != BlockKind.TABLE_CELL or b.row is None or b.col is None:
                continue
            key = (b.page, b.table or 0, b.row, b.col)
            s, e = t.cells.get(key, (b.start, b.end))
            t.cells[key] = (min(s, b.start), max(e, b.end))
            if b.field_name:
                t.field_names[key] = b.field_name
        rows: dict[TableKey, dict[int, dict[int, str]]] = defaultdict(lambda: defaultdict(dict))
        for (page, table, row, col), (s, e) in t.cells.items():
            rows[(page, table)][row][col] = t.texts[(page, table, row, col)] = _squash(doc.text[s:e])
            lo, hi = t.extent.get((page, table), (s, e))
            t.extent[(page, table)] = (min(lo, s), max(hi, e))
        for tkey, by_row in rows.items():
            if _is_form(by_row):
                t.forms.add(tkey)
                continue
            for row in sorted(by_row)[:6]:  # a title row may come before the header row
                cells = by_row[row]
                if any(_is_header_text(v) for v in cells.values()):
                    t.header_rows[tkey] = row
                    t.headers[tkey] = dict(cells)
                    break
        return t

    def header(self, key: CellKey) -> str | None:
        if key in self.field_names:
            return _squash(self.field_names[key])
        tkey = key[:2]
        if self.header_rows.get(tkey, 10**9) >= key[2]:
            return None
        return self.headers.get(tkey, {}).get(key[3])

    def is_header_cell(self, key: CellKey) -> bool:
        return self.header_rows.get(key[:2]) == key[2] and self.label(key) is None

    def label(self, key: CellKey) -> str | None:
        """Form-style tables (申请表): the label sits in the cell to the left (姓名 | 张三)."""
        if key[:2] not in self.forms:
            return None
        left = self.texts.get((*key[:3], key[3] - 1))
        return (
            left
            if left is not None and _is_header_text(left) and not _is_header_text(self.texts.get(key, ""))
            else None
        )

    def context(self, key: CellKey) -> str | None:
        return self.label(key) or self.header(key)


def _is_form(by_row: dict[int, dict[int, str]]) -> bool:
    """Label/value rows (姓名|张三|性别|男) rather than a header row over data rows: two such
    rows, or one with two labels."""
    form_rows = labels = 0
    for cells in list(by_row.values())[:12]:
        values = [cells[c] for c in sorted(cells) if cells[c]]
        if len(values) < 2 or len(values) % 2:
            continue
        heads = [_is_header_text(v) for v in values]
        if all(heads[0::2]) and not any(heads[1::2]):
            form_rows += 1
            labels = max(labels, len(values) // 2)
    return form_rows >= 2 or labels >= 2


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _is_header_text(text: str) -> bool:
    text = re.sub(r"[（(].*?[）)]$", "", text)
    return (
        text in HEADER_HINTS
        or text.endswith("姓名")
        or any(w in text for w in ID_HEADER_WORDS + PHONE_HEADER_WORDS + BANK_HEADER_WORDS)
    ) and len(text) <= 12


@dataclass(slots=True)
class Hit:
    """One candidate match with what the context says about it."""

    rule: str
    start: int
    end: int
    value: str  # normalised text of the match (raw, never shown)
    block: TextBlock | None
    cell: CellKey | None
    column: str | None
    prefix: str  # context window before the match (same line)
    suffix: str = ""  # the few characters right after the match
    severity: Severity = Severity.HIGH
    confidence: float = 0.5
    explain: list[str] = field(default_factory=list)
    mask_kind: str = "default"
    label: str = ""
    needs_person_row: bool = False  # kept only if its table row also holds an ID/bank number
    why: str = ""  # the message's closing sentence when the rule's default does not fit


def _closest(prefix: str, words: Iterable[str]) -> tuple[int, str | None]:
    """Position (end offset in prefix) of the context word nearest to the match, -1 if none."""
    best, found = -1, None
    for w in words:
        i = prefix.rfind(w)
        if i >= 0 and i + len(w) > best:
            best, found = i + len(w), w
    return best, found


# --- recognizers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recognizer:
    """Presidio-style rule: pattern + context words + validation + base confidence.

    `decide` receives the hit (context already attached) and fills severity/confidence/explain,
    or returns False to drop it."""

    rule: str
    label: str
    pattern: re.Pattern[str]
    context: tuple[str, ...]
    confidence: float
    mask_kind: str
    decide: Callable[[Hit, tuple[str, ...]], bool]


def _ctx(hit: Hit, words: tuple[str, ...], column_words: tuple[str, ...] = ()) -> str | None:
    """Context evidence: a context word near the match or a matching column header."""
    pos, word = _closest(hit.prefix, words)
    neg, _ = _closest(hit.prefix, NEGATIVE_WORDS)
    if word and pos > neg:
        return f"前文有“{word}”字样"
    if hit.column and any(w in hit.column for w in (column_words or words)):
        return f"位于“{hit.column}”列"
    return None


def _negative(hit: Hit, words: tuple[str, ...]) -> str | None:
    neg, word = _closest(hit.prefix, NEGATIVE_WORDS)
    pos, _ = _closest(hit.prefix, words)
    return word if word and neg > pos else None


# Digits at the end of one line and the start of the next (a number the layout wrapped).
# (?<![0-9A-Za-z])([0-9]{1,17})\n([0-9]{1,17}[0-9Xx]?)(?![0-9A-Za-z]), written digit first (the
# look-behind moved after it) so the engine skips to digits instead of trying every position.
RE_WRAPPED = re.compile(r"([0-9](?<![0-9A-Za-z][0-9])[0-9]{0,16})\n([0-9]{1,17}[0-9Xx]?)(?![0-9A-Za-z])")
WRAPPED_LENGTHS = (11, 15, 18)
WRAPPED_RULES = ("id_card", "mobile")


def _ends_full_line(doc: Document, first: TextBlock, second: TextBlock) -> bool:
    """`first` is a line the layout filled up to the right edge of its text column and
    `second` the next line of the same column: a wrap, not two numbers on separate lines."""
    if first.bbox is None or second.bbox is None or first.page != second.page:
        return False
    size = first.font_size or (first.bbox[3] - first.bbox[1]) or 10.0
    right = doc.cached(("personal_data.right_edges", first.page), lambda: _right_edge(doc, first.page))
    below = 0 < second.bbox[1] - first.bbox[1] <= 3 * size
    same_column = abs(second.bbox[0] - first.bbox[0]) <= 4 * size
    return below and same_column and first.bbox[2] >= right - 1.5 * size


def _right_edge(doc: Document, page: int) -> float:
    edges = sorted(b.bbox[2] for b in doc.blocks if b.page == page and b.bbox is not None)
    return edges[int(0.9 * (len(edges) - 1))] if edges else 0.0


def decide_id18(hit: Hit, words: tuple[str, ...]) -> bool:
    number = digits_of(hit.value)
    area, date, check = id18_checks(number)
    context = _ctx(hit, words, ID_HEADER_WORDS)
    if not (area and date):
        return False
    if check:
        hit.explain.append("18位，地区码与出生日期有效，校验位正确")
        hit.confidence = 0.95
        neg = _negative(hit, words)
        if neg:
            hit.severity = Severity.MEDIUM
            hit.confidence = 0.6
            hit.explain.append(f"前文为“{neg}”，也可能是编号，请核实")
    else:
        strong = bool(RE_STRONG_ID_LABEL.search(hit.prefix)) or (
            hit.column is not None and any(w in hit.column for w in ID_HEADER_WORDS)
        )
        if not strong:
            return False
        hit.label = "疑似身份证号（校验位不符）"
        hit.severity = Severity.MEDIUM
        hit.confidence = 0.6
        hit.explain.append("18位，地区码与出生日期有效，但校验位不符（可能录入有误，仍属个人信息）")
    if context:
        hit.explain.append(context)
        hit.confidence = min(1.0, hit.confidence + 0.05)
    return True


def decide_id15(hit: Hit, words: tuple[str, ...]) -> bool:
    if not id15_valid(digits_of(hit.value)):
        return False
    context = _ctx(hit, words, ID_HEADER_WORDS)
    if not context or _negative(hit, words):  # 15 digits are common: context is required
        return False
    hit.explain += ["15位旧版身份证号，地区码与出生日期有效", context]
    hit.confidence = 0.8
    return True


def _amount(hit: Hit) -> bool:
    return hit.suffix.lstrip(" ").startswith(AMOUNT_UNITS) or hit.prefix.endswith(("￥", "¥", "$"))


def decide_mobile(hit: Hit, words: tuple[str, ...]) -> bool:
    if _negative(hit, words) or _amount(hit):
        return False
    hit.explain.append("11位，号段1[3-9]符合手机号码规则")
    context = _ctx(hit, words, PHONE_HEADER_WORDS)
    hit.confidence = 0.75
    if context:
        hit.explain.append(context)
        hit.confidence = 0.9
    official = _closest(hit.prefix, OFFICIAL_PHONE_WORDS)[1]
    if official and official != "联系电话":  # an organisation's public line (客服电话, 服务热线)
        hit.severity = Severity.LOW
        hit.confidence = min(hit.confidence, 0.5)
        hit.explain.append(f"标注为“{official}”，通常是单位对外公开的号码，请核实是否为个人号码")
    return True


def decide_bank(hit: Hit, words: tuple[str, ...]) -> bool:
    number = digits_of(hit.value)
    if not (16 <= len(number) <= 19 and number.isdigit() and luhn_valid(number)):
        return False
    if _negative(hit, words) or _amount(hit):
        return False
    context = _ctx(hit, words, BANK_HEADER_WORDS)
    hit.explain.append(f"{len(number)}位，通过Luhn校验")
    if context:
        hit.explain.append(context)
        hit.confidence = 0.9
    elif number.startswith("62"):
        hit.explain.append("以62开头（银联卡号段），无上下文")
        hit.severity = Severity.MEDIUM
        hit.confidence = 0.6
    else:
        return False
    return True


def decide_landline(hit: Hit, words: tuple[str, ...]) -> bool:
    """Office numbers are meant to be public: only a personal label or a roster row counts."""
    personal = _closest(hit.prefix, PERSONAL_PHONE_WORDS)
    official = _closest(hit.prefix, OFFICIAL_PHONE_WORDS)
    column = hit.column or ""
    if personal[1] and personal[0] >= official[0]:
        hit.explain.append(f"标注为“{personal[1]}”，属个人联系方式")
    elif any(w in column for w in ("家庭", "住宅", "本人", "个人")):
        hit.explain.append(f"位于“{column}”列")
    elif hit.cell is not None and not any(
        w in column for w in ("办公", "单位", "咨询", "监督", "举报", "传真")
    ):
        hit.explain.append("位于人员名单表格中")
        hit.needs_person_row = True
    else:
        return False
    hit.confidence = 0.7
    return True


def _mail_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def decide_email(hit: Hit, words: tuple[str, ...]) -> bool:
    """Official mailboxes (政府域名、单位信箱) are public contacts, not personal data."""
    domain = _mail_domain(hit.value)
    if domain.endswith((".gov.cn", ".gov")) or ".gov." in domain:
        return False
    if domain in FREE_MAIL:
        hit.explain.append(FREE_MAIL_PERSONAL)
        hit.severity = Severity.MEDIUM
        hit.confidence = 0.7
    elif hit.cell is not None:
        hit.explain.append("位于人员名单表格中")
        hit.needs_person_row = True
        hit.confidence = 0.6
    else:
        official = _closest(hit.prefix, ("信箱", "投稿", "举报", "监督", "咨询", "办公室", "单位"))[1]
        if official:
            return False
        hit.explain.append("电子邮箱地址")
        hit.severity = Severity.LOW
        hit.confidence = 0.5
    return True


def office_mailbox(hit: Hit, norm: str, tables: Tables, nlp: NlpEngine) -> str | None:
    """Why a free-mail address (qq/163/126 ...) is an office's published mailbox, or None.

    Like Presidio's context words, but both ways: the label before it (投稿/提交/举报邮箱, an
    organ name + 邮箱), or page furniture around it (主办, 邮编, ICP备 within two lines) make it
    the office's; a person's name before it on its line, a personal label (个人/本人邮箱), a
    roster table or 名单/公示 words around it keep it personal."""
    line_start = norm.rfind("\n", 0, hit.start) + 1
    before = norm[max(line_start, hit.start - MAIL_LINE_BEFORE) : hit.start]
    label = RE_MAIL_LABEL.search(before)
    head = before[: label.start()] if label else before.rstrip(" :：")
    lead = RE_LEAD_CUT.split(head)[-1]
    if label and lead.endswith(PERSONAL_MAIL_LEADS):
        return None
    reason = None
    if lead.endswith(OFFICE_MAIL_LEADS):
        reason = f"前文为“{lead[-8:]}{label.group().strip(' :：') if label else ''}”，是单位的收件邮箱"
    elif label and len(lead) >= 3 and lead.endswith(ORGAN_ENDINGS):
        reason = f"前文为单位名称“{lead[-12:]}”，是该单位的邮箱"
    else:
        window = _lines_around(norm, hit.start, hit.end)
        if not any(w in window for w in ROSTER_WORDS):
            marks = [w for w in PAGE_FURNITURE if w in window]
            contacts = [w for w in PAGE_CONTACT_LABELS if w in window]
            if hit.block is not None and hit.block.kind == BlockKind.FOOTER:
                reason = "位于页脚中"
            elif marks or len(contacts) >= 2:
                reason = f"位于页面底部信息中（前后有“{'”“'.join((marks or contacts)[:3])}”）"
    if reason is None or _person_before(before, nlp) or _person_table(hit, tables, nlp):
        return None
    return reason


def _lines_around(norm: str, start: int, end: int) -> str:
    """The address's line and FURNITURE_LINES lines either side (at most FURNITURE_REACH
    characters each way), without the address itself."""
    lo = norm.rfind("\n", 0, start) + 1
    for _ in range(FURNITURE_LINES):
        if lo <= 0:
            break
        lo = norm.rfind("\n", 0, lo - 1) + 1
    hi = norm.find("\n", end)
    for _ in range(FURNITURE_LINES):
        if hi < 0:
            break
        hi = norm.find("\n", hi + 1)
    hi = len(norm) if hi < 0 else hi
    return norm[max(lo, start - FURNITURE_REACH) : start] + " " + norm[end : min(hi, end + FURNITURE_REACH)]


def _person_before(before: str, nlp: NlpEngine) -> bool:
    """A person's name earlier in the address's sentence (联系人：王芳，张伟 男 …, 李老师)."""
    text = re.split(r"[。；;！？!?]", before)[-1]
    for m in RE_LABEL_NAME.finditer(text):
        name = m.group(1)
        if name not in NOT_NAMES and not any(b in name for b in NAME_BLOCKERS):
            return True
    if any(m.group()[0] in SURNAMES for m in RE_TITLED_NAME.finditer(text)):
        return True
    if not any(c in SURNAMES for c in text):
        return False
    return any(
        tok.name_like
        and _has_surname(tok.word)
        and re.fullmatch(f"[{_CJK}]{{2,4}}", tok.word) is not None
        and tok.word not in NOT_NAMES
        and not tok.word.endswith(ORG_SUFFIXES)  # jieba tags 文明办 as a name
        and not any(b in tok.word for b in NAME_BLOCKERS)
        for tok in nlp.words(text)
    )


def _person_table(hit: Hit, tables: Tables, nlp: NlpEngine) -> bool:
    """The address is a cell of a roster: its table has a name column, or its row a name."""
    if hit.cell is None:
        return False
    if any(_is_name_header(h) for h in tables.headers.get(hit.cell[:2], {}).values()):
        return True
    page, table, row, _ = hit.cell
    cells = (tables.texts.get((page, table, row, c)) for c in range(MAX_ROW_CELLS))
    return any(
        text is not None
        and RE_NAME_CELL.match(text) is not None
        and text not in NOT_NAMES
        and not text.endswith(ORG_SUFFIXES)
        and _looks_like_name(text, nlp)
        for text in cells
    )


def _decide_with_context(kind: str, confidence: float) -> Callable[[Hit, tuple[str, ...]], bool]:
    def decide(hit: Hit, words: tuple[str, ...]) -> bool:
        context = _ctx(hit, words)
        if not context:  # bare letter+digit codes are everywhere: context is required
            return False
        hit.explain += [f"{kind}号码格式", context]
        hit.confidence = confidence
        return True

    return decide


RECOGNIZERS: tuple[Recognizer, ...] = (
    # Order = priority when matches overlap: ID numbers first (an ID can pass Luhn).
    Recognizer("id_card", "居民身份证号码", RE_ID18, ID_WORDS, 0.95, "id_card", decide_id18),
    Recognizer("id_card", "居民身份证号码（15位旧版）", RE_ID15, ID_WORDS, 0.8, "id_card", decide_id15),
    Recognizer(
        "passport",
        "护照号码",
        RE_PASSPORT,
        PASSPORT_WORDS,
        0.8,
        "passport",
        _decide_with_context("护照", 0.8),
    ),
    Recognizer(
        "passport",
        "港澳通行证号码",
        RE_HKMO,
        HKMO_WORDS,
        0.8,
        "passport",
        _decide_with_context("通行证", 0.8),
    ),
    Recognizer(
        "passport",
        "军官证号码",
        RE_OFFICER,
        OFFICER_WORDS,
        0.8,
        "passport",
        _decide_with_context("军官证", 0.8),
    ),
    Recognizer("bank_card", "银行卡号", RE_BANK, BANK_WORDS, 0.9, "bank_card", decide_bank),
    Recognizer("mobile", "手机号码", RE_MOBILE, MOBILE_WORDS, 0.75, "mobile", decide_mobile),
    Recognizer("landline", "个人固定电话", RE_LANDLINE, LANDLINE_WORDS, 0.7, "landline", decide_landline),
    Recognizer(
        "email", "个人电子邮箱", RE_EMAIL, ("邮箱", "email", "E-mail", "邮件"), 0.6, "email", decide_email
    ),
)

RULE_TEXT = {
    "id_card": "身份证号码（GB 11643，含15位旧版；校验位不符但有明确标注的为疑似）",
    "mobile": "手机号码",
    "landline": "个人固定电话（家庭/住宅电话、名单中的电话；单位办公、咨询、监督电话不报）",
    "bank_card": "银行卡号（Luhn校验，银联62号段或有“卡号/账号”等上下文）",
    "email": "个人电子邮箱（政府域名和单位信箱不报）",
    "passport": "护照、港澳通行证、军官证号码（须有证件名称上下文）",
    "person_name": "人员姓名（名单表格姓名列，或紧邻个人号码的姓名）",
    "roster": "人员名单（表格或页面中3行以上含身份证号）",
}


# --- the detector ---------------------------------------------------------------------------


@register
class PersonalDataDetector(Detector):
    name = "personal_data"
    category = Category.PERSONAL_DATA
    rules = RULE_TEXT

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        if not doc.text:
            return []
        norm = normalise(doc.text)
        tables = Tables.build(doc)
        taken = Spans(self._excluded_spans(norm))
        hits: list[Hit] = []
        for rec in RECOGNIZERS:
            for m in _finditer(rec.pattern, norm):
                s, e = m.span()
                if taken.overlaps(s, e):
                    continue
                hit = self._hit(doc, norm, tables, rec, s, e)
                if rec.decide(hit, rec.context):
                    hits.append(hit)
                    taken.add(s, e)
        hits += self._wrapped(doc, norm, tables, taken)
        hits = self._resolve_rows(hits)
        self._office_mailboxes(norm, tables, hits, ctx.nlp)
        names = self._names(doc, norm, tables, hits, ctx.nlp)
        findings = [self._finding(doc, ctx, h) for h in hits]
        findings += [self._finding(doc, ctx, h) for h in names]
        findings += self._rosters(doc, ctx, tables, hits, names)
        findings.sort(key=lambda f: f.location.start or 0)
        return findings

    # -- candidates ---------------------------------------------------------------------------
    @staticmethod
    def _excluded_spans(norm: str) -> list[tuple[int, int]]:
        """统一社会信用代码 identify organisations and URLs hold file ids: keep both out."""
        spans = [m.span() for m in RE_URL.finditer(norm)]
        for m in RE_USCC.finditer(norm):
            code = m.group()
            prefix = norm[max(0, m.start() - CONTEXT_WINDOW) : m.start()]
            labelled = any(w in prefix for w in ("信用代码", "组织机构代码", "纳税人识别号", "税号"))
            # All digits (+X) could be an ID number: only a label makes it a credit code then.
            if labelled or (not code[:17].isdigit() and uscc_valid(code)):
                spans.append(m.span())
        return spans

    def _wrapped(self, doc: Document, norm: str, tables: Tables, taken: Spans) -> list[Hit]:
        """ID numbers and mobiles broken by a line wrap (`联系电话：1898840⏎3856`): digits ending
        a full line of a fixed-layout page (PDF) joined with the digits starting the next one,
        judged by the same rules as an unbroken number."""
        out: list[Hit] = []
        for m in RE_WRAPPED.finditer(norm):
            s, e = m.span()
            joined = m.group(1) + m.group(2)
            if len(joined) not in WRAPPED_LENGTHS or taken.overlaps(s, e):
                continue
            first, second = doc.block_at(m.start(1)), doc.block_at(m.start(2))
            if first is None or second is None or not _ends_full_line(doc, first, second):
                continue
            for rec in RECOGNIZERS:
                if rec.rule not in WRAPPED_RULES or not rec.pattern.fullmatch(joined):
                    continue
                hit = self._hit(doc, norm, tables, rec, s, e)
                hit.value = joined
                if rec.decide(hit, rec.context):
                    hit.explain.append("号码被换行拆成两行")
                    out.append(hit)
                    taken.add(s, e)
                    break
        return out

    @staticmethod
    def _hit(doc: Document, norm: str, tables: Tables, rec: Recognizer, s: int, e: int) -> Hit:
        lo = max(0, s - CONTEXT_WINDOW)
        nl = norm.rfind("\n", lo, s)
        block = doc.block_at(s)
        cell = None
        column = None
        if block is not None and block.kind == BlockKind.TABLE_CELL and block.row is not None:
            cell = (block.page, block.table or 0, block.row, block.col or 0)
            column = tables.context(cell)
        return Hit(
            rule=rec.rule,
            start=s,
            end=e,
            value=norm[s:e],
            block=block,
            cell=cell,
            column=column,
            prefix=norm[(nl + 1 if nl >= 0 else lo) : s],
            suffix=norm[e : e + 3],
            confidence=rec.confidence,
            mask_kind=rec.mask_kind,
            label=rec.label,
        )

    @staticmethod
    def _resolve_rows(hits: list[Hit]) -> list[Hit]:
        """Table landlines and non-free-mail addresses count only in rows about a person (the
        row also holds an ID or bank number): a 通讯录 of offices is public information."""
        id_rows = {h.cell[:3] for h in hits if h.rule in ("id_card", "bank_card", "passport") and h.cell}
        out = []
        for h in hits:
            if h.needs_person_row:
                if h.cell is None or h.cell[:3] not in id_rows:
                    continue
                h.severity = Severity.HIGH if h.rule == "landline" else Severity.MEDIUM
                h.explain.append("同一行含身份证号或银行卡号")
            out.append(h)
        return out

    @staticmethod
    def _office_mailboxes(norm: str, tables: Tables, hits: list[Hit], nlp: NlpEngine) -> None:
        """Free-mail addresses an office publishes as its own: low, kept for a reviewer's look."""
        for h in hits:
            if h.rule != "email" or _mail_domain(h.value) not in FREE_MAIL:
                continue
            reason = office_mailbox(h, norm, tables, nlp)
            if reason:
                h.severity = Severity.LOW
                h.confidence = 0.3
                h.label = "单位电子邮箱"
                h.explain = [FREE_MAIL_OFFICE if e == FREE_MAIL_PERSONAL else e for e in h.explain]
                h.explain.append(reason)
                h.why = "免费邮箱也可能是个人的，请核实后再发布。"

    # -- names --------------------------------------------------------------------------------
    def _names(self, doc: Document, norm: str, tables: Tables, hits: list[Hit], nlp: NlpEngine) -> list[Hit]:
        out: dict[tuple[int, int], Hit] = {}
        taken = Spans((h.start, h.end) for h in hits)
        number_rows = {h.cell[:3] for h in hits if h.cell and h.rule != "email"}
        number_tables = {h.cell[:2] for h in hits if h.cell and h.rule != "email"}
        for key, (s, e) in tables.cells.items():
            if tables.is_header_cell(key) or taken.overlaps(s, e):
                continue
            header = tables.context(key)
            raw = doc.text[s:e]
            name = _squash(raw)
            if not RE_NAME_CELL.match(name) or name in NOT_NAMES or name.endswith(ORG_SUFFIXES):
                continue
            by_header = header is not None and _is_name_header(header)
            by_row = (
                not by_header and key[:3] in number_rows and (header is None or not _is_header_text(header))
            ) and _looks_like_name(name, nlp)
            if not (by_header or by_row):
                continue
            lead = len(raw) - len(raw.lstrip())
            start, end = s + lead, s + len(raw.rstrip())
            hit = Hit("person_name", start, end, name, doc.block_at(start), key, header, "")
            hit.label = "人员姓名"
            hit.mask_kind = "person_name"
            hit.severity = Severity.MEDIUM if key[:2] in number_tables else Severity.LOW
            hit.confidence = 0.85 if by_header else 0.7
            hit.explain.append(f"位于“{header}”列" if by_header else "与个人号码位于同一表格行")
            if hit.severity == Severity.LOW:
                hit.explain.append("所在表格未发现个人号码，如为公开的表彰、任免名单可忽略")
            out[(start, end)] = hit
            taken.add(start, end)
        budget = [MAX_NAME_LOOKUPS]  # jieba calls left
        for h in sorted(hits, key=lambda h: h.start):
            if h.cell is not None or h.rule not in ("id_card", "mobile", "bank_card", "passport"):
                continue
            for start, end in _names_before(norm, h.start, budget, nlp):
                if taken.overlaps(start, end):
                    continue
                taken.add(start, end)
                name = doc.text[start:end]
                hit = Hit("person_name", start, end, name, doc.block_at(start), None, None, "")
                hit.label = "人员姓名"
                hit.mask_kind = "person_name"
                hit.severity = Severity.MEDIUM
                hit.confidence = 0.7
                hit.explain.append(f"紧邻{h.label}出现的人名")
                out[(start, end)] = hit
        return list(out.values())

    # -- rosters ------------------------------------------------------------------------------
    def _rosters(
        self, doc: Document, ctx: ScanContext, tables: Tables, hits: list[Hit], names: list[Hit]
    ) -> list[Finding]:
        groups: dict[tuple, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for h in hits + names:
            if h.cell is not None:
                key: tuple = ("table", *h.cell[:2])
                unit: tuple[int, int] | int = h.cell[2]
            elif h.block is not None:
                key = ("page", h.block.page)
                unit = (h.block.paragraph, h.start) if h.block.paragraph < 0 else h.block.paragraph
            else:
                continue
            groups[key][h.rule].add(unit)
            groups[key]["_spans"].add((h.start, h.end))
            if h.rule == "id_card":
                groups[key]["_ids"].add(digits_of(h.value))
        out = []
        for key, g in groups.items():
            rows = len(g.get("id_card", ()))
            if rows < ROSTER_MIN_ROWS:
                continue
            if key[0] == "table":
                spans = [tables.extent[key[1:]]]
                where = "表格"
            else:
                spans = sorted(g["_spans"])
                where = "页面"
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            parts = [f"{rows}行含身份证号"]
            for rule, label in (("mobile", "手机号"), ("bank_card", "银行卡号"), ("person_name", "姓名")):
                if g.get(rule):
                    parts.append(f"{len(g[rule])}处{label}")
            summary = "、".join(parts)
            out.append(
                ctx.finding(
                    doc,
                    category=Category.PERSONAL_DATA,
                    rule="roster",
                    severity=Severity.HIGH,
                    message=f"疑似人员名单（花名册）：{where}中{summary}。成批公开个人信息风险高，应整体核查。",
                    raw="roster|" + "|".join(sorted(g["_ids"])),
                    evidence=f"人员名单：{summary}",
                    start=start,
                    end=end,
                    suggestion="名单确需公示的，仅保留必要字段（如姓名脱敏为“张*”、证件号仅留后4位）；否则删除名单或改为依申请公开。",
                    basis=BASIS,
                    confidence=0.9,
                    details=RosterDetails(rows_with_id=rows, scope=key[0]),
                )
            )
        return out

    # -- output -------------------------------------------------------------------------------
    @staticmethod
    def _finding(doc: Document, ctx: ScanContext, h: Hit) -> Finding:
        where = ""
        if h.block is not None and (
            h.block.hidden or h.block.kind not in (BlockKind.BODY, BlockKind.TABLE_CELL)
        ):
            places = [_KIND_LABELS.get(h.block.kind, "")] + (["隐藏文字"] if h.block.hidden else [])
            where = f"（位于{'、'.join(p for p in places if p)}中）"
        reasons = "；".join(h.explain)
        raw = h.value if h.rule in ("email", "person_name") else digits_of(h.value)
        if h.rule == "mobile":
            raw = raw[-11:]  # +86 / 0086 prefix: same number, same hash, mask as 138****5678
        return ctx.finding(
            doc,
            category=Category.PERSONAL_DATA,
            rule=h.rule,
            severity=h.severity,
            message=f"发现{h.label}{where}：{reasons}。{h.why or _WHY.get(h.rule, _WHY['default'])}",
            raw=raw,
            start=h.start,
            end=h.end,
            suggestion=SUGGESTION if h.rule != "person_name" else "删除姓名或脱敏为“张*”形式后再发布。",
            basis=BASIS,
            mask_kind=h.mask_kind,
            confidence=h.confidence,
            details=PersonalDataDetails(recognizer=h.label, checks=tuple(h.explain), column=h.column or None),
        )


_WHY = {
    "id_card": "身份证号属于敏感个人信息，不得在政府网站公开。",
    "bank_card": "银行卡号属于敏感个人信息（金融账户），不得公开。",
    "person_name": "姓名与其他信息结合可识别特定个人，公开前应脱敏。",
    "default": "属于个人信息，公开前应删除或脱敏。",
}
_KIND_LABELS = {
    BlockKind.BODY: "",
    BlockKind.TABLE_CELL: "表格",
    BlockKind.HEADER: "页眉",
    BlockKind.FOOTER: "页脚",
    BlockKind.TEXT_BOX: "文本框",
    BlockKind.COMMENT: "批注",
    BlockKind.REVISION_INSERT: "修订插入内容",
    BlockKind.REVISION_DELETE: "修订删除内容",
    BlockKind.METADATA: "文档属性",
    BlockKind.ANNOTATION: "注释",
    BlockKind.OCR: "扫描图像识别文字",
    BlockKind.ALT_TEXT: "图片替代文字",
}


class Spans:
    """Non-overlapping taken spans, sorted: overlap checks stay O(log n) on huge rosters."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans):
            self.add(s, e)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s) - 1
        if i >= 0 and self.ends[i] > s:
            return True
        return i + 1 < len(self.starts) and self.starts[i + 1] < e

    def add(self, s: int, e: int) -> None:
        i = bisect.bisect_right(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)


def _is_name_header(header: str) -> bool:
    header = re.sub(r"[（(].*?[）)]$", "", header)
    return header in NAME_HEADERS or header.endswith("姓名")


def _has_surname(name: str) -> bool:
    return name[:2] in COMPOUND_SURNAMES or name[0] in SURNAMES


def _looks_like_name(name: str, nlp: NlpEngine) -> bool:
    """A cell with no header: surname + jieba person tag (or a word jieba does not know)."""
    if "·" in name or "•" in name:
        return True
    if not _has_surname(name):
        return False
    tokens = nlp.words(name)
    return bool(tokens) and (tokens[0].name_like or len(tokens[0].word) < len(name) <= 3)


_WINDOW_CUT = re.compile(r".*([\n。；;！？0-9])", re.S)


def _names_before(norm: str, pos: int, budget: list[int], nlp: NlpEngine) -> list[tuple[int, int]]:
    """Names in the short window before a personal number, same sentence: label first, else
    jieba (at most `budget[0]` more calls: it is the slow part on huge rosters)."""
    lo = max(0, pos - 24)
    window = norm[lo:pos]
    # Stop at the sentence start and at an earlier number: a name before that belongs to it.
    m = _WINDOW_CUT.search(window)
    cut = m.start(1) if m else -1
    if cut >= 0:
        lo += cut + 1
        window = window[cut + 1 :]
    if len(re.findall(f"[{_CJK}]", window)) < 2:
        return []
    found = [(lo + m.start(1), lo + m.end(1)) for m in RE_LABEL_NAME.finditer(window)]
    found = [
        (s, e)
        for s, e in found
        if norm[s:e] not in NOT_NAMES and not any(b in norm[s:e] for b in NAME_BLOCKERS)
    ]  # "联系人手机：…": 手机 follows the label but is no name
    if found:
        return found
    if budget[0] <= 0 or not any(c in SURNAMES for c in window):
        return []
    budget[0] -= 1
    out = []
    tokens = nlp.words(window)
    offset = 0
    for i, tok in enumerate(tokens):
        word, start = tok.word, lo + offset
        offset += len(word)
        if not tok.name_like or word in NOT_NAMES or not re.fullmatch(f"[{_CJK}]{{1,4}}", word):
            continue
        if any(b in word for b in NAME_BLOCKERS):
            continue
        if not _has_surname(word):
            continue
        end = start + len(word)
        nxt = tokens[i + 1].word if i + 1 < len(tokens) else ""
        after = tokens[i + 2].word if i + 2 < len(tokens) else ""
        # jieba splits unknown given names ("李四|华", "王|某某"): take the short tail along.
        if (
            len(word) <= 2
            and re.fullmatch(f"[{_CJK}]{{1,2}}", nxt or "-")
            and len(word) + len(nxt) <= 4
            and (
                after == ""
                or not re.fullmatch(f"[{_CJK}]+", after)
                or after in ("身份证", "身份证号", "手机", "手机号", "电话")
            )
        ):
            end += len(nxt)
        if len(word) == 1 and end - start == 1:
            continue
        out.append((start, end))
    return out
