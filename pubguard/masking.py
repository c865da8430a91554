"""Masking of personal data. Evidence never leaves in full: reports, logs, exceptions and the
UI only ever see the masked form. Presets are configurable per site (no national rule fixes which
digits to hide); the default keeps the last 4 characters, plus a short prefix where it identifies
nothing personal (the province of an ID number, the carrier prefix of a mobile)."""

from __future__ import annotations

from dataclasses import dataclass, field

SEPARATORS = " -\u3000\u00a0"


@dataclass(frozen=True)
class MaskRule:
    keep_first: int = 0
    keep_last: int = 4
    char: str = "*"


DEFAULT_RULES: dict[str, MaskRule] = {
    "id_card": MaskRule(2, 4),
    "mobile": MaskRule(3, 4),
    "landline": MaskRule(0, 4),
    "bank_card": MaskRule(0, 4),
    "passport": MaskRule(0, 4),
    "default": MaskRule(0, 4),
}


@dataclass
class MaskingConfig:
    rules: dict[str, MaskRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    name_style: str = "surname"  # "surname": 张*; "first_last": 张*明

    def rule_for(self, kind: str) -> MaskRule:
        return self.rules.get(kind) or self.rules.get("default") or MaskRule()

    @classmethod
    def from_dict(cls, data: dict) -> MaskingConfig:
        cfg = cls()
        for kind, spec in (data or {}).items():
            if kind == "name_style":
                cfg.name_style = str(spec)
            elif isinstance(spec, dict):
                cfg.rules[kind] = MaskRule(int(spec.get("keep_first", 0)), int(spec.get("keep_last", 4)))
        return cfg


def mask_value(value: str, kind: str = "default", config: MaskingConfig | None = None) -> str:
    """Mask a number-like value, ignoring separators: `32**************1234`, `138****5678`."""
    config = config or MaskingConfig()
    if kind == "email":
        return mask_email(value)
    if kind == "person_name":
        return mask_name(value, config.name_style)
    rule = config.rule_for(kind)
    chars = [c for c in value if c not in SEPARATORS]
    n = len(chars)
    keep_last = min(rule.keep_last, max(n - 1, 0))
    keep_first = min(rule.keep_first, max(n - keep_last - 1, 0))
    if n <= 4:  # too short to keep anything safely
        keep_first, keep_last = 0, min(keep_last, 1)
    hidden = n - keep_first - keep_last
    return (
        "".join(chars[:keep_first])
        + rule.char * hidden
        + "".join(chars[n - keep_last :] if keep_last else [])
    )


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    if not domain:
        return mask_value(value)
    shown = local[:1] if len(local) > 1 else ""
    return f"{shown}{'*' * max(len(local) - len(shown), 1)}@{domain}"


def mask_name(name: str, style: str = "surname") -> str:
    if len(name) <= 1:
        return "*"
    if style == "first_last" and len(name) >= 3:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return name[0] + "*" * (len(name) - 1)


def redact_text(text: str, spans: list[tuple[int, int, str]], config: MaskingConfig | None = None) -> str:
    """Replace each (start, end, kind) span of `text` by its masked form (for snippets/logs)."""
    out = []
    pos = 0
    for start, end, kind in sorted(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(mask_value(text[start:end], kind, config))
        pos = end
    out.append(text[pos:])
    return "".join(out)
