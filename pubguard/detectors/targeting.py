"""Typed targets for findings, built where the finding is made (`ScanContext.finding`).

The detector knows what it located — text offsets, a page box, the picture's name, the comment's
id — and says so once, in the terms of `pubguard.targets`, so that clean/ acts on the target
instead of reading `location` / `details` or detecting again. A detector may pass its own
target to `ScanContext.finding`; otherwise `build_target` derives it from what the detector
handed over (offsets, page, box and its details). Categories without a target model get None.
The red_header detector sets its `RedHeaderTarget` itself, proofreading passes a
`ProofreadingTarget` for mixed_punctuation (every half-width mark of the document).
"""

from __future__ import annotations

import re

from pubguard.details import (
    Details,
    ElectronicSealDetails,
    HiddenContentDetails,
    SealDetails,
    SecretLevelDetails,
    SignatureDetails,
)
from pubguard.document import BBox, BlockKind, Document, TextBlock
from pubguard.targets import (
    AnnotationTarget,
    Cell,
    HiddenContentTarget,
    MarkTarget,
    PersonalDataTarget,
    SealTarget,
    Span,
    Target,
)

_COMMENT_ID = re.compile(r"w:comment;id=([^;]*)")


def _span(start: int | None, end: int | None) -> Span | None:
    if start is None or end is None or end <= start:
        return None
    return (start, end)


def _ranges(details: Details, span: Span | None) -> tuple[Span, ...]:
    if isinstance(details, HiddenContentDetails) and details.offsets:
        return details.offsets
    return (span,) if span is not None else ()


def _cell(block: TextBlock | None) -> Cell | None:
    if block is None or block.kind != BlockKind.TABLE_CELL or block.table is None or block.col is None:
        return None
    return Cell(block.table, block.row, block.col)


def build_target(
    doc: Document,
    *,
    category: str,
    rule: str,
    start: int | None,
    end: int | None,
    page: int | None,
    bbox: BBox | None,
    block: TextBlock | None,
    details: Details,
) -> Target | None:
    """The target of a finding of `category` located at `start`-`end` / `page`, `bbox`
    (`block` is the block at `start`)."""
    span = _span(start, end)
    if category == "seal":
        picture = details if isinstance(details, (SealDetails, SignatureDetails)) else None
        seal = (
            details if isinstance(details, (SealDetails, SignatureDetails, ElectronicSealDetails)) else None
        )
        return SealTarget(
            page=page,
            box=bbox,
            paragraph=picture.paragraph if picture is not None else None,
            image=(picture.image or None) if picture is not None else None,
            source=seal.source if seal is not None else None,
        )
    if category == "leader_annotation":
        return AnnotationTarget(span=span, page=page, box=bbox)
    if category == "personal_data":
        return PersonalDataTarget(span=span, cell=_cell(block), page=page)
    if category == "hidden_content":
        comment_ids: tuple[str, ...] = ()
        if rule == "comment" and block is not None and block.source:
            m = _COMMENT_ID.match(block.source)
            comment_ids = (m.group(1),) if m else ()
        fields = details.fields if isinstance(details, HiddenContentDetails) else None
        return HiddenContentTarget(
            span=span,
            ranges=_ranges(details, span),
            page=page,
            box=bbox,
            comment_ids=comment_ids,
            metadata_fields=fields or (),
        )
    if category == "classification_mark":
        fen_hao = isinstance(details, SecretLevelDetails) and details.fen_hao
        return MarkTarget(span=span, fen_hao=fen_hao, page=page, box=bbox)
    return None


__all__ = ["build_target"]
