"""Publishable copies and annotated drafts: `clean_bytes` removes what must not be published
(版头, seals, leader annotations, marks, hidden content) and masks personal data in place, then
re-scans the copy; `annotate_bytes` puts every finding back into the draft as a Word comment or
PDF note, for editors who work in Word/WPS."""

from pubguard.clean.core import CleanFailed, CleanResult, clean_bytes, clean_path
from pubguard.clean.options import MASK_PRESETS, CleanOptions, mask_chars
from pubguard.clean.report import CleanAction, CleanReport

__all__ = [
    "CleanAction",
    "CleanFailed",
    "CleanOptions",
    "CleanReport",
    "CleanResult",
    "MASK_PRESETS",
    "clean_bytes",
    "clean_path",
    "mask_chars",
]
