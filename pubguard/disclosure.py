"""Suggested disclosure attribute (公开属性) for a scanned document.

Rests on 《中华人民共和国政府信息公开条例》(2019) and common source-attribution practice:

* 不予公开 — 国家秘密 (第十四条): 密级 marks, telegram headers (密码电报 is a secret carrier;
  a 明电 header marks an internal telegram); 工作秘密 marks; 请示 and 报告 to a superior
  (过程性信息, 第十六条); a 附注 “（此件不予公开）”.
* 依申请公开 — 内部资料 / 内部文件 / 注意保存 marks (内部事务信息, 第十六条: may be given to an
  applicant after review); unmasked personal data or rosters (个人隐私, 第十五条: 主动公开 only
  after masking); process drafts (讨论稿, 送审稿 …: 过程性信息, 第十六条; the final version is
  what gets published); a 附注 “（此件依申请公开）”.
* 主动公开 — otherwise, or as the document's own 附注 says.

The strongest outcome wins (不予公开 > 依申请公开 > 主动公开); every reason is listed, strongest
first, so a reviewer sees why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pubguard.details import MarkDetails, PersonalDataDetails, SensitiveTermDetails, TelegramDetails
from pubguard.document import BlockKind, Document
from pubguard.finding import Category, Finding, Severity

if TYPE_CHECKING:  # pragma: no cover
    from pubguard.scan import Disclosure

ACTIVE = "主动公开"
ON_REQUEST = "依申请公开"
WITHHELD = "不予公开"
RANK = {ACTIVE: 0, ON_REQUEST: 1, WITHHELD: 2}

ART14 = "《中华人民共和国政府信息公开条例》第十四条"
ART15 = "《中华人民共和国政府信息公开条例》第十五条"
ART16 = "《中华人民共和国政府信息公开条例》第十六条"
ART19 = "《中华人民共和国政府信息公开条例》第十九条"
SECRECY_LAW = "《中华人民共和国保守国家秘密法》"
NOTE_BASIS = "GB/T 9704-2012《党政机关公文格式》附注（公开属性标注）"

# 附注: “（此件公开发布）” one line below the date; the text is matched with spaces removed.
NOTE = re.compile(r"[（(]此件(?P<attr>公开发布|主动公开|依申请公开|不予公开|不公开)[）)]")
NOTE_OUTCOME = {
    "公开发布": ACTIVE,
    "主动公开": ACTIVE,
    "依申请公开": ON_REQUEST,
    "不予公开": WITHHELD,
    "不公开": WITHHELD,
}
# A 请示 title (“关于…的请示”), and the closing formulas of a 请示 / 报告 to a superior.
REQUEST_TITLE = re.compile(r"^(?:.{0,30}关于.{1,80}的)?请示$")
REQUEST_ENDING = re.compile(
    r"(?:妥否|当否|可否|是否妥当)[，,]?请(?:批示|批复|审批|审示|审定|核示|指示|示)"
    r"|以上报告[，,]?请(?:审阅|审示|审议|批示)"
    r"|特此请示"
)
TITLE_LINES = 12  # the title sits in the first lines of page 1
ENDING_CHARS = 600  # closing formulas sit at the end of the body

PERSONAL_RULES_LABELS = {
    "id_card": "身份证号",
    "mobile": "手机号码",
    "landline": "个人电话",
    "bank_card": "银行卡号",
    "email": "个人邮箱",
    "passport": "证件号码",
    "person_name": "姓名",
    "roster": "人员名单",
}


@dataclass(frozen=True)
class Reason:
    outcome: str
    text: str
    basis: str


def suggest_disclosure(doc: Document, findings: Iterable[Finding]) -> Disclosure:
    from pubguard.scan import Disclosure

    findings = list(findings)
    reasons: list[Reason] = []
    reasons += _from_marks(findings)
    reasons += _from_personal_data(findings)
    reasons += _from_terms(findings)
    lines = _body_lines(doc)
    reasons += _from_request(lines)
    note = _note(lines)
    if note is not None:
        reasons.append(note)

    strongest = max((RANK[r.outcome] for r in reasons), default=0)
    outcome = next(k for k, v in RANK.items() if v == strongest)
    if strongest == 0:
        reasons.append(Reason(ACTIVE, "未发现不予公开或依申请公开的情形。", ART19))
    elif note is not None and note.outcome == ACTIVE:
        reasons.append(
            Reason(
                outcome,
                f"附注标为主动公开，但存在{outcome}的情形：主动公开的文件不得含有依申请公开或不予公开的内容，"
                "请删改相关内容后再发布，或调整公开属性。",
                NOTE_BASIS,
            )
        )

    # Strongest first, each text once.
    ordered: list[Reason] = []
    seen: set[str] = set()
    for r in sorted(reasons, key=lambda r: -RANK[r.outcome]):
        if r.text not in seen:
            seen.add(r.text)
            ordered.append(r)
    basis = list(dict.fromkeys(b for r in ordered for b in _split_basis(r.basis)))
    return Disclosure(suggested=outcome, reasons=[f"{r.outcome}：{r.text}" for r in ordered], basis=basis)


def _split_basis(basis: str) -> list[str]:
    return [b.strip() for b in basis.split("；") if b.strip()]


# -- findings -------------------------------------------------------------------------------------
def _from_marks(findings: list[Finding]) -> list[Reason]:
    out: list[Reason] = []
    for f in findings:
        if f.category != Category.CLASSIFICATION_MARK:
            continue
        if f.rule == "secret_level" and f.severity == Severity.BLOCKER:
            out.append(
                Reason(
                    WITHHELD,
                    f"文件标有密级标志“{f.evidence}”，属于国家秘密，涉密信息不得公开。",
                    f"{ART14}；{SECRECY_LAW}",
                )
            )
        elif f.rule == "secret_level":
            out.append(
                Reason(
                    ON_REQUEST,
                    f"文中有疑似密级标志“{f.evidence}”（不在标准标注位置），请核实是否涉密；核实前不宜主动公开。",
                    f"{ART14}；{SECRECY_LAW}",
                )
            )
        elif f.rule == "telegram_header":
            word = (f.details.word if isinstance(f.details, TelegramDetails) else None) or "电报"
            out.append(
                Reason(
                    WITHHELD,
                    f"文件带有{word}报头格式：密码电报属于国家秘密载体，明电为内部办文电报，均不得按原格式公开。",
                    f"{ART14}；{SECRECY_LAW}",
                )
            )
        elif f.rule == "internal_marking":
            mark = f.details.mark if isinstance(f.details, MarkDetails) else ""
            out.append(_internal_reason(mark or f.evidence))
    return out


def _internal_reason(mark: str) -> Reason:
    """工作秘密 is withheld outright; other internal marks make the document 内部事务信息, which
    an organ may release to an applicant after review (so 依申请公开, not 不予公开)."""
    if "工作秘密" in mark:
        return Reason(
            WITHHELD,
            f"文件标注“{mark}”，属于工作秘密，不予公开。",
            f"{ART16}；{SECRECY_LAW}（工作秘密管理）",
        )
    return Reason(
        ON_REQUEST,
        f"文件标注“{mark}”，属于内部资料（内部事务信息），不应主动公开；可依申请经审查后提供。",
        ART16,
    )


def _from_personal_data(findings: list[Finding]) -> list[Reason]:
    counts: dict[str, int] = {}
    for f in findings:
        if f.category != Category.PERSONAL_DATA or (
            isinstance(f.details, PersonalDataDetails) and f.details.masked
        ):
            continue
        if not f.severity.at_least(Severity.MEDIUM) or f.confidence < 0.5:
            continue
        label = PERSONAL_RULES_LABELS.get(f.rule, "个人信息")
        counts[label] = counts.get(label, 0) + 1
    if not counts:
        return []
    summary = "、".join(f"{label}{n}处" for label, n in counts.items())
    return [
        Reason(
            ON_REQUEST,
            f"含未脱敏的个人信息（{summary}），涉及个人隐私：脱敏处理后方可主动公开，否则仅可依申请公开。",
            f"{ART15}；《中华人民共和国个人信息保护法》",
        )
    ]


def _from_terms(findings: list[Finding]) -> list[Reason]:
    """Reasons from the `sensitive_term` lists: process drafts and internal-material wording."""
    out: list[Reason] = []
    for f in findings:
        if f.category != Category.SENSITIVE_TERM:
            continue
        details = f.details if isinstance(f.details, SensitiveTermDetails) else SensitiveTermDetails()
        listname = details.list or f.rule.partition(".")[0]
        term = details.term or f.evidence
        if listname == "drafts":
            out.append(
                Reason(
                    ON_REQUEST,
                    f"文件为过程稿（“{term}”），属于过程性信息，不应作为正式文件主动公开；应发布正式印发的定稿。",
                    ART16,
                )
            )
        elif listname == "confidential":
            out.append(_internal_reason(term))
    return out


# -- the document itself --------------------------------------------------------------------------
def _body_lines(doc: Document) -> list[str]:
    """Visible body lines with spaces removed (titles are often spaced out in 公文). Built once
    per document (the disclosure and the info-class suggestions both read them): read-only.

    Walks lines and blocks together (both are in text order), so a long document costs one
    pass rather than a block look-up per line."""
    return doc.cached("disclosure.body_lines", lambda: _build_body_lines(doc))


def _build_body_lines(doc: Document) -> list[str]:
    visible = (BlockKind.BODY, BlockKind.OCR, BlockKind.TEXT_BOX)
    blocks = doc.blocks
    if blocks and all(b.kind in visible and not b.hidden for b in blocks):
        # Every block counts (plain text, most scans): each line with its whitespace removed,
        # blank ones dropped (per line split/join: 5x faster than a [^\S\n]+ substitution over
        # the whole text of prose with spaces, and the same lines).
        return [c for ln in doc.text.split("\n") if (c := "".join(ln.split()))]
    lines: list[str] = []
    bi = 0
    for start, end, text in doc.iter_lines():
        while bi < len(blocks) and blocks[bi].end <= start and blocks[bi].end != blocks[bi].start:
            bi += 1
        j = bi
        first = None
        all_hidden = True
        while j < len(blocks) and blocks[j].start < max(end, start + 1):
            if blocks[j].end > start or blocks[j].start == blocks[j].end == start:
                first = first or blocks[j]
                all_hidden = all_hidden and blocks[j].hidden
            j += 1
        if first is None or first.kind not in visible or all_hidden:
            continue
        compact = "".join(text.split())
        if compact:
            lines.append(compact)
    return lines


def _from_request(lines: list[str]) -> list[Reason]:
    head = lines[:TITLE_LINES]
    for i in range(len(head)):
        # Long titles wrap: try the line alone and joined with the next one or two.
        for k in (1, 2, 3):
            title = "".join(head[i : i + k]).rstrip("。")
            quoted = "《" in title or "》" in title  # 《关于…的请示》收悉 cites someone else's
            if (k == 1 or "关于" in head[i]) and not quoted and REQUEST_TITLE.match(title):
                return [
                    Reason(
                        WITHHELD,
                        f"文件为请示（标题“{title[:40]}”），属于向上级机关请示的过程性信息，不予公开。",
                        ART16,
                    )
                ]
    tail = "".join(lines)[-ENDING_CHARS:]
    m = REQUEST_ENDING.search(tail)
    if m is not None:
        return [
            Reason(
                WITHHELD,
                f"文件以“{m.group(0)}”结尾，属于向上级机关的请示、报告（过程性信息），不予公开。",
                ART16,
            )
        ]
    return []


def _note(lines: list[str]) -> Reason | None:
    """The document's own 附注, if any (the last one wins: it follows the date)."""
    text = "".join(lines)
    notes = list(NOTE.finditer(text))
    if not notes:
        return None
    attr = notes[-1].group("attr")
    outcome = NOTE_OUTCOME[attr]
    return Reason(outcome, f"文件附注标明“（此件{attr}）”。", NOTE_BASIS)
