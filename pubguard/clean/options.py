"""What a clean copy keeps and how it masks: options, masking presets and a length-preserving mask.

Masking in place must not move anything on the page or in a table cell, so the mask here keeps
every separator and the length of the value (`138 7712 0456` -> `138 **** 0456`); which
characters stay visible follows the site's `MaskingConfig` or one of the presets below (no
national rule fixes the digits, see 《个人信息保护法》 and the site's own 网站群管理办法)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pubguard.config import ScanConfig
from pubguard.masking import SEPARATORS, MaskingConfig, MaskRule

# Personal-data rule -> mask kind understood by MaskingConfig (rules share names with kinds).
MASK_KINDS = {
    "id_card": "id_card",
    "mobile": "mobile",
    "landline": "landline",
    "bank_card": "bank_card",
    "passport": "passport",
    "email": "email",
    "person_name": "person_name",
}
# Rules whose whole table column goes in "remove the column" mode: numbers that identify a person
# by themselves. Names stay (masked): a published list needs them, an ID column never.
DROP_COLUMN_RULES = frozenset({"id_card", "bank_card", "passport", "mobile", "landline", "email"})

_STANDARD = {
    "mobile": MaskRule(3, 4),
    "landline": MaskRule(0, 4),
    "bank_card": MaskRule(0, 4),
    "passport": MaskRule(0, 4),
    "default": MaskRule(0, 4),
}
# name -> (Chinese label, rules or None for the site's own `[masking]` config, name style)
MASK_PRESETS: dict[str, tuple[str, dict[str, MaskRule] | None, str | None]] = {
    "site": ("按站点配置（pubguard.toml 的 [masking]）", None, None),
    "id6-4": (
        "身份证保留前6位和后4位，手机号138****5678，银行卡仅留后4位，姓名“张*”",
        {**_STANDARD, "id_card": MaskRule(6, 4)},
        "surname",
    ),
    "last4": (
        "身份证仅留后4位，手机号138****5678，银行卡仅留后4位，姓名“张*”",
        {**_STANDARD, "id_card": MaskRule(0, 4)},
        "surname",
    ),
}
NAME_STYLES = ("surname", "first_last")  # 张* | 张*明
REVISION_MODES = ("accept", "reject")


@dataclass
class CleanOptions:
    """Choices for one clean copy. `revisions`: "accept" = 接受修订 (deleted text is dropped,
    inserted text stays: the copy shows what the page shows); "reject" = 拒绝修订 (insertions are
    dropped, deleted text comes back)."""

    revisions: str = "accept"
    mask_preset: str = "site"
    name_style: str | None = None  # overrides the preset's name style
    drop_columns: bool = False  # rosters: remove ID/bank/phone columns instead of masking them
    keep_header_text: bool = False  # 版头: keep the organ's name as black text instead of removing it
    max_passes: int = 3  # clean -> re-scan -> clean what is left, at most this many times

    def __post_init__(self) -> None:
        if self.revisions not in REVISION_MODES:
            raise ValueError(f"revisions must be one of {REVISION_MODES}")
        if self.mask_preset not in MASK_PRESETS:
            raise ValueError(f"unknown mask preset {self.mask_preset!r}")
        if self.name_style is not None and self.name_style not in NAME_STYLES:
            raise ValueError(f"name_style must be one of {NAME_STYLES}")

    def masking(self, config: ScanConfig) -> MaskingConfig:
        """The masking config this copy uses: the preset over the site's own rules."""
        _label, rules, style = MASK_PRESETS[self.mask_preset]
        base = config.masking
        out = MaskingConfig(rules=dict(base.rules), name_style=base.name_style)
        if rules is not None:
            out.rules.update(rules)
        if style is not None:
            out.name_style = style
        if self.name_style is not None:
            out.name_style = self.name_style
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MaskPlan:
    """Per-character outcome of masking one value: same length as the raw value."""

    masked: str
    hidden: list[int] = field(default_factory=list)  # indices replaced by the mask character


def mask_chars(raw: str, kind: str, config: MaskingConfig) -> MaskPlan:
    """Mask `raw` keeping its length and separators (see module docstring)."""
    chars = list(raw)
    if kind == "person_name":
        idx = [i for i, c in enumerate(raw) if not c.isspace() and c not in "·•.．"]
        keep = set(idx[:1])
        if config.name_style == "first_last" and len(idx) >= 3:
            keep.add(idx[-1])
        hidden = [i for i in idx if i not in keep] if len(idx) > 1 else idx
    elif kind == "email":
        at = raw.find("@")
        local = list(range(at)) if at > 0 else list(range(len(raw)))
        hidden = local[1:] if len(local) > 1 else local
    else:
        idx = [i for i, c in enumerate(raw) if c not in SEPARATORS]
        if kind == "mobile" and len(idx) > 11:
            idx = idx[-11:]  # +86 / 0086 prefix stays: same number, same mask as 138****5678
        rule = config.rule_for(kind)
        n = len(idx)
        keep_last = min(rule.keep_last, max(n - 1, 0))
        keep_first = min(rule.keep_first, max(n - keep_last - 1, 0))
        if n <= 4:
            keep_first, keep_last = 0, min(keep_last, 1)
        hidden = idx[keep_first : n - keep_last]
    mark = config.rule_for(kind).char if kind not in ("person_name", "email") else "*"
    for i in hidden:
        chars[i] = mark
    return MaskPlan("".join(chars), list(hidden))
