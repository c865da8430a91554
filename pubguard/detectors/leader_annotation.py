"""领导批示检测。

Government prose is full of 批示 and 同意 (“认真落实…指示批示精神”, “经研究，同意你单位…”,
“妥否，请批示。”), so an instruction-like phrase alone is never enough. A leader's note is
reported only when the phrase has the shape of an annotation AND something about how it is put on
the page says “added by hand on top of the draft”:

(a) it sits outside the body column (top or side margin, or above the first body line with a gap);
(b) it is in another ink than the body (blue pen, or handwriting recognised by OCR on a page
    that otherwise has a text layer);
(c) it is a DOCX/PDF comment;
(d) it is signed: a name and a date follow (“王某 3.5”, “李某某 2023.4.8”).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pubguard import lexicon
from pubguard.details import AnnotationDetails
from pubguard.detectors import register
from pubguard.detectors.base import Detector, ScanContext
from pubguard.detectors.classification_mark import Line, build_lines
from pubguard.document import RGB, BlockKind, Document, hsv, indexes_matching
from pubguard.finding import Category, Finding, Severity

CJK = r"\u4e00-\u9fff"
NAME = rf"[{CJK}]{{2,4}}"
DATE = (
    r"(?:(?:19|20)[0-9]{2}[年.．/\-][0-9]{1,2}[月.．/\-][0-9]{1,2}日?"
    r"|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
    r"|(?<![0-9])[0-9]{1,2}月[0-9]{1,2}日"
    r"|(?<![0-9.．])[0-9]{1,2}[.．/][0-9]{1,2}(?![0-9.．]))"
)
SIG = re.compile(rf"(?P<name>(?:{NAME})?)(?P<date>{DATE})")
NAME_DATE = re.compile(rf"(?P<name>{NAME})(?P<date>{DATE})")
# A signature name is a person, not an organ: these endings make it an organ or a place.
ORGAN_END = (*lexicon.words("organs", "organ_endings"), *lexicon.words("organs", "place_endings"), "同志")
PUNCT = "，,。.；;：:！!？?、"
SEP = rf"[{PUNCT}]*"

# Words of pubguard/lexicon/instructions.toml, in file order (longer alternatives first).
VERBS = "|".join(lexicon.words("instructions", "instruction_verbs"))
QING = re.compile(rf"请(?P<who>[^{PUNCT}]{{1,16}}?)(?:同志)?(?P<verb>{VERBS})")
# Form words that may stand on their own only at the start of a clause.
CLAUSE = re.compile(f"(?P<word>{'|'.join(lexicon.words('instructions', 'clause_words'))})")
LABEL = re.compile(
    rf"^(?P<who>[{CJK}]{{0,8}}?(?:书记|市长|省长|县长|区长|镇长|乡长|主任|局长|厅长|部长|秘书长|主席|领导|同志))?"
    r"批示(?:意见)?[:：]"
)
LABEL_CELLS = frozenset({"领导批示", "批示意见", "领导意见", "领导批示意见", "批示"})
# What a compact line must hold for find_instruction or a LABEL_CELLS cell to see anything in
# it (LABEL needs 批示, QING a match of its own, CLAUSE one of its words): other lines are skipped unread.
_TRIGGER = re.compile(
    "|".join(
        [
            QING.pattern,
            *(
                re.escape(w)
                for w in ("批示", *lexicon.words("instructions", "clause_words"), *sorted(LABEL_CELLS))
            ),
        ]
    )
)
# 请示 endings and body prose that merely talk about instructions.
REQUEST_CONTEXT = re.compile(r"(妥否|当否|可否|是否妥当|是否可行|如无不妥|以上|特此请示|请示)")
ADDRESSEE_PROSE = ("各", "你", "贵", "有关", "相关", "全体", "广大", "本", "大家", "认真")

COMMENT_KINDS = frozenset({BlockKind.COMMENT, BlockKind.ANNOTATION})
SKIP = frozenset({BlockKind.REVISION_DELETE, BlockKind.METADATA, BlockKind.ALT_TEXT})

# Confidence = base + weight of each kind of evidence: pubguard.thresholds.LeaderWeights
# ([thresholds.leader_annotation.weights] in a site's configuration).
EVIDENCE_LABELS = {
    "margin": "位于正文版心之外（页边空白处）",
    "ink": "字迹颜色与正文不同",
    "handwriting": "为印刷页面上的手写（OCR识别）文字",
    "comment": "位于批注/注释中",
    "signed": "后附签名和日期",
    "text_box": "位于浮动文本框中",
    "header": "位于页眉页脚中",
}
BASIS = (
    "网站群管理办法：政府网站群发布的非涉密公文不得带有领导批示内容；"
    "《中华人民共和国政府信息公开条例》第十六条（过程性信息、内部事务信息可以不予公开）。"
)
SUGGESTION = (
    "发布前删除领导批示及其签名、日期；以未经批注的正式印发稿（或经终审的定稿）作为发布底稿，"
    "不要使用领导批阅件、扫描的呈批件作为发布稿。"
)


@dataclass
class Match:
    start: int  # offsets into the compact line
    end: int
    form: str
    who: str = ""


@dataclass
class Candidate:
    line: Line
    match: Match
    comp: str
    index: Sequence[int]
    evidence: list[str] = field(default_factory=list)
    sig_end: int | None = None  # Document offset where the signature ends (if on a later line)
    signer: str = ""


def is_person_name(name: str) -> bool:
    return bool(name) and 2 <= len(name) <= 4 and not name.endswith(ORGAN_END)


_SIGNATURE = re.compile(rf"{SEP}{SIG.pattern}{SEP}$")  # compiled once: tried at many offsets


def signature_at(text: str) -> re.Match[str] | None:
    """A signature (optional name, then date) at the start of `text`, ending the clause."""
    m = _SIGNATURE.match(text)
    if m is None or (m.group("name") and not is_person_name(m.group("name"))):
        return None
    return m


def find_instruction(comp: str) -> Match | None:
    """The earliest annotation-shaped phrase in a compact line, or None."""
    m = LABEL.match(comp)
    if m is not None and len(comp) > m.end():
        return Match(m.start(), m.end(), "label", m.group("who") or "")
    found: list[Match] = []
    for m in QING.finditer(comp):
        who = m.group("who")
        if who.startswith(("示", "求")) or who.startswith(ADDRESSEE_PROSE):
            continue
        before = comp[max(0, m.start() - 8) : m.start()]
        if REQUEST_CONTEXT.search(before):
            continue  # “妥否，请领导审定” ends a 请示: it asks for an instruction
        if _clause_ends(comp, m.end()):
            found.append(Match(m.start(), m.end(), "request", who))
            break
    for m in CLAUSE.finditer(comp):
        if m.start() > 0 and comp[m.start() - 1] not in PUNCT:
            continue  # “经研究，同意你单位…” passes this, but fails the ending check below
        if m.group("word") == "阅" and m.start() > 0:
            continue  # a bare 阅 only as a whole note
        if _clause_ends(comp, m.end(), allow_request=m.group("word") == "拟同意"):
            found.append(Match(m.start(), m.end(), m.group("word")))
            break
    return min(found, key=lambda x: x.start) if found else None


def _clause_ends(comp: str, pos: int, allow_request: bool = False) -> bool:
    """The phrase ends its clause: end of line, punctuation, or a signature follows."""
    rest = comp[pos:]
    if not rest or rest[0] in PUNCT:
        return True
    if allow_request and rest.startswith("请"):
        return True
    return signature_at(rest) is not None


@register
class LeaderAnnotationDetector(Detector):
    name = "leader_annotation"
    category = Category.LEADER_ANNOTATION
    rules = {
        "instruction": "领导批示（请某某阅处/阅示、拟同意、同意、已阅、领导批示：…），且位于页边、异色笔迹、批注中或后附签名日期",
    }

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:
        lines = build_lines(doc, skip_kinds=SKIP)
        body_ink = self._body_ink(doc)
        candidates: list[Candidate] = []
        consumed: set[int] = set()
        comps = [ln.compact()[0] for ln in lines]  # compact lines hold no newline
        for i in indexes_matching(_TRIGGER, comps):
            if i in consumed:
                continue
            line = lines[i]
            comp, index = line.compact()
            if not comp:
                continue
            match = find_instruction(comp)
            if match is None and comp in LABEL_CELLS and i + 1 < len(lines):
                # A 办文单 cell “领导批示” with the note in the next cell / line.
                nxt = lines[i + 1]
                ncomp, nindex = nxt.compact()
                if len(ncomp) < 2 or ncomp in LABEL_CELLS or ncomp.endswith(("意见", "：", ":")):
                    continue  # an empty form: the next cell is another label
                nmatch = find_instruction(ncomp) or Match(0, len(ncomp), "label_cell")
                cand = Candidate(nxt, nmatch, ncomp, nindex)
                consumed.add(i + 1)
                self._signature(cand, lines, i + 1, consumed)
                candidates.append(cand)
                continue
            if match is None:
                continue
            cand = Candidate(line, match, comp, index)
            self._signature(cand, lines, i, consumed)
            candidates.append(cand)

        if not candidates:
            return []  # most documents: the page index and body ink below are not needed
        cand_lines = {id(c.line) for c in candidates}
        by_page: dict[int, list[Line]] = {}
        for ln in lines:
            by_page.setdefault(ln.page, []).append(ln)
        text_pages = {
            b.page for b in doc.blocks if b.kind == BlockKind.BODY and not b.hidden and b.text.strip()
        }
        findings: list[Finding] = []
        for cand in candidates:
            page_lines = by_page.get(cand.line.page, [])
            self._layout_evidence(doc, cand, page_lines, cand_lines, body_ink, text_pages)
            if not cand.evidence:
                continue
            findings.append(self._finding(doc, ctx, cand))
        return findings

    # -- evidence ---------------------------------------------------------------------------
    @staticmethod
    def _signature(cand: Candidate, lines: list[Line], i: int, consumed: set[int]) -> None:
        """(d): name + date after the phrase on the same line, or on the next line(s)."""
        rest = cand.comp[cand.match.end :]
        m = None
        # Skip the remainder of the instruction (“拟同意，请李市长审定。”) before the signature.
        for k in range(min(len(rest), 24) + 1):
            m = signature_at(rest[k:])
            if m is not None:
                break
        if m is not None and (m.group("name") or m.group("date")):
            cand.evidence.append("signed")
            cand.signer = m.group("name") or ""
            return
        if i + 1 >= len(lines) or lines[i + 1].page != cand.line.page:
            return
        nxt = lines[i + 1]
        ncomp, _ = nxt.compact()
        nm = NAME_DATE.fullmatch(ncomp.strip(PUNCT))
        if nm is not None and is_person_name(nm.group("name")):
            cand.evidence.append("signed")
            cand.signer = nm.group("name")
            cand.sig_end = nxt.end
            consumed.add(i + 1)
            return
        if is_person_name(ncomp) and re.fullmatch(rf"[{CJK}]{{2,4}}", ncomp) and i + 2 < len(lines):
            dcomp, _ = lines[i + 2].compact()
            if re.fullmatch(DATE, dcomp.strip(PUNCT)) and lines[i + 2].page == nxt.page:
                cand.evidence.append("signed")
                cand.signer = ncomp
                cand.sig_end = lines[i + 2].end
                consumed.update({i + 1, i + 2})

    @staticmethod
    def _body_ink(doc: Document) -> RGB:
        """The colour most body characters are printed in (automatic colour counts as black)."""
        counts: Counter[RGB] = Counter()
        for b in doc.blocks:
            if b.kind == BlockKind.BODY and not b.hidden and b.text.strip():
                counts[b.color or (0, 0, 0)] += len(b.text)
        return counts.most_common(1)[0][0] if counts else (0, 0, 0)

    def _layout_evidence(
        self,
        doc: Document,
        cand: Candidate,
        page_lines: list[Line],
        cand_lines: set[int],
        body_ink: RGB,
        text_pages: set[int],
    ) -> None:
        line = cand.line
        if line.kind in COMMENT_KINDS:
            cand.evidence.append("comment")
        if line.kind == BlockKind.TEXT_BOX:
            cand.evidence.append("text_box")
        elif line.kind in (BlockKind.HEADER, BlockKind.FOOTER):
            cand.evidence.append("header")
        s = line.start + cand.index[cand.match.start]
        e = line.start + cand.index[cand.match.end - 1] + 1
        blocks = [b for b in doc.blocks_in(s, e) if b.text.strip()]
        inks = Counter(b.color or (0, 0, 0) for b in blocks)
        if inks:
            ink = inks.most_common(1)[0][0]
            if _ink_differs(ink, body_ink):
                cand.evidence.append("ink")
        page = doc.page(line.page)
        if (
            page is not None
            and any(b.kind == BlockKind.OCR for b in blocks)
            and page.has_text_layer
            and line.page in text_pages
        ):
            cand.evidence.append("handwriting")
        if self._in_margin(doc, line, page_lines, cand_lines):
            cand.evidence.append("margin")

    @staticmethod
    def _in_margin(doc: Document, line: Line, page_lines: list[Line], cand_lines: set[int]) -> bool:
        """(a): outside the body column. The column is where the other lines of the page are
        (documents are not all laid out with GB/T 9704 margins), bounded by the nominal text
        area; a note above the first body line must leave a visible gap."""
        page = doc.page(line.page)
        if page is None or line.bbox is None or page.width <= 0 or page.height <= 0:
            return False
        ax0, ay0, ax1, ay1 = page.text_area
        x0, y0, x1, y1 = line.bbox
        column = [
            o
            for o in page_lines
            if o.bbox is not None
            and o is not line
            and o.kind in (BlockKind.BODY, BlockKind.TABLE_CELL, BlockKind.OCR)
            # running heads and page numbers live in the margins themselves (short lines);
            # long lines there are body text of a page laid out with narrow margins
            and (len(o.text.strip()) > 20 or not (o.bbox[3] <= ay0 or o.bbox[1] >= ay1))
        ]
        others = [o.bbox for o in column if id(o) not in cand_lines and o.bbox is not None]
        if len(others) < 3:  # (almost) every line looks like a note: judge against all of them
            others = [o.bbox for o in column if o.bbox is not None]
        if not others:
            return y1 <= ay0 or y0 >= ay1 or x1 <= ax0 or x0 >= ax1
        left = min(b[0] for b in others)
        right = max(b[2] for b in others)
        top = min(b[1] for b in others)
        bottom = max(b[3] for b in others)
        if x1 <= left - 2 or x0 >= right + 2:
            return True
        # Above or below the body only counts with a gap clearly wider than the line spacing:
        # a first line at the normal pitch is just the body starting higher than GB/T 9704.
        ys = sorted(others, key=lambda b: b[1])
        gaps = sorted(b[1] - a[3] for a, b in zip(ys, ys[1:], strict=False) if b[1] - a[3] > 0)
        pitch = gaps[len(gaps) // 2] if gaps else 0.0
        need = max(1.5 * pitch, 0.5 * max(y1 - y0, 1.0))
        if y1 <= top - 2 and top - y1 > need:
            return True
        return y0 >= bottom + 2 and y0 - bottom > max(need, 3 * pitch) and y0 >= ay1 - (ay1 - ay0) * 0.25

    # -- output -----------------------------------------------------------------------------
    def _finding(self, doc: Document, ctx: ScanContext, cand: Candidate) -> Finding:
        line = cand.line
        start = line.start + cand.index[cand.match.start]
        end = cand.sig_end or line.end
        raw = doc.text[start:end]
        shown = re.sub(r"\s+", " ", raw).strip()
        if len(shown) > 60:
            shown = shown[:59] + "…"
        weights = ctx.config.thresholds.leader_annotation.weights
        confidence = weights.base + sum(getattr(weights, e) for e in dict.fromkeys(cand.evidence))
        if "signed" in cand.evidence and len(cand.comp) <= 30:
            confidence = max(confidence, 0.8)  # short signed note: the strict form
        reasons = "、".join(EVIDENCE_LABELS[e] for e in dict.fromkeys(cand.evidence))
        message = f"检测到领导批示“{shown}”（{reasons}）。网站发布的文件不得带有领导批示内容。"
        return ctx.finding(
            doc,
            category=self.category,
            rule="instruction",
            severity=Severity.HIGH,
            message=message,
            raw=raw,
            evidence=shown,
            start=start,
            end=end,
            suggestion=SUGGESTION,
            basis=BASIS,
            confidence=min(confidence, 0.97),
            details=AnnotationDetails(
                form=cand.match.form,
                evidence=tuple(dict.fromkeys(cand.evidence)),
                signer=cand.signer or None,
            ),
        )


def _ink_differs(ink: RGB, body: RGB) -> bool:
    """A clearly coloured ink (blue pen, red pen) against the body ink. Greys are not another
    pen: scans and PDF exports print black as dark grey."""
    if sum(abs(a - b) for a, b in zip(ink, body, strict=True)) < 90:
        return False
    return hsv(ink)[1] >= 0.25
