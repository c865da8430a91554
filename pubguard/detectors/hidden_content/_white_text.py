"""Check: text in the colour of its background (rules white_text, fake_redaction by shading)."""

from __future__ import annotations

from pubguard.colour import indistinguishable
from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._geometry import (
    COVER_SHARE,
    _area,
    _contains,
    _FillIndex,
    _intersection,
    _on_image,
    char_boxes,
)
from pubguard.detectors.hidden_content._shared import (
    BASIS_HIDDEN,
    BASIS_REDACTION,
    CATEGORY,
    MAX_INDIVIDUAL,
    SUGGEST_HIDDEN,
    SUGGEST_REDACTION,
    VISIBLE_TEXT_KINDS,
    Group,
    _hex,
    _Item,
    _per_group,
    _rgb,
    group_consecutive,
    substantive,
)
from pubguard.document import (
    RGB,
    Document,
    TextBlock,
    is_dark,
    is_white,
)
from pubguard.finding import Finding, Severity
from pubguard.masking import mask_value


# -- white text ------------------------------------------------------------------------------
def _background(doc: Document, block: TextBlock) -> RGB | None:
    """Colour behind a block as a reader sees it: its highlight/shading, else the white
    page or the fills drawn under its characters (fixed layout); None when a picture lies
    under it. Judged per character: the topmost opaque fill under each character's centre
    counts (red text on a white label drawn over a red banner is on white, even where the
    label is smaller than the line's box). The block's background is the one under most of
    its characters that hides them, if those are at least COVER_SHARE of its characters."""
    if block.highlight is not None:
        return block.highlight
    if block.bbox is None or _area(block.bbox) <= 0:
        return (255, 255, 255)
    if _on_image(doc, block):
        return None
    fills = doc.cached(("hidden_content.fills", len(doc.drawings)), lambda: _FillIndex(doc))
    under = [d for d in fills.candidates(block.page, block.bbox) if _intersection(block.bbox, d.bbox) > 0]
    color = block.color
    if not under:
        return (255, 255, 255)
    if color is None or not any(
        indistinguishable(color, bg) for bg in [(255, 255, 255), *(d.fill for d in under if d.fill)]
    ):
        return under[0].fill  # nothing under it could hide it: skip the per-character work
    hiding: dict[RGB, int] = {}
    counted = 0
    for ch, (x0, y0, x1, y1) in zip(block.text, char_boxes(block), strict=True):
        if ch.isspace():
            continue
        counted += 1
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        bg = next((d.fill for d in under if d.fill and _contains(d.bbox, cx, cy)), (255, 255, 255))
        if indistinguishable(color, bg):
            hiding[bg] = hiding.get(bg, 0) + 1
    if counted and hiding:
        bg, n = max(hiding.items(), key=lambda kv: kv[1])
        if sum(hiding.values()) >= COVER_SHARE * counted:
            return bg
    return next((d.fill for d in under if d.fill and not indistinguishable(color, d.fill)), (255, 255, 255))


def _shadow_of_shown_text(doc: Document, block: TextBlock, bg: RGB) -> bool:
    """The same words drawn again at the same place in a colour that shows: the block is a
    text effect (a white shadow or outline drawn under dark menu text, x-ray
    no_bad_redactions.6.2), nothing is concealed."""
    if block.bbox is None:
        return False
    words = block.text.strip()
    for other in doc.blocks:
        if (
            other is block
            or other.page != block.page
            or other.hidden
            or other.bbox is None
            or other.color is None
            or other.text.strip() != words
            or indistinguishable(other.color, bg)
        ):
            continue
        if _intersection(block.bbox, other.bbox) >= 0.5 * min(_area(block.bbox), _area(other.bbox)):
            return True
    return False


def white_text(doc: Document, ctx: ScanContext) -> list[Finding]:
    idx: list[int] = []
    redacted: list[int] = []
    backgrounds: dict[int, RGB] = {}
    if doc.format == "html":
        # The HTML reader judged colours with the cascade (a background image or an unknown
        # background is not "white"): colour-hidden text arrives as hidden blocks.
        return []
    fills = doc.cached(("hidden_content.fills", len(doc.drawings)), lambda: _FillIndex(doc))
    may_hide: dict[tuple[RGB, int], bool] = {}  # (colour, page): most pages print one ink
    for i, b in enumerate(doc.blocks):
        if b.hidden or b.kind not in VISIBLE_TEXT_KINDS or b.color is None or not b.text.strip():
            continue
        if b.highlight is None:  # then the background is white, a page fill or a picture
            key = (b.color, b.page)
            hit = may_hide.get(key)
            if hit is None:
                hit = may_hide[key] = fills.may_hide(b.page, b.color)
            if not hit:
                continue
        bg = _background(doc, b)
        if bg is None or not indistinguishable(b.color, bg):
            continue
        if b.bbox is not None and b.highlight is None and is_dark(bg, 80):
            continue  # dark text under a dark box: the fake_redaction check's case
        if doc.format == "docx" and b.highlight is not None and is_dark(b.highlight, 80):
            redacted.append(i)  # explicit dark text on dark shading: Word's "涂黑"
        else:
            idx.append(i)
        backgrounds[id(b)] = bg
    if idx and doc.format == "pdf":
        idx = [
            i for i in idx if not _shadow_of_shown_text(doc, doc.blocks[i], backgrounds[id(doc.blocks[i])])
        ]
    groups = [g for g in group_consecutive(doc, idx) if substantive(g.text)]

    def item(g: Group) -> _Item:
        color = g.first.color
        what = "白色文字" if color is not None and is_white(color) else "与背景同色的文字"
        return _Item(
            Severity.HIGH,
            f"{what}：颜色与底色几乎相同，页面上看不见，但仍可复制、检索。",
            what,
            HiddenContentDetails(
                color=_hex(_rgb(color)),
                background=_hex(backgrounds.get(id(g.first), (255, 255, 255))),
            ),
        )

    out = _per_group(
        doc,
        ctx,
        groups,
        item,
        rule="white_text",
        suggestion=SUGGEST_HIDDEN,
        basis=BASIS_HIDDEN,
        summary_severity=Severity.HIGH,
        summary="文档含有 {n} 处与背景同色的文字（如白底白字），肉眼看不见但可复制、检索。",
    )
    for g in group_consecutive(doc, redacted)[:MAX_INDIVIDUAL]:
        if not substantive(g.text):
            continue
        out.append(
            ctx.finding(
                doc,
                category=CATEGORY,
                rule="fake_redaction",
                severity=Severity.BLOCKER,
                message="假涂黑：文字被设置为黑色底纹/突出显示遮盖，但文字本身仍在文件中，可复制提取。",
                raw=g.text,
                start=g.start,
                end=g.end,
                suggestion=SUGGEST_REDACTION,
                basis=BASIS_REDACTION,
                evidence=f"被遮盖文字：{mask_value(g.text.strip(), 'default', ctx.config.masking)}",
                details=HiddenContentDetails(method="shading"),
            )
        )
    return out
