"""Length-preserving masks and the per-site presets."""

from __future__ import annotations

import pytest

from clean.conftest import PEOPLE
from pubguard.clean.options import MASK_PRESETS, CleanOptions, mask_chars
from pubguard.config import ScanConfig
from pubguard.masking import MaskingConfig, mask_value

PID = PEOPLE[0][1]


def masking(preset: str, name_style: str | None = None) -> MaskingConfig:
    return CleanOptions(mask_preset=preset, name_style=name_style).masking(ScanConfig())


def test_id_presets_keep_the_configured_digits():
    six_four = mask_chars(PID, "id_card", masking("id6-4")).masked
    assert six_four == PID[:6] + "*" * 8 + PID[-4:]
    last4 = mask_chars(PID, "id_card", masking("last4")).masked
    assert last4 == "*" * 14 + PID[-4:]


def test_site_preset_follows_the_site_config():
    config = ScanConfig()
    config.masking = MaskingConfig.from_dict({"id_card": {"keep_first": 1, "keep_last": 1}})
    masked = mask_chars(PID, "id_card", CleanOptions().masking(config)).masked
    assert masked == PID[0] + "*" * 16 + PID[-1]


def test_mask_keeps_length_and_separators_and_matches_mask_value():
    raw = "138 7712 0456"
    plan = mask_chars(raw, "mobile", masking("id6-4"))
    assert plan.masked == "138 **** 0456"
    assert len(plan.masked) == len(raw)
    assert plan.masked.replace(" ", "") == mask_value(raw, "mobile", masking("id6-4"))


def test_mobile_with_country_code_masks_the_number_itself():
    plan = mask_chars("+86 13877120456", "mobile", masking("last4"))
    assert plan.masked == "+86 138****0456"


@pytest.mark.parametrize(("style", "expected"), [("surname", "张**"), ("first_last", "张*民")])
def test_name_styles(style, expected):
    assert mask_chars("张伟民", "person_name", masking("id6-4", style)).masked == expected


def test_two_character_name_and_email():
    assert mask_chars("李明", "person_name", masking("id6-4", "first_last")).masked == "李*"
    assert mask_chars("wangjg@163.com", "email", masking("site")).masked == "w*****@163.com"


def test_options_reject_unknown_values():
    with pytest.raises(ValueError):
        CleanOptions(revisions="merge")
    with pytest.raises(ValueError):
        CleanOptions(mask_preset="nope")
    assert set(MASK_PRESETS) == {"site", "id6-4", "last4"}
