"""The detector contract.

A detector is a small class that declares what it finds (`name`, `category`, `rules`) and turns a
`Document` into `Finding`s. It never opens files and never imports the review or API layers.
Register it with `@register` and list its module in `pubguard.detectors.DETECTOR_MODULES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from pubguard.config import ScanConfig
from pubguard.details import Details, details_from_json
from pubguard.detectors.targeting import build_target
from pubguard.document import BBox, Document
from pubguard.finding import Finding, Location, Severity, evidence_hash
from pubguard.masking import mask_value
from pubguard.nlp import NlpEngine, engine_for
from pubguard.targets import Target


@dataclass
class ScanContext:
    config: ScanConfig = field(default_factory=ScanConfig)

    @property
    def nlp(self) -> NlpEngine:
        """The NLP engine for names in prose (`[nlp]` in the configuration; jieba by default)."""
        return engine_for(self.config.nlp)[0]

    def finding(
        self,
        doc: Document,
        *,
        category: str,
        rule: str,
        severity: Severity | str,
        message: str,
        raw: str,
        start: int | None = None,
        end: int | None = None,
        page: int | None = None,
        bbox: BBox | None = None,
        suggestion: str = "",
        basis: str = "",
        mask_kind: str | None = None,
        confidence: float = 1.0,
        details: Details | dict | None = None,
        evidence: str | None = None,
        target: Target | None = None,
    ) -> Finding:
        """Build a finding: masks `raw` when `mask_kind` is given, locates text offsets on the
        page, and hashes the raw evidence (the raw value itself is never stored). `details` is
        the detector's model (`pubguard.details`); a dict is read into the category's model."""
        info = details_from_json(str(category), rule, details if details is not None else {})
        shown = (
            evidence
            if evidence is not None
            else (mask_value(raw, mask_kind, self.config.masking) if mask_kind else raw)
        )
        block_kind = None
        blk = None
        if start is not None and end is not None:
            loc_page, loc_bbox = doc.locate(start, end)
            page = page if page is not None else loc_page
            bbox = bbox if bbox is not None else loc_bbox
            blk = doc.block_at(start)
            block_kind = str(blk.kind) if blk else None
        if target is None:
            target = build_target(
                doc,
                category=str(category),
                rule=rule,
                start=start,
                end=end,
                page=page,
                bbox=bbox,
                block=blk,
                details=info,
            )
        return Finding(
            category=category,
            rule=rule,
            severity=Severity(severity),
            message=message,
            evidence=shown,
            location=Location(page=page, bbox=bbox, start=start, end=end),
            suggestion=suggestion,
            basis=basis,
            evidence_hash=evidence_hash(raw),
            confidence=confidence,
            block_kind=block_kind,
            details=info,
            target=target,
        )


class Detector:
    name: ClassVar[str] = ""
    category: ClassVar[str] = ""
    # rule id -> Chinese description (shown in SARIF rules and `pubguard rules`)
    rules: ClassVar[dict[str, str]] = {}
    # True when the detector looks at pixels (renders pages / loads images): skipped by --no-ocr? no,
    # pixels are cheap; OCR is what --no-ocr turns off.
    uses_pixels: ClassVar[bool] = False

    def detect(self, doc: Document, ctx: ScanContext) -> Iterable[Finding]:  # pragma: no cover
        raise NotImplementedError
