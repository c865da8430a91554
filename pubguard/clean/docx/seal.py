"""Seals and signature pictures in the clean copy: the picture (or red vector seal) a seal
finding is about is removed from its paragraph.
"""

from __future__ import annotations

from pubguard.clean.common import seal_target
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.tree import blip_ids, graphics, red_graphic, run_child
from pubguard.finding import Finding


def remove_seal(plan: CleanPlan, f: Finding) -> None:
    """Acts on the finding's `SealTarget` (paragraph, picture, how it was seen); an empty target
    removes nothing."""
    target = seal_target(f)
    pid = target.paragraph
    label = {"official_seal": "公章", "personal_seal": "个人名章", "signature": "签名图片"}.get(
        f.rule, "印章"
    )
    where = plan.where_paragraph(pid)
    if target.source == "vector":
        n = 0
        for q in range(int(pid or 0) - 3, int(pid or 0) + 4):
            p = plan.paragraph_element(q)
            if p is None:
                continue
            for g in graphics(p):
                if red_graphic(g):
                    plan.remove_graphics.add(run_child(g))
                    n += 1
        if n:
            plan.act(f, "removed", where, f"{label}（红色图形）")
        return
    rid = target.image
    if rid and plan.remove_image(pid, rid):
        plan.act(f, "removed", where, f"{label}图片")
    elif not rid and isinstance(pid, int) and pid in plan.trace.paragraphs:
        # The detector could not say which picture: every picture of that paragraph goes.
        pictures = [g for g in graphics(plan.trace.paragraphs[pid][1]) if blip_ids(g)]
        plan.remove_graphics.update(run_child(g) for g in pictures)
        if pictures:
            plan.act(f, "removed", where, f"{label}所在段落的图片", count=len(pictures))
