"""The 红头 版头 in the clean copy: organ mark, 发文字号, 份号, red rules and a 红头 picture, from
the paragraphs named by the finding's `RedHeaderTarget` (never detected again here).
"""

from __future__ import annotations

import re

from pubguard import layout
from pubguard.clean.common import squash
from pubguard.clean.docx.plan import CleanPlan
from pubguard.clean.docx.tree import graphics, kill_border, red_graphic, run_child
from pubguard.document import BlockKind, is_red
from pubguard.extract.docx import w
from pubguard.finding import Finding
from pubguard.targets import RedHeaderTarget
from pubguard.thresholds import DEFAULT as DEFAULT_THRESHOLDS

# First visible paragraphs of the 版头 zone (份号, marks): the red_header detector's zone.
HEADER_ZONE = DEFAULT_THRESHOLDS.red_header.docx_mark_paragraphs


FENHAO = re.compile(r"^(?:份号[:：]?)?[0-9]{6}$")


def remove_red_header(plan: CleanPlan, f: Finding, has_marks: bool) -> None:
    doc = plan.doc
    paras = layout.paragraphs(doc, layout.ZONE_KINDS)
    header_paras = layout.paragraphs(doc, (BlockKind.HEADER,))
    order = sorted(paras)
    # The paragraphs the red_header detector judged (its typed target): no detection here.
    target = f.target if isinstance(f.target, RedHeaderTarget) else RedHeaderTarget()
    organ = [pid for pid in target.organ_paragraphs if pid in paras or pid in header_paras]
    number = target.number_paragraph if target.number_paragraph in paras else None
    anchors = organ + ([number] if number is not None else [])
    if not anchors:
        return
    last = max(anchors)
    after = [pid for pid in order if pid > last]
    title = after[0] if after else None
    limit = (title - 1) if title is not None else last + 2
    first = order[0] if order else 0
    where = "首页版头"
    for pid in organ:
        p = plan.paragraph_element(pid)
        if p is None:
            continue
        text = squash("".join(b.text for b in (paras.get(pid) or header_paras.get(pid, []))))
        if plan.options.keep_header_text:
            plan.recolour.update(p.iter(w("r")))
            plan.act(f, "recoloured", where, f"发文机关标志“{text}”")
        else:
            plan.drop_paragraphs.append(p)
            plan.act(f, "removed", where, f"红色发文机关标志“{text}”")
    # The 发文字号 line is part of the 版头 the suggestion says to remove (kept as black text
    # only with keep_header_text); the 标题 stays, as plain black text.
    kept_lines = [title]
    p = plan.paragraph_element(number)
    if number is not None and p is not None:
        if plan.options.keep_header_text:
            kept_lines.insert(0, number)
        elif p not in plan.drop_paragraphs:
            plan.drop_paragraphs.append(p)
            text = squash("".join(b.text for b in paras[number]))
            plan.act(f, "removed", where, f"发文字号“{text}”")
    for kept in kept_lines:
        p = plan.paragraph_element(kept) if kept is not None else None
        if p is None or kept is None:
            continue
        if any(b.is_red for b in paras.get(kept, [])):
            plan.recolour.update(p.iter(w("r")))
            label = "发文字号" if kept == number else "标题"
            plan.act(f, "recoloured", where, f"{label}改为黑色")
    if has_marks or organ:
        for pid in order[:HEADER_ZONE]:
            if pid >= (title if title is not None else limit + 1):
                break
            text = squash("".join(b.text for b in paras[pid]))
            if FENHAO.match(text):
                p = plan.paragraph_element(pid)
                if p is not None and p not in plan.drop_paragraphs:
                    plan.drop_paragraphs.append(p)
                    plan.act(f, "removed", where, "份号")
    # Red rules: paragraph borders and drawn lines/shapes between the top and the title.
    rules = 0
    for d in doc.drawings:
        if not (first - 2 <= d.paragraph <= limit):
            continue
        red = (d.stroke is not None and is_red(d.stroke)) or (d.fill is not None and is_red(d.fill))
        if not red:
            continue
        p = plan.paragraph_element(d.paragraph)
        if p is None:
            continue
        if d.kind == "border":
            side = (d.source or "w:pBdr:bottom").split(":")[2]
            kill_border(p, side)
            plan.dirty_parts.add(plan.trace.paragraphs[d.paragraph][0])
            rules += 1
        else:
            for g in graphics(p):
                if red_graphic(g):
                    plan.remove_graphics.add(run_child(g))
                    rules += 1
    if rules:
        plan.act(f, "removed", where, "红色分隔线")
    # A 红头 pasted as a wide picture at the top.
    if target.picture:
        for im in doc.images:
            if im.paragraph < 0 or im.paragraph > limit or not (im.width and im.height):
                continue
            if im.width >= 2 * im.height and plan.remove_image(im.paragraph, im.name):
                plan.act(f, "removed", where, "红头图片")


def drop_fenhao(plan: CleanPlan, f: Finding) -> None:
    """份号 (six digits at the top of page 1) goes with the 密级 it accompanies."""
    for pid in layout.top_paragraphs(plan.doc, HEADER_ZONE, kinds=None):
        text = squash("".join(b.text for b in plan.doc.blocks if b.paragraph == pid))
        p = plan.paragraph_element(pid)
        if p is not None and FENHAO.match(text) and p not in plan.drop_paragraphs:
            plan.drop_paragraphs.append(p)
            plan.act(f, "removed", plan.where_paragraph(pid), "份号")
