"""Suggested information class (信息类别) for 分级审批, from the document alone.

A prefectural website-group rule routes a release by its class: 一般性信息 is checked by the
producing unit and approved by its leader; 重大信息 (通告, 公告, authoritative statistics) must in
addition be approved by the 本级人民政府办公室; a document whose 发文签批 says “此件公开发布”
is checked by the producing unit and released. The scanner only *suggests* a class, with its
reasons; the review library (`pubguard.review.routes`) maps the suggestion onto the site's own
class list and a person decides.

The suggestion uses a fixed vocabulary of keys a site's class list can name:

* ``major`` — a 通告/公告 title, or a statistics release (统计公报, 统计数据发布 …);
* ``policy`` — a policy-like document (实施办法, 管理办法, 若干措施, 规范性文件 …) with a 发文字号:
  published with its 解读 (“谁起草、谁解读”); `policy` carries the word and number found;
* ``public_release`` — the 附注 “（此件公开发布）”;
* ``general`` — none of these.

When several apply the strictest wins (major > policy > public_release > general) and every
reason is listed, strictest first. Detectors do not import this module; it reads the document
like `pubguard.disclosure`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pubguard.disclosure import NOTE, NOTE_BASIS, TITLE_LINES, _body_lines
from pubguard.document import Document

GENERAL = "general"
MAJOR = "major"
POLICY = "policy"
PUBLIC_RELEASE = "public_release"
# Strictest first: the first key with a reason is the suggestion.
ORDER = (MAJOR, POLICY, PUBLIC_RELEASE, GENERAL)
LABELS = {
    GENERAL: "一般信息",
    MAJOR: "重大信息",
    POLICY: "重要政策（须随附解读）",
    PUBLIC_RELEASE: "此件公开发布",
}

ROUTE_BASIS = "政府网站群信息发布审核规定（分级审批：一般性信息、重大信息、“此件公开发布”文件）"
INTERPRETATION_BASIS = "“谁起草、谁解读”：重要政策、规范性文件与解读材料同步发布"

# A 通告/公告 title: “关于……的通告”, “某某市人民政府公告”, “……公告（第1号）”. Not the closing
# “特此公告”, not a sentence that announces (“现公告如下”), not a cited title (《》).
NOTICE_TITLE = re.compile(
    r"^(?!特此)[^，。；：！？,;:!?《》]{0,60}(?P<word>通告|公告)(?:[（(]第?[0-9一二三四五六七八九十〇]+号[）)]|〔\d{4}〕第?\d+号)?$"
)
# Statistics releases (权威数据发布): words of the title.
STATISTICS_TITLE = re.compile(
    r"统计公报|统计数据(?:发布|公报)?|主要统计指标|经济运行(?:情况|数据)|人口普查(?:公报|主要数据)|"
    r"(?:月度|季度|年度)数据发布"
)
# Policy-like documents: words of the title (or of the first lines: 印发通知 + the policy's name).
POLICY_WORDS = re.compile(r"实施办法|管理办法|暂行办法|若干措施|若干规定|实施细则|实施意见|规范性文件")


@dataclass
class InfoClass:
    suggested: str = GENERAL  # one of ORDER
    reasons: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    # Set for policy-like documents: {"word": "管理办法", "doc_number": "某政规〔2026〕1号"}.
    policy: dict[str, str] | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.suggested, self.suggested)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suggested": self.suggested,
            "label": self.label,
            "reasons": list(self.reasons),
            "basis": list(self.basis),
            "policy": dict(self.policy) if self.policy else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> InfoClass | None:
        if not d:
            return None
        return cls(
            suggested=str(d.get("suggested") or GENERAL),
            reasons=list(d.get("reasons") or []),
            basis=list(d.get("basis") or []),
            policy=dict(d["policy"]) if d.get("policy") else None,
        )


def suggest_info_class(doc: Document) -> InfoClass:
    return suggest_from_lines(_body_lines(doc))


def suggest_from_lines(lines: list[str]) -> InfoClass:
    """The suggestion from visible body lines (spaces removed), as `pubguard.disclosure` reads them."""
    head = lines[:TITLE_LINES]
    found: dict[str, str] = {}
    policy: dict[str, str] | None = None

    for line in head:
        title = line.rstrip("。")
        m = NOTICE_TITLE.match(title)
        if m and MAJOR not in found:
            found[MAJOR] = (
                f"标题为{m.group('word')}（“{title[:40]}”）：通告、公告属于重大信息，须经本级人民政府办公室审批。"
            )
        s = STATISTICS_TITLE.search(title)
        if s and MAJOR not in found and len(title) <= 60 and "《" not in title:
            found[MAJOR] = (
                f"标题含“{s.group(0)}”（“{title[:40]}”）：权威统计数据发布属于重大信息，须经本级人民政府办公室审批。"
            )

    words = [POLICY_WORDS.search(line) for line in head]
    word = next((w.group(0) for w in words if w is not None), None)
    if word is not None:
        # Imported here: red_header pulls in OpenCV/numpy, which a CLI parent never needs.
        from pubguard.detectors.red_header import find_doc_number

        number = next((m.group(0) for m in (find_doc_number(line) for line in head) if m is not None), None)
        if number is not None:
            policy = {"word": word, "doc_number": number}
            found[POLICY] = (
                f"文件为{word}（发文字号 {number}），属于重要政策或规范性文件：须同步发布政策解读（谁起草、谁解读）。"
            )

    notes = list(NOTE.finditer("".join(lines)))
    if notes and notes[-1].group("attr") == "公开发布":
        found[PUBLIC_RELEASE] = (
            "文件附注标明“（此件公开发布）”：发文签批时已明确公开发布，由制作单位审核后发布。"
        )

    suggested = next((k for k in ORDER if k in found), GENERAL)
    reasons = [f"{LABELS[k]}：{found[k]}" for k in ORDER if k in found]
    if not reasons:
        reasons = [f"{LABELS[GENERAL]}：未发现通告、公告、统计数据发布、重要政策或“此件公开发布”附注。"]
    basis = [ROUTE_BASIS]
    if POLICY in found:
        basis.append(INTERPRETATION_BASIS)
    if PUBLIC_RELEASE in found:
        basis.append(NOTE_BASIS)
    return InfoClass(suggested=suggested, reasons=reasons, basis=basis, policy=policy)
