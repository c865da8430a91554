"""Check: dark boxes drawn over text that can still be copied, pending redact annotations (rule
fake_redaction)."""

from __future__ import annotations

from pubguard import lexicon
from pubguard.colour import contrast_ratio
from pubguard.details import HiddenContentDetails
from pubguard.detectors.base import ScanContext
from pubguard.detectors.hidden_content._geometry import (
    COVER_SHARE,
    ON_PANEL_SHARE,
    _area,
    _boxes,
    _intersection,
    _is_redaction_box,
    _ranges,
    char_boxes,
)
from pubguard.detectors.hidden_content._shared import (
    BASIS_REDACTION,
    CATEGORY,
    SUGGEST_REDACTION,
    VISIBLE_TEXT_KINDS,
    _rgb,
    substantive,
)
from pubguard.document import (
    Document,
    Drawing,
    TextBlock,
)
from pubguard.finding import Finding, Severity
from pubguard.masking import mask_value

# The label a redaction tool prints on (or under) its box (pubguard/lexicon/redaction.toml).
REDACTION_LABEL = lexicon.pattern("redaction", "redaction_label")


# -- fake redaction (fixed layout) ------------------------------------------------------------
def fake_redactions(doc: Document, ctx: ScanContext) -> list[Finding]:
    by_page: dict[int, list[TextBlock]] = {}
    for b in doc.blocks:
        if b.bbox is not None and not b.hidden and b.kind in VISIBLE_TEXT_KINDS and b.text.strip():
            by_page.setdefault(b.page, []).append(b)
    out: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    for d in (box for drawing in doc.drawings for box in _boxes(drawing)):
        pending = d.source == "annot:redact"
        if not pending and not _is_redaction_box(d):
            continue
        covered = _covered(by_page.get(d.page, []), d, check_colour=not pending)
        ranges = _ranges(covered)
        if not ranges:
            continue
        start, end = ranges[0][0], ranges[-1][1]
        if (start, end) in seen:
            continue
        seen.add((start, end))
        raw = "".join(doc.text[s:e] for s, e in ranges)
        if not substantive(raw):
            continue
        if REDACTION_LABEL.search(raw.strip()):
            continue  # only the tool's label (已删除, REDACTED, (b)(6)) is there: text really removed
        if pending:
            message = "文档含有尚未应用的“密文/编校”标记：标记下的文字仍在文件中，可复制提取。"
        else:
            message = "假涂黑：黑色色块遮盖的文字仍保留在文件中，选中、复制或检索即可看到原文。"
        out.append(
            ctx.finding(
                doc,
                category=CATEGORY,
                rule="fake_redaction",
                severity=Severity.BLOCKER,
                message=message,
                raw=raw,
                start=start,
                end=end,
                page=d.page,
                bbox=d.bbox,
                suggestion=SUGGEST_REDACTION,
                basis=BASIS_REDACTION,
                evidence=f"被遮盖文字：{mask_value(raw.strip(), 'default', ctx.config.masking)}",
                details=HiddenContentDetails(
                    method="annot:redact" if pending else "dark_box",
                    ranges=tuple((a, b) for a, b in ranges),
                ),
            )
        )
    return out


def _covered(blocks: list[TextBlock], d: Drawing, *, check_colour: bool) -> list[int]:
    """Offsets (in doc.text) of the characters hidden under the drawing (those painted after
    it, when the paint order is known, only if the box is fitted to them: ON_PANEL_SHARE):
    >= 60 % of an exact
    character box; for estimated boxes (no per-character geometry) the character's centre
    column inside the box and >= 60 % of its height covered, which tolerates the estimate's
    drift of a fraction of a character."""
    offsets: list[int] = []
    on_top: list[int] = []  # painted after the box (PDF paint order): lying on it
    on_top_area = 0.0
    for b in blocks:
        assert b.bbox is not None
        if _intersection(b.bbox, d.bbox) <= 0:
            continue
        if check_colour and d.fill is not None and contrast_ratio(_rgb(b.color), d.fill) >= 3.0:
            continue  # light text on the dark box: a visible label (table header), not hidden
        after = 0 <= d.order < b.order
        exact = bool(b.char_boxes) and len(b.char_boxes or []) == len(b.text)
        for k, box in enumerate(char_boxes(b)):
            if b.text[k].isspace() or _area(box) <= 0:
                continue
            if exact:
                hit = _intersection(box, d.bbox) >= COVER_SHARE * _area(box)
            else:
                cx = (box[0] + box[2]) / 2
                v_overlap = max(min(box[3], d.bbox[3]) - max(box[1], d.bbox[1]), 0.0)
                hit = d.bbox[0] <= cx <= d.bbox[2] and v_overlap >= COVER_SHARE * (box[3] - box[1])
            if hit and after:
                on_top.append(b.start + k)
                on_top_area += _intersection(box, d.bbox)
            elif hit:
                offsets.append(b.start + k)
    if on_top and on_top_area >= ON_PANEL_SHARE * _area(d.bbox):
        offsets += on_top  # dark words on a box fitted to them: as unreadable as under it
    return sorted(offsets)
