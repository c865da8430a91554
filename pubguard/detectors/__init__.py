"""Detector registry: every detector is registered here, in one place."""

from __future__ import annotations

import importlib

from pubguard.detectors.base import Detector, ScanContext

# One module per detector. Adding a detector = writing the module + one line here.
DETECTOR_MODULES = [
    "pubguard.detectors.classification_mark",
    "pubguard.detectors.personal_data",
    "pubguard.detectors.sensitive_term",
    "pubguard.detectors.proofreading",
    "pubguard.detectors.red_header",
    "pubguard.detectors.seal",
    "pubguard.detectors.leader_annotation",
    "pubguard.detectors.hidden_content",
]

_REGISTRY: dict[str, type[Detector]] = {}


def register(cls: type[Detector]) -> type[Detector]:
    if not cls.name or not cls.category:
        raise ValueError(f"detector {cls!r} must declare name and category")
    _REGISTRY[cls.name] = cls
    return cls


def load_all() -> dict[str, type[Detector]]:
    for mod in DETECTOR_MODULES:
        importlib.import_module(mod)
    return dict(_REGISTRY)


def detectors_for(names: set[str] | None = None) -> list[Detector]:
    reg = load_all()
    return [cls() for name, cls in reg.items() if names is None or name in names]


__all__ = ["Detector", "ScanContext", "register", "load_all", "detectors_for"]
