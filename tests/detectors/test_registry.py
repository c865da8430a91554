"""The registry: every listed detector module registers exactly one detector with rules."""

from __future__ import annotations

from pubguard.detectors import DETECTOR_MODULES, load_all
from pubguard.finding import Category


def test_every_module_registers_a_detector_with_rules() -> None:
    registry = load_all()
    assert len(registry) == len(DETECTOR_MODULES)
    for name, cls in registry.items():
        assert cls.category in {c.value for c in Category}, name
        assert cls.rules, f"{name} declares no rules"
        assert all(isinstance(v, str) and v for v in cls.rules.values())


def test_every_category_has_a_detector() -> None:
    categories = {cls.category for cls in load_all().values()}
    assert categories == {c.value for c in Category}
