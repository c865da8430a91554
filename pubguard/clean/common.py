"""Shared by the per-format cleaners: which findings a clean copy fixes, text ranges, locations
in Chinese, and the leak check that proves masked values are gone from the output file."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pubguard.document import BlockKind, Document, TextBlock
from pubguard.finding import Finding
from pubguard.targets import (
    AnnotationTarget,
    HiddenContentTarget,
    MarkTarget,
    PersonalDataTarget,
    ProofreadingTarget,
    RedHeaderTarget,
    SealTarget,
    Span,
)

# category -> rules the cleaners fix (None = every rule of the category).
CLEANABLE: dict[str, frozenset[str] | None] = {
    "personal_data": frozenset(
        {"id_card", "mobile", "landline", "bank_card", "passport", "email", "person_name", "roster"}
    ),
    "seal": None,
    "red_header": frozenset({"red_header"}),
    "leader_annotation": None,
    "classification_mark": frozenset({"secret_level", "internal_marking", "emergency"}),
    "proofreading": frozenset({"mixed_punctuation"}),  # half-width marks → full-width (DOCX)
    "hidden_content": frozenset(
        {
            "comment",
            "tracked_change",
            "hidden_text",
            "white_text",
            "fake_redaction",
            "metadata_person",
            "embedded_file",
            "javascript",
        }
    ),
}
MARK_RULES = frozenset({"secret_level", "internal_marking", "emergency"})
# Values checked by the leak check: numbers and e-mail addresses (names are too short to search
# for without false alarms).
LEAK_RULES = frozenset({"id_card", "mobile", "landline", "bank_card", "passport", "email"})
_SQUASH = re.compile(r"[\s\u3000\u00a0\-－—_()（）]+")


def cleanable(f: Finding) -> bool:
    rules = CLEANABLE.get(str(f.category), frozenset())
    return rules is None or f.rule in rules


def text_range(f: Finding) -> tuple[int, int] | None:
    s, e = f.location.start, f.location.end
    if s is None or e is None or e <= s:
        return None
    return s, e


# -- typed targets (pubguard.targets): what the cleaners act on, never detected again here ----
def personal_target(f: Finding) -> PersonalDataTarget:
    return f.target if isinstance(f.target, PersonalDataTarget) else PersonalDataTarget()


def annotation_target(f: Finding) -> AnnotationTarget:
    return f.target if isinstance(f.target, AnnotationTarget) else AnnotationTarget()


def hidden_target(f: Finding) -> HiddenContentTarget:
    return f.target if isinstance(f.target, HiddenContentTarget) else HiddenContentTarget()


def seal_target(f: Finding) -> SealTarget:
    return f.target if isinstance(f.target, SealTarget) else SealTarget()


def mark_target(f: Finding) -> MarkTarget:
    return f.target if isinstance(f.target, MarkTarget) else MarkTarget()


def proofreading_target(f: Finding) -> ProofreadingTarget:
    return f.target if isinstance(f.target, ProofreadingTarget) else ProofreadingTarget()


def red_header_target(f: Finding) -> RedHeaderTarget:
    return f.target if isinstance(f.target, RedHeaderTarget) else RedHeaderTarget()


def personal_span(f: Finding) -> Span | None:
    """The characters of a personal value, from its target (None: nothing to mask)."""
    return personal_target(f).span


def masked_targets(findings: Iterable[Finding]) -> list[Finding]:
    """Personal data that is masked character by character (the roster finding is the sum of
    its members and needs nothing of its own)."""
    return [
        f
        for f in findings
        if str(f.category) == "personal_data" and f.rule != "roster" and personal_span(f) is not None
    ]


def squash(text: str) -> str:
    return _SQUASH.sub("", text)


def leak_values(doc: Document, findings: Iterable[Finding]) -> list[str]:
    """Raw personal numbers of the original file, separators removed (kept in memory only)."""
    out: set[str] = set()
    for f in masked_targets(findings):
        if f.rule not in LEAK_RULES:
            continue
        s, e = personal_span(f) or (0, 0)
        raw = doc.text[s:e]
        value = raw.strip() if f.rule == "email" else squash(raw).upper()
        if f.rule == "mobile":
            value = value[-11:]
        if len(value) >= 7:
            out.add(value)
    return sorted(out)


def count_leaks(values: list[str], haystacks: Iterable[str]) -> int:
    """How many of `values` still occur in any of the texts (compared without separators)."""
    if not values:
        return 0
    flat = [squash(h).upper() for h in haystacks]
    return sum(1 for v in values if any(v.upper() in h for h in flat))


def block_where(doc: Document, block: TextBlock | None, ordinals: dict[int, int] | None = None) -> str:
    """Chinese location of a block: page for fixed layouts, part/table/paragraph for DOCX."""
    if block is None:
        return "文档中"
    kind = block.kind
    if kind == BlockKind.METADATA:
        return "文档属性"
    if kind == BlockKind.COMMENT:
        return "批注"
    if doc.format in ("xlsx", "csv") and block.row is not None and block.col is not None:
        return f"工作表{(block.table or 0) + 1}第{block.row}行第{block.col}列"
    prefix = f"第{block.page}页" if doc.format not in ("docx",) and block.page else ""
    if kind == BlockKind.HEADER:
        return prefix + "页眉"
    if kind == BlockKind.FOOTER:
        return prefix + "页脚"
    if kind == BlockKind.TEXT_BOX:
        return prefix + "文本框"
    if block.table is not None and block.row is not None and block.col is not None:
        return prefix + f"表格{block.table + 1}第{block.row + 1}行第{block.col + 1}列"
    if ordinals is not None and block.paragraph in ordinals:
        return prefix + f"正文第{ordinals[block.paragraph]}段"
    return prefix or "正文"
