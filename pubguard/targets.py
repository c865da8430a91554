"""Typed finding targets: what exactly a finding is about, in the terms of the `Document` it came
from, so the cleaner acts on it instead of detecting again.

`Finding.target` holds one of these (or None). It is in-process data: it travels with the finding
through `scan_bytes`, pickling (isolated child processes, Dask) and the clean-copy loop, but is not
part of `Finding.to_dict()` — the JSON report (`pubguard.report/1`) is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RedHeaderTarget:
    """The parts of a 红头 版头 the red_header detector saw (DOCX: paragraph ids of
    `TextBlock.paragraph`)."""

    organ_paragraphs: tuple[int, ...] = ()  # 发文机关标志 (body paragraphs or page-header ones)
    number_paragraph: int | None = None  # 发文字号


Target = RedHeaderTarget

__all__ = ["RedHeaderTarget", "Target"]
