"""Text the clean copy cuts: leader annotations, covered (fake-redacted) text, internal marks,
white and hidden runs; half-width punctuation made full-width.
"""

from __future__ import annotations

from lxml import etree

from pubguard.clean.common import hidden_target, mark_target, proofreading_target, squash
from pubguard.clean.docx.header import drop_fenhao
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.tree import ancestor, para_text
from pubguard.document import BlockKind, is_white
from pubguard.extract.docx import w
from pubguard.finding import Finding
from pubguard.lexicon.fold import HALF_TO_FULL as FULL_WIDTH
from pubguard.targets import Span

MAX_MARK_LINE = 40


def delete_range(plan: CleanPlan, f: Finding, rng: Span | None, action: str, what: str) -> None:
    """Cut the characters `rng` of `Document.text` (None: nothing to cut)."""
    if rng is None:
        return
    s, e = rng
    n = 0
    for piece, lo, hi in plan.overlapping(s, e):
        plan.edits.delete(piece.el, lo, hi)
        p = plan.paragraph_of(piece.el)
        if p is not None:
            plan.maybe_empty.append(p)
        n += 1
    if n:
        plan.act(f, action, plan.where(s), f"{what}“{f.evidence}”")


def full_width_punctuation(plan: CleanPlan, f: Finding) -> None:
    """Each half-width mark the finding's target lists (one span per occurrence) becomes its
    full-width form in the run that holds it; other characters are never touched."""
    done = 0
    first: int | None = None
    for start, end in proofreading_target(f).spans:
        if end != start + 1:
            continue
        full = FULL_WIDTH.get(plan.doc.text[start:end])
        if full is None:
            continue
        for piece, lo, _hi in plan.overlapping(start, end):
            if piece.el.tag != w("t"):
                continue
            plan.edits.replace(piece.el, lo, full)
            done += 1
            first = start if first is None else first
    if done:
        plan.act(f, "replaced", plan.where(first), "半角标点改为全角", count=done)


def remove_mark(plan: CleanPlan, f: Finding) -> None:
    """A 密级/内部资料/紧急程度 line: the whole short line goes, a mark inside a longer line
    loses only its own characters."""
    target = mark_target(f)
    rng = target.span
    if rng is None:
        return
    s, e = rng
    paras = {}
    for piece, _lo, _hi in plan.overlapping(s, e):
        p = plan.paragraph_of(piece.el)
        if p is not None:
            paras[id(p)] = p
    short = [p for p in paras.values() if len(squash(para_text(p))) <= MAX_MARK_LINE]
    if paras and len(short) == len(paras):
        plan.drop_paragraphs.extend(paras.values())
        plan.act(f, "removed", plan.where(s), f"标识行“{f.evidence}”")
    else:
        delete_range(plan, f, rng, "removed", "标识")
    if target.fen_hao:
        drop_fenhao(plan, f)


def remove_white(plan: CleanPlan, f: Finding) -> None:
    rng = hidden_target(f).span
    if rng is None:
        return
    s, e = rng
    n = 0
    for piece, _lo, _hi in plan.overlapping(s, e):
        block = plan.doc.blocks[piece.block]
        if block.color is not None and is_white(block.color):
            r = ancestor(piece.el, w("r"))
            if r is not None:
                plan.remove_runs.add(r)
                n += 1
    if n:
        plan.act(f, "removed", plan.where(s), "白色文字")


def remove_hidden_runs(plan: CleanPlan) -> None:
    """Every run hidden by w:vanish (directly or through styles), finding or not."""
    runs: dict[etree._Element, int] = {}
    for piece in plan.pieces:
        block = plan.doc.blocks[piece.block]
        if not block.hidden or block.kind in (BlockKind.COMMENT, BlockKind.METADATA):
            continue
        r = ancestor(piece.el, w("r"))
        if r is not None:
            runs.setdefault(r, piece.start)
    if not runs:
        return
    plan.remove_runs.update(runs)
    for r in runs:
        p = ancestor(r, w("p"))
        if p is not None:
            plan.maybe_empty.append(p)
    first = min(runs.values())
    plan.act(None, "removed", plan.where(first), "隐藏文字", count=len(runs), rule="hidden_text")
