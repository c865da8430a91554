"""Scan configuration: what users may tune lives in data (`pubguard.toml` or
`[tool.pubguard]` in pyproject.toml), never in code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pubguard.masking import MaskingConfig
from pubguard.nlp import NlpConfig
from pubguard.thresholds import Thresholds


@dataclass
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    max_image_pixels: int = 120_000_000  # Pillow's bomb guard is set from this
    max_zip_uncompressed: int = 500 * 1024 * 1024
    max_zip_ratio: float = 200.0  # compressed -> uncompressed expansion ratio
    max_ocr_pages: int = 50
    timeout_seconds: float = 300.0
    convert_timeout_seconds: float = 120.0  # one LibreOffice conversion (.doc/.xls/.ppt ...)
    # Archives (.zip/.rar/.7z/.tar) and embedded files are scanned as members under these.
    max_archive_depth: int = 3
    max_archive_members: int = 2000
    max_member_bytes: int = 100 * 1024 * 1024
    # Local stylesheets a page links in a folder/site scan (pubguard.extract.local).
    max_stylesheet_bytes: int = 1024 * 1024
    max_stylesheets: int = 32


@dataclass
class ScanConfig:
    enabled: set[str] | None = None  # detector names; None = all
    disabled: set[str] = field(default_factory=set)
    ocr: bool = True
    ocr_dpi: int = 150
    wordlists: list[Path] = field(default_factory=list)  # extra user lists (TOML or txt)
    allow_terms: set[str] = field(default_factory=set)  # never reported by sensitive_term
    masking: MaskingConfig = field(default_factory=MaskingConfig)
    limits: Limits = field(default_factory=Limits)
    min_severity: str = "info"
    thresholds: Thresholds = field(default_factory=Thresholds)  # zones, confidence weights
    nlp: NlpConfig = field(default_factory=NlpConfig)

    def detector_enabled(self, name: str) -> bool:
        if name in self.disabled:
            return False
        return self.enabled is None or name in self.enabled

    @classmethod
    def load(cls, path: Path | None) -> ScanConfig:
        cfg = cls()
        if path is None:
            for candidate in (Path("pubguard.toml"),):
                if candidate.is_file():
                    path = candidate
                    break
        if path is None:
            return cfg
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        if "tool" in data and "pubguard" in data["tool"]:
            data = data["tool"]["pubguard"]
        base = Path(path).parent
        if "detectors" in data:
            det = data["detectors"]
            if "enabled" in det:
                cfg.enabled = set(det["enabled"])
            cfg.disabled = set(det.get("disabled", []))
        cfg.ocr = bool(data.get("ocr", cfg.ocr))
        cfg.min_severity = data.get("min_severity", cfg.min_severity)
        cfg.wordlists = [base / p for p in data.get("wordlists", [])]
        cfg.allow_terms = set(data.get("allow", {}).get("terms", []))
        cfg.masking = MaskingConfig.from_dict(data.get("masking", {}))
        cfg.thresholds = Thresholds.from_table(data.get("thresholds"))
        cfg.nlp = NlpConfig.from_dict(data.get("nlp", {}))
        for key, value in data.get("limits", {}).items():
            if hasattr(cfg.limits, key):
                setattr(cfg.limits, key, type(getattr(cfg.limits, key))(value))
        return cfg
