"""Typed finding targets: what exactly a finding is about, in the terms of the `Document` it came
from, so the cleaner acts on it instead of detecting again.

`Finding.target` holds one of these (or None). It is in-process data: it travels with the finding
through `scan_bytes`, pickling (isolated child processes, Dask) and the clean-copy loop, but is not
part of `Finding.to_dict()` — the JSON report (`pubguard.report/1`) is unchanged.

An empty target (or None) means "nothing to act on": the cleaner leaves such a finding alone
rather than locating it again. Targets are built where the finding is made
(`pubguard.detectors.targeting`, called by `ScanContext.finding`).
"""

from __future__ import annotations

from dataclasses import dataclass

BBox = tuple[float, float, float, float]
Span = tuple[int, int]  # [start, end) in `Document.text`


@dataclass(frozen=True, slots=True)
class RedHeaderTarget:
    """The parts of a 红头 版头 the red_header detector saw: DOCX paragraph ids
    (`TextBlock.paragraph`), or page-1 boxes in PDF points (the `TextBlock.bbox` space)."""

    organ_paragraphs: tuple[int, ...] = ()  # DOCX: 发文机关标志 (body or page-header paragraphs)
    number_paragraph: int | None = None  # DOCX: 发文字号
    organ_boxes: tuple[BBox, ...] = ()  # PDF: one box per line of the 发文机关标志
    number_box: BBox | None = None  # PDF: the line of the 发文字号
    picture: bool = False  # one of the signals came from a picture (a 红头 pasted as an image)
    box: BBox | None = None  # page 1: the union of the signals (scans and photos are erased there)


def overlaps(a: BBox, b: BBox, tolerance: float = 1.0) -> bool:
    """Do two boxes share any area (allowing `tolerance` points of rounding)?"""
    return (
        a[0] < b[2] + tolerance
        and b[0] < a[2] + tolerance
        and a[1] < b[3] + tolerance
        and b[1] < a[3] + tolerance
    )


@dataclass(frozen=True, slots=True)
class SealTarget:
    """The picture or drawing a seal / signature finding is about."""

    page: int | None = None
    box: BBox | None = None  # page space (the `TextBlock.bbox` space) of the seal
    paragraph: int | None = None  # DOCX: paragraph id holding the picture or the red shapes
    image: str | None = None  # `ImageItem.name` of the picture (DOCX: its relationship id)
    source: str | None = None  # how it was seen: "image", "vector", "scan", "electronic" ...


@dataclass(frozen=True, slots=True)
class AnnotationTarget:
    """The characters of a 领导批示 (or, for a note known only by its position, its box)."""

    span: Span | None = None
    page: int | None = None
    box: BBox | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell (`TextBlock.table` / `row` / `col`)."""

    table: int
    row: int | None
    col: int


@dataclass(frozen=True, slots=True)
class PersonalDataTarget:
    """The characters of one personal value, and the table cell holding it (roster columns)."""

    span: Span | None = None
    cell: Cell | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class HiddenContentTarget:
    """What a hidden-content finding is about: its own characters (`span`), every range of a
    summary finding (`ranges`), a box (text under a black box), the Word comments it names and
    the document-property fields that carry a name."""

    span: Span | None = None
    ranges: tuple[Span, ...] = ()
    page: int | None = None
    box: BBox | None = None
    comment_ids: tuple[str, ...] = ()
    metadata_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarkTarget:
    """The characters of a 密级 / 内部资料 / 紧急程度 mark, and whether a 份号 goes with it."""

    span: Span | None = None
    fen_hao: bool = False
    page: int | None = None
    box: BBox | None = None  # where it is when it has no text offsets (OCR boxes of a scan)


@dataclass(frozen=True, slots=True)
class ProofreadingTarget:
    """The characters of a proofreading finding (mixed_punctuation: one half-width mark), one span
    per occurrence (repeats of the same finding are merged into the first, `merge_repeat`)."""

    spans: tuple[Span, ...] = ()


def merge_repeat(head: Target | None, repeat: Target | None) -> Target | None:
    """The target of a finding that absorbed a repeat of itself (`aggregate_repeats`)."""
    if isinstance(head, ProofreadingTarget) and isinstance(repeat, ProofreadingTarget):
        return ProofreadingTarget(head.spans + repeat.spans)
    return head


Target = (
    RedHeaderTarget
    | SealTarget
    | AnnotationTarget
    | PersonalDataTarget
    | HiddenContentTarget
    | MarkTarget
    | ProofreadingTarget
)

__all__ = [
    "AnnotationTarget",
    "BBox",
    "Cell",
    "HiddenContentTarget",
    "MarkTarget",
    "ProofreadingTarget",
    "PersonalDataTarget",
    "RedHeaderTarget",
    "SealTarget",
    "Span",
    "Target",
    "merge_repeat",
    "overlaps",
]
