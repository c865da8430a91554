"""密级、内部标识与电报报头检测。

Real policy documents *talk about* 国家秘密 and 工作秘密 all the time, so a word alone proves
nothing. A mark is a short line that holds nothing but the mark (plus 份号 / 紧急程度 /
punctuation) and sits where GB/T 9704 puts it: the top of page 1, a running header or footer, a
text box, or in red. Only the unmistakable form `秘密★1年` (level + star) is accepted on a
standalone line anywhere, with lower confidence when it is not in a mark position.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pubguard import lexicon
from pubguard.details import MarkDetails, SecretLevelDetails, TelegramDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.document import BBox, BlockKind, Document, TextBlock, union_bbox
from pubguard.finding import Category, Finding, Severity
from pubguard.thresholds import DEFAULT as DEFAULT_THRESHOLDS
from pubguard.thresholds import MarkZones

WORDLIST = Path(__file__).resolve().parent.parent / "wordlists" / "classification_marks.toml"
# The internal marks (rule internal_marking) of pubguard/lexicon/marks.toml, shared with the
# confidential word list of sensitive_term.
MARK_ENTRIES = ("internal_material", "internal_position_only", "keep_notice", "work_secret")

# Zones ("the top of page 1", telegram field area): pubguard.thresholds.MarkZones, which a site
# overrides with [thresholds.classification_mark].
# A mark line longer than this is prose, whatever it contains.
MAX_MARK_LINE = 40

STARS = "★☆*✱✲✳⭐✩✪✫✬✭✮✯⋆"
LEVEL = r"(?P<level>[绝絕]密|[机機]密|[秘祕]密)"
TERM = r"(?:长期|[0-9]{1,2}(?:年|个月)|[一二三四五六七八九十两]{1,3}(?:年|个月))"
# Residue that may surround marks on a mark line without making it prose.
PUNCT = set("()（）【】[]〔〕「」『』<>《》〈〉·•、，,。.:：;；-—_|｜/\\!！\"'“”‘’~～")
_NON_PUNCT = re.compile("[^" + re.escape("".join(sorted(PUNCT))) + "]")

BODYISH = frozenset({BlockKind.BODY, BlockKind.TABLE_CELL, BlockKind.TEXT_BOX, BlockKind.OCR})
SKIP_KINDS = frozenset(
    {
        BlockKind.COMMENT,
        BlockKind.REVISION_DELETE,
        BlockKind.METADATA,
        BlockKind.ANNOTATION,
        BlockKind.ALT_TEXT,
    }
)

BASIS_SECRET = (
    "《中华人民共和国保守国家秘密法》（2024年修订）：禁止在互联网及其他公共信息网络发布、传递国家秘密；"
    "GB/T 9704-2012《党政机关公文格式》7.2.2 密级和保密期限；“涉密不上网、上网不涉密”。"
)
BASIS_INTERNAL = (
    "政府网站信息发布审查规定：标注“内部文件（资料）”或“注意保存、保管、保密”的文件不得上网发布；"
    "《中华人民共和国政府信息公开条例》第十六条（内部事务信息可以不予公开）。"
)
BASIS_TELEGRAM = (
    "网站群管理办法：政府网站群发布的非涉密公文不得带有红头和密码电报报头格式；"
    "《中华人民共和国保守国家秘密法》（2024年修订）：密码电报属涉密载体，不得在互联网传递。"
)
BASIS_EMERGENCY = "GB/T 9704-2012《党政机关公文格式》7.2.3 紧急程度（办文标识，网页发布时一般不保留）。"


@dataclass(frozen=True)
class MarkWords:
    internal: tuple[str, ...]
    fillers: tuple[str, ...]
    telegram: tuple[str, ...]
    fields_strong: tuple[str, ...]
    fields_weak: tuple[str, ...]
    emergency: tuple[str, ...]


def _read_table(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    table = data.get("classification_marks")
    return table if isinstance(table, dict) else {}


@lru_cache(maxsize=16)
def load_words(extra: tuple[Path, ...] = ()) -> MarkWords:
    """Built-in list plus any `[classification_marks]` table in the site's TOML word lists."""
    tables = [_read_table(WORDLIST)] + [_read_table(p) for p in extra if p.suffix == ".toml"]

    def merged(key: str) -> tuple[str, ...]:
        out: list[str] = []
        for t in tables:
            for w in t.get(key, []) or []:
                w = str(w).strip()
                if w and w not in out:
                    out.append(w)
        return tuple(sorted(out, key=len, reverse=True))  # longest first for the alternation

    shipped = {"internal_marks": [w for e in MARK_ENTRIES for w in lexicon.words("marks", e)]}
    tables.insert(0, shipped)
    return MarkWords(
        internal=merged("internal_marks"),
        fillers=merged("fillers"),
        telegram=merged("telegram_words"),
        fields_strong=merged("telegram_fields_strong"),
        fields_weak=merged("telegram_fields_weak"),
        emergency=merged("emergency_words"),
    )


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in words) or r"(?!x)x"


@lru_cache(maxsize=16)
def _token_regex(words: MarkWords) -> re.Pattern[str]:
    """One alternation over the *compact* line (no whitespace). Internal marks come first so
    that 工作秘密 is one token and not the level 秘密."""
    return re.compile(
        rf"(?P<internal>{_alt(words.internal)})"
        rf"|(?P<secret>(?P<prefix>密级[:：]?)?{LEVEL}级?(?:(?P<star>[{re.escape(STARS)}]+)"
        rf"(?:保密期限[:：]?)?(?P<term>{TERM})?)?)"
        rf"|(?P<termonly>保密期限[:：]?{TERM})"
        rf"|(?P<fenhao>(?:份号[:：]?|No\.?|NO\.?|№)?(?<![0-9])[0-9]{{6}}(?![0-9]))"
        rf"|(?P<emergency>(?:紧急程度[:：]?|等级[:：]?)?(?:{_alt(words.emergency)}))"
        rf"|(?P<telegram>{_alt(words.telegram)})"
        rf"|(?P<filler>{_alt(words.fillers)})"
    )


@lru_cache(maxsize=1)
def _nfkc_one_table() -> dict[int, str]:
    """BMP characters whose NFKC form is a single other character (built once). Only a
    character with a decomposition mapping can change under NFKC, so only those (~3,900 of
    65,536) are normalised: ~10 ms instead of ~40 ms of every process's start-up."""
    table: dict[int, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF or not unicodedata.decomposition(chr(cp)):
            continue
        norm = unicodedata.normalize("NFKC", chr(cp))
        if len(norm) == 1 and norm != chr(cp):
            table[cp] = norm
    return table


_WS_OR_ZW = re.compile(r"[\s\u200b\ufeff]")
_WS_ZW_OR_ASTRAL = re.compile(r"[\s\u200b\ufeff\U00010000-\U0010ffff]")
_WS_ZW_OR_ASTRAL_BUT_NEWLINE = re.compile(  # one class (an alternation would slow the scan)
    "["
    + re.escape("".join(chr(c) for c in range(0x3001) if chr(c).isspace() and c != 10))
    + "\u200b\ufeff\U00010000-\U0010ffff]"
)
_ASTRAL = re.compile(r"[\U00010000-\U0010ffff]")
_KEPT_RUN = re.compile(r"[^\s\u200b\ufeff]+")


def compact(text: str) -> tuple[str, Sequence[int]]:
    """Whitespace removed and each character NFKC-normalised when that keeps it one character;
    returns the string and, per character, its index in `text` (so spaced marks like
    `秘 密 ★ 一 年` and full-width `＊` match, and offsets stay exact).

    Fast path (most lines): one C-level translate, no whitespace, identity index map."""
    return _compact(text, text.translate(_nfkc_one_table()))


def _compact(text: str, translated: str) -> tuple[str, Sequence[int]]:
    """`compact(text)` given `translated` = text.translate(_nfkc_one_table()), which is the
    per-character NFKC rule for every BMP character (the table is built from that rule)."""
    if _WS_ZW_OR_ASTRAL.search(text) is None and text.isprintable():
        return translated, range(len(text))
    if _ASTRAL.search(text) is None:  # only whitespace to drop: by runs of kept characters
        pieces: list[str] = []
        kept: list[int] = []
        for m in _KEPT_RUN.finditer(text):
            a, b = m.span()
            pieces.append(translated[a:b])
            kept.extend(range(a, b))
        return "".join(pieces), kept
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\u200b\ufeff":
            continue
        norm = unicodedata.normalize("NFKC", ch)
        chars.append(norm if len(norm) == 1 else ch)
        index.append(i)
    return "".join(chars), index


_TRANSLATE_CHUNK = 1 << 16  # code points per numpy pass: its temporaries stay small (~4 bytes each, x6)


def _translate_all(text: str) -> str:
    """text.translate(_nfkc_one_table()) for a whole document: numpy over code points, a
    chunk at a time (the mapping is per code point, so chunks join to the same string)."""
    table = _nfkc_one_table()
    if len(text) < 4096:
        return text.translate(table)
    import numpy as np

    lut = _nfkc_lut()
    parts = []
    for i in range(0, len(text), _TRANSLATE_CHUNK):
        codes = np.frombuffer(
            text[i : i + _TRANSLATE_CHUNK].encode("utf-32-le", "surrogatepass"), dtype="<u4"
        )
        out = codes.copy()
        bmp = codes < 0x10000
        out[bmp] = lut[codes[bmp]]
        parts.append(out.tobytes().decode("utf-32-le", "surrogatepass"))
    return parts[0] if len(parts) == 1 else "".join(parts)


@lru_cache(maxsize=1)
def _nfkc_lut():  # numpy array, BMP code point -> translated code point
    import numpy as np

    lut = np.arange(0x10000, dtype="<u4")
    for cp, ch in _nfkc_one_table().items():
        lut[cp] = ord(ch)
    return lut


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str
    page: int
    kind: BlockKind
    blocks: list[TextBlock]
    bbox: BBox | None
    red: bool
    index: int = -1  # ordinal among visible body lines of its page, -1 for other kinds
    _compact: tuple[str, Sequence[int]] | None = field(default=None, repr=False, compare=False)
    # The document's text translated by _nfkc_one_table(), when this line needs nothing but
    # that (no whitespace, zero-width or astral character, printable): compact() is then its
    # slice, taken when asked instead of kept per line.
    _folded: str | None = field(default=None, repr=False, compare=False)

    def compact(self) -> tuple[str, Sequence[int]]:
        """`compact(self.text)`; lines are shared by the detectors of a scan."""
        if self._compact is not None:
            return self._compact
        if self._folded is not None:
            piece = self._folded[self.start : self.end]
            return (self.text if piece == self.text else piece), range(len(piece))
        self._compact = compact(self.text)
        return self._compact


@dataclass
class Token:
    kind: str
    text: str
    start: int  # offsets into Document.text
    end: int
    groups: dict[str, str | None] = field(default_factory=dict)


def build_lines(doc: Document, skip_kinds: frozenset[BlockKind] = SKIP_KINDS) -> list[Line]:
    """The visible, non-empty lines of `doc.text` with where and how they are printed.

    Built once per document and shared (classification_mark, leader_annotation): the `Line`
    objects are read-only for callers."""
    if skip_kinds & BODYISH:  # body lines skipped: the per-page ordinals change
        return _build_lines(doc, skip_kinds)
    every = doc.cached("classification_mark.lines", lambda: _build_lines(doc, frozenset()))
    return [ln for ln in every if ln.kind not in skip_kinds]


def _build_lines(doc: Document, skip_kinds: frozenset[BlockKind]) -> list[Line]:
    lines: list[Line] = []
    counters: dict[int, int] = {}
    translated = _translate_all(doc.text)  # compact() of every line from one pass
    # Where compact() has characters to drop or check: found for all lines by one search each
    # time a line is passed, instead of a regex call per line (lines hold no newline).
    text = doc.text
    special = _WS_ZW_OR_ASTRAL_BUT_NEWLINE.search
    m = special(text)
    for tl in doc.text_lines():
        if m is not None and m.start() < tl.start:
            m = special(text, tl.start)
        plain = (m is None or m.start() >= tl.end) and tl.text.isprintable()
        blocks = tl.blocks
        first = blocks[0]
        if first.kind in skip_kinds:
            continue
        page = first.page
        if len(blocks) == 1:  # the common case, without the generic set-up
            if first.hidden:
                continue
            red = bool(first.text.strip()) and first.is_red
            bbox = first.bbox
            if bbox is not None and type(bbox) is not tuple:
                bbox = union_bbox([bbox])
        else:
            if all(b.hidden for b in blocks):
                continue
            inked = [b for b in blocks if not b.hidden and b.text.strip()]
            red = bool(inked) and all(b.is_red for b in inked)
            bbox = union_bbox(b.bbox for b in blocks if b.page == page)
        index = -1
        if first.kind in BODYISH:
            index = counters.get(page, 0)
            counters[page] = index + 1
        if plain:  # compact() is the slice of `translated`, taken when asked
            lines.append(
                Line(tl.start, tl.end, tl.text, page, first.kind, blocks, bbox, red, index, None, translated)
            )
        else:
            comp = _compact(tl.text, translated[tl.start : tl.end])
            lines.append(Line(tl.start, tl.end, tl.text, page, first.kind, blocks, bbox, red, index, comp))
    return lines


@lru_cache(maxsize=16)
def _foreign_regex(words: MarkWords) -> re.Pattern[str]:
    """Matches a raw character that can be neither part of a mark token nor mark-line
    punctuation once compacted. A line holding one has residue, so it is neither standalone
    nor a 份号 line and its tokens are never used: most prose lines are dismissed by one
    C-level search instead of NFKC compaction and the token alternation."""
    allowed = set("".join(words.internal + words.fillers + words.telegram + words.emergency))
    allowed |= set("绝絕机機秘祕密级" + STARS + "保密期限:：长期0123456789年个月一二三四五六七八九十两")
    allowed |= set("份号No.NO№紧急程度等级") | PUNCT
    raw = set(allowed) | {"\u200b", "\ufeff"}
    raw |= {c for c, n in ((chr(k), v) for k, v in _nfkc_one_table().items()) if n in allowed}
    # Whitespace is dropped by compact(); astral characters are left to the full check.
    cls = "".join(re.escape(c) for c in sorted(raw))
    return re.compile(rf"[^\s{cls}\U00010000-\U0010ffff]")


@lru_cache(maxsize=16)
def _label_regex(words: MarkWords) -> re.Pattern[str] | None:
    """Any telegram field label in a compacted line. A label in the raw text is also in the
    compacted text when its characters are NFKC-stable (no entry in the table); otherwise no
    prefilter (None)."""
    labels = words.fields_strong + words.fields_weak
    table = _nfkc_one_table()
    if not labels or any(ord(c) in table or c.isspace() or c in "\u200b\ufeff" for lb in labels for c in lb):
        return None
    return re.compile("|".join(re.escape(lb) for lb in labels))


def tokenize(line: Line, words: MarkWords) -> tuple[list[Token], bool]:
    """Mark tokens of a line and whether the line is *only* marks (standalone)."""
    comp, index = line.compact()
    tokens: list[Token] = []
    uncovered: list[str] = []  # text between matches: the line is standalone if only punctuation
    pos = 0
    for m in _token_regex(words).finditer(comp):
        kind = m.lastgroup or ""
        if kind in {"prefix", "level", "star", "term"}:  # nested groups never end a match
            kind = "secret"
        if m.group("secret"):
            kind = "secret"
        uncovered.append(comp[pos : m.start()])
        pos = m.end()
        if kind == "filler":
            continue
        s = line.start + index[m.start()]
        e = line.start + index[m.end() - 1] + 1
        tokens.append(Token(kind, m.group(0), s, e, m.groupdict()))
    if not tokens:
        return tokens, False
    uncovered.append(comp[pos:])
    residue = _NON_PUNCT.search("".join(uncovered)) is not None
    standalone = not residue and len(comp) <= MAX_MARK_LINE and any(t.kind != "fenhao" for t in tokens)
    return tokens, standalone


def is_fenhao_line(line: Line, tokens: list[Token]) -> bool:
    """A line holding only a 6-digit 份号 (it strengthens a 密级 line right below it)."""
    if not tokens or any(t.kind != "fenhao" for t in tokens):
        return False
    comp, _ = line.compact()
    return all(c in PUNCT for c in re.sub(r"份号[:：]?|No\.?|NO\.?|№|[0-9]", "", comp))


class _Layout:
    """Where a line sits: top of the first page, page header/footer zone, text box, red."""

    def __init__(
        self, doc: Document, lines: list[Line], zones: MarkZones = DEFAULT_THRESHOLDS.classification_mark
    ) -> None:
        self.doc = doc
        self.zones = zones
        body_pages = [ln.page for ln in lines if ln.index >= 0 and ln.page > 0]
        self.first_page = min(body_pages) if body_pages else 1
        self._geoms: dict[int, tuple[float, float, BBox] | None] = {}

    def page_geom(self, line: Line) -> tuple[float, float, BBox] | None:
        if line.bbox is None:
            return None
        try:
            return self._geoms[line.page]
        except KeyError:
            pass
        page = self.doc.page(line.page)
        geom = None
        if page is not None and page.width > 0 and page.height > 0:
            geom = (page.width, page.height, page.text_area)
        self._geoms[line.page] = geom  # asked for every line: computed once per page
        return geom

    def position(self, line: Line) -> str | None:
        if line.kind in (BlockKind.HEADER, BlockKind.FOOTER):
            return str(line.kind)
        if line.kind == BlockKind.TEXT_BOX:
            return "text_box"
        if line.red:
            return "red"
        geom = self.page_geom(line)
        if geom is not None:
            _w, height, area = geom
            assert line.bbox is not None
            if line.page == self.first_page and line.bbox[1] < self.zones.top_fraction * height:
                return "top"
            if line.bbox[3] <= area[1] + 2:
                return "header"
            if line.bbox[1] >= area[3] - 2:
                return "footer"
        if line.page == self.first_page and 0 <= line.index < self.zones.top_lines:
            return "top"
        if len(self.doc.pages) > 1 and 0 <= line.index < self.zones.top_lines_other_pages:
            return "page_top"  # an attachment or a second document starting on a new page
        return None

    def in_telegram_zone(self, line: Line) -> bool:
        """The upper part of a page: telegrams are often attached behind a cover page."""
        if line.kind in (BlockKind.HEADER, BlockKind.TEXT_BOX) or line.red:
            return True
        geom = self.page_geom(line)
        if geom is not None and line.bbox is not None:
            return line.bbox[1] < self.zones.telegram_fraction * geom[1]
        return 0 <= line.index < self.zones.telegram_lines


POSITION_LABELS = {
    "header": "页眉",
    "footer": "页脚",
    "text_box": "文本框",
    "red": "红色文字",
    "top": "首页上部",
    "page_top": "页面顶部",
}


@register
class ClassificationMarkDetector(Detector):
    name = "classification_mark"
    category = Category.CLASSIFICATION_MARK
    rules = {
        "secret_level": "密级和保密期限标志（如“秘密★1年”“机密★5年”“绝密★长期”，或首页顶部单独成行的“机密”）",
        "internal_marking": "内部标识（内部资料、内部文件、注意保存/保管/保密、不得外传、工作秘密等独立标注）",
        "telegram_header": "密码电报/明电报头格式（电报字样或发电单位、签批盘号、等级、电报编号等报头字段）",
        "emergency": "紧急程度标识（特急、加急等，仅提示）",
    }

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        words = load_words(tuple(ctx.config.wordlists))
        foreign = _foreign_regex(words)
        any_label = _label_regex(words)
        lines = build_lines(doc)
        layout = _Layout(doc, lines, ctx.config.thresholds.classification_mark)
        found: dict[tuple[str, str], Finding] = {}
        telegram_words: list[tuple[Line, Token]] = []
        fields: dict[int, dict[str, tuple[Line, int, int]]] = {}  # per page

        prev_fenhao: Line | None = None
        for i, line in enumerate(lines):
            # Only short lines can be marks (standalone or a 份号 line): skip tokenising prose.
            if (
                len(line.text) > MAX_MARK_LINE and len("".join(line.text.split())) > MAX_MARK_LINE
            ) or foreign.search(line.text):
                tokens, standalone = [], False  # type: list[Token], bool
            else:
                tokens, standalone = tokenize(line, words)
            if layout.in_telegram_zone(line):
                self._collect_fields(line, words, fields.setdefault(line.page, {}), any_label)
            if not tokens:
                continue
            if is_fenhao_line(line, tokens):
                prev_fenhao = line
                continue
            if not standalone:
                continue
            pos = layout.position(line)
            fenhao = any(t.kind == "fenhao" for t in tokens) or (i > 0 and lines[i - 1] is prev_fenhao)
            for tok in tokens:
                if tok.kind == "secret":
                    self._secret(doc, ctx, line, tok, pos, fenhao, found)
                elif tok.kind == "telegram" and pos:
                    telegram_words.append((line, tok))
            if pos is None:
                continue
            for rule, kind in (("internal_marking", "internal"), ("emergency", "emergency")):
                if kind == "emergency" and line.kind == BlockKind.TABLE_CELL:
                    continue  # a 紧急程度 column in a task list, not the document's own mark
                group = [t for t in tokens if t.kind == kind]
                if group:
                    self._simple(doc, ctx, line, group, pos, rule, found)
        telegram = self._telegram(doc, ctx, words, telegram_words, fields)
        if telegram is not None:
            # 等级：特急 is a field of the telegram header, already reported with it.
            found = {k: v for k, v in found.items() if k[0] != "emergency"}
            found[("telegram_header", "")] = telegram
        return sorted(found.values(), key=lambda f: (f.location.start or 0, f.rule))

    # -- rules ----------------------------------------------------------------------------
    def _secret(
        self,
        doc: Document,
        ctx: ScanContext,
        line: Line,
        tok: Token,
        pos: str | None,
        fenhao: bool,
        found: dict[tuple[str, str], Finding],
    ) -> None:
        g = tok.groups
        strong = bool(g.get("star") or g.get("term") or g.get("prefix"))
        if not strong and (pos is None or line.kind == BlockKind.TABLE_CELL):
            return  # a bare 秘密 needs the mark position; in a table it is a column value
        # A standalone `秘密★1年` outside the mark positions is most likely an example in a
        # 保密 training text: still reported, but as high, not blocker.
        severity = Severity.BLOCKER if pos else Severity.HIGH
        base = {True: 0.97, False: 0.85 if pos in ("top", "header", "footer") else 0.7}
        confidence = base[strong] if pos else 0.6
        if fenhao:
            confidence = min(confidence + 0.05, 0.99)
        if line.red:
            confidence = min(confidence + 0.05, 0.99)
        level = unicodedata.normalize("NFKC", g.get("level") or "")
        level = level.translate(str.maketrans("絕機祕", "绝机秘"))
        term = g.get("term")
        shown = line.text.strip()
        where = POSITION_LABELS.get(pos or "", "独立成行")
        message = f"{where}标有密级标志“{shown}”" + (f"（{level}，保密期限{term}）" if term else "")
        if pos is None:
            message += "。该行不在公文标注密级的位置，可能是示例或引用，请核实；如为真实密级标志，涉密文件严禁在互联网发布。"
        else:
            message += "，属于涉密文件标识；涉密文件严禁在互联网发布。"
        suggestion = (
            "立即停止发布：请定密责任人核实文件是否属于国家秘密。属于国家秘密的不得上网；"
            "确已解密或属误标的，应取得原定密机关的书面解密或更正意见后，删除份号、密级和保密期限标志再履行发布审查。"
        )
        self._add(
            doc,
            ctx,
            found,
            rule="secret_level",
            key=level + (term or ""),
            severity=severity,
            message=message,
            suggestion=suggestion,
            basis=BASIS_SECRET,
            line=line,
            tok=tok,
            confidence=confidence,
            details=SecretLevelDetails(level=level, term=term, position=pos, fen_hao=fenhao),
        )

    def _simple(
        self,
        doc: Document,
        ctx: ScanContext,
        line: Line,
        group: list[Token],
        pos: str,
        rule: str,
        found: dict[tuple[str, str], Finding],
    ) -> None:
        """One finding per mark line: `内部资料 注意保存` is one mark, not two."""
        mark = " ".join(unicodedata.normalize("NFKC", t.text) for t in group)
        tok = Token(group[0].kind, mark, group[0].start, group[-1].end)
        where = POSITION_LABELS.get(pos, pos)
        if rule == "internal_marking":
            severity = Severity.HIGH
            message = f"{where}标有内部标识“{mark}”，表明文件限内部使用，不得在政府网站公开发布。"
            suggestion = (
                "核实文件是否确为内部资料：属于内部资料、工作秘密的，不得上网；"
                "经审查确可公开的，请删除该内部标识并按程序重新审签后再发布。"
            )
            basis = BASIS_INTERNAL
            confidence = 0.9 if pos in ("top", "header", "footer", "red") else 0.8  # page_top, text_box
        else:
            severity = Severity.INFO
            message = f"{where}标有紧急程度“{mark}”，属于公文办理标识。"
            suggestion = "紧急程度仅用于公文运转，网页发布稿一般删除该标识。"
            basis = BASIS_EMERGENCY
            confidence = 0.8
        self._add(
            doc,
            ctx,
            found,
            rule=rule,
            key=mark,
            severity=severity,
            message=message,
            suggestion=suggestion,
            basis=basis,
            line=line,
            tok=tok,
            confidence=confidence,
            details=MarkDetails(mark=mark, position=pos),
        )

    @staticmethod
    def _collect_fields(
        line: Line,
        words: MarkWords,
        fields: dict[str, tuple[Line, int, int]],
        any_label: re.Pattern[str] | None = None,
    ) -> None:
        """Header fields written as labels (`发电单位：…`, or a cell holding only the label);
        prose lists such as “发电单位、签批盘号” do not count. `any_label` (from _label_regex)
        dismisses lines holding no label at all with one search."""
        if any_label is not None and any_label.search(line.compact()[0]) is None:
            return
        labels = [lb for lb in words.fields_strong + words.fields_weak if lb not in fields]
        if not any(lb in line.text for lb in labels):
            comp = line.compact()[0]
            if not any(lb in comp for lb in labels):  # spaced-out labels (发 电 单 位)
                return
        comp, index = line.compact()
        for label in labels:
            if label == "等级":
                m = re.search(rf"等级[:：]?(?:{_alt(words.emergency)})", comp)
            else:
                m = re.search(rf"{re.escape(label)}[:：]", comp)
                if m is None and comp == label:
                    m = re.match(re.escape(label), comp)
            if m is not None:
                s = line.start + index[m.start()]
                fields[label] = (line, s, s + len(label))

    def _telegram(
        self,
        doc: Document,
        ctx: ScanContext,
        words: MarkWords,
        words_found: list[tuple[Line, Token]],
        by_page: dict[int, dict[str, tuple[Line, int, int]]],
    ) -> Finding | None:
        """One finding per document: the word (明电 / 密码电报) and/or two header fields on one
        page, one of them specific to telegrams (签发人 alone belongs to every 上行文)."""
        header_pages = [
            p
            for p, fs in sorted(by_page.items())
            if len(fs) >= 2 and any(f in words.fields_strong for f in fs)
        ]
        if not words_found and not header_pages:
            return None
        fields = by_page.get(words_found[0][0].page, {}) if words_found else by_page[header_pages[0]]
        if words_found:
            line, tok = words_found[0]
            start, end = tok.start, tok.end
            word = unicodedata.normalize("NFKC", tok.text)
            confidence = 0.9 + (0.08 if line.red else 0.0) + (0.01 if fields else 0.0)
        else:
            line, start, end = min(fields.values(), key=lambda v: v[1])
            word = ""
            confidence = 0.85 + (0.05 if len(fields) >= 3 else 0.0)
        labels = sorted(fields, key=lambda k: fields[k][1])
        parts = ([f"“{word}”字样" + ("（红色）" if line.red else "")] if word else []) + (
            [f"报头字段 {'、'.join(labels)}"] if labels else []
        )
        message = f"文件带有电报报头格式：{'；'.join(parts)}。电报报头不得出现在网站发布的文件中。"
        suggestion = (
            "密码电报属涉密件，不得上网；明电如经审查可以公开，应按普通公文格式重新排版，"
            "删除电报字样、发电单位、签批盘号、等级、电报编号等报头内容后再发布。"
        )
        return ctx.finding(
            doc,
            category=self.category,
            rule="telegram_header",
            severity=Severity.BLOCKER,
            message=message,
            raw=line.text.strip()[:80],
            evidence=line.text.strip()[:60],
            start=start,
            end=end,
            suggestion=suggestion,
            basis=BASIS_TELEGRAM,
            confidence=min(confidence, 0.99),
            details=TelegramDetails(word=word or None, fields=tuple(labels), red=line.red),
        )

    def _add(
        self,
        doc: Document,
        ctx: ScanContext,
        found: dict[tuple[str, str], Finding],
        *,
        rule: str,
        key: str,
        severity: Severity,
        message: str,
        suggestion: str,
        basis: str,
        line: Line,
        tok: Token,
        confidence: float,
        details: SecretLevelDetails | MarkDetails,
    ) -> None:
        """One finding per mark: a running header repeats it on every page, which is one
        problem, not forty (pages are listed in details)."""
        existing = found.get((rule, key))
        if existing is not None:
            seen = existing.details
            assert isinstance(seen, (SecretLevelDetails, MarkDetails))
            pages = seen.pages + (line.page,) if line.page and line.page not in seen.pages else seen.pages
            existing.details = replace(seen, pages=pages, occurrences=seen.occurrences + 1)
            existing.confidence = max(existing.confidence, confidence)
            return
        details = replace(details, pages=(line.page,) if line.page else ())
        found[(rule, key)] = ctx.finding(
            doc,
            category=self.category,
            rule=rule,
            severity=severity,
            message=message,
            raw=line.text.strip(),
            evidence=line.text.strip()[:60],
            start=tok.start,
            end=tok.end,
            suggestion=suggestion,
            basis=basis,
            confidence=confidence,
            details=details,
        )
