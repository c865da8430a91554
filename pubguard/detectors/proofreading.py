"""Proofreading (校对): the 初审 checks a machine can do without guessing.

Rules: the 发文字号 format of GB/T 9704-2012 (7.2.4), unmatched paired punctuation, half-width
punctuation between Chinese characters, accidental repeated characters, and a data list of
confusions that are almost always wrong (`wordlists/proofreading.toml`). Everything that needs
semantic judgement (的/地/得, 权利/权力 ...) is left out on purpose: a proofreading report that
cries wolf gets ignored.

Only visible text is read (no metadata, comments, deleted revisions, hidden or alt text). OCR
text is checked by the confusion list only: recognition itself swaps brackets and punctuation.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import logging
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pubguard import lexicon, segment
from pubguard.details import ProofreadingDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.document import NON_VISIBLE_KINDS, BlockKind, Document, TextBlock
from pubguard.finding import Category, Finding, Location, Severity
from pubguard.lexicon.fold import HALF_TO_FULL, digit_table
from pubguard.masking import mask_value
from pubguard.targets import ProofreadingTarget

WORDLIST = Path(__file__).resolve().parent.parent / "wordlists" / "proofreading.toml"

BASIS_DOCNO = "GB/T 9704-2012《党政机关公文格式》7.2.4 发文字号：年份标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位"
BASIS_PUNCT = "GB/T 15834-2011《标点符号用法》"
BASIS_TEXT = "《党政机关公文处理工作条例》关于公文文字准确、规范的要求；网站内容发布“三审三校”"

MAX_PER_RULE = 50  # findings per rule per document; the rest are summarised in one finding
_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_FULLWIDTH_DIGITS = digit_table()  # pubguard/lexicon/fold.py
_FW_DIGIT = re.compile("[０-９]")

# 发文字号: 机关代字 + bracketed year + number + 号. Any bracket is accepted here so that wrong ones
# can be reported; the year must be 2 or 4 digits and the number must follow the bracket directly.
# The pattern starts at the bracket so the regex engine can skip ahead by character class; the
# 机关代字 before it is checked separately (RE_CODE_BEFORE).
RE_DOCNO = lexicon.pattern("doc_number", "doc_number_tail")  # pubguard/lexicon/doc_number.toml
RE_CODE_BEFORE = re.compile(rf"[{_CJK}]{{1,12}}\s?$")
_CODE_LEAD = re.compile(
    r"^(?:根据|依据|按照|依照|参照|贯彻|落实|执行|印发|转发|关于|详见|参见|见|据|的|和|及|与|或)+"
)

PAIRS = {"“": "”", "‘": "’", "（": "）", "《": "》", "【": "】"}
CLOSERS = {v: k for k, v in PAIRS.items()}
_PAIR_CHARS = re.compile("[" + "".join(PAIRS) + "".join(CLOSERS) + "]")

# Half-width punctuation between Chinese: left side may be an ideograph or a closing mark,
# right side an ideograph or an opening mark.
_LEFT = rf"[{_CJK}》”）」』]"
_RIGHT = rf"[{_CJK}《“（「』]"
RE_MIXED = re.compile(rf"[,;:?!](?<={_LEFT}.)(?={_RIGHT})")  # punctuation first: fast scan
# (?<=[CJK])\((?=[CJK])|(?<=[CJK])\)(?=[CJK，。；：、]|$), bracket first so the engine skips ahead by it.
RE_MIXED_PAREN = re.compile(rf"\((?<=[{_CJK}]\()(?=[{_CJK}])|\)(?<=[{_CJK}]\))(?=[{_CJK}，。；：、]|$)")
FULL = HALF_TO_FULL  # pubguard/lexicon/fold.py

RE_DOUBLE = re.compile(rf"([{_CJK}])\1")
# Reduplications that are words in their own right (jieba also keeps most as one token).
REDUPLICATIONS = frozenset(
    str.split(
        "一一 年年 天天 人人 常常 看看 个个 家家 户户 处处 事事 时时 刻刻 步步 层层 条条 件件 样样 代代 世世 渐渐 纷纷 "
        "往往 仅仅 刚刚 好好 谢谢 等等 多多 默默 久久 稍稍 轻轻 慢慢 明明 恰恰 种种 区区 频频 屡屡 连连 声声 句句 "
        "字字 点点 滴滴 统统 通通 万万 哈哈 妈妈 爸爸 哥哥 姐姐 弟弟 妹妹 爷爷 奶奶 叔叔 伯伯 宝宝 星星 试试 想想 说说 "
        "谈谈 走走 匆匆 悄悄 深深 紧紧 牢牢 高高 大大 小小 早早 白白 苦苦 冉冉 蒸蒸 欣欣 井井 源源 滚滚 孜孜 兢兢 "
        "勤勤 恳恳 堂堂 历历 比比 累累 赫赫 浩浩 荡荡 洋洋 芸芸 莘莘 济济 津津 侃侃 滔滔 谆谆 循循 斤斤 念念 依依 "
        "栩栩 彬彬 息息 寥寥 面面 头头 格格 人人 分分 秒秒 月月 周周 日日 次次 回回 项项 村村 镇镇 户户 岁岁 "
        "生生 世世 朝朝 暮暮 丝丝 缕缕 重重 般般 形形 色色 哗哗 隆隆 熊熊 茫茫 漫漫 默默 沉沉"
    )
)
TERMINAL = tuple("。！？；：…")

SEVERITY = {
    "doc_number_format": Severity.MEDIUM,
    "unmatched_pair": Severity.LOW,
    "mixed_punctuation": Severity.LOW,
    "repeated_char": Severity.LOW,
    "confusion": Severity.LOW,
}

log = logging.getLogger("pubguard.detectors.proofreading")


# --- confusion list -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Confusion:
    wrong: str
    right: str
    pattern: str
    note: str
    severity: Severity
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfusionList:
    entries: tuple[Confusion, ...]
    regex: re.Pattern[str]  # one alternation, group c<i> = entry i
    first_chars: re.Pattern[str]  # the characters an entry can start with
    # The literal text every match of an entry starts with (up to two characters): far rarer
    # in prose than the first characters alone (一, 出, 发, 部 ...).
    starts: re.Pattern[str] | None = None


def _literal_prefix(pattern: str, limit: int = 2) -> str:
    """The characters every match of `pattern` starts with (its leading plain literals)."""
    try:
        import re._constants as sre_constants
        import re._parser as sre_parse

        chars: list[str] = []
        for op, av in sre_parse.parse(pattern):
            if op is not sre_constants.LITERAL or len(chars) >= limit:
                break
            chars.append(chr(av))
        return "".join(chars)
    except Exception:  # a parser change across Python versions: fall back to the first chars
        return ""


@lru_cache(maxsize=4)
def load_confusions(path: Path = WORDLIST) -> ConfusionList:
    """Load and compile the confusion list once (it is data, so editors can extend it)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for item in data.get("confusion", []):
        entries.append(
            Confusion(
                wrong=item["wrong"],
                right=item["right"],
                pattern=item.get("pattern") or re.escape(item["wrong"]),
                note=item.get("note", ""),
                severity=Severity(item.get("severity", "low")),
                match=tuple(item.get("match", ())),
                no_match=tuple(item.get("no_match", ())),
            )
        )
    regex = re.compile("|".join(f"(?P<c{i}>{e.pattern})" for i, e in enumerate(entries)) or r"(?!)")
    # By convention a pattern matches exactly `wrong`, so it starts with wrong[0].
    firsts = "".join(sorted({re.escape(e.wrong[0]) for e in entries}))
    prefixes = sorted({_literal_prefix(e.pattern) or e.wrong[0] for e in entries})
    starts = re.compile("|".join(re.escape(p) for p in prefixes)) if prefixes else None
    return ConfusionList(tuple(entries), regex, re.compile(f"[{firsts}]" if firsts else r"(?!)"), starts)


# --- visible paragraphs ---------------------------------------------------------------------


@dataclass(slots=True)
class Para:
    """A reader's paragraph of visible text, mapped back to `doc.text` offsets piece by piece."""

    text: str = ""
    offsets: list[int] = field(default_factory=list)  # paragraph offset where each piece starts
    starts: list[int] = field(default_factory=list)  # matching doc.text offset
    ocr: bool = False
    kind: BlockKind = BlockKind.BODY

    def add(self, text: str, doc_start: int) -> None:
        if self.offsets and self.starts[-1] + (len(self.text) - self.offsets[-1]) == doc_start:
            self.text += text  # contiguous with the previous piece
            return
        self.offsets.append(len(self.text))
        self.starts.append(doc_start)
        self.text += text

    def to_doc(self, i: int) -> int:
        if len(self.offsets) == 1:  # one piece (every paragraph of a text file): offsets[0] == 0
            return self.starts[0] + i
        k = max(bisect.bisect_right(self.offsets, i) - 1, 0)
        return self.starts[k] + i - self.offsets[k]

    def span(self, i: int, j: int) -> tuple[int, int]:
        return self.to_doc(i), self.to_doc(max(j - 1, i)) + 1


_INVISIBLE_KINDS = NON_VISIBLE_KINDS | {BlockKind.ALT_TEXT}


def paragraphs(doc: Document) -> list[Para]:
    """Visible paragraphs. Fixed-layout formats give one paragraph per line, so wrapped lines of
    one paragraph (previous line reaches the right edge and does not end a sentence) are joined."""
    if all(b.bbox is None for b in doc.blocks):
        return _paragraphs_without_layout(doc)
    return _paragraphs_with_layout(doc)


def _paragraphs_with_layout(doc: Document) -> list[Para]:
    # Pass 1: the right edge of each page's visible text, and the runs of blocks with one
    # paragraph key (a PDF line), each as (its blocks, its text joined).
    invisible = _INVISIBLE_KINDS
    right_edge: dict[int, float] = {}
    groups: list[list[TextBlock]] = []
    last_key: tuple | None = None
    current: list[TextBlock] = []
    for i, b in enumerate(doc.blocks):
        if b.hidden or b.kind in invisible:
            continue
        bbox = b.bbox
        if bbox is not None:
            edge = right_edge.get(b.page)
            x1 = bbox[2]
            # max(right_edge.get(page, 0.0), x1), without the call
            if edge is None:
                right_edge[b.page] = x1 if x1 > 0.0 else 0.0
            elif x1 > edge:
                right_edge[b.page] = x1
        if not b.text:
            continue
        key = (b.page, b.paragraph, b.kind) if b.paragraph >= 0 else (b.page, -1 - i, b.kind)
        if last_key == key and groups:
            current.append(b)
        else:
            current = [b]
            groups.append(current)
            last_key = key
    # Pass 2: wrapped lines joined (`_continues`), offsets as Para.add keeps them.
    out: list[Para] = []
    pieces: list[str] = []
    size = 0
    para: Para | None = None
    prev: list[TextBlock] | None = None
    for blocks in groups:
        first = blocks[0]
        if para is None or prev is None or not _continues(prev, first, right_edge):
            if para is not None:
                para.text = "".join(pieces)
            para = Para(ocr=first.kind == BlockKind.OCR, kind=first.kind)
            out.append(para)
            pieces, size = [], 0
        offsets, starts = para.offsets, para.starts
        for b in blocks:  # Para.add, with the text joined once at the end
            if not (offsets and starts[-1] + (size - offsets[-1]) == b.start):
                offsets.append(size)
                starts.append(b.start)
            pieces.append(b.text)
            size += len(b.text)
        prev = blocks
    if para is not None:
        para.text = "".join(pieces)
    return out


def _paragraphs_without_layout(doc: Document) -> list[Para]:
    """`paragraphs(doc)` when no block has a box (text formats, HTML): no wrapped lines to join
    (`_continues` needs boxes), so each run of blocks with one paragraph key is a paragraph."""
    out: list[Para] = []
    para: Para | None = None
    pieces: list[str] = []
    size = 0
    last_key: tuple | None = None
    invisible = _INVISIBLE_KINDS
    ocr = BlockKind.OCR
    for i, b in enumerate(doc.blocks):
        text = b.text
        if not text or b.hidden or b.kind in invisible:
            continue
        kind = b.kind
        key = (b.page, b.paragraph, kind) if b.paragraph >= 0 else (b.page, -1 - i, kind)
        if para is None or key != last_key:
            if para is not None and len(pieces) > 1:
                para.text = "".join(pieces)
            para = Para(text, [0], [b.start], kind == ocr, kind)  # one piece: its text already
            out.append(para)
            pieces, size, last_key = [text], len(text), key
            continue
        if para.starts[-1] + (size - para.offsets[-1]) != b.start:
            para.offsets.append(size)
            para.starts.append(b.start)
        pieces.append(text)
        size += len(text)
    if para is not None and len(pieces) > 1:
        para.text = "".join(pieces)
    return out


def _continues(prev: list[TextBlock], nxt: TextBlock, right_edge: dict[int, float]) -> bool:
    last = prev[-1]
    lbox, nbox = last.bbox, nxt.bbox
    if lbox is None or nbox is None or last.page != nxt.page or last.kind != nxt.kind:
        return False
    if last.kind == BlockKind.TABLE_CELL:
        return False
    # The geometry first (no string built): the line reaches the right edge and the next one
    # is not above it.
    edge = right_edge.get(last.page, 0.0)
    x0 = lbox[0] if len(prev) == 1 else min(b.bbox[0] for b in prev if b.bbox)
    width = edge - x0
    if not (width > 0 and lbox[2] >= edge - 0.08 * width and nbox[1] >= lbox[1]):
        return False
    text = (last.text if len(prev) == 1 else "".join(b.text for b in prev)).rstrip()
    return bool(text) and not text.endswith(TERMINAL)


# --- issues ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Issue:
    rule: str
    start: int  # paragraph offsets
    end: int
    message: str
    suggestion: str
    evidence: str
    severity: Severity
    basis: str
    details: ProofreadingDetails = field(default_factory=ProofreadingDetails)
    # What makes two issues "the same problem" (one finding with a count): the wrong word, the
    # doubled pair, the unmatched mark; the evidence snippet when empty.
    key: str = ""


_DIGIT_RUN = re.compile(r"[0-9０-９Xx]{7,}")
_RUN_CHARS = frozenset("0123456789０１２３４５６７８９Xx")


def snippet(text: str, i: int, j: int, pad: int = 8) -> str:
    """Context for the report; long digit runs (possible personal numbers) are masked."""
    lo, hi = max(0, i - pad), min(len(text), j + pad)
    while lo > 0 and text[lo - 1] in _RUN_CHARS and text[lo] in _RUN_CHARS:
        lo -= 1  # never cut a number in half: the masking below needs all of it
    while hi < len(text) and text[hi] in _RUN_CHARS and text[hi - 1] in _RUN_CHARS:
        hi += 1
    piece = text[lo:hi].replace("\n", " ")
    piece = _DIGIT_RUN.sub(lambda m: mask_value(m.group()), piece)
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(text) else "")


def check_doc_numbers(text: str) -> Iterator[Issue]:
    norm = text.translate(_FULLWIDTH_DIGITS) if _FW_DIGIT.search(text) else text
    for m in RE_DOCNO.finditer(norm):
        year = m["year"]
        before = RE_CODE_BEFORE.search(norm, max(0, m.start() - 13), m.start())
        if before is None or (len(year) == 4 and not year.startswith(("19", "20"))):
            continue
        code_raw = before.group().rstrip()
        problems = []
        if m["open"] != "〔" or m["close"] != "〕":
            problems.append(f"年份用了“{m['open']}{m['close']}”，应使用六角括号“〔〕”")
        if len(year) == 2:
            this_year = _dt.date.today().year % 100
            year = ("20" if int(year) <= this_year else "19") + year
            problems.append("年份应标全称（四位）")
        if m["di"]:
            problems.append("发文顺序号前不加“第”字")
        num = m["num"]
        original = text[m.start("year") : m.end("num")]
        if _FW_DIGIT.search(original):
            problems.append("年份和序号应使用半角阿拉伯数字")
        if len(num) > 1 and num.startswith("0"):
            problems.append("发文顺序号不编虚位（如1不编为01）")
        if not problems:
            continue
        code = _CODE_LEAD.sub("", code_raw) or code_raw
        start = before.start() + (len(code_raw) - len(code))
        fixed = f"{code}〔{year}〕{int(num)}号"
        yield Issue(
            "doc_number_format",
            start,
            m.end(),
            f"发文字号格式不规范：{'；'.join(problems)}。",
            f"改为“{fixed}”。",
            text[start : m.end()],
            SEVERITY["doc_number_format"],
            BASIS_DOCNO,
            ProofreadingDetails(corrected=fixed),
        )


_MATCHED = tuple(o + c for o, c in PAIRS.items())


def _balanced(marks: str) -> bool:
    """Whether the paired marks of a paragraph close properly (innermost pairs removed until
    none is left): most paragraphs, decided without the per-mark loop below."""
    while marks:
        before = len(marks)
        for pair in _MATCHED:
            marks = marks.replace(pair, "")
        if len(marks) == before:
            return False
    return True


def check_pairs(text: str, next_text: str = "") -> Iterator[Issue]:
    marks = "".join(_PAIR_CHARS.findall(text))
    if "’" not in marks and _balanced(marks):  # ’ may be an apostrophe: the loop decides
        return
    stack: list[tuple[str, int]] = []
    bad: list[tuple[int, str]] = []
    for mark in _PAIR_CHARS.finditer(text):
        i, ch = mark.start(), mark.group()
        if ch in PAIRS:
            stack.append((ch, i))
        elif ch in CLOSERS:
            if ch == "’" and 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i + 1].isascii():
                continue  # apostrophe in English: don’t
            opener = CLOSERS[ch]
            depth = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == opener), None)
            if depth is None:
                bad.append((i, f"“{ch}”前面没有对应的“{opener}”"))
                continue
            for ch2, j in stack[depth + 1 :]:  # openers skipped over are unclosed
                bad.append((j, f"“{ch2}”没有对应的“{PAIRS[ch2]}”"))
            del stack[depth:]
    for ch, j in stack:
        # A quotation running over several paragraphs opens each one and closes only at its end.
        if ch == "“" and next_text.lstrip().startswith("“"):
            continue
        bad.append((j, f"“{ch}”没有对应的“{PAIRS[ch]}”"))
    for i, what in sorted(bad):
        yield Issue(
            "unmatched_pair",
            i,
            i + 1,
            f"成对标点不配对：{what}，可能漏写或多写。",
            "补齐或删去多余的括号、引号、书名号。",
            snippet(text, i, i + 1),
            SEVERITY["unmatched_pair"],
            BASIS_PUNCT,
            key=what,
        )


def mixed_hits(text: str) -> list[tuple[int, str]]:
    """(offset, mark) of every half-width mark between Chinese characters, in order."""
    hits = [(m.start(), m.group()) for m in RE_MIXED.finditer(text)]
    paren = [(m.start(), m.group()) for m in RE_MIXED_PAREN.finditer(text)]
    return sorted(hits + paren) if paren else hits


def check_repeats(
    text: str, skip: Iterable[tuple[int, int]] = (), at: Iterable[int] | None = None
) -> Iterator[Issue]:
    """Accidental doubled characters; `at`: where RE_DOUBLE.finditer(text) matches, when the
    caller already knows (`_doubled`)."""
    taken = list(skip)
    for i in (m.start() for m in RE_DOUBLE.finditer(text)) if at is None else at:
        pair = text[i : i + 2]
        if pair in REDUPLICATIONS or any(a < i + 2 and i < b for a, b in taken):
            continue
        # AABB words (认认真真, 实实在在) and ABB/AAB shapes formed with neighbours.
        if (i >= 2 and text[i - 2] == text[i - 1] != text[i]) or (
            i + 3 < len(text) and text[i + 2] == text[i + 3] != text[i]
        ):
            continue
        lo = max(0, i - 4)
        window = text[lo : i + 6]
        singles = {lo + s for s in segment.single_chars(window)}
        if i not in singles or i + 1 not in singles:
            continue  # 目的|的, 现在|在, 不了了之: one of the two belongs to a word
        yield Issue(
            "repeated_char",
            i,
            i + 2,
            f"“{pair}”疑似误重复输入了“{pair[0]}”字。",
            f"删去一个“{pair[0]}”。",
            snippet(text, i, i + 2, 6),
            SEVERITY["repeated_char"],
            BASIS_TEXT,
            key=pair,
        )


def _candidates(confusions: ConfusionList, text: str) -> Iterator[int]:
    """Every position where an entry's match can start, in order."""
    if confusions.starts is None:
        for first in confusions.first_chars.finditer(text):
            yield first.start()
        return
    search = confusions.starts.search
    m = search(text)
    while m is not None:
        yield m.start()
        m = search(text, m.start() + 1)  # prefixes may overlap (一如 / 如…)


def check_confusions(text: str, confusions: ConfusionList) -> Iterator[Issue]:
    # Only try the alternation where an entry can start: ~40x faster than finditer on big texts.
    pos = 0
    for start in _candidates(confusions, text):
        if start < pos:
            continue
        m = confusions.regex.match(text, start)
        if m is None or not m.lastgroup:
            continue
        pos = m.end()
        entry = confusions.entries[int(m.lastgroup[1:])]
        yield Issue(
            "confusion",
            m.start(),
            m.end(),
            f"“{m.group()}”疑为“{entry.right}”之误：{entry.note}。",
            f"改为“{entry.right}”。",
            snippet(text, m.start(), m.end(), 6),
            entry.severity,
            BASIS_TEXT,
            ProofreadingDetails(wrong=entry.wrong, right=entry.right),
            key=m.group(),
        )


# Characters without which a check cannot report anything in a paragraph.
_DOCNO_TRIGGER = re.compile(
    RE_DOCNO.pattern.split(")", 1)[0].removeprefix("(?P<open>")
)  # its opening bracket
# RE_DOCNO itself with full-width digits allowed wherever it takes a digit: it matches a raw
# paragraph wherever RE_DOCNO matches the paragraph with its digits folded (one character for
# one, so at the same place), and far fewer paragraphs than the bracket alone (（ is everywhere).
# Only when the pattern spells its digits as [0-9] (and not \d); else the bracket is the trigger.
_DOCNO_RAW = (
    re.compile(RE_DOCNO.pattern.replace("[0-9]", "[0-9" + "".join(map(chr, _FULLWIDTH_DIGITS)) + "]"))
    if "[0-9]" in RE_DOCNO.pattern and "\\d" not in RE_DOCNO.pattern
    else _DOCNO_TRIGGER
)
_MIXED_TRIGGER = re.compile(r"[,;:?!()]")  # RE_MIXED / RE_MIXED_PAREN report one of these
# RE_MIXED_PAREN over paragraphs joined by newlines: `$` at each paragraph's end.
_MIXED_PAREN_LINES = re.compile(RE_MIXED_PAREN.pattern, re.M)
_PAIR_CHARS_OR_NEWLINE = re.compile(_PAIR_CHARS.pattern[:-1] + "\n]")


def _join(paras: list[Para]) -> tuple[str, list[int]]:
    """All paragraph texts joined by newlines (no trigger matches a newline, so none spans two
    paragraphs) and where each starts."""
    starts = []
    pos = 0
    for p in paras:
        starts.append(pos)
        pos += len(p.text) + 1
    return "\n".join(p.text for p in paras), starts


def _unbalanced_paras(joined: str, count: int) -> set[int] | None:
    """Indexes of the paragraphs whose paired marks `check_pairs` must look at (not balanced,
    or holding ’), decided for all paragraphs at once: the marks of every paragraph, newline-
    separated, reduced together (a pair never spans a newline, so each paragraph's marks reduce
    as `_balanced` reduces them alone). None when a paragraph holds a newline itself."""
    marks = "".join(_PAIR_CHARS_OR_NEWLINE.findall(joined))
    if marks.count("\n") != count - 1:
        return None
    residue = marks
    while True:
        before = len(residue)
        for pair in _MATCHED:
            residue = residue.replace(pair, "")
        if len(residue) == before:
            break
    out = {k for k, r in enumerate(residue.split("\n")) if r}
    if "’" in marks:
        out |= {k for k, m in enumerate(marks.split("\n")) if "’" in m}
    return out


def _mixed_by_para(joined: str, starts: list[int]) -> list[tuple[int, int, str]]:
    """(paragraph index, offset, mark) of every `mixed_hits` hit of every paragraph, in order,
    from one pass of each pattern over the newline-joined paragraphs (none may hold a newline:
    both patterns look one character around the mark, and a newline is in neither class)."""
    hits = [(m.start(), m.group()) for m in RE_MIXED.finditer(joined)]
    paren = [(m.start(), m.group()) for m in _MIXED_PAREN_LINES.finditer(joined)]
    if paren:
        hits = sorted(hits + paren)
    out: list[tuple[int, int, str]] = []
    k, nxt, n = 0, (starts[1] if len(starts) > 1 else len(joined) + 1), len(starts)
    for pos, ch in hits:
        if pos >= nxt:
            k = bisect.bisect_right(starts, pos) - 1
            nxt = starts[k + 1] if k + 1 < n else len(joined) + 1
        out.append((k, pos - starts[k], ch))
    return out


_DOUBLED_CHUNK = 1 << 16  # pair starts per numpy pass in _doubled


def _doubled(joined: str, starts: list[int]) -> dict[int, list[int]]:
    """Paragraph index -> the offsets in that paragraph where RE_DOUBLE.finditer matches (a
    CJK character followed by itself; leftmost, non-overlapping), for all paragraphs joined by
    newlines (a newline is no CJK character, so no pair spans two). Long texts: code points
    compared with numpy instead of the regex's backreference tried at every ideograph."""
    if len(joined) < 4096:
        positions = [m.start() for m in RE_DOUBLE.finditer(joined)]
    else:
        import numpy as np

        positions = []
        last = -2
        # Pairs (p, p + 1) in pieces of _DOUBLED_CHUNK starts, each piece one character longer
        # for its last pair: the numpy temporaries stay ~1 MB instead of 9x the text.
        for c0 in range(0, len(joined) - 1, _DOUBLED_CHUNK):
            piece = joined[c0 : min(c0 + _DOUBLED_CHUNK, len(joined) - 1) + 1]
            codes = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            head = codes[:-1]
            cjk = ((head >= 0x4E00) & (head <= 0x9FFF)) | ((head >= 0x3400) & (head <= 0x4DBF))
            for p in (np.flatnonzero(cjk & (head == codes[1:])) + c0).tolist():
                if p >= last + 2:  # finditer goes on after each match: 哈哈哈 is one match
                    positions.append(p)
                    last = p
    out: dict[int, list[int]] = {}
    k, nxt, n = 0, (starts[1] if len(starts) > 1 else len(joined) + 1), len(starts)
    for pos in positions:
        if pos >= nxt:
            k = bisect.bisect_right(starts, pos) - 1
            nxt = starts[k + 1] if k + 1 < n else len(joined) + 1
        out.setdefault(k, []).append(pos - starts[k])
    return out


def _paras_with(trigger: re.Pattern[str], joined: str, starts: list[int]) -> set[int]:
    """Indexes of the paragraphs in which `trigger` matches."""
    out: set[int] = set()
    m = trigger.search(joined)
    while m is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        out.add(k)
        if k + 1 >= len(starts):
            break
        m = trigger.search(joined, starts[k + 1])
    return out


# --- the detector ---------------------------------------------------------------------------


@register
class ProofreadingDetector(Detector):
    name = "proofreading"
    category = Category.PROOFREADING
    rules = {
        "doc_number_format": "发文字号格式（GB/T 9704-2012：〔年份〕序号号，不加“第”、不编虚位）",
        "unmatched_pair": "成对标点不配对（引号、括号、书名号）",
        "mixed_punctuation": "中文之间使用半角标点",
        "repeated_char": "字词误重复（如“的的”“在在”，正常叠词除外）",
        "confusion": "常见易混易错词（词表 wordlists/proofreading.toml）",
    }

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        confusions = load_confusions()
        paras = paragraphs(doc)
        # Which paragraphs can hold an issue of each kind, from one pass over all of them: most
        # paragraphs hold none, and calling every check on every paragraph was the cost.
        joined, starts = _join(paras)
        may_confuse = _paras_with(confusions.starts or confusions.first_chars, joined, starts)
        doubled = _doubled(joined, starts)
        unbalanced = _unbalanced_paras(joined, len(paras)) if paras else set()
        one_line = unbalanced is not None  # no paragraph holds a newline: whole-text passes
        may_docno = _paras_with(_DOCNO_RAW if one_line else _DOCNO_TRIGGER, joined, starts)
        may_pair = unbalanced if unbalanced is not None else _paras_with(_PAIR_CHARS, joined, starts)
        may_mix = set() if one_line else _paras_with(_MIXED_TRIGGER, joined, starts)
        mixed: list[tuple[Para, int, str]] = []  # one finding per document: positions only
        if one_line:
            mixed = [(paras[k], i, ch) for k, i, ch in _mixed_by_para(joined, starts) if not paras[k].ocr]
        issues: list[tuple[Para, Issue]] = []
        for k, para in enumerate(paras):
            text = para.text
            found = list(check_confusions(text, confusions)) if k in may_confuse else []
            if not para.ocr:
                next_text = paras[k + 1].text if k + 1 < len(paras) else ""
                if k in may_docno:
                    found += check_doc_numbers(text)
                if k in may_pair:
                    found += check_pairs(text, next_text)
                if k in may_mix:
                    mixed += [(para, i, ch) for i, ch in mixed_hits(text)]
                if k in doubled:
                    taken = [(i.start, i.end) for i in found if i.rule == "confusion"]
                    found += check_repeats(text, taken, doubled[k])
            if found:
                issues += [(para, issue) for issue in found]
        out = self._findings(doc, ctx, issues)
        if mixed:
            out.append(self._mixed_finding(doc, ctx, mixed))
        return out

    @staticmethod
    def _mixed_finding(doc: Document, ctx: ScanContext, mixed: list[tuple[Para, int, str]]) -> Finding:
        """Half-width punctuation in Chinese text: one finding per document with a count and
        every location (the clean copy replaces each by its full-width form)."""
        para, i, ch = mixed[0]
        spans = [(d, d + 1) for d in [p.to_doc(j) for p, j, _ in mixed]]  # == p.span(j, j + 1)
        marks: dict[str, int] = {}
        for _, _, c in mixed:
            marks[c] = marks.get(c, 0) + 1
        if len(mixed) == 1:
            message, suggestion = f"中文之间使用了半角标点“{ch}”。", f"改为全角“{FULL[ch]}”。"
        else:
            listed = "、".join(f"“{c}”{n} 处" for c, n in marks.items())
            message = f"中文之间使用了半角标点，全文共 {len(mixed)} 处（{listed}）。"
            suggestion = "改为对应的全角标点（" + "".join(FULL[c] for c in marks) + "）；清理稿中已逐处替换。"
        evidence = snippet(para.text, i, i + 1, 6)
        f = ctx.finding(
            doc,
            category=Category.PROOFREADING,
            rule="mixed_punctuation",
            severity=SEVERITY["mixed_punctuation"],
            message=message,
            raw=f"mixed_punctuation|{evidence}",
            evidence=evidence,
            start=spans[0][0],
            end=spans[0][1],
            suggestion=suggestion,
            basis=BASIS_PUNCT,
            confidence=0.75,
            details=ProofreadingDetails(marks=marks if len(mixed) > 1 else None),
            target=ProofreadingTarget(tuple(spans)),  # the clean copy replaces each of these
        )
        if len(mixed) > 1:
            f.count = len(mixed)
            f.locations = _locations(doc, spans)
        return f

    @staticmethod
    def _findings(doc: Document, ctx: ScanContext, issues: list[tuple[Para, Issue]]) -> list[Finding]:
        """One finding per rule + key (first occurrence, count, every location), at most
        MAX_PER_RULE per rule; the rest summarised in one finding."""
        groups: dict[tuple[str, str], list[tuple[Para, Issue]]] = {}
        for para, issue in issues:
            groups.setdefault((issue.rule, issue.key or issue.evidence), []).append((para, issue))
        out: list[Finding] = []
        counts: dict[str, int] = {}
        overflow: dict[str, list[tuple[int, int]]] = {}
        for (rule, _), members in groups.items():
            n = counts.get(rule, 0)
            counts[rule] = n + 1
            spans = [para.span(issue.start, issue.end) for para, issue in members]
            if n >= MAX_PER_RULE:
                overflow.setdefault(rule, []).extend(spans)
                continue
            issue = members[0][1]
            start, end = spans[0]
            f = ctx.finding(
                doc,
                category=Category.PROOFREADING,
                rule=issue.rule,
                severity=issue.severity,
                message=issue.message,
                raw=f"{issue.rule}|{issue.evidence}",
                evidence=issue.evidence,
                start=start,
                end=end,
                suggestion=issue.suggestion,
                basis=issue.basis,
                confidence=0.9 if issue.rule in ("doc_number_format", "confusion") else 0.75,
                details=issue.details,
            )
            if len(members) > 1:
                f.count = len(members)
                f.locations = _locations(doc, spans)
            out.append(f)
        for rule, spans in overflow.items():
            out.append(
                ctx.finding(
                    doc,
                    category=Category.PROOFREADING,
                    rule=rule,
                    severity=Severity.LOW,
                    message=f"另有{len(spans)}处同类问题（{ProofreadingDetector.rules[rule]}）未逐条列出，建议全文统一校对。",
                    raw=f"{rule}|overflow",
                    evidence=f"另有{len(spans)}处",
                    start=spans[0][0],
                    end=spans[0][1],
                    suggestion="全文查找替换或逐处校对。",
                    basis=BASIS_PUNCT if rule in ("unmatched_pair", "mixed_punctuation") else BASIS_TEXT,
                    confidence=0.7,
                    details=ProofreadingDetails(count=len(spans)),
                )
            )
        return out


def _locations(doc: Document, spans: list[tuple[int, int]]) -> list[Location]:
    found = doc.locate_many(spans)
    return [Location(page=p, bbox=b, start=s, end=e) for (s, e), (p, b) in zip(spans, found, strict=True)]
