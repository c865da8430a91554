"""Typed finding targets: what exactly a finding is about, in the terms of the `Document` it came
from, so the cleaner acts on it instead of detecting again.

`Finding.target` holds one of these (or None). It is in-process data: it travels with the finding
through `scan_bytes`, pickling (isolated child processes, Dask) and the clean-copy loop, but is not
part of `Finding.to_dict()` — the JSON report (`pubguard.report/1`) is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class RedHeaderTarget:
    """The parts of a 红头 版头 the red_header detector saw: DOCX paragraph ids
    (`TextBlock.paragraph`), or page-1 boxes in PDF points (the `TextBlock.bbox` space)."""

    organ_paragraphs: tuple[int, ...] = ()  # DOCX: 发文机关标志 (body or page-header paragraphs)
    number_paragraph: int | None = None  # DOCX: 发文字号
    organ_boxes: tuple[BBox, ...] = ()  # PDF: one box per line of the 发文机关标志
    number_box: BBox | None = None  # PDF: the line of the 发文字号


def overlaps(a: BBox, b: BBox, tolerance: float = 1.0) -> bool:
    """Do two boxes share any area (allowing `tolerance` points of rounding)?"""
    return (
        a[0] < b[2] + tolerance
        and b[0] < a[2] + tolerance
        and a[1] < b[3] + tolerance
        and b[1] < a[3] + tolerance
    )


Target = RedHeaderTarget

__all__ = ["BBox", "RedHeaderTarget", "Target", "overlaps"]
