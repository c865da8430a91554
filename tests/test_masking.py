"""Masking: personal data never leaves in full, whatever the value or the per-site preset."""

from __future__ import annotations

import pytest

from pubguard.masking import MaskingConfig, MaskRule, mask_email, mask_name, mask_value, redact_text


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("320102199001011234", "id_card", "32************1234"),
        ("11010119900307123X", "id_card", "11************123X"),
        ("13812345678", "mobile", "138****5678"),
        ("138 1234 5678", "mobile", "138****5678"),
        ("138-1234-5678", "mobile", "138****5678"),
        ("6222021234567890128", "bank_card", "***************0128"),
        ("0771-5551234", "landline", "*******1234"),
        ("E12345678", "passport", "*****5678"),
        ("abcdef", "unknown_kind", "**cdef"),
    ],
)
def test_default_presets(value: str, kind: str, expected: str) -> None:
    assert mask_value(value, kind) == expected


@pytest.mark.parametrize("value", ["1", "12", "123", "1234"])
def test_short_values_keep_at_most_one_character(value: str) -> None:
    masked = mask_value(value, "id_card")
    assert len(masked) == len(value)
    assert sum(c != "*" for c in masked) <= 1
    assert "*" in masked


@pytest.mark.parametrize("keep", [(0, 0), (6, 4), (10, 10), (30, 30)])
def test_presets_that_would_reveal_everything_still_hide_something(keep: tuple[int, int]) -> None:
    cfg = MaskingConfig.from_dict({"id_card": {"keep_first": keep[0], "keep_last": keep[1]}})
    value = "320102199001011234"
    masked = mask_value(value, "id_card", cfg)
    assert masked != value and "*" in masked and len(masked) == len(value)
    assert masked.startswith(value[: min(keep[0], 13)]) or keep[0] + keep[1] >= len(value)


def test_site_preset_first6_last4() -> None:
    cfg = MaskingConfig.from_dict({"id_card": {"keep_first": 6, "keep_last": 4}, "name_style": "first_last"})
    assert mask_value("320102199001011234", "id_card", cfg) == "320102********1234"
    assert cfg.name_style == "first_last"
    assert cfg.rule_for("mobile") == MaskRule(3, 4)  # untouched presets keep their defaults


def test_full_width_digits_are_masked_too() -> None:
    masked = mask_value("１３８１２３４５６７８", "mobile")
    assert masked == "１３８****５６７８"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zhangsan@163.com", "z*******@163.com"),
        ("a@example.cn", "*@example.cn"),
        ("ab@qq.com", "a*@qq.com"),
    ],
)
def test_email(value: str, expected: str) -> None:
    assert mask_email(value) == expected
    assert mask_value(value, "email") == expected


def test_email_without_at_sign_falls_back_to_number_masking() -> None:
    assert mask_email("zhangsan") == "****gsan"


@pytest.mark.parametrize(
    ("name", "style", "expected"),
    [
        ("张三", "surname", "张*"),
        ("张晓明", "surname", "张**"),
        ("张晓明", "first_last", "张*明"),
        ("欧阳娜娜", "first_last", "欧**娜"),
        ("李四", "first_last", "李*"),  # two characters: nothing but the surname is shown
        ("王", "surname", "*"),
    ],
)
def test_names(name: str, style: str, expected: str) -> None:
    assert mask_name(name, style) == expected
    cfg = MaskingConfig(name_style=style)
    assert mask_value(name, "person_name", cfg) == expected


def test_redact_text_masks_each_span_and_skips_overlaps() -> None:
    text = "张三，手机13812345678，身份证号320102199001011234。"
    spans = [
        (0, 2, "person_name"),
        (5, 16, "mobile"),
        (6, 10, "mobile"),  # overlaps the previous span: ignored
        (21, 39, "id_card"),
    ]
    out = redact_text(text, spans)
    assert out == "张*，手机138****5678，身份证号32************1234。"
    assert "13812345678" not in out and "320102199001011234" not in out
